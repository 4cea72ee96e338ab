// Package policydoc turns policy documents as AWS returns them (JSON
// objects, JSON strings, or URL-encoded strings) into compact JSON and
// checks their structure statement by statement, so that importers and the
// collector can name the statement that is wrong and keep the rest.
//
// It is a structural check only; what a statement means is the policy
// engine's business.
package policydoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Decode accepts a policy document in any of the shapes AWS tools produce:
// a JSON object, a JSON string holding the document, or a URL-encoded
// document (the raw IAM API). It returns the document as compact JSON, or
// an error saying why it is not a JSON object.
func Decode(raw []byte) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errors.New("document is empty")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("document is not a valid JSON string: %w", err)
		}
		return DecodeString(s)
	}
	return compactObject(raw)
}

// DecodeString decodes a document given as a Go string: JSON, or URL-encoded JSON.
func DecodeString(s string) (json.RawMessage, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, errors.New("document is empty")
	}
	if !strings.HasPrefix(t, "{") {
		// IAM returns documents URL-encoded per RFC 3986, where '+' is a
		// literal plus sign, so PathUnescape (not QueryUnescape) is right.
		u, err := url.PathUnescape(t)
		if err != nil {
			return nil, fmt.Errorf("document is neither JSON nor URL-encoded JSON: %w", err)
		}
		t = strings.TrimSpace(u)
	}
	return compactObject([]byte(t))
}

func compactObject(b []byte) (json.RawMessage, error) {
	if len(b) == 0 || b[0] != '{' {
		return nil, errors.New("document is not a JSON object")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		// Compact does not report where; Unmarshal does.
		var v any
		if uerr := json.Unmarshal(b, &v); uerr != nil {
			err = uerr
		}
		return nil, fmt.Errorf("document is not valid JSON: %w", describe(b, err))
	}
	return json.RawMessage(buf.Bytes()), nil
}

func describe(b []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := 1, 1
		// Offset is just past the offending byte.
		for _, c := range b[:min(max(int(se.Offset)-1, 0), len(b))] {
			if c == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		return fmt.Errorf("line %d, column %d: %v", line, col, err)
	}
	return err
}

// Problem is one structural defect, located by statement.
type Problem struct {
	// Statement is the statement's index (0-based), or -1 for the document itself.
	Statement int
	Sid       string
	Message   string
}

func (p Problem) String() string {
	switch {
	case p.Statement < 0:
		return p.Message
	case p.Sid != "":
		return fmt.Sprintf("statement %d (Sid %q): %s", p.Statement, p.Sid, p.Message)
	default:
		return fmt.Sprintf("statement %d: %s", p.Statement, p.Message)
	}
}

// Kind says which element a document is, because the rules differ: a trust
// or resource policy needs a Principal, an identity policy must not have one.
type Kind int

const (
	Identity Kind = iota // identity-based, permissions boundary, SCP, RCP
	Resource             // resource-based, including role trust policies
)

var statementKeys = map[string]bool{
	"Sid": true, "Effect": true, "Principal": true, "NotPrincipal": true,
	"Action": true, "NotAction": true, "Resource": true, "NotResource": true, "Condition": true,
}

// Check reports every structural problem in a compact JSON document.
func Check(doc json.RawMessage, kind Kind) []Problem {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil {
		return []Problem{{Statement: -1, Message: "document is not a JSON object"}}
	}
	var out []Problem
	if v, ok := top["Version"]; ok {
		var s string
		if json.Unmarshal(v, &s) != nil || (s != "2012-10-17" && s != "2008-10-17") {
			out = append(out, Problem{Statement: -1, Message: fmt.Sprintf("Version is %s, want \"2012-10-17\" or \"2008-10-17\"", v)})
		}
	}
	st, ok := top["Statement"]
	if !ok {
		return append(out, Problem{Statement: -1, Message: "Statement is missing"})
	}
	var list []json.RawMessage
	switch firstByte(st) {
	case '{':
		list = []json.RawMessage{st}
	case '[':
		if err := json.Unmarshal(st, &list); err != nil {
			return append(out, Problem{Statement: -1, Message: "Statement is not a list"})
		}
	default:
		return append(out, Problem{Statement: -1, Message: fmt.Sprintf("Statement is %s, want an object or a list of objects", kindOf(st))})
	}
	for i, s := range list {
		out = append(out, checkStatement(i, s, kind)...)
	}
	return out
}

