package policy_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/iamreach/iamreach/policy"
)

// TestDifferential decides generated cases with our engine and with
// @cloud-copilot/iam-simulate (run by node from scripts/difftest) and
// fails on any disagreement that is not a divergence listed, with the AWS
// documentation sentence that justifies our answer, in
// testdata/divergences.md.
//
// Environment: IAMREACH_DIFFTEST=1 requires the harness (make test-policy
// sets it); IAMREACH_DIFFTEST_CASES (default 20000 when required, 500
// otherwise); IAMREACH_DIFFTEST_SEED (default 1).
func TestDifferential(t *testing.T) {
	required := os.Getenv("IAMREACH_DIFFTEST") == "1"
	dir := filepath.Join("..", "scripts", "difftest")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@cloud-copilot", "iam-simulate")); err != nil {
		if required {
			t.Fatalf("differential test required but %s/node_modules is missing: run make test-policy", dir)
		}
		t.Skip("differential test skipped: scripts/difftest/node_modules absent (make test-policy installs it and runs this test)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		if required {
			t.Fatal("differential test required but node is not installed")
		}
		t.Skip("differential test skipped: node not installed")
	}
	n := 500
	if required {
		n = 20000
	}
	if v := os.Getenv("IAMREACH_DIFFTEST_CASES"); v != "" {
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatalf("IAMREACH_DIFFTEST_CASES: %v", err)
		}
	}
	seed := uint64(1)
	if v := os.Getenv("IAMREACH_DIFFTEST_SEED"); v != "" {
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("IAMREACH_DIFFTEST_SEED: %v", err)
		}
	}
	known := loadDivergences(t)
	mode, modeName := policy.Strict, "Strict"
	if os.Getenv("IAMREACH_DIFFTEST_MODE") == "discovery" {
		mode, modeName = policy.Discovery, "Discovery"
	}

	workers := 2
	if v := os.Getenv("IAMREACH_DIFFTEST_WORKERS"); v != "" {
		if workers, err = strconv.Atoi(v); err != nil || workers < 1 {
			t.Fatalf("IAMREACH_DIFFTEST_WORKERS: %q", v)
		}
	}
	var caseFile io.Writer
	if f := os.Getenv("IAMREACH_DIFFTEST_CASEFILE"); f != "" {
		// Keep the exact input given to iam-simulate, for profiling and for
		// replaying with scripts/difftest/harness.mjs.
		cf, err := os.Create(f)
		if err != nil {
			t.Fatal(err)
		}
		defer cf.Close()
		caseFile = cf
	}

	type ours struct {
		sim    []byte
		result string
		gc     genCase
	}
	type answer struct {
		ID     int    `json:"id"`
		Result string `json:"result"`
		Error  string `json:"error"`
	}
	cases := make([]ours, n)
	var (
		mu      sync.Mutex
		answers []answer
		readErr error
	)
	// One node process per worker; cases are generated and decided by our
	// engine while the workers decide the earlier ones.
	feeds := make([]chan int, workers)
	var wg sync.WaitGroup
	for w := range feeds {
		feeds[w] = make(chan int, 512)
		cmd := exec.Command(node, "harness.mjs")
		cmd.Dir = dir
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
		wg.Add(2)
		go func(feed chan int) { // writer
			defer wg.Done()
			defer stdin.Close()
			bw := bufio.NewWriterSize(stdin, 1<<20)
			for i := range feed {
				fmt.Fprintf(bw, `{"id":%d,"mode":%q,%s"sim":%s}`+"\n", i, modeName, knownKeys(mode, cases[i].gc), cases[i].sim)
				if len(feed) == 0 { // idle: let node start on what it has
					bw.WriteString("\n")
					if bw.Flush() != nil {
						return
					}
				}
			}
			bw.WriteString("\n")
			_ = bw.Flush()
		}(feeds[w])
		go func() { // reader
			defer wg.Done()
			dec := json.NewDecoder(bufio.NewReaderSize(stdout, 1<<20))
			for {
				var a answer
				if err := dec.Decode(&a); err != nil {
					if !errors.Is(err, io.EOF) {
						mu.Lock()
						readErr = err
						mu.Unlock()
					}
					return
				}
				mu.Lock()
				answers = append(answers, a)
				mu.Unlock()
			}
		}()
	}
	g := &gen{r: rand.New(rand.NewPCG(seed, 0x1a3))}
	for i := range cases {
		gc := g.next()
		b, err := json.Marshal(gc.sim)
		if err != nil {
			t.Fatal(err)
		}
		sim, err := policy.ParseSimulation(b)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		req, set, err := sim.Compile()
		if err != nil {
			t.Fatalf("case %d: our parser rejects a generated case: %v\n%s", i, err, b)
		}
		cases[i] = ours{sim: b, result: policy.Evaluate(req, set, mode).Result.String(), gc: gc}
		if caseFile != nil {
			fmt.Fprintf(caseFile, `{"id":%d,"mode":%q,"sim":%s}`+"\n", i, modeName, b)
		}
		feeds[i%workers] <- i
	}
	for _, f := range feeds {
		close(f)
	}
	wg.Wait()
	if readErr != nil {
		t.Fatalf("reading harness output: %v", readErr)
	}

	var agree, rejected int
	perDivergence := map[string]int{}
	var failures []string
	seen := 0
	for _, r := range answers {
		if r.ID < 0 || r.ID >= n {
			t.Fatalf("harness answered for unknown case %d", r.ID)
		}
		seen++
		c := &cases[r.ID]
		switch {
		case r.Error != "":
			rejected++
			if rejected <= 3 {
				t.Logf("iam-simulate rejected case %d: %s", r.ID, r.Error)
			}
			dump(t, "rejected", r.ID, c.sim)
		case r.Result == c.result:
			agree++
		default:
			id := classify(c.gc, c.sim, c.result, r.Result, mode)
			if id != "" && allKnown(known, id) {
				perDivergence[id]++
				continue
			}
			dump(t, "disagree", r.ID, c.sim)
			if len(failures) < 10 {
				failures = append(failures, fmt.Sprintf("case %d: iamreach %s, iam-simulate %s (class %q)\n%s", r.ID, c.result, r.Result, id, c.sim))
			} else {
				failures = append(failures, "")
			}
		}
	}
	if seen != n {
		t.Fatalf("harness answered %d of %d cases", seen, n)
	}
	var ids []string
	for id := range perDivergence {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var div strings.Builder
	total := 0
	for _, id := range ids {
		fmt.Fprintf(&div, " %s=%d", id, perDivergence[id])
		total += perDivergence[id]
	}
	t.Logf("differential test (%s mode): seed %d, %d cases: %d agree, %d documented divergences (%s), %d rejected by iam-simulate, %d undocumented disagreements",
		modeName, seed, n, agree, total, strings.TrimSpace(div.String()), rejected, len(failures))
	if rejected > n/20 {
		t.Errorf("iam-simulate rejected %d of %d generated cases (> 5%%): the generator produces invalid input", rejected, n)
	}
	if len(failures) > 0 {
		for _, f := range failures {
			if f != "" {
				t.Error(f)
			}
		}
		t.Fatalf("%d undocumented disagreements", len(failures))
	}
}

