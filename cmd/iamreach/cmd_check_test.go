package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/demo"
	"github.com/iamreach/iamreach/graph"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, args)
	return code, out.String(), errb.String()
}

func TestCheckCommandOnDemo(t *testing.T) {
	rules := filepath.Join("..", "..", "docs", "examples", "rules.yaml")
	code, out, errs := runCmd(t, "check", "--demo", "--rules", rules)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (the demo breaks some rules)\n%s%s", code, out, errs)
	}
	for _, want := range []string{
		"FAIL pii-readers [critical] inventory-admin can reach customers", // dynamodb:* on table/*
		"FAIL nothing-public",
		"ok   no-outside-trust", // the vendor is allow-listed, GitHub is allowed
		"5 rule(s)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "function:login can reach") {
		t.Errorf("an excepted function is reported:\n%s", out)
	}

	sarif := filepath.Join(t.TempDir(), "out.sarif")
	code, out, _ = runCmd(t, "check", "--demo", "--rules", rules, "--format", "sarif", "--output", sarif)
	if code != 1 || !strings.Contains(out, "report written to") {
		t.Fatalf("sarif run: exit %d: %s", code, out)
	}
	raw, err := os.ReadFile(sarif)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(raw, &log); err != nil || log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
		t.Fatalf("SARIF file: %v %+v", err, log)
	}

	// A rule set the demo meets passes with exit 0.
	okRules := filepath.Join(t.TempDir(), "ok.yaml")
	os.WriteFile(okRules, []byte("version: 1\nrules:\n  - id: no-deputy\n    type: no-finding\n    kinds: [confused-deputy]\n    minSeverity: high\n"), 0o644)
	if code, out, errs := runCmd(t, "check", "--demo", "--rules", okRules); code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, errs)
	}
	// A broken rules file is an error naming the line, not a violation.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\nrules:\n  - id: x\n    type: nope\n"), 0o644)
	if code, _, errs := runCmd(t, "check", "--demo", "--rules", bad); code != 1 || !strings.Contains(errs, "line 3") {
		t.Fatalf("bad rules: exit %d, stderr %q", code, errs)
	}
}

func TestDiffCommand(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.json")
	os.WriteFile(old, demo.JSON(), 0o644)
	// The change: the get-cart role may now read the customers table.
	var snap map[string]any
	if err := json.Unmarshal(demo.JSON(), &snap); err != nil {
		t.Fatal(err)
	}
	changed := false
	for _, a := range snap["accounts"].([]any) {
		roles, _ := a.(map[string]any)["roles"].([]any)
		for _, r := range roles {
			role := r.(map[string]any)
			if role["name"] != "shop-get-cart-role" {
				continue
			}
			doc := role["inlinePolicies"].([]any)[0].(map[string]any)["document"].(map[string]any)
			doc["Statement"] = append(doc["Statement"].([]any), map[string]any{
				"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:eu-west-1:333333333333:table/customers"})
			changed = true
		}
	}
	if !changed {
		t.Fatal("demo has no shop-get-cart-role")
	}
	newer := filepath.Join(dir, "new.json")
	b, _ := json.Marshal(snap)
	os.WriteFile(newer, b, 0o644)

	code, out, errs := runCmd(t, "diff", old, newer, "--format", "markdown")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"| `get-cart` | `customers` | dynamodb:GetItem | get-cart → shop-get-cart-role → customers |", "**2** path(s) added, **0** removed"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if code, _, _ := runCmd(t, "diff", "--fail-on-new", old, newer); code != 1 {
		t.Errorf("--fail-on-new: exit %d, want 1", code)
	}
	if code, out, _ := runCmd(t, "diff", old, old); code != 0 || !strings.Contains(out, "0 path(s) added, 0 removed") {
		t.Errorf("same file: exit %d\n%s", code, out)
	}
	// A graph file works as well as a snapshot.
	gfile := filepath.Join(dir, "old.graph.json")
	if code, _, errs := runCmd(t, "build", "--snapshot", old, "-o", gfile); code != 0 {
		t.Fatalf("build: %s", errs)
	}
	if code, out, errs := runCmd(t, "diff", gfile, newer, "--format", "json"); code != 0 || !strings.Contains(out, `"pathsAdded"`) {
		t.Fatalf("graph vs snapshot: exit %d %s %s", code, out, errs)
	}
	if code, _, errs := runCmd(t, "diff", old); code != 1 || !strings.Contains(errs, "two files") {
		t.Errorf("one file: exit %d %q", code, errs)
	}
}

func TestFindingsCommand(t *testing.T) {
	code, out, errs := runCmd(t, "findings", "--demo", "--json", "--kind", "external-trust,public")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var fs []graph.Finding
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatal(err)
	}
	kinds := map[graph.FindingKind]bool{}
	for _, f := range fs {
		kinds[f.Kind] = true
	}
	if len(kinds) != 2 || !kinds[graph.FindingExternalTrust] || !kinds[graph.FindingPublic] {
		t.Fatalf("kinds %v", kinds)
	}
	// The allow-list changes the vendor trust's label and severity.
	known := filepath.Join(t.TempDir(), "known.txt")
	os.WriteFile(known, []byte("999988887777 Acme Monitoring\n"), 0o644)
	_, out, _ = runCmd(t, "findings", "--demo", "--kind", "external-trust", "--known-accounts", known)
	if !strings.Contains(out, "[info] external-trust: Role vendor-monitoring is trusted by Acme Monitoring") {
		t.Errorf("allow-list not applied:\n%s", out)
	}
	if code, _, errs := runCmd(t, "findings", "--demo", "--kind", "bogus"); code == 0 || !strings.Contains(errs, "unknown finding kind") {
		t.Errorf("bad kind accepted: %d %s", code, errs)
	}
}

func TestGenCommand(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	for _, p := range []string{a, b} {
		if code, _, errs := runCmd(t, "gen", "--size", "small", "--seed", "9", "-o", p); code != 0 {
			t.Fatalf("gen: %s", errs)
		}
	}
	x, _ := os.ReadFile(a)
	y, _ := os.ReadFile(b)
	if !bytes.Equal(x, y) || len(x) == 0 {
		t.Fatal("gen is not deterministic")
	}
	if code, _, errs := runCmd(t, "gen", "--size", "huge", "-o", a); code == 0 || !strings.Contains(errs, "unknown size") {
		t.Errorf("bad size: %d %s", code, errs)
	}
}
