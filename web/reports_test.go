package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/report"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/web"
)

// rpEnv is a server for the reports and outbox pages (see fixture): the
// 2026 and 2027 plans, a small dataset with one published fair, and a
// session or token for each kind of caller.
type rpEnv struct {
	*fixture
	kicks atomic.Int32
	// credentials by caller: "organizer" (a session cookie), "commissioner"
	// and "liaison" (API tokens), "participant" (a participant session)
	cookies   map[string]*http.Cookie
	apiTokens map[string]string
}

func newRPEnv(t *testing.T) *rpEnv {
	t.Helper()
	env := &rpEnv{cookies: map[string]*http.Cookie{}, apiTokens: map[string]string{}}
	loc, err := time.LoadLocation("Asia/Shanghai") // the plan's zone
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 2, 1, 10, 0, 0, 0, loc)
	clock := func() time.Time { return now }
	env.fixture = newFixture(t, withYears(2026, 2027), withClock(clock),
		withAuth(func(a *auth.Service) { a.Now = clock }),
		withServer(func(s *web.Server) { s.OutboxKick = func() { env.kicks.Add(1) } }),
		withAccounts(
			auth.Account{Login: "org", Name: "王组织", Role: auth.RoleOrganizer},
			auth.Account{Login: "com", Name: "李专员", Role: auth.RoleCommissioner, Enterprises: []string{"E1"}},
			auth.Account{Login: "lia", Name: "张联络", Role: auth.RoleLiaison, University: "U1"},
		))
	err = env.db.Update(func(tx *store.Tx) error {
		if err := tx.PutDataset(rpDataset()); err != nil {
			return err
		}
		if err := tx.PutFairSettings(fairmatch.FairSettings{Fair: "2027-03", Theme: "新材料专场"}); err != nil {
			return err
		}
		if err := tx.PutProposals("2027-03", []fairmatch.Proposal{
			{Enterprise: "E1", University: "U1", Items: []fairmatch.MeetingItem{{Problem: "Q1", Offering: "O1"}}},
			{Enterprise: "E2", University: "U2", Items: []fairmatch.MeetingItem{{Problem: "Q2", Offering: "O2"}}},
		}); err != nil {
			return err
		}
		start := time.Date(2027, 3, 15, 9, 0, 0, 0, loc)
		if err := tx.PutAgenda(&fairmatch.Agenda{Fair: "2027-03", Timezone: loc.String(), Meetings: []fairmatch.Meeting{
			{ID: "M1", Enterprise: "E1", University: "U1", Start: start, End: start.Add(20 * time.Minute), Table: "T01", Attendees: []string{"P-E1", "P-U1"}},
			{ID: "M2", Enterprise: "E2", University: "U2", Start: start, End: start.Add(20 * time.Minute), Table: "T02", Attendees: []string{"P-E2", "P-U2"}},
		}}); err != nil {
			return err
		}
		for _, r := range []fairmatch.Response{
			{Fair: "2027-03", Meeting: "M1", Person: "P-E1", Kind: fairmatch.ResponseOutcome, Outcome: "contract"},
			{Fair: "2027-03", Meeting: "M2", Person: "P-U2", Kind: fairmatch.ResponseDecline, Reason: "ill"},
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

	w := httptest.NewRecorder()
	if _, err := env.auth.Login(w, "org", password); err != nil {
		t.Fatal(err)
	}
	env.cookies["organizer"] = rpCookie(t, w, auth.SessionCookie)
	env.apiTokens["commissioner"] = env.tokens["com"]
	env.apiTokens["liaison"] = env.tokens["lia"]
	link, _, err := env.auth.IssueLink("P-E1")
	if err != nil {
		t.Fatal(err)
	}
	w = httptest.NewRecorder()
	if _, err := env.auth.RedeemLink(w, link); err != nil {
		t.Fatal(err)
	}
	env.cookies["participant"] = rpCookie(t, w, auth.PersonCookie)
	return env
}

func rpDataset() *fairmatch.Dataset {
	return &fairmatch.Dataset{
		Enterprises: []fairmatch.Enterprise{
			{ID: "E1", Name: "华光材料", Park: "东区"},
			{ID: "E2", Name: "青松电子", Park: "西区"},
		},
		Universities: []fairmatch.University{{ID: "U1", Name: "清华大学"}, {ID: "U2", Name: "Tongji <Lab> & Co"}},
		People: []fairmatch.Person{
			{ID: "P-E1", Name: "赵一", Email: "zhao@example.com", Org: "E1", Role: fairmatch.RoleRepresentative},
			{ID: "P-E2", Name: "钱二", Email: "qian@example.com", Org: "E2", Role: fairmatch.RoleRepresentative},
			{ID: "P-U1", Name: "孙三", Email: "sun@example.com", Org: "U1", Role: fairmatch.RoleExpert},
			{ID: "P-U2", Name: "李四", Email: "li@example.com", Org: "U2", Role: fairmatch.RoleExpert},
		},
		Problems: []fairmatch.Problem{
			{ID: "Q1", Enterprise: "E1", Title: "涂层开裂", Fairs: []string{"2027-03"}},
			{ID: "Q2", Enterprise: "E2", Title: "芯片散热", Fairs: []string{"2027-03"}},
			{ID: "Q3", Enterprise: "E2", Title: "焊点检测", Fairs: []string{"2027-05"}},
		},
		Offerings: []fairmatch.Offering{{ID: "O1", University: "U1", Title: "纳米涂层"}, {ID: "O2", University: "U2", Title: "热管"}},
	}
}

func rpCookie(t *testing.T, w *httptest.ResponseRecorder, name string) *http.Cookie {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s cookie set", name)
	return nil
}

// do sends a request as the given caller ("" for anonymous) without
// following redirects.
func (e *rpEnv) do(t *testing.T, caller, method, path, lang string, form url.Values) (*http.Response, []byte) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	if c := e.cookies[caller]; c != nil {
		req.AddCookie(c)
	}
	if tok := e.apiTokens[caller]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	c := *e.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// rawKey finds a message key that was rendered instead of its text.
var rawKey = regexp.MustCompile(`\b(report|outbox)\.[a-z][a-z.-]*\b`)

// checkHTML asserts a page's status and that it shows no untranslated key.
func checkHTML(t *testing.T, resp *http.Response, body []byte, status int) string {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d:\n%s", resp.Request.URL.Path, resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("%s: Content-Type %q, want HTML", resp.Request.URL.Path, ct)
	}
	page := string(body)
	// CSS file names and paths are not keys.
	stripped := strings.NewReplacer("reports.css", "", "/reports", "", "/outbox", "").Replace(page)
	if k := rawKey.FindString(stripped); k != "" {
		t.Errorf("%s shows the untranslated key %q", resp.Request.URL.Path, k)
	}
	return page
}

// cell returns the number in the cell data-testid=name of the element with
// the given id.
func cell(t *testing.T, page, id, name string) string {
	t.Helper()
	re := regexp.MustCompile(`(?s)id="` + regexp.QuoteMeta(id) + `".*?data-testid="` + name + `">([^<]*)<`)
	m := re.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no cell %s in #%s", name, id)
	}
	return m[1]
}

