package graph_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/graph"
)

// A small hand-made graph:
//
//	fn --RUNS_AS--> roleA --CAN_ASSUME (if MFA)--> roleB --CAN_ESCALATE--> roleC
//	roleA --CAN_ACCESS s3:GetObject--> bucket
//	roleB --CAN_ACCESS s3:*--> scope:s3:1 --COVERS--> bucket, bucket2
//	roleC --CAN_ACCESS kms:Decrypt--> key
//	roleC --CAN_ASSUME--> roleA   (a cycle)
func smallGraph() *graph.Graph {
	e := func(kind graph.EdgeKind, from, to string, acts ...string) graph.Edge {
		ed := graph.Edge{ID: graph.EdgeID(kind, from, to, ""), Kind: kind, From: from, To: to}
		for _, a := range acts {
			lvl := graph.LevelRead
			if strings.HasSuffix(a, "*") {
				lvl = graph.LevelMixed
			}
			ed.Actions = append(ed.Actions, graph.ActionGrant{Action: a, Level: lvl})
		}
		return ed
	}
	mfa := e(graph.EdgeCanAssume, "roleA", "roleB", "sts:AssumeRole")
	mfa.Conditional, mfa.Condition = true, "aws:MultiFactorAuthPresent Bool true"
	esc := e(graph.EdgeCanEscalate, "roleB", "roleC")
	esc.Technique = "iam:PutRolePolicy"
	esc.ID = graph.EdgeID(esc.Kind, esc.From, esc.To, esc.Technique)
	return &graph.Graph{
		Meta: graph.Meta{Source: "test", Accounts: 1, Gaps: []graph.Gap{{Account: "1", Service: "kms", Error: "denied"}, {Account: "2", Error: "other account"}}},
		Nodes: []graph.Node{
			{ID: "fn", Kind: graph.KindResource, Name: "my-function", Type: "lambda:function", Account: "1"},
			{ID: "roleA", Kind: graph.KindRole, Name: "role-a", Account: "1", Tags: map[string]string{"team": "payments"}},
			{ID: "roleB", Kind: graph.KindRole, Name: "role-b", Account: "1"},
			{ID: "roleC", Kind: graph.KindRole, Name: "role-c", Account: "1"},
			{ID: "bucket", Kind: graph.KindResource, Name: "data", Type: "s3:bucket", Account: "1"},
			{ID: "bucket2", Kind: graph.KindResource, Name: "logs", Type: "s3:bucket", Account: "1"},
			{ID: "key", Kind: graph.KindResource, Name: "key", Type: "kms:key", Account: "1"},
			{ID: "scope:s3:1", Kind: graph.KindScope, Name: "all S3", Type: "s3", Account: "1"},
		},
		Edges: []graph.Edge{
			e(graph.EdgeRunsAs, "fn", "roleA"),
			mfa,
			esc,
			e(graph.EdgeCanAccess, "roleA", "bucket", "s3:GetObject"),
			e(graph.EdgeCanAccess, "roleB", "scope:s3:1", "s3:*"),
			e(graph.EdgeCovers, "scope:s3:1", "bucket"),
			e(graph.EdgeCovers, "scope:s3:1", "bucket2"),
			e(graph.EdgeCanAccess, "roleC", "key", "kms:Decrypt"),
			e(graph.EdgeCanAssume, "roleC", "roleA", "sts:AssumeRole"),
		},
	}
}

func targetIDs(res graph.ReachResult) []string {
	var out []string
	for _, t := range res.Targets {
		out = append(out, t.Node.ID)
	}
	return out
}

