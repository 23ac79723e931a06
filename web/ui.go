package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/store"
)

// assets holds the page templates and the static files. Templates whose
// names start with "_" (the layout and partials) are shared by every page;
// every other templates/<name>.tmpl is a page rendered by that name.
//
//go:embed all:templates static
var assets embed.FS

// pages are the parsed page templates by name, parsed once.
var pages = mustParsePages()

func mustParsePages() map[string]*template.Template {
	p, err := parsePages(assets)
	if err != nil {
		panic(err)
	}
	return p
}

func parsePages(fsys fs.FS) (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(templateFuncs).ParseFS(fsys, "templates/_*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("web: parse shared templates: %w", err)
	}
	names, err := fs.Glob(fsys, "templates/*.tmpl")
	if err != nil {
		return nil, err
	}
	out := make(map[string]*template.Template)
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".tmpl")
		if strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", n, err)
		}
		out[name] = t
	}
	return out, nil
}

// templateFuncs are the helpers every template may call.
var templateFuncs = template.FuncMap{
	// local formats t in the zone tz ("Asia/Shanghai") as "2006-01-02 15:04".
	"local": func(t time.Time, tz string) string { return inZone(t, tz).Format("2006-01-02 15:04") },
	// clock formats t in the zone tz as "15:04".
	"clock": func(t time.Time, tz string) string { return inZone(t, tz).Format("15:04") },
	"pct":   func(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) },
	"score": func(f float64) string { return fmt.Sprintf("%.2f", f) },
	"join":  strings.Join,
	"add":   func(a, b int) int { return a + b },
}

func inZone(t time.Time, tz string) time.Time {
	if loc, err := time.LoadLocation(tz); err == nil {
		return t.In(loc)
	}
	return t
}

// view is what every page template gets: the language, who is signed in,
// the page's own data and a translation method ({{.T "key"}}).
type view struct {
	Lang      string
	Principal *auth.Principal
	Title     string // a message key
	Path      string // the request path, for the language switch and login's next
	Query     url.Values
	Who       string // the name shown for who is signed in
	Data      any
}

// SwitchURL is the address of this page in the other language: the same
// path and query with lang set (languageSwitch takes it out again).
func (v *view) SwitchURL() string {
	q := url.Values{}
	for k, vs := range v.Query {
		if k != "lang" {
			q[k] = vs
		}
	}
	q.Set("lang", v.Other())
	return v.Path + "?" + q.Encode()
}

// T returns the text of a message key in the page's language.
func (v *view) T(key string) string { return translate(v.Lang, key) }

// Tf formats the text of a message key with args.
func (v *view) Tf(key string, args ...any) string {
	return fmt.Sprintf(translate(v.Lang, key), args...)
}

// Other is the language the switch offers.
func (v *view) Other() string {
	if v.Lang == langEN {
		return langZH
	}
	return langEN
}

// HTMLLang is the lang attribute of the page.
func (v *view) HTMLLang() string {
	if v.Lang == langEN {
		return "en"
	}
	return "zh-CN"
}

// render writes the page with the given status. The page is rendered into a
// buffer first, so a template error gives a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, title string, p *auth.Principal, data any) {
	t, ok := pages[page]
	if !ok {
		s.log().Error("no such page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	v := &view{Lang: language(r), Principal: p, Title: title, Path: r.URL.Path, Query: r.URL.Query(), Who: s.who(p), Data: data}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log().Error("render page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", v.HTMLLang())
	h.Set("Vary", "Accept-Language, Cookie")
	if p != nil {
		h.Set("Cache-Control", "private, no-store")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// who is the name the header shows for a principal: the account's name, or
// the participant's name from the dataset (their id if it is gone).
func (s *Server) who(p *auth.Principal) string {
	switch {
	case p == nil:
		return ""
	case p.Account != nil:
		if p.Account.Name != "" {
			return p.Account.Name
		}
		return p.Account.Login
	}
	name := p.Person
	if s.DB != nil {
		_ = s.DB.View(func(tx *store.Tx) error {
			if pp, err := tx.Person(p.Person); err == nil && pp.Name != "" {
				name = pp.Name
			}
			return nil
		})
	}
	return name
}

// errorView is the error page's data.
type errorView struct {
	Status  int
	Code    string
	Message string
	Issues  []fairmatch.Issue
}

// pageError shows err as a page. A request without credentials for a staff
// page goes to the login page instead.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, p *auth.Principal, err error) {
	code := fairmatch.ErrorCode(err)
	ev := errorView{Status: StatusOf(code), Code: code, Issues: fairmatch.ErrorIssues(err)}
	if fe, ok := errors.AsType[*fairmatch.Error](err); ok {
		ev.Message = userMessage(fe)
	}
	if code == fairmatch.EINTERNAL {
		s.log().Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		ev.Message = "internal error"
	} else if ev.Message == "" {
		ev.Message = err.Error()
	}
	s.render(w, r, ev.Status, "error", "error.title", p, ev)
}

// need says whether a principal may use a route.
type need func(*auth.Principal) bool

// Route guards.
var (
	needOrganizer need = func(p *auth.Principal) bool { return p != nil && p.IsOrganizer() }
	needStaff     need = func(p *auth.Principal) bool { return p != nil && p.Staff() }
	needAnyone    need = func(p *auth.Principal) bool { return p != nil }
)

// handlerFunc is a handler that knows who is asking and returns its error.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error

// principal returns who the request acts for (nil: nobody).
func (s *Server) principal(r *http.Request) (*auth.Principal, error) {
	if s.Auth == nil {
		return nil, nil
	}
	return s.Auth.Principal(r)
}

// page guards an HTML page: anonymous visitors go to the login page (and
// come back after), principals without the right see a 403 page, and a
// returned error is shown as a page.
func (s *Server) page(n need, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.principal(r)
		if err != nil {
			s.pageError(w, r, nil, err)
			return
		}
		if p == nil && !n(nil) {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if !n(p) {
			s.pageError(w, r, p, fairmatch.Errorf(fairmatch.EFORBIDDEN, "%s", translate(language(r), "error.forbidden")))
			return
		}
		if err := h(w, r, p); err != nil {
			s.pageError(w, r, p, err)
		}
	})
}

// api guards a JSON route: 401 without credentials, 403 without the right,
// and a returned error as the JSON error body.
func (s *Server) api(n need, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.principal(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if p == nil && !n(nil) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="fairmatch"`)
			s.writeError(w, r, fairmatch.Errorf(fairmatch.EUNAUTHORIZED,
				"sign in, or send Authorization: Bearer <token>"))
			return
		}
		if !n(p) {
			s.writeError(w, r, fairmatch.Errorf(fairmatch.EFORBIDDEN, "this account may not use %s %s", r.Method, r.URL.Path))
			return
		}
		w.Header().Set("Cache-Control", "private, no-store")
		if err := h(w, r, p); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// staticFiles serves web/static with a day's caching.
func staticFiles() http.Handler {
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err)
	}
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(w, r)
	})
}
