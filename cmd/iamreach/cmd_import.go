package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/iamreach/iamreach/collector/gaad"
	"github.com/iamreach/iamreach/snapshot"
)

func runImport(_ context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	first := fs.String("gaad", "", "`FILE` of `aws iam get-account-authorization-details` output (one per account; more files may follow; - for stdin; gzip is detected)")
	out := fs.String("o", "snapshot.json", "snapshot `file` to write (.gz to compress)")
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: iamreach import --gaad FILE... [-o snapshot.json] [--quiet]")
		fs.PrintDefaults()
	}
	// Flags and files may interleave: --gaad a.json b.json -o snap.json.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
		rest := fs.Args()
		for len(rest) > 0 && (rest[0] == "-" || !strings.HasPrefix(rest[0], "-")) {
			files = append(files, rest[0])
			rest = rest[1:]
		}
		if len(rest) == 0 {
			break
		}
		if len(rest) == len(args) { // nothing parsed: cannot make progress
			return fmt.Errorf("unexpected argument %q", rest[0])
		}
		args = rest
	}
	if *first != "" {
		files = append([]string{*first}, files...)
	}
	if len(files) == 0 {
		return errors.New("no input: pass --gaad FILE (the output of `aws iam get-account-authorization-details`, one file per account)")
	}
	s, err := gaad.ImportFiles(files, time.Now())
	if err != nil {
		return err
	}
	if err := snapshot.WriteFile(*out, s); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	if !*quiet {
		printImportSummary(e.stderr, s, *out)
	}
	return nil
}

func printImportSummary(w io.Writer, s *snapshot.Snapshot, out string) {
	var users, groups, roles, policies int
	for _, a := range s.Accounts {
		users += len(a.Users)
		groups += len(a.Groups)
		roles += len(a.Roles)
		policies += len(a.Policies)
	}
	fmt.Fprintf(w, "imported %d account(s): %d users, %d groups, %d roles, %d managed policies → %s\n",
		len(s.Accounts), users, groups, roles, policies, out)
	if len(s.Gaps) == 0 {
		return
	}
	state := "complete"
	if !s.Complete {
		state = "INCOMPLETE"
	}
	fmt.Fprintf(w, "%d problem(s), recorded in the snapshot's gaps (snapshot is %s):\n", len(s.Gaps), state)
	for _, g := range s.Gaps {
		fmt.Fprintf(w, "  [%s] %s\n", g.Code, g.Error)
	}
}
