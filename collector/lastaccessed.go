package collector

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/sync/errgroup"

	"github.com/iamreach/iamreach/snapshot"
)

// lastAccessedAPI is what the collector asks IAM for last-accessed data
// (only with Options.LastAccessed). GenerateServiceLastAccessedDetails
// starts a report job; it changes no resource (the catalogue lists it as
// Read).
type lastAccessedAPI interface {
	GenerateServiceLastAccessedDetails(context.Context, *iam.GenerateServiceLastAccessedDetailsInput, ...func(*iam.Options)) (*iam.GenerateServiceLastAccessedDetailsOutput, error)
	GetServiceLastAccessedDetails(context.Context, *iam.GetServiceLastAccessedDetailsInput, ...func(*iam.Options)) (*iam.GetServiceLastAccessedDetailsOutput, error)
}

const (
	opGenerateLastAccessed = "GenerateServiceLastAccessedDetails"
	opGetLastAccessed      = "GetServiceLastAccessedDetails"
	// lastAccessedMaxPoll caps the wait between two polls of one job.
	lastAccessedMaxPoll = 20 * time.Second
)

// collectLastAccessed asks IAM for a last-accessed report (action level)
// for every user and role of the account already read, a bounded number
// of principals at once, and stores each in the principal. A report that
// fails or does not complete in time is a gap naming the principal.
func collectLastAccessed(ctx context.Context, s *Scope, api lastAccessedAPI) {
	var arns []string
	s.Update(func(a *snapshot.Account) {
		for _, u := range a.Users {
			arns = append(arns, u.ARN)
		}
		for _, r := range a.Roles {
			arns = append(arns, r.ARN)
		}
	})
	if len(arns) == 0 {
		return
	}
	results := make([][]snapshot.ServiceLastAccessed, len(arns))
	done := make([]bool, len(arns))
	g := new(errgroup.Group)
	g.SetLimit(s.c.opts.LastAccessedConcurrency)
	for i, arn := range arns {
		g.Go(func() error {
			if ctx.Err() == nil {
				results[i], done[i] = lastAccessedOf(ctx, s, api, arn)
			}
			return nil
		})
	}
	_ = g.Wait()
	byARN := map[string][]snapshot.ServiceLastAccessed{}
	for i, arn := range arns {
		if done[i] {
			byARN[arn] = results[i]
		}
	}
	s.Update(func(a *snapshot.Account) {
		for i := range a.Users {
			if la, ok := byARN[a.Users[i].ARN]; ok {
				a.Users[i].LastAccessed = la
			}
		}
		for i := range a.Roles {
			if la, ok := byARN[a.Roles[i].ARN]; ok {
				a.Roles[i].LastAccessed = la
			}
		}
	})
}

// lastAccessedOf runs one report job: generate, then poll with a doubling
// interval (Options.LastAccessedPoll up to 20 s) until it completes, fails
// or Options.LastAccessedWait has passed since it was started (a job
// status other than COMPLETED and FAILED counts as still running).
func lastAccessedOf(ctx context.Context, s *Scope, api lastAccessedAPI, arn string) ([]snapshot.ServiceLastAccessed, bool) {
	gen, ok := Call(ctx, s, opGenerateLastAccessed, arn, func(ctx context.Context) (*iam.GenerateServiceLastAccessedDetailsOutput, error) {
		return api.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: &arn, Granularity: iamtypes.AccessAdvisorUsageGranularityTypeActionLevel})
	})
	if !ok {
		return nil, false
	}
	job := str(gen.JobId)
	wait := s.c.opts.LastAccessedWait
	deadline := time.Now().Add(wait)
	delay := s.c.opts.LastAccessedPoll
	polls := 0
	for {
		if !sleep(ctx, delay) {
			return nil, false // interrupted: the snapshot says so once
		}
		out, ok := Call(ctx, s, opGetLastAccessed, arn, func(ctx context.Context) (*iam.GetServiceLastAccessedDetailsOutput, error) {
			return api.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: &job, MaxItems: aws.Int32(1000)})
		})
		if !ok {
			return nil, false
		}
		polls++
		switch out.JobStatus {
		case iamtypes.JobStatusTypeCompleted:
			return lastAccessedPages(ctx, s, api, arn, job, out)
		case iamtypes.JobStatusTypeFailed:
			code, msg := "ReportFailed", "no reason given"
			if out.Error != nil {
				if c := str(out.Error.Code); c != "" {
					code = c
				}
				if m := str(out.Error.Message); m != "" {
					msg = m
				}
			}
			s.Gap(opGetLastAccessed, arn, code, fmt.Sprintf("IAM's last-accessed report for %s failed (job %s): %s; its last-accessed data is missing", arn, job, msg))
			return nil, false
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			s.Gap(opGetLastAccessed, arn, "ReportTimeout", fmt.Sprintf("IAM's last-accessed report for %s did not complete within %s (job %s, %d polls, last status %s); its last-accessed data is missing",
				arn, wait, job, polls, out.JobStatus))
			return nil, false
		}
		// The last poll falls on the deadline.
		delay = min(2*delay, lastAccessedMaxPoll, remaining)
	}
}

// lastAccessedPages reads the rest of a completed report (it is paged
// when a principal may use more than 1000 services, which is rare).
func lastAccessedPages(ctx context.Context, s *Scope, api lastAccessedAPI, arn, job string, out *iam.GetServiceLastAccessedDetailsOutput) ([]snapshot.ServiceLastAccessed, bool) {
	list := append([]iamtypes.ServiceLastAccessed(nil), out.ServicesLastAccessed...)
	for out.IsTruncated && out.Marker != nil {
		marker := *out.Marker
		next, ok := Call(ctx, s, opGetLastAccessed, arn, func(ctx context.Context) (*iam.GetServiceLastAccessedDetailsOutput, error) {
			return api.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: &job, MaxItems: aws.Int32(1000), Marker: &marker})
		})
		if !ok {
			return nil, false // a partial report would make unread services look unused
		}
		if next.Marker != nil && *next.Marker == marker {
			s.Gap(opGetLastAccessed, arn, "Error", fmt.Sprintf("IAM repeated the page marker of the last-accessed report for %s (job %s); its last-accessed data is missing", arn, job))
			return nil, false
		}
		list = append(list, next.ServicesLastAccessed...)
		out = next
	}
	return convertLastAccessed(list), true
}

// convertLastAccessed turns IAM's report into the snapshot's form:
// services by namespace, actions as "<namespace>:<Action>"; a service or
// action without a time was not used in IAM's tracking period.
func convertLastAccessed(list []iamtypes.ServiceLastAccessed) []snapshot.ServiceLastAccessed {
	out := make([]snapshot.ServiceLastAccessed, 0, len(list))
	for _, sv := range list {
		ns := str(sv.ServiceNamespace)
		la := snapshot.ServiceLastAccessed{Service: ns, LastAccessed: utc(sv.LastAuthenticated)}
		for _, a := range sv.TrackedActionsLastAccessed {
			name := str(a.ActionName)
			if name == "" {
				continue
			}
			if !strings.Contains(name, ":") {
				name = ns + ":" + name
			}
			la.Actions = append(la.Actions, snapshot.ActionLastAccessed{Action: name, LastAccessed: utc(a.LastAccessedTime)})
		}
		sort.Slice(la.Actions, func(i, j int) bool { return la.Actions[i].Action < la.Actions[j].Action })
		out = append(out, la)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Service < out[j].Service })
	return out
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// sleep waits d or until ctx ends; false means ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
