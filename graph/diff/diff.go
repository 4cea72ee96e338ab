// Package diff compares two built graphs (two snapshots of one
// organization): which paths a change opens or closes — principal or
// workload, resource, actions, route — and which findings are new or
// fixed. It answers the reviewer's question in a pull request: "which new
// paths does this change open?"
package diff

import (
	"sort"
	"strings"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/findings"
)

// Options tune the comparison.
type Options struct {
	// MaxDepth bounds identity hops; 0: 6.
	MaxDepth int
}

// PathChange is access from an origin to a resource that one side has and
// the other has not (Actions lists the actions that differ).
type PathChange struct {
	Origin        string              `json:"origin"`
	OriginName    string              `json:"originName"`
	OriginKind    graph.NodeKind      `json:"originKind"`
	Resource      string              `json:"resource"`
	ResourceName  string              `json:"resourceName"`
	ResourceType  string              `json:"resourceType,omitempty"`
	Actions       []graph.ActionGrant `json:"actions"`
	Route         []string            `json:"route"` // node IDs from origin to resource, on the side that has the access
	RouteNames    []string            `json:"routeNames"`
	Conditions    []string            `json:"conditions,omitempty"`
	CrossAccount  bool                `json:"crossAccount,omitempty"`
	OriginAccount string              `json:"originAccount,omitempty"`
}

// FindingChange is a finding present on one side only, or whose severity changed.
type FindingChange struct {
	graph.Finding
	OldSeverity string `json:"oldSeverity,omitempty"`
}

// Report is the comparison of OLD with NEW.
type Report struct {
	Old           graph.Meta      `json:"old"`
	New           graph.Meta      `json:"new"`
	PathsAdded    []PathChange    `json:"pathsAdded"`
	PathsRemoved  []PathChange    `json:"pathsRemoved"`
	FindingsNew   []graph.Finding `json:"findingsNew"`
	FindingsFixed []graph.Finding `json:"findingsFixed"`
	// FindingsWorse lists findings on both sides whose severity rose.
	FindingsWorse []FindingChange `json:"findingsWorse,omitempty"`
}

// Empty says whether nothing changed.
func (r *Report) Empty() bool {
	return len(r.PathsAdded) == 0 && len(r.PathsRemoved) == 0 && len(r.FindingsNew) == 0 && len(r.FindingsFixed) == 0 && len(r.FindingsWorse) == 0
}

// grantKey identifies a grant: the action, and the conditions it holds
// under (its own and its route's): a grant that loses a condition is a new,
// wider path.
func grantKey(g graph.ActionGrant) string {
	k := strings.ToLower(g.Action)
	if g.Condition != "" {
		k += "?" + normCond(g.Condition)
	}
	return k
}

// normCond orders the parts of a conjunction so the same conditions reached
// by another route compare equal.
func normCond(c string) string {
	parts := strings.Split(c, " AND ")
	sort.Strings(parts)
	out := parts[:0]
	for i, p := range parts {
		if i == 0 || p != parts[i-1] {
			out = append(out, p)
		}
	}
	return strings.Join(out, " AND ")
}

// side is one graph, indexed.
type side struct{ ix *findings.Index }

// grantsOf maps each resource of an answer to its grants by key.
func grantsOf(l *findings.Light) map[string]map[string]graph.ActionGrant {
	m := make(map[string]map[string]graph.ActionGrant, len(l.Items))
	for _, it := range l.Items {
		gs := make(map[string]graph.ActionGrant, len(it.Grants))
		for _, g := range it.Grants {
			gs[grantKey(g)] = g
		}
		m[it.Resource] = gs
	}
	return m
}

