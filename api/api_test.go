package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/iamreach/iamreach/api"
	"github.com/iamreach/iamreach/graph"
)

type response struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, h http.Handler, method, target string, body io.Reader, hdr ...string) response {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func get(t *testing.T, h http.Handler, target string, hdr ...string) response {
	t.Helper()
	return do(t, h, http.MethodGet, target, nil, hdr...)
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, r.body, err)
	}
	return v
}

// errorOf checks the error shape and returns code and message.
func errorOf(t *testing.T, r response) (api.ErrorCode, string) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type = %q, want application/json", ct)
	}
	var raw map[string]map[string]any
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatalf("error body is not JSON: %s", r.body)
	}
	if len(raw) != 1 || raw["error"] == nil || len(raw["error"]) != 2 {
		t.Fatalf("error body %s: want exactly {\"error\":{\"code\",\"message\"}}", r.body)
	}
	code, _ := raw["error"]["code"].(string)
	msg, _ := raw["error"]["message"].(string)
	if code == "" || msg == "" {
		t.Fatalf("error body %s: empty code or message", r.body)
	}
	return api.ErrorCode(code), msg
}

func q(s string) string { return url.QueryEscape(s) }

func TestRoutesAnswer(t *testing.T) {
	fs := newFakeStore()
	h := api.New(fs, api.Options{})

	t.Run("health", func(t *testing.T) {
		r := get(t, h, "/api/v1/health")
		got := decode[api.HealthResponse](t, r)
		if r.status != 200 || got.Status != "ok" || got.Store != "memory" || got.Features != (api.Features{}) {
			t.Fatalf("health = %d %+v", r.status, got)
		}
		cs := &cypherStore{fakeStore: fs}
		for _, tc := range []struct {
			store graph.Store
			opts  api.Options
			want  api.Features
		}{
			{fs, api.Options{WhyNot: fakeWhyNot(fs)}, api.Features{WhyNot: true}},
			{fs, api.Options{CypherEnabled: true}, api.Features{}}, // the memory store runs no Cypher
			{cs, api.Options{CypherEnabled: true, Token: "0123456789abcdef"}, api.Features{Cypher: true, Token: true}},
			{cs, api.Options{}, api.Features{}},
		} {
			r := get(t, api.New(tc.store, tc.opts), "/api/v1/health")
			if got := decode[api.HealthResponse](t, r).Features; got != tc.want {
				t.Errorf("features with %+v = %+v, want %+v", tc.opts, got, tc.want)
			}
		}
	})
	t.Run("meta", func(t *testing.T) {
		r := get(t, h, "/api/v1/meta")
		got := decode[graph.Meta](t, r)
		if r.status != 200 || got.Source != "fake" || got.Nodes != 3 || !got.Complete {
			t.Fatalf("meta = %d %+v", r.status, got)
		}
	})
	t.Run("search", func(t *testing.T) {
		r := get(t, h, "/api/v1/search?q=orders")
		got := decode[api.SearchResponse](t, r)
		if r.status != 200 || len(got.Results) != 3 {
			t.Fatalf("search = %d %s", r.status, r.body)
		}
		if fs.lastSearch.Limit != 20 || fs.lastSearch.Text != "orders" {
			t.Errorf("search query = %+v, want default limit 20", fs.lastSearch)
		}
		r = get(t, h, "/api/v1/search?q=orders&kind=Role&limit=5")
		got = decode[api.SearchResponse](t, r)
		if len(got.Results) != 1 || got.Results[0].ID != roleARN {
			t.Fatalf("search kind=Role = %s", r.body)
		}
		if !slices.Equal(fs.lastSearch.Kinds, []graph.NodeKind{graph.KindRole}) || fs.lastSearch.Limit != 5 {
			t.Errorf("search query = %+v", fs.lastSearch)
		}
		r = get(t, h, "/api/v1/search?kind=Role,Resource")
		if got := decode[api.SearchResponse](t, r); r.status != 200 || len(got.Results) != 3 {
			t.Fatalf("search by kinds only = %d %s", r.status, r.body)
		}
		r = get(t, h, "/api/v1/search?q=nothing-like-this")
		if r.status != 200 || !bytes.Contains(r.body, []byte(`"results":[]`)) {
			t.Fatalf("empty search = %d %s, want results []", r.status, r.body)
		}
	})
	t.Run("node", func(t *testing.T) {
		r := get(t, h, "/api/v1/node?id="+q(roleARN))
		got := decode[api.NodeResponse](t, r)
		if r.status != 200 || got.Node.Name != "orders-api-role" || got.Node.Kind != graph.KindRole {
			t.Fatalf("node = %d %s", r.status, r.body)
		}
	})
	t.Run("neighbours", func(t *testing.T) {
		r := get(t, h, "/api/v1/neighbours?id="+q(roleARN)+"&direction=out&kind=CAN_ACCESS")
		got := decode[graph.Subgraph](t, r)
		if r.status != 200 || len(got.Edges) != 1 || got.Edges[0].To != bucketARN {
			t.Fatalf("neighbours out = %d %s", r.status, r.body)
		}
		if fs.lastNeighbours.Direction != "out" || fs.lastNeighbours.Limit != 200 ||
			!slices.Equal(fs.lastNeighbours.Kinds, []graph.EdgeKind{graph.EdgeCanAccess}) {
			t.Errorf("neighbour options = %+v", fs.lastNeighbours)
		}
		r = get(t, h, "/api/v1/neighbours?id="+q(roleARN))
		if got := decode[graph.Subgraph](t, r); len(got.Edges) != 2 || fs.lastNeighbours.Direction != "both" {
			t.Fatalf("neighbours both = %s (options %+v)", r.body, fs.lastNeighbours)
		}
	})
	t.Run("reach", func(t *testing.T) {
		r := get(t, h, "/api/v1/reach?from="+q(fnARN)+"&maxDepth=3&action=s3:Get*&action=s3:List*&accessLevel=Read&resourceType=s3:bucket&excludeConditional=true&limit=5")
		got := decode[graph.ReachResult](t, r)
		if r.status != 200 || got.Origin.ID != fnARN || len(got.Targets) != 1 || got.Targets[0].Node.ID != bucketARN {
			t.Fatalf("reach = %d %s", r.status, r.body)
		}
		if ev := got.Targets[0].Path.Edges[1].Evidence; len(ev) != 1 || ev[0].Sid != "Read" || !strings.Contains(string(ev[0].Statement), "s3:GetObject") {
			t.Errorf("reach evidence = %+v", ev)
		}
		want := graph.ReachOptions{MaxDepth: 3, Actions: []string{"s3:Get*", "s3:List*"}, AccessLevels: []string{"Read"},
			ResourceTypes: []string{"s3:bucket"}, ExcludeConditions: true, Limit: 5}
		if fmt.Sprint(fs.lastReach) != fmt.Sprint(want) {
			t.Errorf("reach options = %+v, want %+v", fs.lastReach, want)
		}
		r = get(t, h, "/api/v1/reach?from="+q(bucketARN))
		if r.status != 200 || !bytes.Contains(r.body, []byte(`"targets":[]`)) || !bytes.Contains(r.body, []byte(`"nodes":[]`)) {
			t.Fatalf("empty reach = %d %s, want targets [] and graph nodes []", r.status, r.body)
		}
		if fs.lastReach.MaxDepth != 0 || fs.lastReach.Limit != 0 {
			t.Errorf("absent maxDepth/limit should leave the store's defaults (0), got %+v", fs.lastReach)
		}
	})
	t.Run("reachers", func(t *testing.T) {
		r := get(t, h, "/api/v1/reachers?to="+q(bucketARN)+"&accessLevel=Read,Write")
		got := decode[graph.ReachResult](t, r)
		if r.status != 200 || len(got.Targets) != 2 || got.Origin.ID != bucketARN {
			t.Fatalf("reachers = %d %s", r.status, r.body)
		}
		if !slices.Equal(fs.lastReach.AccessLevels, []string{"Read", "Write"}) {
			t.Errorf("reachers options = %+v", fs.lastReach)
		}
	})
	t.Run("paths", func(t *testing.T) {
		r := get(t, h, "/api/v1/paths?from="+q(fnARN)+"&to="+q(bucketARN)+"&maxDepth=4&limit=3")
		got := decode[api.PathsResponse](t, r)
		if r.status != 200 || len(got.Paths) != 1 || len(got.Paths[0].Nodes) != 3 {
			t.Fatalf("paths = %d %s", r.status, r.body)
		}
		if fs.lastPaths != (graph.PathOptions{MaxDepth: 4, Limit: 3}) {
			t.Errorf("path options = %+v", fs.lastPaths)
		}
		r = get(t, h, "/api/v1/paths?from="+q(bucketARN)+"&to="+q(fnARN))
		if r.status != 200 || !bytes.Contains(r.body, []byte(`"paths":[]`)) {
			t.Fatalf("no paths = %d %s", r.status, r.body)
		}
	})
	t.Run("findings", func(t *testing.T) {
		r := get(t, h, "/api/v1/findings?kind=public")
		got := decode[api.FindingsResponse](t, r)
		if r.status != 200 || len(got.Findings) != 1 || got.Findings[0].ID != "f2" {
			t.Fatalf("findings = %d %s", r.status, r.body)
		}
		r = get(t, h, "/api/v1/findings?account=111122223333&subject="+q(roleARN)+"&limit=10")
		got = decode[api.FindingsResponse](t, r)
		if len(got.Findings) != 1 || got.Findings[0].ID != "f1" {
			t.Fatalf("findings by subject = %s", r.body)
		}
		if fs.lastFindings.Limit != 10 || fs.lastFindings.Account != "111122223333" {
			t.Errorf("finding query = %+v", fs.lastFindings)
		}
	})
	t.Run("openapi", func(t *testing.T) {
		r := get(t, h, "/api/v1/openapi.json")
		doc := decode[map[string]any](t, r)
		if r.status != 200 || doc["openapi"] != "3.0.3" {
			t.Fatalf("openapi = %d", r.status)
		}
	})
	t.Run("head", func(t *testing.T) {
		r := do(t, h, http.MethodHead, "/api/v1/meta", nil)
		if r.status != 200 {
			t.Fatalf("HEAD meta = %d", r.status)
		}
	})
}

