package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	ical "github.com/arran4/golang-ical"
	"golang.org/x/time/rate"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/configs"
	"github.com/fairmatch/fairmatch/dataset"
	"github.com/fairmatch/fairmatch/mail"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/web"
)

// ptClock is the injected clock of the participant tests.
type ptClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *ptClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *ptClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// ptEnv is a server (see fixture) with the example dataset, two fairs
// with a published agenda each, an organizer and a commissioner account.
type ptEnv struct {
	*fixture
	clock   *ptClock
	ds      *fairmatch.Dataset
	agendas map[string]*fairmatch.Agenda // of fairs[0] and fairs[1]
	org     *http.Cookie                 // the organizer's session
	comm    *http.Cookie                 // a commissioner's session
}

const ptLinkTTL = 48 * time.Hour

// ptOption changes a test request.
type ptOption func(*http.Request)

func ptCookie(c *http.Cookie) ptOption {
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value}) }
}
func ptHeader(k, v string) ptOption { return func(r *http.Request) { r.Header.Set(k, v) } }
func ptLang(l string) ptOption      { return ptHeader("Accept-Language", l) }

func ptForm(v url.Values) (io.Reader, ptOption) {
	return strings.NewReader(v.Encode()), ptHeader("Content-Type", "application/x-www-form-urlencoded")
}

func newPTEnv(t testing.TB) *ptEnv {
	t.Helper()
	e := &ptEnv{clock: &ptClock{}, agendas: map[string]*fairmatch.Agenda{}}
	e.fixture = newFixture(t, withClock(e.clock.Now),
		withAuth(func(a *auth.Service) { a.Now, a.LinkTTL = e.clock.Now, ptLinkTTL }),
		withAccounts(
			auth.Account{Login: "zhao", Name: "赵组织", Role: auth.RoleOrganizer},
			auth.Account{Login: "qian", Name: "钱专员", Role: auth.RoleCommissioner, Enterprises: []string{"E001"}},
		),
		withServer(func(s *web.Server) {
			s.LinkLimiter = auth.NewLimiter(rate.Every(time.Hour), 1000, 1000)
			s.SendLink = func(ctx context.Context, p fairmatch.Person, link string, expires time.Time) error {
				msg, err := mail.ComposeLoginLink(p.ID, p.Name, p.Email, link, expires)
				if err != nil {
					return err
				}
				_, err = (&mail.Outbox{DB: s.DB, Now: e.clock.Now}).Enqueue(msg)
				return err
			}
		}))
	e.clock.Set(e.fairs[0].Start.Add(-7 * 24 * time.Hour))
	raw, err := configs.FS.ReadFile("example-dataset.json")
	if err != nil {
		t.Fatal(err)
	}
	if e.ds, err = dataset.Parse("example-dataset.json", raw); err != nil {
		t.Fatal(err)
	}
	e.agendas[e.fairs[0].ID] = ptAgenda(t, e.ds, e.fairs[0], 0, 12)
	e.agendas[e.fairs[1].ID] = ptAgenda(t, e.ds, e.fairs[1], 6, 8) // shares people with the first
	err = e.db.Update(func(tx *store.Tx) error {
		if err := tx.PutDataset(e.ds); err != nil {
			return err
		}
		for _, a := range e.agendas {
			if err := tx.PutAgenda(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.org = e.login(t, "zhao")
	e.comm = e.login(t, "qian")
	return e
}

// ptAgenda makes a small agenda of n meetings for fair from the dataset's
// problems from index first on: each an enterprise's first attendee with
// the first expert of an offering, four tables, 30-minute slots.
func ptAgenda(t testing.TB, ds *fairmatch.Dataset, fair fairmatch.Fair, first, n int) *fairmatch.Agenda {
	t.Helper()
	ents := map[string]fairmatch.Enterprise{}
	for _, e := range ds.Enterprises {
		ents[e.ID] = e
	}
	var withExperts []fairmatch.Offering
	for _, o := range ds.Offerings {
		if len(o.Experts) > 0 {
			withExperts = append(withExperts, o)
		}
	}
	a := &fairmatch.Agenda{Fair: fair.ID, Timezone: "Asia/Shanghai"}
	for i := range n {
		pr := ds.Problems[first+i]
		e := ents[pr.Enterprise]
		if len(e.Attendees) == 0 {
			t.Fatalf("enterprise %s has no attendee", e.ID)
		}
		o := withExperts[(first+i)*7%len(withExperts)]
		start := fair.Start.Add(time.Duration(i/4) * 30 * time.Minute)
		a.Meetings = append(a.Meetings, fairmatch.Meeting{
			ID: fmt.Sprintf("M%03d", first+i+1), Enterprise: e.ID, University: o.University,
			Start: start, End: start.Add(25 * time.Minute), Table: fmt.Sprintf("T%02d", i%4+1),
			Attendees: []string{e.Attendees[0], o.Experts[0]},
			Items: []fairmatch.MeetingItem{{Problem: pr.ID, Offering: o.ID, Score: 0.8,
				Why: "关键词重合：" + strings.Join(pr.Keywords[:min(2, len(pr.Keywords))], "、")}},
		})
	}
	return a
}

// do serves one request and returns the recorded response.
func (e *ptEnv) do(t testing.TB, method, path string, body io.Reader, opts ...ptOption) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, body)
	for _, o := range opts {
		o(r)
	}
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	return w
}

// login signs a staff account in and returns its session cookie.
func (e *ptEnv) login(t testing.TB, login string) *http.Cookie {
	t.Helper()
	body, ct := ptForm(url.Values{"login": {login}, "password": {password}})
	w := e.do(t, "POST", "/login", body, ct)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("login %s: %d %s", login, w.Code, w.Body)
	}
	return ptFindCookie(t, w, auth.SessionCookie)
}

func ptFindCookie(t testing.TB, w *httptest.ResponseRecorder, name string) *http.Cookie {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == name && c.Value != "" {
			return c
		}
	}
	t.Fatalf("no cookie %s in %v", name, w.Result().Header["Set-Cookie"])
	return nil
}

