package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/iamreach/iamreach/policy"
)

func runSimulate(_ context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	input := fs.String("input", "", "simulation input file (JSON; - for stdin)")
	mode := fs.String("mode", "strict", "strict: missing context keys are absent; discovery: unknown request keys give a residual condition")
	asJSON := fs.Bool("json", false, "print the decision as JSON")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *input == "" {
		return errors.New("--input is required (see docs/simulate.md)")
	}
	var m policy.Mode
	switch *mode {
	case "strict":
		m = policy.Strict
	case "discovery":
		m = policy.Discovery
	default:
		return fmt.Errorf("--mode %q: must be strict or discovery", *mode)
	}
	var data []byte
	var err error
	if *input == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(*input)
	}
	if err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	sim, err := policy.ParseSimulation(data)
	if err != nil {
		return fmt.Errorf("%s: %w", *input, err)
	}
	req, set, err := sim.Compile()
	if err != nil {
		return fmt.Errorf("%s: %w", *input, err)
	}
	d := policy.Evaluate(req, set, m)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(policy.NewDecisionJSON(d))
	}
	writeDecision(e.stdout, req, d)
	return nil
}

func writeDecision(w io.Writer, req *policy.Request, d policy.Decision) {
	fmt.Fprintf(w, "%s %s on %s: %s\n", req.Principal.ARN, req.Action, req.Resource.ARN, d.Result)
	if d.Conditional() {
		fmt.Fprintf(w, "  only if: %s\n", d.Residual)
	}
	if d.Explanation.BlockedBy != "" {
		fmt.Fprintf(w, "  blocked by: %s\n", d.Explanation.BlockedBy)
	}
	list := func(label string, refs []policy.StatementRef) {
		for _, r := range refs {
			name := r.PolicyName
			if name == "" {
				name = r.PolicyID
			}
			where := r.PolicyKind + " policy " + name
			if r.Level != "" {
				where += " at " + r.Level
			}
			sid := ""
			if r.Sid != "" {
				sid = " (" + r.Sid + ")"
			}
			fmt.Fprintf(w, "  %s: %s statement %d%s\n", label, where, r.StatementIndex, sid)
		}
	}
	list("allowed by", d.Explanation.Allowing)
	list("denied by", d.Explanation.Denying)
	list("denied if its condition holds", d.Explanation.ConditionalDenies)
	for _, u := range d.Explanation.UnmetConditions {
		name := u.Statement.PolicyName
		if name == "" {
			name = u.Statement.PolicyID
		}
		got := "absent"
		if u.Request != nil {
			got = strings.Join(u.Request, ", ")
		}
		fmt.Fprintf(w, "  condition not met: %s policy %s statement %d: %s (request: %s)\n", u.Statement.PolicyKind, name, u.Statement.StatementIndex, u.Condition(), got)
	}
	for _, n := range d.Explanation.Notes {
		fmt.Fprintf(w, "  note: %s\n", strings.TrimSpace(n))
	}
}
