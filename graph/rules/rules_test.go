package rules_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/rules"
)

const (
	wl    = "222222222222"
	fnA   = "arn:aws:lambda:us-east-1:222222222222:function:a"
	fnB   = "arn:aws:lambda:us-east-1:222222222222:function:b"
	roleA = "arn:aws:iam::222222222222:role/a"
	roleB = "arn:aws:iam::222222222222:role/b"
	pii   = "arn:aws:s3:::pii-users"
	logs  = "arn:aws:s3:::logs"
)

func testGraph() *graph.Graph {
	return &graph.Graph{
		Nodes: []graph.Node{
			{ID: "account:" + wl, Kind: graph.KindAccount, Account: wl},
			{ID: fnA, Kind: graph.KindResource, Name: "a", Type: "lambda:function", Account: wl},
			{ID: fnB, Kind: graph.KindResource, Name: "b", Type: "lambda:function", Account: wl, Tags: map[string]string{"team": "pii"}},
			{ID: roleA, Kind: graph.KindRole, Name: "a", Account: wl},
			{ID: roleB, Kind: graph.KindRole, Name: "b", Account: wl},
			{ID: pii, Kind: graph.KindResource, Name: "pii-users", Type: "s3:bucket", Account: "333333333333"},
			{ID: logs, Kind: graph.KindResource, Name: "logs", Type: "s3:bucket", Account: "333333333333"},
			{ID: "scope:s3:333333333333", Kind: graph.KindScope, Account: "333333333333"},
		},
		Edges: []graph.Edge{
			{ID: "1", Kind: graph.EdgeRunsAs, From: fnA, To: roleA},
			{ID: "2", Kind: graph.EdgeRunsAs, From: fnB, To: roleB},
			{ID: "3", Kind: graph.EdgeCanAccess, From: roleA, To: "scope:s3:333333333333", Actions: []graph.ActionGrant{{Action: "s3:*", Level: "Mixed"}}},
			{ID: "4", Kind: graph.EdgeCovers, From: "scope:s3:333333333333", To: pii},
			{ID: "5", Kind: graph.EdgeCovers, From: "scope:s3:333333333333", To: logs},
			{ID: "6", Kind: graph.EdgeCanAccess, From: roleB, To: pii, Conditional: true, Condition: `aws:SourceVpce = "vpce-1"`,
				Actions: []graph.ActionGrant{{Action: "s3:GetObject", Level: "Read", Condition: `aws:SourceVpce = "vpce-1"`}}},
		},
		Findings: []graph.Finding{
			{ID: "t1", Kind: graph.FindingExternalTrust, Severity: "high", Title: "trusted by 999", Subject: "arn:aws:iam::222222222222:role/x", Target: "account:999999999999"},
			{ID: "t2", Kind: graph.FindingExternalTrust, Severity: "low", Title: "trusted by Datadog", Subject: "arn:aws:iam::222222222222:role/dd", Target: "account:464622532012"},
			{ID: "t3", Kind: graph.FindingExternalTrust, Severity: "low", Title: "trusted by GitHub", Subject: "arn:aws:iam::222222222222:role/ci", Target: "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"},
			{ID: "p1", Kind: graph.FindingPublic, Severity: "high", Title: "site is public", Subject: "arn:aws:s3:::site"},
			{ID: "p2", Kind: graph.FindingPublic, Severity: "info", Title: "blocked is restricted by BPA", Subject: "arn:aws:s3:::blocked"},
			{ID: "e1", Kind: graph.FindingEscalation, Severity: "medium", Title: "dev can become admin", Subject: "arn:aws:iam::222222222222:user/dev"},
		},
	}
}