func TestBadRequestNamesTheParameter(t *testing.T) {
	h := api.New(newFakeStore(), api.Options{WhyNot: func(context.Context, string, string, string) ([]graph.WhyNotResult, error) {
		return nil, errors.New("not reached: parameters are checked first")
	}})
	long := strings.Repeat("a", 3000)
	tests := []struct {
		target string
		param  string
	}{
		{"/api/v1/node", `"id"`},
		{"/api/v1/node?id=", `"id"`},
		{"/api/v1/node?id=a&id=b", `"id"`},
		{"/api/v1/node?id=" + long, `"id"`},
		{"/api/v1/node?id=a&ID=b", `"ID"`},
		{"/api/v1/search", `"q"`},
		{"/api/v1/search?q=a&limit=500", `"limit"`},
		{"/api/v1/search?q=a&limit=0", `"limit"`},
		{"/api/v1/search?q=a&limit=ten", `"limit"`},
		{"/api/v1/search?q=a&kind=Bucket", `"kind"`},
		{"/api/v1/search?q=" + long, `"q"`},
		{"/api/v1/neighbours?id=x&direction=up", `"direction"`},
		{"/api/v1/neighbours?id=x&kind=KNOWS", `"kind"`},
		{"/api/v1/neighbours?id=x&limit=99999", `"limit"`},
		{"/api/v1/reach", `"from"`},
		{"/api/v1/reach?from=x&maxDepth=abc", `"maxDepth"`},
		{"/api/v1/reach?from=x&maxDepth=0", `"maxDepth"`},
		{"/api/v1/reach?from=x&maxDepth=13", `"maxDepth"`},
		{"/api/v1/reach?from=x&maxdepth=3", `"maxdepth"`},
		{"/api/v1/reach?from=x&action=GetObject", `"action"`},
		{"/api/v1/reach?from=x&action=s3:Get%20Object", `"action"`},
		{"/api/v1/reach?from=x&accessLevel=read", `"accessLevel"`},
		{"/api/v1/reach?from=x&resourceType=bucket", `"resourceType"`},
		{"/api/v1/reach?from=x&excludeConditional=maybe", `"excludeConditional"`},
		{"/api/v1/reach?from=x&limit=10001", `"limit"`},
		{"/api/v1/reachers", `"to"`},
		{"/api/v1/reachers?to=x&accessLevel=Admin", `"accessLevel"`},
		{"/api/v1/paths?from=x", `"to"`},
		{"/api/v1/paths?to=x", `"from"`},
		{"/api/v1/paths?from=x&to=y&limit=101", `"limit"`},
		{"/api/v1/findings?account=123", `"account"`},
		{"/api/v1/findings?kind=scary", `"kind"`},
		{"/api/v1/findings?limit=-1", `"limit"`},
		{"/api/v1/meta?verbose=1", `"verbose"`},
		{"/api/v1/health?x=1", `"x"`},
		{"/api/v1/whynot?to=b&action=s3:GetObject", `"from"`},
		{"/api/v1/whynot?from=a&action=s3:GetObject", `"to"`},
		{"/api/v1/whynot?from=a&to=b&action=GetObject", `"action"`},
		{"/api/v1/whynot?from=a&to=b&action=s3:GetObject&action=s3:PutObject", `"action"`},
	}
	for _, tt := range tests {
		name := tt.target
		if len(name) > 80 {
			name = name[:80]
		}
		t.Run(name, func(t *testing.T) {
			r := get(t, h, tt.target)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status = %d (%s), want 400", r.status, r.body)
			}
			code, msg := errorOf(t, r)
			if code != api.CodeBadRequest || !strings.Contains(msg, tt.param) {
				t.Errorf("error = %s %q, want bad_request naming %s", code, msg, tt.param)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	h := api.New(newFakeStore(), api.Options{})
	missing := "arn:aws:iam::999999999999:role/ghost"
	tests := []struct{ target, want string }{
		{"/api/v1/node?id=" + q(missing), missing},
		{"/api/v1/neighbours?id=" + q(missing), missing},
		{"/api/v1/reach?from=" + q(missing), `"from"`},
		{"/api/v1/reachers?to=" + q(missing), `"to"`},
		{"/api/v1/paths?from=" + q(missing) + "&to=" + q(bucketARN), missing},
		{"/api/v1/nope", "/api/v1/nope"},
		{"/api/v1", "/api/v1"},
		{"/api/v2/reach", "/api/v2/reach"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			r := get(t, h, tt.target)
			if r.status != http.StatusNotFound {
				t.Fatalf("status = %d (%s), want 404", r.status, r.body)
			}
			if code, msg := errorOf(t, r); code != api.CodeNotFound || !strings.Contains(msg, tt.want) {
				t.Errorf("error = %s %q, want not_found mentioning %s", code, msg, tt.want)
			}
		})
	}
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestStoreErrors(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		block  bool
		status int
		code   api.ErrorCode
	}{
		{"unavailable", fmt.Errorf("neo4j: dial tcp 10.1.2.3:7687: %w", graph.ErrUnavailable), false, 503, api.CodeUnavailable},
		{"internal", errors.New("secret internal detail"), false, 500, api.CodeInternal},
		{"timeout", nil, true, 504, api.CodeTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeStore()
			fs.err, fs.block = tt.err, tt.block
			var logs syncBuffer
			h := api.New(fs, api.Options{QueryTimeout: 50 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil)), Token: "a-token-so-details-stay-private"})
			for _, target := range []string{"/api/v1/meta", "/api/v1/search?q=a", "/api/v1/node?id=a", "/api/v1/neighbours?id=a",
				"/api/v1/reach?from=a", "/api/v1/reachers?to=a", "/api/v1/paths?from=a&to=b", "/api/v1/findings"} {
				r := get(t, h, target, "Authorization", "Bearer a-token-so-details-stay-private")
				code, msg := errorOf(t, r)
				if r.status != tt.status || code != tt.code {
					t.Errorf("%s: %d %s, want %d %s", target, r.status, code, tt.status, tt.code)
				}
				if strings.Contains(msg, "secret internal detail") || strings.Contains(msg, "10.1.2.3") {
					t.Errorf("%s: internal detail leaked to the client: %q", target, msg)
				}
			}
			if tt.err != nil && !strings.Contains(logs.String(), tt.err.Error()) {
				t.Errorf("the server log lacks the cause %q:\n%s", tt.err, logs.String())
			}
		})
	}
}

