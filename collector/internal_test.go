package collector

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
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

// A panicking service costs its own data, recorded as a gap, not the run.
func TestServicePanicBecomesGap(t *testing.T) {
	cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")}
	c, err := New(cfg, Options{Regions: []string{"eu-west-1"}, EndpointURL: "http://127.0.0.1:1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	c.services = []Service{
		{Name: "boom", Collect: func(context.Context, *Scope) { panic("index out of range") }},
		{Name: "fine", Collect: func(_ context.Context, s *Scope) { ran = true; s.Add(snapshot.Resource{ARN: "arn:x", Type: "x:y"}) }},
	}
	a := &snapshot.Account{ID: "111122223333"}
	c.collectAccount(context.Background(), "111122223333", a)
	if !ran || len(a.Resources) != 1 {
		t.Errorf("the other service did not run: %+v", a)
	}
	found := false
	for _, g := range c.gaps {
		found = found || g.Code == "InternalError" && g.Service == "boom" && strings.Contains(g.Error, "index out of range")
	}
	if !found {
		t.Errorf("no InternalError gap: %+v", c.gaps)
	}
}
