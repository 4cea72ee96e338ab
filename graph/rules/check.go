package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/findings"
	"github.com/iamreach/iamreach/policy"
	"github.com/iamreach/iamreach/policy/catalog"
)

func expand(p string) []string { return catalog.Expand(p) }

// Violation is one breach of a rule.
type Violation struct {
	Rule      string      `json:"rule"`
	Line      int         `json:"line,omitempty"` // of the rule in the rules file
	Severity  string      `json:"severity"`
	Message   string      `json:"message"`
	Subject   string      `json:"subject"` // origin (no-reach) or finding subject
	Target    string      `json:"target,omitempty"`
	Actions   []string    `json:"actions,omitempty"`
	Condition string      `json:"condition,omitempty"`
	Path      *graph.Path `json:"path,omitempty"`
	// Route is the path's nodes by name, for reading.
	Route     []string `json:"route,omitempty"`
	FindingID string   `json:"findingId,omitempty"`
}

// Result is the outcome of a check.
type Result struct {
	Rules      []Rule      `json:"rules"`
	Violations []Violation `json:"violations"`
}

// Passed says whether no rule was violated.
func (r *Result) Passed() bool { return len(r.Violations) == 0 }

// KnownAccountsMap returns the file's allow-list as findings.Options wants it.
func (f *File) KnownAccountsMap() map[string]string {
	m := map[string]string{}
	for _, k := range f.KnownAccounts {
		m[k.ID] = k.Name
	}
	return m
}

// Check evaluates every rule against a built graph. The graph's findings
// (computed at build time, ideally with the file's known accounts) answer
// the finding-based rules; no-reach rules walk the graph.
func Check(g *graph.Graph, f *File) *Result {
	ix := findings.NewIndex(g)
	res := &Result{Rules: f.Rules, Violations: []Violation{}}
	known := f.KnownAccountsMap()
	for _, r := range f.Rules {
		var vs []Violation
		switch r.Type {
		case NoReach:
			vs = checkReach(ix, r)
		case NoExternalTrust:
			vs = checkFindings(g.Findings, r, func(fd graph.Finding) bool {
				if fd.Kind != graph.FindingExternalTrust {
					return false
				}
				return !trustAllowed(ix, fd, r, known)
			})
		case NoPublic:
			vs = checkFindings(g.Findings, r, func(fd graph.Finding) bool {
				return fd.Kind == graph.FindingPublic && fd.Severity != findings.SevInfo && selected(ix.Node(fd.Subject), fd.Subject, r.To)
			})
		case NoFinding:
			min := r.MinSeverity
			if min == "" {
				min = findings.SevInfo
			}
			vs = checkFindings(g.Findings, r, func(fd graph.Finding) bool {
				if len(r.Kinds) > 0 && !oneOf(string(fd.Kind), r.Kinds...) {
					return false
				}
				return findings.SeverityRank(fd.Severity) <= findings.SeverityRank(min)
			})
		}
		for i := range vs {
			vs[i].Rule, vs[i].Line = r.ID, r.Line
			if p := vs[i].Path; p != nil {
				for _, id := range p.Nodes {
					name := id
					if n := ix.Node(id); n != nil && n.Name != "" {
						name = n.Name
					}
					vs[i].Route = append(vs[i].Route, name)
				}
			}
			if vs[i].Severity == "" {
				vs[i].Severity = r.Severity
			}
		}
		res.Violations = append(res.Violations, vs...)
	}
	return res
}

func excepted(r Rule, ids ...string) bool {
	for _, e := range r.Except {
		for _, id := range ids {
			if id != "" && graph.Glob(e, id) {
				return true
			}
		}
	}
	return false
}

func checkFindings(fs []graph.Finding, r Rule, match func(graph.Finding) bool) []Violation {
	var out []Violation
	for _, f := range fs {
		if !match(f) || excepted(r, f.Subject, f.Target) {
			continue
		}
		out = append(out, Violation{
			Severity: r.Severity, Message: fmt.Sprintf("%s [%s %s]", f.Title, f.Severity, f.Kind),
			Subject: f.Subject, Target: f.Target, Condition: f.Condition, Path: f.Path, FindingID: f.ID,
		})
	}
	return out
}

// trustAllowed: the trusting side is an allow-listed account or provider.
func trustAllowed(ix *findings.Index, f graph.Finding, r Rule, known map[string]string) bool {
	n := ix.Node(f.Target)
	acct := ""
	if n != nil {
		acct = n.Account
	}
	if acct == "" {
		acct = strings.TrimPrefix(f.Target, "account:")
	}
	if _, ok := known[acct]; ok && (n == nil || n.Kind != graph.KindIdentityProvider) {
		return true
	}
	for _, a := range r.Allow {
		if accountRe.MatchString(a) {
			if a == acct && (n == nil || n.Kind != graph.KindIdentityProvider) {
				return true
			}
			continue
		}
		if graph.Glob(a, f.Target) {
			return true
		}
	}
	return false
}

