package policy

import (
	"strings"
)

// evalCtx carries one request through evaluation.
type evalCtx struct {
	req         *Request
	mode        Mode
	hasBoundary bool
	q           quirks
	buf         [1]string
}

// lookup finds a context key (lower-cased name). present: the key has a
// value; known: false only in discovery mode for request keys nobody gave.
func (e *evalCtx) lookup(lowerKey string) (vals []string, present, known bool) {
	if v, ok := e.fromContext(lowerKey); ok {
		return v, true, true
	}
	if derivable(lowerKey) {
		if e.q&quirkNoDerivedKeys != 0 {
			return nil, false, true
		}
		v, ok := e.derive(lowerKey)
		return v, ok, true
	}
	return nil, false, e.mode == Strict
}

// lookupStable is lookup for values kept after the decision: a derived
// value is copied out of the reused buffer. nil when absent or unknown.
func (e *evalCtx) lookupStable(lowerKey string) []string {
	if v, ok := e.fromContext(lowerKey); ok {
		return v
	}
	if derivable(lowerKey) {
		var tmp evalCtx
		tmp.req = e.req
		if v, ok := tmp.derive(lowerKey); ok {
			return append([]string(nil), v...)
		}
	}
	return nil
}

func (e *evalCtx) fromContext(lowerKey string) ([]string, bool) {
	ctx := e.req.Context
	if len(ctx) == 0 {
		return nil, false
	}
	if v, ok := ctx[lowerKey]; ok {
		return v, true
	}
	for k, v := range ctx {
		if len(k) == len(lowerKey) && strings.EqualFold(k, lowerKey) {
			return v, true
		}
	}
	return nil, false
}

// derivable: keys describing the principal or the resource, resolved from
// the Request; absent when the request does not say (never residual).
func derivable(k string) bool {
	switch k {
	case "aws:principalarn", "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths",
		"aws:principaltype", "aws:principalisawsservice", "aws:principalservicename", "aws:username",
		"aws:resourceaccount", "aws:resourceorgid":
		return true
	}
	if strings.HasPrefix(k, "aws:principaltag/") || k == "s3:resourceaccount" {
		return true
	}
	// aws:ResourceTag/k and the service forms (iam:ResourceTag/k,
	// ec2:ResourceTag/k, secretsmanager:ResourceTag/k …) describe the resource.
	_, rest, ok := strings.Cut(k, ":")
	return ok && strings.HasPrefix(rest, "resourcetag/")
}

func (e *evalCtx) one(s string) ([]string, bool) {
	if s == "" {
		return nil, false
	}
	e.buf[0] = s
	return e.buf[:1], true
}

func (e *evalCtx) derive(k string) ([]string, bool) {
	p, r := &e.req.Principal, &e.req.Resource
	switch k {
	case "aws:principalarn":
		if p.Type == PrincipalRoleSession {
			return e.one(p.RoleARN)
		}
		if p.Type == PrincipalService || p.Type == PrincipalAnonymous {
			return nil, false
		}
		return e.one(p.ARN)
	case "aws:principalaccount":
		return e.one(p.Account)
	case "aws:principalorgid":
		return e.one(p.OrgID)
	case "aws:principalorgpaths":
		return p.OrgPaths, len(p.OrgPaths) > 0
	case "aws:principaltype":
		return e.one(principalTypeName(p.Type))
	case "aws:principalisawsservice":
		if p.Type == PrincipalService {
			return e.one("true")
		}
		return e.one("false")
	case "aws:principalservicename":
		if p.Type == PrincipalService {
			return e.one(p.ARN)
		}
		return nil, false
	case "aws:username":
		if p.Type == PrincipalUser {
			if i := strings.LastIndexByte(p.ARN, '/'); i >= 0 {
				return e.one(p.ARN[i+1:])
			}
		}
		return nil, false
	case "aws:resourceaccount":
		return e.one(r.Account)
	case "aws:resourceorgid":
		return e.one(r.OrgID)
	}
	if t, ok := strings.CutPrefix(k, "aws:principaltag/"); ok {
		return e.tag(p.Tags, t)
	}
	if k == "s3:resourceaccount" {
		return e.one(r.Account)
	}
	if _, rest, ok := strings.Cut(k, ":"); ok {
		if t, ok := strings.CutPrefix(rest, "resourcetag/"); ok {
			return e.tag(r.Tags, t)
		}
	}
	return nil, false
}

func (e *evalCtx) tag(tags map[string]string, lowerName string) ([]string, bool) {
	if v, ok := tags[lowerName]; ok {
		return e.one1(v)
	}
	for k, v := range tags {
		if strings.EqualFold(k, lowerName) {
			return e.one1(v)
		}
	}
	return nil, false
}

// one1 is one() for values that may be empty strings (tags).
func (e *evalCtx) one1(s string) ([]string, bool) {
	e.buf[0] = s
	return e.buf[:1], true
}

func principalTypeName(t PrincipalType) string {
	switch t {
	case PrincipalUser:
		return "User"
	case PrincipalRoleSession:
		return "AssumedRole"
	case PrincipalRoot:
		return "Account"
	case PrincipalFederated:
		return "FederatedUser"
	case PrincipalService:
		return "AWSService"
	}
	return "Anonymous"
}

// resolveVars substitutes policy variables in s. like: the result is a
// StringLike/ARN pattern, so ${*} and ${?} become literal-character bytes.
// ok false: a variable has no value and no default (the value then
// matches nothing); unknown: discovery mode and a request key is missing.
func (e *evalCtx) resolveVars(s string, like bool) (out string, ok, unknownVar bool) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), true, false
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String(), true, false
		}
		b.WriteString(s[:i])
		inner := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+1:]
		switch inner {
		case "*":
			if like {
				b.WriteByte(litStar)
			} else {
				b.WriteByte('*')
			}
			continue
		case "?":
			if like {
				b.WriteByte(litQuestion)
			} else {
				b.WriteByte('?')
			}
			continue
		case "$":
			b.WriteByte('$')
			continue
		}
		name, def, hasDef := inner, "", false
		if k := strings.IndexByte(inner, ','); k >= 0 {
			name = strings.TrimSpace(inner[:k])
			d := strings.TrimSpace(inner[k+1:])
			if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
				def, hasDef = d[1:len(d)-1], true
			}
		}
		vals, present, known := e.lookup(strings.ToLower(name))
		switch {
		case !known && !hasDef:
			return "", false, true
		case present && len(vals) == 1:
			b.WriteString(vals[0])
		case hasDef:
			b.WriteString(def)
		default:
			return "", false, false
		}
	}
}
