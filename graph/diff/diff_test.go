package diff_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/diff"
)

const (
	fn     = "arn:aws:lambda:us-east-1:111111111111:function:f"
	app    = "arn:aws:iam::111111111111:role/app"
	bkt    = "arn:aws:s3:::data"
	pii    = "arn:aws:s3:::pii-users"
	vendor = "account:999999999999"
)

// base is a workload running as a role that reads one bucket.
func base() *graph.Graph {
	return &graph.Graph{
		Nodes: []graph.Node{
			{ID: "account:111111111111", Kind: graph.KindAccount, Account: "111111111111"},
			{ID: fn, Kind: graph.KindResource, Name: "f", Type: "lambda:function", Account: "111111111111"},
			{ID: app, Kind: graph.KindRole, Name: "app", Account: "111111111111"},
			{ID: bkt, Kind: graph.KindResource, Name: "data", Type: "s3:bucket", Account: "111111111111"},
			{ID: pii, Kind: graph.KindResource, Name: "pii-users", Type: "s3:bucket", Account: "111111111111"},
			{ID: vendor, Kind: graph.KindAccount, Account: "999999999999", Props: map[string]string{"external": "true"}},
		},
		Edges: []graph.Edge{
			{ID: "e1", Kind: graph.EdgeRunsAs, From: fn, To: app},
			{ID: "e2", Kind: graph.EdgeCanAccess, From: app, To: bkt, Actions: []graph.ActionGrant{{Action: "s3:GetObject", Level: "Read"}}},
		},
	}
}

func with(g *graph.Graph, f func(*graph.Graph)) *graph.Graph { f(g); return g }

func TestCompare(t *testing.T) {
	grant := func(id, from, to, action, cond string) graph.Edge {
		return graph.Edge{ID: id, Kind: graph.EdgeCanAccess, From: from, To: to, Conditional: cond != "", Condition: cond,
			Actions: []graph.ActionGrant{{Action: action, Level: "Read", Condition: cond}}}
	}
	for _, tc := range []struct {
		name              string
		old, new          *graph.Graph
		added, removed    []string // "origin>resource:action"
		fNew, fFix, worse int
	}{
		{name: "no change", old: base(), new: base()},
		{name: "new grant reaches pii through the workload's role",
			old: base(), new: with(base(), func(g *graph.Graph) { g.Edges = append(g.Edges, grant("e3", app, pii, "s3:GetObject", "")) }),
			added: []string{fn + ">" + pii + ":s3:GetObject", app + ">" + pii + ":s3:GetObject"}},
		{name: "grant removed",
			old: base(), new: with(base(), func(g *graph.Graph) { g.Edges = g.Edges[:1] }),
			removed: []string{fn + ">" + bkt + ":s3:GetObject", app + ">" + bkt + ":s3:GetObject"}},
		{name: "action added to an existing path",
			old: base(), new: with(base(), func(g *graph.Graph) { g.Edges = append(g.Edges, grant("e3", app, bkt, "s3:PutObject", "")) }),
			added: []string{fn + ">" + bkt + ":s3:PutObject", app + ">" + bkt + ":s3:PutObject"}},
		{name: "condition dropped widens the path",
			old:   with(base(), func(g *graph.Graph) { g.Edges[1] = grant("e2", app, bkt, "s3:GetObject", "aws:SourceVpce = vpce-1") }),
			new:   base(),
			added: []string{fn + ">" + bkt + ":s3:GetObject", app + ">" + bkt + ":s3:GetObject"}},
		{name: "condition added is a narrowing, not a removal of the action",
			old:     base(),
			new:     with(base(), func(g *graph.Graph) { g.Edges[1] = grant("e2", app, bkt, "s3:GetObject", "aws:SourceVpce = vpce-1") }),
			removed: []string{fn + ">" + bkt + ":s3:GetObject", app + ">" + bkt + ":s3:GetObject"}},
		{name: "ExternalId dropped from a trust widens the outside path",
			old: with(base(), func(g *graph.Graph) {
				g.Edges = append(g.Edges, graph.Edge{ID: "e3", Kind: graph.EdgeCanAssume, From: vendor, To: app, Conditional: true, Condition: `sts:ExternalId = "x"`})
			}),
			new: with(base(), func(g *graph.Graph) {
				g.Edges = append(g.Edges, graph.Edge{ID: "e3", Kind: graph.EdgeCanAssume, From: vendor, To: app})
			}),
			added: []string{vendor + ">" + bkt + ":s3:GetObject"}},
		{name: "scope covering nothing is still a target",
			old: base(), new: with(base(), func(g *graph.Graph) {
				g.Nodes = append(g.Nodes, graph.Node{ID: "scope:cloudwatch:111111111111", Kind: graph.KindScope, Account: "111111111111"})
				g.Edges = append(g.Edges, grant("e3", app, "scope:cloudwatch:111111111111", "cloudwatch:GetMetricData", ""))
			}),
			added: []string{fn + ">scope:cloudwatch:111111111111:cloudwatch:GetMetricData", app + ">scope:cloudwatch:111111111111:cloudwatch:GetMetricData"}},
		{name: "a grant moved to a role the workload can assume changes nothing for the workload",
			old: base(),
			new: with(base(), func(g *graph.Graph) {
				g.Nodes = append(g.Nodes, graph.Node{ID: "arn:aws:iam::111111111111:role/reader", Kind: graph.KindRole, Name: "reader", Account: "111111111111"})
				g.Edges = []graph.Edge{g.Edges[0],
					{ID: "e3", Kind: graph.EdgeCanAssume, From: app, To: "arn:aws:iam::111111111111:role/reader"},
					grant("e4", "arn:aws:iam::111111111111:role/reader", bkt, "s3:GetObject", "")}
			}),
			added: []string{"arn:aws:iam::111111111111:role/reader>" + bkt + ":s3:GetObject"}},
		{name: "outside account gets in",
			old: base(), new: with(base(), func(g *graph.Graph) {
				g.Edges = append(g.Edges, graph.Edge{ID: "e3", Kind: graph.EdgeCanAssume, From: vendor, To: app})
			}),
			added: []string{vendor + ">" + bkt + ":s3:GetObject"}},
		{name: "findings new, fixed and worse",
			old: with(base(), func(g *graph.Graph) {
				g.Findings = []graph.Finding{{ID: "a", Kind: graph.FindingPublic, Severity: "medium"}, {ID: "b", Kind: graph.FindingAdmin, Severity: "high"}}
			}),
			new: with(base(), func(g *graph.Graph) {
				g.Findings = []graph.Finding{{ID: "a", Kind: graph.FindingPublic, Severity: "critical"}, {ID: "c", Kind: graph.FindingEscalation, Severity: "high"}}
			}),
			fNew: 1, fFix: 1, worse: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := diff.Compare(tc.old, tc.new, diff.Options{})
			flat := func(ps []diff.PathChange) map[string]bool {
				m := map[string]bool{}
				for _, p := range ps {
					for _, a := range p.Actions {
						m[p.Origin+">"+p.Resource+":"+a.Action] = true
					}
				}
				return m
			}
			check := func(what string, got map[string]bool, want []string) {
				if len(got) != len(want) {
					t.Errorf("%s: got %v, want %v", what, got, want)
				}
				for _, w := range want {
					if !got[w] {
						t.Errorf("%s: missing %s (got %v)", what, w, got)
					}
				}
			}
			check("added", flat(r.PathsAdded), tc.added)
			check("removed", flat(r.PathsRemoved), tc.removed)
			if len(r.FindingsNew) != tc.fNew || len(r.FindingsFixed) != tc.fFix || len(r.FindingsWorse) != tc.worse {
				t.Errorf("findings new %d fixed %d worse %d, want %d %d %d", len(r.FindingsNew), len(r.FindingsFixed), len(r.FindingsWorse), tc.fNew, tc.fFix, tc.worse)
			}
			if r.Empty() != (len(tc.added)+len(tc.removed)+tc.fNew+tc.fFix+tc.worse == 0) {
				t.Errorf("Empty() = %v", r.Empty())
			}
		})
	}
}

