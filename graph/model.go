// Package graph turns a snapshot into a graph of decisions (every derived
// edge is a decision of the policy engine, with its evidence) and answers
// reachability questions over it. Stores (the embedded one here, Neo4j in
// graph/neo4j) implement the Store interface and pass the same contract tests.
package graph

import "encoding/json"

// NodeKind is the closed set of node kinds.
type NodeKind string

const (
	KindAccount          NodeKind = "Account"          // inside the inventory, or external (Props["external"]="true")
	KindOrgUnit          NodeKind = "OrgUnit"          // organization root or OU
	KindUser             NodeKind = "User"             // IAM user
	KindGroup            NodeKind = "Group"            // IAM group
	KindRole             NodeKind = "Role"             // IAM role
	KindServicePrincipal NodeKind = "ServicePrincipal" // e.g. lambda.amazonaws.com
	KindIdentityProvider NodeKind = "IdentityProvider" // OIDC or SAML provider
	KindAnonymous        NodeKind = "Anonymous"        // "*" principal: anyone, public
	KindPolicy           NodeKind = "Policy"           // managed policy, SCP, RCP
	KindResource         NodeKind = "Resource"         // bucket, key, table, function … (Type says which)
	// KindScope stands for "every resource of a service in an account"
	// (e.g. s3:* on *), so a wildcard grant is one edge, not one per resource.
	KindScope NodeKind = "Scope"
	// KindPattern is a resource pattern from a statement (e.g.
	// arn:aws:s3:::bucket/prefix/*): reported even when it matches nothing in
	// the inventory, and linked with COVERS to the resources it matches.
	KindPattern NodeKind = "Pattern"
)

// EdgeKind is the closed set of edge kinds.
type EdgeKind string

const (
	// Derived edges: each is a decision of the policy engine, with evidence.
	EdgeRunsAs      EdgeKind = "RUNS_AS"      // workload → role
	EdgeCanAssume   EdgeKind = "CAN_ASSUME"   // principal → role
	EdgeCanEscalate EdgeKind = "CAN_ESCALATE" // principal → principal, Technique names how
	EdgeCanAccess   EdgeKind = "CAN_ACCESS"   // principal → resource / scope / pattern, with Actions
	EdgeCanInvoke   EdgeKind = "CAN_INVOKE"   // principal → function
	EdgeTriggers    EdgeKind = "TRIGGERS"     // event source → function

	// Structural edges: facts, kept so the UI can show why.
	EdgeMemberOf    EdgeKind = "MEMBER_OF"    // user → group
	EdgeHasPolicy   EdgeKind = "HAS_POLICY"   // user/group/role → managed policy; OU/account → SCP/RCP
	EdgeInAccount   EdgeKind = "IN_ACCOUNT"   // principal/resource → account
	EdgeChildOf     EdgeKind = "CHILD_OF"     // account → OU, OU → parent OU/root
	EdgeCovers      EdgeKind = "COVERS"       // scope/pattern → resource (or narrower pattern) it matches
	EdgeHasBoundary EdgeKind = "HAS_BOUNDARY" // user/role → boundary policy
)

// IdentityEdges are followed transitively by reach: being able to run as,
// assume or escalate to a principal gives its permissions.
var IdentityEdges = []EdgeKind{EdgeRunsAs, EdgeCanAssume, EdgeCanEscalate}

// Access levels from the action catalogue.
const (
	LevelList        = "List"
	LevelRead        = "Read"
	LevelWrite       = "Write"
	LevelPermissions = "Permissions management"
	LevelTagging     = "Tagging"
	LevelUnknown     = "Unknown" // action not in the catalogue
	LevelMixed       = "Mixed"   // a wildcard spanning several levels
)

// Node is a vertex of the graph. ID is the ARN where there is one, else a
// stable synthetic ID ("account:111122223333", "scope:s3:111122223333",
// "service:lambda.amazonaws.com", "anonymous", "pattern:<arn pattern>").
type Node struct {
	ID      string            `json:"id"`
	Kind    NodeKind          `json:"kind"`
	Name    string            `json:"name"`
	Type    string            `json:"type,omitempty"` // resource type, e.g. "s3:bucket"; "OIDC"/"SAML" for providers
	Account string            `json:"account,omitempty"`
	Region  string            `json:"region,omitempty"`
	Tags    map[string]string `json:"tags,omitempty"`
	// Props holds further facts as strings: "external", "admin",
	// "vendor", "public", "serviceLinked", "keyManager" …
	Props map[string]string `json:"props,omitempty"`
}

// ActionGrant is one allowed action (or action pattern kept compressed,
// such as "s3:*") with its access level and, if it holds only under a
// condition, that condition.
type ActionGrant struct {
	Action    string `json:"action"`
	Level     string `json:"level"`
	Condition string `json:"condition,omitempty"` // residual condition, readable; empty: unconditional
	// Resource is set when the grant covers only part of the target, e.g.
	// "arn:aws:s3:::bucket/prefix/*" for some objects of a bucket.
	Resource string `json:"resource,omitempty"`
	// Except lists the actions a compressed pattern does not grant here
	// (e.g. "s3:*" except "s3:DeleteBucket", denied by an SCP).
	Except []string `json:"except,omitempty"`
}

// PolicyType says where a statement of evidence comes from.
type PolicyType string

