package neo4j_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/neo4j"
	"github.com/iamreach/iamreach/graph/storetest"
)

// neo4jURI returns the URI of the test server or skips: these tests need a
// real Neo4j (make test-neo4j starts one with scripts/neo4j-test-server).
func neo4jURI(t *testing.T) string {
	t.Helper()
	uri := os.Getenv("IAMREACH_NEO4J_URI")
	if uri == "" {
		t.Skip("IAMREACH_NEO4J_URI not set: run `make test-neo4j` (or scripts/neo4j-test-server run -- go test ./graph/neo4j/) for the Neo4j integration tests")
	}
	return uri
}

func openStore(t *testing.T) *neo4j.Store {
	t.Helper()
	ctx := context.Background()
	s, err := neo4j.Open(ctx, neo4j.Config{URI: neo4jURI(t)})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func load(t *testing.T, s *neo4j.Store, g *graph.Graph, opts neo4j.LoadOptions) neo4j.LoadResult {
	t.Helper()
	if opts.Grace == 0 {
		opts.Grace = -1 // no question runs across these loads
	}
	res, err := s.Load(context.Background(), g, opts)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return res
}

func small(seed uint64) *graph.Graph {
	return storetest.Generate(storetest.GenSpec{Accounts: 2, Roles: 8, Users: 3, Functions: 3, Resources: 9}, seed)
}

// TestStoreNeo4j runs the contract suite: every answer equals the embedded
// store's.
func TestStoreNeo4j(t *testing.T) {
	s := openStore(t)
	storetest.Run(t, func(t *testing.T, g *graph.Graph) graph.Store {
		load(t, s, g, neo4j.LoadOptions{BatchSize: 500})
		return s
	})
}

func TestLoadWritesEverything(t *testing.T) {
	s := openStore(t)
	g := small(3)
	res := load(t, s, g, neo4j.LoadOptions{BatchSize: 37})
	if res.Nodes != len(g.Nodes) || res.Edges != len(g.Edges) || res.Findings != len(g.Findings) || len(res.Skipped) != 0 {
		t.Errorf("load result %+v, want %d nodes, %d edges, %d findings, nothing skipped", res, len(g.Nodes), len(g.Edges), len(g.Findings))
	}
	// Counted by Cypher, as a Neo4j Browser user would.
	out, err := s.RunReadCypher(context.Background(), `MATCH (st:IamreachState)
MATCH (n:Node {gen: st.gen}) WITH st, count(n) AS nodes
MATCH (:Node {gen: st.gen})-[r]->() RETURN nodes, count(r) AS rels`, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Rows) != 1 || out.Rows[0][0] != int64(len(g.Nodes)) || out.Rows[0][1] != int64(len(g.Edges)) {
		t.Errorf("cypher counts %v, want %d nodes and %d relationships", out.Rows, len(g.Nodes), len(g.Edges))
	}
}

// TestLoadStaticLabels: the per-label path (servers before 5.26) writes
// the same graph.
func TestLoadStaticLabels(t *testing.T) {
	s := openStore(t)
	s.UseStaticLabels()
	g := small(14)
	load(t, s, g, neo4j.LoadOptions{BatchSize: 29})
	ref := graph.NewMemory(g)
	ctx := context.Background()
	for _, n := range g.Nodes {
		want, _ := ref.Neighbours(ctx, n.ID, graph.NeighbourOptions{})
		got, err := s.Neighbours(ctx, n.ID, graph.NeighbourOptions{})
		if err != nil || !storetest.Equal(want, got) {
			t.Fatalf("neighbours of %s differ after a per-label load (err %v)", n.ID, err)
		}
	}
	out, err := s.RunReadCypher(ctx, "MATCH (st:IamreachState) MATCH (n:Role {gen: st.gen}) RETURN count(n)", nil, 1)
	roles := 0
	for _, n := range g.Nodes {
		if n.Kind == graph.KindRole {
			roles++
		}
	}
	if err != nil || out.Rows[0][0] != int64(roles) {
		t.Errorf(":Role count %v (err %v), want %d", out.Rows, err, roles)
	}

	// The next load removes this generation with the older subquery
	// syntax (CALL { WITH n … }), a few nodes per transaction.
	defer neo4j.SetDeleteBatch(5)()
	next := load(t, s, small(15), neo4j.LoadOptions{BatchSize: 29})
	out, err = s.RunReadCypher(ctx, "MATCH (n) WHERE n.gen IS NOT NULL AND n.gen <> $g RETURN count(n) AS c", map[string]any{"g": next.Gen}, 1)
	if err != nil || out.Rows[0][0] != int64(0) {
		t.Errorf("nodes of older generations left after a per-label reload: %v (err %v)", out.Rows, err)
	}
}

func TestLoadReportsDanglingEdges(t *testing.T) {
	s := openStore(t)
	g := small(4)
	g.Edges = append(g.Edges, graph.Edge{ID: "dangling", Kind: graph.EdgeCanAssume, From: g.Nodes[0].ID, To: "arn:aws:iam::1:role/gone"})
	res := load(t, s, g, neo4j.LoadOptions{})
	if len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0], "arn:aws:iam::1:role/gone") || res.Edges != len(g.Edges)-1 {
		t.Errorf("skipped = %q, edges %d; want the dangling edge named and the rest written", res.Skipped, res.Edges)
	}
	g.Nodes = append(g.Nodes, graph.Node{ID: "x", Kind: "Spaceship"})
	if _, err := s.Load(context.Background(), g, neo4j.LoadOptions{}); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("unknown node kind: err = %v, want an error naming the node", err)
	}
}