// TestUnavailableTellsTheOperator: without a token (loopback) the person
// asking runs the server, so a 503 says which store does not answer.
func TestUnavailableTellsTheOperator(t *testing.T) {
	fs := newFakeStore()
	fs.err = fmt.Errorf("neo4j at bolt://127.0.0.1:7687 is unreachable: start Neo4j: %w", graph.ErrUnavailable)
	r := get(t, api.New(fs, api.Options{}), "/api/v1/meta")
	if code, msg := errorOf(t, r); r.status != 503 || code != api.CodeUnavailable || !strings.Contains(msg, "start Neo4j") {
		t.Fatalf("= %d %s %q", r.status, code, msg)
	}
}

type panicStore struct{ *fakeStore }

func (panicStore) Meta(context.Context) (graph.Meta, error) { panic("boom") }

func TestPanicBecomesInternalError(t *testing.T) {
	var logs syncBuffer
	h := api.New(panicStore{newFakeStore()}, api.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	r := get(t, h, "/api/v1/meta")
	if code, _ := errorOf(t, r); r.status != 500 || code != api.CodeInternal {
		t.Fatalf("panic = %d %s", r.status, code)
	}
	if r.header.Get("Content-Security-Policy") == "" {
		t.Error("security headers missing on the panic response")
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("panic not logged: %s", logs.String())
	}
	if r := get(t, h, "/api/v1/health"); r.status != 200 {
		t.Errorf("server unusable after a panic: %d", r.status)
	}
}

var getRoutes = []string{"/api/v1/health", "/api/v1/openapi.json", "/api/v1/meta", "/api/v1/search", "/api/v1/node",
	"/api/v1/neighbours", "/api/v1/reach", "/api/v1/reachers", "/api/v1/paths", "/api/v1/findings", "/api/v1/whynot"}

func TestWriteMethodsNotAllowed(t *testing.T) {
	h := api.New(&cypherStore{fakeStore: newFakeStore()}, api.Options{CypherEnabled: true})
	for _, route := range getRoutes {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			r := do(t, h, m, route+"?id=x", strings.NewReader(`{}`), "Content-Type", "application/json")
			if r.status != http.StatusMethodNotAllowed {
				t.Errorf("%s %s = %d, want 405", m, route, r.status)
				continue
			}
			if code, _ := errorOf(t, r); code != api.CodeMethodNotAllowed {
				t.Errorf("%s %s code = %s", m, route, code)
			}
			if got := r.header.Get("Allow"); got != "GET, HEAD" {
				t.Errorf("%s %s: Allow = %q, want GET, HEAD", m, route, got)
			}
		}
	}
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		r := do(t, h, m, "/api/v1/cypher", nil)
		if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "POST" {
			t.Errorf("%s /cypher = %d Allow %q, want 405 Allow POST", m, r.status, r.header.Get("Allow"))
		}
	}
	for _, path := range []string{"/", "/reach"} {
		r := do(t, h, http.MethodPost, path, nil)
		if code, _ := errorOf(t, r); r.status != http.StatusMethodNotAllowed || code != api.CodeMethodNotAllowed {
			t.Errorf("POST %s = %d %s, want 405", path, r.status, code)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	ui := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>x</title>")}}
	h := api.New(newFakeStore(), api.Options{UI: ui, Token: "t0k"})
	want := map[string]string{
		"X-Content-Type-Options":       "nosniff",
		"X-Frame-Options":              "DENY",
		"Referrer-Policy":              "no-referrer",
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
		"Content-Security-Policy":      api.ContentSecurityPolicy,
	}
	auth := []string{"Authorization", "Bearer t0k"}
	cases := []struct {
		method, target string
		api            bool
	}{
		{"GET", "/api/v1/meta", true},
		{"GET", "/api/v1/health", true},
		{"GET", "/api/v1/node?id=ghost", true},
		{"GET", "/api/v1/reach", true},
		{"GET", "/api/v1/nope", true},
		{"DELETE", "/api/v1/meta", true},
		{"GET", "/", false},
		{"GET", "/reach", false},
		{"GET", "/missing.js", false},
	}
	for _, c := range cases {
		r := do(t, h, c.method, c.target, nil, auth...)
		for k, v := range want {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s %s: %s = %q, want %q", c.method, c.target, k, got, v)
			}
		}
		if c.api && r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: Cache-Control = %q, want no-store", c.method, c.target, r.header.Get("Cache-Control"))
		}
	}
	// Unauthorized answers carry the headers too.
	r := get(t, h, "/api/v1/meta")
	if r.status != 401 || r.header.Get("X-Frame-Options") != "DENY" || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("401 headers = %v", r.header)
	}
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "*"} {
		if strings.Contains(api.ContentSecurityPolicy, bad) {
			t.Errorf("CSP allows %s", bad)
		}
	}
}

