package graph

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/iamreach/iamreach/policy"
	"github.com/iamreach/iamreach/snapshot"
)

// BuildOptions tune the graph build.
type BuildOptions struct {
	// Logger receives progress and skipped-input warnings; nil discards them.
	Logger *slog.Logger
	// Workers is how many principals are evaluated in parallel; 0: GOMAXPROCS.
	Workers int
	// KnownAccounts labels accounts outside the inventory (vendors, partners):
	// account ID → name. External Account nodes get Props vendor=<name>.
	KnownAccounts map[string]string
}

// Build turns a snapshot into a graph. Every derived edge is a decision of
// the policy engine in discovery mode with the full policy set (identity
// and group policies, boundary, SCPs root→account, RCPs root→account,
// resource, trust and key policies). Bad policies do not stop the build:
// each is recorded in Meta.Gaps with where it was, and the rest is built.
func Build(snap *snapshot.Snapshot, opts BuildOptions) (*Graph, error) {
	if snap == nil {
		return nil, fmt.Errorf("build graph: no snapshot")
	}
	b := newBuilder(snap, opts)
	start := time.Now()
	b.compile()
	b.log.Info("build: policies compiled", "principals", len(b.prins), "resources", len(b.res.all), "elapsed", time.Since(start).Round(time.Millisecond))
	b.structure()
	b.derive()
	g := b.finish()
	b.log.Info("graph built", "nodes", len(g.Nodes), "edges", len(g.Edges), "gaps", len(g.Meta.Gaps), "elapsed", time.Since(start).Round(time.Millisecond))
	return g, nil
}

// builder holds the indexes of one build. After compile and structure it is
// read-only, so the derive workers share it without locks; what they
// produce goes into per-worker outputs merged at the end.
type builder struct {
	snap *snapshot.Snapshot
	opts BuildOptions
	log  *slog.Logger

	orgID    string
	mgmt     string
	units    map[string]snapshot.OrgUnit
	accounts map[string]*snapshot.Account
	// scps/rcps: account ID → levels root→account.
	scps map[string][]policy.OrgLevel
	rcps map[string][]policy.OrgLevel
	// orgPaths: account ID → aws:PrincipalOrgPaths value.
	orgPaths map[string]string

	managed   map[string]*compiled // managed policy ARN → compiled
	prins     []*principal
	prinByARN map[string]*principal
	// prinsByAcct: account → its users and roles, in snapshot order.
	prinsByAcct map[string][]*principal
	res         *resourceIndex
	roles       map[string]*principal // role ARN → principal

	nodes map[string]Node
	nmu   sync.RWMutex // guards nodes
	// edges are sharded by ID so parallel workers rarely wait for each other.
	edges [edgeShards]edgeShard
	gaps  []Gap
	mu    sync.Mutex // guards gaps
	// raws caches compacted statement JSON by policy and statement.
	raws sync.Map
	// fullAcc caches fullAccess by policy and statement.
	fullAcc sync.Map
	// applicTo caches applicableTo by pattern and type.
	applicTo sync.Map
	// applic caches, per inventory type, which actions apply to it.
	applic sync.Map
	// expanded caches catalogue expansions of action patterns.
	expanded sync.Map
	// classCache shares action classes between actors (see actionClasses).
	classCache sync.Map
	// matchers caches compiled resource patterns (see matcher).
	matchers sync.Map
	// shapes interns resource policy shapes (see setShape).
	shapes shapes
	// fullEvidence keeps org-policy allows that allow everything (why-not).
	fullEvidence bool
}

// compiled is a parsed policy with where it came from.
type compiled struct {
	named policy.NamedPolicy
	err   error
}

func newBuilder(snap *snapshot.Snapshot, opts BuildOptions) *builder {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	b := &builder{
		snap: snap, opts: opts, log: log,
		units:       map[string]snapshot.OrgUnit{},
		accounts:    map[string]*snapshot.Account{},
		scps:        map[string][]policy.OrgLevel{},
		rcps:        map[string][]policy.OrgLevel{},
		orgPaths:    map[string]string{},
		managed:     map[string]*compiled{},
		prinByARN:   map[string]*principal{},
		prinsByAcct: map[string][]*principal{},
		roles:       map[string]*principal{},
		nodes:       map[string]Node{},
		shapes:      shapes{},
	}
	for _, g := range snap.Gaps {
		b.gaps = append(b.gaps, Gap(g))
	}
	for i := range b.edges {
		b.edges[i].m = map[string]*Edge{}
	}
	return b
}

