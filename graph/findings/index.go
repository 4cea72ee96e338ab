package findings

import (
	"crypto/sha256"
	"sort"
	"strings"

	"github.com/iamreach/iamreach/graph"
)

// index is an adjacency view of a whole graph.Graph. Findings are computed
// over every principal at build time, so they walk memory directly instead
// of asking a Store one question at a time.
type index struct {
	nodes map[string]*graph.Node
	out   map[string][]*graph.Edge
	in    map[string][]*graph.Edge
	// inside holds the account IDs of the inventory (the organization).
	inside map[string]bool
	// covers memoizes the resources a scope or pattern stands for.
	covers    map[string][]string
	coverSets map[string]map[string]bool
}

func newIndex(g *graph.Graph, inside map[string]bool) *index {
	ix := &index{
		nodes:  make(map[string]*graph.Node, len(g.Nodes)),
		out:    map[string][]*graph.Edge{},
		in:     map[string][]*graph.Edge{},
		inside: inside,
		covers: map[string][]string{},
	}
	for i := range g.Nodes {
		ix.nodes[g.Nodes[i].ID] = &g.Nodes[i]
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		ix.out[e.From] = append(ix.out[e.From], e)
		ix.in[e.To] = append(ix.in[e.To], e)
	}
	for _, es := range ix.out {
		sort.Slice(es, func(i, j int) bool { return es[i].ID < es[j].ID })
	}
	for _, es := range ix.in {
		sort.Slice(es, func(i, j int) bool { return es[i].ID < es[j].ID })
	}
	return ix
}

func isIdentityEdge(k graph.EdgeKind) bool {
	return k == graph.EdgeRunsAs || k == graph.EdgeCanAssume || k == graph.EdgeCanEscalate
}

func isAccessEdge(k graph.EdgeKind) bool {
	return k == graph.EdgeCanAccess || k == graph.EdgeCanInvoke
}

// external says whether a node stands outside the organization: an account
// marked external, or any principal whose account is not in the inventory.
// Identity providers and service principals are judged separately.
func (ix *index) external(n *graph.Node) bool {
	if n == nil {
		return false
	}
	if n.Props["external"] == "true" {
		return true
	}
	switch n.Kind {
	case graph.KindAccount, graph.KindUser, graph.KindRole, graph.KindGroup:
		return n.Account != "" && !ix.inside[n.Account]
	}
	return false
}

// resourcesOf expands a CAN_ACCESS target to the inventory resources it
// stands for: itself when it is a resource, else what its scope or pattern
// COVERS (transitively: patterns may cover narrower patterns).
func (ix *index) resourcesOf(id string) []string {
	n := ix.nodes[id]
	if n == nil {
		return nil
	}
	if n.Kind != graph.KindScope && n.Kind != graph.KindPattern {
		return []string{id}
	}
	if rs, ok := ix.covers[id]; ok {
		return rs
	}
	seen := map[string]bool{id: true}
	var out []string
	stack := []string{id}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, e := range ix.out[cur] {
			if e.Kind != graph.EdgeCovers || seen[e.To] {
				continue
			}
			seen[e.To] = true
			if t := ix.nodes[e.To]; t != nil && (t.Kind == graph.KindScope || t.Kind == graph.KindPattern) {
				stack = append(stack, e.To)
			} else {
				out = append(out, e.To)
			}
		}
	}
	sort.Strings(out)
	ix.covers[id] = out
	return out
}

// hop is how an identity was reached: the edge into it and where it came from.
type hop struct {
	edge  *graph.Edge
	depth int
}

// identities walks RUNS_AS, CAN_ASSUME and CAN_ESCALATE from origin,
// breadth first up to maxDepth hops, and returns for every identity reached
// the edge by which its shortest route enters it (nil for the origin).
func (ix *index) identities(origin string, maxDepth int) (map[string]hop, []string) {
	routes := map[string]hop{origin: {}}
	order := []string{origin}
	frontier := []string{origin}
	for d := 1; d <= maxDepth && len(frontier) > 0; d++ {
		var next []string
		for _, id := range frontier {
			for _, e := range ix.out[id] {
				if !isIdentityEdge(e.Kind) {
					continue
				}
				if _, seen := routes[e.To]; seen {
					continue
				}
				routes[e.To] = hop{edge: e, depth: d}
				next = append(next, e.To)
				order = append(order, e.To)
			}
		}
		sort.Strings(next)
		frontier = next
	}
	return routes, order
}