func TestToken(t *testing.T) {
	ui := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>x</title>")}}
	h := api.New(newFakeStore(), api.Options{Token: "s3cret-token", UI: ui})
	tests := []struct {
		name   string
		target string
		auth   string
		status int
	}{
		{"no header", "/api/v1/meta", "", 401},
		{"wrong token", "/api/v1/meta", "Bearer nope", 401},
		{"prefix of token", "/api/v1/meta", "Bearer s3cret", 401},
		{"token plus more", "/api/v1/meta", "Bearer s3cret-token2", 401},
		{"basic scheme", "/api/v1/meta", "Basic s3cret-token", 401},
		{"no scheme", "/api/v1/meta", "s3cret-token", 401},
		{"right token", "/api/v1/meta", "Bearer s3cret-token", 200},
		{"scheme case-insensitive", "/api/v1/meta", "bearer s3cret-token", 200},
		{"every route: reach", "/api/v1/reach?from=" + q(fnARN), "", 401},
		{"every route: openapi", "/api/v1/openapi.json", "", 401},
		{"every route: cypher off still needs token", "/api/v1/findings", "", 401},
		{"health is open", "/api/v1/health", "", 200},
		{"the UI files are open", "/", "", 200},
		{"a token in the query is not accepted", "/api/v1/meta?token=s3cret-token", "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			if tt.auth != "" {
				hdr = []string{"Authorization", tt.auth}
			}
			r := get(t, h, tt.target, hdr...)
			if r.status != tt.status {
				t.Fatalf("status = %d (%s), want %d", r.status, r.body, tt.status)
			}
			if tt.status == 401 {
				if code, _ := errorOf(t, r); code != api.CodeUnauthorized {
					t.Errorf("code = %s", code)
				}
				if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
				}
			}
		})
	}
	// Without a token configured, no header is needed.
	if r := get(t, api.New(newFakeStore(), api.Options{}), "/api/v1/meta"); r.status != 200 {
		t.Errorf("no token configured: %d", r.status)
	}
}

