// Package demo ships the bundled demo organization: a serverless shop of
// four accounts (management, security, workloads, data) with an API in
// front of 23 Lambda functions, written by hand and documented in
// docs/demo.md. It needs no AWS account.
package demo

import (
	"bytes"
	_ "embed"
	"fmt"

	"github.com/iamreach/iamreach/snapshot"
)

//go:embed demo.json
var demoJSON []byte

// Snapshot returns a fresh copy of the demo organization's snapshot.
func Snapshot() (*snapshot.Snapshot, error) {
	s, err := snapshot.Decode(bytes.NewReader(demoJSON))
	if err != nil {
		return nil, fmt.Errorf("demo snapshot: %w", err)
	}
	return s, nil
}

// JSON returns the demo snapshot file as shipped.
func JSON() []byte { return append([]byte(nil), demoJSON...) }
