package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/iamreach/iamreach/policy"
	"github.com/iamreach/iamreach/policy/catalog"
	"github.com/iamreach/iamreach/snapshot"
)

// actor is whoever makes a request in a decision: an inventory principal,
// an account outside the inventory ("if their admins allow it"), a
// service principal, an identity provider's federated users, or anyone.
type actor struct {
	nodeID   string
	req      policy.Principal
	identity []policy.NamedPolicy
	boundary []policy.NamedPolicy
	scps     []policy.OrgLevel
	// assumed notes a stand-in for policies the snapshot cannot see.
	assumed string
	p       *principal // nil unless an inventory principal
	// classes caches action classes (see actionClasses); an actor is used
	// by one goroutine only.
	classes map[classKey][][]string
	// noEvidence: only the grants are wanted (a check whose evidence is
	// thrown away), so evidence is not assembled.
	noEvidence bool
	// patterns: the resource patterns of the actor's statements and of the
	// RCPs of patternAcct (see resourceSignature).
	patterns    []*patMatcher
	patternAcct string
	patternVars bool   // some pattern has a policy variable
	patternTags bool   // some condition may read resource tags
	sigBuf      []byte // scratch for resourceSignature
	// setKey caches policySetKey.
	setKey string
	// ev decides the actor's requests reusing its memory (see eval), with
	// reqBuf and setBuf as the request's storage.
	ev     policy.Evaluator
	reqBuf policy.Request
	setBuf policy.PolicySet
}

func (b *builder) actorOf(p *principal) *actor {
	return &actor{nodeID: p.arn, req: p.req, identity: p.identity, boundary: p.boundary, scps: b.scps[p.account], p: p}
}

// externalAccount is an account outside the inventory, evaluated as its
// root: its own administrators can delegate to any of its principals.
func (b *builder) externalAccount(id string) *actor {
	props := map[string]string{"external": "true"}
	if name, ok := b.opts.KnownAccounts[id]; ok {
		props["vendor"] = name
	}
	name := id
	if v := props["vendor"]; v != "" {
		name = v + " (" + id + ")"
	}
	if !b.isInventoryAccount(id) {
		b.addNode(Node{ID: AccountID(id), Kind: KindAccount, Name: name, Account: id, Props: props})
	}
	return &actor{
		nodeID:  AccountID(id),
		req:     policy.Principal{Type: policy.PrincipalRoot, ARN: "arn:aws:iam::" + id + ":root", Account: id},
		assumed: "account " + id + " is outside the inventory: edge holds if its administrators allow their principals",
	}
}

func (b *builder) isInventoryAccount(id string) bool {
	_, ok := b.accounts[id]
	return ok
}

// externalPrincipal is a specific user or role outside the inventory.
func (b *builder) externalPrincipal(arn string) *actor {
	acct := arnAccount(arn)
	b.externalAccount(acct)
	n := externalPrincipalNode(arn)
	if name, ok := b.opts.KnownAccounts[acct]; ok {
		n.Props["vendor"] = name
	}
	b.addNode(n)
	b.addEdge(Edge{Kind: EdgeInAccount, From: arn, To: AccountID(acct)})
	req := policy.Principal{Type: policy.PrincipalUser, ARN: arn, Account: acct}
	identity := []policy.NamedPolicy{b.assumedAllow(acct)}
	if n.Kind == KindRole {
		req.Type = policy.PrincipalRoleSession
		req.RoleARN = arn
		req.ARN = "arn:aws:sts::" + acct + ":assumed-role/" + shortName(arn) + "/session"
	}
	return &actor{nodeID: arn, req: req, identity: identity,
		assumed: "principal " + arn + " is outside the inventory: edge holds if its own policies allow it"}
}

