package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/bus"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/configs"
	"github.com/fairmatch/fairmatch/coordinator"
	"github.com/fairmatch/fairmatch/dataset"
	"github.com/fairmatch/fairmatch/scheduler"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/store/storetest"
	"github.com/fairmatch/fairmatch/web"
)

// token is the fixture's admin API token.
const token = "organizer-token-0123456789"

// password is every fixture account's password.
const password = "correct horse battery"

// fixture is a real server for the web tests: the year plan in
// ../configs, a bbolt file in t.TempDir() holding the plan's fairs, the
// coordinator, the scheduler (firing into a recording firer unless a bus
// is wired), an auth.Service with staff accounts and their API tokens, and
// an httptest.Server in front of the handler.
type fixture struct {
	t       testing.TB
	plan    *config.Config
	db      *store.DB
	fairs   []fairmatch.Fair // the fairs stored, in plan order
	coord   *coordinator.Coordinator
	sched   *scheduler.Scheduler
	bus     *bus.Bus // nil unless withBus
	auth    *auth.Service
	fired   *firer // the stages the scheduler ran, unless withBus
	server  *web.Server
	handler http.Handler // server.Handler(), built once
	srv     *httptest.Server
	tokens  map[string]string // API token by login
}

// fixtureConfig collects the options of newFixture.
type fixtureConfig struct {
	years    []int
	accounts []auth.Account
	example  bool
	handlers map[string]bus.Handler
	now      func() time.Time
	upload   int64
	auth     []func(*auth.Service)
	server   []func(*web.Server)
}

// fixtureOption changes what newFixture builds.
type fixtureOption func(*fixtureConfig)

// withYears stores the fairs of these years instead of 2027's.
func withYears(years ...int) fixtureOption {
	return func(c *fixtureConfig) { c.years = years }
}

// withAccounts creates these accounts instead of the default organizer
// "org", commissioner "comm" (E001) and liaison "liai" (U01).
func withAccounts(accounts ...auth.Account) fixtureOption {
	return func(c *fixtureConfig) { c.accounts = accounts }
}

// withExample imports the example dataset through the coordinator.
func withExample() fixtureOption {
	return func(c *fixtureConfig) { c.example = true }
}

// withBus wires an embedded NATS server: the coordinator and the server
// publish on it, a worker runs handlers, the coordinator applies the
// results, and the scheduler fires into the coordinator.
func withBus(handlers map[string]bus.Handler) fixtureOption {
	return func(c *fixtureConfig) { c.handlers = handlers }
}

// withClock gives the server a clock.
func withClock(now func() time.Time) fixtureOption {
	return func(c *fixtureConfig) { c.now = now }
}

// withMaxUpload bounds an import's body.
func withMaxUpload(n int64) fixtureOption {
	return func(c *fixtureConfig) { c.upload = n }
}

// withAuth changes the auth.Service before any account is created.
func withAuth(f func(*auth.Service)) fixtureOption {
	return func(c *fixtureConfig) { c.auth = append(c.auth, f) }
}

// withServer changes the web.Server before its handler is built.
func withServer(f func(*web.Server)) fixtureOption {
	return func(c *fixtureConfig) { c.server = append(c.server, f) }
}

// defaultAccounts are the fixture's staff unless withAccounts.
var defaultAccounts = []auth.Account{
	{Login: "org", Name: "组织者", Role: auth.RoleOrganizer},
	{Login: "comm", Name: "专员", Role: auth.RoleCommissioner, Enterprises: []string{"E001"}},
	{Login: "liai", Name: "联络员", Role: auth.RoleLiaison, University: "U01"},
}

