package findings_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/findings"
	"github.com/iamreach/iamreach/snapshot"
)

const (
	acct   = "111111111111"
	other  = "222222222222" // inside, second account
	stray  = "999999999999" // outside, unknown
	datadg = "464622532012" // outside, well-known vendor
)

// builder makes small hand-written graphs.
type builder struct{ g graph.Graph }

func (b *builder) node(n graph.Node) *builder { b.g.Nodes = append(b.g.Nodes, n); return b }

func (b *builder) edge(kind graph.EdgeKind, from, to string, mod ...func(*graph.Edge)) *builder {
	e := graph.Edge{ID: string(kind) + ":" + from + "->" + to, Kind: kind, From: from, To: to}
	for _, m := range mod {
		m(&e)
	}
	b.g.Edges = append(b.g.Edges, e)
	return b
}

func cond(c string) func(*graph.Edge) {
	return func(e *graph.Edge) { e.Conditional, e.Condition = true, c }
}

func actions(level string, as ...string) func(*graph.Edge) {
	return func(e *graph.Edge) {
		for _, a := range as {
			e.Actions = append(e.Actions, graph.ActionGrant{Action: a, Level: level})
		}
	}
}

func evidence(pt graph.PolicyType, stmt string) func(*graph.Edge) {
	return func(e *graph.Edge) {
		e.Evidence = append(e.Evidence, graph.Evidence{PolicyType: pt, PolicyID: e.To + "#policy", Effect: "Allow", Statement: json.RawMessage(stmt)})
	}
}

func account(id string, external bool) graph.Node {
	n := graph.Node{ID: "account:" + id, Kind: graph.KindAccount, Name: id, Account: id}
	if external {
		n.Props = map[string]string{"external": "true"}
	}
	return n
}

func role(acc, name string, props ...string) graph.Node {
	n := graph.Node{ID: "arn:aws:iam::" + acc + ":role/" + name, Kind: graph.KindRole, Name: name, Account: acc}
	for i := 0; i+1 < len(props); i += 2 {
		if n.Props == nil {
			n.Props = map[string]string{}
		}
		n.Props[props[i]] = props[i+1]
	}
	return n
}

func bucket(acc, name string) graph.Node {
	return graph.Node{ID: "arn:aws:s3:::" + name, Kind: graph.KindResource, Name: name, Type: "s3:bucket", Account: acc}
}

func baseSnap() *snapshot.Snapshot {
	return &snapshot.Snapshot{SchemaVersion: 1, GeneratedAt: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		Accounts: []snapshot.Account{{ID: acct}, {ID: other}}}
}

func byKind(fs []graph.Finding, k graph.FindingKind) []graph.Finding {
	var out []graph.Finding
	for _, f := range fs {
		if f.Kind == k {
			out = append(out, f)
		}
	}
	return out
}

func find(fs []graph.Finding, k graph.FindingKind, subject string) (graph.Finding, bool) {
	for _, f := range fs {
		if f.Kind == k && f.Subject == subject {
			return f, true
		}
	}
	return graph.Finding{}, false
}

