package demo_test

import (
	"testing"

	"github.com/iamreach/iamreach/demo"
)

func TestSnapshotDecodes(t *testing.T) {
	s, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Accounts) < 3 || s.Organization == nil {
		t.Fatalf("demo has %d accounts, organization %v", len(s.Accounts), s.Organization)
	}
	fns := 0
	for _, a := range s.Accounts {
		for _, r := range a.Resources {
			if r.Type == "lambda:function" {
				fns++
				if len(r.RunsAs) != 1 {
					t.Errorf("%s runs as %v, want one role", r.ARN, r.RunsAs)
				}
			}
		}
	}
	if fns < 20 {
		t.Errorf("demo has %d functions, want 20+", fns)
	}
}
