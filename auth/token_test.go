package auth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
)

// redeem redeems a link and returns the person and the person cookie set.
func redeem(t *testing.T, s *auth.Service, token string) (string, *http.Cookie, error) {
	t.Helper()
	w := httptest.NewRecorder()
	person, err := s.RedeemLink(w, token)
	return person, cookieNamed(w, auth.PersonCookie), err
}

func TestRedeemLink(t *testing.T) {
	s, clk := newService(t)
	link, expires, err := s.IssueLink("P1")
	if err != nil {
		t.Fatal(err)
	}
	if want := clk.Now().Add(auth.DefaultLinkTTL); !expires.Equal(want) {
		t.Errorf("link expires %v, want %v", expires, want)
	}
	if strings.ContainsAny(link, "+/=") || len(link) != 43 {
		t.Errorf("link token %q is not 43 characters of unpadded base64url", link)
	}

	person, c, err := redeem(t, s, link)
	if err != nil || person != "P1" {
		t.Fatalf("RedeemLink = %q, %v; want P1", person, err)
	}
	if c == nil || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" ||
		c.MaxAge != int(auth.DefaultPersonSessionTTL/time.Second) || c.Value == link {
		t.Fatalf("person cookie %+v: want HttpOnly, Secure, Lax, Path=/, 30 days, not the link itself", c)
	}
	p := principal(t, s, requestWith(c))
	if p == nil || p.Person != "P1" || p.Via != auth.ViaLink || p.Account != nil {
		t.Fatalf("Principal with person cookie = %+v", p)
	}
	if !p.CanSeePerson("P1") || p.CanSeePerson("P2") || p.Staff() {
		t.Errorf("participant P1's rights are wrong: %+v", p)
	}
	// The link works again (another device) until it expires.
	if _, _, err := redeem(t, s, link); err != nil {
		t.Errorf("second redeem: %v", err)
	}

	// The link itself is no session cookie, nor is the person cookie a link.
	if p := principal(t, s, requestWith(&http.Cookie{Name: auth.PersonCookie, Value: link})); p != nil {
		t.Errorf("a link token as person cookie gave %+v", p)
	}
	if p := principal(t, s, requestWith(&http.Cookie{Name: auth.SessionCookie, Value: c.Value})); p != nil {
		t.Errorf("a person session as staff session cookie gave %+v", p)
	}
	if _, _, err := redeem(t, s, c.Value); fairmatch.ErrorCode(err) != fairmatch.EUNAUTHORIZED {
		t.Errorf("redeeming a session token as a link: %v, want EUNAUTHORIZED", err)
	}

	clk.Advance(auth.DefaultLinkTTL)
	_, c2, err := redeem(t, s, link)
	wantCode(t, "expired link", err, fairmatch.EUNAUTHORIZED)
	if !strings.Contains(err.Error(), "expired or was revoked") || !strings.Contains(err.Error(), "organizer") {
		t.Errorf("expired link message %q should say it expired or was revoked and whom to ask", err)
	}
	if c2 != nil {
		t.Error("an expired link set a cookie")
	}
}

func TestRedeemLinkRefusals(t *testing.T) {
	s, _ := newService(t)
	s.LinkTTL = time.Hour
	link, _, err := s.IssueLink("P1")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := s.IssueLink("P2")
	if err != nil {
		t.Fatal(err)
	}
	tampered := []byte(link)
	tampered[10] = map[bool]byte{true: 'B', false: 'A'}[tampered[10] == 'A'] // well-formed, but another token
	tests := map[string]string{
		"empty":      "",
		"tampered":   string(tampered),
		"truncated":  link[:42],
		"extended":   link + "A",
		"padded":     link + "=",
		"not base64": strings.Repeat("!", 43),
		"random":     "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ",
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			_, c, err := redeem(t, s, tok)
			wantCode(t, "RedeemLink", err, fairmatch.EUNAUTHORIZED)
			if c != nil {
				t.Error("a refused link set a cookie")
			}
		})
	}
	// Another person's link opens that person only.
	_, c, err := redeem(t, s, other)
	if err != nil {
		t.Fatal(err)
	}
	if p := principal(t, s, requestWith(c)); p.CanSeePerson("P1") || !p.CanSeePerson("P2") {
		t.Errorf("P2's link gives %+v", p)
	}
	if _, _, err := s.IssueLink(""); fairmatch.ErrorCode(err) != fairmatch.EINVALID {
		t.Errorf("IssueLink(\"\") = %v, want EINVALID", err)
	}
	if _, _, err := s.IssueLink("P 1"); fairmatch.ErrorCode(err) != fairmatch.EINVALID {
		t.Errorf("IssueLink(\"P 1\") = %v, want EINVALID", err)
	}
}

