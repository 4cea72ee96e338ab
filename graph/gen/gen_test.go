package gen_test

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/graph/gen"
	"github.com/iamreach/iamreach/snapshot"
)

func encode(t *testing.T, s *snapshot.Snapshot) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := snapshot.Encode(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGenerateCountsAndValidity(t *testing.T) {
	spec, err := gen.SpecFor(gen.Small)
	if err != nil {
		t.Fatal(err)
	}
	s := gen.Generate(spec, 1)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	var roles, users, res int
	for _, a := range s.Accounts {
		roles += len(a.Roles)
		users += len(a.Users)
		res += len(a.Resources)
	}
	if len(s.Accounts) != spec.Accounts || roles != spec.Roles || users != spec.Users || res != spec.Resources {
		t.Fatalf("got %d accounts %d roles %d users %d resources, want %+v", len(s.Accounts), roles, users, res, spec)
	}
	// The file round-trips through the strict decoder.
	back, err := snapshot.Decode(bytes.NewReader(encode(t, s)))
	if err != nil {
		t.Fatalf("decode generated snapshot: %v", err)
	}
	if len(back.Accounts) != spec.Accounts {
		t.Fatalf("round trip lost accounts")
	}
	// Every workload runs as a role of its own account that exists.
	for _, a := range s.Accounts {
		roleARNs := map[string]bool{}
		for _, r := range a.Roles {
			roleARNs[r.ARN] = true
		}
		for _, r := range a.Resources {
			for _, ra := range r.RunsAs {
				if !roleARNs[ra] {
					t.Errorf("%s runs as %s, not a role of account %s", r.ARN, ra, a.ID)
				}
			}
		}
	}
}

func TestGenerateMix(t *testing.T) {
	spec, _ := gen.SpecFor(gen.Medium)
	spec.Resources, spec.Roles = 4000, 1500
	s := gen.Generate(spec, 7)
	seen := map[string]int{}
	for _, a := range s.Accounts {
		for _, r := range a.Roles {
			tp := string(r.TrustPolicy)
			switch {
			case strings.Contains(tp, "Federated") && strings.Contains(tp, "oidc-provider"):
				seen["oidc"]++
			case strings.Contains(tp, "ExternalId"):
				seen["vendor-externalid"]++
			case strings.Contains(tp, ":root"):
				seen["account-trust"]++
			case strings.Contains(tp, "Service"):
				seen["service"]++
			}
		}
		for _, r := range a.Resources {
			p := string(r.Policy)
			if strings.Contains(p, `"Principal":"*"`) && !strings.Contains(p, "Condition") {
				seen["public"]++
			}
		}
	}
	for _, k := range []string{"oidc", "vendor-externalid", "account-trust", "service", "public"} {
		if seen[k] == 0 {
			t.Errorf("no %s in the generated mix: %v", k, seen)
		}
	}
	if len(s.Organization.Policies) < 4 {
		t.Errorf("want SCPs and RCPs, got %d org policies", len(s.Organization.Policies))
	}
}

func TestGenerateDeterministic(t *testing.T) {
	spec, _ := gen.SpecFor(gen.Small)
	a := sha256.Sum256(encode(t, gen.Generate(spec, 42)))
	b := sha256.Sum256(encode(t, gen.Generate(spec, 42)))
	c := sha256.Sum256(encode(t, gen.Generate(spec, 43)))
	if a != b {
		t.Fatal("same seed gave different snapshots")
	}
	if a == c {
		t.Fatal("different seeds gave the same snapshot")
	}
}

func TestSpecFor(t *testing.T) {
	for _, tc := range []struct {
		size    gen.Size
		wantErr bool
		roles   int
	}{
		{gen.Small, false, 80}, {gen.Medium, false, 2000}, {gen.Large, false, 20000}, {"huge", true, 0},
	} {
		t.Run(string(tc.size), func(t *testing.T) {
			s, err := gen.SpecFor(tc.size)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if s.Roles != tc.roles {
				t.Fatalf("roles = %d, want %d", s.Roles, tc.roles)
			}
		})
	}
	if s, _ := gen.SpecFor(gen.Large); s.Accounts != 100 || s.Users != 5000 || s.Resources != 100000 {
		t.Fatalf("large preset is %+v", s)
	}
}
