// Package collector enumerates an AWS organization into a snapshot with
// read-only calls: the organization (accounts, OU tree, SCPs and RCPs),
// then per account IAM and, per enabled region, the resources that carry
// policies or run as a role. Every failed call becomes a snapshot gap; one
// failure never aborts the rest. The AWS SDK is used only in this package.
//
// Adding a service is one self-contained file (svc_<name>.go) with a
// function returning a Service, plus one line in services() (registry.go);
// see docs/collector.md.
package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"golang.org/x/sync/errgroup"

	"github.com/iamreach/iamreach/snapshot"
)

// Options select what to collect and how hard to push.
type Options struct {
	// Regions to collect; empty means every region enabled in each account.
	Regions []string
	// Accounts restricts collection to these IDs; empty means all.
	Accounts []string
	// ExcludeAccounts are skipped.
	ExcludeAccounts []string
	// Services restricts collection to these service names (see ServiceNames); empty means all.
	Services []string
	// RoleName is assumed in every account other than the caller's.
	RoleName string
	// NoOrg skips AWS Organizations: only the caller's account is collected.
	NoOrg bool
	// EndpointURL sends every call to one endpoint (an emulator such as moto).
	EndpointURL string

	AccountConcurrency int           // accounts collected at once (default 4)
	ServiceConcurrency int           // service×region tasks per account at once (default 8)
	CallTimeout        time.Duration // per call, retries included (default 60s)
	MaxAttempts        int           // SDK attempts per call (default 8)
	MaxBackoff         time.Duration // SDK backoff cap (default 20s)
	// LastAccessed reads IAM's last-accessed report (action level) for every
	// user and role: 2 or more calls per principal, so off by default.
	LastAccessed bool
	// LastAccessedConcurrency is how many report jobs run at once per account (default 4).
	LastAccessedConcurrency int
	// LastAccessedWait is how long one report job may take before it is a gap (default 5m).
	LastAccessedWait time.Duration
	// LastAccessedPoll is the first wait before polling a job; it doubles up to 20s (default 2s).
	LastAccessedPoll time.Duration
	// NoRetryQuota disables the SDK's client-side retry quota (tests inject
	// many failures on purpose).
	NoRetryQuota bool

	Logger *slog.Logger
	Now    func() time.Time
}

// DefaultRoleName is the role AWS Organizations creates in member accounts.
const DefaultRoleName = "OrganizationAccountAccessRole"

