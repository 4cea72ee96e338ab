// Command iamreach explores who can reach what in an AWS organization.
// main parses the subcommand and hands over; each subcommand lives in its
// own file (cmd_<name>.go) and is listed in commands below.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command runs one subcommand with its arguments (without the name).
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a subcommand may touch: no globals.
type env struct {
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// exitError carries a non-zero exit code without being reported as an error
// (e.g. `check` found violations).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func commands() map[string]command {
	return map[string]command{
		// one line per subcommand; keep sorted
		"build":    {summary: "build the graph of a snapshot and write it (-o graph.json)", run: runBuild},
		"check":    {summary: "CI gate: check rules (who may reach what, outside trust, public) and exit 1 on a violation", run: runCheck},
		"collect":  {summary: "enumerate an AWS organization into a snapshot (read-only)", run: runCollect},
		"demo":     {summary: "serve the bundled demo organization: explorer UI and API, no AWS or database needed", run: runDemo},
		"diff":     {summary: "compare two snapshots: paths added and removed, findings new and fixed", run: runDiff},
		"findings": {summary: "list findings: outside trust and access, public, admin, escalation, blast radius, least privilege", run: runFindings},
		"gen":      {summary: "generate a synthetic organization snapshot (deterministic, for benchmarks)", run: runGen},
		"import":   {summary: "turn `aws iam get-account-authorization-details` output into a snapshot", run: runImport},
		"load":     {summary: "write the graph into Neo4j as a new generation, switched to only when complete", run: runLoad},
		"paths":    {summary: "paths from one principal or workload to a resource, shortest first", run: runPaths},
		"reach":    {summary: "what a principal or workload can reach, with paths and evidence", run: runReach},
		"serve":    {summary: "serve the explorer UI and the API for a snapshot, a built graph or Neo4j", run: runServe},
		"simulate": {summary: "decide one request against its policies (iam-simulate input format)", run: runSimulate},
		"who":      {summary: "who can reach a resource (the reverse of reach)", run: runWho},
		"whynot":   {summary: "why a principal cannot do an action on a resource: the blocking statement, boundary, SCP or RCP", run: runWhyNot},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, e *env, args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "iamreach: unknown command %q (see iamreach help)\n", args[0])
		return 2
	}
	if err := c.run(ctx, e, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0 // the flag set already printed its usage
		}
		var ex exitError
		if errors.As(err, &ex) {
			return ex.code
		}
		fmt.Fprintf(e.stderr, "iamreach %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: iamreach <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'iamreach <command> -h' for a command's flags.")
}
