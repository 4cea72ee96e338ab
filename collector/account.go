package collector

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/sync/errgroup"

	"github.com/iamreach/iamreach/snapshot"
)

// stsAPI is what the collector asks STS.
type stsAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
	AssumeRole(context.Context, *sts.AssumeRoleInput, ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// regionsAPI lists the regions enabled in an account.
type regionsAPI interface {
	DescribeRegions(context.Context, *ec2.DescribeRegionsInput, ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
}

var regionShape = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

type identity struct{ account, arn string }

func (c *Collector) callerConfig() aws.Config {
	cfg := c.base.Copy()
	cfg.APIOptions = append(append([]func(*middleware.Stack) error(nil), cfg.APIOptions...), c.stats.middleware("caller"))
	return cfg
}

func (c *Collector) callerIdentity(ctx context.Context) (identity, error) {
	var client stsAPI = sts.NewFromConfig(c.callerConfig())
	cctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	out, err := client.GetCallerIdentity(cctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if ctx.Err() != nil {
			return identity{}, ctx.Err()
		}
		return identity{}, describeCredentialError(err)
	}
	return identity{account: str(out.Account), arn: str(out.Arn)}, nil
}

// checkRegions fails on a requested region that the partition does not have.
func (c *Collector) checkRegions(ctx context.Context) error {
	var client regionsAPI = ec2.NewFromConfig(c.callerConfig())
	cctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	out, err := client.DescribeRegions(cctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	if err != nil {
		// Cannot check: each account's calls will tell.
		c.log.Warn("cannot list regions to check --regions", "error", err)
		return nil
	}
	known := map[string]bool{}
	var names []string
	for _, r := range out.Regions {
		known[str(r.RegionName)] = true
		names = append(names, str(r.RegionName))
	}
	sort.Strings(names)
	for _, r := range c.opts.Regions {
		if !known[r] {
			return fmt.Errorf("region %q does not exist; regions are: %s", r, strings.Join(names, ", "))
		}
	}
	return nil
}

// accountConfig returns a configuration acting in the account: the
// caller's own credentials there, an assumed role elsewhere.
func (c *Collector) accountConfig(ctx context.Context, caller, account string) (aws.Config, bool) {
	cfg := c.base.Copy()
	cfg.APIOptions = append(append([]func(*middleware.Stack) error(nil), cfg.APIOptions...), c.stats.middleware(account))
	if account == caller {
		return cfg, true
	}
	roleARN := fmt.Sprintf("arn:%s:iam::%s:role/%s", partition(cfg.Region), account, c.opts.RoleName)
	var client stsAPI = sts.NewFromConfig(c.callerConfig())
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(client, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "iamreach-collector"
	}))
	cctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		code, msg := Classify(err)
		c.gap(snapshot.Gap{Account: account, Service: "sts", Operation: "AssumeRole", Resource: roleARN, Code: code,
			Error: fmt.Sprintf("cannot assume %s: %s; nothing in this account was collected (is --role-name right?)", roleARN, msg)})
		return aws.Config{}, false
	}
	return cfg, true
}

// regionsFor returns the regions to collect in one account.
func (c *Collector) regionsFor(ctx context.Context, cfg aws.Config, account string) []string {
	s := &Scope{Account: account, Region: cfg.Region, service: "ec2", c: c}
	var client regionsAPI = ec2.NewFromConfig(cfg)
	out, ok := Call(ctx, s, "DescribeRegions", "", func(ctx context.Context) (*ec2.DescribeRegionsOutput, error) {
		return client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	})
	if !ok {
		if len(c.opts.Regions) > 0 {
			return c.opts.Regions
		}
		return []string{cfg.Region}
	}
	enabled := map[string]bool{}
	var all []string
	for _, r := range out.Regions {
		enabled[str(r.RegionName)] = true
		all = append(all, str(r.RegionName))
	}
	if len(c.opts.Regions) == 0 {
		sort.Strings(all)
		return all
	}
	var regions []string
	for _, r := range c.opts.Regions {
		if enabled[r] {
			regions = append(regions, r)
		} else {
			c.gap(snapshot.Gap{Account: account, Region: r, Service: "ec2", Operation: "DescribeRegions", Code: "RegionNotEnabled",
				Error: fmt.Sprintf("region %s is not enabled in account %s; skipped", r, account)})
		}
	}
	return regions
}