// TestLoadInterrupted: a load cancelled halfway leaves the previous
// generation answering; the next load removes the leftovers.
func TestLoadInterrupted(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	g1, g2 := small(5), small(6)
	first := load(t, s, g1, neo4j.LoadOptions{})

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := 0
	_, err := s.Load(cctx, g2, neo4j.LoadOptions{BatchSize: 20, Progress: func(p neo4j.LoadProgress) {
		batches++
		if p.Edges > 0 && batches > 3 {
			cancel() // Ctrl-C halfway through the relationships
		}
	}})
	if err == nil {
		t.Fatal("cancelled load returned no error")
	}
	// The first generation still answers, whole.
	m, err := s.Meta(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.Source != g1.Meta.Source || m.Nodes != len(g1.Nodes) || m.Edges != len(g1.Edges) {
		t.Errorf("after interrupted load, meta = %+v, want the first graph's", m)
	}
	ref := graph.NewMemory(g1)
	for _, n := range g1.Nodes[:10] {
		want, _ := ref.Reach(ctx, n.ID, graph.ReachOptions{})
		got, err := s.Reach(ctx, n.ID, graph.ReachOptions{})
		if err != nil || !storetest.Equal(want, got) {
			t.Errorf("reach %s after interrupted load differs from the first graph's (err %v)", n.ID, err)
		}
	}
	gens, err := s.Generations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(gens) != 2 || !gens[0].Current || gens[0].Gen != first.Gen || gens[1].State != "loading" {
		t.Errorf("generations = %+v, want the current one and one left loading", gens)
	}
	leftover := gens[1].Gen

	// Removal commits every few nodes: many batches, each starting where
	// the previous one stopped.
	defer neo4j.SetDeleteBatch(7)()
	third := load(t, s, g2, neo4j.LoadOptions{})
	if !containsGen(third.Cleaned, leftover) || !containsGen(third.Cleaned, first.Gen) {
		t.Errorf("cleaned %v, want the leftover %d and the previous %d", third.Cleaned, leftover, first.Gen)
	}
	gens, _ = s.Generations(ctx)
	if len(gens) != 1 || gens[0].Gen != third.Gen || !gens[0].Current {
		t.Errorf("generations after reload = %+v, want only %d", gens, third.Gen)
	}
	out, err := s.RunReadCypher(ctx, "MATCH (n) WHERE n.gen IS NOT NULL AND n.gen <> $g RETURN count(n) AS c", map[string]any{"g": third.Gen}, 1)
	if err != nil || out.Rows[0][0] != int64(0) {
		t.Errorf("nodes of old generations left: %v (err %v)", out.Rows, err)
	}
}

func TestLoadKeepGenerations(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	a := load(t, s, small(7), neo4j.LoadOptions{})
	b := load(t, s, small(8), neo4j.LoadOptions{KeepGenerations: true})
	gens, err := s.Generations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(gens) != 2 || gens[0].Gen != a.Gen || gens[1].Gen != b.Gen || !gens[1].Current || gens[0].Current {
		t.Errorf("generations = %+v, want %d kept and %d current", gens, a.Gen, b.Gen)
	}
	m, _ := s.Meta(ctx)
	if m.Source != small(8).Meta.Source {
		t.Errorf("meta source %q, want the newest graph's", m.Source)
	}
	c := load(t, s, small(9), neo4j.LoadOptions{})
	if !containsGen(c.Cleaned, a.Gen) || !containsGen(c.Cleaned, b.Gen) {
		t.Errorf("a load without keep cleaned %v, want %d and %d", c.Cleaned, a.Gen, b.Gen)
	}
}

func containsGen(gs []int64, g int64) bool {
	for _, x := range gs {
		if x == g {
			return true
		}
	}
	return false
}

// TestCypherRefused: writes, procedure writes, admin commands, LOAD CSV
// and APOC are refused; and each server-side guard refuses on its own.
func TestCypherRefused(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	load(t, s, small(10), neo4j.LoadOptions{})
	refused := []string{
		"CREATE (n:Evil) RETURN n",
		"MATCH (n:Role) SET n.name = 'x' RETURN n",
		"MATCH (n:Role) REMOVE n.name",
		"MERGE (n:Evil {id: 1})",
		"MATCH (n:Node) DETACH DELETE n",
		"MATCH (n) WITH n LIMIT 1 DELETE n",
		"DROP CONSTRAINT iamreach_node_gen_id",
		"CREATE INDEX evil FOR (n:Evil) ON (n.x)",
		"CALL dbms.security.createUser('evil', 'pw', false)",
		"CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')",
		"CALL db.createLabel('Evil')",
		"CALL db.createProperty('evil')",
		"CALL apoc.create.node(['Evil'], {})",
		"LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
		"MATCH (n) FOREACH (x IN [1] | SET n.evil = x)",
		"PROFILE MATCH (n) RETURN n",
		"SHOW USERS",
		"CALL { CREATE (n:Evil) } RETURN 1",
		"match (n:Role) /* comment */ set n.x = 1",
		"",
	}
	for _, q := range refused {
		t.Run(q, func(t *testing.T) {
			_, err := s.RunReadCypher(ctx, q, nil, 10)
			if !errors.Is(err, neo4j.ErrRefused) {
				t.Errorf("RunReadCypher(%q): err = %v, want ErrRefused", q, err)
			}
		})
	}
	// The server-side guards alone (no keyword list): the EXPLAIN plan
	// check and then the read transaction.
	serverSide := []string{
		"CREATE (n:Evil) RETURN n",
		"MATCH (n:Role) SET n.name = 'x' RETURN n",
		"MERGE (n:Evil {id: 1})",
		"MATCH (n:Node) DETACH DELETE n",
		"CALL db.createLabel('Evil')",
		"LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
	}
	for _, q := range serverSide {
		t.Run("plan/"+q, func(t *testing.T) {
			if err := s.RunWithoutLexicalCheck(ctx, q); err == nil {
				t.Errorf("plan check let %q through", q)
			}
		})
		t.Run("readtx/"+q, func(t *testing.T) {
			if strings.HasPrefix(q, "LOAD CSV") {
				t.Skip("LOAD CSV only reads; refused by the plan check")
			}
			if err := s.RunInReadTx(ctx, q); err == nil {
				t.Errorf("the server ran %q in a read transaction", q)
			}
		})
	}
	// Nothing was written.
	out, err := s.RunReadCypher(ctx, "MATCH (n:Evil) RETURN count(n) AS c", nil, 1)
	if err != nil || out.Rows[0][0] != int64(0) {
		t.Errorf("Evil nodes: %v (err %v), want 0", out.Rows, err)
	}
}

func TestCypherReads(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	g := small(11)
	load(t, s, g, neo4j.LoadOptions{})
	out, err := s.RunReadCypher(ctx, "MATCH (st:IamreachState) MATCH (r:Role {gen: st.gen}) RETURN r.id AS id, r ORDER BY id", nil, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Rows) != 5 || !out.Truncated || len(out.Columns) != 2 || out.Columns[0] != "id" {
		t.Errorf("rows %d truncated %v columns %v; want 5 rows, truncated, [id r]", len(out.Rows), out.Truncated, out.Columns)
	}
	if m, ok := out.Rows[0][1].(map[string]any); !ok || m["properties"] == nil {
		t.Errorf("node value %T %v, want labels and properties", out.Rows[0][1], out.Rows[0][1])
	}
	out, err = s.RunReadCypher(ctx, "MATCH (n:Node {id: $id}) RETURN n.name AS name // a comment with CREATE", map[string]any{"id": g.Nodes[3].ID}, 0)
	if err != nil || len(out.Rows) != 1 || out.Rows[0][0] != g.Nodes[3].Name || out.Truncated {
		t.Errorf("param query: %v %v", out, err)
	}
	out, err = s.RunReadCypher(ctx, "MATCH (n:Node) WHERE n.name = 'CREATE' RETURN count(n)", nil, 0)
	if err != nil {
		t.Errorf("a write keyword inside a string literal must not be refused: %v", err)
	}
	if _, err = s.RunReadCypher(ctx, "CALL db.labels() YIELD label RETURN label", nil, 0); err != nil {
		t.Errorf("db.labels: %v", err)
	}
	tctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = s.RunReadCypher(tctx, "UNWIND range(1, 2000000000) AS x WITH x WHERE x % 7 = 12 RETURN count(x)", nil, 0)
	if err == nil {
		t.Error("a query past its deadline returned no error")
	}
	if time.Since(start) > 9*time.Second {
		t.Errorf("the deadline was not honoured (took %s)", time.Since(start))
	}
}

// TestUnavailable: Neo4j down → ErrUnavailable with what to do, and the
// store recovers when Neo4j comes back (through a proxy we can cut).
func TestUnavailable(t *testing.T) {
	target := strings.TrimPrefix(neo4jURI(t), "bolt://")
	ctx := context.Background()

	dead, err := neo4j.Open(ctx, neo4j.Config{URI: "bolt://127.0.0.1:1"})
	if err != nil {
		t.Fatalf("open must not fail when Neo4j is down: %v", err)
	}
	defer dead.Close(ctx)
	err = dead.Ping(ctx)
	if !errors.Is(err, graph.ErrUnavailable) || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("ping of a dead server: %v, want ErrUnavailable saying unreachable", err)
	}
	if _, err := dead.Node(ctx, "x"); !errors.Is(err, graph.ErrUnavailable) {
		t.Errorf("node on a dead server: %v, want ErrUnavailable", err)
	}

	s0 := openStore(t)
	load(t, s0, small(12), neo4j.LoadOptions{})
	p := newProxy(t, target)
	s, err := neo4j.Open(ctx, neo4j.Config{URI: "bolt://" + p.addr})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping through proxy: %v", err)
	}
	p.cut()
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := s.Meta(cctx); !errors.Is(err, graph.ErrUnavailable) {
		t.Errorf("meta with Neo4j gone: %v, want ErrUnavailable", err)
	}
	p.restore()
	var lastErr error
	for range 40 {
		if lastErr = s.Ping(ctx); lastErr == nil {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if lastErr != nil {
		t.Fatalf("store did not recover when Neo4j came back: %v", lastErr)
	}
	if _, err := s.Meta(ctx); err != nil {
		t.Errorf("meta after recovery: %v", err)
	}
}

// TestOldSchemaVersion: a database written by another schema version is
// refused with what to do, and a load repairs it.
func TestOldSchemaVersion(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	load(t, s, small(13), neo4j.LoadOptions{})
	if err := s.ExecWrite(ctx, "MATCH (st:IamreachState) SET st.schemaVersion = 0", nil); err != nil {
		t.Fatal(err)
	}
	err := s.Ping(ctx)
	if !errors.Is(err, graph.ErrUnavailable) || !strings.Contains(err.Error(), "iamreach load") {
		t.Errorf("ping on an old schema: %v, want ErrUnavailable telling to reload", err)
	}
	if _, err := s.Reach(ctx, "x", graph.ReachOptions{}); !errors.Is(err, graph.ErrUnavailable) {
		t.Errorf("reach on an old schema: %v, want ErrUnavailable", err)
	}
	load(t, s, small(13), neo4j.LoadOptions{})
	if err := s.Ping(ctx); err != nil {
		t.Errorf("ping after reload: %v", err)
	}
}

// proxy forwards TCP to Neo4j and can be cut and restored on the same
// address, to play "Neo4j went away and came back".
type proxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, addr: ln.Addr().String(), target: target}
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(u, c); u.Close() }()
			go func() { _, _ = io.Copy(c, u); c.Close() }()
		}
	}()
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) restore() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

