package graph

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Memory is the embedded store: the whole graph in memory, indexed by node
// ID and by edge endpoints. It is safe for concurrent reads; it is never
// written after NewMemory.
//
// Edges are indexed by their position in edge-ID order, so a question about
// many nodes gets its edges already sorted by merging small integer lists
// instead of sorting edges, and the traversals read them by reference
// instead of copying them (see walker).
type Memory struct {
	g     *Graph
	nodes map[string]int // node ID → index in g.Nodes
	// byID lists edge indexes in edge-ID order; kind[p] is the edge kind
	// code of byID[p].
	byID []int32
	kind []uint8
	// kinds numbers the edge kinds present (at most 64: see kindMask).
	kinds map[EdgeKind]uint8
	// Node numbers (see walker): every node and every edge endpoint has
	// one; outN/inN list by number the positions (in byID) of the edges
	// leaving/entering the node, ascending; from/to are the endpoints'
	// numbers by edge position.
	nb        numbering
	outN, inN [][]int32
	from, to  []int32
	states    sync.Pool // *nodeState reused by Reach
}

// NewMemory indexes g. The graph must not be modified afterwards.
func NewMemory(g *Graph) *Memory {
	m := &Memory{
		g:     g,
		nodes: make(map[string]int, len(g.Nodes)),
		kinds: map[EdgeKind]uint8{},
		byID:  make([]int32, len(g.Edges)),
		kind:  make([]uint8, len(g.Edges)),
	}
	for i, n := range g.Nodes {
		m.nodes[n.ID] = i
	}
	for i := range m.byID {
		m.byID[i] = int32(i)
	}
	// Built graphs come sorted by edge ID; others are sorted here once.
	if !sort.SliceIsSorted(m.byID, func(a, b int) bool { return g.Edges[a].ID < g.Edges[b].ID }) {
		sort.SliceStable(m.byID, func(a, b int) bool { return g.Edges[m.byID[a]].ID < g.Edges[m.byID[b]].ID })
	}
	m.nb.num = make(map[string]int32, len(g.Nodes))
	number := m.nb.of
	for _, n := range g.Nodes {
		number(n.ID)
	}
	m.from, m.to = make([]int32, len(g.Edges)), make([]int32, len(g.Edges))
	for p, i := range m.byID {
		e := &g.Edges[i]
		m.from[p], m.to[p] = number(e.From), number(e.To)
		k, ok := m.kinds[e.Kind]
		if !ok {
			// Kinds form a closed set of a dozen; a graph file with more
			// shares code 255 for the rest (compared by name, see edgeRefs).
			k = uint8(min(len(m.kinds), 255))
			m.kinds[e.Kind] = k
		}
		m.kind[p] = k
	}
	m.outN, m.inN = make([][]int32, len(m.nb.names)), make([][]int32, len(m.nb.names))
	for p := range m.byID {
		m.outN[m.from[p]] = append(m.outN[m.from[p]], int32(p))
		m.inN[m.to[p]] = append(m.inN[m.to[p]], int32(p))
	}
	return m
}

// Graph returns the graph the store was built from (read only).
func (m *Memory) Graph() *Graph { return m.g }

var (
	_ Store  = (*Memory)(nil)
	_ Source = (*Memory)(nil)
)

// Meta describes the loaded snapshot.
func (m *Memory) Meta(ctx context.Context) (Meta, error) {
	meta := m.g.Meta
	meta.Nodes = len(m.g.Nodes)
	meta.Edges = len(m.g.Edges)
	return meta, nil
}

// Node returns one node, or ErrNotFound.
func (m *Memory) Node(ctx context.Context, id string) (Node, error) {
	i, ok := m.nodes[id]
	if !ok {
		return Node{}, fmt.Errorf("node %q: %w", id, ErrNotFound)
	}
	return m.g.Nodes[i], nil
}

// Nodes returns the nodes with the given IDs, in the order asked, skipping
// missing ones.
func (m *Memory) Nodes(ctx context.Context, ids []string) ([]Node, error) {
	out := make([]Node, 0, len(ids))
	for _, id := range ids {
		if i, ok := m.nodes[id]; ok {
			out = append(out, m.g.Nodes[i])
		}
	}
	return out, nil
}

// OutEdges returns the edges of the given kinds leaving any of ids.
func (m *Memory) OutEdges(ctx context.Context, ids []string, kinds []EdgeKind) ([]Edge, error) {
	return m.edges(ctx, m.outN, ids, kinds)
}

