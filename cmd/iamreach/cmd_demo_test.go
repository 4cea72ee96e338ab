package main

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/graph"
)

// TestDemoServes starts `iamreach demo` as make demo does and asks the
// walking skeleton's question: what can the create-order function reach?
// Expected answers come from its role's inline policy in demo/demo.json:
// dynamodb:PutItem on table/orders (Sid WriteOrders), sqs:SendMessage on
// order-queue, kms:GenerateDataKey and kms:Decrypt on the orders key.
func TestDemoServes(t *testing.T) {
	r := startServer(t, nil, "demo", "--listen", "127.0.0.1:0")

	var meta graph.Meta
	if code := r.getJSON(t, "/api/v1/meta", &meta); code != 200 || meta.Accounts < 3 || meta.Nodes == 0 {
		t.Fatalf("meta = %d %+v", code, meta)
	}
	var search struct{ Results []graph.Node }
	r.getJSON(t, "/api/v1/search?q=create-order&kind=Resource", &search)
	if len(search.Results) == 0 || search.Results[0].Type != "lambda:function" {
		t.Fatalf("search create-order = %+v", search.Results)
	}
	fn := search.Results[0].ID
	if fn != "arn:aws:lambda:eu-west-1:333333333333:function:create-order" {
		t.Fatalf("best match = %s", fn)
	}

	var reach graph.ReachResult
	if code := r.getJSON(t, "/api/v1/reach?from="+url.QueryEscape(fn), &reach); code != 200 {
		t.Fatalf("reach = %d", code)
	}
	got := map[string][]string{}
	for _, tg := range reach.Targets {
		for _, a := range tg.Actions {
			got[tg.Node.ID] = append(got[tg.Node.ID], a.Action)
		}
	}
	want := map[string][]string{
		"arn:aws:dynamodb:eu-west-1:333333333333:table/orders":                        {"dynamodb:PutItem"},
		"arn:aws:sqs:eu-west-1:333333333333:order-queue":                              {"sqs:SendMessage"},
		"arn:aws:kms:eu-west-1:333333333333:key/2222bbbb-3333-4444-5555-666677778888": {"kms:Decrypt", "kms:GenerateDataKey"},
	}
	for id, actions := range want {
		g := slices.Clone(got[id])
		slices.Sort(g)
		if !slices.Equal(g, actions) {
			t.Errorf("create-order → %s: actions %v, want %v", id, got[id], actions)
		}
	}
	for _, tg := range reach.Targets {
		if tg.Node.ID != "arn:aws:dynamodb:eu-west-1:333333333333:table/orders" {
			continue
		}
		if len(tg.Path.Nodes) != 3 || !strings.HasSuffix(tg.Path.Nodes[1], "role/shop-create-order-role") {
			t.Errorf("path to orders = %v, want function → its role → table", tg.Path.Nodes)
		}
		last := tg.Path.Edges[len(tg.Path.Edges)-1]
		found := false
		for _, ev := range last.Evidence {
			if ev.Sid == "WriteOrders" && ev.Effect == "Allow" && strings.Contains(string(ev.Statement), "dynamodb:PutItem") {
				found = true
			}
		}
		if !found {
			t.Errorf("the CAN_ACCESS edge to orders lacks the WriteOrders statement as evidence: %+v", last.Evidence)
		}
	}
	// Nothing is granted on the customers table.
	if _, ok := got["arn:aws:dynamodb:eu-west-1:333333333333:table/customers"]; ok {
		t.Error("create-order reaches the customers table; its policy grants nothing there")
	}
}

// TestDemoWhyNot asks the server why the maintenance role (admin in the
// prod account) cannot create an access key: the demo's SCP
// ProdNoLongLivedCredentials, attached at ou-demo-prod, denies
// iam:CreateAccessKey (statement NoLongLivedCredentials).
func TestDemoWhyNot(t *testing.T) {
	r := startServer(t, nil, "demo", "--listen", "127.0.0.1:0")
	var health struct {
		Features struct{ WhyNot, Cypher, Token bool }
	}
	if r.getJSON(t, "/api/v1/health", &health); !health.Features.WhyNot || health.Features.Cypher || health.Features.Token {
		t.Errorf("demo features = %+v, want whynot only", health.Features)
	}
	var got struct {
		Action  string
		Results []graph.WhyNotResult
	}
	q := url.Values{
		"from":   {"arn:aws:iam::333333333333:role/shop-maintenance-role"},
		"to":     {"arn:aws:iam::333333333333:user/breakglass-admin"},
		"action": {"iam:CreateAccessKey"},
	}
	if code := r.getJSON(t, "/api/v1/whynot?"+q.Encode(), &got); code != 200 || len(got.Results) == 0 {
		t.Fatalf("whynot = %d %+v", code, got)
	}
	res := got.Results[0]
	if res.Identity != "arn:aws:iam::333333333333:role/shop-maintenance-role" || res.Result != "ExplicitlyDenied" ||
		!strings.Contains(strings.ToLower(res.BlockedBy), "scp") {
		t.Errorf("decision = %+v", res)
	}
	found := false
	for _, ev := range res.Denying {
		if ev.PolicyType == graph.PolicySCP && ev.Sid == "NoLongLivedCredentials" && strings.Contains(ev.Level, "ou-demo-prod") {
			found = true
		}
	}
	if !found {
		t.Errorf("the blocking SCP statement is not in the evidence: %+v", res.Denying)
	}

	// create-order may write orders but not read customers: nothing allows it.
	q = url.Values{
		"from":   {"arn:aws:lambda:eu-west-1:333333333333:function:create-order"},
		"to":     {"arn:aws:dynamodb:eu-west-1:333333333333:table/customers"},
		"action": {"dynamodb:GetItem"},
	}
	if code := r.getJSON(t, "/api/v1/whynot?"+q.Encode(), &got); code != 200 || len(got.Results) == 0 {
		t.Fatalf("whynot customers = %d %+v", code, got)
	}
	for _, res := range got.Results {
		if res.Result == "Allowed" {
			t.Errorf("%s may %s on customers: %+v", res.Identity, res.Action, res)
		}
	}
}
