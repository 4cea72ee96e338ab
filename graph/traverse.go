package graph

import (
	"context"
	"fmt"
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

// Reach answers "what can this principal or workload reach": it follows
// RUNS_AS, CAN_ASSUME and CAN_ESCALATE from the origin (breadth first, up
// to MaxDepth hops, each identity visited once by its shortest route) and
// collects the CAN_ACCESS and CAN_INVOKE edges of every identity reached.
// Each target carries the shortest route to it and the conditions along it.
func Reach(ctx context.Context, src Source, from string, opts ReachOptions) (ReachResult, error) {
	origin, err := lookupNode(ctx, src, from)
	if err != nil {
		return ReachResult{}, err
	}
	routes := map[string]route{from: nil}
	order := []string{from}
	frontier := []string{from}
	for d := 0; d < opts.depth() && len(frontier) > 0; d++ {
		es, err := src.OutEdges(ctx, frontier, IdentityEdges)
		if err != nil {
			return ReachResult{}, fmt.Errorf("reach from %s: %w", from, err)
		}
		sortEdges(es)
		var next []string
		for _, e := range es {
			if opts.ExcludeConditions && e.Conditional {
				continue
			}
			if _, seen := routes[e.To]; seen {
				continue
			}
			// A route is extended only from the end of its own shortest route.
			if !kindIn(e.Kind, IdentityEdges) {
				continue
			}
			routes[e.To] = append(append(route{}, routes[e.From]...), e)
			next = append(next, e.To)
			order = append(order, e.To)
		}
		sort.Strings(next)
		frontier = next
	}

	es, err := src.OutEdges(ctx, order, accessEdges)
	if err != nil {
		return ReachResult{}, fmt.Errorf("reach from %s: %w", from, err)
	}
	sortEdges(es)
	type acc struct {
		r       route
		actions []ActionGrant
	}
	best := map[string]*acc{}
	for _, e := range es {
		if opts.ExcludeConditions && e.Conditional {
			continue
		}
		grants := filterGrants(e, opts)
		if len(grants) == 0 {
			continue
		}
		r := append(append(route{}, routes[e.From]...), e)
		a, ok := best[e.To]
		if !ok {
			best[e.To] = &acc{r: r, actions: grants}
			continue
		}
		if r.key() < a.r.key() {
			a.r = r
		}
		a.actions = mergeGrants(a.actions, grants)
	}
	ids := make([]string, 0, len(best))
	for id := range best {
		ids = append(ids, id)
	}
	nodes, err := nodesSorted(ctx, src, ids)
	if err != nil {
		return ReachResult{}, err
	}
	res := ReachResult{Origin: origin, Targets: []ReachTarget{}}
	for _, n := range nodes {
		if !typeMatches(n, opts.ResourceTypes) {
			continue
		}
		a := best[n.ID]
		p := a.r.path(from)
		res.Targets = append(res.Targets, ReachTarget{Node: n, Actions: a.actions, Path: p, Conditions: p.Conditions})
	}
	return finishResult(ctx, src, res, opts)
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
	// tails[x] is the COVERS chain from x down to the resource.
	tails := map[string]route{to: nil}
	frontier := []string{to}
	for d := 0; d < 4 && len(frontier) > 0; d++ {
		es, err := src.InEdges(ctx, frontier, []EdgeKind{EdgeCovers})
		if err != nil {
			return ReachResult{}, fmt.Errorf("who can reach %s: %w", to, err)
		}
		sortEdges(es)
		var next []string
		for _, e := range es {
			if _, seen := tails[e.From]; seen {
				continue
			}
			tails[e.From] = append(route{e}, tails[e.To]...)
			next = append(next, e.From)
		}
		sort.Strings(next)
		frontier = next
	}
	covering := make([]string, 0, len(tails))
	for id := range tails {
		covering = append(covering, id)
	}
	sort.Strings(covering)
	es, err := src.InEdges(ctx, covering, accessEdges)
	if err != nil {
		return ReachResult{}, fmt.Errorf("who can reach %s: %w", to, err)
	}
	sortEdges(es)
	type acc struct {
		r       route // from this principal to the resource
		actions []ActionGrant
	}
	best := map[string]*acc{}
	for _, e := range es {
		if opts.ExcludeConditions && e.Conditional {
			continue
		}
		grants := filterGrants(e, opts)
		if len(tails[e.To]) > 0 {
			// Through a scope or pattern: only actions that can act on this
			// resource's type count (s3:ListAllMyBuckets on the S3 scope
			// does not reach a bucket).
			grants = applicableGrants(grants, origin.Type)
		}
		if len(grants) == 0 {
			continue
		}
		r := append(route{e}, tails[e.To]...)
		a, ok := best[e.From]
		if !ok {
			best[e.From] = &acc{r: r, actions: grants}
			continue
		}
		if r.key() < a.r.key() {
			a.r = r
		}
		a.actions = mergeGrants(a.actions, grants)
	}
	frontier = frontier[:0]
	for id := range best {
		frontier = append(frontier, id)
	}
	sort.Strings(frontier)
	for d := 0; d < opts.depth() && len(frontier) > 0; d++ {
		es, err := src.InEdges(ctx, frontier, IdentityEdges)
		if err != nil {
			return ReachResult{}, fmt.Errorf("who can reach %s: %w", to, err)
		}
		sortEdges(es)
		var next []string
		for _, e := range es {
			if opts.ExcludeConditions && e.Conditional {
				continue
			}
			if _, seen := best[e.From]; seen {
				continue
			}
			down := best[e.To]
			best[e.From] = &acc{r: append(route{e}, down.r...), actions: down.actions}
			next = append(next, e.From)
		}
		sort.Strings(next)
		frontier = next
	}
	ids := make([]string, 0, len(best))
	for id := range best {
		ids = append(ids, id)
	}
	nodes, err := nodesSorted(ctx, src, ids)
	if err != nil {
		return ReachResult{}, err
	}
	res := ReachResult{Origin: origin, Targets: []ReachTarget{}}
	for _, n := range nodes {
		a := best[n.ID]
		p := a.r.path(n.ID)
		res.Targets = append(res.Targets, ReachTarget{Node: n, Actions: a.actions, Path: p, Conditions: p.Conditions})
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

// applicableGrants keeps the grants whose action may act on a resource of
// type rtype: wildcard actions, actions missing from the catalogue, and
// catalogue actions with a matching resource type.
func applicableGrants(gs []ActionGrant, rtype string) []ActionGrant {
	if rtype == "" {
		return gs
	}
	var out []ActionGrant
	for _, g := range gs {
		if strings.ContainsAny(g.Action, "*?") || len(applicable([]string{g.Action}, rtype)) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// mergeGrants is the sorted union of two grant lists.
func mergeGrants(a, b []ActionGrant) []ActionGrant {
	seen := map[string]bool{}
	var out []ActionGrant
	for _, list := range [][]ActionGrant{a, b} {
		for _, g := range list {
			k := grantKey(g)
			if !seen[k] {
				seen[k] = true
				out = append(out, g)
			}
		}
	}
	SortGrants(out)
	return out
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