// InEdges returns the edges of the given kinds entering any of ids.
func (m *Memory) InEdges(ctx context.Context, ids []string, kinds []EdgeKind) ([]Edge, error) {
	return m.edges(ctx, m.inN, ids, kinds)
}

func (m *Memory) edges(ctx context.Context, adj [][]int32, ids []string, kinds []EdgeKind) ([]Edge, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	refs := m.edgeRefs(adj, ids, kinds)
	out := make([]Edge, len(refs))
	for i, e := range refs {
		out[i] = *e
	}
	return out, nil
}

// edgeRefs returns the edges of the given kinds at ids in adj, in edge-ID
// order, by reference into the graph (callers must not modify them).
func (m *Memory) edgeRefs(adj [][]int32, ids []string, kinds []EdgeKind) []*Edge {
	ns := make([]int32, 0, len(ids))
	for _, id := range ids {
		if n, ok := m.nb.num[id]; ok {
			ns = append(ns, n)
		}
	}
	rs := m.refs(nil, adj, ns, kinds)
	out := make([]*Edge, len(rs))
	for i, r := range rs {
		out[i] = r.Edge
	}
	return out
}

// kindMask is the set of kind codes asked for; all is true when no kinds
// were named (every edge), exact false when a code cannot stand for its
// kind alone (then kinds are compared by name).
func (m *Memory) kindMask(kinds []EdgeKind) (mask uint64, all, exact bool) {
	if len(kinds) == 0 {
		return 0, true, true
	}
	for _, k := range kinds {
		c, ok := m.kinds[k]
		switch {
		case !ok:
		case c >= 64:
			return 0, false, false
		default:
			mask |= 1 << c
		}
	}
	return mask, false, true
}

func kindSet(kinds []EdgeKind) map[EdgeKind]bool {
	if len(kinds) == 0 {
		return nil
	}
	s := make(map[EdgeKind]bool, len(kinds))
	for _, k := range kinds {
		s[k] = true
	}
	return s
}

// Search finds nodes by name, ID/ARN substring, account or tag value, best
// matches first: exact name or ID, then name prefix, then name substring,
// then ID, account or tag substring; ties by kind order and ID.
func (m *Memory) Search(ctx context.Context, q SearchQuery) ([]Node, error) {
	text := strings.ToLower(strings.TrimSpace(q.Text))
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	kinds := map[NodeKind]bool{}
	for _, k := range q.Kinds {
		kinds[k] = true
	}
	type hit struct {
		score int
		i     int
	}
	var hits []hit
	for i, n := range m.g.Nodes {
		if len(kinds) > 0 && !kinds[n.Kind] {
			continue
		}
		s := searchScore(n, text)
		if s > 0 {
			hits = append(hits, hit{s, i})
		}
	}
	sort.Slice(hits, func(a, b int) bool {
		if hits[a].score != hits[b].score {
			return hits[a].score > hits[b].score
		}
		na, nb := m.g.Nodes[hits[a].i], m.g.Nodes[hits[b].i]
		if len(na.Name) != len(nb.Name) {
			return len(na.Name) < len(nb.Name)
		}
		return na.ID < nb.ID
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]Node, len(hits))
	for j, h := range hits {
		out[j] = m.g.Nodes[h.i]
	}
	return out, nil
}

func searchScore(n Node, text string) int {
	if text == "" {
		return 1
	}
	name := strings.ToLower(n.Name)
	id := strings.ToLower(n.ID)
	switch {
	case name == text || id == text:
		return 100
	case strings.HasPrefix(name, text):
		return 80
	case strings.Contains(name, text):
		return 60
	case strings.Contains(id, text):
		return 40
	case n.Account == text:
		return 30
	}
	for _, v := range n.Tags {
		if strings.Contains(strings.ToLower(v), text) {
			return 20
		}
	}
	return 0
}

// Neighbours returns a node with its adjacent edges and nodes. Direction is
// "out", "in" or "both" (default).
func (m *Memory) Neighbours(ctx context.Context, id string, opts NeighbourOptions) (Subgraph, error) {
	n, err := m.Node(ctx, id)
	if err != nil {
		return Subgraph{}, err
	}
	return neighbours(ctx, m, n, opts)
}

