package graph

import (
	"context"
	"errors"
)

// ErrNotFound is returned when a node ID is not in the graph.
var ErrNotFound = errors.New("not found")

// ErrUnavailable is returned when the store's backend cannot be reached
// (e.g. Neo4j down). The API answers 503.
var ErrUnavailable = errors.New("store unavailable")

// Store is the one query interface. The embedded store (Memory) and the
// Neo4j store implement it and pass the same contract tests
// (graph/storetest): same question, same answer.
type Store interface {
	// Meta describes the loaded snapshot.
	Meta(ctx context.Context) (Meta, error)
	// Node returns one node, or ErrNotFound.
	Node(ctx context.Context, id string) (Node, error)
	// Search finds nodes by name, ID/ARN substring, account or tag value,
	// best matches first.
	Search(ctx context.Context, q SearchQuery) ([]Node, error)
	// Neighbours returns a node with its adjacent edges and nodes.
	Neighbours(ctx context.Context, id string, opts NeighbourOptions) (Subgraph, error)
	// Reach answers "what can this principal or workload reach".
	Reach(ctx context.Context, from string, opts ReachOptions) (ReachResult, error)
	// Reachers answers "who can reach this resource".
	Reachers(ctx context.Context, to string, opts ReachOptions) (ReachResult, error)
	// Paths returns paths from one node to another, shortest first.
	Paths(ctx context.Context, from, to string, opts PathOptions) ([]Path, error)
	// Findings lists the findings computed at build time (external trust,
	// public exposure, admin-equivalence, least privilege …).
	Findings(ctx context.Context, q FindingQuery) ([]Finding, error)
	// Close releases the store.
	Close(ctx context.Context) error
}

// SearchQuery is a search request.
type SearchQuery struct {
	Text  string     `json:"q"`
	Kinds []NodeKind `json:"kinds,omitempty"`
	Limit int        `json:"limit,omitempty"` // 0: default 20
}

// NeighbourOptions filters neighbours.
type NeighbourOptions struct {
	Kinds     []EdgeKind `json:"kinds,omitempty"` // empty: all
	Direction string     `json:"direction,omitempty"`
	Limit     int        `json:"limit,omitempty"` // 0: default 200
}

// ReachOptions bound and filter reach and reachers.
type ReachOptions struct {
	MaxDepth          int      `json:"maxDepth,omitempty"`     // identity hops; 0: default 6
	Actions           []string `json:"actions,omitempty"`      // IAM action patterns, e.g. "s3:Get*"
	AccessLevels      []string `json:"accessLevels,omitempty"` // e.g. "Read", "Write"
	ResourceTypes     []string `json:"resourceTypes,omitempty"`
	ExcludeConditions bool     `json:"excludeConditional,omitempty"` // drop edges that hold only under conditions
	Limit             int      `json:"limit,omitempty"`              // max targets; 0: default 1000
}

// Hop is one edge on a path.
type Hop struct {
	Edge Edge `json:"edge"`
}

// Path is a route through the graph with its edges in order and the
// conjunction of the conditions met along it.
type Path struct {
	Nodes      []string `json:"nodes"` // node IDs, first is the origin
	Edges      []Edge   `json:"edges"`
	Conditions []string `json:"conditions,omitempty"`
}

// ReachTarget is one thing reached (a resource, scope or pattern for
// Reach; a principal or workload for Reachers).
type ReachTarget struct {
	Node       Node          `json:"node"`
	Actions    []ActionGrant `json:"actions"`
	Path       Path          `json:"path"`
	Conditions []string      `json:"conditions,omitempty"`
}

// ReachResult is the answer to Reach or Reachers: the targets with paths,
// and the subgraph that draws them.
type ReachResult struct {
	Origin    Node          `json:"origin"`
	Targets   []ReachTarget `json:"targets"`
	Graph     Subgraph      `json:"graph"`
	Truncated bool          `json:"truncated,omitempty"`
	// Gaps lists collection gaps that could change this answer.
	Gaps []Gap `json:"gaps,omitempty"`
}

// PathOptions bound path search.
type PathOptions struct {
	MaxDepth int `json:"maxDepth,omitempty"` // 0: default 6
	Limit    int `json:"limit,omitempty"`    // 0: default 10
}

// Subgraph is a set of nodes and the edges between them.
type Subgraph struct {
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
}

// FindingQuery filters findings.
type FindingQuery struct {
	Kinds   []FindingKind `json:"kinds,omitempty"`
	Account string        `json:"account,omitempty"`
	Subject string        `json:"subject,omitempty"` // node ID
	Limit   int           `json:"limit,omitempty"`   // 0: all
}

// Source is the low-level read access that the shared traversal code
// (Reach, Reachers, Paths in this package) needs. The embedded store
// implements it over memory; the Neo4j store implements it with batched
// Cypher, so both stores run the same algorithm and give the same answers.
// Calls are batched by BFS frontier: one call per depth level.
type Source interface {
	// Nodes returns the nodes with the given IDs (missing IDs are skipped).
	Nodes(ctx context.Context, ids []string) ([]Node, error)
	// OutEdges returns edges of the given kinds leaving any of ids (all kinds if empty).
	OutEdges(ctx context.Context, ids []string, kinds []EdgeKind) ([]Edge, error)
	// InEdges returns edges of the given kinds entering any of ids (all kinds if empty).
	InEdges(ctx context.Context, ids []string, kinds []EdgeKind) ([]Edge, error)
}

// Pinger is implemented by stores whose backend can be down (Neo4j).
// /api/v1/health reports the store unhealthy when Ping fails.
type Pinger interface {
	Ping(ctx context.Context) error
}

// CypherResult is the answer of a read-only Cypher query.
type CypherResult struct {
	Columns   []string `json:"columns"`
	Rows      [][]any  `json:"rows"`
	Truncated bool     `json:"truncated"`
}

// CypherRunner is implemented by stores that accept read-only Cypher
// (Neo4j). Implementations must run the query in a read transaction,
// refuse writes and procedure calls that write, and honour limit and ctx.
type CypherRunner interface {
	RunReadCypher(ctx context.Context, query string, params map[string]any, limit int) (CypherResult, error)
}
