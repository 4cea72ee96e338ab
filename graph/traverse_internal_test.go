package graph

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// routeBefore must order routes exactly as their keys do, including edge
// IDs that are prefixes of one another (where the "|" separator counts).
func TestRouteBeforeMatchesKeys(t *testing.T) {
	cases := [][2][]string{
		{{"a", "b"}, {"a", "c"}}, {{"ab", "c"}, {"a", "bc"}}, {{"a", "z"}, {"a|", "a"}},
		{{"a"}, {"a"}}, {{"x|y", "z"}, {"x", "y|z"}}, {{"a", "a"}, {"a", "a{"}}, {{"a", "|"}, {"a|", "a"}},
		{{"a!", "b"}, {"a", "b"}}, {{"CAN_ACCESS|r|s3", "COVERS|s3|b"}, {"CAN_ACCESS|r|s3:x", "COVERS|s3|b"}},
	}
	mk := func(ids []string) ([]*Edge, route) {
		var refs []*Edge
		var r route
		for _, id := range ids {
			refs = append(refs, &Edge{ID: id})
			r = append(r, Edge{ID: id})
		}
		return refs, r
	}
	for _, c := range cases {
		for _, pair := range [][2][]string{c, {c[1], c[0]}} {
			a, ra := mk(pair[0])
			b, rb := mk(pair[1])
			if want := ra.key() < rb.key(); routeBefore(a, b) != want {
				t.Errorf("routeBefore(%q, %q) = %v, keys say %v", pair[0], pair[1], !want, want)
			}
		}
	}
}

// selectFirst must leave the k least elements in front, for every k.
func TestSelectFirst(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	less := func(a, b int) bool { return a < b }
	for n := 0; n < 60; n++ {
		for k := 0; k <= n; k++ {
			xs := rng.Perm(n)
			selectFirst(xs, k, less)
			got := slices.Clone(xs[:k])
			slices.Sort(got)
			for i, v := range got {
				if v != i {
					t.Fatalf("n=%d k=%d: first k are %v", n, k, xs[:k])
				}
			}
		}
	}
}
