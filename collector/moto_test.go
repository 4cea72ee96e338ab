package collector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/iamreach/iamreach/collector"
	"github.com/iamreach/iamreach/snapshot"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The integration tests need a running moto server; `make test-collector`
// starts one and sets IAMREACH_MOTO_URL.
func motoURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("IAMREACH_MOTO_URL")
	if u == "" {
		t.Skip("IAMREACH_MOTO_URL is not set: the moto integration tests run with `make test-collector`")
	}
	return u
}

var (
	fixtureOnce sync.Once
	fixtureVal  *fixture
	fixtureErr  string
)

// sharedFixture builds the fixture organization once per test binary.
func sharedFixture(t *testing.T) *fixture {
	t.Helper()
	u := motoURL(t)
	fixtureOnce.Do(func() {
		sub := &testing.T{}
		_ = sub
		ok := t.Run("build fixture", func(t *testing.T) { fixtureVal = buildFixture(t, context.Background(), u) })
		if !ok {
			fixtureErr = "building the fixture organization failed"
		}
	})
	if fixtureErr != "" {
		t.Fatal(fixtureErr)
	}
	return fixtureVal
}

var regions = []string{"us-east-1", "eu-west-1"}

func collect(t *testing.T, endpoint string, opts collector.Options) (*snapshot.Snapshot, *collector.Collector, time.Duration) {
	t.Helper()
	opts.EndpointURL = endpoint
	if opts.Regions == nil {
		opts.Regions = regions
	}
	if opts.MaxAttempts == 0 {
		opts.MaxAttempts = 3
	}
	opts.MaxBackoff = 20 * time.Millisecond
	opts.NoRetryQuota = true
	c, err := collector.New(baseConfig(endpoint, "us-east-1", "testing", "testing", ""), opts)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s, err := c.Run(context.Background())
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	return s, c, time.Since(start)
}

func TestCollectFixtureOrganization(t *testing.T) {
	f := sharedFixture(t)
	s, c, elapsed := collect(t, f.endpoint, collector.Options{})
	if !s.Complete {
		t.Error("snapshot not complete")
	}
	if _, err := snapshot.Decode(bytes.NewReader(encode(t, s))); err != nil {
		t.Fatalf("snapshot does not read back: %v", err)
	}
	checkFixtureFacts(t, f, s)
	golden(t, "moto-org.golden.json", normalise(t, f, s))

	// Calls per account are bounded by services × regions plus calls per resource.
	per := c.Stats().CallsPerAccount()
	for _, a := range s.Accounts {
		bound := 12*len(regions)*2 + 10 + 5*len(a.Resources)
		t.Logf("account %s: %d calls, %d resources, %d roles (bound %d)", nameOf(f, a.ID), per[a.ID], len(a.Resources), len(a.Roles), bound)
		if per[a.ID] > bound {
			t.Errorf("account %s: %d calls, more than services×regions + per-resource calls (%d)", a.ID, per[a.ID], bound)
		}
	}
	t.Logf("wall time %s, calls total %d (caller %d), HTTP attempts %d", elapsed.Round(time.Millisecond), sum(per), per["caller"], sum(c.Stats().AttemptsPerAccount()))
	var ops []string
	for op, n := range c.Stats().Operations() {
		ops = append(ops, fmt.Sprintf("%s=%d", op, n))
	}
	sort.Strings(ops)
	t.Logf("operations: %s", strings.Join(ops, " "))
	checkPolicyCoversCalls(t, c.Stats().OperationNames())
}

