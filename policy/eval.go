package policy

import (
	"encoding/json"
	"strings"

	"github.com/iamreach/iamreach/policy/catalog"
)

// stmt is a compiled statement.
type stmt struct {
	index          int
	sid            string
	effect         Effect
	actions        []actionPattern
	actionList     []string
	notAction      bool
	resources      []resourcePattern
	resourceList   []string
	notResource    bool
	hasResource    bool
	principals     map[string][]string
	notPrincipal   bool
	hasPrincipal   bool
	principalField string
	conds          []cond
	hasCondition   bool
	raw            json.RawMessage
}

// Policy kinds as reported in StatementRef.PolicyKind.
const (
	KindIdentity = "identity"
	KindResource = "resource"
	KindTrust    = "trust"
	KindBoundary = "boundary"
	KindSession  = "session"
	KindSCP      = "scp"
	KindRCP      = "rcp"
	KindVPCE     = "vpce"
)

// StatementRef names one statement that took part in a decision.
type StatementRef struct {
	PolicyID       string          `json:"policyId"`
	PolicyName     string          `json:"policyName,omitempty"`
	PolicyKind     string          `json:"policyKind"`
	Level          string          `json:"level,omitempty"` // org level ID for SCP/RCP
	StatementIndex int             `json:"statementIndex"`
	Sid            string          `json:"sid,omitempty"`
	Effect         string          `json:"effect"`
	Raw            json.RawMessage `json:"statement,omitempty"`
}

// Explanation says why a decision came out as it did.
type Explanation struct {
	Allowing          []StatementRef `json:"allowing"`
	Denying           []StatementRef `json:"denying"`
	ConditionalDenies []StatementRef `json:"conditionalDenies"`
	// BlockedBy names what denied the request ("explicit deny",
	// "SCP at ou-xxxx", "permissions boundary", …); empty when allowed.
	BlockedBy string   `json:"blockedBy,omitempty"`
	Notes     []string `json:"notes,omitempty"`
	// UnmetConditions: Allow statements that matched the action, resource
	// and principal but not their Condition, with the condition that failed.
	UnmetConditions []ConditionNote `json:"unmetConditions,omitempty"`
}

// ConditionNote says why the condition of a statement that would have
// allowed did not hold.
type ConditionNote struct {
	Statement StatementRef
	// The failing condition as written: key, operator and policy values.
	Key      string
	Operator string
	Values   []string
	// Request holds the request's values for the key; nil when absent.
	Request []string
}

// Condition renders the failing condition, e.g. `aws:SourceIp IpAddress 10.0.0.0/8`.
func (n ConditionNote) Condition() string {
	return (&Condition{Op: CondAtom, Key: n.Key, Operator: n.Operator, Values: n.Values}).String()
}

// MarshalJSON writes {"statement", "condition", "request"}.
func (n ConditionNote) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Statement StatementRef `json:"statement"`
		Condition string       `json:"condition"`
		Request   []string     `json:"request"`
	}{n.Statement, n.Condition(), n.Request})
}

// Decision is the outcome of Evaluate.
type Decision struct {
	Result Result
	// Residual: nil = unconditional. Otherwise the request is allowed
	// only if the residual condition holds (discovery mode).
	Residual    *Condition
	Explanation Explanation
}

// Conditional reports whether the decision depends on unknown request context.
func (d Decision) Conditional() bool { return d.Residual != nil }

// principal match strength in a resource policy
type pmatch uint8

const (
	pmNone     pmatch = iota
	pmAccount         // the account (root or id): delegates to identity policies
	pmRole            // the role ARN of a role session
	pmWildcard        // "*": everyone, without naming the caller
	pmDirect          // the user, the session, root itself, the service
	pmCount
)

type evaluator struct {
	ctx    evalCtx
	action string
	arn    string
	expl   *Explanation
	deny   tri
	q      quirks
	// quiet: only the result and the residual are wanted (Evaluator.Decide),
	// so no explanation is assembled.
	quiet bool
}

func (e *evaluator) matchAction(s *stmt) bool {
	for i := range s.actions {
		if s.actions[i].match(e.action) {
			return !s.notAction
		}
	}
	return s.notAction
}

