package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runSim(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, append([]string{"simulate"}, args...))
	return code, out.String(), errb.String()
}

func TestSimulate(t *testing.T) {
	scen := func(name string) string {
		return filepath.Join("..", "..", "policy", "testdata", "scenarios", name+".json")
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{"allowed", []string{"--input", scen("identity-allow")}, 0, ": Allowed", ""},
		{"denied still exits 0", []string{"--input", scen("scp-every-level-must-allow")}, 0, "blocked by: SCP at ou-apps", ""},
		{"discovery residual", []string{"--input", scen("trust-external-id-discovery"), "--mode", "discovery"}, 0, `only if: sts:ExternalId StringEquals "vendor-123"`, ""},
		{"strict drops unknown key", []string{"--input", scen("trust-external-id-discovery")}, 0, "ImplicitlyDenied", ""},
		{"bad mode", []string{"--input", scen("identity-allow"), "--mode", "lenient"}, 1, "", "--mode"},
		{"no input", nil, 1, "", "--input is required"},
		{"missing file", []string{"--input", "does-not-exist.json"}, 1, "", "read input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runSim(t, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errs, tt.err) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d, stdout ~%q, stderr ~%q", code, out, errs, tt.code, tt.out, tt.err)
			}
		})
	}
}

func TestSimulateJSON(t *testing.T) {
	code, out, _ := runSim(t, "--input", filepath.Join("..", "..", "policy", "testdata", "scenarios", "discovery-residual.json"), "--mode", "discovery", "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var d struct {
		Result         string          `json:"result"`
		Conditions     json.RawMessage `json:"conditions"`
		ConditionsText string          `json:"conditionsText"`
		Explanation    struct {
			Allowing []struct {
				PolicyKind     string `json:"policyKind"`
				StatementIndex int    `json:"statementIndex"`
			} `json:"allowing"`
		} `json:"explanation"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if d.Result != "Allowed" || !strings.Contains(string(d.Conditions), `"op":"and"`) && !strings.Contains(string(d.Conditions), `"op": "and"`) ||
		d.ConditionsText != `aws:SourceIp IpAddress 10.0.0.0/8 AND sts:ExternalId StringEquals "abc"` || len(d.Explanation.Allowing) != 1 || d.Explanation.Allowing[0].PolicyKind != "identity" {
		t.Fatalf("unexpected decision: %s", out)
	}
}

func TestSimulateBadPolicyNamesField(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "bad.json")
	doc := `{"request":{"principal":"arn:aws:iam::111111111111:user/u","action":"s3:GetObject","resource":{"resource":"arn:aws:s3:::b/k","accountId":"111111111111"},"contextVariables":{}},
	"identityPolicies":[{"name":"ok","policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}},
	                    {"name":"broken","policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}]}}],
	"serviceControlPolicies":[],"resourceControlPolicies":[]}`
	if err := os.WriteFile(in, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runSim(t, "--input", in)
	if code == 0 || !strings.Contains(errs, `identityPolicies[1] "broken"`) || !strings.Contains(errs, "statement 1") || !strings.Contains(errs, "UNSUPPORTED_ELEMENT_COMBINATION") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("error is not one line: %q", errs)
	}
}
