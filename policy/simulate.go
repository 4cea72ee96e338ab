package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Simulation is the input of `iamreach simulate`: the shape
// @cloud-copilot/iam-simulate accepts, so one file can be fed to both,
// plus optional iamreach extensions (see docs/simulate.md).
type Simulation struct {
	Request struct {
		Principal json.RawMessage `json:"principal"`
		Action    string          `json:"action"`
		Resource  struct {
			Resource  string `json:"resource"`
			AccountID string `json:"accountId"`
		} `json:"resource"`
		ContextVariables map[string]json.RawMessage `json:"contextVariables"`
	} `json:"request"`
	IdentityPolicies           []SimPolicy     `json:"identityPolicies"`
	PermissionBoundaryPolicies []SimPolicy     `json:"permissionBoundaryPolicies"`
	VPCEndpointPolicies        []SimPolicy     `json:"vpcEndpointPolicies"`
	SessionPolicy              json.RawMessage `json:"sessionPolicy"`
	ResourcePolicy             json.RawMessage `json:"resourcePolicy"`
	ServiceControlPolicies     []SimOrgLevel   `json:"serviceControlPolicies"`
	ResourceControlPolicies    []SimOrgLevel   `json:"resourceControlPolicies"`
	AdditionalSettings         *struct {
		S3 *struct {
			BucketAbacEnabled bool `json:"bucketAbacEnabled,omitempty"`
			// BlockPublicAccess: the effective RestrictPublicBuckets setting.
			BlockPublicAccess bool `json:"blockPublicAccess,omitempty"`
		} `json:"s3,omitempty"`
	} `json:"additionalSettings,omitempty"`
	// Iamreach carries facts the iam-simulate format has no place for.
	Iamreach *SimExtensions `json:"iamreach,omitempty"`
	// Description, Source and Expect are used by the scenario corpus.
	Description string          `json:"description,omitempty"`
	Source      string          `json:"source,omitempty"`
	Expect      json.RawMessage `json:"expect,omitempty"`
}

// SimPolicy is a named policy document.
type SimPolicy struct {
	Name   string          `json:"name"`
	Policy json.RawMessage `json:"policy"`
}

// SimOrgLevel is one organization level with its SCPs or RCPs.
type SimOrgLevel struct {
	OrgIdentifier string      `json:"orgIdentifier"`
	Policies      []SimPolicy `json:"policies"`
}

// SimExtensions are iamreach-only request facts.
type SimExtensions struct {
	PrincipalManagementAccount bool              `json:"principalManagementAccount,omitempty"`
	ServiceLinkedRole          bool              `json:"serviceLinkedRole,omitempty"`
	ResourceManagementAccount  bool              `json:"resourceManagementAccount,omitempty"`
	AWSManagedKMSKey           bool              `json:"awsManagedKmsKey,omitempty"`
	PrincipalTags              map[string]string `json:"principalTags,omitempty"`
	ResourceTags               map[string]string `json:"resourceTags,omitempty"`
	PrincipalOrgID             string            `json:"principalOrgId,omitempty"`
	// ResourcePolicyKind overrides the kind inferred from the action:
	// "ordinary", "trust" or "kms".
	ResourcePolicyKind string `json:"resourcePolicyKind,omitempty"`
}

// SimError says which field of a simulation input is wrong.
type SimError struct {
	Field string
	Err   error
}

func (e *SimError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *SimError) Unwrap() error { return e.Err }

func simErr(field string, format string, args ...any) error {
	return &SimError{Field: field, Err: fmt.Errorf(format, args...)}
}

// ParseSimulation decodes a simulation input. Unknown fields are errors,
// so that a typo does not silently change the question.
func ParseSimulation(b []byte) (*Simulation, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s Simulation
	if err := dec.Decode(&s); err != nil {
		return nil, &SimError{Field: "input", Err: err}
	}
	return &s, nil
}