func (c *Collector) collectAccount(ctx context.Context, caller string, a *snapshot.Account) {
	log := c.log.With("account", a.ID)
	log.Info("account start")
	cfg, ok := c.accountConfig(ctx, caller, a.ID)
	if !ok {
		return
	}
	regions := c.regionsFor(ctx, cfg, a.ID)
	a.Regions = regions
	home := cfg.Region
	if len(regions) > 0 && !contains(regions, home) {
		home = regions[0]
	}
	var mu sync.Mutex
	var links [][2]string
	g := new(errgroup.Group)
	g.SetLimit(c.opts.ServiceConcurrency)
	run := func(svc Service, region string) {
		c.stats.taskAdded()
		g.Go(func() error {
			defer c.stats.taskDone()
			defer func() {
				// A bug in one service must not lose the others' work.
				if r := recover(); r != nil {
					c.gap(snapshot.Gap{Account: a.ID, Region: region, Service: svc.Name, Code: "InternalError",
						Error: fmt.Sprintf("collector bug while reading %s: %v (please report it); this service's data may be partial", svc.Name, r)})
				}
			}()
			rcfg := cfg.Copy()
			rcfg.Region = region
			s := &Scope{Account: a.ID, Region: region, Partition: partition(region), Config: rcfg, Regions: regions,
				EndpointURL: c.opts.EndpointURL, service: svc.Name, c: c, mu: &mu, acct: a, links: &links}
			if svc.Global {
				s.Region = ""
			}
			if ctx.Err() == nil {
				svc.Collect(ctx, s)
			}
			return nil
		})
	}
	for _, svc := range c.services {
		if svc.Global {
			run(svc, home)
			continue
		}
		for _, r := range regions {
			run(svc, r)
		}
	}
	_ = g.Wait()
	resolveInstanceProfiles(a)
	if rest := applyLinks(a, links); len(rest) > 0 {
		c.mu.Lock()
		c.crossLinks = append(c.crossLinks, rest...)
		c.mu.Unlock()
	}
	sort.Slice(a.Resources, func(i, j int) bool { return a.Resources[i].ARN < a.Resources[j].ARN })
	log.Info("account done", "resources", len(a.Resources), "roles", len(a.Roles))
}

// resolveInstanceProfiles turns EC2 instance profiles into the roles they
// hold, from the account's IAM roles (no extra calls).
func resolveInstanceProfiles(a *snapshot.Account) {
	byProfile := map[string][]string{}
	for _, r := range a.Roles {
		for _, p := range r.InstanceProfiles {
			byProfile[p] = append(byProfile[p], r.ARN)
		}
	}
	for i := range a.Resources {
		r := &a.Resources[i]
		if p := r.Properties["instanceProfile"]; p != "" && r.Type == snapshot.TypeEC2Instance {
			r.RunsAs = append(r.RunsAs, byProfile[p]...)
			sort.Strings(r.RunsAs)
		}
	}
}

// applyLinks adds each link's source to its target's event sources and
// returns the links whose target is not in the account (a function in
// another account behind an API, a queue elsewhere subscribed to a topic).
func applyLinks(a *snapshot.Account, links [][2]string) (elsewhere [][2]string) {
	byARN := map[string]int{}
	for i, r := range a.Resources {
		byARN[r.ARN] = i
	}
	for _, l := range links {
		i, ok := byARN[l[0]]
		if !ok {
			elsewhere = append(elsewhere, l)
			continue
		}
		addEventSource(&a.Resources[i], l[1])
	}
	return elsewhere
}

// applyCrossAccountLinks applies, once every account is read, the links
// whose target is in another collected account. Links to resources that
// were not collected (another organization, a region left out) are dropped:
// the graph cannot draw an edge to a resource it does not have.
func applyCrossAccountLinks(accounts []snapshot.Account, links [][2]string) {
	type at struct{ acct, res int }
	byARN := map[string]at{}
	for i := range accounts {
		for j, r := range accounts[i].Resources {
			byARN[r.ARN] = at{i, j}
		}
	}
	for _, l := range links {
		if p, ok := byARN[l[0]]; ok {
			addEventSource(&accounts[p.acct].Resources[p.res], l[1])
		}
	}
}

func addEventSource(r *snapshot.Resource, source string) {
	if contains(r.EventSources, source) {
		return
	}
	r.EventSources = append(r.EventSources, source)
	sort.Strings(r.EventSources)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