// open redeems a fresh link of person and returns the participant cookie.
func (e *ptEnv) open(t testing.TB, person string) *http.Cookie {
	t.Helper()
	tok, _, err := e.auth.IssueLink(person)
	if err != nil {
		t.Fatal(err)
	}
	w := e.do(t, "GET", "/l/"+tok, nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/me" {
		t.Fatalf("link of %s: %d to %q", person, w.Code, w.Header().Get("Location"))
	}
	return ptFindCookie(t, w, auth.PersonCookie)
}

// attendees returns every attendee of the agendas, sorted.
func (e *ptEnv) attendees() []string {
	var out []string
	for _, a := range e.agendas {
		for _, m := range a.Meetings {
			for _, p := range m.Attendees {
				if !slices.Contains(out, p) {
					out = append(out, p)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// meetingsOf returns the ids of person's meetings at fair.
func (e *ptEnv) meetingsOf(fair, person string) []string {
	var out []string
	for _, m := range e.agendas[fair].Meetings {
		if slices.Contains(m.Attendees, person) {
			out = append(out, m.ID)
		}
	}
	return out
}

func (e *ptEnv) person(id string) fairmatch.Person {
	for _, p := range e.ds.People {
		if p.ID == id {
			return p
		}
	}
	return fairmatch.Person{ID: id, Name: id}
}

func (e *ptEnv) responses(t testing.TB, fair string) []fairmatch.Response {
	t.Helper()
	var rs []fairmatch.Response
	if err := e.db.View(func(tx *store.Tx) (err error) { rs, err = tx.Responses(fair); return err }); err != nil {
		t.Fatal(err)
	}
	return rs
}

// untranslated finds message keys of this area left in a page.
var untranslated = regexp.MustCompile(`participant\.[a-z_]+(\.[a-z_]+)?`)

func checkPage(t *testing.T, w *httptest.ResponseRecorder, status int, wants ...string) string {
	t.Helper()
	body := w.Body.String()
	page := strings.ReplaceAll(body, "/static/participant.css", "")
	if w.Code != status {
		t.Fatalf("status %d, want %d: %.600s", w.Code, status, body)
	}
	if k := untranslated.FindString(page); k != "" {
		t.Errorf("untranslated key %q on the page", k)
	}
	for _, s := range wants {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	return body
}

func TestParticipantPagesBothLanguages(t *testing.T) {
	e := newPTEnv(t)
	fair := e.fairs[0].ID
	person := e.agendas[fair].Meetings[0].Attendees[0] // an enterprise representative
	p := e.person(person)
	c := e.open(t, person)
	m := e.agendas[fair].Meetings[0]
	var ent, uni string
	for _, x := range e.ds.Enterprises {
		if x.ID == m.Enterprise {
			ent = x.Name
		}
	}
	for _, x := range e.ds.Universities {
		if x.ID == m.University {
			uni = x.Name
		}
	}
	expert := e.person(m.Attendees[1])

	for _, tc := range []struct {
		lang  string
		wants []string
	}{
		{"zh-CN,zh;q=0.9", []string{"我的洽谈会", "订阅日历", "场洽谈"}},
		{"en-US,en;q=0.8", []string{"My fairs", "Subscribe to your calendar", "Meetings: "}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			body := checkPage(t, e.do(t, "GET", "/me", nil, ptCookie(c), ptLang(tc.lang)), 200, tc.wants...)
			for _, s := range []string{p.Name, `id="fair-` + fair + `"`, `id="feed-issue"`} {
				if !strings.Contains(body, s) {
					t.Errorf("/me lacks %q", s)
				}
			}
			sched := map[string][]string{
				"zh": {"洽谈对象", "匹配理由", "下载日历文件", "不能参加", "申请调整时间"},
				"en": {"Meeting with", "Why matched", "Download calendar", "Decline", "Ask to move"},
			}[tc.lang[:2]]
			body = checkPage(t, e.do(t, "GET", "/me/fairs/"+fair, nil, ptCookie(c), ptLang(tc.lang)), 200, sched...)
			for _, s := range []string{uni, expert.Name, m.Items[0].Why, "09:00–09:25", `id="ics-download"`,
				`data-testid="respond-form"`, `href="/me/fairs/` + fair + `/schedule.ics"`} {
				if !strings.Contains(body, s) {
					t.Errorf("schedule lacks %q", s)
				}
			}
			if strings.Contains(body, `data-testid="outcome-form"`) {
				t.Errorf("outcome form shown before the fair")
			}
			_ = ent
			feed := e.do(t, "POST", "/me/feed", nil, ptCookie(c), ptLang(tc.lang))
			body = checkPage(t, feed, 200, `id="feed-webcal"`, `href="webcal://example.com/feed/`, `value="http://example.com/feed/`)
			if feed.Header().Get("Cache-Control") != "private, no-store" {
				t.Errorf("feed page Cache-Control %q", feed.Header().Get("Cache-Control"))
			}
			for _, st := range []string{"/link", "/link?dead=1", "/link?sent=1"} {
				checkPage(t, e.do(t, "GET", st, nil, ptLang(tc.lang)), 200, `id="link-page"`)
			}
			checkPage(t, e.do(t, "GET", "/people/"+person, nil, ptCookie(e.org), ptLang(tc.lang)), 200,
				p.Name, p.Email, `id="person-send-link"`, `id="person-revoke"`, `id="person-fair-`+fair+`"`)
			checkPage(t, e.do(t, "GET", "/fairs/"+fair+"/people/"+person, nil, ptCookie(e.org), ptLang(tc.lang)), 200,
				uni, `id="schedule-admin"`, `href="/api/fairs/`+fair+`/people/`+person+`/schedule.ics"`)
		})
	}
	// The switch overrides the browser.
	w := e.do(t, "GET", "/me?lang=en", nil, ptCookie(c), ptLang("zh-CN"))
	lc := ptFindCookie(t, w, "fm_lang")
	checkPage(t, e.do(t, "GET", "/me", nil, ptCookie(c), ptCookie(lc), ptLang("zh-CN")), 200, "My fairs")
}

func TestResponses(t *testing.T) {
	e := newPTEnv(t)
	fair := e.fairs[0]
	m := e.agendas[fair.ID].Meetings[0]
	person := m.Attendees[1] // the expert
	c := e.open(t, person)
	respond := func(v url.Values, opts ...ptOption) *httptest.ResponseRecorder {
		body, ct := ptForm(v)
		return e.do(t, "POST", "/me/fairs/"+fair.ID+"/meetings/"+m.ID+"/respond", body, append(opts, ct, ptCookie(c))...)
	}

	// Before the fair: decline and move need a reason; outcome waits.
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
	}{
		{"decline without a reason", url.Values{"kind": {"decline"}}, 400},
		{"unknown kind", url.Values{"kind": {"maybe"}, "reason": {"x"}}, 400},
		{"outcome before the fair", url.Values{"kind": {"outcome"}, "outcome": {"contact"}}, 409},
		{"overlong reason", url.Values{"kind": {"move"}, "reason": {strings.Repeat("长", 1001)}}, 400},
		{"decline", url.Values{"kind": {"decline"}, "reason": {"出差，不能参加"}}, 303},
		{"move", url.Values{"kind": {"move"}, "reason": {"上午有课，能否改到下午？"}}, 303},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := respond(tc.form)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %.300s", w.Code, tc.status, w.Body)
			}
			if tc.status == 303 && w.Header().Get("Location") != "/me/fairs/"+fair.ID+"?saved="+m.ID+"#m-"+m.ID {
				t.Errorf("redirect to %q", w.Header().Get("Location"))
			}
		})
	}
	rs := e.responses(t, fair.ID)
	if len(rs) != 2 || rs[0].Kind != "decline" || rs[1].Kind != "move" || rs[0].Person != person || rs[0].Reason != "出差，不能参加" {
		t.Fatalf("stored %+v, want the decline and the move", rs)
	}
	body := checkPage(t, e.do(t, "GET", "/me/fairs/"+fair.ID+"?saved="+m.ID, nil, ptCookie(c), ptLang("en")), 200,
		`data-testid="saved"`, "Declined", "出差，不能参加", "Asked to move", "上午有课")
	if strings.Contains(body, `data-testid="outcome-form"`) {
		t.Error("outcome form before the fair")
	}
	// The organizer sees them on the person's page.
	checkPage(t, e.do(t, "GET", "/people/"+person, nil, ptCookie(e.org), ptLang("zh")), 200, "不能参加", "出差，不能参加", `data-testid="person-response"`)

	// The JSON twin.
	w := e.do(t, "POST", "/api/me/fairs/"+fair.ID+"/meetings/"+m.ID+"/respond",
		strings.NewReader(`{"kind":"move","reason":"改到 14:00 以后"}`), ptCookie(c), ptHeader("Content-Type", "application/json"))
	var got fairmatch.Response
	if w.Code != 201 || json.Unmarshal(w.Body.Bytes(), &got) != nil || got.Reason != "改到 14:00 以后" || got.Person != person {
		t.Fatalf("API respond: %d %s", w.Code, w.Body)
	}

	// After the fair: the outcome form, no more declines.
	e.clock.Set(fair.End.Add(time.Hour))
	body = checkPage(t, e.do(t, "GET", "/me/fairs/"+fair.ID, nil, ptCookie(c), ptLang("zh")), 200,
		`data-testid="outcome-form"`, "签订合同", "成果已转化", `id="schedule-ended"`)
	if strings.Contains(body, `data-testid="respond-form"`) {
		t.Error("decline form after the fair")
	}
	if w := respond(url.Values{"kind": {"decline"}, "reason": {"late"}}); w.Code != 409 {
		t.Errorf("decline after the fair: %d", w.Code)
	}
	if w := respond(url.Values{"kind": {"outcome"}, "outcome": {"signed"}}); w.Code != 400 {
		t.Errorf("unknown outcome: %d", w.Code)
	}
	if w := respond(url.Values{"kind": {"outcome"}, "outcome": {"nda"}, "reason": {"已签保密协议"}}); w.Code != 303 {
		t.Fatalf("outcome: %d %s", w.Code, w.Body)
	}
	checkPage(t, e.do(t, "GET", "/me/fairs/"+fair.ID, nil, ptCookie(c), ptLang("en")), 200, "Outcome", "NDA", "已签保密协议")
	var api struct {
		Ended    bool
		Meetings []struct {
			ID        string
			Responses []fairmatch.Response
		}
	}
	w = e.do(t, "GET", "/api/me/fairs/"+fair.ID, nil, ptCookie(c))
	if err := json.Unmarshal(w.Body.Bytes(), &api); err != nil || !api.Ended {
		t.Fatalf("API schedule: %d %s", w.Code, w.Body)
	}
	i := slices.IndexFunc(api.Meetings, func(x struct {
		ID        string
		Responses []fairmatch.Response
	}) bool {
		return x.ID == m.ID
	})
	if i < 0 || len(api.Meetings[i].Responses) != 3 {
		t.Fatalf("API meetings %+v, want %s with 3 responses (decline, move, outcome)", api.Meetings, m.ID)
	}
}

func TestCalendarRoundTrip(t *testing.T) {
	e := newPTEnv(t)
	fair := e.fairs[0].ID
	a := e.agendas[fair]
	// Someone with meetings at both fairs.
	var person string
	for _, p := range e.attendees() {
		if len(e.meetingsOf(fair, p)) > 0 && len(e.meetingsOf(e.fairs[1].ID, p)) > 0 {
			person = p
			break
		}
	}
	if person == "" {
		t.Fatal("no attendee of both fairs in the test agendas")
	}
	mine := e.meetingsOf(fair, person)
	c := e.open(t, person)

	// The download of one fair.
	w := e.do(t, "GET", "/me/fairs/"+fair+"/schedule.ics", nil, ptCookie(c))
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/calendar") ||
		!strings.Contains(w.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %v", w.Code, w.Header())
	}
	cal := parseCal(t, w.Body.Bytes())
	if got := len(cal.Events()); got != len(mine) {
		t.Fatalf("download has %d events, want %d", got, len(mine))
	}
	ev := cal.Events()[0]
	sum := ev.GetProperty(ical.ComponentPropertySummary).Value
	desc := ev.GetProperty(ical.ComponentPropertyDescription).Value
	mid, _, _ := strings.Cut(ev.Id(), ".")
	m := meetingByID(a, mid)
	if len(m.Items) == 0 {
		t.Fatalf("UID %s names no meeting of the agenda", ev.Id())
	}
	if !strings.Contains(sum, "洽谈") || !strings.Contains(desc, m.Items[0].Why) {
		t.Errorf("Chinese text lost: SUMMARY %q, DESCRIPTION %q (want the why %q)", sum, desc, m.Items[0].Why)
	}
	start, err := ev.GetStartAt()
	if err != nil || !start.Equal(m.Start) {
		t.Errorf("DTSTART %v (%v), want %v", start, err, m.Start)
	}

	// The feed: no cookie, both fairs, one VTIMEZONE.
	tok, err := e.auth.IssueFeed(person)
	if err != nil {
		t.Fatal(err)
	}
	feed := func() *ical.Calendar {
		t.Helper()
		w := e.do(t, "GET", "/feed/"+tok+".ics", nil)
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/calendar") {
			t.Fatalf("feed: %d %s", w.Code, w.Body)
		}
		if len(w.Result().Cookies()) != 0 {
			t.Errorf("feed sets cookies")
		}
		return parseCal(t, w.Body.Bytes())
	}
	f := feed()
	want := len(mine) + len(e.meetingsOf(e.fairs[1].ID, person))
	if got := len(f.Events()); got != want {
		t.Fatalf("feed has %d events, want %d (both fairs)", got, want)
	}
	if n := strings.Count(f.Serialize(), "BEGIN:VTIMEZONE"); n != 1 {
		t.Errorf("feed has %d VTIMEZONE, want 1", n)
	}
	seq := map[string]string{}
	for _, ev := range f.Events() {
		seq[ev.Id()] = ev.GetProperty(ical.ComponentPropertySequence).Value
	}

	// Move a meeting: same UID, higher SEQUENCE, new time.
	moved := mine[0]
	uid := moved + "." + fair + "@fairmatch"
	a2 := cloneAgenda(a)
	for i := range a2.Meetings {
		if a2.Meetings[i].ID == moved {
			a2.Meetings[i].Start = a2.Meetings[i].Start.Add(2 * time.Hour)
			a2.Meetings[i].End = a2.Meetings[i].End.Add(2 * time.Hour)
		}
	}
	// and cancel another meeting of the fair (the person's second, if any).
	cancelled := ""
	if len(mine) > 1 {
		cancelled = mine[1]
	} else {
		cancelled = a2.Meetings[len(a2.Meetings)-1].ID
	}
	a2.Meetings = slices.DeleteFunc(a2.Meetings, func(m fairmatch.Meeting) bool { return m.ID == cancelled })
	if err := e.db.Update(func(tx *store.Tx) error { return tx.PutAgenda(a2) }); err != nil {
		t.Fatal(err)
	}
	f = feed()
	found := false
	for _, ev := range f.Events() {
		if ev.Id() == uid {
			found = true
			if s := ev.GetProperty(ical.ComponentPropertySequence).Value; s <= seq[uid] {
				t.Errorf("moved meeting SEQUENCE %s, was %s", s, seq[uid])
			}
			start, _ := ev.GetStartAt()
			if !start.Equal(meetingByID(a, moved).Start.Add(2 * time.Hour)) {
				t.Errorf("moved meeting starts %v", start)
			}
		}
		if strings.HasPrefix(ev.Id(), cancelled+"."+fair+"@") {
			if st := ev.GetProperty(ical.ComponentPropertyStatus).Value; st != "CANCELLED" {
				t.Errorf("cancelled meeting STATUS %s", st)
			}
		}
	}
	if !found {
		t.Errorf("moved meeting %s missing from the feed", uid)
	}
	if got := len(f.Events()); slices.Contains(mine, cancelled) && got != want {
		t.Errorf("feed has %d events after the change, want %d (the cancelled one stays, as CANCELLED)", got, want)
	}
	if slices.Contains(mine, cancelled) {
		body := checkPage(t, e.do(t, "GET", "/me/fairs/"+fair, nil, ptCookie(c), ptLang("zh")), 200, "已取消", "<s>")
		if !strings.Contains(body, `id="m-`+cancelled+`" data-testid="meeting" data-meeting="`+cancelled+`" data-cancelled="true"`) {
			t.Errorf("cancelled meeting not marked on the page")
		}
	}

	// Rotation and revocation end the feed.
	tok2, err := e.auth.IssueFeed(person)
	if err != nil {
		t.Fatal(err)
	}
	if w := e.do(t, "GET", "/feed/"+tok+".ics", nil); w.Code != 404 {
		t.Errorf("rotated feed token: %d", w.Code)
	}
	if w := e.do(t, "GET", "/feed/"+tok2+".ics", nil); w.Code != 200 {
		t.Errorf("new feed token: %d", w.Code)
	}
	if _, err := e.auth.RevokePerson(person); err != nil {
		t.Fatal(err)
	}
	if w := e.do(t, "GET", "/feed/"+tok2+".ics", nil); w.Code != 404 {
		t.Errorf("revoked feed token: %d", w.Code)
	}
}

