package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/iamreach/iamreach/graph/rules"
)

// runCheck is the CI gate: rules about who may reach what, exit 1 on a violation.
func runCheck(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var in graphInput
	in.register(fs)
	rulesPath := fs.String("rules", "", "rules file (YAML; see docs/examples/rules.yaml)")
	format := fs.String("format", "text", "output: text, json or sarif")
	output := fs.String("output", "", "write the report to this file instead of stdout (e.g. results.sarif)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *rulesPath == "" {
		return errors.New("--rules FILE is required")
	}
	f, err := rules.ParseFormat(*format)
	if err != nil {
		return err
	}
	rf, err := os.Open(*rulesPath)
	if err != nil {
		return err
	}
	file, err := rules.Parse(rf)
	rf.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *rulesPath, err)
	}
	g, snap, err := in.load(ctx, e)
	if err != nil {
		return err
	}
	if known := file.KnownAccountsMap(); len(known) > 0 {
		g.Findings = findingsFor(g, snap, known)
	}
	res := rules.Check(g, file)
	var w io.Writer = e.stdout
	if *output != "" {
		out, err := os.Create(*output)
		if err != nil {
			return err
		}
		defer out.Close()
		w = out
	}
	if err := res.Write(w, f, rules.WriteOptions{RulesFile: *rulesPath, Snapshot: in.snapshot}); err != nil {
		return err
	}
	if *output != "" {
		fmt.Fprintf(e.stdout, "%d rule(s), %d violation(s); report written to %s\n", len(res.Rules), len(res.Violations), *output)
	}
	if !res.Passed() {
		return exitError{1}
	}
	return nil
}
