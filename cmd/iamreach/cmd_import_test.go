package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamreach/iamreach/snapshot"
)

func collectorCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}, args)
	return code, out.String(), errOut.String()
}

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "snap.json")
	td := "../../collector/gaad/testdata/"
	code, _, stderr := collectorCLI(t, "import", "--gaad", td+"gaad-111122223333.json", td+"malformed-444455556666.json", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"imported 2 account(s)", "8 problem(s)", `statement 1 (Sid "Typo")`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary does not say %q:\n%s", want, stderr)
		}
	}
	s, err := snapshot.ReadFile(out)
	if err != nil || len(s.Accounts) != 2 || len(s.Gaps) != 8 {
		t.Fatalf("snapshot: %v", err)
	}

	code, _, stderr = collectorCLI(t, "import", "--gaad", td+"notjson.json", "-o", filepath.Join(dir, "x.json"))
	if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "notjson.json") {
		t.Errorf("bad file: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.json")); err == nil {
		t.Error("a failed import wrote a snapshot")
	}
	// Standard input is empty under go test: a gap, the file is still imported.
	code, _, stderr = collectorCLI(t, "import", "--gaad", td+"gaad-111122223333.json", "-o", filepath.Join(dir, "y.json"), "-")
	if code != 0 || !strings.Contains(stderr, "stdin: file is empty") || !strings.Contains(stderr, "imported 1 account(s)") {
		t.Errorf("a file after flags, and stdin: exit %d, %q", code, stderr)
	}
	code, _, stderr = collectorCLI(t, "import")
	if code != 1 || !strings.Contains(stderr, "no input") {
		t.Errorf("no input: exit %d, %q", code, stderr)
	}
}

func TestCollectCommandBadInput(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", empty)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"collect", "--profile", "nope"}, `AWS profile "nope" not found`},
		{[]string{"collect", "--services", "s3,lamda"}, `unknown service "lamda"`},
		{[]string{"collect", "--regions", "Europe"}, `region "Europe" is not a region name`},
		{[]string{"collect", "stray"}, `unexpected argument "stray"`},
	} {
		code, _, stderr := collectorCLI(t, c.args...)
		if code == 0 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want one line with %q", c.args, code, stderr, c.want)
		}
	}
}
