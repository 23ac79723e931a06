package auth_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/store/storetest"
)

// clock is a settable time source safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const adminToken = "the-admin-token-for-tests"

// newService returns a Service on a fresh data file with a fake clock and
// the cheapest bcrypt cost.
func newService(tb testing.TB) (*auth.Service, *clock) {
	tb.Helper()
	c := newClock()
	return &auth.Service{
		DB: storetest.Open(tb), Now: c.Now, AdminToken: adminToken,
		Secure: true, PasswordCost: bcrypt.MinCost,
	}, c
}

const password = "correct horse battery"

func mustCreate(tb testing.TB, s *auth.Service, a auth.Account) {
	tb.Helper()
	if err := s.CreateAccount(a, password); err != nil {
		tb.Fatalf("CreateAccount(%s): %v", a.Login, err)
	}
}

// login logs in and returns the session cookie that was set.
func login(tb testing.TB, s *auth.Service, user, pw string) (*auth.Principal, *http.Cookie, error) {
	tb.Helper()
	w := httptest.NewRecorder()
	p, err := s.Login(w, user, pw)
	return p, cookieNamed(w, auth.SessionCookie), err
}

// cookieNamed returns the cookie the response set under name, or nil.
func cookieNamed(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// requestWith returns a GET request carrying the given cookies.
func requestWith(cookies ...*http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range cookies {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	return r
}

// principal calls s.Principal and fails the test on an error.
func principal(tb testing.TB, s *auth.Service, r *http.Request) *auth.Principal {
	tb.Helper()
	p, err := s.Principal(r)
	if err != nil {
		tb.Fatalf("Principal: %v", err)
	}
	return p
}

func wantCode(tb testing.TB, what string, err error, code string) {
	tb.Helper()
	if got := fairmatch.ErrorCode(err); got != code {
		tb.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}