func TestExternalTrust(t *testing.T) {
	gh := graph.Node{ID: "arn:aws:iam::" + acct + ":oidc-provider/token.actions.githubusercontent.com", Kind: graph.KindIdentityProvider, Name: "token.actions.githubusercontent.com", Type: "OIDC", Account: acct}
	saml := graph.Node{ID: "arn:aws:iam::" + acct + ":saml-provider/corp", Kind: graph.KindIdentityProvider, Name: "corp", Type: "SAML", Account: acct}
	b := (&builder{}).node(account(acct, false)).node(account(other, false)).
		node(account(stray, true)).node(account(datadg, true)).node(account("333333333333", true)).
		node(gh).node(saml).node(graph.Node{ID: "anonymous", Kind: graph.KindAnonymous, Name: "anyone"}).
		node(role(acct, "vendor-ok")).node(role(acct, "vendor-noext")).node(role(acct, "stray")).node(role(acct, "stray-cond")).
		node(role(acct, "partner")).node(role(acct, "ci-open")).node(role(acct, "ci-main")).node(role(acct, "ci-wild")).
		node(role(acct, "sso")).node(role(acct, "open")).node(role(acct, "internal")).node(role(other, "caller"))
	b.edge(graph.EdgeCanAssume, "account:"+datadg, "arn:aws:iam::"+acct+":role/vendor-ok", cond(`sts:ExternalId = "abc"`))
	b.edge(graph.EdgeCanAssume, "account:"+datadg, "arn:aws:iam::"+acct+":role/vendor-noext")
	b.edge(graph.EdgeCanAssume, "account:"+stray, "arn:aws:iam::"+acct+":role/stray")
	b.edge(graph.EdgeCanAssume, "account:"+stray, "arn:aws:iam::"+acct+":role/stray-cond", cond(`aws:SourceIp in 203.0.113.0/24`))
	b.edge(graph.EdgeCanAssume, "account:333333333333", "arn:aws:iam::"+acct+":role/partner")
	b.edge(graph.EdgeCanAssume, gh.ID, "arn:aws:iam::"+acct+":role/ci-open", cond(`token.actions.githubusercontent.com:aud = "sts.amazonaws.com"`))
	b.edge(graph.EdgeCanAssume, gh.ID, "arn:aws:iam::"+acct+":role/ci-main", cond(`token.actions.githubusercontent.com:sub = "repo:acme/app:ref:refs/heads/main"`))
	b.edge(graph.EdgeCanAssume, gh.ID, "arn:aws:iam::"+acct+":role/ci-wild", cond(`token.actions.githubusercontent.com:sub like "repo:acme/*"`))
	b.edge(graph.EdgeCanAssume, saml.ID, "arn:aws:iam::"+acct+":role/sso", cond(`SAML:aud = "https://signin.aws.amazon.com/saml"`))
	b.edge(graph.EdgeCanAssume, "anonymous", "arn:aws:iam::"+acct+":role/open")
	b.edge(graph.EdgeCanAssume, "arn:aws:iam::"+other+":role/caller", "arn:aws:iam::"+acct+":role/internal")

	fs := findings.Compute(&b.g, baseSnap(), findings.Options{KnownAccounts: map[string]string{"333333333333": "Partner Co"}})
	want := map[string]string{ // role → severity
		"vendor-ok": "low", "vendor-noext": "high", "stray": "high", "stray-cond": "medium", "partner": "info",
		"ci-open": "critical", "ci-main": "low", "ci-wild": "medium", "sso": "info", "open": "critical",
	}
	got := byKind(fs, graph.FindingExternalTrust)
	if len(got) != len(want) {
		for _, f := range got {
			t.Logf("%s %s %s", f.Severity, f.Subject, f.Title)
		}
		t.Fatalf("got %d external-trust findings, want %d", len(got), len(want))
	}
	for name, sev := range want {
		t.Run(name, func(t *testing.T) {
			f, ok := find(fs, graph.FindingExternalTrust, "arn:aws:iam::"+acct+":role/"+name)
			if !ok {
				t.Fatal("no finding")
			}
			if f.Severity != sev {
				t.Errorf("severity %s, want %s (%s: %s)", f.Severity, sev, f.Title, f.Detail)
			}
			if f.Path == nil || len(f.Path.Edges) != 1 {
				t.Errorf("want a one-hop path, got %+v", f.Path)
			}
		})
	}
	if f, _ := find(fs, graph.FindingExternalTrust, "arn:aws:iam::"+acct+":role/vendor-ok"); !strings.Contains(f.Title, "Datadog") {
		t.Errorf("vendor not labelled: %q", f.Title)
	}
	if f, _ := find(fs, graph.FindingExternalTrust, "arn:aws:iam::"+acct+":role/partner"); !strings.Contains(f.Title, "Partner Co") {
		t.Errorf("allow-list label not used: %q", f.Title)
	}
}

