package findings

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/snapshot"
)

// confiningKeys fix who may make the request, so a grant to "*" under a
// fixed value of one of them is not public. The list is S3's definition of
// a public policy ("The meaning of public": aws:SourceIp with bounded
// CIDRs, aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
// aws:SourceAccount, s3:x-amz-server-side-encryption-aws-kms-key-id,
// aws:userid) plus the organization and principal keys IAM Access Analyzer
// treats as inside the zone of trust. We apply it to every policy type.
var confiningKeys = []string{
	"aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner", "aws:sourceaccount",
	"s3:x-amz-server-side-encryption-aws-kms-key-id", "aws:userid",
	"aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn",
	"aws:sourceorgid", "aws:sourceorgpaths", "aws:sourceip",
}

// positiveOps are the operators that fix a value ("equals"/"like" to a
// value without wildcards, or an IP range).
func positiveOp(op string) bool {
	op = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(op, "ForAnyValue:"), "ForAllValues:"), "IfExists"))
	switch op {
	case "stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress":
		return true
	}
	return false
}

// statementConfined reads a statement's Condition block and says whether
// one confining key is fixed to values without wildcards (an unbounded
// "0.0.0.0/0" or "::/0" does not confine). IfExists does not confine: the
// key may be absent.
func statementConfined(raw json.RawMessage) bool {
	var st struct {
		Condition map[string]map[string]any `json:"Condition"`
	}
	if json.Unmarshal(raw, &st) != nil {
		return false
	}
	for op, kv := range st.Condition {
		if !positiveOp(op) || strings.HasSuffix(strings.ToLower(op), "ifexists") {
			continue
		}
		for k, v := range kv {
			lk := strings.ToLower(k)
			confining := false
			for _, ck := range confiningKeys {
				if lk == ck {
					confining = true
				}
			}
			if !confining {
				continue
			}
			if fixedValues(lk, v) {
				return true
			}
		}
	}
	return false
}

func fixedValues(key string, v any) bool {
	var vals []string
	switch x := v.(type) {
	case string:
		vals = []string{x}
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return false
			}
			vals = append(vals, s)
		}
	default:
		return false
	}
	if len(vals) == 0 {
		return false
	}
	for _, s := range vals {
		if key == "aws:sourceip" {
			if s == "0.0.0.0/0" || s == "::/0" {
				return false
			}
			continue
		}
		if s == "" || strings.ContainsAny(s, "*?") {
			return false
		}
	}
	return true
}

// restrictPublic applies S3 Block Public Access: the account and bucket
// settings combined, most restrictive wins. Only RestrictPublicBuckets
// changes who can reach a bucket whose policy is already public
// (BlockPublicPolicy only refuses new public policies).
func (c *computer) restrictPublic(r *graph.Node) (bool, string) {
	if c.snap == nil || !strings.HasPrefix(r.Type, "s3:") {
		return false, ""
	}
	for _, a := range c.snap.Accounts {
		if a.ID == r.Account && a.PublicAccessBlock != nil && a.PublicAccessBlock.RestrictPublicBuckets {
			return true, "account-level Block Public Access (RestrictPublicBuckets)"
		}
	}
	if res := c.snapResource(r.ID); res != nil && res.PublicAccessBlock != nil && res.PublicAccessBlock.RestrictPublicBuckets {
		return true, "bucket-level Block Public Access (RestrictPublicBuckets)"
	}
	return false, ""
}

// severityForActions rates public or outside access by its access levels.
func severityForActions(gs []graph.ActionGrant) string {
	sev := SevMedium
	for _, g := range gs {
		switch g.Level {
		case graph.LevelWrite, graph.LevelPermissions, graph.LevelMixed:
			return SevCritical
		case graph.LevelRead, graph.LevelUnknown:
			sev = SevHigh
		}
		if g.Action == "*" || strings.HasSuffix(g.Action, ":*") {
			return SevCritical
		}
	}
	return sev
}

// public reports resources that anyone can reach: the Anonymous node's
// access edges (decided by the engine, so SCP/RCP/deny effects are already
// in), kept only when the statements that grant them do not confine the
// caller, and S3 buckets only when Block Public Access does not restrict
// them. Roles that anyone can assume are external-trust findings; what
// such a role reaches is reported here too, through its path.
func (c *computer) public() {
	for _, n := range c.ix.nodes {
		if n.Kind != graph.KindAnonymous {
			continue
		}
		routes, order := c.ix.identities(n.ID, c.opts.maxDepth())
		for _, id := range order {
			for _, e := range c.ix.out[id] {
				if !isAccessEdge(e.Kind) {
					continue
				}
				if grantsConfined(e) {
					continue
				}
				for _, rid := range c.ix.resourcesOf(e.To) {
					r := c.ix.nodes[rid]
					if r == nil {
						continue
					}
					p := extend(route(routes, n.ID, id), *e)
					f := graph.Finding{
						Kind: graph.FindingPublic, Subject: rid, Target: n.ID, Account: r.Account,
						Title:     fmt.Sprintf("%s is public", r.Name),
						Detail:    fmt.Sprintf("anyone can %s", actionsText(e.Actions)),
						Condition: conditionOf(p), Path: &p, Evidence: e.Evidence,
						Severity: severityForActions(e.Actions),
					}
					if len(p.Edges) > 1 {
						f.Detail += " via " + routeText(c, p)
					}
					if len(p.Conditions) > 0 && urlAuthNone(c.snapResource(rid), p.Conditions) {
						// The only condition is the function URL's auth type,
						// which the snapshot knows: NONE.
						p.Conditions = nil
						f.Condition = ""
						f.Detail += " through its function URL (auth type NONE)"
					}
					if ok, why := c.restrictPublic(r); ok {
						f.Severity = SevInfo
						f.Title = fmt.Sprintf("%s has a public policy, restricted by Block Public Access", r.Name)
						f.Detail += "; not reachable from outside the account because of " + why
					} else if len(p.Conditions) > 0 {
						f.Severity = lower(f.Severity)
					}
					f.ID = ID(f.Kind, f.Subject)
					c.add(f)
				}
			}
		}
	}
	c.publicFunctionURLs()
	c.restrictedPublicPolicies()
}