func (b *builder) gap(account, resource, code, msg string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gaps = append(b.gaps, Gap{Account: account, Resource: resource, Code: code, Error: fmt.Sprintf(msg, args...)})
	b.log.Warn("build: skipped input", "account", account, "resource", resource, "error", fmt.Sprintf(msg, args...))
}

// parse compiles one policy document; a bad one becomes a gap naming
// where it was, and nil.
func (b *builder) parse(account, id, name string, doc json.RawMessage) *policy.NamedPolicy {
	if len(doc) == 0 || string(doc) == "null" {
		return nil
	}
	p, err := policy.Parse(doc)
	if err != nil {
		b.gap(account, id, "MalformedPolicy", "policy %s (%s): %v", name, id, err)
		return nil
	}
	return &policy.NamedPolicy{ID: id, Name: name, Policy: p}
}

// compile parses every policy once and builds the principal and resource indexes.
func (b *builder) compile() {
	if org := b.snap.Organization; org != nil {
		b.orgID = org.ID
		b.mgmt = org.ManagementAccountID
		for _, u := range org.Units {
			b.units[u.ID] = u
		}
	}
	for i := range b.snap.Accounts {
		a := &b.snap.Accounts[i]
		b.accounts[a.ID] = a
		for _, mp := range a.Policies {
			if _, done := b.managed[mp.ARN]; done {
				continue
			}
			c := &compiled{}
			if np := b.parse(a.ID, mp.ARN, mp.Name, mp.Document); np != nil {
				c.named = *np
			} else {
				c.err = fmt.Errorf("unreadable")
			}
			b.managed[mp.ARN] = c
		}
	}
	b.compileOrg()
	b.res = newResourceIndex()
	for i := range b.snap.Accounts {
		a := &b.snap.Accounts[i]
		for j := range a.Resources {
			r := &a.Resources[j]
			rc := &resource{src: r, account: a.ID}
			if r.Account != "" {
				rc.account = r.Account
			}
			rc.named = b.parse(rc.account, r.ARN+"#policy", r.Name+" resource policy", r.Policy)
			b.setShape(rc)
			b.res.add(rc)
		}
	}
	for i := range b.snap.Accounts {
		b.compilePrincipals(&b.snap.Accounts[i])
	}
	for _, p := range b.prins {
		typ := "iam:user"
		if p.isRole {
			typ = "iam:role"
		}
		b.res.add(&resource{src: &snapshot.Resource{ARN: p.arn, Type: typ, Name: p.node.Name, Account: p.account, Tags: p.node.Tags}, account: p.account, principal: p})
	}
	for i := range b.snap.Accounts {
		a := &b.snap.Accounts[i]
		for _, g := range a.Groups {
			b.res.add(&resource{src: &snapshot.Resource{ARN: g.ARN, Type: "iam:group", Name: g.Name, Account: a.ID}, account: a.ID, principal: &principal{arn: g.ARN}})
		}
	}
	b.res.seal()
}

// compileOrg computes each account's SCP and RCP levels (root → OU … →
// account) and its aws:PrincipalOrgPaths.
func (b *builder) compileOrg() {
	org := b.snap.Organization
	if org == nil {
		return
	}
	byTarget := map[string][]policy.NamedPolicy{}
	rcpByTarget := map[string][]policy.NamedPolicy{}
	for _, op := range org.Policies {
		id := op.ARN
		if id == "" {
			id = op.ID
		}
		np := b.parse(org.ManagementAccountID, id, op.Name, op.Document)
		if np == nil {
			continue
		}
		for _, t := range op.Targets {
			switch op.Type {
			case snapshot.SCP:
				byTarget[t] = append(byTarget[t], *np)
			case snapshot.RCP:
				rcpByTarget[t] = append(rcpByTarget[t], *np)
			}
		}
	}
	for _, a := range b.snap.Accounts {
		if a.ParentID == "" {
			continue
		}
		var chain []string // account first, then up to the root
		chain = append(chain, a.ID)
		seen := map[string]bool{}
		for p := a.ParentID; p != "" && !seen[p]; p = b.units[p].ParentID {
			seen[p] = true
			if _, ok := b.units[p]; !ok {
				b.gap(a.ID, p, "UnknownParent", "account %s: parent %s is not in the organization's units", a.ID, p)
				break
			}
			chain = append(chain, p)
		}
		var scp, rcp []policy.OrgLevel
		var path []string
		for i := len(chain) - 1; i >= 0; i-- {
			id := chain[i]
			scp = append(scp, policy.OrgLevel{ID: id, Policies: byTarget[id]})
			rcp = append(rcp, policy.OrgLevel{ID: id, Policies: rcpByTarget[id]})
			if i > 0 {
				path = append(path, id)
			}
		}
		b.scps[a.ID] = scp
		b.rcps[a.ID] = rcp
		b.orgPaths[a.ID] = org.ID + "/" + strings.Join(path, "/") + "/"
	}
}

