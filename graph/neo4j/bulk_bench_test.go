package neo4j_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/neo4j"
	"github.com/iamreach/iamreach/graph/storetest"
	"github.com/iamreach/iamreach/internal/cputime"
)

// TestBenchmarkNeo4jBulk measures a first load through neo4j-admin import:
// writing the CSV files, the import, the server start and the creation of
// the constraints and indexes (EnsureSchema waits for db.awaitIndexes),
// on the graph of TestBenchmarkNeo4j; then the query latency on the
// imported database, every answer compared with the embedded store's. It
// runs only with IAMREACH_NEO4J_BULK_BENCH=1 (make bench-neo4j-bulk) and
// writes a Markdown summary to $IAMREACH_NEO4J_BENCH_OUT if set.
func TestBenchmarkNeo4jBulk(t *testing.T) {
	if os.Getenv("IAMREACH_NEO4J_BULK_BENCH") != "1" {
		t.Skip("IAMREACH_NEO4J_BULK_BENCH=1 not set: run make bench-neo4j-bulk")
	}
	ctx := context.Background()
	g := storetest.Generate(BenchSpec, 42)
	mem := graph.NewMemory(g)
	load0, _ := os.ReadFile("/proc/loadavg")

	go0 := cputime.Process()
	t0 := time.Now()
	files, err := neo4j.WriteImportFiles(t.TempDir(), g)
	if err != nil {
		t.Fatal(err)
	}
	writeTime := time.Since(t0)
	writeCPU := cputime.Process() - go0

	uri, runDir, startTime := bulkServer(t, files, "")
	importTimes, _ := os.ReadFile(filepath.Join(runDir, "import.time"))
	pid, _ := os.ReadFile(filepath.Join(runDir, "pid"))
	startCPU, _ := procCPU(strings.TrimSpace(string(pid)))
	t1 := time.Now()
	s, err := neo4j.Open(ctx, neo4j.Config{URI: uri, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if err := s.EnsureSchema(ctx); err != nil {
		t.Fatalf("ensure schema: %v", err)
	}
	schemaTime := time.Since(t1)
	total := time.Since(t0)
	serverCPU, cpuOK := procCPU(strings.TrimSpace(string(pid)))
	load1, _ := os.ReadFile("/proc/loadavg")

	out, err := s.RunReadCypher(ctx, `MATCH (st:IamreachState)
MATCH (n:Node {gen: st.gen}) WITH st, count(n) AS nodes
MATCH (:Node {gen: st.gen})-[r]->() RETURN nodes, count(r) AS rels`, nil, 1)
	if err != nil || out.Rows[0][0] != int64(len(g.Nodes)) || out.Rows[0][1] != int64(len(g.Edges)) {
		t.Fatalf("imported database counts %v (err %v), want %d nodes, %d relationships", out.Rows, err, len(g.Nodes), len(g.Edges))
	}

	rows := askBoth(ctx, g, mem, s)

	var b strings.Builder
	fmt.Fprintf(&b, "Graph: storetest.Generate(%+v, seed 42): %d nodes, %d relationships, %d findings.\n\n", BenchSpec, len(g.Nodes), len(g.Edges), len(g.Findings))
	fmt.Fprintf(&b, "First load through neo4j-admin import: **%s = %.0f relationships/s** (%.0f nodes+relationships/s):\n\n",
		total.Round(100*time.Millisecond), float64(len(g.Edges))/total.Seconds(), float64(len(g.Nodes)+len(g.Edges))/total.Seconds())
	fmt.Fprintf(&b, "- write the CSV files: %s wall, %s CPU (Go)\n", writeTime.Round(100*time.Millisecond), writeCPU.Round(100*time.Millisecond))
	fmt.Fprintf(&b, "- import + server start until Bolt answers: %s wall; the import alone: %s\n", startTime.Round(100*time.Millisecond), strings.TrimSpace(string(importTimes)))
	fmt.Fprintf(&b, "- constraints and indexes created and online (EnsureSchema, db.awaitIndexes): %s wall\n", schemaTime.Round(100*time.Millisecond))
	if cpuOK {
		fmt.Fprintf(&b, "- Neo4j server CPU: %s from its start until Bolt answers, %s more until the indexes are online\n",
			startCPU.Round(100*time.Millisecond), (serverCPU - startCPU).Round(100*time.Millisecond))
	}
	fmt.Fprintf(&b, "\n/proc/loadavg before: %s; after the indexes: %s.\n\n", strings.TrimSpace(string(load0)), strings.TrimSpace(string(load1)))
	b.WriteString("| question | n | Neo4j p50 | Neo4j p95 | Neo4j max | answers equal |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %d/%d |\n", r.name, r.n, pct(r.neo, 50), pct(r.neo, 95), pct(r.neo, 100), r.n-r.mismatches, r.n)
	}
	fmt.Fprintf(&b, "\nGo %s, GOMAXPROCS %d.\n", runtime.Version(), runtime.GOMAXPROCS(0))
	report(t, b.String())
	checkRows(t, rows)
}