func TestFeed(t *testing.T) {
	s, _ := newService(t)
	first, err := s.IssueFeed("P1")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.FeedPerson(first); err != nil || got != "P1" {
		t.Fatalf("FeedPerson(first) = %q, %v", got, err)
	}
	second, err := s.IssueFeed("P1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.FeedPerson(first)
	wantCode(t, "FeedPerson(replaced token)", err, fairmatch.EUNAUTHORIZED)
	p, err := s.FeedPrincipal(second)
	if err != nil || p.Person != "P1" || p.Via != auth.ViaFeed {
		t.Fatalf("FeedPrincipal(second) = %+v, %v", p, err)
	}
	// A feed token is not a session, and a link is not a feed.
	if p := principal(t, s, requestWith(&http.Cookie{Name: auth.PersonCookie, Value: second})); p != nil {
		t.Errorf("feed token as person cookie gave %+v", p)
	}
	link, _, err := s.IssueLink("P1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.FeedPerson(link)
	wantCode(t, "FeedPerson(link)", err, fairmatch.EUNAUTHORIZED)
	_, err = s.FeedPerson("garbage")
	wantCode(t, "FeedPerson(garbage)", err, fairmatch.EUNAUTHORIZED)
}

func TestRevokePerson(t *testing.T) {
	s, _ := newService(t)
	link, _, err := s.IssueLink("P1")
	if err != nil {
		t.Fatal(err)
	}
	_, c, err := redeem(t, s, link)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := s.IssueFeed("P1")
	if err != nil {
		t.Fatal(err)
	}
	otherLink, _, err := s.IssueLink("P2")
	if err != nil {
		t.Fatal(err)
	}

	n, err := s.RevokePerson("P1")
	if err != nil || n != 3 {
		t.Fatalf("RevokePerson = %d, %v; want 3 (link, session, feed)", n, err)
	}
	if p := principal(t, s, requestWith(c)); p != nil {
		t.Errorf("revoked person session opens: %+v", p)
	}
	_, _, err = redeem(t, s, link)
	wantCode(t, "revoked link", err, fairmatch.EUNAUTHORIZED)
	_, err = s.FeedPerson(feed)
	wantCode(t, "revoked feed", err, fairmatch.EUNAUTHORIZED)
	if _, _, err := redeem(t, s, otherLink); err != nil {
		t.Errorf("P2's link after revoking P1: %v", err)
	}
	if n, err := s.RevokePerson("P1"); err != nil || n != 0 {
		t.Errorf("second RevokePerson = %d, %v; want 0", n, err)
	}
	// Prune removes the three revoked records; P2's link and session stay.
	if n, err := s.Prune(); err != nil || n != 3 {
		t.Errorf("Prune = %d, %v; want 3", n, err)
	}
	if _, _, err := redeem(t, s, otherLink); err != nil {
		t.Errorf("P2's link after Prune: %v", err)
	}
}

func TestPersonSessionExpiry(t *testing.T) {
	s, clk := newService(t)
	s.PersonSessionTTL = 24 * time.Hour
	link, _, err := s.IssueLink("P1")
	if err != nil {
		t.Fatal(err)
	}
	_, c, err := redeem(t, s, link)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(24 * time.Hour)
	if p := principal(t, s, requestWith(c)); p != nil {
		t.Errorf("expired person session opens: %+v", p)
	}
}

func TestStaffCookieWinsOverPersonCookie(t *testing.T) {
	s, _ := newService(t)
	mustCreate(t, s, auth.Account{Login: "alice", Role: auth.RoleOrganizer})
	_, staff, err := login(t, s, "alice", password)
	if err != nil {
		t.Fatal(err)
	}
	link, _, err := s.IssueLink("P1")
	if err != nil {
		t.Fatal(err)
	}
	_, person, err := redeem(t, s, link)
	if err != nil {
		t.Fatal(err)
	}
	if p := principal(t, s, requestWith(staff, person)); p == nil || p.Via != auth.ViaSession {
		t.Errorf("both cookies: %+v, want the staff session", p)
	}
	// A dead staff cookie falls back to the person cookie.
	dead := &http.Cookie{Name: auth.SessionCookie, Value: strings.Repeat("A", 43)}
	if p := principal(t, s, requestWith(dead, person)); p == nil || p.Person != "P1" {
		t.Errorf("dead staff cookie and person cookie: %+v, want P1", p)
	}
}
