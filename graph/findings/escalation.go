package findings

import (
	"fmt"
	"sort"
	"strings"

	"github.com/iamreach/iamreach/graph"
)

func isAdmin(n *graph.Node) bool { return n != nil && n.Props["admin"] == "true" }

// isIntrinsicAdmin: admin-equivalent by its own permissions ("*" on "*", or
// granting itself anything), not because it can become another admin — the
// builder marks those too ("can become …"), and they are escalation findings.
func isIntrinsicAdmin(n *graph.Node) bool {
	return isAdmin(n) && !strings.HasPrefix(n.Props["adminReason"], "can become ")
}

// isWorkload: a resource that runs as a role.
func (c *computer) isWorkload(id string) bool {
	for _, e := range c.ix.out[id] {
		if e.Kind == graph.EdgeRunsAs {
			return true
		}
	}
	return false
}

// admins reports every admin-equivalent principal (marked by the builder:
// it holds "*" on "*", or can grant itself anything).
func (c *computer) admins() {
	for _, n := range c.ix.nodes {
		if !isIntrinsicAdmin(n) {
			continue
		}
		f := graph.Finding{
			Kind: graph.FindingAdmin, Severity: SevHigh, Subject: n.ID, Account: n.Account,
			Title:  fmt.Sprintf("%s %s is admin-equivalent", n.Kind, n.Name),
			Detail: "can perform every action on every resource of its account, or grant itself that",
		}
		if why := n.Props["adminReason"]; why != "" {
			f.Detail = why
		}
		if c.ix.external(n) {
			f.Severity = SevCritical
		}
		f.ID = ID(f.Kind, f.Subject)
		c.add(f)
	}
}

// escalation reports every principal or workload that can become an
// admin-equivalent principal, with the shortest path: a multi-source
// breadth-first search backwards from every admin over RUNS_AS, CAN_ASSUME
// and CAN_ESCALATE. One finding per origin (its nearest admin).
func (c *computer) escalation() {
	next := map[string]*graph.Edge{} // node → first edge of its shortest path to an admin
	var frontier []string
	for id, n := range c.ix.nodes {
		if isIntrinsicAdmin(n) {
			next[id] = nil
			frontier = append(frontier, id)
		}
	}
	sort.Strings(frontier)
	for d := 0; d < c.opts.maxDepth() && len(frontier) > 0; d++ {
		var nf []string
		for _, id := range frontier {
			for _, e := range c.ix.in[id] {
				if !isIdentityEdge(e.Kind) {
					continue
				}
				if _, seen := next[e.From]; seen {
					continue
				}
				next[e.From] = e
				nf = append(nf, e.From)
			}
		}
		sort.Strings(nf)
		frontier = nf
	}
	for id, first := range next {
		if first == nil {
			continue
		}
		n := c.ix.nodes[id]
		if n == nil {
			continue
		}
		var sev string
		switch {
		case n.Kind == graph.KindIdentityProvider && strings.EqualFold(n.Type, "SAML"):
			sev = SevMedium // the company's sign-in: how admins are meant to get in
		case n.Kind == graph.KindIdentityProvider:
			sev = SevHigh // whoever the provider vouches for (see the external-trust finding for its claims)
		case n.Kind == graph.KindAnonymous || c.ix.external(n):
			sev = SevCritical
		case n.Kind == graph.KindUser || n.Kind == graph.KindRole || n.Kind == graph.KindGroup:
			sev = SevMedium
		case c.isWorkload(id):
			sev = SevHigh
		default:
			continue // service principals and the organization's own accounts
		}
		var edges []graph.Edge
		technique := false
		for cur, e := id, first; e != nil; e = next[cur] {
			edges = append(edges, *e)
			if e.Kind == graph.EdgeCanEscalate {
				technique = true
			}
			cur = e.To
			if len(edges) > c.opts.maxDepth()+1 {
				break
			}
		}
		p := pathOf(id, edges)
		if technique && sev == SevMedium {
			sev = SevHigh
		}
		// Federation trusts always carry claim conditions (aud, sub): they
		// say who the provider may vouch for, and are rated by external-trust.
		if len(p.Conditions) > 0 && n.Kind != graph.KindIdentityProvider {
			sev = lower(sev)
		}
		admin := p.Nodes[len(p.Nodes)-1]
		f := graph.Finding{
			Kind: graph.FindingEscalation, Severity: sev, Subject: id, Target: admin, Account: n.Account,
			Title:     fmt.Sprintf("%s can become admin-equivalent %s", c.name(id), c.name(admin)),
			Detail:    routeText(c, p) + techniques(edges),
			Condition: conditionOf(p), Path: &p,
		}
		for _, e := range edges {
			f.Evidence = append(f.Evidence, e.Evidence...)
		}
		f.ID = ID(f.Kind, f.Subject)
		c.add(f)
	}
}

func techniques(es []graph.Edge) string {
	s := ""
	for _, e := range es {
		if e.Technique != "" {
			if s == "" {
				s = "; techniques: "
			} else {
				s += ", "
			}
			s += e.Technique
		}
	}
	return s
}
