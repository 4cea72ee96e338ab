package policy_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The differential-test generator: seeded, it writes simulations in the
// iam-simulate input format, exercising identity, resource, trust and key
// policies, boundaries, session policies, SCPs, RCPs and VPC endpoint
// policies, same-account and cross-account, with conditions whose context
// values are drawn from the same pools as the policy values so that they
// match often enough to matter.

const (
	gA = "111111111111"
	gB = "222222222222"
	gC = "333333333333"
)

type gen struct {
	r *rand.Rand
}

func (g *gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }
func (g *gen) chance(p float64) bool    { return g.r.Float64() < p }

type gTarget struct {
	action string
	arn    func(acct string) string
}

var gTargets = []gTarget{
	{"s3:GetObject", func(a string) string { return "arn:aws:s3:::bucket-" + a[:1] + "/home/alice/report.txt" }},
	{"s3:PutObject", func(a string) string { return "arn:aws:s3:::bucket-" + a[:1] + "/home/bob/data.csv" }},
	{"s3:ListBucket", func(a string) string { return "arn:aws:s3:::bucket-" + a[:1] }},
	{"sqs:SendMessage", func(a string) string { return "arn:aws:sqs:us-east-1:" + a + ":queue1" }},
	{"kms:Decrypt", func(a string) string {
		return "arn:aws:kms:us-east-1:" + a + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	}},
	{"sts:AssumeRole", func(a string) string { return "arn:aws:iam::" + a + ":role/target" }},
	{"secretsmanager:GetSecretValue", func(a string) string { return "arn:aws:secretsmanager:us-east-1:" + a + ":secret:db-AbCdEf" }},
	{"dynamodb:GetItem", func(a string) string { return "arn:aws:dynamodb:us-east-1:" + a + ":table/orders" }},
	{"lambda:InvokeFunction", func(a string) string { return "arn:aws:lambda:us-east-1:" + a + ":function:worker" }},
	{"iam:GetUser", func(a string) string { return "arn:aws:iam::" + a + ":user/bob" }},
	{"iam:CreateAccessKey", func(a string) string { return "arn:aws:iam::" + a + ":user/alice" }},
	{"ec2:DescribeInstances", func(string) string { return "*" }},
}

type gPrincipal struct {
	value   any // string or {"type":"Anonymous"}
	kind    string
	account string
	arn     string // aws:PrincipalArn
	user    string
}

var gPrincipals = []gPrincipal{
	{value: "arn:aws:iam::" + gA + ":user/alice", kind: "user", account: gA, arn: "arn:aws:iam::" + gA + ":user/alice", user: "alice"},
	{value: "arn:aws:iam::" + gC + ":user/bob", kind: "user", account: gC, arn: "arn:aws:iam::" + gC + ":user/bob", user: "bob"},
	{value: "arn:aws:sts::" + gA + ":assumed-role/app/s1", kind: "session", account: gA, arn: "arn:aws:iam::" + gA + ":role/app"},
	{value: "arn:aws:sts::" + gC + ":assumed-role/ci/run42", kind: "session", account: gC, arn: "arn:aws:iam::" + gC + ":role/ci"},
	{value: "lambda.amazonaws.com", kind: "service"},
	{value: map[string]string{"type": "Anonymous"}, kind: "anonymous"},
}

type genCase struct {
	sim map[string]any
	// facts for classifying known divergences
	principal gPrincipal
	target    gTarget
	resAcct   string
}

func (g *gen) actionPatterns(action string) []string {
	svc, name, _ := strings.Cut(action, ":")
	n := 1 + g.r.IntN(3)
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		var p string
		switch g.r.IntN(11) {
		case 0:
			p = action
		case 1:
			p = strings.ToLower(action)
		case 2:
			p = svc + ":*"
		case 3:
			p = "*"
		case 4:
			p = svc + ":" + name[:1+g.r.IntN(len(name)-1)] + "*"
		case 5:
			i := g.r.IntN(len(name))
			p = svc + ":" + name[:i] + "?" + name[i+1:]
		case 6:
			p = svc + ":*" + name[len(name)-3:]
		case 7:
			p = g.pick("ec2:RunInstances", "s3:DeleteObject", "iam:PassRole", "sqs:ReceiveMessage", "kms:Encrypt")
		case 8:
			p = svc + ":" + name + "X"
		case 9:
			p = g.pick("s3:Get*", "iam:*", "sts:Assume*", "kms:*", "kms:*crypt")
		default:
			p = action
		}
		out = append(out, p)
	}
	return out
}

