package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"

	"github.com/iamreach/iamreach/graph"
)

// Limits on the size of one answer. A client asking for more gets a
// bad_request naming the parameter and the bound.
const (
	maxSearchLimit    = 200
	maxNeighbourLimit = 5000
	maxReachLimit     = 10000
	maxPathLimit      = 100
	maxFindingLimit   = 100000
	maxDepth          = 12
	maxCypherQuery    = 16 << 10
)

// HealthResponse is the body of /health.
type HealthResponse struct {
	Status string `json:"status"` // "ok" or "unhealthy"
	Store  string `json:"store"`  // "memory" or "neo4j"
	Error  string `json:"error,omitempty"`
	// Features says which optional routes answer on this server, so a
	// client can hide what would only answer 404.
	Features Features `json:"features"`
}

// Features lists the optional routes a server answers.
type Features struct {
	WhyNot bool `json:"whynot"` // GET /whynot: the server has the snapshot
	Cypher bool `json:"cypher"` // POST /cypher: --cypher on a store that runs Cypher
	Token  bool `json:"token"`  // the API requires a bearer token
}

// SearchResponse is the body of /search.
type SearchResponse struct {
	Results []graph.Node `json:"results"`
}

// NodeResponse is the body of /node.
type NodeResponse struct {
	Node graph.Node `json:"node"`
}

// PathsResponse is the body of /paths.
type PathsResponse struct {
	Paths []graph.Path `json:"paths"`
}

// FindingsResponse is the body of /findings.
type FindingsResponse struct {
	Findings []graph.Finding `json:"findings"`
}

// CypherRequest is the body of POST /cypher.
type CypherRequest struct {
	Query  string         `json:"query"`
	Params map[string]any `json:"params,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
	return nil
}

func (s *server) health(w http.ResponseWriter, r *http.Request) error {
	if err := newParams(r.URL).check(); err != nil {
		return err
	}
	_, runsCypher := s.store.(graph.CypherRunner)
	resp := HealthResponse{Status: "ok", Store: s.opts.StoreName, Features: Features{
		WhyNot: s.opts.WhyNot != nil, Cypher: s.opts.CypherEnabled && runsCypher, Token: s.opts.Token != "",
	}}
	if p, ok := s.store.(graph.Pinger); ok {
		ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
		defer cancel()
		if err := p.Ping(ctx); err != nil {
			s.log.WarnContext(r.Context(), "store health check failed", "store", s.opts.StoreName, "err", err)
			resp.Status = "unhealthy"
			resp.Error = "the " + s.opts.StoreName + " store does not answer; see the server log"
			if s.opts.Token == "" {
				// Without a token the server is bound to loopback: the
				// person asking is the operator, tell them why.
				resp.Error = err.Error()
			}
			return writeJSON(w, http.StatusServiceUnavailable, resp)
		}
	}
	return writeJSON(w, http.StatusOK, resp)
}

func (s *server) openAPI(w http.ResponseWriter, r *http.Request) error {
	if err := newParams(r.URL).check(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(OpenAPI())
	return nil
}

func (s *server) meta(w http.ResponseWriter, r *http.Request) error {
	if err := newParams(r.URL).check(); err != nil {
		return err
	}
	m, err := s.store.Meta(r.Context())
	if err != nil {
		return fmt.Errorf("meta: %w", err)
	}
	return writeJSON(w, http.StatusOK, m)
}

func (s *server) search(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r.URL)
	q := graph.SearchQuery{
		Text:  p.single("q"),
		Kinds: toKinds[graph.NodeKind](p.set("kind", nodeKinds())),
		Limit: p.intRange("limit", 20, 1, maxSearchLimit),
	}
	if err := p.check(); err != nil {
		return err
	}
	if q.Text == "" && len(q.Kinds) == 0 {
		return badRequest("parameter %q is required (or give kind to list nodes of a kind)", "q")
	}
	if len(q.Text) > maxIDLen {
		return badRequest("parameter %q is %d characters long; at most %d", "q", len(q.Text), maxIDLen)
	}
	nodes, err := s.store.Search(r.Context(), q)
	if err != nil {
		return fmt.Errorf("search %q: %w", q.Text, err)
	}
	return writeJSON(w, http.StatusOK, SearchResponse{Results: nonNil(nodes)})
}

func (s *server) node(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r.URL)
	id := p.id("id", true)
	if err := p.check(); err != nil {
		return err
	}
	n, err := s.store.Node(r.Context(), id)
	if err != nil {
		return nodeError("id", id, err)
	}
	return writeJSON(w, http.StatusOK, NodeResponse{Node: n})
}

func (s *server) neighbours(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r.URL)
	id := p.id("id", true)
	opts := graph.NeighbourOptions{
		Kinds:     toKinds[graph.EdgeKind](p.set("kind", edgeKinds())),
		Direction: p.oneOf("direction", "both", directions()),
		Limit:     p.intRange("limit", 200, 1, maxNeighbourLimit),
	}
	if err := p.check(); err != nil {
		return err
	}
	sg, err := s.store.Neighbours(r.Context(), id, opts)
	if err != nil {
		return nodeError("id", id, err)
	}
	return writeJSON(w, http.StatusOK, normSubgraph(sg))
}

var resourceTypeRE = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*?_.-]+$`)

