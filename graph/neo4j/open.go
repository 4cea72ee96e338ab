// Package neo4j stores the graph in Neo4j and answers the graph.Store
// queries from it. (Stub: the Neo4j part replaces this file.)
package neo4j

import (
	"context"
	"errors"

	"github.com/iamreach/iamreach/graph"
)

// Config says how to reach Neo4j.
type Config struct {
	URI      string // bolt://127.0.0.1:7687 or neo4j://…
	User     string
	Password string
	Database string // "" = default database
}

// Store is a graph.Store backed by Neo4j.
type Store struct{ graph.Store }

// Open connects to Neo4j. It returns a store even when Neo4j is down, so
// a server can keep running and report itself unhealthy.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	return nil, errors.New("neo4j store: not implemented yet")
}
