package neo4j

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/iamreach/iamreach/graph"
)

// A first load of a large organization into an EMPTY database is much
// faster with Neo4j's offline importer (`neo4j-admin database import
// full`) than with transactional writes. WriteImportFiles writes the CSV
// files for it, in exactly the layout Load writes (generation 1, complete
// and current, bookkeeping nodes included); after the import, the first
// Load or EnsureSchema creates the constraints and indexes, and later loads
// make generation 2, 3 … as usual.

// importGen is the generation an imported database holds.
const importGen = 1

// importArrayDelimiter separates the elements of array properties in the
// CSV files: a control character that no action, level or policy ID
// contains (checked while writing).
const importArrayDelimiter = '\x1f'

// ImportFiles describes the files WriteImportFiles wrote.
type ImportFiles struct {
	Dir string
	// Nodes are the node files, each with the labels its nodes get.
	Nodes []ImportNodeFile
	// Relationships are the relationship files (type in each row).
	Relationships []string
	// Multiline is set when a value holds a line break: the importer then
	// needs --multiline-fields=true (slower).
	Multiline bool
	// MaxField is the length in bytes of the longest value written.
	MaxField int
	// Counts of what the files hold (graph nodes, relationships, findings).
	NodeCount, EdgeCount, FindingCount int
	// Skipped lists edges that were not written and why, as Load reports
	// them.
	Skipped []string
}

// ImportNodeFile is one node file and the labels of its nodes.
type ImportNodeFile struct {
	Labels []string
	File   string // name inside Dir
}

// Args are the arguments of `neo4j-admin database import full` after the
// command itself, the files named as seen from dir (the directory the
// files are in, as the importer sees it: e.g. /import inside a container).
// The database name comes first: the file options take every following
// word that is not an option as one more file.
func (f ImportFiles) Args(dir, database string) []string {
	if database == "" {
		database = "neo4j"
	}
	join := func(name string) string {
		if strings.HasPrefix(dir, "/") { // a POSIX path, e.g. inside a container, whatever this OS
			return path.Join(dir, name)
		}
		return filepath.Join(dir, name)
	}
	args := []string{database, "--id-type=integer", fmt.Sprintf("--array-delimiter=U+%04X", importArrayDelimiter)}
	for _, n := range f.Nodes {
		args = append(args, "--nodes="+strings.Join(n.Labels, ":")+"="+join(n.File))
	}
	for _, r := range f.Relationships {
		args = append(args, "--relationships="+join(r))
	}
	if f.Multiline {
		args = append(args, "--multiline-fields=true")
	}
	if f.MaxField > 4<<20-1024 {
		args = append(args, fmt.Sprintf("--read-buffer-size=%d", (f.MaxField/(1<<20)+2)<<20))
	}
	return args
}

