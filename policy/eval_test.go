package policy_test

import (
	"strings"
	"testing"

	"github.com/iamreach/iamreach/policy"
)

func must(t testing.TB, doc string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("parse %s: %v", doc, err)
	}
	return p
}

func named(t testing.TB, name, doc string) policy.NamedPolicy {
	return policy.NamedPolicy{ID: "id-" + name, Name: name, Policy: must(t, doc)}
}

func stmt(effect, action, resource, extra string) string {
	s := `{"Version":"2012-10-17","Statement":[{"Effect":"` + effect + `","Action":"` + action + `"`
	if resource != "" {
		s += `,"Resource":"` + resource + `"`
	}
	if extra != "" {
		s += "," + extra
	}
	return s + "}]}"
}

const (
	acctA = "111111111111"
	acctB = "222222222222"
)

func user(acct, name string) policy.Principal {
	return policy.Principal{Type: policy.PrincipalUser, ARN: "arn:aws:iam::" + acct + ":user/" + name, Account: acct}
}

func session(acct, role, sess string) policy.Principal {
	return policy.Principal{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + sess,
		RoleARN: "arn:aws:iam::" + acct + ":role/" + role, Account: acct}
}

func TestEvaluateBasics(t *testing.T) {
	bucket := policy.Resource{ARN: "arn:aws:s3:::b/k", Account: acctA}
	xbucket := policy.Resource{ARN: "arn:aws:s3:::b/k", Account: acctB}
	allowAll := stmt("Allow", "s3:*", "*", "")
	tests := []struct {
		name     string
		req      policy.Request
		set      policy.PolicySet
		mode     policy.Mode
		want     policy.Result
		residual string
		blocked  string
	}{
		{name: "no policy: implicit deny", req: policy.Request{Principal: user(acctA, "u"), Action: "s3:GetObject", Resource: bucket},
			want: policy.ImplicitlyDenied, blocked: "no identity policy allows"},
		{name: "identity allows", req: policy.Request{Principal: user(acctA, "u"), Action: "s3:GetObject", Resource: bucket},
			set: policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", allowAll)}}, want: policy.Allowed},
		{name: "explicit deny wins", req: policy.Request{Principal: user(acctA, "u"), Action: "s3:GetObject", Resource: bucket},
			set:  policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", allowAll), named(t, "d", stmt("Deny", "s3:Get*", "arn:aws:s3:::b/*", ""))}},
			want: policy.ExplicitlyDenied, blocked: "explicit deny in an identity policy"},
		{name: "boundary limits", req: policy.Request{Principal: user(acctA, "u"), Action: "s3:GetObject", Resource: bucket},
			set:  policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", allowAll)}, Boundary: []policy.NamedPolicy{named(t, "b", stmt("Allow", "ec2:*", "*", ""))}},
			want: policy.ImplicitlyDenied, blocked: "permissions boundary"},
		{name: "scp blocks at OU", req: policy.Request{Principal: user(acctA, "u"), Action: "s3:GetObject", Resource: bucket},
			set: policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", allowAll)}, SCPs: []policy.OrgLevel{
				{ID: "r-root", Policies: []policy.NamedPolicy{named(t, "full", stmt("Allow", "*", "*", ""))}},
				{ID: "ou-1", Policies: []policy.NamedPolicy{named(t, "ec2only", stmt("Allow", "ec2:*", "*", ""))}},
			}}, want: policy.ImplicitlyDenied, blocked: "SCP at ou-1"},
		{name: "scp exempts management account", req: policy.Request{Principal: func() policy.Principal { p := user(acctA, "u"); p.ManagementAccount = true; return p }(), Action: "s3:GetObject", Resource: bucket},
			set: policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", allowAll)}, SCPs: []policy.OrgLevel{
				{ID: "r-root", Policies: []policy.NamedPolicy{named(t, "none", stmt("Allow", "ec2:*", "*", ""))}}}}, want: policy.Allowed},
		{name: "same account bucket policy naming user suffices", req: policy.Request{Principal: user(acctA, "u"), Action: "s3:GetObject", Resource: bucket},
			set: policy.PolicySet{Resource: ptr(named(t, "bp", stmt("Allow", "s3:GetObject", "arn:aws:s3:::b/*", `"Principal":{"AWS":"arn:aws:iam::111111111111:user/u"}`)))}, want: policy.Allowed},
		{name: "same account bucket policy naming account needs identity", req: policy.Request{Principal: user(acctA, "u"), Action: "s3:GetObject", Resource: bucket},
			set: policy.PolicySet{Resource: ptr(named(t, "bp", stmt("Allow", "s3:GetObject", "arn:aws:s3:::b/*", `"Principal":{"AWS":"111111111111"}`)))}, want: policy.ImplicitlyDenied},
		{name: "role ARN in resource policy: boundary still applies", req: policy.Request{Principal: session(acctA, "r", "s"), Action: "s3:GetObject", Resource: bucket},
			set: policy.PolicySet{Boundary: []policy.NamedPolicy{named(t, "b", stmt("Allow", "ec2:*", "*", ""))},
				Resource: ptr(named(t, "bp", stmt("Allow", "s3:GetObject", "arn:aws:s3:::b/*", `"Principal":{"AWS":"arn:aws:iam::111111111111:role/r"}`)))}, want: policy.ImplicitlyDenied},
		{name: "session ARN in resource policy overrides boundary", req: policy.Request{Principal: session(acctA, "r", "s"), Action: "s3:GetObject", Resource: bucket},
			set: policy.PolicySet{Boundary: []policy.NamedPolicy{named(t, "b", stmt("Allow", "ec2:*", "*", ""))},
				Resource: ptr(named(t, "bp", stmt("Allow", "s3:GetObject", "arn:aws:s3:::b/*", `"Principal":{"AWS":"arn:aws:sts::111111111111:assumed-role/r/s"}`)))}, want: policy.Allowed},
		{name: "cross account needs both sides", req: policy.Request{Principal: user(acctA, "u"), Action: "s3:GetObject", Resource: xbucket},
			set: policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", allowAll)}}, want: policy.ImplicitlyDenied, blocked: "no resource policy allows this cross-account request"},
		{name: "cross account both sides", req: policy.Request{Principal: user(acctA, "u"), Action: "s3:GetObject", Resource: xbucket},
			set: policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", allowAll)},
				Resource: ptr(named(t, "bp", stmt("Allow", "s3:GetObject", "arn:aws:s3:::b/*", `"Principal":{"AWS":"111111111111"}`)))}, want: policy.Allowed},
		{name: "trust policy must allow explicitly", req: policy.Request{Principal: user(acctA, "u"), Action: "sts:AssumeRole", Resource: policy.Resource{ARN: "arn:aws:iam::111111111111:role/t", Account: acctA}},
			set:  policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", stmt("Allow", "sts:AssumeRole", "*", ""))}, ResourcePolicyKind: policy.ResourcePolicyTrust, Resource: ptr(named(t, "trust", stmt("Allow", "sts:AssumeRole", "", `"Principal":{"Service":"ec2.amazonaws.com"}`)))},
			want: policy.ImplicitlyDenied, blocked: "the trust policy does not allow this principal"},
		{name: "trust in account root delegates to identity", req: policy.Request{Principal: user(acctA, "u"), Action: "sts:AssumeRole", Resource: policy.Resource{ARN: "arn:aws:iam::111111111111:role/t", Account: acctA}},
			set:  policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", stmt("Allow", "sts:AssumeRole", "*", ""))}, ResourcePolicyKind: policy.ResourcePolicyTrust, Resource: ptr(named(t, "trust", stmt("Allow", "sts:AssumeRole", "", `"Principal":{"AWS":"arn:aws:iam::111111111111:root"}`)))},
			want: policy.Allowed},
		{name: "trust in account root without identity", req: policy.Request{Principal: user(acctA, "u"), Action: "sts:AssumeRole", Resource: policy.Resource{ARN: "arn:aws:iam::111111111111:role/t", Account: acctA}},
			set:  policy.PolicySet{ResourcePolicyKind: policy.ResourcePolicyTrust, Resource: ptr(named(t, "trust", stmt("Allow", "sts:AssumeRole", "", `"Principal":{"AWS":"arn:aws:iam::111111111111:root"}`)))},
			want: policy.ImplicitlyDenied},
		{name: "discovery: unknown request key gives residual", mode: policy.Discovery, req: policy.Request{Principal: user(acctA, "u"), Action: "s3:GetObject", Resource: bucket},
			set:  policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", stmt("Allow", "s3:*", "*", `"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringEquals":{"sts:ExternalId":"abc"}}`))}},
			want: policy.Allowed, residual: `aws:SourceIp IpAddress 10.0.0.0/8 AND sts:ExternalId StringEquals "abc"`},
		{name: "strict: missing key is absent", req: policy.Request{Principal: user(acctA, "u"), Action: "s3:GetObject", Resource: bucket},
			set:  policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", stmt("Allow", "s3:*", "*", `"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`))}},
			want: policy.ImplicitlyDenied},
		{name: "strict: key given", req: policy.Request{Principal: user(acctA, "u"), Action: "s3:GetObject", Resource: bucket, Context: map[string][]string{"aws:sourceip": {"10.1.2.3"}}},
			set:  policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", stmt("Allow", "s3:*", "*", `"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`))}},
			want: policy.Allowed},
		{name: "discovery: conditional deny", mode: policy.Discovery, req: policy.Request{Principal: user(acctA, "u"), Action: "s3:GetObject", Resource: bucket},
			set: policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", allowAll),
				named(t, "d", stmt("Deny", "*", "*", `"Condition":{"Bool":{"aws:SecureTransport":"false"}}`))}},
			want: policy.Allowed, residual: `aws:SecureTransport BoolIfExists true`},
		{name: "discovery: principal tag resolved", mode: policy.Discovery, req: policy.Request{Principal: func() policy.Principal {
			p := user(acctA, "u")
			p.Tags = map[string]string{"Team": "blue"}
			return p
		}(), Action: "s3:GetObject", Resource: bucket},
			set:  policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", stmt("Allow", "s3:*", "*", `"Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}`))}},
			want: policy.Allowed},
		{name: "policy variable in resource", req: policy.Request{Principal: user(acctA, "alice"), Action: "s3:GetObject", Resource: policy.Resource{ARN: "arn:aws:s3:::home/alice/x", Account: acctA}},
			set:  policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", stmt("Allow", "s3:*", "arn:aws:s3:::home/${aws:username}/*", ""))}},
			want: policy.Allowed},
		{name: "policy variable in resource, other user", req: policy.Request{Principal: user(acctA, "bob"), Action: "s3:GetObject", Resource: policy.Resource{ARN: "arn:aws:s3:::home/alice/x", Account: acctA}},
			set:  policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", stmt("Allow", "s3:*", "arn:aws:s3:::home/${aws:username}/*", ""))}},
			want: policy.ImplicitlyDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := policy.Evaluate(&tt.req, &tt.set, tt.mode)
			if d.Result != tt.want {
				t.Fatalf("Result = %v, want %v (%+v)", d.Result, tt.want, d.Explanation)
			}
			got := ""
			if d.Conditional() {
				got = d.Residual.String()
			}
			if got != tt.residual {
				t.Fatalf("residual = %q, want %q", got, tt.residual)
			}
			if tt.blocked != "" && d.Explanation.BlockedBy != tt.blocked {
				t.Fatalf("BlockedBy = %q, want %q", d.Explanation.BlockedBy, tt.blocked)
			}
			if d.Result == policy.Allowed && len(d.Explanation.Allowing) == 0 && !strings.Contains(tt.name, "root") {
				t.Fatalf("allowed without an allowing statement")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestEvaluateFederatedTrust(t *testing.T) {
	trust := named(t, "trust", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},
		"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:org/app:*"}}}]}`)
	cognito := named(t, "trust", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`)
	role := policy.Resource{ARN: "arn:aws:iam::111111111111:role/deploy", Account: acctA}
	tests := []struct {
		name     string
		p        policy.Principal
		trust    policy.NamedPolicy
		want     policy.Result
		residual string
	}{
		{"github oidc, residual on sub", policy.Principal{Type: policy.PrincipalFederated, ARN: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com", Account: acctA}, trust, policy.Allowed, `token.actions.githubusercontent.com:sub StringLike "repo:org/app:*"`},
		{"other provider", policy.Principal{Type: policy.PrincipalFederated, ARN: "arn:aws:iam::111111111111:oidc-provider/example.com", Account: acctA}, trust, policy.ImplicitlyDenied, ""},
		{"cognito has no account", policy.Principal{Type: policy.PrincipalFederated, ARN: "cognito-identity.amazonaws.com"}, cognito, policy.Allowed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := policy.Request{Principal: tt.p, Action: "sts:AssumeRoleWithWebIdentity", Resource: role}
			set := policy.PolicySet{Resource: &tt.trust, ResourcePolicyKind: policy.ResourcePolicyTrust,
				SCPs: []policy.OrgLevel{{ID: "r-root", Policies: []policy.NamedPolicy{named(t, "deny", stmt("Deny", "*", "*", ""))}}}}
			d := policy.Evaluate(&req, &set, policy.Discovery)
			got := ""
			if d.Residual != nil {
				got = d.Residual.String()
			}
			if d.Result != tt.want || got != tt.residual {
				t.Fatalf("got %v %q, want %v %q", d.Result, got, tt.want, tt.residual)
			}
		})
	}
}

func TestDiscoveryResolvesResourceKeys(t *testing.T) {
	doc := stmt("Allow", "secretsmanager:GetSecretValue", "*", `"Condition":{"StringEquals":{"secretsmanager:ResourceTag/team":"blue","aws:ResourceTag/env":"prod","s3:ResourceAccount":"111111111111"}}`)
	set := policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", doc)}}
	req := policy.Request{Principal: user(acctA, "u"), Action: "secretsmanager:GetSecretValue",
		Resource: policy.Resource{ARN: "arn:aws:secretsmanager:us-east-1:111111111111:secret:s", Account: acctA, Tags: map[string]string{"Team": "blue", "env": "prod"}}}
	if d := policy.Evaluate(&req, &set, policy.Discovery); d.Result != policy.Allowed || d.Conditional() {
		t.Fatalf("resource keys must resolve from the resource: %v %v", d.Result, d.Residual)
	}
	req.Resource.Tags["env"] = "dev"
	if d := policy.Evaluate(&req, &set, policy.Discovery); d.Result != policy.ImplicitlyDenied {
		t.Fatalf("wrong tag must deny, not leave a residual: %v %v", d.Result, d.Residual)
	}
}

func TestResidualAbsorption(t *testing.T) {
	// Two identity statements: one needs SourceIp, the other SourceIp and
	// MFA. The second adds nothing: allowed only if SourceIp.
	doc := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
		{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`
	set := policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", doc)}}
	req := policy.Request{Principal: user(acctA, "u"), Action: "s3:GetObject", Resource: policy.Resource{ARN: "arn:aws:s3:::b/k", Account: acctA}}
	d := policy.Evaluate(&req, &set, policy.Discovery)
	if got := d.Residual.String(); got != "aws:SourceIp IpAddress 10.0.0.0/8" {
		t.Fatalf("residual %q", got)
	}
	// Same statements in the other order.
	doc2 := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}},
		{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`
	set = policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", doc2)}}
	if got := policy.Evaluate(&req, &set, policy.Discovery).Residual.String(); got != "aws:SourceIp IpAddress 10.0.0.0/8" {
		t.Fatalf("residual %q", got)
	}
}

// Compiled policies are immutable: one PolicySet is decided from many
// goroutines at once (the graph builder does); run with -race.
func TestEvaluateConcurrent(t *testing.T) {
	set := policy.PolicySet{Identity: []policy.NamedPolicy{named(t, "p", stmt("Allow", "s3:*", "arn:aws:s3:::home/${aws:username}/*", `"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`))}}
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func(g int) {
			var ev policy.Evaluator
			ok := true
			for i := 0; i < 200; i++ {
				name := []string{"alice", "bob"}[(g+i)%2]
				req := policy.Request{Principal: user(acctA, name), Action: "s3:GetObject",
					Resource: policy.Resource{ARN: "arn:aws:s3:::home/alice/x", Account: acctA}, Context: map[string][]string{"aws:sourceip": {"10.1.1.1"}}}
				want := policy.ImplicitlyDenied
				if name == "alice" {
					want = policy.Allowed
				}
				ok = ok && ev.Evaluate(&req, &set, policy.Strict).Result == want && policy.Evaluate(&req, &set, policy.Discovery).Result == want
			}
			done <- ok
		}(g)
	}
	for g := 0; g < 4; g++ {
		if !<-done {
			t.Fatal("wrong decision under concurrency")
		}
	}
}
