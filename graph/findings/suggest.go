package findings

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/policy"
	"github.com/iamreach/iamreach/snapshot"
)

// maxSuggestedARNs bounds the resource list of one suggested statement;
// beyond it the statement is scoped to the account instead.
const maxSuggestedARNs = 50

type roleInfo struct {
	role    snapshot.Role
	account snapshot.Account
}

// suggestions proposes, for every role a workload runs as that holds
// wildcard grants, a narrower policy that keeps what the graph says the
// role reaches through those grants: the actions IAM last-accessed data
// shows in use (when the snapshot has it; services never used are
// dropped), on the resources the grant reaches today, instead of "*".
func (c *computer) suggestions() {
	roles := map[string]roleInfo{}
	policies := map[string]map[string]snapshot.ManagedPolicy{}
	for _, a := range c.snap.Accounts {
		for _, r := range a.Roles {
			roles[r.ARN] = roleInfo{role: r, account: a}
		}
		policies[a.ID] = map[string]snapshot.ManagedPolicy{}
		for _, p := range a.Policies {
			policies[a.ID][p.ARN] = p
		}
	}
	workloads := map[string][]string{} // role → workloads
	for _, a := range c.snap.Accounts {
		for _, r := range a.Resources {
			for _, ra := range r.RunsAs {
				workloads[ra] = append(workloads[ra], r.ARN)
			}
		}
	}
	var roleARNs []string
	for r := range workloads {
		roleARNs = append(roleARNs, r)
	}
	sort.Strings(roleARNs)
	for _, ra := range roleARNs {
		ri, ok := roles[ra]
		if !ok {
			continue
		}
		type src struct {
			id, name string
			doc      json.RawMessage
		}
		var docs []src
		for _, ip := range ri.role.InlinePolicies {
			docs = append(docs, src{ra + "#inline/" + ip.Name, ip.Name, ip.Document})
		}
		for _, pa := range ri.role.AttachedPolicies {
			if p, ok := policies[ri.account.ID][pa]; ok {
				docs = append(docs, src{pa, p.Name, p.Document})
			}
		}
		var out []map[string]any
		changed := false
		kind := graph.FindingWildcardResource
		var notes []string
		for _, d := range docs {
			for _, s := range statements(d.doc) {
				var m map[string]any
				_ = json.Unmarshal(s.raw, &m)
				delete(m, "Sid")
				wildAction := false
				for _, a := range s.Action {
					if strings.Contains(a, "*") {
						wildAction = true
					}
				}
				if s.Effect != "Allow" || len(s.NotAction) > 0 || len(s.NotResource) > 0 || !(wildAction || resourceAny(s) && c.needsResource(s.Action)) {
					out = append(out, m)
					continue
				}
				repl, note := c.narrow(ri, d.id, s)
				if note != "" {
					notes = append(notes, note)
				}
				if len(repl) == 1 && sameStatement(repl[0], m) {
					out = append(out, m) // nothing narrower to say
					continue
				}
				if wildAction {
					kind = graph.FindingWildcardAction
				}
				changed = true
				out = append(out, repl...)
			}
		}
		if !changed {
			continue
		}
		for i := range out {
			out[i]["Sid"] = fmt.Sprintf("S%d", i)
		}
		doc, err := json.MarshalIndent(map[string]any{"Version": "2012-10-17", "Statement": out}, "", "  ")
		if err != nil || len(out) == 0 {
			doc = []byte(`{"Version":"2012-10-17","Statement":[]}`)
		}
		ws := workloads[ra]
		sort.Strings(ws)
		f := graph.Finding{
			Kind: kind, Severity: SevMedium, Subject: ra, Target: ws[0], Account: ri.account.ID,
			Title:      fmt.Sprintf("Narrower policy suggested for role %s (runs %d workload(s))", ri.role.Name, len(ws)),
			Detail:     strings.Join(append([]string{"workloads: " + holdersText(ws)}, notes...), "; "),
			Suggestion: doc,
		}
		f.ID = ID(f.Kind, ra, "suggestion")
		c.add(f)
	}
}

