package findings

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/iamreach/iamreach/graph"
)

// vendor is a label for an account outside the organization.
type vendor struct {
	name  string
	known bool // on the user's allow-list
}

// wellKnownVendors are third-party account IDs documented publicly by the
// vendors themselves (as collected by the fwd:cloudsec known_aws_accounts
// list). They label trusts; they do not make a trust safe.
var wellKnownVendors = map[string]string{
	"464622532012": "Datadog",
	"865078226113": "Datadog",
	"754728514883": "New Relic",
	"017663287629": "New Relic",
	"414351767826": "Databricks",
	"790110701330": "Databricks",
	"454464851268": "CloudHealth",
	"834469178297": "Fivetran",
	"198361731867": "Snyk",
	"434813966438": "Lacework",
	"926226587429": "Sumo Logic",
	"336818582268": "Rapid7",
	"012615275169": "Tenable",
	"922761411349": "Spot by NetApp",
	"188619942792": "Prisma Cloud",
}

// WellKnownVendor returns the vendor label of a well-known third-party account.
func WellKnownVendor(account string) (string, bool) {
	v, ok := wellKnownVendors[account]
	return v, ok
}

func vendorTable(known map[string]string) map[string]vendor {
	t := map[string]vendor{}
	for id, n := range wellKnownVendors {
		t[id] = vendor{name: n}
	}
	for id, n := range known {
		v := t[id]
		if n != "" {
			v.name = n
		}
		v.known = true
		t[id] = v
	}
	return t
}

var accountIDRe = regexp.MustCompile(`^\d{12}$`)