func TestCypher(t *testing.T) {
	post := func(h http.Handler, body string, hdr ...string) response {
		if len(hdr) == 0 {
			hdr = []string{"Content-Type", "application/json"}
		}
		return do(t, h, http.MethodPost, "/api/v1/cypher", strings.NewReader(body), hdr...)
	}
	t.Run("disabled by default", func(t *testing.T) {
		cs := &cypherStore{fakeStore: newFakeStore()}
		r := post(api.New(cs, api.Options{}), `{"query":"MATCH (n) RETURN n"}`)
		if code, msg := errorOf(t, r); r.status != 404 || code != api.CodeNotFound || !strings.Contains(msg, "--cypher") {
			t.Fatalf("disabled cypher = %d %s %q", r.status, code, msg)
		}
		if cs.lastQuery != "" {
			t.Error("a disabled endpoint ran the query")
		}
	})
	t.Run("store without cypher", func(t *testing.T) {
		r := post(api.New(newFakeStore(), api.Options{CypherEnabled: true}), `{"query":"MATCH (n) RETURN n"}`)
		if code, _ := errorOf(t, r); r.status != 404 || code != api.CodeNotFound {
			t.Fatalf("cypher on memory store = %d %s", r.status, code)
		}
	})
	cs := &cypherStore{fakeStore: newFakeStore()}
	h := api.New(cs, api.Options{CypherEnabled: true, CypherRowLimit: 7, QueryTimeout: 50 * time.Millisecond})
	t.Run("runs read query", func(t *testing.T) {
		r := post(h, `{"query":" MATCH (n {name:$name}) RETURN n.name AS n LIMIT $k ","params":{"name":"orders-api","k":3,"x":1.5,"nested":[1,{"y":2}]}}`)
		got := decode[graph.CypherResult](t, r)
		if r.status != 200 || !slices.Equal(got.Columns, []string{"n"}) || len(got.Rows) != 1 || got.Rows[0][0] != "orders-api" {
			t.Fatalf("cypher = %d %s", r.status, r.body)
		}
		if cs.lastLimit != 7 || cs.lastQuery != "MATCH (n {name:$name}) RETURN n.name AS n LIMIT $k" {
			t.Errorf("runner got limit %d query %q", cs.lastLimit, cs.lastQuery)
		}
		if k, ok := cs.lastParams["k"].(int64); !ok || k != 3 {
			t.Errorf("integer parameter k = %#v, want int64 3", cs.lastParams["k"])
		}
		if x, ok := cs.lastParams["x"].(float64); !ok || x != 1.5 {
			t.Errorf("float parameter x = %#v", cs.lastParams["x"])
		}
		nested, _ := cs.lastParams["nested"].([]any)
		if len(nested) != 2 || nested[0] != int64(1) || nested[1].(map[string]any)["y"] != int64(2) {
			t.Errorf("nested parameters = %#v", cs.lastParams["nested"])
		}
	})
	bad := []struct {
		name, body string
		hdr        []string
		want       string
	}{
		{"write refused by the store", `{"query":"CREATE (n:Evil) RETURN n"}`, nil, "not allowed"},
		{"empty query", `{"query":"  "}`, nil, `"query"`},
		{"unknown field", `{"query":"RETURN 1","mode":"write"}`, nil, "mode"},
		{"not JSON", `RETURN 1`, nil, "JSON"},
		{"two values", `{"query":"RETURN 1"}{"query":"RETURN 2"}`, nil, "more than one"},
		{"form content type", `{"query":"RETURN 1"}`, []string{"Content-Type", "text/plain"}, "application/json"},
		{"too large", `{"query":"` + strings.Repeat("x", 70<<10) + `"}`, nil, "larger than"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			r := post(h, tt.body, tt.hdr...)
			if code, msg := errorOf(t, r); r.status != 400 || code != api.CodeBadRequest || !strings.Contains(msg, tt.want) {
				t.Fatalf("= %d %s %q, want 400 mentioning %s", r.status, code, msg, tt.want)
			}
		})
	}
	t.Run("timeout", func(t *testing.T) {
		cs.setBlock(true)
		defer cs.setBlock(false)
		r := post(h, `{"query":"MATCH (n) RETURN n"}`)
		if code, _ := errorOf(t, r); r.status != 504 || code != api.CodeTimeout {
			t.Fatalf("slow cypher = %d %s", r.status, code)
		}
	})
}