func parseCal(t testing.TB, b []byte) *ical.Calendar {
	t.Helper()
	cal, err := ical.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("golang-ical: %v\n%s", err, b)
	}
	return cal
}

func meetingByID(a *fairmatch.Agenda, id string) fairmatch.Meeting {
	for _, m := range a.Meetings {
		if m.ID == id {
			return m
		}
	}
	return fairmatch.Meeting{}
}

func cloneAgenda(a *fairmatch.Agenda) *fairmatch.Agenda {
	b := *a
	b.Meetings = slices.Clone(a.Meetings)
	return &b
}

func TestLinkRequest(t *testing.T) {
	e := newPTEnv(t)
	person := e.agendas[e.fairs[0].ID].Meetings[0].Attendees[0]
	p := e.person(person)
	outbox := func() []store.OutboxMessage {
		var ms []store.OutboxMessage
		if err := e.db.View(func(tx *store.Tx) (err error) { ms, err = tx.Outbox(store.OutboxFilter{}); return err }); err != nil {
			t.Fatal(err)
		}
		return ms
	}
	request := func(email, host string) *httptest.ResponseRecorder {
		body, ct := ptForm(url.Values{"email": {email}})
		r := httptest.NewRequest("POST", "/link-request", body)
		ct(r)
		r.Host = host
		w := httptest.NewRecorder()
		e.handler.ServeHTTP(w, r)
		return w
	}
	// Unknown and known addresses get the same answer.
	unknown := request("nobody@example.org", "localhost:8080")
	known := request(strings.ToUpper(p.Email), "localhost:8080")
	for _, w := range []*httptest.ResponseRecorder{unknown, known} {
		if w.Code != 303 || w.Header().Get("Location") != "/link?sent=1" || w.Body.String() != unknown.Body.String() {
			t.Errorf("answer %d %q %q, want the same redirect for both", w.Code, w.Header().Get("Location"), w.Body)
		}
	}
	ms := outbox()
	if len(ms) != 1 || ms[0].To != p.Email || ms[0].Kind != "login-link" || ms[0].Person != person {
		t.Fatalf("outbox %+v, want one login-link mail to %s", ms, p.Email)
	}
	link := regexp.MustCompile(`http://localhost:8080/l/[A-Za-z0-9_-]{43}`).FindString(ms[0].Text)
	if link == "" {
		t.Fatalf("no link in the mail:\n%s", ms[0].Text)
	}
	w := e.do(t, "GET", strings.TrimPrefix(link, "http://localhost:8080"), nil)
	if w.Code != 303 || w.Header().Get("Location") != "/me" {
		t.Errorf("mailed link: %d %q", w.Code, w.Header().Get("Location"))
	}

	// A forged Host gets no mail with a link to that host.
	request(p.Email, "evil.example")
	if n := len(outbox()); n != 1 {
		t.Errorf("a request with Host evil.example queued a mail (%d in the outbox)", n)
	}
	e.server.PublicURL = "https://fairs.example.cn/"
	request(p.Email, "evil.example")
	ms = outbox()
	if len(ms) != 2 || !strings.Contains(ms[0].Text+ms[1].Text, "https://fairs.example.cn/l/") {
		t.Errorf("with PublicURL the link must use it; outbox %d", len(ms))
	}
	e.server.PublicURL = ""

	// Malformed address, JSON twin.
	checkPage(t, request("not an address", "localhost"), 400, `id="link-bad"`)
	w = e.do(t, "POST", "/api/link-request", strings.NewReader(`{"email":"nobody@example.org"}`), ptHeader("Content-Type", "application/json"))
	if w.Code != 202 {
		t.Errorf("API link request: %d %s", w.Code, w.Body)
	}

	// Without mail, link requests are unavailable, and the organizer's
	// page says the link was not sent.
	send := e.server.SendLink
	e.server.SendLink = nil
	checkPage(t, request(p.Email, "localhost"), 503)
	checkPage(t, e.do(t, "POST", "/people/"+person+"/link", nil, ptCookie(e.org), ptLang("en")), 200, `id="person-link-mail-off"`, "Mail is not configured")
	e.server.SendLink = send
	if n := len(outbox()); n != 2 {
		t.Errorf("mail was queued without SendLink: %d in the outbox", n)
	}

	// The limiter.
	e.server.LinkLimiter = auth.NewLimiter(rate.Every(time.Hour), 2, 100)
	e.handler = e.server.Handler()
	codes := []int{}
	for range 3 {
		codes = append(codes, request("x@example.org", "localhost").Code)
	}
	if !slices.Equal(codes, []int{303, 303, 429}) {
		t.Errorf("limited requests: %v, want 303 303 429", codes)
	}
	w = request("y@example.org", "localhost")
	checkPage(t, w, 429, `id="link-limited"`)
	if w.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

func TestOrganizerLinkTools(t *testing.T) {
	e := newPTEnv(t)
	person := e.agendas[e.fairs[0].ID].Meetings[0].Attendees[0]
	p := e.person(person)

	w := e.do(t, "POST", "/api/people/"+person+"/link", nil, ptCookie(e.org))
	var il struct {
		Person, URL string
		Expires     time.Time
		MailedTo    string `json:"mailed_to"`
	}
	if w.Code != 201 || json.Unmarshal(w.Body.Bytes(), &il) != nil || !strings.HasPrefix(il.URL, "http://example.com/l/") || il.MailedTo != "" {
		t.Fatalf("API link: %d %s", w.Code, w.Body)
	}
	if !il.Expires.Equal(e.clock.Now().Add(ptLinkTTL)) {
		t.Errorf("expires %v, want %v", il.Expires, e.clock.Now().Add(ptLinkTTL))
	}
	if w := e.do(t, "GET", strings.TrimPrefix(il.URL, "http://example.com"), nil); w.Code != 303 || w.Header().Get("Location") != "/me" {
		t.Errorf("issued link: %d", w.Code)
	}
	if w := e.do(t, "POST", "/api/people/"+person+"/link?mail=1", nil, ptCookie(e.org)); w.Code != 201 || !strings.Contains(w.Body.String(), p.Email) {
		t.Errorf("API link with mail: %d %s", w.Code, w.Body)
	}
	if w := e.do(t, "POST", "/api/people/NOBODY/link", nil, ptCookie(e.org)); w.Code != 404 {
		t.Errorf("link for an unknown person: %d", w.Code)
	}

	// The page: send a link, shown once, mailed.
	body := checkPage(t, e.do(t, "POST", "/people/"+person+"/link", nil, ptCookie(e.org), ptLang("en")), 200,
		`id="person-link-url"`, "Queued for mailing to "+p.Email)
	if !regexp.MustCompile(`value="http://example.com/l/[A-Za-z0-9_-]{43}"`).MatchString(body) {
		t.Errorf("the page does not show the new link")
	}

	// Revoke all: sessions, links and feed end.
	c := e.open(t, person)
	feedTok, _ := e.auth.IssueFeed(person)
	w = e.do(t, "POST", "/people/"+person+"/revoke", nil, ptCookie(e.org))
	if w.Code != 303 || !strings.HasPrefix(w.Header().Get("Location"), "/people/"+person+"?revoked=") {
		t.Fatalf("revoke page: %d %q", w.Code, w.Header().Get("Location"))
	}
	checkPage(t, e.do(t, "GET", w.Header().Get("Location"), nil, ptCookie(e.org), ptLang("zh")), 200, `id="person-revoked"`, "已撤销")
	if w := e.do(t, "GET", "/me", nil, ptCookie(c)); w.Code != 401 {
		t.Errorf("revoked session: %d", w.Code)
	}
	if w := e.do(t, "GET", "/feed/"+feedTok+".ics", nil); w.Code != 404 {
		t.Errorf("revoked feed: %d", w.Code)
	}
	w = e.do(t, "POST", "/api/people/"+person+"/revoke", nil, ptCookie(e.org))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"revoked": 0`) {
		t.Errorf("second revoke: %d %s", w.Code, w.Body)
	}
	// The commissioner may not use the tools.
	for _, path := range []string{"/api/people/" + person + "/link", "/api/people/" + person + "/revoke"} {
		if w := e.do(t, "POST", path, nil, ptCookie(e.comm)); w.Code != 403 {
			t.Errorf("commissioner %s: %d", path, w.Code)
		}
	}
	if w := e.do(t, "GET", "/people/"+person, nil, ptCookie(e.comm)); w.Code != 403 {
		t.Errorf("commissioner person page: %d", w.Code)
	}
}

func TestMeWithoutSession(t *testing.T) {
	e := newPTEnv(t)
	checkPage(t, e.do(t, "GET", "/me", nil, ptLang("en")), 401, `id="link-signin"`, `id="link-request-form"`, "personal link")
	w := e.do(t, "GET", "/api/me", nil)
	if w.Code != 401 || !strings.Contains(w.Body.String(), `"unauthorized"`) {
		t.Errorf("API without session: %d %s", w.Code, w.Body)
	}
	// A staff account without a person is refused the participant pages.
	checkPage(t, e.do(t, "GET", "/me", nil, ptCookie(e.org), ptLang("en")), 403)
	if w := e.do(t, "GET", "/api/me", nil, ptCookie(e.org)); w.Code != 403 {
		t.Errorf("organizer /api/me: %d", w.Code)
	}
	// /api/me lists the fairs.
	person := e.agendas[e.fairs[0].ID].Meetings[0].Attendees[0]
	w = e.do(t, "GET", "/api/me", nil, ptCookie(e.open(t, person)))
	var me struct {
		Person struct{ ID string }
		Fairs  []struct {
			ID       string
			Meetings int
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &me); err != nil || me.Person.ID != person || len(me.Fairs) == 0 || me.Fairs[0].ID != e.fairs[0].ID {
		t.Errorf("/api/me: %d %s", w.Code, w.Body)
	}
}

// BenchmarkFeedRequest measures what a subscribed calendar application
// costs the server per poll: GET /feed/{token}.ics for a person with
// meetings at two fairs (token check, agenda reads, rendering, merging).
func BenchmarkFeedRequest(b *testing.B) {
	e := newPTEnv(b)
	var person string
	for _, p := range e.attendees() {
		if len(e.meetingsOf(e.fairs[0].ID, p)) > 0 && len(e.meetingsOf(e.fairs[1].ID, p)) > 0 {
			person = p
		}
	}
	tok, err := e.auth.IssueFeed(person)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if w := e.do(b, "GET", "/feed/"+tok+".ics", nil); w.Code != 200 {
			b.Fatalf("feed: %d", w.Code)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "polls/s")
}
