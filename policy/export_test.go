package policy

// Test hooks for the differential test (package policy_test).

type Quirks = quirks

const (
	QuirkRCPAllServices            = quirkRCPAllServices
	QuirkSCPServicePrincipals      = quirkSCPServicePrincipals
	QuirkNotPrincipalAnyMatch      = quirkNotPrincipalAnyMatch
	QuirkSessionPolicyAlwaysLimits = quirkSessionPolicyAlwaysLimits
	QuirkIPRanges                  = quirkIPRanges
	QuirkVarNoValue                = quirkVarNoValue
	QuirkEscapesOnlyInLike         = quirkEscapesOnlyInLike
	QuirkUnresolvedNotResource     = quirkUnresolvedNotResource
	QuirkRootNeedsIdentity         = quirkRootNeedsIdentity
	QuirkEpochMillis               = quirkEpochMillis
	QuirkNoDerivedKeys             = quirkNoDerivedKeys
)

func EvaluateWithQuirks(req *Request, set *PolicySet, mode Mode, q Quirks) Decision {
	return evaluate(req, set, mode, q)
}
