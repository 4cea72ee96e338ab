package api

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
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

	mu      sync.Mutex
	gzipped map[string][]byte // compressed text files, made once (the FS never changes)
}

func newUIHandler(files fs.FS, log *slog.Logger) *uiHandler {
	h := &uiHandler{files: files, log: log, gzipped: map[string][]byte{}}
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
	switch {
	case name == "index.html":
		// index.html names the hashed assets of the current build.
		w.Header().Set("Cache-Control", "no-cache")
	case strings.HasPrefix(name, "assets/"):
		// The bundler puts a content hash in every asset's name.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if compressible(ctype) && r.Header.Get("Range") == "" && acceptsGzip(r) {
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Add("Vary", "Accept-Encoding")
		if r.Method != http.MethodHead {
			_, _ = w.Write(h.gzip(name, data))
		}
		return true
	}
	// http.ServeContent sets Content-Type from the extension, handles
	// Range and If-Modified-Since; embedded files have no time.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
	return true
}

// gzip returns the compressed file, compressing it on first use.
func (h *uiHandler) gzip(name string, data []byte) []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	if z, ok := h.gzipped[name]; ok {
		return z
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // valid level: no error
	_, _ = zw.Write(data)                                    // writes to memory cannot fail
	_ = zw.Close()
	h.gzipped[name] = buf.Bytes()
	return buf.Bytes()
}

func compressible(ctype string) bool {
	for _, p := range []string{"text/", "application/javascript", "application/json", "image/svg+xml"} {
		if strings.HasPrefix(ctype, p) {
			return true
		}
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func isDirErr(files fs.FS, name string) bool {
	st, err := fs.Stat(files, name)
	return err == nil && st.IsDir()
}
