package gaad

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/iamreach/iamreach/snapshot"
)

// Gap codes the importer records.
const (
	CodeTruncated       = "Truncated"
	CodeMalformedJSON   = "MalformedJSON"
	CodeUnexpectedType  = "UnexpectedType"
	CodeMalformedPolicy = "MalformedPolicy"
	CodeMissing         = "Missing"
)

// The lists of a GetAccountAuthorizationDetails answer, as the CLI names them.
const (
	listUsers    = "UserDetailList"
	listGroups   = "GroupDetailList"
	listRoles    = "RoleDetailList"
	listPolicies = "Policies"
)

// Read parses one file of `aws iam get-account-authorization-details`
// output. It reads element by element, so a truncated or partly malformed
// file still yields every element before the damage; each problem becomes
// a gap naming the file, the list, the element and, where it can, the
// field. The error is non-nil only when nothing usable was found.
func Read(name string, r io.Reader) (*Details, []snapshot.Gap, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: read: %w", name, err)
	}
	p := &reader{name: name, data: data, dec: json.NewDecoder(bytes.NewReader(data)), d: &Details{}}
	if err := p.document(); err != nil {
		return nil, nil, err
	}
	return p.d, p.gaps, nil
}

type reader struct {
	name  string
	data  []byte
	dec   *json.Decoder
	d     *Details
	gaps  []snapshot.Gap
	lists int // lists seen
}

func (p *reader) gap(code, resource, format string, args ...any) {
	p.gaps = append(p.gaps, snapshot.Gap{
		Service: "iam", Operation: "import", Resource: resource, Code: code,
		Error: p.name + ": " + fmt.Sprintf(format, args...),
	})
}

// where describes the decoder's position as line and column.
func (p *reader) where() string {
	off := min(int(p.dec.InputOffset()), len(p.data))
	line, col := 1, 1
	for _, c := range p.data[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d", line, col)
}

// broken records a read error that ends the file (truncation or bad syntax).
func (p *reader) broken(context string, err error) {
	p.d.Incomplete = true
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		p.gap(CodeTruncated, p.name, "file is truncated: it ends at %s, %s; everything after is missing (download it again)", p.where(), context)
		return
	}
	p.gap(CodeMalformedJSON, p.name, "invalid JSON at %s, %s: %v; the rest of the file is skipped", p.where(), context, err)
}

func (p *reader) document() error {
	tok, err := p.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: file is empty", p.name)
		}
		return fmt.Errorf("%s: not JSON at %s: %v", p.name, p.where(), err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("%s: not the output of get-account-authorization-details: want a JSON object, found %v", p.name, tok)
	}
	for p.dec.More() {
		tok, err := p.dec.Token()
		if err != nil {
			p.broken("while reading the next top-level field", err)
			return p.done()
		}
		key, _ := tok.(string)
		switch key {
		case listUsers, listGroups, listRoles, listPolicies:
			p.lists++
			if !p.list(key) {
				return p.done()
			}
		default:
			// Marker, IsTruncated and fields AWS may add later: not needed.
			var skip json.RawMessage
			if err := p.dec.Decode(&skip); err != nil {
				p.broken(fmt.Sprintf("in field %q", key), err)
				return p.done()
			}
		}
	}
	if _, err := p.dec.Token(); err != nil {
		p.broken("before the closing brace of the document", err)
	}
	return p.done()
}

func (p *reader) done() error {
	if p.lists == 0 && len(p.gaps) == 0 {
		return fmt.Errorf("%s: not the output of get-account-authorization-details: none of %s, %s, %s, %s found",
			p.name, listUsers, listGroups, listRoles, listPolicies)
	}
	return nil
}

// list reads one list element by element; false means the file ended or broke.
func (p *reader) list(key string) bool {
	tok, err := p.dec.Token()
	if err != nil {
		p.broken("at the start of "+key, err)
		return false
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		what := fmt.Sprintf("%v", tok)
		if ok {
			// An object or similar: skip its contents.
			var depth = 1
			for depth > 0 {
				t, err := p.dec.Token()
				if err != nil {
					p.broken("inside "+key, err)
					return false
				}
				if d, ok := t.(json.Delim); ok {
					if d == '{' || d == '[' {
						depth++
					} else {
						depth--
					}
				}
			}
			what = "an object"
		}
		p.gap(CodeUnexpectedType, key, "%s is %s, want a list; all of it is skipped", key, what)
		return true
	}
	last := ""
	for i := 0; p.dec.More(); i++ {
		var raw json.RawMessage
		if err := p.dec.Decode(&raw); err != nil {
			ctx := fmt.Sprintf("in %s element %d", key, i)
			if last != "" {
				ctx += fmt.Sprintf(" (after %q)", last)
			}
			p.broken(ctx, err)
			return false
		}
		last = p.element(key, i, raw)
	}
	if _, err := p.dec.Token(); err != nil {
		p.broken("at the end of "+key, err)
		return false
	}
	return true
}

// element decodes one list element; a field of the wrong type costs that
// field (recorded), not the element, unless the element has no ARN left.
func (p *reader) element(key string, i int, raw json.RawMessage) string {
	var target any
	var name, arn func() string
	switch key {
	case listUsers:
		var u UserDetail
		target, name, arn = &u, func() string { return u.UserName }, func() string { return u.Arn }
		defer func() {
			if u.Arn != "" {
				p.d.Users = append(p.d.Users, u)
			}
		}()
	case listGroups:
		var g GroupDetail
		target, name, arn = &g, func() string { return g.GroupName }, func() string { return g.Arn }
		defer func() {
			if g.Arn != "" {
				p.d.Groups = append(p.d.Groups, g)
			}
		}()
	case listRoles:
		var r RoleDetail
		target, name, arn = &r, func() string { return r.RoleName }, func() string { return r.Arn }
		defer func() {
			if r.Arn != "" {
				p.d.Roles = append(p.d.Roles, r)
			}
		}()
	case listPolicies:
		var m ManagedPolicyDetail
		target, name, arn = &m, func() string { return m.PolicyName }, func() string { return m.Arn }
		defer func() {
			if m.Arn != "" {
				p.d.Policies = append(p.d.Policies, m)
			}
		}()
	}
	err := json.Unmarshal(raw, target)
	label := fmt.Sprintf("%s element %d", key, i)
	if n := name(); n != "" {
		label += fmt.Sprintf(" (%q)", n)
	}
	if err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			p.gap(CodeUnexpectedType, arn(), "%s: field %s is JSON %s, want %s; that field is skipped", label, te.Field, te.Value, goType(te))
		} else {
			p.gap(CodeUnexpectedType, arn(), "%s: %v; the element is skipped", label, err)
		}
	}
	if arn() == "" {
		p.gap(CodeMissing, "", "%s has no Arn; the element is skipped", label)
	}
	return name()
}

func goType(te *json.UnmarshalTypeError) string {
	switch te.Type.Kind().String() {
	case "string":
		return "a string"
	case "slice":
		return "a list"
	case "struct", "ptr":
		return "an object"
	case "bool":
		return "a boolean"
	}
	return te.Type.String()
}
