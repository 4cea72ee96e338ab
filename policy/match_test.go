package policy_test

import (
	"testing"

	"github.com/iamreach/iamreach/policy"
)

func TestMatchAction(t *testing.T) {
	tests := []struct {
		p, a string
		want bool
	}{
		{"*", "s3:GetObject", true},
		{"s3:*", "s3:GetObject", true},
		{"s3:*", "s3x:GetObject", false},
		{"S3:getobject", "s3:GetObject", true},
		{"s3:Get*", "s3:GETOBJECTACL", true},
		{"s3:Get*", "s3:PutObject", false},
		{"iam:?etRole", "iam:GetRole", true},
		{"iam:?etRole", "iam:SetRole", true},
		{"iam:?etRole", "iam:GetRoles", false},

		{"s3:*Object*", "s3:PutObjectAcl", true},
		{"s3:*Object", "s3:PutObjectAcl", false},
		{"s3:GetObject", "s3:GetObjectAcl", false},
	}
	for _, tt := range tests {
		if got := policy.MatchAction(tt.p, tt.a); got != tt.want {
			t.Errorf("MatchAction(%q, %q) = %v, want %v", tt.p, tt.a, got, tt.want)
		}
	}
}

func TestMatchResource(t *testing.T) {
	tests := []struct {
		p, a string
		want bool
	}{
		{"*", "arn:aws:s3:::b/k", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/k/x", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
		{"arn:aws:s3:::b*", "arn:aws:s3:::b/k", true},
		{"arn:aws:s3:::B/*", "arn:aws:s3:::b/k", false},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::111111111111:role/x", true},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::111111111111:user/x", false},
		{"arn:aws:*:*:*:*", "arn:aws:sqs:us-east-1:1:q", true},
		{"arn:aws:sqs:*:1:q", "arn:aws:sqs:us-east-1:1:q", true},
		{"arn:aws:sqs:us-?ast-1:1:q", "arn:aws:sqs:us-east-1:1:q", true},
		// `*` in one part does not run into the next one
		{"arn:aws:sqs:*:q", "arn:aws:sqs:us-east-1:1:q", false},
		{"arn:aws:logs:us-east-1:1:log-group:/a/*", "arn:aws:logs:us-east-1:1:log-group:/a/b:log-stream:c", true},
		{"arn:aws:s3:::b/k", "arn:aws:s3:::b/k", true},
		{"arn:aws:s3:::b/k", "arn:aws:s3:::b/k2", false},
		{"arn:aws:s3:::b/k", "not-an-arn", false},
	}
	for _, tt := range tests {
		if got := policy.MatchResource(tt.p, tt.a); got != tt.want {
			t.Errorf("MatchResource(%q, %q) = %v, want %v", tt.p, tt.a, got, tt.want)
		}
		if got := policy.CompileResourceMatcher(tt.p).Match(tt.a); got != tt.want {
			t.Errorf("CompileResourceMatcher(%q).Match(%q) = %v, want %v", tt.p, tt.a, got, tt.want)
		}
	}
}
