package gaad

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/iamreach/iamreach/collector/policydoc"
	"github.com/iamreach/iamreach/snapshot"
)

// Convert turns one account's details into a snapshot account. source
// names where the details came from (a file name, or the API operation) and
// starts every gap message. accountID may be empty: it is then taken from
// the ARNs. Elements that belong to another account are skipped with a gap.
// A policy document that is not JSON is dropped with a gap; one that is
// JSON but structurally wrong is kept (the policy engine decides what it
// means) and its problems are recorded statement by statement.
func Convert(source, accountID string, d *Details) (snapshot.Account, []snapshot.Gap, error) {
	if accountID == "" {
		accountID = guessAccount(source, d)
		if accountID == "" {
			return snapshot.Account{}, nil, fmt.Errorf("%s: cannot tell which account this is: no user, group, role or customer-managed policy ARN (put the 12-digit account ID in the file name)", source)
		}
	}
	c := &converter{source: source, account: accountID}
	acct := snapshot.Account{ID: accountID}
	for _, u := range d.Users {
		if !c.mine(u.Arn, "user", u.UserName) {
			continue
		}
		what := fmt.Sprintf("user %s", u.UserName)
		acct.Users = append(acct.Users, snapshot.User{
			ARN: u.Arn, Name: u.UserName, ID: u.UserId, Path: u.Path,
			Tags:                tags(u.Tags),
			Groups:              append([]string(nil), u.GroupList...),
			InlinePolicies:      c.inline(what, u.Arn, u.UserPolicyList),
			AttachedPolicies:    attached(u.AttachedManagedPolicies),
			PermissionsBoundary: boundary(u.PermissionsBoundary),
		})
	}
	for _, g := range d.Groups {
		if !c.mine(g.Arn, "group", g.GroupName) {
			continue
		}
		acct.Groups = append(acct.Groups, snapshot.Group{
			ARN: g.Arn, Name: g.GroupName, ID: g.GroupId, Path: g.Path,
			InlinePolicies:   c.inline("group "+g.GroupName, g.Arn, g.GroupPolicyList),
			AttachedPolicies: attached(g.AttachedManagedPolicies),
		})
	}
	for _, r := range d.Roles {
		if !c.mine(r.Arn, "role", r.RoleName) {
			continue
		}
		what := "role " + r.RoleName
		role := snapshot.Role{
			ARN: r.Arn, Name: r.RoleName, ID: r.RoleId, Path: r.Path,
			Tags:                tags(r.Tags),
			TrustPolicy:         c.document(what+": trust policy", r.Arn, r.AssumeRolePolicyDocument, policydoc.Resource),
			InlinePolicies:      c.inline(what, r.Arn, r.RolePolicyList),
			AttachedPolicies:    attached(r.AttachedManagedPolicies),
			PermissionsBoundary: boundary(r.PermissionsBoundary),
		}
		for _, ip := range r.InstanceProfileList {
			if ip.Arn != "" {
				role.InstanceProfiles = append(role.InstanceProfiles, ip.Arn)
			}
		}
		sort.Strings(role.InstanceProfiles)
		if r.RoleLastUsed != nil && r.RoleLastUsed.LastUsedDate != "" {
			if t, err := time.Parse(time.RFC3339, r.RoleLastUsed.LastUsedDate); err == nil {
				t = t.UTC()
				role.LastUsed = &t
			} else {
				c.gap(snapshot.Gap{Resource: r.Arn, Code: CodeUnexpectedType,
					Error: fmt.Sprintf("%s: RoleLastUsed.LastUsedDate %q is not an RFC 3339 time; last use is left out", what, r.RoleLastUsed.LastUsedDate)})
			}
		}
		acct.Roles = append(acct.Roles, role)
	}
	for _, p := range d.Policies {
		if mp, ok := c.managed(p); ok {
			acct.Policies = append(acct.Policies, mp)
		}
	}
	if !d.Incomplete {
		c.checkReferences(&acct, d)
	}
	acct.Policies = ReferencedPolicies(acct)
	sort.Slice(acct.Users, func(i, j int) bool { return acct.Users[i].ARN < acct.Users[j].ARN })
	sort.Slice(acct.Groups, func(i, j int) bool { return acct.Groups[i].ARN < acct.Groups[j].ARN })
	sort.Slice(acct.Roles, func(i, j int) bool { return acct.Roles[i].ARN < acct.Roles[j].ARN })
	sort.Slice(acct.Policies, func(i, j int) bool { return acct.Policies[i].ARN < acct.Policies[j].ARN })
	for i := range c.gaps {
		c.gaps[i].Account = accountID
	}
	return acct, c.gaps, nil
}

