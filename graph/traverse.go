package graph

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The traversal functions below are written only against Source, so the
// embedded store and the Neo4j store run the same algorithm and give the
// same answers. Every list they return is sorted, so answers are
// deterministic whatever order a store returns edges in.

const (
	defaultMaxDepth   = 6
	defaultReachLimit = 1000
	defaultPathLimit  = 10
	// maxPathDepth caps a caller's MaxDepth: deeper searches are not
	// meaningful for IAM and would let one request run for long.
	maxPathDepth = 12
)

// accessEdges are the edges that end a reach: what an identity can do to a target.
var accessEdges = []EdgeKind{EdgeCanAccess, EdgeCanInvoke}

func (o ReachOptions) depth() int {
	switch {
	case o.MaxDepth <= 0:
		return defaultMaxDepth
	case o.MaxDepth > maxPathDepth:
		return maxPathDepth
	}
	return o.MaxDepth
}

func (o ReachOptions) limit() int {
	if o.Limit <= 0 {
		return defaultReachLimit
	}
	return o.Limit
}

// route is a path under construction: edges in order from the origin.
type route []Edge

func (r route) conditions() []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range r {
		if e.Condition != "" && !seen[e.Condition] {
			seen[e.Condition] = true
			out = append(out, e.Condition)
		}
	}
	return out
}

func (r route) path(origin string) Path {
	p := Path{Nodes: []string{origin}, Edges: append([]Edge{}, r...)}
	for _, e := range r {
		p.Nodes = append(p.Nodes, e.To)
	}
	p.Conditions = r.conditions()
	return p
}

// key orders routes: shorter first, then by edge IDs.
func (r route) key() string {
	ids := make([]string, len(r))
	for i, e := range r {
		ids[i] = e.ID
	}
	return fmt.Sprintf("%03d|%s", len(r), strings.Join(ids, "|"))
}

func lookupNode(ctx context.Context, src Source, id string) (Node, error) {
	ns, err := src.Nodes(ctx, []string{id})
	if err != nil {
		return Node{}, err
	}
	if len(ns) == 0 {
		return Node{}, fmt.Errorf("node %q: %w", id, ErrNotFound)
	}
	return ns[0], nil
}

// routeBefore orders two routes of equal length as their keys compare
// (route.key: edge IDs joined by "|"), without building the keys.
func routeBefore(a, b []*Edge) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i].ID, b[i].ID
		if a[i] == b[i] || x == y {
			continue
		}
		if !strings.HasPrefix(x, y) && !strings.HasPrefix(y, x) {
			return x < y
		}
		return routeBeforeBytes(a[i:], b[i:])
	}
	return len(a) < len(b)
}

// routeBeforeBytes compares the keys byte by byte: needed only when one
// edge ID is a prefix of the other, where the "|" after it counts.
func routeBeforeBytes(a, b []*Edge) bool {
	ia, ib := 0, 0 // edge index
	pa, pb := 0, 0 // byte position within the edge ID; len(ID) stands for the "|" after it
	for ia < len(a) && ib < len(b) {
		ca, cb := routeByte(a, ia, pa), routeByte(b, ib, pb)
		if ca != cb {
			return ca < cb
		}
		if pa++; pa > len(a[ia].ID) {
			ia, pa = ia+1, 0
		}
		if pb++; pb > len(b[ib].ID) {
			ib, pb = ib+1, 0
		}
	}
	return ia == len(a) && ib < len(b)
}

// routeByte is the byte at position p of edge i in a route's key; the
// last edge's ID is followed by nothing, the others by "|".
func routeByte(r []*Edge, i, p int) int {
	if p < len(r[i].ID) {
		return int(r[i].ID[p])
	}
	if i == len(r)-1 {
		return -1 // end of key: only reached when comparing a prefix
	}
	return '|'
}

// maxRoute bounds a route's length: identity hops, the access edge and a
// COVERS chain of up to 4 (see Reachers).
const maxRoute = maxPathDepth + 6