// Compare diffs old against new. It goes origin by origin (each reach is
// computed on both sides, compared and dropped), so memory stays within one
// origin's answer whatever the size of the organization. Findings are taken
// from the graphs (Graph.Findings, computed at build time) and matched by ID.
func Compare(old, new *graph.Graph, opts Options) *Report {
	o, n := side{findings.NewIndex(old)}, side{findings.NewIndex(new)}
	r := &Report{Old: old.Meta, New: new.Meta, PathsAdded: []PathChange{}, PathsRemoved: []PathChange{}, FindingsNew: []graph.Finding{}, FindingsFixed: []graph.Finding{}}
	origins := map[string]bool{}
	for _, id := range o.ix.Origins() {
		origins[id] = true
	}
	for _, id := range n.ix.Origins() {
		origins[id] = true
	}
	ids := make([]string, 0, len(origins))
	for id := range origins {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	sigO, sigN := map[string]string{}, map[string]string{}
	sig := func(ix *findings.Index, memo map[string]string, id string) string {
		v, ok := memo[id]
		if !ok {
			v = ix.AccessSignature(id)
			memo[id] = v
		}
		return v
	}
	for _, id := range ids {
		// Only resources that an identity whose route or direct access
		// differs can reach may differ: compare those. An origin with no
		// such identity has the same reach on both sides and is skipped.
		var only map[string]bool
		if o.ix.Node(id) != nil && n.ix.Node(id) != nil {
			ro, rn := o.ix.IdentityRoutes(id, opts.MaxDepth), n.ix.IdentityRoutes(id, opts.MaxDepth)
			only = map[string]bool{}
			touch := func(ix *findings.Index, ident string) {
				for _, r := range ix.AccessTargets(ident) {
					only[r] = true
				}
			}
			for ident, c := range ro {
				if c2, ok := rn[ident]; !ok || c2 != c || sig(o.ix, sigO, ident) != sig(n.ix, sigN, ident) {
					touch(o.ix, ident)
					if ok {
						touch(n.ix, ident)
					}
				}
			}
			for ident := range rn {
				if _, ok := ro[ident]; !ok {
					touch(n.ix, ident)
				}
			}
			if len(only) == 0 {
				continue
			}
		}
		var lo, ln *findings.Light
		if o.ix.Node(id) != nil {
			lo = o.ix.ReachLightOnly(id, opts.MaxDepth, only)
		} else {
			lo = &findings.Light{}
		}
		if n.ix.Node(id) != nil {
			ln = n.ix.ReachLightOnly(id, opts.MaxDepth, only)
		} else {
			ln = &findings.Light{}
		}
		go1, gn := grantsOf(lo), grantsOf(ln)
		r.PathsAdded = append(r.PathsAdded, changes(n, id, ln, gn, go1)...)
		r.PathsRemoved = append(r.PathsRemoved, changes(o, id, lo, go1, gn)...)
	}

	oldF := map[string]graph.Finding{}
	for _, f := range old.Findings {
		oldF[f.ID] = f
	}
	newF := map[string]graph.Finding{}
	for _, f := range new.Findings {
		newF[f.ID] = f
		of, ok := oldF[f.ID]
		switch {
		case !ok:
			r.FindingsNew = append(r.FindingsNew, f)
		case findings.SeverityRank(f.Severity) < findings.SeverityRank(of.Severity):
			r.FindingsWorse = append(r.FindingsWorse, FindingChange{Finding: f, OldSeverity: of.Severity})
		}
	}
	for _, f := range old.Findings {
		if _, ok := newF[f.ID]; !ok {
			r.FindingsFixed = append(r.FindingsFixed, f)
		}
	}
	findings.Sort(r.FindingsNew)
	findings.Sort(r.FindingsFixed)
	return r
}

// changes lists the access one side (l, with grants mine) has that the
// other (theirs) lacks, for one origin.
func changes(a side, origin string, l *findings.Light, mine, theirs map[string]map[string]graph.ActionGrant) []PathChange {
	var out []PathChange
	for i, it := range l.Items {
		other := theirs[it.Resource]
		var missing []graph.ActionGrant
		for k, g := range mine[it.Resource] {
			if other != nil {
				if _, ok := other[k]; ok {
					continue
				}
				// The same action unconditionally on the other side covers a
				// conditional grant here.
				if g.Condition != "" {
					if _, ok := other[strings.ToLower(g.Action)]; ok {
						continue
					}
				}
			}
			missing = append(missing, g)
		}
		if len(missing) == 0 {
			continue
		}
		sort.Slice(missing, func(i, j int) bool { return grantKey(missing[i]) < grantKey(missing[j]) })
		p := l.Path(i)
		on, rn := a.ix.Node(origin), a.ix.Node(it.Resource)
		pc := PathChange{Origin: origin, Resource: it.Resource, Actions: missing, Route: p.Nodes, Conditions: p.Conditions}
		if on != nil {
			pc.OriginName, pc.OriginKind, pc.OriginAccount = on.Name, on.Kind, on.Account
		}
		if rn != nil {
			pc.ResourceName, pc.ResourceType = rn.Name, rn.Type
			pc.CrossAccount = on != nil && on.Account != "" && rn.Account != "" && on.Account != rn.Account
		}
		for _, id := range pc.Route {
			name := id
			if n := a.ix.Node(id); n != nil && n.Name != "" {
				name = n.Name
			}
			pc.RouteNames = append(pc.RouteNames, name)
		}
		out = append(out, pc)
	}
	return out
}
