package graph

import (
	"bytes"

	"github.com/iamreach/iamreach/policy"
	"sort"
	"strconv"
	"strings"
)

// Resources that carry a policy are grouped, like resources without one
// (resourceSignature), when their policies differ only by the resource's
// own ARN inside Resource/NotResource elements: the generator's bucket
// policies (and many real ones) name the bucket itself. The engine reads a
// resource pattern only by matching it against the ARN asked about, and
// the signature records those matches pattern by pattern, so resources
// with the same shape and the same matches get the same decisions.

// shapes interns policy shapes: template → shape ID (from 1).
type shapes map[string]int

// shapeSelf stands for the resource's own ARN in a template; a NUL byte
// cannot appear unescaped in a JSON document.
const shapeSelf = "\x00self\x00"

// setShape gives r, when its policy has a shape, the shape ID and the
// policy's resource patterns (in statement order).
func (b *builder) setShape(r *resource) {
	if r.named == nil || r.named.Policy == nil {
		return
	}
	arn := r.src.ARN
	raw := r.src.Policy
	if arn == "" || bytes.IndexByte(raw, '\\') >= 0 {
		return // escapes: occurrences in the text and in the values could differ
	}
	// Every occurrence of the ARN in the document must be inside a
	// Resource or NotResource value: nowhere else (principals, conditions,
	// Sid) may the policies of a group differ.
	var pats []string
	inResources := 0
	for _, st := range r.named.Policy.Statements() {
		for _, lists := range [][]string{st.Resources, st.NotResources} {
			for _, p := range lists {
				if strings.Contains(p, "${") {
					return // variables are resolved per request
				}
				inResources += strings.Count(p, arn)
				pats = append(pats, p)
			}
		}
	}
	if strings.Count(string(raw), arn) != inResources {
		return
	}
	r.shapeTags = mentionsResourceTags(raw)
	tmpl := strings.ReplaceAll(string(raw), arn, shapeSelf)
	id, ok := b.shapes[tmpl]
	if !ok {
		id = len(b.shapes) + 1
		b.shapes[tmpl] = id
	}
	r.shape = id
	for _, p := range pats {
		r.shapePatterns = append(r.shapePatterns, b.matcher(p))
	}
}

// mentionsResourceTags says whether a policy text may read resource tags
// (aws:ResourceTag/…, iam:ResourceTag/…, any service's form), the only way
// the engine sees them.
func mentionsResourceTags(raw []byte) bool {
	return bytes.Contains(bytes.ToLower(raw), []byte("resourcetag"))
}

// sigBase is the part of a resource's signature that does not depend on
// the actor: service, type and KMS key manager.
func sigBase(r *resource) string {
	var sb strings.Builder
	sb.WriteString(strconv.Quote(r.service()))
	sb.WriteString(strconv.Quote(r.src.Type))
	sb.WriteString(strconv.Quote(r.src.Properties["keyManager"]))
	return sb.String()
}

// sigTags is the resource's tags for its signature, when a policy may
// read them.
func sigTags(r *resource) string {
	var sb strings.Builder
	keys := make([]string, 0, len(r.src.Tags))
	for k := range r.src.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		sb.WriteString(strconv.Quote(k))
		sb.WriteByte('=')
		sb.WriteString(strconv.Quote(r.src.Tags[k]))
	}
	return sb.String()
}

// patMatcher is a resource pattern compiled for appendPatternBits.
type patMatcher struct {
	raw   string
	whole *policy.ResourceMatcher
	// subs match the pattern's prefixes that end before a '/' or ':' (see
	// subResource): one of them matching an ARN means the pattern names
	// sub-resources of it.
	subs []*policy.ResourceMatcher
	// cuts[i] is where subs[i]'s prefix ends in raw.
	cuts []int
}

// matcher compiles a pattern once per build.
func (b *builder) matcher(p string) *patMatcher {
	if v, ok := b.matchers.Load(p); ok {
		return v.(*patMatcher)
	}
	m := &patMatcher{raw: p, whole: policy.CompileResourceMatcher(p)}
	for j := len("arn:aws:"); j < len(p); j++ {
		if p[j] == '/' || p[j] == ':' {
			m.subs = append(m.subs, policy.CompileResourceMatcher(p[:j]))
			m.cuts = append(m.cuts, j)
		}
	}
	v, _ := b.matchers.LoadOrStore(p, m)
	return v.(*patMatcher)
}

// bits says whether the pattern matches arn (1), its objects obj = arn/*
// (2), or names sub-resources of arn (4).
func (m *patMatcher) bits(arn, obj string) byte {
	bits := byte('0')
	if m.whole.Match(arn) {
		bits |= 1
	}
	if m.whole.Match(obj) {
		bits |= 2
	}
	for _, s := range m.subs {
		if s.Match(arn) {
			bits |= 4
			break
		}
	}
	return bits
}

// sub is subResource(m.raw, arn) with the compiled prefixes.
func (m *patMatcher) sub(arn string) (string, bool) {
	for i, s := range m.subs {
		if s.Match(arn) {
			return arn + m.raw[m.cuts[i]:], true
		}
	}
	return "", false
}