func (g *gen) resourcePatterns(arn, user string) []string {
	n := 1 + g.r.IntN(2)
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		var p string
		switch g.r.IntN(9) {
		case 0, 1:
			p = arn
		case 2:
			p = "*"
		case 3:
			if j := strings.LastIndexAny(arn, "/:"); j > 0 {
				p = arn[:j+1] + "*"
			} else {
				p = "*"
			}
		case 4:
			parts := strings.SplitN(arn, ":", 6)
			if len(parts) == 6 {
				parts[1+g.r.IntN(4)] = "*"
				p = strings.Join(parts, ":")
			} else {
				p = "*"
			}
		case 5:
			if len(arn) > 5 {
				j := len(arn) - 1 - g.r.IntN(4)
				p = arn[:j] + "?" + arn[j+1:]
			} else {
				p = arn
			}
		case 6:
			p = g.pick("arn:aws:s3:::other-bucket/*", "arn:aws:sqs:us-east-1:"+gB+":other", "arn:aws:iam::"+gA+":role/other")
		case 7:
			p = g.pick("arn:aws:s3:::bucket-?/home/${aws:username}/*", "arn:aws:iam::*:user/${aws:username}", "arn:aws:s3:::bucket-*/home/${aws:PrincipalTag/owner, 'alice'}/*")
		default:
			if arn == "*" {
				p = "*"
			} else {
				p = arn + "-x"
			}
		}
		out = append(out, p)
	}
	return out
}

// condition pools: values both sides draw from.
var (
	ips        = []string{"10.1.2.3", "192.168.1.10", "2001:db8::5", "203.0.113.9"}
	cidrs      = []string{"10.0.0.0/8", "192.168.1.0/24", "2001:db8::/32", "203.0.113.9", "0.0.0.0/0", "10.1.2.3/32", "::/0"}
	times      = []string{"2026-01-01T00:00:00Z", "2025-06-01T12:00:00Z", "2026-03-01T08:30:00Z", "1767225600", "1740000000"}
	timeVals   = []string{"2026-01-01T00:00:00Z", "2025-12-31", "2024-01-01T00:00:00Z", "2026-02-01T00:00:00+01:00", "1767225600"}
	mfaAges    = []string{"100", "3600", "0", "86400"}
	mfaVals    = []string{"300", "3600", "0", "100", "86400.0"}
	teams      = []string{"blue", "Blue", "red"}
	teamVals   = []string{"blue", "BLUE", "bl*", "r?d", "*", "green"}
	regions    = []string{"us-east-1", "eu-west-1"}
	regionVals = []string{"us-east-1", "eu-*", "us-*-1", "ap-south-1"}
	srcArns    = []string{"arn:aws:sns:us-east-1:" + gA + ":topic1", "arn:aws:s3:::bucket-x"}
	srcArnVals = []string{"arn:aws:sns:*:" + gA + ":*", "arn:aws:sns:us-east-1:" + gA + ":topic1", "arn:aws:s3:::bucket-*", "arn:aws:sns:*:" + gB + ":*"}
	tagKeySets = [][]string{{"a"}, {"a", "b"}, {"c"}, {"b", "c"}}
	tagKeyVals = []string{"a", "b", "c*", "d"}
	orgPaths   = [][]string{{"o-1/r-1/ou-1/"}, {"o-1/r-1/ou-2/ou-3/"}}
	orgVals    = []string{"o-1/r-1/ou-1/*", "o-1/*", "o-2/*"}
	vpces      = []string{"vpce-1", "vpce-2"}
	stringOps  = []string{"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"}
	numericOps = []string{"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"}
	dateOps    = []string{"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"}
	arnOps     = []string{"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"}
)

func (g *gen) some(pool []string) []any {
	n := 1 + g.r.IntN(2)
	out := make([]any, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, pool[g.r.IntN(len(pool))])
	}
	return out
}

func (g *gen) ifExists(op string) string {
	if g.chance(0.2) {
		return op + "IfExists"
	}
	return op
}

