package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"github.com/iamreach/iamreach/graph/neo4j"
)

// bulkFlags are the flags of `iamreach load` for a first load through
// Neo4j's offline importer (neo4j-admin database import full), much faster
// than transactional loading for a large organization but only into a
// STOPPED, EMPTY database.
type bulkFlags struct {
	dir        string
	seenAs     string
	schemaOnly bool
}

func (b *bulkFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.dir, "neo4j-import-dir", "", "instead of loading: write CSV files for `neo4j-admin database import full` into this directory and print the command (first load into a stopped, empty database; see docs/neo4j.md)")
	fs.StringVar(&b.seenAs, "neo4j-import-path", "", "with --neo4j-import-dir: the directory as neo4j-admin sees it (e.g. /import inside a container; default: the directory itself)")
	fs.BoolVar(&b.schemaOnly, "schema-only", false, "only create the constraints and indexes and wait until they are online (once, after neo4j-admin import); needs no graph")
}

// writeFiles writes the import files of the graph and prints the command.
func (b *bulkFlags) writeFiles(ctx context.Context, e *env, in *graphInput, database string) error {
	g, _, err := in.load(ctx, e)
	if err != nil {
		return err
	}
	start := time.Now()
	files, err := neo4j.WriteImportFiles(b.dir, g)
	if err != nil {
		return err
	}
	for _, s := range files.Skipped {
		fmt.Fprintf(e.stderr, "skipped %s\n", s)
	}
	seen := b.seenAs
	if seen == "" {
		if seen, err = filepath.Abs(b.dir); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "wrote %d nodes, %d relationships, %d findings as generation 1 into %s in %s\n",
		files.NodeCount, files.EdgeCount, files.FindingCount, b.dir, time.Since(start).Round(time.Millisecond))
	if len(files.Skipped) > 0 {
		fmt.Fprintf(e.stdout, "%d edges skipped (listed on stderr)\n", len(files.Skipped))
	}
	fmt.Fprintf(e.stdout, `
Import them with Neo4j STOPPED, into an EMPTY database (the import refuses
a database that holds data; Community has one user database, "neo4j"):

  %s

Then start Neo4j and create the indexes once:

  iamreach load --neo4j bolt://HOST:7687 --schema-only

Later loads (iamreach load --snapshot … --neo4j …) make generation 2 as usual.
`, files.Command(seen, database))
	return nil
}

// ensureSchema creates the constraints and indexes of an imported database.
func (b *bulkFlags) ensureSchema(ctx context.Context, e *env, store *neo4j.Store, uri string) error {
	start := time.Now()
	if err := store.EnsureSchema(ctx); err != nil {
		return err
	}
	if err := store.Ping(ctx); err != nil {
		return fmt.Errorf("constraints and indexes are in place, but: %w", err)
	}
	fmt.Fprintf(e.stdout, "constraints and indexes of %s online in %s\n", uri, time.Since(start).Round(time.Millisecond))
	return nil
}
