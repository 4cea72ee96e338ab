package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/iamreach/iamreach/graph"
)

// runWho prints who can reach a resource (the reverse of reach).
func runWho(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("who", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var rf reachFlags
	rf.register(fs)
	to := fs.String("to", "", "ARN (or node ID) of the resource")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("--to ARN is required")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	g, _, err := rf.in.load(ctx, e)
	if err != nil {
		return err
	}
	m := graph.NewMemory(g)
	id, err := resolveNode(ctx, m, *to)
	if err != nil {
		return err
	}
	res, err := m.Reachers(ctx, id, rf.options())
	if err != nil {
		return err
	}
	if rf.json {
		return writeJSON(e.stdout, res)
	}
	printReach(e.stdout, res, false, rf.evidence)
	return nil
}
