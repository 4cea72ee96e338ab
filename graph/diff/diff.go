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

type access struct {
	reached findings.Reached
	grants  map[string]graph.ActionGrant // lower-case action → grant
}

type side struct {
	ix  *findings.Index
	acc map[string]map[string]*access // origin → resource → access
}

func load(g *graph.Graph, depth int) side {
	s := side{ix: findings.NewIndex(g), acc: map[string]map[string]*access{}}
	for _, o := range s.ix.Origins() {
		m := map[string]*access{}
		for _, r := range s.ix.Reach(o, depth) {
			a := &access{reached: r, grants: map[string]graph.ActionGrant{}}
			for _, gr := range r.Actions {
				// Conditions met along the route count as the grant's own:
				// dropping an ExternalId on a trust widens every path through it.
				gr.Condition = joinConds(append(append([]string{}, r.Path.Conditions...), gr.Condition))
				a.grants[grantKey(gr)] = gr
			}
			m[r.Resource] = a
		}
		if len(m) > 0 {
			s.acc[o] = m
		}
	}
	return s
}

func joinConds(cs []string) string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cs {
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return strings.Join(out, " AND ")
}

// grantKey identifies a grant: the action, and whether it holds only under
// a condition (a grant that loses its condition is a new, wider path).
func grantKey(g graph.ActionGrant) string {
	k := strings.ToLower(g.Action)
	if g.Condition != "" {
		k += "?" + g.Condition
	}
	return k
}

// Compare diffs old against new. Findings are taken from the graphs
// (Graph.Findings, computed at build time) and matched by ID.
func Compare(old, new *graph.Graph, opts Options) *Report {
	depth := opts.MaxDepth
	o, n := load(old, depth), load(new, depth)
	r := &Report{Old: old.Meta, New: new.Meta, PathsAdded: []PathChange{}, PathsRemoved: []PathChange{}, FindingsNew: []graph.Finding{}, FindingsFixed: []graph.Finding{}}
	r.PathsAdded = changes(n, o)
	r.PathsRemoved = changes(o, n)

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

// changes lists the access in a that b lacks.
func changes(a, b side) []PathChange {
	out := []PathChange{}
	for origin, res := range a.acc {
		for rid, acc := range res {
			var missing []graph.ActionGrant
			other := b.acc[origin][rid]
			for k, g := range acc.grants {
				if other == nil {
					missing = append(missing, g)
					continue
				}
				if _, ok := other.grants[k]; ok {
					continue
				}
				// The same action unconditionally on the other side covers a
				// conditional grant here.
				if g.Condition != "" {
					if _, ok := other.grants[strings.ToLower(g.Action)]; ok {
						continue
					}
				}
				missing = append(missing, g)
			}
			if len(missing) == 0 {
				continue
			}
			sort.Slice(missing, func(i, j int) bool { return grantKey(missing[i]) < grantKey(missing[j]) })
			on, rn := a.ix.Node(origin), a.ix.Node(rid)
			pc := PathChange{
				Origin: origin, Resource: rid, Actions: missing,
				Route: acc.reached.Path.Nodes, Conditions: acc.reached.Path.Conditions,
			}
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
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Origin != out[j].Origin {
			return out[i].Origin < out[j].Origin
		}
		return out[i].Resource < out[j].Resource
	})
	return out
}
