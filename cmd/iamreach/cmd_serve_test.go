package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iamreach/iamreach/graph"
)

// syncWriter collects stderr from a running command.
type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// running is a serve or demo command started in-process on a free
// loopback port, as a user would start it.
type liveServer struct {
	base   string // http://127.0.0.1:PORT
	lines  chan string
	stderr *syncWriter
	cancel context.CancelFunc
	code   chan int
}

var servingURLRE = regexp.MustCompile(`at (http://[^ ]+)/\s*$`)

func startServer(t *testing.T, vars map[string]string, args ...string) *liveServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	r := &liveServer{lines: make(chan string, 100), stderr: &syncWriter{}, cancel: cancel, code: make(chan int, 1)}
	e := &env{stdout: pw, stderr: r.stderr, getenv: func(k string) string { return vars[k] }}
	go func() {
		r.code <- run(ctx, e, args)
		pw.Close()
	}()
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
		close(r.lines)
	}()
	t.Cleanup(func() { r.stop(t) })
	for {
		select {
		case line, ok := <-r.lines:
			if !ok {
				t.Fatalf("%v exited before serving (code %d): %s", args, <-r.code, r.stderr.String())
			}
			if m := servingURLRE.FindStringSubmatch(line); m != nil {
				r.base = m[1]
				return r
			}
		case <-time.After(2 * time.Minute):
			t.Fatalf("%v did not print its URL: %s", args, r.stderr.String())
		}
	}
}