// checkReferences records every attached policy or boundary that the
// details do not contain: its permissions are unknown, which must be said.
func (c *converter) checkReferences(a *snapshot.Account, d *Details) {
	listed := map[string]bool{}
	for _, p := range d.Policies {
		listed[p.Arn] = true
	}
	check := func(kind, name, arn string, refs []string, boundary string) {
		for _, r := range refs {
			if !listed[r] {
				c.gap(snapshot.Gap{Resource: arn, Code: CodeMissing,
					Error: fmt.Sprintf("%s %s: attached policy %s is not in the Policies list; its permissions are unknown", kind, name, r)})
			}
		}
		if boundary != "" && !listed[boundary] {
			c.gap(snapshot.Gap{Resource: arn, Code: CodeMissing,
				Error: fmt.Sprintf("%s %s: permissions boundary %s is not in the Policies list; its permissions are unknown", kind, name, boundary)})
		}
	}
	for _, u := range a.Users {
		check("user", u.Name, u.ARN, u.AttachedPolicies, u.PermissionsBoundary)
	}
	for _, g := range a.Groups {
		check("group", g.Name, g.ARN, g.AttachedPolicies, "")
	}
	for _, r := range a.Roles {
		check("role", r.Name, r.ARN, r.AttachedPolicies, r.PermissionsBoundary)
	}
}

// ReferencedPolicies keeps every customer-managed policy and the
// AWS-managed ones that something in the account attaches or uses as a
// boundary (IAM can list over a thousand AWS-managed policies that nothing
// uses).
func ReferencedPolicies(a snapshot.Account) []snapshot.ManagedPolicy {
	used := map[string]bool{}
	mark := func(arns []string, boundary string) {
		for _, x := range arns {
			used[x] = true
		}
		used[boundary] = true
	}
	for _, u := range a.Users {
		mark(u.AttachedPolicies, u.PermissionsBoundary)
	}
	for _, g := range a.Groups {
		mark(g.AttachedPolicies, "")
	}
	for _, r := range a.Roles {
		mark(r.AttachedPolicies, r.PermissionsBoundary)
	}
	var out []snapshot.ManagedPolicy
	for _, p := range a.Policies {
		if !p.AWSManaged || used[p.ARN] {
			out = append(out, p)
		}
	}
	return out
}

type converter struct {
	source  string
	account string
	gaps    []snapshot.Gap
}

func (c *converter) gap(g snapshot.Gap) {
	g.Service = "iam"
	if g.Operation == "" {
		g.Operation = "import"
	}
	g.Error = c.source + ": " + g.Error
	c.gaps = append(c.gaps, g)
}

func (c *converter) mine(arn, kind, name string) bool {
	if a := ARNAccount(arn); a != c.account {
		c.gap(snapshot.Gap{Resource: arn, Code: CodeUnexpectedType,
			Error: fmt.Sprintf("%s %s has ARN %s outside account %s; skipped", kind, name, arn, c.account)})
		return false
	}
	return true
}

