package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/neo4j"
)

// TestServeNeo4jAnswers loads the demo organization into a real Neo4j
// (make test-neo4j starts one), serves it with serve --neo4j --cypher, and
// checks that the API answers as the embedded store does, that Cypher
// reads work and writes are refused.
func TestServeNeo4jAnswers(t *testing.T) {
	uri := os.Getenv("IAMREACH_NEO4J_URI")
	if uri == "" {
		t.Skip("IAMREACH_NEO4J_URI not set: run make test-neo4j for the tests against a real Neo4j")
	}
	ctx := context.Background()
	in := graphInput{demo: true}
	g, _, err := in.load(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	st, err := neo4j.Open(ctx, neo4j.Config{URI: uri})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	if _, err := st.Load(ctx, g, neo4j.LoadOptions{}); err != nil {
		t.Fatalf("load the demo into neo4j: %v", err)
	}

	r := startServer(t, nil, "serve", "--neo4j", uri, "--cypher", "--listen", "127.0.0.1:0")
	var health struct{ Status, Store string }
	if code := r.getJSON(t, "/api/v1/health", &health); code != 200 || health.Status != "ok" || health.Store != "neo4j" {
		t.Fatalf("health = %d %+v", code, health)
	}

	// Same question, same answer as the embedded store (unless another
	// test switched Neo4j's current graph meanwhile: then say so).
	fn := "arn:aws:lambda:eu-west-1:333333333333:function:create-order"
	var before, after graph.Meta
	r.getJSON(t, "/api/v1/meta", &before)
	code, _, body := r.get(t, "/api/v1/reach?from="+url.QueryEscape(fn))
	r.getJSON(t, "/api/v1/meta", &after)
	if before.Source != g.Meta.Source || after.Source != g.Meta.Source {
		t.Logf("another load replaced the demo in Neo4j during the test (%q, %q); answer comparison skipped", before.Source, after.Source)
	} else {
		want, err := graph.NewMemory(g).Reach(ctx, fn, graph.ReachOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got graph.ReachResult
		if err := json.Unmarshal(body, &got); err != nil || code != 200 {
			t.Fatalf("reach over neo4j = %d %s", code, body)
		}
		wb, _ := json.Marshal(want.Targets)
		gb, _ := json.Marshal(got.Targets)
		if len(want.Targets) == 0 || string(wb) != string(gb) {
			t.Errorf("reach targets differ between neo4j and memory:\nneo4j:  %.500s\nmemory: %.500s", gb, wb)
		}
	}

	post := func(query string) (int, []byte) {
		b, _ := json.Marshal(map[string]any{"query": query})
		resp, err := http.Post(r.base+"/api/v1/cypher", "application/json", strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out json.RawMessage
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, body := post("MATCH (n) RETURN count(n) AS n"); code != 200 || !strings.Contains(string(body), `"columns":["n"]`) {
		t.Errorf("read cypher = %d %s", code, body)
	}
	for _, q := range []string{"CREATE (n:Evil) RETURN n", "MATCH (n) DETACH DELETE n", "MATCH (n) SET n.x = 1", "MERGE (n:Evil)", "CALL dbms.security.createUser('x','y')"} {
		if code, body := post(q); code != 400 || !strings.Contains(string(body), "bad_request") {
			t.Errorf("%s = %d %s, want 400 refused", q, code, body)
		}
	}
}
