package neo4j_test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/graph"
	"github.com/iamreach/iamreach/graph/neo4j"
	"github.com/iamreach/iamreach/graph/storetest"
)

var cypherBlock = regexp.MustCompile("(?s)```cypher\n(.*?)```")

// docQueries returns the Cypher queries of docs/neo4j.md.
func docQueries(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../docs/neo4j.md")
	if err != nil {
		t.Fatal(err)
	}
	var qs []string
	for _, m := range cypherBlock.FindAllStringSubmatch(string(b), -1) {
		qs = append(qs, strings.TrimSpace(m[1]))
	}
	if len(qs) < 10 {
		t.Fatalf("docs/neo4j.md has %d Cypher queries, want at least 10", len(qs))
	}
	return qs
}

// TestDocQueries runs every query of docs/neo4j.md through the read-only
// Cypher guard on a loaded graph: each must be accepted and return rows.
func TestDocQueries(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	for _, f := range docFixtures(t) {
		t.Run(f.Name, func(t *testing.T) {
			load(t, s, f.Graph(), neo4j.LoadOptions{})
			for i, q := range docQueries(t) {
				out, err := s.RunReadCypher(ctx, q, nil, 100)
				if err != nil {
					t.Errorf("query %d: %v\n%s", i+1, err, q)
					continue
				}
				if len(out.Rows) == 0 {
					t.Errorf("query %d returned no rows on %s\n%s", i+1, f.Name, q)
				}
			}
		})
	}
}

func docFixtures(t *testing.T) []storetest.Fixture {
	return []storetest.Fixture{{Name: "demo", Graph: storetest.Demo}, {Name: "generated", Graph: func() *graph.Graph {
		return storetest.Generate(storetest.GenSpec{Accounts: 3, Roles: 14, Users: 4, Functions: 6, Resources: 18}, 21)
	}}}
}
