package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/iamreach/iamreach/api"
	"github.com/iamreach/iamreach/graph"
)

type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Servers    []struct{ URL string }                `json:"servers"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas    map[string]json.RawMessage `json:"schemas"`
		Parameters map[string]json.RawMessage `json:"parameters"`
		Responses  map[string]json.RawMessage `json:"responses"`
	} `json:"components"`
}

type operation struct {
	Parameters  []json.RawMessage          `json:"parameters"`
	Responses   map[string]json.RawMessage `json:"responses"`
	RequestBody json.RawMessage            `json:"requestBody"`
}

type parameter struct {
	Ref      string          `json:"$ref"`
	Name     string          `json:"name"`
	In       string          `json:"in"`
	Required bool            `json:"required"`
	Schema   json.RawMessage `json:"schema"`
}

func loadDoc(t *testing.T) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0") || len(doc.Servers) != 1 || doc.Servers[0].URL != api.APIPrefix {
		t.Fatalf("openapi %q servers %v: want 3.0.x with the one server %s", doc.OpenAPI, doc.Servers, api.APIPrefix)
	}
	return doc
}

func (d openAPIDoc) op(t *testing.T, method, path string) operation {
	t.Helper()
	raw, ok := d.Paths[path][strings.ToLower(method)]
	if !ok {
		t.Fatalf("no operation %s %s in the document", method, path)
	}
	var op operation
	if err := json.Unmarshal(raw, &op); err != nil {
		t.Fatalf("operation %s %s: %v", method, path, err)
	}
	return op
}

func (d openAPIDoc) params(t *testing.T, op operation) []parameter {
	t.Helper()
	var out []parameter
	for _, raw := range op.Parameters {
		var p parameter
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		if p.Ref != "" {
			name := strings.TrimPrefix(p.Ref, "#/components/parameters/")
			if err := json.Unmarshal(d.Components.Parameters[name], &p); err != nil || p.Name == "" {
				t.Fatalf("parameter %s does not resolve", p.Ref)
			}
		}
		out = append(out, p)
	}
	return out
}

// TestOpenAPIListsEveryRoute walks the router and the document both ways.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	doc := loadDoc(t)
	h := api.New(newFakeStore(), api.Options{CypherEnabled: true})
	routes, ok := h.(chi.Routes)
	if !ok {
		t.Fatalf("api.New returned %T, not a chi router", h)
	}
	var inRouter []string
	err := chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if !strings.HasPrefix(route, api.APIPrefix+"/") {
			t.Errorf("route %s %s outside %s", method, route, api.APIPrefix)
			return nil
		}
		inRouter = append(inRouter, method+" "+strings.TrimPrefix(route, api.APIPrefix))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var inDoc []string
	for path, ops := range doc.Paths {
		for method := range ops {
			inDoc = append(inDoc, strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(inRouter)
	sort.Strings(inDoc)
	for _, r := range inRouter {
		if !slices.Contains(inDoc, r) {
			t.Errorf("route %s is served but missing from openapi.json", r)
		}
	}
	for _, r := range inDoc {
		if !slices.Contains(inRouter, r) {
			t.Errorf("openapi.json documents %s, which the router does not serve", r)
		}
	}
	if len(inRouter) < 11 {
		t.Errorf("only %d routes walked: %v", len(inRouter), inRouter)
	}
}

var acceptsRE = regexp.MustCompile(`this route accepts: ([^)]*)\)`)

// validValue gives a value the handler accepts for a documented parameter.
func validValue(p parameter) string {
	switch p.Name {
	case "id", "from", "subject":
		return fnARN
	case "to":
		return bucketARN
	case "q":
		return "orders"
	case "kind":
		return ""
	case "account":
		return "111122223333"
	case "action":
		return "s3:GetObject"
	case "accessLevel":
		return "Read"
	case "resourceType":
		return "s3:bucket"
	case "excludeConditional":
		return "true"
	case "direction":
		return "out"
	case "maxDepth", "limit":
		return "2"
	}
	return "x"
}

// TestOpenAPIParametersMatchHandlers checks each route's documented query
// parameters against what its handler accepts, both ways: every documented
// parameter is accepted, and every accepted parameter is documented.
func TestOpenAPIParametersMatchHandlers(t *testing.T) {
	doc := loadDoc(t)
	fs := newFakeStore()
	h := api.New(fs, api.Options{WhyNot: fakeWhyNot(fs)})
	for path, ops := range doc.Paths {
		if _, ok := ops["get"]; !ok {
			continue
		}
		t.Run(path, func(t *testing.T) {
			op := doc.op(t, "GET", path)
			var documented []string
			vals := make([]string, 0)
			for _, p := range doc.params(t, op) {
				if p.In != "query" {
					t.Errorf("parameter %s is in %s; IDs travel as query parameters", p.Name, p.In)
				}
				documented = append(documented, p.Name)
				if v := validValue(p); v != "" {
					vals = append(vals, p.Name+"="+q(v))
				}
			}
			// Every documented parameter at once is accepted.
			r := get(t, h, api.APIPrefix+path+"?"+strings.Join(vals, "&"))
			if r.status != 200 {
				t.Fatalf("all documented parameters: %d %s", r.status, r.body)
			}
			// An unknown one is refused with the list of accepted ones.
			r = get(t, h, api.APIPrefix+path+"?"+strings.Join(append(vals, "zzUnknown=1"), "&"))
			_, msg := errorOf(t, r)
			m := acceptsRE.FindStringSubmatch(msg)
			if r.status != 400 || m == nil {
				t.Fatalf("unknown parameter: %d %q", r.status, msg)
			}
			var accepted []string
			if m[1] != "" {
				accepted = strings.Split(m[1], ", ")
			}
			slices.Sort(accepted)
			slices.Sort(documented)
			if !slices.Equal(accepted, documented) {
				t.Errorf("handler accepts %v, document lists %v", accepted, documented)
			}
		})
	}
}

// schemaChecker validates JSON values against the document's schemas:
// types, required properties, enums, items and additionalProperties.
type schemaChecker struct {
	doc openAPIDoc
}

type schema struct {
	Ref                  string                     `json:"$ref"`
	Type                 string                     `json:"type"`
	Required             []string                   `json:"required"`
	Properties           map[string]json.RawMessage `json:"properties"`
	Items                json.RawMessage            `json:"items"`
	Enum                 []any                      `json:"enum"`
	AdditionalProperties json.RawMessage            `json:"additionalProperties"`
	Pattern              string                     `json:"pattern"`
}

func (c schemaChecker) check(raw json.RawMessage, v any, at string) []string {
	var s schema
	if err := json.Unmarshal(raw, &s); err != nil {
		return []string{at + ": bad schema: " + err.Error()}
	}
	if s.Ref != "" {
		name := strings.TrimPrefix(s.Ref, "#/components/schemas/")
		def, ok := c.doc.Components.Schemas[name]
		if !ok {
			return []string{at + ": unresolved " + s.Ref}
		}
		return c.check(def, v, at)
	}
	var errs []string
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, v) {
		errs = append(errs, fmt.Sprintf("%s: %v not in enum %v", at, v, s.Enum))
	}
	switch s.Type {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return append(errs, fmt.Sprintf("%s: %T, want object", at, v))
		}
		for _, req := range s.Required {
			if _, ok := m[req]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required property %q missing", at, req))
			}
		}
		for k, val := range m {
			if ps, ok := s.Properties[k]; ok {
				errs = append(errs, c.check(ps, val, at+"."+k)...)
			} else if len(s.AdditionalProperties) > 0 && string(s.AdditionalProperties) != "true" {
				errs = append(errs, c.check(s.AdditionalProperties, val, at+"."+k)...)
			} else if len(s.AdditionalProperties) == 0 {
				errs = append(errs, fmt.Sprintf("%s: property %q is not documented", at, k))
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return append(errs, fmt.Sprintf("%s: %T, want array", at, v))
		}
		for i, e := range a {
			if len(s.Items) > 0 {
				errs = append(errs, c.check(s.Items, e, at+"["+strconv.Itoa(i)+"]")...)
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: %T, want string", at, v))
		} else if s.Pattern != "" && !regexp.MustCompile(s.Pattern).MatchString(str) {
			errs = append(errs, fmt.Sprintf("%s: %q does not match %s", at, str, s.Pattern))
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != float64(int64(f)) {
			errs = append(errs, fmt.Sprintf("%s: %v, want integer", at, v))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			errs = append(errs, fmt.Sprintf("%s: %T, want boolean", at, v))
		}
	}
	return errs
}

// responseSchema finds the documented schema of a route's response.
func (c schemaChecker) responseSchema(t *testing.T, method, path string, status int) json.RawMessage {
	t.Helper()
	op := c.doc.op(t, method, path)
	raw, ok := op.Responses[strconv.Itoa(status)]
	if !ok {
		t.Fatalf("%s %s: status %d is not documented", method, path, status)
	}
	var resp struct {
		Ref     string `json:"$ref"`
		Content map[string]struct {
			Schema json.RawMessage `json:"schema"`
		} `json:"content"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Ref != "" {
		name := strings.TrimPrefix(resp.Ref, "#/components/responses/")
		if err := json.Unmarshal(c.doc.Components.Responses[name], &resp); err != nil {
			t.Fatalf("%s does not resolve", resp.Ref)
		}
	}
	sch, ok := resp.Content["application/json"]
	if !ok {
		t.Fatalf("%s %s %d: no application/json schema", method, path, status)
	}
	return sch.Schema
}

