package graph_test

import (
	"context"
	"os"
	"sort"
	"testing"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/internal/cputime"
)

// BenchmarkQueriesGraphFile times the embedded store's questions on a graph
// written by `iamreach build -o FILE` (IAMREACH_BENCH_GRAPH=FILE), so the
// queries of a large organization can be measured without rebuilding it:
// reach from 500 workloads and from 200 roles and users (admins included),
// who-can on 500 resources and on 200 data stores. Each question is timed
// by the wall clock and by its thread's CPU time.
func BenchmarkQueriesGraphFile(b *testing.B) {
	path := os.Getenv("IAMREACH_BENCH_GRAPH")
	if path == "" {
		b.Skip("set IAMREACH_BENCH_GRAPH to a graph file written by `iamreach build -o`")
	}
	g, err := graph.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	m := graph.NewMemory(g)
	runs := map[string]bool{}
	for _, e := range g.Edges {
		if e.Kind == graph.EdgeRunsAs {
			runs[e.From] = true
		}
	}
	var workloads, resources, identities, stores []string
	for _, n := range g.Nodes {
		switch {
		case n.Kind == graph.KindRole || n.Kind == graph.KindUser:
			identities = append(identities, n.ID)
		case n.Kind == graph.KindResource:
			resources = append(resources, n.ID)
			if runs[n.ID] {
				workloads = append(workloads, n.ID)
			}
			if n.Type == "s3:bucket" || n.Type == "dynamodb:table" || n.Type == "secretsmanager:secret" {
				stores = append(stores, n.ID)
			}
		}
	}
	sort.Strings(identities)
	sort.Strings(stores)
	reach := func(id string) error { _, err := m.Reach(ctx, id, graph.ReachOptions{}); return err }
	who := func(id string) error { _, err := m.Reachers(ctx, id, graph.ReachOptions{}); return err }
	for b.Loop() {
		timeQueries(b, "reach-workload", spread(workloads, 500), reach)
		timeQueries(b, "who-resource", spread(resources, 500), who)
		timeQueries(b, "reach-identity", spread(identities, 200), reach)
		timeQueries(b, "who-datastore", spread(stores, 200), who)
	}
}

// timeQueries runs q on each id and reports wall and thread-CPU p50/p95/max.
func timeQueries(b *testing.B, name string, ids []string, q func(string) error) {
	wall, cpu, err := cputime.Each(ids, q)
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	report(b, name, wall)
	report(b, name+"-cpu", cpu)
}
