package web_test

import (
	"context"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/fairmatch/fairmatch/web"
)

// specPath is the OpenAPI description of the server's routes.
const specPath = "../api/openapi.yaml"

// httpMethods are the operation keys of an OpenAPI path item.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// spec is a parsed OpenAPI document.
type spec struct {
	root map[string]any
}

// operation is one method of one path of the document.
type operation struct {
	path, method string // method in lower case, as the document has it
	item, op     map[string]any
}

func loadSpec(t *testing.T) *spec {
	t.Helper()
	b, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatalf("read the OpenAPI document: %v", err)
	}
	var root map[string]any
	if err := yaml.Unmarshal(b, &root); err != nil {
		t.Fatalf("parse %s: %v", specPath, err)
	}
	return &spec{root: root}
}

// operations lists every operation, sorted by path then method.
func (s *spec) operations(t *testing.T) []operation {
	t.Helper()
	paths, ok := s.root["paths"].(map[string]any)
	if !ok || len(paths) == 0 {
		t.Fatal("the document has no paths")
	}
	var ops []operation
	for p, v := range paths {
		item, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("path %s is not an object", p)
		}
		for _, m := range httpMethods {
			if op, ok := item[m].(map[string]any); ok {
				ops = append(ops, operation{path: p, method: m, item: item, op: op})
			}
		}
	}
	slices.SortFunc(ops, func(a, b operation) int {
		return strings.Compare(a.path+" "+a.method, b.path+" "+b.method)
	})
	return ops
}

// resolve follows a local reference ("#/components/schemas/Fair").
func (s *spec) resolve(ref string) (any, bool) {
	ptr, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, false
	}
	var cur any = s.root
	for _, tok := range strings.Split(ptr, "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// deref returns v, or what it refers to when it is a {$ref} object.
func (s *spec) deref(v any) map[string]any {
	m, _ := v.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		r, _ := s.resolve(ref)
		m, _ = r.(map[string]any)
	}
	return m
}

// parameters returns the operation's parameters (path-level ones first,
// overridden by the operation's), resolved.
func (s *spec) parameters(o operation) []map[string]any {
	var out []map[string]any
	for _, list := range []any{o.item["parameters"], o.op["parameters"]} {
		ps, _ := list.([]any)
		for _, p := range ps {
			pm := s.deref(p)
			if pm == nil {
				continue
			}
			out = slices.DeleteFunc(out, func(q map[string]any) bool {
				return q["name"] == pm["name"] && q["in"] == pm["in"]
			})
			out = append(out, pm)
		}
	}
	return out
}

// walkRefs calls f with every $ref string under v and the place it is at.
func walkRefs(v any, at string, f func(ref, at string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if r, ok := e.(string); ok && k == "$ref" {
				f(r, at)
				continue
			}
			walkRefs(e, at+"/"+k, f)
		}
	case []any:
		for i, e := range x {
			walkRefs(e, at+"/"+strconv.Itoa(i), f)
		}
	}
}

var templateParam = regexp.MustCompile(`\{([^}]+)\}`)

func TestOpenAPIDocument(t *testing.T) {
	s := loadSpec(t)
	if v, _ := s.root["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi is %q, want 3.1.x", v)
	}
	info, _ := s.root["info"].(map[string]any)
	if info["title"] == nil || info["version"] == nil {
		t.Error("info needs a title and a version")
	}

	ids := map[string]string{}
	for _, o := range s.operations(t) {
		name := strings.ToUpper(o.method) + " " + o.path
		id, _ := o.op["operationId"].(string)
		switch {
		case id == "":
			t.Errorf("%s: no operationId", name)
		case ids[id] != "":
			t.Errorf("%s: operationId %q is also %s's", name, id, ids[id])
		default:
			ids[id] = name
		}
		if sum, _ := o.op["summary"].(string); strings.TrimSpace(sum) == "" {
			t.Errorf("%s: no summary", name)
		}
		if rs, _ := o.op["responses"].(map[string]any); len(rs) == 0 {
			t.Errorf("%s: no responses", name)
		}
		if _, ok := o.op["security"]; !ok {
			t.Errorf("%s: no security (use [] for public operations)", name)
		}
		params := s.parameters(o)
		for _, m := range templateParam.FindAllStringSubmatch(o.path, -1) {
			i := slices.IndexFunc(params, func(p map[string]any) bool { return p["name"] == m[1] && p["in"] == "path" })
			if i < 0 {
				t.Errorf("%s: path parameter %s is not declared", name, m[1])
				continue
			}
			if params[i]["required"] != true {
				t.Errorf("%s: path parameter %s must be required", name, m[1])
			}
			if params[i]["example"] == nil {
				t.Errorf("%s: path parameter %s has no example (the route test needs one)", name, m[1])
			}
		}
	}

	refs := 0
	walkRefs(s.root, "#", func(ref, at string) {
		refs++
		if _, ok := s.resolve(ref); !ok {
			t.Errorf("%s: $ref %q does not resolve", at, ref)
		}
	})
	if refs == 0 {
		t.Error("the document reuses nothing through $ref")
	}
}

// registeredAPIRoute matches a "METHOD /api/..." pattern literal.
var registeredAPIRoute = regexp.MustCompile(`"(GET|HEAD|POST|PUT|PATCH|DELETE) (/api/[^"\s]*)"`)

