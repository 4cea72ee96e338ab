//go:build linux

package gen_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/findings"
	"github.com/iamreach/iamreach/graph/gen"
	"github.com/iamreach/iamreach/internal/cputime"
)

// TestScale builds a generated organization and measures the phases the
// issue sets targets for: full build (< 60 s, < 6 GiB peak RSS on the
// large org) and reach / who-can p95 (< 50 ms) on the embedded store. It
// is opt-in — IAMREACH_BENCH_SIZE=small|medium|large — so `go test ./...`
// stays fast; IAMREACH_BENCH_LARGE=1 means large. Figures are logged (run
// with -v) and recorded in docs/perf/analysis.md.
func TestScale(t *testing.T) {
	size := os.Getenv("IAMREACH_BENCH_SIZE")
	if os.Getenv("IAMREACH_BENCH_LARGE") == "1" {
		size = "large"
	}
	if size == "" {
		t.Skip("set IAMREACH_BENCH_SIZE=small|medium|large (or IAMREACH_BENCH_LARGE=1) to run")
	}
	spec, err := gen.SpecFor(gen.Size(size))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t.Logf("machine: %d CPUs (GOMAXPROCS %d), %s/%s", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		t.Logf("load average at start: %s", la[:len(la)-1])
	}

	start := time.Now()
	snap := gen.Generate(spec, 1)
	t.Logf("generate %s (%+v): %s", size, spec, time.Since(start).Round(time.Millisecond))

	start = time.Now()
	cpu0 := cputime.Process()
	g, err := graph.Build(snap, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	build := time.Since(start)
	t.Logf("graph.Build: %s wall, %s CPU — %d nodes, %d edges, %d gaps", build.Round(time.Millisecond), (cputime.Process() - cpu0).Round(time.Millisecond), len(g.Nodes), len(g.Edges), len(g.Meta.Gaps))
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	t.Logf("live heap after build (graph and snapshot held): %.2f GiB", float64(ms.HeapAlloc)/(1<<30))
	if path := os.Getenv("IAMREACH_BENCH_HEAPPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.WriteHeapProfile(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
		t.Logf("heap profile after build: %s", path)
	}

	start = time.Now()
	cpu0 = cputime.Process()
	g.Findings = findings.Compute(g, snap, findings.Options{})
	fd := time.Since(start)
	fdCPU := cputime.Process() - cpu0
	kinds := map[graph.FindingKind]int{}
	for _, f := range g.Findings {
		kinds[f.Kind]++
	}
	t.Logf("findings.Compute: %s wall, %s CPU — %d findings %v", fd.Round(time.Millisecond), fdCPU.Round(time.Millisecond), len(g.Findings), kinds)
	t.Logf("full build (graph + findings): %s", (build + fd).Round(time.Millisecond))

	m := graph.NewMemory(g)
	var origins, targets []string
	for _, n := range g.Nodes {
		switch {
		case n.Kind == graph.KindRole || n.Kind == graph.KindUser:
			origins = append(origins, n.ID)
		case n.Kind == graph.KindResource && (n.Type == "s3:bucket" || n.Type == "dynamodb:table" || n.Type == "secretsmanager:secret"):
			targets = append(targets, n.ID)
		}
	}
	sample := func(xs []string, n int) []string {
		sort.Strings(xs)
		if len(xs) <= n {
			return xs
		}
		out := make([]string, 0, n)
		step := len(xs) / n
		for i := 0; i < n; i++ {
			out = append(out, xs[i*step])
		}
		return out
	}
	// Each query is timed by the wall clock and by the CPU time of its
	// thread (the goroutine is locked to it): on a shared, loaded machine
	// the wall clock also counts the time other processes hold the CPUs.
	p95 := func(name string, ids []string, q func(string) error) {
		ds, cs, err := cputime.Each(ids, q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(ds) == 0 {
			return
		}
		for _, x := range [][]time.Duration{ds, cs} {
			sort.Slice(x, func(i, j int) bool { return x[i] < x[j] })
		}
		r := func(d time.Duration) time.Duration { return d.Round(time.Microsecond) }
		t.Logf("%s: %d queries, wall p50 %s p95 %s max %s; thread CPU p50 %s p95 %s max %s", name, len(ds),
			r(ds[len(ds)/2]), r(ds[len(ds)*95/100]), r(ds[len(ds)-1]), r(cs[len(cs)/2]), r(cs[len(cs)*95/100]), r(cs[len(cs)-1]))
	}
	p95("reach", sample(origins, 200), func(id string) error {
		_, err := m.Reach(ctx, id, graph.ReachOptions{})
		return err
	})
	p95("who-can (reachers)", sample(targets, 200), func(id string) error {
		_, err := m.Reachers(ctx, id, graph.ReachOptions{})
		return err
	})
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		t.Logf("peak RSS (getrusage maxrss): %s", fmt.Sprintf("%.2f GiB", float64(ru.Maxrss)/(1<<20)))
	}
}
