package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/findings"
	"github.com/iamreach/iamreach/snapshot"
)

// kindList is a repeatable, comma-separated --kind flag.
type kindList []graph.FindingKind

func (k *kindList) String() string {
	var s []string
	for _, x := range *k {
		s = append(s, string(x))
	}
	return strings.Join(s, ",")
}

func (k *kindList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		kind, ok := findings.ParseKind(p)
		if !ok {
			var names []string
			for _, x := range findings.Kinds {
				names = append(names, string(x))
			}
			return fmt.Errorf("unknown finding kind %q (one of %s)", p, strings.Join(names, ", "))
		}
		*k = append(*k, kind)
	}
	return nil
}

func readKnownAccounts(path string) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := findings.ReadKnownAccounts(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// runFindings lists what a reviewer should look at.
func runFindings(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("findings", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var in graphInput
	in.register(fs)
	var kinds kindList
	fs.Var(&kinds, "kind", "only these kinds (comma-separated or repeated): "+kindNames())
	asJSON := fs.Bool("json", false, "print JSON")
	known := fs.String("known-accounts", "", "allow-list of outside accounts: one '123456789012 label' per line")
	minSev := fs.String("severity", "info", "minimum severity: critical, high, medium, low or info")
	limit := fs.Int("limit", 0, "print at most N findings (0: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if findings.SeverityRank(*minSev) > 4 {
		return fmt.Errorf("--severity %q is not critical, high, medium, low or info", *minSev)
	}
	ka, err := readKnownAccounts(*known)
	if err != nil {
		return err
	}
	g, snap, err := in.load(ctx, e)
	if err != nil {
		return err
	}
	all := findingsFor(g, snap, ka)
	var out []graph.Finding
	for _, f := range graph.FilterFindings(all, graph.FindingQuery{Kinds: kinds}) {
		if findings.SeverityRank(f.Severity) <= findings.SeverityRank(*minSev) {
			out = append(out, f)
		}
	}
	total := len(out)
	if *limit > 0 && len(out) > *limit {
		out = out[:*limit]
	}
	if *asJSON {
		if out == nil {
			out = []graph.Finding{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	return writeFindingsText(e.stdout, out, total)
}

// findingsFor returns the graph's findings, recomputed when an allow-list
// is given (labels and severities depend on it). A graph file has no
// snapshot: its least-privilege findings (which need policy documents) are
// kept as stored.
func findingsFor(g *graph.Graph, snap *snapshot.Snapshot, known map[string]string) []graph.Finding {
	switch {
	case snap != nil && (len(g.Findings) == 0 || known != nil):
		return findings.Compute(g, snap, findings.Options{KnownAccounts: known})
	case known != nil:
		fresh := findings.Compute(g, nil, findings.Options{KnownAccounts: known})
		for _, f := range g.Findings {
			if findings.NeedsSnapshot(f.Kind) {
				fresh = append(fresh, f)
			}
		}
		findings.Sort(fresh)
		return fresh
	}
	return g.Findings
}

func kindNames() string {
	var names []string
	for _, x := range findings.Kinds {
		names = append(names, string(x))
	}
	return strings.Join(names, ", ")
}

func writeFindingsText(w io.Writer, fs []graph.Finding, total int) error {
	counts := map[graph.FindingKind]int{}
	for _, f := range fs {
		counts[f.Kind]++
	}
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "[%s] %s: %s\n", f.Severity, f.Kind, f.Title)
		if f.Detail != "" {
			fmt.Fprintf(&b, "    %s\n", f.Detail)
		}
		if f.Condition != "" {
			fmt.Fprintf(&b, "    only if: %s\n", f.Condition)
		}
		if f.Path != nil && len(f.Path.Edges) > 0 {
			parts := []string{f.Path.Nodes[0]}
			for i, e := range f.Path.Edges {
				step := string(e.Kind)
				if e.Technique != "" {
					step += " " + e.Technique
				}
				parts = append(parts, fmt.Sprintf("-[%s]-> %s", step, f.Path.Nodes[i+1]))
			}
			fmt.Fprintf(&b, "    path: %s\n", strings.Join(parts, " "))
		}
		for _, ev := range f.Evidence {
			sid := ""
			if ev.Sid != "" {
				sid = " (" + ev.Sid + ")"
			}
			fmt.Fprintf(&b, "    evidence: %s %s statement %d%s\n", ev.PolicyType, ev.PolicyID, ev.StatementIndex, sid)
			break
		}
		if len(f.Suggestion) > 0 {
			fmt.Fprintf(&b, "    suggested policy:\n")
			for _, line := range strings.Split(strings.TrimSpace(string(f.Suggestion)), "\n") {
				fmt.Fprintf(&b, "      %s\n", line)
			}
		}
	}
	fmt.Fprintf(&b, "%d finding(s)", total)
	if total > len(fs) {
		fmt.Fprintf(&b, " (%d shown)", len(fs))
	}
	var parts []string
	for _, k := range findings.Kinds {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(&b, ": %s", strings.Join(parts, ", "))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
