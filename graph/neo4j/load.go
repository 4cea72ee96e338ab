package neo4j

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"golang.org/x/sync/errgroup"

	"github.com/iamreach/iamreach/graph"
)

// LoadOptions tune a load.
type LoadOptions struct {
	// KeepGenerations keeps older complete generations (for diffing)
	// instead of removing them once the new one is current.
	KeepGenerations bool
	// BatchSize is the number of rows per write transaction; 0: 5000.
	BatchSize int
	// Writers is the number of write transactions run at once for nodes
	// and for relationships; 0: DefaultWriters.
	Writers int
	// Progress, if set, is called after each committed batch.
	Progress func(LoadProgress)
	// Grace is how long the previous generation is left in place after
	// the switch before it is removed, so questions that started on it
	// finish on it (Neo4j reads are read-committed: a deletion committed
	// meanwhile would show). 0: DefaultGrace; negative: none.
	Grace time.Duration
}

// DefaultWriters keeps both cores of a small server busy: one writing
// transaction uses about one core of Neo4j.
const DefaultWriters = 2

// DefaultGrace outlasts almost every question (they take well under a
// second; the API bounds them at 30 s). Waited only when there is an older
// generation to remove.
const DefaultGrace = 10 * time.Second

// LoadProgress says how far a load has come.
type LoadProgress struct {
	Gen                 int64
	Nodes, NodesTotal   int
	Edges, EdgesTotal   int
	Findings, FindTotal int
}

// LoadResult reports a finished load.
type LoadResult struct {
	Gen      int64 // the generation now current
	Nodes    int
	Edges    int
	Findings int
	// Skipped lists edges that were not written and why (e.g. an endpoint
	// missing from the graph); they are reported, never dropped silently.
	Skipped []string
	// Cleaned lists generations removed: leftovers of interrupted loads and,
	// unless kept, the previous ones.
	Cleaned []int64
	// Duration runs from the start to the switch (cleanup not included).
	Duration time.Duration
}

