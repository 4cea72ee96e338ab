package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Parse error codes: the issue codes of IAM Access Analyzer's policy
// validation ("IAM policy validation check reference") for the same errors.
const (
	CodeJSONSyntax          = "JSON_SYNTAX_ERROR"
	CodeInvalidVersion      = "INVALID_VERSION"
	CodeMissingStatement    = "MISSING_STATEMENT"
	CodeMissingEffect       = "MISSING_EFFECT"
	CodeInvalidEffect       = "INVALID_EFFECT"
	CodeMissingAction       = "MISSING_ACTION"
	CodeActionAndNotAction  = "UNSUPPORTED_ELEMENT_COMBINATION" // Action with NotAction
	CodeResourceAndNot      = "UNSUPPORTED_ELEMENT_COMBINATION" // Resource with NotResource
	CodePrincipalAndNot     = "UNSUPPORTED_ELEMENT_COMBINATION" // Principal with NotPrincipal
	CodeInvalidAction       = "INVALID_ACTION"
	CodeInvalidServiceInAct = "INVALID_SERVICE_IN_ACTION"
	CodeInvalidARN          = "INVALID_ARN_PREFIX" // not arn:…
	CodeMissingARNField     = "MISSING_ARN_FIELD"  // fewer than six parts
	CodeInvalidPrincipal    = "INVALID_PRINCIPAL_FORMAT"
	CodeInvalidPrincipalKey = "INVALID_PRINCIPAL_KEY"
	CodeInvalidOperator     = "INVALID_CONDITION_OPERATOR"
	CodeNullWithIfExists    = "NULL_WITH_IF_EXISTS"
	CodeInvalidCondition    = "DATA_TYPE_MISMATCH"
	CodeInvalidFieldType    = "DATA_TYPE_MISMATCH"
	CodeUnknownField        = "INVALID_POLICY_ELEMENT"
	CodeDuplicateSid        = "UNIQUE_SIDS_REQUIRED"
	CodeInvalidConditionVal = "INVALID_CONDITION_DATA_TYPE"
)

// ParseError says what is wrong with a policy document and where.
// StatementIndex is -1 for errors outside any statement.
type ParseError struct {
	StatementIndex int
	Field          string
	Code           string
	Msg            string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("policy")
	if e.StatementIndex >= 0 {
		fmt.Fprintf(&b, " statement %d", e.StatementIndex)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, " %s", e.Field)
	}
	fmt.Fprintf(&b, ": %s (%s)", e.Msg, e.Code)
	return b.String()
}

// Is lets errors.Is compare by code: errors.Is(err, &ParseError{Code: CodeJSONSyntax}).
func (e *ParseError) Is(target error) bool {
	var t *ParseError
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code
}