func parse(t *testing.T, y string) *rules.File {
	t.Helper()
	f, err := rules.Parse(strings.NewReader(y))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return f
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules string
		want  []string // subject>target of violations
	}{
		{"no workload may read pii (conditional counts)", `
version: 1
rules:
  - id: pii
    type: no-reach
    from: {kinds: [workload], accounts: ["222222222222"]}
    to: {resources: ["arn:aws:s3:::pii-*"]}
    actions: ["s3:GetObject"]
`, []string{fnA + ">" + pii, fnB + ">" + pii}},
		{"allowConditional spares the vpce-only path", `
version: 1
rules:
  - id: pii
    type: no-reach
    from: {kinds: [workload]}
    to: {resources: ["arn:aws:s3:::pii-*"]}
    actions: ["s3:Get*"]
    allowConditional: true
`, []string{fnA + ">" + pii}},
		{"except and tags", `
version: 1
rules:
  - id: pii
    type: no-reach
    from: {kinds: [workload], tags: ["team=pii"]}
    to: {types: ["s3:bucket"]}
    actions: ["*"]
`, []string{fnB + ">" + pii}},
		{"role origins and an action nobody has", `
version: 1
rules:
  - id: del
    type: no-reach
    from: {kinds: [role]}
    to: {resources: ["arn:aws:s3:::logs"]}
    actions: ["s3:DeleteObject", "dynamodb:GetItem"]
  - id: nothing
    type: no-reach
    from: {kinds: [role]}
    to: {resources: ["arn:aws:s3:::logs"]}
    actions: ["dynamodb:GetItem"]
`, []string{roleA + ">" + logs}},
		{"outside trust beyond the allow-list", `
version: 1
knownAccounts:
  - {id: "464622532012", name: Datadog}
rules:
  - id: trust
    type: no-external-trust
`, []string{"arn:aws:iam::222222222222:role/x>account:999999999999", "arn:aws:iam::222222222222:role/ci>arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"}},
		{"providers allowed by ARN glob", `
version: 1
rules:
  - id: trust
    type: no-external-trust
    allow: ["464622532012", "arn:aws:iam::*:oidc-provider/token.actions.githubusercontent.com"]
`, []string{"arn:aws:iam::222222222222:role/x>account:999999999999"}},
		{"nothing public (BPA-restricted is not public)", `
version: 1
rules:
  - id: public
    type: no-public
`, []string{"arn:aws:s3:::site>"}},
		{"nothing public except the site", `
version: 1
rules:
  - id: public
    type: no-public
    except: ["arn:aws:s3:::site"]
`, nil},
		{"no finding at or above medium", `
version: 1
rules:
  - id: esc
    type: no-finding
    kinds: [escalation, admin-equivalent]
    minSeverity: medium
  - id: esc-high
    type: no-finding
    kinds: [escalation]
    minSeverity: high
`, []string{"arn:aws:iam::222222222222:user/dev>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := rules.Check(testGraph(), parse(t, tc.rules))
			got := map[string]bool{}
			for _, v := range res.Violations {
				got[v.Subject+">"+v.Target] = true
			}
			if len(got) != len(tc.want) || len(res.Violations) != len(tc.want) {
				t.Errorf("violations %v, want %v", res.Violations, tc.want)
			}
			for _, w := range tc.want {
				if !got[w] {
					t.Errorf("missing violation %s (got %v)", w, got)
				}
			}
			if res.Passed() != (len(tc.want) == 0) {
				t.Errorf("Passed() = %v", res.Passed())
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, y, want string }{
		{"empty", ``, "empty"},
		{"version", "version: 2\nrules: []\n", "version is 2"},
		{"no rules", "version: 1\n", "no rules"},
		{"unknown field", "version: 1\nrules:\n  - id: a\n    type: no-public\n    colour: red\n", "colour"},
		{"unknown type", "version: 1\nrules:\n  - id: a\n    type: no-fun\n", `rules[0] (id "a", line 3): type "no-fun"`},
		{"duplicate id", "version: 1\nrules:\n  - id: a\n    type: no-public\n  - id: a\n    type: no-public\n", "line 5): id appears twice"},
		{"reach without actions", "version: 1\nrules:\n  - id: a\n    type: no-reach\n    to: {types: [s3:bucket]}\n", "needs actions"},
		{"reach without to", "version: 1\nrules:\n  - id: a\n    type: no-reach\n    actions: [s3:GetObject]\n", `needs a "to" selector`},
		{"bad action", "version: 1\nrules:\n  - id: a\n    type: no-reach\n    actions: [GetObject]\n    to: {types: [s3:bucket]}\n", "service:Action"},
		{"bad kind", "version: 1\nrules:\n  - id: a\n    type: no-reach\n    actions: ['*']\n    to: {types: [s3:bucket]}\n    from: {kinds: [robot]}\n", `"robot"`},
		{"unquoted account id", "version: 1\nknownAccounts:\n  - {id: 0123}\nrules:\n  - id: a\n    type: no-public\n", "12-digit"},
		{"bad severity", "version: 1\nrules:\n  - id: a\n    type: no-public\n    severity: urgent\n", "severity"},
		{"bad tag", "version: 1\nrules:\n  - id: a\n    type: no-reach\n    actions: ['*']\n    to: {tags: [pii]}\n", "key=value"},
		{"to.kinds", "version: 1\nrules:\n  - id: a\n    type: no-reach\n    actions: ['*']\n    to: {kinds: [role]}\n", "to.kinds"},
		{"bad allow", "version: 1\nrules:\n  - id: a\n    type: no-external-trust\n    allow: [datadog]\n", "neither"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rules.Parse(strings.NewReader(tc.y))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestSARIFShape(t *testing.T) {
	f := parse(t, `
version: 1
rules:
  - id: pii
    description: No workload may read PII
    type: no-reach
    severity: critical
    from: {kinds: [workload]}
    to: {resources: ["arn:aws:s3:::pii-*"]}
    actions: ["s3:GetObject"]
  - id: public
    type: no-public
    severity: medium
  - id: clean
    type: no-finding
    kinds: [confused-deputy]
`)
	res := rules.Check(testGraph(), f)
	var b bytes.Buffer
	if err := res.Write(&b, rules.FormatSARIF, rules.WriteOptions{RulesFile: "rules.yaml", Version: "test"}); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID                   string                `json:"id"`
						ShortDescription     struct{ Text string } `json:"shortDescription"`
						DefaultConfiguration map[string]string     `json:"defaultConfiguration"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string                `json:"ruleId"`
				RuleIndex int                   `json:"ruleIndex"`
				Level     string                `json:"level"`
				Message   struct{ Text string } `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
					LogicalLocations []struct {
						FullyQualifiedName string `json:"fullyQualifiedName"`
					} `json:"logicalLocations"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatalf("SARIF is not JSON: %v", err)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-2.1.0") || len(log.Runs) != 1 {
		t.Fatalf("header: %s %s runs=%d", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "iamreach" || len(run.Tool.Driver.Rules) != 3 {
		t.Fatalf("driver %+v", run.Tool.Driver)
	}
	if run.Tool.Driver.Rules[0].ShortDescription.Text != "No workload may read PII" || run.Tool.Driver.Rules[0].DefaultConfiguration["level"] != "error" ||
		run.Tool.Driver.Rules[1].DefaultConfiguration["level"] != "warning" {
		t.Errorf("rules %+v", run.Tool.Driver.Rules)
	}
	if len(run.Results) != 3 { // two workloads reach pii, one public bucket
		t.Fatalf("results: %d", len(run.Results))
	}
	lines := map[string]int{"pii": 4, "public": 11}
	seen := map[string]bool{}
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("ruleIndex %d does not point at %s", r.RuleIndex, r.RuleID)
		}
		if r.Message.Text == "" || len(r.Locations) != 1 {
			t.Errorf("result %+v", r)
			continue
		}
		loc := r.Locations[0]
		if loc.PhysicalLocation.ArtifactLocation.URI != "rules.yaml" || loc.PhysicalLocation.Region.StartLine != lines[r.RuleID] {
			t.Errorf("%s: location %+v, want rules.yaml line %d", r.RuleID, loc.PhysicalLocation, lines[r.RuleID])
		}
		if len(loc.LogicalLocations) == 0 || loc.LogicalLocations[0].FullyQualifiedName == "" {
			t.Errorf("%s: no logical location", r.RuleID)
		}
		fp := r.PartialFingerprints["iamreach/v1"]
		if fp == "" || seen[fp] {
			t.Errorf("fingerprint %q missing or repeated", fp)
		}
		seen[fp] = true
		wantLevel := map[string]string{"pii": "error", "public": "warning"}[r.RuleID]
		if r.Level != wantLevel {
			t.Errorf("%s: level %s, want %s", r.RuleID, r.Level, wantLevel)
		}
	}
}

func TestTextAndJSON(t *testing.T) {
	f := parse(t, "version: 1\nrules:\n  - id: public\n    type: no-public\n  - id: clean\n    type: no-finding\n    kinds: [confused-deputy]\n")
	res := rules.Check(testGraph(), f)
	var b bytes.Buffer
	if err := res.Write(&b, rules.FormatText, rules.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"FAIL public [high] site is public", "ok   clean", "2 rule(s), 1 failed, 1 violation(s)"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("text lacks %q:\n%s", w, b.String())
		}
	}
	b.Reset()
	if err := res.Write(&b, rules.FormatJSON, rules.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Passed     bool
		Violations []rules.Violation
	}
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.Passed || len(back.Violations) != 1 {
		t.Fatalf("json: %v %+v", err, back)
	}
}