func TestReportPagesBothLanguages(t *testing.T) {
	env := newRPEnv(t)
	for _, tc := range []struct {
		lang  string
		wants []string
	}{
		{"zh-CN", []string{"报表", "2027 年", "各场对接会", "按园区", "按高校", "对接成果漏斗", "签订合同", "全年合计", "新材料专场"}},
		{"en", []string{"Reports", "Fairs", "By park", "By university", "Outcome funnel", "Contract", "Year total", "新材料专场"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			resp, body := env.do(t, "organizer", "GET", "/reports", tc.lang, nil)
			page := checkHTML(t, resp, body, http.StatusOK)
			for _, want := range tc.wants {
				if !strings.Contains(page, want) {
					t.Errorf("the year page lacks %q", want)
				}
			}
			// The current plan year is 2027 (2026's fairs are over) and both
			// years can be chosen.
			if !strings.Contains(page, `<option value="2027" selected>`) || !strings.Contains(page, `<option value="2026">`) {
				t.Errorf("the year chooser does not offer 2026 and 2027 with 2027 chosen")
			}
			// Q1–Q3 raised (Q3 at 2027-05), Q1 Q2 matched, M2 declined by
			// U2's only attendee, E1–U1 reported a contract.
			for name, want := range map[string]string{"raised": "3", "matched": "2", "proposed": "2", "scheduled": "2",
				"declined": "1", "held": "1", "contract": "1", "unreported": "0"} {
				if got := cell(t, page, "report-total", name); got != want {
					t.Errorf("year total %s = %s, want %s", name, got, want)
				}
			}
			if got := cell(t, page, "report-fair-2027-05", "raised"); got != "1" {
				t.Errorf("2027-05 raised %s, want 1", got)
			}
			for _, id := range []string{"chart-pipeline", "chart-fairs", "chart-funnel", "chart-parks", "chart-universities",
				"report-year-form", "report-download-csv", "report-download-xlsx", "report-open-2027-03", "report-university-U2"} {
				if !strings.Contains(page, `id="`+id+`"`) {
					t.Errorf("the year page has no #%s", id)
				}
			}
			if strings.Contains(page, "Tongji <Lab>") || !strings.Contains(page, "Tongji &lt;Lab&gt; &amp; Co") {
				t.Errorf("a university name is not escaped in the page")
			}
			if n := strings.Count(page, "<svg"); n < 5 {
				t.Errorf("%d SVG charts, want 5", n)
			}
		})
	}

	resp, body := env.do(t, "organizer", "GET", "/reports/2027-03", "en", nil)
	page := checkHTML(t, resp, body, http.StatusOK)
	for name, want := range map[string]string{"raised": "2", "matched": "2", "held": "1", "declined": "1", "contract": "1"} {
		if got := cell(t, page, "report-fair-2027-03", name); got != want {
			t.Errorf("fair 2027-03 %s = %s, want %s", name, got, want)
		}
	}
	if !strings.Contains(page, "Report of fair 2027-03") || !strings.Contains(page, `href="/reports?year=2027"`) ||
		!strings.Contains(page, `href="/reports/2027-03.csv"`) || strings.Contains(page, `id="chart-fairs"`) {
		t.Errorf("the fair page lacks its title, its way back or its downloads, or shows the per-fair chart")
	}
	if got := cell(t, page, "report-university-U1", "held"); got != "1" {
		t.Errorf("U1 held %s, want 1", got)
	}

	resp, body = env.do(t, "organizer", "GET", "/reports?year=2026", "zh", nil)
	page = checkHTML(t, resp, body, http.StatusOK)
	if !strings.Contains(page, `<option value="2026" selected>`) || cell(t, page, "report-total", "held") != "0" {
		t.Errorf("2026 is not shown as an empty year")
	}

	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/reports?year=27", http.StatusBadRequest, "2027"},
		{"/reports?year=abcd", http.StatusBadRequest, "year"},
		{"/reports?year=2031", http.StatusNotFound, "2031"},
		{"/reports/2027-04", http.StatusNotFound, "2027-04"},
		{"/reports/2027-04.xlsx", http.StatusNotFound, "2027-04"},
	} {
		resp, body := env.do(t, "organizer", "GET", tc.path, "en", nil)
		page := checkHTML(t, resp, body, tc.status)
		if !strings.Contains(page, tc.want) {
			t.Errorf("%s: the error page does not mention %q", tc.path, tc.want)
		}
	}
}