// document decodes and checks one policy document; nil when unusable.
func (c *converter) document(what, resource string, raw json.RawMessage, kind policydoc.Kind) json.RawMessage {
	doc, err := policydoc.Decode(raw)
	if err != nil {
		c.gap(snapshot.Gap{Resource: resource, Code: CodeMalformedPolicy, Error: fmt.Sprintf("%s: %v; the policy is left out", what, err)})
		return nil
	}
	for _, p := range policydoc.Check(doc, kind) {
		c.gap(snapshot.Gap{Resource: resource, Code: CodeMalformedPolicy, Error: fmt.Sprintf("%s: %s; kept as written", what, p)})
	}
	return doc
}

func (c *converter) inline(owner, arn string, list []PolicyDetail) []snapshot.InlinePolicy {
	var out []snapshot.InlinePolicy
	for _, p := range list {
		doc := c.document(fmt.Sprintf("%s: inline policy %s", owner, p.PolicyName), arn, p.PolicyDocument, policydoc.Identity)
		if doc != nil {
			out = append(out, snapshot.InlinePolicy{Name: p.PolicyName, Document: doc})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (c *converter) managed(p ManagedPolicyDetail) (snapshot.ManagedPolicy, bool) {
	aws := ARNAccount(p.Arn) == "aws"
	if !aws && ARNAccount(p.Arn) != c.account {
		return snapshot.ManagedPolicy{}, c.mine(p.Arn, "policy", p.PolicyName)
	}
	what := "managed policy " + p.PolicyName
	var def *PolicyVersion
	for i, v := range p.PolicyVersionList {
		if v.IsDefaultVersion || (p.DefaultVersionId != "" && v.VersionId == p.DefaultVersionId) {
			def = &p.PolicyVersionList[i]
			break
		}
	}
	if def == nil {
		c.gap(snapshot.Gap{Resource: p.Arn, Code: CodeMissing,
			Error: fmt.Sprintf("%s: no default version in PolicyVersionList (DefaultVersionId %q); the policy is left out", what, p.DefaultVersionId)})
		return snapshot.ManagedPolicy{}, false
	}
	doc := c.document(fmt.Sprintf("%s version %s", what, def.VersionId), p.Arn, def.Document, policydoc.Identity)
	if doc == nil {
		return snapshot.ManagedPolicy{}, false
	}
	name := p.PolicyName
	if name == "" {
		// Some emulators leave the name out; the ARN ends with it.
		name = p.Arn[strings.LastIndex(p.Arn, "/")+1:]
	}
	return snapshot.ManagedPolicy{
		ARN: p.Arn, Name: name, Path: p.Path, DefaultVersionID: def.VersionId,
		AWSManaged: aws, Document: doc,
	}, true
}

func tags(ts []Tag) map[string]string {
	if len(ts) == 0 {
		return nil
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[t.Key] = t.Value
	}
	return m
}

func attached(list []AttachedPolicy) []string {
	var out []string
	for _, a := range list {
		if a.PolicyArn != "" {
			out = append(out, a.PolicyArn)
		}
	}
	sort.Strings(out)
	return out
}

func boundary(b *Boundary) string {
	if b == nil {
		return ""
	}
	return b.PermissionsBoundaryArn
}

// ARNAccount returns the account field of an ARN ("aws" for AWS-managed
// policies), or "" when s is not an ARN.
func ARNAccount(s string) string {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

var twelveDigits = regexp.MustCompile(`(^|[^0-9])([0-9]{12})([^0-9]|$)`)

func guessAccount(source string, d *Details) string {
	var arns []string
	for _, u := range d.Users {
		arns = append(arns, u.Arn)
	}
	for _, g := range d.Groups {
		arns = append(arns, g.Arn)
	}
	for _, r := range d.Roles {
		arns = append(arns, r.Arn)
	}
	for _, p := range d.Policies {
		arns = append(arns, p.Arn)
	}
	for _, a := range arns {
		if id := ARNAccount(a); len(id) == 12 {
			return id
		}
	}
	if m := twelveDigits.FindStringSubmatch(source); m != nil {
		return m[2]
	}
	return ""
}