// neighbours is written against Source so every store can share it.
func neighbours(ctx context.Context, src Source, n Node, opts NeighbourOptions) (Subgraph, error) {
	limit := opts.Limit
	if limit <= 0 {
		limit = 200
	}
	var edges []Edge
	dir := strings.ToLower(opts.Direction)
	switch dir {
	case "", "both", "out", "in":
	default:
		return Subgraph{}, fmt.Errorf("direction %q: want out, in or both", opts.Direction)
	}
	if dir != "in" {
		es, err := src.OutEdges(ctx, []string{n.ID}, opts.Kinds)
		if err != nil {
			return Subgraph{}, err
		}
		edges = append(edges, es...)
	}
	if dir != "out" {
		es, err := src.InEdges(ctx, []string{n.ID}, opts.Kinds)
		if err != nil {
			return Subgraph{}, err
		}
		edges = append(edges, es...)
	}
	sortEdges(edges)
	edges = dedupEdges(edges)
	if len(edges) > limit {
		edges = edges[:limit]
	}
	ids := []string{n.ID}
	for _, e := range edges {
		ids = append(ids, e.From, e.To)
	}
	nodes, err := nodesSorted(ctx, src, ids)
	if err != nil {
		return Subgraph{}, err
	}
	return Subgraph{Nodes: nodes, Edges: edges}, nil
}

// NeighboursOf is Neighbours for any Source (the Neo4j store calls it).
func NeighboursOf(ctx context.Context, src Source, id string, opts NeighbourOptions) (Subgraph, error) {
	ns, err := src.Nodes(ctx, []string{id})
	if err != nil {
		return Subgraph{}, err
	}
	if len(ns) == 0 {
		return Subgraph{}, fmt.Errorf("node %q: %w", id, ErrNotFound)
	}
	return neighbours(ctx, src, ns[0], opts)
}

// Reach answers "what can this principal or workload reach".
func (m *Memory) Reach(ctx context.Context, from string, opts ReachOptions) (ReachResult, error) {
	return Reach(ctx, m, from, opts)
}

// Reachers answers "who can reach this resource".
func (m *Memory) Reachers(ctx context.Context, to string, opts ReachOptions) (ReachResult, error) {
	return Reachers(ctx, m, to, opts)
}

// Paths returns paths from one node to another, shortest first.
func (m *Memory) Paths(ctx context.Context, from, to string, opts PathOptions) ([]Path, error) {
	return FindPaths(ctx, m, from, to, opts)
}

// Findings lists the findings computed at build time.
func (m *Memory) Findings(ctx context.Context, q FindingQuery) ([]Finding, error) {
	return FilterFindings(m.g.Findings, q), nil
}

// FilterFindings applies a FindingQuery to a list of findings, keeping
// their order (both stores use it).
func FilterFindings(all []Finding, q FindingQuery) []Finding {
	kinds := map[FindingKind]bool{}
	for _, k := range q.Kinds {
		kinds[k] = true
	}
	out := []Finding{}
	for _, f := range all {
		if len(kinds) > 0 && !kinds[f.Kind] {
			continue
		}
		if q.Account != "" && f.Account != q.Account {
			continue
		}
		if q.Subject != "" && f.Subject != q.Subject {
			continue
		}
		out = append(out, f)
		if q.Limit > 0 && len(out) >= q.Limit {
			break
		}
	}
	return out
}

// Close releases the store (nothing to release in memory).
func (m *Memory) Close(ctx context.Context) error { return nil }

func sortEdges(es []Edge) {
	sort.Slice(es, func(a, b int) bool { return es[a].ID < es[b].ID })
}

func dedupEdges(es []Edge) []Edge {
	out := es[:0]
	for i, e := range es {
		if i > 0 && e.ID == es[i-1].ID {
			continue
		}
		out = append(out, e)
	}
	return out
}

// nodesSorted fetches the nodes for ids (deduplicated) sorted by ID.
func nodesSorted(ctx context.Context, src Source, ids []string) ([]Node, error) {
	uniq := uniqueSorted(ids)
	ns, err := src.Nodes(ctx, uniq)
	if err != nil {
		return nil, err
	}
	sort.Slice(ns, func(a, b int) bool { return ns[a].ID < ns[b].ID })
	return ns, nil
}

func uniqueSorted(ids []string) []string {
	s := append([]string(nil), ids...)
	sort.Strings(s)
	out := s[:0]
	for i, id := range s {
		if i > 0 && id == s[i-1] {
			continue
		}
		out = append(out, id)
	}
	return out
}
