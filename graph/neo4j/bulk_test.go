package neo4j_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/neo4j"
	"github.com/iamreach/iamreach/graph/storetest"
)

// readImportCSV reads a file WriteImportFiles wrote: its header and rows.
func readImportCSV(t *testing.T, file string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: no header", file)
	}
	return recs[0], recs[1:]
}

// TestWriteImportFiles checks the files without a server: one row per
// node, relationship and finding, the neo4j-admin header types, every
// node's properties as Load writes them, and the bookkeeping nodes.
func TestWriteImportFiles(t *testing.T) {
	g := small(5)
	g.Nodes[0].Tags = map[string]string{"aws:cloudformation:stack-name": `a "quoted", value`}
	dir := t.TempDir()
	files, err := neo4j.WriteImportFiles(dir, g)
	if err != nil {
		t.Fatal(err)
	}
	if files.NodeCount != len(g.Nodes) || files.EdgeCount != len(g.Edges) || files.FindingCount != len(g.Findings) {
		t.Errorf("counts %d/%d/%d, want %d/%d/%d", files.NodeCount, files.EdgeCount, files.FindingCount, len(g.Nodes), len(g.Edges), len(g.Findings))
	}
	byID := map[string]graph.Node{}
	for _, n := range g.Nodes {
		byID[n.ID] = n
	}
	rows := 0
	for _, nf := range files.Nodes {
		head, recs := readImportCSV(t, filepath.Join(dir, nf.File))
		switch nf.Labels[0] {
		case "Node":
			if len(nf.Labels) != 2 || head[0] != ":ID(node)" {
				t.Errorf("%s: labels %v, first column %q", nf.File, nf.Labels, head[0])
			}
			for _, rec := range recs {
				props := map[string]string{}
				for i, h := range head[1:] {
					if rec[i+1] != "" {
						props[h] = rec[i+1]
					}
				}
				n := byID[props["id:string"]]
				if string(n.Kind) != nf.Labels[1] || props["gen:long"] != "1" || props["name:string"] != n.Name {
					t.Errorf("%s: row %v does not match node %+v", nf.File, props, n)
				}
				for k, v := range n.Tags {
					if props["tag_"+k+":string"] != v {
						t.Errorf("node %s: tag %s = %q, want %q", n.ID, k, props["tag_"+k+":string"], v)
					}
				}
				rows++
			}
		case "Finding":
			if len(recs) != len(g.Findings) {
				t.Errorf("%d finding rows, want %d", len(recs), len(g.Findings))
			}
		case "Generation", "IamreachState":
			if len(recs) != 1 {
				t.Errorf("%s: %d rows, want 1", nf.File, len(recs))
			}
			if nf.Labels[0] == "IamreachState" && !strings.Contains(strings.Join(head, ","), "nextGen:long") {
				t.Errorf("state header %v lacks nextGen", head)
			}
		}
	}
	if rows != len(g.Nodes) {
		t.Errorf("%d node rows, want %d", rows, len(g.Nodes))
	}
	head, recs := readImportCSV(t, filepath.Join(dir, files.Relationships[0]))
	if strings.Join(head[:3], ",") != ":START_ID(node),:END_ID(node),:TYPE" || len(recs) != len(g.Edges) {
		t.Errorf("relationships: header %v, %d rows; want %d", head, len(recs), len(g.Edges))
	}
	if !strings.Contains(strings.Join(head, ","), "actions:string[]") || !strings.Contains(strings.Join(head, ","), "conditional:boolean") {
		t.Errorf("relationship header %v lacks the typed columns", head)
	}
	cmd := files.Command("/import", "")
	if !strings.HasPrefix(cmd, "neo4j-admin database import full neo4j --id-type=integer") ||
		!strings.Contains(cmd, "--nodes=Node:Role=/import/nodes-Role.csv") || !strings.Contains(cmd, "--relationships=/import/relationships.csv") {
		t.Errorf("command %q", cmd)
	}
}

