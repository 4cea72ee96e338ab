package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/iamreach/iamreach/api"
	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/neo4j"
	"github.com/iamreach/iamreach/snapshot"
	"github.com/iamreach/iamreach/web"
)

// minTokenLen keeps tokens long enough not to be guessed.
const minTokenLen = 16

// serveFlags are the flags serve and demo share.
type serveFlags struct {
	listen       string
	token        string
	queryTimeout time.Duration
	logLevel     string
	allowHosts   string
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8080", "`host:port` to listen on; an address other than loopback needs --token")
	fs.StringVar(&f.token, "token", "", "require `TOKEN` as \"Authorization: Bearer TOKEN\" on the API (default $IAMREACH_TOKEN)")
	fs.DurationVar(&f.queryTimeout, "query-timeout", api.DefaultQueryTimeout, "bound on each API request's work")
	fs.StringVar(&f.logLevel, "log-level", "info", "request log level: debug, info, warn, error")
	fs.StringVar(&f.allowHosts, "allow-host", "", "comma-separated host `names` a loopback server also answers to (e.g. behind a local reverse proxy); "+
		"others are refused, against DNS rebinding")
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var sf serveFlags
	sf.register(fs)
	var in graphInput // --snapshot, --graph, --demo, -v: the embedded store
	in.register(fs)
	var nf neo4jFlags
	nf.register(fs)
	cypher := fs.Bool("cypher", false, "enable the read-only POST /api/v1/cypher endpoint (needs --neo4j)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: iamreach serve (--snapshot FILE | --graph FILE | --demo | --neo4j URI [--user U] [--cypher])\n"+
			"                     [--listen 127.0.0.1:8080] [--token TOKEN]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags only; see iamreach serve -h)", fs.Arg(0))
	}
	if nf.uri != "" && (in.snapshot != "" || in.graph != "" || in.demo) {
		return errors.New("--neo4j serves the graph loaded in Neo4j (iamreach load); drop --snapshot, --graph and --demo")
	}
	if *cypher && nf.uri == "" {
		return errors.New("--cypher needs --neo4j: the embedded store does not run Cypher")
	}
	if nf.uri == "" && (nf.user != "" || nf.password != "" || nf.database != "") {
		return errors.New("--user, --password and --database go with --neo4j")
	}
	cfg, err := sf.check(e)
	if err != nil {
		return err
	}
	log := cfg.logger(e.stderr)

	var (
		store     graph.Store
		storeName = "memory"
		source    string
		whyNot    api.WhyNotFunc
	)
	if nf.uri != "" {
		st, err := nf.open(ctx, e, log)
		if err != nil {
			return err
		}
		store, storeName, source = st, "neo4j", nf.uri
	} else {
		g, snap, err := loadInterruptible(ctx, e, &in)
		if err != nil {
			return err
		}
		store, source = graph.NewMemory(g), firstNonEmpty(in.snapshot, in.graph, "the demo organization")
		whyNot = whyNotOver(snap, g)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := store.Close(cctx); err != nil {
			log.Warn("close store", "err", err)
		}
	}()
	return cfg.serve(ctx, e, store, api.Options{CypherEnabled: *cypher, StoreName: storeName, WhyNot: whyNot}, source, log)
}

// whyNotOver answers /whynot from the snapshot the graph was built from;
// without one (a graph file) there is nothing to decide with.
func whyNotOver(snap *snapshot.Snapshot, g *graph.Graph) api.WhyNotFunc {
	if snap == nil {
		return nil
	}
	return func(ctx context.Context, from, to, action string) ([]graph.WhyNotResult, error) {
		return graph.WhyNot(ctx, snap, g, from, to, action, graph.BuildOptions{})
	}
}

// loadInterruptible builds or reads the graph, and gives up at once when
// ctx is cancelled (Ctrl-C) even if the build does not watch ctx: a user
// who started serve on the wrong snapshot need not wait for it.
func loadInterruptible(ctx context.Context, e *env, in *graphInput) (*graph.Graph, *snapshot.Snapshot, error) {
	type loaded struct {
		g    *graph.Graph
		snap *snapshot.Snapshot
		err  error
	}
	done := make(chan loaded, 1)
	go func() {
		g, snap, err := in.load(ctx, e)
		done <- loaded{g, snap, err}
	}()
	select {
	case l := <-done:
		return l.g, l.snap, l.err
	case <-ctx.Done():
		return nil, nil, fmt.Errorf("interrupted while loading the graph: %w", ctx.Err())
	}
}

