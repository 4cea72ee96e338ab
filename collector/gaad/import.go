package gaad

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/iamreach/iamreach/snapshot"
)

// ImportFiles reads one GAAD file per account ("-" is standard input; gzip
// is detected) and builds a snapshot. A file
// that cannot be used at all, or a second file for the same account, is a
// gap; the others are still imported. The error is non-nil only when no
// file could be imported. The snapshot is marked incomplete when any file
// was truncated or broken.
func ImportFiles(paths []string, now time.Time) (*snapshot.Snapshot, error) {
	s := &snapshot.Snapshot{
		SchemaVersion: snapshot.SchemaVersion,
		GeneratedAt:   now.UTC(),
		Source:        "gaad-import",
		Complete:      true,
		Accounts:      []snapshot.Account{},
	}
	from := map[string]string{} // account → file
	var firstErr error
	for _, path := range paths {
		name := filepath.Base(path)
		if path == "-" {
			name = "stdin"
		}
		acct, gaps, code, err := importFile(path)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			s.Gaps = append(s.Gaps, snapshot.Gap{Service: "iam", Operation: "import", Resource: name, Code: code, Error: err.Error()})
			s.Complete = false
			continue
		}
		if prev, dup := from[acct.ID]; dup {
			s.Gaps = append(s.Gaps, snapshot.Gap{Account: acct.ID, Service: "iam", Operation: "import", Resource: name, Code: "Duplicate",
				Error: fmt.Sprintf("%s: account %s was already imported from %s; this file is skipped", name, acct.ID, prev)})
			continue
		}
		from[acct.ID] = name
		for _, g := range gaps {
			if g.Code == CodeTruncated || g.Code == CodeMalformedJSON {
				s.Complete = false
			}
		}
		s.Accounts = append(s.Accounts, acct)
		s.Gaps = append(s.Gaps, gaps...)
	}
	if len(s.Accounts) == 0 {
		if firstErr != nil {
			return nil, firstErr
		}
		return nil, fmt.Errorf("no account imported")
	}
	sort.Slice(s.Accounts, func(i, j int) bool { return s.Accounts[i].ID < s.Accounts[j].ID })
	return s, nil
}

// importFile returns the account and its gaps, or the gap code and error
// that make the file unusable.
func importFile(path string) (snapshot.Account, []snapshot.Gap, string, error) {
	var in io.Reader = os.Stdin
	name := "stdin"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return snapshot.Account{}, nil, "Unreadable", err
		}
		defer f.Close()
		in, name = f, filepath.Base(path)
	}
	// A gzip-compressed export is read as is.
	br := bufio.NewReader(in)
	in = br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return snapshot.Account{}, nil, "Unreadable", fmt.Errorf("%s: gzip: %w", name, err)
		}
		defer zr.Close()
		in = zr
	}
	d, gaps, err := Read(name, in)
	if err != nil {
		return snapshot.Account{}, nil, CodeMalformedJSON, err
	}
	acct, more, err := Convert(name, "", d)
	if err != nil {
		return snapshot.Account{}, nil, CodeMissing, err
	}
	for i := range gaps {
		gaps[i].Account = acct.ID
	}
	return acct, append(gaps, more...), "", nil
}
