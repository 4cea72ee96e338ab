package findings_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/findings"
	"github.com/iamreach/iamreach/policy"
	"github.com/iamreach/iamreach/snapshot"
)

func lpSnapshot() *snapshot.Snapshot {
	used := time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC)
	old := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s := baseSnap()
	a := &s.Accounts[0]
	a.Policies = []snapshot.ManagedPolicy{
		{ARN: "arn:aws:iam::" + acct + ":policy/s3-full", Name: "s3-full", Document: json.RawMessage(`{"Version":"2012-10-17","Statement":{"Sid":"S3All","Effect":"Allow","Action":"s3:*","Resource":"*"}}`)},
		{ARN: "arn:aws:iam::" + acct + ":policy/unattached", Name: "unattached", Document: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)},
		{ARN: "arn:aws:iam::" + acct + ":policy/deployer", Name: "deployer", Document: json.RawMessage(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["lambda:CreateFunction","lambda:UpdateFunctionCode"],"Resource":"*"},
			{"Sid":"Pass","Effect":"Allow","Action":"iam:PassRole","Resource":"*"},
			{"Sid":"PassScoped","Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}},
			{"Sid":"List","Effect":"Allow","Action":["s3:ListAllMyBuckets","ec2:DescribeInstances"],"Resource":"*"}]}`)},
	}
	a.Roles = []snapshot.Role{
		{ARN: "arn:aws:iam::" + acct + ":role/app", Name: "app", AttachedPolicies: []string{"arn:aws:iam::" + acct + ":policy/s3-full"},
			InlinePolicies: []snapshot.InlinePolicy{{Name: "narrow", Document: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:111111111111:q"},{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}`)}},
			LastAccessed: []snapshot.ServiceLastAccessed{
				{Service: "s3", LastAccessed: &used, Actions: []snapshot.ActionLastAccessed{{Action: "s3:GetObject", LastAccessed: &used}, {Action: "s3:PutObject", LastAccessed: &old}}},
				{Service: "sqs", LastAccessed: &used},
				{Service: "dynamodb"},
			}},
		{ARN: "arn:aws:iam::" + acct + ":role/ci", Name: "ci", AttachedPolicies: []string{"arn:aws:iam::" + acct + ":policy/deployer"}},
		{ARN: "arn:aws:iam::" + acct + ":role/god", Name: "god", InlinePolicies: []snapshot.InlinePolicy{{Name: "all", Document: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`)}}},
	}
	a.Resources = []snapshot.Resource{
		{ARN: "arn:aws:lambda:us-east-1:" + acct + ":function:worker", Type: "lambda:function", Account: acct, Name: "worker", RunsAs: []string{"arn:aws:iam::" + acct + ":role/app"}},
		{ARN: "arn:aws:s3:::uploads", Type: "s3:bucket", Account: acct, Name: "uploads"},
		{ARN: "arn:aws:s3:::other", Type: "s3:bucket", Account: acct, Name: "other"},
		{ARN: "arn:aws:sqs:us-east-1:" + acct + ":q", Type: "sqs:queue", Account: acct, Name: "q"},
	}
	return s
}

// The graph the builder would make for lpSnapshot: the app role reaches
// only the uploads bucket through s3-full (the other bucket is, say,
// denied by its bucket policy), and the queue through its inline policy.
func lpGraph() *graph.Graph {
	b := (&builder{}).node(account(acct, false)).node(role(acct, "app")).node(role(acct, "ci")).node(role(acct, "god")).
		node(graph.Node{ID: "arn:aws:lambda:us-east-1:" + acct + ":function:worker", Kind: graph.KindResource, Name: "worker", Type: "lambda:function", Account: acct}).
		node(bucket(acct, "uploads")).node(bucket(acct, "other")).
		node(graph.Node{ID: "arn:aws:sqs:us-east-1:" + acct + ":q", Kind: graph.KindResource, Name: "q", Type: "sqs:queue", Account: acct})
	b.edge(graph.EdgeRunsAs, "arn:aws:lambda:us-east-1:"+acct+":function:worker", "arn:aws:iam::"+acct+":role/app")
	b.edge(graph.EdgeCanAccess, "arn:aws:iam::"+acct+":role/app", "arn:aws:s3:::uploads", actions("Mixed", "s3:*"), func(e *graph.Edge) {
		e.Evidence = []graph.Evidence{{PolicyType: graph.PolicyIdentity, PolicyID: "arn:aws:iam::" + acct + ":policy/s3-full", StatementIndex: 0, Effect: "Allow"}}
	})
	return &b.g
}

func TestLeastPrivilege(t *testing.T) {
	fs := findings.Compute(lpGraph(), lpSnapshot(), findings.Options{})
	count := map[graph.FindingKind]int{}
	for _, f := range fs {
		count[f.Kind]++
	}
	type want struct {
		kind    graph.FindingKind
		subject string
		sev     string
		title   string
	}
	for _, w := range []want{
		{graph.FindingDataStoreWildcard, "arn:aws:iam::" + acct + ":policy/s3-full", "high", "s3:*"},
		{graph.FindingDataStoreWildcard, "arn:aws:iam::" + acct + ":role/app", "high", "dynamodb:*"},
		{graph.FindingWildcardResource, "arn:aws:iam::" + acct + ":policy/s3-full", "medium", "every resource"},
		{graph.FindingPassRoleAny, "arn:aws:iam::" + acct + ":policy/deployer", "high", "PassRole"},
		{graph.FindingWildcardAction, "arn:aws:iam::" + acct + ":role/god", "high", "everything except iam:*"},
		{graph.FindingUnusedGrant, "arn:aws:iam::" + acct + ":role/app", "low", "dynamodb"},
	} {
		found := false
		var sevs []string
		for _, f := range fs {
			if f.Kind == w.kind && f.Subject == w.subject && strings.Contains(f.Title, w.title) {
				sevs = append(sevs, f.Severity)
				if f.Severity == w.sev {
					found = true
				}
				if len(f.Evidence) == 0 && w.kind != graph.FindingUnusedGrant {
					t.Errorf("%s %s: no evidence", w.kind, w.title)
				}
			}
		}
		if !found {
			t.Errorf("missing %s on %s (%s) with severity %s; severities found: %v", w.kind, w.subject, w.title, w.sev, sevs)
		}
	}
	// Two passrole statements: one unconditioned (high), one with iam:PassedToService (medium).
	if count[graph.FindingPassRoleAny] != 2 {
		t.Errorf("passrole-any findings: %d, want 2", count[graph.FindingPassRoleAny])
	}
	// The unattached admin policy and List-only statements are not reported.
	for _, f := range fs {
		if strings.Contains(f.Subject, "policy/unattached") {
			t.Errorf("unattached policy reported: %s", f.Title)
		}
		if f.Kind == graph.FindingWildcardResource && strings.Contains(f.Title, "ListAllMyBuckets") {
			t.Errorf("list-only statement reported: %s", f.Title)
		}
	}
}

func TestSuggestionKeepsWhatIsReached(t *testing.T) {
	fs := findings.Compute(lpGraph(), lpSnapshot(), findings.Options{})
	var sug *graph.Finding
	for i, f := range fs {
		if len(f.Suggestion) > 0 && f.Subject == "arn:aws:iam::"+acct+":role/app" {
			sug = &fs[i]
		}
	}
	if sug == nil {
		t.Fatal("no suggestion for the app role")
	}
	if sug.Target != "arn:aws:lambda:us-east-1:"+acct+":function:worker" {
		t.Errorf("target %s", sug.Target)
	}
	var doc struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   any
			Resource any
		}
	}
	if err := json.Unmarshal(sug.Suggestion, &doc); err != nil {
		t.Fatalf("suggestion is not JSON: %v\n%s", err, sug.Suggestion)
	}
	if _, err := policy.Parse(sug.Suggestion); err != nil {
		t.Errorf("the policy engine rejects the suggestion: %v\n%s", err, sug.Suggestion)
	}
	if doc.Version != "2012-10-17" {
		t.Errorf("version %q", doc.Version)
	}
	text := string(sug.Suggestion)
	// s3:* on * → s3:GetObject (the only action used recently) on the reached bucket.
	for _, must := range []string{`"s3:GetObject"`, `"arn:aws:s3:::uploads"`, `"arn:aws:s3:::uploads/*"`, `"sqs:SendMessage"`} {
		if !strings.Contains(text, must) {
			t.Errorf("suggestion lacks %s:\n%s", must, text)
		}
	}
	for _, mustNot := range []string{`"s3:*"`, `"s3:PutObject"`, `arn:aws:s3:::other`, `dynamodb`, `"Resource": "*"`} {
		if strings.Contains(text, mustNot) {
			t.Errorf("suggestion keeps %s:\n%s", mustNot, text)
		}
	}
	if !strings.Contains(sug.Detail, "dropped dynamodb:*") {
		t.Errorf("detail does not explain the dropped grant: %s", sug.Detail)
	}
}
