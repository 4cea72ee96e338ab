// Package gen generates synthetic organizations as snapshots, for
// benchmarks and demos of scale. The same size and seed always give the same
// snapshot, byte for byte (GeneratedAt is fixed), so benchmark figures can
// be reproduced and compared.
//
// The mix is meant to look like a real organization, not a uniform random
// graph: most roles are workload roles with narrow grants to resources of
// their own account, some human roles hold broad managed policies, a few
// roles are trusted across accounts or by vendors (with ExternalId) and CI
// (GitHub OIDC), some buckets and keys carry resource policies (a few
// public, a few cross-account), and the organization has SCPs at the root
// and per OU plus an RCP.
package gen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/iamreach/iamreach/snapshot"
)

// Size names a preset.
type Size string

const (
	Small  Size = "small"
	Medium Size = "medium"
	Large  Size = "large"
)

// Spec is how much to generate.
type Spec struct {
	Accounts  int
	Roles     int // across all accounts
	Users     int
	Resources int
}

// SpecFor returns the preset for a size.
func SpecFor(s Size) (Spec, error) {
	switch s {
	case Small:
		return Spec{Accounts: 4, Roles: 80, Users: 20, Resources: 400}, nil
	case Medium:
		return Spec{Accounts: 20, Roles: 2000, Users: 500, Resources: 10000}, nil
	case Large:
		return Spec{Accounts: 100, Roles: 20000, Users: 5000, Resources: 100000}, nil
	}
	return Spec{}, fmt.Errorf("unknown size %q (want small, medium or large)", s)
}

// Epoch is the fixed GeneratedAt of generated snapshots.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Vendor accounts the generator uses for third-party trusts. They are real,
// publicly documented vendor account IDs so that vendor labelling shows.
var genVendors = []string{"464622532012", "754728514883", "414351767826"}

// Generate builds a snapshot for spec from seed. It panics on nothing; a
// zero or negative count generates none of that thing (at least one account).
func Generate(spec Spec, seed uint64) *snapshot.Snapshot {
	if spec.Accounts < 1 {
		spec.Accounts = 1
	}
	g := &generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), spec: spec}
	return g.run()
}

type generator struct {
	rng  *rand.Rand
	spec Spec
	ids  []string // account IDs, [0] is the management account
	ou   []string // OU id per account
}

func (g *generator) pct(p int) bool { return g.rng.IntN(100) < p }

func (g *generator) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

// share splits total over n parts with some skew (accounts are not all the same size).
func (g *generator) share(total, n int) []int {
	w := make([]int, n)
	sum := 0
	for i := range w {
		w[i] = 1 + g.rng.IntN(4)
		sum += w[i]
	}
	out := make([]int, n)
	left := total
	for i := range w {
		out[i] = total * w[i] / sum
		left -= out[i]
	}
	for i := 0; left > 0; i = (i + 1) % n {
		out[i]++
		left--
	}
	return out
}

var regions = []string{"us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"}

const orgID = "o-gen0000001"

func (g *generator) run() *snapshot.Snapshot {
	n := g.spec.Accounts
	for i := 0; i < n; i++ {
		g.ids = append(g.ids, fmt.Sprintf("%012d", 100000000000+uint64(i)*7919+13))
	}
	units := []snapshot.OrgUnit{
		{ID: "r-gen0", Name: "Root", Type: snapshot.UnitRoot},
		{ID: "ou-gen0-security", Name: "Security", Type: snapshot.UnitOU, ParentID: "r-gen0"},
		{ID: "ou-gen0-workloads", Name: "Workloads", Type: snapshot.UnitOU, ParentID: "r-gen0"},
		{ID: "ou-gen0-prod", Name: "Prod", Type: snapshot.UnitOU, ParentID: "ou-gen0-workloads"},
		{ID: "ou-gen0-dev", Name: "Dev", Type: snapshot.UnitOU, ParentID: "ou-gen0-workloads"},
		{ID: "ou-gen0-sandbox", Name: "Sandbox", Type: snapshot.UnitOU, ParentID: "r-gen0"},
	}
	for i := range g.ids {
		switch {
		case i == 0:
			g.ou = append(g.ou, "r-gen0")
		case i == 1:
			g.ou = append(g.ou, "ou-gen0-security")
		default:
			g.ou = append(g.ou, []string{"ou-gen0-prod", "ou-gen0-prod", "ou-gen0-dev", "ou-gen0-sandbox"}[i%4])
		}
	}
	snap := &snapshot.Snapshot{
		SchemaVersion: snapshot.SchemaVersion,
		GeneratedAt:   epoch,
		Source:        "generator",
		Complete:      true,
		Organization: &snapshot.Organization{
			ID:                  orgID,
			ManagementAccountID: g.ids[0],
			Units:               units,
			Policies:            orgPolicies(g.ids),
		},
	}
	roles := g.share(g.spec.Roles, n)
	users := g.share(g.spec.Users, n)
	res := g.share(g.spec.Resources, n)
	for i, id := range g.ids {
		snap.Accounts = append(snap.Accounts, g.account(i, id, roles[i], users[i], res[i]))
	}
	return snap
}