func (e *evaluator) matchResource(s *stmt) bool {
	if !s.hasResource {
		return true
	}
	for i := range s.resources {
		r := &s.resources[i]
		var ok bool
		if r.vars {
			v, good, _ := e.ctx.resolveVars(r.raw, true)
			if !good {
				// A variable AWS cannot resolve makes the statement not
				// take effect, unless the entry cannot match whatever the
				// variable's value: with Resource the entry matches
				// nothing; with NotResource, if the rest of the entry
				// could match, the statement does not apply.
				if s.notResource {
					if e.q&quirkUnresolvedNotResource != 0 {
						if arnPrefixMatches(r.raw, e.arn) {
							return false
						}
						continue
					}
					any := compileResolved(varsAsWildcards(r.raw))
					if any.match(e.arn) {
						return false
					}
				}
				continue
			}
			rr := compileResolved(v)
			ok = rr.match(e.arn)
		} else {
			ok = r.match(e.arn)
		}
		if ok {
			return !s.notResource
		}
	}
	return s.notResource
}

// principalMatch: how strongly a Principal element names the caller.
func (e *evaluator) principalMatch(m map[string][]string) pmatch {
	p := &e.ctx.req.Principal
	best := pmNone
	if _, ok := m["*"]; ok {
		return pmWildcard
	}
	for _, v := range m["AWS"] {
		got := pmNone
		switch {
		case v == "*":
			got = pmWildcard
		case p.Type == PrincipalService || p.Type == PrincipalAnonymous || p.Type == PrincipalFederated:
		case isAccountID(v) || strings.HasSuffix(v, ":root"):
			acct := v
			if !isAccountID(v) {
				acct = splitARN(v)[4]
			}
			if acct == p.Account {
				got = pmAccount
				if p.Type == PrincipalRoot {
					got = pmDirect
				}
			}
		case v == p.ARN:
			got = pmDirect
		case p.Type == PrincipalRoleSession && sameRole(v, p.RoleARN):
			got = pmRole
		}
		if got > best {
			best = got
		}
	}
	if p.Type == PrincipalService {
		for _, v := range m["Service"] {
			if strings.EqualFold(v, p.ARN) {
				return pmDirect
			}
		}
	}
	if p.Type == PrincipalFederated {
		for _, v := range m["Federated"] {
			if v == p.ARN {
				return pmDirect
			}
		}
	}
	return best
}

// applies reports whether the statement's Principal/NotPrincipal covers
// the caller, and how strongly.
func (e *evaluator) principalApplies(s *stmt) pmatch {
	if !s.hasPrincipal {
		return pmDirect
	}
	m := e.principalMatch(s.principals)
	if !s.notPrincipal {
		return m
	}
	// NotPrincipal: applies to everyone not listed. AWS checks the account
	// first, then the role, then the session (or the user), so the caller
	// is spared only when its account and its own identity are listed. A
	// Deny with NotPrincipal always applies to principals with a
	// permissions boundary.
	if s.effect == Deny && e.ctx.hasBoundary {
		return pmDirect
	}
	if e.q&quirkNotPrincipalAnyMatch != 0 && e.principalMatch(s.principals) != pmNone {
		return pmNone
	}
	if e.notPrincipalSpares(s.principals) {
		return pmNone
	}
	return pmDirect
}

func (e *evaluator) notPrincipalSpares(m map[string][]string) bool {
	p := &e.ctx.req.Principal
	if _, ok := m["*"]; ok {
		return true
	}
	switch p.Type {
	case PrincipalService:
		for _, v := range m["Service"] {
			if strings.EqualFold(v, p.ARN) {
				return true
			}
		}
		return false
	case PrincipalFederated:
		for _, v := range m["Federated"] {
			if v == p.ARN {
				return true
			}
		}
		return false
	case PrincipalAnonymous:
		return false
	}
	account, self := false, p.Type == PrincipalRoot
	for _, v := range m["AWS"] {
		switch {
		case v == "*":
			return true
		case isAccountID(v) || strings.HasSuffix(v, ":root"):
			acct := v
			if !isAccountID(v) {
				acct = splitARN(v)[4]
			}
			if acct == p.Account {
				account = true
			}
		case v == p.ARN:
			self = true
		case p.Type == PrincipalRoleSession && sameRole(v, p.RoleARN):
			self = true
		}
	}
	return account && self
}