// neo4jFlags say where Neo4j is; the names match iamreach load's, and the
// --neo4j-… spellings are accepted too.
type neo4jFlags struct {
	uri, user, password, database string
}

func (f *neo4jFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.uri, "neo4j", "", "answer every question from Neo4j at `URI` (bolt://host:7687), loaded with iamreach load")
	for _, prefix := range []string{"", "neo4j-"} {
		fs.StringVar(&f.user, prefix+"user", "", "Neo4j `user` (default $NEO4J_USER)")
		fs.StringVar(&f.password, prefix+"password", "", "Neo4j `password` (default $NEO4J_PASSWORD; prefer the variable: flags show in ps)")
		fs.StringVar(&f.database, prefix+"database", "", "Neo4j `database` (default: the server's default)")
	}
}

// open connects to Neo4j. Neo4j may be down now and come back later: the
// server starts anyway and /api/v1/health says so until it answers.
func (f *neo4jFlags) open(ctx context.Context, e *env, log *slog.Logger) (*neo4j.Store, error) {
	user := firstNonEmpty(f.user, e.getenv("NEO4J_USER"))
	pass := firstNonEmpty(f.password, e.getenv("NEO4J_PASSWORD"))
	st, err := neo4j.Open(ctx, neo4j.Config{URI: f.uri, User: user, Password: pass, Database: f.database, Logger: log})
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := st.Ping(pctx); err != nil {
		log.Warn("neo4j does not answer yet; serving anyway, /api/v1/health reports unhealthy until it does", "err", err)
	}
	return st, nil
}

// serveConfig is a checked serveFlags.
type serveConfig struct {
	serveFlags
	loopback bool
	level    slog.Level
}

// check applies $IAMREACH_TOKEN and refuses an exposed server without a
// token, before anything slow happens.
func (f serveFlags) check(e *env) (serveConfig, error) {
	c := serveConfig{serveFlags: f}
	if c.token == "" {
		c.token = strings.TrimSpace(e.getenv("IAMREACH_TOKEN"))
	}
	if err := c.level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return c, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.logLevel)
	}
	if c.queryTimeout <= 0 {
		return c, fmt.Errorf("--query-timeout %s: must be positive", c.queryTimeout)
	}
	lb, err := api.IsLoopback(c.listen)
	if err != nil {
		return c, err
	}
	c.loopback = lb
	if c.token != "" && len(c.token) < minTokenLen {
		return c, fmt.Errorf("the token is %d characters long; use at least %d (e.g. openssl rand -hex 32)", len(c.token), minTokenLen)
	}
	if !lb && c.token == "" {
		return c, fmt.Errorf("refusing to listen on %s without a token: the graph shows how to reach everything in the organization; set --token or IAMREACH_TOKEN, or listen on 127.0.0.1", c.listen)
	}
	return c, nil
}

func (c serveConfig) logger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: c.level}))
}

// serve listens, prints where, and serves store until ctx is cancelled.
func (c serveConfig) serve(ctx context.Context, e *env, store graph.Store, opts api.Options, source string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("listen on %s: the address is in use (another iamreach?); pick another with --listen 127.0.0.1:PORT", c.listen)
		}
		return fmt.Errorf("listen on %s: %w", c.listen, err)
	}
	if opts.StoreName == "" {
		opts.StoreName = "memory"
	}
	opts.Token = c.token
	opts.Logger = log
	opts.UI = web.Files()
	opts.QueryTimeout = c.queryTimeout
	if c.loopback {
		host, _, _ := net.SplitHostPort(c.listen)
		opts.AllowedHosts = append(api.LoopbackHosts(), strings.Trim(host, "[]"))
		for _, h := range strings.Split(c.allowHosts, ",") {
			if h = strings.TrimSpace(h); h != "" {
				opts.AllowedHosts = append(opts.AllowedHosts, h)
			}
		}
	}
	h := api.New(store, opts)
	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(e.stdout, "iamreach: serving %s (%s store) at %s\n", source, opts.StoreName, url)
	if c.token != "" {
		fmt.Fprintln(e.stdout, "iamreach: the API requires the token (Authorization: Bearer …); the UI asks for it once")
	}
	log.Info("listening", "url", url, "api", url+"api/v1/", "store", opts.StoreName, "cypher", opts.CypherEnabled, "token", c.token != "")
	if err := api.Serve(ctx, ln, h, api.ServerOptions{QueryTimeout: c.queryTimeout, Logger: log}); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "iamreach: stopped")
	return nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
