package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/iamreach/iamreach/graph/gen"
	"github.com/iamreach/iamreach/snapshot"
)

// runGen writes a deterministic synthetic organization (see graph/gen).
func runGen(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	size := fs.String("size", "small", "preset: small (4 accounts), medium (20), large (100 accounts, 20,000 roles, 5,000 users, 100,000 resources)")
	seed := fs.Uint64("seed", 1, "random seed; the same size and seed give the same file")
	out := fs.String("o", "", "output snapshot file (.gz to compress)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("-o FILE is required")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	spec, err := gen.SpecFor(gen.Size(*size))
	if err != nil {
		return err
	}
	snap := gen.Generate(spec, *seed)
	if err := snapshot.WriteFile(*out, snap); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d accounts, %d roles, %d users, %d resources (size %s, seed %d)\n",
		*out, spec.Accounts, spec.Roles, spec.Users, spec.Resources, *size, *seed)
	return nil
}
