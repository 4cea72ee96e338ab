package policy_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/policy"
)

// TestScenarios runs the scenario corpus: one simulation input per file
// (the `iamreach simulate` format) with the expected decision, written
// from the AWS documentation page named in its "source".
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "scenarios", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("only %d scenarios", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sim, err := policy.ParseSimulation(b)
			if err != nil {
				t.Fatal(err)
			}
			if sim.Description == "" || !strings.HasPrefix(sim.Source, "https://docs.aws.amazon.com/") {
				t.Fatal("a scenario needs a description and its AWS documentation source")
			}
			var want struct {
				Mode       string  `json:"mode"`
				Result     string  `json:"result"`
				Conditions *string `json:"conditions"`
				BlockedBy  string  `json:"blockedBy"`
			}
			if err := json.Unmarshal(sim.Expect, &want); err != nil || want.Result == "" {
				t.Fatalf("expect: %v", err)
			}
			req, set, err := sim.Compile()
			if err != nil {
				t.Fatal(err)
			}
			mode := policy.Strict
			if want.Mode == "discovery" {
				mode = policy.Discovery
			}
			d := policy.Evaluate(req, set, mode)
			if d.Result.String() != want.Result {
				t.Fatalf("%s: result %s, want %s (blocked by %q)", sim.Description, d.Result, want.Result, d.Explanation.BlockedBy)
			}
			got := ""
			if d.Residual != nil {
				got = d.Residual.String()
			}
			if w := deref(want.Conditions); got != w {
				t.Fatalf("conditions %q, want %q", got, w)
			}
			if want.BlockedBy != "" && !strings.Contains(d.Explanation.BlockedBy, want.BlockedBy) {
				t.Fatalf("blocked by %q, want it to mention %q", d.Explanation.BlockedBy, want.BlockedBy)
			}
			if d.Result == policy.Allowed && len(d.Explanation.Allowing) == 0 && req.Principal.Type != policy.PrincipalRoot {
				t.Fatal("allowed without naming an allowing statement")
			}
			if d.Result == policy.ExplicitlyDenied && len(d.Explanation.Denying) == 0 && !strings.Contains(d.Explanation.BlockedBy, "Block Public Access") {
				t.Fatal("explicitly denied without naming the denying statement")
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
