package policy

import (
	"net/netip"
	"strings"
)

// IsPublic reports whether a bucket (or access point) policy is "public" as
// Amazon S3 defines it for Block Public Access: S3 starts by assuming a
// policy is public and considers it non-public only if every Allow
// statement grants access only to fixed values (no wildcard, no policy
// variable) of a principal, or of one of these condition keys:
// aws:SourceIp (a set of CIDR blocks), aws:SourceArn, aws:SourceVpc,
// aws:SourceVpce, aws:SourceOwner, aws:SourceAccount,
// s3:x-amz-server-side-encryption-aws-kms-key-id, aws:userid (outside the
// pattern "AROLEID:*"), s3:DataAccessPointArn, s3:DataAccessPointAccount,
// and the principal-fixing keys aws:PrincipalOrgID, aws:PrincipalAccount,
// aws:PrincipalArn, aws:PrincipalOrgPaths. See "The meaning of public" in
// the Amazon S3 User Guide (Blocking public access to your Amazon S3
// storage).
func IsPublic(p *Policy) bool { return len(PublicStatements(p)) > 0 }

// PublicStatements lists the Allow statements that make a policy public.
func PublicStatements(p *Policy) []Statement {
	if p == nil {
		return nil
	}
	var out []Statement
	for i := range p.stmts {
		if p.stmts[i].effect == Allow && statementIsPublic(&p.stmts[i]) {
			out = append(out, p.views[i])
		}
	}
	return out
}

func statementIsPublic(s *stmt) bool {
	if !s.hasPrincipal {
		// An identity policy used where a bucket policy is expected: it has
		// no principal to fix, so nothing limits it.
		return true
	}
	if s.notPrincipal {
		return true // everyone except a list
	}
	if !principalsAreOpen(s.principals) {
		return false
	}
	for i := range s.conds {
		if conditionFixes(&s.conds[i]) {
			return false
		}
	}
	return true
}

// principalsAreOpen: the Principal element lets in anyone (or anyone in a
// wildcard set).
func principalsAreOpen(m map[string][]string) bool {
	if _, ok := m["*"]; ok {
		return true
	}
	for _, vals := range m {
		for _, v := range vals {
			if strings.ContainsAny(v, "*?") || strings.Contains(v, "${") {
				return true
			}
		}
	}
	return false
}

var fixingKeys = map[string]bool{
	"aws:sourceip": true, "aws:sourcearn": true, "aws:sourcevpc": true, "aws:sourcevpce": true, "aws:sourceowner": true,
	"aws:sourceaccount": true, "s3:x-amz-server-side-encryption-aws-kms-key-id": true, "aws:userid": true,
	"s3:dataaccesspointarn": true, "s3:dataaccesspointaccount": true,
	"aws:principalorgid": true, "aws:principalaccount": true, "aws:principalarn": true, "aws:principalorgpaths": true,
}

// conditionFixes: the condition requires one of the listed keys to have
// one of a set of fixed values (present in the request: no IfExists, no
// ForAllValues, no negation).
func conditionFixes(c *cond) bool {
	if !fixingKeys[c.lowerKey] || c.op.IfExists || c.op.Set == SetForAllValues {
		return false
	}
	if _, neg := c.op.Kind.positive(); neg {
		return false
	}
	switch c.op.Kind {
	case OpStringEquals, OpStringEqualsIgnoreCase, OpStringLike, OpArnEquals, OpArnLike, OpIPAddress:
	default:
		return false
	}
	for i := range c.values {
		v := c.values[i].raw
		if strings.Contains(v, "${") {
			return false
		}
		if c.op.Kind == OpIPAddress {
			pfx, err := netip.ParsePrefix(v)
			if err == nil && pfx.Bits() == 0 {
				return false // 0.0.0.0/0, ::/0: every address
			}
			continue
		}
		if c.lowerKey == "aws:principalorgpaths" {
			// A fixed organization path, optionally ending in /*.
			if strings.ContainsAny(strings.TrimSuffix(v, "*"), "*?") {
				return false
			}
			continue
		}
		if strings.ContainsAny(v, "*?") {
			return false
		}
	}
	return true
}
