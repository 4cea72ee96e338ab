package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

func runLoadCmd(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

// TestLoadNeo4j runs `iamreach load` as a user does, against a real Neo4j
// (make test-neo4j starts one).
func TestLoadNeo4j(t *testing.T) {
	uri := os.Getenv("IAMREACH_NEO4J_URI")
	if uri == "" {
		t.Skip("IAMREACH_NEO4J_URI not set: run make test-neo4j for the tests against a real Neo4j")
	}
	code, out, errs := runLoadCmd(t, nil, "load", "--demo", "--neo4j", uri, "--grace", "0")
	if code != 0 || !strings.Contains(out, "loaded generation") || !strings.Contains(out, "relationships/s") {
		t.Fatalf("load --demo: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	code, out, errs = runLoadCmd(t, nil, "load", "--demo", "--neo4j", uri, "--keep-generations")
	if code != 0 || strings.Contains(out, "removed generations") {
		t.Errorf("load --keep-generations: exit %d, removed something:\n%s%s", code, out, errs)
	}
	code, out, _ = runLoadCmd(t, nil, "load", "--demo", "--neo4j", uri, "--grace", "0")
	if code != 0 || !strings.Contains(out, "removed generations") {
		t.Errorf("load after a kept one: exit %d, want the kept generation removed:\n%s", code, out)
	}
}

// TestLoadNeo4jBadInput: one clear line saying what to do.
func TestLoadNeo4jBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		says string
	}{
		{"no uri", []string{"load", "--demo"}, "--neo4j URI is required"},
		{"no input", []string{"load", "--neo4j", "bolt://127.0.0.1:1"}, "--snapshot FILE, --graph FILE or --demo"},
		{"unreachable", []string{"load", "--demo", "--neo4j", "bolt://127.0.0.1:1"}, "unreachable"},
		{"bad uri", []string{"load", "--demo", "--neo4j", "http://x"}, "neo4j"},
		{"missing snapshot", []string{"load", "--snapshot", "/nonexistent/snap.json", "--neo4j", "bolt://127.0.0.1:1"}, "/nonexistent/snap.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := runLoadCmd(t, nil, tc.args...)
			if code == 0 || !strings.Contains(errs, tc.says) {
				t.Errorf("exit %d, stderr %q; want failure saying %q", code, errs, tc.says)
			}
			if n := strings.Count(strings.TrimSpace(errs), "\n"); n > 0 && tc.name != "no uri" {
				t.Errorf("want one line, got %d:\n%s", n+1, errs)
			}
		})
	}
}

// TestLoadNeo4jWrongPassword: a real server with auth on refuses us; one
// line says which credentials to fix.
func TestLoadNeo4jWrongPassword(t *testing.T) {
	uri := os.Getenv("IAMREACH_NEO4J_AUTH_URI")
	if uri == "" {
		t.Skip("IAMREACH_NEO4J_AUTH_URI not set: make test-neo4j starts a Neo4j with auth on for this test")
	}
	code, _, errs := runLoadCmd(t, map[string]string{"NEO4J_USER": "neo4j", "NEO4J_PASSWORD": "wrong"}, "load", "--demo", "--neo4j", uri)
	if code != 1 || !strings.Contains(errs, "rejected the credentials") || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
		t.Errorf("exit %d, stderr %q; want one line about the credentials", code, errs)
	}
}