// registeredAPIRoutes reads the package's non-test sources for the API
// patterns it registers.
func registeredAPIRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range registeredAPIRoute.FindAllStringSubmatch(string(b), -1) {
			out = append(out, m[1]+" "+m[2])
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestOpenAPICoversRegisteredRoutes(t *testing.T) {
	s := loadSpec(t)
	documented := map[string]bool{}
	for _, o := range s.operations(t) {
		documented[strings.ToUpper(o.method)+" "+o.path] = true
	}
	routes := registeredAPIRoutes(t)
	if len(routes) < 10 {
		t.Fatalf("found only %d API routes in the sources: %v; is the pattern still right?", len(routes), routes)
	}
	for _, r := range routes {
		// "{$}" ends a pattern exactly; the document has no such marker.
		if !documented[strings.TrimSuffix(r, "{$}")] {
			t.Errorf("route %s is registered but not in %s", r, specPath)
		}
	}
}

// newOpenAPIServer starts a server like the binary's: a real store with the
// 2027 plan's fairs and the example dataset, the coordinator, the scheduler
// (with a firer that only records), auth with an admin token, and metrics.
func newOpenAPIServer(t *testing.T) *httptest.Server {
	t.Helper()
	return newFixture(t, withExample(), withMaxUpload(1<<20),
		withServer(func(s *web.Server) { s.Gatherer = prometheus.NewRegistry() })).srv
}

// muxAnswer reports whether a response is http.ServeMux's own: a plain-text
// "404 page not found" or "Method Not Allowed", or a path-cleaning 301. The
// app's errors are JSON or HTML pages (the feed's plain-text 404 says more).
func muxAnswer(resp *http.Response, body []byte) bool {
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch {
	case resp.StatusCode == http.StatusMovedPermanently:
		return true
	case ct != "text/plain":
		return false
	case resp.StatusCode == http.StatusNotFound:
		return string(body) == "404 page not found\n"
	case resp.StatusCode == http.StatusMethodNotAllowed:
		return true
	}
	return false
}

// requestFor builds a request for an operation from the document alone:
// path parameters and required query parameters from their examples, and
// an empty body of the first kind the operation takes.
func (s *spec) requestFor(t *testing.T, ctx context.Context, base string, o operation) *http.Request {
	t.Helper()
	path := o.path
	q := url.Values{}
	for _, p := range s.parameters(o) {
		name, _ := p["name"].(string)
		val := formatExample(p["example"])
		switch p["in"] {
		case "path":
			path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(val))
		case "query":
			if p["required"] == true {
				q.Set(name, val)
			}
		}
	}
	u := base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body io.Reader
	ct := ""
	if rb := s.deref(o.op["requestBody"]); rb != nil {
		content, _ := rb["content"].(map[string]any)
		switch {
		case content["application/json"] != nil:
			body, ct = strings.NewReader("{}"), "application/json"
		case content["application/x-www-form-urlencoded"] != nil:
			body, ct = strings.NewReader(""), "application/x-www-form-urlencoded"
		}
	}
	req, err := http.NewRequestWithContext(ctx, strings.ToUpper(o.method), u, body)
	if err != nil {
		t.Fatalf("%s %s: %v", o.method, o.path, err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

func formatExample(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case nil:
		return ""
	}
	b, _ := yaml.Marshal(v)
	return strings.TrimSpace(string(b))
}

// documentedMedia reports whether the operation documents status and, if
// that response has content, whether mediaType is one of its media types.
func (s *spec) documentedMedia(o operation, status int, mediaType string) (statusOK, mediaOK bool) {
	rs, _ := o.op["responses"].(map[string]any)
	r, ok := rs[strconv.Itoa(status)]
	if !ok {
		r, ok = rs["default"]
	}
	if !ok {
		return false, false
	}
	content, _ := s.deref(r)["content"].(map[string]any)
	if len(content) == 0 {
		return true, true
	}
	_, ok = content[mediaType]
	return true, ok
}

func TestOpenAPIRoutesServed(t *testing.T) {
	s := loadSpec(t)
	srv := newOpenAPIServer(t)
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	for _, o := range s.operations(t) {
		name := strings.ToUpper(o.method) + " " + o.path
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			resp, err := client.Do(s.requestFor(t, ctx, srv.URL, o))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
			var body []byte
			if mt != "text/event-stream" { // a stream does not end by itself
				body, _ = io.ReadAll(resp.Body)
			}
			if muxAnswer(resp, body) {
				t.Fatalf("%s %s: the mux does not know the route: %d %q", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, body)
			}
			statusOK, mediaOK := s.documentedMedia(o, resp.StatusCode, mt)
			if !statusOK {
				t.Errorf("status %d is not documented: %s", resp.StatusCode, body)
			} else if !mediaOK {
				t.Errorf("status %d with Content-Type %q: the document lists other media types", resp.StatusCode, mt)
			}
		})
	}
}

func TestMuxAnswerDetectsUnknownRoutes(t *testing.T) {
	srv := newOpenAPIServer(t)
	for _, tc := range []struct {
		method, path string
		mux          bool
	}{
		{"GET", "/api/no-such-route", true},
		{"DELETE", "/api/fairs", true},
		{"GET", "/api/fairs/2099-01", false},         // the app's JSON 404
		{"GET", "/feed/not-a-feed-token.ics", false}, // the feed's own plain-text 404
	} {
		resp, body := do(t, srv, tc.method, tc.path, token, nil, "")
		if got := muxAnswer(resp, body); got != tc.mux {
			t.Errorf("%s %s (%d %q): muxAnswer %v, want %v", tc.method, tc.path, resp.StatusCode, body, got, tc.mux)
		}
	}
}
