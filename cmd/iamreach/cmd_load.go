package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/neo4j"
)

// runLoad builds the graph (or reads one) and writes it into Neo4j as a new
// generation, switched to only when complete (see docs/neo4j.md).
func runLoad(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var in graphInput
	in.register(fs)
	uri := fs.String("neo4j", "", "Neo4j Bolt URI, e.g. bolt://127.0.0.1:7687 (required)")
	user := fs.String("user", "", "Neo4j user (default: $NEO4J_USER)")
	password := fs.String("password", "", "Neo4j password (default: $NEO4J_PASSWORD)")
	database := fs.String("database", "", "Neo4j database (default: the server's default)")
	keep := fs.Bool("keep-generations", false, "keep the previous generations (for diffing) instead of removing them")
	batch := fs.Int("batch", 0, "rows per write transaction (default 5000)")
	grace := fs.Duration("grace", neo4j.DefaultGrace, "leave the previous generation this long after the switch, for questions still running on it, before removing it (0: at once)")
	wait := fs.Duration("wait", 0, "wait up to this long for Neo4j to accept connections (e.g. 2m when it starts beside us)")
	var bulk bulkFlags
	bulk.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if bulk.dir != "" {
		// First load of a large graph into an empty database: files for
		// neo4j-admin database import instead of transactions.
		return bulk.writeFiles(ctx, e, &in, *database)
	}
	if *uri == "" {
		return errors.New("--neo4j URI is required (e.g. --neo4j bolt://127.0.0.1:7687)")
	}
	if *user == "" {
		*user = e.getenv("NEO4J_USER")
	}
	if *password == "" {
		*password = e.getenv("NEO4J_PASSWORD")
	}
	var g *graph.Graph
	var err error
	if !bulk.schemaOnly {
		g, _, err = in.load(ctx, e)
	}
	if err != nil {
		return err
	}
	logger := slog.New(slog.DiscardHandler)
	if in.verbose {
		logger = slog.New(slog.NewTextHandler(e.stderr, nil))
	}
	store, err := neo4j.Open(ctx, neo4j.Config{URI: *uri, User: *user, Password: *password, Database: *database, Logger: logger})
	if err != nil {
		return err
	}
	defer store.Close(context.WithoutCancel(ctx))
	if *wait > 0 {
		if err := waitReachable(ctx, store, *wait); err != nil {
			return err
		}
	}
	if bulk.schemaOnly {
		return bulk.ensureSchema(ctx, e, store, *uri)
	}

	last := time.Now()
	g0 := *grace
	if g0 <= 0 {
		g0 = -1
	}
	res, err := store.Load(ctx, g, neo4j.LoadOptions{KeepGenerations: *keep, BatchSize: *batch, Grace: g0, Progress: func(p neo4j.LoadProgress) {
		if time.Since(last) > 2*time.Second {
			last = time.Now()
			fmt.Fprintf(e.stderr, "generation %d: %d/%d nodes, %d/%d relationships, %d/%d findings\n",
				p.Gen, p.Nodes, p.NodesTotal, p.Edges, p.EdgesTotal, p.Findings, p.FindTotal)
		}
	}})
	for _, s := range res.Skipped {
		fmt.Fprintf(e.stderr, "skipped %s\n", s)
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: %w (the previous generation is still the one answering; the next load removes the partial one)", err)
		}
		return err
	}
	rate := float64(res.Edges) / res.Duration.Seconds()
	fmt.Fprintf(e.stdout, "loaded generation %d into %s: %d nodes, %d relationships, %d findings in %s (%.0f relationships/s)\n",
		res.Gen, *uri, res.Nodes, res.Edges, res.Findings, res.Duration.Round(time.Millisecond), rate)
	if len(res.Cleaned) > 0 {
		fmt.Fprintf(e.stdout, "removed generations %v\n", res.Cleaned)
	}
	if len(res.Skipped) > 0 {
		fmt.Fprintf(e.stdout, "%d edges skipped (listed on stderr)\n", len(res.Skipped))
	}
	return nil
}

// waitReachable polls Neo4j until it accepts a session or d has passed.
func waitReachable(ctx context.Context, store *neo4j.Store, d time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	for {
		err := store.Reachable(wctx)
		if err == nil {
			return nil
		}
		select {
		case <-wctx.Done():
			return fmt.Errorf("waited %s: %w", d, err)
		case <-time.After(time.Second):
		}
	}
}
