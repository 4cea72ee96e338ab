package findings_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/findings"
	"github.com/iamreach/iamreach/policy"
	"github.com/iamreach/iamreach/snapshot"
)

// scenario is one file of the findings corpus: a small organization and
// the findings expected (or expected absent) for it, derived by hand from
// the AWS documentation it cites.
type scenario struct {
	Name          string            `json:"name"`
	Reference     string            `json:"reference"`
	Why           string            `json:"why"`
	KnownAccounts map[string]string `json:"knownAccounts"`
	Snapshot      json.RawMessage   `json:"snapshot"`
	Expect        []expectation     `json:"expect"`
	Absent        []expectation     `json:"absent"`
}

type expectation struct {
	Kind               graph.FindingKind `json:"kind"`
	Subject            string            `json:"subject"`
	Target             string            `json:"target"`
	Severity           string            `json:"severity"`
	TitleContains      string            `json:"titleContains"`
	DetailContains     string            `json:"detailContains"`
	ConditionContains  string            `json:"conditionContains"`
	PathContains       string            `json:"pathContains"`
	SuggestionContains string            `json:"suggestionContains"`
	SuggestionExcludes string            `json:"suggestionExcludes"`
}

// matches reports whether f is the expected finding (severity and text
// checks aside, which are reported separately).
func (x expectation) matches(f graph.Finding) bool {
	return f.Kind == x.Kind && f.Subject == x.Subject && (x.Target == "" || f.Target == x.Target) &&
		(x.SuggestionContains == "" || len(f.Suggestion) > 0)
}

func (x expectation) problems(f graph.Finding) []string {
	var out []string
	check := func(what, got, want string) {
		if want != "" && !strings.Contains(got, want) {
			out = append(out, what+" "+strconvQ(got)+" lacks "+strconvQ(want))
		}
	}
	if x.Severity != "" && f.Severity != x.Severity {
		out = append(out, "severity "+f.Severity+", want "+x.Severity)
	}
	check("title", f.Title, x.TitleContains)
	check("detail", f.Detail, x.DetailContains)
	check("condition", f.Condition, x.ConditionContains)
	if x.PathContains != "" {
		p, _ := json.Marshal(f.Path)
		check("path", string(p), x.PathContains)
	}
	check("suggestion", string(f.Suggestion), x.SuggestionContains)
	if x.SuggestionExcludes != "" && strings.Contains(string(f.Suggestion), x.SuggestionExcludes) {
		out = append(out, "suggestion keeps "+x.SuggestionExcludes)
	}
	if len(f.Suggestion) > 0 {
		if _, err := policy.Parse(f.Suggestion); err != nil {
			out = append(out, "suggestion rejected by policy.Parse: "+err.Error())
		}
	}
	return out
}

func strconvQ(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("corpus has %d scenarios, want at least 40", len(files))
	}
	kinds := map[graph.FindingKind]int{}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var sc scenario
		if err := json.Unmarshal(raw, &sc); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		t.Run(sc.Name, func(t *testing.T) {
			if sc.Reference == "" || sc.Why == "" || len(sc.Expect)+len(sc.Absent) == 0 {
				t.Fatal("a scenario needs a reference, a why and expectations")
			}
			snap, err := snapshot.Decode(bytes.NewReader(sc.Snapshot))
			if err != nil {
				t.Fatalf("snapshot: %v", err)
			}
			g, err := graph.Build(snap, graph.BuildOptions{KnownAccounts: sc.KnownAccounts})
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			fs := findings.Compute(g, snap, findings.Options{KnownAccounts: sc.KnownAccounts})
			dump := func() {
				for _, f := range fs {
					t.Logf("  have %s [%s] %s → %s: %s", f.Kind, f.Severity, f.Subject, f.Target, f.Title)
				}
			}
			for _, x := range sc.Expect {
				kinds[x.Kind]++
				var found []graph.Finding
				for _, f := range fs {
					if x.matches(f) {
						found = append(found, f)
					}
				}
				if len(found) == 0 {
					t.Errorf("missing %s on %s (target %q)", x.Kind, x.Subject, x.Target)
					dump()
					continue
				}
				best := found[0].ID
				var probs []string
				for _, f := range found {
					p := x.problems(f)
					if len(p) == 0 {
						probs = nil
						break
					}
					if probs == nil {
						best, probs = f.ID, p
					}
				}
				if len(probs) > 0 {
					t.Errorf("%s on %s (%s): %s", x.Kind, x.Subject, best, strings.Join(probs, "; "))
				}
			}
			for _, x := range sc.Absent {
				for _, f := range fs {
					if x.matches(f) {
						t.Errorf("unexpected %s on %s: %s (%s)", f.Kind, f.Subject, f.Title, f.Detail)
					}
				}
			}
		})
	}
	for _, k := range []graph.FindingKind{graph.FindingExternalTrust, graph.FindingExternalAccess, graph.FindingPublic, graph.FindingAdmin,
		graph.FindingEscalation, graph.FindingConfusedDeputy, graph.FindingBlastRadius, graph.FindingWildcardAction, graph.FindingWildcardResource,
		graph.FindingPassRoleAny, graph.FindingDataStoreWildcard, graph.FindingUnusedGrant} {
		if kinds[k] == 0 {
			t.Errorf("no scenario expects a %s finding", k)
		}
	}
}
