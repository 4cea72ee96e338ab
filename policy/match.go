package policy

import "strings"

// actionPattern is one compiled Action/NotAction entry.
type actionPattern struct {
	lower string // lower-cased pattern
	kind  patKind
}

type patKind uint8

const (
	patAny    patKind = iota // "*"
	patExact                 // no wildcard
	patPrefix                // "svc:Get*" (one trailing *)
	patWild                  // anything else
)

func classify(p string, lits bool) patKind {
	if p == "*" {
		return patAny
	}
	special := "*?"
	if lits {
		special = "*?\x01\x02"
	}
	i := strings.IndexAny(p, special)
	switch {
	case i < 0:
		return patExact
	case i == len(p)-1 && p[i] == '*':
		return patPrefix
	}
	return patWild
}

func compileActions(vals []string) []actionPattern {
	out := make([]actionPattern, len(vals))
	for i, v := range vals {
		l := lowerASCII(v)
		out[i] = actionPattern{lower: l, kind: classify(l, false)}
	}
	return out
}

func (p *actionPattern) match(action string) bool {
	switch p.kind {
	case patAny:
		return true
	case patExact:
		return len(p.lower) == len(action) && hasPrefixFold(action, p.lower)
	case patPrefix:
		return len(action) >= len(p.lower)-1 && hasPrefixFold(action, p.lower[:len(p.lower)-1])
	}
	return wildcardFold(p.lower, action)
}

// MatchAction reports whether an Action pattern ("s3:Get*", "*", "iam:?etRole")
// matches an action ("s3:GetObject"), case-insensitively.
func MatchAction(pattern, action string) bool {
	p := actionPattern{lower: lowerASCII(pattern)}
	p.kind = classify(p.lower, false)
	return p.match(action)
}

// lowerASCII lower-cases ASCII letters only, as action matching does.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lower(b[j])
			}
			return string(b)
		}
	}
	return s
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixFold: s starts with lowerPrefix, ASCII case-insensitively.
func hasPrefixFold(s, lowerPrefix string) bool {
	if len(s) < len(lowerPrefix) {
		return false
	}
	for i := 0; i < len(lowerPrefix); i++ {
		if lower(s[i]) != lowerPrefix[i] {
			return false
		}
	}
	return true
}

// Escaped wildcard characters: a policy variable ${*} or ${?} stands for a
// literal character, kept in compiled patterns as these bytes.
const (
	litStar     = '\x01'
	litQuestion = '\x02'
)

// wildcardMatch matches s against p: `*` any run (also empty), `?` exactly
// one character; fold lower-cases s's bytes (p must then be lower case).
// Greedy with single backtrack point: linear in practice, no allocation.
// lits: the pattern comes from resolved policy variables, where the bytes
// litStar and litQuestion stand for literal '*' and '?'.
func wildcardMatch(p, s string, fold, lits bool) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		if px < len(p) {
			c := p[px]
			switch c {
			case '*':
				starP, starS = px, sx
				px++
				continue
			case '?':
				px++
				sx++
				continue
			}
			sc := s[sx]
			if fold {
				sc = lower(sc)
			}
			if lits {
				switch c {
				case litStar:
					c = '*'
				case litQuestion:
					c = '?'
				}
			}
			if c == sc {
				px++
				sx++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		px, sx = starP+1, starS
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

func wildcardFold(lowerPattern, s string) bool { return wildcardMatch(lowerPattern, s, true, false) }

// resourcePattern is one compiled Resource/NotResource entry.
type resourcePattern struct {
	raw   string
	any   bool
	lits  bool      // made from resolved variables: litStar/litQuestion are literal
	vars  bool      // contains policy variables, resolved per request
	parts [6]string // arn, partition, service, region, account, resource
	kinds [6]patKind
	// prefix: when the first five parts have no wildcard, they joined with
	// their colons ("arn:aws:s3:::"), so matching is a prefix comparison
	// and one wildcard match of the resource part.
	prefix string
}

func compileResources(vals []string, version string) []resourcePattern {
	out := make([]resourcePattern, len(vals))
	for i, v := range vals {
		out[i] = compileResource(v, version)
	}
	return out
}

func compileResource(v, version string) resourcePattern {
	return compileResourcePattern(v, version, false)
}

// compileResolved compiles a pattern produced by resolving variables.
func compileResolved(v string) resourcePattern { return compileResourcePattern(v, "", true) }

func compileResourcePattern(v, version string, lits bool) resourcePattern {
	r := resourcePattern{raw: v, lits: lits}
	if v == "*" {
		r.any = true
		return r
	}
	if version == "2012-10-17" && strings.Contains(v, "${") {
		r.vars = true
		return r
	}
	r.parts = splitARN(v)
	for i, p := range r.parts {
		r.kinds[i] = classify(p, lits)
	}
	if strings.Count(v, ":") >= 5 {
		exact := true
		for i := 0; i < 5; i++ {
			exact = exact && r.kinds[i] == patExact
		}
		if exact {
			r.prefix = strings.Join(r.parts[:5], ":") + ":"
		}
	}
	return r
}

// splitARN splits at the first five colons; the sixth part keeps the rest.
// Missing parts are empty.
func splitARN(s string) [6]string {
	var out [6]string
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			out[i] = s
			return out
		}
		out[i], s = s[:j], s[j+1:]
	}
	out[5] = s
	return out
}

func matchPart(p string, k patKind, s string, lits bool) bool {
	switch k {
	case patAny:
		return true
	case patExact:
		return p == s
	case patPrefix:
		return strings.HasPrefix(s, p[:len(p)-1])
	}
	return wildcardMatch(p, s, false, lits)
}

// match matches a compiled pattern without variables against an ARN.
func (r *resourcePattern) match(arn string) bool {
	if r.any {
		return true
	}
	if r.allExact() {
		return arn == r.raw
	}
	if r.prefix != "" {
		return strings.HasPrefix(arn, r.prefix) && matchPart(r.parts[5], r.kinds[5], arn[len(r.prefix):], r.lits)
	}
	rest := arn
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return false
		}
		if !matchPart(r.parts[i], r.kinds[i], rest[:j], r.lits) {
			return false
		}
		rest = rest[j+1:]
	}
	return matchPart(r.parts[5], r.kinds[5], rest, r.lits)
}

// MatchResource reports whether a Resource pattern matches an ARN: "*"
// matches anything, otherwise the six ARN parts match one by one with `*`
// and `?` wildcards, case-sensitively. Policy variables are not resolved.
func MatchResource(pattern, arn string) bool {
	r := compileResource(pattern, "")
	return r.match(arn)
}

// ResourceMatcher is a Resource pattern compiled once for matching many
// ARNs, with MatchResource's semantics (MatchResource compiles the pattern
// on every call).
type ResourceMatcher struct {
	p resourcePattern
}

// CompileResourceMatcher compiles a Resource pattern for Match.
func CompileResourceMatcher(pattern string) *ResourceMatcher {
	return &ResourceMatcher{p: compileResource(pattern, "")}
}

// Match reports whether the pattern matches arn, as MatchResource does.
func (m *ResourceMatcher) Match(arn string) bool { return m.p.match(arn) }

func (r *resourcePattern) allExact() bool {
	for _, k := range r.kinds {
		if k != patExact {
			return false
		}
	}
	return true
}