// bulkServer imports files into a fresh database of a server of its own
// (scripts/neo4j-test-server with NEO4J_TEST_IMPORT_ARGS), starts it and
// returns its URI, run directory and how long import + start took. The
// importedStore writes g's import files, imports them into a fresh test
// server and opens a store on it (closed when the test ends).
func importedStore(ctx context.Context, t *testing.T, g *graph.Graph) *neo4j.Store {
	t.Helper()
	files, err := neo4j.WriteImportFiles(t.TempDir(), g)
	if err != nil {
		t.Fatal(err)
	}
	uri, _, _ := bulkServer(t, files, "384m")
	s, err := neo4j.Open(ctx, neo4j.Config{URI: uri})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// server is stopped at the end of t.
func bulkServer(t *testing.T, files neo4j.ImportFiles, heap string) (string, string, time.Duration) {
	t.Helper()
	runDir := t.TempDir()
	argsFile := filepath.Join(runDir, "import.args")
	if err := os.WriteFile(argsFile, []byte(strings.Join(files.Args(files.Dir, ""), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("../../scripts/neo4j-test-server")
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "NEO4J_TEST_RUN_DIR="+runDir, "NEO4J_TEST_IMPORT_ARGS="+argsFile)
	if heap != "" {
		env = append(env, "NEO4J_TEST_HEAP="+heap, "NEO4J_TEST_IMPORT_HEAP="+heap, "NEO4J_TEST_PAGECACHE=64m")
	}
	start := time.Now()
	cmd := exec.Command(script, "start")
	cmd.Env = env
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	took := time.Since(start)
	t.Cleanup(func() {
		stop := exec.Command(script, "stop")
		stop.Env = env
		stop.Stderr = os.Stderr
		_ = stop.Run()
	})
	if err != nil {
		t.Fatalf("import and start: %v", err)
	}
	return strings.TrimSpace(string(out)), runDir, took
}

func bulkEnabled(t *testing.T) {
	t.Helper()
	neo4jURI(t) // the Neo4j jars are in place when a test server runs
	if v := os.Getenv("IAMREACH_NEO4J_BULK"); v != "1" && v != "all" {
		t.Skip("IAMREACH_NEO4J_BULK=1 (or all) not set: make test-neo4j runs the bulk import tests")
	}
}

const (
	oddNode = "arn:aws:iam::111111111111:role/odd"
	oddEdge = "odd-edge"
)

// oddValues is a small graph with values that are hard to write as CSV:
// empty strings, line breaks, quotes and commas, tag keys with colons, an
// action level that is empty.
func oddValues() *graph.Graph {
	g := small(23)
	g.Nodes = append(g.Nodes, graph.Node{ID: oddNode, Kind: graph.KindRole, Name: "odd", Account: "111111111111",
		Props: map[string]string{"empty": "", "note": "line 1\nline 2, \"quoted\""},
		Tags:  map[string]string{"aws:cloudformation:stack-name": "a,b", "": "empty key"}})
	var target string
	for _, n := range g.Nodes {
		if n.Kind == graph.KindResource {
			target = n.ID
			break
		}
	}
	g.Edges = append(g.Edges, graph.Edge{ID: oddEdge, Kind: graph.EdgeCanAccess, From: oddNode, To: target,
		Actions: []graph.ActionGrant{{Action: "s3:PutObject", Level: ""}, {Action: "s3:GetObject", Level: graph.LevelRead}}})
	return g
}

// TestBulkImportNeo4j: a database made by neo4j-admin import from
// WriteImportFiles answers every contract question as the embedded store
// does, and a later Load makes generation 2 current and removes 1.
func TestBulkImportNeo4j(t *testing.T) {
	bulkEnabled(t)
	ctx := context.Background()
	// Each fixture costs an import and a server start (about a minute on a
	// busy 2-core machine): make test-neo4j runs the demo and the odd values,
	// IAMREACH_NEO4J_BULK=all every contract fixture.
	var fixtures []storetest.Fixture
	for _, f := range storetest.Fixtures() {
		if f.Name == "demo" || os.Getenv("IAMREACH_NEO4J_BULK") == "all" {
			fixtures = append(fixtures, f)
		}
	}
	fixtures = append(fixtures, storetest.Fixture{Name: "odd-values", Graph: oddValues})
	storetest.RunFixtures(t, fixtures, func(t *testing.T, g *graph.Graph) graph.Store {
		s := importedStore(ctx, t, g)
		if err := s.EnsureSchema(ctx); err != nil {
			t.Fatalf("ensure schema: %v", err)
		}
		gens, err := s.Generations(ctx)
		if err != nil || len(gens) != 1 || gens[0].Gen != 1 || !gens[0].Current || gens[0].State != "complete" {
			t.Fatalf("generations after import: %+v (err %v), want 1, complete and current", gens, err)
		}
		if g.Nodes[len(g.Nodes)-1].ID == oddNode {
			checkOddValues(t, s)
		}
		return s
	})
	// A normal load on top of an imported database.
	t.Run("load-after-import", func(t *testing.T) {
		g := small(21)
		s := importedStore(ctx, t, g)
		g2 := small(22)
		res := load(t, s, g2, neo4j.LoadOptions{})
		if res.Gen != 2 {
			t.Errorf("load after import made generation %d, want 2", res.Gen)
		}
		gens, err := s.Generations(ctx)
		if err != nil || len(gens) != 1 || gens[0].Gen != 2 || !gens[0].Current {
			t.Errorf("generations after the load: %+v (err %v), want only 2, current", gens, err)
		}
		mem := graph.NewMemory(g2)
		for _, n := range g2.Nodes[:min(20, len(g2.Nodes))] {
			want, werr := mem.Reach(ctx, n.ID, graph.ReachOptions{})
			got, gerr := s.Reach(ctx, n.ID, graph.ReachOptions{})
			if (werr == nil) != (gerr == nil) || !storetest.Equal(want, got) {
				t.Errorf("reach %s after the load differs (err %v / %v)", n.ID, werr, gerr)
			}
		}
		out, err := s.RunReadCypher(ctx, "MATCH (n) WHERE n.gen = 1 RETURN count(n)", nil, 1)
		if err != nil || out.Rows[0][0] != int64(0) {
			t.Errorf("nodes of generation 1 left: %v (err %v)", out.Rows, err)
		}
	})
}

// checkOddValues: the readable properties of the odd values, as Cypher
// users see them, are those Load writes.
func checkOddValues(t *testing.T, s *neo4j.Store) {
	t.Helper()
	ctx := context.Background()
	out, err := s.RunReadCypher(ctx, `MATCH ()-[e {id: $id}]->() RETURN e.levels, e.actions`, map[string]any{"id": oddEdge}, 1)
	if err != nil || len(out.Rows) != 1 || fmt.Sprint(out.Rows[0]) != "[[ Read] [s3:PutObject s3:GetObject]]" {
		t.Errorf("edge %s levels and actions: %v (err %v); want [[ Read] [s3:PutObject s3:GetObject]] as Load writes them", oddEdge, out.Rows, err)
	}
	out, err = s.RunReadCypher(ctx, "MATCH (n:Node {id: $id}) RETURN n.empty, n.note, n.`tag_aws:cloudformation:stack-name`", map[string]any{"id": oddNode}, 1)
	if err != nil || len(out.Rows) != 1 || fmt.Sprintf("%q", out.Rows[0]) != `["" "line 1\nline 2, \"quoted\"" "a,b"]` {
		t.Errorf("node %s properties: %q (err %v)", oddNode, out.Rows, err)
	}
}
