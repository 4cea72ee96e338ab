package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/graph"
)

// runCLI runs one iamreach command line in-process, as main does.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, args)
	return code, out.String(), errb.String()
}

// The query commands on the demo organization, as a user types them. The
// expected answers are the hand-derived ones of demo/demo_test.go.
func TestQueryCommands(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string // substrings of stdout
		not  []string
	}{
		{"reach by name", []string{"reach", "--demo", "--from", "get-product"},
			[]string{"can reach 3 target(s)", "table/inventory", "dynamodb:GetItem (Read), dynamodb:Query (Read)", "-RUNS_AS->"}, nil},
		{"reach with evidence", []string{"reach", "--demo", "--evidence", "--from", "arn:aws:lambda:eu-west-1:333333333333:function:get-product", "--type", "dynamodb:table"},
			[]string{"can reach 1 target(s)", `Sid ReadInventory: {"Sid":"ReadInventory"`}, []string{"pattern:"}},
		{"who with action filter", []string{"who", "--demo", "--to", "arn:aws:secretsmanager:eu-west-1:333333333333:secret:prod/stripe-api-key-AbCdEf", "--action", "secretsmanager:GetSecretValue"},
			[]string{"can be reached by 8 target(s)", "shop-payment-handler-role", "only if: token.actions.githubusercontent.com:aud"}, []string{"breakglass-admin"}},
		{"vendor reach is conditional", []string{"reach", "--demo", "--from", "account:999988887777"},
			[]string{`only if: sts:ExternalId StringEquals "acme-7f3c9a"`, "scope:cloudwatch:333333333333"}, nil},
		{"no conditional", []string{"reach", "--demo", "--from", "account:999988887777", "--no-conditional"},
			[]string{"can reach 0 target(s)"}, nil},
		{"paths", []string{"paths", "--demo", "--from", "arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com", "--to", "arn:aws:secretsmanager:eu-west-1:333333333333:secret:prod/stripe-api-key-AbCdEf", "--limit", "2"},
			[]string{"2 path(s)", "CAN_ESCALATE by lambda:UpdateFunctionCode"}, nil},
		{"whynot names the SCP", []string{"whynot", "--demo", "--from", "user-sync", "--to", "arn:aws:iam::333333333333:user/breakglass-admin", "--action", "iam:CreateAccessKey"},
			[]string{"ExplicitlyDenied", "ProdNoLongLivedCredentials", "OU ou-demo-prod (Prod)"}, nil},
		{"gaps shown", []string{"reach", "--demo", "--from", "arn:aws:iam::444444444444:role/analyst-etl"},
			[]string{"Collection gaps that could change this answer", "lambda:ListFunctions"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestQueryCommandErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"reach", "--demo"}, "--from ARN is required"},
		{[]string{"reach", "--from", "x"}, "--snapshot FILE, --graph FILE or --demo"},
		{[]string{"reach", "--demo", "--snapshot", "s.json", "--from", "x"}, "exclude each other"},
		{[]string{"reach", "--demo", "--from", "no-such-thing"}, `"no-such-thing" is not in the graph`},
		{[]string{"who", "--snapshot", "/nonexistent/snap.json", "--to", "x"}, "no such file"},
		{[]string{"whynot", "--demo", "--from", "dev-bob", "--to", "arn:aws:s3:::shop-website"}, "say which action"},
	}
	for _, tc := range tests {
		code, _, errs := runCLI(t, tc.args...)
		if code == 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want an error with %q", tc.args, code, errs, tc.want)
		}
		if strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("%v: error is not one line: %q", tc.args, errs)
		}
	}
}

// build -o writes a graph that reach --graph answers from, with the same answer.
func TestBuildThenQueryGraphFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "demo-graph.json.gz")
	code, stdout, errs := runCLI(t, "build", "--demo", "-o", out)
	if code != 0 {
		t.Fatalf("build: %s", errs)
	}
	if !strings.Contains(stdout, "wrote "+out) || !strings.Contains(stdout, "1 collection gaps") {
		t.Errorf("build summary:\n%s", stdout)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
	var fromSnap, fromFile graph.ReachResult
	_, a, _ := runCLI(t, "reach", "--demo", "--json", "--from", "legacy-sync")
	_, b, errs := runCLI(t, "reach", "--graph", out, "--json", "--from", "legacy-sync")
	if err := json.Unmarshal([]byte(a), &fromSnap); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(b), &fromFile); err != nil {
		t.Fatalf("%v (%s)", err, errs)
	}
	if a != b || len(fromFile.Targets) == 0 {
		t.Errorf("answers differ between --demo and --graph (%d vs %d targets)", len(fromSnap.Targets), len(fromFile.Targets))
	}
}