// Compile turns the simulation into a Request and a PolicySet. Every
// policy is parsed; errors name the field (identityPolicies[1] "name"),
// and the statement inside it.
func (s *Simulation) Compile() (*Request, *PolicySet, error) {
	req := &Request{Action: s.Request.Action}
	if strings.Count(req.Action, ":") != 1 || strings.HasPrefix(req.Action, ":") || strings.HasSuffix(req.Action, ":") {
		return nil, nil, simErr("request.action", "%q is not service:Action", req.Action)
	}
	p, err := parseSimPrincipal(s.Request.Principal)
	if err != nil {
		return nil, nil, &SimError{Field: "request.principal", Err: err}
	}
	req.Principal = p
	req.Resource = Resource{ARN: s.Request.Resource.Resource, Account: s.Request.Resource.AccountID}
	if req.Resource.ARN == "" {
		return nil, nil, simErr("request.resource.resource", "missing resource ARN")
	}
	if req.Resource.ARN != "*" && !strings.HasPrefix(req.Resource.ARN, "arn:") {
		return nil, nil, simErr("request.resource.resource", "%q is not an ARN or *", req.Resource.ARN)
	}
	if a := req.Resource.Account; a != "" && !isAccountID(a) {
		return nil, nil, simErr("request.resource.accountId", "%q is not a 12-digit account ID", a)
	}
	if len(s.Request.ContextVariables) > 0 {
		req.Context = make(map[string][]string, len(s.Request.ContextVariables))
		for k, raw := range s.Request.ContextVariables {
			vals, ok := scalarOrList(raw)
			if !ok {
				return nil, nil, simErr("request.contextVariables."+k, "value must be a string, number, boolean or a list of them")
			}
			req.Context[strings.ToLower(k)] = vals
		}
	}
	set := &PolicySet{}
	if set.Identity, err = compileList("identityPolicies", s.IdentityPolicies, "identity"); err != nil {
		return nil, nil, err
	}
	if len(s.PermissionBoundaryPolicies) > 0 { // an empty list means no boundary
		if set.Boundary, err = compileList("permissionBoundaryPolicies", s.PermissionBoundaryPolicies, "boundary"); err != nil {
			return nil, nil, err
		}
	}
	if len(s.VPCEndpointPolicies) > 0 {
		if set.VPCEndpoint, err = compileList("vpcEndpointPolicies", s.VPCEndpointPolicies, "vpce"); err != nil {
			return nil, nil, err
		}
	}
	if isJSONValue(s.SessionPolicy) {
		np, err := compileNamed("sessionPolicy", "SessionPolicy", s.SessionPolicy)
		if err != nil {
			return nil, nil, err
		}
		set.Session = []NamedPolicy{np}
	}
	if isJSONValue(s.ResourcePolicy) {
		np, err := compileNamed("resourcePolicy", "ResourcePolicy", s.ResourcePolicy)
		if err != nil {
			return nil, nil, err
		}
		np.ID = req.Resource.ARN + "#policy"
		set.Resource = &np
	}
	if set.SCPs, err = compileLevels("serviceControlPolicies", s.ServiceControlPolicies); err != nil {
		return nil, nil, err
	}
	if set.RCPs, err = compileLevels("resourceControlPolicies", s.ResourceControlPolicies); err != nil {
		return nil, nil, err
	}
	set.ResourcePolicyKind = inferKind(req, set.Resource != nil)
	if a := s.AdditionalSettings; a != nil && a.S3 != nil {
		req.Resource.RestrictPublicBuckets = a.S3.BlockPublicAccess
	}
	if x := s.Iamreach; x != nil {
		req.Principal.ManagementAccount = x.PrincipalManagementAccount
		req.Principal.ServiceLinked = x.ServiceLinkedRole
		req.Principal.Tags = x.PrincipalTags
		req.Principal.OrgID = x.PrincipalOrgID
		req.Resource.ManagementAccount = x.ResourceManagementAccount
		req.Resource.AWSManagedKMSKey = x.AWSManagedKMSKey
		req.Resource.Tags = x.ResourceTags
		switch x.ResourcePolicyKind {
		case "":
		case "ordinary":
			set.ResourcePolicyKind = ResourcePolicyOrdinary
		case "trust":
			set.ResourcePolicyKind = ResourcePolicyTrust
		case "kms":
			set.ResourcePolicyKind = ResourcePolicyKMSKey
		default:
			return nil, nil, simErr("iamreach.resourcePolicyKind", "%q is not ordinary, trust or kms", x.ResourcePolicyKind)
		}
	}
	return req, set, nil
}

// inferKind: a role trust policy is the resource policy of sts:AssumeRole*
// requests; a KMS key policy that of kms requests on a key. Every key has
// a key policy, so a key request without one is decided as if it were
// empty.
func inferKind(req *Request, hasPolicy bool) ResourcePolicyKind {
	a := strings.ToLower(req.Action)
	switch {
	case hasPolicy && strings.HasPrefix(a, "sts:assumerole"):
		return ResourcePolicyTrust
	case strings.HasPrefix(a, "kms:") && strings.Contains(req.Resource.ARN, ":key/"):
		return ResourcePolicyKMSKey
	}
	return ResourcePolicyOrdinary
}

