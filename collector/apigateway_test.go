package collector_test

import (
	"strings"
	"testing"

	"github.com/iamreach/iamreach/collector"
	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/snapshot"
)

// TestCollectAPIGatewayIntegrations reads the fixture's REST API and HTTP
// API from moto and checks that each Lambda integration makes the API an
// event source of the function (alias and version qualifiers dropped),
// that other integrations do not, that a stage-variable integration is
// reported as unresolved, and that the graph built from the collected
// snapshot has the TRIGGERS edges API → function.
func TestCollectAPIGatewayIntegrations(t *testing.T) {
	f := sharedFixture(t)
	s, _, _ := collect(t, f.endpoint, collector.Options{Services: []string{"apigateway", "lambda"}, Accounts: []string{f.accounts["workloads-prod"]}})
	if len(s.Gaps) > 0 {
		t.Errorf("gaps: %+v", s.Gaps)
	}
	prod := account(t, s, f.accounts["workloads-prod"])
	byName := map[string]snapshot.Resource{}
	for _, r := range prod.Resources {
		byName[r.Type+" "+r.Name] = r
	}
	rest, http := byName[snapshot.TypeRestAPI+" orders"], byName[collector.TypeAPIGatewayV2+" reports-http"]
	ordersFn, reportsFn := byName[snapshot.TypeLambdaFunction+" orders-api"], byName[snapshot.TypeLambdaFunction+" reports"]
	if rest.ARN == "" || http.ARN == "" || ordersFn.ARN == "" || reportsFn.ARN == "" {
		t.Fatalf("missing resources: %v", keys(byName))
	}
	if !strings.Contains(http.ARN, "::/apis/") || http.Properties["protocolType"] != "HTTP" || http.Tags["app"] != "reports" {
		t.Errorf("HTTP API: %+v", http)
	}
	if got := rest.Properties["lambdaIntegrations"]; got != ordersFn.ARN {
		t.Errorf("REST API lambdaIntegrations = %q, want %q", got, ordersFn.ARN)
	}
	if got := rest.Properties["unresolvedLambdaIntegrations"]; !strings.Contains(got, "${stageVariables.legacyFn}") {
		t.Errorf("REST API unresolvedLambdaIntegrations = %q", got)
	}
	if got := http.Properties["lambdaIntegrations"]; got != reportsFn.ARN {
		t.Errorf("HTTP API lambdaIntegrations = %q, want %q (version dropped)", got, reportsFn.ARN)
	}
	// Only the collected services are here: the S3 and SNS sources are not.
	if !contains(ordersFn.EventSources, rest.ARN) || contains(ordersFn.EventSources, http.ARN) {
		t.Errorf("orders-api event sources %v: want the REST API %s only", ordersFn.EventSources, rest.ARN)
	}
	if !contains(reportsFn.EventSources, http.ARN) || contains(reportsFn.EventSources, rest.ARN) {
		t.Errorf("reports event sources %v: want the HTTP API %s only", reportsFn.EventSources, http.ARN)
	}

	g, err := graph.Build(s, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	triggers := map[[2]string]bool{}
	for _, e := range g.Edges {
		if e.Kind == graph.EdgeTriggers {
			triggers[[2]string{e.From, e.To}] = true
		}
	}
	for _, want := range [][2]string{{rest.ARN, ordersFn.ARN}, {http.ARN, reportsFn.ARN}} {
		if !triggers[want] {
			t.Errorf("graph has no TRIGGERS edge %s → %s; TRIGGERS edges: %v", want[0], want[1], triggers)
		}
	}
	if triggers[[2]string{http.ARN, ordersFn.ARN}] || triggers[[2]string{rest.ARN, reportsFn.ARN}] {
		t.Errorf("TRIGGERS edge between an API and a function it does not integrate: %v", triggers)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