const (
	PolicyIdentity   PolicyType = "identity"
	PolicyResource   PolicyType = "resource"
	PolicyTrust      PolicyType = "trust"
	PolicyBoundary   PolicyType = "boundary"
	PolicySession    PolicyType = "session"
	PolicySCP        PolicyType = "scp"
	PolicyRCP        PolicyType = "rcp"
	PolicyAssumed    PolicyType = "assumed" // stand-in for a policy the snapshot cannot see (e.g. an external account's admin)
	PolicyStructural PolicyType = "structural"
)

// Evidence is one statement weighed in a decision.
type Evidence struct {
	PolicyType     PolicyType      `json:"policyType"`
	PolicyID       string          `json:"policyId"` // ARN, or "<principal ARN>#inline/<name>", or "<resource ARN>#policy"
	PolicyName     string          `json:"policyName"`
	StatementIndex int             `json:"statementIndex"`
	Sid            string          `json:"sid,omitempty"`
	Effect         string          `json:"effect"` // Allow or Deny
	Statement      json.RawMessage `json:"statement,omitempty"`
	// Level names where an org policy is attached ("root r-abcd", "OU ou-…", "account …").
	Level string `json:"level,omitempty"`
	Note  string `json:"note,omitempty"`
}

// Edge is a directed relationship. Derived edges carry evidence; edges that
// hold only under conditions carry them (Conditional true, Condition the
// readable conjunction).
type Edge struct {
	ID          string        `json:"id"`
	Kind        EdgeKind      `json:"kind"`
	From        string        `json:"from"`
	To          string        `json:"to"`
	Actions     []ActionGrant `json:"actions,omitempty"`
	Technique   string        `json:"technique,omitempty"` // CAN_ESCALATE: named technique
	Conditional bool          `json:"conditional,omitempty"`
	Condition   string        `json:"condition,omitempty"`
	// CrossAccount is true when From and To are in different accounts.
	CrossAccount bool       `json:"crossAccount,omitempty"`
	Evidence     []Evidence `json:"evidence,omitempty"`
	// Denies lists deny statements that were weighed but did not block (e.g. conditional denies).
	Denies []Evidence `json:"denies,omitempty"`
}

// Graph is a whole built graph, as the builder makes it and stores load it.
type Graph struct {
	Meta     Meta      `json:"meta"`
	Nodes    []Node    `json:"nodes"`
	Edges    []Edge    `json:"edges"`
	Findings []Finding `json:"findings,omitempty"`
}

// FindingKind is the closed set of finding kinds.
type FindingKind string

const (
	FindingExternalTrust     FindingKind = "external-trust"     // role trusted by an account/provider outside the organization
	FindingExternalAccess    FindingKind = "external-access"    // outside principal reaches something inside
	FindingPublic            FindingKind = "public"             // resource reachable by anyone
	FindingAdmin             FindingKind = "admin-equivalent"   // principal with admin-equivalent permissions
	FindingEscalation        FindingKind = "escalation"         // principal can escalate to an admin-equivalent one
	FindingConfusedDeputy    FindingKind = "confused-deputy"    // service principal trusted without SourceAccount/SourceArn
	FindingWildcardAction    FindingKind = "wildcard-action"    // "*" or "svc:*" in Action
	FindingWildcardResource  FindingKind = "wildcard-resource"  // "*" in Resource on non-list actions
	FindingPassRoleAny       FindingKind = "passrole-any"       // iam:PassRole on *
	FindingDataStoreWildcard FindingKind = "datastore-wildcard" // service-wide wildcard on a data store
	FindingUnusedGrant       FindingKind = "unused-grant"       // granted, never used (last-accessed data)
	FindingBlastRadius       FindingKind = "blast-radius"       // workload ranking entry
)

// Finding is one thing a reviewer should look at, with what proves it.
type Finding struct {
	ID       string      `json:"id"`
	Kind     FindingKind `json:"kind"`
	Severity string      `json:"severity"` // critical, high, medium, low, info
	Title    string      `json:"title"`
	Subject  string      `json:"subject"` // node ID the finding is about
	Target   string      `json:"target,omitempty"`
	Account  string      `json:"account,omitempty"`
	Detail   string      `json:"detail,omitempty"`
	// Condition under which the finding holds; empty: unconditionally.
	Condition string     `json:"condition,omitempty"`
	Path      *Path      `json:"path,omitempty"`
	Evidence  []Evidence `json:"evidence,omitempty"`
	// Score ranks findings of one kind (e.g. blast radius).
	Score int `json:"score,omitempty"`
	// Suggestion is a suggested narrower policy document, where one applies.
	Suggestion json.RawMessage `json:"suggestion,omitempty"`
}

// Meta describes the snapshot a graph was built from.
type Meta struct {
	Source      string `json:"source"`
	GeneratedAt string `json:"generatedAt"`
	Complete    bool   `json:"complete"`
	Accounts    int    `json:"accounts"`
	Nodes       int    `json:"nodes"`
	Edges       int    `json:"edges"`
	Gaps        []Gap  `json:"gaps,omitempty"`
}

// Gap is a collection gap carried into the graph so answers can show where
// the data is thin.
type Gap struct {
	Account   string `json:"account,omitempty"`
	Region    string `json:"region,omitempty"`
	Service   string `json:"service,omitempty"`
	Operation string `json:"operation,omitempty"`
	Resource  string `json:"resource,omitempty"`
	Code      string `json:"code,omitempty"`
	Error     string `json:"error"`
}
