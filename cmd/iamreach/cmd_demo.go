package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/iamreach/iamreach/api"
	"github.com/iamreach/iamreach/graph"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var sf serveFlags
	sf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: iamreach demo [--listen 127.0.0.1:8080] [--token TOKEN]\n\n"+
			"Builds the bundled demo organization (a serverless shop in four accounts) on the\n"+
			"embedded store and serves the explorer and the API. No AWS account or database needed.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags only; see iamreach demo -h)", fs.Arg(0))
	}
	cfg, err := sf.check(e)
	if err != nil {
		return err
	}
	log := cfg.logger(e.stderr)
	in := graphInput{demo: true}
	g, snap, err := loadInterruptible(ctx, e, &in)
	if err != nil {
		return fmt.Errorf("the demo organization: %w", err)
	}
	return cfg.serve(ctx, e, graph.NewMemory(g), api.Options{WhyNot: whyNotOver(snap, g)}, "the demo organization", log)
}
