package policy_test

import (
	"testing"

	"github.com/iamreach/iamreach/policy"
)

// condCase evaluates one condition block on an otherwise allowing
// identity statement in strict mode.
func evalCond(t *testing.T, block string, ctx map[string][]string) bool {
	t.Helper()
	p := must(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":`+block+`}]}`)
	req := policy.Request{Principal: user(acctA, "alice"), Action: "s3:GetObject", Resource: policy.Resource{ARN: "arn:aws:s3:::b/k", Account: acctA}, Context: ctx}
	set := policy.PolicySet{Identity: []policy.NamedPolicy{{ID: "p", Policy: p}}}
	return policy.Evaluate(&req, &set, policy.Strict).Result == policy.Allowed
}

func TestConditionOperators(t *testing.T) {
	c := func(k string, v ...string) map[string][]string { return map[string][]string{k: v} }
	tests := []struct {
		name  string
		block string
		ctx   map[string][]string
		want  bool
	}{
		{"StringEquals", `{"StringEquals":{"a:k":"x"}}`, c("a:k", "x"), true},
		{"StringEquals case", `{"StringEquals":{"a:k":"x"}}`, c("a:k", "X"), false},
		{"StringEquals key case-insensitive", `{"StringEquals":{"A:K":"x"}}`, c("a:k", "x"), true},
		{"StringEquals missing", `{"StringEquals":{"a:k":"x"}}`, nil, false},
		{"StringEquals values OR", `{"StringEquals":{"a:k":["y","x"]}}`, c("a:k", "x"), true},
		{"StringNotEquals", `{"StringNotEquals":{"a:k":["y","x"]}}`, c("a:k", "x"), false},
		{"StringNotEquals other", `{"StringNotEquals":{"a:k":["y","z"]}}`, c("a:k", "x"), true},
		{"StringNotEquals missing", `{"StringNotEquals":{"a:k":"x"}}`, nil, true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"a:k":"X"}}`, c("a:k", "x"), true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"a:k":"X"}}`, c("a:k", "x"), false},
		{"StringLike", `{"StringLike":{"a:k":"ab*d?"}}`, c("a:k", "abxxde"), true},
		{"StringLike no", `{"StringLike":{"a:k":"ab*d?"}}`, c("a:k", "abxxd"), false},
		{"StringNotLike", `{"StringNotLike":{"a:k":"ab*"}}`, c("a:k", "abc"), false},
		{"StringEqualsIfExists missing", `{"StringEqualsIfExists":{"a:k":"x"}}`, nil, true},
		{"StringEqualsIfExists present", `{"StringEqualsIfExists":{"a:k":"x"}}`, c("a:k", "y"), false},
		{"Null true", `{"Null":{"a:k":"true"}}`, nil, true},
		{"Null true present", `{"Null":{"a:k":"true"}}`, c("a:k", "x"), false},
		{"Null false present", `{"Null":{"a:k":"false"}}`, c("a:k", "x"), true},
		{"Null false bool", `{"Null":{"a:k":false}}`, nil, false},
		{"NumericLessThan", `{"NumericLessThan":{"a:n":"10"}}`, c("a:n", "9.5"), true},
		{"NumericLessThan eq", `{"NumericLessThan":{"a:n":10}}`, c("a:n", "10"), false},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"a:n":10}}`, c("a:n", "10"), true},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"a:n":"10"}}`, c("a:n", "11"), true},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"a:n":"10"}}`, c("a:n", "9"), false},
		{"NumericEquals", `{"NumericEquals":{"a:n":"10"}}`, c("a:n", "10.0"), true},
		{"NumericNotEquals", `{"NumericNotEquals":{"a:n":"10"}}`, c("a:n", "10"), false},
		{"Numeric not a number", `{"NumericEquals":{"a:n":"10"}}`, c("a:n", "ten"), false},
		{"DateLessThan iso", `{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, c("aws:currenttime", "2025-12-31T23:59:59Z"), true},
		{"DateLessThan epoch ctx", `{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, c("aws:currenttime", "1767225599"), true},
		{"DateGreaterThan epoch policy", `{"DateGreaterThan":{"aws:CurrentTime":"1767225600"}}`, c("aws:currenttime", "2026-01-01T00:00:01Z"), true},
		{"DateEquals", `{"DateEquals":{"aws:CurrentTime":"2026-01-01"}}`, c("aws:currenttime", "2026-01-01T00:00:00Z"), true},
		{"DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"2026-01-01"}}`, c("aws:currenttime", "2026-01-01T00:00:00Z"), false},
		{"Bool", `{"Bool":{"aws:SecureTransport":"true"}}`, c("aws:securetransport", "true"), true},
		{"Bool json", `{"Bool":{"aws:SecureTransport":true}}`, c("aws:securetransport", "false"), false},
		{"BinaryEquals", `{"BinaryEquals":{"a:b":"QmluYXJ5"}}`, c("a:b", "QmluYXJ5"), true},
		{"IpAddress v4", `{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","10.0.0.0/8"]}}`, c("aws:sourceip", "10.9.9.9"), true},
		{"IpAddress v4 out", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, c("aws:sourceip", "11.0.0.1"), false},
		{"IpAddress single", `{"IpAddress":{"aws:SourceIp":"10.0.0.1"}}`, c("aws:sourceip", "10.0.0.1"), true},
		{"IpAddress v6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, c("aws:sourceip", "2001:db8:1::5"), true},
		{"IpAddress v6 vs v4", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, c("aws:sourceip", "10.0.0.1"), false},
		{"NotIpAddress", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, c("aws:sourceip", "10.0.0.1"), false},
		{"NotIpAddress out", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, c("aws:sourceip", "8.8.8.8"), true},
		{"ArnLike", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:111111111111:t*"}}`, c("aws:sourcearn", "arn:aws:sns:us-east-1:111111111111:topic"), true},
		{"ArnEquals wildcard", `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:*:111111111111:t*"}}`, c("aws:sourcearn", "arn:aws:sns:us-east-1:111111111111:topic"), true},
		{"ArnNotLike", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:111111111111:*"}}`, c("aws:sourcearn", "arn:aws:sns:us-east-1:111111111111:topic"), false},
		{"ForAnyValue", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`, c("aws:tagkeys", "c", "b"), true},
		{"ForAnyValue none", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`, c("aws:tagkeys", "c", "d"), false},
		{"ForAnyValue missing", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}}`, nil, false},
		{"ForAllValues", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, c("aws:tagkeys", "a", "b"), true},
		{"ForAllValues one outside", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, c("aws:tagkeys", "a", "c"), false},
		{"ForAllValues missing", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}`, nil, true},
		{"ForAnyValue:StringNotEquals", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}}`, c("aws:tagkeys", "a", "b"), true},
		{"ForAllValues:StringNotEquals", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a"]}}`, c("aws:tagkeys", "b", "c"), true},
		{"ForAllValues:StringNotEquals hit", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a"]}}`, c("aws:tagkeys", "b", "a"), false},
		{"keys AND", `{"StringEquals":{"a:k":"x","a:j":"y"}}`, map[string][]string{"a:k": {"x"}, "a:j": {"z"}}, false},
		{"operators AND", `{"StringEquals":{"a:k":"x"},"StringLike":{"a:j":"y*"}}`, map[string][]string{"a:k": {"x"}, "a:j": {"yz"}}, true},
		{"variable", `{"StringEquals":{"a:k":"${aws:username}"}}`, c("a:k", "alice"), true},
		{"variable default", `{"StringEquals":{"a:k":"${a:missing, 'dflt'}"}}`, c("a:k", "dflt"), true},
		{"variable missing", `{"StringEquals":{"a:k":"${a:missing}"}}`, c("a:k", ""), false},
		{"variable escape star literal in like", `{"StringLike":{"a:k":"a${*}"}}`, c("a:k", "ab"), false},
		{"variable escape star literal match", `{"StringLike":{"a:k":"a${*}"}}`, c("a:k", "a*"), true},
		{"variable escape dollar", `{"StringEquals":{"a:k":"${$}x"}}`, c("a:k", "$x"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := evalCond(t, tt.block, tt.ctx); got != tt.want {
				t.Fatalf("%s with %v = %v, want %v", tt.block, tt.ctx, got, tt.want)
			}
		})
	}
}
