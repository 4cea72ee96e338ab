package neo4j

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/iamreach/iamreach/graph"
)

// LoadOptions tune a load.
type LoadOptions struct {
	// KeepGenerations keeps older complete generations (for diffing)
	// instead of removing them once the new one is current.
	KeepGenerations bool
	// BatchSize is the number of rows per write transaction; 0: 5000.
	BatchSize int
	// Progress, if set, is called after each committed batch.
	Progress func(LoadProgress)
	// Grace is how long the previous generation is left in place after
	// the switch before it is removed, so questions that started on it
	// finish on it (Neo4j reads are read-committed: a deletion committed
	// meanwhile would show). 0: DefaultGrace; negative: none.
	Grace time.Duration
}

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

	// Nodes, then relationships. With Neo4j 5.26+ the label/type is a
	// dynamic one taken from the row (one query, planned once); older
	// servers get one query per kind. Either way the label comes from the
	// closed set of kinds validated in prepare, never from free text.
	eids := make(map[string]string, len(nodes))
	if err := s.writeGroups(ctx, "write nodes", nodeQueries(), nodeBatches(nodes, opts.BatchSize), gen, func(n int) {
		prog.Nodes += n
		report()
	}, func(id, eid string) { eids[id] = eid }); err != nil {
		return res, fmt.Errorf("load generation %d (previous generation still current): %w", gen, err)
	}
	res.Nodes = prog.Nodes
	if err := s.writeGroups(ctx, "write relationships", edgeQueries(), edgeBatches(edges, opts.BatchSize, eids), gen, func(n int) {
		prog.Edges += n
		report()
	}, nil); err != nil {
		return res, fmt.Errorf("load generation %d (previous generation still current): %w", gen, err)
	}
	res.Edges = prog.Edges

	frows, err := findingRows(g.Findings, gen)
	if err != nil {
		return res, err
	}
	q := "UNWIND $rows AS r CREATE (f:" + labelFinding + ") SET f = r"
	for i := 0; i < len(frows); i += opts.BatchSize {
		batch := frows[i:min(i+opts.BatchSize, len(frows))]
		if err := s.writeRows(ctx, "write findings", q, map[string]any{"rows": batch}); err != nil {
			return res, fmt.Errorf("load generation %d (previous generation still current): %w", gen, err)
		}
		prog.Findings += len(batch)
		report()
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

// batch is a slice of rows sharing one label (or relationship type).
type batch struct {
	rows []map[string]any
	// prepare, if set, completes the rows just before they are written
	// (relationship rows get their endpoints' element IDs).
	prepare func(rows []map[string]any) error
}

// queries writes one batch: dynamic uses $(r.label); static builds the
// query for a label of the closed set.
type queries struct {
	dynamic string
	static  func(label string) string
}

func nodeQueries() queries {
	return queries{
		dynamic: "UNWIND $rows AS r CREATE (n:" + labelNode + ") SET n = r.props, n.gen = $gen, n:$(r.label) RETURN r.props.id AS id, elementId(n) AS eid",
		static: func(label string) string {
			return fmt.Sprintf("UNWIND $rows AS r CREATE (n:%s:%s) SET n = r.props, n.gen = $gen RETURN r.props.id AS id, elementId(n) AS eid", labelNode, label)
		},
	}
}

func edgeQueries() queries {
	// Endpoints by the element IDs the node writes returned: a direct
	// lookup, cheaper than two index seeks on (gen, id) per relationship.
	const match = "UNWIND $rows AS r\nMATCH (a) WHERE elementId(a) = r.a\nMATCH (b) WHERE elementId(b) = r.b\n"
	return queries{
		dynamic: match + "CREATE (a)-[e:$(r.label)]->(b) SET e = r.props, e.gen = $gen",
		static: func(label string) string {
			return match + fmt.Sprintf("CREATE (a)-[e:%s]->(b) SET e = r.props, e.gen = $gen", label)
		},
	}
}

// writeGroups writes the batches with the dynamic query, falling back to
// per-label queries if the server does not know dynamic labels (< 5.26).
func (s *Store) writeGroups(ctx context.Context, what string, q queries, batches []batch, gen int64, done func(int), collect func(id, eid string)) error {
	dynamic := !s.staticLabels
	for _, b := range batches {
		if b.prepare != nil {
			if err := b.prepare(b.rows); err != nil {
				return err
			}
		}
		if dynamic {
			err := s.writeRowsCollect(ctx, what, q.dynamic, map[string]any{"rows": b.rows, "gen": gen}, collect)
			if err == nil {
				done(len(b.rows))
				continue
			}
			var ne *neo4j.Neo4jError
			if !errors.As(err, &ne) || !strings.Contains(ne.Code, "SyntaxError") {
				return err
			}
			s.log.Info("neo4j without dynamic labels (before 5.26): one query per kind", "error", ne.Msg)
			dynamic = false
		}
		byLabel := map[string][]map[string]any{}
		var order []string
		for _, r := range b.rows {
			l := r["label"].(string)
			if _, ok := byLabel[l]; !ok {
				order = append(order, l)
			}
			byLabel[l] = append(byLabel[l], r)
		}
		for _, l := range order {
			if err := s.writeRowsCollect(ctx, what, q.static(l), map[string]any{"rows": byLabel[l], "gen": gen}, collect); err != nil {
				return err
			}
		}
		done(len(b.rows))
	}
	return nil
}

func nodeBatches(nodes []preparedNode, size int) []batch {
	var out []batch
	for i := 0; i < len(nodes); i += size {
		b := batch{}
		for _, n := range nodes[i:min(i+size, len(nodes))] {
			b.rows = append(b.rows, map[string]any{"label": n.label, "props": n.row})
		}
		out = append(out, b)
	}
	return out
}

func edgeBatches(edges []preparedEdge, size int, eids map[string]string) []batch {
	var out []batch
	resolve := func(rows []map[string]any) error {
		for _, r := range rows {
			a, b := eids[r["from"].(string)], eids[r["to"].(string)]
			if a == "" || b == "" {
				return fmt.Errorf("relationship %v: an endpoint was not written", r["props"].(map[string]any)["id"])
			}
			r["a"], r["b"] = a, b
			delete(r, "from")
			delete(r, "to")
		}
		return nil
	}
	for i := 0; i < len(edges); i += size {
		b := batch{prepare: resolve}
		for _, e := range edges[i:min(i+size, len(edges))] {
			row := e.row
			row["label"] = e.relType
			b.rows = append(b.rows, row)
		}
		out = append(out, b)
	}
	return out
}

// writeRowsCollect is writeRows that hands each returned (id, eid) row to
// collect (nil: results are discarded).
func (s *Store) writeRowsCollect(ctx context.Context, what, q string, params map[string]any, collect func(id, eid string)) error {
	if collect == nil {
		return s.writeRows(ctx, what, q, params)
	}
	type pair struct{ id, eid string }
	pairs, err := writeTx(ctx, s, what, func(ctx context.Context, tx neo4j.ManagedTransaction) ([]pair, error) {
		r, err := tx.Run(ctx, q, params)
		if err != nil {
			return nil, err
		}
		var out []pair
		for r.Next(ctx) {
			v := r.Record().Values
			out = append(out, pair{str(v[0]), str(v[1])})
		}
		return out, r.Err()
	})
	if err != nil {
		return err
	}
	// Only after the commit: a retried transaction must not leave element
	// IDs of a rolled-back attempt behind.
	for _, p := range pairs {
		collect(p.id, p.eid)
	}
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

func (s *Store) dropGeneration(ctx context.Context, gen int64) error {
	for _, q := range []string{
		// Relationships first, in bounded batches, so deleting a
		// well-connected node never builds one huge transaction.
		"MATCH (n:Node {gen: $gen})-[r]->() WITH r LIMIT $batch DELETE r RETURN count(*) AS c",
		"MATCH (n:Node {gen: $gen}) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS c",
		"MATCH (f:Finding {gen: $gen}) WITH f LIMIT $batch DELETE f RETURN count(*) AS c",
	} {
		for {
			c, err := writeTx(ctx, s, "delete generation", func(ctx context.Context, tx neo4j.ManagedTransaction) (int64, error) {
				r, err := tx.Run(ctx, q, map[string]any{"gen": gen, "batch": 20000})
				if err != nil {
					return 0, err
				}
				rec, err := r.Single(ctx)
				if err != nil {
					return 0, err
				}
				v, _ := rec.Get("c")
				return v.(int64), nil
			})
			if err != nil {
				return err
			}
			if c == 0 {
				break
			}
		}
	}
	return s.writeRows(ctx, "delete generation", "MATCH (g:Generation {gen: $gen}) DELETE g", map[string]any{"gen": gen})
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

// prepared rows carry their sequence number (position in the graph), so
// reads return edges in the order the embedded store keeps them.
type preparedNode struct {
	label string
	row   map[string]any
}

type preparedEdge struct {
	relType string
	row     map[string]any
}

// prepare validates g and turns it into rows. Duplicate node IDs and
// unknown kinds are errors (the graph is malformed); edges whose endpoints
// are missing are skipped and reported.
func prepare(g *graph.Graph) ([]preparedNode, []preparedEdge, []string, error) {
	ids := make(map[string]bool, len(g.Nodes))
	nodes := make([]preparedNode, 0, len(g.Nodes))
	for i, n := range g.Nodes {
		if n.ID == "" {
			return nil, nil, nil, fmt.Errorf("node %d (%s %q) has no id", i, n.Kind, n.Name)
		}
		if ids[n.ID] {
			return nil, nil, nil, fmt.Errorf("node %q appears twice in the graph", n.ID)
		}
		ids[n.ID] = true
		label, err := nodeLabel(n.Kind)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("node %q: %w", n.ID, err)
		}
		row, err := nodeRow(n, i)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("node %q: %w", n.ID, err)
		}
		nodes = append(nodes, preparedNode{label: label, row: row})
	}
	var skipped []string
	edges := make([]preparedEdge, 0, len(g.Edges))
	eids := make(map[string]bool, len(g.Edges))
	for i, e := range g.Edges {
		rt, err := relType(e.Kind)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("edge %q: %w", e.ID, err)
		}
		switch {
		case !ids[e.From]:
			skipped = append(skipped, fmt.Sprintf("edge %q (%s): source node %q is not in the graph", e.ID, e.Kind, e.From))
			continue
		case !ids[e.To]:
			skipped = append(skipped, fmt.Sprintf("edge %q (%s): target node %q is not in the graph", e.ID, e.Kind, e.To))
			continue
		case eids[e.ID]:
			skipped = append(skipped, fmt.Sprintf("edge %q (%s): ID appears twice; the later one is not written", e.ID, e.Kind))
			continue
		}
		eids[e.ID] = true
		props, err := edgeProps(e, i)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("edge %q: %w", e.ID, err)
		}
		edges = append(edges, preparedEdge{relType: rt, row: map[string]any{"from": e.From, "to": e.To, "props": props}})
	}
	return nodes, edges, skipped, nil
}