// restrictedPublicPolicies records, at info level, buckets whose policy is
// public by S3's definition but which Block Public Access neutralizes (the
// graph has no anonymous edge to them): one setting away from public.
func (c *computer) restrictedPublicPolicies() {
	if c.snap == nil {
		return
	}
	for _, a := range c.snap.Accounts {
		for _, r := range a.Resources {
			if r.Type != snapshot.TypeS3Bucket || len(r.Policy) == 0 || c.has(graph.FindingPublic, r.ARN) {
				continue
			}
			n := c.ix.nodes[r.ARN]
			if n == nil {
				n = &graph.Node{ID: r.ARN, Type: r.Type, Account: a.ID}
			}
			ok, why := c.restrictPublic(n)
			if !ok {
				continue
			}
			for _, st := range statements(r.Policy) {
				if st.Effect != "Allow" || !st.anyPrincipal() || statementConfined(st.raw) {
					continue
				}
				f := graph.Finding{
					Kind: graph.FindingPublic, Severity: SevInfo, Subject: r.ARN, Target: "anonymous", Account: a.ID,
					Title:  fmt.Sprintf("%s has a public policy, restricted by Block Public Access", nameOr(r.Name, r.ARN)),
					Detail: fmt.Sprintf("statement %d grants %s to anyone; not reachable from outside the account because of %s", st.index, strings.Join(st.Action, ", "), why),
					Evidence: []graph.Evidence{{PolicyType: graph.PolicyResource, PolicyID: r.ARN + "#policy", PolicyName: "bucket policy",
						StatementIndex: st.index, Sid: st.Sid, Effect: "Allow", Statement: st.raw}},
				}
				f.ID = ID(f.Kind, f.Subject)
				c.add(f)
				break
			}
		}
	}
}

// grantsConfined says whether every allow statement behind an edge fixes
// the caller with a confining key.
func grantsConfined(e *graph.Edge) bool {
	n := 0
	for _, ev := range e.Evidence {
		if ev.Effect != "Allow" || len(ev.Statement) == 0 {
			continue
		}
		if ev.PolicyType != graph.PolicyResource && ev.PolicyType != graph.PolicyTrust {
			continue
		}
		n++
		if !statementConfined(ev.Statement) {
			return false
		}
	}
	return n > 0
}

// publicFunctionURLs flags Lambda function URLs with auth type NONE: the
// URL is callable by anyone that the function policy lets in, and the
// snapshot records the auth type even when the graph has no Anonymous edge.
func (c *computer) publicFunctionURLs() {
	if c.snap == nil {
		return
	}
	for _, a := range c.snap.Accounts {
		for _, r := range a.Resources {
			if r.Type != snapshot.TypeLambdaFunction || !strings.EqualFold(r.Properties["functionUrlAuthType"], "NONE") || c.has(graph.FindingPublic, r.ARN) {
				continue
			}
			f := graph.Finding{
				Kind: graph.FindingPublic, Severity: SevHigh, Subject: r.ARN, Account: a.ID,
				Title:  fmt.Sprintf("%s has a function URL without authentication", nameOr(r.Name, r.ARN)),
				Detail: "function URL auth type NONE: anyone on the internet can invoke it if the function policy allows lambda:InvokeFunctionUrl to \"*\"",
			}
			if !publicInvokeURL(r.Policy) {
				f.Severity = SevLow
				f.Detail = "function URL auth type NONE, but the function policy grants lambda:InvokeFunctionUrl to no one outside"
			}
			f.ID = ID(f.Kind, f.Subject, "function-url")
			c.add(f)
		}
	}
}

func nameOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func publicInvokeURL(doc json.RawMessage) bool {
	for _, st := range statements(doc) {
		if st.Effect != "Allow" || !st.anyPrincipal() {
			continue
		}
		for _, a := range st.Action {
			if matchAction(a, "lambda:InvokeFunctionUrl") && !statementConfined(st.raw) {
				return true
			}
		}
	}
	return false
}

// urlAuthNone: a function whose URL auth type is NONE, and conditions that
// only ask for that.
func urlAuthNone(r *snapshot.Resource, conds []string) bool {
	if r == nil || r.Type != snapshot.TypeLambdaFunction || !strings.EqualFold(r.Properties["functionUrlAuthType"], "NONE") {
		return false
	}
	for _, c := range conds {
		if !strings.Contains(strings.ToLower(c), "lambda:functionurlauthtype") || !strings.Contains(c, "NONE") || strings.Contains(c, " AND ") {
			return false
		}
	}
	return true
}

// snapResource finds a resource of the snapshot by ARN (nil without a snapshot).
func (c *computer) snapResource(arn string) *snapshot.Resource {
	if c.snap == nil {
		return nil
	}
	if c.resources == nil {
		c.resources = map[string]*snapshot.Resource{}
		for i := range c.snap.Accounts {
			a := &c.snap.Accounts[i]
			for j := range a.Resources {
				c.resources[a.Resources[j].ARN] = &a.Resources[j]
			}
		}
	}
	return c.resources[arn]
}
