package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/iamreach/iamreach/graph"
)

// reachFlags are the options shared by reach and who.
type reachFlags struct {
	in         graphInput
	json       bool
	evidence   bool
	depth      int
	limit      int
	actions    string
	levels     string
	types      string
	noCondtnal bool
}

func (r *reachFlags) register(fs *flag.FlagSet) {
	r.in.register(fs)
	fs.BoolVar(&r.json, "json", false, "print the answer as JSON (graph.ReachResult)")
	fs.BoolVar(&r.evidence, "evidence", false, "print the statements behind every hop")
	fs.IntVar(&r.depth, "depth", 0, "identity hops to follow (RUNS_AS, CAN_ASSUME, CAN_ESCALATE); 0: 6")
	fs.IntVar(&r.limit, "limit", 0, "at most this many targets; 0: 1000")
	fs.StringVar(&r.actions, "action", "", "only these actions, comma-separated IAM patterns (e.g. s3:Get*,kms:Decrypt)")
	fs.StringVar(&r.levels, "level", "", "only these access levels, comma-separated (List, Read, Write, Permissions management, Tagging)")
	fs.StringVar(&r.types, "type", "", "only these resource types, comma-separated (e.g. s3:bucket, secretsmanager)")
	fs.BoolVar(&r.noCondtnal, "no-conditional", false, "leave out what holds only under conditions")
}

func (r *reachFlags) options() graph.ReachOptions {
	return graph.ReachOptions{
		MaxDepth: r.depth, Limit: r.limit, ExcludeConditions: r.noCondtnal,
		Actions: splitCSV(r.actions), AccessLevels: splitCSV(r.levels), ResourceTypes: splitCSV(r.types),
	}
}