// Reach answers "what can this principal or workload reach": it follows
// RUNS_AS, CAN_ASSUME and CAN_ESCALATE from the origin (breadth first, up
// to MaxDepth hops, each identity visited once by its shortest route) and
// collects the CAN_ACCESS and CAN_INVOKE edges of every identity reached.
// Each target carries the shortest route to it and the conditions along it,
// and the actions of every route to it.
func Reach(ctx context.Context, src Source, from string, opts ReachOptions) (ReachResult, error) {
	origin, err := lookupNode(ctx, src, from)
	if err != nil {
		return ReachResult{}, err
	}
	w := newWalker(ctx, src)
	st, done := w.state()
	defer done()
	o := st.touch(w.number(from))
	order := []int32{o}
	frontier := []int32{o}
	for d := 0; d < opts.depth() && len(frontier) > 0; d++ {
		es, err := w.out(&st.level, frontier, IdentityEdges)
		if err != nil {
			return ReachResult{}, fmt.Errorf("reach from %s: %w", from, err)
		}
		var next []int32
		for _, e := range es {
			if opts.ExcludeConditions && e.Conditional {
				continue
			}
			if st.seen(e.to) {
				continue
			}
			// A route is extended only from the end of its own shortest route.
			if !kindIn(e.Kind, IdentityEdges) {
				continue
			}
			r := make([]*Edge, d+1)
			copy(r, st.route[e.from])
			r[d] = e.Edge
			st.route[st.touch(e.to)] = r
			next = append(next, e.to)
			order = append(order, e.to)
		}
		frontier = next
	}
	// routeTo writes a route to an identity, then e, into buf.
	routeTo := func(buf *[maxRoute]*Edge, r []*Edge, e *Edge) []*Edge {
		return append(append(buf[:0], r...), e)
	}

	es, err := w.out(&st.access, order, accessEdges)
	if err != nil {
		return ReachResult{}, fmt.Errorf("reach from %s: %w", from, err)
	}
	// First pass: the best (shortest, then lowest key) route to each target.
	// slot[i] is the target of es[i] (-1: the edge does not count);
	// st.slot[x] is 1 + the slot of node x (0: none).
	type target struct {
		best    *Edge
		r       []*Edge // the route to best.From
		keep    bool
		actions grantUnion
	}
	var targets []target
	slot := make([]int32, len(es))
	var ba, bb [maxRoute]*Edge
	for i, e := range es {
		slot[i] = -1
		if opts.ExcludeConditions && e.Conditional {
			continue
		}
		if !anyGrant(e.Edge, opts) {
			continue
		}
		r := st.route[e.from]
		to := st.touch(e.to)
		k := st.slot[to] - 1
		if k < 0 {
			k = int32(len(targets))
			st.slot[to] = k + 1
			targets = append(targets, target{best: e.Edge, r: r})
		} else if t := &targets[k]; len(r) < len(t.r) || len(r) == len(t.r) && routeBefore(routeTo(&ba, r, e.Edge), routeTo(&bb, t.r, t.best)) {
			t.best, t.r = e.Edge, r
		}
		slot[i] = k
	}
	cands := make([]cand, len(targets))
	for i, t := range targets {
		cands[i] = cand{len(t.r) + 1, t.best.To}
	}
	nodes, truncated, err := topTargets(ctx, src, cands, opts, func(n Node) bool { return typeMatches(n, opts.ResourceTypes) })
	if err != nil {
		return ReachResult{}, err
	}
	// Second pass: the actions of every route to the targets kept, merged
	// in edge order.
	for _, n := range nodes {
		targets[st.slot[w.number(n.ID)]-1].keep = true
	}
	for i, e := range es {
		if slot[i] < 0 || !targets[slot[i]].keep {
			continue
		}
		t := &targets[slot[i]]
		grants := filterGrants(*e.Edge, opts)
		if len(grants) == 0 {
			continue
		}
		t.actions.add(grants)
	}
	res := ReachResult{Origin: origin, Targets: make([]ReachTarget, 0, len(nodes)), Truncated: truncated}
	var buf [maxRoute]*Edge
	for _, n := range nodes {
		t := targets[st.slot[w.number(n.ID)]-1]
		p := refsRoute(routeTo(&buf, t.r, t.best)).path(from)
		res.Targets = append(res.Targets, ReachTarget{Node: n, Actions: t.actions.gs, Path: p, Conditions: p.Conditions})
	}
	return finishResult(ctx, src, res, opts)
}