func TestHealthFollowsTheStore(t *testing.T) {
	ps := &pingStore{fakeStore: newFakeStore()}
	h := api.New(ps, api.Options{StoreName: "neo4j"})
	check := func(wantStatus int, want string) api.HealthResponse {
		t.Helper()
		r := get(t, h, "/api/v1/health")
		got := decode[api.HealthResponse](t, r)
		if r.status != wantStatus || got.Status != want || got.Store != "neo4j" {
			t.Fatalf("health = %d %+v, want %d %s", r.status, got, wantStatus, want)
		}
		return got
	}
	check(200, "ok")
	ps.setDown(fmt.Errorf("connect to bolt://127.0.0.1:7687: %w", graph.ErrUnavailable))
	got := check(503, "unhealthy")
	if !strings.Contains(got.Error, "7687") {
		t.Errorf("without a token the operator is told why: %q", got.Error)
	}
	ps.setDown(nil)
	check(200, "ok")

	// With a token (a server reachable from elsewhere) the reason stays in the log.
	ps.setDown(errors.New("auth failure for user neo4j at 10.0.0.5"))
	r := get(t, api.New(ps, api.Options{StoreName: "neo4j", Token: "t"}), "/api/v1/health")
	if got := decode[api.HealthResponse](t, r); r.status != 503 || strings.Contains(got.Error, "10.0.0.5") || got.Error == "" {
		t.Errorf("health with token = %d %+v", r.status, got)
	}
}

