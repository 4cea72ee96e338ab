package policy_test

import (
	"testing"

	"github.com/iamreach/iamreach/policy"
)

func TestIsPublic(t *testing.T) {
	stmt := func(principal, cond string) string {
		s := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"`
		if cond != "" {
			s += `,"Condition":` + cond
		}
		return s + `}]}`
	}
	tests := []struct {
		name, doc string
		public    bool
	}{
		{"fixed role", stmt(`{"AWS":"arn:aws:iam::111122223333:role/JohnDoe"}`, ""), false},
		{"fixed account", stmt(`{"AWS":"111122223333"}`, ""), false},
		{"service principal", stmt(`{"Service":"cloudfront.amazonaws.com"}`, ""), false},
		{"star", stmt(`"*"`, ""), true},
		{"AWS star", stmt(`{"AWS":"*"}`, ""), true},
		{"star with SourceVpc", stmt(`"*"`, `{"StringEquals":{"aws:SourceVpc":"vpc-91237329"}}`), false},
		{"star with /32", stmt(`"*"`, `{"IpAddress":{"aws:SourceIp":"192.168.1.1/32"}}`), false},
		{"star with 0.0.0.0/0", stmt(`"*"`, `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`), true},
		{"star with PrincipalOrgID", stmt(`"*"`, `{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}`), false},
		{"star with wildcard SourceArn", stmt(`"*"`, `{"ArnLike":{"aws:SourceArn":"arn:aws:cloudfront::*:distribution/*"}}`), true},
		{"star with fixed SourceArn", stmt(`"*"`, `{"ArnEquals":{"aws:SourceArn":"arn:aws:cloudfront::111122223333:distribution/E1"}}`), false},
		{"star with IfExists", stmt(`"*"`, `{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}`), true},
		{"star with negated", stmt(`"*"`, `{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`), true},
		{"star with variable", stmt(`"*"`, `{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}`), true},
		{"star with unrelated key", stmt(`"*"`, `{"Bool":{"aws:SecureTransport":"true"}}`), true},
		{"star with userid role pattern", stmt(`"*"`, `{"StringLike":{"aws:userid":"AROLEID:*"}}`), true},
		{"wildcard account ARN", stmt(`{"AWS":"arn:aws:iam::*:root"}`, ""), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.IsPublic(must(t, tt.doc)); got != tt.public {
				t.Fatalf("IsPublic = %v, want %v", got, tt.public)
			}
		})
	}
	deny := must(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`)
	if policy.IsPublic(deny) {
		t.Fatal("a Deny statement cannot make a policy public")
	}
}

func TestBlockPublicAccess(t *testing.T) {
	bucketPolicy := named(t, "bp", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
		{"Effect":"Allow","Principal":{"AWS":"333333333333"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}`)
	res := policy.Resource{ARN: "arn:aws:s3:::b/k", Account: acctA, RestrictPublicBuckets: true}
	allowS3 := named(t, "id", stmt("Allow", "s3:*", "*", ""))
	tests := []struct {
		name   string
		p      policy.Principal
		action string
		id     []policy.NamedPolicy
		want   policy.Result
	}{
		{"anonymous blocked", policy.Principal{Type: policy.PrincipalAnonymous}, "s3:GetObject", nil, policy.ExplicitlyDenied},
		{"cross-account blocked, even the named account", user("333333333333", "x"), "s3:PutObject", []policy.NamedPolicy{allowS3}, policy.ExplicitlyDenied},
		{"same account unaffected", user(acctA, "u"), "s3:GetObject", nil, policy.Allowed},
		{"service principal unaffected", policy.Principal{Type: policy.PrincipalService, ARN: "cloudtrail.amazonaws.com"}, "s3:GetObject", nil, policy.Allowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := policy.Request{Principal: tt.p, Action: tt.action, Resource: res}
			set := policy.PolicySet{Identity: tt.id, Resource: &bucketPolicy}
			d := policy.Evaluate(&req, &set, policy.Strict)
			if d.Result != tt.want {
				t.Fatalf("Result = %v, want %v (%s)", d.Result, tt.want, d.Explanation.BlockedBy)
			}
			req.Resource.RestrictPublicBuckets = false
			if d := policy.Evaluate(&req, &set, policy.Strict); d.Result != policy.Allowed {
				t.Fatalf("without Block Public Access: %v", d.Result)
			}
		})
	}
}
