package neo4j

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/iamreach/iamreach/graph"
)

// ErrRefused is returned (wrapped) when a Cypher query is not a plain read.
var ErrRefused = errors.New("query refused: only read-only Cypher is allowed")

// CypherTimeout bounds a read-only Cypher query (server-side transaction
// timeout and client context).
const CypherTimeout = 10 * time.Second

// maxCypherRows caps the limit a caller may ask for.
const maxCypherRows = 10000

// readProcedures are the procedures a read-only query may call: schema and
// metadata introspection only. Everything else (dbms.*, apoc.*, gds.*, db.create*, …) is refused.
var readProcedures = map[string]bool{
	"db.labels": true, "db.relationshiptypes": true, "db.propertykeys": true,
	"db.schema.visualization": true, "db.schema.nodetypeproperties": true,
	"db.schema.reltypeproperties": true, "db.indexes": true, "db.constraints": true,
}

var (
	procCall   = regexp.MustCompile(`(?i)\bCALL\s+([A-Za-z_][A-Za-z0-9_.]*)\s*(\(|YIELD\b|$|;)`)
	writeWords = regexp.MustCompile(`(?i)\b(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP|LOAD\s+CSV|FOREACH|GRANT|REVOKE|DENY|ALTER|RENAME|START\s+DATABASE|STOP\s+DATABASE|TERMINATE|USE)\b`)
	leadingKw  = regexp.MustCompile(`(?i)^\s*(EXPLAIN|PROFILE)\b`)
	comments   = regexp.MustCompile(`(?s)//[^\n]*|/\*.*?\*/`)
	strLits    = regexp.MustCompile(`'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"`)
)

// RunReadCypher runs a read-only Cypher query for power users. Three
// independent guards refuse anything else:
//  1. a lexical check (outside string literals and comments) for write
//     clauses, LOAD CSV, USE, administration commands, and procedure calls
//     other than schema introspection;
//  2. the server's own plan: the query is EXPLAINed first and must be of
//     statement type read-only, with no write, LOAD CSV or procedure
//     operators other than the allowed ones;
//  3. it then runs in a read-mode session and a read transaction, which the
//     server refuses to let write.
//
// Rows are capped at limit (default 1000, max 10000) and the query at
// CypherTimeout.
func (s *Store) RunReadCypher(ctx context.Context, query string, params map[string]any, limit int) (graph.CypherResult, error) {
	if limit <= 0 {
		limit = 1000
	}
	limit = min(limit, maxCypherRows)
	if err := lexicalCheck(query); err != nil {
		return graph.CypherResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, CypherTimeout)
	defer cancel()
	body := leadingKw.ReplaceAllString(query, "")
	type out struct {
		res graph.CypherResult
	}
	o, err := readTx(ctx, s, func(ctx context.Context, tx neo4j.ManagedTransaction) (out, error) {
		plan, err := tx.Run(ctx, "EXPLAIN "+body, params)
		if err != nil {
			return out{}, err
		}
		sum, err := plan.Consume(ctx)
		if err != nil {
			return out{}, err
		}
		if err := planCheck(sum); err != nil {
			return out{}, err
		}
		r, err := tx.Run(ctx, body, params)
		if err != nil {
			return out{}, err
		}
		keys, err := r.Keys()
		if err != nil {
			return out{}, err
		}
		res := graph.CypherResult{Columns: keys, Rows: [][]any{}}
		for r.Next(ctx) {
			if len(res.Rows) >= limit {
				res.Truncated = true
				break
			}
			vals := r.Record().Values
			row := make([]any, len(vals))
			for i, v := range vals {
				row[i] = plain(v)
			}
			res.Rows = append(res.Rows, row)
		}
		if err := r.Err(); err != nil {
			return out{}, err
		}
		return out{res}, nil
	}, neo4j.WithTxTimeout(CypherTimeout))
	if err != nil {
		var ne *neo4j.Neo4jError
		if errors.As(err, &ne) && (strings.Contains(ne.Code, "AccessMode") || strings.Contains(ne.Code, "Forbidden")) {
			return graph.CypherResult{}, fmt.Errorf("%w: the server refused it in a read transaction (%s)", ErrRefused, ne.Msg)
		}
		return graph.CypherResult{}, err
	}
	return o.res, nil
}

