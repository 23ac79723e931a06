package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/coordinator"
	"github.com/fairmatch/fairmatch/scheduler"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/store/storetest"
)

const (
	reviewFair     = "2027-03"
	reviewPassword = "correct horse battery"
)

// reviewFirer records the stages the pages run.
type reviewFirer struct {
	mu    sync.Mutex
	fired []string
}

func (f *reviewFirer) Fire(ctx context.Context, s fairmatch.Stage) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fired = append(f.fired, s.Key())
	return nil
}

func (f *reviewFirer) keys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.fired)
}

// reviewStack is a real server: a bbolt file, the year plan's fairs, a
// dataset, proposals, and three staff accounts.
type reviewStack struct {
	srv   *httptest.Server
	s     *Server
	db    *store.DB
	firer *reviewFirer
}

// reviewDataset: E1 (park 5g, commissioner "com") meets U1 and U2; E2
// (park bio) meets U2; E2–U1 is unmatched; E1–U3 is blocked.
func reviewDataset() *fairmatch.Dataset {
	return &fairmatch.Dataset{
		Enterprises: []fairmatch.Enterprise{
			{ID: "E1", Name: "潞宁通信技术有限公司", Park: "5g", Commissioner: "PC1", Attendees: []string{"PE1"}},
			{ID: "E2", Name: "Bright Cells Co., Ltd.", Park: "bio", Attendees: []string{"PE2"}},
		},
		Universities: []fairmatch.University{
			{ID: "U1", Name: "太行理工大学", Attendees: []string{"PU1"}},
			{ID: "U2", Name: "North Institute of Technology", Attendees: []string{"PU2"}},
			{ID: "U3", Name: "Blocked University", Attendees: []string{"PU3"}},
		},
		People: []fairmatch.Person{
			{ID: "PE1", Name: "赵一", Org: "E1", Role: fairmatch.RoleRepresentative},
			{ID: "PE2", Name: "Eve Two", Org: "E2", Role: fairmatch.RoleRepresentative},
			{ID: "PU1", Name: "钱教授", Org: "U1", Role: fairmatch.RoleExpert},
			{ID: "PU2", Name: "Prof. Uma", Org: "U2", Role: fairmatch.RoleExpert},
			{ID: "PU3", Name: "Prof. Blocked", Org: "U3", Role: fairmatch.RoleExpert},
			{ID: "PC1", Name: "王志刚", Role: fairmatch.RoleCommissioner},
		},
		Problems: []fairmatch.Problem{
			{ID: "PR1", Enterprise: "E1", Title: "滤波器温漂大", Keywords: []string{"滤波器", "温漂"}},
			{ID: "PR2", Enterprise: "E2", Title: "电池热失控预警", Keywords: []string{"热失控", "锂电池", "预警"}},
		},
		Offerings: []fairmatch.Offering{
			{ID: "O1", University: "U1", Title: "电池热失控早期预警技术", Keywords: []string{"热失控", "锂电池", "预警"}, Experts: []string{"PU1"}},
			{ID: "O2", University: "U2", Title: "低温漂陶瓷材料", Keywords: []string{"温漂", "陶瓷"}, Experts: []string{"PU2"}},
			{ID: "O3", University: "U3", Title: "blocked offering", Experts: []string{"PU3"}},
		},
		Blocked: []fairmatch.Blocked{{Enterprise: "E1", University: "U3", Reason: "conflict of interest"}},
	}
}

func reviewProposals() []fairmatch.Proposal {
	return []fairmatch.Proposal{
		{Enterprise: "E1", University: "U1", Attendees: []string{"PE1", "PU1"}, Score: 0.4, Primary: true,
			Items: []fairmatch.MeetingItem{{Problem: "PR1", Offering: "O1", Score: 0.4, Why: "滤波器 match"}}},
		{Enterprise: "E1", University: "U2", Attendees: []string{"PE1", "PU2"}, Score: 0.7,
			Items: []fairmatch.MeetingItem{{Problem: "PR1", Offering: "O2", Score: 0.7, Why: "温漂; domain materials"}}},
		{Enterprise: "E2", University: "U2", Attendees: []string{"PE2", "PU2"}, Score: 0.2, Primary: true,
			Items: []fairmatch.MeetingItem{{Problem: "PR2", Offering: "O2", Score: 0.2, Why: "weak"}}},
	}
}

func newReviewStack(t *testing.T) *reviewStack {
	t.Helper()
	plan, err := config.Load("../configs/fairmatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	fairs, err := plan.Plan(2027)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveFairs(context.Background(), fairs); err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *store.Tx) error {
		if err := tx.PutDataset(reviewDataset()); err != nil {
			return err
		}
		if err := tx.PutProposals(reviewFair, reviewProposals()); err != nil {
			return err
		}
		un, _ := json.Marshal([]fairmatch.Unscheduled{{Enterprise: "E2", University: "U1", Reason: "not chosen by the assignment"}})
		return tx.SetMeta("unmatched/"+reviewFair, string(un))
	})
	if err != nil {
		t.Fatal(err)
	}
	a := &auth.Service{DB: db, PasswordCost: bcrypt.MinCost}
	for _, acc := range []auth.Account{
		{Login: "org", Name: "Organizer", Role: auth.RoleOrganizer},
		{Login: "com", Name: "Commissioner", Role: auth.RoleCommissioner, Enterprises: []string{"E1"}},
		{Login: "lia", Name: "Liaison", Role: auth.RoleLiaison, University: "U2"},
	} {
		if err := a.CreateAccount(acc, reviewPassword); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.DiscardHandler)
	f := &reviewFirer{}
	s := &Server{DB: db, Plan: plan, Auth: a, Log: log,
		Sched: scheduler.New(plan, db, f, scheduler.WithLogger(log)),
		Now:   func() time.Time { return time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC) }}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &reviewStack{srv: srv, s: s, db: db, firer: f}
}

