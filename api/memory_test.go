package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/iamreach/iamreach/api"
	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/storetest"
)

// sameJSON compares an API body with what the store answers directly, as
// JSON (the API adds nothing and drops nothing; empty lists become []).
func sameJSON(t *testing.T, what string, body []byte, direct any) {
	t.Helper()
	want, err := json.Marshal(direct)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	_ = json.Unmarshal(want, &b)
	if !storetest.Equal(dropEmpty(a), dropEmpty(b)) {
		t.Errorf("%s: API answer differs from the store's\napi:   %.400s\nstore: %.400s", what, body, want)
	}
}

// dropEmpty removes null and empty-list members, the only difference the
// API may introduce (it writes [] where a store returns nil).
func dropEmpty(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range t {
			if e == nil {
				continue
			}
			if l, ok := e.([]any); ok && len(l) == 0 {
				continue
			}
			out[k] = dropEmpty(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = dropEmpty(e)
		}
		return out
	}
	return v
}

// TestMemoryStoreThroughTheAPI serves a generated organization from the
// real embedded store and asks every question about many nodes: each API
// answer must equal the store's own answer and match the document.
func TestMemoryStoreThroughTheAPI(t *testing.T) {
	g := storetest.Generate(storetest.GenSpec{Accounts: 3, Roles: 8, Users: 3, Functions: 4, Resources: 10}, 7)
	store := graph.NewMemory(g)
	h := api.New(store, api.Options{})
	c := schemaChecker{doc: loadDoc(t)}
	ctx := context.Background()

	check := func(path, query string, direct any) {
		t.Helper()
		r := get(t, h, api.APIPrefix+path+"?"+query)
		if r.status != http.StatusOK {
			t.Fatalf("%s?%s = %d %s", path, query, r.status, r.body)
		}
		c.conforms(t, "GET", path, r)
		sameJSON(t, path+"?"+query, r.body, direct)
	}

	m, _ := store.Meta(ctx)
	check("/meta", "", m)
	fs, _ := store.Findings(ctx, graph.FindingQuery{})
	check("/findings", "", api.FindingsResponse{Findings: fs})
	if len(fs) == 0 {
		t.Fatal("the generated graph has no findings; the test would prove nothing")
	}

	var principals, resources []graph.Node
	for _, n := range g.Nodes {
		switch {
		case n.Kind == graph.KindRole || n.Kind == graph.KindUser || n.Type == "lambda:function":
			principals = append(principals, n)
		case n.Kind == graph.KindResource:
			resources = append(resources, n)
		}
	}
	if len(principals) < 5 || len(resources) < 5 {
		t.Fatalf("generated graph too small: %d principals, %d resources", len(principals), len(resources))
	}
	targets := 0
	for i, n := range principals {
		if i%3 != 0 {
			continue
		}
		id := q(n.ID)
		nd, _ := store.Node(ctx, n.ID)
		check("/node", "id="+id, api.NodeResponse{Node: nd})
		nb, _ := store.Neighbours(ctx, n.ID, graph.NeighbourOptions{Direction: "both", Limit: 200})
		check("/neighbours", "id="+id, nb)
		rr, _ := store.Reach(ctx, n.ID, graph.ReachOptions{})
		check("/reach", "from="+id, rr)
		targets += len(rr.Targets)
		rf, _ := store.Reach(ctx, n.ID, graph.ReachOptions{AccessLevels: []string{graph.LevelWrite}, MaxDepth: 2, ExcludeConditions: true})
		check("/reach", "from="+id+"&accessLevel=Write&maxDepth=2&excludeConditional=true", rf)
		r := resources[i%len(resources)]
		ps, _ := store.Paths(ctx, n.ID, r.ID, graph.PathOptions{})
		check("/paths", "from="+id+"&to="+q(r.ID), api.PathsResponse{Paths: ps})
		sr, _ := store.Search(ctx, graph.SearchQuery{Text: n.Name, Limit: 20})
		check("/search", "q="+q(n.Name), api.SearchResponse{Results: sr})
	}
	for i, r := range resources {
		if i%4 != 0 {
			continue
		}
		rr, _ := store.Reachers(ctx, r.ID, graph.ReachOptions{})
		check("/reachers", "to="+q(r.ID), rr)
		fr, _ := store.Findings(ctx, graph.FindingQuery{Subject: r.ID})
		check("/findings", "subject="+q(r.ID), api.FindingsResponse{Findings: fr})
	}
	if targets == 0 {
		t.Error("no reach answer had targets; the comparison proved little")
	}
}
