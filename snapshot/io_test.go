package snapshot_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamreach/iamreach/snapshot"
)

func sample() *snapshot.Snapshot {
	return &snapshot.Snapshot{
		SchemaVersion: snapshot.SchemaVersion,
		GeneratedAt:   time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC),
		Source:        "test",
		Complete:      true,
		Accounts: []snapshot.Account{{
			ID:    "111122223333",
			Roles: []snapshot.Role{{ARN: "arn:aws:iam::111122223333:role/app", Name: "app", TrustPolicy: []byte(`{"Version":"2012-10-17","Statement":[]}`)}},
			Resources: []snapshot.Resource{{
				ARN: "arn:aws:s3:::bucket", Type: snapshot.TypeS3Bucket, Account: "111122223333",
				Policy: []byte(`{"Version":"2012-10-17","Statement":[]}`),
			}},
		}},
		Gaps: []snapshot.Gap{{Account: "111122223333", Region: "eu-west-1", Service: "kms", Code: "AccessDenied", Error: "denied"}},
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	for _, name := range []string{"snap.json", "snap.json.gz"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			want := sample()
			if err := snapshot.WriteFile(path, want); err != nil {
				t.Fatal(err)
			}
			got, err := snapshot.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// Policy documents are kept as raw JSON, re-indented on write:
			// compare what the two encode to.
			var g, w bytes.Buffer
			if err := snapshot.Encode(&g, got); err != nil {
				t.Fatal(err)
			}
			if err := snapshot.Encode(&w, want); err != nil {
				t.Fatal(err)
			}
			if g.String() != w.String() || got.Gaps[0] != want.Gaps[0] || !got.GeneratedAt.Equal(want.GeneratedAt) {
				t.Fatalf("round trip changed the snapshot:\n got %s\nwant %s", g.String(), w.String())
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 1 {
				t.Fatalf("temporary files left behind: %v", entries)
			}
		})
	}
}

func TestDecodeErrorsNameTheField(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"newer schema":      {`{"schemaVersion": 2, "accounts": []}`, "schemaVersion is 2, newer than"},
		"no schema":         {`{"accounts": []}`, "schemaVersion is missing"},
		"unknown field":     {`{"schemaVersion": 1, "accounts": [], "colour": 1}`, `unknown field "colour"`},
		"wrong type":        {`{"schemaVersion": 1, "accounts": [{"id": 5}]}`, "field accounts.id"},
		"truncated":         {`{"schemaVersion": 1, "accounts": [{"id": "1111`, "line 1"},
		"empty account id":  {`{"schemaVersion": 1, "accounts": [{"id": ""}]}`, "accounts[0].id is empty"},
		"resource no type":  {`{"schemaVersion": 1, "accounts": [{"id": "1", "resources": [{"arn": "arn:aws:s3:::b", "account": "1"}]}]}`, "accounts[0].resources[0].type is empty"},
		"duplicate account": {`{"schemaVersion": 1, "accounts": [{"id": "1"}, {"id": "1"}]}`, `accounts[1].id "1" appears twice`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := snapshot.Decode(strings.NewReader(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want it to contain %q", err, c.want)
			}
		})
	}
}
