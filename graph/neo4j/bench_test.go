package neo4j_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/neo4j"
	"github.com/iamreach/iamreach/graph/storetest"
	"github.com/iamreach/iamreach/internal/cputime"
)

// BenchSpec is the generated organization of the benchmark: 100 accounts,
// about 330,000 nodes and 1,070,000 relationships.
var BenchSpec = storetest.GenSpec{Accounts: 100, Roles: 400, Users: 100, Functions: 200, Resources: 3500}

// TestBenchmarkNeo4j measures the load rate and the latency of reach,
// reachers and paths on a generated graph of over a million relationships,
// with the embedded store's latency beside it. It runs only with
// IAMREACH_NEO4J_BENCH=1 (make bench-neo4j) and writes a Markdown table to
// $IAMREACH_NEO4J_BENCH_OUT if set. Every measured answer is also compared
// with the embedded store's.
func TestBenchmarkNeo4j(t *testing.T) {
	if os.Getenv("IAMREACH_NEO4J_BENCH") != "1" {
		t.Skip("IAMREACH_NEO4J_BENCH=1 not set: run make bench-neo4j")
	}
	s := openStore(t)
	ctx := context.Background()
	genStart := time.Now()
	g := storetest.Generate(BenchSpec, 42)
	genTime := time.Since(genStart)
	t.Logf("generated %d nodes, %d relationships, %d findings in %s", len(g.Nodes), len(g.Edges), len(g.Findings), genTime)
	if len(g.Edges) < 1_000_000 {
		t.Fatalf("benchmark graph has %d relationships, want at least 1,000,000", len(g.Edges))
	}
	mem := graph.NewMemory(g)

	cpu0, cpuOK := neo4jCPU()
	go0 := cputime.Process()
	var lastLog time.Time
	res, err := s.Load(ctx, g, neo4j.LoadOptions{BatchSize: 10000, Progress: func(p neo4j.LoadProgress) {
		if time.Since(lastLog) > 30*time.Second {
			lastLog = time.Now()
			t.Logf("load: %d/%d nodes, %d/%d relationships", p.Nodes, p.NodesTotal, p.Edges, p.EdgesTotal)
		}
	}})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	t.Logf("load: %+v", res.Duration)
	cpu1, _ := neo4jCPU()
	goCPU := cputime.Process() - go0
	load1, _ := os.ReadFile("/proc/loadavg")

	rows := askBoth(ctx, g, mem, s)

	// A second load of the same graph into the now warm server, which
	// still holds the first generation: a team's daily reload. (The first
	// load also pays the JVM's just-in-time compilation of Neo4j's write
	// path, which a long-running server has done already.)
	cpu2, _ := neo4jCPU()
	go2 := cputime.Process()
	res2, err := s.Load(ctx, g, neo4j.LoadOptions{BatchSize: 10000, KeepGenerations: true})
	if err != nil {
		t.Fatalf("second load: %v", err)
	}
	cpu3, _ := neo4jCPU()
	goCPU2 := cputime.Process() - go2
	load3, _ := os.ReadFile("/proc/loadavg")

	var b strings.Builder
	fmt.Fprintf(&b, "Graph: storetest.Generate(%+v, seed 42): %d nodes, %d relationships, %d findings (generated in %s).\n\n",
		BenchSpec, len(g.Nodes), len(g.Edges), len(g.Findings), genTime.Round(time.Millisecond))
	fmt.Fprintf(&b, "Load (batch 10,000, one write transaction per batch, %d writers): %d nodes + %d relationships + %d findings in %s = **%.0f relationships/s** (%.0f nodes+relationships/s).\n\n",
		neo4j.DefaultWriters, res.Nodes, res.Edges, res.Findings, res.Duration.Round(time.Millisecond),
		float64(res.Edges)/res.Duration.Seconds(), float64(res.Nodes+res.Edges)/res.Duration.Seconds())
	if cpuOK {
		n4 := cpu1 - cpu0
		fmt.Fprintf(&b, "CPU used during the load: Neo4j %s, this Go process %s (wall %s; /proc/loadavg after: %s). Relationships per Neo4j CPU-second: **%.0f**.\n\n",
			n4.Round(time.Second), goCPU.Round(time.Second), res.Duration.Round(time.Second), strings.TrimSpace(string(load1)),
			float64(res.Edges)/n4.Seconds())
	}
	fmt.Fprintf(&b, "Second load of the same graph (warm server, first generation kept): %s = **%.0f relationships/s**", res2.Duration.Round(time.Millisecond), float64(res2.Edges)/res2.Duration.Seconds())
	if cpuOK {
		fmt.Fprintf(&b, "; CPU: Neo4j %s, this Go process %s (/proc/loadavg after: %s)", (cpu3 - cpu2).Round(time.Second), goCPU2.Round(time.Second), strings.TrimSpace(string(load3)))
	}
	b.WriteString(".\n\n")
	b.WriteString("| question | n | Neo4j p50 | Neo4j p95 | Neo4j max | embedded p50 | embedded p95 | answers equal |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %d/%d |\n", r.name, r.n,
			pct(r.neo, 50), pct(r.neo, 95), pct(r.neo, 100), pct(r.emb, 50), pct(r.emb, 95), r.n-r.mismatches, r.n)
	}
	fmt.Fprintf(&b, "\nGo %s, GOMAXPROCS %d.\n", runtime.Version(), runtime.GOMAXPROCS(0))
	report(t, b.String())
	checkRows(t, rows)
}