// Command is the whole command line for a shell, files named as seen from
// dir.
func (f ImportFiles) Command(dir, database string) string {
	parts := []string{"neo4j-admin", "database", "import", "full"}
	for _, a := range f.Args(dir, database) {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=+/.:,@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// WriteImportFiles writes g into dir (created if missing) as CSV files for
// `neo4j-admin database import full`, laid out exactly as Load writes
// generation 1: every node with the label Node and its kind's label and
// the same properties (gen = 1), every relationship with the same type
// and properties, the findings, the complete Generation node and the
// IamreachState node pointing at it (next generation 2). Malformed graphs
// are refused as Load refuses them; edges with a missing endpoint are
// skipped and reported.
func WriteImportFiles(dir string, g *graph.Graph) (ImportFiles, error) {
	out := ImportFiles{Dir: dir}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return out, fmt.Errorf("import files: %w", err)
	}
	nodes, edges, skipped, err := prepare(g)
	if err != nil {
		return out, err
	}
	out.Skipped = skipped
	nprops, eprops, err := allProps(g, edges)
	if err != nil {
		return out, err
	}
	w := &csvWriter{}

	// Graph nodes, one file per label (each with the columns its nodes
	// use). The ID column is the node's position: relationships refer to
	// it; it is not stored.
	byLabel := map[string][]int{}
	for i, n := range nodes {
		byLabel[n.label] = append(byLabel[n.label], i)
	}
	for _, l := range slices.Sorted(maps.Keys(byLabel)) {
		idx := byLabel[l]
		rows := make([]map[string]any, len(idx))
		ids := make([]string, len(idx))
		for j, i := range idx {
			rows[j] = nprops[i]
			ids[j] = strconv.Itoa(i)
		}
		name := "nodes-" + l + ".csv"
		if err := w.write(filepath.Join(dir, name), []string{":ID(node)"}, [][]string{ids}, rows, map[string]any{"gen": int64(importGen)}); err != nil {
			return out, err
		}
		out.Nodes = append(out.Nodes, ImportNodeFile{Labels: []string{labelNode, l}, File: name})
	}
	out.NodeCount = len(nodes)

	// Relationships: start, end and type columns, then the properties.
	starts, ends, types := make([]string, len(edges)), make([]string, len(edges)), make([]string, len(edges))
	for i, e := range edges {
		starts[i], ends[i], types[i] = strconv.Itoa(e.from), strconv.Itoa(e.to), e.relType
	}
	if len(edges) > 0 { // a file of no rows would be one more argument for nothing
		if err := w.write(filepath.Join(dir, "relationships.csv"), []string{":START_ID(node)", ":END_ID(node)", ":TYPE"},
			[][]string{starts, ends, types}, eprops, nil); err != nil {
			return out, err
		}
		out.Relationships = []string{"relationships.csv"}
	}
	out.EdgeCount = len(edges)

	// Findings, as Load writes them.
	frows, err := findingRows(g.Findings, importGen)
	if err != nil {
		return out, err
	}
	fmaps := make([]map[string]any, len(frows))
	for i, r := range frows {
		fmaps[i] = r.(map[string]any)
	}
	if len(fmaps) > 0 { // no rows: no columns, and a header must have one
		if err := w.write(filepath.Join(dir, "findings.csv"), nil, nil, fmaps, nil); err != nil {
			return out, err
		}
		out.Nodes = append(out.Nodes, ImportNodeFile{Labels: []string{labelFinding}, File: "findings.csv"})
	}
	out.FindingCount = len(frows)

	// Bookkeeping: generation 1, complete, and the state node pointing at
	// it, as beginGeneration and switchTo leave them.
	mj, err := json.Marshal(g.Meta)
	if err != nil {
		return out, fmt.Errorf("encode meta: %w", err)
	}
	now := time.Now().UTC()
	genRow := map[string]any{"gen": int64(importGen), "state": stateComplete, "startedAt": now, "source": g.Meta.Source,
		"meta": string(mj), "completedAt": now, "nodes": int64(out.NodeCount), "edges": int64(out.EdgeCount),
		"findings": int64(out.FindingCount)}
	if err := w.write(filepath.Join(dir, "generation.csv"), nil, nil, []map[string]any{genRow}, nil); err != nil {
		return out, err
	}
	out.Nodes = append(out.Nodes, ImportNodeFile{Labels: []string{labelGeneration}, File: "generation.csv"})
	stateRow := map[string]any{"key": stateKey, "nextGen": int64(importGen + 1), "gen": int64(importGen),
		"schemaVersion": int64(SchemaVersion), "switchedAt": now}
	if err := w.write(filepath.Join(dir, "state.csv"), nil, nil, []map[string]any{stateRow}, nil); err != nil {
		return out, err
	}
	out.Nodes = append(out.Nodes, ImportNodeFile{Labels: []string{labelState}, File: "state.csv"})
	out.Multiline, out.MaxField = w.multiline, w.maxField
	return out, nil
}

// EnsureSchema creates the constraints and indexes (idempotent) and waits
// until they are online: run it once after an import (Load does it too).
// They are created in one transaction, so Neo4j populates them together
// in one pass over the imported nodes instead of one pass each; a server
// that refuses that gets them one per transaction (as Load does).
func (s *Store) EnsureSchema(ctx context.Context) error {
	if err := s.drv.VerifyConnectivity(ctx); err != nil {
		return s.classify("connect", err)
	}
	_, err := writeTx(ctx, s, "create schema", func(ctx context.Context, tx neo4j.ManagedTransaction) (struct{}, error) {
		for _, q := range schemaStatements {
			res, err := tx.Run(ctx, q, nil)
			if err != nil {
				return struct{}{}, fmt.Errorf("%s: %w", q, err)
			}
			if _, err := res.Consume(ctx); err != nil {
				return struct{}{}, fmt.Errorf("%s: %w", q, err)
			}
		}
		return struct{}{}, nil
	})
	if err != nil {
		s.log.Info("neo4j schema in one transaction refused; one statement per transaction", "error", err)
	}
	return s.ensureSchema(ctx)
}

// csvWriter writes property rows as neo4j-admin import CSV: a header of
// name:type columns (the union of the rows' keys, sorted, after the fixed
// columns), strings always quoted so an empty string stays one, a missing
// property an empty field.
type csvWriter struct {
	multiline bool
	maxField  int
}

// importType is the header type of a Go property value.
func importType(v any) (string, error) {
	switch v.(type) {
	case string:
		return "string", nil
	case bool:
		return "boolean", nil
	case int64:
		return "long", nil
	case []string:
		return "string[]", nil
	case time.Time:
		return "datetime", nil
	}
	return "", fmt.Errorf("property value of type %T cannot be imported", v)
}

// write writes fixed columns (header names and one value slice per
// column) beside the property rows; extra properties (constant for all
// rows) are added to each row.
func (w *csvWriter) write(file string, fixed []string, fixedVals [][]string, rows []map[string]any, extra map[string]any) error {
	types := map[string]string{}
	add := func(k string, v any) error {
		t, err := importType(v)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", filepath.Base(file), k, err)
		}
		if old, ok := types[k]; ok && old != t {
			return fmt.Errorf("%s: property %s is %s in one row and %s in another", filepath.Base(file), k, old, t)
		}
		types[k] = t
		return nil
	}
	for k, v := range extra {
		if err := add(k, v); err != nil {
			return err
		}
	}
	for _, r := range rows {
		for k, v := range r {
			if _, dup := extra[k]; dup {
				return fmt.Errorf("%s: property %s is set twice", filepath.Base(file), k)
			}
			if err := add(k, v); err != nil {
				return err
			}
		}
	}
	keys := slices.Sorted(maps.Keys(types))

	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("import files: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	var line []byte
	// Header: fixed columns, then name:type (the type after the last colon,
	// so names with colons, such as tag keys, are kept whole).
	for _, h := range fixed {
		line = sep(line)
		line = append(line, h...)
	}
	for _, k := range keys {
		line = sep(line)
		line = w.quoted(line, k+":"+types[k])
	}
	line = append(line, '\n')
	if _, err := bw.Write(line); err != nil {
		return fmt.Errorf("import files: %w", err)
	}
	for i, r := range rows {
		line = line[:0]
		col := 0
		for _, vals := range fixedVals {
			line = sepAt(line, col)
			col++
			line = w.quoted(line, vals[i])
		}
		for _, k := range keys {
			line = sepAt(line, col)
			col++
			v, ok := r[k]
			if !ok {
				v, ok = extra[k]
			}
			if !ok {
				continue // absent: empty field, no property
			}
			line, err = w.value(line, v)
			if err != nil {
				return fmt.Errorf("%s: row %d: %s: %w", filepath.Base(file), i+1, k, err)
			}
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("import files: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("import files: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("import files: %w", err)
	}
	return nil
}

// sep separates header columns (never empty, so "not empty" means "not
// the first").
func sep(line []byte) []byte {
	if len(line) > 0 {
		return append(line, ',')
	}
	return line
}

// sepAt separates the columns of a row, where a field may be empty.
func sepAt(line []byte, col int) []byte {
	if col > 0 {
		return append(line, ',')
	}
	return line
}

func (w *csvWriter) value(line []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return w.quoted(line, x), nil
	case bool:
		return strconv.AppendBool(line, x), nil
	case int64:
		return strconv.AppendInt(line, x, 10), nil
	case time.Time:
		return append(line, x.UTC().Format(time.RFC3339Nano)...), nil
	case []string:
		for _, e := range x {
			if strings.ContainsRune(e, importArrayDelimiter) {
				return nil, fmt.Errorf("array element %q holds the array delimiter U+%04X", e, importArrayDelimiter)
			}
		}
		return w.quoted(line, strings.Join(x, string(importArrayDelimiter))), nil
	}
	return nil, fmt.Errorf("value of type %T cannot be imported", v)
}

// quoted appends s as a quoted CSV field (RFC 4180: inner quotes doubled).
func (w *csvWriter) quoted(line []byte, s string) []byte {
	if len(s) > w.maxField {
		w.maxField = len(s)
	}
	if !w.multiline && strings.ContainsAny(s, "\r\n") {
		w.multiline = true
	}
	line = append(line, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		line = append(line, s[:i+1]...)
		line = append(line, '"')
		s = s[i+1:]
	}
	line = append(line, s...)
	return append(line, '"')
}