func TestUI(t *testing.T) {
	t.Run("not built", func(t *testing.T) {
		for _, ui := range []fstest.MapFS{nil, {".keep": {Data: nil}}} {
			h := api.New(newFakeStore(), api.Options{UI: ui})
			r := get(t, h, "/")
			if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
				!bytes.Contains(r.body, []byte("not built")) || !bytes.Contains(r.body, []byte("make build")) {
				t.Fatalf("/ without UI = %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
			}
			if bytes.Contains(r.body, []byte("<script")) || bytes.Contains(r.body, []byte("style=")) {
				t.Error("the not-built page must hold nothing inline (CSP)")
			}
			if r := get(t, h, "/api/v1/health"); r.status != 200 {
				t.Errorf("API without UI: %d", r.status)
			}
		}
	})
	ui := fstest.MapFS{
		"index.html":         {Data: []byte("<!doctype html><script src=/assets/app-1234.js></script>")},
		"assets/app-1234.js": {Data: []byte("console.log('app')")},
		"assets/app.css":     {Data: []byte("body{}")},
	}
	h := api.New(newFakeStore(), api.Options{UI: ui})
	tests := []struct {
		target, ctype string
		status        int
		body          string
	}{
		{"/", "text/html", 200, "<!doctype html>"},
		{"/index.html", "text/html", 200, "<!doctype html>"},
		{"/assets/app-1234.js", "text/javascript", 200, "console.log"},
		{"/assets/app.css", "text/css", 200, "body{}"},
		{"/reach", "text/html", 200, "<!doctype html>"},
		{"/explore/deep/link", "text/html", 200, "<!doctype html>"},
		{"/assets/missing.js", "text/plain", 404, "not found"},
		{"/assets", "text/html", 200, "<!doctype html>"},
		{"/../../etc/passwd", "text/html", 200, "<!doctype html>"}, // cleaned to a client route, never a file outside the UI
		{"/assets/../assets/app.css", "text/css", 200, "body{}"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			r := get(t, h, tt.target)
			if r.status != tt.status || !strings.HasPrefix(r.header.Get("Content-Type"), tt.ctype) || !bytes.Contains(r.body, []byte(tt.body)) {
				t.Fatalf("= %d %q %q, want %d %s %q", r.status, r.header.Get("Content-Type"), r.body, tt.status, tt.ctype, tt.body)
			}
		})
	}
}

func TestAllowedHosts(t *testing.T) {
	h := api.New(newFakeStore(), api.Options{AllowedHosts: api.LoopbackHosts()})
	for host, want := range map[string]int{
		"127.0.0.1:8080":        200,
		"localhost:8080":        200,
		"LOCALHOST":             200,
		"[::1]:8080":            200,
		"attacker.example:8080": 400,
		"attacker.example":      400,
		"10.0.0.1:8080":         400,
	} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/health", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Host %s: %d, want %d", host, rec.Code, want)
		}
		if want == 400 {
			if code, msg := errorOf(t, response{rec.Code, rec.Header(), rec.Body.Bytes()}); code != api.CodeBadRequest || !strings.Contains(msg, "host") {
				t.Errorf("Host %s: %s %q", host, code, msg)
			}
		}
	}
}