func TestExternalAccessFollowsRoutes(t *testing.T) {
	b := (&builder{}).node(account(acct, false)).node(account(stray, true)).
		node(role(acct, "bridge")).node(role(acct, "reader")).node(bucket(acct, "data")).node(bucket(acct, "logs")).
		node(graph.Node{ID: "scope:s3:" + acct, Kind: graph.KindScope, Name: "all s3 in " + acct, Account: acct})
	b.edge(graph.EdgeCanAssume, "account:"+stray, "arn:aws:iam::"+acct+":role/bridge", cond(`sts:ExternalId = "x"`))
	b.edge(graph.EdgeCanAssume, "arn:aws:iam::"+acct+":role/bridge", "arn:aws:iam::"+acct+":role/reader")
	b.edge(graph.EdgeCanAccess, "arn:aws:iam::"+acct+":role/reader", "scope:s3:"+acct, actions("Read", "s3:GetObject"))
	b.edge(graph.EdgeCovers, "scope:s3:"+acct, "arn:aws:s3:::data")
	b.edge(graph.EdgeCovers, "scope:s3:"+acct, "arn:aws:s3:::logs")
	fs := findings.Compute(&b.g, baseSnap(), findings.Options{})
	got := byKind(fs, graph.FindingExternalAccess)
	if len(got) != 1 {
		t.Fatalf("want 1 external-access finding, got %+v", got)
	}
	f := got[0]
	if f.Subject != "account:"+stray || f.Target != "scope:s3:"+acct || f.Score != 2 {
		t.Errorf("finding %+v", f)
	}
	if len(f.Path.Edges) != 3 || f.Path.Nodes[2] != "arn:aws:iam::"+acct+":role/reader" {
		t.Errorf("path %+v", f.Path.Nodes)
	}
	if f.Condition != `sts:ExternalId = "x"` || f.Severity != "medium" {
		t.Errorf("condition %q severity %s", f.Condition, f.Severity)
	}
}

