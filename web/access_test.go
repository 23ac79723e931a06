package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch/auth"
)

// credential is one way a participant's secret can be presented.
type credential struct {
	name string
	opt  ptOption
}

// TestAccessAcrossParticipants is the acceptance's access test: every
// attendee's session cookie, feed token and link token, presented every
// way, against
// every other attendee's pages, downloads, feed, responses and organizer
// routes: all refused; each one's own succeed.
func TestAccessAcrossParticipants(t *testing.T) {
	e := newPTEnv(t)
	people := e.attendees()
	if len(people) < 10 {
		t.Fatalf("only %d attendees", len(people))
	}
	fair := e.fairs[0].ID
	cookies := map[string]*http.Cookie{}
	feeds := map[string]string{}
	links := map[string]string{} // a live link each, not redeemed
	for _, p := range people {
		cookies[p] = e.open(t, p)
		tok, err := e.auth.IssueFeed(p)
		if err != nil {
			t.Fatal(err)
		}
		feeds[p] = tok
		if links[p], _, err = e.auth.IssueLink(p); err != nil {
			t.Fatal(err)
		}
	}

	// Each one's own: pages, download, feed.
	for _, a := range people {
		c := ptCookie(cookies[a])
		name := e.person(a).Name
		fairOf := fair
		if len(e.meetingsOf(fair, a)) == 0 {
			fairOf = e.fairs[1].ID
		}
		for _, path := range []string{"/me", "/me/fairs/" + fairOf, "/fairs/" + fairOf + "/people/" + a, "/api/me/fairs/" + fairOf} {
			if w := e.do(t, "GET", path, nil, c); w.Code != 200 || !strings.Contains(w.Body.String(), name) {
				t.Fatalf("%s on own %s: %d", a, path, w.Code)
			}
		}
		for _, path := range []string{"/me/fairs/" + fairOf + "/schedule.ics", "/api/fairs/" + fairOf + "/people/" + a + "/schedule.ics"} {
			if w := e.do(t, "GET", path, nil, c); w.Code != 200 || !strings.Contains(w.Body.String(), "BEGIN:VEVENT") {
				t.Fatalf("%s on own %s: %d", a, path, w.Code)
			}
		}
		w := e.do(t, "GET", "/feed/"+feeds[a]+".ics", nil)
		if w.Code != 200 || !strings.Contains(w.Body.String(), "X-WR-CALNAME:洽谈日程 Schedule · "+name) {
			t.Fatalf("%s's feed: %d", a, w.Code)
		}
		// The feed holds exactly a's meetings.
		want := len(e.meetingsOf(fair, a)) + len(e.meetingsOf(e.fairs[1].ID, a))
		if got := strings.Count(w.Body.String(), "BEGIN:VEVENT"); got != want {
			t.Errorf("%s's feed has %d events, want %d", a, got, want)
		}
	}

	refused := func(t *testing.T, who, what string, w *httptest.ResponseRecorder, bName string) {
		t.Helper()
		switch {
		case w.Code == 401 || w.Code == 403 || w.Code == 404:
		case w.Code == 303 && (strings.HasPrefix(w.Header().Get("Location"), "/login") || strings.HasPrefix(w.Header().Get("Location"), "/link")):
		default:
			t.Fatalf("%s on %s: %d %.300s, want refused", who, what, w.Code, w.Body)
		}
		if strings.Contains(w.Body.String(), bName) || strings.Contains(w.Body.String(), "BEGIN:VCALENDAR") {
			t.Fatalf("%s on %s: the refusal shows b's data", who, what)
		}
	}

	requests := 0
	for _, a := range people {
		creds := []credential{
			{"cookie", ptCookie(cookies[a])},
			{"feed token as bearer", ptHeader("Authorization", "Bearer "+feeds[a])},
			{"feed token as participant cookie", ptCookie(&http.Cookie{Name: auth.PersonCookie, Value: feeds[a]})},
			{"feed token as staff cookie", ptCookie(&http.Cookie{Name: auth.SessionCookie, Value: feeds[a]})},
			{"link token as participant cookie", ptCookie(&http.Cookie{Name: auth.PersonCookie, Value: links[a]})},
		}
		for _, b := range people {
			if a == b {
				continue
			}
			bName := e.person(b).Name
			// A meeting of b that a does not attend, for the respond POST.
			var bMeeting, bFair string
			for _, f := range e.fairs[:2] {
				for _, m := range e.meetingsOf(f.ID, b) {
					if !slices.Contains(e.meetingsOf(f.ID, a), m) {
						bMeeting, bFair = m, f.ID
					}
				}
			}
			bFairs := []string{fair}
			if len(e.meetingsOf(fair, b)) == 0 {
				bFairs = []string{e.fairs[1].ID}
			}
			for _, cr := range creds {
				who := a + " (" + cr.name + ")"
				// Every credential on every route with b in it.
				for _, f := range bFairs {
					for _, path := range []string{
						"/fairs/" + f + "/people/" + b,
						"/api/fairs/" + f + "/people/" + b,
						"/api/fairs/" + f + "/people/" + b + "/schedule.ics",
						"/people/" + b,
						"/api/people/" + b,
					} {
						refused(t, who, "GET "+path, e.do(t, "GET", path, nil, cr.opt), bName)
						requests++
					}
				}
				for _, path := range []string{"/api/people/" + b + "/link", "/api/people/" + b + "/revoke", "/people/" + b + "/link", "/people/" + b + "/revoke"} {
					refused(t, who, "POST "+path, e.do(t, "POST", path, nil, cr.opt), bName)
					requests++
				}
				if bMeeting != "" {
					body, ct := ptForm(url.Values{"kind": {"decline"}, "reason": {"not mine"}})
					refused(t, who, "respond to "+bMeeting, e.do(t, "POST", "/me/fairs/"+bFair+"/meetings/"+bMeeting+"/respond", body, ct, cr.opt), bName)
					refused(t, who, "API respond to "+bMeeting, e.do(t, "POST", "/api/me/fairs/"+bFair+"/meetings/"+bMeeting+"/respond",
						strings.NewReader(`{"kind":"move","reason":"not mine"}`), ptHeader("Content-Type", "application/json"), cr.opt), bName)
					requests += 2
				}
			}
			// b's feed is reachable only with b's token: a's credentials
			// on a feed address that is not a token open nothing.
			for _, path := range []string{"/feed/" + b + ".ics", "/feed/" + feeds[a], "/feed/" + cookies[a].Value + ".ics"} {
				refused(t, a, "GET "+path, e.do(t, "GET", path, nil, ptCookie(cookies[a])), bName)
				requests++
			}
		}
	}
	t.Logf("%d attendees, %d refused requests", len(people), requests)
	for _, f := range e.fairs[:2] {
		if rs := e.responses(t, f.ID); len(rs) != 0 {
			t.Errorf("refused responses were stored at %s: %+v", f.ID, rs)
		}
	}
	// Nothing was revoked by the refused POSTs.
	for _, p := range people[:3] {
		if w := e.do(t, "GET", "/me", nil, ptCookie(cookies[p])); w.Code != 200 {
			t.Errorf("%s's session ended by someone else's request: %d", p, w.Code)
		}
	}
}