// loadDivergences reads the IDs ("## D<n>: …" headings) of
// testdata/divergences.md; each must quote the AWS documentation.
func loadDivergences(t *testing.T) map[string]bool {
	b, err := os.ReadFile(filepath.Join("testdata", "divergences.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "## "); ok {
			id, _, _ := strings.Cut(rest, ":")
			out[strings.TrimSpace(id)] = true
		}
	}
	return out
}

// divergenceQuirks maps each documented divergence to the engine quirk
// that reproduces iam-simulate's behaviour.
var divergenceQuirks = []struct {
	id string
	q  policy.Quirks
}{
	{"D1", policy.QuirkRCPAllServices},
	{"D2", policy.QuirkSCPServicePrincipals},
	{"D3", policy.QuirkNotPrincipalAnyMatch},
	{"D4", policy.QuirkSessionPolicyAlwaysLimits},
	{"D5", policy.QuirkIPRanges},
	{"D6", policy.QuirkVarNoValue},
	{"D7", policy.QuirkEscapesOnlyInLike},
	{"D8", policy.QuirkUnresolvedNotResource},
	{"D9", policy.QuirkRootNeedsIdentity},
	{"D10", policy.QuirkEpochMillis},
	{"D11", policy.QuirkNoDerivedKeys},
}

// classify names the documented divergence(s) a disagreement falls under:
// the smallest set of quirks that, switched on, makes our engine give
// iam-simulate's answer. "" when none does.
func classify(_ genCase, b []byte, _, theirs string, mode policy.Mode) string {
	sim, err := policy.ParseSimulation(b)
	if err != nil {
		return ""
	}
	req, set, err := sim.Compile()
	if err != nil {
		return ""
	}
	n := len(divergenceQuirks)
	for size := 1; size <= n; size++ {
		for mask := 1; mask < 1<<n; mask++ {
			if bits.OnesCount(uint(mask)) != size {
				continue
			}
			var q policy.Quirks
			var ids []string
			for i, d := range divergenceQuirks {
				if mask&(1<<i) != 0 {
					q |= d.q
					ids = append(ids, d.id)
				}
			}
			if policy.EvaluateWithQuirks(req, set, mode, q).Result.String() == theirs {
				return strings.Join(ids, "+")
			}
		}
	}
	return ""
}

