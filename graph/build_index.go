package graph

import (
	"sort"
	"strings"
	"sync"

	"github.com/iamreach/iamreach/policy"
	"github.com/iamreach/iamreach/snapshot"
)

// principal is a user or role with its compiled policy set.
type principal struct {
	arn         string
	account     string
	node        Node
	req         policy.Principal
	identity    []policy.NamedPolicy
	boundary    []policy.NamedPolicy
	boundaryARN string
	attached    []string
	groupARNs   []string
	trust       *policy.NamedPolicy // roles only
	isRole      bool
	admin       bool
	// allows lists every Allow statement of the identity policies, for the
	// candidate search (which resources a statement may name).
	allows []allowStmt
}

type allowStmt struct {
	pol  *policy.NamedPolicy
	stmt policy.Statement
}

// mayAllow says whether some identity Allow statement could allow action
// (a cheap pre-filter before asking the engine).
func (p *principal) mayAllow(action string) bool {
	for _, a := range p.allows {
		if stmtMatchesAction(a.stmt, action) {
			return true
		}
	}
	return false
}

// stmtMatchesAction says whether a statement's Action (or NotAction)
// element matches an action: IAM action matching is a case-insensitive
// glob, as policy.MatchAction does (this one does not allocate).
func stmtMatchesAction(s policy.Statement, action string) bool {
	if len(s.NotActions) > 0 {
		for _, na := range s.NotActions {
			if WildcardMatch(na, action) {
				return false
			}
		}
		return true
	}
	for _, a := range s.Actions {
		if WildcardMatch(a, action) {
			return true
		}
	}
	return false
}

func (b *builder) compilePrincipals(a *snapshot.Account) {
	groupPolicies := map[string][]policy.NamedPolicy{}
	groupARN := map[string]string{}
	for _, g := range a.Groups {
		groupARN[g.Name] = g.ARN
		for _, ip := range g.InlinePolicies {
			if np := b.parse(a.ID, g.ARN+"#inline/"+ip.Name, ip.Name, ip.Document); np != nil {
				groupPolicies[g.Name] = append(groupPolicies[g.Name], *np)
			}
		}
		for _, pa := range g.AttachedPolicies {
			if c, ok := b.managed[pa]; ok && c.err == nil {
				groupPolicies[g.Name] = append(groupPolicies[g.Name], c.named)
			}
		}
	}
	mk := func(arn, name, id string, tags map[string]string, inline []snapshot.InlinePolicy, attached []string, boundary string, role bool) *principal {
		p := &principal{arn: arn, account: a.ID, attached: attached, boundaryARN: boundary, isRole: role}
		kind := KindUser
		if role {
			kind = KindRole
		}
		p.node = Node{ID: arn, Kind: kind, Name: name, Account: a.ID, Tags: tags, Props: map[string]string{}}
		for _, ip := range inline {
			if np := b.parse(a.ID, arn+"#inline/"+ip.Name, ip.Name, ip.Document); np != nil {
				p.identity = append(p.identity, *np)
			}
		}
		for _, pa := range attached {
			c, ok := b.managed[pa]
			switch {
			case !ok:
				b.gap(a.ID, pa, "MissingPolicy", "%s: attached policy %s is not in the snapshot; its grants are unknown", arn, pa)
			case c.err == nil:
				p.identity = append(p.identity, c.named)
			}
		}
		if boundary != "" {
			c, ok := b.managed[boundary]
			if ok && c.err == nil {
				p.boundary = []policy.NamedPolicy{c.named}
			} else {
				// An unreadable boundary allows nothing we can prove: keep it
				// as an empty boundary (deny by default) and record the gap.
				b.gap(a.ID, boundary, "MissingPolicy", "%s: permissions boundary %s is not in the snapshot; treated as allowing nothing", arn, boundary)
				p.boundary = []policy.NamedPolicy{}
			}
			p.node.Props["boundary"] = boundary
		}
		p.req = policy.Principal{
			Type:              policy.PrincipalUser,
			ARN:               arn,
			Account:           a.ID,
			Tags:              tags,
			OrgID:             b.orgID,
			ManagementAccount: a.ID == b.mgmt && b.mgmt != "",
		}
		if op, ok := b.orgPaths[a.ID]; ok {
			p.req.OrgPaths = []string{op}
		} else {
			p.req.OrgID = ""
		}
		if role {
			p.req.Type = policy.PrincipalRoleSession
			p.req.RoleARN = arn
			p.req.ARN = "arn:aws:sts::" + a.ID + ":assumed-role/" + name + "/iamreach"
			if strings.Contains(arn, ":role/aws-service-role/") {
				p.req.ServiceLinked = true
				p.node.Props["serviceLinked"] = "true"
			}
		}
		if id != "" {
			p.node.Props["uniqueId"] = id
		}
		if len(p.node.Props) == 0 {
			p.node.Props = nil
		}
		return p
	}
	for _, u := range a.Users {
		p := mk(u.ARN, u.Name, u.ID, u.Tags, u.InlinePolicies, u.AttachedPolicies, u.PermissionsBoundary, false)
		for _, gname := range u.Groups {
			garn, ok := groupARN[gname]
			if !ok {
				b.gap(a.ID, u.ARN, "UnknownGroup", "user %s is in group %s, which is not in the snapshot", u.ARN, gname)
				continue
			}
			p.groupARNs = append(p.groupARNs, garn)
			p.identity = append(p.identity, groupPolicies[gname]...)
		}
		b.addPrincipal(p)
	}
	for _, r := range a.Roles {
		p := mk(r.ARN, r.Name, r.ID, r.Tags, r.InlinePolicies, r.AttachedPolicies, r.PermissionsBoundary, true)
		p.trust = b.parse(a.ID, r.ARN+"#trust", r.Name+" trust policy", r.TrustPolicy)
		b.addPrincipal(p)
		b.roles[r.ARN] = p
	}
}

