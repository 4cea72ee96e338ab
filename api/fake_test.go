package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/iamreach/iamreach/graph"
)

// fakeStore is a small in-memory graph.Store for handler tests: a Lambda
// function running as a role that can read a bucket. It records the
// options each query received, and can be told to fail or to block.
type fakeStore struct {
	mu    sync.Mutex
	g     graph.Graph
	err   error // returned by every query when set
	block bool  // queries wait for ctx to end

	lastSearch     graph.SearchQuery
	lastNeighbours graph.NeighbourOptions
	lastReach      graph.ReachOptions
	lastPaths      graph.PathOptions
	lastFindings   graph.FindingQuery
}

const (
	fnARN     = "arn:aws:lambda:eu-west-1:111122223333:function:orders-api"
	roleARN   = "arn:aws:iam::111122223333:role/orders-api-role"
	bucketARN = "arn:aws:s3:::orders-data"
)

func newFakeStore() *fakeStore {
	stmt := json.RawMessage(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::orders-data/*"}`)
	ev := graph.Evidence{PolicyType: graph.PolicyIdentity, PolicyID: roleARN + "#inline/read", PolicyName: "read",
		StatementIndex: 0, Sid: "Read", Effect: "Allow", Statement: stmt}
	return &fakeStore{g: graph.Graph{
		Meta: graph.Meta{Source: "fake", GeneratedAt: "2026-12-06T00:00:00Z", Complete: true, Accounts: 1, Nodes: 3, Edges: 2},
		Nodes: []graph.Node{
			{ID: fnARN, Kind: graph.KindResource, Name: "orders-api", Type: "lambda:function", Account: "111122223333", Region: "eu-west-1"},
			{ID: roleARN, Kind: graph.KindRole, Name: "orders-api-role", Account: "111122223333"},
			{ID: bucketARN, Kind: graph.KindResource, Name: "orders-data", Type: "s3:bucket", Account: "111122223333"},
		},
		Edges: []graph.Edge{
			{ID: "e1", Kind: graph.EdgeRunsAs, From: fnARN, To: roleARN},
			{ID: "e2", Kind: graph.EdgeCanAccess, From: roleARN, To: bucketARN,
				Actions:  []graph.ActionGrant{{Action: "s3:GetObject", Level: graph.LevelRead}},
				Evidence: []graph.Evidence{ev}},
		},
		Findings: []graph.Finding{
			{ID: "f1", Kind: graph.FindingWildcardAction, Severity: "medium", Title: "s3:* on the role", Subject: roleARN, Account: "111122223333"},
			{ID: "f2", Kind: graph.FindingPublic, Severity: "high", Title: "public bucket", Subject: bucketARN, Account: "111122223333"},
		},
	}}
}

func (f *fakeStore) setBlock(b bool) {
	f.mu.Lock()
	f.block = b
	f.mu.Unlock()
}

func (f *fakeStore) wait(ctx context.Context) error {
	f.mu.Lock()
	err, block := f.err, f.block
	f.mu.Unlock()
	if block {
		<-ctx.Done()
		return fmt.Errorf("fake query: %w", ctx.Err())
	}
	return err
}

func (f *fakeStore) node(id string) (graph.Node, bool) {
	for _, n := range f.g.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return graph.Node{}, false
}

func (f *fakeStore) Meta(ctx context.Context) (graph.Meta, error) {
	if err := f.wait(ctx); err != nil {
		return graph.Meta{}, err
	}
	return f.g.Meta, nil
}

func (f *fakeStore) Node(ctx context.Context, id string) (graph.Node, error) {
	if err := f.wait(ctx); err != nil {
		return graph.Node{}, err
	}
	n, ok := f.node(id)
	if !ok {
		return graph.Node{}, fmt.Errorf("node %q: %w", id, graph.ErrNotFound)
	}
	return n, nil
}

func (f *fakeStore) Search(ctx context.Context, q graph.SearchQuery) ([]graph.Node, error) {
	f.mu.Lock()
	f.lastSearch = q
	f.mu.Unlock()
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	var out []graph.Node
	for _, n := range f.g.Nodes {
		if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, n.Kind) {
			continue
		}
		if strings.Contains(strings.ToLower(n.ID+" "+n.Name), strings.ToLower(q.Text)) {
			out = append(out, n)
		}
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil // nil when nothing matches: the API must still answer []
}

func (f *fakeStore) Neighbours(ctx context.Context, id string, opts graph.NeighbourOptions) (graph.Subgraph, error) {
	f.mu.Lock()
	f.lastNeighbours = opts
	f.mu.Unlock()
	if err := f.wait(ctx); err != nil {
		return graph.Subgraph{}, err
	}
	n, ok := f.node(id)
	if !ok {
		return graph.Subgraph{}, fmt.Errorf("neighbours of %q: %w", id, graph.ErrNotFound)
	}
	sg := graph.Subgraph{Nodes: []graph.Node{n}}
	for _, e := range f.g.Edges {
		if len(opts.Kinds) > 0 && !slices.Contains(opts.Kinds, e.Kind) {
			continue
		}
		var other string
		switch {
		case e.From == id && opts.Direction != "in":
			other = e.To
		case e.To == id && opts.Direction != "out":
			other = e.From
		default:
			continue
		}
		o, _ := f.node(other)
		sg.Nodes = append(sg.Nodes, o)
		sg.Edges = append(sg.Edges, e)
	}
	return sg, nil
}

func (f *fakeStore) Reach(ctx context.Context, from string, opts graph.ReachOptions) (graph.ReachResult, error) {
	f.mu.Lock()
	f.lastReach = opts
	f.mu.Unlock()
	if err := f.wait(ctx); err != nil {
		return graph.ReachResult{}, err
	}
	origin, ok := f.node(from)
	if !ok {
		return graph.ReachResult{}, fmt.Errorf("reach from %q: %w", from, graph.ErrNotFound)
	}
	res := graph.ReachResult{Origin: origin}
	if from == fnARN {
		b, _ := f.node(bucketARN)
		r, _ := f.node(roleARN)
		p := graph.Path{Nodes: []string{fnARN, roleARN, bucketARN}, Edges: f.g.Edges}
		res.Targets = []graph.ReachTarget{{Node: b, Actions: f.g.Edges[1].Actions, Path: p}}
		res.Graph = graph.Subgraph{Nodes: []graph.Node{origin, r, b}, Edges: f.g.Edges}
	}
	return res, nil // Targets nil for other origins
}

func (f *fakeStore) Reachers(ctx context.Context, to string, opts graph.ReachOptions) (graph.ReachResult, error) {
	f.mu.Lock()
	f.lastReach = opts
	f.mu.Unlock()
	if err := f.wait(ctx); err != nil {
		return graph.ReachResult{}, err
	}
	target, ok := f.node(to)
	if !ok {
		return graph.ReachResult{}, fmt.Errorf("reachers of %q: %w", to, graph.ErrNotFound)
	}
	res := graph.ReachResult{Origin: target}
	if to == bucketARN {
		fn, _ := f.node(fnARN)
		r, _ := f.node(roleARN)
		p := graph.Path{Nodes: []string{fnARN, roleARN, bucketARN}, Edges: f.g.Edges}
		res.Targets = []graph.ReachTarget{
			{Node: fn, Actions: f.g.Edges[1].Actions, Path: p},
			{Node: r, Actions: f.g.Edges[1].Actions, Path: graph.Path{Nodes: []string{roleARN, bucketARN}, Edges: f.g.Edges[1:]}},
		}
		res.Graph = graph.Subgraph{Nodes: []graph.Node{fn, r, target}, Edges: f.g.Edges}
	}
	return res, nil
}

func (f *fakeStore) Paths(ctx context.Context, from, to string, opts graph.PathOptions) ([]graph.Path, error) {
	f.mu.Lock()
	f.lastPaths = opts
	f.mu.Unlock()
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	_, okf := f.node(from)
	_, okt := f.node(to)
	if !okf || !okt {
		return nil, fmt.Errorf("paths: %w", graph.ErrNotFound)
	}
	if from == fnARN && to == bucketARN {
		return []graph.Path{{Nodes: []string{fnARN, roleARN, bucketARN}, Edges: f.g.Edges}}, nil
	}
	return nil, nil
}

func (f *fakeStore) Findings(ctx context.Context, q graph.FindingQuery) ([]graph.Finding, error) {
	f.mu.Lock()
	f.lastFindings = q
	f.mu.Unlock()
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	var out []graph.Finding
	for _, fd := range f.g.Findings {
		if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, fd.Kind) {
			continue
		}
		if q.Subject != "" && fd.Subject != q.Subject {
			continue
		}
		if q.Account != "" && fd.Account != q.Account {
			continue
		}
		out = append(out, fd)
	}
	return out, nil
}

func (f *fakeStore) Close(context.Context) error { return nil }

// pingStore is a fakeStore whose backend can be down (graph.Pinger).
type pingStore struct {
	*fakeStore
	mu   sync.Mutex
	down error
}

func (p *pingStore) setDown(err error) {
	p.mu.Lock()
	p.down = err
	p.mu.Unlock()
}

func (p *pingStore) Ping(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.down
}

// cypherStore is a fakeStore that runs "Cypher" (graph.CypherRunner): it
// refuses queries containing write clauses, as the Neo4j store does, and
// records what it was given.
type cypherStore struct {
	*fakeStore
	mu         sync.Mutex
	lastQuery  string
	lastParams map[string]any
	lastLimit  int
}

func (c *cypherStore) RunReadCypher(ctx context.Context, query string, params map[string]any, limit int) (graph.CypherResult, error) {
	c.mu.Lock()
	c.lastQuery, c.lastParams, c.lastLimit = query, params, limit
	c.mu.Unlock()
	if err := c.wait(ctx); err != nil {
		return graph.CypherResult{}, err
	}
	if strings.Contains(strings.ToUpper(query), "CREATE") {
		return graph.CypherResult{}, fmt.Errorf("write queries are not allowed in a read transaction")
	}
	return graph.CypherResult{Columns: []string{"n"}, Rows: [][]any{{"orders-api"}}}, nil
}

// fakeWhyNot stands in for graph.WhyNot over the fake store's graph: the
// function's role may read the bucket and nothing else.
func fakeWhyNot(f *fakeStore) func(ctx context.Context, from, to, action string) ([]graph.WhyNotResult, error) {
	return func(ctx context.Context, from, to, action string) ([]graph.WhyNotResult, error) {
		if err := f.wait(ctx); err != nil {
			return nil, err
		}
		if _, ok := f.node(from); !ok {
			return nil, fmt.Errorf("why not: %q: %w", from, graph.ErrNotFound)
		}
		if action == "" {
			if to != roleARN {
				return nil, fmt.Errorf("why not: say which action (e.g. s3:GetObject)")
			}
			action = "sts:AssumeRole"
		}
		res := graph.WhyNotResult{Identity: roleARN, Via: []string{fnARN, roleARN}, Action: action, Resource: to,
			Result: "ImplicitlyDenied", BlockedBy: "no identity policy allows it"}
		if to == bucketARN && action == "s3:GetObject" {
			res.Result, res.BlockedBy = "Allowed", ""
			res.Allowing = f.g.Edges[1].Evidence
		}
		return []graph.WhyNotResult{res}, nil
	}
}
