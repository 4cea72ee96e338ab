package collector_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iamreach/iamreach/collector"
	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/findings"
	"github.com/iamreach/iamreach/snapshot"
)

// lastAccessedEmu answers iam:GenerateServiceLastAccessedDetails and
// iam:GetServiceLastAccessedDetails in AWS's query-protocol XML, since moto
// does not implement them; everything else goes on to moto. A job is
// IN_PROGRESS at its first poll, then COMPLETED with a report of two pages
// (s3 used a week ago with action-level data, dynamodb used 400 days ago;
// then sqs, never used), except for principals matching fail (FAILED) or
// stuck (IN_PROGRESS for ever).
type lastAccessedEmu struct {
	fail, stuck string // ARN suffixes
	recent, old time.Time

	mu            sync.Mutex
	jobs          map[string]string // job ID → principal ARN
	polls         map[string]int    // principal ARN → polls
	granularities map[string]bool
}

func newLastAccessedEmu(fail, stuck string) *lastAccessedEmu {
	now := time.Now().UTC().Truncate(time.Second)
	return &lastAccessedEmu{fail: fail, stuck: stuck, recent: now.Add(-7 * 24 * time.Hour), old: now.Add(-400 * 24 * time.Hour),
		jobs: map[string]string{}, polls: map[string]int{}, granularities: map[string]bool{}}
}

func (e *lastAccessedEmu) rules() []*faultRule {
	return []*faultRule{
		{service: "iam", operation: "GenerateServiceLastAccessedDetails", answer: e.generate},
		{service: "iam", operation: "GetServiceLastAccessedDetails", answer: e.get},
	}
}

const iamXMLNS = "https://iam.amazonaws.com/doc/2010-05-08/"

func writeIAM(w http.ResponseWriter, op, result string) {
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<%sResponse xmlns="%s"><%sResult>%s</%sResult><ResponseMetadata><RequestId>emulated</RequestId></ResponseMetadata></%sResponse>`,
		op, iamXMLNS, op, result, op, op)
}

func (e *lastAccessedEmu) generate(w http.ResponseWriter, _ *http.Request, form url.Values) {
	e.mu.Lock()
	id := fmt.Sprintf("job-%04d", len(e.jobs)+1)
	e.jobs[id] = form.Get("Arn")
	e.granularities[form.Get("Granularity")] = true
	e.mu.Unlock()
	writeIAM(w, "GenerateServiceLastAccessedDetails", "<JobId>"+id+"</JobId>")
}

func (e *lastAccessedEmu) get(w http.ResponseWriter, _ *http.Request, form url.Values) {
	e.mu.Lock()
	arn, ok := e.jobs[form.Get("JobId")]
	if form.Get("Marker") == "" {
		e.polls[arn]++
	}
	polls := e.polls[arn]
	e.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>no such job</Message></Error><RequestId>emulated</RequestId></ErrorResponse>`)
		return
	}
	ts := func(t time.Time) string { return t.Format(time.RFC3339) }
	head := "<JobType>ACTION_LEVEL</JobType><JobCreationDate>" + ts(e.recent) + "</JobCreationDate>"
	switch {
	case polls == 1 || strings.HasSuffix(arn, e.stuck):
		writeIAM(w, "GetServiceLastAccessedDetails", head+"<JobStatus>IN_PROGRESS</JobStatus><ServicesLastAccessed/><IsTruncated>false</IsTruncated>")
	case strings.HasSuffix(arn, e.fail):
		writeIAM(w, "GetServiceLastAccessedDetails", head+"<JobStatus>FAILED</JobStatus><ServicesLastAccessed/><IsTruncated>false</IsTruncated>"+
			"<Error><Code>ServiceFailure</Code><Message>the report could not be generated</Message></Error>")
	case form.Get("Marker") == "":
		writeIAM(w, "GetServiceLastAccessedDetails", head+"<JobStatus>COMPLETED</JobStatus><JobCompletionDate>"+ts(e.recent)+"</JobCompletionDate><ServicesLastAccessed>"+
			"<member><ServiceName>Amazon S3</ServiceName><ServiceNamespace>s3</ServiceNamespace><LastAuthenticated>"+ts(e.recent)+"</LastAuthenticated>"+
			"<LastAuthenticatedEntity>"+arn+"</LastAuthenticatedEntity><LastAuthenticatedRegion>us-east-1</LastAuthenticatedRegion><TotalAuthenticatedEntities>1</TotalAuthenticatedEntities>"+
			"<TrackedActionsLastAccessed><member><ActionName>PutObject</ActionName></member><member><ActionName>GetObject</ActionName><LastAccessedTime>"+ts(e.recent)+"</LastAccessedTime>"+
			"<LastAccessedEntity>"+arn+"</LastAccessedEntity><LastAccessedRegion>us-east-1</LastAccessedRegion></member></TrackedActionsLastAccessed></member>"+
			"<member><ServiceName>Amazon DynamoDB</ServiceName><ServiceNamespace>dynamodb</ServiceNamespace><LastAuthenticated>"+ts(e.old)+"</LastAuthenticated><TotalAuthenticatedEntities>1</TotalAuthenticatedEntities></member>"+
			"</ServicesLastAccessed><IsTruncated>true</IsTruncated><Marker>page-2</Marker>")
	default:
		writeIAM(w, "GetServiceLastAccessedDetails", head+"<JobStatus>COMPLETED</JobStatus><JobCompletionDate>"+ts(e.recent)+"</JobCompletionDate><ServicesLastAccessed>"+
			"<member><ServiceName>Amazon SQS</ServiceName><ServiceNamespace>sqs</ServiceNamespace><TotalAuthenticatedEntities>0</TotalAuthenticatedEntities></member>"+
			"</ServicesLastAccessed><IsTruncated>false</IsTruncated>")
	}
}