// refsRoute copies a route held by reference.
func refsRoute(r []*Edge) route {
	out := make(route, len(r))
	for i, e := range r {
		out[i] = *e
	}
	return out
}

// anyGrant says whether any of an access edge's grants passes the filters
// (filterGrants would return some), without allocating.
func anyGrant(e *Edge, opts ReachOptions) bool {
	if !opts.ExcludeConditions && len(opts.Actions) == 0 && len(opts.AccessLevels) == 0 {
		return len(e.Actions) > 0
	}
	return len(filterGrants(*e, opts)) > 0
}

// cand is a target with the length of its route.
type cand struct {
	n  int
	id string
}

// topTargets returns the nodes of the first Limit candidates that exist and
// pass keep, ordered by route length then ID, and whether more were left
// out. Only the nodes it needs are fetched.
func topTargets(ctx context.Context, src Source, cs []cand, opts ReachOptions, keep func(Node) bool) ([]Node, bool, error) {
	less := func(a, b cand) bool {
		if a.n != b.n {
			return a.n < b.n
		}
		return a.id < b.id
	}
	// Usually only the first Limit+1 are needed: select them, then sort
	// those; the rest is sorted only if the keep filter drops some.
	sorted := 0
	sortNext := func(k int) {
		k = min(k, len(cs))
		if k <= sorted {
			return
		}
		rest := cs[sorted:]
		selectFirst(rest, k-sorted, less)
		sort.Slice(rest[:k-sorted], func(a, b int) bool { return less(rest[a], rest[b]) })
		sorted = k
	}
	limit := opts.limit()
	var out []Node
	for start := 0; start < len(cs) && len(out) <= limit; {
		end := min(len(cs), start+limit+1-len(out))
		sortNext(end)
		chunk := make([]string, 0, end-start)
		for _, c := range cs[start:end] {
			chunk = append(chunk, c.id)
		}
		ns, err := src.Nodes(ctx, chunk)
		if err != nil {
			return nil, false, err
		}
		byID := make(map[string]Node, len(ns))
		for _, n := range ns {
			byID[n.ID] = n
		}
		for _, id := range chunk {
			if n, ok := byID[id]; ok && keep(n) {
				out = append(out, n)
			}
		}
		start = end
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// selectFirst reorders xs so that its k least elements (by less, a strict
// total order) come first, in no particular order (quickselect).
func selectFirst[T any](xs []T, k int, less func(a, b T) bool) {
	lo, hi := 0, len(xs)-1
	for lo < hi && k > lo && k <= hi {
		// Median of three as the pivot, moved to hi.
		mid := lo + (hi-lo)/2
		if less(xs[mid], xs[lo]) {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if less(xs[hi], xs[lo]) {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if less(xs[mid], xs[hi]) {
			xs[mid], xs[hi] = xs[hi], xs[mid]
		}
		p := lo
		for i := lo; i < hi; i++ {
			if less(xs[i], xs[hi]) {
				xs[i], xs[p] = xs[p], xs[i]
				p++
			}
		}
		xs[p], xs[hi] = xs[hi], xs[p]
		// xs[lo:p] < pivot = xs[p] < xs[p+1:hi+1]
		switch {
		case k <= p:
			hi = p - 1
		case k > p+1:
			lo = p + 1
		default:
			return
		}
	}
}

// Reachers answers "who can reach this resource": the principals and
// workloads with a CAN_ACCESS or CAN_INVOKE edge to it (or to a scope or
// pattern that COVERS it), and everything that can run as, assume or
// escalate to those, up to MaxDepth identity hops. Each target carries its
// shortest route to the resource.
func Reachers(ctx context.Context, src Source, to string, opts ReachOptions) (ReachResult, error) {
	origin, err := lookupNode(ctx, src, to)
	if err != nil {
		return ReachResult{}, err
	}
	w := newWalker(ctx, src)
	st, done := w.state()
	defer done()
	// tailOf[x] is the COVERS chain from node x down to the resource;
	// coveringN lists x (the resource and what covers it), by number.
	o := w.number(to)
	tailOf := map[int32][]*Edge{o: nil}
	coveringN := []int32{o}
	frontier := []int32{o}
	for d := 0; d < 4 && len(frontier) > 0; d++ {
		es, err := w.in(&st.level, frontier, []EdgeKind{EdgeCovers})
		if err != nil {
			return ReachResult{}, fmt.Errorf("who can reach %s: %w", to, err)
		}
		var next []int32
		for _, e := range es {
			if _, seen := tailOf[e.from]; seen {
				continue
			}
			tailOf[e.from] = append([]*Edge{e.Edge}, tailOf[e.to]...)
			coveringN = append(coveringN, e.from)
			next = append(next, e.from)
		}
		frontier = next
	}
	es, err := w.in(&st.access, coveringN, accessEdges)
	if err != nil {
		return ReachResult{}, fmt.Errorf("who can reach %s: %w", to, err)
	}
	// Through a scope or pattern only actions that can act on this
	// resource's type count (s3:ListAllMyBuckets on the S3 scope does not
	// reach a bucket); applies caches that per action.
	applies := map[string]bool{}
	grantsOf := func(e ref) []ActionGrant {
		grants := filterGrants(*e.Edge, opts)
		if len(tailOf[e.to]) > 0 {
			grants = applicableGrantsCached(grants, origin.Type, applies)
		}
		return grants
	}
	// st.hop[x] is the first edge of x's shortest route to the resource: an
	// access edge for the principals that hold one, an identity edge for
	// those that reach such a principal; st.n[x] is the route's length.
	// found lists the nodes with a route; byLen counts them by length.
	var found []int32
	var byLen [maxRoute + 1]int
	routeFrom := func(buf *[maxRoute]*Edge, x int32) []*Edge {
		r := buf[:0]
		for {
			e := st.hop[x]
			r = append(r, e.Edge)
			if kindIn(e.Kind, accessEdges) {
				return append(r, tailOf[e.to]...)
			}
			x = e.to
		}
	}
	var ba, bb [maxRoute]*Edge
	for _, e := range es {
		if opts.ExcludeConditions && e.Conditional {
			continue
		}
		if len(grantsOf(e)) == 0 {
			continue
		}
		l := int32(1 + len(tailOf[e.to]))
		x := st.touch(e.from)
		switch {
		case st.hop[x].Edge == nil:
			st.hop[x], st.n[x] = e, l
			found = append(found, x)
		case l < st.n[x] || l == st.n[x] && routeBefore(append(append(ba[:0], e.Edge), tailOf[e.to]...), routeFrom(&bb, x)):
			st.hop[x], st.n[x] = e, l
		}
	}
	for _, x := range found {
		byLen[min(int(st.n[x]), maxRoute)]++
	}
	wave := slices.Clone(found)
	limit := opts.limit()
	for d := 0; d < opts.depth() && len(wave) > 0; d++ {
		// Principals not found yet have routes of at least d+2 edges: once
		// more than Limit are found with d+1 or fewer, the answer is known.
		settled := 0
		for l := 0; l <= min(d+1, maxRoute); l++ {
			settled += byLen[l]
		}
		if settled > limit {
			break
		}
		es, err := w.in(&st.level, wave, IdentityEdges)
		if err != nil {
			return ReachResult{}, fmt.Errorf("who can reach %s: %w", to, err)
		}
		var next []int32
		for _, e := range es {
			if opts.ExcludeConditions && e.Conditional {
				continue
			}
			if st.seen(e.from) && st.hop[e.from].Edge != nil {
				continue
			}
			x := st.touch(e.from)
			st.hop[x], st.n[x] = e, 1+st.n[e.to]
			byLen[min(int(st.n[x]), maxRoute)]++
			found = append(found, x)
			next = append(next, x)
		}
		wave = next
	}
	cands := make([]cand, len(found))
	for i, x := range found {
		cands[i] = cand{int(st.n[x]), w.id(x)}
	}
	nodes, truncated, err := topTargets(ctx, src, cands, opts, func(Node) bool { return true })
	if err != nil {
		return ReachResult{}, err
	}
	// The actions of the principals whose access edges the routes kept end
	// in: every access edge they hold toward the resource, merged in edge
	// order. st.slot[holder] is 1 + its index in holders.
	var holders []grantUnion
	holderOf := func(x int32) int32 {
		for {
			e := st.hop[x]
			if kindIn(e.Kind, accessEdges) {
				return e.from
			}
			x = e.to
		}
	}
	for _, nd := range nodes {
		if h := holderOf(w.number(nd.ID)); st.slot[h] == 0 {
			holders = append(holders, grantUnion{})
			st.slot[h] = int32(len(holders))
		}
	}
	for _, e := range es {
		if !st.seen(e.from) || st.slot[e.from] == 0 || opts.ExcludeConditions && e.Conditional {
			continue
		}
		grants := grantsOf(e)
		if len(grants) == 0 {
			continue
		}
		holders[st.slot[e.from]-1].add(grants)
	}
	res := ReachResult{Origin: origin, Targets: make([]ReachTarget, 0, len(nodes)), Truncated: truncated}
	var buf [maxRoute]*Edge
	for _, nd := range nodes {
		x := w.number(nd.ID)
		acts := holders[st.slot[holderOf(x)]-1].gs
		p := refsRoute(routeFrom(&buf, x)).path(nd.ID)
		res.Targets = append(res.Targets, ReachTarget{Node: nd, Actions: acts, Path: p, Conditions: p.Conditions})
	}
	return finishResult(ctx, src, res, opts)
}

// finishResult sorts the targets (shortest route first, then ID), applies
// the limit, draws the subgraph and attaches the relevant gaps.
func finishResult(ctx context.Context, src Source, res ReachResult, opts ReachOptions) (ReachResult, error) {
	sort.SliceStable(res.Targets, func(a, b int) bool {
		ta, tb := res.Targets[a], res.Targets[b]
		if len(ta.Path.Edges) != len(tb.Path.Edges) {
			return len(ta.Path.Edges) < len(tb.Path.Edges)
		}
		return ta.Node.ID < tb.Node.ID
	})
	if len(res.Targets) > opts.limit() {
		res.Targets = res.Targets[:opts.limit()]
		res.Truncated = true
	}
	ids := []string{res.Origin.ID}
	edges := map[string]Edge{}
	accounts := map[string]bool{res.Origin.Account: true}
	for _, t := range res.Targets {
		ids = append(ids, t.Path.Nodes...)
		for _, e := range t.Path.Edges {
			edges[e.ID] = e
		}
		accounts[t.Node.Account] = true
	}
	nodes, err := nodesSorted(ctx, src, ids)
	if err != nil {
		return ReachResult{}, err
	}
	for _, n := range nodes {
		accounts[n.Account] = true
	}
	res.Graph = Subgraph{Nodes: nodes, Edges: make([]Edge, 0, len(edges))}
	for _, e := range edges {
		res.Graph.Edges = append(res.Graph.Edges, e)
	}
	sortEdges(res.Graph.Edges)
	if ms, ok := src.(interface {
		Meta(ctx context.Context) (Meta, error)
	}); ok {
		meta, err := ms.Meta(ctx)
		if err != nil {
			return ReachResult{}, err
		}
		for _, g := range meta.Gaps {
			if g.Account == "" || accounts[g.Account] {
				res.Gaps = append(res.Gaps, g)
			}
		}
	}
	return res, nil
}

func kindIn(k EdgeKind, ks []EdgeKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// filterGrants returns the action grants of an access edge that pass the
// action, access-level and condition filters.
func filterGrants(e Edge, opts ReachOptions) []ActionGrant {
	var out []ActionGrant
	for _, g := range e.Actions {
		if opts.ExcludeConditions && g.Condition != "" {
			continue
		}
		if len(opts.Actions) > 0 {
			ok := false
			for _, p := range opts.Actions {
				if excepted(g, p) {
					continue
				}
				if WildcardMatch(p, g.Action) || WildcardMatch(g.Action, p) {
					ok = true
					break
				}
			}
			if !ok {
				continue
			}
		}
		if len(opts.AccessLevels) > 0 && g.Level != LevelMixed {
			ok := false
			for _, l := range opts.AccessLevels {
				if strings.EqualFold(l, g.Level) {
					ok = true
					break
				}
			}
			if !ok {
				continue
			}
		}
		out = append(out, g)
	}
	return out
}

// excepted says whether a concrete action is one a compressed grant leaves out.
func excepted(g ActionGrant, action string) bool {
	for _, x := range g.Except {
		if strings.EqualFold(x, action) {
			return true
		}
	}
	return false
}

// applicableGrantsCached keeps the grants whose action may act on a
// resource of type rtype: wildcard actions, actions missing from the
// catalogue, and catalogue actions with a matching resource type. The
// answer per action is kept in cache (one cache per resource type).
func applicableGrantsCached(gs []ActionGrant, rtype string, cache map[string]bool) []ActionGrant {
	if rtype == "" {
		return gs
	}
	var out []ActionGrant
	for _, g := range gs {
		ok, known := cache[g.Action]
		if !known {
			ok = strings.ContainsAny(g.Action, "*?") || len(applicable([]string{g.Action}, rtype)) > 0
			cache[g.Action] = ok
		}
		if ok {
			out = append(out, g)
		}
	}
	return out
}

// grantUnion accumulates the actions of every route to a target: the first
// list as it is, then each further one merged in (mergeGrants).
type grantUnion struct {
	gs     []ActionGrant
	merged bool // gs came out of mergeGrants: sorted, without duplicates
}

func (u *grantUnion) add(grants []ActionGrant) {
	switch {
	case u.gs == nil:
		u.gs = grants
	case u.merged && subsetOf(grants, u.gs):
		// Merging would give gs again: SortGrants leaves a sorted list as
		// it is (pdqsort returns at once on sorted input), and nothing is new.
	default:
		u.gs, u.merged = mergeGrants(u.gs, grants), true
	}
}

// subsetOf says whether every grant of a is in b.
func subsetOf(a, b []ActionGrant) bool {
	for _, g := range a {
		if !slices.ContainsFunc(b, func(x ActionGrant) bool { return sameGrant(x, g) }) {
			return false
		}
	}
	return true
}

// mergeGrants is the sorted union of two grant lists.
func mergeGrants(a, b []ActionGrant) []ActionGrant {
	out := make([]ActionGrant, 0, len(a)+len(b))
	if len(a)+len(b) <= 32 {
		// Short lists (nearly all): compare in place, no keys built.
		for _, list := range [][]ActionGrant{a, b} {
			for _, g := range list {
				if !slices.ContainsFunc(out, func(x ActionGrant) bool { return sameGrant(x, g) }) {
					out = append(out, g)
				}
			}
		}
	} else {
		seen := map[string]bool{}
		for _, list := range [][]ActionGrant{a, b} {
			for _, g := range list {
				k := grantKey(g)
				if !seen[k] {
					seen[k] = true
					out = append(out, g)
				}
			}
		}
	}
	SortGrants(out)
	return out
}

// sameGrant says whether two grants are the same (grantKey equal).
func sameGrant(x, y ActionGrant) bool {
	return x.Action == y.Action && x.Level == y.Level && x.Condition == y.Condition && x.Resource == y.Resource &&
		strings.Join(x.Except, ",") == strings.Join(y.Except, ",")
}

// grantKey identifies a grant (ActionGrant holds a slice, so it is not comparable).
func grantKey(g ActionGrant) string {
	return g.Action + "\x00" + g.Level + "\x00" + g.Condition + "\x00" + g.Resource + "\x00" + strings.Join(g.Except, ",")
}

// SortGrants orders grants by action, then condition.
func SortGrants(gs []ActionGrant) {
	sort.Slice(gs, func(i, j int) bool {
		if !strings.EqualFold(gs[i].Action, gs[j].Action) {
			return strings.ToLower(gs[i].Action) < strings.ToLower(gs[j].Action)
		}
		return gs[i].Condition < gs[j].Condition
	})
}

// typeMatches applies a resource-type filter: "s3:bucket" matches that
// type, "s3" matches every S3 type and the S3 scope.
func typeMatches(n Node, types []string) bool {
	if len(types) == 0 {
		return true
	}
	svc := n.Type
	if i := strings.IndexByte(svc, ':'); i >= 0 {
		svc = svc[:i]
	}
	for _, t := range types {
		t = strings.ToLower(t)
		if t == strings.ToLower(n.Type) || t == strings.ToLower(svc) {
			return true
		}
		if n.Kind != KindResource && strings.HasPrefix(t, strings.ToLower(svc)+":") {
			return true // a scope or pattern of the service may hold that type
		}
	}
	return false
}

// WildcardMatch matches an IAM-style pattern (* and ?) against s,
// case-insensitively (ASCII), without allocating: for action names.
func WildcardMatch(pattern, s string) bool { return globMatch(pattern, s, true) }

// Glob matches a pattern (* and ?) against s case-sensitively, as ARNs and
// IDs compare, without allocating.
func Glob(pattern, s string) bool { return globMatch(pattern, s, false) }

func globMatch(pattern, s string, fold bool) bool {
	lower := func(c byte) byte {
		if fold && 'A' <= c && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	// Iterative glob matching with backtracking on the last star.
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(s) {
		switch {
		case pi < len(pattern) && (pattern[pi] == '?' || lower(pattern[pi]) == lower(s[ti])):
			pi++
			ti++
		case pi < len(pattern) && pattern[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}

// pathKinds are the edges a path may use. After an access edge only COVERS
// may follow (reaching a function does not give its role).
var pathKinds = []EdgeKind{EdgeRunsAs, EdgeCanAssume, EdgeCanEscalate, EdgeCanAccess, EdgeCanInvoke, EdgeCovers}

// FindPaths returns the paths from one node to another over identity,
// access and COVERS edges: shortest first, then longer simple paths, up to
// MaxDepth edges and Limit paths.
func FindPaths(ctx context.Context, src Source, from, to string, opts PathOptions) ([]Path, error) {
	if _, err := lookupNode(ctx, src, from); err != nil {
		return nil, err
	}
	if _, err := lookupNode(ctx, src, to); err != nil {
		return nil, err
	}
	depth := opts.MaxDepth
	if depth <= 0 {
		depth = defaultMaxDepth
	}
	if depth > maxPathDepth {
		depth = maxPathDepth
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = defaultPathLimit
	}
	if from == to {
		return []Path{}, nil
	}
	// Fetch the neighbourhood level by level (one Source call per level).
	adj := map[string][]Edge{}
	fetched := map[string]bool{}
	frontier := []string{from}
	for d := 0; d < depth && len(frontier) > 0; d++ {
		for _, id := range frontier {
			fetched[id] = true
		}
		es, err := src.OutEdges(ctx, frontier, pathKinds)
		if err != nil {
			return nil, fmt.Errorf("paths from %s: %w", from, err)
		}
		sortEdges(es)
		var next []string
		for _, e := range es {
			adj[e.From] = append(adj[e.From], e)
			if !fetched[e.To] && e.To != to {
				fetched[e.To] = true
				next = append(next, e.To)
			}
		}
		sort.Strings(next)
		frontier = uniqueSorted(next)
	}
	// dist[x]: fewest edges from x to the target within the fetched edges.
	rev := map[string][]string{}
	for _, es := range adj {
		for _, e := range es {
			rev[e.To] = append(rev[e.To], e.From)
		}
	}
	dist := map[string]int{to: 0}
	queue := []string{to}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, y := range rev[x] {
			if _, ok := dist[y]; !ok {
				dist[y] = dist[x] + 1
				queue = append(queue, y)
			}
		}
	}
	if _, ok := dist[from]; !ok {
		return []Path{}, nil
	}
	var out []Path
	onPath := map[string]bool{from: true}
	var cur route
	var walk func(node string, afterAccess bool, length int)
	walk = func(node string, afterAccess bool, length int) {
		if len(out) >= limit {
			return
		}
		if node == to {
			if len(cur) == length {
				out = append(out, cur.path(from))
			}
			return
		}
		for _, e := range adj[node] {
			if afterAccess && e.Kind != EdgeCovers {
				continue
			}
			d, ok := dist[e.To]
			if !ok || onPath[e.To] || len(cur)+1+d > length {
				continue
			}
			onPath[e.To] = true
			cur = append(cur, e)
			walk(e.To, afterAccess || e.Kind == EdgeCanAccess || e.Kind == EdgeCanInvoke || e.Kind == EdgeCovers, length)
			cur = cur[:len(cur)-1]
			delete(onPath, e.To)
		}
	}
	for length := dist[from]; length <= depth && len(out) < limit; length++ {
		walk(from, false, length)
	}
	if out == nil {
		out = []Path{}
	}
	return out, nil
}
