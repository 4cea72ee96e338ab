package api

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"
)

// notBuiltPage is served at / when the binary was built without the UI.
const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>iamreach — UI not built</title></head>
<body>
<h1>iamreach</h1>
<p>The web UI was not built into this binary, so there is nothing to show here yet.</p>
<p>Build it with <code>make build</code> (or <code>make demo</code>), which runs
<code>npm ci</code> and <code>npm run build</code> in <code>web/</code> and embeds the result, then start the server again.</p>
<p>The JSON API works without it: see <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>
and <a href="/api/v1/health">/api/v1/health</a>.</p>
</body></html>
`

// uiHandler serves the built explorer from an fs.FS. Paths that name a
// file serve it; other paths without a file extension are client routes
// and get index.html; a missing asset is a 404.
type uiHandler struct {
	files fs.FS
	built bool
	log   *slog.Logger
}

func newUIHandler(files fs.FS, log *slog.Logger) *uiHandler {
	h := &uiHandler{files: files, log: log}
	if files != nil {
		if st, err := fs.Stat(files, "index.html"); err == nil && !st.IsDir() {
			h.built = true
		}
	}
	return h
}

func (h *uiHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, APIPrefix+"/") || r.URL.Path == APIPrefix || strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Cache-Control", "no-store")
		writeErrorBody(w, http.StatusNotFound, CodeNotFound, "no such API route: "+r.URL.Path+" (the API lives under "+APIPrefix+")")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeErrorBody(w, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "method "+r.Method+" is not allowed on "+r.URL.Path)
		return
	}
	if !h.built {
		w.Header().Set("Cache-Control", "no-store")
		if r.URL.Path != "/" && r.URL.Path != "/index.html" {
			http.Error(w, "404 page not found — the web UI was not built; see /", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(notBuiltPage))
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	if h.serveFile(w, r, name) {
		return
	}
	if path.Ext(name) != "" {
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	// A client route (e.g. /reach): the UI's router reads the URL.
	h.serveFile(w, r, "index.html")
}

// serveFile serves one regular file; false if there is none by that name.
func (h *uiHandler) serveFile(w http.ResponseWriter, r *http.Request, name string) bool {
	data, err := fs.ReadFile(h.files, name)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !isDirErr(h.files, name) {
			h.log.ErrorContext(r.Context(), "read UI file", "file", name, "err", err)
		}
		return false
	}
	if name == "index.html" {
		// index.html names the hashed assets of the current build.
		w.Header().Set("Cache-Control", "no-cache")
	}
	// http.ServeContent sets Content-Type from the extension, handles
	// Range and If-Modified-Since; embedded files have no time.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
	return true
}

func isDirErr(files fs.FS, name string) bool {
	st, err := fs.Stat(files, name)
	return err == nil && st.IsDir()
}