func originKind(ix *findings.Index, n *graph.Node) []string {
	var ks []string
	switch n.Kind {
	case graph.KindUser:
		ks = append(ks, OriginUser)
	case graph.KindRole:
		ks = append(ks, OriginRole)
	case graph.KindAnonymous:
		ks = append(ks, OriginAnyone)
	case graph.KindIdentityProvider:
		ks = append(ks, OriginExternal)
	}
	if ix.IsWorkload(n.ID) {
		ks = append(ks, OriginWorkload)
	}
	if ix.External(n) {
		ks = append(ks, OriginExternal)
	}
	return ks
}

// selected says whether a node matches a selector (every non-empty field).
func selected(n *graph.Node, id string, s Selector) bool {
	if n == nil {
		n = &graph.Node{ID: id}
	}
	if len(s.Accounts) > 0 && !oneOf(n.Account, s.Accounts...) {
		return false
	}
	if len(s.Names) > 0 && !anyGlob(s.Names, n.Name) {
		return false
	}
	if arns := append(append([]string{}, s.ARNs...), s.Resources...); len(arns) > 0 && !anyGlob(arns, n.ID) {
		return false
	}
	if len(s.Types) > 0 && !anyGlob(s.Types, n.Type) {
		return false
	}
	for _, t := range s.Tags {
		k, v, _ := strings.Cut(t, "=")
		got, ok := n.Tags[k]
		if !ok || !graph.Glob(v, got) {
			return false
		}
	}
	return true
}

func anyGlob(ps []string, s string) bool {
	for _, p := range ps {
		if graph.Glob(p, s) {
			return true
		}
	}
	return false
}

// actionsOverlap: a granted action pattern and a rule's action pattern
// share at least one action (checked both ways, and through the
// catalogue for two wildcards).
func actionsOverlap(grant, rule string) bool {
	if grant == "*" || rule == "*" || policy.MatchAction(grant, rule) || policy.MatchAction(rule, grant) {
		return true
	}
	if strings.ContainsAny(rule, "*?") && strings.ContainsAny(grant, "*?") {
		for _, a := range expand(rule) {
			if policy.MatchAction(grant, a) {
				return true
			}
		}
	}
	return false
}

func checkReach(ix *findings.Index, r Rule) []Violation {
	var out []Violation
	kinds := r.From.Kinds
	for _, o := range ix.Origins() {
		n := ix.Node(o)
		if n == nil || !selected(n, o, r.From) || excepted(r, o) {
			continue
		}
		if len(kinds) > 0 && !oneOf(OriginAny, kinds...) {
			ok := false
			for _, k := range originKind(ix, n) {
				if oneOf(k, kinds...) {
					ok = true
				}
			}
			if !ok {
				continue
			}
		}
		for _, reached := range ix.Reach(o, 0) {
			rn := ix.Node(reached.Resource)
			if !selected(rn, reached.Resource, r.To) || excepted(r, reached.Resource) {
				continue
			}
			var acts []string
			conds := map[string]bool{}
			for _, g := range reached.Actions {
				for _, ra := range r.Actions {
					if !actionsOverlap(g.Action, ra) {
						continue
					}
					acts = append(acts, g.Action)
					if g.Condition != "" {
						conds[g.Condition] = true
					}
					break
				}
			}
			if len(acts) == 0 {
				continue
			}
			cond := strings.Join(reached.Path.Conditions, " AND ")
			var cs []string
			for c := range conds {
				cs = append(cs, c)
			}
			sort.Strings(cs)
			if len(cs) > 0 {
				if cond != "" {
					cond += " AND "
				}
				cond += strings.Join(cs, " AND ")
			}
			if r.AllowConditional && cond != "" {
				continue
			}
			p := reached.Path
			rname := reached.Resource
			if rn != nil && rn.Name != "" {
				rname = rn.Name
			}
			msg := fmt.Sprintf("%s can reach %s with %s", nameOf(n), rname, strings.Join(acts, ", "))
			if cond != "" {
				msg += " (if " + cond + ")"
			}
			out = append(out, Violation{Severity: r.Severity, Message: msg, Subject: o, Target: reached.Resource, Actions: acts, Condition: cond, Path: &p})
		}
	}
	return out
}

func nameOf(n *graph.Node) string {
	if n.Name != "" {
		return n.Name
	}
	return n.ID
}