// reservedNodeKeys are node properties of our own; Props keys with these
// names are kept only in the props JSON.
var reservedNodeKeys = map[string]bool{
	"gen": true, "seq": true, "id": true, "kind": true, "name": true, "type": true, "account": true,
	"region": true, "tags": true, "props": true, "search": true, "tagtext": true, "json": true,
}

// nodeRow is the property map of a node: readable properties for Cypher
// users (id, kind, name, type, account, region, each Props entry as its own
// property, each tag as tag_<key>), the lower-cased search text, and the
// whole node as JSON for an exact round trip.
func nodeRow(n graph.Node, seq int) (map[string]any, error) {
	js, err := json.Marshal(n)
	if err != nil {
		return nil, err
	}
	row := map[string]any{
		"seq": int64(seq), "id": n.ID, "kind": string(n.Kind), "name": n.Name,
		"json": string(js), "search": searchText(n), "tagtext": tagText(n),
	}
	for k, v := range map[string]string{"type": n.Type, "account": n.Account, "region": n.Region} {
		if v != "" {
			row[k] = v
		}
	}
	for k, v := range n.Props {
		if !reservedNodeKeys[k] && !strings.HasPrefix(k, "tag_") {
			row[k] = v
		}
	}
	for k, v := range n.Tags {
		row["tag_"+k] = v
	}
	return row, nil
}

// searchText is what the text index narrows Search with.
func searchText(n graph.Node) string {
	return strings.ToLower(n.ID + "\x1f" + n.Name + "\x1f" + n.Account + "\x1f" + tagText(n))
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

// edgeProps are the relationship properties: readable ones (actions as a
// list of strings, levels, conditional, condition, technique,
// crossAccount, evidence policy IDs) and the whole edge as JSON.
func edgeProps(e graph.Edge, seq int) (map[string]any, error) {
	js, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	p := map[string]any{"seq": int64(seq), "id": e.ID, "kind": string(e.Kind), "json": string(js),
		"conditional": e.Conditional, "crossAccount": e.CrossAccount}
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
	return p, nil
}

func findingRows(fs []graph.Finding, gen int64) ([]map[string]any, error) {
	rows := make([]map[string]any, 0, len(fs))
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