func splitCSV(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// runReach prints what a principal or workload can reach.
func runReach(ctx context.Context, e *env, args []string) error {
	return runReachQuery(ctx, e, args, true)
}

// runReachQuery runs reach (forward: --from) or who (reverse: --to); the
// two share their flags, input and output.
func runReachQuery(ctx context.Context, e *env, args []string, forward bool) error {
	name, endFlag, endHelp := "reach", "from", "ARN (or node ID) of the principal or workload"
	if !forward {
		name, endFlag, endHelp = "who", "to", "ARN (or node ID) of the resource"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var rf reachFlags
	rf.register(fs)
	end := fs.String(endFlag, "", endHelp)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *end == "" {
		return fmt.Errorf("--%s ARN is required", endFlag)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	g, _, err := rf.in.load(ctx, e)
	if err != nil {
		return err
	}
	m := graph.NewMemory(g)
	id, err := resolveNode(ctx, m, *end)
	if err != nil {
		return err
	}
	query := m.Reach
	if !forward {
		query = m.Reachers
	}
	res, err := query(ctx, id, rf.options())
	if err != nil {
		return err
	}
	if rf.json {
		return writeJSON(e.stdout, res)
	}
	printReach(e.stdout, res, forward, rf.evidence)
	return nil
}

// resolveNode accepts an exact node ID/ARN, or a name that identifies
// exactly one node.
func resolveNode(ctx context.Context, m *graph.Memory, q string) (string, error) {
	if _, err := m.Node(ctx, q); err == nil {
		return q, nil
	}
	hits, err := m.Search(ctx, graph.SearchQuery{Text: q, Limit: 5})
	if err != nil {
		return "", err
	}
	exact := []graph.Node{}
	for _, h := range hits {
		if strings.EqualFold(h.Name, q) {
			exact = append(exact, h)
		}
	}
	if len(exact) == 1 {
		return exact[0].ID, nil
	}
	if len(hits) == 0 {
		return "", fmt.Errorf("%q is not in the graph (try an ARN, or 'iamreach search')", q)
	}
	var names []string
	for _, h := range hits {
		names = append(names, h.ID)
	}
	return "", fmt.Errorf("%q is not a node ID; did you mean one of: %s", q, strings.Join(names, ", "))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printReach renders a reach (forward) or who-can (reverse) answer.
func printReach(w io.Writer, res graph.ReachResult, forward, evidence bool) {
	what := "can reach"
	if !forward {
		what = "can be reached by"
	}
	fmt.Fprintf(w, "%s (%s) %s %d target(s)", res.Origin.Name, res.Origin.ID, what, len(res.Targets))
	if res.Truncated {
		fmt.Fprint(w, " (truncated: raise --limit)")
	}
	fmt.Fprintln(w)
	for _, t := range res.Targets {
		fmt.Fprintf(w, "\n%s  [%s]\n", t.Node.ID, describeKind(t.Node))
		if t.Node.Name != "" && t.Node.Name != t.Node.ID {
			fmt.Fprintf(w, "  name:    %s\n", t.Node.Name)
		}
		fmt.Fprintf(w, "  actions: %s\n", formatGrants(t.Actions))
		fmt.Fprintf(w, "  path:    %s\n", formatPath(t.Path))
		if len(t.Conditions) > 0 {
			fmt.Fprintf(w, "  only if: %s\n", strings.Join(t.Conditions, " AND "))
		}
		if evidence {
			printEvidence(w, t.Path)
		}
	}
	if len(res.Gaps) > 0 {
		fmt.Fprintf(w, "\nCollection gaps that could change this answer:\n")
		for _, g := range res.Gaps {
			fmt.Fprintf(w, "  - account %s %s %s: %s\n", g.Account, g.Region, g.Service, g.Error)
		}
	}
}

func describeKind(n graph.Node) string {
	s := string(n.Kind)
	if n.Type != "" {
		s += " " + n.Type
	}
	if n.Props["external"] == "true" {
		s += ", outside the inventory"
	}
	if v := n.Props["vendor"]; v != "" {
		s += ", vendor " + v
	}
	if n.Props["admin"] == "true" {
		s += ", admin-equivalent"
	}
	return s
}

func formatGrants(gs []graph.ActionGrant) string {
	var parts []string
	for _, g := range gs {
		s := g.Action + " (" + g.Level + ")"
		if len(g.Except) > 0 {
			s += " except " + strings.Join(g.Except, " ")
		}
		if g.Resource != "" {
			s += " on " + g.Resource
		}
		if g.Condition != "" {
			s += " only if " + g.Condition
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func formatPath(p graph.Path) string {
	if len(p.Nodes) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(p.Nodes[0])
	for i, e := range p.Edges {
		label := string(e.Kind)
		if e.Technique != "" {
			label += " by " + e.Technique
		}
		fmt.Fprintf(&b, " -%s-> %s", label, p.Nodes[i+1])
	}
	return b.String()
}

func printEvidence(w io.Writer, p graph.Path) {
	for _, e := range p.Edges {
		if len(e.Evidence) == 0 && len(e.Denies) == 0 {
			continue
		}
		fmt.Fprintf(w, "  %s %s -> %s:\n", e.Kind, e.From, e.To)
		for _, ev := range e.Evidence {
			fmt.Fprintf(w, "    %s\n", formatEvidence(ev))
		}
		for _, ev := range e.Denies {
			fmt.Fprintf(w, "    weighed (conditional deny): %s\n", formatEvidence(ev))
		}
	}
}

func formatEvidence(ev graph.Evidence) string {
	s := fmt.Sprintf("%s %s policy %s", ev.Effect, ev.PolicyType, ev.PolicyName)
	if ev.PolicyID != "" && ev.PolicyID != ev.PolicyName {
		s += " (" + ev.PolicyID + ")"
	}
	if ev.Level != "" {
		s += " at " + ev.Level
	}
	if len(ev.Statement) > 0 {
		s += fmt.Sprintf(" statement #%d", ev.StatementIndex)
		if ev.Sid != "" {
			s += " Sid " + ev.Sid
		}
		s += ": " + string(ev.Statement)
	}
	if ev.Note != "" {
		s += " — " + ev.Note
	}
	return s
}
