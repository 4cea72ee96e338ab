package findings

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/policy/catalog"
	"github.com/iamreach/iamreach/snapshot"
)

// dataStoreServices are services whose "svc:*" grants reach stored data.
var dataStoreServices = map[string]bool{
	"s3": true, "dynamodb": true, "rds": true, "rds-data": true, "redshift": true, "redshift-data": true,
	"es": true, "aoss": true, "elasticfilesystem": true, "glacier": true, "secretsmanager": true,
	"sqs": true, "kinesis": true, "timestream": true, "neptune-db": true, "cassandra": true, "memorydb": true,
	"elasticache": true, "docdb-elastic": true, "athena": true, "glue": true, "kms": true, "ssm": true,
}

// ownedPolicy is one policy document with the principals it applies to.
type ownedPolicy struct {
	id      string // policy ARN, or "<principal ARN>#inline/<name>"
	name    string
	subject string   // node the finding is about: the managed policy or the principal
	account string   // account of the principals
	holders []string // principal ARNs the policy applies to
	doc     json.RawMessage
	managed bool
}

func (c *computer) policies() []ownedPolicy {
	var out []ownedPolicy
	for _, a := range c.snap.Accounts {
		holders := map[string][]string{}
		groupMembers := map[string][]string{}
		for _, u := range a.Users {
			for _, g := range u.Groups {
				groupMembers[g] = append(groupMembers[g], u.ARN)
			}
		}
		for _, u := range a.Users {
			for _, p := range u.AttachedPolicies {
				holders[p] = append(holders[p], u.ARN)
			}
			for _, ip := range u.InlinePolicies {
				out = append(out, ownedPolicy{id: u.ARN + "#inline/" + ip.Name, name: ip.Name, subject: u.ARN, account: a.ID, holders: []string{u.ARN}, doc: ip.Document})
			}
		}
		for _, g := range a.Groups {
			for _, p := range g.AttachedPolicies {
				holders[p] = append(holders[p], groupMembers[g.Name]...)
				holders[p] = append(holders[p], g.ARN)
			}
			for _, ip := range g.InlinePolicies {
				out = append(out, ownedPolicy{id: g.ARN + "#inline/" + ip.Name, name: ip.Name, subject: g.ARN, account: a.ID, holders: append([]string{g.ARN}, groupMembers[g.Name]...), doc: ip.Document})
			}
		}
		for _, r := range a.Roles {
			for _, p := range r.AttachedPolicies {
				holders[p] = append(holders[p], r.ARN)
			}
			for _, ip := range r.InlinePolicies {
				out = append(out, ownedPolicy{id: r.ARN + "#inline/" + ip.Name, name: ip.Name, subject: r.ARN, account: a.ID, holders: []string{r.ARN}, doc: ip.Document})
			}
		}
		for _, p := range a.Policies {
			hs := holders[p.ARN]
			if len(hs) == 0 {
				continue // not attached: grants nothing
			}
			sort.Strings(hs)
			subject := p.ARN
			if p.AWSManaged {
				// AWS-managed policies are shared by every account: report per account.
				subject = p.ARN
			}
			out = append(out, ownedPolicy{id: p.ARN, name: p.Name, subject: subject, account: a.ID, holders: hs, doc: p.Document, managed: true})
		}
	}
	return out
}

// resourceAny: a Resource element that matches every resource of the
// actions' types ("*", or NotResource).
func resourceAny(s stmt) bool {
	if len(s.NotResource) > 0 {
		return true
	}
	for _, r := range s.Resource {
		if r == "*" || r == "arn:aws:*:*:*:*" || r == "arn:*:*:*:*:*" {
			return true
		}
	}
	return false
}

func roleResourceAny(s stmt) bool {
	if resourceAny(s) {
		return true
	}
	for _, r := range s.Resource {
		if strings.HasSuffix(r, ":role/*") || strings.HasSuffix(r, ":*") || r == "arn:aws:iam::*:*" {
			return true
		}
	}
	return false
}

// needsResource: some action the patterns grant is not List-level and can
// be scoped to a resource (actions without resource types require "*").
func needsResource(patterns []string) bool {
	for _, p := range patterns {
		if patternScoped(p) {
			return true
		}
	}
	return false
}

func patternScoped(p string) bool {
	for _, a := range catalog.Expand(p) {
		act, ok := catalog.Lookup(a)
		if ok && act.Level != catalog.LevelList && len(act.ResourceTypes) > 0 {
			return true
		}
	}
	return false
}

// needsResource, memoized per pattern (the same patterns recur in every account).
func (c *computer) needsResource(patterns []string) bool {
	if c.scoped == nil {
		c.scoped = map[string]bool{}
	}
	for _, p := range patterns {
		v, ok := c.scoped[p]
		if !ok {
			v = patternScoped(p)
			c.scoped[p] = v
		}
		if v {
			return true
		}
	}
	return false
}

func holdersText(hs []string) string {
	if len(hs) > 3 {
		return fmt.Sprintf("%s and %d more", strings.Join(hs[:3], ", "), len(hs)-3)
	}
	return strings.Join(hs, ", ")
}