func TestPublic(t *testing.T) {
	snap := baseSnap()
	snap.Accounts[1].PublicAccessBlock = &snapshot.PublicAccessBlock{RestrictPublicBuckets: true}
	snap.Accounts[0].Resources = []snapshot.Resource{
		{ARN: "arn:aws:lambda:us-east-1:" + acct + ":function:hook", Type: "lambda:function", Account: acct, Name: "hook",
			Properties: map[string]string{"functionUrlAuthType": "NONE"},
			Policy:     json.RawMessage(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"*"}]}`)},
		{ARN: "arn:aws:lambda:us-east-1:" + acct + ":function:private", Type: "lambda:function", Account: acct, Name: "private",
			Properties: map[string]string{"functionUrlAuthType": "NONE"}},
	}
	open := `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}`
	vpce := `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}`
	wildOrg := `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"aws:PrincipalOrgID":"o-*"}}}`
	ifExists := `{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:SourceAccount":"111111111111"}}}`
	b := (&builder{}).node(account(acct, false)).node(account(other, false)).node(graph.Node{ID: "anonymous", Kind: graph.KindAnonymous}).
		node(bucket(acct, "site")).node(bucket(acct, "vpc-only")).node(bucket(acct, "org-wild")).node(bucket(acct, "drop")).node(bucket(other, "restricted"))
	b.edge(graph.EdgeCanAccess, "anonymous", "arn:aws:s3:::site", actions("Read", "s3:GetObject"), evidence(graph.PolicyResource, open))
	b.edge(graph.EdgeCanAccess, "anonymous", "arn:aws:s3:::vpc-only", actions("Read", "s3:GetObject"), evidence(graph.PolicyResource, vpce), cond(`aws:SourceVpce = "vpce-1"`))
	b.edge(graph.EdgeCanAccess, "anonymous", "arn:aws:s3:::org-wild", actions("Read", "s3:GetObject"), evidence(graph.PolicyResource, wildOrg), cond(`aws:PrincipalOrgID like "o-*"`))
	b.edge(graph.EdgeCanAccess, "anonymous", "arn:aws:s3:::drop", actions("Write", "s3:PutObject"), evidence(graph.PolicyResource, ifExists), cond(`aws:SourceAccount = 111111111111 if present`))
	b.edge(graph.EdgeCanAccess, "anonymous", "arn:aws:s3:::restricted", actions("Read", "s3:GetObject"), evidence(graph.PolicyResource, open))
	fs := findings.Compute(&b.g, snap, findings.Options{})
	for _, tc := range []struct {
		subject string
		sev     string // "" : no finding
	}{
		{"arn:aws:s3:::site", "high"},
		{"arn:aws:s3:::vpc-only", ""},
		{"arn:aws:s3:::org-wild", "medium"}, // a wildcard value does not confine; conditional: one level lower
		{"arn:aws:s3:::drop", "high"},       // IfExists does not confine; write: critical, conditional: high
		{"arn:aws:s3:::restricted", "info"}, // account BPA RestrictPublicBuckets
		{"arn:aws:lambda:us-east-1:" + acct + ":function:hook", "high"},
		{"arn:aws:lambda:us-east-1:" + acct + ":function:private", "low"},
	} {
		t.Run(tc.subject, func(t *testing.T) {
			f, ok := find(fs, graph.FindingPublic, tc.subject)
			if tc.sev == "" {
				if ok {
					t.Fatalf("unexpected finding %+v", f)
				}
				return
			}
			if !ok {
				t.Fatal("no public finding")
			}
			if f.Severity != tc.sev {
				t.Errorf("severity %s, want %s (%s)", f.Severity, tc.sev, f.Detail)
			}
		})
	}
}

func TestAdminAndEscalation(t *testing.T) {
	fn := graph.Node{ID: "arn:aws:lambda:us-east-1:" + acct + ":function:f", Kind: graph.KindResource, Name: "f", Type: "lambda:function", Account: acct}
	b := (&builder{}).node(account(acct, false)).node(account(stray, true)).
		node(role(acct, "admin", "admin", "true")).node(role(acct, "deployer")).node(role(acct, "app")).node(role(acct, "lonely")).
		node(graph.Node{ID: "arn:aws:iam::" + acct + ":user/dev", Kind: graph.KindUser, Name: "dev", Account: acct}).
		node(fn).node(graph.Node{ID: "service:lambda.amazonaws.com", Kind: graph.KindServicePrincipal, Name: "lambda.amazonaws.com"})
	b.edge(graph.EdgeCanAssume, "arn:aws:iam::"+acct+":user/dev", "arn:aws:iam::"+acct+":role/deployer")
	b.edge(graph.EdgeCanEscalate, "arn:aws:iam::"+acct+":role/deployer", "arn:aws:iam::"+acct+":role/admin", func(e *graph.Edge) { e.Technique = "iam:PassRole+lambda:CreateFunction" })
	b.edge(graph.EdgeRunsAs, fn.ID, "arn:aws:iam::"+acct+":role/app")
	b.edge(graph.EdgeCanAssume, "arn:aws:iam::"+acct+":role/app", "arn:aws:iam::"+acct+":role/admin", cond(`aws:SourceIp in 10.0.0.0/8`))
	b.edge(graph.EdgeCanAssume, "service:lambda.amazonaws.com", "arn:aws:iam::"+acct+":role/admin")
	b.edge(graph.EdgeCanAssume, "account:"+stray, "arn:aws:iam::"+acct+":role/deployer")
	fs := findings.Compute(&b.g, baseSnap(), findings.Options{})
	if a := byKind(fs, graph.FindingAdmin); len(a) != 1 || a[0].Subject != "arn:aws:iam::"+acct+":role/admin" {
		t.Fatalf("admin findings %+v", a)
	}
	for _, tc := range []struct {
		subject string
		sev     string
		hops    int
	}{
		{"arn:aws:iam::" + acct + ":user/dev", "high", 2}, // through a technique
		{"arn:aws:iam::" + acct + ":role/deployer", "high", 1},
		{"arn:aws:iam::" + acct + ":role/app", "low", 1}, // assume, conditional
		{fn.ID, "medium", 2},                // workload: high, conditional: medium
		{"account:" + stray, "critical", 2}, // from outside
	} {
		t.Run(tc.subject, func(t *testing.T) {
			f, ok := find(fs, graph.FindingEscalation, tc.subject)
			if !ok {
				t.Fatal("no escalation finding")
			}
			if f.Severity != tc.sev || len(f.Path.Edges) != tc.hops || f.Target != "arn:aws:iam::"+acct+":role/admin" {
				t.Errorf("severity %s hops %d target %s; want %s %d (%s)", f.Severity, len(f.Path.Edges), f.Target, tc.sev, tc.hops, f.Detail)
			}
		})
	}
	for _, s := range []string{"arn:aws:iam::" + acct + ":role/lonely", "service:lambda.amazonaws.com", "arn:aws:iam::" + acct + ":role/admin"} {
		if _, ok := find(fs, graph.FindingEscalation, s); ok {
			t.Errorf("unexpected escalation finding for %s", s)
		}
	}
	if f, _ := find(fs, graph.FindingEscalation, "arn:aws:iam::"+acct+":user/dev"); !strings.Contains(f.Detail, "iam:PassRole+lambda:CreateFunction") {
		t.Errorf("technique not named: %s", f.Detail)
	}
}