func perr(idx int, field, code, format string, args ...any) *ParseError {
	return &ParseError{StatementIndex: idx, Field: field, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Effect is Allow or Deny.
type Effect uint8

const (
	Allow Effect = iota
	Deny
)

func (e Effect) String() string {
	if e == Deny {
		return "Deny"
	}
	return "Allow"
}

// Statement is the read-only view of one policy statement.
type Statement struct {
	Index                   int
	Sid                     string
	Effect                  string // "Allow" or "Deny"
	Actions, NotActions     []string
	Resources, NotResources []string
	// Principals and NotPrincipals are keyed "AWS", "Service", "Federated",
	// "CanonicalUser", or "*" (for "Principal": "*").
	Principals, NotPrincipals map[string][]string
	HasCondition              bool
	Raw                       json.RawMessage
}

// Policy is a parsed and compiled policy document.
type Policy struct {
	version string
	id      string
	stmts   []stmt
	views   []Statement
	raw     json.RawMessage
}

// Version is the document's Version ("2012-10-17", "2008-10-17" or "").
func (p *Policy) Version() string { return p.version }

// ID is the document's optional Id element.
func (p *Policy) ID() string { return p.id }

// Raw is the document as given to Parse.
func (p *Policy) Raw() json.RawMessage { return p.raw }

// Statements is a read-only view of the statements (do not modify).
func (p *Policy) Statements() []Statement { return p.views }

// Parse parses and compiles a policy document.
func Parse(doc []byte) (*Policy, error) {
	doc = bytes.TrimSpace(doc)
	top, err := decodeObject(doc)
	if err != nil {
		return nil, perr(-1, "", CodeJSONSyntax, "%v", err)
	}
	p := &Policy{raw: append(json.RawMessage(nil), doc...)}
	var stmtRaw json.RawMessage
	for _, kv := range top {
		switch kv.key {
		case "Version":
			if err := json.Unmarshal(kv.val, &p.version); err != nil {
				return nil, perr(-1, "Version", CodeInvalidFieldType, "Version must be a string")
			}
			if p.version != "2012-10-17" && p.version != "2008-10-17" {
				return nil, perr(-1, "Version", CodeInvalidVersion, "Version %q is not 2012-10-17 or 2008-10-17", p.version)
			}
		case "Id":
			if err := json.Unmarshal(kv.val, &p.id); err != nil {
				return nil, perr(-1, "Id", CodeInvalidFieldType, "Id must be a string")
			}
		case "Statement":
			stmtRaw = kv.val
		default:
			return nil, perr(-1, kv.key, CodeUnknownField, "unknown top-level element %q", kv.key)
		}
	}
	if stmtRaw == nil {
		return nil, perr(-1, "Statement", CodeMissingStatement, "policy has no Statement")
	}
	var list []json.RawMessage
	switch firstByte(stmtRaw) {
	case '[':
		if err := json.Unmarshal(stmtRaw, &list); err != nil {
			return nil, perr(-1, "Statement", CodeJSONSyntax, "%v", err)
		}
	case '{':
		list = []json.RawMessage{stmtRaw}
	default:
		return nil, perr(-1, "Statement", CodeInvalidFieldType, "Statement must be an object or a list of objects")
	}
	sids := map[string]int{}
	for i, raw := range list {
		s, err := parseStatement(i, raw, p.version)
		if err != nil {
			return nil, err
		}
		if s.sid != "" {
			if j, dup := sids[s.sid]; dup {
				return nil, perr(i, "Sid", CodeDuplicateSid, "Sid %q already used by statement %d", s.sid, j)
			}
			sids[s.sid] = i
		}
		p.stmts = append(p.stmts, s)
	}
	p.views = make([]Statement, len(p.stmts))
	for i := range p.stmts {
		p.views[i] = p.stmts[i].view()
	}
	return p, nil
}

type keyVal struct {
	key string
	val json.RawMessage
}

// decodeObject decodes a JSON object keeping key order and rejecting
// duplicate keys (AWS rejects them; encoding/json would keep the last).
func decodeObject(b []byte) ([]keyVal, error) {
	if firstByte(b) != '{' {
		return nil, errors.New("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var out []keyVal
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, ok := t.(string)
		if !ok {
			return nil, errors.New("object key is not a string")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if seen[k] {
			return nil, fmt.Errorf("duplicate key %q", k)
		}
		seen[k] = true
		out = append(out, keyVal{k, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after JSON object")
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("trailing data after JSON object")
	}
	return out, nil
}

func firstByte(b []byte) byte {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// stringOrList decodes "x" or ["x","y"]; values must be strings.
func stringOrList(raw json.RawMessage) ([]string, bool) {
	switch firstByte(raw) {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		return []string{s}, true
	case '[':
		var l []string
		if json.Unmarshal(raw, &l) != nil {
			return nil, false
		}
		return l, true
	}
	return nil, false
}

// scalarOrList decodes condition values: strings, numbers and booleans,
// alone or in a list, kept in their textual form.
func scalarOrList(raw json.RawMessage) ([]string, bool) {
	var items []json.RawMessage
	if firstByte(raw) == '[' {
		if json.Unmarshal(raw, &items) != nil {
			return nil, false
		}
	} else {
		items = []json.RawMessage{raw}
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		switch c := firstByte(it); {
		case c == '"':
			var s string
			if json.Unmarshal(it, &s) != nil {
				return nil, false
			}
			out = append(out, s)
		case c == 't' || c == 'f' || c == '-' || (c >= '0' && c <= '9'):
			var v any
			dec := json.NewDecoder(bytes.NewReader(it))
			dec.UseNumber()
			if dec.Decode(&v) != nil {
				return nil, false
			}
			switch x := v.(type) {
			case bool:
				out = append(out, fmt.Sprint(x))
			case json.Number:
				out = append(out, x.String())
			default:
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return out, true
}

var principalKeys = map[string]bool{"AWS": true, "Service": true, "Federated": true, "CanonicalUser": true}

func parsePrincipal(idx int, field string, raw json.RawMessage) (map[string][]string, error) {
	if firstByte(raw) == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil || s != "*" {
			return nil, perr(idx, field, CodeInvalidPrincipal, `%s must be "*" or an object such as {"AWS": ...}`, field)
		}
		return map[string][]string{"*": {"*"}}, nil
	}
	kvs, err := decodeObject(raw)
	if err != nil {
		return nil, perr(idx, field, CodeInvalidPrincipal, "%s: %v", field, err)
	}
	out := map[string][]string{}
	for _, kv := range kvs {
		if !principalKeys[kv.key] {
			return nil, perr(idx, field+"."+kv.key, CodeInvalidPrincipalKey, "unknown principal type %q", kv.key)
		}
		vals, ok := stringOrList(kv.val)
		if !ok {
			return nil, perr(idx, field+"."+kv.key, CodeInvalidFieldType, "principal values must be a string or a list of strings")
		}
		for _, v := range vals {
			if v == "" {
				return nil, perr(idx, field+"."+kv.key, CodeInvalidPrincipal, "empty principal")
			}
			if kv.key == "AWS" && v != "*" && !isAccountID(v) && !strings.HasPrefix(v, "arn:") && !isUniqueID(v) {
				return nil, perr(idx, field+"."+kv.key, CodeInvalidPrincipal, "AWS principal %q is not an account ID, an ARN or *", v)
			}
		}
		out[kv.key] = vals
	}
	return out, nil
}

// isUniqueID: an IAM unique ID (AIDA…, AROA…), which AWS leaves in a
// policy in place of a principal that was deleted. It names no one.
func isUniqueID(s string) bool {
	if len(s) < 16 || len(s) > 128 || s[0] != 'A' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func validService(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseStatement(idx int, raw json.RawMessage, version string) (stmt, error) {
	s := stmt{index: idx, raw: append(json.RawMessage(nil), raw...)}
	kvs, err := decodeObject(raw)
	if err != nil {
		return s, perr(idx, "", CodeJSONSyntax, "statement: %v", err)
	}
	var haveEffect bool
	var haveAction, haveNotAction, haveRes, haveNotRes bool
	for _, kv := range kvs {
		switch kv.key {
		case "Sid":
			if json.Unmarshal(kv.val, &s.sid) != nil {
				return s, perr(idx, "Sid", CodeInvalidFieldType, "Sid must be a string")
			}
		case "Effect":
			var e string
			if json.Unmarshal(kv.val, &e) != nil {
				return s, perr(idx, "Effect", CodeInvalidFieldType, "Effect must be a string")
			}
			switch e {
			case "Allow":
				s.effect = Allow
			case "Deny":
				s.effect = Deny
			default:
				return s, perr(idx, "Effect", CodeInvalidEffect, "Effect %q is not Allow or Deny", e)
			}
			haveEffect = true
		case "Action", "NotAction":
			vals, ok := stringOrList(kv.val)
			if !ok {
				return s, perr(idx, kv.key, CodeInvalidFieldType, "%s must be a string or a list of strings", kv.key)
			}
			for _, a := range vals {
				if a == "*" {
					continue
				}
				svc, _, ok := strings.Cut(a, ":")
				if !ok {
					return s, perr(idx, kv.key, CodeInvalidAction, "action %q has no service prefix (service:action)", a)
				}
				if !validService(svc) {
					return s, perr(idx, kv.key, CodeInvalidServiceInAct, "action %q: the service prefix may contain only letters, digits and hyphens (no wildcards)", a)
				}
			}
			s.actions = compileActions(vals)
			s.actionList = vals
			if kv.key == "NotAction" {
				s.notAction = true
				haveNotAction = true
			} else {
				haveAction = true
			}
		case "Resource", "NotResource":
			vals, ok := stringOrList(kv.val)
			if !ok {
				return s, perr(idx, kv.key, CodeInvalidFieldType, "%s must be a string or a list of strings", kv.key)
			}
			patterns := make([]string, len(vals))
			for i, r := range vals {
				if rest, ok := strings.CutPrefix(r, "execute-api:"); ok && strings.HasPrefix(rest, "/") {
					// API Gateway resource policies name methods of the API
					// they are attached to as execute-api:/stage/METHOD/path.
					r = "arn:*:execute-api:*:*:*" + rest
				}
				patterns[i] = r
				if r != "*" && !strings.HasPrefix(r, "arn:") {
					return s, perr(idx, kv.key, CodeInvalidARN, "resource %q is not an ARN or *", r)
				}
				if r != "*" && strings.Count(r, ":") < 5 {
					return s, perr(idx, kv.key, CodeMissingARNField, "resource ARN %q has fewer than six parts", r)
				}
			}
			s.resources = compileResources(patterns, version)
			s.resourceList = vals
			s.hasResource = true
			if kv.key == "NotResource" {
				s.notResource = true
				haveNotRes = true
			} else {
				haveRes = true
			}
		case "Principal", "NotPrincipal":
			pm, err := parsePrincipal(idx, kv.key, kv.val)
			if err != nil {
				return s, err
			}
			s.principals = pm
			s.hasPrincipal = true
			s.notPrincipal = kv.key == "NotPrincipal"
			if haveP := s.principalField; haveP != "" {
				return s, perr(idx, kv.key, CodePrincipalAndNot, "statement has both Principal and NotPrincipal")
			}
			s.principalField = kv.key
		case "Condition":
			conds, err := parseConditions(idx, kv.val, version)
			if err != nil {
				return s, err
			}
			s.conds = conds
			s.hasCondition = true
		default:
			return s, perr(idx, kv.key, CodeUnknownField, "unknown statement element %q", kv.key)
		}
	}
	if !haveEffect {
		return s, perr(idx, "Effect", CodeMissingEffect, "statement has no Effect")
	}
	if haveAction && haveNotAction {
		return s, perr(idx, "NotAction", CodeActionAndNotAction, "statement has both Action and NotAction")
	}
	if !haveAction && !haveNotAction {
		return s, perr(idx, "Action", CodeMissingAction, "statement has no Action or NotAction")
	}
	if haveRes && haveNotRes {
		return s, perr(idx, "NotResource", CodeResourceAndNot, "statement has both Resource and NotResource")
	}
	return s, nil
}

func (s *stmt) view() Statement {
	v := Statement{Index: s.index, Sid: s.sid, Effect: s.effect.String(), HasCondition: s.hasCondition, Raw: s.raw}
	if s.notAction {
		v.NotActions = s.actionList
	} else {
		v.Actions = s.actionList
	}
	if s.notResource {
		v.NotResources = s.resourceList
	} else {
		v.Resources = s.resourceList
	}
	if s.notPrincipal {
		v.NotPrincipals = s.principals
	} else {
		v.Principals = s.principals
	}
	return v
}
