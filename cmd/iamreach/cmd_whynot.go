package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/iamreach/iamreach/graph"
)

// runWhyNot explains why a principal or workload cannot do an action on a
// resource: the statement, boundary, SCP or RCP that blocks it, for the
// origin and every identity it can become.
func runWhyNot(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("whynot", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var in graphInput
	in.register(fs)
	from := fs.String("from", "", "ARN of the principal or workload")
	to := fs.String("to", "", "ARN of the resource (or role)")
	action := fs.String("action", "", "the action, e.g. s3:GetObject (default sts:AssumeRole when --to is a role)")
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return errors.New("--from ARN and --to ARN are required")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if in.graph != "" {
		return errors.New("whynot decides with the policies themselves: give --snapshot or --demo, not --graph")
	}
	g, snap, err := in.load(ctx, e)
	if err != nil {
		return err
	}
	m := graph.NewMemory(g)
	fromID, err := resolveNode(ctx, m, *from)
	if err != nil {
		return err
	}
	toID := *to
	if id, err := resolveNode(ctx, m, *to); err == nil {
		toID = id
	}
	results, err := graph.WhyNot(ctx, snap, g, fromID, toID, *action, graph.BuildOptions{})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, results)
	}
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprintf(e.stdout, "%s %s on %s: %s\n", r.Identity, r.Action, r.Resource, r.Result)
		if len(r.Via) > 0 {
			fmt.Fprintf(e.stdout, "  via:        %s\n", strings.Join(r.Via, " -> "))
		}
		if r.Condition != "" {
			fmt.Fprintf(e.stdout, "  only if:    %s\n", r.Condition)
		}
		if r.BlockedBy != "" {
			fmt.Fprintf(e.stdout, "  blocked by: %s\n", r.BlockedBy)
		}
		for _, ev := range r.Denying {
			fmt.Fprintf(e.stdout, "  deny:       %s\n", formatEvidence(ev))
		}
		for _, ev := range r.ConditionalDenies {
			fmt.Fprintf(e.stdout, "  cond. deny: %s\n", formatEvidence(ev))
		}
		for _, ev := range r.Allowing {
			fmt.Fprintf(e.stdout, "  allow:      %s\n", formatEvidence(ev))
		}
		for _, n := range r.Notes {
			fmt.Fprintf(e.stdout, "  note:       %s\n", n)
		}
	}
	return nil
}
