package neo4j

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/graph"
)

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestNodeRoundTrip: the properties a node is written with rebuild it
// exactly; only a node whose props collide with our own property names
// carries its JSON. (The contract suite checks the same against the real
// server on generated graphs, which have no such collisions.)
func TestNodeRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		node     graph.Node
		wantJSON bool
	}{
		{"plain role", graph.Node{ID: "arn:aws:iam::111122223333:role/ci", Kind: graph.KindRole, Name: "ci", Account: "111122223333"}, false},
		{"resource with props and tags", graph.Node{ID: "arn:aws:s3:::logs", Kind: graph.KindResource, Name: "logs", Type: "s3:bucket",
			Account: "111122223333", Region: "eu-west-1", Tags: map[string]string{"team": "Sec", "env": ""}, Props: map[string]string{"public": "true", "vendor": "x"}}, false},
		{"empty name", graph.Node{ID: "anonymous", Kind: graph.KindAnonymous}, false},
		{"props key named like ours", graph.Node{ID: "a", Kind: graph.KindUser, Name: "n", Props: map[string]string{"name": "other", "admin": "true"}}, true},
		{"props key gen", graph.Node{ID: "b", Kind: graph.KindUser, Props: map[string]string{"gen": "7"}}, true},
		{"props key with the tag prefix", graph.Node{ID: "c", Kind: graph.KindRole, Props: map[string]string{"tag_x": "y"}, Tags: map[string]string{"x": "z"}}, true},
		{"props key json", graph.Node{ID: "d", Kind: graph.KindPolicy, Props: map[string]string{"json": "{}"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row, err := nodeRow(tt.node)
			if err != nil {
				t.Fatal(err)
			}
			if _, has := row["json"]; has != tt.wantJSON {
				t.Errorf("json property present = %v, want %v", has, tt.wantJSON)
			}
			stored := map[string]any{"gen": int64(3)} // as Neo4j returns properties(n)
			for k, v := range row {
				stored[k] = v
			}
			got, err := nodeFromProps(stored)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := asJSON(t, got), asJSON(t, tt.node); g != w {
				t.Errorf("read back %s, want %s", g, w)
			}
		})
	}
}

// TestEdgeRoundTrip: an edge is read back equal to the one written, from
// its JSON where it has one and otherwise from the relationship's type,
// endpoints and properties, in both directions of the edges query.
func TestEdgeRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		edge     graph.Edge
		wantJSON bool
		wantKeys []string
	}{
		{"structural", graph.Edge{ID: "e1", Kind: graph.EdgeInAccount, From: "arn:r", To: "account:1"}, false, []string{"id"}},
		{"structural cross-account", graph.Edge{ID: "e2", Kind: graph.EdgeMemberOf, From: "u", To: "g", CrossAccount: true}, false, []string{"id", "conditional", "crossAccount"}},
		{"assume, conditional", graph.Edge{ID: "e3", Kind: graph.EdgeCanAssume, From: "account:2", To: "role", Conditional: true,
			Condition: "sts:ExternalId = v", CrossAccount: true}, false, []string{"id", "conditional", "crossAccount", "condition"}},
		{"runs as", graph.Edge{ID: "e4", Kind: graph.EdgeRunsAs, From: "fn", To: "role"}, false, []string{"id", "conditional", "crossAccount"}},
		{"escalation", graph.Edge{ID: "e5", Kind: graph.EdgeCanEscalate, From: "u", To: "admin", Technique: "iam:PassRole"}, false, []string{"id", "conditional", "crossAccount", "technique"}},
		{"access with actions and evidence", graph.Edge{ID: "e6", Kind: graph.EdgeCanAccess, From: "role", To: "bucket",
			Actions:  []graph.ActionGrant{{Action: "s3:GetObject", Level: "Read", Condition: "aws:SourceVpc = v"}, {Action: "s3:*", Level: "Write", Except: []string{"s3:DeleteBucket"}}},
			Evidence: []graph.Evidence{{PolicyID: "p1"}}}, true, nil},
		{"denies only", graph.Edge{ID: "e7", Kind: graph.EdgeCanInvoke, From: "a", To: "b", Denies: []graph.Evidence{{PolicyID: "scp"}}}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			props, err := edgeProps(tt.edge)
			if err != nil {
				t.Fatal(err)
			}
			js, has := props["json"]
			if has != tt.wantJSON {
				t.Fatalf("json property present = %v, want %v", has, tt.wantJSON)
			}
			if tt.wantKeys != nil && len(props) != len(tt.wantKeys) {
				t.Errorf("properties %v, want exactly %v", props, tt.wantKeys)
			}
			for _, k := range tt.wantKeys {
				if _, ok := props[k]; !ok {
					t.Errorf("property %s missing from %v", k, props)
				}
			}
			for _, out := range []bool{true, false} {
				node, other := tt.edge.From, tt.edge.To
				if !out {
					node, other = other, node
				}
				// What the edges query returns: parts only without JSON.
				var parts any
				if !has {
					parts = []any{string(tt.edge.Kind), other, props["technique"], props["conditional"], props["condition"], props["crossAccount"]}
				}
				got, err := edgeFromParts(tt.edge.ID, node, out, js, parts)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := asJSON(t, got), asJSON(t, tt.edge); g != w {
					t.Errorf("out=%v: read back %s, want %s", out, g, w)
				}
			}
		})
	}
}

// TestSearchTextCovers: every text Search scores above zero (contained in
// the lower-cased name, ID or tag values, or equal to the account) is
// contained in the search text the text index narrows with, also when the
// name or account is left out because the ID already holds it.
func TestSearchTextCovers(t *testing.T) {
	nodes := []graph.Node{
		{ID: "arn:aws:dynamodb:eu-west-1:100000000049:table/orders-3497", Kind: graph.KindResource, Name: "49:table/orders-3497", Account: "100000000049"},
		{ID: "arn:aws:iam::111122223333:role/CI-Deploy", Kind: graph.KindRole, Name: "CI-Deploy", Account: "111122223333", Tags: map[string]string{"team": "Platform", "cost": "A1"}},
		{ID: "account:111122223333", Kind: graph.KindAccount, Name: "Production", Account: "111122223333"},
		{ID: "service:lambda.amazonaws.com", Kind: graph.KindServicePrincipal, Name: "lambda.amazonaws.com"},
		{ID: "anonymous", Kind: graph.KindAnonymous},
	}
	for _, n := range nodes {
		tt := tagText(n)
		search := searchText(n, tt)
		var texts []string
		for _, field := range []string{n.ID, n.Name, tt} {
			f := strings.ToLower(field)
			for i := 0; i < len(f); i++ {
				for j := i + 1; j <= len(f) && j <= i+12; j++ {
					texts = append(texts, f[i:j])
				}
			}
		}
		if n.Account != "" {
			texts = append(texts, n.Account)
		}
		for _, text := range texts {
			if !strings.Contains(search, text) {
				t.Errorf("node %s: search text %q does not contain %q", n.ID, search, text)
				break
			}
		}
	}
	if got := searchText(nodes[0], ""); got != strings.ToLower(nodes[0].ID) {
		t.Errorf("name and account inside the ARN: search text %q, want the lower-cased ID alone", got)
	}
}
