package api

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/iamreach/iamreach/graph"
)

// maxIDLen bounds node IDs in query parameters (ARNs are at most 2048
// characters).
const maxIDLen = 2048

// params reads and validates the query parameters of one request. Each
// getter names the parameter it reads; check reports the first problem,
// including parameters the route does not know (a typo such as
// "maxdepth" must not be silently ignored).
type params struct {
	values url.Values
	known  []string
	err    error
}

func newParams(u *url.URL) *params {
	return &params{values: u.Query()}
}

func (p *params) fail(format string, args ...any) {
	if p.err == nil {
		p.err = badRequest(format, args...)
	}
}

// single returns the one value of name ("" when absent); a repeated
// parameter is an error.
func (p *params) single(name string) string {
	p.known = append(p.known, name)
	vs := p.values[name]
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return strings.TrimSpace(vs[0])
	default:
		p.fail("parameter %q is given %d times; give it once", name, len(vs))
		return ""
	}
}

// multi returns every value of a repeatable parameter; comma-separated
// values are split too, so kind=Role,User equals kind=Role&kind=User.
func (p *params) multi(name string) []string {
	p.known = append(p.known, name)
	var out []string
	for _, v := range p.values[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// id reads a node ID.
func (p *params) id(name string, required bool) string {
	v := p.single(name)
	switch {
	case v == "" && required:
		p.fail("parameter %q is required (a node ID: an ARN, or an ID such as account:111122223333)", name)
	case len(v) > maxIDLen:
		p.fail("parameter %q is %d characters long; node IDs are at most %d", name, len(v), maxIDLen)
	}
	return v
}

// intRange reads an optional integer in [lo, hi]; absent gives def.
func (p *params) intRange(name string, def, lo, hi int) int {
	v := p.single(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.fail("parameter %q must be an integer, got %q", name, v)
		return def
	}
	if n < lo || n > hi {
		p.fail("parameter %q must be between %d and %d, got %d", name, lo, hi, n)
		return def
	}
	return n
}

func (p *params) boolean(name string) bool {
	v := p.single(name)
	switch strings.ToLower(v) {
	case "", "false", "0":
		return false
	case "true", "1":
		return true
	default:
		p.fail("parameter %q must be true or false, got %q", name, v)
		return false
	}
}

// oneOf reads an optional value from a closed set; absent gives def.
func (p *params) oneOf(name, def string, allowed []string) string {
	v := p.single(name)
	if v == "" {
		return def
	}
	if !slices.Contains(allowed, v) {
		p.fail("parameter %q must be one of %s, got %q", name, strings.Join(allowed, ", "), v)
		return def
	}
	return v
}

// set reads a repeatable parameter whose values come from a closed set.
func (p *params) set(name string, allowed []string) []string {
	vs := p.multi(name)
	for _, v := range vs {
		if !slices.Contains(allowed, v) {
			p.fail("parameter %q: unknown value %q (allowed: %s)", name, v, strings.Join(allowed, ", "))
			return nil
		}
	}
	return vs
}

// check returns the first problem found, or an unknown parameter.
func (p *params) check() error {
	if p.err != nil {
		return p.err
	}
	names := make([]string, 0, len(p.values))
	for name := range p.values {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(p.known, name) {
			return badRequest("unknown parameter %q (this route accepts: %s)", name, strings.Join(p.known, ", "))
		}
	}
	return nil
}

// The closed sets the API validates against. They mirror the constants in
// graph/model.go; a kind missing here is refused with a clear message
// rather than silently matching nothing. Functions, not package variables:
// no package-level mutable state.
func nodeKinds() []string {
	return []string{
		string(graph.KindAccount), string(graph.KindOrgUnit), string(graph.KindUser),
		string(graph.KindGroup), string(graph.KindRole), string(graph.KindServicePrincipal),
		string(graph.KindIdentityProvider), string(graph.KindAnonymous), string(graph.KindPolicy),
		string(graph.KindResource), string(graph.KindScope), string(graph.KindPattern),
	}
}

func edgeKinds() []string {
	return []string{
		string(graph.EdgeRunsAs), string(graph.EdgeCanAssume), string(graph.EdgeCanEscalate),
		string(graph.EdgeCanAccess), string(graph.EdgeCanInvoke), string(graph.EdgeTriggers),
		string(graph.EdgeMemberOf), string(graph.EdgeHasPolicy), string(graph.EdgeInAccount),
		string(graph.EdgeChildOf), string(graph.EdgeCovers), string(graph.EdgeHasBoundary),
	}
}

func findingKinds() []string {
	return []string{
		string(graph.FindingExternalTrust), string(graph.FindingExternalAccess), string(graph.FindingPublic),
		string(graph.FindingAdmin), string(graph.FindingEscalation), string(graph.FindingConfusedDeputy),
		string(graph.FindingWildcardAction), string(graph.FindingWildcardResource), string(graph.FindingPassRoleAny),
		string(graph.FindingDataStoreWildcard), string(graph.FindingUnusedGrant), string(graph.FindingBlastRadius),
	}
}

func accessLevels() []string {
	return []string{
		graph.LevelList, graph.LevelRead, graph.LevelWrite, graph.LevelPermissions,
		graph.LevelTagging, graph.LevelUnknown, graph.LevelMixed,
	}
}

func directions() []string { return []string{"out", "in", "both"} }

func toKinds[T ~string](vs []string) []T {
	if len(vs) == 0 {
		return nil
	}
	out := make([]T, len(vs))
	for i, v := range vs {
		out[i] = T(v)
	}
	return out
}

// validAction checks an IAM action pattern: "service:Action" with
// wildcards, or "*".
func validAction(a string) error {
	if a == "*" {
		return nil
	}
	svc, name, ok := strings.Cut(a, ":")
	if !ok || svc == "" || name == "" || strings.ContainsAny(a, " \t/") {
		return fmt.Errorf("%q is not an IAM action (want service:Action, wildcards allowed, e.g. s3:Get*)", a)
	}
	return nil
}