func (b *builder) inOrg(account string) bool {
	_, ok := b.scps[account]
	return ok
}

// structure adds the nodes and the structural edges: accounts, OUs, org
// policies, principals, managed policies, resources, membership,
// attachment, boundaries, containment, RUNS_AS and TRIGGERS.
func (b *builder) structure() {
	if org := b.snap.Organization; org != nil {
		for _, u := range org.Units {
			id := "ou:" + u.ID
			b.addNode(Node{ID: id, Kind: KindOrgUnit, Name: u.Name, Type: string(u.Type), Props: map[string]string{"unitId": u.ID}})
			if u.ParentID != "" {
				b.addEdge(Edge{Kind: EdgeChildOf, From: id, To: "ou:" + u.ParentID})
			}
		}
		for _, op := range org.Policies {
			id := op.ARN
			if id == "" {
				id = op.ID
			}
			props := map[string]string{"policyType": string(op.Type)}
			if op.AWSManaged {
				props["awsManaged"] = "true"
			}
			b.addNode(Node{ID: id, Kind: KindPolicy, Name: op.Name, Type: string(op.Type), Account: org.ManagementAccountID, Props: props})
			for _, t := range op.Targets {
				from := "ou:" + t
				if _, ok := b.units[t]; !ok {
					from = AccountID(t)
				}
				b.addEdge(Edge{Kind: EdgeHasPolicy, From: from, To: id})
			}
		}
	}
	for _, a := range b.snap.Accounts {
		props := map[string]string{}
		if a.ID == b.mgmt {
			props["management"] = "true"
		}
		if a.Status != "" {
			props["status"] = a.Status
		}
		name := a.Name
		if name == "" {
			name = a.ID
		}
		b.addNode(Node{ID: AccountID(a.ID), Kind: KindAccount, Name: name, Account: a.ID, Props: props})
		if a.ParentID != "" {
			b.addEdge(Edge{Kind: EdgeChildOf, From: AccountID(a.ID), To: "ou:" + a.ParentID})
		}
		for _, mp := range a.Policies {
			props := map[string]string{"policyType": "managed"}
			if mp.AWSManaged {
				props["awsManaged"] = "true"
			}
			acct := a.ID
			if mp.AWSManaged {
				acct = ""
			}
			b.addNode(Node{ID: mp.ARN, Kind: KindPolicy, Name: mp.Name, Type: "managed", Account: acct, Props: props})
		}
		for _, p := range a.IdentityProviders {
			b.addNode(Node{ID: p.ARN, Kind: KindIdentityProvider, Name: providerName(p.ARN, p.URL), Type: string(p.Type), Account: a.ID})
			b.addEdge(Edge{Kind: EdgeInAccount, From: p.ARN, To: AccountID(a.ID)})
		}
		for _, g := range a.Groups {
			b.addNode(Node{ID: g.ARN, Kind: KindGroup, Name: g.Name, Account: a.ID})
			b.addEdge(Edge{Kind: EdgeInAccount, From: g.ARN, To: AccountID(a.ID)})
			for _, pa := range g.AttachedPolicies {
				b.attach(a.ID, g.ARN, pa, EdgeHasPolicy)
			}
		}
	}
	for _, p := range b.prins {
		b.addNode(p.node)
		b.addEdge(Edge{Kind: EdgeInAccount, From: p.arn, To: AccountID(p.account)})
		for _, pa := range p.attached {
			b.attach(p.account, p.arn, pa, EdgeHasPolicy)
		}
		if p.boundaryARN != "" {
			b.attach(p.account, p.arn, p.boundaryARN, EdgeHasBoundary)
		}
		for _, g := range p.groupARNs {
			b.addEdge(Edge{Kind: EdgeMemberOf, From: p.arn, To: g})
		}
	}
	for _, r := range b.res.all {
		if r.principal != nil {
			continue
		}
		b.addNode(r.node())
		b.addEdge(Edge{Kind: EdgeInAccount, From: r.src.ARN, To: AccountID(r.account)})
		for _, role := range r.src.RunsAs {
			if _, ok := b.roles[role]; !ok {
				b.gap(r.account, r.src.ARN, "UnknownRole", "%s runs as %s, which is not in the snapshot", r.src.ARN, role)
				b.addNode(externalPrincipalNode(role))
			}
			b.addEdge(Edge{Kind: EdgeRunsAs, From: r.src.ARN, To: role, CrossAccount: arnAccount(role) != r.account,
				Evidence: []Evidence{{PolicyType: PolicyStructural, PolicyID: r.src.ARN, PolicyName: r.src.Name, Effect: "Allow", Note: "the workload's configured execution role"}}})
		}
		for _, src := range r.src.EventSources {
			if _, ok := b.res.byARN[src]; !ok {
				b.addNode(Node{ID: src, Kind: KindResource, Name: shortName(src), Type: typeFromARN(src), Account: arnAccount(src), Props: map[string]string{"inferred": "true"}})
			}
			b.addEdge(Edge{Kind: EdgeTriggers, From: src, To: r.src.ARN,
				Evidence: []Evidence{{PolicyType: PolicyStructural, PolicyID: r.src.ARN, PolicyName: r.src.Name, Effect: "Allow", Note: "event source of the workload"}}})
		}
	}
}

