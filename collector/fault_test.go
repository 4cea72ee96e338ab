package collector_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamreach/iamreach/collector"
	"github.com/iamreach/iamreach/snapshot"
)

// TestCollectSurvivesFaults runs the collector through a proxy that fails
// chosen operations, and checks that it finishes, records each failure as a
// gap, recovers from transient ones, and keeps everything that succeeded:
// the faulted snapshot equals the clean one minus exactly what failed.
func TestCollectSurvivesFaults(t *testing.T) {
	f := sharedFixture(t)
	clean, _, _ := collect(t, f.endpoint, collector.Options{})

	bucketPolicy := &faultRule{service: "s3", fault: deny, match: func(r *http.Request) bool {
		return r.Method == http.MethodGet && r.URL.Query().Has("policy") && strings.Contains(r.URL.Path, "orders-incoming")
	}}
	keyPolicy := &faultRule{service: "kms", operation: "GetKeyPolicy", fault: throttle}
	queueAttrs := &faultRule{service: "sqs", operation: "GetQueueAttributes", fault: throttle, first: 2}
	topics := &faultRule{service: "sns", operation: "ListTopics", fault: drop}
	saml := &faultRule{service: "iam", operation: "ListSAMLProviders", fault: drop, first: 1}
	secrets := &faultRule{service: "secretsmanager", operation: "ListSecrets", fault: deny, region: "us-east-1"}
	apiIntegrations := &faultRule{service: "apigateway", fault: deny, match: func(r *http.Request) bool {
		return r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v2/apis/") && strings.HasSuffix(r.URL.Path, "/integrations")
	}}
	p := newFaultProxy(f.endpoint, bucketPolicy, keyPolicy, queueAttrs, topics, saml, secrets, apiIntegrations)
	defer p.Close()

	faulted, _, _ := collect(t, p.URL(), collector.Options{MaxAttempts: 4})
	if !faulted.Complete {
		t.Error("faults are gaps, not an interruption: the snapshot should be complete")
	}

	// Every injected permanent failure is a gap with account, service, operation and code.
	type want struct{ service, op, code string }
	count := map[want]int{}
	for _, g := range faulted.Gaps {
		if g.Account == "" || g.Service == "" || g.Operation == "" || g.Error == "" {
			t.Errorf("gap without where/why: %+v", g)
		}
		count[want{g.Service, g.Operation, g.Code}]++
	}
	for w, n := range map[want]int{
		{"s3", "GetBucketPolicy", "AccessDenied"}:                  1,
		{"kms", "GetKeyPolicy", "ThrottlingException"}:             1,
		{"sns", "ListTopics", "ConnectionError"}:                   3 * len(regions),
		{"secretsmanager", "ListSecrets", "AccessDeniedException"}: 3,
		{"apigateway", "GetIntegrations", "AccessDeniedException"}: 1,
	} {
		if count[w] != n {
			t.Errorf("%d gaps %v, want %d (all gaps: %+v)", count[w], w, n, faulted.Gaps)
		}
		delete(count, w)
	}
	for w, n := range count {
		t.Errorf("unexpected gaps: %d × %v", n, w)
	}
	// Transient failures were retried, not recorded.
	if m, fl := queueAttrs.counts(); fl != 2 || m < 3 {
		t.Errorf("GetQueueAttributes: matched %d, failed %d; want 2 failures then success", m, fl)
	}
	if _, fl := saml.counts(); fl != 1 {
		t.Errorf("ListSAMLProviders: failed %d, want 1", fl)
	}
	if m, _ := keyPolicy.counts(); m != 4 {
		t.Errorf("GetKeyPolicy tried %d times, want MaxAttempts=4", m)
	}

	// Nothing that succeeded is lost: remove from the clean snapshot exactly
	// what failed, and the two agree.
	expected := withoutFailed(clean)
	faulted.Gaps, expected.Gaps = nil, nil
	a, b := normalise(t, f, expected), normalise(t, f, faulted)
	if !bytes.Equal(a, b) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "expected.json"), a)
		writeFile(t, filepath.Join(dir, "faulted.json"), b)
		t.Errorf("faulted snapshot differs from the clean one beyond the injected failures; see %s", dir)
	}
}

// withoutFailed is the clean snapshot minus what the faults above take away.
func withoutFailed(s *snapshot.Snapshot) *snapshot.Snapshot {
	c := *s
	c.Accounts = nil
	for _, a := range s.Accounts {
		var keep []snapshot.Resource
		for _, r := range a.Resources {
			switch {
			case r.Type == snapshot.TypeSNSTopic:
				continue
			case r.Type == snapshot.TypeSecret && r.Region == "us-east-1":
				continue
			case r.Type == snapshot.TypeKMSKey:
				r.Policy = nil
			case r.Type == snapshot.TypeS3Bucket && r.Name == "orders-incoming":
				r.Policy = nil
			case r.Type == collector.TypeAPIGatewayV2: // the API is kept, without what its integrations said
				props := map[string]string{}
				for k, v := range r.Properties {
					if k != "lambdaIntegrations" {
						props[k] = v
					}
				}
				r.Properties = props
			case r.Type == snapshot.TypeLambdaFunction:
				var srcs []string
				for _, src := range r.EventSources {
					if !strings.Contains(src, "::/apis/") {
						srcs = append(srcs, src)
					}
				}
				r.EventSources = srcs
			}
			keep = append(keep, r)
		}
		a.Resources = keep
		c.Accounts = append(c.Accounts, a)
	}
	return &c
}

// TestCollectInterruptedKeepsWhatItHas cancels a collection in the middle
// (as Ctrl-C does) and checks that what was read is returned, marked
// incomplete, and can be written.
func TestCollectInterruptedKeepsWhatItHas(t *testing.T) {
	f := sharedFixture(t)
	stuck := &faultRule{service: "lambda", fault: hang, seen: make(chan struct{})}
	p := newFaultProxy(f.endpoint, stuck)
	defer p.Close()

	c, err := collector.New(baseConfig(p.URL(), "us-east-1", "testing", "testing", ""), collector.Options{
		EndpointURL: p.URL(), Regions: regions, AccountConcurrency: 1, ServiceConcurrency: 1, CallTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-stuck.seen
		cancel()
	}()
	s, err := c.Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v, want context.Canceled", err)
	}
	if s == nil || s.Complete {
		t.Fatalf("want a partial snapshot marked incomplete, got %+v", s)
	}
	var roles int
	for _, a := range s.Accounts {
		roles += len(a.Roles)
	}
	if roles == 0 {
		t.Error("IAM was read before Lambda hung, but no role is in the partial snapshot")
	}
	interrupted := false
	for _, g := range s.Gaps {
		interrupted = interrupted || g.Code == "Interrupted"
	}
	if !interrupted {
		t.Errorf("no Interrupted gap: %+v", s.Gaps)
	}
	path := filepath.Join(t.TempDir(), "partial.json")
	if err := snapshot.WriteFile(path, s); err != nil {
		t.Fatal(err)
	}
	if back, err := snapshot.ReadFile(path); err != nil || back.Complete {
		t.Fatalf("read back: %v complete=%v", err, back != nil && back.Complete)
	}
}