func isJSONValue(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

func compileNamed(field, name string, doc json.RawMessage) (NamedPolicy, error) {
	p, err := Parse(doc)
	if err != nil {
		return NamedPolicy{}, &SimError{Field: field, Err: err}
	}
	return NamedPolicy{ID: name, Name: name, Policy: p}, nil
}

func compileList(field string, list []SimPolicy, kind string) ([]NamedPolicy, error) {
	out := make([]NamedPolicy, 0, len(list))
	for i, sp := range list {
		name := sp.Name
		if name == "" {
			name = fmt.Sprintf("%s-%d", kind, i)
		}
		np, err := compileNamed(fmt.Sprintf("%s[%d] %q", field, i, name), name, sp.Policy)
		if err != nil {
			return nil, err
		}
		out = append(out, np)
	}
	return out, nil
}

func compileLevels(field string, levels []SimOrgLevel) ([]OrgLevel, error) {
	var out []OrgLevel
	for i, l := range levels {
		if l.OrgIdentifier == "" {
			return nil, simErr(fmt.Sprintf("%s[%d].orgIdentifier", field, i), "missing")
		}
		ps, err := compileList(fmt.Sprintf("%s[%d] (%s).policies", field, i, l.OrgIdentifier), l.Policies, "policy")
		if err != nil {
			return nil, err
		}
		out = append(out, OrgLevel{ID: l.OrgIdentifier, Policies: ps})
	}
	return out, nil
}

// federatedProviders are web identity providers named by domain.
var federatedProviders = map[string]bool{
	"cognito-identity.amazonaws.com": true, "accounts.google.com": true, "graph.facebook.com": true, "www.amazon.com": true,
}

// parseSimPrincipal reads the caller: an ARN, an account ID, a service
// principal, a federated identity provider, or {"type":"Anonymous"}.
func parseSimPrincipal(raw json.RawMessage) (Principal, error) {
	var p Principal
	if firstByte(raw) == '{' {
		var a struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(raw, &a); err != nil || a.Type != "Anonymous" {
			return p, fmt.Errorf(`must be a principal string or {"type":"Anonymous"}`)
		}
		p.Type = PrincipalAnonymous
		return p, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || s == "" {
		return p, fmt.Errorf("must be a principal ARN, account ID or service principal")
	}
	return PrincipalFromString(s)
}

// PrincipalFromString classifies a caller given as a string.
func PrincipalFromString(s string) (Principal, error) {
	p := Principal{ARN: s}
	switch {
	case isAccountID(s):
		p.Type, p.Account, p.ARN = PrincipalRoot, s, "arn:aws:iam::"+s+":root"
		return p, nil
	case federatedProviders[s]:
		p.Type = PrincipalFederated
		return p, nil
	case !strings.HasPrefix(s, "arn:"):
		if strings.HasSuffix(s, ".amazonaws.com") || strings.HasSuffix(s, ".amazonaws.com.cn") {
			p.Type = PrincipalService
			return p, nil
		}
		return p, fmt.Errorf("%q is not an ARN, account ID or service principal", s)
	}
	parts := splitARN(s)
	if strings.Count(s, ":") < 5 || !isAccountID(parts[4]) {
		return p, fmt.Errorf("%q is not a principal ARN (arn:partition:iam|sts::account:…)", s)
	}
	p.Account = parts[4]
	res := parts[5]
	switch {
	case parts[2] == "iam" && res == "root":
		p.Type = PrincipalRoot
	case parts[2] == "iam" && strings.HasPrefix(res, "user/"):
		p.Type = PrincipalUser
	case parts[2] == "iam" && strings.HasPrefix(res, "role/"):
		p.Type, p.RoleARN = PrincipalRoleSession, s
	case parts[2] == "iam" && (strings.HasPrefix(res, "oidc-provider/") || strings.HasPrefix(res, "saml-provider/")):
		p.Type = PrincipalFederated
	case parts[2] == "sts" && strings.HasPrefix(res, "assumed-role/"):
		rs := strings.Split(res, "/")
		if len(rs) != 3 || rs[1] == "" || rs[2] == "" {
			return p, fmt.Errorf("%q is not arn:…:sts::account:assumed-role/ROLE/SESSION", s)
		}
		p.Type = PrincipalRoleSession
		p.RoleARN = "arn:" + parts[1] + ":iam::" + p.Account + ":role/" + rs[1]
	case parts[2] == "sts" && strings.HasPrefix(res, "federated-user/"):
		p.Type = PrincipalUser
	default:
		return p, fmt.Errorf("%q is not a user, role, assumed-role, root or identity provider ARN", s)
	}
	return p, nil
}

// DecisionJSON is the JSON form of a decision printed by `iamreach
// simulate --json`.
type DecisionJSON struct {
	Result string `json:"result"`
	// Conditions is the residual condition tree, null when unconditional.
	Conditions *Condition `json:"conditions"`
	// ConditionsText is the same condition, readable.
	ConditionsText string      `json:"conditionsText,omitempty"`
	Explanation    Explanation `json:"explanation"`
}

// NewDecisionJSON converts a decision for output.
func NewDecisionJSON(d Decision) DecisionJSON {
	out := DecisionJSON{Result: d.Result.String(), Conditions: d.Residual, Explanation: d.Explanation}
	if d.Residual != nil {
		out.ConditionsText = d.Residual.String()
	}
	if out.Explanation.Allowing == nil {
		out.Explanation.Allowing = []StatementRef{}
	}
	if out.Explanation.Denying == nil {
		out.Explanation.Denying = []StatementRef{}
	}
	if out.Explanation.ConditionalDenies == nil {
		out.Explanation.ConditionalDenies = []StatementRef{}
	}
	return out
}