// sameRole: a role ARN in a policy names the session's role. Role names
// are unique in an account whatever their path, and a session ARN does
// not carry the path, so the path is ignored.
func sameRole(policyARN, roleARN string) bool {
	if policyARN == roleARN {
		return true
	}
	a, b := splitARN(policyARN), splitARN(roleARN)
	if a[0] != "arn" || a[2] != "iam" || a[4] != b[4] || a[4] == "" || !strings.HasPrefix(a[5], "role/") || !strings.HasPrefix(b[5], "role/") {
		return false
	}
	return a[5][strings.LastIndexByte(a[5], '/')+1:] == b[5][strings.LastIndexByte(b[5], '/')+1:]
}

// evalConds: AND of every condition in the statement.
func (e *evaluator) evalConds(s *stmt) tri {
	r := vTrue
	for i := range s.conds {
		r = and(r, e.evalCond(&s.conds[i]))
		if r.isFalse() {
			return r
		}
	}
	return r
}

func atomOf(c *cond) *Condition {
	vals := make([]string, len(c.values))
	for i := range c.values {
		vals[i] = c.values[i].raw
	}
	return &Condition{Op: CondAtom, Key: c.key, Operator: c.op.String(), Values: vals}
}

func (e *evaluator) evalCond(c *cond) tri {
	vals, present, known := e.ctx.lookup(c.lowerKey)
	if !known {
		return unknown(atomOf(c))
	}
	if c.op.Kind == OpNull {
		isNull := !present || len(vals) == 0
		for i := range c.values {
			if strings.EqualFold(c.values[i].raw, "true") == isNull {
				return vTrue
			}
		}
		return vFalse
	}
	pos, neg := c.op.Kind.positive()
	if !present || len(vals) == 0 {
		switch {
		case c.op.Set == SetForAllValues:
			return vTrue
		case c.op.Set == SetForAnyValue:
			return vFalse
		case c.op.IfExists || neg:
			return vTrue
		}
		return vFalse
	}
	anyMatch := func(ctxv string) (bool, bool) {
		for i := range c.values {
			pv := &c.values[i]
			resolved := pv.raw
			if pv.vars {
				like := pos == OpStringLike || pos == OpArnLike || pos == OpArnEquals
				raw := pv.raw
				if e.q&quirkEscapesOnlyInLike != 0 && !like {
					raw = hideEscapes(raw)
				}
				v, ok, unk := e.ctx.resolveVars(raw, like)
				if unk {
					return false, true
				}
				if !ok {
					if e.q&quirkVarNoValue != 0 && neg {
						return true, false
					}
					continue
				}
				resolved = v
			}
			if e.q&quirkIPRanges != 0 && pos == OpIPAddress {
				if m, ok := ipQuirk(ctxv, pv, neg); ok {
					if m {
						return true, false
					}
					continue
				}
			}
			if matchOneQ(pos, ctxv, pv, resolved, e.q) {
				return true, false
			}
		}
		return false, false
	}
	if c.op.Set == SetNone && (len(vals) > 1 || c.multi) {
		// Multivalued context keys require a set operator; without one
		// the condition does not match.
		return vFalse
	}
	switch c.op.Set {
	case SetForAllValues:
		for _, v := range vals {
			m, unk := anyMatch(v)
			if unk {
				return unknown(atomOf(c))
			}
			if m == neg {
				return vFalse
			}
		}
		return vTrue
	default: // none or ForAnyValue: some context value satisfies
		for _, v := range vals {
			m, unk := anyMatch(v)
			if unk {
				return unknown(atomOf(c))
			}
			if c.op.Set == SetForAnyValue && m != neg {
				return vTrue
			}
			if c.op.Set == SetNone && m {
				if neg {
					return vFalse
				}
				return vTrue
			}
		}
		if c.op.Set == SetNone && neg {
			return vTrue
		}
		return vFalse
	}
}

func ref(np *NamedPolicy, kind, level string, s *stmt) StatementRef {
	return StatementRef{PolicyID: np.ID, PolicyName: np.Name, PolicyKind: kind, Level: level,
		StatementIndex: s.index, Sid: s.sid, Effect: s.effect.String(), Raw: s.raw}
}