// checkFixtureFacts asserts what the fixture put in, independently of the golden file.
func checkFixtureFacts(t *testing.T, f *fixture, s *snapshot.Snapshot) {
	t.Helper()
	if s.Organization == nil || s.Organization.ManagementAccountID != managementID {
		t.Fatalf("organization: %+v", s.Organization)
	}
	if len(s.Accounts) != 3 {
		t.Fatalf("%d accounts, want 3", len(s.Accounts))
	}
	units := map[string]snapshot.OrgUnit{}
	for _, u := range s.Organization.Units {
		units[u.ID] = u
	}
	prod := account(t, s, f.accounts["workloads-prod"])
	if u := units[prod.ParentID]; u.Name != "prod" || units[u.ParentID].Name != "workloads" || units[units[u.ParentID].ParentID].Type != snapshot.UnitRoot {
		t.Errorf("prod account's OU path is wrong: %+v", u)
	}
	pols := map[string]snapshot.OrgPolicy{}
	for _, p := range s.Organization.Policies {
		pols[p.Name] = p
	}
	if p := pols["enforce-tls"]; p.Type != snapshot.RCP || len(p.Targets) != 1 || p.Targets[0] != prod.ID || !strings.Contains(string(p.Document), "aws:SecureTransport") {
		t.Errorf("RCP enforce-tls: %+v", p)
	}
	if p := pols["region-lock"]; p.Type != snapshot.SCP || len(p.Targets) != 1 || units[p.Targets[0]].Name != "workloads" {
		t.Errorf("SCP region-lock: %+v", p)
	}
	if b := prod.PublicAccessBlock; b == nil || !b.BlockPublicPolicy || !b.RestrictPublicBuckets {
		t.Errorf("account Block Public Access: %+v", b)
	}
	if b := account(t, s, f.accounts["security-audit"]).PublicAccessBlock; b == nil || b.BlockPublicPolicy {
		t.Errorf("account without Block Public Access should be read as all off: %+v", b)
	}
	res := map[string]snapshot.Resource{}
	for _, r := range prod.Resources {
		res[r.Type+" "+r.Name] = r
	}
	fn := res["lambda:function orders-api"]
	if len(fn.RunsAs) != 1 || !strings.HasSuffix(fn.RunsAs[0], ":role/service-role/orders-fn") || len(fn.EventSources) != 3 ||
		fn.EventSources[0] != res["apigateway:restapi orders"].ARN || fn.EventSources[1] != "arn:aws:s3:::orders-incoming" ||
		!strings.HasSuffix(fn.EventSources[2], ":orders-queue") || !strings.Contains(string(fn.Policy), "apigateway.amazonaws.com") {
		t.Errorf("function orders-api: %+v", fn)
	}
	if r := res["sqs:queue orders-queue"]; len(r.EventSources) != 1 || !strings.HasSuffix(r.EventSources[0], ":orders-events") {
		t.Errorf("queue subscribed to the topic: %+v", r.EventSources)
	}
	if r := res["lambda:function reports"]; r.Properties["functionUrlAuthType"] != "NONE" || len(r.EventSources) != 2 ||
		r.EventSources[0] != res[collector.TypeAPIGatewayV2+" reports-http"].ARN || !strings.HasSuffix(r.EventSources[1], ":orders-events") {
		t.Errorf("function reports: URL %+v, event sources %v", r.Properties, r.EventSources)
	}
	if b := res["s3:bucket orders-incoming"]; !strings.Contains(string(b.Policy), "AuditRead") || b.PublicAccessBlock == nil || !b.PublicAccessBlock.BlockPublicPolicy ||
		b.Properties["objectOwnership"] != "BucketOwnerEnforced" || b.Tags["data"] != "confidential" || b.Region != "us-east-1" {
		t.Errorf("bucket orders-incoming: %+v", b)
	}
	if b := res["s3:bucket orders-archive"]; b.Region != "eu-west-1" || b.Policy != nil {
		t.Errorf("bucket orders-archive: %+v", b)
	}
	key := res["kms:key orders"]
	if key.Properties["aliases"] != "alias/orders" || key.Properties["keyManager"] != "CUSTOMER" || !strings.Contains(string(key.Policy), "OrdersFn") || key.Tags["app"] != "orders" {
		t.Errorf("key: %+v", key)
	}
	for _, want := range []string{"sqs:queue orders-queue", "sns:topic orders-events", "dynamodb:table orders", "ecr:repository orders-api", "apigateway:restapi orders"} {
		if r, ok := res[want]; !ok || len(r.Policy) == 0 {
			t.Errorf("%s: missing or without policy: %+v", want, r)
		}
	}
	if r := res["secretsmanager:secret orders-db"]; len(r.Policy) == 0 {
		t.Errorf("secret orders-db: %+v", r)
	}
	if r := res["ecs:task-definition batch:1"]; len(r.RunsAs) != 2 {
		t.Errorf("task definition: %+v", r)
	}
	if r := res["ec2:instance batch-worker"]; len(r.RunsAs) != 1 || !strings.HasSuffix(r.RunsAs[0], ":role/batch") {
		t.Errorf("instance: %+v", r)
	}
	roles := map[string]snapshot.Role{}
	for _, r := range prod.Roles {
		roles[r.Name] = r
	}
	if r := roles["orders-fn"]; !strings.HasSuffix(r.PermissionsBoundary, ":policy/workload-boundary") || len(r.InlinePolicies) != 1 || len(r.AttachedPolicies) != 2 {
		t.Errorf("role orders-fn: %+v", r)
	}
	var tableRW snapshot.ManagedPolicy
	for _, p := range prod.Policies {
		if p.Name == "orders-table-rw" {
			tableRW = p
		}
	}
	if tableRW.DefaultVersionID != "v2" || strings.Contains(string(tableRW.Document), "dynamodb:*") {
		t.Errorf("orders-table-rw default version: %+v", tableRW)
	}
	mg := account(t, s, managementID)
	if len(mg.IdentityProviders) != 2 || len(mg.Users) != 2 || len(mg.Groups) != 1 {
		t.Errorf("management: providers %+v users %d groups %d", mg.IdentityProviders, len(mg.Users), len(mg.Groups))
	}
	for _, p := range mg.Policies {
		if p.Name == "AdministratorAccess" && !p.AWSManaged {
			t.Error("AdministratorAccess not AWS-managed")
		}
	}
}