func checkStatement(i int, raw json.RawMessage, kind Kind) []Problem {
	var m map[string]json.RawMessage
	if firstByte(raw) != '{' || json.Unmarshal(raw, &m) != nil {
		return []Problem{{Statement: i, Message: fmt.Sprintf("statement is %s, want an object", kindOf(raw))}}
	}
	var sid string
	if v, ok := m["Sid"]; ok {
		if json.Unmarshal(v, &sid) != nil {
			sid = ""
		}
	}
	var out []Problem
	add := func(format string, args ...any) {
		out = append(out, Problem{Statement: i, Sid: sid, Message: fmt.Sprintf(format, args...)})
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !statementKeys[k] {
			add("unknown element %q", k)
		}
	}
	if v, ok := m["Sid"]; ok && firstByte(v) != '"' {
		add("Sid is %s, want a string", kindOf(v))
	}
	var effect string
	if v, ok := m["Effect"]; !ok {
		add("Effect is missing")
	} else if json.Unmarshal(v, &effect) != nil || (effect != "Allow" && effect != "Deny") {
		add("Effect is %s, want \"Allow\" or \"Deny\"", v)
	}
	pair := func(a, b string, required bool) {
		va, okA := m[a]
		vb, okB := m[b]
		switch {
		case okA && okB:
			add("both %s and %s are present", a, b)
		case !okA && !okB && required:
			add("%s (or %s) is missing", a, b)
		}
		for _, e := range []struct {
			name string
			v    json.RawMessage
			ok   bool
		}{{a, va, okA}, {b, vb, okB}} {
			if e.ok && !stringOrList(e.v) {
				add("%s is %s, want a string or a list of strings", e.name, kindOf(e.v))
			}
		}
	}
	pair("Action", "NotAction", true)
	pair("Resource", "NotResource", false)
	_, hasP := m["Principal"]
	_, hasNP := m["NotPrincipal"]
	switch {
	case hasP && hasNP:
		add("both Principal and NotPrincipal are present")
	case kind == Resource && !hasP && !hasNP:
		add("Principal is missing (a resource or trust policy must name who it applies to)")
	case kind == Identity && (hasP || hasNP):
		add("Principal is not allowed in an identity-based policy")
	}
	for _, k := range []string{"Principal", "NotPrincipal"} {
		if v, ok := m[k]; ok && !principalShape(v) {
			add("%s is %s, want \"*\" or an object of principal lists", k, kindOf(v))
		}
	}
	if v, ok := m["Condition"]; ok {
		out = append(out, checkCondition(i, sid, v)...)
	}
	return out
}

func checkCondition(i int, sid string, v json.RawMessage) []Problem {
	var ops map[string]json.RawMessage
	if firstByte(v) != '{' || json.Unmarshal(v, &ops) != nil {
		return []Problem{{Statement: i, Sid: sid, Message: fmt.Sprintf("Condition is %s, want an object", kindOf(v))}}
	}
	var out []Problem
	names := make([]string, 0, len(ops))
	for k := range ops {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, op := range names {
		var keys map[string]json.RawMessage
		if firstByte(ops[op]) != '{' || json.Unmarshal(ops[op], &keys) != nil {
			out = append(out, Problem{Statement: i, Sid: sid, Message: fmt.Sprintf("Condition operator %s is %s, want an object of keys", op, kindOf(ops[op]))})
			continue
		}
		for k, val := range keys {
			if !scalarOrList(val) {
				out = append(out, Problem{Statement: i, Sid: sid, Message: fmt.Sprintf("Condition %s %s is %s, want a value or a list of values", op, k, kindOf(val))})
			}
		}
	}
	return out
}

func firstByte(b json.RawMessage) byte {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

func kindOf(b json.RawMessage) string {
	switch c := firstByte(b); {
	case c == '{':
		return "an object"
	case c == '[':
		return "a list"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == 0:
		return "empty"
	default:
		return "a number"
	}
}

func stringOrList(v json.RawMessage) bool {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return true
	}
	var l []string
	return json.Unmarshal(v, &l) == nil && len(l) > 0
}

func scalarOrList(v json.RawMessage) bool {
	switch firstByte(v) {
	case '{', 'n', 0:
		return false
	case '[':
		var l []json.RawMessage
		if json.Unmarshal(v, &l) != nil {
			return false
		}
		for _, e := range l {
			if c := firstByte(e); c == '{' || c == '[' || c == 'n' {
				return false
			}
		}
	}
	return true
}

func principalShape(v json.RawMessage) bool {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s == "*"
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(v, &m) != nil || len(m) == 0 {
		return false
	}
	for _, e := range m {
		if !stringOrList(e) {
			return false
		}
	}
	return true
}
