package collector

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/iamreach/iamreach/snapshot"
)

// Service collects one AWS service in one account (Global) or in one
// account and region.
type Service struct {
	// Name is what --services takes, e.g. "s3".
	Name string
	// Global services run once per account, in the account's home region.
	Global bool
	// Collect reads the service and reports through the scope: resources
	// with Add, failed calls through Call/Page (recorded as gaps).
	Collect func(ctx context.Context, s *Scope)
}

// Scope is what a service sees: where it is, a configuration for that
// account and region, and where to put what it found.
type Scope struct {
	Account   string
	Region    string
	Partition string
	Config    aws.Config
	// Regions are every region collected in this account (for global services).
	Regions []string
	// EndpointURL is set when talking to an emulator.
	EndpointURL string

	service string
	c       *Collector
	mu      *sync.Mutex
	acct    *snapshot.Account
	links   *[][2]string
}

// Add records a resource.
func (s *Scope) Add(r snapshot.Resource) {
	if r.Account == "" {
		r.Account = s.Account
	}
	if r.Region == "" {
		r.Region = s.Region
	}
	sort.Strings(r.RunsAs)
	sort.Strings(r.EventSources)
	s.mu.Lock()
	s.acct.Resources = append(s.acct.Resources, r)
	s.mu.Unlock()
	s.c.stats.resourceSeen()
}

// Link records that source sends events to target (a subscription, a
// notification, an API integration). Links are applied once all services
// of the account are read, since the target may come from another service,
// and links to another account's resource once every account is read.
func (s *Scope) Link(target, source string) {
	s.mu.Lock()
	*s.links = append(*s.links, [2]string{target, source})
	s.mu.Unlock()
}

// Update changes the account under the scope's lock (IAM, account settings).
func (s *Scope) Update(fn func(a *snapshot.Account)) {
	s.mu.Lock()
	fn(s.acct)
	s.mu.Unlock()
}

// Gap records something that could not be read.
func (s *Scope) Gap(operation, resource, code, msg string) {
	s.c.gap(snapshot.Gap{Account: s.Account, Region: s.Region, Service: s.service, Operation: operation, Resource: resource, Code: code, Error: msg})
}

// Call runs one API call with the per-call timeout. A failure whose error
// code is in absent means "there is none" (no bucket policy, no function
// URL) and returns ok=false without a gap; any other failure is recorded
// as a gap and returns ok=false.
func Call[T any](ctx context.Context, s *Scope, operation, resource string, fn func(ctx context.Context) (T, error), absent ...string) (T, bool) {
	cctx, cancel := context.WithTimeout(ctx, s.c.opts.CallTimeout)
	defer cancel()
	out, err := fn(cctx)
	if err == nil {
		return out, true
	}
	var zero T
	code, msg := Classify(err)
	for _, a := range absent {
		if code == a {
			return zero, false
		}
	}
	if ctx.Err() != nil {
		code = "Interrupted"
	}
	s.Gap(operation, resource, code, msg)
	return zero, false
}

// Pages walks a paginator, handing each page to fn; a failed page is a gap
// and ends the walk (what was read before stays).
// Pass the paginator's HasMorePages and NextPage methods.
func Pages[T, O any](ctx context.Context, s *Scope, operation, resource string, more func() bool, next func(context.Context, ...func(*O)) (T, error), fn func(T)) bool {
	for more() {
		page, ok := Call(ctx, s, operation, resource, func(ctx context.Context) (T, error) { return next(ctx) })
		if !ok {
			return false
		}
		fn(page)
	}
	return true
}

// Classify turns an SDK error into a gap code and a one-line message.
func Classify(err error) (code, msg string) {
	var ae smithy.APIError
	switch {
	case err == nil:
		return "", ""
	case errors.Is(err, context.Canceled):
		return "Interrupted", "interrupted before the call finished"
	case errors.Is(err, context.DeadlineExceeded):
		return "Timeout", "the call did not finish within the per-call timeout (retries included)"
	case errors.As(err, &ae):
		m := ae.ErrorMessage()
		if m == "" {
			m = ae.ErrorCode()
		}
		if strings.Contains(err.Error(), "exceeded maximum number of attempts") || strings.Contains(err.Error(), "retry quota exceeded") {
			m += " (retries exhausted)"
		}
		return ae.ErrorCode(), m
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) || errors.As(err, &ne) || strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "EOF") {
		return "ConnectionError", trimSDK(err)
	}
	return "Error", trimSDK(err)
}

// trimSDK keeps the end of an SDK error chain, which says what went wrong.
func trimSDK(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ", "); i > 0 && strings.HasPrefix(s, "operation error") {
		return strings.TrimSpace(s[i+2:])
	}
	return s
}

// describeCredentialError says what to fix when the caller cannot even be identified.
func describeCredentialError(err error) error {
	code, msg := Classify(err)
	switch code {
	case "ExpiredToken", "ExpiredTokenException", "RequestExpired":
		return fmt.Errorf("the AWS credentials have expired (%s): refresh them (e.g. aws sso login) and run again", code)
	case "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "InvalidAccessKeyId", "AuthFailure":
		return fmt.Errorf("the AWS credentials are not valid (%s: %s): check --profile and the access keys", code, msg)
	}
	if strings.Contains(err.Error(), "failed to retrieve credentials") || strings.Contains(err.Error(), "no EC2 IMDS role found") ||
		strings.Contains(err.Error(), "failed to refresh cached credentials") {
		return fmt.Errorf("no usable AWS credentials: set --profile, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (%s)", trimSDK(err))
	}
	return fmt.Errorf("cannot identify the caller (sts:GetCallerIdentity): %s: %s", code, msg)
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