func TestReportDownloads(t *testing.T) {
	env := newRPEnv(t)
	for _, tc := range []struct {
		path, ct, filename string
	}{
		{"/reports.csv", "text/csv; charset=utf-8", "fairmatch-report-2027.csv"},
		{"/reports.csv?year=2026", "text/csv; charset=utf-8", "fairmatch-report-2026.csv"},
		{"/reports.xlsx?year=2027", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "fairmatch-report-2027.xlsx"},
		{"/reports/2027-03.csv", "text/csv; charset=utf-8", "fairmatch-report-2027-03.csv"},
		{"/reports/2027-03.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "fairmatch-report-2027-03.xlsx"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := env.do(t, "organizer", "GET", tc.path, "zh", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tc.ct {
				t.Errorf("Content-Type %q, want %q", ct, tc.ct)
			}
			disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
			if err != nil || disp != "attachment" || params["filename"] != tc.filename {
				t.Errorf("Content-Disposition %q, want an attachment named %s", resp.Header.Get("Content-Disposition"), tc.filename)
			}
			if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("Cache-Control %q: a report must not be cached", cc)
			}
			var summary [][]string
			if strings.HasSuffix(tc.filename, ".csv") {
				rest, ok := bytes.CutPrefix(body, []byte("\uFEFF"))
				if !ok {
					t.Errorf("the CSV has no byte order mark for spreadsheet programs")
				}
				r := csv.NewReader(bytes.NewReader(rest))
				r.FieldsPerRecord = -1
				recs, err := r.ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				for _, rec := range recs[2:] { // after "summary" and the header
					if len(rec) == 1 {
						break
					}
					summary = append(summary, rec)
				}
			} else {
				book, err := excelize.OpenReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				defer book.Close()
				if got := book.GetSheetList(); len(got) != 4 || got[0] != report.SectionSummary {
					t.Errorf("sheets %v", got)
				}
				rows, err := book.GetRows(report.SectionSummary)
				if err != nil {
					t.Fatal(err)
				}
				summary = rows[1:]
			}
			wantRows := map[string]int{"/reports.csv": 7, "/reports.csv?year=2026": 7, "/reports.xlsx?year=2027": 7}[tc.path]
			if wantRows == 0 {
				wantRows = 1 // one fair
			}
			if len(summary) != wantRows {
				t.Fatalf("summary of %d rows, want %d: %q", len(summary), wantRows, summary)
			}
			if strings.Contains(tc.path, "2026") {
				return
			}
			// 2027-03 is the second fair of the year, the only one of a fair report.
			row := summary[0]
			if wantRows > 1 {
				row = summary[1]
			}
			// fair, theme, date, published, raised, matched, proposed, scheduled, declined, held
			if row[0] != "2027-03" || row[1] != "新材料专场" || row[2] != "2027-03-15" || row[3] != "true" ||
				row[4] != "2" || row[8] != "1" || row[9] != "1" {
				t.Errorf("2027-03's row %q", row)
			}
		})
	}
}

