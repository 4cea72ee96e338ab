package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/snapshot"
)

// The scenario corpus: small organizations written as snapshots, each with
// the answers derived by hand from the AWS documentation ("why" says
// which rule). One file per scenario under testdata/scenarios.
type scenario struct {
	Name         string          `json:"name"`
	Why          string          `json:"why"`
	BuildOptions *scenarioBuild  `json:"buildOptions"`
	Snapshot     json.RawMessage `json:"snapshot"`
	Expect       struct {
		Edges    []expectEdge   `json:"edges"`
		Reach    []expectReach  `json:"reach"`
		Who      []expectWho    `json:"who"`
		Paths    []expectPaths  `json:"paths"`
		Admin    []string       `json:"admin"`
		NotAdmin []string       `json:"notAdmin"`
		Nodes    []expectNode   `json:"nodes"`
		WhyNot   []expectWhyNot `json:"whynot"`
		Gaps     []struct {
			Account  string `json:"account"`
			Contains string `json:"contains"`
		} `json:"gaps"`
	} `json:"expect"`
}

type scenarioBuild struct {
	KnownAccounts map[string]string `json:"knownAccounts"`
}

type expectEdge struct {
	Kind              graph.EdgeKind `json:"kind"`
	From              string         `json:"from"`
	To                string         `json:"to"`
	Present           *bool          `json:"present"`
	Technique         string         `json:"technique"`
	Conditional       *bool          `json:"conditional"`
	ConditionContains string         `json:"conditionContains"`
	Actions           []string       `json:"actions"`
	CrossAccount      bool           `json:"crossAccount"`
	Denies            bool           `json:"denies"`
}

type expectReach struct {
	From              string             `json:"from"`
	Options           graph.ReachOptions `json:"options"`
	Targets           []string           `json:"targets"`
	ConditionContains string             `json:"conditionContains"`
}

type expectWho struct {
	To       string             `json:"to"`
	Options  graph.ReachOptions `json:"options"`
	Reachers []string           `json:"reachers"`
}

type expectPaths struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Shortest int    `json:"shortest"`
}

type expectNode struct {
	ID    string            `json:"id"`
	Props map[string]string `json:"props"`
}

type expectWhyNot struct {
	From, To, Action, Identity, Result, Level string
}

func TestScenarios(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "scenarios", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 60 {
		t.Fatalf("%d scenarios, want the corpus (60+)", len(files))
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			t.Parallel()
			runScenario(t, f)
		})
	}
}

func runScenario(t *testing.T, file string) {
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var sc scenario
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		t.Fatalf("scenario file: %v", err)
	}
	snap, err := snapshot.Decode(bytes.NewReader(sc.Snapshot))
	if err != nil {
		t.Fatal(err)
	}
	opts := graph.BuildOptions{}
	if sc.BuildOptions != nil {
		opts.KnownAccounts = sc.BuildOptions.KnownAccounts
	}
	g, err := graph.Build(snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m := graph.NewMemory(g)
	t.Logf("why: %s", sc.Why)

	for _, want := range sc.Expect.Edges {
		checkEdge(t, g, want)
	}
	for _, id := range sc.Expect.Admin {
		if n, err := m.Node(ctx, id); err != nil || n.Props["admin"] != "true" {
			t.Errorf("%s: admin=%q (%v), want true", id, n.Props["admin"], err)
		}
	}
	for _, id := range sc.Expect.NotAdmin {
		if n, err := m.Node(ctx, id); err != nil || n.Props["admin"] == "true" {
			t.Errorf("%s: marked admin (%v), want not", id, err)
		}
	}
	for _, want := range sc.Expect.Nodes {
		n, err := m.Node(ctx, want.ID)
		if err != nil {
			t.Errorf("node %s: %v", want.ID, err)
			continue
		}
		for k, v := range want.Props {
			if n.Props[k] != v {
				t.Errorf("node %s: %s=%q, want %q", want.ID, k, n.Props[k], v)
			}
		}
	}
	for _, want := range sc.Expect.Reach {
		res, err := m.Reach(ctx, want.From, want.Options)
		if err != nil {
			t.Errorf("reach %s: %v", want.From, err)
			continue
		}
		if got := sortedTargets(res); !equalSets(got, want.Targets) {
			t.Errorf("reach from %s %+v:\n got  %v\n want %v", want.From, want.Options, got, want.Targets)
		}
		if want.ConditionContains != "" {
			for _, tg := range res.Targets {
				if !strings.Contains(strings.Join(tg.Conditions, " AND "), want.ConditionContains) {
					t.Errorf("reach %s → %s: conditions %v, want %q", want.From, tg.Node.ID, tg.Conditions, want.ConditionContains)
				}
			}
		}
	}
	for _, want := range sc.Expect.Who {
		res, err := m.Reachers(ctx, want.To, want.Options)
		if err != nil {
			t.Errorf("who %s: %v", want.To, err)
			continue
		}
		if got := sortedTargets(res); !equalSets(got, want.Reachers) {
			t.Errorf("who can reach %s %+v:\n got  %v\n want %v", want.To, want.Options, got, want.Reachers)
		}
	}
	for _, want := range sc.Expect.Paths {
		ps, err := m.Paths(ctx, want.From, want.To, graph.PathOptions{})
		if err != nil {
			t.Errorf("paths: %v", err)
			continue
		}
		if len(ps) == 0 || len(ps[0].Edges) != want.Shortest {
			t.Errorf("paths %s → %s: %d paths, want the shortest with %d edges", want.From, want.To, len(ps), want.Shortest)
		}
	}
	for _, want := range sc.Expect.WhyNot {
		out, err := graph.WhyNot(ctx, snap, g, want.From, want.To, want.Action, opts)
		if err != nil {
			t.Errorf("whynot: %v", err)
			continue
		}
		found := false
		for _, r := range out {
			if r.Identity != want.Identity {
				continue
			}
			found = true
			if r.Result != want.Result {
				t.Errorf("whynot %s %s: %s (%s), want %s", want.Identity, want.Action, r.Result, r.BlockedBy, want.Result)
			}
			if want.Level != "" && (len(r.Denying) == 0 || r.Denying[0].Level != want.Level) {
				t.Errorf("whynot %s: denying %+v, want a deny at %s", want.Identity, r.Denying, want.Level)
			}
		}
		if !found {
			t.Errorf("whynot did not decide for %s", want.Identity)
		}
	}
	for _, want := range sc.Expect.Gaps {
		found := false
		for _, gp := range g.Meta.Gaps {
			if gp.Account == want.Account && strings.Contains(gp.Error, want.Contains) {
				found = true
			}
		}
		if !found {
			t.Errorf("no gap in %s mentioning %q: %+v", want.Account, want.Contains, g.Meta.Gaps)
		}
	}
}

