package collector_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// faultProxy stands in front of moto and injects failures into chosen
// operations: throttling, access denied, dropped connections, or a hang;
// or answers chosen operations itself (see faultRule.answer).
type faultProxy struct {
	srv   *httptest.Server
	rp    *httputil.ReverseProxy
	rules []*faultRule
}

type fault int

const (
	throttle fault = iota // the service's throttling error
	deny                  // AccessDenied
	drop                  // close the connection without an answer
	hang                  // wait until the client gives up
)

type faultRule struct {
	service, operation, region string // "" matches any region
	match                      func(r *http.Request) bool
	fault                      fault
	first                      int    // fail only the first n matching requests; 0 = all
	code                       string // error code to answer instead of the fault's usual one
	// answer, when set, answers matching requests itself instead of a
	// fault (an emulation of a call moto lacks); form is the query body.
	answer func(w http.ResponseWriter, r *http.Request, form url.Values)

	mu      sync.Mutex
	matched int
	failed  int
	seen    chan struct{} // closed at the first match, if not nil
}

func newFaultProxy(target string, rules ...*faultRule) *faultProxy {
	u, _ := url.Parse(target)
	p := &faultProxy{rp: httputil.NewSingleHostReverseProxy(u), rules: rules}
	p.srv = httptest.NewServer(p)
	return p
}

func (p *faultProxy) URL() string { return p.srv.URL }
func (p *faultProxy) Close()      { p.srv.Close() }

var credScope = regexp.MustCompile(`Credential=[^/]+/[0-9]+/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request`)

// operation names the call from what the protocols put on the wire: the
// X-Amz-Target header (JSON), the Action form field (query), or for REST
// services the caller's match function.
func operation(r *http.Request, body []byte) (service, region, op string) {
	if m := credScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		region, service = m[1], m[2]
	}
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return service, region, t[strings.LastIndex(t, ".")+1:]
	}
	if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
		return service, region, v.Get("Action")
	}
	return service, region, ""
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	service, region, op := operation(r, body)
	for _, rule := range p.rules {
		if rule.service != service || (rule.region != "" && rule.region != region) {
			continue
		}
		if rule.operation != "" && rule.operation != op || rule.match != nil && !rule.match(r) {
			continue
		}
		rule.mu.Lock()
		rule.matched++
		fail := rule.first == 0 || rule.failed < rule.first
		if fail {
			rule.failed++
		}
		if rule.seen != nil && rule.matched == 1 {
			close(rule.seen)
		}
		rule.mu.Unlock()
		if rule.answer != nil {
			form, _ := url.ParseQuery(string(body))
			rule.answer(w, r, form)
			return
		}
		if fail {
			p.inject(w, r, service, rule.fault, rule.code)
			return
		}
	}
	p.rp.ServeHTTP(w, r)
}

func (p *faultProxy) inject(w http.ResponseWriter, r *http.Request, service string, f fault, override string) {
	switch f {
	case drop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case hang:
		<-r.Context().Done()
		return
	}
	code, status := "ThrottlingException", http.StatusBadRequest
	if f == deny {
		code, status = "AccessDeniedException", http.StatusForbidden
	}
	if override != "" {
		code = override
	}
	switch {
	case service == "apigateway" || service == "lambda": // REST-JSON protocols
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Errortype", code)
		w.WriteHeader(status)
		io.WriteString(w, `{"message":"injected by the fault proxy"}`)
	case r.Header.Get("X-Amz-Target") != "": // JSON protocols
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Errortype", code)
		w.WriteHeader(status)
		io.WriteString(w, `{"__type":"`+code+`","message":"injected by the fault proxy"}`)
	default: // S3 and query protocols: XML
		switch {
		case override != "":
		case code == "AccessDeniedException":
			code = "AccessDenied"
		default:
			code = "Throttling"
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		if service == "s3" {
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>injected by the fault proxy</Message></Error>`)
			return
		}
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type><Code>`+code+`</Code><Message>injected by the fault proxy</Message></Error><RequestId>fault</RequestId></ErrorResponse>`)
	}
}

func (r *faultRule) counts() (matched, failed int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.matched, r.failed
}

var _ = context.Background