func account(t *testing.T, s *snapshot.Snapshot, id string) snapshot.Account {
	t.Helper()
	for _, a := range s.Accounts {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("account %s not in snapshot", id)
	return snapshot.Account{}
}

func nameOf(f *fixture, id string) string {
	for n, x := range f.accounts {
		if x == id {
			return n
		}
	}
	return id
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func encode(t *testing.T, s *snapshot.Snapshot) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := snapshot.Encode(&buf, s); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var (
	uuidRE     = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	secretRE   = regexp.MustCompile(`(:secret:[A-Za-z0-9/_+=.@-]+)-[A-Za-z0-9]{6}\b`)
	orgIDRE    = regexp.MustCompile(`\b(o-[a-z0-9]{10}|r-[a-z0-9]{4}|ou-[a-z0-9]{4}-[a-z0-9]{8}|p-[a-z0-9]{8})\b`)
	instanceRE = regexp.MustCompile(`\bi-[0-9a-f]{17}\b`)
	restAPIRE  = regexp.MustCompile(`/restapis/[a-z0-9]{10}\b|:[0-9A-Z-]+:[a-z0-9]{10}"`)
	urlRE      = regexp.MustCompile(`https?://[a-z0-9]+\.lambda-url\.[a-z0-9-]+\.on\.aws/?`)
)

// normalise replaces what moto makes up on each run (account, OU, policy,
// key, instance and API IDs, secret suffixes, times) with stable names, and
// re-sorts.
func normalise(t *testing.T, f *fixture, s *snapshot.Snapshot) []byte {
	t.Helper()
	c := *s
	c.GeneratedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Accounts = append([]snapshot.Account(nil), s.Accounts...)
	for i := range c.Accounts {
		a := &c.Accounts[i]
		a.Users = append([]snapshot.User(nil), a.Users...)
		for j := range a.Users {
			a.Users[j].ID = ""
		}
		a.Groups = append([]snapshot.Group(nil), a.Groups...)
		for j := range a.Groups {
			a.Groups[j].ID = ""
		}
		a.Roles = append([]snapshot.Role(nil), a.Roles...)
		for j := range a.Roles {
			a.Roles[j].ID = ""
			a.Roles[j].LastUsed = nil
		}
	}
	text := string(encode(t, &c))
	var pairs []string
	for name, id := range f.accounts {
		if id != managementID {
			pairs = append(pairs, id, "ACCT-"+name)
		}
	}
	// Organization IDs by what they name.
	if s.Organization != nil {
		pairs = append(pairs, s.Organization.ID, "o-ORG")
		for _, u := range s.Organization.Units {
			pairs = append(pairs, u.ID, "UNIT-"+u.Name)
		}
		for _, p := range s.Organization.Policies {
			pairs = append(pairs, p.ID, "POLICY-"+p.Name)
		}
	}
	for _, a := range s.Accounts {
		for _, r := range a.Resources {
			switch r.Type {
			case snapshot.TypeKMSKey:
				pairs = append(pairs, r.Properties["keyId"], "KEY-"+r.Name)
			case snapshot.TypeEC2Instance:
				pairs = append(pairs, lastPart(r.ARN), "INSTANCE-"+r.Name)
			case snapshot.TypeRestAPI:
				pairs = append(pairs, lastPart(r.ARN), "RESTAPI-"+r.Name)
			case collector.TypeAPIGatewayV2:
				pairs = append(pairs, lastPart(r.ARN), "API-"+r.Name)
			}
		}
	}
	text = strings.NewReplacer(pairs...).Replace(text)
	text = secretRE.ReplaceAllString(text, "$1-SUFFIX")
	text = urlRE.ReplaceAllString(text, "https://URL.lambda-url.on.aws/")
	text = uuidRE.ReplaceAllString(text, "UUID")
	text = instanceRE.ReplaceAllString(text, "i-INSTANCE")
	// Back through the schema, re-sorted now that IDs are stable.
	var out snapshot.Snapshot
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		t.Fatalf("normalised snapshot: %v", err)
	}
	sort.Slice(out.Accounts, func(i, j int) bool { return out.Accounts[i].ID < out.Accounts[j].ID })
	for i := range out.Accounts {
		rs := out.Accounts[i].Resources
		sort.Slice(rs, func(i, j int) bool { return rs[i].ARN < rs[j].ARN })
	}
	if out.Organization != nil {
		sort.Slice(out.Organization.Units, func(i, j int) bool { return out.Organization.Units[i].ID < out.Organization.Units[j].ID })
		sort.Slice(out.Organization.Policies, func(i, j int) bool { return out.Organization.Policies[i].ID < out.Organization.Policies[j].ID })
		for i := range out.Organization.Policies {
			sort.Strings(out.Organization.Policies[i].Targets)
		}
	}
	sort.SliceStable(out.Gaps, func(i, j int) bool {
		return out.Gaps[i].Account+out.Gaps[i].Error < out.Gaps[j].Account+out.Gaps[j].Error
	})
	return encode(t, &out)
}

func lastPart(arn string) string {
	return arn[strings.LastIndexAny(arn, "/:")+1:]
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run make test-collector UPDATE=1)", err)
	}
	if !bytes.Equal(got, want) {
		gotPath := filepath.Join(t.TempDir(), name)
		_ = os.WriteFile(gotPath, got, 0o644)
		t.Errorf("snapshot differs from %s; got is in %s (diff them; `make test-collector UPDATE=1` accepts it)", path, gotPath)
	}
}

var _ = aws.String

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