func TestConfusedDeputy(t *testing.T) {
	q := graph.Node{ID: "arn:aws:sqs:us-east-1:" + acct + ":q", Kind: graph.KindResource, Name: "q", Type: "sqs:queue", Account: acct}
	q2 := graph.Node{ID: "arn:aws:sqs:us-east-1:" + acct + ":q2", Kind: graph.KindResource, Name: "q2", Type: "sqs:queue", Account: acct}
	b := (&builder{}).node(account(acct, false)).node(q).node(q2).node(role(acct, "fn")).node(role(acct, "cfg")).
		node(graph.Node{ID: "service:sns.amazonaws.com", Kind: graph.KindServicePrincipal, Name: "sns.amazonaws.com"}).
		node(graph.Node{ID: "service:lambda.amazonaws.com", Kind: graph.KindServicePrincipal, Name: "lambda.amazonaws.com"}).
		node(graph.Node{ID: "service:config.amazonaws.com", Kind: graph.KindServicePrincipal, Name: "config.amazonaws.com"})
	b.edge(graph.EdgeCanAccess, "service:sns.amazonaws.com", q.ID, actions("Write", "sqs:SendMessage"))
	b.edge(graph.EdgeCanAccess, "service:sns.amazonaws.com", q2.ID, actions("Write", "sqs:SendMessage"), cond(`aws:SourceArn = "arn:aws:sns:us-east-1:111111111111:t"`))
	b.edge(graph.EdgeCanAssume, "service:lambda.amazonaws.com", "arn:aws:iam::"+acct+":role/fn")
	b.edge(graph.EdgeCanAssume, "service:config.amazonaws.com", "arn:aws:iam::"+acct+":role/cfg")
	fs := byKind(findings.Compute(&b.g, baseSnap(), findings.Options{}), graph.FindingConfusedDeputy)
	subjects := map[string]bool{}
	for _, f := range fs {
		subjects[f.Subject] = true
	}
	if len(fs) != 2 || !subjects[q.ID] || !subjects["arn:aws:iam::"+acct+":role/cfg"] {
		t.Fatalf("confused-deputy findings: %+v", fs)
	}
}