func (b *builder) assumedAllow(acct string) policy.NamedPolicy {
	p, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`))
	if err != nil {
		panic(fmt.Sprintf("graph: built-in policy does not parse: %v", err)) // a programming error
	}
	return policy.NamedPolicy{ID: "assumed:" + acct, Name: "policies of account " + acct + " (not in the snapshot)", Policy: p}
}

func (b *builder) serviceActor(name string) *actor {
	b.addNode(Node{ID: ServiceID(name), Kind: KindServicePrincipal, Name: name})
	return &actor{nodeID: ServiceID(name), req: policy.Principal{Type: policy.PrincipalService, ARN: name}}
}

func (b *builder) anonymousActor() *actor {
	b.addNode(Node{ID: AnonymousID, Kind: KindAnonymous, Name: "anyone (Principal \"*\")", Props: map[string]string{"public": "true"}})
	return &actor{nodeID: AnonymousID, req: policy.Principal{Type: policy.PrincipalAnonymous, ARN: "*"}}
}

func (b *builder) federatedActor(provider string) *actor {
	id := provider
	if _, ok := b.getNode(id); !ok {
		typ := "OIDC"
		if strings.Contains(provider, "saml-provider/") {
			typ = "SAML"
		}
		acct := arnAccount(provider)
		props := map[string]string{}
		if acct == "" || !b.isInventoryAccount(acct) {
			props["external"] = "true"
		}
		b.addNode(Node{ID: id, Kind: KindIdentityProvider, Name: providerName(provider, ""), Type: typ, Account: acct, Props: props})
	}
	return &actor{nodeID: id, req: policy.Principal{Type: policy.PrincipalFederated, ARN: provider, Account: arnAccount(provider)}}
}

// target is what a request acts on.
type target struct {
	nodeID  string
	arn     string // the ARN asked about
	res     policy.Resource
	named   *policy.NamedPolicy
	kind    policy.ResourcePolicyKind
	account string
	rtype   string // inventory type, "" for scopes and patterns
	rcps    []policy.OrgLevel
	// shape: the resource policy's shape (see setShape), 0 if none.
	shape int
}

func (b *builder) targetOf(r *resource, evalARN string) target {
	t := target{nodeID: r.src.ARN, arn: evalARN, res: r.request(b), named: r.named, account: r.account, rtype: r.src.Type, rcps: b.rcps[r.account], shape: r.shape}
	t.res.ARN = evalARN
	if r.src.Type == snapshot.TypeKMSKey {
		t.kind = policy.ResourcePolicyKMSKey
	}
	return t
}

// decide asks the engine one question in discovery mode.
// Unlike eval, the decision is the caller's to keep.
func (b *builder) decide(a *actor, action string, t *target, ctx map[string][]string) policy.Decision {
	a.request(action, t, ctx)
	return policy.Evaluate(&a.reqBuf, &a.setBuf, policy.Discovery)
}

// eval is decide on the actor's reusable evaluator: the decision (and its
// explanation) is valid until the actor's next eval or check.
func (b *builder) eval(a *actor, action string, t *target, ctx map[string][]string) *policy.Decision {
	a.request(action, t, ctx)
	return a.ev.Evaluate(&a.reqBuf, &a.setBuf, policy.Discovery)
}

// check is decide without the explanation, for checks and probes whose
// evidence is not kept: the same result and residual.
func (b *builder) check(a *actor, action string, t *target, ctx map[string][]string) (policy.Result, *policy.Condition) {
	a.request(action, t, ctx)
	return a.ev.Decide(&a.reqBuf, &a.setBuf, policy.Discovery)
}

// request fills the actor's request and policy set for one question.
func (a *actor) request(action string, t *target, ctx map[string][]string) {
	a.reqBuf = policy.Request{Principal: a.req, Action: action, Resource: t.res, Context: ctx}
	a.setBuf = policy.PolicySet{
		Identity:           a.identity,
		Boundary:           a.boundary,
		Resource:           t.named,
		ResourcePolicyKind: t.kind,
		SCPs:               a.scps,
		RCPs:               t.rcps,
	}
}

// outcome is one allowed action with its decision.
type outcome struct {
	action   string
	residual string
}

// grantsFor evaluates the concrete actions an action pattern stands for
// and keeps the pattern compressed when every one of them is allowed under
// the same condition; otherwise it lists the allowed actions one by one.
func (b *builder) grantsFor(a *actor, pattern string, concrete []string, t *target, ctx map[string][]string) ([]ActionGrant, []Evidence, []Evidence) {
	ok, ev, denies := b.decideAll(a, pattern, concrete, t, ctx)
	if len(ok) == 0 {
		return nil, nil, nil
	}
	return compress(pattern, concrete, ok), ev, denies
}

// decideAll decides every concrete action (one engine call per class of
// actions matched by the same statements) and returns the allowed ones
// with the evidence.
func (b *builder) decideAll(a *actor, pattern string, concrete []string, t *target, ctx map[string][]string) ([]outcome, []Evidence, []Evidence) {
	var ok []outcome
	var ev, denies []Evidence
	for _, class := range b.actionClasses(a, t, pattern, concrete) {
		if ok == nil {
			ok = make([]outcome, 0, len(concrete))
		}
		// Every action of a class is matched by the same statements, so the
		// engine decides them alike: ask for one, apply to all.
		var result policy.Result
		var cond *policy.Condition
		var d *policy.Decision
		if a.noEvidence {
			result, cond = b.check(a, class[0], t, ctx)
		} else {
			d = b.eval(a, class[0], t, ctx)
			result, cond = d.Result, d.Residual
		}
		if result != policy.Allowed {
			continue
		}
		residual := ""
		if cond != nil {
			residual = cond.String()
		}
		for _, act := range class {
			ok = append(ok, outcome{action: act, residual: residual})
		}
		if d != nil {
			ev = mergeEvidence(ev, b.evidence(d.Explanation.Allowing, a))
			denies = mergeEvidence(denies, b.evidence(d.Explanation.ConditionalDenies, a))
		}
	}
	if len(ok) == 0 {
		return nil, nil, nil
	}
	if a.assumed != "" && !a.noEvidence {
		ev = mergeEvidence(ev, []Evidence{{PolicyType: PolicyAssumed, PolicyID: "assumed:" + a.req.Account, PolicyName: "outside the inventory", Effect: "Allow", Note: a.assumed}})
	}
	return ok, ev, denies
}

// compress turns the allowed actions of a pattern into grants: the pattern
// itself when all of its actions are allowed under one condition; the
// pattern with the few it leaves out (Except) when most are; else the
// actions one by one. A pattern "" is never used as a grant.
func compress(pattern string, concrete []string, ok []outcome) []ActionGrant {
	if pattern != "" && len(ok) == len(concrete) {
		same := true
		for _, o := range ok[1:] {
			if o.residual != ok[0].residual {
				same = false
				break
			}
		}
		if same {
			return []ActionGrant{{Action: pattern, Level: levelOf(concrete), Condition: ok[0].residual}}
		}
	}
	groups := map[string][]string{}
	var order []string
	for _, o := range ok {
		if _, seen := groups[o.residual]; !seen {
			order = append(order, o.residual)
		}
		groups[o.residual] = append(groups[o.residual], o.action)
	}
	main := ""
	for _, r := range order {
		if len(groups[r]) > len(groups[main]) || groups[main] == nil {
			main = r
		}
	}
	var gs []ActionGrant
	if pattern != "" && len(concrete) > 1 && 2*len(groups[main]) > len(concrete) {
		in := map[string]bool{}
		for _, a := range groups[main] {
			in[a] = true
		}
		g := ActionGrant{Action: pattern, Level: levelOf(groups[main]), Condition: main}
		if len(groups[main]) < len(concrete) {
			g.Level = LevelMixed
			for _, a := range concrete {
				if !in[a] {
					g.Except = append(g.Except, a)
				}
			}
			sort.Strings(g.Except)
		} else {
			g.Level = levelOf(concrete)
		}
		gs = append(gs, g)
		for _, r := range order {
			if r == main {
				continue
			}
			for _, a := range groups[r] {
				gs = append(gs, ActionGrant{Action: a, Level: catalog.Level(a), Condition: r})
			}
		}
		return gs
	}
	if pattern != "" && len(ok) == len(concrete) && len(order) == 1 {
		return []ActionGrant{{Action: pattern, Level: levelOf(concrete), Condition: order[0]}}
	}
	for _, o := range ok {
		gs = append(gs, ActionGrant{Action: o.action, Level: catalog.Level(o.action), Condition: o.residual})
	}
	return gs
}

// actionClasses partitions concrete actions by which statements of the
// policy set (identity, boundary, SCPs, RCPs, resource policy) match them.
// Actions of one class get the same decision, so a wildcard such as s3:*
// costs one engine call per class, not one per action.
func (b *builder) actionClasses(a *actor, t *target, pattern string, concrete []string) [][]string {
	if len(concrete) <= 1 {
		return [][]string{concrete}
	}
	svc := actionService(concrete[0])
	key := classKey{pattern: pattern, n: len(concrete), first: concrete[0]}
	base, ok := a.classes[key]
	if !ok {
		// The principal's side: identity, boundary, SCPs, shared by every
		// actor with the same policies.
		shared := sharedClassKey{set: a.policySetKey(), classKey: key}
		if v, ok := b.classCache.Load(shared); ok {
			base = v.([][]string)
		} else {
			var stmts []policy.Statement
			add := func(ps []policy.NamedPolicy) { stmts = appendStatements(stmts, ps, svc) }
			add(a.identity)
			add(a.boundary)
			for _, l := range a.scps {
				add(l.Policies)
			}
			base = splitClasses([][]string{concrete}, stmts)
			b.classCache.Store(shared, base)
		}
		if a.classes == nil {
			a.classes = map[classKey][][]string{}
		}
		a.classes[key] = base
	}
	// The resource's side: its RCPs and resource policy, usually a few statements.
	named := ""
	switch {
	case t.shape != 0:
		// Policies of one shape have the same Action elements.
		named = "\x00shape:" + strconv.Itoa(t.shape)
	case t.named != nil:
		named = t.named.ID
	}
	fullKey := classKey{pattern: pattern, first: concrete[0], n: len(concrete), named: named, account: t.account}
	if c, ok := a.classes[fullKey]; ok {
		return c
	}
	shared := sharedClassKey{set: a.policySetKey(), classKey: fullKey}
	if v, ok := b.classCache.Load(shared); ok {
		out := v.([][]string)
		a.classes[fullKey] = out
		return out
	}
	var extra []policy.Statement
	for _, l := range t.rcps {
		extra = appendStatements(extra, l.Policies, svc)
	}
	if t.named != nil {
		extra = appendStatements(extra, []policy.NamedPolicy{*t.named}, svc)
	}
	out := splitClasses(base, extra)
	a.classes[fullKey] = out
	b.classCache.Store(shared, out)
	return out
}

// sharedClassKey keys the builder-wide cache of action classes: the
// actor's policies (policySetKey) and the per-actor key. The cached
// classes are never modified.
type sharedClassKey struct {
	set string
	classKey
}

// policySetKey names the policies whose statements split an actor's
// action classes: identity, boundary, and (by account) SCPs.
func (a *actor) policySetKey() string {
	if a.setKey != "" {
		return a.setKey
	}
	var sb strings.Builder
	for _, list := range [][]policy.NamedPolicy{a.identity, a.boundary} {
		for _, np := range list {
			sb.WriteString(np.ID)
			sb.WriteByte(0)
		}
		sb.WriteByte(1)
	}
	if len(a.scps) > 0 {
		for _, l := range a.scps {
			sb.WriteString(l.ID)
			sb.WriteByte(0)
		}
	}
	a.setKey = sb.String()
	return a.setKey
}

type classKey struct {
	pattern, first, named, account string
	n                              int
}

func appendStatements(out []policy.Statement, ps []policy.NamedPolicy, svc string) []policy.Statement {
	for i := range ps {
		if ps[i].Policy == nil {
			continue
		}
		for _, st := range ps[i].Policy.Statements() {
			if stmtMayMatchService(st, svc) {
				out = append(out, st)
			}
		}
	}
	return out
}

// splitClasses refines classes so that the actions of each are matched by
// the same statements.
func splitClasses(classes [][]string, stmts []policy.Statement) [][]string {
	if len(stmts) == 0 {
		return classes
	}
	var out [][]string
	sig := make([]byte, len(stmts))
	for _, class := range classes {
		index := map[string]int{}
		first := len(out)
		for _, act := range class {
			for i, st := range stmts {
				sig[i] = '0'
				if stmtMatchesAction(st, act) {
					sig[i] = '1'
				}
			}
			k := string(sig)
			if i, ok := index[k]; ok {
				out[first+i] = append(out[first+i], act)
				continue
			}
			index[k] = len(out) - first
			out = append(out, []string{act})
		}
	}
	return out
}

// stmtMayMatchService says whether a statement's Action (or NotAction)
// can match some action of service svc.
func stmtMayMatchService(st policy.Statement, svc string) bool {
	if len(st.NotActions) > 0 {
		return true
	}
	for _, a := range st.Actions {
		s := actionService(a)
		if s == "*" || s == svc {
			return true
		}
	}
	return false
}

func levelOf(actions []string) string {
	level := ""
	for _, a := range actions {
		if a == "*" || strings.HasSuffix(a, ":*") && len(actions) == 1 {
			return LevelMixed
		}
		l := catalog.Level(a)
		if level == "" {
			level = l
		} else if level != l {
			return LevelMixed
		}
	}
	if level == "" {
		return LevelUnknown
	}
	return level
}

func policyType(kind string) PolicyType {
	switch kind {
	case "identity":
		return PolicyIdentity
	case "resource", "vpce":
		return PolicyResource
	case "trust":
		return PolicyTrust
	case "boundary":
		return PolicyBoundary
	case "session":
		return PolicySession
	case "scp":
		return PolicySCP
	case "rcp":
		return PolicyRCP
	}
	return PolicyType(kind)
}

func (b *builder) evidence(refs []policy.StatementRef, a *actor) []Evidence {
	out := make([]Evidence, 0, len(refs))
	for _, r := range refs {
		if !b.fullEvidence && (r.PolicyKind == "scp" || r.PolicyKind == "rcp") && r.Effect == "Allow" && b.fullAccess(r) {
			// FullAWSAccess-style org policies allow everything: listing them on
			// every edge says nothing. Allow-list SCPs and RCPs are kept.
			continue
		}
		e := Evidence{
			PolicyType: policyType(r.PolicyKind), PolicyID: r.PolicyID, PolicyName: r.PolicyName,
			StatementIndex: r.StatementIndex, Sid: r.Sid, Effect: r.Effect, Statement: b.compactRaw(r),
		}
		if r.Level != "" {
			e.Level = b.levelName(r.Level)
		}
		if strings.HasPrefix(r.PolicyID, "assumed:") {
			e.PolicyType = PolicyAssumed
			e.Note = a.assumed
		}
		out = append(out, e)
	}
	return out
}

// compactRaw returns the statement JSON without layout whitespace, shared
// by every edge that cites it.
func (b *builder) compactRaw(r policy.StatementRef) json.RawMessage {
	if len(r.Raw) == 0 {
		return nil
	}
	key := rawKey{r.PolicyID, r.StatementIndex}
	if v, ok := b.raws.Load(key); ok {
		return v.(json.RawMessage)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, r.Raw); err != nil {
		return r.Raw
	}
	raw := json.RawMessage(buf.Bytes())
	v, _ := b.raws.LoadOrStore(key, raw)
	return v.(json.RawMessage)
}

type rawKey struct {
	id  string
	idx int
}

// fullAccess says whether an org policy statement allows every action on
// every resource without condition (FullAWSAccess, RCPFullAWSAccess).
func (b *builder) fullAccess(r policy.StatementRef) bool {
	key := rawKey{r.PolicyID, r.StatementIndex}
	if v, ok := b.fullAcc.Load(key); ok {
		return v.(bool)
	}
	full := fullAccessStatement(r.Raw)
	b.fullAcc.Store(key, full)
	return full
}

func fullAccessStatement(raw json.RawMessage) bool {
	var st struct {
		Action    any `json:"Action"`
		Resource  any `json:"Resource"`
		Condition any `json:"Condition"`
	}
	if json.Unmarshal(raw, &st) != nil || st.Condition != nil {
		return false
	}
	star := func(v any) bool {
		switch x := v.(type) {
		case string:
			return x == "*"
		case []any:
			return len(x) == 1 && x[0] == "*"
		}
		return false
	}
	return star(st.Action) && star(st.Resource)
}

// levelName names an org level for people: "root r-…", "OU ou-… (Name)", "account …".
func (b *builder) levelName(id string) string {
	if u, ok := b.units[id]; ok {
		if u.Type == snapshot.UnitRoot {
			return "root " + id
		}
		return "OU " + id + " (" + u.Name + ")"
	}
	return "account " + id
}

// applicable filters concrete actions to those that act on an inventory
// type (catalogue resource types), e.g. s3:GetObject on an s3:bucket (its
// objects) but not s3:ListAllMyBuckets. Unknown actions are kept.
func (b *builder) applicable(actions []string, rtype string) []string {
	if rtype == "" {
		return actions
	}
	known := b.applicableTable(rtype)
	out := make([]string, 0, len(actions))
	var rest []string
	for _, a := range actions {
		v, ok := known[a]
		switch {
		case !ok:
			rest = append(rest, a)
		case v:
			out = append(out, a)
		}
	}
	if len(rest) > 0 {
		out = append(out, applicable(rest, rtype)...)
	}
	return out
}

// applicableTo is applicable(b.expand(pattern), rtype), cached per build
// (the result is shared: not to be modified).
func (b *builder) applicableTo(pattern, rtype string) []string {
	k := [2]string{pattern, rtype}
	if v, ok := b.applicTo.Load(k); ok {
		return v.([]string)
	}
	v, _ := b.applicTo.LoadOrStore(k, b.applicable(b.expand(pattern), rtype))
	return v.([]string)
}

// applicableTable is, for one inventory type, whether each catalogue
// action of its service applies to it (computed once per build).
func (b *builder) applicableTable(rtype string) map[string]bool {
	if v, ok := b.applic.Load(rtype); ok {
		return v.(map[string]bool)
	}
	svc, _, _ := strings.Cut(rtype, ":")
	acts := catalog.ServiceActions(svc)
	ok := applicable(acts, rtype)
	m := make(map[string]bool, len(acts))
	for _, a := range acts {
		m[a] = false
	}
	for _, a := range ok {
		m[a] = true
	}
	v, _ := b.applic.LoadOrStore(rtype, m)
	return v.(map[string]bool)
}

func applicable(actions []string, rtype string) []string {
	if rtype == "" {
		return actions
	}
	names := typeNames(rtype)
	var out []string
	for _, a := range actions {
		ca, ok := catalog.Lookup(a)
		if !ok {
			out = append(out, a)
			continue
		}
		for _, rt := range ca.ResourceTypes {
			if names[normType(rt)] {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

func normType(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == '_':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

func typeNames(rtype string) map[string]bool {
	_, t, _ := strings.Cut(rtype, ":")
	m := map[string]bool{normType(t): true}
	switch rtype {
	case snapshot.TypeS3Bucket:
		m["object"] = true
	case snapshot.TypeDynamoDBTable:
		m["index"] = true
		m["stream"] = true
	case snapshot.TypeRestAPI:
		m["restapi"] = true
	case snapshot.TypeECSTaskDef:
		m["taskdefinition"] = true
	}
	return m
}

func (b *builder) isObjectAction(action string) bool {
	m := b.applicableTable("s3:object")
	if v, ok := m[action]; ok {
		return v
	}
	return isObjectAction(action)
}

// isObjectAction says whether an S3 action acts on objects (so its ARN is
// bucket/key) rather than on the bucket.
func isObjectAction(action string) bool {
	ca, ok := catalog.Lookup(action)
	if !ok {
		return false
	}
	for _, rt := range ca.ResourceTypes {
		if rt == "object" {
			return true
		}
	}
	return false
}

// expand lists the concrete actions an action pattern stands for; a
// literal action missing from the catalogue stands for itself.
func expand(pattern string) []string {
	if !strings.ContainsAny(pattern, "*?") {
		if ca, ok := catalog.Lookup(pattern); ok {
			return []string{ca.Name}
		}
		return []string{pattern}
	}
	return catalog.Expand(pattern)
}

// expand is expand with a per-build cache (the result must not be modified).
func (b *builder) expand(pattern string) []string {
	if v, ok := b.expanded.Load(pattern); ok {
		return v.([]string)
	}
	v, _ := b.expanded.LoadOrStore(pattern, expand(pattern))
	return v.([]string)
}

func actionService(pattern string) string {
	svc, _, ok := strings.Cut(pattern, ":")
	if !ok || strings.ContainsAny(svc, "*?") {
		return "*"
	}
	return strings.ToLower(svc)
}

// emitAccess adds the CAN_ACCESS (or, for invoking a function, CAN_INVOKE)
// edges for grants to a target.
func (b *builder) emitAccess(from, to string, gs []ActionGrant, ev, denies []Evidence, resourceNote string) {
	if len(gs) == 0 {
		return
	}
	var access, invoke []ActionGrant
	n, _ := b.getNode(to)
	for _, g := range gs {
		g.Resource = resourceNote
		if n.Type == snapshot.TypeLambdaFunction && isInvoke(g.Action) {
			invoke = append(invoke, g)
		} else {
			access = append(access, g)
		}
	}
	for _, part := range []struct {
		kind EdgeKind
		gs   []ActionGrant
	}{{EdgeCanAccess, access}, {EdgeCanInvoke, invoke}} {
		if len(part.gs) == 0 {
			continue
		}
		SortGrants(part.gs)
		cond, text := edgeCondition(part.gs, false, "")
		b.addEdge(Edge{Kind: part.kind, From: from, To: to, Actions: part.gs, Conditional: cond, Condition: text, Evidence: ev, Denies: denies})
	}
}

func isInvoke(action string) bool {
	a := strings.ToLower(action)
	return a == "lambda:invokefunction" || a == "lambda:invokefunctionurl" || a == "lambda:invokeasync"
}

// deriveAccess adds the edges an inventory principal's identity policies
// give it: each Allow statement's resource patterns are looked up in the
// index; a grant on "*" for a service becomes one edge to the account's
// scope node when the engine allows it identically on every resource of
// that service there, and per-resource edges otherwise; a pattern that
// matches nothing becomes a Pattern node.
func (b *builder) deriveAccess(p *principal) {
	a := b.actorOf(p)
	for _, as := range p.allows {
		s := as.stmt
		actions := s.Actions
		if len(s.NotActions) > 0 {
			actions = []string{"*"}
		}
		resources := s.Resources
		if len(s.NotResources) > 0 {
			resources = []string{"*"}
		}
		for _, rp := range resources {
			for _, ap := range actions {
				b.accessFor(a, p.account, ap, rp, len(s.NotActions) > 0)
			}
		}
	}
}

func (b *builder) accessFor(a *actor, account, ap, rp string, notAction bool) {
	svc := actionService(ap)
	if rp == "*" {
		if svc == "*" {
			b.allServices(a, account, ap, notAction)
			return
		}
		if svc == "sts" {
			// Assuming roles is decided with each role's trust policy
			// (CAN_ASSUME edges); STS has no resources to scope.
			return
		}
		concrete := b.expand(ap)
		cands := b.res.inService(svc, account)
		t := target{nodeID: ScopeID(svc, account), arn: "*", res: policy.Resource{ARN: "*", Account: account, OrgID: b.orgIDOf(account)}, account: account, rcps: b.rcps[account]}
		scopeGrants, sev, sden := b.grantsFor(a, ap, concrete, &t, nil)
		if len(cands) == 0 {
			if len(scopeGrants) > 0 {
				b.ensureScope(svc, account)
				b.emitAccess(a.nodeID, t.nodeID, scopeGrants, sev, sden, "")
			}
			return
		}
		// results: the candidates some action of the pattern applies to.
		results := make([]*resource, 0, len(cands))
		// Uniform: on every resource the action applies to, the engine
		// allows all of the pattern's applicable actions under the scope's
		// condition. Then one scope edge stands for all of them.
		uniform := len(scopeGrants) == 1 && scopeGrants[0].Action == ap
		perType := map[string][]string{}
		// bucketSplit: the applicable actions of the pattern split for buckets.
		var bucketSplit *s3Split
		// scopeExcept: the scope's exceptions among a type's actions.
		scopeExcept := map[string]string{}
		sigGrants := map[string][]ActionGrant{}
		a.noEvidence = true
		for _, r := range cands {
			cs, ok := perType[r.src.Type]
			if !ok {
				cs = b.applicableTo(ap, r.src.Type) // concrete is b.expand(ap)
				perType[r.src.Type] = cs
			}
			if len(cs) == 0 {
				continue
			}
			var gs []ActionGrant
			if uniform {
				// Resources no statement can tell apart get the same decision:
				// decide one of each group.
				key := b.resourceSignature(a, r)
				if cached, ok := sigGrants[string(key)]; ok && len(key) > 0 {
					gs = cached
				} else {
					gs, _, _ = b.accessGrants(a, ap, cs, &bucketSplit, r)
					if len(key) > 0 {
						sigGrants[string(key)] = gs
					}
				}
				except, ok := scopeExcept[r.src.Type]
				if !ok {
					except = strings.Join(restrict(scopeGrants[0].Except, cs), ",")
					scopeExcept[r.src.Type] = except
				}
				if len(gs) != 1 || gs[0].Action != ap || gs[0].Condition != scopeGrants[0].Condition ||
					strings.Join(gs[0].Except, ",") != except {
					uniform = false
				}
			}
			results = append(results, r)
		}
		a.noEvidence = false
		if uniform {
			b.ensureScope(svc, account)
			b.emitAccess(a.nodeID, t.nodeID, scopeGrants, sev, sden, "")
			return
		}
		// Resources without a policy that no statement tells apart get the
		// same grants citing the same statements: decided once per signature
		// (the edges share the evidence, which nothing modifies).
		type decided struct {
			gs         []ActionGrant
			ev, denies []Evidence
		}
		bySig := map[string]decided{}
		for _, r := range results {
			var key []byte
			if r.named == nil {
				key = b.resourceSignature(a, r)
			}
			d, ok := bySig[string(key)]
			if !ok || len(key) == 0 {
				d.gs, d.ev, d.denies = b.accessGrants(a, ap, perType[r.src.Type], &bucketSplit, r)
				if len(key) > 0 {
					bySig[string(key)] = d
				}
			}
			b.emitAccess(a.nodeID, r.src.ARN, d.gs, d.ev, d.denies, "")
		}
		// Actions that act on no resource type (s3:ListAllMyBuckets,
		// iam:ListUsers) stay on the scope.
		var global []string
		for _, c := range concrete {
			if ca, ok := catalog.Lookup(c); ok && len(ca.ResourceTypes) == 0 {
				global = append(global, c)
			}
		}
		if len(global) > 0 {
			// Listed one by one: the pattern stands for more than these.
			gs, ev, denies := b.grantsFor(a, "", global, &t, nil)
			if len(gs) > 0 {
				b.ensureScope(svc, account)
				b.emitAccess(a.nodeID, t.nodeID, gs, ev, denies, "")
			}
		}
		return
	}
	matches := b.res.match(b.matcher(rp))
	concrete := b.expand(ap)
	if svc == "*" {
		concrete = nil // decided per resource below, from its service's actions
	}
	found := false
	for _, m := range matches {
		if m.r.principal != nil && svc == "sts" {
			// Assuming an inventory role is decided with its trust policy
			// (CAN_ASSUME), not as access to a resource.
			found = true
			continue
		}
		if svc != "*" && m.r.service() != svc {
			continue
		}
		found = true
		cs := concrete
		if svc == "*" {
			for _, x := range catalog.ServiceActions(m.r.service()) {
				if policy.MatchAction(ap, x) {
					cs = append(cs, x)
				}
			}
		}
		var gs []ActionGrant
		var ev, denies []Evidence
		if svc == "*" {
			gs, ev, denies = b.resourceGrants(a, ap, cs, m.r, m.evalARN, m.sub)
		} else {
			gs, ev, denies = b.resourceGrantsOf(a, ap, b.applicableTo(ap, m.r.src.Type), m.r, m.evalARN, m.sub)
		}
		note := ""
		if m.sub {
			note = rp
		}
		b.emitAccess(a.nodeID, m.r.src.ARN, gs, ev, denies, note)
	}
	if found {
		return
	}
	// Nothing in the inventory: report the pattern itself.
	if svc == "*" {
		concrete = []string{"*"}
	}
	acct := arnAccount(rp)
	t := target{nodeID: PatternID(rp), arn: rp, res: policy.Resource{ARN: rp, Account: acct, OrgID: b.orgIDOf(acct)}, account: acct, rcps: b.rcps[acct]}
	if acct == "" {
		t.res.Account = account
		t.rcps = b.rcps[account]
	}
	gs, ev, denies := b.grantsFor(a, ap, concrete, &t, nil)
	if len(gs) > 0 {
		b.addNode(Node{ID: t.nodeID, Kind: KindPattern, Name: rp, Type: typeFromARN(rp), Account: acct, Props: map[string]string{"pattern": rp}})
		b.emitAccess(a.nodeID, t.nodeID, gs, ev, denies, "")
	}
}

// accessGrants is resourceGrantsOf(a, ap, cs, r, r's ARN, false) with
// the bucket split of cs made once (in *sp) for all buckets.
func (b *builder) accessGrants(a *actor, ap string, cs []string, sp **s3Split, r *resource) ([]ActionGrant, []Evidence, []Evidence) {
	if len(cs) == 0 || r.src.Type != snapshot.TypeS3Bucket {
		return b.resourceGrantsOf(a, ap, cs, r, r.src.ARN, false)
	}
	if *sp == nil {
		x := b.splitS3(cs, false)
		*sp = &x
	}
	return b.bucketGrants(a, ap, **sp, r, r.src.ARN, false)
}

// resourceGrants decides an action pattern on one inventory resource.
// S3 object actions are asked about the bucket's objects (bucket/* or the
// statement's narrower pattern), bucket actions about the bucket.
func (b *builder) resourceGrants(a *actor, ap string, concrete []string, r *resource, evalARN string, sub bool) ([]ActionGrant, []Evidence, []Evidence) {
	return b.resourceGrantsOf(a, ap, b.applicable(concrete, r.src.Type), r, evalARN, sub)
}

// resourceGrantsOf is resourceGrants for actions already known to apply
// to the resource's type.
func (b *builder) resourceGrantsOf(a *actor, ap string, cs []string, r *resource, evalARN string, sub bool) ([]ActionGrant, []Evidence, []Evidence) {
	if len(cs) == 0 {
		return nil, nil, nil
	}
	if r.src.Type != snapshot.TypeS3Bucket {
		t := b.targetOf(r, evalARN)
		return b.grantsFor(a, ap, cs, &t, nil)
	}
	return b.bucketGrants(a, ap, b.splitS3(cs, sub), r, evalARN, sub)
}

// s3Split divides the actions asked about a bucket: object actions are
// asked about its objects, bucket actions (unless the grant is on part of
// the bucket) about the bucket; asked is both, objects first.
type s3Split struct {
	objs, buckets, asked []string
}

func (b *builder) splitS3(cs []string, sub bool) s3Split {
	var sp s3Split
	for _, c := range cs {
		if b.isObjectAction(c) {
			sp.objs = append(sp.objs, c)
		} else if !sub {
			sp.buckets = append(sp.buckets, c)
		}
	}
	sp.asked = append(append([]string{}, sp.objs...), sp.buckets...)
	return sp
}

// bucketGrants is resourceGrantsOf for a bucket, with the actions split.
func (b *builder) bucketGrants(a *actor, ap string, sp s3Split, r *resource, evalARN string, sub bool) ([]ActionGrant, []Evidence, []Evidence) {
	objs, buckets := sp.objs, sp.buckets
	objARN := evalARN
	if !sub {
		objARN = r.src.ARN + "/*"
	}
	if len(objs) > 0 && len(buckets) > 0 {
		// Object actions are asked about the objects, bucket actions about
		// the bucket; the answers are compressed together.
		t1 := b.targetOf(r, objARN)
		o1, e1, d1 := b.decideAll(a, ap, objs, &t1, nil)
		t2 := b.targetOf(r, r.src.ARN)
		o2, e2, d2 := b.decideAll(a, ap, buckets, &t2, nil)
		ok := append(o1, o2...)
		if len(ok) == 0 {
			return nil, nil, nil
		}
		return compress(ap, sp.asked, ok), mergeEvidence(e1, e2), mergeEvidence(d1, d2)
	}
	arn, asked := objARN, objs
	if len(objs) == 0 {
		arn, asked = r.src.ARN, buckets
	}
	if len(asked) == 0 {
		return nil, nil, nil
	}
	t := b.targetOf(r, arn)
	return b.grantsFor(a, ap, asked, &t, nil)
}

// allServices handles a grant of every service on every resource (admin
// policies, NotAction statements): one edge to the account's all-services
// scope, decided for the action "*". Resources where a deny could apply
// (a deny statement in the resource policy, the principal's policies,
// boundary, SCPs or RCPs that names the resource's service and could match
// the resource) are decided one by one for the actions those denies name;
// a resource decided differently is left out of the scope this principal
// gets (a scope "everything in account A except …") and gets its own edge
// with what the engine allows there.
func (b *builder) allServices(a *actor, account, ap string, notAction bool) {
	t := target{nodeID: ScopeID("*", account), arn: "*", res: policy.Resource{ARN: "*", Account: account, OrgID: b.orgIDOf(account)}, account: account, rcps: b.rcps[account]}
	gs, ev, denies := b.grantsFor(a, ap, []string{"*"}, &t, nil)
	if len(gs) == 0 {
		return
	}
	if notAction {
		for i := range gs {
			gs[i].Action = "*"
			gs[i].Level = LevelMixed
		}
		ev = append(ev, Evidence{PolicyType: PolicyStructural, PolicyID: "notaction", Effect: "Allow", Note: "NotAction statement: every action except those it lists"})
	}
	// Actions denied everywhere (a deny on Resource "*" in the principal's
	// policies, boundary or SCPs, e.g. an SCP denying s3:DeleteBucket) are
	// the scope's exceptions rather than a reason to leave resources out.
	var except []string
	wasQuiet := a.noEvidence
	a.noEvidence = true
	for _, act := range b.globalDenyActions(a) {
		if res, _ := b.check(a, act, &t, nil); res != policy.Allowed {
			except = append(except, act)
		}
	}
	a.noEvidence = wasQuiet
	sort.Strings(except)
	if len(except) > 0 {
		gs[0].Except = except
		gs[0].Level = LevelMixed
	}
	exceptSet := map[string]bool{}
	for _, x := range except {
		exceptSet[x] = true
	}
	var excluded []string
	// Resources with the same signature are decided alike (as the scope
	// says, or not): check one of each.
	asScope := map[string]bool{}
	for _, r := range b.res.byAcct[account] {
		key := b.resourceSignature(a, r)
		same, known := asScope[string(key)]
		if len(key) == 0 || !known {
			reps := b.denyNamedActions(a, r)
			same = len(reps) == 0 || b.asScopeSays(a, r, reps, exceptSet, gs[0].Condition)
			if len(key) > 0 {
				asScope[string(key)] = same
			}
		}
		if same {
			continue
		}
		excluded = append(excluded, r.src.ARN)
		all := r.service() + ":*"
		fg, fev, fden := b.resourceGrantsOf(a, all, b.applicableTo(all, r.src.Type), r, r.src.ARN, false)
		b.emitAccess(a.nodeID, r.src.ARN, fg, fev, fden, "")
	}
	id := b.ensureAllScope(account, excluded)
	b.emitAccess(a.nodeID, id, gs, ev, denies, "")
}

// globalDenyActions lists the concrete actions named by deny statements
// on every resource (Resource "*" or NotResource) in an actor's identity
// policies, boundary and SCPs.
func (b *builder) globalDenyActions(a *actor) []string {
	seen := map[string]bool{}
	var out []string
	scan := func(ps []policy.NamedPolicy) {
		for i := range ps {
			if ps[i].Policy == nil {
				continue
			}
			for _, st := range ps[i].Policy.Statements() {
				if st.Effect != "Deny" || len(st.NotActions) > 0 {
					continue
				}
				global := len(st.NotResources) > 0
				for _, rp := range st.Resources {
					if rp == "*" {
						global = true
					}
				}
				if !global {
					continue
				}
				for _, ap := range st.Actions {
					for _, x := range b.expand(ap) {
						if !seen[x] {
							seen[x] = true
							out = append(out, x)
						}
					}
				}
			}
		}
	}
	scan(a.identity)
	scan(a.boundary)
	for _, l := range a.scps {
		scan(l.Policies)
	}
	sort.Strings(out)
	return out
}

// asScopeSays checks that on resource r the engine decides the
// representative actions as the all-services scope says: allowed under the
// scope's condition, except the scope's exceptions.
func (b *builder) asScopeSays(a *actor, r *resource, reps []string, except map[string]bool, cond string) bool {
	wasQuiet := a.noEvidence
	a.noEvidence = true
	defer func() { a.noEvidence = wasQuiet }()
	groups := map[string][]string{r.src.ARN: nil}
	for _, act := range reps {
		arn := r.src.ARN
		if r.src.Type == snapshot.TypeS3Bucket && b.isObjectAction(act) {
			arn = r.src.ARN + "/*"
		}
		groups[arn] = append(groups[arn], act)
	}
	for arn, acts := range groups {
		if len(acts) == 0 {
			continue
		}
		t := b.targetOf(r, arn)
		// One engine call per class of actions matched by the same statements.
		ok, _, _ := b.decideAll(a, "scope-check|"+strings.Join(acts, ","), acts, &t, nil)
		allowed := make(map[string]string, len(ok))
		for _, o := range ok {
			allowed[o.action] = o.residual
		}
		for _, act := range acts {
			res, yes := allowed[act]
			if yes == except[act] || (yes && res != cond) {
				return false
			}
		}
	}
	return true
}

// denyNamedActions lists the concrete actions on r's service named by deny
// statements that could apply to an actor on r.
func (b *builder) denyNamedActions(a *actor, r *resource) []string {
	svc := r.service()
	seen := map[string]bool{}
	var out []string
	scan := func(np *policy.NamedPolicy) {
		if np == nil || np.Policy == nil {
			return
		}
		for _, st := range np.Policy.Statements() {
			if st.Effect != "Deny" {
				continue
			}
			if len(st.Resources) > 0 {
				hit := false
				for _, rp := range st.Resources {
					if rp == "*" || policy.MatchResource(rp, r.src.ARN) {
						hit = true
						break
					}
					if _, ok := subResource(rp, r.src.ARN); ok {
						hit = true
						break
					}
				}
				if !hit {
					continue
				}
			}
			pats := st.Actions
			if len(st.NotActions) > 0 {
				pats = []string{svc + ":*"}
			}
			for _, ap := range pats {
				if s := actionService(ap); s != "*" && s != svc {
					continue
				}
				for _, x := range b.applicableTo(ap, r.src.Type) {
					if strings.EqualFold(actionService(x), svc) && !seen[x] {
						seen[x] = true
						out = append(out, x)
					}
				}
			}
		}
	}
	scan(r.named)
	for i := range a.identity {
		scan(&a.identity[i])
	}
	for i := range a.boundary {
		scan(&a.boundary[i])
	}
	for _, lvl := range a.scps {
		for i := range lvl.Policies {
			scan(&lvl.Policies[i])
		}
	}
	for _, lvl := range b.rcps[r.account] {
		for i := range lvl.Policies {
			scan(&lvl.Policies[i])
		}
	}
	sort.Strings(out)
	return out
}

// ensureAllScope adds the all-services scope of an account, or, when some
// resources are left out, a scope "everything in account A except …"
// shared by every principal with the same exceptions.
func (b *builder) ensureAllScope(account string, excluded []string) string {
	if len(excluded) == 0 {
		b.ensureScope("*", account)
		return ScopeID("*", account)
	}
	sort.Strings(excluded)
	h := fnv.New64a()
	for _, x := range excluded {
		h.Write([]byte(x))
		h.Write([]byte{0})
	}
	id := fmt.Sprintf("%s:except:%016x", ScopeID("*", account), h.Sum64())
	if _, done := b.getNode(id); done {
		return id
	}
	skip := map[string]bool{}
	for _, x := range excluded {
		skip[x] = true
	}
	name := fmt.Sprintf("everything in account %s except %d resource(s)", account, len(excluded))
	b.addNode(Node{ID: id, Kind: KindScope, Name: name, Type: "*", Account: account, Props: map[string]string{"service": "*", "except": strings.Join(excluded, ",")}})
	for _, r := range b.res.byAcct[account] {
		if !skip[r.src.ARN] {
			b.addEdge(Edge{Kind: EdgeCovers, From: id, To: r.src.ARN})
		}
	}
	return id
}

// resourceSignature identifies what the engine can see of a resource,
// for an actor: its type, KMS key manager, tags (when a condition may read
// them), the shape of its resource policy (see setShape), and which resource patterns of the actor's
// statements (identity, boundary, SCPs), of its account's RCPs and of its
// own policy match it, its objects, or sub-resources of it. Two resources
// with the same signature get the same decisions for every action on the
// resource and on its objects. nil means: decide it on its own. The
// signature is valid until the actor's next resourceSignature.
func (b *builder) resourceSignature(a *actor, r *resource) []byte {
	if r.named != nil && r.shape == 0 {
		return nil
	}
	if a.patterns == nil {
		seen := map[string]bool{}
		ps := []*patMatcher{}
		add := func(np []policy.NamedPolicy) {
			for i := range np {
				if np[i].Policy == nil {
					continue
				}
				for _, st := range np[i].Policy.Statements() {
					if st.HasCondition && mentionsResourceTags(st.Raw) {
						a.patternTags = true
					}
					for _, lists := range [][]string{st.Resources, st.NotResources} {
						for _, p := range lists {
							if strings.Contains(p, "${") {
								a.patternVars = true
							}
							// "*" matches every resource and its objects and names
							// no sub-resource: the same bits for all, so left out.
							if p != "*" && !seen[p] {
								seen[p] = true
								ps = append(ps, b.matcher(p))
							}
						}
					}
				}
			}
		}
		add(a.identity)
		add(a.boundary)
		for _, l := range a.scps {
			add(l.Policies)
		}
		for _, l := range b.rcps[r.account] {
			add(l.Policies)
		}
		a.patterns = ps
		a.patternAcct = r.account
	}
	if a.patternAcct != r.account || a.patternVars {
		return nil // policy variables: the engine resolves them per request
	}
	buf := a.sigBuf[:0]
	buf = append(buf, r.sigBase...)
	if a.patternTags || r.shapeTags {
		// Tags matter only to conditions that read them.
		buf = append(buf, r.sigTags...)
	}
	buf = append(buf, '|')
	buf = appendPatternBits(buf, a.patterns, r.src.ARN)
	if r.named != nil {
		buf = append(buf, '|')
		buf = strconv.AppendInt(buf, int64(r.shape), 10)
		buf = append(buf, '|')
		buf = appendPatternBits(buf, r.shapePatterns, r.src.ARN)
	}
	a.sigBuf = buf
	return buf
}

// appendPatternBits appends one byte per pattern: whether it matches arn
// (1), its objects arn/* (2), or names sub-resources of it (4).
func appendPatternBits(buf []byte, patterns []*patMatcher, arn string) []byte {
	if len(patterns) == 0 {
		return buf
	}
	obj := arn + "/*"
	for _, p := range patterns {
		buf = append(buf, p.bits(arn, obj))
	}
	return buf
}

// restrict keeps the actions of xs that are in set (order kept).
func restrict(xs, set []string) []string {
	in := make(map[string]bool, len(set))
	for _, x := range set {
		in[x] = true
	}
	var out []string
	for _, x := range xs {
		if in[x] {
			out = append(out, x)
		}
	}
	return out
}

// ensureScope adds a scope node with COVERS edges to every resource of the
// service in the account (once).
func (b *builder) ensureScope(svc, account string) {
	id := ScopeID(svc, account)
	if _, done := b.getNode(id); done {
		return
	}
	name := "all " + svc + " resources in account " + account
	if svc == "*" {
		name = "everything in account " + account
	} else if sn := catalog.ServiceName(svc); sn != "" {
		name = "all " + sn + " resources in account " + account
	}
	b.addNode(Node{ID: id, Kind: KindScope, Name: name, Type: svc, Account: account, Props: map[string]string{"service": svc}})
	var rs []*resource
	if svc == "*" {
		rs = b.res.byAcct[account]
	} else {
		rs = b.res.inService(svc, account)
	}
	for _, r := range rs {
		b.addEdge(Edge{Kind: EdgeCovers, From: id, To: r.src.ARN})
	}
}

// deriveResourcePolicy adds the edges a resource policy grants to the
// principals it names: inventory principals (with their full policy set),
// outside accounts and principals, service principals, and anyone.
func (b *builder) deriveResourcePolicy(r *resource) {
	if r.named == nil {
		return
	}
	for _, s := range r.named.Policy.Statements() {
		if s.Effect != "Allow" {
			continue
		}
		actions := s.Actions
		if len(s.NotActions) > 0 {
			actions = []string{r.service() + ":*"}
		}
		// Which part of the resource the statement names.
		evalARN, sub, note := r.src.ARN, false, ""
		for _, rp := range s.Resources {
			if policy.MatchResource(rp, r.src.ARN) {
				evalARN, sub, note = r.src.ARN, false, ""
				break
			}
			if x, ok := subResource(rp, r.src.ARN); ok {
				evalARN, sub, note = x, true, rp
			}
		}
		restricted := b.restrictPublic(r)
		for _, a := range b.namedActors(s.Principals, r.account, actions) {
			if restricted && a.req.Type != policy.PrincipalService && a.req.Account != r.account {
				// S3 Block Public Access (RestrictPublicBuckets): a public
				// bucket policy reaches only service principals and the
				// owner's account.
				continue
			}
			for _, ap := range actions {
				gs, ev, denies := b.resourceGrantsOf(a, ap, b.applicableTo(ap, r.src.Type), r, evalARN, sub)
				b.emitAccess(a.nodeID, r.src.ARN, gs, ev, denies, note)
			}
		}
	}
}

// restrictPublic says whether S3 Block Public Access RestrictPublicBuckets
// (bucket or account level) applies to a bucket whose policy is public.
func (b *builder) restrictPublic(r *resource) bool {
	if r.src.Type != snapshot.TypeS3Bucket || r.named == nil {
		return false
	}
	on := r.src.PublicAccessBlock != nil && r.src.PublicAccessBlock.RestrictPublicBuckets
	if a, ok := b.accounts[r.account]; ok && a.PublicAccessBlock != nil && a.PublicAccessBlock.RestrictPublicBuckets {
		on = true
	}
	return on && policy.IsPublic(r.named.Policy)
}

// namedActors turns a statement's Principal element into the actors to
// evaluate. An account (root) in the inventory stands for every principal
// of that account whose identity policies may allow one of the actions; in
// the resource's own account it only delegates to identity policies, which
// deriveAccess covers already.
func (b *builder) namedActors(principals map[string][]string, resAccount string, actions []string) []*actor {
	var out []*actor
	seen := map[string]bool{}
	add := func(a *actor) {
		if a != nil && !seen[a.nodeID] {
			seen[a.nodeID] = true
			out = append(out, a)
		}
	}
	var probes []string
	for _, ap := range actions {
		probes = append(probes, expandOrSelf(ap)...)
	}
	mayAny := func(p *principal) bool {
		for _, x := range probes {
			if p.mayAllow(x) {
				return true
			}
		}
		return false
	}
	keys := make([]string, 0, len(principals))
	for k := range principals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range principals[k] {
			switch k {
			case "*":
				add(b.anonymousActor())
			case "AWS":
				if v == "*" {
					add(b.anonymousActor())
					continue
				}
				acct, arn := parseAWSPrincipal(v)
				switch {
				case arn == "": // account root
					if acct == resAccount {
						continue
					}
					if b.isInventoryAccount(acct) {
						for _, p := range b.prinsByAcct[acct] {
							if mayAny(p) {
								add(b.actorOf(p))
							}
						}
						continue
					}
					add(b.externalAccount(acct))
				default:
					if p, ok := b.prinByARN[arn]; ok {
						add(b.actorOf(p))
					} else if b.isInventoryAccount(acct) {
						b.gap(acct, arn, "UnknownPrincipal", "a policy names %s, which is not in the snapshot (deleted?)", arn)
					} else {
						add(b.externalPrincipal(arn))
					}
				}
			case "Service":
				add(b.serviceActor(v))
			case "Federated":
				add(b.federatedActor(v))
			}
		}
	}
	return out
}

func expandOrSelf(ap string) []string {
	if !strings.ContainsAny(ap, "*?") {
		return []string{ap}
	}
	if xs := catalog.Expand(ap); len(xs) > 0 {
		if len(xs) > 8 {
			return xs[:8]
		}
		return xs
	}
	return []string{ap}
}

// parseAWSPrincipal splits an AWS principal value: a 12-digit account ID
// or root ARN gives (account, ""); a user/role ARN (a role session ARN is
// mapped to its role) gives (account, arn).
func parseAWSPrincipal(v string) (string, string) {
	if len(v) == 12 && strings.Trim(v, "0123456789") == "" {
		return v, ""
	}
	acct := arnAccount(v)
	parts := strings.SplitN(v, ":", 6)
	if len(parts) < 6 {
		return v, ""
	}
	res := parts[5]
	switch {
	case res == "root":
		return acct, ""
	case strings.HasPrefix(res, "assumed-role/"):
		rest := strings.TrimPrefix(res, "assumed-role/")
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			rest = rest[:i]
		}
		return acct, "arn:aws:iam::" + acct + ":role/" + rest
	}
	return acct, v
}

// assumeActions are the STS actions that start a role session.
var assumeActions = []string{"sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"}

// deriveTrust adds CAN_ASSUME edges into a role from everyone its trust
// policy names, each decided with the trust policy as a resource policy
// that must allow explicitly, and the caller's full policy set.
func (b *builder) deriveTrust(role *principal) {
	if role.trust == nil {
		return
	}
	res := policy.Resource{ARN: role.arn, Account: role.account, Tags: role.node.Tags, OrgID: b.orgIDOf(role.account), ManagementAccount: role.account == b.mgmt && b.mgmt != ""}
	t := target{nodeID: role.arn, arn: role.arn, res: res, named: role.trust, kind: policy.ResourcePolicyTrust, account: role.account, rcps: b.rcps[role.account]}
	var actors []*actor
	seen := map[string]bool{}
	for _, s := range role.trust.Policy.Statements() {
		if s.Effect != "Allow" {
			continue
		}
		for _, a := range b.trustActors(s.Principals, role) {
			if !seen[a.nodeID] {
				seen[a.nodeID] = true
				actors = append(actors, a)
			}
		}
	}
	for _, a := range actors {
		if a.nodeID == role.arn {
			continue
		}
		action := "sts:AssumeRole"
		switch a.req.Type {
		case policy.PrincipalFederated:
			action = "sts:AssumeRoleWithWebIdentity"
			if n, _ := b.getNode(a.nodeID); n.Type == "SAML" {
				action = "sts:AssumeRoleWithSAML"
			}
		}
		d := b.eval(a, action, &t, nil)
		if d.Result != policy.Allowed {
			continue
		}
		e := Edge{Kind: EdgeCanAssume, From: a.nodeID, To: role.arn,
			Actions:  []ActionGrant{{Action: action, Level: catalog.Level(action)}},
			Evidence: b.evidence(d.Explanation.Allowing, a), Denies: b.evidence(d.Explanation.ConditionalDenies, a)}
		if d.Residual != nil {
			e.Conditional, e.Condition = true, d.Residual.String()
			e.Actions[0].Condition = e.Condition
		}
		if a.assumed != "" {
			e.Evidence = append(e.Evidence, Evidence{PolicyType: PolicyAssumed, PolicyID: "assumed:" + a.req.Account, PolicyName: "outside the inventory", Effect: "Allow", Note: a.assumed})
		}
		if a.req.Type == policy.PrincipalService {
			if confined(d) {
				e.Evidence = append(e.Evidence, Evidence{PolicyType: PolicyStructural, PolicyID: role.arn + "#trust", Effect: "Allow", Note: "service confined by aws:SourceAccount/aws:SourceArn"})
			}
		}
		b.addEdge(e)
	}
}

// confined says whether a service principal's decision depends on
// aws:SourceAccount or aws:SourceArn (confused-deputy protection).
func confined(d *policy.Decision) bool {
	if d.Residual == nil {
		return false
	}
	s := strings.ToLower(d.Residual.String())
	return strings.Contains(s, "aws:sourceaccount") || strings.Contains(s, "aws:sourcearn") || strings.Contains(s, "aws:sourceorgid")
}

func (b *builder) trustActors(principals map[string][]string, role *principal) []*actor {
	var out []*actor
	keys := make([]string, 0, len(principals))
	for k := range principals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range principals[k] {
			switch k {
			case "*":
				out = append(out, b.anonymousActor())
			case "AWS":
				if v == "*" {
					out = append(out, b.anonymousActor())
					continue
				}
				acct, arn := parseAWSPrincipal(v)
				switch {
				case arn == "":
					if b.isInventoryAccount(acct) {
						for _, p := range b.prinsByAcct[acct] {
							if p.mayAllow("sts:AssumeRole") {
								out = append(out, b.actorOf(p))
							}
						}
						continue
					}
					out = append(out, b.externalAccount(acct))
				default:
					if p, ok := b.prinByARN[arn]; ok {
						out = append(out, b.actorOf(p))
					} else if b.isInventoryAccount(acct) {
						b.gap(acct, arn, "UnknownPrincipal", "trust policy of %s names %s, which is not in the snapshot (deleted?)", role.arn, arn)
					} else {
						out = append(out, b.externalPrincipal(arn))
					}
				}
			case "Service":
				out = append(out, b.serviceActor(v))
			case "Federated":
				out = append(out, b.federatedActor(v))
			}
		}
	}
	return out
}

// derive runs every derivation, parallel over principals and resources.
func (b *builder) derive() {
	var jobs []func()
	for _, p := range b.prins {
		p := p
		jobs = append(jobs, func() { b.deriveAccess(p) })
		if p.isRole {
			jobs = append(jobs, func() { b.deriveTrust(p) })
		}
	}
	for _, r := range b.res.all {
		if r.named != nil {
			r := r
			jobs = append(jobs, func() { b.deriveResourcePolicy(r) })
		}
	}
	start := time.Now()
	b.run(jobs)
	b.log.Info("build: access, trust and resource-policy edges", "jobs", len(jobs), "edges", b.edgeCount(), "elapsed", time.Since(start).Round(time.Millisecond))
	// Escalation needs the admin marks of every principal first.
	start = time.Now()
	b.markAdmins()
	jobs = jobs[:0]
	for _, p := range b.prins {
		p := p
		jobs = append(jobs, func() { b.deriveEscalation(p) })
	}
	b.run(jobs)
	b.propagateAdmin()
	b.log.Info("build: escalation edges and admin marks", "edges", b.edgeCount(), "elapsed", time.Since(start).Round(time.Millisecond))
}

func (b *builder) run(jobs []func()) {
	ch := make(chan func())
	var wg sync.WaitGroup
	for i := 0; i < b.opts.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				j()
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
}
