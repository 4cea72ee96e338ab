package neo4j

import (
	"context"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/iamreach/iamreach/graph"
)

// SchemaVersion is the version of the layout described in docs/neo4j.md.
// A database written by another version is refused with a message saying
// to reload it.
const SchemaVersion = 2

// Labels and keys of the bookkeeping nodes.
const (
	labelNode       = "Node"          // on every graph node, beside its kind label
	labelFinding    = "Finding"       // one per finding
	labelGeneration = "Generation"    // one per load
	labelState      = "IamreachState" // the single state node
	stateKey        = "iamreach"      // IamreachState.key
	stateLoading    = "loading"       // Generation.state while being written
	stateComplete   = "complete"      // Generation.state once written and switched to
)

// schemaStatements create the constraints and indexes; all are idempotent.
var schemaStatements = []string{
	"CREATE CONSTRAINT iamreach_state_key IF NOT EXISTS FOR (s:IamreachState) REQUIRE s.key IS UNIQUE",
	"CREATE CONSTRAINT iamreach_generation_gen IF NOT EXISTS FOR (g:Generation) REQUIRE g.gen IS UNIQUE",
	"CREATE CONSTRAINT iamreach_node_gen_id IF NOT EXISTS FOR (n:Node) REQUIRE (n.gen, n.id) IS UNIQUE",
	"CREATE INDEX iamreach_node_gen_kind IF NOT EXISTS FOR (n:Node) ON (n.gen, n.kind)",
	"CREATE INDEX iamreach_node_name IF NOT EXISTS FOR (n:Node) ON (n.name)",
	"CREATE INDEX iamreach_node_account IF NOT EXISTS FOR (n:Node) ON (n.account)",
	"CREATE TEXT INDEX iamreach_node_search IF NOT EXISTS FOR (n:Node) ON (n.search)",
	"CREATE INDEX iamreach_finding_gen IF NOT EXISTS FOR (f:Finding) ON (f.gen, f.seq)",
	"CREATE INDEX iamreach_finding_subject IF NOT EXISTS FOR (f:Finding) ON (f.subject)",
}

// nodeLabel returns the Neo4j label of a node kind. Labels cannot be query
// parameters, so they come only from this closed set, never from input.
func nodeLabel(k graph.NodeKind) (string, error) {
	switch k {
	case graph.KindAccount, graph.KindOrgUnit, graph.KindUser, graph.KindGroup, graph.KindRole,
		graph.KindServicePrincipal, graph.KindIdentityProvider, graph.KindAnonymous, graph.KindPolicy,
		graph.KindResource, graph.KindScope, graph.KindPattern:
		return string(k), nil
	}
	return "", fmt.Errorf("unknown node kind %q", k)
}

// relType returns the relationship type of an edge kind, from the closed set.
func relType(k graph.EdgeKind) (string, error) {
	switch k {
	case graph.EdgeRunsAs, graph.EdgeCanAssume, graph.EdgeCanEscalate, graph.EdgeCanAccess,
		graph.EdgeCanInvoke, graph.EdgeTriggers, graph.EdgeMemberOf, graph.EdgeHasPolicy,
		graph.EdgeInAccount, graph.EdgeChildOf, graph.EdgeCovers, graph.EdgeHasBoundary:
		return string(k), nil
	}
	return "", fmt.Errorf("unknown edge kind %q", k)
}

// ensureSchema creates constraints and indexes (schema commands run one per
// transaction) and waits for the indexes to come online.
func (s *Store) ensureSchema(ctx context.Context) error {
	for _, q := range schemaStatements {
		if _, err := writeTx(ctx, s, "create schema", func(ctx context.Context, tx neo4j.ManagedTransaction) (struct{}, error) {
			res, err := tx.Run(ctx, q, nil)
			if err != nil {
				return struct{}{}, err
			}
			_, err = res.Consume(ctx)
			return struct{}{}, err
		}); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	sess := s.session(ctx, neo4j.AccessModeWrite)
	defer sess.Close(context.WithoutCancel(ctx))
	res, err := sess.Run(ctx, "CALL db.awaitIndexes(300)", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		return s.classify("await indexes", err)
	}
	return nil
}

// currentGen reads the current generation inside a transaction, refusing
// an empty database or one of another schema version with what to do.
func currentGen(ctx context.Context, tx neo4j.ManagedTransaction) (int64, error) {
	res, err := tx.Run(ctx, "OPTIONAL MATCH (s:IamreachState {key: $key}) RETURN s.gen AS gen, s.schemaVersion AS version", map[string]any{"key": stateKey})
	if err != nil {
		return 0, err
	}
	rec, err := res.Single(ctx)
	if err != nil {
		return 0, err
	}
	gen, _ := rec.Get("gen")
	ver, _ := rec.Get("version")
	g, ok := gen.(int64)
	if !ok {
		return 0, &storeError{msg: "neo4j holds no iamreach graph yet: run `iamreach load --snapshot FILE --neo4j URI` first", err: graph.ErrUnavailable}
	}
	v, _ := ver.(int64)
	if v != SchemaVersion {
		return 0, &storeError{
			msg: fmt.Sprintf("neo4j holds an iamreach graph of schema version %d, this iamreach reads version %d: reload it with `iamreach load --snapshot FILE --neo4j URI`", v, SchemaVersion),
			err: graph.ErrUnavailable,
		}
	}
	return g, nil
}