func allKnown(known map[string]bool, ids string) bool {
	for _, id := range strings.Split(ids, "+") {
		if !known[id] {
			return false
		}
	}
	return true
}

// dump writes a case to $IAMREACH_DIFFTEST_DUMP/<kind>-<id>.json for
// investigation with `iamreach simulate --input`.
func dump(t *testing.T, kind string, id int, sim []byte) {
	dir := os.Getenv("IAMREACH_DIFFTEST_DUMP")
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.json", kind, id)), sim, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestScenariosReference decides the scenario corpus with iam-simulate too
// (in strict mode; scenarios that need iamreach's extensions are skipped):
// every disagreement must be a documented divergence.
func TestScenariosReference(t *testing.T) {
	dir := filepath.Join("..", "scripts", "difftest")
	node, err := exec.LookPath("node")
	if _, serr := os.Stat(filepath.Join(dir, "node_modules", "@cloud-copilot", "iam-simulate")); serr != nil || err != nil {
		if os.Getenv("IAMREACH_DIFFTEST") == "1" {
			t.Fatal("reference check required but node or scripts/difftest/node_modules is missing: run make test-policy")
		}
		t.Skip("reference check skipped: node or scripts/difftest/node_modules absent (make test-policy runs it)")
	}
	known := loadDivergences(t)
	files, _ := filepath.Glob(filepath.Join("testdata", "scenarios", "*.json"))
	var in strings.Builder
	var names []string
	var sims [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sim, err := policy.ParseSimulation(b)
		if err != nil {
			t.Fatal(err)
		}
		if sim.Iamreach != nil {
			continue
		}
		// The reference takes the iam-simulate fields only.
		var m map[string]json.RawMessage
		_ = json.Unmarshal(b, &m)
		for _, k := range []string{"description", "source", "expect"} {
			delete(m, k)
		}
		clean, _ := json.Marshal(m)
		fmt.Fprintf(&in, `{"id":%d,"mode":"Strict","sim":%s}`+"\n", len(sims), clean)
		names = append(names, filepath.Base(f))
		sims = append(sims, clean)
	}
	cmd := exec.Command(node, "harness.mjs")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(in.String() + "\n")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	agree, documented := 0, map[string]int{}
	for {
		var a struct {
			ID     int    `json:"id"`
			Result string `json:"result"`
			Error  string `json:"error"`
		}
		if err := dec.Decode(&a); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatal(err)
		}
		sim, _ := policy.ParseSimulation(sims[a.ID])
		req, set, err := sim.Compile()
		if err != nil {
			t.Fatal(err)
		}
		ours := policy.Evaluate(req, set, policy.Strict).Result.String()
		switch {
		case a.Error != "":
			t.Logf("%s: iam-simulate rejects it: %s", names[a.ID], a.Error)
		case a.Result == ours:
			agree++
		default:
			id := classify(genCase{}, sims[a.ID], ours, a.Result, policy.Strict)
			if id == "" || !allKnown(known, id) {
				t.Errorf("%s: iamreach %s, iam-simulate %s: undocumented", names[a.ID], ours, a.Result)
				continue
			}
			documented[id]++
		}
	}
	t.Logf("scenario corpus against iam-simulate: %d of %d agree, documented divergences %v", agree, len(sims), documented)
}

// knownKeys tells iam-simulate's discovery mode which keys are known, as in
// iamreach's: the keys given in the request and the principal and resource
// keys (resolved, so known even when absent).
func knownKeys(mode policy.Mode, gc genCase) string {
	if mode != policy.Discovery {
		return ""
	}
	keys := []string{"aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalType",
		"aws:username", "aws:ResourceAccount", "aws:ResourceOrgID",
		"aws:PrincipalTag/team", "aws:PrincipalTag/owner", "aws:PrincipalTag/dept", "aws:PrincipalTag/missing"}
	req, _ := gc.sim["request"].(map[string]any)
	ctx, _ := req["contextVariables"].(map[string]any)
	for k := range ctx {
		keys = append(keys, k)
	}
	b, _ := json.Marshal(keys)
	return `"known":` + string(b) + ","
}