// stop cancels the command as Ctrl-C would and checks it exits 0.
func (r *liveServer) stop(t *testing.T) {
	t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case code := <-r.code:
		if code != 0 {
			t.Errorf("exit code %d after Ctrl-C: %s", code, r.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Error("did not stop after Ctrl-C")
	}
	var rest []string
	for l := range r.lines {
		rest = append(rest, l)
	}
	if !strings.Contains(strings.Join(rest, "\n"), "stopped") {
		t.Errorf("no 'stopped' line after shutdown: %q", rest)
	}
}

func (r *liveServer) get(t *testing.T, path string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func (r *liveServer) getJSON(t *testing.T, path string, v any, hdr ...string) int {
	t.Helper()
	code, _, body := r.get(t, path, hdr...)
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %d %s: %v", path, code, body, err)
	}
	return code
}

// tinyGraph is a function → role → bucket graph written as a graph file.
func tinyGraphFile(t *testing.T) string {
	t.Helper()
	fn := "arn:aws:lambda:eu-west-1:111122223333:function:thumbnailer"
	role := "arn:aws:iam::111122223333:role/thumbnailer"
	bucket := "arn:aws:s3:::images"
	g := &graph.Graph{
		Meta: graph.Meta{Source: "tiny test graph", GeneratedAt: "2026-12-06T00:00:00Z", Complete: true, Accounts: 1, Nodes: 3, Edges: 2},
		Nodes: []graph.Node{
			{ID: fn, Kind: graph.KindResource, Name: "thumbnailer", Type: "lambda:function", Account: "111122223333"},
			{ID: role, Kind: graph.KindRole, Name: "thumbnailer", Account: "111122223333"},
			{ID: bucket, Kind: graph.KindResource, Name: "images", Type: "s3:bucket", Account: "111122223333"},
		},
		Edges: []graph.Edge{
			{ID: "e1", Kind: graph.EdgeRunsAs, From: fn, To: role},
			{ID: "e2", Kind: graph.EdgeCanAccess, From: role, To: bucket,
				Actions: []graph.ActionGrant{{Action: "s3:GetObject", Level: graph.LevelRead}},
				Evidence: []graph.Evidence{{PolicyType: graph.PolicyIdentity, PolicyID: role + "#inline/read", PolicyName: "read",
					Effect: "Allow", Statement: json.RawMessage(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::images/*"}`)}}},
		},
	}
	path := filepath.Join(t.TempDir(), "tiny.graph.json")
	if err := graph.WriteFile(path, g); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestServeGraphFile(t *testing.T) {
	r := startServer(t, nil, "serve", "--graph", tinyGraphFile(t), "--listen", "127.0.0.1:0")

	var health struct{ Status, Store string }
	if code := r.getJSON(t, "/api/v1/health", &health); code != 200 || health.Status != "ok" || health.Store != "memory" {
		t.Fatalf("health = %d %+v", code, health)
	}
	var meta graph.Meta
	if r.getJSON(t, "/api/v1/meta", &meta); meta.Source != "tiny test graph" {
		t.Errorf("meta = %+v", meta)
	}
	var search struct{ Results []graph.Node }
	if r.getJSON(t, "/api/v1/search?q=thumb&kind=Resource", &search); len(search.Results) != 1 || search.Results[0].Type != "lambda:function" {
		t.Fatalf("search = %+v", search)
	}
	var reach graph.ReachResult
	code := r.getJSON(t, "/api/v1/reach?from="+search.Results[0].ID, &reach)
	if code != 200 || len(reach.Targets) != 1 || reach.Targets[0].Node.ID != "arn:aws:s3:::images" {
		t.Fatalf("reach = %d %+v", code, reach)
	}
	if got := reach.Targets[0].Path.Nodes; len(got) != 3 {
		t.Errorf("reach path = %v, want function → role → bucket", got)
	}
	var apiErr struct {
		Error struct{ Code, Message string }
	}
	if code := r.getJSON(t, "/api/v1/reach?from=nope", &apiErr); code != 404 || apiErr.Error.Code != "not_found" {
		t.Errorf("unknown node = %d %+v", code, apiErr)
	}
	if code := r.getJSON(t, "/api/v1/whynot?action=s3:GetObject&to=arn:aws:s3:::images&from="+search.Results[0].ID, &apiErr); code != 404 || !strings.Contains(apiErr.Error.Message, "--snapshot") {
		t.Errorf("whynot from a graph file = %d %+v, want 404 naming --snapshot", code, apiErr)
	}
	code, hdr, body := r.get(t, "/")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || hdr.Get("X-Frame-Options") != "DENY" {
		t.Errorf("UI / = %d %v %.200s", code, hdr, body)
	}
	// A web page on another origin resolving its name to 127.0.0.1 (DNS
	// rebinding) is refused.
	req, _ := http.NewRequest(http.MethodGet, r.base+"/api/v1/meta", nil)
	req.Host = "attacker.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("foreign Host header = %d, want 400", resp.StatusCode)
	}
	if !strings.Contains(r.stderr.String(), "http request") {
		t.Errorf("no request log on stderr: %s", r.stderr.String())
	}
}

func TestServeToken(t *testing.T) {
	token := "0123456789abcdef0123"
	r := startServer(t, map[string]string{"IAMREACH_TOKEN": token}, "serve", "--graph", tinyGraphFile(t), "--listen", "127.0.0.1:0")
	if code, _, _ := r.get(t, "/api/v1/meta"); code != 401 {
		t.Errorf("no token = %d, want 401", code)
	}
	if code, _, _ := r.get(t, "/api/v1/meta", "Authorization", "Bearer "+token); code != 200 {
		t.Errorf("right token = %d, want 200", code)
	}
	if code, _, _ := r.get(t, "/api/v1/health"); code != 200 {
		t.Errorf("health without token = %d, want 200", code)
	}
}

func TestServeRefusesBadSetups(t *testing.T) {
	g := tinyGraphFile(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no source", nil, []string{"serve"}, "say where the graph comes from"},
		{"two sources", nil, []string{"serve", "--graph", g, "--demo"}, "exclude each other"},
		{"neo4j and a file", nil, []string{"serve", "--graph", g, "--neo4j", "bolt://127.0.0.1:1"}, "drop --snapshot"},
		{"exposed without token", nil, []string{"serve", "--graph", g, "--listen", "0.0.0.0:0"}, "refusing to listen on 0.0.0.0:0 without a token"},
		{"all interfaces without token", nil, []string{"serve", "--graph", g, "--listen", ":0"}, "without a token"},
		{"demo exposed without token", nil, []string{"demo", "--listen", "0.0.0.0:0"}, "without a token"},
		{"short token", nil, []string{"serve", "--graph", g, "--token", "abc"}, "at least 16"},
		{"short token from env", map[string]string{"IAMREACH_TOKEN": "abc"}, []string{"serve", "--graph", g}, "at least 16"},
		{"cypher on memory", nil, []string{"serve", "--graph", g, "--cypher"}, "--cypher needs --neo4j"},
		{"neo4j user without neo4j", nil, []string{"serve", "--graph", g, "--neo4j-user", "neo4j"}, "go with --neo4j"},
		{"password without neo4j", nil, []string{"serve", "--demo", "--password", "x"}, "go with --neo4j"},
		{"missing graph file", nil, []string{"serve", "--graph", "/nonexistent/g.json"}, "/nonexistent/g.json"},
		{"missing snapshot", nil, []string{"serve", "--snapshot", "/nonexistent/s.json"}, "/nonexistent/s.json"},
		{"a snapshot given as graph", nil, []string{"serve", "--graph", tempFile(t, `{"schemaVersion":1}`)}, "snapshot"},
		{"bad listen", nil, []string{"serve", "--graph", g, "--listen", "8080"}, "listen address"},
		{"port in use", nil, []string{"serve", "--graph", g, "--listen", busy.Addr().String()}, "in use"},
		{"stray argument", nil, []string{"serve", "--graph", g, "extra"}, `unexpected argument "extra"`},
		{"bad log level", nil, []string{"serve", "--graph", g, "--log-level", "loud"}, "--log-level"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb strings.Builder
			e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return tt.env[k] }}
			code := run(context.Background(), e, tt.args)
			msg := errb.String()
			if code != 1 || !strings.Contains(msg, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 1 and %q", code, msg, tt.want)
			}
			if strings.Count(strings.TrimSpace(msg), "\n") != 0 {
				t.Errorf("the error should be one line: %q", msg)
			}
		})
	}
}

func tempFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestServeNeo4jUnreachable: a server over a Neo4j that is down keeps
// running and says so on /health; queries answer 503.
func TestServeNeo4jUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close() // nothing listens there now
	r := startServer(t, nil, "serve", "--neo4j", "bolt://"+dead, "--listen", "127.0.0.1:0", "--cypher")
	var health struct {
		Status, Store, Error string
		Features             struct{ WhyNot, Cypher bool }
	}
	if code := r.getJSON(t, "/api/v1/health", &health); code != 503 || health.Status != "unhealthy" || health.Store != "neo4j" || health.Error == "" {
		t.Fatalf("health = %d %+v", code, health)
	}
	if !health.Features.Cypher || health.Features.WhyNot {
		t.Errorf("features over neo4j --cypher = %+v, want cypher, no whynot", health.Features)
	}
	var apiErr struct {
		Error struct{ Code, Message string }
	}
	if code := r.getJSON(t, "/api/v1/meta", &apiErr); code != 503 || apiErr.Error.Code != "unavailable" {
		t.Errorf("meta with neo4j down = %d %+v", code, apiErr)
	}
	if !strings.Contains(r.stderr.String(), "serving anyway") {
		t.Errorf("no startup warning: %s", r.stderr.String())
	}
}

func TestServeAllowHost(t *testing.T) {
	r := startServer(t, nil, "serve", "--graph", tinyGraphFile(t), "--listen", "127.0.0.1:0", "--allow-host", "iamreach.internal.example, other.example")
	for host, want := range map[string]int{"iamreach.internal.example": 200, "other.example:443": 200, "attacker.example": 400, "localhost": 200} {
		req, _ := http.NewRequest(http.MethodGet, r.base+"/api/v1/health", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s = %d, want %d", host, resp.StatusCode, want)
		}
	}
}
