// Command waitbolt waits until a Neo4j server answers the Go driver's
// VerifyConnectivity, so scripts/neo4j-test-server hands out a URI only
// when the server really accepts Bolt sessions.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

func main() {
	uri := flag.String("uri", "", "bolt URI")
	timeout := flag.Duration("timeout", 120*time.Second, "give up after this long")
	flag.Parse()
	if err := wait(*uri, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "waitbolt:", err)
		os.Exit(1)
	}
}

func wait(uri string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	drv, err := neo4j.NewDriverWithContext(uri, neo4j.NoAuth())
	if err != nil {
		return fmt.Errorf("driver for %s: %w", uri, err)
	}
	defer drv.Close(context.Background())
	var last error
	for {
		last = drv.VerifyConnectivity(ctx)
		var ne *neo4j.Neo4jError
		if last == nil || errors.As(last, &ne) && strings.HasPrefix(ne.Code, "Neo.ClientError.Security.") {
			// Answering, even if only to refuse us (a server with auth on).
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s: %w", uri, timeout, last)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
