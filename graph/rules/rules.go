// Package rules is the CI gate: a YAML file of rules about who may reach
// what ("no workload in account X may reach s3:GetObject on
// arn:aws:s3:::pii-*", "no role trusted from outside the allow-list",
// "nothing public"), checked against a built graph and its findings.
// Violations render as text, JSON or SARIF 2.1.0 (for code-scanning UIs).
package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Type is the closed set of rule types.
type Type string

const (
	// NoReach: no origin matching From may reach a resource matching To
	// with any of Actions.
	NoReach Type = "no-reach"
	// NoExternalTrust: no role may be trusted from outside the
	// organization, except accounts on the allow-list (KnownAccounts and
	// the rule's Allow) and identity providers in Allow.
	NoExternalTrust Type = "no-external-trust"
	// NoPublic: no resource may be public (Block Public Access that
	// neutralizes a public policy counts as not public).
	NoPublic Type = "no-public"
	// NoFinding: no finding of Kinds at or above MinSeverity.
	NoFinding Type = "no-finding"
)

var types = []Type{NoReach, NoExternalTrust, NoPublic, NoFinding}

// Origin kinds a no-reach rule can select.
const (
	OriginWorkload = "workload" // a resource that runs as a role
	OriginUser     = "user"
	OriginRole     = "role"
	OriginExternal = "external" // outside accounts and principals, identity providers
	OriginAnyone   = "anyone"   // the anonymous principal
	OriginAny      = "any"
)

var originKinds = []string{OriginWorkload, OriginUser, OriginRole, OriginExternal, OriginAnyone, OriginAny}

// File is a rules file.
type File struct {
	Version int `yaml:"version"`
	// KnownAccounts is the allow-list of outside accounts (ID and label).
	KnownAccounts []KnownAccount `yaml:"knownAccounts"`
	Rules         []Rule         `yaml:"rules"`
}

// KnownAccount is an allow-listed outside account.
type KnownAccount struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
}

// Selector picks nodes: every non-empty field must match (globs with * and ?).
type Selector struct {
	Kinds     []string `yaml:"kinds"`     // no-reach "from": workload, user, role, external, anyone, any
	Accounts  []string `yaml:"accounts"`  // account IDs
	Names     []string `yaml:"names"`     // globs on node name
	ARNs      []string `yaml:"arns"`      // globs on node ID / ARN
	Types     []string `yaml:"types"`     // resource types, e.g. s3:bucket (globs)
	Tags      []string `yaml:"tags"`      // "key=value" (value may be a glob)
	Resources []string `yaml:"resources"` // alias of arns for "to"
}

// Rule is one rule.
type Rule struct {
	ID          string   `yaml:"id"`
	Description string   `yaml:"description"`
	Type        Type     `yaml:"type"`
	Severity    string   `yaml:"severity"` // critical, high, medium, low; default high
	From        Selector `yaml:"from"`
	To          Selector `yaml:"to"`
	Actions     []string `yaml:"actions"`
	// AllowConditional: paths that hold only under a condition are not
	// violations (default false: "allowed only if" still counts).
	AllowConditional bool `yaml:"allowConditional"`
	// Allow lists accounts (12 digits) or provider ARN globs a
	// no-external-trust rule accepts.
	Allow []string `yaml:"allow"`
	// Kinds and MinSeverity select findings for no-finding.
	Kinds       []string `yaml:"kinds"`
	MinSeverity string   `yaml:"minSeverity"`
	// Except lists globs on subject or target IDs that are exempt.
	Except []string `yaml:"except"`

	// Line is where the rule starts in the file (for SARIF and errors).
	Line int `yaml:"-"`
}

var idRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// Parse reads and validates a rules file. Errors name the rule (index, id
// and line) and the field.
func Parse(r io.Reader) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("rules file is empty")
		}
		return nil, fmt.Errorf("rules file: %w", err)
	}
	// Line numbers come from the node tree.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err == nil && len(root.Content) > 0 {
		doc := root.Content[0]
		for i := 0; i+1 < len(doc.Content); i += 2 {
			if doc.Content[i].Value == "rules" && doc.Content[i+1].Kind == yaml.SequenceNode {
				for j, n := range doc.Content[i+1].Content {
					if j < len(f.Rules) {
						f.Rules[j].Line = n.Line
					}
				}
			}
		}
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

