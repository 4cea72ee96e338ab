package collector

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/iamreach/iamreach/snapshot"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		code     string
		contains string
	}{
		{"API error", fmt.Errorf("operation error S3: GetBucketPolicy: %w", &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied"}), "AccessDenied", "Access Denied"},
		{"API error without message", &smithy.GenericAPIError{Code: "Throttling"}, "Throttling", "Throttling"},
		{"retries exhausted", fmt.Errorf("exceeded maximum number of attempts, 8, %w", &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}), "ThrottlingException", "(retries exhausted)"},
		{"timeout", fmt.Errorf("wrapped: %w", context.DeadlineExceeded), "Timeout", "per-call timeout"},
		{"cancelled", context.Canceled, "Interrupted", "interrupted"},
		{"network", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, "ConnectionError", "connection refused"},
		{"other", errors.New("operation error X: Y, boom"), "Error", "boom"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, msg := Classify(c.err)
			if code != c.code || !containsStr(msg, c.contains) {
				t.Errorf("Classify = %q, %q; want %q containing %q", code, msg, c.code, c.contains)
			}
		})
	}
}

func containsStr(s, sub string) bool { return strings.Contains(s, sub) }

func TestDescribeCredentialError(t *testing.T) {
	for code, want := range map[string]string{
		"ExpiredToken":         "have expired",
		"InvalidClientTokenId": "not valid",
		"AccessDenied":         "cannot identify the caller",
	} {
		got := describeCredentialError(&smithy.GenericAPIError{Code: code, Message: "m"}).Error()
		if !containsStr(got, want) {
			t.Errorf("%s: %q, want %q", code, got, want)
		}
	}
}

func TestHelpers(t *testing.T) {
	if got := unqualified("arn:aws:lambda:us-east-1:1:function:f:prod"); got != "arn:aws:lambda:us-east-1:1:function:f" {
		t.Errorf("unqualified: %s", got)
	}
	if got := unescapeAPIGatewayPolicy(`{\"Version\":\"2012-10-17\"}`); got != `{"Version":"2012-10-17"}` {
		t.Errorf("unescape: %s", got)
	}
	for region, want := range map[string]string{"eu-west-1": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov"} {
		if got := partition(region); got != want {
			t.Errorf("partition(%s) = %s", region, got)
		}
	}
	a := &snapshot.Account{
		Roles: []snapshot.Role{{ARN: "arn:aws:iam::1:role/batch", InstanceProfiles: []string{"arn:aws:iam::1:instance-profile/batch"}}},
		Resources: []snapshot.Resource{
			{ARN: "i1", Type: snapshot.TypeEC2Instance, Properties: map[string]string{"instanceProfile": "arn:aws:iam::1:instance-profile/batch"}},
			{ARN: "i2", Type: snapshot.TypeEC2Instance, Properties: map[string]string{"instanceProfile": "arn:aws:iam::1:instance-profile/gone"}},
		},
	}
	resolveInstanceProfiles(a)
	if len(a.Resources[0].RunsAs) != 1 || len(a.Resources[1].RunsAs) != 0 {
		t.Errorf("instance profiles: %+v", a.Resources)
	}
}