// scan evaluates every statement of a policy: denies are added to e.deny,
// the allow formula is returned; with a resource policy, allows are split
// by principal match strength.
func (e *evaluator) scan(np *NamedPolicy, kind, level string, res *[pmCount]tri) tri {
	allow := vFalse
	if np == nil || np.Policy == nil {
		return allow
	}
	for i := range np.Policy.stmts {
		s := &np.Policy.stmts[i]
		if !e.matchAction(s) || !e.matchResource(s) {
			continue
		}
		pm := pmDirect
		if kind == KindResource || kind == KindTrust || kind == KindVPCE || kind == KindRCP {
			pm = e.principalApplies(s)
			if pm == pmNone {
				continue
			}
		}
		c := e.evalConds(s)
		if c.isFalse() {
			if !e.quiet {
				e.noteUnmet(np, kind, level, s)
			}
			continue
		}
		if e.quiet {
			if s.effect == Deny {
				e.deny = or(e.deny, c)
				continue
			}
			allow = or(allow, c)
			if res != nil {
				res[pm] = or(res[pm], c)
			}
			continue
		}
		r := ref(np, kind, level, s)
		if s.effect == Deny {
			e.deny = or(e.deny, c)
			if c.isTrue() {
				e.expl.Denying = append(e.expl.Denying, r)
			} else {
				e.expl.ConditionalDenies = append(e.expl.ConditionalDenies, r)
			}
			continue
		}
		e.expl.Allowing = append(e.expl.Allowing, r)
		allow = or(allow, c)
		if res != nil {
			res[pm] = or(res[pm], c)
		}
	}
	return allow
}

func (e *evaluator) scanAll(ps []NamedPolicy, kind, level string) tri {
	a := vFalse
	for i := range ps {
		a = or(a, e.scan(&ps[i], kind, level, nil))
	}
	return a
}

// quirks reproduce the documented departures of @cloud-copilot/iam-simulate
// from AWS's documentation (policy/testdata/divergences.md). The
// differential test uses them to check that a disagreement is one of
// those and nothing else; Evaluate never sets them.
type quirks uint32

const (
	quirkRCPAllServices            quirks = 1 << iota // D1: RCPs applied to services that do not support them
	quirkSCPServicePrincipals                         // D2: SCPs applied to AWS service principals
	quirkNotPrincipalAnyMatch                         // D3: NotPrincipal spares the caller if any listed entry names it
	quirkSessionPolicyAlwaysLimits                    // D4: a session policy limits a grant to the session ARN
	quirkVarNoValue                                   // D6: a variable with no value makes negated operators fail
	quirkEscapesOnlyInLike                            // D7: ${*} ${?} ${$} stay literal outside StringLike/Arn operators
	quirkUnresolvedNotResource                        // D8: unresolved variable in NotResource: decided on the ARN prefix only
	quirkRootNeedsIdentity                            // D9: the root user needs identity policies like any principal
	quirkEpochMillis                                  // D10: integer epoch dates read as milliseconds
	quirkNoDerivedKeys                                // D11: principal/resource keys only from the given context
	quirkIPRanges                                     // D5: 0.0.0.0/0 matches nothing; IPv6 vs a bare IPv4 address errs
)

// Evaluate decides a request against every policy that applies, following
// AWS's documented evaluation logic.
func Evaluate(req *Request, set *PolicySet, mode Mode) Decision {
	var d Decision
	evaluateInto(&d, req, set, mode, 0)
	return d
}

// Evaluator decides requests reusing its memory: the hot path of the graph
// builder, which decides millions of requests. Not safe for concurrent
// use; the returned Decision is valid until the next call.
type Evaluator struct {
	d Decision
}

// Evaluate is the allocation-free form of the package function Evaluate
// (an unconditional decision allocates nothing once the explanation
// slices have grown to size).
func (ev *Evaluator) Evaluate(req *Request, set *PolicySet, mode Mode) *Decision {
	x := &ev.d.Explanation
	*x = Explanation{Allowing: x.Allowing[:0], Denying: x.Denying[:0], ConditionalDenies: x.ConditionalDenies[:0], Notes: x.Notes[:0], UnmetConditions: x.UnmetConditions[:0]}
	ev.d.Residual = nil
	ev.d.Result = ImplicitlyDenied
	evaluateInto(&ev.d, req, set, mode, 0)
	return &ev.d
}