// TestCollectLastAccessed runs --last-accessed end to end through the real
// SDK against the emulation above (moto lacks these calls): every user and
// role gets its report after polling, a FAILED job and a job that never
// completes are gaps naming the principal, the findings report unused
// grants from the collected data, and without the option nothing is asked.
func TestCollectLastAccessed(t *testing.T) {
	f := sharedFixture(t)
	emu := newLastAccessedEmu(":role/audit", ":user/carol")
	p := newFaultProxy(f.endpoint, emu.rules()...)
	defer p.Close()

	// Long enough for several polls of the stuck job even on a loaded machine.
	const wait = time.Second
	s, c, _ := collect(t, p.URL(), collector.Options{Services: []string{"iam"}, LastAccessed: true,
		LastAccessedPoll: 5 * time.Millisecond, LastAccessedWait: wait, LastAccessedConcurrency: 3})
	checkPolicyCoversCalls(t, c.Stats().OperationNames())
	ops := c.Stats().Operations()
	t.Logf("calls per account %v; GenerateServiceLastAccessedDetails=%d GetServiceLastAccessedDetails=%d GetAccountAuthorizationDetails=%d",
		c.Stats().CallsPerAccount(), ops["IAM:GenerateServiceLastAccessedDetails"], ops["IAM:GetServiceLastAccessedDetails"], ops["IAM:GetAccountAuthorizationDetails"])
	if !emu.granularities["ACTION_LEVEL"] || len(emu.granularities) != 1 {
		t.Errorf("granularities asked: %v, want ACTION_LEVEL only", emu.granularities)
	}

	var failed, stuck string
	principals := map[string][]snapshot.ServiceLastAccessed{}
	for _, a := range s.Accounts {
		for _, u := range a.Users {
			principals[u.ARN] = u.LastAccessed
		}
		for _, r := range a.Roles {
			principals[r.ARN] = r.LastAccessed
		}
	}
	if len(principals) < 8 {
		t.Fatalf("only %d principals collected", len(principals))
	}
	for arn, la := range principals {
		switch {
		case strings.HasSuffix(arn, emu.fail):
			failed = arn
			if la != nil {
				t.Errorf("%s: FAILED job but data %+v", arn, la)
			}
		case strings.HasSuffix(arn, emu.stuck):
			stuck = arn
			if la != nil {
				t.Errorf("%s: job never completed but data %+v", arn, la)
			}
		default:
			checkReport(t, arn, la, emu)
			if n := emu.polls[arn]; n != 2 {
				t.Errorf("%s: polled %d times, want 2 (IN_PROGRESS, then COMPLETED)", arn, n)
			}
		}
	}
	if failed == "" || stuck == "" {
		t.Fatalf("fixture lacks the failing (%q) or stuck (%q) principal", failed, stuck)
	}
	if n := emu.polls[stuck]; n < 3 {
		t.Errorf("the stuck job was polled %d times; want polling with backoff until the deadline", n)
	}

	type gapKey struct{ service, op, resource, code string }
	got := map[gapKey]snapshot.Gap{}
	for _, g := range s.Gaps {
		got[gapKey{g.Service, g.Operation, g.Resource, g.Code}] = g
	}
	for _, want := range []struct {
		key      gapKey
		contains string
	}{
		{gapKey{"iam", "GetServiceLastAccessedDetails", failed, "ServiceFailure"}, "the report could not be generated"},
		{gapKey{"iam", "GetServiceLastAccessedDetails", stuck, "ReportTimeout"}, "did not complete within " + wait.String()},
	} {
		g, ok := got[want.key]
		if !ok || !strings.Contains(g.Error, want.contains) || !strings.Contains(g.Error, want.key.resource) {
			t.Errorf("gap %+v: got %+v", want.key, g)
		}
		delete(got, want.key)
	}
	for k := range got {
		t.Errorf("unexpected gap %+v", k)
	}

	// The findings read the collected data: dynamodb (400 days) and sqs
	// (never) are unused grants, s3 (a week) is not.
	g, err := graph.Build(s, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var role string
	for arn := range principals {
		if strings.HasSuffix(arn, ":role/vendor-audit") {
			role = arn
		}
	}
	var unused []string
	for _, fd := range findings.Compute(g, s, findings.Options{}) {
		if fd.Kind == graph.FindingUnusedGrant && fd.Subject == role {
			unused = append(unused, fd.Target)
		}
	}
	sort.Strings(unused)
	if strings.Join(unused, ",") != "dynamodb,sqs" {
		t.Errorf("unused-grant findings for %s: %v, want dynamodb and sqs", role, unused)
	}

	t.Run("off by default", func(t *testing.T) {
		emu.mu.Lock()
		jobs := len(emu.jobs)
		emu.mu.Unlock()
		s, _, _ := collect(t, p.URL(), collector.Options{Services: []string{"iam"}})
		if len(emu.jobs) != jobs {
			t.Errorf("%d report jobs started without LastAccessed", len(emu.jobs)-jobs)
		}
		for _, a := range s.Accounts {
			for _, r := range a.Roles {
				if r.LastAccessed != nil {
					t.Errorf("%s has last-accessed data without LastAccessed", r.ARN)
				}
			}
		}
	})
}

func checkReport(t *testing.T, arn string, la []snapshot.ServiceLastAccessed, emu *lastAccessedEmu) {
	t.Helper()
	if len(la) != 3 || la[0].Service != "dynamodb" || la[1].Service != "s3" || la[2].Service != "sqs" {
		t.Errorf("%s: services %+v, want dynamodb, s3, sqs (both pages)", arn, la)
		return
	}
	at := func(p *time.Time) string {
		if p == nil {
			return "never"
		}
		return p.UTC().Format(time.RFC3339)
	}
	if at(la[0].LastAccessed) != emu.old.Format(time.RFC3339) || at(la[1].LastAccessed) != emu.recent.Format(time.RFC3339) || la[2].LastAccessed != nil {
		t.Errorf("%s: times %s %s %s", arn, at(la[0].LastAccessed), at(la[1].LastAccessed), at(la[2].LastAccessed))
	}
	acts := la[1].Actions
	if len(acts) != 2 || acts[0].Action != "s3:GetObject" || at(acts[0].LastAccessed) != emu.recent.Format(time.RFC3339) ||
		acts[1].Action != "s3:PutObject" || acts[1].LastAccessed != nil {
		t.Errorf("%s: s3 actions %+v", arn, acts)
	}
}