func TestReportAPI(t *testing.T) {
	env := newRPEnv(t)
	resp, body := env.do(t, "organizer", "GET", "/api/reports?year=2027", "", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var year struct {
		report.Report
		Years []int `json:"years"`
	}
	if err := json.Unmarshal(body, &year); err != nil {
		t.Fatal(err)
	}
	want := report.Figures{ProblemsRaised: 3, ProblemsMatched: 2, Proposed: 2, Scheduled: 2, Declined: 1, Held: 1,
		Outcomes: report.Outcomes{Contract: 1}}
	if year.Year != 2027 || year.Total != want || len(year.Fairs) != 6 || len(year.Years) != 2 {
		t.Errorf("year report %+v, want 2027 with total %+v, 6 fairs and 2 years", year, want)
	}
	if len(year.Parks) != 2 || year.Parks[0].Park != "东区" || year.Parks[0].Held != 1 || year.Parks[1].Declined != 1 {
		t.Errorf("parks %+v", year.Parks)
	}
	var raw map[string]any
	_ = json.Unmarshal(body, &raw)
	if tot, _ := raw["total"].(map[string]any); tot["held"] != 1.0 || tot["outcomes"].(map[string]any)["contract"] != 1.0 {
		t.Errorf("the JSON's total %v does not use the documented names", raw["total"])
	}

	resp, body = env.do(t, "organizer", "GET", "/api/reports/2027-03", "", nil)
	var fair report.Report
	if err := json.Unmarshal(body, &fair); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v: %s", resp.StatusCode, err, body)
	}
	if fair.Fair != "2027-03" || len(fair.Fairs) != 1 || fair.Fairs[0].Theme != "新材料专场" || fair.Total.ProblemsRaised != 2 {
		t.Errorf("fair report %+v", fair)
	}

	for path, code := range map[string]string{
		"/api/reports?year=x": fairmatch.EINVALID, "/api/reports?year=2031": fairmatch.ENOTFOUND, "/api/reports/2027-04": fairmatch.ENOTFOUND,
	} {
		resp, body := env.do(t, "organizer", "GET", path, "", nil)
		var eb struct{ Error string }
		if err := json.Unmarshal(body, &eb); err != nil || eb.Error != code {
			t.Errorf("%s: %d %s, want error %s", path, resp.StatusCode, body, code)
		}
	}
}

// TestReportsAndOutboxOrganizerOnly tries every route of the two areas as
// each other kind of caller.
func TestReportsAndOutboxOrganizerOnly(t *testing.T) {
	env := newRPEnv(t)
	pages := []struct{ method, path string }{
		{"GET", "/reports"}, {"GET", "/reports?year=2027"}, {"GET", "/reports.csv"}, {"GET", "/reports.xlsx?year=2027"},
		{"GET", "/reports/2027-03"}, {"GET", "/reports/2027-03.csv"}, {"GET", "/reports/2027-03.xlsx"},
		{"GET", "/outbox"}, {"POST", "/outbox/x/retry"},
	}
	apis := []struct{ method, path string }{
		{"GET", "/api/reports"}, {"GET", "/api/reports/2027-03"}, {"GET", "/api/outbox"}, {"POST", "/api/outbox/x/retry"},
	}
	for _, caller := range []string{"", "commissioner", "liaison", "participant"} {
		for _, p := range pages {
			resp, body := env.do(t, caller, p.method, p.path, "en", url.Values{})
			switch {
			case caller == "":
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
					t.Errorf("anonymous %s %s: %d to %q, want the login page", p.method, p.path, resp.StatusCode, resp.Header.Get("Location"))
				}
			default:
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s %s: %d, want 403", caller, p.method, p.path, resp.StatusCode)
				}
				if strings.Contains(string(body), "清华大学") || strings.Contains(string(body), "report-total") {
					t.Errorf("%s %s %s leaks the report", caller, p.method, p.path)
				}
			}
		}
		for _, p := range apis {
			resp, _ := env.do(t, caller, p.method, p.path, "", nil)
			want := http.StatusForbidden
			if caller == "" {
				want = http.StatusUnauthorized
			}
			if resp.StatusCode != want {
				t.Errorf("%q %s %s: %d, want %d", caller, p.method, p.path, resp.StatusCode, want)
			}
		}
	}
	if env.kicks.Load() != 0 {
		t.Errorf("a refused retry kicked the outbox")
	}
}
