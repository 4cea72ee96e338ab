package graph_test

import (
	"testing"

	"github.com/iamreach/iamreach/graph"
)

func TestGlobAndWildcardMatch(t *testing.T) {
	cases := []struct {
		pattern, s  string
		glob, match bool // Glob (case-sensitive), WildcardMatch (case-insensitive)
	}{
		{"arn:aws:s3:::pii-*", "arn:aws:s3:::pii-customers", true, true},
		{"arn:aws:s3:::PII-*", "arn:aws:s3:::pii-customers", false, true},
		{"s3:Get*", "s3:getobject", false, true},
		{"s3:Get?bject", "s3:GetObject", true, true},
		{"s3:*Object", "s3:GetObjectAcl", false, false},
		{"*", "", true, true},
		{"a*b*c", "a-x-b-y-c", true, true},
		{"a*b*c", "a-x-b-y", false, false},
		{"", "x", false, false},
	}
	for _, c := range cases {
		if got := graph.Glob(c.pattern, c.s); got != c.glob {
			t.Errorf("Glob(%q, %q) = %v, want %v", c.pattern, c.s, got, c.glob)
		}
		if got := graph.WildcardMatch(c.pattern, c.s); got != c.match {
			t.Errorf("WildcardMatch(%q, %q) = %v, want %v", c.pattern, c.s, got, c.match)
		}
	}
}