func (f *File) validate() error {
	if f.Version != 1 {
		return fmt.Errorf("rules file: version is %d, want 1", f.Version)
	}
	for i, k := range f.KnownAccounts {
		if !accountRe.MatchString(k.ID) {
			return fmt.Errorf("rules file: knownAccounts[%d].id %q is not a 12-digit account ID (quote it in YAML)", i, k.ID)
		}
	}
	if len(f.Rules) == 0 {
		return errors.New("rules file: no rules")
	}
	seen := map[string]bool{}
	for i := range f.Rules {
		r := &f.Rules[i]
		where := fmt.Sprintf("rules[%d] (id %q, line %d)", i, r.ID, r.Line)
		if !idRe.MatchString(r.ID) {
			return fmt.Errorf("%s: id must be letters, digits, '-', '_' or '.'", where)
		}
		if seen[r.ID] {
			return fmt.Errorf("%s: id appears twice", where)
		}
		seen[r.ID] = true
		if r.Severity == "" {
			r.Severity = "high"
		}
		if !oneOf(r.Severity, "critical", "high", "medium", "low", "info") {
			return fmt.Errorf("%s: severity %q is not critical, high, medium, low or info", where, r.Severity)
		}
		if !oneOf(string(r.Type), typeNames()...) {
			return fmt.Errorf("%s: type %q is not one of %s", where, r.Type, strings.Join(typeNames(), ", "))
		}
		for _, k := range r.From.Kinds {
			if !oneOf(k, originKinds...) {
				return fmt.Errorf("%s: from.kinds: %q is not one of %s", where, k, strings.Join(originKinds, ", "))
			}
		}
		if len(r.To.Kinds) > 0 {
			return fmt.Errorf("%s: to.kinds is not supported (select targets by resources, types, accounts, names or tags)", where)
		}
		for _, t := range append(append([]string{}, r.From.Tags...), r.To.Tags...) {
			if !strings.Contains(t, "=") {
				return fmt.Errorf("%s: tag selector %q must be key=value", where, t)
			}
		}
		switch r.Type {
		case NoReach:
			if len(r.Actions) == 0 {
				return fmt.Errorf("%s: a no-reach rule needs actions (e.g. [\"s3:GetObject\"], or [\"*\"] for any)", where)
			}
			for _, a := range r.Actions {
				if a != "*" && !strings.Contains(a, ":") {
					return fmt.Errorf("%s: action %q must be service:Action", where, a)
				}
			}
			if r.To.empty() {
				return fmt.Errorf("%s: a no-reach rule needs a \"to\" selector (resources, types, accounts, names or tags)", where)
			}
		case NoExternalTrust:
			for _, a := range r.Allow {
				if !accountRe.MatchString(a) && !strings.HasPrefix(a, "arn:") {
					return fmt.Errorf("%s: allow entry %q is neither a 12-digit account ID nor a provider ARN", where, a)
				}
			}
		case NoFinding:
			if r.MinSeverity != "" && !oneOf(r.MinSeverity, "critical", "high", "medium", "low", "info") {
				return fmt.Errorf("%s: minSeverity %q is not critical, high, medium, low or info", where, r.MinSeverity)
			}
		}
	}
	return nil
}

var accountRe = regexp.MustCompile(`^\d{12}$`)

func (s Selector) empty() bool {
	return len(s.Accounts)+len(s.Names)+len(s.ARNs)+len(s.Types)+len(s.Tags)+len(s.Resources) == 0
}

func typeNames() []string {
	var out []string
	for _, t := range types {
		out = append(out, string(t))
	}
	return out
}

func oneOf(s string, xs ...string) bool {
	for _, x := range xs {
		if s == x {
			return true
		}
	}
	return false
}