// condition returns one operator → key → values entry.
func (g *gen) condition(pr gPrincipal) (op, key string, vals []any) {
	switch g.r.IntN(15) {
	case 0:
		return g.ifExists(g.pick("IpAddress", "NotIpAddress")), "aws:SourceIp", g.some(cidrs)
	case 1:
		v := g.pick("true", "false")
		if g.chance(0.5) {
			return g.ifExists("Bool"), "aws:SecureTransport", []any{v == "true"}
		}
		return g.ifExists("Bool"), "aws:SecureTransport", []any{v}
	case 2:
		return g.ifExists(g.pick(dateOps...)), "aws:CurrentTime", g.some(timeVals)
	case 3:
		return g.ifExists(g.pick(numericOps...)), "aws:MultiFactorAuthAge", g.some(mfaVals)
	case 4:
		return g.ifExists(g.pick(stringOps...)), "aws:PrincipalTag/team", g.some(teamVals)
	case 5:
		return g.ifExists(g.pick(stringOps...)), "aws:RequestedRegion", g.some(regionVals)
	case 6:
		return g.ifExists(g.pick(arnOps...)), "aws:SourceArn", g.some(srcArnVals)
	case 7:
		vals := []string{"arn:aws:iam::" + gA + ":role/*", "arn:aws:iam::*:user/alice", "arn:aws:iam::" + gC + ":role/ci"}
		if pr.arn != "" {
			vals = append(vals, pr.arn)
		}
		return g.ifExists(g.pick(append(arnOps, "StringEquals", "StringLike")...)), "aws:PrincipalArn", g.some(vals)
	case 8:
		return g.ifExists(g.pick("StringEquals", "StringNotEquals")), "aws:PrincipalAccount", g.some([]string{gA, gB, gC})
	case 9:
		set := g.pick("ForAnyValue:", "ForAllValues:", "ForAnyValue:", "ForAllValues:", "")
		return set + g.pick("StringEquals", "StringLike", "StringNotEquals", "StringNotLike"), "aws:TagKeys", g.some(tagKeyVals)
	case 10:
		return g.pick("ForAnyValue:StringLike", "ForAllValues:StringLike", "ForAnyValue:StringNotLike"), "aws:PrincipalOrgPaths", g.some(orgVals)
	case 11:
		return g.ifExists(g.pick("StringEquals", "StringNotEquals")), "aws:SourceVpce", g.some(vpces)
	case 12:
		key := g.pick("aws:SourceIp", "aws:PrincipalTag/team", "aws:SourceVpce", "aws:TagKeys", "aws:MultiFactorAuthAge")
		if g.chance(0.5) {
			return "Null", key, []any{g.chance(0.5)}
		}
		return "Null", key, []any{g.pick("true", "false")}
	case 13:
		return g.ifExists(g.pick("StringEquals", "StringNotEquals", "StringLike")), "aws:RequestTag/team",
			[]any{g.pick("${aws:PrincipalTag/team}", "${aws:PrincipalTag/dept, 'blue'}", "${aws:username}", "b${?}ue", "${*}")}
	default:
		return g.ifExists(g.pick("StringEquals", "StringLike")), "aws:PrincipalTag/owner", []any{g.pick("${aws:username}", "${aws:username}*", "alice")}
	}
}

func (g *gen) conditions(pr gPrincipal) map[string]any {
	n := 1 + g.r.IntN(3)
	out := map[string]any{}
	for i := 0; i < n; i++ {
		op, key, vals := g.condition(pr)
		m, _ := out[op].(map[string]any)
		if m == nil {
			m = map[string]any{}
			out[op] = m
		}
		if len(vals) == 1 && g.chance(0.5) {
			m[key] = vals[0]
		} else {
			m[key] = vals
		}
	}
	return out
}