// lexicalCheck refuses write clauses and non-introspection procedure
// calls, ignoring string literals and comments.
func lexicalCheck(query string) error {
	q := comments.ReplaceAllString(query, " ")
	q = strLits.ReplaceAllString(q, "''")
	if strings.TrimSpace(q) == "" {
		return fmt.Errorf("%w: empty query", ErrRefused)
	}
	if m := leadingKw.FindStringSubmatch(q); m != nil && strings.EqualFold(m[1], "PROFILE") {
		return fmt.Errorf("%w: PROFILE is not allowed (use EXPLAIN or the query itself)", ErrRefused)
	}
	if m := writeWords.FindString(q); m != "" {
		return fmt.Errorf("%w: %s is not allowed", ErrRefused, strings.ToUpper(m))
	}
	for _, m := range procCall.FindAllStringSubmatch(q, -1) {
		if !readProcedures[strings.ToLower(m[1])] {
			return fmt.Errorf("%w: procedure %s is not allowed (allowed: %s)", ErrRefused, m[1], allowedProcs())
		}
	}
	if strings.Contains(strings.ToLower(q), "apoc.") {
		return fmt.Errorf("%w: APOC is not allowed", ErrRefused)
	}
	if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(q)), "SHOW") {
		return fmt.Errorf("%w: SHOW commands are not allowed", ErrRefused)
	}
	return nil
}

func allowedProcs() string {
	ps := make([]string, 0, len(readProcedures))
	for p := range readProcedures {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return strings.Join(ps, ", ")
}

// planCheck reads the server's plan: statement type read-only, and no
// operator that writes, loads files or calls a procedure not allowed.
func planCheck(sum neo4j.ResultSummary) error {
	if t := sum.StatementType(); t != neo4j.StatementTypeReadOnly {
		return fmt.Errorf("%w: the server classifies it as %s", ErrRefused, t)
	}
	var walk func(p neo4j.Plan) error
	walk = func(p neo4j.Plan) error {
		if p == nil {
			return nil
		}
		op := strings.ToLower(p.Operator())
		switch {
		case strings.Contains(op, "create"), strings.Contains(op, "merge"), strings.Contains(op, "delete"),
			strings.Contains(op, "set"), strings.Contains(op, "remove"), strings.Contains(op, "loadcsv"),
			strings.Contains(op, "foreach"):
			return fmt.Errorf("%w: the plan contains a %s operator", ErrRefused, p.Operator())
		case strings.Contains(op, "procedurecall"):
			sig := strings.ToLower(fmt.Sprint(p.Arguments()["Details"]))
			ok := false
			for name := range readProcedures {
				if strings.HasPrefix(strings.TrimSpace(sig), name+"(") {
					ok = true
				}
			}
			if !ok {
				return fmt.Errorf("%w: the plan calls a procedure that is not allowed (%s)", ErrRefused, sig)
			}
		}
		for _, c := range p.Children() {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(sum.Plan())
}

// plain turns driver values into JSON-friendly ones.
func plain(v any) any {
	switch x := v.(type) {
	case dbtype.Node:
		return map[string]any{"labels": x.Labels, "properties": plainMap(x.Props)}
	case dbtype.Relationship:
		return map[string]any{"type": x.Type, "properties": plainMap(x.Props)}
	case dbtype.Path:
		ns := make([]any, len(x.Nodes))
		for i, n := range x.Nodes {
			ns[i] = plain(n)
		}
		rs := make([]any, len(x.Relationships))
		for i, r := range x.Relationships {
			rs[i] = plain(r)
		}
		return map[string]any{"nodes": ns, "relationships": rs}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case map[string]any:
		return plainMap(x)
	case nil, bool, int64, float64, string:
		return x
	case []byte:
		return x
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

func plainMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = plain(v)
	}
	return out
}