func TestLinkRefusedWhenDead(t *testing.T) {
	e := newPTEnv(t)
	person := e.agendas[e.fairs[0].ID].Meetings[0].Attendees[0]
	issue := func() string {
		tok, _, err := e.auth.IssueLink(person)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	revoked := issue()
	if _, err := e.auth.RevokePerson(person); err != nil {
		t.Fatal(err)
	}
	expired := issue()
	if w := e.do(t, "GET", "/l/"+expired, nil); w.Code != 303 || w.Header().Get("Location") != "/me" {
		t.Fatalf("a fresh link: %d to %q", w.Code, w.Header().Get("Location"))
	}
	e.clock.Set(e.clock.Now().Add(ptLinkTTL + time.Minute))
	for _, tc := range []struct{ name, tok string }{
		{"revoked", revoked},
		{"expired", expired},
		{"unknown", strings.Repeat("A", 43)},
		{"malformed", "short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := e.do(t, "GET", "/l/"+tc.tok, nil)
			if w.Code != 303 || w.Header().Get("Location") != "/link?dead=1" {
				t.Fatalf("dead link: %d to %q", w.Code, w.Header().Get("Location"))
			}
			for _, c := range w.Result().Cookies() {
				if c.Name == auth.PersonCookie && c.Value != "" {
					t.Errorf("a dead link set the participant cookie")
				}
			}
			checkPage(t, e.do(t, "GET", w.Header().Get("Location"), nil, ptLang("en")), 200, `id="link-dead"`, "expired or was revoked", `id="link-request-form"`)
			checkPage(t, e.do(t, "GET", w.Header().Get("Location"), nil, ptLang("zh")), 200, "已过期或已被撤销")
		})
	}
}