func (g *gen) context(pr gPrincipal, resAcct string) map[string]any {
	ctx := map[string]any{}
	// Keys AWS derives from the principal and the resource: usually given
	// (iam-simulate does not derive them), sometimes left to iamreach to
	// derive (divergence D11).
	if g.chance(0.85) {
		if pr.arn != "" {
			ctx["aws:PrincipalArn"] = pr.arn
			ctx["aws:PrincipalAccount"] = pr.account
		}
		if pr.user != "" {
			ctx["aws:username"] = pr.user
		}
		if resAcct != "" {
			ctx["aws:ResourceAccount"] = resAcct
		}
	}
	maybe := func(key string, v any) {
		if g.chance(0.6) {
			ctx[key] = v
		}
	}
	maybe("aws:SourceIp", g.pick(ips...))
	maybe("aws:SecureTransport", g.pick("true", "false"))
	maybe("aws:CurrentTime", g.pick(times...))
	maybe("aws:MultiFactorAuthAge", g.pick(mfaAges...))
	if pr.arn != "" {
		maybe("aws:PrincipalTag/team", g.pick(teams...))
		maybe("aws:PrincipalTag/owner", g.pick("alice", "bob", "alice2"))
		maybe("aws:PrincipalOrgPaths", orgPaths[g.r.IntN(len(orgPaths))])
	}
	maybe("aws:RequestedRegion", g.pick(regions...))
	maybe("aws:SourceArn", g.pick(srcArns...))
	maybe("aws:TagKeys", tagKeySets[g.r.IntN(len(tagKeySets))])
	maybe("aws:SourceVpce", g.pick(vpces...))
	maybe("aws:RequestTag/team", g.pick("blue", "red", "alice", "*"))
	return ctx
}

func (g *gen) statement(t gTarget, arn string, pr gPrincipal, effect string, withPrincipal bool) map[string]any {
	s := map[string]any{"Effect": effect}
	if g.chance(0.3) {
		s["Sid"] = fmt.Sprintf("S%d", g.r.IntN(1000000))
	}
	acts := g.actionPatterns(t.action)
	key := "Action"
	if g.chance(0.15) {
		key = "NotAction"
	}
	if len(acts) == 1 && g.chance(0.5) {
		s[key] = acts[0]
	} else {
		s[key] = acts
	}
	if !withPrincipal || g.chance(0.8) {
		res := g.resourcePatterns(arn, pr.user)
		key := "Resource"
		if g.chance(0.1) {
			key = "NotResource"
		}
		if len(res) == 1 {
			s[key] = res[0]
		} else {
			s[key] = res
		}
	}
	if withPrincipal {
		pkey := "Principal"
		if effect == "Deny" && g.chance(0.15) {
			pkey = "NotPrincipal"
		}
		s[pkey] = g.principalElement(pr, pkey == "NotPrincipal")
	}
	if g.chance(0.4) {
		s["Condition"] = g.conditions(pr)
	}
	return s
}

func (g *gen) principalElement(pr gPrincipal, not bool) any {
	acct := pr.account
	if acct == "" {
		acct = gA
	}
	var sessionARN string
	if pr.kind == "session" {
		sessionARN, _ = pr.value.(string)
	}
	choices := []any{
		"*",
		map[string]any{"AWS": "*"},
		map[string]any{"AWS": acct},
		map[string]any{"AWS": "arn:aws:iam::" + acct + ":root"},
		map[string]any{"AWS": gB},
		map[string]any{"Service": "lambda.amazonaws.com"},
		map[string]any{"Service": "s3.amazonaws.com"},
	}
	if pr.arn != "" {
		choices = append(choices, map[string]any{"AWS": pr.arn}, map[string]any{"AWS": []any{pr.arn, "arn:aws:iam::" + acct + ":root"}})
	}
	if sessionARN != "" {
		choices = append(choices, map[string]any{"AWS": sessionARN}, map[string]any{"AWS": []any{sessionARN, pr.arn, acct}})
	}
	if not {
		choices = choices[2:] // NotPrincipal "*" would never apply
	}
	return choices[g.r.IntN(len(choices))]
}

func (g *gen) doc(stmts []any) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": stmts}
}

func (g *gen) policies(n int, mk func() map[string]any, prefix string) []any {
	out := make([]any, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, map[string]any{"name": fmt.Sprintf("%s%d", prefix, i), "policy": mk()})
	}
	return out
}

func (g *gen) stmts(min, max int, mk func() map[string]any) []any {
	n := min + g.r.IntN(max-min+1)
	out := make([]any, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, mk())
	}
	return out
}

func (g *gen) effect(pAllow float64) string {
	if g.chance(pAllow) {
		return "Allow"
	}
	return "Deny"
}