func (b *builder) attach(account, from, policyARN string, kind EdgeKind) {
	if _, ok := b.nodes[policyARN]; !ok {
		b.gap(account, policyARN, "MissingPolicy", "%s refers to policy %s, whose document is not in the snapshot", from, policyARN)
		b.addNode(Node{ID: policyARN, Kind: KindPolicy, Name: shortName(policyARN), Type: "managed", Props: map[string]string{"missing": "true"}})
	}
	b.addEdge(Edge{Kind: kind, From: from, To: policyARN})
}

// AccountID is the node ID of an account.
func AccountID(id string) string { return "account:" + id }

// ScopeID is the node ID of "every resource of service svc in account".
func ScopeID(svc, account string) string { return "scope:" + svc + ":" + account }

// PatternID is the node ID of a resource pattern that matches nothing in the inventory.
func PatternID(p string) string { return "pattern:" + p }

// ServiceID is the node ID of a service principal.
func ServiceID(name string) string { return "service:" + name }

// AnonymousID is the node ID of "anyone".
const AnonymousID = "anonymous"

// EdgeID is the stable ID of an edge.
func EdgeID(kind EdgeKind, from, to, technique string) string {
	if technique != "" {
		return string(kind) + "|" + from + "|" + to + "|" + technique
	}
	return string(kind) + "|" + from + "|" + to
}

const edgeShards = 64

type edgeShard struct {
	mu sync.Mutex
	m  map[string]*Edge
}

func (b *builder) shard(id string) *edgeShard {
	h := fnv.New32a()
	h.Write([]byte(id))
	return &b.edges[h.Sum32()%edgeShards]
}

// allEdges lists every edge (call only when no worker runs).
func (b *builder) allEdges() []*Edge {
	var out []*Edge
	for i := range b.edges {
		for _, e := range b.edges[i].m {
			out = append(out, e)
		}
	}
	return out
}

func (b *builder) edgeCount() int {
	n := 0
	for i := range b.edges {
		b.edges[i].mu.Lock()
		n += len(b.edges[i].m)
		b.edges[i].mu.Unlock()
	}
	return n
}

func (b *builder) getNode(id string) (Node, bool) {
	b.nmu.RLock()
	defer b.nmu.RUnlock()
	n, ok := b.nodes[id]
	return n, ok
}

