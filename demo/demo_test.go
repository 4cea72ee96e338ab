package demo_test

// The answers below were derived by hand from the policies in demo.json and
// AWS's documented evaluation rules (docs/demo.md walks through each),
// before running the builder; the tests assert that Build + the embedded
// store give the same answers.

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/iamreach/iamreach/demo"
	"github.com/iamreach/iamreach/graph"
)

const (
	wl     = "333333333333"
	data   = "444444444444"
	vendor = "999988887777"
)

func fn(name string) string      { return "arn:aws:lambda:eu-west-1:" + wl + ":function:" + name }
func role(acct, n string) string { return "arn:aws:iam::" + acct + ":role/" + n }

var (
	buildOnce sync.Once
	built     *graph.Graph
	buildErr  error
)

func store(t *testing.T) *graph.Memory {
	t.Helper()
	buildOnce.Do(func() {
		s, err := demo.Snapshot()
		if err != nil {
			buildErr = err
			return
		}
		built, buildErr = graph.Build(s, graph.BuildOptions{})
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return graph.NewMemory(built)
}

func reach(t *testing.T, from string, opts graph.ReachOptions) graph.ReachResult {
	t.Helper()
	res, err := store(t).Reach(context.Background(), from, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func who(t *testing.T, to string, opts graph.ReachOptions) graph.ReachResult {
	t.Helper()
	res, err := store(t).Reachers(context.Background(), to, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func ids(res graph.ReachResult) []string {
	var out []string
	for _, tg := range res.Targets {
		out = append(out, tg.Node.ID)
	}
	sort.Strings(out)
	return out
}

func target(t *testing.T, res graph.ReachResult, id string) graph.ReachTarget {
	t.Helper()
	for _, tg := range res.Targets {
		if tg.Node.ID == id {
			return tg
		}
	}
	t.Fatalf("%s not among the targets %v", id, ids(res))
	return graph.ReachTarget{}
}

func actions(gs []graph.ActionGrant) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Action)
	}
	sort.Strings(out)
	return out
}

func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
	}
}

func edge(t *testing.T, kind graph.EdgeKind, from, to string) (graph.Edge, bool) {
	t.Helper()
	for _, e := range store(t).Graph().Edges {
		if e.Kind == kind && e.From == from && e.To == to {
			return e, true
		}
	}
	return graph.Edge{}, false
}

// Q1. What can function get-product reach? Its role has one inline
// statement (dynamodb:GetItem, dynamodb:Query on table/inventory) and the
// shared logging policy (logs on two patterns that match nothing in the
// inventory, so they are reported as patterns).
func TestQ1GetProductReach(t *testing.T) {
	res := reach(t, fn("get-product"), graph.ReachOptions{})
	inv := "arn:aws:dynamodb:eu-west-1:" + wl + ":table/inventory"
	sameSet(t, "targets", ids(res), []string{
		inv,
		"pattern:arn:aws:logs:eu-west-1:" + wl + ":*",
		"pattern:arn:aws:logs:eu-west-1:" + wl + ":log-group:/aws/lambda/*:*",
	})
	tg := target(t, res, inv)
	sameSet(t, "actions on inventory", actions(tg.Actions), []string{"dynamodb:GetItem", "dynamodb:Query"})
	if len(tg.Conditions) != 0 {
		t.Errorf("conditions %v, want none", tg.Conditions)
	}
	if got := tg.Path.Nodes; len(got) != 3 || got[1] != role(wl, "shop-get-product-role") {
		t.Errorf("path %v, want function → role → table", got)
	}
	ev := tg.Path.Edges[1].Evidence
	if len(ev) == 0 || ev[0].Sid != "ReadInventory" || ev[0].PolicyType != graph.PolicyIdentity {
		t.Errorf("evidence %+v, want the ReadInventory identity statement", ev)
	}
}

// Q2. Who can read (GetSecretValue) the Stripe key? The secret's policy
// denies everyone but the payment-handler and maintenance roles, so
// breakglass-admin (AdministratorAccess) cannot, and dev-bob's group
// policy denies secretsmanager:*. Directly: payment-handler-role
// (identity statement StripeKey) and shop-maintenance-role (admin).
// Upstream: the payment-handler function runs as its role; github-deploy
// can UpdateFunctionCode on payment-handler; ops-rotator can PassRole +
// CreateFunction + InvokeFunction to either role, and its function runs as
// it; the Lambda service can assume the roles; the GitHub OIDC provider
// can assume github-deploy.
func TestQ2WhoCanReadStripeKey(t *testing.T) {
	secret := "arn:aws:secretsmanager:eu-west-1:" + wl + ":secret:prod/stripe-api-key-AbCdEf"
	res := who(t, secret, graph.ReachOptions{Actions: []string{"secretsmanager:GetSecretValue"}})
	sameSet(t, "who can read the Stripe key", ids(res), []string{
		role(wl, "shop-payment-handler-role"), role(wl, "shop-maintenance-role"),
		fn("payment-handler"), role(wl, "github-deploy"), role(wl, "shop-ops-rotator-role"), fn("ops-rotator"),
		"service:lambda.amazonaws.com", "arn:aws:iam::" + wl + ":oidc-provider/token.actions.githubusercontent.com",
	})
	for _, id := range ids(res) {
		if id == "arn:aws:iam::"+wl+":user/breakglass-admin" || id == "arn:aws:iam::"+wl+":user/dev-bob" {
			t.Errorf("%s must be denied", id)
		}
	}
}

// Q3. Who can read objects of acme-data-lake (data account)? The bucket
// policy lets shop-reporting-export-role read reports/* (cross-account:
// its identity policy allows it too, and the data perimeter RCP spares
// principals of the organization); analyst-etl reads it by its identity
// policy in the same account. AnalystsInOrg names "*" but only for
// role/analyst-* of the organization, which matches analyst-etl only.
// Upstream as in Q2, plus Glue, which analyst-etl trusts.
func TestQ3WhoCanReadDataLake(t *testing.T) {
	res := who(t, "arn:aws:s3:::acme-data-lake", graph.ReachOptions{Actions: []string{"s3:GetObject"}})
	sameSet(t, "who can read acme-data-lake", ids(res), []string{
		role(wl, "shop-reporting-export-role"), fn("reporting-export"), role(data, "analyst-etl"),
		"service:glue.amazonaws.com", role(wl, "github-deploy"), role(wl, "shop-ops-rotator-role"), fn("ops-rotator"),
		"service:lambda.amazonaws.com", "arn:aws:iam::" + wl + ":oidc-provider/token.actions.githubusercontent.com",
	})
	tg := target(t, res, role(wl, "shop-reporting-export-role"))
	if len(tg.Actions) != 1 || tg.Actions[0].Resource != "arn:aws:s3:::acme-data-lake/reports/*" {
		t.Errorf("reporting-export grants %+v, want s3:GetObject on reports/* only", tg.Actions)
	}
	if !tg.Path.Edges[0].CrossAccount {
		t.Error("reporting-export → acme-data-lake should be marked cross-account")
	}
}

// Q4. Can the vendor read analytics-exports? Its bucket policy allows the
// vendor's account, but the DataPerimeter RCP on the data account denies
// s3:* to principals outside the organization: no.
func TestQ4RCPBlocksVendorFromExports(t *testing.T) {
	if _, ok := edge(t, graph.EdgeCanAccess, "account:"+vendor, "arn:aws:s3:::analytics-exports"); ok {
		t.Error("the vendor reaches analytics-exports despite the data perimeter RCP")
	}
	res := who(t, "arn:aws:s3:::analytics-exports", graph.ReachOptions{Actions: []string{"s3:GetObject"}})
	for _, id := range ids(res) {
		if strings.Contains(id, vendor) {
			t.Errorf("%s can read analytics-exports", id)
		}
	}
}

// Q5. What can the vendor reach? It can assume vendor-monitoring only if it
// presents ExternalId acme-7f3c9a; that role reads CloudWatch metrics
// (scope: every CloudWatch resource of the account) and the attributes of
// the two queues (sqs:GetQueueAttributes on arn:aws:sqs:eu-west-1:…:*).
func TestQ5VendorReach(t *testing.T) {
	res := reach(t, "account:"+vendor, graph.ReachOptions{})
	sameSet(t, "vendor reach", ids(res), []string{
		"scope:cloudwatch:" + wl,
		"arn:aws:sqs:eu-west-1:" + wl + ":email-queue",
		"arn:aws:sqs:eu-west-1:" + wl + ":order-queue",
	})
	for _, tg := range res.Targets {
		if len(tg.Conditions) == 0 || !strings.Contains(tg.Conditions[0], `sts:ExternalId StringEquals "acme-7f3c9a"`) {
			t.Errorf("%s: conditions %v, want the ExternalId", tg.Node.ID, tg.Conditions)
		}
	}
	if n, err := store(t).Node(context.Background(), "account:"+vendor); err != nil || n.Props["external"] != "true" {
		t.Errorf("vendor account node %+v (%v), want external=true", n, err)
	}
	if res2 := reach(t, "account:"+vendor, graph.ReachOptions{ExcludeConditions: true}); len(res2.Targets) != 0 {
		t.Errorf("without conditional edges the vendor reaches %v", ids(res2))
	}
}

// Q6. What is public? shop-website's policy grants s3:GetObject on its
// objects to "*" and neither the bucket nor the account restricts public
// buckets; webhook-receiver's function URL has auth type NONE. acme-data-
// lake's "*" statement is confined by aws:PrincipalOrgID: not public.
func TestQ6Public(t *testing.T) {
	res := reach(t, graph.AnonymousID, graph.ReachOptions{})
	sameSet(t, "anyone reaches", ids(res), []string{"arn:aws:s3:::shop-website", fn("webhook-receiver")})
	web := target(t, res, "arn:aws:s3:::shop-website")
	if len(web.Actions) != 1 || web.Actions[0].Action != "s3:GetObject" || web.Actions[0].Condition != "" {
		t.Errorf("public grant %+v, want unconditional s3:GetObject", web.Actions)
	}
	hook := target(t, res, fn("webhook-receiver"))
	if hook.Path.Edges[0].Kind != graph.EdgeCanInvoke {
		t.Errorf("webhook-receiver edge %s, want CAN_INVOKE", hook.Path.Edges[0].Kind)
	}
}

// Q7. Can ops-rotator become admin? Its role has iam:PassRole on * and
// lambda:CreateFunction/InvokeFunction on *: it can create a function that
// runs as shop-maintenance-role (trusts lambda.amazonaws.com, has
// AdministratorAccess) and invoke it. So it is admin-equivalent, and so is
// github-deploy (UpdateFunctionCode on ops-rotator's function).
func TestQ7OpsRotatorEscalation(t *testing.T) {
	e, ok := edge(t, graph.EdgeCanEscalate, role(wl, "shop-ops-rotator-role"), role(wl, "shop-maintenance-role"))
	if !ok || e.Technique != "iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction" || e.Conditional {
		t.Fatalf("escalation edge %+v (found %v)", e, ok)
	}
	for _, p := range []string{role(wl, "shop-ops-rotator-role"), role(wl, "github-deploy"), role(wl, "shop-maintenance-role")} {
		n, _ := store(t).Node(context.Background(), p)
		if n.Props["admin"] != "true" {
			t.Errorf("%s: admin=%q, want true", p, n.Props["admin"])
		}
	}
	res := reach(t, fn("ops-rotator"), graph.ReachOptions{ResourceTypes: []string{"secretsmanager"}})
	tg := target(t, res, "arn:aws:secretsmanager:eu-west-1:"+wl+":secret:prod/stripe-api-key-AbCdEf")
	if got := tg.Path.Nodes; len(got) != 4 || got[2] != role(wl, "shop-maintenance-role") && got[2] != role(wl, "shop-payment-handler-role") {
		t.Errorf("route to the Stripe key %v", got)
	}
}

// Q8. Can user-sync take over breakglass-admin? Its role allows
// iam:CreateAccessKey on user/*, but the Prod OU's SCP denies it: no edge,
// and why-not names the SCP.
func TestQ8SCPBlocksCreateAccessKey(t *testing.T) {
	if e, ok := edge(t, graph.EdgeCanEscalate, role(wl, "shop-user-sync-role"), "arn:aws:iam::"+wl+":user/breakglass-admin"); ok {
		t.Fatalf("user-sync escalates despite the SCP: %+v", e)
	}
	s, _ := demo.Snapshot()
	out, err := graph.WhyNot(context.Background(), s, store(t).Graph(), fn("user-sync"), "arn:aws:iam::"+wl+":user/breakglass-admin", "iam:CreateAccessKey", graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range out {
		if r.Identity == role(wl, "shop-user-sync-role") {
			found = true
			if r.Result != "ExplicitlyDenied" || !strings.Contains(strings.ToLower(r.BlockedBy), "scp") {
				t.Errorf("why not: %+v", r)
			}
			if len(r.Denying) == 0 || r.Denying[0].Level != "OU ou-demo-prod (Prod)" || r.Denying[0].PolicyName != "ProdNoLongLivedCredentials" {
				t.Errorf("denying %+v, want the SCP at the Prod OU", r.Denying)
			}
		}
	}
	if !found {
		t.Errorf("why-not did not decide for the function's role: %+v", out)
	}
}

// Q9. What can alice (security account) reach? Her group allows
// sts:AssumeRole on role/audit-readonly in any account; both member
// accounts' audit-readonly trust the security account's root. carol has no
// policy: nothing.
func TestQ9AuditRoles(t *testing.T) {
	alice := "arn:aws:iam::222222222222:user/alice"
	for _, acct := range []string{wl, data} {
		e, ok := edge(t, graph.EdgeCanAssume, alice, role(acct, "audit-readonly"))
		if !ok || e.Conditional || !e.CrossAccount {
			t.Errorf("alice → audit-readonly in %s: %+v (found %v)", acct, e, ok)
		}
	}
	res := reach(t, alice, graph.ReachOptions{Actions: []string{"iam:GetRole"}})
	sameSet(t, "alice can iam:GetRole via", ids(res), []string{"scope:iam:" + wl, "scope:iam:" + data})
	if res := reach(t, "arn:aws:iam::222222222222:user/carol", graph.ReachOptions{}); len(res.Targets) != 0 {
		t.Errorf("carol reaches %v, want nothing", ids(res))
	}
}

// Q10. Who can deploy, and what can the deploy role do? Only GitHub
// Actions runs of acme-shop/shop on main (aud sts.amazonaws.com) can assume
// github-deploy; it writes and reads artifacts under shop-artifacts/*.
func TestQ10GitHubDeploy(t *testing.T) {
	gh := "arn:aws:iam::" + wl + ":oidc-provider/token.actions.githubusercontent.com"
	e, ok := edge(t, graph.EdgeCanAssume, gh, role(wl, "github-deploy"))
	if !ok || !e.Conditional || !strings.Contains(e.Condition, "repo:acme-shop/shop:ref:refs/heads/main") || !strings.Contains(e.Condition, "sts.amazonaws.com") {
		t.Fatalf("OIDC trust edge %+v (found %v)", e, ok)
	}
	direct, ok := edge(t, graph.EdgeCanAccess, role(wl, "github-deploy"), "arn:aws:s3:::shop-artifacts")
	if !ok {
		t.Fatal("github-deploy has no access edge to shop-artifacts")
	}
	sameSet(t, "deploy grants", actions(direct.Actions), []string{"s3:GetObject", "s3:PutObject"})
	for _, g := range direct.Actions {
		if g.Resource != "arn:aws:s3:::shop-artifacts/*" {
			t.Errorf("%s on %q, want shop-artifacts/*", g.Action, g.Resource)
		}
	}
}

// Q11. legacy-sync has s3:* on *, but its permissions boundary allows S3
// only on shop-* buckets: it reaches the three shop buckets (shop-uploads
// only over TLS, by that bucket's deny), not the data account's buckets.
func TestQ11BoundaryLimitsLegacySync(t *testing.T) {
	res := reach(t, fn("legacy-sync"), graph.ReachOptions{ResourceTypes: []string{"s3"}})
	sameSet(t, "legacy-sync S3 reach", ids(res), []string{"arn:aws:s3:::shop-artifacts", "arn:aws:s3:::shop-uploads", "arn:aws:s3:::shop-website"})
	up := target(t, res, "arn:aws:s3:::shop-uploads")
	if len(up.Conditions) != 1 || !strings.Contains(up.Conditions[0], "aws:SecureTransport") {
		t.Errorf("shop-uploads conditions %v, want the TLS condition", up.Conditions)
	}
}

// Q12. dev-bob may use admin-tools only with MFA, and admin-tools is
// limited by its read-only boundary: not admin, no secrets, no writes.
func TestQ12MFAAndBoundary(t *testing.T) {
	bob := "arn:aws:iam::" + wl + ":user/dev-bob"
	e, ok := edge(t, graph.EdgeCanAssume, bob, role(wl, "admin-tools"))
	if !ok || e.Condition != "aws:MultiFactorAuthPresent Bool true" {
		t.Fatalf("dev-bob → admin-tools %+v (found %v)", e, ok)
	}
	n, _ := store(t).Node(context.Background(), role(wl, "admin-tools"))
	if n.Props["admin"] == "true" {
		t.Error("admin-tools is marked admin despite its boundary")
	}
	res := reach(t, role(wl, "admin-tools"), graph.ReachOptions{})
	for _, tg := range res.Targets {
		for _, g := range tg.Actions {
			if g.Level == graph.LevelWrite || strings.HasPrefix(g.Action, "secretsmanager") {
				t.Errorf("admin-tools may %s on %s despite the read-only boundary", g.Action, tg.Node.ID)
			}
		}
	}
	strict := reach(t, bob, graph.ReachOptions{ExcludeConditions: true})
	for _, tg := range strict.Targets {
		for _, id := range tg.Path.Nodes {
			if id == role(wl, "admin-tools") {
				t.Errorf("without conditions dev-bob still goes through admin-tools to %s", tg.Node.ID)
			}
		}
	}
}

// Q13. image-resize reads only incoming/* of shop-uploads (and only over
// TLS) and writes images/* of shop-website.
func TestQ13PrefixGrants(t *testing.T) {
	res := reach(t, fn("image-resize"), graph.ReachOptions{ResourceTypes: []string{"s3:bucket"}})
	up := target(t, res, "arn:aws:s3:::shop-uploads")
	if len(up.Actions) != 1 || up.Actions[0].Action != "s3:GetObject" || up.Actions[0].Resource != "arn:aws:s3:::shop-uploads/incoming/*" || up.Actions[0].Condition == "" {
		t.Errorf("shop-uploads grant %+v", up.Actions)
	}
	web := target(t, res, "arn:aws:s3:::shop-website")
	if len(web.Actions) != 1 || web.Actions[0].Action != "s3:PutObject" || web.Actions[0].Resource != "arn:aws:s3:::shop-website/images/*" {
		t.Errorf("shop-website grant %+v", web.Actions)
	}
}

// Q14. Paths: from the GitHub OIDC provider to the Stripe key, the
// shortest route deploys code into payment-handler (4 hops: assume deploy
// role, escalate by UpdateFunctionCode, read the secret).
func TestQ14PathsFromCIToStripeKey(t *testing.T) {
	gh := "arn:aws:iam::" + wl + ":oidc-provider/token.actions.githubusercontent.com"
	secret := "arn:aws:secretsmanager:eu-west-1:" + wl + ":secret:prod/stripe-api-key-AbCdEf"
	ps, err := store(t).Paths(context.Background(), gh, secret, graph.PathOptions{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) == 0 {
		t.Fatal("no path from CI to the Stripe key")
	}
	first := ps[0]
	if len(first.Edges) != 3 || first.Nodes[2] != role(wl, "shop-payment-handler-role") && first.Nodes[2] != role(wl, "shop-maintenance-role") {
		t.Errorf("shortest path %v", first.Nodes)
	}
	for i := 1; i < len(ps); i++ {
		if len(ps[i].Edges) < len(ps[i-1].Edges) {
			t.Errorf("paths not shortest first: %d then %d edges", len(ps[i-1].Edges), len(ps[i].Edges))
		}
	}
	if len(first.Conditions) == 0 || !strings.Contains(first.Conditions[0], "token.actions.githubusercontent.com:sub") {
		t.Errorf("path conditions %v, want the OIDC claim condition", first.Conditions)
	}
}

// The demo snapshot records a collection gap in the data account: answers
// that touch that account say so.
func TestGapsReported(t *testing.T) {
	res := reach(t, role(data, "analyst-etl"), graph.ReachOptions{})
	if len(res.Gaps) != 1 || res.Gaps[0].Account != data {
		t.Errorf("gaps %+v, want the data account's lambda gap", res.Gaps)
	}
	if res := reach(t, fn("get-product"), graph.ReachOptions{}); len(res.Gaps) != 0 {
		t.Errorf("get-product's answer lists gaps %+v of another account", res.Gaps)
	}
}

// Building twice gives byte-identical graphs (parallel build, sorted output).
func TestBuildDeterministic(t *testing.T) {
	var outs [2]bytes.Buffer
	for i := range outs {
		s, _ := demo.Snapshot()
		g, err := graph.Build(s, graph.BuildOptions{Workers: i*3 + 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := graph.WriteJSON(&outs[i], g); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(outs[0].Bytes(), outs[1].Bytes()) {
		t.Error("two builds of the demo differ")
	}
}
