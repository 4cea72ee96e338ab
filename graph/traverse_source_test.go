package graph_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/iamreach/iamreach/demo"
	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/storetest"
)

// plainSource is a store seen only through graph.Source (as the Neo4j store
// is): no shortcuts of the embedded store, and edges handed out in reverse
// order, so the traversals must sort and number them themselves.
type plainSource struct{ m *graph.Memory }

func (p plainSource) Nodes(ctx context.Context, ids []string) ([]graph.Node, error) {
	return p.m.Nodes(ctx, ids)
}

func (p plainSource) OutEdges(ctx context.Context, ids []string, kinds []graph.EdgeKind) ([]graph.Edge, error) {
	es, err := p.m.OutEdges(ctx, ids, kinds)
	reverse(es)
	return es, err
}

func (p plainSource) InEdges(ctx context.Context, ids []string, kinds []graph.EdgeKind) ([]graph.Edge, error) {
	es, err := p.m.InEdges(ctx, ids, kinds)
	reverse(es)
	return es, err
}

func (p plainSource) Meta(ctx context.Context) (graph.Meta, error) { return p.m.Meta(ctx) }

func reverse(es []graph.Edge) {
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
}

// The embedded store's shortcuts (edges by reference, node numbers) must
// not change an answer: every reach and who-can question on the demo
// organization and on a generated graph, with each kind of option, gets
// the same answer through plain Source calls.
func TestTraversalsSameThroughPlainSource(t *testing.T) {
	snap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	dg, err := graph.Build(snap, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	graphs := map[string]*graph.Graph{
		"demo":      dg,
		"generated": storetest.Generate(storetest.GenSpec{Accounts: 4, Roles: 30, Users: 8, Functions: 12, Resources: 120}, 7),
	}
	opts := []graph.ReachOptions{{}, {ExcludeConditions: true}, {Actions: []string{"s3:Get*"}}, {AccessLevels: []string{"Write"}},
		{ResourceTypes: []string{"s3"}}, {Limit: 3}, {MaxDepth: 1}}
	ctx := context.Background()
	for name, g := range graphs {
		m := graph.NewMemory(g)
		p := plainSource{m}
		asked, targets := 0, 0
		for i, n := range g.Nodes {
			if i%3 != 0 {
				continue
			}
			for _, o := range opts {
				a, errA := graph.Reach(ctx, m, n.ID, o)
				b, errB := graph.Reach(ctx, p, n.ID, o)
				if (errA == nil) != (errB == nil) || !reflect.DeepEqual(a, b) {
					t.Fatalf("%s: reach from %s %+v differs through plain Source", name, n.ID, o)
				}
				c, errC := graph.Reachers(ctx, m, n.ID, o)
				d, errD := graph.Reachers(ctx, p, n.ID, o)
				if (errC == nil) != (errD == nil) || !reflect.DeepEqual(c, d) {
					t.Fatalf("%s: who can reach %s %+v differs through plain Source", name, n.ID, o)
				}
				asked += 2
				targets += len(a.Targets) + len(c.Targets)
			}
		}
		if targets == 0 {
			t.Fatalf("%s: %d questions found nothing: the comparison proves nothing", name, asked)
		}
		t.Logf("%s: %d questions, %d targets, all equal", name, asked, targets)
	}
}

// Questions asked at once share the embedded store (and its pooled
// per-question state) and must still get their own answers.
func TestQuestionsConcurrent(t *testing.T) {
	g := storetest.Generate(storetest.GenSpec{Accounts: 3, Roles: 20, Users: 5, Functions: 8, Resources: 60}, 11)
	m := graph.NewMemory(g)
	ctx := context.Background()
	var ids []string
	want, wantWho := map[string]graph.ReachResult{}, map[string]graph.ReachResult{}
	for i, n := range g.Nodes {
		if i%2 == 0 {
			r, err := m.Reach(ctx, n.ID, graph.ReachOptions{})
			if err != nil {
				t.Fatal(err)
			}
			who, err := m.Reachers(ctx, n.ID, graph.ReachOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, n.ID)
			want[n.ID], wantWho[n.ID] = r, who
		}
	}
	errs := make(chan string, 4)
	for w := 0; w < 4; w++ {
		go func(w int) {
			for i := range ids {
				id := ids[(i*7+w*13)%len(ids)]
				got, err := m.Reach(ctx, id, graph.ReachOptions{})
				if err != nil || !reflect.DeepEqual(got, want[id]) {
					errs <- "reach from " + id + " differs when asked concurrently"
					return
				}
				who, err := m.Reachers(ctx, id, graph.ReachOptions{})
				if err != nil || !reflect.DeepEqual(who, wantWho[id]) {
					errs <- "who can reach " + id + " differs when asked concurrently"
					return
				}
			}
			errs <- ""
		}(w)
	}
	for w := 0; w < 4; w++ {
		if e := <-errs; e != "" {
			t.Fatal(e)
		}
	}
}