// narrow turns one wildcard statement into statements per service that
// keep the used actions on the reached resources.
func (c *computer) narrow(ri roleInfo, policyID string, s stmt) ([]map[string]any, string) {
	cut := c.now().Add(-c.opts.unusedAfter())
	used := map[string][]string{} // service → actions used (action-level data)
	usedSvc := map[string]bool{}
	tracked := map[string]bool{}
	for _, la := range ri.role.LastAccessed {
		svc := strings.ToLower(la.Service)
		tracked[svc] = true
		if la.LastAccessed != nil && la.LastAccessed.After(cut) {
			usedSvc[svc] = true
		}
		for _, aa := range la.Actions {
			if aa.LastAccessed != nil && aa.LastAccessed.After(cut) {
				used[svc] = append(used[svc], aa.Action)
			}
		}
	}
	// Services the statement covers.
	bySvc := map[string][]string{}
	for _, a := range s.Action {
		svc, _, _ := strings.Cut(a, ":")
		svc = strings.ToLower(svc)
		if a == "*" {
			for u := range usedSvc {
				bySvc[u] = append(bySvc[u], u+":*")
			}
			if len(usedSvc) == 0 {
				bySvc["*"] = append(bySvc["*"], "*")
			}
			continue
		}
		bySvc[svc] = append(bySvc[svc], a)
	}
	reached := c.reachedBy(ri.role.ARN, policyID, s.index)
	var out []map[string]any
	var notes []string
	svcs := make([]string, 0, len(bySvc))
	for k := range bySvc {
		svcs = append(svcs, k)
	}
	sort.Strings(svcs)
	for _, svc := range svcs {
		acts := bySvc[svc]
		if tracked[svc] && !usedSvc[svc] {
			notes = append(notes, fmt.Sprintf("dropped %s (not used in %d days)", strings.Join(acts, ", "), int(c.opts.unusedAfter().Hours()/24)))
			continue
		}
		if u := used[svc]; len(u) > 0 {
			var keep []string
			for _, a := range u {
				for _, p := range acts {
					if matchAction(p, a) {
						keep = append(keep, a)
						break
					}
				}
			}
			if len(keep) > 0 {
				sort.Strings(keep)
				acts = dedupStrings(keep)
			}
		}
		var arns []string
		for _, r := range reached {
			if svc == "*" || strings.HasPrefix(r.ARN, "arn:aws:"+svc+":") {
				arns = append(arns, resourceARNs(r)...)
			}
		}
		if !resourceAny(s) {
			// Keep the statement's own resources, narrowed to those reached
			// when a pattern has wildcards.
			var kept []string
			for _, a := range arns {
				for _, p := range s.Resource {
					if policy.MatchResource(p, a) {
						kept = append(kept, a)
						break
					}
				}
			}
			arns = s.Resource
			if wild(s.Resource) && len(kept) > 0 && len(kept) <= maxSuggestedARNs {
				arns = kept
			}
		}
		arns = dedupStrings(arns)
		switch {
		case len(arns) == 0 && resourceAny(s):
			notes = append(notes, fmt.Sprintf("dropped %s (reaches no resource in the inventory)", strings.Join(acts, ", ")))
			continue
		case len(arns) > maxSuggestedARNs && svc != "*" && svc != "s3":
			arns = []string{fmt.Sprintf("arn:aws:%s:*:%s:*", svc, ri.account.ID)}
		case len(arns) > maxSuggestedARNs:
			arns = arns[:maxSuggestedARNs]
			notes = append(notes, fmt.Sprintf("%s: listed the first %d of the resources reached", svc, maxSuggestedARNs))
		}
		st := map[string]any{"Effect": "Allow", "Action": oneOrMany(acts), "Resource": oneOrMany(arns)}
		var raw map[string]any
		if json.Unmarshal(s.raw, &raw) == nil {
			if cond, ok := raw["Condition"]; ok {
				st["Condition"] = cond
			}
		}
		out = append(out, st)
	}
	return out, strings.Join(notes, "; ")
}

func wild(xs []string) bool {
	for _, x := range xs {
		if strings.ContainsAny(x, "*?") {
			return true
		}
	}
	return false
}

// sameStatement compares two statements as JSON, ignoring Sid.
func sameStatement(a, b map[string]any) bool {
	strip := func(m map[string]any) string {
		c := map[string]any{}
		for k, v := range m {
			if k != "Sid" {
				c[k] = v
			}
		}
		// Normalise one-element lists to their element.
		for _, k := range []string{"Action", "Resource"} {
			if l, ok := c[k].([]any); ok && len(l) == 1 {
				c[k] = l[0]
			}
			if l, ok := c[k].([]string); ok && len(l) == 1 {
				c[k] = l[0]
			}
		}
		j, _ := json.Marshal(c)
		var back any
		_ = json.Unmarshal(j, &back)
		j, _ = json.Marshal(back)
		return string(j)
	}
	return strip(a) == strip(b)
}

func oneOrMany(xs []string) any {
	if len(xs) == 1 {
		return xs[0]
	}
	return xs
}

func dedupStrings(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// reachedRes is a resource a grant reaches, with its type.
type reachedRes struct{ ARN, Type string }

func resourceARNs(r reachedRes) []string {
	if r.Type == snapshot.TypeS3Bucket {
		return []string{r.ARN, r.ARN + "/*"}
	}
	return []string{r.ARN}
}

// reachedBy lists the inventory resources the role reaches through one
// statement: the CAN_ACCESS edges whose evidence is that statement,
// expanded through scopes. When the graph carries no such evidence, the
// resources of the role's own account stand in (what a "*" grant covers
// there).
func (c *computer) reachedBy(role, policyID string, index int) []reachedRes {
	seen := map[string]bool{}
	var out []reachedRes
	found := false
	for _, e := range c.ix.out[role] {
		if !isAccessEdge(e.Kind) {
			continue
		}
		match := false
		for _, ev := range e.Evidence {
			if ev.PolicyID == policyID && ev.StatementIndex == index && ev.Effect == "Allow" {
				match = true
			}
		}
		if !match {
			continue
		}
		found = true
		for _, id := range c.ix.resourcesOf(e.To) {
			if n := c.ix.nodes[id]; n != nil && n.Kind != graph.KindScope && n.Kind != graph.KindPattern && !seen[id] {
				seen[id] = true
				out = append(out, reachedRes{id, n.Type})
			}
		}
	}
	if found {
		sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
		return out
	}
	acct := ""
	if n := c.ix.nodes[role]; n != nil {
		acct = n.Account
	}
	for _, a := range c.snap.Accounts {
		if a.ID != acct && !strings.Contains(role, ":"+a.ID+":") {
			continue
		}
		for _, r := range a.Resources {
			out = append(out, reachedRes{r.ARN, r.Type})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}