func (b *builder) setProp(id, k, v string) {
	b.nmu.Lock()
	defer b.nmu.Unlock()
	n, ok := b.nodes[id]
	if !ok {
		return
	}
	props := make(map[string]string, len(n.Props)+1)
	for pk, pv := range n.Props {
		props[pk] = pv
	}
	props[k] = v
	n.Props = props
	b.nodes[id] = n
}

func (b *builder) addNode(n Node) {
	b.nmu.Lock()
	defer b.nmu.Unlock()
	if old, ok := b.nodes[n.ID]; ok {
		for k, v := range n.Props {
			if old.Props == nil {
				old.Props = map[string]string{}
			}
			old.Props[k] = v
		}
		b.nodes[n.ID] = old
		return
	}
	b.nodes[n.ID] = n
}

// addEdge adds an edge, merging it with an existing edge of the same ID
// (union of grants, evidence and denies).
func (b *builder) addEdge(e Edge) {
	if e.ID == "" {
		e.ID = EdgeID(e.Kind, e.From, e.To, e.Technique)
	}
	sh := b.shard(e.ID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old, ok := sh.m[e.ID]
	if !ok {
		sh.m[e.ID] = &e
		return
	}
	mergeEdge(old, &e)
}

func mergeEdge(old, e *Edge) {
	old.Actions = dropNarrowed(mergeGrants(old.Actions, e.Actions))
	old.Evidence = mergeEvidence(old.Evidence, e.Evidence)
	old.Denies = mergeEvidence(old.Denies, e.Denies)
	old.Conditional, old.Condition = edgeCondition(old.Actions, old.Conditional && e.Conditional, old.Condition)
}

// dropNarrowed removes grants limited to part of the target (Resource set)
// when the same action is granted on the whole target under the same
// condition.
func dropNarrowed(gs []ActionGrant) []ActionGrant {
	whole := map[[2]string]bool{}
	for _, g := range gs {
		if g.Resource == "" {
			whole[[2]string{strings.ToLower(g.Action), g.Condition}] = true
		}
	}
	out := gs[:0]
	for _, g := range gs {
		if g.Resource != "" && whole[[2]string{strings.ToLower(g.Action), g.Condition}] {
			continue
		}
		out = append(out, g)
	}
	return out
}

// edgeCondition derives an access edge's condition from its grants: the
// edge is conditional only when every grant is.
func edgeCondition(gs []ActionGrant, fallbackConditional bool, fallback string) (bool, string) {
	if len(gs) == 0 {
		return fallbackConditional, fallback
	}
	var conds []string
	seen := map[string]bool{}
	for _, g := range gs {
		if g.Condition == "" {
			return false, ""
		}
		if !seen[g.Condition] {
			seen[g.Condition] = true
			conds = append(conds, g.Condition)
		}
	}
	sort.Strings(conds)
	if len(conds) == 1 {
		return true, conds[0]
	}
	return true, "(" + strings.Join(conds, ") OR (") + ")"
}

type evidenceKey struct {
	typ         PolicyType
	id          string
	idx         int
	level, note string
}

func keyOf(e Evidence) evidenceKey {
	return evidenceKey{e.PolicyType, e.PolicyID, e.StatementIndex, e.Level, e.Note}
}

func (k evidenceKey) less(o evidenceKey) bool {
	switch {
	case k.typ != o.typ:
		return k.typ < o.typ
	case k.id != o.id:
		return k.id < o.id
	case k.idx != o.idx:
		return k.idx < o.idx
	case k.level != o.level:
		return k.level < o.level
	}
	return k.note < o.note
}

// mergeEvidence is the sorted union of two evidence lists.
func mergeEvidence(a, b []Evidence) []Evidence {
	if len(b) == 0 && sort.SliceIsSorted(a, func(i, j int) bool { return keyOf(a[i]).less(keyOf(a[j])) }) {
		return a
	}
	seen := make(map[evidenceKey]bool, len(a)+len(b))
	out := make([]Evidence, 0, len(a)+len(b))
	for _, list := range [][]Evidence{a, b} {
		for _, e := range list {
			k := keyOf(e)
			if !seen[k] {
				seen[k] = true
				out = append(out, e)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return keyOf(out[i]).less(keyOf(out[j])) })
	return out
}

// finish sorts everything and fills Meta.
func (b *builder) finish() *Graph {
	g := &Graph{}
	g.Nodes = make([]Node, 0, len(b.nodes))
	for _, n := range b.nodes {
		g.Nodes = append(g.Nodes, n)
	}
	sort.Slice(g.Nodes, func(i, j int) bool { return g.Nodes[i].ID < g.Nodes[j].ID })
	all := b.allEdges()
	kept := all[:0]
	for _, e := range all {
		from, ok := b.nodes[e.From]
		if !ok {
			continue
		}
		to, ok := b.nodes[e.To]
		if !ok {
			continue
		}
		if e.From != "" && e.To != "" {
			e.CrossAccount = e.CrossAccount || crossAccount(from, to)
		}
		kept = append(kept, e)
	}
	sortEdgesByID(kept, b.opts.Workers)
	g.Edges = make([]Edge, len(kept))
	for i, e := range kept {
		g.Edges[i] = *e
	}
	sort.SliceStable(b.gaps, func(i, j int) bool {
		if b.gaps[i].Account != b.gaps[j].Account {
			return b.gaps[i].Account < b.gaps[j].Account
		}
		return b.gaps[i].Resource < b.gaps[j].Resource
	})
	g.Meta = Meta{
		Source:   b.snap.Source,
		Complete: b.snap.Complete,
		Accounts: len(b.snap.Accounts),
		Nodes:    len(g.Nodes),
		Edges:    len(g.Edges),
		Gaps:     b.gaps,
	}
	if !b.snap.GeneratedAt.IsZero() {
		g.Meta.GeneratedAt = b.snap.GeneratedAt.UTC().Format(time.RFC3339)
	}
	return g
}

// sortEdgesByID sorts edges by ID (IDs are unique), moving pointers rather
// than edges, in two halves sorted in parallel and merged.
func sortEdgesByID(es []*Edge, workers int) {
	cmp := func(a, b *Edge) int { return strings.Compare(a.ID, b.ID) }
	if workers < 2 || len(es) < 1<<14 {
		slices.SortFunc(es, cmp)
		return
	}
	mid := len(es) / 2
	left, right := es[:mid], es[mid:]
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		slices.SortFunc(left, cmp)
	}()
	slices.SortFunc(right, cmp)
	wg.Wait()
	merged := make([]*Edge, 0, len(es))
	i, j := 0, 0
	for i < len(left) && j < len(right) {
		if cmp(left[i], right[j]) <= 0 {
			merged = append(merged, left[i])
			i++
		} else {
			merged = append(merged, right[j])
			j++
		}
	}
	merged = append(append(merged, left[i:]...), right[j:]...)
	copy(es, merged)
}

func crossAccount(a, b Node) bool {
	switch {
	case a.Account == "" || b.Account == "":
		return false
	case a.Kind == KindScope || b.Kind == KindScope:
		return a.Account != b.Account
	}
	return a.Account != b.Account
}

// arnAccount returns the account field of an ARN ("" if none).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// arnService returns the service field of an ARN.
func arnService(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[2]
}

func shortName(arn string) string {
	if i := strings.LastIndexAny(arn, "/:"); i >= 0 && i < len(arn)-1 {
		return arn[i+1:]
	}
	return arn
}

func typeFromARN(arn string) string {
	svc := arnService(arn)
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	res := parts[5]
	if svc == "s3" && !strings.Contains(res, "/") {
		return "s3:bucket"
	}
	if i := strings.IndexAny(res, "/:"); i > 0 {
		return svc + ":" + res[:i]
	}
	return svc
}

func providerName(arn, url string) string {
	if url != "" {
		return url
	}
	if i := strings.Index(arn, "provider/"); i >= 0 {
		return arn[i+len("provider/"):]
	}
	return shortName(arn)
}

// externalPrincipalNode is a user or role named by a policy but not in the inventory.
func externalPrincipalNode(arn string) Node {
	kind := KindRole
	if strings.Contains(arn, ":user/") {
		kind = KindUser
	}
	return Node{ID: arn, Kind: kind, Name: shortName(arn), Account: arnAccount(arn), Props: map[string]string{"external": "true"}}
}
