package findings

import (
	"encoding/json"
	"strings"

	"github.com/iamreach/iamreach/graph"
)

// stmt is the part of a policy statement least-privilege checks read. The
// engine (package policy) decides access; here we only look at what a
// statement says, to point at the line a reviewer must change.
type stmt struct {
	index       int
	Sid         string
	Effect      string
	Action      []string
	NotAction   []string
	Resource    []string
	NotResource []string
	Principal   any
	hasCond     bool
	raw         json.RawMessage
}

// anyPrincipal: Principal "*" or {"AWS": "*"}.
func (s stmt) anyPrincipal() bool {
	switch p := s.Principal.(type) {
	case string:
		return p == "*"
	case map[string]any:
		for _, v := range p {
			for _, x := range strs(v) {
				if x == "*" {
					return true
				}
			}
		}
	}
	return false
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// statements reads a policy document's statements (Statement may be one
// object or an array; Action/Resource a string or an array). A document
// that is not valid JSON yields none: the graph build reports it.
func statements(doc json.RawMessage) []stmt {
	if len(doc) == 0 {
		return nil
	}
	var d struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if json.Unmarshal(doc, &d) != nil || len(d.Statement) == 0 {
		return nil
	}
	var raws []json.RawMessage
	if strings.HasPrefix(strings.TrimSpace(string(d.Statement)), "{") {
		raws = []json.RawMessage{d.Statement}
	} else if json.Unmarshal(d.Statement, &raws) != nil {
		return nil
	}
	var out []stmt
	for i, r := range raws {
		var m map[string]any
		if json.Unmarshal(r, &m) != nil {
			continue
		}
		s := stmt{index: i, raw: r}
		s.Sid, _ = m["Sid"].(string)
		s.Effect, _ = m["Effect"].(string)
		s.Action = strs(m["Action"])
		s.NotAction = strs(m["NotAction"])
		s.Resource = strs(m["Resource"])
		s.NotResource = strs(m["NotResource"])
		s.Principal = m["Principal"]
		_, s.hasCond = m["Condition"]
		out = append(out, s)
	}
	return out
}

// matchAction matches an action pattern ("s3:Get*", "*") against an
// action, case-insensitively.
func matchAction(pattern, action string) bool {
	return graph.WildcardMatch(pattern, action)
}