func TestBlastRadius(t *testing.T) {
	fn := func(name string) graph.Node {
		return graph.Node{ID: "arn:aws:lambda:us-east-1:" + acct + ":function:" + name, Kind: graph.KindResource, Name: name, Type: "lambda:function", Account: acct}
	}
	sec := graph.Node{ID: "arn:aws:secretsmanager:us-east-1:" + acct + ":secret:db", Kind: graph.KindResource, Name: "db", Type: "secretsmanager:secret", Account: acct}
	b := (&builder{}).node(account(acct, false)).node(fn("wide")).node(fn("narrow")).node(fn("idle")).
		node(role(acct, "wide")).node(role(acct, "narrow")).node(role(acct, "idle")).node(role(acct, "admin", "admin", "true")).
		node(bucket(acct, "a")).node(bucket(acct, "b")).node(bucket(acct, "c")).node(sec).
		node(graph.Node{ID: "scope:s3:" + acct, Kind: graph.KindScope, Account: acct}).node(fn("boss"))
	b.edge(graph.EdgeRunsAs, fn("wide").ID, "arn:aws:iam::"+acct+":role/wide")
	b.edge(graph.EdgeRunsAs, fn("narrow").ID, "arn:aws:iam::"+acct+":role/narrow")
	b.edge(graph.EdgeRunsAs, fn("idle").ID, "arn:aws:iam::"+acct+":role/idle")
	b.edge(graph.EdgeRunsAs, fn("boss").ID, "arn:aws:iam::"+acct+":role/admin")
	b.edge(graph.EdgeCanAccess, "arn:aws:iam::"+acct+":role/wide", "scope:s3:"+acct, actions("Mixed", "s3:*"))
	b.edge(graph.EdgeCanAccess, "arn:aws:iam::"+acct+":role/wide", sec.ID, actions("Read", "secretsmanager:GetSecretValue"))
	for _, x := range []string{"a", "b", "c"} {
		b.edge(graph.EdgeCovers, "scope:s3:"+acct, "arn:aws:s3:::"+x)
	}
	b.edge(graph.EdgeCanAccess, "arn:aws:iam::"+acct+":role/narrow", "arn:aws:s3:::a", actions("Read", "s3:GetObject"))
	fs := byKind(findings.Compute(&b.g, baseSnap(), findings.Options{}), graph.FindingBlastRadius)
	if len(fs) != 3 {
		t.Fatalf("want 3 ranked workloads (idle reaches nothing), got %+v", fs)
	}
	wantOrder := []struct {
		name  string
		score int
	}{{"boss", 10000}, {"wide", 3*3 + 5}, {"narrow", 3}}
	for i, w := range wantOrder {
		if fs[i].Subject != fn(w.name).ID || fs[i].Score != w.score {
			t.Errorf("rank %d: %s score %d, want %s %d", i, fs[i].Subject, fs[i].Score, w.name, w.score)
		}
	}
}

func TestReadKnownAccounts(t *testing.T) {
	got, err := findings.ReadKnownAccounts(strings.NewReader("# partners\n123456789012 Partner Co\n210987654321\n"))
	if err != nil || got["123456789012"] != "Partner Co" || len(got) != 2 {
		t.Fatalf("got %v, %v", got, err)
	}
	if _, err := findings.ReadKnownAccounts(strings.NewReader("ok\n12345 short\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("want an error naming line 1, got %v", err)
	}
}

func TestIDStable(t *testing.T) {
	if findings.ID(graph.FindingPublic, "a") != findings.ID(graph.FindingPublic, "a") {
		t.Fatal("ID not stable")
	}
	if findings.ID(graph.FindingPublic, "a", "b") == findings.ID(graph.FindingPublic, "ab") {
		t.Fatal("ID parts must be separated")
	}
}
