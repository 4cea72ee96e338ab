// Package neo4j stores the graph in Neo4j and answers the graph.Store
// queries from it, so teams share one persistent graph and can also query
// it with Cypher (Neo4j Browser, Bloom, POST /api/v1/cypher).
//
// Every node, relationship and finding carries the generation ("gen") of
// the load that wrote it; a single state node points at the current
// generation, and a load switches it only once everything is written (see
// load.go and docs/neo4j.md). Reach, Reachers and Paths run the shared
// traversal of package graph over this store's graph.Source
// implementation (one batched Cypher round trip per BFS frontier), so both
// stores give the same answers by construction.
package neo4j

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/iamreach/iamreach/graph"
)

// Config says how to reach Neo4j.
type Config struct {
	URI      string // bolt://127.0.0.1:7687 or neo4j://…
	User     string
	Password string
	Database string // "" = default database
	// Logger receives load progress and cleanup notes; nil discards them.
	Logger *slog.Logger
}

// Store is a graph.Store backed by Neo4j. It is safe for concurrent use.
type Store struct {
	drv neo4j.DriverWithContext
	cfg Config
	log *slog.Logger
	// staticLabels forces one query per label (as for servers before 5.26).
	staticLabels bool
}

var (
	_ graph.Store        = (*Store)(nil)
	_ graph.Source       = (*Store)(nil)
	_ graph.Pinger       = (*Store)(nil)
	_ graph.CypherRunner = (*Store)(nil)
)

// Open connects to Neo4j. It returns a store even when Neo4j is down, so
// a server can keep running and report itself unhealthy (Ping); it fails
// only for a configuration that can never work (such as a malformed URI).
// The driver reconnects by itself, so the store recovers when Neo4j comes
// back.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.URI == "" {
		return nil, errors.New("neo4j: no URI given (e.g. bolt://127.0.0.1:7687)")
	}
	auth := neo4j.NoAuth()
	if cfg.User != "" || cfg.Password != "" {
		auth = neo4j.BasicAuth(cfg.User, cfg.Password, "")
	}
	drv, err := neo4j.NewDriverWithContext(cfg.URI, auth, func(c *neo4j.Config) {
		c.SocketConnectTimeout = 5 * time.Second
		c.ConnectionAcquisitionTimeout = 10 * time.Second
		c.MaxTransactionRetryTime = 5 * time.Second
		c.UserAgent = "iamreach"
	})
	if err != nil {
		return nil, fmt.Errorf("neo4j at %s: %w", cfg.URI, err)
	}
	lg := cfg.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &Store{drv: drv, cfg: cfg, log: lg}, nil
}

// Close releases the driver's connections.
func (s *Store) Close(ctx context.Context) error {
	if err := s.drv.Close(ctx); err != nil {
		return fmt.Errorf("close neo4j driver: %w", err)
	}
	return nil
}

// Ping checks that Neo4j answers and holds a graph this version of
// iamreach can read. Errors wrap graph.ErrUnavailable and say what to do.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.drv.VerifyConnectivity(ctx); err != nil {
		return s.classify("connect", err)
	}
	_, err := readTx(ctx, s, func(ctx context.Context, tx neo4j.ManagedTransaction) (struct{}, error) {
		_, err := currentGen(ctx, tx)
		return struct{}{}, err
	})
	return err
}

// Reachable checks only that Neo4j accepts a session (unlike Ping, an
// empty database is fine): a load waits on it.
func (s *Store) Reachable(ctx context.Context) error {
	if err := s.drv.VerifyConnectivity(ctx); err != nil {
		return s.classify("connect", err)
	}
	return nil
}

// session opens a session in the configured database.
func (s *Store) session(ctx context.Context, mode neo4j.AccessMode) neo4j.SessionWithContext {
	return s.drv.NewSession(ctx, neo4j.SessionConfig{AccessMode: mode, DatabaseName: s.cfg.Database})
}

// readTx runs work in a managed read transaction and classifies errors.
func readTx[T any](ctx context.Context, s *Store, work func(context.Context, neo4j.ManagedTransaction) (T, error), conf ...func(*neo4j.TransactionConfig)) (T, error) {
	sess := s.session(ctx, neo4j.AccessModeRead)
	defer sess.Close(context.WithoutCancel(ctx))
	out, err := sess.ExecuteRead(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return work(ctx, tx)
	}, conf...)
	var zero T
	if err != nil {
		return zero, s.classify("read", err)
	}
	return out.(T), nil
}

// writeTx runs work in a managed write transaction and classifies errors.
func writeTx[T any](ctx context.Context, s *Store, what string, work func(context.Context, neo4j.ManagedTransaction) (T, error)) (T, error) {
	sess := s.session(ctx, neo4j.AccessModeWrite)
	defer sess.Close(context.WithoutCancel(ctx))
	out, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return work(ctx, tx)
	})
	var zero T
	if err != nil {
		return zero, s.classify(what, err)
	}
	return out.(T), nil
}

// storeError is an error already explained for the user (it passes
// classify untouched).
type storeError struct {
	msg string
	err error
}

func (e *storeError) Error() string { return e.msg }
func (e *storeError) Unwrap() error { return e.err }

// classify turns driver errors into messages that name what to do;
// anything meaning "the store cannot answer now" wraps graph.ErrUnavailable.
func (s *Store) classify(what string, err error) error {
	var se *storeError
	if errors.As(err, &se) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("neo4j %s: %w", what, err)
	}
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) {
		switch {
		case strings.HasPrefix(ne.Code, "Neo.ClientError.Security.Unauthorized"),
			strings.HasPrefix(ne.Code, "Neo.ClientError.Security.AuthenticationRateLimit"):
			return &storeError{msg: fmt.Sprintf("neo4j at %s rejected the credentials (%s): check --user/--password or NEO4J_USER/NEO4J_PASSWORD", s.cfg.URI, ne.Msg),
				err: errors.Join(graph.ErrUnavailable, err)}
		case strings.HasPrefix(ne.Code, "Neo.ClientError.Database.DatabaseNotFound"):
			return &storeError{msg: fmt.Sprintf("neo4j at %s has no database %q: create it or fix --neo4j-database", s.cfg.URI, s.cfg.Database),
				err: errors.Join(graph.ErrUnavailable, err)}
		case strings.HasPrefix(ne.Code, "Neo.TransientError"):
			return &storeError{msg: fmt.Sprintf("neo4j %s: temporarily unavailable (%s): retry shortly", what, ne.Msg),
				err: errors.Join(graph.ErrUnavailable, err)}
		}
		return fmt.Errorf("neo4j %s: %w", what, err)
	}
	if neo4j.IsConnectivityError(err) || isDialError(err) {
		return &storeError{msg: fmt.Sprintf("neo4j at %s is unreachable (%v): start Neo4j or fix --neo4j", s.cfg.URI, err),
			err: errors.Join(graph.ErrUnavailable, err)}
	}
	if neo4j.IsUsageError(err) || neo4j.IsTransactionExecutionLimit(err) {
		return fmt.Errorf("neo4j %s: %w", what, err)
	}
	// Not the driver's: an answer of the shared traversal (e.g. not found,
	// a bad option), passed on exactly as the embedded store gives it.
	return err
}

func isDialError(err error) bool {
	m := err.Error()
	return strings.Contains(m, "connection refused") || strings.Contains(m, "no such host") ||
		strings.Contains(m, "i/o timeout") || strings.Contains(m, "ConnectivityError") ||
		strings.Contains(m, "connection reset")
}
