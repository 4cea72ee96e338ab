// Package web serves the built explorer UI (web/dist, built with npm and
// embedded at compile time).
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Files returns the built UI. It holds only .keep when the UI was not built.
func Files() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is embedded above; cannot fail
	}
	return sub
}