// next generates one case.
func (g *gen) next() genCase {
	pr := gPrincipals[g.r.IntN(len(gPrincipals))]
	t := gTargets[g.r.IntN(len(gTargets))]
	resAcct := gB
	if pr.account != "" && g.chance(0.5) {
		resAcct = pr.account
	}
	arn := t.arn(resAcct)
	authed := pr.kind == "user" || pr.kind == "session"
	idStmt := func() map[string]any { return g.statement(t, arn, pr, g.effect(0.75), false) }
	sim := map[string]any{
		"request": map[string]any{
			"principal":        pr.value,
			"action":           t.action,
			"resource":         map[string]any{"resource": arn, "accountId": resAcct},
			"contextVariables": g.context(pr, resAcct),
		},
		"identityPolicies":        []any{},
		"serviceControlPolicies":  []any{},
		"resourceControlPolicies": []any{},
	}
	if authed {
		sim["identityPolicies"] = g.policies(g.r.IntN(4), func() map[string]any { return g.doc(g.stmts(1, 3, idStmt)) }, "id")
		if g.chance(0.25) {
			sim["permissionBoundaryPolicies"] = g.policies(1, func() map[string]any { return g.doc(g.stmts(1, 2, idStmt)) }, "pb")
		}
		if pr.kind == "session" && g.chance(0.2) {
			sim["sessionPolicy"] = g.doc(g.stmts(1, 2, idStmt))
		}
	}
	if g.chance(0.6) {
		sim["resourcePolicy"] = g.doc(g.stmts(1, 3, func() map[string]any { return g.statement(t, arn, pr, g.effect(0.7), true) }))
	}
	if pr.kind != "anonymous" && g.chance(0.4) {
		levels := []any{}
		ids := []string{"r-root", "ou-parent", "ou-child", pr.account}
		for i := 0; i < 1+g.r.IntN(3); i++ {
			var pols []any
			if g.chance(0.6) {
				pols = append(pols, map[string]any{"name": "FullAWSAccess", "policy": g.doc([]any{map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"}})})
			}
			if g.chance(0.5) {
				pols = append(pols, map[string]any{"name": fmt.Sprintf("scp%d", i), "policy": g.doc(g.stmts(1, 2, func() map[string]any { return g.statement(t, arn, pr, g.effect(0.5), false) }))})
			}
			if len(pols) == 0 { // every level has at least one SCP attached
				pols = append(pols, map[string]any{"name": fmt.Sprintf("scp%d", i), "policy": g.doc(g.stmts(1, 2, func() map[string]any { return g.statement(t, arn, pr, "Allow", false) }))})
			}
			levels = append(levels, map[string]any{"orgIdentifier": ids[i], "policies": pols})
		}
		sim["serviceControlPolicies"] = levels
	}
	if g.chance(0.25) {
		levels := []any{}
		ids := []string{"r-root", "ou-data", resAcct}
		for i := 0; i < 1+g.r.IntN(2); i++ {
			rcp := func() map[string]any {
				s := g.statement(t, arn, pr, "Deny", false)
				s["Principal"] = "*"
				s["Action"] = rcpActions(s["Action"], s["NotAction"], t.action)
				delete(s, "NotAction") // RCPs support Action only
				return s
			}
			levels = append(levels, map[string]any{"orgIdentifier": ids[i], "policies": g.policies(1, func() map[string]any { return g.doc(g.stmts(1, 2, rcp)) }, fmt.Sprintf("rcp%d-", i))})
		}
		sim["resourceControlPolicies"] = levels
	}
	if g.chance(0.1) {
		vpce := func() map[string]any {
			s := g.statement(t, arn, pr, g.effect(0.7), false)
			s["Principal"] = "*"
			return s
		}
		sim["vpcEndpointPolicies"] = g.policies(1, func() map[string]any { return g.doc(g.stmts(1, 2, vpce)) }, "vpce")
	}
	if strings.HasPrefix(t.action, "s3:") && g.chance(0.3) {
		sim["additionalSettings"] = map[string]any{"s3": map[string]any{"blockPublicAccess": true}}
	}
	return genCase{sim: sim, principal: pr, target: t, resAcct: resAcct}
}

// rcpActions keeps RCP-valid patterns: no "*" and no wildcard service.
func rcpActions(a, na any, fallback string) any {
	var in []string
	for _, v := range []any{a, na} {
		switch x := v.(type) {
		case string:
			in = append(in, x)
		case []string:
			in = append(in, x...)
		}
	}
	var out []string
	for _, p := range in {
		if p == "*" {
			continue
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return fallback
	}
	return out
}