// reachOptions reads the filters shared by /reach and /reachers.
func reachOptions(p *params) graph.ReachOptions {
	opts := graph.ReachOptions{
		MaxDepth:          p.intRange("maxDepth", 0, 1, maxDepth),
		Actions:           p.multi("action"),
		AccessLevels:      p.set("accessLevel", accessLevels()),
		ResourceTypes:     p.multi("resourceType"),
		ExcludeConditions: p.boolean("excludeConditional"),
		Limit:             p.intRange("limit", 0, 1, maxReachLimit),
	}
	for _, a := range opts.Actions {
		if err := validAction(a); err != nil {
			p.fail("parameter %q: %v", "action", err)
		}
	}
	for _, t := range opts.ResourceTypes {
		if !resourceTypeRE.MatchString(t) {
			p.fail("parameter %q: %q is not a resource type (want service:type, e.g. s3:bucket)", "resourceType", t)
		}
	}
	return opts
}

func (s *server) reach(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r.URL)
	from := p.id("from", true)
	opts := reachOptions(p)
	if err := p.check(); err != nil {
		return err
	}
	res, err := s.store.Reach(r.Context(), from, opts)
	if err != nil {
		return nodeError("from", from, err)
	}
	return writeJSON(w, http.StatusOK, normReach(res))
}

func (s *server) reachers(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r.URL)
	to := p.id("to", true)
	opts := reachOptions(p)
	if err := p.check(); err != nil {
		return err
	}
	res, err := s.store.Reachers(r.Context(), to, opts)
	if err != nil {
		return nodeError("to", to, err)
	}
	return writeJSON(w, http.StatusOK, normReach(res))
}

func (s *server) paths(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r.URL)
	from := p.id("from", true)
	to := p.id("to", true)
	opts := graph.PathOptions{
		MaxDepth: p.intRange("maxDepth", 0, 1, maxDepth),
		Limit:    p.intRange("limit", 0, 1, maxPathLimit),
	}
	if err := p.check(); err != nil {
		return err
	}
	ps, err := s.store.Paths(r.Context(), from, to, opts)
	if err != nil {
		if errors.Is(err, graph.ErrNotFound) {
			return notFound("no node with ID %q or %q (parameters \"from\", \"to\")", from, to)
		}
		return fmt.Errorf("paths from %q to %q: %w", from, to, err)
	}
	ps = append([]graph.Path{}, ps...) // the store's slice stays untouched
	for i := range ps {
		ps[i] = normPath(ps[i])
	}
	return writeJSON(w, http.StatusOK, PathsResponse{Paths: ps})
}

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