func TestReach(t *testing.T) {
	ctx := context.Background()
	m := graph.NewMemory(smallGraph())
	tests := []struct {
		name string
		from string
		opts graph.ReachOptions
		want []string // in answer order: shortest route first, then ID
	}{
		{"everything", "fn", graph.ReachOptions{}, []string{"bucket", "scope:s3:1", "key"}},
		{"depth 1 stops at the role", "fn", graph.ReachOptions{MaxDepth: 1}, []string{"bucket"}},
		{"depth 2 adds the assumed role", "fn", graph.ReachOptions{MaxDepth: 2}, []string{"bucket", "scope:s3:1"}},
		{"conditional edges excluded", "fn", graph.ReachOptions{ExcludeConditions: true}, []string{"bucket"}},
		{"action filter with wildcard", "fn", graph.ReachOptions{Actions: []string{"kms:*"}}, []string{"key"}},
		{"a filter action inside a granted wildcard", "fn", graph.ReachOptions{Actions: []string{"s3:PutObject"}}, []string{"scope:s3:1"}},
		{"resource type filter", "fn", graph.ReachOptions{ResourceTypes: []string{"kms:key"}}, []string{"key"}},
		{"service filter keeps the scope", "fn", graph.ReachOptions{ResourceTypes: []string{"s3:bucket"}}, []string{"bucket", "scope:s3:1"}},
		{"access level filter keeps Mixed", "fn", graph.ReachOptions{AccessLevels: []string{"Write"}}, []string{"scope:s3:1"}},
		{"limit", "fn", graph.ReachOptions{Limit: 1}, []string{"bucket"}},
		{"cycle terminates", "roleC", graph.ReachOptions{}, []string{"key", "bucket", "scope:s3:1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := m.Reach(ctx, tc.from, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := targetIDs(res); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("targets %v, want %v", got, tc.want)
			}
			if tc.opts.Limit == 1 && !res.Truncated {
				t.Error("limited answer not marked truncated")
			}
		})
	}
}

func TestReachPathsAndConditions(t *testing.T) {
	m := graph.NewMemory(smallGraph())
	res, err := m.Reach(context.Background(), "fn", graph.ReachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	key := res.Targets[2]
	if want := []string{"fn", "roleA", "roleB", "roleC", "key"}; !reflect.DeepEqual(key.Path.Nodes, want) {
		t.Errorf("path to key %v, want %v", key.Path.Nodes, want)
	}
	if want := []string{"aws:MultiFactorAuthPresent Bool true"}; !reflect.DeepEqual(key.Conditions, want) {
		t.Errorf("conditions %v, want %v", key.Conditions, want)
	}
	if len(res.Graph.Edges) != 6 || len(res.Graph.Nodes) != 7 {
		t.Errorf("subgraph has %d nodes, %d edges; want 7 and 6", len(res.Graph.Nodes), len(res.Graph.Edges))
	}
	// Only the gap of the account the answer touches.
	if len(res.Gaps) != 1 || res.Gaps[0].Account != "1" {
		t.Errorf("gaps %+v", res.Gaps)
	}
}

func TestReachers(t *testing.T) {
	ctx := context.Background()
	m := graph.NewMemory(smallGraph())
	tests := []struct {
		name string
		to   string
		opts graph.ReachOptions
		want []string
	}{
		// bucket: roleA directly, roleB through the scope, fn runs as roleA,
		// roleC assumes roleA.
		{"bucket", "bucket", graph.ReachOptions{}, []string{"roleA", "fn", "roleB", "roleC"}},
		{"bucket2 only through the scope", "bucket2", graph.ReachOptions{}, []string{"roleB", "roleA", "fn", "roleC"}},
		{"no conditional edges", "bucket2", graph.ReachOptions{ExcludeConditions: true}, []string{"roleB"}},
		{"action filter", "bucket", graph.ReachOptions{Actions: []string{"s3:DeleteObject"}}, []string{"roleB", "roleA", "fn", "roleC"}},
		{"key", "key", graph.ReachOptions{MaxDepth: 1}, []string{"roleC", "roleB"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := m.Reachers(ctx, tc.to, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := targetIDs(res); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("reachers %v, want %v", got, tc.want)
			}
			for _, tg := range res.Targets {
				p := tg.Path
				if p.Nodes[0] != tg.Node.ID || p.Nodes[len(p.Nodes)-1] != tc.to {
					t.Errorf("%s: path %v does not run from it to %s", tg.Node.ID, p.Nodes, tc.to)
				}
			}
		})
	}
}

func TestFindPaths(t *testing.T) {
	ctx := context.Background()
	m := graph.NewMemory(smallGraph())
	ps, err := m.Paths(ctx, "fn", "bucket", graph.PathOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, strings.Join(p.Nodes, ">"))
	}
	want := []string{"fn>roleA>bucket", "fn>roleA>roleB>scope:s3:1>bucket"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("paths %v, want %v", got, want)
	}
	if ps, _ := m.Paths(ctx, "fn", "bucket", graph.PathOptions{MaxDepth: 2}); len(ps) != 1 {
		t.Errorf("depth 2 gives %d paths, want 1", len(ps))
	}
	if ps, _ := m.Paths(ctx, "fn", "bucket", graph.PathOptions{Limit: 1}); len(ps) != 1 || len(ps[0].Edges) != 2 {
		t.Errorf("limit 1 gives %v, want the shortest", ps)
	}
	// Reaching a resource does not give what runs there: no path from the
	// bucket onwards, and none back to the function.
	if ps, _ := m.Paths(ctx, "roleA", "fn", graph.PathOptions{}); len(ps) != 0 {
		t.Errorf("paths to the function %v, want none", ps)
	}
	if _, err := m.Paths(ctx, "nope", "bucket", graph.PathOptions{}); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("unknown origin: %v, want ErrNotFound", err)
	}
}

