package neo4j

import (
	"context"
	"errors"
	"strings"
	"testing"

	drv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/iamreach/iamreach/graph"
)

// TestClassify: driver errors become messages that say what to do, and the
// ones meaning "cannot answer now" wrap graph.ErrUnavailable. (Wrong
// credentials cannot be shown against the test server, which runs without
// auth, so the server's error is reproduced here.)
func TestClassify(t *testing.T) {
	s := &Store{cfg: Config{URI: "bolt://db:7687", Database: "graphs"}}
	tests := []struct {
		name        string
		err         error
		unavailable bool
		says        string
	}{
		{"wrong credentials", &drv.Neo4jError{Code: "Neo.ClientError.Security.Unauthorized", Msg: "The client is unauthorized due to authentication failure."}, true, "--user/--password"},
		{"no such database", &drv.Neo4jError{Code: "Neo.ClientError.Database.DatabaseNotFound", Msg: "Database does not exist"}, true, `no database "graphs"`},
		{"transient", &drv.Neo4jError{Code: "Neo.TransientError.General.DatabaseUnavailable", Msg: "db starting"}, true, "retry"},
		{"syntax", &drv.Neo4jError{Code: "Neo.ClientError.Statement.SyntaxError", Msg: "bad"}, false, "bad"},
		{"connectivity", &drv.ConnectivityError{Inner: errors.New("dial tcp 127.0.0.1:7687: connect: connection refused")}, true, "start Neo4j"},
		{"cancelled", context.Canceled, false, "canceled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.classify("read", tc.err)
			if errors.Is(err, graph.ErrUnavailable) != tc.unavailable {
				t.Errorf("unavailable = %v, want %v (%v)", !tc.unavailable, tc.unavailable, err)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("message %q does not say %q", err, tc.says)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("%v does not wrap the driver error", err)
			}
		})
	}
}

func TestLexicalCheck(t *testing.T) {
	for _, q := range []string{"MATCH (n) RETURN n", "MATCH (n {name: 'DROP'}) RETURN n.created", "CALL db.labels()", "EXPLAIN MATCH (n) RETURN n"} {
		if err := lexicalCheck(q); err != nil {
			t.Errorf("%q refused: %v", q, err)
		}
	}
	for _, q := range []string{"create (n)", "CALL dbms.components()", "call apoc.help('x')", "LOAD  CSV FROM 'x' AS r RETURN r", "USE system SHOW USERS"} {
		if err := lexicalCheck(q); !errors.Is(err, ErrRefused) {
			t.Errorf("%q not refused: %v", q, err)
		}
	}
}
