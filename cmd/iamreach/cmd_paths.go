package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/iamreach/iamreach/graph"
)

// runPaths prints the paths from one node to another, shortest first.
func runPaths(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("paths", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var in graphInput
	in.register(fs)
	from := fs.String("from", "", "ARN (or node ID) to start from")
	to := fs.String("to", "", "ARN (or node ID) to reach")
	depth := fs.Int("depth", 0, "longest path, in edges; 0: 6")
	limit := fs.Int("limit", 0, "at most this many paths; 0: 10")
	asJSON := fs.Bool("json", false, "print the paths as JSON")
	evidence := fs.Bool("evidence", false, "print the statements behind every hop")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return errors.New("--from ARN and --to ARN are required")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	g, _, err := in.load(ctx, e)
	if err != nil {
		return err
	}
	m := graph.NewMemory(g)
	fromID, err := resolveNode(ctx, m, *from)
	if err != nil {
		return err
	}
	toID, err := resolveNode(ctx, m, *to)
	if err != nil {
		return err
	}
	paths, err := m.Paths(ctx, fromID, toID, graph.PathOptions{MaxDepth: *depth, Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, paths)
	}
	if len(paths) == 0 {
		fmt.Fprintf(e.stdout, "no path from %s to %s within the depth limit (try 'iamreach whynot')\n", fromID, toID)
		return nil
	}
	fmt.Fprintf(e.stdout, "%d path(s) from %s to %s, shortest first\n", len(paths), fromID, toID)
	for i, p := range paths {
		fmt.Fprintf(e.stdout, "\n%d. %s\n", i+1, formatPath(p))
		if len(p.Conditions) > 0 {
			fmt.Fprintf(e.stdout, "   only if: %s\n", strings.Join(p.Conditions, " AND "))
		}
		for i := len(p.Edges) - 1; i >= 0; i-- {
			// The access edge (a COVERS edge may follow it) says what can be done.
			if len(p.Edges[i].Actions) > 0 {
				fmt.Fprintf(e.stdout, "   actions: %s\n", formatGrants(p.Edges[i].Actions))
				break
			}
		}
		if *evidence {
			printEvidence(e.stdout, p)
		}
	}
	return nil
}
