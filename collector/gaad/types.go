// Package gaad imports the output of `aws iam get-account-authorization-details`
// (one file per account, the AWS CLI's JSON as is) into snapshot accounts.
// The collector uses the same conversion for the API's answer, so a
// snapshot built from a file and one built by the collector agree.
package gaad

import "encoding/json"

// Details is one account's authorization details: the four lists of the
// GetAccountAuthorizationDetails response. Policy documents are kept raw:
// the CLI writes JSON objects, the API returns URL-encoded strings; both
// are accepted.
type Details struct {
	// Incomplete is set by Read when the file broke off (truncated or
	// invalid JSON): references to policies after the break are not reported.
	Incomplete bool

	Users    []UserDetail
	Groups   []GroupDetail
	Roles    []RoleDetail
	Policies []ManagedPolicyDetail
}

// PolicyDetail is an inline policy.
type PolicyDetail struct {
	PolicyName     string
	PolicyDocument json.RawMessage
}

// AttachedPolicy is a managed policy attached to a principal.
type AttachedPolicy struct {
	PolicyName string
	PolicyArn  string
}

// Tag is an IAM tag.
type Tag struct {
	Key   string
	Value string
}

// Boundary is a permissions boundary.
type Boundary struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

// UserDetail is one element of UserDetailList.
type UserDetail struct {
	Path                    string
	UserName                string
	UserId                  string
	Arn                     string
	UserPolicyList          []PolicyDetail
	GroupList               []string
	AttachedManagedPolicies []AttachedPolicy
	PermissionsBoundary     *Boundary
	Tags                    []Tag
}

// GroupDetail is one element of GroupDetailList.
type GroupDetail struct {
	Path                    string
	GroupName               string
	GroupId                 string
	Arn                     string
	GroupPolicyList         []PolicyDetail
	AttachedManagedPolicies []AttachedPolicy
}

// InstanceProfile is a role's instance profile (the roles it lists are not needed).
type InstanceProfile struct {
	InstanceProfileName string
	InstanceProfileId   string
	Arn                 string
	Path                string
}

// RoleLastUsed says when a role was last used. The date stays a string so
// that an odd format costs the date, not the role.
type RoleLastUsed struct {
	LastUsedDate string
	Region       string
}

// RoleDetail is one element of RoleDetailList.
type RoleDetail struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	AssumeRolePolicyDocument json.RawMessage
	InstanceProfileList      []InstanceProfile
	RolePolicyList           []PolicyDetail
	AttachedManagedPolicies  []AttachedPolicy
	PermissionsBoundary      *Boundary
	Tags                     []Tag
	RoleLastUsed             *RoleLastUsed
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	Document         json.RawMessage
	VersionId        string
	IsDefaultVersion bool
}

// ManagedPolicyDetail is one element of Policies.
type ManagedPolicyDetail struct {
	PolicyName        string
	PolicyId          string
	Arn               string
	Path              string
	DefaultVersionId  string
	PolicyVersionList []PolicyVersion
}
