package graph

import (
	"bytes"
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

// WriteJSON writes a built graph as JSON.
func WriteJSON(w io.Writer, g *Graph) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(graphFile{Format: GraphFormat, Graph: g}); err != nil {
		return fmt.Errorf("write graph: %w", err)
	}
	return nil
}

// ReadJSON reads a graph written by WriteJSON (plain or gzip-compressed).
func ReadJSON(r io.Reader) (*Graph, error) {
	data, err := fileio.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read graph: %w", err)
	}
	var head struct {
		Format        string `json:"format"`
		SchemaVersion *int   `json:"schemaVersion"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("read graph: not a JSON object: %w", err)
	}
	switch {
	case head.Format == "" && head.SchemaVersion != nil:
		return nil, errors.New("read graph: this is a snapshot, not a built graph (use --snapshot)")
	case head.Format != GraphFormat:
		return nil, fmt.Errorf("read graph: field format is %q, want %q", head.Format, GraphFormat)
	}
	g := &Graph{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&graphFile{Graph: g}); err != nil {
		return nil, fmt.Errorf("read graph: %w", err)
	}
	if err := g.validate(); err != nil {
		return nil, fmt.Errorf("read graph: %w", err)
	}
	return g, nil
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