func TestStoreBasics(t *testing.T) {
	ctx := context.Background()
	m := graph.NewMemory(smallGraph())
	if _, err := m.Node(ctx, "missing"); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("Node(missing) = %v, want ErrNotFound", err)
	}
	hits, _ := m.Search(ctx, graph.SearchQuery{Text: "role"})
	if len(hits) != 3 || hits[0].ID != "roleA" {
		t.Errorf("search role: %v", hits)
	}
	hits, _ = m.Search(ctx, graph.SearchQuery{Text: "payments"})
	if len(hits) != 1 || hits[0].ID != "roleA" {
		t.Errorf("search by tag: %v", hits)
	}
	hits, _ = m.Search(ctx, graph.SearchQuery{Text: "a", Kinds: []graph.NodeKind{graph.KindScope}})
	if len(hits) != 1 || hits[0].Kind != graph.KindScope {
		t.Errorf("search by kind: %v", hits)
	}
	sg, err := m.Neighbours(ctx, "roleA", graph.NeighbourOptions{Direction: "out"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sg.Edges) != 2 || len(sg.Nodes) != 3 {
		t.Errorf("out-neighbours of roleA: %d edges, %d nodes", len(sg.Edges), len(sg.Nodes))
	}
	sg, _ = m.Neighbours(ctx, "roleA", graph.NeighbourOptions{Kinds: []graph.EdgeKind{graph.EdgeCanAssume}})
	if len(sg.Edges) != 2 {
		t.Errorf("CAN_ASSUME neighbours of roleA: %d edges, want 2 (in and out)", len(sg.Edges))
	}
	if _, err := m.Neighbours(ctx, "roleA", graph.NeighbourOptions{Direction: "sideways"}); err == nil {
		t.Error("bad direction accepted")
	}
	meta, _ := m.Meta(ctx)
	if meta.Nodes != 8 || meta.Edges != 9 {
		t.Errorf("meta counts %d/%d", meta.Nodes, meta.Edges)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	g := smallGraph()
	var buf bytes.Buffer
	if err := graph.WriteJSON(&buf, g); err != nil {
		t.Fatal(err)
	}
	back, err := graph.ReadJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, g) {
		t.Error("graph changed in a JSON round trip")
	}
	bad := []struct{ name, doc, want string }{
		{"snapshot", `{"schemaVersion":1,"accounts":[]}`, "snapshot, not a built graph"},
		{"wrong format", `{"format":"x"}`, `field format is "x"`},
		{"dangling edge", `{"format":"iamreach-graph/1","meta":{},"nodes":[{"id":"a","kind":"Role","name":"a"}],"edges":[{"id":"e","kind":"RUNS_AS","from":"a","to":"b"}]}`, `to "b" is not a node`},
		{"not JSON", `nope`, "not a JSON object"},
		{"truncated", `{"format":"iamreach-graph/1","meta":{},"nodes":[{"id":"a","kind":"Role"`, "nodes: element 0"},
		{"unknown field", `{"format":"iamreach-graph/1","meta":{},"extra":1}`, `unknown field "extra"`},
		{"unknown node field", `{"format":"iamreach-graph/1","meta":{},"nodes":[{"id":"a","colour":"red"}]}`, "colour"},
		{"format not first", `{"meta":{},"format":"iamreach-graph/1"}`, `field "meta" before format`},
	}
	for _, tc := range bad {
		if _, err := graph.ReadJSON(strings.NewReader(tc.doc)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		want bool
	}{
		{"s3:Get*", "s3:GetObject", true},
		{"S3:get*", "s3:GetObject", true},
		{"s3:*Object", "s3:PutObject", true},
		{"s3:?etObject", "s3:GetObject", true},
		{"s3:Get*", "s3:PutObject", false},
		{"*", "", true},
		{"", "x", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
	} {
		if got := graph.WildcardMatch(tc.p, tc.s); got != tc.want {
			t.Errorf("WildcardMatch(%q, %q) = %v", tc.p, tc.s, got)
		}
	}
}