func (o *Options) defaults() {
	if o.RoleName == "" {
		o.RoleName = DefaultRoleName
	}
	if o.AccountConcurrency <= 0 {
		o.AccountConcurrency = 4
	}
	if o.ServiceConcurrency <= 0 {
		o.ServiceConcurrency = 8
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 60 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 20 * time.Second
	}
	if o.LastAccessedConcurrency <= 0 {
		o.LastAccessedConcurrency = 4
	}
	if o.LastAccessedWait <= 0 {
		o.LastAccessedWait = 5 * time.Minute
	}
	if o.LastAccessedPoll <= 0 {
		o.LastAccessedPoll = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Collector runs one collection. Progress may be read while Run runs.
type Collector struct {
	opts     Options
	base     aws.Config
	services []Service
	log      *slog.Logger
	stats    *Stats

	mu   sync.Mutex
	gaps []snapshot.Gap
	// crossLinks are event-source links whose target is in another account.
	crossLinks [][2]string
}

// New prepares a collector from the caller's AWS configuration (credentials
// and default region). It checks the options and fails on a service or
// region name that cannot be right.
func New(base aws.Config, opts Options) (*Collector, error) {
	opts.defaults()
	svcs, err := selectServices(opts.Services)
	if err != nil {
		return nil, err
	}
	if opts.LastAccessed && !slices.ContainsFunc(svcs, func(s Service) bool { return s.Name == "iam" }) {
		return nil, errors.New("--last-accessed reads the users and roles that the iam service lists: add iam to --services")
	}
	for _, r := range opts.Regions {
		if !regionShape.MatchString(r) {
			return nil, fmt.Errorf("region %q is not a region name (like eu-west-1)", r)
		}
	}
	c := &Collector{opts: opts, services: svcs, log: opts.Logger, stats: newStats()}
	c.base = c.configure(base)
	return c, nil
}

// configure applies retry, endpoint and call accounting to a configuration.
func (c *Collector) configure(cfg aws.Config) aws.Config {
	cfg = cfg.Copy()
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	o := c.opts
	cfg.Retryer = func() aws.Retryer {
		return retry.NewAdaptiveMode(func(ao *retry.AdaptiveModeOptions) {
			ao.StandardOptions = append(ao.StandardOptions, func(so *retry.StandardOptions) {
				so.MaxAttempts = o.MaxAttempts
				so.MaxBackoff = o.MaxBackoff
				if o.NoRetryQuota {
					so.RateLimiter = ratelimit.None
				}
			})
		})
	}
	if o.EndpointURL != "" {
		cfg.BaseEndpoint = aws.String(o.EndpointURL)
	}
	return cfg
}

// Progress reports counters while Run runs.
func (c *Collector) Progress() Progress { return c.stats.progress() }

// Stats returns the call accounting of the finished run.
func (c *Collector) Stats() *Stats { return c.stats }

// Run collects everything. On cancellation it returns what it has, with
// Complete false, and the context's error.
func (c *Collector) Run(ctx context.Context) (*snapshot.Snapshot, error) {
	start := c.opts.Now()
	snap := &snapshot.Snapshot{
		SchemaVersion: snapshot.SchemaVersion,
		GeneratedAt:   start.UTC(),
		Source:        "collector",
		Accounts:      []snapshot.Account{},
	}
	caller, err := c.callerIdentity(ctx)
	if err != nil {
		return nil, err
	}
	c.log.Info("caller", "account", caller.account, "arn", caller.arn)

	var accounts []snapshot.Account
	if !c.opts.NoOrg {
		org, accts, err := c.collectOrganization(ctx, caller.account)
		switch {
		case errors.Is(err, errNoOrganization):
			c.log.Info("account is not in an organization; collecting it alone", "account", caller.account)
		case err != nil:
			return nil, err
		default:
			snap.Organization = org
			accounts = accts
		}
	}
	if accounts == nil {
		accounts = []snapshot.Account{{ID: caller.account}}
	}
	accounts, err = c.filterAccounts(accounts, caller.account)
	if err != nil {
		return nil, err
	}
	if len(c.opts.Regions) > 0 {
		if err := c.checkRegions(ctx); err != nil {
			return nil, err
		}
	}
	c.stats.setAccounts(len(accounts))

	// Accounts never cancel each other; ctx (Ctrl-C) is checked by every call.
	g := new(errgroup.Group)
	g.SetLimit(c.opts.AccountConcurrency)
	for i := range accounts {
		if st := accounts[i].Status; st != "" && st != "ACTIVE" {
			c.gap(snapshot.Gap{Account: accounts[i].ID, Service: "organizations", Operation: "ListAccounts", Code: "AccountNotActive",
				Error: fmt.Sprintf("account %s is %s; not collected", accounts[i].ID, st)})
			c.stats.accountDone()
			continue
		}
		g.Go(func() error {
			c.collectAccount(ctx, caller.account, &accounts[i])
			c.stats.accountDone()
			return nil
		})
	}
	_ = g.Wait()
	c.mu.Lock()
	applyCrossAccountLinks(accounts, c.crossLinks)
	c.mu.Unlock()

	snap.Accounts = accounts
	sort.Slice(snap.Accounts, func(i, j int) bool { return snap.Accounts[i].ID < snap.Accounts[j].ID })
	c.mu.Lock()
	snap.Gaps = append(snap.Gaps, c.gaps...)
	c.mu.Unlock()
	sortGaps(snap.Gaps)
	snap.Complete = ctx.Err() == nil
	if ctx.Err() != nil {
		snap.Gaps = append(snap.Gaps, snapshot.Gap{Code: "Interrupted", Error: "collection was interrupted: " + context.Cause(ctx).Error() + "; the snapshot holds what was read before"})
		return snap, ctx.Err()
	}
	c.log.Info("done", "accounts", len(snap.Accounts), "calls", c.stats.progress().Calls, "gaps", len(snap.Gaps), "elapsed", c.opts.Now().Sub(start).Round(time.Millisecond))
	return snap, nil
}

func (c *Collector) filterAccounts(all []snapshot.Account, caller string) ([]snapshot.Account, error) {
	known := map[string]bool{}
	for _, a := range all {
		known[a.ID] = true
	}
	include := map[string]bool{}
	for _, id := range c.opts.Accounts {
		if !known[id] {
			if len(all) == 1 && all[0].ID == caller {
				return nil, fmt.Errorf("account %s cannot be collected: without the organization (--no-org, or not in one) only the caller's account %s is", id, caller)
			}
			return nil, fmt.Errorf("account %s is not in the organization (or not visible to %s): check --accounts", id, caller)
		}
		include[id] = true
	}
	exclude := map[string]bool{}
	for _, id := range c.opts.ExcludeAccounts {
		exclude[id] = true
	}
	var out []snapshot.Account
	for _, a := range all {
		if (len(include) == 0 || include[a.ID]) && !exclude[a.ID] {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no account left to collect after --accounts/--exclude-accounts")
	}
	return out, nil
}

// gap records a failed call.
func (c *Collector) gap(g snapshot.Gap) {
	c.stats.errorSeen()
	c.log.Warn("gap", "account", g.Account, "region", g.Region, "service", g.Service, "operation", g.Operation, "resource", g.Resource, "code", g.Code, "error", g.Error)
	c.mu.Lock()
	c.gaps = append(c.gaps, g)
	c.mu.Unlock()
}

func sortGaps(gs []snapshot.Gap) {
	sort.SliceStable(gs, func(i, j int) bool {
		a, b := gs[i], gs[j]
		for _, p := range [][2]string{{a.Account, b.Account}, {a.Region, b.Region}, {a.Service, b.Service}, {a.Operation, b.Operation}, {a.Resource, b.Resource}, {a.Code, b.Code}} {
			if p[0] != p[1] {
				return p[0] < p[1]
			}
		}
		return a.Error < b.Error
	})
}

// partition returns the ARN partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	}
	return "aws"
}