// login returns a client signed in as login that does not follow redirects.
func (st *reviewStack) login(t *testing.T, login string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(st.srv.URL+"/login", url.Values{"login": {login}, "password": {reviewPassword}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: status %d", login, resp.StatusCode)
	}
	return c
}

// reviewDo sends a request and returns the status, headers and body.
func reviewDo(t *testing.T, c *http.Client, method, u, lang, ct string, body io.Reader, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (st *reviewStack) get(t *testing.T, c *http.Client, path, lang string) (int, string) {
	t.Helper()
	resp, body := reviewDo(t, c, "GET", st.srv.URL+path, lang, "", nil)
	return resp.StatusCode, body
}

func (st *reviewStack) postForm(t *testing.T, c *http.Client, path string, v url.Values) *http.Response {
	t.Helper()
	resp, _ := reviewDo(t, c, "POST", st.srv.URL+path, "en", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	return resp
}

var rawKey = regexp.MustCompile(`\b(review|agenda)\.[a-z_]+(\.[a-z_-]+)*`)

// noRawKeys fails if the page shows a message key instead of its text.
func noRawKeys(t *testing.T, page, body string) {
	t.Helper()
	for _, k := range rawKey.FindAllString(body, -1) {
		if k != "review.css" {
			t.Errorf("%s shows the message key %q", page, k)
		}
	}
	for k := range reviewMessages {
		if strings.Contains(body, k) {
			t.Errorf("%s shows the message key %q", page, k)
		}
	}
}

func TestReviewMessagesComplete(t *testing.T) {
	verbs := regexp.MustCompile(`%(\[\d\])?[dsv]`)
	for k, v := range reviewMessages {
		if v[0] == "" || v[1] == "" {
			t.Errorf("%s: missing a translation", k)
		}
		zh, en := verbs.FindAllString(v[0], -1), verbs.FindAllString(v[1], -1)
		slices.Sort(zh)
		slices.Sort(en)
		if !slices.Equal(zh, en) {
			t.Errorf("%s: verbs differ: zh %v, en %v", k, zh, en)
		}
	}
	if got := reviewReason(langZH, "enterprise E1 reached its limit of 3 meetings"); got != "企业 E1 已达每场 3 次会谈的上限" {
		t.Errorf("reason translated to %q", got)
	}
	if got := reviewReason(langEN, "conflict of interest"); got != "conflict of interest" {
		t.Errorf("an unknown reason became %q", got)
	}
}

func TestReviewPageRendersScoped(t *testing.T) {
	st := newReviewStack(t)
	for _, tc := range []struct {
		login     string
		see, hide []string // row ids
		decide    bool
	}{
		{"org", []string{"row-E1-U1", "row-E1-U2", "row-E2-U2"}, nil, true},
		{"com", []string{"row-E1-U1", "row-E1-U2"}, []string{"row-E2-U2", "Bright Cells"}, false},
		{"lia", []string{"row-E1-U2", "row-E2-U2"}, []string{"row-E1-U1", "太行理工大学"}, false},
	} {
		c := st.login(t, tc.login)
		for _, lang := range []struct{ accept, title, state string }{
			{"zh-CN,zh;q=0.9", "匹配审核", "待审核"},
			{"en-US,en;q=0.9", "Matching review", "undecided"},
		} {
			t.Run(tc.login+"/"+lang.accept[:2], func(t *testing.T) {
				status, body := st.get(t, c, "/fairs/"+reviewFair+"/review", lang.accept)
				if status != http.StatusOK {
					t.Fatalf("status %d: %s", status, body)
				}
				noRawKeys(t, "review", body)
				for _, want := range append([]string{lang.title, lang.state, `id="review-filter"`}, tc.see...) {
					if !strings.Contains(body, want) {
						t.Errorf("page lacks %q", want)
					}
				}
				for _, no := range tc.hide {
					if strings.Contains(body, no) {
						t.Errorf("page shows %q to %s", no, tc.login)
					}
				}
				for _, form := range []string{`id="review-add"`, `data-testid="decide-accept"`} {
					if strings.Contains(body, form) != tc.decide {
						t.Errorf("%s: %s shown = %v, want %v", tc.login, form, !tc.decide, tc.decide)
					}
				}
			})
		}
	}
	// What a row shows: items with titles and why, attendees by name, the
	// park; the unmatched pair with its reason in the page's language.
	c := st.login(t, "org")
	_, body := st.get(t, c, "/fairs/"+reviewFair+"/review", "zh")
	for _, want := range []string{"滤波器温漂大", "低温漂陶瓷材料", "温漂; domain materials", "赵一", "Prof. Uma", "5g",
		`id="e-E1"`, `id="review-unmatched"`, "未被分配方案选中", `<option value="PR2">`, `id="add-attendees"`} {
		if !strings.Contains(body, want) {
			t.Errorf("organizer's page lacks %q", want)
		}
	}
	// Filters: a park, a university, only undecided.
	for _, tc := range []struct {
		q         string
		see, hide []string
	}{
		{"park=bio", []string{"row-E2-U2"}, []string{"row-E1-U1", "row-E1-U2"}},
		{"university=U1", []string{"row-E1-U1"}, []string{"row-E1-U2", "row-E2-U2"}},
	} {
		_, body := st.get(t, c, "/fairs/"+reviewFair+"/review?"+tc.q, "en")
		for _, s := range tc.see {
			if !strings.Contains(body, s) {
				t.Errorf("%s: lacks %s", tc.q, s)
			}
		}
		for _, s := range tc.hide {
			if strings.Contains(body, s) {
				t.Errorf("%s: shows %s", tc.q, s)
			}
		}
	}
	if status, _ := st.get(t, c, "/fairs/2027-04/review", "en"); status != http.StatusNotFound {
		t.Errorf("unknown fair: status %d", status)
	}
	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, _ := reviewDo(t, anon, "GET", st.srv.URL+"/fairs/"+reviewFair+"/review", "en", "", nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Errorf("anonymous: %d %s, want a redirect to the login page", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func (st *reviewStack) decisions(t *testing.T) map[string]fairmatch.Decision {
	t.Helper()
	out := map[string]fairmatch.Decision{}
	err := st.db.View(func(tx *store.Tx) error {
		ds, err := tx.Decisions(reviewFair)
		for _, d := range ds {
			out[d.Enterprise+"-"+d.University] = d
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReviewDecisionsRoundTrip(t *testing.T) {
	st := newReviewStack(t)
	c := st.login(t, "org")
	path := "/fairs/" + reviewFair + "/review/decisions"

	// The buttons: accept, pin, reject; back to the enterprise's anchor with the filter.
	for _, tc := range []struct {
		e, u, verdict, back string
		location            string
	}{
		{"E1", "U2", "accept", "park=5g&evil=1", "/fairs/2027-03/review?park=5g#e-E1"},
		{"E1", "U1", "pin", "", "/fairs/2027-03/review#e-E1"},
		{"E2", "U2", "reject", "undecided=1", "/fairs/2027-03/review?undecided=1#e-E2"},
	} {
		resp := st.postForm(t, c, path, url.Values{"enterprise": {tc.e}, "university": {tc.u}, "verdict": {tc.verdict},
			"note": {"by form"}, "back": {tc.back}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tc.location {
			t.Fatalf("%s %s-%s: %d → %q, want 303 → %q", tc.verdict, tc.e, tc.u, resp.StatusCode, resp.Header.Get("Location"), tc.location)
		}
	}
	// Add by hand through the form: attendees default to the enterprise's
	// and the offering's experts; the item gets a score and a why.
	resp := st.postForm(t, c, path, url.Values{"verdict": {"add"}, "enterprise": {"E2"}, "university": {"U1"},
		"problem": {"PR2"}, "offering": {"O1"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/fairs/2027-03/review#e-E2" {
		t.Fatalf("add: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	got := st.decisions(t)
	if d := got["E1-U2"]; d.Verdict != fairmatch.VerdictAccept || d.Note != "by form" || d.By != "org" ||
		len(d.Items) != 1 || d.Items[0].Offering != "O2" || !slices.Equal(d.Attendees, []string{"PE1", "PU2"}) {
		t.Errorf("accept must copy the proposal's items and attendees: %+v", d)
	}
	if d := got["E1-U1"]; d.Verdict != fairmatch.VerdictPin || len(d.Items) != 1 || d.Items[0].Offering != "O1" {
		t.Errorf("pin must copy the proposal: %+v", d)
	}
	if d := got["E2-U2"]; d.Verdict != fairmatch.VerdictReject || len(d.Items) != 0 {
		t.Errorf("reject: %+v", d)
	}
	add := got["E2-U1"]
	if add.Verdict != fairmatch.VerdictAdd || !slices.Equal(add.Attendees, []string{"PE2", "PU1"}) ||
		len(add.Items) != 1 || add.Items[0].Score <= 0 || add.Items[0].Why == "" {
		t.Errorf("add: %+v", add)
	}

	// The page shows the states.
	_, body := st.get(t, c, "/fairs/"+reviewFair+"/review", "en")
	for _, want := range []string{"accepted", "pinned (placed first)", "rejected", "added by hand", `data-testid="decide-withdraw"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	noRawKeys(t, "review after decisions", body)

	// The API: refusals with issues, a withdraw, a re-add.
	api := st.srv.URL + "/api/fairs/" + reviewFair + "/decisions"
	for _, tc := range []struct {
		name, body string
		status     int
		field      string
	}{
		{"blocked pair", `{"enterprise":"E1","university":"U3","verdict":"add","items":[{"problem":"PR1","offering":"O3"}]}`, 400, "university"},
		{"another enterprise's problem", `{"enterprise":"E1","university":"U1","verdict":"add","items":[{"problem":"PR2","offering":"O1"}]}`, 400, "items[0].problem"},
		{"a foreign attendee", `{"enterprise":"E1","university":"U1","verdict":"add","items":[{"problem":"PR1","offering":"O1"}],"attendees":["PE1","PU1","PE2"]}`, 400, "attendees[2]"},
		{"a deleted enterprise", `{"enterprise":"E9","university":"U1","verdict":"add","items":[{"problem":"PR1","offering":"O1"}]}`, 400, "enterprise"},
		{"accept of a pair never proposed", `{"enterprise":"E2","university":"U3","verdict":"accept"}`, 404, ""},
		{"bad verdict", `{"enterprise":"E1","university":"U1","verdict":"maybe"}`, 400, "verdict"},
		{"reject of an unknown university", `{"enterprise":"E1","university":"U9","verdict":"reject"}`, 400, "university"},
		{"unknown field", `{"enterprise":"E1","university":"U1","verdict":"pin","colour":"red"}`, 400, ""},
	} {
		resp, body := reviewDo(t, c, "POST", api, "en", "application/json", strings.NewReader(tc.body))
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, resp.StatusCode, tc.status, body)
			continue
		}
		var eb errorBody
		if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Message == "" {
			t.Errorf("%s: error body %s", tc.name, body)
		}
		if tc.field != "" && !slices.ContainsFunc(eb.Issues, func(i fairmatch.Issue) bool { return i.Field == tc.field }) {
			t.Errorf("%s: issues %+v lack field %s", tc.name, eb.Issues, tc.field)
		}
	}
	resp, _ = reviewDo(t, c, "DELETE", api+"?enterprise=E2&university=U2", "en", "", nil)
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("withdraw: status %d", resp.StatusCode)
	}
	if _, ok := st.decisions(t)["E2-U2"]; ok {
		t.Errorf("withdrawn decision still stored")
	}
	resp, body = reviewDo(t, c, "POST", api, "en", "application/json",
		strings.NewReader(`{"enterprise":"E2","university":"U2","verdict":"reject","note":"by API"}`))
	var stored fairmatch.Decision
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &stored) != nil || stored.Note != "by API" || stored.Fair != reviewFair {
		t.Errorf("reject by API: %d %s", resp.StatusCode, body)
	}
	// Withdraw through the form too.
	if resp := st.postForm(t, c, path, url.Values{"enterprise": {"E1"}, "university": {"U1"}, "verdict": {"withdraw"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("withdraw by form: %d", resp.StatusCode)
	}
	if resp := st.postForm(t, c, path, url.Values{"enterprise": {"E1"}, "university": {"U1"}, "verdict": {"pin"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("pin again: %d", resp.StatusCode)
	}

	// GET the decisions back and apply them to a fresh matching run that
	// proposes only E1–U1 (other items) and E2–U2.
	resp, body = reviewDo(t, c, "GET", api, "en", "", nil)
	var decisions []fairmatch.Decision
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &decisions) != nil || len(decisions) != 4 {
		t.Fatalf("GET decisions: %d %s", resp.StatusCode, body)
	}
	fresh := []fairmatch.Proposal{
		{Enterprise: "E1", University: "U1", Attendees: []string{"PE1", "PU1"}, Score: 0.1,
			Items: []fairmatch.MeetingItem{{Problem: "PR1", Offering: "O1", Score: 0.1}}},
		{Enterprise: "E2", University: "U2", Attendees: []string{"PE2", "PU2"}, Score: 0.9, Primary: true,
			Items: []fairmatch.MeetingItem{{Problem: "PR2", Offering: "O2", Score: 0.9}}},
	}
	applied, issues := coordinator.ApplyDecisions(fresh, decisions, reviewDataset())
	if len(issues) > 0 {
		t.Fatalf("issues: %v", issues)
	}
	pairs := map[string]fairmatch.Proposal{}
	for _, p := range applied {
		pairs[p.Enterprise+"-"+p.University] = p
	}
	if len(pairs) != 3 {
		t.Errorf("applied %d proposals, want E1-U1, E1-U2, E2-U1: %+v", len(pairs), applied)
	}
	if p, ok := pairs["E1-U1"]; !ok || !p.Primary || p.Score <= 1 {
		t.Errorf("pinned E1-U1 must be primary and placed first: %+v", p)
	}
	if p, ok := pairs["E1-U2"]; !ok || len(p.Items) != 1 || p.Items[0].Offering != "O2" || p.Primary {
		t.Errorf("accepted E1-U2 must be kept from the decision: %+v", p)
	}
	if _, ok := pairs["E2-U2"]; ok {
		t.Errorf("rejected E2-U2 kept")
	}
	if p, ok := pairs["E2-U1"]; !ok || !slices.Equal(p.Attendees, []string{"PE2", "PU1"}) {
		t.Errorf("added E2-U1: %+v", p)
	}
}

func TestReviewScopingAndCrossSite(t *testing.T) {
	st := newReviewStack(t)
	path := "/fairs/" + reviewFair + "/review/decisions"
	api := st.srv.URL + "/api/fairs/" + reviewFair

	for _, login := range []string{"com", "lia"} {
		c := st.login(t, login)
		resp := st.postForm(t, c, path, url.Values{"enterprise": {"E1"}, "university": {"U2"}, "verdict": {"accept"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s posting a decision: status %d, want 403", login, resp.StatusCode)
		}
		resp, _ = reviewDo(t, c, "POST", api+"/decisions", "en", "application/json",
			strings.NewReader(`{"enterprise":"E1","university":"U2","verdict":"accept"}`))
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s posting a decision by API: status %d, want 403", login, resp.StatusCode)
		}
		resp, _ = reviewDo(t, c, "DELETE", api+"/decisions?enterprise=E1&university=U2", "en", "", nil)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s deleting a decision: status %d, want 403", login, resp.StatusCode)
		}
	}
	if n := len(st.decisions(t)); n != 0 {
		t.Fatalf("%d decisions stored by non-organizers", n)
	}

	// A cross-site form post is refused, even for an organizer.
	org := st.login(t, "org")
	resp, _ := reviewDo(t, org, "POST", st.srv.URL+path, "en", "application/x-www-form-urlencoded",
		strings.NewReader("enterprise=E1&university=U2&verdict=reject"), "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site post: status %d, want 403", resp.StatusCode)
	}
	resp, _ = reviewDo(t, org, "POST", st.srv.URL+"/fairs/"+reviewFair+"/agenda/publish", "en", "application/x-www-form-urlencoded",
		nil, "Sec-Fetch-Site", "cross-site")
	if resp.StatusCode != http.StatusForbidden || len(st.firer.keys()) != 0 {
		t.Errorf("cross-site publish: status %d, fired %v", resp.StatusCode, st.firer.keys())
	}
	if n := len(st.decisions(t)); n != 0 {
		t.Fatalf("cross-site post stored a decision")
	}
	// An organizer decision on E2 that the commissioner of E1 must not see.
	resp, _ = reviewDo(t, org, "POST", api+"/decisions", "en", "application/json",
		strings.NewReader(`{"enterprise":"E2","university":"U2","verdict":"reject"}`))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("organizer reject: %d", resp.StatusCode)
	}

	for _, tc := range []struct {
		login     string
		rows      []string
		decisions int
		unmatched int
	}{
		{"org", []string{"E1-U1", "E1-U2", "E2-U2"}, 1, 1},
		{"com", []string{"E1-U1", "E1-U2"}, 0, 0},
		{"lia", []string{"E1-U2", "E2-U2"}, 1, 0},
	} {
		c := st.login(t, tc.login)
		resp, body := reviewDo(t, c, "GET", api+"/proposals", "en", "", nil)
		var pb reviewProposalsBody
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &pb) != nil {
			t.Fatalf("%s proposals: %d %s", tc.login, resp.StatusCode, body)
		}
		var rows []string
		for _, r := range pb.Rows {
			rows = append(rows, r.Enterprise+"-"+r.University)
		}
		slices.Sort(rows)
		if !slices.Equal(rows, tc.rows) || len(pb.Unmatched) != tc.unmatched {
			t.Errorf("%s sees rows %v and %d unmatched, want %v and %d", tc.login, rows, len(pb.Unmatched), tc.rows, tc.unmatched)
		}
		resp, body = reviewDo(t, c, "GET", api+"/decisions", "en", "", nil)
		var ds []fairmatch.Decision
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &ds) != nil || len(ds) != tc.decisions {
			t.Errorf("%s decisions: %d %s, want %d", tc.login, resp.StatusCode, body, tc.decisions)
		}
	}
	// Filters in the API.
	resp, body := reviewDo(t, org, "GET", api+"/proposals?undecided=1", "en", "", nil)
	var pb reviewProposalsBody
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &pb) != nil || len(pb.Rows) != 2 || pb.Undecided != 2 || pb.Total != 3 {
		t.Errorf("undecided filter: %d %s", resp.StatusCode, body)
	}
}

// The planted agenda (fair day 2027-03-15, 09:00–12:00 and 14:00–17:00,
// 20-minute slots with 5-minute buffers: 09:00, 09:25, 09:50, 10:15, …):
// PE1 is double-booked at 09:00; PU1 waits idle at 09:25; PU2 waits idle at
// 09:25 and 09:50.
func reviewAt(hhmm string) time.Time {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	t, _ := time.ParseInLocation("2006-01-02 15:04", "2027-03-15 "+hhmm, loc)
	return t
}

func reviewMeeting(e, u, at, table string, att ...string) fairmatch.Meeting {
	start := reviewAt(at)
	return fairmatch.Meeting{ID: "M-" + e + "-" + u, Enterprise: e, University: u, Start: start, End: start.Add(20 * time.Minute),
		Table: table, Attendees: att, Items: []fairmatch.MeetingItem{{Problem: "PR1", Offering: "O1"}}}
}

func reviewDraft() *fairmatch.Agenda {
	return &fairmatch.Agenda{Fair: reviewFair, Timezone: "Asia/Shanghai", Meetings: []fairmatch.Meeting{
		reviewMeeting("E1", "U1", "09:00", "T01", "PE1", "PU1"),
		reviewMeeting("E1", "U2", "09:00", "T02", "PE1", "PU2"),
		reviewMeeting("E2", "U1", "09:50", "T01", "PE2", "PU1"),
		reviewMeeting("E2", "U2", "10:15", "T02", "PE2", "PU2"),
	}, Unscheduled: []fairmatch.Unscheduled{{Enterprise: "E2", University: "U3", Reason: "no common free slot"}}}
}

func TestAgendaCheck(t *testing.T) {
	day := fairmatch.Day{Sessions: []fairmatch.Session{{Name: "morning", From: "09:00", To: "10:40"}, {Name: "afternoon", From: "14:00", To: "14:45"}},
		Slot: fairmatch.Duration(20 * time.Minute), Buffer: fairmatch.Duration(5 * time.Minute), Tables: []string{"T01", "T02"}}
	fair := fairmatch.Fair{ID: reviewFair, Timezone: "Asia/Shanghai", Start: reviewAt("09:00")}
	slots, spans := agendaDaySlots(day, fair)
	var starts []string
	for _, s := range slots {
		starts = append(starts, s.Start.Format("15:04")+"/"+s.Session)
	}
	if want := []string{"09:00/morning", "09:25/morning", "09:50/morning", "10:15/morning", "14:00/afternoon", "14:25/afternoon"}; !slices.Equal(starts, want) {
		t.Fatalf("slots %v, want %v", starts, want)
	}
	offGrid := reviewMeeting("E3", "U3", "09:10", "T02", "PX")
	late := reviewMeeting("E4", "U4", "12:30", "T01", "PY")
	unknown := reviewMeeting("E5", "U5", "14:25", "T09", "PZ")
	twice := reviewMeeting("E6", "U6", "09:50", "T01", "PW")
	lunch := reviewMeeting("E7", "U7", "14:00", "T02", "PU1") // PU1: idle 09:25 and 10:15, not the break
	ms := append(reviewDraft().Meetings, offGrid, late, unknown, twice, lunch)
	checks, places := agendaCheck(ms, slots, spans, day.Tables)

	var kinds []string
	for _, c := range checks.Conflicts {
		kinds = append(kinds, fmt.Sprintf("%s %s %s%s", c.Kind, strings.Join(c.Meetings, "+"), c.Person, c.Table))
	}
	want := []string{
		"double-booked M-E1-U1+M-E1-U2 PE1",
		"off-grid M-E3-U3 ",
		"table-twice M-E1-U2+M-E3-U3 T02", // the off-grid meeting still overlaps
		"table-twice M-E2-U1+M-E6-U6 T01",
		"outside-day M-E4-U4 ",
		"unknown-table M-E5-U5 T09",
	}
	slices.Sort(kinds)
	slices.Sort(want)
	if !slices.Equal(kinds, want) {
		t.Errorf("conflicts\n got %q\nwant %q", kinds, want)
	}
	gaps := map[string][]int{}
	for _, g := range checks.Gaps {
		gaps[g.Person] = g.Slots
		if g.Idle != len(g.Slots) {
			t.Errorf("%s: idle %d for slots %v", g.Person, g.Idle, g.Slots)
		}
	}
	if want := map[string][]int{"PU1": {2, 4}, "PU2": {2, 3}}; fmt.Sprint(gaps) != fmt.Sprint(want) {
		t.Errorf("gaps %v, want %v", gaps, want)
	}
	if checks.IdleSlots != 4 {
		t.Errorf("idle slots %d, want 4", checks.IdleSlots)
	}
	for i, m := range ms {
		placed := places[i].slot > 0
		if wantPlaced := m.ID != "M-E3-U3" && m.ID != "M-E4-U4" && m.ID != "M-E5-U5"; placed != wantPlaced {
			t.Errorf("%s placed = %v, want %v", m.ID, placed, wantPlaced)
		}
	}
	if p := places[0]; p.slot != 1 || p.table != 1 {
		t.Errorf("M-E1-U1 at slot %d table %d, want 1, 1", p.slot, p.table)
	}
	// An agenda without faults has none.
	clean, _ := agendaCheck(reviewDraft().Meetings[2:], slots, spans, day.Tables)
	if len(clean.Conflicts) != 0 || len(clean.Gaps) != 0 {
		t.Errorf("a clean agenda: %+v", clean)
	}
}

// putAgendas stores a draft and a published agenda; the published one
// first held M-E2-U1 at 11:05, so it is cancelled.
func (st *reviewStack) putAgendas(t *testing.T) {
	t.Helper()
	err := st.db.Update(func(tx *store.Tx) error {
		b, _ := json.Marshal(reviewDraft())
		if err := tx.SetMeta("draft/"+reviewFair, string(b)); err != nil {
			return err
		}
		if err := tx.SetMeta("verdict/"+reviewFair, `{"status":"feasible","breaks":3}`); err != nil {
			return err
		}
		first := &fairmatch.Agenda{Fair: reviewFair, Timezone: "Asia/Shanghai", Meetings: []fairmatch.Meeting{
			reviewMeeting("E1", "U1", "09:25", "T01", "PE1", "PU1"),
			reviewMeeting("E2", "U1", "11:05", "T03", "PE2", "PU1"),
			reviewMeeting("E2", "U2", "10:15", "T02", "PE2", "PU2"),
		}}
		if err := tx.PutAgenda(first); err != nil {
			return err
		}
		second := *first
		second.Meetings = []fairmatch.Meeting{first.Meetings[0], first.Meetings[2]}
		return tx.PutAgenda(&second)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAgendaPages(t *testing.T) {
	st := newReviewStack(t)
	org := st.login(t, "org")
	if status, body := st.get(t, org, "/fairs/"+reviewFair+"/agenda", "en"); status != http.StatusOK ||
		!strings.Contains(body, `id="agenda-empty"`) || !strings.Contains(body, `id="agenda-replan"`) {
		t.Errorf("no agenda yet: %d, want the empty notice and the re-plan button", status)
	}
	st.putAgendas(t)

	for _, lang := range []struct{ accept, title, changes, verdict string }{
		{"zh", "日程表", "与已发布版本相比：新增 2 场，调整时间或桌号 1 场，人员或内容变化 0 场，取消 0 场。", "所有会谈均已安排，共 3 处空等：这是时限内找到的最好结果，尚未证明已是最少。"},
		{"en", "Agenda", "Against the published agenda: 2 new, 1 moved, 0 changed, 0 dropped.", "Every meeting placed; idle gaps: 3, the fewest found within the time limit, not proven the fewest."},
	} {
		status, body := st.get(t, org, "/fairs/"+reviewFair+"/agenda", lang.accept)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", lang.accept, status, body)
		}
		noRawKeys(t, "agenda/"+lang.accept, body)
		for _, want := range []string{lang.title, lang.changes, lang.verdict, `data-status="feasible"`, `id="agenda-grid"`, `id="agenda-grid-scroll"`,
			`data-view="draft"`, `id="cell-1-T01"`, `data-meeting="M-E1-U2"`, `data-kind="double-booked"`,
			`data-testid="gap" data-person="PU2"`, `data-testid="gap" data-person="PU1"`, `id="agenda-publish"`,
			`id="agenda-replan"`, `data-confirm=`, `id="agenda-unscheduled"`, `id="agenda-cancelled"`, `data-meeting="M-E2-U1"`,
			`class="busy conflict"`, "09:00–09:20", "潞宁通信技术", "Bright Cells"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: agenda page lacks %q", lang.accept, want)
			}
		}
	}
	// The published view: its meetings, no change summary.
	_, body := st.get(t, org, "/fairs/"+reviewFair+"/agenda?view=published", "en")
	if !strings.Contains(body, `data-view="published"`) || strings.Contains(body, `id="agenda-changes"`) || strings.Contains(body, `id="agenda-verdict"`) ||
		!strings.Contains(body, `id="cell-2-T01"`) || strings.Contains(body, `data-meeting="M-E1-U2"`) {
		t.Errorf("published view wrong")
	}

	// A commissioner sees E1's meetings only and cannot publish.
	com := st.login(t, "com")
	status, body := st.get(t, com, "/fairs/"+reviewFair+"/agenda", "en")
	if status != http.StatusOK || !strings.Contains(body, `data-meeting="M-E1-U1"`) || strings.Contains(body, `data-meeting="M-E2-U2"`) ||
		strings.Contains(body, "Bright Cells") || strings.Contains(body, `id="agenda-publish"`) || !strings.Contains(body, `data-kind="double-booked"`) {
		t.Errorf("commissioner's agenda: %d", status)
	}
	noRawKeys(t, "commissioner agenda", body)

	// The per-person view marks the gaps.
	status, body = st.get(t, org, "/fairs/"+reviewFair+"/agenda/people/PU2?view=draft", "zh")
	if status != http.StatusOK {
		t.Fatalf("person page: %d %s", status, body)
	}
	noRawKeys(t, "person", body)
	gapRows := regexp.MustCompile(`data-slot="(\d+)" data-gap="1"`).FindAllStringSubmatch(body, -1)
	if len(gapRows) != 2 || gapRows[0][1] != "2" || gapRows[1][1] != "3" || !strings.Contains(body, `id="person-day"`) ||
		!strings.Contains(body, `data-meeting="M-E2-U2"`) || !strings.Contains(body, "Prof. Uma") {
		t.Errorf("PU2's day: gaps %v", gapRows)
	}
	if status, _ := st.get(t, com, "/fairs/"+reviewFair+"/agenda/people/PE2", "en"); status != http.StatusForbidden {
		t.Errorf("commissioner of E1 seeing PE2's day: %d, want 403", status)
	}
	status, body = st.get(t, com, "/fairs/"+reviewFair+"/agenda/people/PU1", "en")
	if status != http.StatusOK || !strings.Contains(body, `data-meeting="M-E1-U1"`) || strings.Contains(body, "M-E2-U1") {
		t.Errorf("commissioner seeing PU1's day with E1: %d", status)
	}
	if status, _ := st.get(t, org, "/fairs/"+reviewFair+"/agenda/people/NOBODY", "en"); status != http.StatusNotFound {
		t.Errorf("unknown person: %d, want 404", status)
	}

	// The checks API.
	resp, jsonBody := reviewDo(t, org, "GET", st.srv.URL+"/api/fairs/"+reviewFair+"/agenda/checks?draft=1", "en", "", nil)
	var cb agendaChecksBody
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(jsonBody), &cb) != nil {
		t.Fatalf("checks: %d %s", resp.StatusCode, jsonBody)
	}
	if cb.View != "draft" || len(cb.Conflicts) != 1 || cb.Conflicts[0].Person != "PE1" || cb.IdleSlots != 3 || len(cb.Slots) != 14 || len(cb.Tables) != 12 ||
		cb.Verdict == nil || cb.Verdict.Status != "feasible" || cb.Verdict.Breaks != 3 {
		t.Errorf("checks: %s", jsonBody)
	}
	resp, jsonBody = reviewDo(t, com, "GET", st.srv.URL+"/api/fairs/"+reviewFair+"/agenda/checks?draft=1", "en", "", nil)
	if json.Unmarshal([]byte(jsonBody), &cb) != nil || resp.StatusCode != http.StatusOK || cb.IdleSlots != 0 || len(cb.Conflicts) != 1 {
		t.Errorf("commissioner's checks: %s", jsonBody)
	}
}

// TestAgendaVerdictWords shows each of the solver's verdicts on the draft,
// in both languages, without a raw key or a formatting slip; an unknown
// status shows none.
func TestAgendaVerdictWords(t *testing.T) {
	st := newReviewStack(t)
	st.putAgendas(t)
	org := st.login(t, "org")
	for _, tc := range []struct{ verdict, status, en string }{
		{`{"status":"optimal","breaks":0}`, "optimal", "every meeting placed, with the fewest idle gaps possible (0;"},
		{`{"status":"optimal","breaks":2,"moved":1,"replan":true}`, "optimal.replan", "the fewest published meetings moved, and with that the fewest idle gaps possible (2)"},
		{`{"status":"partial","breaks":4}`, "partial", "Not every meeting could be placed (idle gaps among those placed: 4)"},
		{`{"status":"infeasible","breaks":1}`, "infeasible", "not every meeting can be placed under these rules (idle gaps among those placed: 1)"},
		{`{"status":"unknown","breaks":0}`, "unknown", "Nothing could be placed within the time limit."},
		{`{"status":"bogus","breaks":0}`, "", ""},
	} {
		err := st.db.Update(func(tx *store.Tx) error { return tx.SetMeta("verdict/"+reviewFair, tc.verdict) })
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"en", "zh"} {
			status, body := st.get(t, org, "/fairs/"+reviewFair+"/agenda", lang)
			if status != http.StatusOK {
				t.Fatalf("%s %s: %d", tc.verdict, lang, status)
			}
			noRawKeys(t, "verdict "+tc.status+"/"+lang, body)
			if strings.Contains(body, "%!") {
				t.Errorf("%s %s: a formatting slip on the page", tc.verdict, lang)
			}
			if tc.status == "" {
				if strings.Contains(body, `id="agenda-verdict"`) {
					t.Errorf("%s: a verdict shown for an unknown status", tc.verdict)
				}
				continue
			}
			if !strings.Contains(body, `data-status="`+tc.status+`"`) || lang == "en" && !strings.Contains(body, tc.en) {
				t.Errorf("%s %s: verdict %q not shown", tc.verdict, lang, tc.en)
			}
		}
	}
}

func TestAgendaAPIDraft(t *testing.T) {
	st := newReviewStack(t)
	mux := http.NewServeMux()
	mux.Handle("GET /api/fairs/{fair}/agenda", st.s.api(needStaff, st.s.reviewAPIAgenda))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	org, lia := st.login(t, "org"), st.login(t, "lia")
	// The cookies are for the main server; both listen on 127.0.0.1.
	u := srv.URL + "/api/fairs/" + reviewFair + "/agenda"
	if resp, _ := reviewDo(t, org, "GET", u+"?draft=1", "en", "", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("no draft yet: %d", resp.StatusCode)
	}
	st.putAgendas(t)
	for _, tc := range []struct {
		c     *http.Client
		q     string
		view  string
		count int
	}{
		{org, "?draft=1", "draft", 4},
		{org, "", "published", 2},
		{lia, "?draft=1", "draft", 2},
		{lia, "", "published", 1},
	} {
		resp, body := reviewDo(t, tc.c, "GET", u+tc.q, "en", "", nil)
		var a fairmatch.Agenda
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &a) != nil || len(a.Meetings) != tc.count ||
			resp.Header.Get("X-Agenda-View") != tc.view {
			t.Errorf("%s: %d %s view %q, want %d meetings of the %s", tc.q, resp.StatusCode, body, resp.Header.Get("X-Agenda-View"), tc.count, tc.view)
		}
	}
}

func TestAgendaPublishAndReplan(t *testing.T) {
	st := newReviewStack(t)
	st.putAgendas(t)
	com := st.login(t, "com")
	for _, action := range []string{"publish", "replan"} {
		if resp := st.postForm(t, com, "/fairs/"+reviewFair+"/agenda/"+action, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("commissioner %s: %d, want 403", action, resp.StatusCode)
		}
	}
	if got := st.firer.keys(); len(got) != 0 {
		t.Fatalf("fired %v for a commissioner", got)
	}
	org := st.login(t, "org")
	for _, tc := range []struct{ action, location string }{
		{"replan", "/fairs/2027-03/agenda"},
		{"publish", "/fairs/2027-03/agenda?view=published"},
	} {
		resp := st.postForm(t, org, "/fairs/"+reviewFair+"/agenda/"+tc.action, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tc.location {
			t.Errorf("%s: %d → %q", tc.action, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if got, want := st.firer.keys(), []string{"2027-03/agenda", "2027-03/publish"}; !slices.Equal(got, want) {
		t.Errorf("fired %v, want %v", got, want)
	}
	// Publishing again while the stage runs is a conflict, shown as a page.
	resp := st.postForm(t, org, "/fairs/"+reviewFair+"/agenda/publish", nil)
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("publish while running: %d, want 409", resp.StatusCode)
	}
}

func FuzzAgendaClock(f *testing.F) {
	for _, s := range []string{"09:00", "24:00", "23:59", "24:01", "9:00", "ab:cd", "12:60", "-1:00", "+9:05", ""} {
		f.Add(s)
	}
	date := reviewAt("12:00")
	f.Fuzz(func(t *testing.T, hhmm string) {
		got, err := agendaClock(date, hhmm, date.Location())
		if err != nil {
			return
		}
		if len(hhmm) != 5 {
			t.Fatalf("%q accepted", hhmm)
		}
		midnight := time.Date(2027, 3, 15, 0, 0, 0, 0, date.Location())
		if d := got.Sub(midnight); d < 0 || d > 24*time.Hour {
			t.Fatalf("%q gives %v, off the day", hhmm, got)
		}
		if hhmm != "24:00" && got.Format("15:04") != hhmm {
			t.Fatalf("%q gives %s", hhmm, got.Format("15:04"))
		}
	})
}

// BenchmarkAgendaCheck checks a large fair: 40 tables × 28 slots, every
// cell used, people in three meetings each.
func BenchmarkAgendaCheck(b *testing.B) {
	day := fairmatch.Day{Sessions: []fairmatch.Session{{Name: "am", From: "08:00", To: "12:00"}, {Name: "pm", From: "13:00", To: "18:00"}},
		Slot: fairmatch.Duration(15 * time.Minute), Buffer: fairmatch.Duration(5 * time.Minute)}
	for i := range 40 {
		day.Tables = append(day.Tables, fmt.Sprintf("T%02d", i+1))
	}
	fair := fairmatch.Fair{ID: reviewFair, Timezone: "Asia/Shanghai", Start: reviewAt("08:00")}
	slots, spans := agendaDaySlots(day, fair)
	var ms []fairmatch.Meeting
	for _, s := range slots {
		for t, table := range day.Tables {
			k := len(ms)
			ms = append(ms, fairmatch.Meeting{ID: fmt.Sprint("M", k), Start: s.Start, End: s.End, Table: table,
				Attendees: []string{fmt.Sprint("E", (s.N/3)*40+t), fmt.Sprint("U", (k*7)%997)}})
		}
	}
	b.ReportAllocs()
	var checks agendaChecks
	for b.Loop() {
		checks, _ = agendaCheck(ms, slots, spans, day.Tables)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ms)), "ns/meeting")
	b.ReportMetric(float64(len(checks.Conflicts)), "conflicts")
}

func TestAgendaPageShowsResponses(t *testing.T) {
	st := newReviewStack(t)
	st.putAgendas(t)
	err := st.s.DB.Update(func(tx *store.Tx) error {
		for _, r := range []fairmatch.Response{
			{Fair: reviewFair, Meeting: "M-E1-U2", Person: "PU2", Kind: fairmatch.ResponseDecline, Reason: "出差 away that day"},
			{Fair: reviewFair, Meeting: "M-E1-U2", Person: "PE1", Kind: fairmatch.ResponseMove, Reason: "afternoon please"},
			{Fair: reviewFair, Meeting: "M-E1-U2", Person: "PE1", Kind: fairmatch.ResponseOutcome, Outcome: "nda"},
		} {
			if err := tx.PutResponse(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	org := st.login(t, "org")
	for _, lang := range []struct{ accept, decline, move string }{{"zh", "婉拒", "请求调整时间"}, {"en", "declines", "asks to move"}} {
		_, body := st.get(t, org, "/fairs/"+reviewFair+"/agenda", lang.accept)
		noRawKeys(t, "agenda responses/"+lang.accept, body)
		for _, want := range []string{`id="agenda-responses"`, `data-kind="decline"`, `data-kind="move"`, "出差 away that day",
			"afternoon please", lang.decline, lang.move} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: agenda page lacks %q", lang.accept, want)
			}
		}
		if strings.Contains(body, `data-kind="outcome"`) {
			t.Errorf("%s: outcomes belong to the reports, not the agenda", lang.accept)
		}
	}
}