func (b *builder) addPrincipal(p *principal) {
	for i := range p.identity {
		np := &p.identity[i]
		for _, s := range np.Policy.Statements() {
			if s.Effect == "Allow" {
				p.allows = append(p.allows, allowStmt{pol: np, stmt: s})
			}
		}
	}
	b.prins = append(b.prins, p)
	b.prinByARN[p.arn] = p
	b.prinsByAcct[p.account] = append(b.prinsByAcct[p.account], p)
}

// resource is an inventory resource with its compiled policy.
type resource struct {
	src     *snapshot.Resource
	account string
	named   *policy.NamedPolicy
	// principal is set for IAM users, roles and groups, indexed so that IAM
	// actions on them find them; their nodes are made as principals.
	principal *principal
	// sigBase, sigTags, shape, shapePatterns and shapeTags (the policy
	// may read resource tags): see setShape.
	sigBase       string
	sigTags       string
	shape         int
	shapePatterns []*patMatcher
	shapeTags     bool
}

func (r *resource) service() string {
	if i := strings.IndexByte(r.src.Type, ':'); i > 0 {
		return r.src.Type[:i]
	}
	return arnService(r.src.ARN)
}

func (r *resource) node() Node {
	props := map[string]string{}
	for k, v := range r.src.Properties {
		props[k] = v
	}
	if len(r.src.Policy) > 0 {
		props["hasPolicy"] = "true"
	}
	if len(props) == 0 {
		props = nil
	}
	name := r.src.Name
	if name == "" {
		name = shortName(r.src.ARN)
	}
	return Node{ID: r.src.ARN, Kind: KindResource, Name: name, Type: r.src.Type, Account: r.account, Region: r.src.Region, Tags: r.src.Tags, Props: props}
}

func (r *resource) request(b *builder) policy.Resource {
	return policy.Resource{
		ARN:               r.src.ARN,
		Account:           r.account,
		Tags:              r.src.Tags,
		OrgID:             b.orgIDOf(r.account),
		ManagementAccount: r.account == b.mgmt && b.mgmt != "",
		AWSManagedKMSKey:  r.src.Type == snapshot.TypeKMSKey && r.src.Properties["keyManager"] == "AWS",
	}
}

func (b *builder) orgIDOf(account string) string {
	if b.inOrg(account) {
		return b.orgID
	}
	return ""
}

// resourceIndex finds the inventory resources a statement's Resource
// pattern may name without scanning everything: by service, then account.
type resourceIndex struct {
	all   []*resource
	byARN map[string]*resource
	// bySvcAcct: service → account → resources sorted by ARN.
	bySvcAcct map[string]map[string][]*resource
	byAcct    map[string][]*resource
	// matched caches match by pattern once sealed: many principals share
	// a statement (a group's or a managed policy's).
	matched sync.Map
}

func newResourceIndex() *resourceIndex {
	return &resourceIndex{byARN: map[string]*resource{}, bySvcAcct: map[string]map[string][]*resource{}, byAcct: map[string][]*resource{}}
}