// Load writes g as a new generation and makes it current only when all of
// it is written. If the load fails or ctx is cancelled halfway, the
// previous generation keeps answering and the next load removes the
// leftovers. One load at a time per database.
func (s *Store) Load(ctx context.Context, g *graph.Graph, opts LoadOptions) (LoadResult, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
	}
	var res LoadResult
	if err := s.drv.VerifyConnectivity(ctx); err != nil {
		return res, s.classify("connect", err)
	}
	if err := s.ensureSchema(ctx); err != nil {
		return res, err
	}
	cleaned, err := s.removeGenerations(ctx, false)
	if err != nil {
		return res, fmt.Errorf("remove leftovers of interrupted loads: %w", err)
	}
	res.Cleaned = cleaned

	nodes, edges, skipped, err := prepare(g)
	if err != nil {
		return res, err
	}
	res.Skipped = skipped

	gen, err := s.beginGeneration(ctx, g.Meta)
	if err != nil {
		return res, err
	}
	res.Gen = gen
	prog := LoadProgress{Gen: gen, NodesTotal: len(g.Nodes), EdgesTotal: len(edges), FindTotal: len(g.Findings)}
	report := func() {
		if opts.Progress != nil {
			opts.Progress(prog)
		}
	}
	s.log.Info("neo4j load started", "gen", gen, "nodes", len(nodes), "edges", len(edges), "findings", len(g.Findings))

	// Nodes, then relationships, each on opts.Writers sessions at once
	// (Neo4j uses about one core per writing transaction). With Neo4j
	// 5.26+ the label/type is a dynamic one taken from the row (one query,
	// planned once); older servers get one query per kind. Either way the
	// label comes from the closed set of kinds validated in prepare, never
	// from free text.
	dynamic, err := s.dynamicLabels(ctx)
	if err != nil {
		return res, err
	}
	// Each writer builds the rows of its own batch just before sending it
	// (property maps, JSON of the edges that need it): only the batches in
	// flight are held as rows, never the whole graph a second time.
	var mu sync.Mutex                  // guards prog and eids: batches commit concurrently
	eids := make([]string, len(nodes)) // element IDs by position in nodes
	err = s.writeBatches(ctx, opts.Writers, len(nodes), opts.BatchSize, func(ctx context.Context, lo, hi int) error {
		rows := make([]any, 0, hi-lo)
		for i := lo; i < hi; i++ {
			props, err := nodeRow(g.Nodes[i])
			if err != nil {
				return fmt.Errorf("node %q: %w", g.Nodes[i].ID, err)
			}
			rows = append(rows, []any{nodes[i].label, props, int64(i)})
		}
		pairs, err := s.writeNodes(ctx, dynamic, rows, gen)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, p := range pairs {
			if p.i < int64(lo) || p.i >= int64(hi) {
				return fmt.Errorf("write nodes: server returned row %d, not one of %d..%d", p.i, lo, hi-1)
			}
			eids[p.i] = p.eid
		}
		prog.Nodes += hi - lo
		report()
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("load generation %d (previous generation still current): %w", gen, err)
	}
	res.Nodes = prog.Nodes

	err = s.writeBatches(ctx, opts.Writers, len(edges), opts.BatchSize, func(ctx context.Context, lo, hi int) error {
		rows := make([]any, 0, hi-lo)
		for _, e := range edges[lo:hi] {
			ge := g.Edges[e.src]
			a, b := eids[e.from], eids[e.to]
			if a == "" || b == "" {
				return fmt.Errorf("relationship %q: an endpoint was not written", ge.ID)
			}
			props, err := edgeProps(ge)
			if err != nil {
				return fmt.Errorf("edge %q: %w", ge.ID, err)
			}
			rows = append(rows, []any{e.relType, a, b, props})
		}
		if err := s.writeLabelled(ctx, "write relationships", dynamic, edgeQuery, rows, gen, nil); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		prog.Edges += hi - lo
		report()
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("load generation %d (previous generation still current): %w", gen, err)
	}
	res.Edges = prog.Edges

	frows, err := findingRows(g.Findings, gen)
	if err != nil {
		return res, err
	}
	q := "UNWIND $rows AS r CREATE (f:" + labelFinding + ") SET f = r"
	err = s.writeBatches(ctx, opts.Writers, len(frows), opts.BatchSize, func(ctx context.Context, lo, hi int) error {
		if err := s.writeRows(ctx, "write findings", q, map[string]any{"rows": frows[lo:hi]}); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		prog.Findings += hi - lo
		report()
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("load generation %d (previous generation still current): %w", gen, err)
	}
	res.Findings = prog.Findings

	if err := s.switchTo(ctx, gen, res); err != nil {
		return res, err
	}
	s.log.Info("neo4j load complete", "gen", gen, "nodes", res.Nodes, "edges", res.Edges)
	res.Duration = time.Since(start)
	if !opts.KeepGenerations {
		grace := opts.Grace
		if grace == 0 {
			grace = DefaultGrace
		}
		if n, err := s.countOlder(ctx); err == nil && n > 0 && grace > 0 {
			s.log.Info("neo4j previous generations are removed after the grace period", "grace", grace)
			select {
			case <-ctx.Done():
				s.log.Info("neo4j interrupted during the grace period; the next load removes the older generations", "gen", gen)
				return res, nil
			case <-time.After(grace):
			}
		}
		old, err := s.removeGenerations(ctx, true)
		res.Cleaned = append(res.Cleaned, old...)
		if err != nil {
			return res, fmt.Errorf("generation %d is current, but removing older ones failed (the next load retries): %w", gen, err)
		}
	}
	return res, nil
}

// Rows are lists, not maps: [label, props, position] for nodes and [type,
// start element ID, end element ID, props] for relationships, so no key
// is sent (and decoded by the server) once per row.

// nodeQuery writes node rows; label is "" for the dynamic form, which
// takes the label from the row.
func nodeQuery(label string) string {
	if label == "" {
		return "UNWIND $rows AS r CREATE (n:" + labelNode + ") SET n = r[1], n.gen = $gen, n:$(r[0]) RETURN r[2] AS i, elementId(n) AS eid"
	}
	return "UNWIND $rows AS r CREATE (n:" + labelNode + ":" + label + ") SET n = r[1], n.gen = $gen RETURN r[2] AS i, elementId(n) AS eid"
}

// edgeQuery writes relationship rows, finding the endpoints by the element
// IDs the node writes returned: a direct lookup, cheaper than two index
// seeks on (gen, id) per relationship. label "" is the dynamic form.
func edgeQuery(label string) string {
	const match = "UNWIND $rows AS r\nMATCH (a) WHERE elementId(a) = r[1]\nMATCH (b) WHERE elementId(b) = r[2]\n"
	if label == "" {
		return match + "CREATE (a)-[e:$(r[0])]->(b) SET e = r[3]"
	}
	return match + "CREATE (a)-[e:" + label + "]->(b) SET e = r[3]"
}

// dynamicLabels reports whether the server plans dynamic labels and types
// ($(expr), Neo4j 5.26+), by asking it to EXPLAIN the node query.
func (s *Store) dynamicLabels(ctx context.Context) (bool, error) {
	if s.staticLabels {
		return false, nil
	}
	err := s.writeRows(ctx, "check dynamic labels", "EXPLAIN "+nodeQuery(""), map[string]any{"rows": []any{}, "gen": int64(0)})
	if err == nil {
		return true, nil
	}
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) && strings.Contains(ne.Code, "SyntaxError") {
		s.log.Info("neo4j without dynamic labels (before 5.26): one query per kind", "error", ne.Msg)
		return false, nil
	}
	return false, err
}

// writeBatches splits 0..n-1 into batches of size, hands each [lo, hi) to
// write on up to writers sessions at once (0: DefaultWriters) and stops at
// the first error.
func (s *Store) writeBatches(ctx context.Context, writers, n, size int, write func(ctx context.Context, lo, hi int) error) error {
	if writers <= 0 {
		writers = DefaultWriters
	}
	eg, gctx := errgroup.WithContext(ctx)
	eg.SetLimit(writers)
	for lo := 0; lo < n; lo += size {
		if gctx.Err() != nil {
			break
		}
		hi := min(lo+size, n)
		eg.Go(func() error { return write(gctx, lo, hi) })
	}
	if err := eg.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// idPair is a written node: its position in the load's node list and its
// element ID.
type idPair struct {
	i   int64
	eid string
}

// writeNodes writes node rows and returns each node's element ID.
func (s *Store) writeNodes(ctx context.Context, dynamic bool, rows []any, gen int64) ([]idPair, error) {
	var out []idPair
	err := s.writeLabelled(ctx, "write nodes", dynamic, nodeQuery, rows, gen, func(p []idPair) { out = append(out, p...) })
	return out, err
}

// writeLabelled writes rows whose first element is the label or type: in
// one query if dynamic, else one query per label present. collect, if
// set, receives the (position, element ID) rows the query returns, only once
// its transaction has committed.
func (s *Store) writeLabelled(ctx context.Context, what string, dynamic bool, query func(label string) string, rows []any, gen int64, collect func([]idPair)) error {
	if dynamic {
		return s.writeRowsCollect(ctx, what, query(""), map[string]any{"rows": rows, "gen": gen}, collect)
	}
	byLabel := map[string][]any{}
	var order []string
	for _, r := range rows {
		l := r.([]any)[0].(string)
		if _, ok := byLabel[l]; !ok {
			order = append(order, l)
		}
		byLabel[l] = append(byLabel[l], r)
	}
	for _, l := range order {
		if err := s.writeRowsCollect(ctx, what, query(l), map[string]any{"rows": byLabel[l], "gen": gen}, collect); err != nil {
			return err
		}
	}
	return nil
}

// writeRowsCollect is writeRows that hands the returned (position, eid) rows to
// collect (nil: results are discarded).
func (s *Store) writeRowsCollect(ctx context.Context, what, q string, params map[string]any, collect func([]idPair)) error {
	if collect == nil {
		return s.writeRows(ctx, what, q, params)
	}
	pairs, err := writeTx(ctx, s, what, func(ctx context.Context, tx neo4j.ManagedTransaction) ([]idPair, error) {
		r, err := tx.Run(ctx, q, params)
		if err != nil {
			return nil, err
		}
		var out []idPair
		for r.Next(ctx) {
			v := r.Record().Values
			out = append(out, idPair{toInt(v[0]), str(v[1])})
		}
		return out, r.Err()
	})
	if err != nil {
		return err
	}
	// Only after the commit: a retried transaction must not leave element
	// IDs of a rolled-back attempt behind.
	collect(pairs)
	return nil
}

func (s *Store) writeRows(ctx context.Context, what, q string, params map[string]any) error {
	_, err := writeTx(ctx, s, what, func(ctx context.Context, tx neo4j.ManagedTransaction) (struct{}, error) {
		r, err := tx.Run(ctx, q, params)
		if err != nil {
			return struct{}{}, err
		}
		_, err = r.Consume(ctx)
		return struct{}{}, err
	})
	return err
}

// beginGeneration allocates the next generation number and records it as
// loading.
func (s *Store) beginGeneration(ctx context.Context, meta graph.Meta) (int64, error) {
	mj, err := json.Marshal(meta)
	if err != nil {
		return 0, fmt.Errorf("encode meta: %w", err)
	}
	return writeTx(ctx, s, "begin generation", func(ctx context.Context, tx neo4j.ManagedTransaction) (int64, error) {
		r, err := tx.Run(ctx, `MERGE (s:IamreachState {key: $key})
ON CREATE SET s.nextGen = 1
WITH s, s.nextGen AS gen
SET s.nextGen = gen + 1
CREATE (g:Generation {gen: gen, state: $loading, startedAt: datetime(), source: $source, meta: $meta})
RETURN gen`, map[string]any{"key": stateKey, "loading": stateLoading, "source": meta.Source, "meta": string(mj)})
		if err != nil {
			return 0, err
		}
		rec, err := r.Single(ctx)
		if err != nil {
			return 0, err
		}
		gen, _ := rec.Get("gen")
		return gen.(int64), nil
	})
}

// switchTo marks gen complete and points the state node at it, in one
// transaction: readers see the old generation or the new, whole one.
func (s *Store) switchTo(ctx context.Context, gen int64, res LoadResult) error {
	_, err := writeTx(ctx, s, "switch generation", func(ctx context.Context, tx neo4j.ManagedTransaction) (struct{}, error) {
		r, err := tx.Run(ctx, `MATCH (s:IamreachState {key: $key}), (g:Generation {gen: $gen})
SET g.state = $complete, g.completedAt = datetime(), g.nodes = $nodes, g.edges = $edges, g.findings = $findings,
    s.gen = $gen, s.schemaVersion = $version, s.switchedAt = datetime()
RETURN g.gen`, map[string]any{"key": stateKey, "gen": gen, "complete": stateComplete, "version": SchemaVersion,
			"nodes": res.Nodes, "edges": res.Edges, "findings": res.Findings})
		if err != nil {
			return struct{}{}, err
		}
		if _, err := r.Single(ctx); err != nil {
			return struct{}{}, fmt.Errorf("generation %d vanished before the switch (another load cleaned it?): %w", gen, err)
		}
		return struct{}{}, nil
	})
	return err
}

// countOlder counts generations other than the current one.
func (s *Store) countOlder(ctx context.Context) (int64, error) {
	return readTx(ctx, s, func(ctx context.Context, tx neo4j.ManagedTransaction) (int64, error) {
		r, err := tx.Run(ctx, `MATCH (s:IamreachState {key: $key}), (g:Generation) WHERE g.gen <> s.gen RETURN count(g) AS c`, map[string]any{"key": stateKey})
		if err != nil {
			return 0, err
		}
		rec, err := r.Single(ctx)
		if err != nil {
			return 0, err
		}
		c, _ := rec.Get("c")
		return toInt(c), nil
	})
}

// removeGenerations deletes generations other than the current one: those
// still loading (leftovers of an interrupted load) and, if complete is
// true, older complete ones too. Deletes go in batches so no transaction
// grows with the graph.
func (s *Store) removeGenerations(ctx context.Context, complete bool) ([]int64, error) {
	gens, err := writeTx(ctx, s, "list generations", func(ctx context.Context, tx neo4j.ManagedTransaction) ([]int64, error) {
		r, err := tx.Run(ctx, `OPTIONAL MATCH (s:IamreachState {key: $key})
MATCH (g:Generation)
WHERE (s.gen IS NULL OR g.gen <> s.gen) AND (g.state = $loading OR $complete)
RETURN g.gen AS gen ORDER BY gen`, map[string]any{"key": stateKey, "loading": stateLoading, "complete": complete})
		if err != nil {
			return nil, err
		}
		recs, err := r.Collect(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]int64, 0, len(recs))
		for _, rec := range recs {
			v, _ := rec.Get("gen")
			out = append(out, v.(int64))
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	var done []int64
	for _, gen := range gens {
		if err := s.dropGeneration(ctx, gen); err != nil {
			return done, fmt.Errorf("remove generation %d: %w", gen, err)
		}
		s.log.Info("neo4j generation removed", "gen", gen)
		done = append(done, gen)
	}
	return done, nil
}

// dropGeneration deletes one generation's nodes (with their
// relationships) and findings, then its Generation node. Each delete is
// one pass over the generation's index entries that commits every
// deleteBatch rows (CALL … IN TRANSACTIONS, an auto-commit query), so no
// transaction grows with the graph and no batch rescans what earlier
// ones emptied. Interrupted, it leaves the rest for the next call.
//
// Servers that plan dynamic labels (5.26+) get the subquery with its
// variable scope clause, CALL (n) { … } (5.23+); older ones the importing
// WITH, CALL { WITH n … }, which 5.23+ accepts but reports as deprecated.
func (s *Store) dropGeneration(ctx context.Context, gen int64) error {
	modern, err := s.dynamicLabels(ctx)
	if err != nil {
		return err
	}
	queries := []string{
		"MATCH (n:" + labelNode + " {gen: $gen}) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF $batch ROWS",
		"MATCH (f:" + labelFinding + " {gen: $gen}) CALL { WITH f DELETE f } IN TRANSACTIONS OF $batch ROWS",
	}
	if modern {
		queries = []string{
			"MATCH (n:" + labelNode + " {gen: $gen}) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $batch ROWS",
			"MATCH (f:" + labelFinding + " {gen: $gen}) CALL (f) { DELETE f } IN TRANSACTIONS OF $batch ROWS",
		}
	}
	for _, q := range queries {
		if err := s.autoCommit(ctx, "delete generation", q, map[string]any{"gen": gen, "batch": deleteBatch}); err != nil {
			return err
		}
	}
	return s.writeRows(ctx, "delete generation", "MATCH (g:Generation {gen: $gen}) DELETE g", map[string]any{"gen": gen})
}

// deleteBatch is the number of nodes or findings deleted per transaction
// (a variable for the tests). On the benchmark graph 2,000 cost a third
// less Neo4j CPU than 10,000; 500 and 1,000 were no better (docs/perf/neo4j.md).
var deleteBatch = 2000

// autoCommit runs q as an auto-commit query (needed by CALL … IN
// TRANSACTIONS, which commits as it goes) and waits for it to finish.
func (s *Store) autoCommit(ctx context.Context, what, q string, params map[string]any) error {
	sess := s.session(ctx, neo4j.AccessModeWrite)
	defer sess.Close(context.WithoutCancel(ctx))
	r, err := sess.Run(ctx, q, params)
	if err == nil {
		_, err = r.Consume(ctx)
	}
	if err != nil {
		return s.classify(what, err)
	}
	return nil
}

// Generations lists the generations in the database, oldest first.
func (s *Store) Generations(ctx context.Context) ([]Generation, error) {
	return readTx(ctx, s, func(ctx context.Context, tx neo4j.ManagedTransaction) ([]Generation, error) {
		r, err := tx.Run(ctx, `OPTIONAL MATCH (s:IamreachState {key: $key})
MATCH (g:Generation)
RETURN g.gen AS gen, g.state AS state, g.source AS source, coalesce(g.gen = s.gen, false) AS current
ORDER BY gen`, map[string]any{"key": stateKey})
		if err != nil {
			return nil, err
		}
		recs, err := r.Collect(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]Generation, 0, len(recs))
		for _, rec := range recs {
			m := rec.AsMap()
			gn := Generation{Gen: m["gen"].(int64), Current: m["current"].(bool)}
			gn.State, _ = m["state"].(string)
			gn.Source, _ = m["source"].(string)
			out = append(out, gn)
		}
		return out, nil
	})
}

// Generation describes one load in the database.
type Generation struct {
	Gen     int64  `json:"gen"`
	State   string `json:"state"` // loading or complete
	Source  string `json:"source,omitempty"`
	Current bool   `json:"current"`
}

type preparedNode struct {
	label string
}

// preparedEdge refers to its endpoints by their position in the node list
// and to the edge by its position in the graph's edge list.
type preparedEdge struct {
	relType       string
	from, to, src int
}

// prepare validates g and places every node and edge: duplicate node IDs
// and unknown kinds are errors (the graph is malformed); edges whose
// endpoints are missing, or whose ID repeats, are skipped and reported.
// The properties are built later, batch by batch (nodeRow, edgeProps).
func prepare(g *graph.Graph) ([]preparedNode, []preparedEdge, []string, error) {
	pos := make(map[string]int, len(g.Nodes))
	nodes := make([]preparedNode, len(g.Nodes))
	for i, n := range g.Nodes {
		if n.ID == "" {
			return nil, nil, nil, fmt.Errorf("node %d (%s %q) has no id", i, n.Kind, n.Name)
		}
		if _, dup := pos[n.ID]; dup {
			return nil, nil, nil, fmt.Errorf("node %q appears twice in the graph", n.ID)
		}
		pos[n.ID] = i
		label, err := nodeLabel(n.Kind)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("node %q: %w", n.ID, err)
		}
		nodes[i].label = label
	}
	var skipped []string
	edges := make([]preparedEdge, 0, len(g.Edges))
	seen := make(map[string]bool, len(g.Edges))
	for i, e := range g.Edges {
		rt, err := relType(e.Kind)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("edge %q: %w", e.ID, err)
		}
		from, okFrom := pos[e.From]
		to, okTo := pos[e.To]
		switch {
		case !okFrom:
			skipped = append(skipped, fmt.Sprintf("edge %q (%s): source node %q is not in the graph", e.ID, e.Kind, e.From))
			continue
		case !okTo:
			skipped = append(skipped, fmt.Sprintf("edge %q (%s): target node %q is not in the graph", e.ID, e.Kind, e.To))
			continue
		case seen[e.ID]:
			skipped = append(skipped, fmt.Sprintf("edge %q (%s): ID appears twice; the later one is not written", e.ID, e.Kind))
			continue
		}
		seen[e.ID] = true
		edges = append(edges, preparedEdge{relType: rt, from: from, to: to, src: i})
	}
	return nodes, edges, skipped, nil
}

// allProps builds the property maps of every node and edge at once, on all
// cores (the CSV files of a bulk import need every column before the
// first row).
func allProps(g *graph.Graph, edges []preparedEdge) ([]map[string]any, []map[string]any, error) {
	nprops := make([]map[string]any, len(g.Nodes))
	err := parallel(len(g.Nodes), func(i int) error {
		row, err := nodeRow(g.Nodes[i])
		if err != nil {
			return fmt.Errorf("node %q: %w", g.Nodes[i].ID, err)
		}
		nprops[i] = row
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	eprops := make([]map[string]any, len(edges))
	err = parallel(len(edges), func(i int) error {
		e := g.Edges[edges[i].src]
		props, err := edgeProps(e)
		if err != nil {
			return fmt.Errorf("edge %q: %w", e.ID, err)
		}
		eprops[i] = props
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return nprops, eprops, nil
}

// parallel calls f for 0..n-1, split in contiguous ranges over the CPUs,
// and returns the first error.
func parallel(n int, f func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/1000))
	var eg errgroup.Group
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		eg.Go(func() error {
			for i := lo; i < hi; i++ {
				if err := f(i); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return eg.Wait()
}

// reservedNodeKeys are node properties of our own; Props keys with these
// names (or starting with tag_) are kept only in the node's JSON.
var reservedNodeKeys = map[string]bool{
	"gen": true, "seq": true, "id": true, "kind": true, "name": true, "type": true, "account": true,
	"region": true, "tags": true, "props": true, "search": true, "tagtext": true, "json": true,
}

// nodeRow is the property map of a node: readable properties for Cypher
// users (id, kind, name, type, account, region, each Props entry as its own
// property, each tag as tag_<key>) and the lower-cased search text. They
// hold the whole node, which nodeFromProps rebuilds exactly; only a node
// with a Props key that collides with one of ours also carries its JSON.
func nodeRow(n graph.Node) (map[string]any, error) {
	tt := tagText(n)
	row := map[string]any{"id": n.ID, "kind": string(n.Kind), "name": n.Name, "search": searchText(n, tt)}
	if tt != "" {
		row["tagtext"] = tt
	}
	for k, v := range map[string]string{"type": n.Type, "account": n.Account, "region": n.Region} {
		if v != "" {
			row[k] = v
		}
	}
	whole := true
	for k, v := range n.Props {
		if reservedNodeKeys[k] || strings.HasPrefix(k, "tag_") {
			whole = false
			continue
		}
		row[k] = v
	}
	for k, v := range n.Tags {
		row["tag_"+k] = v
	}
	if !whole {
		js, err := json.Marshal(n)
		if err != nil {
			return nil, err
		}
		row["json"] = string(js)
	}
	return row, nil
}

// nodeFromProps rebuilds a node from the properties nodeRow wrote (its
// JSON when it has one).
func nodeFromProps(p map[string]any) (graph.Node, error) {
	if js, ok := p["json"].(string); ok {
		var n graph.Node
		if err := json.Unmarshal([]byte(js), &n); err != nil {
			return graph.Node{}, fmt.Errorf("decode node: %w", err)
		}
		return n, nil
	}
	var n graph.Node
	for k, v := range p {
		s, ok := v.(string)
		switch {
		case k == "gen" || k == "search" || k == "tagtext":
			continue
		case !ok:
			return graph.Node{}, fmt.Errorf("node %v: property %s is %T, want a string", p["id"], k, v)
		case k == "id":
			n.ID = s
		case k == "kind":
			n.Kind = graph.NodeKind(s)
		case k == "name":
			n.Name = s
		case k == "type":
			n.Type = s
		case k == "account":
			n.Account = s
		case k == "region":
			n.Region = s
		case strings.HasPrefix(k, "tag_"):
			if n.Tags == nil {
				n.Tags = map[string]string{}
			}
			n.Tags[k[len("tag_"):]] = s
		default:
			if n.Props == nil {
				n.Props = map[string]string{}
			}
			n.Props[k] = s
		}
	}
	return n, nil
}

// searchText is what the text index narrows Search with: every text that
// Search scores above zero (contained in the lower-cased ID, name or tag
// values, or equal to the account) is contained in it. A name or account
// already contained in it (most are part of the ARN) is not repeated,
// which keeps the text index, updated on every node write, smaller.
func searchText(n graph.Node, tagtext string) string {
	text := strings.ToLower(n.ID)
	for _, part := range []string{n.Name, n.Account, tagtext} {
		if part = strings.ToLower(part); !strings.Contains(text, part) {
			text += "\x1f" + part
		}
	}
	return text
}

// tagText holds the tag values, lower-cased, for Search.
func tagText(n graph.Node) string {
	var parts []string
	keys := make([]string, 0, len(n.Tags))
	for k := range n.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, n.Tags[k])
	}
	return strings.ToLower(strings.Join(parts, "\x1f"))
}

// derivedEdge reports whether k is one of the edge kinds the policy engine
// derives (who can do what), as opposed to the structural ones.
func derivedEdge(k graph.EdgeKind) bool {
	switch k {
	case graph.EdgeRunsAs, graph.EdgeCanAssume, graph.EdgeCanEscalate, graph.EdgeCanAccess, graph.EdgeCanInvoke, graph.EdgeTriggers:
		return true
	}
	return false
}

// edgeProps are the relationship properties. Every relationship has its
// id; derived ones also the readable facts (conditional, crossAccount,
// condition, technique, actions as a list of strings, their levels,
// evidence policy IDs). Kind, source and target are the relationship's
// type and endpoints. An edge with actions, evidence or denies also
// carries its JSON (their details have no readable property); the others
// are rebuilt from the properties (edgeFromProps), which most edges (the
// structural ones: IN_ACCOUNT, COVERS …) leave at just the id.
func edgeProps(e graph.Edge) (map[string]any, error) {
	p := map[string]any{"id": e.ID}
	if derivedEdge(e.Kind) || e.Conditional || e.CrossAccount {
		p["conditional"], p["crossAccount"] = e.Conditional, e.CrossAccount
	}
	if e.Condition != "" {
		p["condition"] = e.Condition
	}
	if e.Technique != "" {
		p["technique"] = e.Technique
	}
	if len(e.Actions) > 0 {
		acts := make([]string, len(e.Actions))
		levels := make([]string, 0, len(e.Actions))
		seen := map[string]bool{}
		for i, a := range e.Actions {
			acts[i] = a.Action
			if !seen[a.Level] {
				seen[a.Level] = true
				levels = append(levels, a.Level)
			}
		}
		p["actions"] = acts
		p["levels"] = levels
	}
	if len(e.Evidence) > 0 {
		pol := make([]string, 0, len(e.Evidence))
		for _, ev := range e.Evidence {
			pol = append(pol, ev.PolicyID)
		}
		p["policies"] = pol
	}
	if len(e.Actions) > 0 || len(e.Evidence) > 0 || len(e.Denies) > 0 {
		js, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		p["json"] = string(js)
	}
	return p, nil
}

func findingRows(fs []graph.Finding, gen int64) ([]any, error) {
	rows := make([]any, 0, len(fs))
	for i, f := range fs {
		js, err := json.Marshal(f)
		if err != nil {
			return nil, fmt.Errorf("finding %q: %w", f.ID, err)
		}
		rows = append(rows, map[string]any{"gen": gen, "seq": int64(i), "id": f.ID, "kind": string(f.Kind),
			"severity": f.Severity, "title": f.Title, "subject": f.Subject, "target": f.Target,
			"account": f.Account, "condition": f.Condition, "json": string(js)})
	}
	return rows, nil
}