// route rebuilds the path from the origin to id out of identities' result.
func route(routes map[string]hop, origin, id string) graph.Path {
	var edges []graph.Edge
	for cur := id; cur != origin; {
		h, ok := routes[cur]
		if !ok || h.edge == nil {
			break
		}
		edges = append(edges, *h.edge)
		cur = h.edge.From
	}
	for i, j := 0, len(edges)-1; i < j; i, j = i+1, j-1 {
		edges[i], edges[j] = edges[j], edges[i]
	}
	return pathOf(origin, edges)
}

func pathOf(origin string, edges []graph.Edge) graph.Path {
	p := graph.Path{Nodes: []string{origin}, Edges: edges}
	seen := map[string]bool{}
	for _, e := range edges {
		p.Nodes = append(p.Nodes, e.To)
		if e.Condition != "" && !seen[e.Condition] {
			seen[e.Condition] = true
			p.Conditions = append(p.Conditions, e.Condition)
		}
	}
	return p
}

func extend(p graph.Path, e graph.Edge) graph.Path {
	edges := append(append([]graph.Edge{}, p.Edges...), e)
	return pathOf(p.Nodes[0], edges)
}

// reached is one resource reached from an origin.
type reached struct {
	resource string
	via      *graph.Edge // the CAN_ACCESS / CAN_INVOKE edge
	identity string      // the identity holding via
}

// reach lists every inventory resource the origin reaches (each once, by
// the first identity in breadth-first order that reaches it), with the
// identity routes so paths can be rebuilt.
func (ix *index) reach(origin string, maxDepth int) (map[string]hop, []reached) {
	routes, order := ix.identities(origin, maxDepth)
	seen := map[string]bool{}
	var out []reached
	for _, id := range order {
		for _, e := range ix.out[id] {
			if !isAccessEdge(e.Kind) {
				continue
			}
			for _, r := range ix.resourcesOf(e.To) {
				if seen[r] {
					continue
				}
				seen[r] = true
				out = append(out, reached{resource: r, via: e, identity: id})
			}
		}
	}
	return routes, out
}

// conditionOf joins the conditions of a path into one readable string.
func conditionOf(p graph.Path) string { return strings.Join(p.Conditions, " AND ") }

// Index is a read-only adjacency view of a built graph for whole-graph
// questions (diff, check): reach from every origin without a Store round
// trip per hop.
type Index struct{ ix *index }

// NewIndex indexes g. Accounts of non-external Account nodes count as
// inside the organization.
func NewIndex(g *graph.Graph) *Index {
	inside := map[string]bool{}
	for _, n := range g.Nodes {
		if n.Kind == graph.KindAccount && n.Props["external"] != "true" {
			inside[accountOf(n)] = true
		}
	}
	return &Index{ix: newIndex(g, inside)}
}

// Node returns a node by ID, or nil.
func (x *Index) Node(id string) *graph.Node { return x.ix.nodes[id] }

// Inside says whether an account belongs to the organization.
func (x *Index) Inside(account string) bool { return x.ix.inside[account] }

// External says whether a node stands outside the organization.
func (x *Index) External(n *graph.Node) bool { return x.ix.external(n) }

// IsWorkload says whether a node is a resource that runs as a role.
func (x *Index) IsWorkload(id string) bool {
	for _, e := range x.ix.out[id] {
		if e.Kind == graph.EdgeRunsAs {
			return true
		}
	}
	return false
}