func TestWhyNot(t *testing.T) {
	fs := newFakeStore()
	h := api.New(fs, api.Options{WhyNot: fakeWhyNot(fs), QueryTimeout: 50 * time.Millisecond})
	base := "/api/v1/whynot?from=" + q(fnARN) + "&to=" + q(bucketARN)

	r := get(t, h, base+"&action=s3:PutObject")
	got := decode[api.WhyNotResponse](t, r)
	if r.status != 200 || got.Action != "s3:PutObject" || got.From != fnARN || got.To != bucketARN || len(got.Results) != 1 ||
		got.Results[0].Result != "ImplicitlyDenied" || got.Results[0].BlockedBy == "" {
		t.Fatalf("denied = %d %s", r.status, r.body)
	}
	r = get(t, h, base+"&action=s3:GetObject")
	if got := decode[api.WhyNotResponse](t, r); got.Results[0].Result != "Allowed" || len(got.Results[0].Allowing) != 1 {
		t.Fatalf("allowed = %s", r.body)
	}
	// Without action, on a role: the function decides sts:AssumeRole, and the answer says so.
	r = get(t, h, "/api/v1/whynot?from="+q(fnARN)+"&to="+q(roleARN))
	if got := decode[api.WhyNotResponse](t, r); r.status != 200 || got.Action != "sts:AssumeRole" {
		t.Fatalf("role without action = %d %s", r.status, r.body)
	}
	// Without action, on a resource: the engine's message, as a bad request.
	r = get(t, h, base)
	if code, msg := errorOf(t, r); r.status != 400 || code != api.CodeBadRequest || !strings.Contains(msg, "action") {
		t.Fatalf("no action = %d %s %q", r.status, code, msg)
	}
	r = get(t, h, "/api/v1/whynot?from=ghost&to="+q(bucketARN)+"&action=s3:GetObject")
	if code, msg := errorOf(t, r); r.status != 404 || code != api.CodeNotFound || !strings.Contains(msg, `"from"`) {
		t.Fatalf("unknown origin = %d %s %q", r.status, code, msg)
	}
	// Served without a snapshot (--graph, --neo4j): 404 saying what is needed.
	r = get(t, api.New(fs, api.Options{}), base+"&action=s3:GetObject")
	if code, msg := errorOf(t, r); r.status != 404 || code != api.CodeNotFound || !strings.Contains(msg, "--snapshot") {
		t.Fatalf("no snapshot = %d %s %q", r.status, code, msg)
	}
	// A decision that takes too long is abandoned at the deadline.
	fs.setBlock(true)
	r = get(t, h, base+"&action=s3:GetObject")
	fs.setBlock(false)
	if code, _ := errorOf(t, r); r.status != 504 || code != api.CodeTimeout {
		t.Fatalf("slow = %d %s", r.status, code)
	}
	// A crash inside the engine is a 500, and the server goes on.
	var logs syncBuffer
	hp := api.New(fs, api.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		WhyNot: func(context.Context, string, string, string) ([]graph.WhyNotResult, error) { panic("engine bug") }})
	for range 3 { // more than the concurrency bound: slots are released after a panic
		r = get(t, hp, base+"&action=s3:GetObject")
		if code, _ := errorOf(t, r); r.status != 500 || code != api.CodeInternal {
			t.Fatalf("panic = %d %s", r.status, code)
		}
	}
	if !strings.Contains(logs.String(), "engine bug") {
		t.Errorf("panic not logged: %s", logs.String())
	}
}

func TestLargeAnswersAreCompressed(t *testing.T) {
	h := api.New(newFakeStore(), api.Options{})
	r := get(t, h, "/api/v1/reach?from="+q(fnARN), "Accept-Encoding", "gzip")
	if r.status != 200 || r.header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("= %d, Content-Encoding %q", r.status, r.header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	var res graph.ReachResult
	if err := json.NewDecoder(zr).Decode(&res); err != nil || len(res.Targets) != 1 {
		t.Fatalf("decompressed reach = %+v, %v", res, err)
	}
	// Without Accept-Encoding the answer is plain.
	if r := get(t, h, "/api/v1/meta"); r.header.Get("Content-Encoding") != "" || !json.Valid(r.body) {
		t.Errorf("plain answer: %q %s", r.header.Get("Content-Encoding"), r.body)
	}
}

func TestUIAssetsCompressedAndCached(t *testing.T) {
	js := strings.Repeat("console.log('a reasonably long bundle');\n", 200)
	ui := fstest.MapFS{
		"index.html":         {Data: []byte("<!doctype html><script src=/assets/app-1234.js></script>")},
		"assets/app-1234.js": {Data: []byte(js)},
		"logo.png":           {Data: []byte("\x89PNG not really")},
	}
	h := api.New(newFakeStore(), api.Options{UI: ui})
	r := get(t, h, "/assets/app-1234.js", "Accept-Encoding", "br, gzip")
	if r.header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(r.header.Get("Cache-Control"), "immutable") || len(r.body) >= len(js) {
		t.Fatalf("asset = %v, %d bytes for %d", r.header, len(r.body), len(js))
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != js {
		t.Fatal("gzip body does not decompress to the file")
	}
	// Twice: the cached copy is the same.
	if r2 := get(t, h, "/assets/app-1234.js", "Accept-Encoding", "gzip"); !bytes.Equal(r2.body, r.body) {
		t.Error("second answer differs")
	}
	for _, tc := range []struct{ name, enc, rng string }{{"no gzip", "", ""}, {"gzip refused", "gzip;q=0", ""}, {"range", "gzip", "bytes=0-9"}} {
		r := get(t, h, "/assets/app-1234.js", "Accept-Encoding", tc.enc, "Range", tc.rng)
		if r.header.Get("Content-Encoding") != "" {
			t.Errorf("%s: Content-Encoding %q", tc.name, r.header.Get("Content-Encoding"))
		}
		if tc.rng != "" && (r.status != http.StatusPartialContent || string(r.body) != js[:10]) {
			t.Errorf("range = %d %q", r.status, r.body)
		}
	}
	if r := get(t, h, "/", "Accept-Encoding", "gzip"); r.header.Get("Cache-Control") != "no-cache" || r.header.Get("Content-Encoding") != "gzip" {
		t.Errorf("index.html headers = %v", r.header)
	}
	if r := get(t, h, "/logo.png", "Accept-Encoding", "gzip"); r.header.Get("Content-Encoding") != "" {
		t.Errorf("a PNG is not compressed again: %v", r.header)
	}
}