func TestRouteIsReported(t *testing.T) {
	r := diff.Compare(base(), with(base(), func(g *graph.Graph) {
		g.Edges = append(g.Edges, graph.Edge{ID: "e3", Kind: graph.EdgeCanAccess, From: app, To: pii, Actions: []graph.ActionGrant{{Action: "s3:GetObject", Level: "Read"}}})
	}), diff.Options{})
	for _, p := range r.PathsAdded {
		if p.Origin == fn && strings.Join(p.RouteNames, ">") != "f>app>pii-users" {
			t.Errorf("route %v", p.RouteNames)
		}
	}
}

func TestRender(t *testing.T) {
	r := diff.Compare(base(), with(base(), func(g *graph.Graph) {
		g.Edges = append(g.Edges, graph.Edge{ID: "e3", Kind: graph.EdgeCanAccess, From: app, To: pii, Actions: []graph.ActionGrant{{Action: "s3:GetObject", Level: "Read"}}})
		g.Findings = []graph.Finding{{ID: "x", Kind: graph.FindingPublic, Severity: "high", Title: "pii | exposed"}}
	}), diff.Options{})
	for _, tc := range []struct {
		format diff.Format
		want   []string
	}{
		{diff.FormatText, []string{"2 path(s) added", "+ f → pii-users: s3:GetObject", "via f → app → pii-users", "+ [high] public: pii | exposed"}},
		{diff.FormatMarkdown, []string{"| principal / workload | resource | actions | route |", "| `f` | `pii-users` | s3:GetObject | f → app → pii-users |", `pii \| exposed`}},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			var b bytes.Buffer
			if err := r.Write(&b, tc.format); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, b.String())
				}
			}
		})
	}
	var b bytes.Buffer
	if err := r.Write(&b, diff.FormatJSON); err != nil {
		t.Fatal(err)
	}
	var back diff.Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || len(back.PathsAdded) != 2 || len(back.FindingsNew) != 1 {
		t.Fatalf("json round trip: %v %+v", err, back)
	}
	if _, err := diff.ParseFormat("html"); err == nil {
		t.Error("html accepted")
	}
}
