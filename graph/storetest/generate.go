package storetest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/iamreach/iamreach/graph"
)

// GenSpec sizes a generated graph.
type GenSpec struct {
	Accounts  int // accounts in the inventory (one external account is added)
	Roles     int // per account
	Users     int // per account
	Functions int // per account
	Resources int // per account (buckets, keys, tables)
}

// Generate builds a graph.Graph directly (no snapshot, no builder) with
// every node and edge kind, conditional and cross-account edges, role
// chains and cycles, scopes and patterns with COVERS, tags, props and
// findings: enough shape for the stores to disagree if either is wrong.
// The same spec and seed give the same graph.
func Generate(spec GenSpec, seed uint64) *graph.Graph {
	g := &gen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), ids: map[string]bool{}}
	g.run(spec)
	g.out.Meta = graph.Meta{Source: fmt.Sprintf("storetest.Generate(seed %d)", seed), GeneratedAt: "2026-12-06T00:00:00Z",
		Complete: seed%2 == 0, Accounts: spec.Accounts,
		Gaps: []graph.Gap{{Account: "100000000001", Region: "eu-west-1", Service: "lambda", Operation: "ListFunctions", Code: "AccessDenied", Error: "not authorized"}}}
	return &g.out
}

type gen struct {
	rng *rand.Rand
	out graph.Graph
	ids map[string]bool
	ne  int
}

var levels = []string{graph.LevelRead, graph.LevelWrite, graph.LevelList, graph.LevelPermissions, graph.LevelTagging}

