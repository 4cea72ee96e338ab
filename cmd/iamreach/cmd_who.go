package main

import "context"

// runWho prints who can reach a resource (the reverse of reach).
func runWho(ctx context.Context, e *env, args []string) error {
	return runReachQuery(ctx, e, args, false)
}
