package graph_test

import (
	"context"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/iamreach/iamreach/demo"
	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/gen"
	"github.com/iamreach/iamreach/snapshot"
)

// Benchmarks of the build and of reach/who-can on the embedded store:
//
//	go test -run '^$' -bench . -benchtime 3x ./graph/
//	IAMREACH_BENCH_LARGE=1 go test -run '^$' -bench 'Large' -benchtime 1x -timeout 60m ./graph/
//
// Figures, with the machine they were taken on, are in docs/perf/graph.md.

func BenchmarkBuildDemo(b *testing.B) {
	s, err := demo.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := graph.Build(s, graph.BuildOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func genSnapshot(b *testing.B, size gen.Size) *snapshot.Snapshot {
	b.Helper()
	spec, err := gen.SpecFor(size)
	if err != nil {
		b.Fatal(err)
	}
	return gen.Generate(spec, 1)
}

func BenchmarkBuildGenSmall(b *testing.B)  { benchBuild(b, gen.Small) }
func BenchmarkBuildGenMedium(b *testing.B) { benchBuild(b, gen.Medium) }

// BenchmarkBuildGenLarge is the target org: 100 accounts, 20,000
// roles, 5,000 users, 100,000 resources (< 60 s, < 6 GiB).
func BenchmarkBuildGenLarge(b *testing.B) {
	if os.Getenv("IAMREACH_BENCH_LARGE") == "" {
		b.Skip("set IAMREACH_BENCH_LARGE=1 to build the large generated organization")
	}
	benchBuild(b, gen.Large)
}

func benchBuild(b *testing.B, size gen.Size) {
	s := genSnapshot(b, size)
	b.ReportAllocs()
	var g *graph.Graph
	for b.Loop() {
		var err error
		if g, err = graph.Build(s, graph.BuildOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(g.Nodes)), "nodes")
	b.ReportMetric(float64(len(g.Edges)), "edges")
}

func BenchmarkQueriesDemo(b *testing.B) {
	s, _ := demo.Snapshot()
	g, err := graph.Build(s, graph.BuildOptions{})
	if err != nil {
		b.Fatal(err)
	}
	benchQueries(b, g)
}

func BenchmarkQueriesGenMedium(b *testing.B) {
	g, err := graph.Build(genSnapshot(b, gen.Medium), graph.BuildOptions{})
	if err != nil {
		b.Fatal(err)
	}
	benchQueries(b, g)
}

func BenchmarkQueriesGenLarge(b *testing.B) {
	if os.Getenv("IAMREACH_BENCH_LARGE") == "" {
		b.Skip("set IAMREACH_BENCH_LARGE=1 to query the large generated organization")
	}
	g, err := graph.Build(genSnapshot(b, gen.Large), graph.BuildOptions{})
	if err != nil {
		b.Fatal(err)
	}
	benchQueries(b, g)
}

// benchQueries runs reach from every workload and who-can on every
// resource (up to 500 of each, evenly spread) and reports p50/p95/max.
func benchQueries(b *testing.B, g *graph.Graph) {
	ctx := context.Background()
	m := graph.NewMemory(g)
	var workloads, resources []string
	runs := map[string]bool{}
	for _, e := range g.Edges {
		if e.Kind == graph.EdgeRunsAs {
			runs[e.From] = true
		}
	}
	for _, n := range g.Nodes {
		if n.Kind == graph.KindResource {
			resources = append(resources, n.ID)
			if runs[n.ID] {
				workloads = append(workloads, n.ID)
			}
		}
	}
	workloads, resources = spread(workloads, 500), spread(resources, 500)
	var reach, who []time.Duration
	for b.Loop() {
		reach, who = reach[:0], who[:0]
		for _, id := range workloads {
			t := time.Now()
			if _, err := m.Reach(ctx, id, graph.ReachOptions{}); err != nil {
				b.Fatal(err)
			}
			reach = append(reach, time.Since(t))
		}
		for _, id := range resources {
			t := time.Now()
			if _, err := m.Reachers(ctx, id, graph.ReachOptions{}); err != nil {
				b.Fatal(err)
			}
			who = append(who, time.Since(t))
		}
	}
	report(b, "reach", reach)
	report(b, "who", who)
}

func spread(ids []string, n int) []string {
	if len(ids) <= n {
		return ids
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, ids[i*len(ids)/n])
	}
	return out
}

func report(b *testing.B, name string, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(ds[len(ds)/2]), name+"-p50-ms")
	b.ReportMetric(ms(ds[len(ds)*95/100]), name+"-p95-ms")
	b.ReportMetric(ms(ds[len(ds)-1]), name+"-max-ms")
}