// TestLinkCleanURL follows a link as a browser does: the final address is
// /me, the token is in no address and no page, and no response may send it
// on as a Referer.
func TestLinkCleanURL(t *testing.T) {
	e := newPTEnv(t)
	srv := e.srv
	person := e.agendas[e.fairs[0].ID].Meetings[0].Attendees[0]
	tok, _, err := e.auth.IssueLink(person)
	if err != nil {
		t.Fatal(err)
	}
	c := jarClient(t)
	var hops []*http.Response
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		hops = append(hops, req.Response)
		return nil
	}
	resp, err := c.Get(srv.URL + "/l/" + tok)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.Request.URL.Path != "/me" || strings.Contains(resp.Request.URL.String(), tok) {
		t.Errorf("final address %s, want /me without the token", resp.Request.URL)
	}
	if len(hops) != 1 || hops[0].Header.Get("Referrer-Policy") != "no-referrer" || hops[0].Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the redirect must carry Referrer-Policy: no-referrer and Cache-Control: no-store: %v", hops)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(body, `<meta name="referrer" content="no-referrer">`) {
		t.Errorf("/me: %d, Referrer-Policy %q", resp.StatusCode, resp.Header.Get("Referrer-Policy"))
	}
	fair := e.fairs[0].ID
	for _, path := range []string{"/me", "/me/fairs/" + fair, "/api/me", "/api/me/fairs/" + fair, "/me/fairs/" + fair + "/schedule.ics"} {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		if b := readAll(t, resp); resp.StatusCode != 200 || strings.Contains(b, tok) {
			t.Errorf("%s: %d, or the link token is on it", path, resp.StatusCode)
		}
	}
}

// TestCrossSitePostRefused: a form posted from another site does nothing.
func TestCrossSitePostRefused(t *testing.T) {
	e := newPTEnv(t)
	fair := e.fairs[0].ID
	m := e.agendas[fair].Meetings[0]
	person := m.Attendees[0]
	c := e.open(t, person)
	for _, h := range []ptOption{ptHeader("Sec-Fetch-Site", "cross-site"), ptHeader("Origin", "https://evil.example")} {
		body, ct := ptForm(url.Values{"kind": {"decline"}, "reason": {"forged"}})
		if w := e.do(t, "POST", "/me/fairs/"+fair+"/meetings/"+m.ID+"/respond", body, ct, h, ptCookie(c)); w.Code != 403 {
			t.Errorf("cross-site respond: %d", w.Code)
		}
		if w := e.do(t, "POST", "/me/feed", nil, h, ptCookie(c)); w.Code != 403 {
			t.Errorf("cross-site feed: %d", w.Code)
		}
		if w := e.do(t, "POST", "/people/"+person+"/revoke", nil, h, ptCookie(e.org)); w.Code != 403 {
			t.Errorf("cross-site revoke: %d", w.Code)
		}
		body, ct = ptForm(url.Values{"email": {e.person(person).Email}})
		if w := e.do(t, "POST", "/link-request", body, ct, h); w.Code != 403 {
			t.Errorf("cross-site link request: %d", w.Code)
		}
	}
	if rs := e.responses(t, fair); len(rs) != 0 {
		t.Errorf("a cross-site post stored %+v", rs)
	}
	if w := e.do(t, "GET", "/me", nil, ptCookie(c)); w.Code != 200 {
		t.Errorf("session revoked by a cross-site post: %d", w.Code)
	}
	// The same post from the site itself works.
	body, ct := ptForm(url.Values{"kind": {"decline"}, "reason": {"real"}})
	if w := e.do(t, "POST", "/me/fairs/"+fair+"/meetings/"+m.ID+"/respond", body, ct, ptHeader("Sec-Fetch-Site", "same-origin"), ptCookie(c)); w.Code != 303 {
		t.Errorf("same-origin respond: %d", w.Code)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