// conforms checks one real response against its documented schema.
func (c schemaChecker) conforms(t *testing.T, method, path string, r response) {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("%s %s: body is not JSON: %s", method, path, r.body)
	}
	for _, e := range c.check(c.responseSchema(t, method, path, r.status), v, fmt.Sprintf("%s %s %d", method, path, r.status)) {
		t.Error(e)
	}
}

func TestResponsesMatchTheDocument(t *testing.T) {
	c := schemaChecker{doc: loadDoc(t)}
	cs := &cypherStore{fakeStore: newFakeStore()}
	h := api.New(cs, api.Options{CypherEnabled: true, WhyNot: fakeWhyNot(cs.fakeStore)})
	requests := []struct{ method, path, query, body string }{
		{"GET", "/health", "", ""},
		{"GET", "/meta", "", ""},
		{"GET", "/search", "q=orders", ""},
		{"GET", "/search", "q=none", ""},
		{"GET", "/search", "", ""},
		{"GET", "/node", "id=" + q(fnARN), ""},
		{"GET", "/node", "id=ghost", ""},
		{"GET", "/neighbours", "id=" + q(roleARN), ""},
		{"GET", "/reach", "from=" + q(fnARN), ""},
		{"GET", "/reach", "from=" + q(bucketARN), ""},
		{"GET", "/reach", "from=x&maxDepth=99", ""},
		{"GET", "/reachers", "to=" + q(bucketARN), ""},
		{"GET", "/paths", "from=" + q(fnARN) + "&to=" + q(bucketARN), ""},
		{"GET", "/paths", "from=ghost&to=" + q(bucketARN), ""},
		{"GET", "/findings", "", ""},
		{"GET", "/whynot", "from=" + q(fnARN) + "&to=" + q(bucketARN) + "&action=s3:GetObject", ""},
		{"GET", "/whynot", "from=" + q(fnARN) + "&to=" + q(bucketARN) + "&action=s3:PutObject", ""},
		{"GET", "/whynot", "from=ghost&to=" + q(bucketARN) + "&action=s3:PutObject", ""},
		{"GET", "/whynot", "from=" + q(fnARN) + "&to=" + q(bucketARN), ""},
		{"POST", "/cypher", "", `{"query":"MATCH (n) RETURN n.name AS n"}`},
		{"POST", "/cypher", "", `{"query":"CREATE (n)"}`},
	}
	for _, rq := range requests {
		var r response
		if rq.method == "POST" {
			r = do(t, h, rq.method, api.APIPrefix+rq.path, strings.NewReader(rq.body), "Content-Type", "application/json")
		} else {
			r = get(t, h, api.APIPrefix+rq.path+"?"+rq.query)
		}
		c.conforms(t, rq.method, rq.path, r)
	}
	// Why-not without a snapshot, and the disabled Cypher endpoint: their 404s are documented too.
	c.conforms(t, "GET", "/whynot", get(t, api.New(cs, api.Options{}), api.APIPrefix+"/whynot?from=a&to=b"))
	r := do(t, api.New(cs, api.Options{}), "POST", api.APIPrefix+"/cypher", strings.NewReader(`{"query":"RETURN 1"}`), "Content-Type", "application/json")
	c.conforms(t, "POST", "/cypher", r)

	// Every $ref in the document resolves.
	refRE := regexp.MustCompile(`"\$ref":\s*"#/components/(\w+)/(\w+)"`)
	for _, m := range refRE.FindAllStringSubmatch(string(api.OpenAPI()), -1) {
		var ok bool
		switch m[1] {
		case "schemas":
			_, ok = c.doc.Components.Schemas[m[2]]
		case "parameters":
			_, ok = c.doc.Components.Parameters[m[2]]
		case "responses":
			_, ok = c.doc.Components.Responses[m[2]]
		}
		if !ok {
			t.Errorf("unresolved $ref %s/%s", m[1], m[2])
		}
	}
	for _, name := range []string{"Node", "Edge", "Evidence", "ActionGrant", "Path", "ReachResult", "Subgraph", "Finding", "Meta", "Error"} {
		if _, ok := c.doc.Components.Schemas[name]; !ok {
			t.Errorf("component schema %s missing", name)
		}
	}
}