// Decide is Evaluate without the explanation: the same Result and
// Residual, for callers that only need the outcome (the graph builder's
// checks and probes). It allocates nothing but the residual of a
// conditional decision.
func (ev *Evaluator) Decide(req *Request, set *PolicySet, mode Mode) (Result, *Condition) {
	var d Decision
	evaluateQuiet(&d, req, set, mode, 0, true)
	return d.Result, d.Residual
}

func evaluate(req *Request, set *PolicySet, mode Mode, q quirks) Decision {
	var d Decision
	evaluateInto(&d, req, set, mode, q)
	return d
}

func evaluateInto(d *Decision, req *Request, set *PolicySet, mode Mode, q quirks) {
	evaluateQuiet(d, req, set, mode, q, false)
}

// evaluateQuiet evaluates into d; quiet leaves d.Explanation untouched.
func evaluateQuiet(d *Decision, req *Request, set *PolicySet, mode Mode, q quirks, quiet bool) {
	e := evaluator{ctx: evalCtx{req: req, mode: mode, hasBoundary: set.Boundary != nil, q: q}, action: req.Action, arn: req.Resource.ARN, expl: &d.Explanation, deny: vFalse, q: q, quiet: quiet}
	p := &req.Principal
	service, _, _ := strings.Cut(req.Action, ":")

	// Organization policies.
	scpOK := vTrue
	scpApplies := len(set.SCPs) > 0 && !p.ManagementAccount && !p.ServiceLinked &&
		(p.Type != PrincipalService || e.q&quirkSCPServicePrincipals != 0) && p.Type != PrincipalAnonymous && p.Type != PrincipalFederated
	scpBlock := ""
	if scpApplies {
		for _, lvl := range set.SCPs {
			a := e.scanAll(lvl.Policies, KindSCP, lvl.ID)
			if a.isFalse() && scpBlock == "" {
				scpBlock = "SCP at " + lvl.ID
			}
			scpOK = and(scpOK, a)
		}
	}
	// RCPs: RCPFullAWSAccess is attached to every level and cannot be
	// detached, and Allow is only supported in it, so only their denies
	// matter. Not applied to the management account's resources, to
	// AWS-managed KMS keys, to service-linked roles, nor to services that
	// do not support RCPs.
	rcpApplies := len(set.RCPs) > 0 && !req.Resource.ManagementAccount && !req.Resource.AWSManagedKMSKey &&
		!p.ServiceLinked && (catalog.RCPSupported(service) || e.q&quirkRCPAllServices != 0)
	if rcpApplies {
		for _, lvl := range set.RCPs {
			e.scanAll(lvl.Policies, KindRCP, lvl.ID)
		}
	} else if len(set.RCPs) > 0 && !quiet {
		d.Explanation.Notes = append(d.Explanation.Notes, rcpExemption(req, p, service))
	}
	vpceOK := vTrue
	if set.VPCEndpoint != nil {
		vpceOK = e.scanAll(set.VPCEndpoint, KindVPCE, "")
	}

	// Principal side.
	identity := vFalse
	switch p.Type {
	case PrincipalRoot:
		identity = vTrue // the root user has every permission in its own account
		if e.q&quirkRootNeedsIdentity != 0 {
			identity = e.scanAll(set.Identity, KindIdentity, "")
		}
	case PrincipalUser, PrincipalRoleSession:
		identity = e.scanAll(set.Identity, KindIdentity, "")
	}
	boundary := vTrue
	if set.Boundary != nil {
		boundary = e.scanAll(set.Boundary, KindBoundary, "")
	}
	session := vTrue
	if set.Session != nil {
		session = e.scanAll(set.Session, KindSession, "")
	}

	// Resource side.
	var res [pmCount]tri
	for i := range res {
		res[i] = vFalse
	}
	rkind := KindResource
	if set.ResourcePolicyKind == ResourcePolicyTrust {
		rkind = KindTrust
	}
	e.scan(set.Resource, rkind, "", &res)

	sameAccount := req.Resource.Account == "" || req.Resource.Account == p.Account
	bpaBlocks := false
	if req.Resource.RestrictPublicBuckets && strings.EqualFold(service, "s3") && isS3BucketARN(req.Resource.ARN) &&
		set.Resource != nil && IsPublic(set.Resource.Policy) && p.Type != PrincipalService &&
		(p.Type == PrincipalAnonymous || !sameAccount) {
		// "public and cross-account access within any public bucket policy,
		// including non-public delegation to specific accounts, is blocked"
		bpaBlocks = true
	}
	var allowed tri
	principalSide := and(identity, and(boundary, session))
	if p.Type == PrincipalService || p.Type == PrincipalAnonymous || p.Type == PrincipalFederated {
		// No identity side: a service, an anonymous caller or an identity
		// provider (AssumeRoleWithWebIdentity/SAML) is allowed by the
		// resource (trust) policy alone.
		allowed = or(res[pmDirect], res[pmWildcard])
	} else if sameAccount {
		// In the same account a resource policy that names the user or the
		// session overrides implicit denies of the identity policies, the
		// boundary and the session policy; one that names the role only
		// those of the identity policies; "*" (which does not name the
		// session) those of the identity policies and the boundary.
		direct := res[pmDirect]
		if e.q&quirkSessionPolicyAlwaysLimits != 0 {
			direct = and(direct, session)
		}
		viaRole := and(res[pmRole], and(boundary, session))
		viaWildcard := and(res[pmWildcard], session)
		resourcePaths := or(direct, or(viaWildcard, viaRole))
		if set.ResourcePolicyKind == ResourcePolicyOrdinary {
			allowed = or(principalSide, resourcePaths)
		} else {
			// Trust and KMS key policies must allow explicitly; naming the
			// account delegates to the identity policies.
			allowed = or(and(res[pmAccount], principalSide), resourcePaths)
		}
	} else {
		resAllow := vFalse
		for _, r := range res {
			resAllow = or(resAllow, r)
		}
		allowed = and(principalSide, resAllow)
	}
	final := and(and(allowed, and(scpOK, vpceOK)), not(e.deny))

	if quiet {
		switch {
		case bpaBlocks && !final.isFalse() && !e.deny.isTrue(), e.deny.isTrue():
			d.Result = ExplicitlyDenied
		case final.isFalse():
			d.Result = ImplicitlyDenied
		default:
			d.Result = Allowed
			if !final.isTrue() {
				d.Residual = final.c
			}
		}
		return
	}
	switch {
	case bpaBlocks && !final.isFalse() && !e.deny.isTrue():
		d.Result = ExplicitlyDenied
		d.Explanation.BlockedBy = "S3 Block Public Access (RestrictPublicBuckets): the bucket policy is public and the caller is outside the bucket owner's account"
	case e.deny.isTrue():
		d.Result = ExplicitlyDenied
		d.Explanation.BlockedBy = "explicit deny"
		if len(d.Explanation.Denying) > 0 {
			d.Explanation.BlockedBy = denyText[d.Explanation.Denying[0].PolicyKind]
		}
	case final.isFalse():
		d.Result = ImplicitlyDenied
		d.Explanation.BlockedBy = blocker(scpBlock, vpceOK, identity, boundary, session, res, sameAccount, set, p, d.Explanation.UnmetConditions)
	default:
		d.Result = Allowed
		if !final.isTrue() {
			d.Residual = final.c
		}
	}
}