// Origins lists the nodes a reach question starts from: users, roles,
// workloads, outside accounts and principals, identity providers and
// anyone, sorted.
func (x *Index) Origins() []string {
	var out []string
	for id, n := range x.ix.nodes {
		switch n.Kind {
		case graph.KindUser, graph.KindRole, graph.KindIdentityProvider, graph.KindAnonymous:
			out = append(out, id)
		case graph.KindAccount:
			if x.ix.external(n) {
				out = append(out, id)
			}
		case graph.KindResource:
			if x.IsWorkload(id) {
				out = append(out, id)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Reached is one inventory resource an origin reaches: every action
// granted to it along any route, and the shortest route (to the first
// grant found breadth first).
type Reached struct {
	Resource string
	Actions  []graph.ActionGrant
	Path     graph.Path
}

// Reach lists every inventory resource the origin reaches within maxDepth
// identity hops (0: 6), scopes and patterns expanded (a scope or pattern
// covering nothing is listed itself), sorted by resource.
func (x *Index) Reach(origin string, maxDepth int) []Reached {
	if maxDepth <= 0 {
		maxDepth = 6
	}
	routes, order := x.ix.identities(origin, maxDepth)
	at := map[string]int{}
	var out []Reached
	for _, id := range order {
		for _, e := range x.ix.out[id] {
			if !isAccessEdge(e.Kind) {
				continue
			}
			targets := x.ix.resourcesOf(e.To)
			if len(targets) == 0 {
				// A scope or pattern that matches nothing in the inventory is
				// still access (to resources created later, or not collected).
				targets = []string{e.To}
			}
			for _, r := range targets {
				i, ok := at[r]
				if !ok {
					i = len(out)
					at[r] = i
					p := extend(route(routes, origin, id), *e)
					if r != e.To {
						// End the route at the resource: the scope or pattern covers it.
						p = extend(p, graph.Edge{ID: "covers:" + e.To + "->" + r, Kind: graph.EdgeCovers, From: e.To, To: r})
					}
					out = append(out, Reached{Resource: r, Path: p})
				}
				out[i].Actions = mergeGrants(out[i].Actions, e.Actions)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Resource < out[j].Resource })
	return out
}

// mergeGrants unions grants by action; an unconditional grant wins over a
// conditional one for the same action.
func mergeGrants(a, b []graph.ActionGrant) []graph.ActionGrant {
	idx := map[string]int{}
	for i, g := range a {
		idx[strings.ToLower(g.Action)] = i
	}
	for _, g := range b {
		k := strings.ToLower(g.Action)
		if i, ok := idx[k]; ok {
			if a[i].Condition != "" && g.Condition == "" {
				a[i] = g
			}
			continue
		}
		idx[k] = len(a)
		a = append(a, g)
	}
	sort.Slice(a, func(i, j int) bool { return a[i].Action < a[j].Action })
	return a
}

// Light is the answer of ReachLight: what one origin reaches, without a
// path per resource (paths are built on demand), so whole-graph comparisons
// stay within the memory of one origin's answer.
type Light struct {
	origin string
	routes map[string]hop
	ix     *index
	conds  map[string]string // identity → conditions of its route, joined
	Items  []LightItem
}

// LightItem is one resource reached: every grant on it, each grant's
// Condition extended with the conditions of the route to the identity that
// holds it.
type LightItem struct {
	Resource string
	Grants   []graph.ActionGrant
	identity string
	via      *graph.Edge
}

// ReachLight is Reach without paths (see Light).
func (x *Index) ReachLight(origin string, maxDepth int) *Light {
	return x.ReachLightOnly(origin, maxDepth, nil)
}

// AccessTargets lists the targets of an identity's access edges, each
// expanded to the inventory resources it stands for (a target covering
// nothing is listed itself).
func (x *Index) AccessTargets(id string) []string {
	var out []string
	for _, e := range x.ix.out[id] {
		if !isAccessEdge(e.Kind) {
			continue
		}
		t := x.ix.resourcesOf(e.To)
		if len(t) == 0 {
			t = []string{e.To}
		}
		out = append(out, t...)
	}
	return out
}

// coverSet is resourcesOf as a set, memoized.
func (ix *index) coverSet(id string) map[string]bool {
	if ix.coverSets == nil {
		ix.coverSets = map[string]map[string]bool{}
	}
	if m, ok := ix.coverSets[id]; ok {
		return m
	}
	rs := ix.resourcesOf(id)
	m := make(map[string]bool, len(rs))
	for _, r := range rs {
		m[r] = true
	}
	ix.coverSets[id] = m
	return m
}

// ReachLightOnly is ReachLight restricted to the resources in only (nil:
// all): the cost is then per access edge and resource of interest, not per
// resource a scope covers.
func (x *Index) ReachLightOnly(origin string, maxDepth int, only map[string]bool) *Light {
	if maxDepth <= 0 {
		maxDepth = 6
	}
	routes, order := x.ix.identities(origin, maxDepth)
	l := &Light{origin: origin, routes: routes, ix: x.ix, conds: map[string]string{}}
	at := map[string]int{}
	for _, id := range order {
		rc := l.routeCond(id)
		for _, e := range x.ix.out[id] {
			if !isAccessEdge(e.Kind) {
				continue
			}
			var targets []string
			if only == nil {
				targets = x.ix.resourcesOf(e.To)
				if len(targets) == 0 {
					targets = []string{e.To}
				}
			} else {
				cs := x.ix.coverSet(e.To)
				for r := range only {
					if cs[r] || (len(cs) == 0 && r == e.To) || r == e.To {
						targets = append(targets, r)
					}
				}
				sort.Strings(targets)
			}
			for _, r := range targets {
				i, ok := at[r]
				if !ok {
					i = len(l.Items)
					at[r] = i
					l.Items = append(l.Items, LightItem{Resource: r, identity: id, via: e})
				}
				for _, g := range e.Actions {
					g.Condition = joinCond(rc, g.Condition)
					l.Items[i].Grants = append(l.Items[i].Grants, g)
				}
			}
		}
	}
	sort.Slice(l.Items, func(i, j int) bool { return l.Items[i].Resource < l.Items[j].Resource })
	return l
}

func joinCond(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "" || a == b:
		return a
	}
	return a + " AND " + b
}

// routeCond is the conjunction of the conditions on the route to an identity.
func (l *Light) routeCond(id string) string {
	if c, ok := l.conds[id]; ok {
		return c
	}
	c := conditionOf(route(l.routes, l.origin, id))
	l.conds[id] = c
	return c
}

// Path builds the route to item i: identities, the grant, and the COVERS
// hop when a scope or pattern stands for the resource.
func (l *Light) Path(i int) graph.Path {
	it := l.Items[i]
	p := extend(route(l.routes, l.origin, it.identity), *it.via)
	if it.Resource != it.via.To {
		p = extend(p, graph.Edge{ID: "covers:" + it.via.To + "->" + it.Resource, Kind: graph.EdgeCovers, From: it.via.To, To: it.Resource})
	}
	return p
}

// IdentityRoutes lists the identities an origin reaches (itself included)
// with the conditions on the route to each, joined.
func (x *Index) IdentityRoutes(origin string, maxDepth int) map[string]string {
	if maxDepth <= 0 {
		maxDepth = 6
	}
	routes, order := x.ix.identities(origin, maxDepth)
	out := make(map[string]string, len(order))
	for _, id := range order {
		out[id] = conditionOf(route(routes, origin, id))
	}
	return out
}

// AccessSignature is a digest of what one identity can do directly: its
// access edges' grants over the inventory resources each target stands
// for. Equal signatures in two graphs mean equal direct access.
func (x *Index) AccessSignature(id string) string {
	var parts []string
	for _, e := range x.ix.out[id] {
		if !isAccessEdge(e.Kind) {
			continue
		}
		var gs []string
		for _, g := range e.Actions {
			gs = append(gs, strings.ToLower(g.Action)+"?"+g.Condition)
		}
		sort.Strings(gs)
		targets := x.ix.resourcesOf(e.To)
		if len(targets) == 0 {
			targets = []string{e.To}
		}
		parts = append(parts, e.To+"|"+strings.Join(gs, ",")+"|"+strings.Join(targets, ","))
	}
	sort.Strings(parts)
	h := sha256.Sum256([]byte(strings.Join(parts, "\n")))
	return string(h[:])
}
