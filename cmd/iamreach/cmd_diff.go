package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/diff"
	"github.com/iamreach/iamreach/snapshot"
)

// parseInterspersed parses flags that may come before, between or after
// positional arguments (`diff OLD NEW --format markdown`).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// loadAny reads a snapshot (and builds its graph) or a graph file written
// by `iamreach build -o`, whichever the file is.
func loadAny(ctx context.Context, path string) (*graph.Graph, error) {
	snap, err := snapshot.ReadFile(path)
	if err == nil {
		return buildGraph(ctx, snap, graph.BuildOptions{Logger: slog.New(slog.DiscardHandler)})
	}
	if !strings.Contains(err.Error(), "schemaVersion is missing") {
		return nil, err
	}
	g, gerr := graph.ReadFile(path)
	if gerr != nil {
		return nil, fmt.Errorf("%s is neither a snapshot nor a graph file: %v", path, gerr)
	}
	return g, nil
}

// runDiff compares two snapshots (or built graphs) of one organization.
func runDiff(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	format := fs.String("format", "text", "output: text, json or markdown (for a pull-request comment)")
	failOn := fs.Bool("fail-on-new", false, "exit 1 when the change adds paths or findings")
	depth := fs.Int("max-depth", 0, "identity hops to follow (0: 6)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: iamreach diff OLD NEW [--format text|json|markdown] [--fail-on-new]\n\nOLD and NEW are snapshot files or graph files (iamreach build -o).")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errors.New("want two files: iamreach diff OLD NEW")
	}
	f, err := diff.ParseFormat(*format)
	if err != nil {
		return err
	}
	oldG, err := loadAny(ctx, pos[0])
	if err != nil {
		return fmt.Errorf("old: %w", err)
	}
	newG, err := loadAny(ctx, pos[1])
	if err != nil {
		return fmt.Errorf("new: %w", err)
	}
	r := diff.Compare(oldG, newG, diff.Options{MaxDepth: *depth})
	if err := r.Write(e.stdout, f); err != nil {
		return err
	}
	if *failOn && (len(r.PathsAdded) > 0 || len(r.FindingsNew) > 0 || len(r.FindingsWorse) > 0) {
		return exitError{1}
	}
	return nil
}
