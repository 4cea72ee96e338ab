package api

import _ "embed"

//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the OpenAPI 3.0 document of the API (served at
// /api/v1/openapi.json). The caller gets its own copy.
func OpenAPI() []byte {
	return append([]byte(nil), openAPIDoc...)
}
