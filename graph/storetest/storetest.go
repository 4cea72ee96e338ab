// Package storetest is the one contract test suite that every graph.Store
// passes: the embedded store (graph.Memory) and the Neo4j store run it on
// the same graphs, and every answer must equal the embedded store's after a
// JSON round trip, besides a few properties that hold for any correct store.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/demo"
	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/findings"
	orggen "github.com/iamreach/iamreach/graph/gen"
	"github.com/iamreach/iamreach/snapshot"
)

// Fixture is a named graph the suite runs on.
type Fixture struct {
	Name  string
	Graph func() *graph.Graph
}

// Fixtures are the graphs the suite always runs on: the bundled demo
// organization and a graph/gen organization, both built by graph.Build with
// findings.Compute (real builder output), and hand-made generated graphs that exercise
// every edge kind, conditions, cycles and findings.
func Fixtures() []Fixture {
	return []Fixture{
		{"demo", func() *graph.Graph { return Demo() }},
		{"gen-small-built", func() *graph.Graph {
			return built(orggen.Generate(orggen.Spec{Accounts: 3, Roles: 30, Users: 8, Resources: 120}, 3))
		}},
		{"gen-small-seed1", func() *graph.Graph {
			return Generate(GenSpec{Accounts: 3, Roles: 12, Users: 4, Functions: 5, Resources: 15}, 1)
		}},
		{"gen-medium-seed2", func() *graph.Graph {
			return Generate(GenSpec{Accounts: 6, Roles: 40, Users: 10, Functions: 15, Resources: 60}, 2)
		}},
		{"empty-ish", func() *graph.Graph {
			return &graph.Graph{Meta: graph.Meta{Source: "one node"}, Nodes: []graph.Node{{ID: "anonymous", Kind: graph.KindAnonymous, Name: "Anyone"}}}
		}},
	}
}

// Demo returns the bundled demo organization as graph.Build builds it; it
// panics if the bundled snapshot does not build (a broken build, not a
// store problem).
func Demo() *graph.Graph {
	snap, err := demo.Snapshot()
	if err != nil {
		panic(fmt.Sprintf("demo snapshot: %v", err))
	}
	return built(snap)
}

func built(snap *snapshot.Snapshot) *graph.Graph {
	g, err := graph.Build(snap, graph.BuildOptions{})
	if err != nil {
		panic(fmt.Sprintf("build %s snapshot: %v", snap.Source, err))
	}
	g.Findings = findings.Compute(g, snap, findings.Options{})
	return g
}

// Run runs the suite on Fixtures. open must return the store under test
// holding g (and close it at the end of t).
func Run(t *testing.T, open func(t *testing.T, g *graph.Graph) graph.Store) {
	RunFixtures(t, Fixtures(), open)
}

// RunFixtures runs the suite on the given graphs.
func RunFixtures(t *testing.T, fixtures []Fixture, open func(t *testing.T, g *graph.Graph) graph.Store) {
	for _, f := range fixtures {
		t.Run(f.Name, func(t *testing.T) {
			ref := graph.NewMemory(f.Graph())
			got := open(t, f.Graph())
			runAll(t, ref, got, f.Graph())
		})
	}
}

// answer is one question's result, as JSON, or its error class.
func answer(v any, err error) string {
	if err != nil {
		switch {
		case errors.Is(err, graph.ErrNotFound):
			return "error: not found"
		case errors.Is(err, graph.ErrUnavailable):
			return "error: unavailable: " + err.Error()
		}
		return "error: " + err.Error()
	}
	b, jerr := json.Marshal(v)
	if jerr != nil {
		return "marshal error: " + jerr.Error()
	}
	// Round trip through a generic value so field order and nil vs empty
	// in omitempty fields compare the way API clients see them.
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		return "unmarshal error: " + err.Error()
	}
	b, _ = json.Marshal(x)
	return string(b)
}

type checker struct {
	t        *testing.T
	ref, got graph.Store
	n        int
}

// same asks one question of both stores and requires equal answers.
func (c *checker) same(name string, ask func(s graph.Store) (any, error)) {
	c.t.Helper()
	c.n++
	want := answer(ask(c.ref))
	have := answer(ask(c.got))
	if want != have {
		c.t.Errorf("%s: answers differ\n embedded: %s\n store:    %s", name, clip(want), clip(have))
	}
}

func clip(s string) string {
	if len(s) > 1500 {
		return s[:1500] + "…"
	}
	return s
}

