package gaad_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamreach/iamreach/collector/gaad"
	"github.com/iamreach/iamreach/snapshot"
)

var update = flag.Bool("update", false, "rewrite golden files")

var now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func golden(t *testing.T, name string, s *snapshot.Snapshot) {
	t.Helper()
	var buf bytes.Buffer
	if err := snapshot.Encode(&buf, s); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("snapshot differs from %s (go test ./collector/gaad -update, then review the diff):\n%s", path, buf.String())
	}
	// What we write must read back.
	if _, err := snapshot.Decode(bytes.NewReader(buf.Bytes())); err != nil {
		t.Errorf("written snapshot does not read back: %v", err)
	}
}

func find[T any](t *testing.T, list []T, arn func(T) string, want string) T {
	t.Helper()
	for _, x := range list {
		if arn(x) == want {
			return x
		}
	}
	var zero T
	t.Fatalf("%s not found", want)
	return zero
}

func TestImportRealisticFile(t *testing.T) {
	s, err := gaad.ImportFiles([]string{"testdata/gaad-111122223333.json"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Complete || len(s.Gaps) != 0 {
		t.Fatalf("complete=%v gaps=%v", s.Complete, s.Gaps)
	}
	if len(s.Accounts) != 1 || s.Accounts[0].ID != "111122223333" {
		t.Fatalf("accounts: %+v", s.Accounts)
	}
	a := s.Accounts[0]
	// Seven policies in the file; AmazonS3ReadOnlyAccess is AWS-managed and used by nothing.
	if len(a.Users) != 2 || len(a.Groups) != 1 || len(a.Roles) != 3 || len(a.Policies) != 6 {
		t.Fatalf("users %d groups %d roles %d policies %d", len(a.Users), len(a.Groups), len(a.Roles), len(a.Policies))
	}
	g := a.Groups[0]
	if len(g.InlinePolicies) != 1 || !strings.Contains(string(g.InlinePolicies[0].Document), `"logs:GetLogEvents"`) {
		t.Errorf("URL-encoded group policy not decoded: %s", g.InlinePolicies)
	}
	p := find(t, a.Policies, func(p snapshot.ManagedPolicy) string { return p.ARN }, "arn:aws:iam::111122223333:policy/orders-table-read")
	if p.DefaultVersionID != "v2" || strings.Contains(string(p.Document), "dynamodb:*") || p.AWSManaged {
		t.Errorf("orders-table-read: want default v2 customer-managed, got %+v", p)
	}
	adm := find(t, a.Policies, func(p snapshot.ManagedPolicy) string { return p.ARN }, "arn:aws:iam::aws:policy/AdministratorAccess")
	if !adm.AWSManaged {
		t.Error("AdministratorAccess not marked AWS-managed")
	}
	fn := find(t, a.Roles, func(r snapshot.Role) string { return r.ARN }, "arn:aws:iam::111122223333:role/service-role/orders-api-fn")
	if fn.LastUsed == nil || !fn.LastUsed.Equal(time.Date(2026, 11, 30, 8, 1, 2, 0, time.UTC)) {
		t.Errorf("last used: %v", fn.LastUsed)
	}
	dep := find(t, a.Roles, func(r snapshot.Role) string { return r.ARN }, "arn:aws:iam::111122223333:role/deploy")
	if dep.PermissionsBoundary != "arn:aws:iam::111122223333:policy/developer-boundary" ||
		len(dep.InstanceProfiles) != 1 || !strings.Contains(string(dep.TrustPolicy), "token.actions.githubusercontent.com:sub") {
		t.Errorf("deploy role: %+v", dep)
	}
	alice := find(t, a.Users, func(u snapshot.User) string { return u.ARN }, "arn:aws:iam::111122223333:user/alice")
	if alice.Tags["team"] != "payments" || len(alice.Groups) != 1 || alice.Groups[0] != "developers" {
		t.Errorf("alice: %+v", alice)
	}
	golden(t, "gaad-111122223333.golden.json", s)
}

func TestImportTruncatedKeepsWhatWasComplete(t *testing.T) {
	s, err := gaad.ImportFiles([]string{"testdata/truncated-111122223333.json"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if s.Complete {
		t.Error("a truncated file must make the snapshot incomplete")
	}
	a := s.Accounts[0]
	var roles []string
	for _, r := range a.Roles {
		roles = append(roles, r.Name)
	}
	if len(a.Users) != 2 || len(a.Groups) != 1 || strings.Join(roles, ",") != "orders-api-fn,vendor-audit" || len(a.Policies) != 0 {
		t.Errorf("kept users %d groups %d roles %v policies %d", len(a.Users), len(a.Groups), roles, len(a.Policies))
	}
	if len(s.Gaps) != 1 {
		t.Fatalf("gaps: %+v", s.Gaps)
	}
	g := s.Gaps[0]
	for _, want := range []string{"truncated-111122223333.json", "truncated", "RoleDetailList element 2", `after "vendor-audit"`, "line "} {
		if !strings.Contains(g.Error, want) {
			t.Errorf("gap %q does not say %q", g.Error, want)
		}
	}
	if g.Code != gaad.CodeTruncated || g.Account != "111122223333" {
		t.Errorf("gap: %+v", g)
	}
}

func TestImportMalformedRecordsEachProblemAndKeepsTheRest(t *testing.T) {
	s, err := gaad.ImportFiles([]string{"testdata/malformed-444455556666.json"}, now)
	if err != nil {
		t.Fatal(err)
	}
	a := s.Accounts[0]
	if a.ID != "444455556666" {
		t.Fatalf("account %s", a.ID)
	}
	// Each expected problem: code and the words that locate it.
	wants := []struct {
		code  string
		words []string
	}{
		{gaad.CodeMalformedPolicy, []string{"malformed-444455556666.json", "user bob: inline policy broken-json", "not valid JSON", "left out"}},
		{gaad.CodeMalformedPolicy, []string{"user bob: inline policy typo-effect", `statement 1 (Sid "Typo")`, `Effect is "Allw"`}},
		{gaad.CodeUnexpectedType, []string{`UserDetailList element 0 ("bob")`, "field Tags", "want a list"}},
		{gaad.CodeMissing, []string{`GroupDetailList element 0 ("no-arn-group") has no Arn`}},
		{gaad.CodeUnexpectedType, []string{"role stranger", "outside account 444455556666"}},
		{gaad.CodeMissing, []string{"managed policy no-default", "no default version"}},
		{gaad.CodeUnexpectedType, []string{"role etl", "last tuesday"}},
		{gaad.CodeMissing, []string{"user bob: attached policy arn:aws:iam::aws:policy/PowerUserAccess is not in the Policies list"}},
	}
	if len(s.Gaps) != len(wants) {
		t.Errorf("got %d gaps, want %d:", len(s.Gaps), len(wants))
		for _, g := range s.Gaps {
			t.Logf("  %s: %s", g.Code, g.Error)
		}
	}
	for _, w := range wants {
		found := false
		for _, g := range s.Gaps {
			ok := g.Code == w.code && g.Account == "444455556666"
			for _, word := range w.words {
				ok = ok && strings.Contains(g.Error, word)
			}
			found = found || ok
		}
		if !found {
			t.Errorf("no %s gap saying %q", w.code, w.words)
		}
	}
	if len(a.Users) != 1 || len(a.Users[0].InlinePolicies) != 1 || a.Users[0].InlinePolicies[0].Name != "typo-effect" || a.Users[0].Tags != nil {
		t.Errorf("bob: %+v", a.Users)
	}
	if len(a.Groups) != 0 || len(a.Policies) != 0 {
		t.Errorf("groups %v policies %v", a.Groups, a.Policies)
	}
	if len(a.Roles) != 1 || a.Roles[0].Name != "etl" || a.Roles[0].LastUsed != nil || len(a.Roles[0].InlinePolicies) != 1 {
		t.Errorf("roles: %+v", a.Roles)
	}
	if !s.Complete {
		t.Error("element-level problems do not make the snapshot incomplete")
	}
	golden(t, "malformed-444455556666.golden.json", s)
}

func TestImportSeveralFiles(t *testing.T) {
	t.Run("unusable file is a gap, the others are imported", func(t *testing.T) {
		s, err := gaad.ImportFiles([]string{"testdata/notjson.json", "testdata/gaad-111122223333.json", "testdata/missing.json"}, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Accounts) != 1 || s.Complete || len(s.Gaps) != 2 {
			t.Fatalf("accounts %d complete %v gaps %+v", len(s.Accounts), s.Complete, s.Gaps)
		}
		if !strings.Contains(s.Gaps[0].Error, "notjson.json: not JSON at line 1, column 1") || !strings.Contains(s.Gaps[1].Error, "missing.json") {
			t.Errorf("gaps: %+v", s.Gaps)
		}
	})
	t.Run("only unusable files is an error", func(t *testing.T) {
		_, err := gaad.ImportFiles([]string{"testdata/notjson.json"}, now)
		if err == nil || !strings.Contains(err.Error(), "notjson.json") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("the same account twice", func(t *testing.T) {
		s, err := gaad.ImportFiles([]string{"testdata/gaad-111122223333.json", "testdata/truncated-111122223333.json"}, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Accounts) != 1 || len(s.Gaps) != 1 || s.Gaps[0].Code != "Duplicate" {
			t.Fatalf("accounts %d gaps %+v", len(s.Accounts), s.Gaps)
		}
	})
	t.Run("gzip-compressed export", func(t *testing.T) {
		raw, err := os.ReadFile("testdata/gaad-111122223333.json")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "gaad.json.gz")
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(raw)
		zw.Close()
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := gaad.ImportFiles([]string{path}, now)
		if err != nil || len(s.Accounts) != 1 || len(s.Accounts[0].Roles) != 3 || len(s.Gaps) != 0 {
			t.Fatalf("err %v snapshot %+v", err, s)
		}
	})
	t.Run("two accounts", func(t *testing.T) {
		s, err := gaad.ImportFiles([]string{"testdata/malformed-444455556666.json", "testdata/gaad-111122223333.json"}, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Accounts) != 2 || s.Accounts[0].ID != "111122223333" || s.Accounts[1].ID != "444455556666" {
			t.Fatalf("accounts: %d", len(s.Accounts))
		}
	})
}

func TestReadShapes(t *testing.T) {
	cases := []struct {
		name, in string
		err      string // fatal error, if any
		gap      string // first gap, if any
		roles    int
	}{
		{"empty file", "", "file is empty", "", 0},
		{"a list, not an object", `[1,2]`, "want a JSON object", "", 0},
		{"unrelated object", `{"foo": 1}`, "none of UserDetailList", "", 0},
		{"empty lists", `{"UserDetailList": [], "RoleDetailList": []}`, "", "", 0},
		{"list is an object", `{"RoleDetailList": {"a": [1]}, "UserDetailList": []}`, "", "RoleDetailList is an object, want a list", 0},
		{"list is a number", `{"RoleDetailList": 7}`, "", "RoleDetailList is 7, want a list", 0},
		{"syntax error mid list", `{"RoleDetailList": [{"Arn": "arn:aws:iam::1:role/a", "RoleName": "a"}, {"Arn": tru}]}`, "", "invalid JSON at line 1", 1},
		{"truncated between elements", `{"RoleDetailList": [{"Arn": "arn:aws:iam::1:role/a", "RoleName": "a"},`, "", "file is truncated", 1},
		{"element is a string", `{"RoleDetailList": ["x"]}`, "", "RoleDetailList element 0", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, gaps, err := gaad.Read("f.json", strings.NewReader(c.in))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.HasPrefix(err.Error(), "f.json: ") {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.gap == "" && len(gaps) != 0 || c.gap != "" && (len(gaps) == 0 || !strings.Contains(gaps[0].Error, c.gap)) {
				t.Errorf("gaps %+v, want %q", gaps, c.gap)
			}
			if len(d.Roles) != c.roles {
				t.Errorf("roles %d, want %d", len(d.Roles), c.roles)
			}
		})
	}
}

func TestConvertAcceptsAPIShapedDocuments(t *testing.T) {
	// The IAM API returns URL-encoded strings; a '+' there is a literal plus.
	enc, _ := json.Marshal("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aa%2Bb%2F*%22%7D%5D%7D")
	d := &gaad.Details{Users: []gaad.UserDetail{{UserName: "u", Arn: "arn:aws:iam::123456789012:user/u",
		UserPolicyList: []gaad.PolicyDetail{{PolicyName: "p", PolicyDocument: enc}}}}}
	a, gaps, err := gaad.Convert("api", "", d)
	if err != nil || len(gaps) != 0 {
		t.Fatalf("err %v gaps %v", err, gaps)
	}
	if got := string(a.Users[0].InlinePolicies[0].Document); !strings.Contains(got, `"arn:aws:s3:::a+b/*"`) {
		t.Errorf("document %s", got)
	}
	if _, _, err := gaad.Convert("empty.json", "", &gaad.Details{}); err == nil || !strings.Contains(err.Error(), "cannot tell which account") {
		t.Errorf("err = %v", err)
	}
	a, _, err = gaad.Convert("gaad-210987654321.json", "", &gaad.Details{})
	if err != nil || a.ID != "210987654321" {
		t.Errorf("account from file name: %v %v", a.ID, err)
	}
}

func TestReferencedPolicies(t *testing.T) {
	a := snapshot.Account{
		Roles: []snapshot.Role{{AttachedPolicies: []string{"arn:aws:iam::aws:policy/Used"}, PermissionsBoundary: "arn:aws:iam::aws:policy/Boundary"}},
		Policies: []snapshot.ManagedPolicy{{ARN: "arn:aws:iam::aws:policy/Used", AWSManaged: true}, {ARN: "arn:aws:iam::aws:policy/Boundary", AWSManaged: true},
			{ARN: "arn:aws:iam::aws:policy/Unused", AWSManaged: true}, {ARN: "arn:aws:iam::1:policy/Mine"}},
	}
	got := gaad.ReferencedPolicies(a)
	if len(got) != 3 || got[2].ARN != "arn:aws:iam::1:policy/Mine" {
		t.Errorf("referenced: %+v", got)
	}
}
