package policy_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/policy"
)

// tenStatementPolicy is an identity policy of 10 statements with
// wildcards, the shape the ≥2M decisions/s target is set for.
const tenStatementPolicy = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::data-*","arn:aws:s3:::data-*/*"]},
 {"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:*:111111111111:table/orders*"},
 {"Effect":"Allow","Action":["sqs:SendMessage","sqs:Receive*"],"Resource":"arn:aws:sqs:us-east-1:111111111111:*"},
 {"Effect":"Allow","Action":"lambda:Invoke*","Resource":"arn:aws:lambda:*:*:function:app-*"},
 {"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"arn:aws:kms:*:111111111111:key/*"},
 {"Effect":"Allow","Action":"logs:*","Resource":"*"},
 {"Effect":"Deny","Action":"s3:Delete*","Resource":"*"},
 {"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:*:111111111111:secret:app/*"},
 {"Effect":"Allow","Action":["ec2:Describe*","cloudwatch:Get*"],"Resource":"*"},
 {"Effect":"Deny","NotAction":["s3:*","dynamodb:*","sqs:*","lambda:*","kms:*","logs:*","secretsmanager:*","ec2:*","cloudwatch:*","sts:*"],"Resource":"*"}
]}`

func benchRequest() policy.Request {
	return policy.Request{
		Principal: policy.Principal{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::111111111111:assumed-role/app/s", RoleARN: "arn:aws:iam::111111111111:role/app", Account: "111111111111"},
		Action:    "s3:GetObject",
		Resource:  policy.Resource{ARN: "arn:aws:s3:::data-lake/2026/01/part-0001.parquet", Account: "111111111111"},
	}
}

func BenchmarkEvaluateTenStatements(b *testing.B) {
	set := policy.PolicySet{Identity: []policy.NamedPolicy{named(b, "p", tenStatementPolicy)}}
	req := benchRequest()
	var ev policy.Evaluator
	measure(b, func() {
		if ev.Evaluate(&req, &set, policy.Strict).Result != policy.Allowed {
			b.Fatal("not allowed")
		}
	})
}

func BenchmarkEvaluateTenStatementsDenied(b *testing.B) {
	set := policy.PolicySet{Identity: []policy.NamedPolicy{named(b, "p", tenStatementPolicy)}}
	req := benchRequest()
	req.Action = "s3:DeleteObject"
	var ev policy.Evaluator
	measure(b, func() {
		if ev.Evaluate(&req, &set, policy.Strict).Result != policy.ExplicitlyDenied {
			b.Fatal("not denied")
		}
	})
}

// Worst case 1: many NotAction statements (every one matches by exclusion).
func BenchmarkEvaluateManyNotAction(b *testing.B) {
	var st []string
	for i := 0; i < 100; i++ {
		st = append(st, fmt.Sprintf(`{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*","svc%d:*","s3:Delete*","s3:Put*Policy"],"Resource":"*"}`, i))
	}
	set := policy.PolicySet{Identity: []policy.NamedPolicy{named(b, "p", `{"Version":"2012-10-17","Statement":[`+strings.Join(st, ",")+`]}`)}}
	req := benchRequest()
	var ev policy.Evaluator
	measure(b, func() {
		if ev.Evaluate(&req, &set, policy.Strict).Result != policy.Allowed {
			b.Fatal("not allowed")
		}
	})
}

// Worst case 2: a long condition block evaluated on every decision.
func BenchmarkEvaluateLongConditionBlock(b *testing.B) {
	var conds []string
	for i := 0; i < 20; i++ {
		conds = append(conds, fmt.Sprintf(`"aws:PrincipalTag/k%d":["v%d","x*"]`, i, i))
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{
		"StringLike":{` + strings.Join(conds, ",") + `},
		"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16","2001:db8::/32"]},
		"Bool":{"aws:SecureTransport":"true"},
		"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"},
		"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},
		"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:111111111111:*"},
		"ForAllValues:StringEquals":{"aws:TagKeys":["a","b","c"]}}}]}`
	set := policy.PolicySet{Identity: []policy.NamedPolicy{named(b, "p", doc)}}
	req := benchRequest()
	req.Context = map[string][]string{
		"aws:sourceip": {"10.1.2.3"}, "aws:securetransport": {"true"}, "aws:multifactorauthage": {"100"},
		"aws:currenttime": {"2026-06-01T00:00:00Z"}, "aws:sourcearn": {"arn:aws:sns:us-east-1:111111111111:t"}, "aws:tagkeys": {"a", "b"},
	}
	req.Principal.Tags = map[string]string{}
	for i := 0; i < 20; i++ {
		req.Principal.Tags[fmt.Sprintf("k%d", i)] = fmt.Sprintf("v%d", i)
	}
	var ev policy.Evaluator
	measure(b, func() {
		if ev.Evaluate(&req, &set, policy.Strict).Result != policy.Allowed {
			b.Fatal("not allowed")
		}
	})
}

// Worst case 3: 50 SCPs on a deep OU path (root, 4 OUs, account; 5 SCPs
// at each of 10 levels), plus identity policy and boundary.
func BenchmarkEvaluateFiftySCPsDeepOU(b *testing.B) {
	var levels []policy.OrgLevel
	for l := 0; l < 10; l++ {
		lvl := policy.OrgLevel{ID: fmt.Sprintf("ou-%d", l)}
		for p := 0; p < 5; p++ {
			doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
				{"Effect":"Allow","Action":"*","Resource":"*"},
				{"Effect":"Deny","Action":["iam:Delete*","organizations:*","svc%d:*"],"Resource":"*"},
				{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}`, l*5+p)
			lvl.Policies = append(lvl.Policies, named(b, fmt.Sprintf("scp-%d-%d", l, p), doc))
		}
		levels = append(levels, lvl)
	}
	set := policy.PolicySet{
		Identity: []policy.NamedPolicy{named(b, "p", tenStatementPolicy)},
		Boundary: []policy.NamedPolicy{named(b, "b", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)},
		SCPs:     levels,
	}
	req := benchRequest()
	req.Context = map[string][]string{"aws:requestedregion": {"us-east-1"}}
	var ev policy.Evaluator
	measure(b, func() {
		if ev.Evaluate(&req, &set, policy.Strict).Result != policy.Allowed {
			b.Fatal("not allowed")
		}
	})
}

// The convenience function, which allocates the explanation each time.
func BenchmarkEvaluateFunc(b *testing.B) {
	set := policy.PolicySet{Identity: []policy.NamedPolicy{named(b, "p", tenStatementPolicy)}}
	req := benchRequest()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		policy.Evaluate(&req, &set, policy.Strict)
	}
}

func BenchmarkParse(b *testing.B) {
	doc := []byte(tenStatementPolicy)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := policy.Parse(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// measure runs fn b.N times on a locked OS thread and reports, besides
// wall time, the CPU time per decision and decisions per CPU-second: the
// figures that stay meaningful on a machine shared with other work.
func measure(b *testing.B, fn func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	b.ResetTimer()
	start := threadCPU()
	for i := 0; i < b.N; i++ {
		fn()
	}
	if cpu := threadCPU() - start; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "decisions/cpu-s")
	}
}

// With SCPs and RCPs on the path (the common case in an organization).
func BenchmarkEvaluateWithOrgPolicies(b *testing.B) {
	full := named(b, "FullAWSAccess", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	rcp := named(b, "rcp", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-mine"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}]}`)
	set := policy.PolicySet{
		Identity: []policy.NamedPolicy{named(b, "p", tenStatementPolicy)},
		SCPs:     []policy.OrgLevel{{ID: "r-root", Policies: []policy.NamedPolicy{full}}, {ID: "ou-1", Policies: []policy.NamedPolicy{full}}, {ID: "111111111111", Policies: []policy.NamedPolicy{full}}},
		RCPs:     []policy.OrgLevel{{ID: "r-root", Policies: []policy.NamedPolicy{rcp}}},
	}
	req := benchRequest()
	req.Principal.OrgID = "o-mine"
	var ev policy.Evaluator
	measure(b, func() {
		if ev.Evaluate(&req, &set, policy.Strict).Result != policy.Allowed {
			b.Fatal("not allowed")
		}
	})
}