func runAll(t *testing.T, ref, got graph.Store, g *graph.Graph) {
	ctx := context.Background()
	c := &checker{t: t, ref: ref, got: got}

	t.Run("Meta", func(t *testing.T) {
		c.t = t
		c.same("meta", func(s graph.Store) (any, error) { return s.Meta(ctx) })
		m, err := got.Meta(ctx)
		if err != nil {
			t.Fatalf("meta: %v", err)
		}
		if m.Nodes != len(g.Nodes) || m.Edges != len(g.Edges) || m.Source != g.Meta.Source {
			t.Errorf("meta = %+v, want %d nodes, %d edges, source %q", m, len(g.Nodes), len(g.Edges), g.Meta.Source)
		}
	})

	t.Run("Node", func(t *testing.T) {
		c.t = t
		for _, n := range sample(g.Nodes, 150) {
			c.same("node "+n.ID, func(s graph.Store) (any, error) { return s.Node(ctx, n.ID) })
			have, err := got.Node(ctx, n.ID)
			if err != nil {
				t.Fatalf("node %s: %v", n.ID, err)
			}
			if answer(have, nil) != answer(n, nil) {
				t.Errorf("node %s: store returns %s, graph has %s", n.ID, answer(have, nil), answer(n, nil))
			}
		}
		_, err := got.Node(ctx, "arn:aws:iam::000000000000:role/does-not-exist")
		if !errors.Is(err, graph.ErrNotFound) {
			t.Errorf("missing node: err = %v, want ErrNotFound", err)
		}
	})

	t.Run("Search", func(t *testing.T) {
		c.t = t
		qs := []graph.SearchQuery{{Text: ""}, {Text: "role"}, {Text: "ADMIN"}, {Text: "fn-1"}, {Text: "secret"},
			{Text: "data", Limit: 5}, {Text: "arn:aws:s3:::", Limit: 100}, {Text: "nothing-matches-this"},
			{Text: "role", Kinds: []graph.NodeKind{graph.KindRole}, Limit: 50}, {Text: "a", Kinds: []graph.NodeKind{graph.KindResource, graph.KindScope}}}
		for _, n := range sample(g.Nodes, 12) {
			qs = append(qs, graph.SearchQuery{Text: n.Name}, graph.SearchQuery{Text: n.ID}, graph.SearchQuery{Text: n.Account, Limit: 7})
		}
		for _, q := range qs {
			c.same(fmt.Sprintf("search %+v", q), func(s graph.Store) (any, error) { return s.Search(ctx, q) })
		}
		// Any correct store: an exact ID search finds that node first.
		for _, n := range sample(g.Nodes, 10) {
			res, err := got.Search(ctx, graph.SearchQuery{Text: n.ID})
			if err != nil || len(res) == 0 || !strings.EqualFold(res[0].ID, n.ID) && !strings.EqualFold(res[0].Name, n.ID) {
				t.Errorf("search %q: first hit %v (err %v), want the node itself", n.ID, firstID(res), err)
			}
		}
	})

	t.Run("Neighbours", func(t *testing.T) {
		c.t = t
		opts := []graph.NeighbourOptions{{}, {Direction: "out"}, {Direction: "in"}, {Limit: 3},
			{Kinds: []graph.EdgeKind{graph.EdgeCanAssume, graph.EdgeCanAccess}}, {Direction: "sideways"}}
		for _, n := range sample(g.Nodes, 40) {
			for _, o := range opts {
				c.same(fmt.Sprintf("neighbours %s %+v", n.ID, o), func(s graph.Store) (any, error) { return s.Neighbours(ctx, n.ID, o) })
			}
			sg, err := got.Neighbours(ctx, n.ID, graph.NeighbourOptions{})
			if err != nil {
				t.Fatalf("neighbours %s: %v", n.ID, err)
			}
			for _, e := range sg.Edges {
				if e.From != n.ID && e.To != n.ID {
					t.Errorf("neighbours %s: edge %s does not touch it", n.ID, e.ID)
				}
			}
		}
		c.same("neighbours of a missing node", func(s graph.Store) (any, error) {
			return s.Neighbours(ctx, "missing", graph.NeighbourOptions{})
		})
	})

	origins := nodesOf(g, func(n graph.Node) bool {
		return n.Kind == graph.KindRole || n.Kind == graph.KindUser || n.Kind == graph.KindAccount ||
			n.Kind == graph.KindIdentityProvider || n.Kind == graph.KindServicePrincipal || n.Type == "lambda:function"
	})
	targets := nodesOf(g, func(n graph.Node) bool {
		return n.Kind == graph.KindResource || n.Kind == graph.KindScope || n.Kind == graph.KindPattern
	})
	reachOpts := []graph.ReachOptions{{}, {MaxDepth: 1}, {ExcludeConditions: true}, {Actions: []string{"s3:Get*", "kms:Decrypt"}},
		{AccessLevels: []string{graph.LevelWrite}}, {ResourceTypes: []string{"s3:bucket"}}, {Limit: 3}}

	t.Run("Reach", func(t *testing.T) {
		c.t = t
		for i, n := range sample(origins, 30) {
			for j, o := range reachOpts {
				if i%3 != 0 && j > 1 {
					continue
				}
				c.same(fmt.Sprintf("reach %s %+v", n.ID, o), func(s graph.Store) (any, error) { return s.Reach(ctx, n.ID, o) })
			}
		}
		c.same("reach from a missing node", func(s graph.Store) (any, error) { return s.Reach(ctx, "missing", graph.ReachOptions{}) })
	})

	t.Run("Reachers", func(t *testing.T) {
		c.t = t
		for i, n := range sample(targets, 30) {
			for j, o := range reachOpts {
				if i%3 != 0 && j > 1 {
					continue
				}
				c.same(fmt.Sprintf("reachers %s %+v", n.ID, o), func(s graph.Store) (any, error) { return s.Reachers(ctx, n.ID, o) })
			}
		}
	})

	t.Run("Paths", func(t *testing.T) {
		c.t = t
		os, ts := sample(origins, 12), sample(targets, 8)
		for i, o := range os {
			for j, to := range ts {
				if (i+j)%2 == 1 {
					continue
				}
				c.same(fmt.Sprintf("paths %s → %s", o.ID, to.ID), func(s graph.Store) (any, error) {
					return s.Paths(ctx, o.ID, to.ID, graph.PathOptions{})
				})
			}
			if len(os) > 1 {
				to := os[(i+1)%len(os)]
				c.same(fmt.Sprintf("paths %s → %s depth 2 limit 3", o.ID, to.ID), func(s graph.Store) (any, error) {
					return s.Paths(ctx, o.ID, to.ID, graph.PathOptions{MaxDepth: 2, Limit: 3})
				})
			}
		}
		c.same("paths to a missing node", func(s graph.Store) (any, error) {
			return s.Paths(ctx, g.Nodes[0].ID, "missing", graph.PathOptions{})
		})
	})

	t.Run("Findings", func(t *testing.T) {
		c.t = t
		qs := []graph.FindingQuery{{}, {Limit: 3}, {Kinds: []graph.FindingKind{graph.FindingPublic, graph.FindingAdmin}},
			{Account: "100000000001"}, {Kinds: []graph.FindingKind{graph.FindingExternalTrust}, Account: "100000000002", Limit: 2}}
		for _, f := range sample(g.Findings, 5) {
			qs = append(qs, graph.FindingQuery{Subject: f.Subject})
		}
		for _, q := range qs {
			c.same(fmt.Sprintf("findings %+v", q), func(s graph.Store) (any, error) { return s.Findings(ctx, q) })
		}
		all, err := got.Findings(ctx, graph.FindingQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if answer(all, nil) != answer(orEmpty(g.Findings), nil) {
			t.Errorf("findings: store does not return the graph's findings in order")
		}
	})
	t.Logf("%d questions compared", c.n)
}

func orEmpty(fs []graph.Finding) []graph.Finding {
	if fs == nil {
		return []graph.Finding{}
	}
	return fs
}

func firstID(ns []graph.Node) string {
	if len(ns) == 0 {
		return "(none)"
	}
	return ns[0].ID
}

func nodesOf(g *graph.Graph, keep func(graph.Node) bool) []graph.Node {
	var out []graph.Node
	for _, n := range g.Nodes {
		if keep(n) {
			out = append(out, n)
		}
	}
	return out
}

// sample picks up to n items spread evenly (deterministic).
func sample[T any](xs []T, n int) []T {
	if len(xs) <= n {
		return xs
	}
	out := make([]T, 0, n)
	step := float64(len(xs)) / float64(n)
	for i := range n {
		out = append(out, xs[int(float64(i)*step)])
	}
	return out
}

// Equal reports whether two values are equal after a JSON round trip
// (for callers comparing stores outside Run).
func Equal(a, b any) bool {
	return bytes.Equal([]byte(answer(a, nil)), []byte(answer(b, nil)))
}
