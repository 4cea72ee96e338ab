package storetest_test

import (
	"context"
	"testing"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/storetest"
)

// TestStoreMemory runs the contract suite on the embedded store (against a
// second, independently indexed embedded store as the reference, so the
// suite's own absolute checks do the work here).
func TestStoreMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T, g *graph.Graph) graph.Store {
		m := graph.NewMemory(g)
		t.Cleanup(func() { _ = m.Close(context.Background()) })
		return m
	})
}

// TestGenerateDeterministic: the same seed gives the same graph, another
// seed another graph, and every edge's endpoints exist.
func TestGenerateDeterministic(t *testing.T) {
	spec := storetest.GenSpec{Accounts: 3, Roles: 10, Users: 3, Functions: 4, Resources: 9}
	a, b, c := storetest.Generate(spec, 7), storetest.Generate(spec, 7), storetest.Generate(spec, 8)
	if !storetest.Equal(a, b) {
		t.Error("same seed gave different graphs")
	}
	if storetest.Equal(a, c) {
		t.Error("different seeds gave the same graph")
	}
	ids := map[string]bool{}
	for _, n := range a.Nodes {
		if ids[n.ID] {
			t.Errorf("duplicate node %s", n.ID)
		}
		ids[n.ID] = true
	}
	kinds := map[graph.EdgeKind]int{}
	for _, e := range a.Edges {
		kinds[e.Kind]++
		if !ids[e.From] || !ids[e.To] {
			t.Errorf("edge %s: dangling endpoint", e.ID)
		}
	}
	for _, k := range []graph.EdgeKind{graph.EdgeRunsAs, graph.EdgeCanAssume, graph.EdgeCanEscalate, graph.EdgeCanAccess, graph.EdgeCanInvoke, graph.EdgeTriggers, graph.EdgeCovers, graph.EdgeMemberOf} {
		if kinds[k] == 0 {
			t.Errorf("no %s edge generated", k)
		}
	}
}