func checkEdge(t *testing.T, g *graph.Graph, want expectEdge) {
	t.Helper()
	var got []graph.Edge
	for _, e := range g.Edges {
		if e.Kind == want.Kind && e.From == want.From && e.To == want.To {
			got = append(got, e)
		}
	}
	present := want.Present == nil || *want.Present
	if !present {
		if len(got) > 0 {
			t.Errorf("%s %s → %s exists (%+v), want none", want.Kind, want.From, want.To, got[0])
		}
		return
	}
	if len(got) == 0 {
		t.Errorf("%s %s → %s missing", want.Kind, want.From, want.To)
		return
	}
	e := got[0]
	if want.Technique != "" && e.Technique != want.Technique {
		t.Errorf("%s %s → %s: technique %q, want %q", want.Kind, want.From, want.To, e.Technique, want.Technique)
	}
	if want.Conditional != nil && e.Conditional != *want.Conditional {
		t.Errorf("%s %s → %s: conditional %v (%s), want %v", want.Kind, want.From, want.To, e.Conditional, e.Condition, *want.Conditional)
	}
	if want.ConditionContains != "" && !strings.Contains(e.Condition, want.ConditionContains) {
		t.Errorf("%s %s → %s: condition %q, want it to mention %q", want.Kind, want.From, want.To, e.Condition, want.ConditionContains)
	}
	if want.CrossAccount && !e.CrossAccount {
		t.Errorf("%s %s → %s: not marked cross-account", want.Kind, want.From, want.To)
	}
	if want.Denies && len(e.Denies) == 0 {
		t.Errorf("%s %s → %s: no conditional denies listed", want.Kind, want.From, want.To)
	}
	for _, a := range want.Actions {
		ok := false
		for _, ga := range e.Actions {
			if strings.EqualFold(ga.Action, a) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s %s → %s: actions %+v lack %s", want.Kind, want.From, want.To, e.Actions, a)
		}
	}
	if e.Kind != graph.EdgeCovers && e.Kind != graph.EdgeMemberOf && e.Kind != graph.EdgeTriggers && e.Kind != graph.EdgeRunsAs && len(e.Evidence) == 0 {
		t.Errorf("%s %s → %s has no evidence", want.Kind, want.From, want.To)
	}
}

func sortedTargets(res graph.ReachResult) []string {
	out := []string{}
	for _, tg := range res.Targets {
		out = append(out, tg.Node.ID)
	}
	sort.Strings(out)
	return out
}

func equalSets(got, want []string) bool {
	w := append([]string{}, want...)
	sort.Strings(w)
	if len(got) != len(w) {
		return false
	}
	for i := range got {
		if got[i] != w[i] {
			return false
		}
	}
	return true
}