func pct(ds []time.Duration, p int) string {
	if len(ds) == 0 {
		return "-"
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(a, b int) bool { return s[a] < s[b] })
	i := (len(s)*p + 99) / 100
	i = max(1, min(i, len(s)))
	return s[i-1].Round(10 * time.Microsecond).String()
}

// neo4jCPU returns the CPU time used so far by the Neo4j test server
// (NEO4J_TEST_PID, set by scripts/neo4j-test-server run).
func neo4jCPU() (time.Duration, bool) {
	return procCPU(os.Getenv("NEO4J_TEST_PID"))
}

// procCPU returns the CPU time (user + system) used so far by process
// pid, from /proc/PID/stat.
func procCPU(pid string) (time.Duration, bool) {
	if pid == "" {
		return 0, false
	}
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, false
	}
	// Fields after the ")" closing the command name; utime and stime are
	// fields 14 and 15 of the whole line, in clock ticks (100 per second).
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0, false
	}
	var ut, st int64
	if _, err := fmt.Sscan(f[11], &ut); err != nil {
		return 0, false
	}
	if _, err := fmt.Sscan(f[12], &st); err != nil {
		return 0, false
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, true
}

// report logs a benchmark's Markdown summary and writes it to
// $IAMREACH_NEO4J_BENCH_OUT if set.
func report(t *testing.T, md string) {
	t.Helper()
	t.Log("\n" + md)
	if out := os.Getenv("IAMREACH_NEO4J_BENCH_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(md), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// questionRow is one kind of question asked of both stores in a benchmark.
type questionRow struct {
	name          string
	neo, emb      []time.Duration
	n, mismatches int
}

// askBoth asks up to 60 reach, reachers and paths questions spread over g
// (deterministically) of the embedded store and of Neo4j, timing each, and
// counts the answers that differ.
func askBoth(ctx context.Context, g *graph.Graph, mem, s graph.Store) []questionRow {
	var origins, targets []string
	for i, n := range g.Nodes {
		switch {
		case (n.Kind == graph.KindRole || n.Type == "lambda:function") && i%97 == 0:
			origins = append(origins, n.ID)
		case n.Kind == graph.KindResource && n.Type != "lambda:function" && i%89 == 0:
			targets = append(targets, n.ID)
		}
	}
	origins, targets = origins[:min(60, len(origins))], targets[:min(60, len(targets))]
	measure := func(name string, n int, ask func(st graph.Store, i int) (any, error)) questionRow {
		r := questionRow{name: name, n: n}
		for i := range n {
			t0 := time.Now()
			want, werr := ask(mem, i)
			r.emb = append(r.emb, time.Since(t0))
			t1 := time.Now()
			got, gerr := ask(s, i)
			r.neo = append(r.neo, time.Since(t1))
			if (werr == nil) != (gerr == nil) || (werr == nil && !storetest.Equal(want, got)) {
				r.mismatches++
			}
		}
		return r
	}
	return []questionRow{
		measure("reach", len(origins), func(st graph.Store, i int) (any, error) {
			return st.Reach(ctx, origins[i], graph.ReachOptions{})
		}),
		measure("reachers", len(targets), func(st graph.Store, i int) (any, error) {
			return st.Reachers(ctx, targets[i], graph.ReachOptions{})
		}),
		measure("paths", min(len(origins), len(targets)), func(st graph.Store, i int) (any, error) {
			return st.Paths(ctx, origins[i], targets[i], graph.PathOptions{})
		}),
	}
}

// checkRows fails the test for every answer that differed between the stores.
func checkRows(t *testing.T, rows []questionRow) {
	t.Helper()
	for _, r := range rows {
		if r.mismatches > 0 {
			t.Errorf("%s: %d answers differ from the embedded store's", r.name, r.mismatches)
		}
	}
}
