// Package policy is iamreach's IAM policy engine: parse → compile →
// evaluate, following AWS's documented evaluation logic. It is a pure
// library: no I/O, no logging, no knowledge of graphs, HTTP or AWS APIs.
//
// CONTRACT (kept stable for graph/ and cmd/; extend, do not break):
//
//	p, err := policy.Parse(doc)          // *Policy (compiled) or *ParseError
//	d := policy.Evaluate(&req, &set, policy.Discovery)
//	d.Result                             // Allowed | ImplicitlyDenied | ExplicitlyDenied
//	d.Conditional(), d.Residual.String() // "allowed only if …"
//	d.Explanation                        // statements that allowed/denied, blocking level
package policy

// Mode says how unknown request context is treated.
type Mode int

const (
	// Strict: missing context keys are absent, as AWS does at request time.
	Strict Mode = iota
	// Discovery: unknown request keys yield "allowed only if <residual>";
	// principal and resource keys must be given in the request.
	Discovery
)

// Result is the decision outcome.
type Result int

const (
	ImplicitlyDenied Result = iota
	Allowed
	ExplicitlyDenied
)

func (r Result) String() string {
	switch r {
	case Allowed:
		return "Allowed"
	case ExplicitlyDenied:
		return "ExplicitlyDenied"
	default:
		return "ImplicitlyDenied"
	}
}

// PrincipalType is the closed set of principal kinds a request comes from.
type PrincipalType int

const (
	PrincipalUser        PrincipalType = iota // arn:aws:iam::A:user/N
	PrincipalRoleSession                      // arn:aws:sts::A:assumed-role/R/S (PrincipalARN is the role ARN)
	PrincipalRoot                             // arn:aws:iam::A:root
	PrincipalFederated                        // web identity / SAML session
	PrincipalService                          // e.g. lambda.amazonaws.com
	PrincipalAnonymous                        // unauthenticated
)

// Principal describes who makes the request.
type Principal struct {
	Type PrincipalType
	// ARN is the ARN AWS sees as the caller: the user ARN, the role session
	// ARN (arn:aws:sts::A:assumed-role/R/S), the root ARN, or the service
	// name for service principals.
	ARN string
	// RoleARN is the role ARN for role sessions (aws:PrincipalArn).
	RoleARN string
	Account string
	Tags    map[string]string
	// OrgID and OrgPaths are aws:PrincipalOrgID / aws:PrincipalOrgPaths.
	OrgID    string
	OrgPaths []string
	// ServiceLinked: a service-linked role (exempt from SCPs).
	ServiceLinked bool
	// ManagementAccount: the principal is in the organization's management
	// account (exempt from SCPs).
	ManagementAccount bool
}

// Resource describes the resource acted on.
type Resource struct {
	ARN     string
	Account string
	Tags    map[string]string
	OrgID   string
	// ManagementAccount: resource in the management account (exempt from RCPs).
	ManagementAccount bool
	// AWSManagedKMSKey: an AWS-managed KMS key (exempt from RCPs).
	AWSManagedKMSKey bool
	// RestrictPublicBuckets: S3 Block Public Access's RestrictPublicBuckets
	// is in effect for this bucket (bucket or account setting). With a
	// public bucket policy, only AWS service principals and principals of
	// the bucket owner's account may then access the bucket.
	RestrictPublicBuckets bool
}

// Request is one question: may Principal do Action on Resource?
type Request struct {
	Principal Principal
	Action    string // "service:Action"
	Resource  Resource
	// Context holds known request context keys (case-insensitive names),
	// each with one or more values. Keys derivable from Principal and
	// Resource (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalTag/*,
	// aws:ResourceAccount, aws:ResourceTag/* …) are added by the engine.
	Context map[string][]string
}

// NamedPolicy is a compiled policy with the identity it is reported under.
type NamedPolicy struct {
	ID     string // ARN or synthetic id ("<principal ARN>#inline/<name>")
	Name   string
	Policy *Policy
}

// OrgLevel is one level of the organization path (root, OU, account) with
// the SCPs or RCPs attached there.
type OrgLevel struct {
	ID       string // r-xxxx, ou-xxxx, account id
	Policies []NamedPolicy
}

// ResourcePolicyKind says how the resource policy combines with identity
// policies in the same account.
type ResourcePolicyKind int

const (
	// ResourcePolicyOrdinary: same account, identity OR resource allow suffices.
	ResourcePolicyOrdinary ResourcePolicyKind = iota
	// ResourcePolicyTrust: a role trust policy, which must allow explicitly.
	ResourcePolicyTrust
	// ResourcePolicyKMSKey: a KMS key policy, which must allow explicitly
	// (directly or by the account root delegating to identity policies).
	ResourcePolicyKMSKey
)

// PolicySet is every policy that applies to a request.
type PolicySet struct {
	Identity []NamedPolicy
	// Boundary: nil means no permissions boundary.
	Boundary []NamedPolicy
	// Session: nil means no session policy.
	Session            []NamedPolicy
	Resource           *NamedPolicy
	ResourcePolicyKind ResourcePolicyKind
	// SCPs: levels from the organization root down to the principal's
	// account. Empty: no SCPs apply (no organization).
	SCPs []OrgLevel
	// RCPs: levels from the root down to the resource's account.
	RCPs []OrgLevel
	// VPCEndpoint policies, if the request goes through one.
	VPCEndpoint []NamedPolicy
}