func blocker(scp string, vpce, identity, boundary, session tri, res [pmCount]tri, same bool, set *PolicySet, p *Principal, unmet []ConditionNote) string {
	switch {
	case scp != "":
		return scp
	case vpce.isFalse():
		return "VPC endpoint policy"
	}
	anyRes := false
	for _, r := range res[pmAccount:] {
		anyRes = anyRes || !r.isFalse()
	}
	switch {
	case !same && !anyRes:
		return "no resource policy allows this cross-account request"
	case set.ResourcePolicyKind != ResourcePolicyOrdinary && !anyRes && p.Type != PrincipalService:
		what := "the key policy"
		if set.ResourcePolicyKind == ResourcePolicyTrust {
			what = "the trust policy"
		}
		for _, u := range unmet {
			if u.Statement.PolicyKind == KindTrust || u.Statement.PolicyKind == KindResource {
				return what + " allows this principal only under a condition that does not hold"
			}
		}
		return what + " does not allow this principal"
	case identity.isFalse() && !anyRes:
		return "no identity policy allows"
	case boundary.isFalse():
		return "permissions boundary"
	case session.isFalse():
		return "session policy"
	case identity.isFalse():
		return "no identity policy allows"
	}
	return "no policy allows"
}

func rcpExemption(req *Request, p *Principal, service string) string {
	switch {
	case req.Resource.ManagementAccount:
		return "RCPs not applied: the resource is in the management account"
	case req.Resource.AWSManagedKMSKey:
		return "RCPs not applied: AWS managed KMS key"
	case p.ServiceLinked:
		return "RCPs not applied: service-linked role"
	}
	return "RCPs not applied: " + service + " does not support RCPs"
}

