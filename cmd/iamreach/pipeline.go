package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/iamreach/iamreach/demo"
	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/findings"
	"github.com/iamreach/iamreach/snapshot"
)

// buildGraph is the one place cmd/ turns a snapshot into a graph: the
// builder decides every edge with the policy engine; the findings computed
// over the graph are added here too.
func buildGraph(ctx context.Context, snap *snapshot.Snapshot, opts graph.BuildOptions) (*graph.Graph, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	g, err := graph.Build(snap, opts)
	if err != nil {
		return nil, err
	}
	g.Findings = findings.Compute(g, snap, findings.Options{KnownAccounts: opts.KnownAccounts})
	return g, nil
}

// graphInput is the shared "where does the graph come from" flag set of
// the query commands: a snapshot to build, a graph built before, or the
// bundled demo organization.
type graphInput struct {
	snapshot string
	graph    string
	demo     bool
	verbose  bool
}

func (in *graphInput) register(fs *flag.FlagSet) {
	fs.StringVar(&in.snapshot, "snapshot", "", "snapshot file to build the graph from (.json or .json.gz)")
	fs.StringVar(&in.graph, "graph", "", "graph file written by 'iamreach build -o' (instead of --snapshot)")
	fs.BoolVar(&in.demo, "demo", false, "use the bundled demo organization (instead of --snapshot)")
	fs.BoolVar(&in.verbose, "v", false, "log build progress and skipped input to stderr")
}

// load returns the graph and, when one was read, the snapshot.
func (in *graphInput) load(ctx context.Context, e *env) (*graph.Graph, *snapshot.Snapshot, error) {
	n := 0
	for _, set := range []bool{in.snapshot != "", in.graph != "", in.demo} {
		if set {
			n++
		}
	}
	switch {
	case n == 0:
		return nil, nil, errors.New("say where the graph comes from: --snapshot FILE, --graph FILE or --demo")
	case n > 1:
		return nil, nil, errors.New("--snapshot, --graph and --demo exclude each other")
	}
	if in.graph != "" {
		g, err := graph.ReadFile(in.graph)
		return g, nil, err
	}
	var snap *snapshot.Snapshot
	var err error
	if in.demo {
		snap, err = demo.Snapshot()
	} else {
		snap, err = snapshot.ReadFile(in.snapshot)
	}
	if err != nil {
		return nil, nil, err
	}
	opts := graph.BuildOptions{Logger: slog.New(slog.DiscardHandler)}
	if in.verbose {
		opts.Logger = slog.New(slog.NewTextHandler(e.stderr, nil))
	}
	start := time.Now()
	g, err := buildGraph(ctx, snap, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("build graph: %w", err)
	}
	if in.verbose {
		fmt.Fprintf(e.stderr, "built %d nodes, %d edges in %s\n", len(g.Nodes), len(g.Edges), time.Since(start).Round(time.Millisecond))
	}
	return g, snap, nil
}
