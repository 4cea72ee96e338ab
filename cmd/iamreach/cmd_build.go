package main

import (
	"context"
	"flag"
	"fmt"
	"sort"

	"github.com/iamreach/iamreach/graph"
)

// runBuild builds the graph of a snapshot and writes it (or prints a summary).
func runBuild(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var in graphInput
	in.register(fs)
	out := fs.String("o", "", "write the built graph to this file (.gz to compress); read it back with --graph")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if in.graph != "" {
		return fmt.Errorf("build needs --snapshot or --demo, not --graph")
	}
	g, _, err := in.load(ctx, e)
	if err != nil {
		return err
	}
	if *out != "" {
		if err := graph.WriteFile(*out, g); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
	}
	printSummary(e, g, *out)
	return nil
}

func printSummary(e *env, g *graph.Graph, out string) {
	nodes := map[graph.NodeKind]int{}
	for _, n := range g.Nodes {
		nodes[n.Kind]++
	}
	edges := map[graph.EdgeKind]int{}
	conditional := 0
	for _, ed := range g.Edges {
		edges[ed.Kind]++
		if ed.Conditional {
			conditional++
		}
	}
	if out != "" {
		fmt.Fprintf(e.stdout, "wrote %s\n", out)
	}
	fmt.Fprintf(e.stdout, "%d accounts, %d nodes, %d edges (%d conditional), %d findings, %d collection gaps\n",
		g.Meta.Accounts, len(g.Nodes), len(g.Edges), conditional, len(g.Findings), len(g.Meta.Gaps))
	printCounts(e, "nodes", nodes)
	printCounts(e, "edges", edges)
	for _, gap := range g.Meta.Gaps {
		fmt.Fprintf(e.stdout, "gap: account %s %s %s %s: %s\n", gap.Account, gap.Region, gap.Service, gap.Resource, gap.Error)
	}
}

func printCounts[K ~string](e *env, title string, m map[K]int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	fmt.Fprintf(e.stdout, "%s:", title)
	for _, k := range keys {
		fmt.Fprintf(e.stdout, " %s %d", k, m[K(k)])
	}
	fmt.Fprintln(e.stdout)
}