// newFixture builds and starts a fixture; t.Cleanup stops it.
func newFixture(t testing.TB, opts ...fixtureOption) *fixture {
	t.Helper()
	cfg := fixtureConfig{years: []int{2027}, accounts: defaultAccounts}
	for _, o := range opts {
		o(&cfg)
	}
	log := slog.New(slog.DiscardHandler)
	plan, err := config.LoadFS(configs.FS, "fairmatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, plan: plan, db: storetest.Open(t), fired: &firer{}, tokens: map[string]string{}}
	for _, y := range cfg.years {
		fairs, err := plan.Plan(y)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.SaveFairs(context.Background(), fairs); err != nil {
			t.Fatal(err)
		}
		f.fairs = append(f.fairs, fairs...)
	}
	f.coord = &coordinator.Coordinator{DB: f.db, Plan: plan, Log: log}
	var fire scheduler.Firer = f.fired
	if cfg.handlers != nil {
		f.startBus(cfg.handlers, log)
		f.coord.Bus, fire = f.bus, f.coord
	}
	f.sched = scheduler.New(plan, f.db, fire, scheduler.WithLogger(log))
	if cfg.example {
		f.storeExample()
	}

	f.auth = &auth.Service{DB: f.db, AdminToken: token, PasswordCost: bcrypt.MinCost}
	for _, change := range cfg.auth {
		change(f.auth)
	}
	for _, a := range cfg.accounts {
		if err := f.auth.CreateAccount(a, password); err != nil {
			t.Fatal(err)
		}
		tok, err := f.auth.IssueAPIToken(a.Login, "test")
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[a.Login] = tok
	}

	f.server = &web.Server{DB: f.db, Plan: plan, Coord: f.coord, Sched: f.sched, Bus: f.bus,
		Auth: f.auth, Log: log, Now: cfg.now, MaxUpload: cfg.upload}
	for _, change := range cfg.server {
		change(f.server)
	}
	f.handler = f.server.Handler()
	f.srv = httptest.NewServer(f.handler)
	t.Cleanup(f.srv.Close)
	return f
}

// startBus starts an embedded NATS server, a worker with handlers and the
// coordinator's results loop.
func (f *fixture) startBus(handlers map[string]bus.Handler, log *slog.Logger) {
	f.t.Helper()
	e, err := bus.StartEmbedded(bus.EmbeddedOptions{StoreDir: f.t.TempDir()})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(e.Shutdown)
	nc, err := e.Connect()
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(nc.Close)
	if f.bus, err = bus.Open(context.Background(), nc, bus.Options{Logger: log}); err != nil {
		f.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	w := &bus.Worker{Bus: f.bus, Name: "test-worker", Logger: log, StopTimeout: time.Second, Handlers: handlers}
	wg.Go(func() { _ = w.Run(ctx) })
	wg.Go(func() { _ = f.bus.Results(ctx, f.coord.Apply) })
	f.t.Cleanup(func() { cancel(); wg.Wait() })
}

// storeExample stores the example dataset through the coordinator.
func (f *fixture) storeExample() {
	f.t.Helper()
	raw, err := configs.FS.ReadFile("example-dataset.json")
	if err != nil {
		f.t.Fatal(err)
	}
	ds, err := dataset.Parse("example-dataset.json", raw)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.coord.Import("example-dataset.json", ds); err != nil {
		f.t.Fatal(err)
	}
}

// dataset reads the dataset as stored.
func (f *fixture) dataset() *fairmatch.Dataset {
	f.t.Helper()
	var ds *fairmatch.Dataset
	if err := f.db.View(func(tx *store.Tx) (err error) { ds, err = tx.Dataset(); return err }); err != nil {
		f.t.Fatal(err)
	}
	return ds
}

// firer records the stages the scheduler runs.
type firer struct {
	mu    sync.Mutex
	fired []string
}

func (f *firer) Fire(ctx context.Context, s fairmatch.Stage) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fired = append(f.fired, s.Key())
	return nil
}

// keys returns the keys of the stages fired so far.
func (f *firer) keys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.fired)
}

// jarClient is an http.Client with a cookie jar that follows redirects.
func jarClient(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

// browser is a browser-like client of the fixture's server: a cookie jar,
// a language and no redirects followed (tests look at them), or an API
// client with a bearer token.
type browser struct {
	f    *fixture
	hc   *http.Client
	lang string // Accept-Language
	tok  string // a bearer token instead of the session
}

// anonymous is a browser nobody signed in to, asking for pages in lang.
func (f *fixture) anonymous(lang string) *browser {
	hc := jarClient(f.t)
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{f: f, hc: hc, lang: lang}
}

// session signs login in with the password, pages in lang.
func (f *fixture) session(login, lang string) *browser {
	f.t.Helper()
	c := f.anonymous(lang)
	resp, body := c.post("/login", url.Values{"login": {login}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		f.t.Fatalf("login %s: %d %s", login, resp.StatusCode, body)
	}
	return c
}

// bearer calls the API with login's token.
func (f *fixture) bearer(login string) *browser {
	c := f.anonymous("")
	c.tok = f.tokens[login]
	return c
}

// do sends a request to path with header pairs (name, value, ...) and
// returns the response and its body.
func (c *browser) do(method, path, contentType string, body io.Reader, header ...string) (*http.Response, string) {
	c.f.t.Helper()
	req, err := http.NewRequest(method, c.f.srv.URL+path, body)
	if err != nil {
		c.f.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	if c.tok != "" {
		req.Header.Set("Authorization", "Bearer "+c.tok)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.f.t.Fatal(err)
	}
	return resp, string(b)
}

func (c *browser) get(path string) (*http.Response, string) {
	c.f.t.Helper()
	return c.do("GET", path, "", nil)
}

// form sends v URL-encoded.
func (c *browser) form(method, path string, v url.Values, header ...string) (*http.Response, string) {
	c.f.t.Helper()
	return c.do(method, path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()), header...)
}

// post posts a form.
func (c *browser) post(path string, v url.Values, header ...string) (*http.Response, string) {
	c.f.t.Helper()
	return c.form("POST", path, v, header...)
}

func (c *browser) send(method, path, contentType string, body []byte) (*http.Response, string) {
	c.f.t.Helper()
	return c.do(method, path, contentType, bytes.NewReader(body))
}

// json sends v as JSON.
func (c *browser) json(method, path string, v any) (*http.Response, string) {
	c.f.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.f.t.Fatal(err)
	}
	return c.send(method, path, "application/json", b)
}

// upload posts a file to the data page's check form.
func (c *browser) upload(filename, kind string, data []byte) (*http.Response, string) {
	c.f.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if kind != "" {
		_ = mw.WriteField("kind", kind)
	}
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(data)
	_ = mw.Close()
	return c.send("POST", "/data/check", mw.FormDataContentType(), b.Bytes())
}