// ipQuirk reproduces iam-simulate's IP matching (divergence D5): an IPv4
// /0 range matches no address, and comparing an IPv6 address with a bare
// IPv4 address fails both IpAddress and NotIpAddress.
func ipQuirk(ctx string, pv *condValue, neg bool) (match, handled bool) {
	if pv.ipOK && pv.prefix.Addr().Is4() && pv.prefix.Bits() == 0 {
		return false, true
	}
	if pv.ipOK && !strings.Contains(pv.raw, "/") && pv.prefix.Addr().Is4() && strings.Contains(ctx, ":") {
		return neg, true
	}
	return false, false
}

// hideEscapes keeps ${*}, ${?} and ${$} literal (quirk D7) by protecting
// them from resolveVars.
func hideEscapes(s string) string {
	r := strings.NewReplacer("${*}", "${$}{*}", "${?}", "${$}{?}", "${$}", "${$}{$}")
	return r.Replace(s)
}

// varsAsWildcards replaces every policy variable except the escapes with *.
func varsAsWildcards(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		switch inner := strings.TrimSpace(s[i+2 : i+j]); inner {
		case "*":
			b.WriteByte(litStar)
		case "?":
			b.WriteByte(litQuestion)
		case "$":
			b.WriteByte('$')
		default:
			b.WriteByte('*')
		}
		s = s[i+j+1:]
	}
}

// arnPrefixMatches reproduces iam-simulate's check before it resolves
// variables (quirk D8): partition, service, region and account match, and
// the resource starts with the pattern's resource type ("user/", "table/").
func arnPrefixMatches(pattern, arn string) bool {
	p, a := splitARN(pattern), splitARN(arn)
	for i := 1; i < 5; i++ {
		if !wildcardMatch(strings.ToLower(p[i]), a[i], true, false) {
			return false
		}
	}
	product := ""
	if i := strings.IndexAny(p[5], "/:"); i >= 0 && !(p[2] == "s3" && p[3] == "" && p[4] == "") {
		product = p[5][:i+1]
	}
	return strings.HasPrefix(a[5], product)
}

// isS3BucketARN: an S3 bucket or object ARN (arn:aws:s3:::bucket[/key]).
func isS3BucketARN(arn string) bool {
	if arn == "*" {
		return true
	}
	p := splitARN(arn)
	return p[0] == "arn" && p[2] == "s3" && p[3] == "" && p[4] == "" && p[5] != "" && !strings.HasPrefix(p[5], "/")
}

// noteUnmet records which condition of an Allow statement failed (only
// statements with conditions that do not hold get here; no allocation but
// for derived request values).
func (e *evaluator) noteUnmet(np *NamedPolicy, kind, level string, s *stmt) {
	if s.effect != Allow {
		return
	}
	for i := range s.conds {
		c := &s.conds[i]
		if !e.evalCond(c).isFalse() {
			continue
		}
		vals := e.ctx.lookupStable(c.lowerKey)
		e.expl.UnmetConditions = append(e.expl.UnmetConditions, ConditionNote{
			Statement: ref(np, kind, level, s), Key: c.key, Operator: c.opText, Values: c.rawValues, Request: vals,
		})
		return
	}
}

// denyText: BlockedBy for an explicit deny, by the kind of the first
// denying policy (named in Explanation.Denying); constant strings keep the
// denied path allocation-free.
var denyText = map[string]string{
	KindIdentity: "explicit deny in an identity policy",
	KindResource: "explicit deny in the resource policy",
	KindTrust:    "explicit deny in the trust policy",
	KindBoundary: "explicit deny in the permissions boundary",
	KindSession:  "explicit deny in the session policy",
	KindSCP:      "explicit deny in an SCP",
	KindRCP:      "explicit deny in an RCP",
	KindVPCE:     "explicit deny in the VPC endpoint policy",
}