func (s *server) findings(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r.URL)
	q := graph.FindingQuery{
		Kinds:   toKinds[graph.FindingKind](p.set("kind", findingKinds())),
		Account: p.single("account"),
		Subject: p.id("subject", false),
		Limit:   p.intRange("limit", 0, 1, maxFindingLimit),
	}
	if q.Account != "" && !accountRE.MatchString(q.Account) {
		p.fail("parameter %q must be a 12-digit AWS account ID, got %q", "account", q.Account)
	}
	if err := p.check(); err != nil {
		return err
	}
	fs, err := s.store.Findings(r.Context(), q)
	if err != nil {
		return fmt.Errorf("findings: %w", err)
	}
	// Copy before normalising: the slice may be the store's own.
	fs = append([]graph.Finding{}, fs...)
	for i := range fs {
		if fs[i].Path != nil {
			p := normPath(*fs[i].Path)
			fs[i].Path = &p
		}
	}
	return writeJSON(w, http.StatusOK, FindingsResponse{Findings: fs})
}

func (s *server) cypher(w http.ResponseWriter, r *http.Request) error {
	if !s.opts.CypherEnabled {
		return notFound("the Cypher endpoint is disabled; start the server with serve --neo4j … --cypher to enable it")
	}
	runner, ok := s.store.(graph.CypherRunner)
	if !ok {
		return notFound("the %s store does not run Cypher; serve from Neo4j (serve --neo4j … --cypher)", s.opts.StoreName)
	}
	if err := newParams(r.URL).check(); err != nil {
		return err
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return badRequest("the body must be JSON with Content-Type: application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var req CypherRequest
	if err := dec.Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return badRequest("the body is larger than %d bytes", mbe.Limit)
		}
		return badRequest("the body is not a JSON Cypher request ({\"query\": \"…\", \"params\": {…}}): %v", err)
	}
	if dec.More() {
		return badRequest("the body holds more than one JSON value")
	}
	req.Query = strings.TrimSpace(req.Query)
	switch {
	case req.Query == "":
		return badRequest("field %q is required", "query")
	case len(req.Query) > maxCypherQuery:
		return badRequest("field %q is %d bytes long; at most %d", "query", len(req.Query), maxCypherQuery)
	}
	res, err := runner.RunReadCypher(r.Context(), req.Query, numbersToGo(req.Params), s.opts.CypherRowLimit)
	if err != nil {
		return cypherError(err)
	}
	if res.Columns == nil {
		res.Columns = []string{}
	}
	if res.Rows == nil {
		res.Rows = [][]any{}
	}
	return writeJSON(w, http.StatusOK, res)
}

// cypherError shows the client why its query was refused: the store's
// message about the query (syntax, write refused) is what they need. Store
// outages and timeouts keep their own codes.
func cypherError(err error) error {
	switch {
	case errors.Is(err, graph.ErrUnavailable), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, context.Canceled):
		return err
	}
	return badRequest("cypher: %v", err)
}

// numbersToGo turns json.Number parameters into int64 or float64, so that
// Cypher sees integers as integers.
func numbersToGo(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = numberToGo(v)
	}
	return out
}

func numberToGo(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	case map[string]any:
		return numbersToGo(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = numberToGo(e)
		}
		return out
	default:
		return v
	}
}

// nodeError names the parameter whose node was not found.
func nodeError(param, id string, err error) error {
	if errors.Is(err, graph.ErrNotFound) {
		return notFound("no node with ID %q (parameter %q)", id, param)
	}
	return fmt.Errorf("%s %q: %w", param, id, err)
}

// The normalisers make every list in an answer a JSON array, never null,
// so clients need no null checks (the OpenAPI document says so). They
// never write into slices the store returned, which a store may share
// between concurrent requests.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func normSubgraph(sg graph.Subgraph) graph.Subgraph {
	sg.Nodes = nonNil(sg.Nodes)
	sg.Edges = nonNil(sg.Edges)
	return sg
}

func normPath(p graph.Path) graph.Path {
	p.Nodes = nonNil(p.Nodes)
	p.Edges = nonNil(p.Edges)
	return p
}

func normReach(res graph.ReachResult) graph.ReachResult {
	res.Targets = append([]graph.ReachTarget{}, res.Targets...) // the store's slice stays untouched
	for i := range res.Targets {
		res.Targets[i].Actions = nonNil(res.Targets[i].Actions)
		res.Targets[i].Path = normPath(res.Targets[i].Path)
	}
	res.Graph = normSubgraph(res.Graph)
	return res
}
