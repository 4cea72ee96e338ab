package neo4j

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/iamreach/iamreach/graph"
)

// Meta describes the snapshot of the current generation.
func (s *Store) Meta(ctx context.Context) (graph.Meta, error) {
	return s.pinned(-1).Meta(ctx)
}

// Meta describes the generation's snapshot (the shared traversal reads the
// collection gaps from it).
func (g *genSource) Meta(ctx context.Context) (graph.Meta, error) {
	return inTx(ctx, g, func(ctx context.Context, tx neo4j.ManagedTransaction, gen int64) (graph.Meta, error) {
		r, err := tx.Run(ctx, `MATCH (g:Generation {gen: $gen})
RETURN g.meta AS meta, g.nodes AS nodes, g.edges AS edges`, map[string]any{"gen": gen})
		if err != nil {
			return graph.Meta{}, err
		}
		rec, err := r.Single(ctx)
		if err != nil {
			return graph.Meta{}, err
		}
		var m graph.Meta
		raw, _ := rec.Get("meta")
		if err := json.Unmarshal([]byte(str(raw)), &m); err != nil {
			return graph.Meta{}, fmt.Errorf("generation %d: decode meta: %w", gen, err)
		}
		n, _ := rec.Get("nodes")
		e, _ := rec.Get("edges")
		m.Nodes, m.Edges = int(toInt(n)), int(toInt(e))
		return m, nil
	})
}

// Node returns one node of the current generation, or graph.ErrNotFound.
func (s *Store) Node(ctx context.Context, id string) (graph.Node, error) {
	ns, err := s.Nodes(ctx, []string{id})
	if err != nil {
		return graph.Node{}, err
	}
	if len(ns) == 0 {
		return graph.Node{}, fmt.Errorf("node %q: %w", id, graph.ErrNotFound)
	}
	return ns[0], nil
}

// Nodes returns the nodes with the given IDs in the order asked, skipping
// missing ones (graph.Source).
func (s *Store) Nodes(ctx context.Context, ids []string) ([]graph.Node, error) {
	return s.pinned(-1).Nodes(ctx, ids)
}

// OutEdges returns edges of the given kinds leaving any of ids (graph.Source).
func (s *Store) OutEdges(ctx context.Context, ids []string, kinds []graph.EdgeKind) ([]graph.Edge, error) {
	return s.pinned(-1).OutEdges(ctx, ids, kinds)
}

// InEdges returns edges of the given kinds entering any of ids (graph.Source).
func (s *Store) InEdges(ctx context.Context, ids []string, kinds []graph.EdgeKind) ([]graph.Edge, error) {
	return s.pinned(-1).InEdges(ctx, ids, kinds)
}

// Search finds nodes like the embedded store does: the score of each hit is
// computed in Cypher (narrowed by the text index), the exact ordering and
// limit in Go with the same tie-breaks.
func (s *Store) Search(ctx context.Context, q graph.SearchQuery) ([]graph.Node, error) {
	text := strings.ToLower(strings.TrimSpace(q.Text))
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	kinds := make([]string, 0, len(q.Kinds))
	for _, k := range q.Kinds {
		kinds = append(kinds, string(k))
	}
	return question(ctx, s, func(ctx context.Context, src *genSource) ([]graph.Node, error) {
		r, err := src.tx.Run(ctx, `MATCH (n:Node)
WHERE n.gen = $gen AND ($text = '' OR n.search CONTAINS $text) AND (size($kinds) = 0 OR n.kind IN $kinds)
WITH n, toLower(n.name) AS name, toLower(n.id) AS id
WITH n, CASE
  WHEN $text = '' THEN 1
  WHEN name = $text OR id = $text THEN 100
  WHEN name STARTS WITH $text THEN 80
  WHEN name CONTAINS $text THEN 60
  WHEN id CONTAINS $text THEN 40
  WHEN n.account = $text THEN 30
  WHEN n.tagtext CONTAINS $text THEN 20
  ELSE 0 END AS score
WHERE score > 0
RETURN score, n.name AS name, n.id AS id`, map[string]any{"gen": src.gen, "text": text, "kinds": kinds})
		if err != nil {
			return nil, err
		}
		var hits []hit
		for r.Next(ctx) {
			rec := r.Record()
			hits = append(hits, hit{score: toInt(rec.Values[0]), name: str(rec.Values[1]), id: str(rec.Values[2])})
		}
		if err := r.Err(); err != nil {
			return nil, err
		}
		return rank(ctx, src, hits, limit)
	})
}

type hit struct {
	score int64
	name  string
	id    string
}

