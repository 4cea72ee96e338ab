// Package snapshot defines the snapshot file: what AWS said about an
// organization, nothing derived. The collector and the importers write it;
// the graph build reads it. The format is versioned and documented in
// docs/snapshot.md.
package snapshot

import (
	"encoding/json"
	"time"
)

// SchemaVersion is the version this package reads and writes.
const SchemaVersion = 1

// Snapshot is one collection (or import) of an organization.
type Snapshot struct {
	SchemaVersion int       `json:"schemaVersion"`
	GeneratedAt   time.Time `json:"generatedAt"`
	// Source says where the facts came from: "collector", "gaad-import",
	// "demo", "generator", or free text.
	Source string `json:"source"`
	// Complete is false when collection was interrupted (Ctrl-C, deadline).
	Complete     bool          `json:"complete"`
	Organization *Organization `json:"organization,omitempty"`
	Accounts     []Account     `json:"accounts"`
	// Gaps lists everything that could not be read, with where and why.
	Gaps []Gap `json:"gaps,omitempty"`
}

// Organization is the AWS Organizations view: the OU tree and the
// organization policies (SCPs and RCPs) with their targets.
type Organization struct {
	ID                  string `json:"id"`
	ManagementAccountID string `json:"managementAccountId"`
	// Units holds the root and every OU, each naming its parent.
	Units    []OrgUnit   `json:"units"`
	Policies []OrgPolicy `json:"policies,omitempty"`
}

// OrgUnitType is ROOT or ORGANIZATIONAL_UNIT.
type OrgUnitType string

const (
	UnitRoot OrgUnitType = "ROOT"
	UnitOU   OrgUnitType = "ORGANIZATIONAL_UNIT"
)

// OrgUnit is the organization root or an organizational unit.
type OrgUnit struct {
	ID       string      `json:"id"`
	ARN      string      `json:"arn,omitempty"`
	Name     string      `json:"name"`
	Type     OrgUnitType `json:"type"`
	ParentID string      `json:"parentId,omitempty"` // empty for the root
}

// OrgPolicyType is the kind of organization policy.
type OrgPolicyType string

const (
	SCP OrgPolicyType = "SERVICE_CONTROL_POLICY"
	RCP OrgPolicyType = "RESOURCE_CONTROL_POLICY"
)

// OrgPolicy is an SCP or RCP with the roots, OUs and accounts it is attached to.
type OrgPolicy struct {
	ID         string          `json:"id"`
	ARN        string          `json:"arn,omitempty"`
	Name       string          `json:"name"`
	Type       OrgPolicyType   `json:"type"`
	AWSManaged bool            `json:"awsManaged,omitempty"`
	Document   json.RawMessage `json:"document"`
	Targets    []string        `json:"targets"` // root, OU or account IDs
}

// Account is one AWS account with everything collected in it.
type Account struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Email  string `json:"email,omitempty"`
	Status string `json:"status,omitempty"` // ACTIVE, SUSPENDED …
	// ParentID is the OU (or root) that holds the account; empty outside an organization.
	ParentID string `json:"parentId,omitempty"`

	Users             []User             `json:"users,omitempty"`
	Groups            []Group            `json:"groups,omitempty"`
	Roles             []Role             `json:"roles,omitempty"`
	Policies          []ManagedPolicy    `json:"policies,omitempty"` // customer- and AWS-managed policies referenced in the account
	IdentityProviders []IdentityProvider `json:"identityProviders,omitempty"`
	Resources         []Resource         `json:"resources,omitempty"`

	// S3 Block Public Access at account level (nil: not collected).
	PublicAccessBlock *PublicAccessBlock `json:"publicAccessBlock,omitempty"`
	// Regions that were collected.
	Regions []string `json:"regions,omitempty"`
}

// InlinePolicy is a policy embedded in a user, group or role.
type InlinePolicy struct {
	Name     string          `json:"name"`
	Document json.RawMessage `json:"document"`
}

// ServiceLastAccessed is IAM's last-accessed information for one service.
type ServiceLastAccessed struct {
	Service      string     `json:"service"` // service namespace, e.g. "s3"
	LastAccessed *time.Time `json:"lastAccessed,omitempty"`
	// Actions last accessed, where IAM tracks them at action level.
	Actions []ActionLastAccessed `json:"actions,omitempty"`
}

// ActionLastAccessed is IAM's action-level last-accessed information.
type ActionLastAccessed struct {
	Action       string     `json:"action"`
	LastAccessed *time.Time `json:"lastAccessed,omitempty"`
}

// User is an IAM user.
type User struct {
	ARN                 string                `json:"arn"`
	Name                string                `json:"name"`
	ID                  string                `json:"id,omitempty"`
	Path                string                `json:"path,omitempty"`
	Tags                map[string]string     `json:"tags,omitempty"`
	Groups              []string              `json:"groups,omitempty"` // group names in the same account
	InlinePolicies      []InlinePolicy        `json:"inlinePolicies,omitempty"`
	AttachedPolicies    []string              `json:"attachedPolicies,omitempty"` // managed policy ARNs
	PermissionsBoundary string                `json:"permissionsBoundary,omitempty"`
	LastAccessed        []ServiceLastAccessed `json:"lastAccessed,omitempty"`
}

