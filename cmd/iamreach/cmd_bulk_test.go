package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadImportDir: `load --neo4j-import-dir` needs no Neo4j; it writes
// the files and prints the neo4j-admin command naming them as the
// importer sees them.
func TestLoadImportDir(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runLoadCmd(t, nil, "load", "--demo", "--neo4j-import-dir", dir, "--neo4j-import-path", "/import")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"neo4j-admin database import full neo4j", "--relationships=/import/relationships.csv",
		"--nodes=Node:Role=/import/nodes-Role.csv", "--nodes=IamreachState=/import/state.csv", "STOPPED", "--schema-only"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"relationships.csv", "nodes-Role.csv", "findings.csv", "generation.csv", "state.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	code, _, errs = runLoadCmd(t, nil, "load", "--schema-only")
	if code == 0 || !strings.Contains(errs, "--neo4j URI is required") {
		t.Errorf("--schema-only without --neo4j: exit %d, %q", code, errs)
	}
}

// TestLoadSchemaOnlyNeo4j: `load --schema-only` against a real Neo4j
// (make test-neo4j) creates the indexes without a graph argument.
func TestLoadSchemaOnlyNeo4j(t *testing.T) {
	uri := os.Getenv("IAMREACH_NEO4J_URI")
	if uri == "" {
		t.Skip("IAMREACH_NEO4J_URI not set: run make test-neo4j for the tests against a real Neo4j")
	}
	if code, _, errs := runLoadCmd(t, nil, "load", "--demo", "--neo4j", uri, "--grace", "0"); code != 0 {
		t.Fatalf("load --demo: exit %d: %s", code, errs)
	}
	code, out, errs := runLoadCmd(t, nil, "load", "--neo4j", uri, "--schema-only")
	if code != 0 || !strings.Contains(out, "constraints and indexes") {
		t.Errorf("--schema-only: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}