func doc(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of strings: cannot fail
	}
	return b
}

type stmt = map[string]any

func policyDoc(ss ...stmt) json.RawMessage {
	return doc(map[string]any{"Version": "2012-10-17", "Statement": ss})
}

// orgPolicies are the organization's SCPs and RCPs. FullAWSAccess is
// attached to the root, every OU and every account, as AWS does by default:
// every level on the path must allow.
func orgPolicies(accounts []string) []snapshot.OrgPolicy {
	full := append([]string{"r-gen0", "ou-gen0-security", "ou-gen0-workloads", "ou-gen0-prod", "ou-gen0-dev", "ou-gen0-sandbox"}, accounts...)
	return []snapshot.OrgPolicy{
		{ID: "p-FullAWSAccess", Name: "FullAWSAccess", Type: snapshot.SCP, AWSManaged: true,
			Document: policyDoc(stmt{"Effect": "Allow", "Action": "*", "Resource": "*"}),
			Targets:  full},
		{ID: "p-gen-deny-leave", Name: "DenyLeaveOrganization", Type: snapshot.SCP,
			Document: policyDoc(stmt{"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}),
			Targets:  []string{"r-gen0"}},
		{ID: "p-gen-prod-guard", Name: "ProdGuardrails", Type: snapshot.SCP,
			Document: policyDoc(
				stmt{"Sid": "NoBucketDelete", "Effect": "Deny", "Action": []string{"s3:DeleteBucket", "kms:ScheduleKeyDeletion"}, "Resource": "*"},
				stmt{"Sid": "NoIAMUsers", "Effect": "Deny", "Action": []string{"iam:CreateUser", "iam:CreateAccessKey"}, "Resource": "*",
					"Condition": map[string]any{"ArnNotLike": map[string]any{"aws:PrincipalArn": "arn:aws:iam::*:role/platform-*"}}}),
			Targets: []string{"ou-gen0-prod"}},
		{ID: "p-gen-sandbox-regions", Name: "SandboxRegions", Type: snapshot.SCP,
			Document: policyDoc(stmt{"Sid": "Regions", "Effect": "Deny", "NotAction": []string{"iam:*", "sts:*", "organizations:*"}, "Resource": "*",
				"Condition": map[string]any{"StringNotEquals": map[string]any{"aws:RequestedRegion": []string{"us-east-1", "eu-west-1"}}}}),
			Targets: []string{"ou-gen0-sandbox"}},
		{ID: "p-RCPFullAWSAccess", Name: "RCPFullAWSAccess", Type: snapshot.RCP, AWSManaged: true,
			Document: policyDoc(stmt{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
			Targets:  []string{"r-gen0"}},
		{ID: "p-gen-rcp-perimeter", Name: "DataPerimeter", Type: snapshot.RCP,
			Document: policyDoc(stmt{"Sid": "OrgOnly", "Effect": "Deny", "Principal": "*", "Action": []string{"s3:*", "secretsmanager:*", "kms:*"}, "Resource": "*",
				"Condition": map[string]any{
					"StringNotEqualsIfExists": map[string]any{"aws:PrincipalOrgID": orgID},
					"BoolIfExists":            map[string]any{"aws:PrincipalIsAWSService": "false"}}}),
			Targets: []string{"ou-gen0-prod"}},
	}
}

// resource type mix, in percent (sums to 100).
var mix = []struct {
	typ string
	pct int
}{
	{snapshot.TypeS3Bucket, 22},
	{snapshot.TypeLambdaFunction, 20},
	{snapshot.TypeDynamoDBTable, 10},
	{snapshot.TypeKMSKey, 8},
	{snapshot.TypeSQSQueue, 8},
	{snapshot.TypeSNSTopic, 5},
	{snapshot.TypeSecret, 9},
	{snapshot.TypeEC2Instance, 10},
	{snapshot.TypeECSTaskDef, 5},
	{snapshot.TypeECRRepository, 3},
}

var teams = []string{"payments", "orders", "search", "ml", "web", "data", "ops", "auth", "billing", "media"}

func (g *generator) account(i int, id string, nRoles, nUsers, nRes int) snapshot.Account {
	a := snapshot.Account{
		ID: id, Name: fmt.Sprintf("acct-%03d", i), Email: fmt.Sprintf("aws+%03d@example.com", i),
		Status: "ACTIVE", ParentID: g.ou[i], Regions: regions[:2],
	}
	if g.pct(85) {
		a.PublicAccessBlock = &snapshot.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
	}
	arnIAM := func(kind, name string) string { return fmt.Sprintf("arn:aws:iam::%s:%s/%s", id, kind, name) }

	// Managed policies shared by roles and users of the account.
	pols := []snapshot.ManagedPolicy{
		{ARN: "arn:aws:iam::aws:policy/AdministratorAccess", Name: "AdministratorAccess", AWSManaged: true,
			Document: policyDoc(stmt{"Effect": "Allow", "Action": "*", "Resource": "*"})},
		{ARN: "arn:aws:iam::aws:policy/ReadOnlyAccess", Name: "ReadOnlyAccess", AWSManaged: true,
			Document: policyDoc(stmt{"Effect": "Allow", "Action": []string{"s3:Get*", "s3:List*", "dynamodb:Describe*", "dynamodb:Get*", "ec2:Describe*", "iam:Get*", "iam:List*", "lambda:Get*", "lambda:List*", "sqs:Get*", "kms:Describe*"}, "Resource": "*"})},
		{ARN: arnIAM("policy", "s3-full"), Name: "s3-full",
			Document: policyDoc(stmt{"Sid": "S3All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"})},
		{ARN: arnIAM("policy", "deployer"), Name: "deployer",
			Document: policyDoc(
				stmt{"Sid": "Deploy", "Effect": "Allow", "Action": []string{"lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:InvokeFunction", "cloudformation:*"}, "Resource": "*"},
				stmt{"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})},
		{ARN: arnIAM("policy", "logs-write"), Name: "logs-write",
			Document: policyDoc(stmt{"Effect": "Allow", "Action": []string{"logs:CreateLogStream", "logs:PutLogEvents"}, "Resource": fmt.Sprintf("arn:aws:logs:*:%s:log-group:/aws/*", id)})},
		{ARN: arnIAM("policy", "iam-self-manage"), Name: "iam-self-manage",
			Document: policyDoc(stmt{"Effect": "Allow", "Action": []string{"iam:CreatePolicyVersion", "iam:AttachRolePolicy", "iam:PutRolePolicy"}, "Resource": "*"})},
	}
	a.Policies = pols
	if g.pct(60) {
		a.IdentityProviders = append(a.IdentityProviders, snapshot.IdentityProvider{
			ARN: fmt.Sprintf("arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com", id), Type: snapshot.ProviderOIDC,
			URL: "token.actions.githubusercontent.com", ClientIDs: []string{"sts.amazonaws.com"}})
	}
	a.IdentityProviders = append(a.IdentityProviders, snapshot.IdentityProvider{
		ARN: fmt.Sprintf("arn:aws:iam::%s:saml-provider/corp-idp", id), Type: snapshot.ProviderSAML})

	// Resources first, so that roles can be granted narrowly to them.
	byType := map[string][]int{}
	for r := 0; r < nRes; r++ {
		x := g.rng.IntN(100)
		typ := mix[len(mix)-1].typ
		for _, m := range mix {
			if x < m.pct {
				typ = m.typ
				break
			}
			x -= m.pct
		}
		a.Resources = append(a.Resources, g.resource(id, i, r, typ))
		byType[typ] = append(byType[typ], r)
	}

	// Roles.
	workloadRoles := []string{}
	for r := 0; r < nRoles; r++ {
		role := g.role(a, i, r, byType)
		if strings.Contains(role.Name, "-fn-") || strings.Contains(role.Name, "-svc-") {
			workloadRoles = append(workloadRoles, role.ARN)
		}
		a.Roles = append(a.Roles, role)
	}
	if len(workloadRoles) == 0 && len(a.Roles) > 0 {
		workloadRoles = append(workloadRoles, a.Roles[0].ARN)
	}
	// Workloads run as workload roles; event sources point at functions.
	for k := range a.Resources {
		res := &a.Resources[k]
		switch res.Type {
		case snapshot.TypeLambdaFunction, snapshot.TypeEC2Instance, snapshot.TypeECSTaskDef:
			if len(workloadRoles) > 0 {
				res.RunsAs = []string{g.pick(workloadRoles)}
			}
			if res.Type == snapshot.TypeLambdaFunction && g.pct(40) {
				if qs := byType[snapshot.TypeSQSQueue]; len(qs) > 0 {
					res.EventSources = []string{a.Resources[qs[g.rng.IntN(len(qs))]].ARN}
				}
			}
		}
	}

	// Groups and users.
	a.Groups = []snapshot.Group{
		{ARN: arnIAM("group", "admins"), Name: "admins", AttachedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}},
		{ARN: arnIAM("group", "developers"), Name: "developers", AttachedPolicies: []string{arnIAM("policy", "deployer"), arnIAM("policy", "s3-full")}},
		{ARN: arnIAM("group", "readers"), Name: "readers", AttachedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}},
	}
	for u := 0; u < nUsers; u++ {
		name := fmt.Sprintf("user-%03d-%05d", i, u)
		usr := snapshot.User{ARN: arnIAM("user", name), Name: name, Tags: map[string]string{"team": g.pick(teams)}}
		switch x := g.rng.IntN(100); {
		case x < 3:
			usr.Groups = []string{"admins"}
		case x < 40:
			usr.Groups = []string{"developers"}
		default:
			usr.Groups = []string{"readers"}
		}
		if g.pct(10) {
			usr.InlinePolicies = []snapshot.InlinePolicy{{Name: "assume-ops", Document: policyDoc(stmt{
				"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/ops-*"})}}
		}
		if g.pct(5) {
			usr.PermissionsBoundary = arnIAM("policy", "logs-write")
		}
		a.Users = append(a.Users, usr)
	}
	return a
}

func (g *generator) resource(id string, acct, n int, typ string) snapshot.Resource {
	region := regions[g.rng.IntN(2)]
	team := g.pick(teams)
	name := fmt.Sprintf("%s-%03d-%06d", team, acct, n)
	r := snapshot.Resource{Type: typ, Name: name, Account: id, Region: region, Tags: map[string]string{"team": team}}
	switch typ {
	case snapshot.TypeS3Bucket:
		if g.pct(5) {
			name = fmt.Sprintf("pii-%s-%03d-%06d", team, acct, n)
			r.Name = name
			r.Tags["data"] = "pii"
		}
		r.ARN = "arn:aws:s3:::" + name
		r.Region = ""
		if g.pct(30) {
			r.PublicAccessBlock = &snapshot.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
		}
		switch x := g.rng.IntN(100); {
		case x < 2: // public website bucket
			r.Policy = policyDoc(stmt{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": r.ARN + "/*"})
		case x < 10: // cross-account read from another org account
			other := g.ids[g.rng.IntN(len(g.ids))]
			r.Policy = policyDoc(stmt{"Sid": "CrossAccountRead", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + other + ":root"},
				"Action": []string{"s3:GetObject", "s3:ListBucket"}, "Resource": []string{r.ARN, r.ARN + "/*"}})
		case x < 20: // org-confined
			r.Policy = policyDoc(stmt{"Sid": "OrgRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": r.ARN + "/*",
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": orgID}}})
		case x < 22: // vendor delivery
			r.Policy = policyDoc(stmt{"Sid": "VendorWrite", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + g.pick(genVendors) + ":root"},
				"Action": "s3:PutObject", "Resource": r.ARN + "/incoming/*"})
		}
	case snapshot.TypeKMSKey:
		keyID := fmt.Sprintf("%08x-0000-4000-8000-%012x", acct, n)
		r.ARN = fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, id, keyID)
		r.Name = keyID
		r.Properties = map[string]string{"keyManager": "CUSTOMER"}
		r.Policy = policyDoc(
			stmt{"Sid": "EnableIAM", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + id + ":root"}, "Action": "kms:*", "Resource": "*"})
	case snapshot.TypeSQSQueue:
		r.ARN = fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, id, name)
		if g.pct(20) {
			r.Policy = policyDoc(stmt{"Sid": "FromSNS", "Effect": "Allow", "Principal": map[string]any{"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": r.ARN})
		}
	case snapshot.TypeSNSTopic:
		r.ARN = fmt.Sprintf("arn:aws:sns:%s:%s:%s", region, id, name)
	case snapshot.TypeLambdaFunction:
		r.ARN = fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, id, name)
		if g.pct(15) {
			r.Policy = policyDoc(stmt{"Sid": "S3Invoke", "Effect": "Allow", "Principal": map[string]any{"Service": "s3.amazonaws.com"}, "Action": "lambda:InvokeFunction", "Resource": r.ARN,
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": id}}})
		}
	case snapshot.TypeSecret:
		r.ARN = fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-AbCdEf", region, id, name)
	case snapshot.TypeDynamoDBTable:
		r.ARN = fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", region, id, name)
	case snapshot.TypeEC2Instance:
		r.ARN = fmt.Sprintf("arn:aws:ec2:%s:%s:instance/i-%017x", region, id, uint64(acct)<<32|uint64(n))
	case snapshot.TypeECSTaskDef:
		r.ARN = fmt.Sprintf("arn:aws:ecs:%s:%s:task-definition/%s:1", region, id, name)
	case snapshot.TypeECRRepository:
		r.ARN = fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", region, id, name)
	}
	return r
}

func trustService(svc string) json.RawMessage {
	return policyDoc(stmt{"Effect": "Allow", "Principal": map[string]any{"Service": svc}, "Action": "sts:AssumeRole"})
}

// actionsFor are narrow actions per resource type used by workload roles.
var actionsFor = map[string][]string{
	snapshot.TypeS3Bucket:       {"s3:GetObject", "s3:PutObject"},
	snapshot.TypeDynamoDBTable:  {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"},
	snapshot.TypeKMSKey:         {"kms:Decrypt"},
	snapshot.TypeSQSQueue:       {"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"},
	snapshot.TypeSNSTopic:       {"sns:Publish"},
	snapshot.TypeSecret:         {"secretsmanager:GetSecretValue"},
	snapshot.TypeLambdaFunction: {"lambda:InvokeFunction"},
}

var grantable = []string{snapshot.TypeS3Bucket, snapshot.TypeDynamoDBTable, snapshot.TypeKMSKey, snapshot.TypeSQSQueue, snapshot.TypeSNSTopic, snapshot.TypeSecret, snapshot.TypeLambdaFunction}

func (g *generator) role(a snapshot.Account, acct, n int, byType map[string][]int) snapshot.Role {
	id := a.ID
	arnIAM := func(kind, name string) string { return fmt.Sprintf("arn:aws:iam::%s:%s/%s", id, kind, name) }
	team := g.pick(teams)
	var role snapshot.Role
	name := ""
	switch x := g.rng.IntN(100); {
	case x < 62: // workload role with narrow grants
		svc := []string{"lambda.amazonaws.com", "lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com"}[g.rng.IntN(4)]
		kind := "fn"
		if svc != "lambda.amazonaws.com" {
			kind = "svc"
		}
		name = fmt.Sprintf("%s-%s-%03d-%05d", team, kind, acct, n)
		role.TrustPolicy = trustService(svc)
		var ss []stmt
		for k := 0; k < 1+g.rng.IntN(3); k++ {
			typ := g.pick(grantable)
			idx := byType[typ]
			if len(idx) == 0 {
				continue
			}
			res := a.Resources[idx[g.rng.IntN(len(idx))]]
			arns := []string{res.ARN}
			if typ == snapshot.TypeS3Bucket {
				arns = []string{res.ARN + "/*"}
			}
			ss = append(ss, stmt{"Sid": fmt.Sprintf("Narrow%d", k), "Effect": "Allow", "Action": actionsFor[typ], "Resource": arns})
		}
		if g.pct(8) { // the classic over-grant
			ss = append(ss, stmt{"Sid": "Lazy", "Effect": "Allow", "Action": g.pick([]string{"s3:*", "dynamodb:*", "secretsmanager:GetSecretValue"}), "Resource": "*"})
		}
		if len(ss) > 0 {
			role.InlinePolicies = []snapshot.InlinePolicy{{Name: "app", Document: policyDoc(ss...)}}
		}
		role.AttachedPolicies = []string{arnIAM("policy", "logs-write")}
		if g.pct(30) {
			t := epoch.Add(-time.Duration(g.rng.IntN(200)) * 24 * time.Hour)
			role.LastUsed = &t
			role.LastAccessed = []snapshot.ServiceLastAccessed{{Service: "s3", LastAccessed: &t}, {Service: "logs", LastAccessed: &t}, {Service: "dynamodb"}}
		}
	case x < 63: // deployment role for CloudFormation and Lambda, with admin rights
		name = fmt.Sprintf("platform-deploy-%03d-%05d", acct, n)
		role.TrustPolicy = policyDoc(stmt{"Effect": "Allow", "Principal": map[string]any{"Service": []string{"cloudformation.amazonaws.com", "lambda.amazonaws.com"}}, "Action": "sts:AssumeRole"})
		role.AttachedPolicies = []string{"arn:aws:iam::aws:policy/AdministratorAccess"}
	case x < 78: // human role via SAML
		name = fmt.Sprintf("%s-%s-%03d-%05d", g.pick([]string{"ops", "dev", "audit"}), team, acct, n)
		role.TrustPolicy = policyDoc(stmt{"Effect": "Allow", "Principal": map[string]any{"Federated": arnIAM("saml-provider", "corp-idp")},
			"Action": "sts:AssumeRoleWithSAML", "Condition": map[string]any{"StringEquals": map[string]any{"SAML:aud": "https://signin.aws.amazon.com/saml"}}})
		switch {
		case strings.HasPrefix(name, "ops"):
			role.AttachedPolicies = []string{"arn:aws:iam::aws:policy/AdministratorAccess"}
		case strings.HasPrefix(name, "dev"):
			role.AttachedPolicies = []string{arnIAM("policy", "deployer"), arnIAM("policy", "s3-full")}
		default:
			role.AttachedPolicies = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}
		}
	case x < 93: // cross-account role trusted by another org account
		other := g.ids[g.rng.IntN(len(g.ids))]
		name = fmt.Sprintf("platform-xacct-%03d-%05d", acct, n)
		role.TrustPolicy = policyDoc(stmt{"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + other + ":root"}, "Action": "sts:AssumeRole"})
		role.AttachedPolicies = []string{g.pick([]string{"arn:aws:iam::aws:policy/ReadOnlyAccess", arnIAM("policy", "deployer"), arnIAM("policy", "iam-self-manage")})}
	case x < 97: // vendor with ExternalId
		name = fmt.Sprintf("vendor-%03d-%05d", acct, n)
		cond := map[string]any{"StringEquals": map[string]any{"sts:ExternalId": fmt.Sprintf("ext-%d-%d", acct, n)}}
		if g.pct(20) {
			cond = nil // the confused-deputy mistake
		}
		s := stmt{"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + g.pick(genVendors) + ":root"}, "Action": "sts:AssumeRole"}
		if cond != nil {
			s["Condition"] = cond
		}
		role.TrustPolicy = policyDoc(s)
		role.AttachedPolicies = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}
	default: // CI via GitHub OIDC
		name = fmt.Sprintf("ci-deploy-%03d-%05d", acct, n)
		cond := map[string]any{"StringEquals": map[string]any{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
		if g.pct(75) {
			cond["StringLike"] = map[string]any{"token.actions.githubusercontent.com:sub": fmt.Sprintf("repo:example/%s:ref:refs/heads/main", team)}
		}
		role.TrustPolicy = policyDoc(stmt{"Effect": "Allow", "Principal": map[string]any{"Federated": fmt.Sprintf("arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com", id)},
			"Action": "sts:AssumeRoleWithWebIdentity", "Condition": cond})
		role.AttachedPolicies = []string{arnIAM("policy", "deployer")}
	}
	role.Name = name
	role.ARN = arnIAM("role", name)
	role.Tags = map[string]string{"team": team}
	if g.pct(5) {
		role.PermissionsBoundary = arnIAM("policy", "logs-write")
	}
	return role
}