// rank orders hits as the embedded store does (score, then shorter name
// in bytes, then ID) and fetches the first limit nodes.
func rank(ctx context.Context, src *genSource, hits []hit, limit int) ([]graph.Node, error) {
	sort.Slice(hits, func(a, b int) bool {
		if hits[a].score != hits[b].score {
			return hits[a].score > hits[b].score
		}
		if len(hits[a].name) != len(hits[b].name) {
			return len(hits[a].name) < len(hits[b].name)
		}
		return hits[a].id < hits[b].id
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.id
	}
	ns, err := src.Nodes(ctx, ids)
	if err != nil {
		return nil, err
	}
	if ns == nil {
		ns = []graph.Node{}
	}
	return ns, nil
}

// Neighbours returns a node with its adjacent edges and nodes, with the
// embedded store's own code over this store's Source.
func (s *Store) Neighbours(ctx context.Context, id string, opts graph.NeighbourOptions) (graph.Subgraph, error) {
	return question(ctx, s, func(ctx context.Context, src *genSource) (graph.Subgraph, error) {
		return graph.NeighboursOf(ctx, src, id, opts)
	})
}

// Reach answers "what can this principal or workload reach" with the shared
// traversal: one batched Cypher query per frontier, all of them in one read
// transaction on the generation current when the question arrived.
func (s *Store) Reach(ctx context.Context, from string, opts graph.ReachOptions) (graph.ReachResult, error) {
	return question(ctx, s, func(ctx context.Context, src *genSource) (graph.ReachResult, error) {
		return graph.Reach(ctx, src, from, opts)
	})
}

// Reachers answers "who can reach this resource" (shared traversal).
func (s *Store) Reachers(ctx context.Context, to string, opts graph.ReachOptions) (graph.ReachResult, error) {
	return question(ctx, s, func(ctx context.Context, src *genSource) (graph.ReachResult, error) {
		return graph.Reachers(ctx, src, to, opts)
	})
}

// Paths returns paths from one node to another, shortest first (shared
// traversal).
func (s *Store) Paths(ctx context.Context, from, to string, opts graph.PathOptions) ([]graph.Path, error) {
	return question(ctx, s, func(ctx context.Context, src *genSource) ([]graph.Path, error) {
		return graph.FindPaths(ctx, src, from, to, opts)
	})
}

// Findings lists the findings of the current generation, filtered in
// Cypher and then by the embedded store's own filter (same order, same
// answer).
func (s *Store) Findings(ctx context.Context, q graph.FindingQuery) ([]graph.Finding, error) {
	kinds := make([]string, 0, len(q.Kinds))
	for _, k := range q.Kinds {
		kinds = append(kinds, string(k))
	}
	all, err := readTx(ctx, s, func(ctx context.Context, tx neo4j.ManagedTransaction) ([]graph.Finding, error) {
		gen, err := currentGen(ctx, tx)
		if err != nil {
			return nil, err
		}
		r, err := tx.Run(ctx, `MATCH (f:Finding)
WHERE f.gen = $gen AND (size($kinds) = 0 OR f.kind IN $kinds)
  AND ($account = '' OR f.account = $account) AND ($subject = '' OR f.subject = $subject)
RETURN f.json AS json ORDER BY f.seq`, map[string]any{"gen": gen, "kinds": kinds, "account": q.Account, "subject": q.Subject})
		if err != nil {
			return nil, err
		}
		var out []graph.Finding
		for r.Next(ctx) {
			var f graph.Finding
			if err := json.Unmarshal([]byte(str(r.Record().Values[0])), &f); err != nil {
				return nil, fmt.Errorf("decode finding: %w", err)
			}
			out = append(out, f)
			if q.Limit > 0 && len(out) >= q.Limit {
				break
			}
		}
		return out, r.Err()
	})
	if err != nil {
		return nil, err
	}
	return graph.FilterFindings(all, q), nil
}

// question answers one question in one read transaction, on the
// generation current when it starts: a consistent view even if a load
// switches generations meanwhile, and one BEGIN/COMMIT for all the
// traversal's round trips. (ExecuteRead may re-run it after a transient
// error; the traversal has no side effects.)
func question[T any](ctx context.Context, s *Store, ask func(context.Context, *genSource) (T, error)) (T, error) {
	return readTx(ctx, s, func(ctx context.Context, tx neo4j.ManagedTransaction) (T, error) {
		gen, err := currentGen(ctx, tx)
		if err != nil {
			var zero T
			return zero, err
		}
		return ask(ctx, &genSource{s: s, gen: gen, tx: tx})
	})
}

func (s *Store) pinned(gen int64) *genSource { return &genSource{s: s, gen: gen} }

// genSource implements graph.Source over one generation: inside the
// question's transaction when tx is set, else in a transaction per call
// (gen < 0: the current generation, read in that transaction).
type genSource struct {
	s   *Store
	gen int64
	tx  neo4j.ManagedTransaction
}

// inTx runs work in the source's transaction, or in a new read transaction.
func inTx[T any](ctx context.Context, g *genSource, work func(context.Context, neo4j.ManagedTransaction, int64) (T, error)) (T, error) {
	if g.tx != nil {
		return work(ctx, g.tx, g.gen)
	}
	return readTx(ctx, g.s, func(ctx context.Context, tx neo4j.ManagedTransaction) (T, error) {
		gen := g.gen
		if gen < 0 {
			var err error
			if gen, err = currentGen(ctx, tx); err != nil {
				var zero T
				return zero, err
			}
		}
		return work(ctx, tx, gen)
	})
}

// Nodes returns the nodes with the given IDs, in the order asked.
func (g *genSource) Nodes(ctx context.Context, ids []string) ([]graph.Node, error) {
	if len(ids) == 0 {
		return []graph.Node{}, nil
	}
	byID, err := inTx(ctx, g, func(ctx context.Context, tx neo4j.ManagedTransaction, gen int64) (map[string]graph.Node, error) {
		r, err := tx.Run(ctx, `UNWIND $ids AS id
MATCH (n:Node {gen: $gen, id: id})
RETURN properties(n) AS p`, map[string]any{"gen": gen, "ids": uniq(ids)})
		if err != nil {
			return nil, err
		}
		out := make(map[string]graph.Node, len(ids))
		for r.Next(ctx) {
			p, _ := r.Record().Values[0].(map[string]any)
			n, err := nodeFromProps(p)
			if err != nil {
				return nil, err
			}
			out[n.ID] = n
		}
		return out, r.Err()
	})
	if err != nil {
		return nil, err
	}
	out := make([]graph.Node, 0, len(ids))
	for _, id := range ids {
		if n, ok := byID[id]; ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// OutEdges returns edges leaving ids: per ID (first occurrence), sorted by
// edge ID, like the embedded store's adjacency lists.
func (g *genSource) OutEdges(ctx context.Context, ids []string, kinds []graph.EdgeKind) ([]graph.Edge, error) {
	return g.edges(ctx, ids, kinds, true)
}

// InEdges returns edges entering ids, ordered like OutEdges.
func (g *genSource) InEdges(ctx context.Context, ids []string, kinds []graph.EdgeKind) ([]graph.Edge, error) {
	return g.edges(ctx, ids, kinds, false)
}

func (g *genSource) edges(ctx context.Context, ids []string, kinds []graph.EdgeKind, out bool) ([]graph.Edge, error) {
	ids = uniq(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	ks := make([]string, 0, len(kinds))
	for _, k := range kinds {
		ks = append(ks, string(k))
	}
	pattern := "(n)-[r]->(m)"
	if !out {
		pattern = "(n)<-[r]-(m)"
	}
	// One round trip for the whole frontier. An edge without JSON is
	// rebuilt from its type, endpoints and readable properties.
	q := `UNWIND range(0, size($ids) - 1) AS i
MATCH (n:Node {gen: $gen, id: $ids[i]})
MATCH ` + pattern + `
WHERE size($kinds) = 0 OR type(r) IN $kinds
RETURN i, r.id AS id, r.json AS json,
  CASE WHEN r.json IS NULL THEN [type(r), m.id, r.technique, r.conditional, r.condition, r.crossAccount] END AS parts`
	type row struct {
		i  int64
		id string
		e  graph.Edge
	}
	rows, err := inTx(ctx, g, func(ctx context.Context, tx neo4j.ManagedTransaction, gen int64) ([]row, error) {
		r, err := tx.Run(ctx, q, map[string]any{"gen": gen, "ids": ids, "kinds": ks})
		if err != nil {
			return nil, err
		}
		var rows []row
		for r.Next(ctx) {
			v := r.Record().Values
			i, id := toInt(v[0]), str(v[1])
			e, err := edgeFromParts(id, ids[i], out, v[2], v[3])
			if err != nil {
				return nil, err
			}
			rows = append(rows, row{i: i, id: id, e: e})
		}
		return rows, r.Err()
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(rows, func(a, b int) bool {
		if rows[a].i != rows[b].i {
			return rows[a].i < rows[b].i
		}
		return rows[a].id < rows[b].id
	})
	if len(rows) == 0 {
		return nil, nil
	}
	res := make([]graph.Edge, len(rows))
	for i, r := range rows {
		res[i] = r.e
	}
	return res, nil
}

// edgeFromParts decodes one edge row of the edges query: its JSON when it
// has one, else rebuilt from parts = [type, other endpoint's id,
// technique, conditional, condition, crossAccount] around node, the end
// the query started from (the source if out).
func edgeFromParts(id, node string, out bool, js, parts any) (graph.Edge, error) {
	p, ok := parts.([]any)
	if !ok || len(p) != 6 {
		var e graph.Edge
		if err := json.Unmarshal([]byte(str(js)), &e); err != nil {
			return graph.Edge{}, fmt.Errorf("decode edge %s: %w", id, err)
		}
		return e, nil
	}
	e := graph.Edge{ID: id, Kind: graph.EdgeKind(str(p[0])), From: node, To: str(p[1]), Technique: str(p[2]), Condition: str(p[4])}
	e.Conditional, _ = p[3].(bool)
	e.CrossAccount, _ = p[5].(bool)
	if !out {
		e.From, e.To = e.To, e.From
	}
	return e, nil
}

// uniq keeps the first occurrence of each ID, in order.
func uniq(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func toInt(v any) int64 {
	i, _ := v.(int64)
	return i
}