func (x *resourceIndex) add(r *resource) {
	if _, dup := x.byARN[r.src.ARN]; dup {
		return
	}
	r.sigBase = sigBase(r)
	r.sigTags = sigTags(r)
	x.all = append(x.all, r)
	x.byARN[r.src.ARN] = r
	svc := r.service()
	if x.bySvcAcct[svc] == nil {
		x.bySvcAcct[svc] = map[string][]*resource{}
	}
	x.bySvcAcct[svc][r.account] = append(x.bySvcAcct[svc][r.account], r)
	x.byAcct[r.account] = append(x.byAcct[r.account], r)
}

func (x *resourceIndex) seal() {
	less := func(rs []*resource) {
		sort.Slice(rs, func(i, j int) bool { return rs[i].src.ARN < rs[j].src.ARN })
	}
	less(x.all)
	for _, m := range x.bySvcAcct {
		for _, rs := range m {
			less(rs)
		}
	}
	for _, rs := range x.byAcct {
		less(rs)
	}
}

// inService lists the resources of a service in an account.
func (x *resourceIndex) inService(svc, account string) []*resource {
	return x.bySvcAcct[svc][account]
}

// match lists the resources a specific (non-"*") pattern names, either as
// the resource itself or as sub-resources of it (objects of a bucket,
// indexes of a table), with the ARN to ask the engine about. Resources are
// found by binary search on the pattern's literal prefix (the part before
// its first wildcard) in the ARN-sorted lists of the service, and by
// looking up the literal prefix's own prefixes (for sub-resource patterns).
func (x *resourceIndex) match(m *patMatcher) []resMatch {
	if v, ok := x.matched.Load(m.raw); ok {
		return v.([]resMatch)
	}
	v, _ := x.matched.LoadOrStore(m.raw, x.find(m))
	return v.([]resMatch)
}

// find is match without the cache (the result is shared: not to be modified).
func (x *resourceIndex) find(m *patMatcher) []resMatch {
	pattern := m.raw
	parts := strings.SplitN(pattern, ":", 6)
	if len(parts) < 6 {
		return nil
	}
	svc, acct := parts[2], parts[4]
	lit := pattern
	if i := strings.IndexAny(pattern, "*?"); i >= 0 {
		lit = pattern[:i]
	}
	var lists [][]*resource
	if strings.ContainsAny(svc, "*?") {
		lists = [][]*resource{x.all}
	} else {
		byAcct := x.bySvcAcct[strings.ToLower(svc)]
		if acct == "" || strings.ContainsAny(acct, "*?") {
			accts := make([]string, 0, len(byAcct))
			for a := range byAcct {
				accts = append(accts, a)
			}
			sort.Strings(accts)
			for _, a := range accts {
				lists = append(lists, byAcct[a])
			}
		} else {
			lists = [][]*resource{byAcct[acct]}
		}
	}
	var out []resMatch
	seen := map[string]bool{}
	for _, rs := range lists {
		i := sort.Search(len(rs), func(i int) bool { return rs[i].src.ARN >= lit })
		for ; i < len(rs) && strings.HasPrefix(rs[i].src.ARN, lit); i++ {
			r := rs[i]
			if m.whole.Match(r.src.ARN) {
				seen[r.src.ARN] = true
				out = append(out, resMatch{r: r, evalARN: r.src.ARN})
			} else if sub, ok := m.sub(r.src.ARN); ok {
				seen[r.src.ARN] = true
				out = append(out, resMatch{r: r, evalARN: sub, sub: true})
			}
		}
	}
	// Resources whose ARN is a prefix of the literal part (the pattern
	// names things under them).
	for j := len("arn:aws:"); j < len(lit); j++ {
		if lit[j] != '/' && lit[j] != ':' {
			continue
		}
		r, ok := x.byARN[lit[:j]]
		if !ok || seen[r.src.ARN] {
			continue
		}
		if sub, ok := m.sub(r.src.ARN); ok {
			seen[r.src.ARN] = true
			out = append(out, resMatch{r: r, evalARN: sub, sub: true})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].r.src.ARN < out[j].r.src.ARN })
	return out
}

type resMatch struct {
	r       *resource
	evalARN string // the ARN asked about: the resource's, or the sub-resource pattern
	sub     bool   // the grant is on part of the resource (objects under a prefix …)
}

// subResource decides whether pattern names sub-resources of arn (such as
// arn:aws:s3:::bucket/prefix/* under arn:aws:s3:::bucket) and returns the
// pattern rewritten under arn.
func subResource(pattern, arn string) (string, bool) {
	for j := len("arn:aws:"); j < len(pattern); j++ {
		if pattern[j] != '/' && pattern[j] != ':' {
			continue
		}
		if policy.MatchResource(pattern[:j], arn) {
			return arn + pattern[j:], true
		}
	}
	return "", false
}