// TestUICallsAreDocumented: the explorer talks only to the public API, so
// every route its client (web/src) calls must be in the document.
func TestUICallsAreDocumented(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "web", "src", "*.js"))
	if err != nil || len(files) == 0 {
		t.Skip("no web/src in this tree")
	}
	doc := loadDoc(t)
	callRE := regexp.MustCompile(`\.(get|post)\('(/[A-Za-z0-9_./-]+)'`)
	calls := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range callRE.FindAllStringSubmatch(string(src), -1) {
			calls++
			if _, ok := doc.Paths[m[2]][m[1]]; !ok {
				t.Errorf("%s calls %s %s, which openapi.json does not document", filepath.Base(f), strings.ToUpper(m[1]), m[2])
			}
		}
	}
	if calls < 5 {
		t.Errorf("found only %d API calls in web/src; has the client changed shape? (this test looks for .get('/route' …)", calls)
	}
}

// TestSchemasMatchGoTypes compares each component schema with the Go type
// the API encodes: every JSON field is a documented property, every
// documented property exists, and the required ones are exactly the fields
// that are always written (no omitempty). A field added to graph/model.go
// fails here until the document says what it is.
func TestSchemasMatchGoTypes(t *testing.T) {
	doc := loadDoc(t)
	types := map[string]reflect.Type{
		"Node": reflect.TypeFor[graph.Node](), "Edge": reflect.TypeFor[graph.Edge](), "Evidence": reflect.TypeFor[graph.Evidence](),
		"ActionGrant": reflect.TypeFor[graph.ActionGrant](), "Path": reflect.TypeFor[graph.Path](), "ReachTarget": reflect.TypeFor[graph.ReachTarget](),
		"ReachResult": reflect.TypeFor[graph.ReachResult](), "Subgraph": reflect.TypeFor[graph.Subgraph](), "Finding": reflect.TypeFor[graph.Finding](),
		"Meta": reflect.TypeFor[graph.Meta](), "Gap": reflect.TypeFor[graph.Gap](), "WhyNotResult": reflect.TypeFor[graph.WhyNotResult](),
		"CypherResult": reflect.TypeFor[graph.CypherResult](), "Health": reflect.TypeFor[api.HealthResponse](),
		"SearchResponse": reflect.TypeFor[api.SearchResponse](), "NodeResponse": reflect.TypeFor[api.NodeResponse](),
		"PathsResponse": reflect.TypeFor[api.PathsResponse](), "FindingsResponse": reflect.TypeFor[api.FindingsResponse](),
		"WhyNotResponse": reflect.TypeFor[api.WhyNotResponse](), "CypherRequest": reflect.TypeFor[api.CypherRequest](),
		"Error": reflect.TypeFor[api.ErrorBody](), "Features": reflect.TypeFor[api.Features](),
	}
	// Lists the API always writes as [] even where the Go field says
	// omitempty are required in the document too.
	alwaysWritten := map[string]bool{"ReachTarget.actions": true}
	for name, typ := range types {
		t.Run(name, func(t *testing.T) {
			var s schema
			if err := json.Unmarshal(doc.Components.Schemas[name], &s); err != nil || s.Type != "object" {
				t.Fatalf("schema %s missing or not an object", name)
			}
			var fields, required []string
			for i := range typ.NumField() {
				f := typ.Field(i)
				tag := f.Tag.Get("json")
				jname, opts, _ := strings.Cut(tag, ",")
				if jname == "-" || !f.IsExported() {
					continue
				}
				if jname == "" {
					jname = f.Name
				}
				fields = append(fields, jname)
				if !strings.Contains(opts, "omitempty") || alwaysWritten[name+"."+jname] {
					required = append(required, jname)
				}
			}
			var documented []string
			for p := range s.Properties {
				documented = append(documented, p)
			}
			slices.Sort(fields)
			slices.Sort(documented)
			if !slices.Equal(fields, documented) {
				t.Errorf("%s: Go fields %v, documented properties %v: add the new field to components.schemas.%s in api/openapi.json (type, description; required if never omitted)",
					name, fields, documented, name)
			}
			slices.Sort(required)
			req := slices.Clone(s.Required)
			slices.Sort(req)
			if !slices.Equal(required, req) {
				t.Errorf("%s: always-written fields %v, documented required %v", name, required, req)
			}
		})
	}
}