func (c *computer) leastPrivilege() {
	for _, op := range c.policies() {
		for _, s := range statements(op.doc) {
			if s.Effect != "Allow" {
				continue
			}
			ev := []graph.Evidence{{PolicyType: graph.PolicyIdentity, PolicyID: op.id, PolicyName: op.name, StatementIndex: s.index, Sid: s.Sid, Effect: "Allow", Statement: s.raw}}
			where := fmt.Sprintf("%s statement %d", op.name, s.index)
			if s.Sid != "" {
				where = fmt.Sprintf("%s statement %q", op.name, s.Sid)
			}
			base := graph.Finding{Subject: op.subject, Account: op.account, Evidence: ev}
			mk := func(kind graph.FindingKind, sev, title, detail, key string) {
				f := base
				f.Kind, f.Severity, f.Title = kind, sev, title
				f.Detail = detail + "; applies to " + holdersText(op.holders)
				if s.hasCond {
					f.Severity = lower(f.Severity)
					f.Detail += "; the statement has a condition"
				}
				f.ID = ID(kind, op.account, op.id, fmt.Sprint(s.index), key)
				c.add(f)
			}
			// Action wildcards.
			for _, a := range s.Action {
				svc, act, _ := strings.Cut(a, ":")
				switch {
				case a == "*" || a == "*:*":
					mk(graph.FindingWildcardAction, SevHigh, fmt.Sprintf("%s grants every action (\"*\")", op.name), where+" allows Action \"*\"", a)
				case act == "*" && dataStoreServices[strings.ToLower(svc)]:
					sev := SevMedium
					if resourceAny(s) {
						sev = SevHigh
					}
					mk(graph.FindingDataStoreWildcard, sev, fmt.Sprintf("%s grants %s on a data store", op.name, a), fmt.Sprintf("%s allows %s on %s", where, a, strings.Join(s.Resource, ", ")), a)
				case act == "*":
					mk(graph.FindingWildcardAction, SevMedium, fmt.Sprintf("%s grants every %s action", op.name, svc), where+" allows "+a, a)
				}
			}
			if len(s.NotAction) > 0 {
				mk(graph.FindingWildcardAction, SevHigh, fmt.Sprintf("%s allows everything except %s", op.name, strings.Join(s.NotAction, ", ")), where+" uses Allow with NotAction", "notaction")
			}
			actions := s.Action
			if len(s.NotAction) > 0 {
				actions = []string{"*"}
			}
			if resourceAny(s) && c.needsResource(actions) {
				mk(graph.FindingWildcardResource, SevMedium, fmt.Sprintf("%s grants %s on every resource", op.name, strings.Join(actions, ", ")), where+" has Resource \"*\" on actions that can be scoped to resources", "")
			}
			passRole := false
			for _, a := range actions {
				if a != "*" && matchAction(a, "iam:PassRole") {
					passRole = true
				}
			}
			if passRole && roleResourceAny(s) {
				sev := SevHigh
				detail := where + " allows iam:PassRole on every role: a holder can hand any role, admin roles too, to a service it controls"
				if strings.Contains(strings.ToLower(string(s.raw)), "iam:passedtoservice") {
					sev = SevMedium
					detail += " (limited by iam:PassedToService)"
				}
				f := base
				f.Kind, f.Severity, f.Title = graph.FindingPassRoleAny, sev, fmt.Sprintf("%s allows iam:PassRole on any role", op.name)
				f.Detail = detail + "; applies to " + holdersText(op.holders)
				f.ID = ID(f.Kind, op.account, op.id, fmt.Sprint(s.index))
				c.add(f)
			}
		}
	}
	c.unused()
	c.suggestions()
}

func (c *computer) now() time.Time {
	if !c.opts.Now.IsZero() {
		return c.opts.Now
	}
	if c.snap != nil && !c.snap.GeneratedAt.IsZero() {
		return c.snap.GeneratedAt
	}
	return time.Now()
}

// unused reports services a principal is granted but has not used within
// UnusedAfter, from IAM's last-accessed data in the snapshot.
func (c *computer) unused() {
	cut := c.now().Add(-c.opts.unusedAfter())
	report := func(acct, arn string, las []snapshot.ServiceLastAccessed) {
		for _, la := range las {
			if la.LastAccessed != nil && la.LastAccessed.After(cut) {
				continue
			}
			when := "never used (in IAM's tracking period)"
			if la.LastAccessed != nil {
				when = "last used " + la.LastAccessed.UTC().Format("2006-01-02")
			}
			f := graph.Finding{
				Kind: graph.FindingUnusedGrant, Severity: SevLow, Subject: arn, Target: la.Service, Account: acct,
				Title:  fmt.Sprintf("%s is granted %s but has not used it", lastPart(arn), la.Service),
				Detail: fmt.Sprintf("%s: %s; remove the %s permissions", la.Service, when, la.Service),
			}
			f.ID = ID(f.Kind, arn, la.Service)
			c.add(f)
		}
	}
	for _, a := range c.snap.Accounts {
		for _, u := range a.Users {
			report(a.ID, u.ARN, u.LastAccessed)
		}
		for _, r := range a.Roles {
			report(a.ID, r.ARN, r.LastAccessed)
		}
	}
}

func lastPart(arn string) string {
	if i := strings.LastIndexAny(arn, "/:"); i >= 0 && i < len(arn)-1 {
		return arn[i+1:]
	}
	return arn
}
