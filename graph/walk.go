package graph

import (
	"context"
	"slices"
)

// numbering gives node IDs dense numbers in the order they are first seen.
type numbering struct {
	num   map[string]int32 // node ID → number
	names []string         // number → node ID
}

// of returns the number of id, handing out the next one if it has none.
func (nb *numbering) of(id string) int32 {
	n, ok := nb.num[id]
	if !ok {
		n = int32(len(nb.names))
		nb.num[id] = n
		nb.names = append(nb.names, id)
	}
	return n
}

// walker numbers the nodes of one question densely, so the traversals keep
// their per-node state in slices instead of maps keyed by long IDs. The
// embedded store has the numbers already (NewMemory assigns them); other
// stores get them handed out as their edges arrive.
type walker struct {
	ctx context.Context
	src Source
	mem *Memory    // the embedded store, or nil
	nb  *numbering // the store's numbers, or the question's own
}

// ref is an edge by reference with its endpoints' numbers.
type ref struct {
	*Edge
	from, to int32
}

func newWalker(ctx context.Context, src Source) *walker {
	w := &walker{ctx: ctx, src: src}
	if m, ok := src.(*Memory); ok {
		w.mem, w.nb = m, &m.nb
	} else {
		w.nb = &numbering{num: map[string]int32{}}
	}
	return w
}

// number returns the number of a node ID, handing out a new one if needed;
// -1 for an ID the embedded store does not hold (it numbers every node
// and every ID an edge names).
func (w *walker) number(id string) int32 {
	if w.mem == nil {
		return w.nb.of(id)
	}
	if n, ok := w.nb.num[id]; ok {
		return n
	}
	return -1
}

// id is the node ID of a number.
func (w *walker) id(n int32) string { return w.nb.names[n] }

func (w *walker) ids(ns []int32) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = w.id(n)
	}
	return out
}

// out returns the edges of the given kinds leaving nodes ns, in edge-ID
// order, reusing buf's memory where it can.
func (w *walker) out(buf *[]ref, ns []int32, kinds []EdgeKind) ([]ref, error) {
	return w.edges(buf, ns, kinds, true)
}

// in returns the edges of the given kinds entering nodes ns, in edge-ID order.
func (w *walker) in(buf *[]ref, ns []int32, kinds []EdgeKind) ([]ref, error) {
	return w.edges(buf, ns, kinds, false)
}

func (w *walker) edges(buf *[]ref, ns []int32, kinds []EdgeKind, out bool) ([]ref, error) {
	if err := w.ctx.Err(); err != nil {
		return nil, err
	}
	if m := w.mem; m != nil {
		adj := m.inN
		if out {
			adj = m.outN
		}
		*buf = m.refs((*buf)[:0], adj, ns, kinds)
		return *buf, nil
	}
	var es []Edge
	var err error
	if out {
		es, err = w.src.OutEdges(w.ctx, w.ids(ns), kinds)
	} else {
		es, err = w.src.InEdges(w.ctx, w.ids(ns), kinds)
	}
	if err != nil {
		return nil, err
	}
	sortEdges(es)
	rs := make([]ref, len(es))
	for i := range es {
		rs[i] = ref{&es[i], w.nb.of(es[i].From), w.nb.of(es[i].To)}
	}
	return rs, nil
}

// refs appends to dst the edges of the given kinds at nodes ns in adj, in
// edge-ID order, with the endpoints' numbers.
func (m *Memory) refs(dst []ref, adj [][]int32, ns []int32, kinds []EdgeKind) []ref {
	want, all, exact := m.kindMask(kinds)
	var byName map[EdgeKind]bool
	if !exact {
		byName = kindSet(kinds)
	}
	if len(ns) > 1 { // each node once
		ns = slices.Clone(ns)
		slices.Sort(ns)
		ns = slices.Compact(ns)
	}
	total := 0
	for _, n := range ns {
		total += len(adj[n])
	}
	pos := make([]int32, 0, total)
	lists := 0
	for _, n := range ns {
		l := adj[n]
		if len(l) == 0 {
			continue
		}
		lists++
		for _, p := range l {
			switch {
			case all, exact && want&(1<<m.kind[p]) != 0:
				pos = append(pos, p)
			case !exact && byName[m.g.Edges[m.byID[p]].Kind]:
				pos = append(pos, p)
			}
		}
	}
	if lists > 1 {
		slices.Sort(pos)
	}
	dst = slices.Grow(dst, len(pos))
	for _, p := range pos {
		dst = append(dst, ref{&m.g.Edges[m.byID[p]], m.from[p], m.to[p]})
	}
	return dst
}

// nodeState is the per-node state of one Reach or Reachers, by walker number. An entry
// counts only when its stamp is the question's, so state reused from an
// earlier question needs no clearing (the embedded store pools it: a large
// graph would otherwise cost megabytes of fresh memory per question).
type nodeState struct {
	cur   uint32
	stamp []uint32
	route [][]*Edge // Reach: the shortest route to an identity
	slot  []int32   // 1 + the index of a node in a question's own list (0: none)
	hop   []ref     // Reachers: the first edge of the route to the resource
	n     []int32   // Reachers: that route's length
	// Edge lists reused from question to question: one level of a walk,
	// and the access edges.
	level, access []ref
}

// state returns cleared per-node state for a question; done gives it back.
func (w *walker) state() (st *nodeState, done func()) {
	if w.mem == nil {
		return &nodeState{cur: 1}, func() {}
	}
	st, _ = w.mem.states.Get().(*nodeState)
	if st == nil {
		st = &nodeState{}
	}
	st.cur++
	if st.cur == 0 { // wrapped: old stamps could match again
		clear(st.stamp)
		st.cur = 1
	}
	return st, func() { w.mem.states.Put(st) }
}

// seen says whether node n has state in this question.
func (s *nodeState) seen(n int32) bool {
	return int(n) < len(s.stamp) && s.stamp[n] == s.cur
}

// touch gives node n state in this question (empty if it had none) and
// returns its index.
func (s *nodeState) touch(n int32) int32 {
	if int(n) >= len(s.stamp) {
		size := int(n) + 1 + len(s.stamp)/2
		s.stamp = append(s.stamp, make([]uint32, size-len(s.stamp))...)
		s.route = append(s.route, make([][]*Edge, size-len(s.route))...)
		s.slot = append(s.slot, make([]int32, size-len(s.slot))...)
		s.hop = append(s.hop, make([]ref, size-len(s.hop))...)
		s.n = append(s.n, make([]int32, size-len(s.n))...)
	}
	if s.stamp[n] != s.cur {
		s.stamp[n], s.route[n], s.slot[n], s.hop[n], s.n[n] = s.cur, nil, 0, ref{}, 0
	}
	return n
}
