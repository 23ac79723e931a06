package auth_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
)

// FuzzPrincipal sends arbitrary Authorization headers and cookie values to
// Principal, RedeemLink and FeedPerson over a store holding live tokens of
// every kind. None may panic, and none may authorize: the fuzzer does not
// know the tokens, which are random.
func FuzzPrincipal(f *testing.F) {
	s, _ := newService(f)
	s.AdminToken = "" // the admin token is a fixed string the fuzzer could find
	mustCreate(f, s, auth.Account{Login: "alice", Role: auth.RoleOrganizer})
	if _, _, err := login(f, s, "alice", password); err != nil {
		f.Fatal(err)
	}
	if _, err := s.IssueAPIToken("alice", "script"); err != nil {
		f.Fatal(err)
	}
	link, _, err := s.IssueLink("P1")
	if err != nil {
		f.Fatal(err)
	}
	if _, _, err := redeemF(s, link); err != nil {
		f.Fatal(err)
	}
	if _, err := s.IssueFeed("P1"); err != nil {
		f.Fatal(err)
	}

	f.Add("Bearer "+strings.Repeat("A", 43), strings.Repeat("A", 43), "", "")
	f.Add("bearer x", "", "fm_session=abc; fm_person=def", link)
	f.Add("", "", "fm_session="+link, "")
	f.Add("Bearer \x00", "\xff\xfe", "fm_person=\"quoted\"", strings.Repeat("-", 43))
	f.Add("", "", "", strings.Repeat("_", 43))

	f.Fuzz(func(t *testing.T, authz, cookieValue, cookieHeader, token string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if authz != "" {
			r.Header["Authorization"] = []string{authz}
		}
		if cookieHeader != "" {
			r.Header["Cookie"] = []string{cookieHeader}
		}
		if cookieValue != "" {
			r.Header["Cookie"] = append(r.Header["Cookie"],
				auth.SessionCookie+"="+cookieValue, auth.PersonCookie+"="+cookieValue)
		}
		p, err := s.Principal(r)
		if err != nil || p != nil {
			t.Fatalf("Principal(Authorization %q, cookies %q) = %+v, %v; want anonymous", authz, r.Header["Cookie"], p, err)
		}
		if token == link {
			return // the seed that is the real link
		}
		if person, c, err := redeemF(s, token); fairmatch.ErrorCode(err) != fairmatch.EUNAUTHORIZED || person != "" || c != nil {
			t.Fatalf("RedeemLink(%q) = %q, %v, cookie %v; want EUNAUTHORIZED", token, person, err, c)
		}
		if person, err := s.FeedPerson(token); fairmatch.ErrorCode(err) != fairmatch.EUNAUTHORIZED || person != "" {
			t.Fatalf("FeedPerson(%q) = %q, %v; want EUNAUTHORIZED", token, person, err)
		}
	})
}

func redeemF(s *auth.Service, token string) (string, *http.Cookie, error) {
	w := httptest.NewRecorder()
	person, err := s.RedeemLink(w, token)
	return person, cookieNamed(w, auth.PersonCookie), err
}

// FuzzClientIP checks that ClientIP never panics, ignores X-Forwarded-For
// unless told to trust it, and returns a trusted header's last address.
func FuzzClientIP(f *testing.F) {
	f.Add("192.0.2.1:80", "203.0.113.1, 10.0.0.1", true)
	f.Add("[::1]:1", ",,,", true)
	f.Add("[2001:0db8::1]:1", "::ffff:1.2.3.4", true)
	f.Add("", "", false)
	f.Fuzz(func(t *testing.T, remote, xff string, trust bool) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		bare := auth.ClientIP(r, true) // no header at all
		r.Header["X-Forwarded-For"] = []string{xff}
		got := auth.ClientIP(r, trust)
		parts := strings.Split(xff, ",")
		last, err := netip.ParseAddr(strings.TrimSpace(parts[len(parts)-1]))
		switch {
		case !trust && got != bare:
			t.Fatalf("untrusted X-Forwarded-For %q changed ClientIP from %q to %q", xff, bare, got)
		case trust && err == nil && got != last.Unmap().String():
			t.Fatalf("trusted X-Forwarded-For %q gave %q, want %q", xff, got, last.Unmap())
		case trust && err != nil && got != bare:
			t.Fatalf("unusable X-Forwarded-For %q changed ClientIP from %q to %q", xff, bare, got)
		}
	})
}
