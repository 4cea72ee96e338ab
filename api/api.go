// Package api serves the iamreach HTTP API (JSON under /api/v1, described
// by the OpenAPI document it embeds) and the explorer UI, over any
// graph.Store. Every endpoint reads; nothing writes to the graph.
package api

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/iamreach/iamreach/graph"
)

// Defaults for Options fields left zero.
const (
	DefaultQueryTimeout   = 30 * time.Second
	DefaultCypherRowLimit = 1000
	DefaultMaxBodyBytes   = 64 << 10
	healthTimeout         = 3 * time.Second
)

// Options configure the handler. The zero value serves the API without a
// token, without Cypher, without a UI, logging nowhere.
type Options struct {
	// Token, when set, is required as "Authorization: Bearer <token>" on
	// every /api/v1 route except /health.
	Token string
	// CypherEnabled turns on POST /api/v1/cypher (read-only; the store
	// must implement graph.CypherRunner).
	CypherEnabled bool
	// CypherRowLimit caps the rows a Cypher query returns (0: 1000).
	CypherRowLimit int
	// Logger receives request logs and internal errors (nil: discarded).
	Logger *slog.Logger
	// UI is the built explorer (web.Files()); nil or without index.html
	// serves a page that says how to build it.
	UI fs.FS
	// StoreName is reported by /health: "memory" (default) or "neo4j".
	StoreName string
	// QueryTimeout bounds each API request's work (0: 30s).
	QueryTimeout time.Duration
	// MaxBodyBytes bounds request bodies (POST /cypher) (0: 64 KiB).
	MaxBodyBytes int64
	// WhyNot answers GET /whynot (why can a principal not do an action on
	// a resource). It needs the snapshot the graph was built from, so the
	// command sets it when it has one; nil: /whynot answers 404 saying so.
	WhyNot WhyNotFunc
	// AllowedHosts, when set, lists the host names (without port) the
	// Host header may carry; others are refused. A server bound to
	// loopback sets it to its loopback names, so a web page on another
	// origin cannot reach it by DNS rebinding.
	AllowedHosts []string
}

// WhyNotFunc explains why from cannot do action on to (graph.WhyNot over
// the served snapshot). action may be empty (sts:AssumeRole for a role).
type WhyNotFunc func(ctx context.Context, from, to, action string) ([]graph.WhyNotResult, error)

// maxConcurrentWhyNot bounds the why-not decisions computed at once: each
// compiles the snapshot's policies, which is CPU work a few clients could
// otherwise multiply.
const maxConcurrentWhyNot = 2

// server holds the handler's dependencies; one per New call.
type server struct {
	store  graph.Store
	opts   Options
	log    *slog.Logger
	ui     http.Handler
	whyNot chan struct{} // semaphore for WhyNot
}

// New returns the HTTP handler of the API and the UI over store.
func New(store graph.Store, opts Options) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = DefaultQueryTimeout
	}
	if opts.CypherRowLimit <= 0 {
		opts.CypherRowLimit = DefaultCypherRowLimit
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.StoreName == "" {
		opts.StoreName = "memory"
	}
	s := &server{store: store, opts: opts, log: opts.Logger, whyNot: make(chan struct{}, maxConcurrentWhyNot)}
	s.ui = newUIHandler(opts.UI, s.log)
	return s.routes()
}

// APIPrefix is where the JSON API lives.
const APIPrefix = "/api/v1"

func (s *server) routes() *chi.Mux {
	r := chi.NewRouter()
	r.Use(s.recoverer, securityHeaders, s.logRequests, s.checkHost, middleware.GetHead)
	r.NotFound(s.ui.ServeHTTP)
	r.MethodNotAllowed(s.ui.ServeHTTP)

	r.Route(APIPrefix, func(r chi.Router) {
		// Answers can be large (a reach subgraph with its evidence):
		// compress them for clients that accept it.
		r.Use(noStore, middleware.Compress(5, "application/json"))
		r.NotFound(func(w http.ResponseWriter, r *http.Request) {
			writeErrorBody(w, http.StatusNotFound, CodeNotFound, "no such API route: "+r.URL.Path+" (see "+APIPrefix+"/openapi.json)")
		})
		sub := r
		r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
			// RFC 9110: a 405 lists the methods the route accepts.
			rel := strings.TrimPrefix(r.URL.Path, APIPrefix)
			var allow []string
			for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
				if sub.Match(chi.NewRouteContext(), m, rel) || (m == http.MethodHead && slices.Contains(allow, http.MethodGet)) {
					allow = append(allow, m)
				}
			}
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeErrorBody(w, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "method "+r.Method+" is not allowed on "+r.URL.Path+
				" (allowed: "+strings.Join(allow, ", ")+"); the API only reads")
		})
		r.Get("/health", s.handle(s.health))
		r.Group(func(r chi.Router) {
			r.Use(s.requireToken, s.queryTimeout)
			r.Get("/openapi.json", s.handle(s.openAPI))
			r.Get("/meta", s.handle(s.meta))
			r.Get("/search", s.handle(s.search))
			r.Get("/node", s.handle(s.node))
			r.Get("/neighbours", s.handle(s.neighbours))
			r.Get("/reach", s.handle(s.reach))
			r.Get("/reachers", s.handle(s.reachers))
			r.Get("/paths", s.handle(s.paths))
			r.Get("/findings", s.handle(s.findings))
			r.Get("/whynot", s.handle(s.whyNotHandler))
			r.Post("/cypher", s.handle(s.cypher))
		})
	})
	return r
}

// handlerFunc is a handler that returns its error to the one renderer.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, s.log, err, s.opts.Token == "")
		}
	}
}