// TestLoadWhileAnswering: questions asked while loads switch generations
// get the old graph's answer or the new one's, never a mix or an error.
func TestLoadWhileAnswering(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	g1, g2 := small(30), small(31)
	load(t, s, g1, neo4j.LoadOptions{})
	m1, m2 := graph.NewMemory(g1), graph.NewMemory(g2)
	var origins []string
	for _, n := range g1.Nodes {
		if _, err := m2.Node(ctx, n.ID); err == nil && (n.Kind == graph.KindRole || n.Type == "lambda:function") {
			origins = append(origins, n.ID)
		}
	}
	origins = origins[:min(6, len(origins))]
	type want struct{ a, b graph.ReachResult }
	wants := map[string]want{}
	differ := 0
	for _, o := range origins {
		a, _ := m1.Reach(ctx, o, graph.ReachOptions{})
		b, _ := m2.Reach(ctx, o, graph.ReachOptions{})
		wants[o] = want{a, b}
		if !storetest.Equal(a, b) {
			differ++
		}
	}
	if differ == 0 {
		t.Fatal("the two graphs give the same answers: the test would prove nothing")
	}

	done := make(chan error, 1)
	go func() {
		for _, g := range []*graph.Graph{g2, g1, g2} {
			if _, err := s.Load(ctx, g, neo4j.LoadOptions{Grace: 2 * time.Second, BatchSize: 40}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	asked, seen1, seen2 := 0, 0, 0
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			running = false
		default:
		}
		for _, o := range origins {
			got, err := s.Reach(ctx, o, graph.ReachOptions{})
			asked++
			switch {
			case err != nil:
				t.Fatalf("reach %s during a load: %v", o, err)
			case storetest.Equal(got, wants[o].a):
				seen1++
			case storetest.Equal(got, wants[o].b):
				seen2++
			default:
				t.Fatalf("reach %s during a load: an answer of neither graph (a mix of generations)", o)
			}
		}
	}
	t.Logf("%d questions during 3 loads: %d answered from the first graph, %d from the second", asked, seen1, seen2)
	if seen2 == 0 {
		t.Error("no answer from the second graph was ever seen")
	}
}

// TestWrongCredentials: against a real server with auth on, a rejected
// login is ErrUnavailable with a message naming what to fix.
func TestWrongCredentials(t *testing.T) {
	uri := os.Getenv("IAMREACH_NEO4J_AUTH_URI")
	if uri == "" {
		t.Skip("IAMREACH_NEO4J_AUTH_URI not set: make test-neo4j starts a Neo4j with auth on for this test")
	}
	ctx := context.Background()
	s, err := neo4j.Open(ctx, neo4j.Config{URI: uri, User: "neo4j", Password: "not-the-password"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	for name, call := range map[string]func() error{
		"ping": func() error { return s.Ping(ctx) },
		"node": func() error { _, err := s.Node(ctx, "x"); return err },
		"load": func() error { _, err := s.Load(ctx, small(40), neo4j.LoadOptions{}); return err },
	} {
		err := call()
		if !errors.Is(err, graph.ErrUnavailable) || !strings.Contains(err.Error(), "rejected the credentials") ||
			!strings.Contains(err.Error(), "NEO4J_PASSWORD") {
			t.Errorf("%s with a wrong password: %v; want ErrUnavailable naming the credentials to fix", name, err)
		}
	}
}
