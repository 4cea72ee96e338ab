package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/iamreach/iamreach/internal/fileio"
)

// GraphFormat identifies a built graph file, so a snapshot is not mistaken
// for one (and the other way round).
const GraphFormat = "iamreach-graph/1"

type graphFile struct {
	Format string `json:"format"`
	*Graph
}

// WriteJSON writes a built graph as JSON, one node, edge or finding at a
// time, so a large graph is never held twice in memory. The document is
// {"format", "meta", "nodes", "edges", "findings"}, as graphFile encodes.
func WriteJSON(w io.Writer, g *Graph) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	put := func(s string) error {
		_, err := io.WriteString(w, s)
		return err
	}
	format, _ := json.Marshal(GraphFormat)
	err := put(`{"format":` + string(format) + `,"meta":`)
	if err == nil {
		err = enc.Encode(g.Meta)
	}
	if err == nil {
		err = writeArray(w, enc, "nodes", g.Nodes, false)
	}
	if err == nil {
		err = writeArray(w, enc, "edges", g.Edges, false)
	}
	if err == nil {
		err = writeArray(w, enc, "findings", g.Findings, true)
	}
	if err == nil {
		err = put("}\n")
	}
	if err != nil {
		return fmt.Errorf("write graph: %w", err)
	}
	return nil
}

// writeArray writes ,"name":[...] element by element (nothing if the list is
// empty and omitEmpty, as the field's omitempty tag would).
func writeArray[T any](w io.Writer, enc *json.Encoder, name string, xs []T, omitEmpty bool) error {
	if len(xs) == 0 && omitEmpty {
		return nil
	}
	if xs == nil {
		_, err := io.WriteString(w, `,"`+name+`":null`)
		return err
	}
	if _, err := io.WriteString(w, `,"`+name+`":[`); err != nil {
		return err
	}
	for i := range xs {
		if i > 0 {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		if err := enc.Encode(&xs[i]); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "]")
	return err
}

// ReadJSON reads a graph written by WriteJSON (plain or gzip-compressed),
// decoding it element by element rather than holding the whole text.
func ReadJSON(r io.Reader) (*Graph, error) {
	rd, err := fileio.Reader(r)
	if err != nil {
		return nil, fmt.Errorf("read graph: %w", err)
	}
	g, err := readGraph(json.NewDecoder(rd))
	if err != nil {
		return nil, fmt.Errorf("read graph: %w", err)
	}
	if err := g.validate(); err != nil {
		return nil, fmt.Errorf("read graph: %w", err)
	}
	return g, nil
}

func readGraph(dec *json.Decoder) (*Graph, error) {
	dec.DisallowUnknownFields()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	g := &Graph{}
	format := ""
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		if key != "format" && format != GraphFormat {
			// The format comes first in every graph file.
			if key == "schemaVersion" {
				return nil, errors.New("this is a snapshot, not a built graph (use --snapshot)")
			}
			return nil, fmt.Errorf("field %q before format: a graph file starts with \"format\": %q", key, GraphFormat)
		}
		switch key {
		case "format":
			if err := dec.Decode(&format); err != nil {
				return nil, fmt.Errorf("format: %w", err)
			}
			if format != GraphFormat {
				return nil, fmt.Errorf("field format is %q, want %q", format, GraphFormat)
			}
		case "meta":
			err = dec.Decode(&g.Meta)
		case "nodes":
			g.Nodes, err = readArray[Node](dec)
		case "edges":
			g.Edges, err = readArray[Edge](dec)
		case "findings":
			g.Findings, err = readArray[Finding](dec)
		default:
			return nil, fmt.Errorf("unknown field %q", key)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
	}
	if format != GraphFormat {
		return nil, fmt.Errorf("field format is %q, want %q", format, GraphFormat)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return g, nil
}

// readArray decodes a JSON array (or null) one element at a time.
func readArray[T any](dec *json.Decoder) ([]T, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, nil
	}
	if t != json.Delim('[') {
		return nil, fmt.Errorf("want an array, got %v", t)
	}
	out := []T{}
	for dec.More() {
		var x T
		if err := dec.Decode(&x); err != nil {
			return nil, fmt.Errorf("element %d: %w", len(out), err)
		}
		out = append(out, x)
	}
	_, err = dec.Token() // ]
	return out, err
}

// validate checks that node IDs are unique and every edge joins two nodes.
func (g *Graph) validate() error {
	ids := make(map[string]bool, len(g.Nodes))
	for i, n := range g.Nodes {
		if n.ID == "" {
			return fmt.Errorf("nodes[%d].id is empty", i)
		}
		if ids[n.ID] {
			return fmt.Errorf("nodes[%d].id %q appears twice", i, n.ID)
		}
		ids[n.ID] = true
	}
	for i, e := range g.Edges {
		if !ids[e.From] {
			return fmt.Errorf("edges[%d] (%s): from %q is not a node", i, e.ID, e.From)
		}
		if !ids[e.To] {
			return fmt.Errorf("edges[%d] (%s): to %q is not a node", i, e.ID, e.To)
		}
	}
	return nil
}

// WriteFile writes the graph atomically; a name ending in ".gz" is compressed.
func WriteFile(path string, g *Graph) error {
	return fileio.WriteAtomic(path, ".graph-*", func(w io.Writer) error { return WriteJSON(w, g) })
}

// ReadFile reads a graph file written by WriteFile.
func ReadFile(path string) (*Graph, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	g, err := ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}
