package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/iamreach/iamreach/internal/fileio"
)

// Decode reads a snapshot (plain or gzip-compressed JSON) and checks its
// schema version. Errors name the field that is wrong.
func Decode(r io.Reader) (*Snapshot, error) {
	data, err := fileio.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("snapshot: read: %w", err)
	}
	var head struct {
		SchemaVersion *int `json:"schemaVersion"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("snapshot: not a JSON object: %w", describeJSONError(data, err))
	}
	switch {
	case head.SchemaVersion == nil:
		return nil, errors.New("snapshot: field schemaVersion is missing (is this an iamreach snapshot?)")
	case *head.SchemaVersion > SchemaVersion:
		return nil, fmt.Errorf("snapshot: field schemaVersion is %d, newer than this iamreach understands (%d): upgrade iamreach", *head.SchemaVersion, SchemaVersion)
	case *head.SchemaVersion < 1:
		return nil, fmt.Errorf("snapshot: field schemaVersion is %d, want %d", *head.SchemaVersion, SchemaVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Snapshot
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("snapshot: %w", describeJSONError(data, err))
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// describeJSONError turns encoding/json errors into messages naming the
// field (or the byte offset of a syntax error, with line and column).
func describeJSONError(data []byte, err error) error {
	var typeErr *json.UnmarshalTypeError
	var synErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return fmt.Errorf("field %s: got JSON %s, want %s", typeErr.Field, typeErr.Value, typeErr.Type)
	case errors.As(err, &synErr):
		line, col := lineCol(data, synErr.Offset)
		return fmt.Errorf("invalid JSON at line %d, column %d: %v", line, col, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("truncated JSON (the file ends in the middle of a value): %w", err)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return fmt.Errorf("%s (written by a newer iamreach, or not a snapshot)", strings.TrimPrefix(err.Error(), "json: "))
	}
	return err
}

func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// Validate checks the invariants the graph build relies on and names the
// first field that breaks one.
func (s *Snapshot) Validate() error {
	seen := map[string]bool{}
	for i, a := range s.Accounts {
		if a.ID == "" {
			return fmt.Errorf("snapshot: accounts[%d].id is empty", i)
		}
		if seen[a.ID] {
			return fmt.Errorf("snapshot: accounts[%d].id %q appears twice", i, a.ID)
		}
		seen[a.ID] = true
		for j, r := range a.Resources {
			if r.ARN == "" {
				return fmt.Errorf("snapshot: accounts[%d].resources[%d].arn is empty", i, j)
			}
			if r.Type == "" {
				return fmt.Errorf("snapshot: accounts[%d].resources[%d].type is empty (%s)", i, j, r.ARN)
			}
		}
		for j, r := range a.Roles {
			if r.ARN == "" {
				return fmt.Errorf("snapshot: accounts[%d].roles[%d].arn is empty", i, j)
			}
		}
		for j, u := range a.Users {
			if u.ARN == "" {
				return fmt.Errorf("snapshot: accounts[%d].users[%d].arn is empty", i, j)
			}
		}
	}
	return nil
}

// ReadFile reads a snapshot from a file (".gz" or not, detected by content).
func ReadFile(path string) (*Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Encode writes the snapshot as indented JSON.
func Encode(w io.Writer, s *Snapshot) error {
	if s.SchemaVersion == 0 {
		s.SchemaVersion = SchemaVersion
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(s)
}

// WriteFile writes the snapshot atomically: to a temporary file in the same
// directory, renamed over path only when complete. A name ending in ".gz"
// is gzip-compressed.
func WriteFile(path string, s *Snapshot) error {
	return fileio.WriteAtomic(path, ".snapshot-*", func(w io.Writer) error { return Encode(w, s) })
}