// ReadKnownAccounts reads an allow-list of accounts: one per line, the
// 12-digit account ID then an optional label; '#' starts a comment. Errors
// name the line.
func ReadKnownAccounts(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	for ln := 1; sc.Scan(); ln++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		id, label, _ := strings.Cut(line, " ")
		id = strings.TrimSpace(strings.TrimSuffix(id, ":"))
		if !accountIDRe.MatchString(id) {
			return nil, fmt.Errorf("line %d: %q is not a 12-digit account ID", ln, id)
		}
		out[id] = strings.TrimSpace(label)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// vendorOf labels an outside node: the builder's vendor prop, the user's
// allow-list, or the built-in list.
func (c *computer) vendorOf(n *graph.Node) vendor {
	v := c.vendors[accountOf(*n)]
	if p := n.Props["vendor"]; p != "" && v.name == "" {
		v.name = p
	}
	return v
}

func hasKey(cond, key string) bool {
	return strings.Contains(strings.ToLower(cond), strings.ToLower(key))
}

// edgeCondition is the readable condition of an edge together with the
// condition blocks of its evidence statements, so a key is found whether
// the builder kept it as residual text or only in the statement.
func edgeCondition(e *graph.Edge) string {
	parts := []string{e.Condition}
	for _, ev := range e.Evidence {
		if len(ev.Statement) > 0 {
			parts = append(parts, string(ev.Statement))
		}
	}
	return strings.Join(parts, " ")
}

func isGitHub(n *graph.Node) bool {
	return strings.Contains(n.ID, "token.actions.githubusercontent.com") || strings.Contains(n.Name, "token.actions.githubusercontent.com") ||
		strings.Contains(n.Props["url"], "token.actions.githubusercontent.com")
}

// externalTrust reports every role trusted from outside the organization:
// outside accounts and their principals, OIDC and SAML providers, and
// anyone ("*").
func (c *computer) externalTrust() {
	for _, e := range c.allEdges(graph.EdgeCanAssume) {
		from, to := c.ix.nodes[e.From], c.ix.nodes[e.To]
		if from == nil || to == nil || to.Kind != graph.KindRole {
			continue
		}
		cond := edgeCondition(e)
		f := graph.Finding{
			Kind: graph.FindingExternalTrust, Subject: to.ID, Target: from.ID, Account: to.Account,
			Condition: e.Condition, Evidence: e.Evidence, Path: ptr(pathOf(from.ID, []graph.Edge{*e})),
		}
		switch {
		case from.Kind == graph.KindAnonymous:
			f.Severity = SevCritical
			f.Title = fmt.Sprintf("Role %s can be assumed by anyone", to.Name)
			f.Detail = "the trust policy allows Principal \"*\""
		case from.Kind == graph.KindIdentityProvider:
			typ := from.Type
			if typ == "" {
				typ = "identity"
			}
			f.Title = fmt.Sprintf("Role %s is trusted by %s provider %s", to.Name, typ, from.Name)
			switch {
			case isGitHub(from) && !hasKey(cond, "githubusercontent.com:sub"):
				f.Severity = SevCritical
				f.Detail = "GitHub Actions OIDC trust without a condition on the token's sub claim: any repository on GitHub can assume this role"
			case isGitHub(from) && strings.Contains(subClaim(cond), "*"):
				f.Severity = SevMedium
				f.Detail = "GitHub Actions OIDC trust with a wildcard in the sub claim: " + subClaim(cond)
			case strings.EqualFold(typ, "SAML"):
				f.Severity = SevInfo
				f.Detail = "federated sign-in through SAML"
			default:
				f.Severity = SevLow
				f.Detail = "web identity federation, confined by: " + orNone(e.Condition)
			}
		case c.ix.external(from):
			v := c.vendorOf(from)
			label := "unknown account " + accountOf(*from)
			if v.name != "" {
				label = fmt.Sprintf("%s (account %s)", v.name, accountOf(*from))
			}
			f.Title = fmt.Sprintf("Role %s is trusted by %s", to.Name, label)
			extID := hasKey(cond, "sts:ExternalId")
			switch {
			case v.known:
				f.Severity = SevInfo
				f.Detail = "allow-listed account"
				if !extID {
					f.Detail += "; no sts:ExternalId condition"
				}
			case v.name != "" && !extID:
				f.Severity = SevHigh
				f.Detail = "third-party trust without sts:ExternalId: the vendor can be tricked into acting on this role for another customer (confused deputy)"
			case v.name != "":
				f.Severity = SevLow
				f.Detail = "third-party trust with sts:ExternalId"
			case e.Conditional:
				f.Severity = SevMedium
				f.Detail = "unknown outside account, under condition: " + e.Condition
			default:
				f.Severity = SevHigh
				f.Detail = "unknown outside account, unconditionally"
			}
			if v.name != "" {
				f.Detail += "; vendor: " + v.name
			}
		default:
			continue
		}
		f.ID = ID(f.Kind, f.Subject, f.Target)
		c.add(f)
	}
}

var subRe = regexp.MustCompile(`(?i)githubusercontent\.com:sub[^,}\n]*`)

// subClaim extracts the sub claim text of a GitHub OIDC condition (the
// readable residual or the statement's JSON), for display and for the
// wildcard check.
func subClaim(cond string) string {
	var parts []string
	for _, m := range subRe.FindAllString(cond, -1) {
		if before, _, ok := strings.Cut(m, " AND "); ok {
			m = before
		}
		parts = append(parts, strings.TrimSpace(m))
	}
	return strings.Join(parts, "; ")
}

func orNone(s string) string {
	if s == "" {
		return "no condition"
	}
	return s
}

func ptr[T any](v T) *T { return &v }

// allEdges lists the edges of one kind, in ID order.
func (c *computer) allEdges(k graph.EdgeKind) []*graph.Edge {
	var out []*graph.Edge
	for _, es := range c.ix.out {
		for _, e := range es {
			if e.Kind == k {
				out = append(out, e)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// outsiders lists the nodes outside the organization that can act: outside
// accounts and principals, and identity providers.
func (c *computer) outsiders() []*graph.Node {
	var out []*graph.Node
	for _, n := range c.ix.nodes {
		if n.Kind == graph.KindIdentityProvider || c.ix.external(n) {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// externalAccess reports, for every outside principal, what it reaches
// inside the organization and by which route: one finding per grant target
// (a resource, or a scope standing for a service's resources in an
// account), capped per principal.
func (c *computer) externalAccess() {
	for _, o := range c.outsiders() {
		routes, order := c.ix.identities(o.ID, c.opts.maxDepth())
		n := 0
		for _, id := range order {
			for _, e := range c.ix.out[id] {
				if !isAccessEdge(e.Kind) {
					continue
				}
				t := c.ix.nodes[e.To]
				if t == nil || !c.ix.inside[t.Account] {
					continue
				}
				if n >= c.opts.maxPerOrigin() {
					continue
				}
				n++
				p := extend(route(routes, o.ID, id), *e)
				res := c.ix.resourcesOf(e.To)
				sev := SevHigh
				if v := c.vendorOf(o); v.known {
					sev = SevLow
				} else if o.Kind == graph.KindIdentityProvider || v.name != "" {
					sev = SevMedium
				}
				if c.viaAdmin(p) || e.To == "scope:*:"+t.Account {
					sev = raise(sev)
				}
				if len(p.Conditions) > 0 {
					sev = lower(sev)
				}
				f := graph.Finding{
					Kind: graph.FindingExternalAccess, Severity: sev, Subject: o.ID, Target: e.To, Account: t.Account,
					Title:     fmt.Sprintf("%s (outside) reaches %s", c.name(o.ID), c.name(e.To)),
					Detail:    fmt.Sprintf("%s; %d resource(s); via %s", actionsText(e.Actions), len(res), routeText(c, p)),
					Condition: conditionOf(p), Path: &p, Evidence: e.Evidence, Score: len(res),
				}
				f.ID = ID(f.Kind, f.Subject, f.Target)
				c.add(f)
			}
		}
		if n >= c.opts.maxPerOrigin() {
			f := graph.Finding{
				Kind: graph.FindingExternalAccess, Severity: SevInfo, Subject: o.ID, Target: "",
				Title:  fmt.Sprintf("%s (outside) reaches more than %d targets", c.name(o.ID), c.opts.maxPerOrigin()),
				Detail: "list truncated; query reach from this node for the full answer",
			}
			f.ID = ID(f.Kind, f.Subject, "truncated")
			c.add(f)
		}
	}
}

func actionsText(gs []graph.ActionGrant) string {
	var as []string
	for _, g := range gs {
		as = append(as, g.Action)
	}
	if len(as) > 6 {
		as = append(as[:6], fmt.Sprintf("… %d more", len(gs)-6))
	}
	return strings.Join(as, ", ")
}

func routeText(c *computer, p graph.Path) string {
	var parts []string
	for i, id := range p.Nodes {
		if i > 0 {
			parts = append(parts, fmt.Sprintf("-%s->", p.Edges[i-1].Kind))
		}
		parts = append(parts, c.name(id))
	}
	return strings.Join(parts, " ")
}

// sourceKeys confine a service principal to requests made on behalf of a
// given account, organization or resource (AWS's confused-deputy guidance).
var sourceKeys = []string{"aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceOwner"}

// passRoleServices only assume a role that a principal of the same
// account passed to them (iam:PassRole), so their trust needs no source
// condition to be safe from other customers.
var passRoleServices = map[string]bool{
	"lambda.amazonaws.com": true, "ec2.amazonaws.com": true, "ecs-tasks.amazonaws.com": true,
	"codebuild.amazonaws.com": true, "glue.amazonaws.com": true, "sagemaker.amazonaws.com": true,
	"states.amazonaws.com": true, "batch.amazonaws.com": true, "cloudformation.amazonaws.com": true,
	"apprunner.amazonaws.com": true, "tasks.apprunner.amazonaws.com": true, "build.apprunner.amazonaws.com": true,
	"datapipeline.amazonaws.com": true, "elasticmapreduce.amazonaws.com": true,
	"edgelambda.amazonaws.com": true, "eks.amazonaws.com": true, "pods.eks.amazonaws.com": true,
}

// confusedDeputy reports service principals trusted (by a role) or
// granted (by a resource policy) without a source condition.
func (c *computer) confusedDeputy() {
	var es []*graph.Edge
	for _, k := range []graph.EdgeKind{graph.EdgeCanAssume, graph.EdgeCanAccess, graph.EdgeCanInvoke} {
		es = append(es, c.allEdges(k)...)
	}
	for _, e := range es {
		from, to := c.ix.nodes[e.From], c.ix.nodes[e.To]
		if from == nil || to == nil || from.Kind != graph.KindServicePrincipal {
			continue
		}
		cond := edgeCondition(e)
		confined := false
		for _, k := range sourceKeys {
			if hasKey(cond, k) {
				confined = true
			}
		}
		if confined {
			continue
		}
		svc := from.Name
		if svc == "" {
			svc = strings.TrimPrefix(from.ID, "service:")
		}
		f := graph.Finding{
			Kind: graph.FindingConfusedDeputy, Subject: to.ID, Target: from.ID, Account: to.Account,
			Evidence: e.Evidence, Path: ptr(pathOf(from.ID, []graph.Edge{*e})),
		}
		if e.Kind == graph.EdgeCanAssume {
			if passRoleServices[svc] {
				continue // the caller must pass the role: iam:PassRole is the guard
			}
			f.Severity = SevMedium
			f.Title = fmt.Sprintf("Role %s trusts %s without aws:SourceAccount or aws:SourceArn", to.Name, svc)
			f.Detail = "the service can be asked by another AWS customer to act with this role; add aws:SourceAccount/aws:SourceArn to the trust policy"
		} else {
			f.Severity = SevMedium
			f.Title = fmt.Sprintf("%s grants %s without aws:SourceAccount or aws:SourceArn", to.Name, svc)
			f.Detail = fmt.Sprintf("the resource policy grants %s to the service for any customer's resources; confine it with aws:SourceAccount/aws:SourceArn", actionsText(e.Actions))
		}
		f.ID = ID(f.Kind, f.Subject, f.Target)
		c.add(f)
	}
}

// viaAdmin says whether a path passes through an admin-equivalent identity.
func (c *computer) viaAdmin(p graph.Path) bool {
	for _, id := range p.Nodes {
		if isAdmin(c.ix.nodes[id]) {
			return true
		}
	}
	return false
}