// Group is an IAM group.
type Group struct {
	ARN              string         `json:"arn"`
	Name             string         `json:"name"`
	ID               string         `json:"id,omitempty"`
	Path             string         `json:"path,omitempty"`
	InlinePolicies   []InlinePolicy `json:"inlinePolicies,omitempty"`
	AttachedPolicies []string       `json:"attachedPolicies,omitempty"`
}

// Role is an IAM role.
type Role struct {
	ARN                 string                `json:"arn"`
	Name                string                `json:"name"`
	ID                  string                `json:"id,omitempty"`
	Path                string                `json:"path,omitempty"`
	Tags                map[string]string     `json:"tags,omitempty"`
	TrustPolicy         json.RawMessage       `json:"trustPolicy"`
	InlinePolicies      []InlinePolicy        `json:"inlinePolicies,omitempty"`
	AttachedPolicies    []string              `json:"attachedPolicies,omitempty"`
	PermissionsBoundary string                `json:"permissionsBoundary,omitempty"`
	InstanceProfiles    []string              `json:"instanceProfiles,omitempty"` // instance profile ARNs
	LastUsed            *time.Time            `json:"lastUsed,omitempty"`
	LastAccessed        []ServiceLastAccessed `json:"lastAccessed,omitempty"`
}

// ManagedPolicy is a customer- or AWS-managed policy with its default version's document.
type ManagedPolicy struct {
	ARN              string          `json:"arn"`
	Name             string          `json:"name"`
	Path             string          `json:"path,omitempty"`
	DefaultVersionID string          `json:"defaultVersionId,omitempty"`
	AWSManaged       bool            `json:"awsManaged,omitempty"`
	Document         json.RawMessage `json:"document"`
}

// IdentityProviderType is OIDC or SAML.
type IdentityProviderType string

const (
	ProviderOIDC IdentityProviderType = "OIDC"
	ProviderSAML IdentityProviderType = "SAML"
)

// IdentityProvider is an IAM OIDC or SAML provider.
type IdentityProvider struct {
	ARN       string               `json:"arn"`
	Type      IdentityProviderType `json:"type"`
	URL       string               `json:"url,omitempty"` // OIDC issuer, e.g. token.actions.githubusercontent.com
	ClientIDs []string             `json:"clientIds,omitempty"`
}

// PublicAccessBlock is S3 Block Public Access (account or bucket level).
type PublicAccessBlock struct {
	BlockPublicAcls       bool `json:"blockPublicAcls"`
	IgnorePublicAcls      bool `json:"ignorePublicAcls"`
	BlockPublicPolicy     bool `json:"blockPublicPolicy"`
	RestrictPublicBuckets bool `json:"restrictPublicBuckets"`
}

// Resource types used in snapshots. Types are "<service>:<type>".
const (
	TypeS3Bucket       = "s3:bucket"
	TypeKMSKey         = "kms:key"
	TypeSQSQueue       = "sqs:queue"
	TypeSNSTopic       = "sns:topic"
	TypeLambdaFunction = "lambda:function"
	TypeSecret         = "secretsmanager:secret"
	TypeDynamoDBTable  = "dynamodb:table"
	TypeECRRepository  = "ecr:repository"
	TypeEC2Instance    = "ec2:instance"
	TypeECSTaskDef     = "ecs:task-definition"
	TypeRestAPI        = "apigateway:restapi"
)

// Resource is anything with an ARN that is not an IAM principal: data
// stores, keys, queues, and workloads (which run as a role).
type Resource struct {
	ARN     string            `json:"arn"`
	Type    string            `json:"type"` // one of the Type* constants, or another "<service>:<type>"
	Name    string            `json:"name,omitempty"`
	Account string            `json:"account"`
	Region  string            `json:"region,omitempty"`
	Tags    map[string]string `json:"tags,omitempty"`
	// Policy is the resource-based policy (bucket policy, key policy, queue
	// policy, function policy …); empty when the resource has none.
	Policy json.RawMessage `json:"policy,omitempty"`
	// RunsAs lists the role ARNs a workload executes as (Lambda execution
	// role, instance profile roles, ECS task and execution roles).
	RunsAs []string `json:"runsAs,omitempty"`
	// EventSources lists ARNs of resources that send events to this
	// resource (event source mappings, S3 notifications, SNS subscriptions,
	// API Gateway integrations, EventBridge rules).
	EventSources []string `json:"eventSources,omitempty"`
	// PublicAccessBlock is the bucket-level S3 Block Public Access.
	PublicAccessBlock *PublicAccessBlock `json:"publicAccessBlock,omitempty"`
	// Properties holds type-specific facts as strings, e.g. "keyManager":
	// "AWS"|"CUSTOMER", "aliases", "functionUrlAuthType": "NONE"|"AWS_IAM",
	// "objectOwnership".
	Properties map[string]string `json:"properties,omitempty"`
}

// Gap is something that could not be read. It is recorded, never dropped.
type Gap struct {
	Account   string `json:"account,omitempty"`
	Region    string `json:"region,omitempty"`
	Service   string `json:"service,omitempty"`
	Operation string `json:"operation,omitempty"`
	Resource  string `json:"resource,omitempty"` // ARN, policy name, file, etc.
	Code      string `json:"code,omitempty"`     // AccessDenied, Throttling, MalformedPolicy, Truncated …
	Error     string `json:"error"`
}