var actionsByType = map[string][]string{
	"s3:bucket":        {"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:*"},
	"kms:key":          {"kms:Decrypt", "kms:Encrypt", "kms:CreateGrant", "kms:*"},
	"dynamodb:table":   {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:*"},
	"lambda:function":  {"lambda:InvokeFunction", "lambda:UpdateFunctionCode"},
	"secretsmanager:s": {"secretsmanager:GetSecretValue"},
}

func (g *gen) node(n graph.Node) string {
	if !g.ids[n.ID] {
		g.ids[n.ID] = true
		g.out.Nodes = append(g.out.Nodes, n)
	}
	return n.ID
}

func (g *gen) edge(kind graph.EdgeKind, from, to string, mod func(*graph.Edge)) {
	g.ne++
	e := graph.Edge{ID: fmt.Sprintf("e%06d-%s", g.rng.IntN(1_000_000), kind), Kind: kind, From: from, To: to}
	e.ID = fmt.Sprintf("%s-%d", e.ID, g.ne)
	if kind != graph.EdgeInAccount && kind != graph.EdgeMemberOf && kind != graph.EdgeCovers && kind != graph.EdgeChildOf && kind != graph.EdgeHasPolicy {
		e.Evidence = []graph.Evidence{{PolicyType: graph.PolicyIdentity, PolicyID: from + "#inline/p", PolicyName: "p",
			StatementIndex: g.rng.IntN(3), Sid: "S" + fmt.Sprint(g.rng.IntN(9)), Effect: "Allow",
			Statement: json.RawMessage(`{"Effect":"Allow","Action":"*","Resource":"*"}`)}}
		if g.rng.IntN(5) == 0 {
			e.Conditional = true
			e.Condition = fmt.Sprintf("aws:SourceVpce = vpce-%04d", g.rng.IntN(9999))
		}
		if g.rng.IntN(8) == 0 {
			e.Denies = []graph.Evidence{{PolicyType: graph.PolicySCP, PolicyID: "p-deny", PolicyName: "deny", Effect: "Deny", Level: "root r-abcd", Note: "conditional deny"}}
		}
	}
	if mod != nil {
		mod(&e)
	}
	g.out.Edges = append(g.out.Edges, e)
}

func (g *gen) grants(rtype string) []graph.ActionGrant {
	acts := actionsByType[rtype]
	if acts == nil {
		acts = []string{"*"}
	}
	n := 1 + g.rng.IntN(len(acts))
	out := make([]graph.ActionGrant, 0, n)
	seen := map[string]bool{}
	for range n {
		a := acts[g.rng.IntN(len(acts))]
		if seen[a] {
			continue
		}
		seen[a] = true
		gr := graph.ActionGrant{Action: a, Level: levels[g.rng.IntN(len(levels))]}
		if g.rng.IntN(6) == 0 {
			gr.Condition = "aws:PrincipalTag/team = data"
		}
		out = append(out, gr)
	}
	return out
}

func (g *gen) run(s GenSpec) {
	root := g.node(graph.Node{ID: "r-root", Kind: graph.KindOrgUnit, Name: "Root"})
	anon := g.node(graph.Node{ID: "anonymous", Kind: graph.KindAnonymous, Name: "Anyone"})
	ext := g.node(graph.Node{ID: "account:999988887777", Kind: graph.KindAccount, Name: "vendor-999988887777", Account: "999988887777",
		Props: map[string]string{"external": "true", "vendor": "ExampleVendor"}})
	oidc := g.node(graph.Node{ID: "arn:aws:iam::100000000000:oidc-provider/token.actions.githubusercontent.com", Kind: graph.KindIdentityProvider,
		Name: "token.actions.githubusercontent.com", Type: "OIDC", Account: "100000000000"})
	svc := g.node(graph.Node{ID: "service:lambda.amazonaws.com", Kind: graph.KindServicePrincipal, Name: "lambda.amazonaws.com"})
	scp := g.node(graph.Node{ID: "arn:aws:organizations::100000000000:policy/o-x/service_control_policy/p-deny", Kind: graph.KindPolicy, Name: "DenyLeaveOrg", Type: "scp"})
	g.edge(graph.EdgeHasPolicy, root, scp, nil)

	var allRoles, allPrincipals, allFuncs []string
	type res struct{ id, typ string }
	var allRes []res
	for a := range s.Accounts {
		acct := fmt.Sprintf("1000000000%02d", a)
		aid := g.node(graph.Node{ID: "account:" + acct, Kind: graph.KindAccount, Name: fmt.Sprintf("acct-%d", a), Account: acct,
			Tags: map[string]string{"env": []string{"prod", "dev", "staging"}[a%3]}})
		g.edge(graph.EdgeChildOf, aid, root, nil)
		pol := g.node(graph.Node{ID: fmt.Sprintf("arn:aws:iam::%s:policy/Common", acct), Kind: graph.KindPolicy, Name: "Common", Account: acct})
		grp := g.node(graph.Node{ID: fmt.Sprintf("arn:aws:iam::%s:group/devs", acct), Kind: graph.KindGroup, Name: "devs", Account: acct})
		g.edge(graph.EdgeInAccount, grp, aid, nil)
		g.edge(graph.EdgeHasPolicy, grp, pol, nil)
		var roles []string
		for r := range s.Roles {
			name := fmt.Sprintf("role-%d-%d", a, r)
			if r%7 == 0 {
				name = fmt.Sprintf("Admin%d", r)
			}
			n := graph.Node{ID: fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, name), Kind: graph.KindRole, Name: name, Account: acct}
			if r%7 == 0 {
				n.Props = map[string]string{"admin": "true"}
			}
			if r%3 == 0 {
				n.Tags = map[string]string{"team": []string{"data", "payments", "platform"}[r%3/1%3], "owner": fmt.Sprintf("owner%d", r)}
			}
			id := g.node(n)
			g.edge(graph.EdgeInAccount, id, aid, nil)
			if r%4 == 0 {
				g.edge(graph.EdgeHasPolicy, id, pol, nil)
			}
			roles = append(roles, id)
		}
		for u := range s.Users {
			id := g.node(graph.Node{ID: fmt.Sprintf("arn:aws:iam::%s:user/user%d", acct, u), Kind: graph.KindUser, Name: fmt.Sprintf("user%d", u), Account: acct})
			g.edge(graph.EdgeInAccount, id, aid, nil)
			g.edge(graph.EdgeMemberOf, id, grp, nil)
			allPrincipals = append(allPrincipals, id)
		}
		var funcs []string
		for f := range s.Functions {
			id := g.node(graph.Node{ID: fmt.Sprintf("arn:aws:lambda:eu-west-1:%s:function:fn-%d-%d", acct, a, f), Kind: graph.KindResource,
				Type: "lambda:function", Name: fmt.Sprintf("fn-%d-%d", a, f), Account: acct, Region: "eu-west-1"})
			g.edge(graph.EdgeInAccount, id, aid, nil)
			if len(roles) > 0 {
				g.edge(graph.EdgeRunsAs, id, roles[g.rng.IntN(len(roles))], nil)
			}
			funcs = append(funcs, id)
		}
		types := []string{"s3:bucket", "kms:key", "dynamodb:table"}
		scopes := map[string]string{}
		for _, t := range types {
			svcName := t[:len(t)-len(":bucket")]
			if t != "s3:bucket" {
				svcName = map[string]string{"kms:key": "kms", "dynamodb:table": "dynamodb"}[t]
			}
			scopes[t] = g.node(graph.Node{ID: fmt.Sprintf("scope:%s:%s", svcName, acct), Kind: graph.KindScope, Name: svcName + " in " + acct, Type: t, Account: acct})
		}
		pat := g.node(graph.Node{ID: fmt.Sprintf("pattern:arn:aws:s3:::data-%s-*", acct), Kind: graph.KindPattern, Name: fmt.Sprintf("arn:aws:s3:::data-%s-*", acct), Type: "s3:bucket", Account: acct})
		for r := range s.Resources {
			t := types[r%len(types)]
			var id string
			switch t {
			case "s3:bucket":
				id = fmt.Sprintf("arn:aws:s3:::data-%s-%d", acct, r)
			case "kms:key":
				id = fmt.Sprintf("arn:aws:kms:eu-west-1:%s:key/%08x-0000-4000-8000-%012d", acct, r, r)
			default:
				id = fmt.Sprintf("arn:aws:dynamodb:eu-west-1:%s:table/orders-%d", acct, r)
			}
			n := graph.Node{ID: id, Kind: graph.KindResource, Type: t, Name: id[len(id)-min(len(id), 20):], Account: acct, Region: "eu-west-1"}
			if r%11 == 0 {
				n.Props = map[string]string{"public": "true"}
				n.Tags = map[string]string{"classification": "secret"}
			}
			g.node(n)
			g.edge(graph.EdgeInAccount, id, aid, nil)
			g.edge(graph.EdgeCovers, scopes[t], id, nil)
			if t == "s3:bucket" {
				g.edge(graph.EdgeCovers, pat, id, nil)
			}
			allRes = append(allRes, res{id, t})
		}
		for _, t := range types {
			allRes = append(allRes, res{scopes[t], t})
		}
		allRes = append(allRes, res{pat, "s3:bucket"})
		allRoles = append(allRoles, roles...)
		allPrincipals = append(allPrincipals, roles...)
		allFuncs = append(allFuncs, funcs...)
		if len(roles) > 1 {
			g.edge(graph.EdgeCanAssume, ext, roles[1], func(e *graph.Edge) {
				e.CrossAccount, e.Conditional, e.Condition = true, true, "sts:ExternalId = vendor-123"
			})
			g.edge(graph.EdgeCanAssume, oidc, roles[len(roles)-1], func(e *graph.Edge) {
				e.Conditional, e.Condition = true, "token.actions.githubusercontent.com:sub = repo:org/app:*"
			})
			g.edge(graph.EdgeCanAssume, svc, roles[0], nil)
		}
	}
	pick := func(xs []string) string { return xs[g.rng.IntN(len(xs))] }
	if len(allRoles) == 0 {
		return
	}
	// Role chains (with cycles), escalations.
	for range len(allPrincipals) / 2 {
		from, to := pick(allPrincipals), pick(allRoles)
		if from == to {
			continue
		}
		g.edge(graph.EdgeCanAssume, from, to, func(e *graph.Edge) { e.CrossAccount = from[13:25] != to[13:25] })
	}
	for range len(allRoles) / 5 {
		from, to := pick(allPrincipals), pick(allRoles)
		if from != to {
			g.edge(graph.EdgeCanEscalate, from, to, func(e *graph.Edge) { e.Technique = "iam:PassRole+lambda:CreateFunction" })
		}
	}
	// Access, including the same target reached twice from one principal.
	for range len(allRoles) * 2 {
		from, r := pick(allPrincipals), allRes[g.rng.IntN(len(allRes))]
		gr := g.grants(r.typ)
		g.edge(graph.EdgeCanAccess, from, r.id, func(e *graph.Edge) { e.Actions = gr })
	}
	g.edge(graph.EdgeCanAccess, anon, allRes[0].id, func(e *graph.Edge) {
		e.Actions = []graph.ActionGrant{{Action: "s3:GetObject", Level: graph.LevelRead}}
	})
	for range len(allFuncs) {
		g.edge(graph.EdgeCanInvoke, pick(allPrincipals), pick(allFuncs), func(e *graph.Edge) {
			e.Actions = []graph.ActionGrant{{Action: "lambda:InvokeFunction", Level: graph.LevelWrite}}
		})
		g.edge(graph.EdgeTriggers, allRes[g.rng.IntN(len(allRes))].id, pick(allFuncs), nil)
	}
	// Findings of several kinds.
	kinds := []graph.FindingKind{graph.FindingExternalTrust, graph.FindingPublic, graph.FindingAdmin, graph.FindingEscalation, graph.FindingWildcardAction}
	sev := []string{"critical", "high", "medium", "low", "info"}
	for i := range len(allRoles) {
		subj := allRoles[i]
		f := graph.Finding{ID: fmt.Sprintf("f-%d", i), Kind: kinds[i%len(kinds)], Severity: sev[g.rng.IntN(len(sev))],
			Title: "finding " + fmt.Sprint(i), Subject: subj, Account: subj[13:25], Detail: "generated", Score: g.rng.IntN(100)}
		if i%3 == 0 {
			f.Condition = "sts:ExternalId = x"
			f.Path = &graph.Path{Nodes: []string{subj}}
			f.Suggestion = json.RawMessage(`{"Version":"2012-10-17","Statement":[]}`)
		}
		g.out.Findings = append(g.out.Findings, f)
	}
}
