package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
)

// recStack is a real server for the record forms (see fixture) with the
// example dataset, the organizer "org", the commissioner "comm" (E001) and
// the liaison "liai" (U01).
type recStack struct{ *fixture }

func newRecStack(t *testing.T) *recStack {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, loc)
	return &recStack{newFixture(t, withExample(), withClock(func() time.Time { return now }))}
}

// snapshot is the stored dataset as JSON, to tell that nothing changed.
func (st *recStack) snapshot() string {
	st.t.Helper()
	b, err := json.Marshal(st.dataset())
	if err != nil {
		st.t.Fatal(err)
	}
	return string(b)
}

func (st *recStack) problem(id string) (fairmatch.Problem, bool) {
	for _, p := range st.dataset().Problems {
		if p.ID == id {
			return p, true
		}
	}
	return fairmatch.Problem{}, false
}

func (st *recStack) offering(id string) (fairmatch.Offering, bool) {
	for _, o := range st.dataset().Offerings {
		if o.ID == id {
			return o, true
		}
	}
	return fairmatch.Offering{}, false
}

func (st *recStack) person(id string) fairmatch.Person {
	for _, p := range st.dataset().People {
		if p.ID == id {
			return p
		}
	}
	st.t.Fatalf("no person %s", id)
	return fairmatch.Person{}
}

// recRawKey finds a message key of the records area left untranslated.
var recRawKey = regexp.MustCompile(`records\.[a-z]+\.[a-z-]+|records\.(saved|invalid|save|cancel|filter|all|none|choose|edit|id|listhint|nopeople|nodelete|bodyinvalid)\b`)

// recCheckPage checks a page's status and that it shows no
// message key.
func recCheckPage(t *testing.T, what string, resp *http.Response, body string, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, resp.StatusCode, status, body)
	}
	if k := recRawKey.FindString(body); k != "" {
		t.Errorf("%s: the page shows the message key %q", what, k)
	}
}

// recFieldErrors returns the texts shown next to a field (data-field=...).
func recFieldErrors(body, field string) []string {
	re := regexp.MustCompile(`<p class="field-error" data-field="` + regexp.QuoteMeta(field) + `">([^<]*)</p>`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestRecordsProblemForms(t *testing.T) {
	st := newRecStack(t)
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			c := st.session("comm", lang)
			resp, body := c.get("/problems")
			recCheckPage(t, "problems list", resp, body, http.StatusOK)
			for _, want := range []string{`id="problem-row-PR001"`, `id="problem-row-PR002"`, `id="problem-new"`} {
				if !strings.Contains(body, want) {
					t.Errorf("list lacks %s", want)
				}
			}
			if strings.Contains(body, "PR003") {
				t.Error("the commissioner of E001 sees E002's problem PR003")
			}
			title := map[string]string{"zh": "技术难题", "en": "Problems"}[lang]
			if !strings.Contains(body, "<h1 id=\"problems-title\">"+title+"</h1>") {
				t.Errorf("list heading is not %q", title)
			}

			resp, body = c.get("/problems/new")
			recCheckPage(t, "new problem", resp, body, http.StatusOK)
			for _, want := range []string{`<option value="E001" selected>`, `id="problem-attendee-P-E001-1"`,
				`<option value="2027-03"`, `id="problem-want-joint-rd"`} {
				if !strings.Contains(body, want) {
					t.Errorf("new form lacks %s", want)
				}
			}
			if strings.Contains(body, "P-E002-1") || strings.Contains(body, `value="E002"`) {
				t.Error("new form offers another enterprise or its people")
			}

			before := len(st.dataset().Problems)
			resp, body = c.form("POST", "/problems", url.Values{
				"enterprise": {"E001"}, "title": {"滤波器温漂 " + lang}, "description": {"第一行\r\n第二行"},
				"keywords": {"温漂， 介质滤波器\n良率、温漂"}, "domains": {"electronics/rf"},
				"wants": {"joint-rd", "testing"}, "urgency": {"high"}, "fairs": {"2027-03", "2027-05"},
				"attendees": {"P-E001-2"},
			})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("create: %d %s", resp.StatusCode, body)
			}
			loc := resp.Header.Get("Location")
			id := strings.TrimSuffix(strings.TrimPrefix(loc, "/problems/"), "?saved=1")
			if !regexp.MustCompile(`^E001-P\d+$`).MatchString(id) {
				t.Fatalf("create redirects to %q, want /problems/E001-P<n>?saved=1", loc)
			}
			got, ok := st.problem(id)
			if !ok {
				t.Fatalf("problem %s not stored", id)
			}
			want := fairmatch.Problem{ID: id, Enterprise: "E001", Title: "滤波器温漂 " + lang, Description: "第一行\n第二行",
				Keywords: []string{"温漂", "介质滤波器", "良率"}, Domains: []string{"electronics/rf"},
				Wants: []string{"joint-rd", "testing"}, Urgency: "high", Fairs: []string{"2027-03", "2027-05"},
				Attendees: []string{"P-E001-2"}}
			if g, w := recJSON(t, got), recJSON(t, want); g != w {
				t.Errorf("stored problem\n got %s\nwant %s", g, w)
			}
			if n := len(st.dataset().Problems); n != before+1 {
				t.Errorf("%d problems after one create, want %d", n, before+1)
			}

			resp, body = c.get(loc)
			recCheckPage(t, "saved problem", resp, body, http.StatusOK)
			for _, w := range []string{`id="problem-saved"`, `value="滤波器温漂 ` + lang + `"`, "温漂\n介质滤波器\n良率",
				`id="problem-want-testing" checked`, `<option value="high" selected>`, `id="problem-attendee-P-E001-2" checked`} {
				if !strings.Contains(body, w) {
					t.Errorf("edit form lacks %q", w)
				}
			}

			// Edit: the whole record is replaced, the id kept.
			resp, body = c.form("POST", "/problems/"+id, url.Values{"enterprise": {"E001"}, "title": {"改过的标题"}, "urgency": {"low"}})
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/problems/"+id+"?saved=1" {
				t.Fatalf("edit: %d %s %s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
			got, _ = st.problem(id)
			if got.Title != "改过的标题" || got.Urgency != "low" || got.Fairs != nil || got.Keywords != nil {
				t.Errorf("edited problem %+v", got)
			}
			if n := len(st.dataset().Problems); n != before+1 {
				t.Errorf("%d problems after an edit, want %d", n, before+1)
			}
		})
	}
	// Two creates get two ids.
	c := st.session("comm", "en")
	var ids []string
	for range 2 {
		resp, body := c.form("POST", "/problems", url.Values{"enterprise": {"E001"}, "title": {"same"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", resp.StatusCode, body)
		}
		ids = append(ids, resp.Header.Get("Location"))
	}
	if ids[0] == ids[1] {
		t.Errorf("two new problems share %s", ids[0])
	}
	// An organizer edits a stored problem of any enterprise.
	o := st.session("org", "en")
	resp, body := o.form("POST", "/problems/PR003", url.Values{"enterprise": {"E002"}, "title": {"organizer's edit"}, "fairs": {"2027-07"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("organizer edit: %d %s", resp.StatusCode, body)
	}
	if p, _ := st.problem("PR003"); p.Title != "organizer's edit" || !slices.Equal(p.Fairs, []string{"2027-07"}) {
		t.Errorf("PR003 after the organizer's edit: %+v", p)
	}
}

func recJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRecordsProblemFilters(t *testing.T) {
	st := newRecStack(t)
	c := st.bearer("org")
	var all, e2, f3 []fairmatch.Problem
	for path, into := range map[string]*[]fairmatch.Problem{"/api/problems": &all,
		"/api/problems?enterprise=E002": &e2, "/api/problems?fair=2027-03": &f3} {
		resp, body := c.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		if err := json.Unmarshal([]byte(body), into); err != nil {
			t.Fatal(err)
		}
	}
	ds := st.dataset()
	if len(all) != len(ds.Problems) {
		t.Errorf("organizer lists %d problems, store has %d", len(all), len(ds.Problems))
	}
	if len(e2) != 2 || e2[0].Enterprise != "E002" || e2[1].Enterprise != "E002" {
		t.Errorf("enterprise filter: %+v", e2)
	}
	// 2027-01 is the next fair on 2026-11-20: problems without fairs are
	// not for 2027-03.
	for _, p := range f3 {
		if !slices.Contains(p.Fairs, "2027-03") {
			t.Errorf("fair filter 2027-03 lists %s with fairs %v", p.ID, p.Fairs)
		}
	}
	wantN := 0
	for _, p := range ds.Problems {
		if slices.Contains(p.Fairs, "2027-03") {
			wantN++
		}
	}
	if len(f3) != wantN || wantN == 0 {
		t.Errorf("fair filter lists %d, want %d (>0)", len(f3), wantN)
	}
	resp, body := c.get("/api/problems?fair=2027-01")
	var next []fairmatch.Problem
	_ = json.Unmarshal([]byte(body), &next)
	if resp.StatusCode != http.StatusOK || !slices.ContainsFunc(next, func(p fairmatch.Problem) bool { return p.ID == "PR001" }) {
		t.Errorf("the next fair's list lacks PR001 (no fairs): %d %d problems", resp.StatusCode, len(next))
	}
	// The page filters the same way.
	page := st.session("org", "zh")
	resp, body = page.get("/problems?enterprise=E002")
	recCheckPage(t, "filtered list", resp, body, http.StatusOK)
	if n := strings.Count(body, `data-testid="problem-row"`); n != 2 {
		t.Errorf("filtered page shows %d rows, want 2", n)
	}
}

func TestRecordsAPI(t *testing.T) {
	st := newRecStack(t)
	comm := st.bearer("comm")
	resp, body := comm.json("POST", "/api/problems", map[string]any{"enterprise": "E001", "title": "API problem",
		"keywords": []string{"热误差"}, "wants": []string{"license"}, "fairs": []string{"2027-05"}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var created fairmatch.Problem
	if err := json.Unmarshal([]byte(body), &created); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(created.ID, "E001-P") || resp.Header.Get("Location") != "/api/problems/"+created.ID {
		t.Fatalf("created %+v at %s", created, resp.Header.Get("Location"))
	}
	if p, ok := st.problem(created.ID); !ok || p.Title != "API problem" || !slices.Equal(p.Wants, []string{"license"}) {
		t.Errorf("stored %+v", p)
	}
	resp, body = comm.json("PUT", "/api/problems/"+created.ID, map[string]any{"enterprise": "E001", "title": "API edit"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("update: %d %s", resp.StatusCode, body)
	}
	if p, _ := st.problem(created.ID); p.Title != "API edit" || p.Wants != nil {
		t.Errorf("after PUT: %+v", p)
	}
	resp, body = comm.get("/api/problems/" + created.ID)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"API edit"`) {
		t.Errorf("get: %d %s", resp.StatusCode, body)
	}
	var list []fairmatch.Problem
	resp, body = comm.get("/api/problems")
	if err := json.Unmarshal([]byte(body), &list); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	for _, p := range list {
		if p.Enterprise != "E001" {
			t.Errorf("the commissioner lists %s of %s", p.ID, p.Enterprise)
		}
	}
	if len(list) != 3 {
		t.Errorf("commissioner lists %d problems, want 3 (PR001, PR002 and the new one)", len(list))
	}

	liai := st.bearer("liai")
	resp, body = liai.json("POST", "/api/offerings", map[string]any{"university": "U01", "kind": "lab", "title": "API lab",
		"trl": 7, "experts": []string{"P-U01-3"}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create offering: %d %s", resp.StatusCode, body)
	}
	var o fairmatch.Offering
	_ = json.Unmarshal([]byte(body), &o)
	if got, ok := st.offering(o.ID); !ok || !strings.HasPrefix(o.ID, "U01-O") || got.TRL != 7 || got.Kind != "lab" {
		t.Errorf("stored offering %+v", got)
	}
	resp, body = liai.json("PUT", "/api/offerings/O001", map[string]any{"university": "U01", "title": "renamed", "trl": 8})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("update offering: %d %s", resp.StatusCode, body)
	}
	if got, _ := st.offering("O001"); got.Title != "renamed" || got.TRL != 8 {
		t.Errorf("O001 after PUT %+v", got)
	}
	resp, body = liai.json("PUT", "/api/availability/P-U01-1", map[string]any{"available": map[string]any{
		"*": []map[string]string{{"from": "09:00", "to": "11:30"}}, "2027-03": []map[string]string{{"from": "14:00", "to": "16:00"}}}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("put availability: %d %s", resp.StatusCode, body)
	}
	av := st.person("P-U01-1").Available
	if w, _ := av.Windows("2027-03"); len(w) != 1 || w[0] != (fairmatch.Window{From: "14:00", To: "16:00"}) {
		t.Errorf("stored availability %v", av)
	}
	if w, _ := av.Windows("2027-05"); len(w) != 1 || w[0].To != "11:30" {
		t.Errorf("stored availability for every fair %v", av)
	}

	// Bad input: EINVALID with issues naming the field; nothing stored.
	before := st.snapshot()
	for _, tc := range []struct {
		c     *browser
		path  string
		body  any
		field string
	}{
		{comm, "/api/problems", map[string]any{"enterprise": "E001"}, "title"},
		{comm, "/api/problems", map[string]any{"enterprise": "E001", "title": "x", "urgency": "now"}, "urgency"},
		{comm, "/api/problems", map[string]any{"enterprise": "E001", "title": "x", "fairs": []string{"2031-01"}}, "fairs"},
		{comm, "/api/problems", map[string]any{"enterprise": "E001", "title": "x", "attendees": []string{"P-E002-1"}}, "attendees"},
		{comm, "/api/problems", map[string]any{"id": "MINE", "enterprise": "E001", "title": "x"}, "id"},
		{comm, "/api/problems", map[string]any{"enterprise": "E001", "title": "x", "description": "bad\u0001"}, "description"},
		{liai, "/api/offerings", map[string]any{"university": "U01", "title": "x", "trl": 10}, "trl"},
		{liai, "/api/offerings", map[string]any{"university": "U01", "title": "x", "kind": "patent"}, "kind"},
		{liai, "/api/availability/P-U01-1", map[string]any{"available": map[string]any{"*": []map[string]string{{"from": "12:00", "to": "09:00"}}}}, "available"},
		{liai, "/api/availability/P-U01-1", map[string]any{"available": map[string]any{"*": []map[string]string{{"from": "9:00", "to": "10:00"}}}}, "available"},
		{liai, "/api/availability/P-U01-1", map[string]any{"available": map[string]any{"2031-01": []map[string]string{{"from": "09:00", "to": "10:00"}}}}, "available"},
	} {
		method := "POST"
		if strings.HasPrefix(tc.path, "/api/availability") {
			method = "PUT"
		}
		resp, body := tc.c.json(method, tc.path, tc.body)
		var e struct {
			Error  string            `json:"error"`
			Issues []fairmatch.Issue `json:"issues"`
		}
		_ = json.Unmarshal([]byte(body), &e)
		if resp.StatusCode != http.StatusBadRequest || e.Error != fairmatch.EINVALID ||
			!slices.ContainsFunc(e.Issues, func(is fairmatch.Issue) bool { return is.Field == tc.field }) {
			t.Errorf("%s %v: %d %s, want invalid with an issue on %s", tc.path, tc.body, resp.StatusCode, body, tc.field)
		}
	}
	if st.snapshot() != before {
		t.Error("refused API requests changed the store")
	}
}

// TestRecordsScope tries every role on records outside its scope: pages
// answer 403, the API EFORBIDDEN, and nothing is stored.
func TestRecordsScope(t *testing.T) {
	st := newRecStack(t)
	type req struct {
		who, method, path string
		form              url.Values
		body              any
	}
	problem := func(e string) url.Values { return url.Values{"enterprise": {e}, "title": {"x"}} }
	offering := func(u string) url.Values { return url.Values{"university": {u}, "title": {"x"}} }
	win := url.Values{"fair": {"*"}, "windows": {"09:00-10:00"}}
	avail := map[string]any{"available": map[string]any{"*": []map[string]string{{"from": "09:00", "to": "10:00"}}}}
	for _, tc := range []req{
		// A commissioner and problems of another enterprise.
		{"comm", "GET", "/problems/PR003", nil, nil},
		{"comm", "POST", "/problems/PR003", problem("E002"), nil},
		{"comm", "POST", "/problems/PR003", problem("E001"), nil},
		{"comm", "POST", "/problems", problem("E002"), nil},
		{"comm", "POST", "/problems/PR001", problem("E002"), nil}, // moving one away
		{"comm", "GET", "/api/problems/PR003", nil, nil},
		{"comm", "PUT", "/api/problems/PR003", nil, map[string]any{"enterprise": "E002", "title": "x"}},
		{"comm", "POST", "/api/problems", nil, map[string]any{"enterprise": "E002", "title": "x"}},
		// A commissioner and offerings, other people's availability.
		{"comm", "GET", "/offerings/new", nil, nil},
		{"comm", "GET", "/offerings/O001", nil, nil},
		{"comm", "POST", "/offerings", offering("U01"), nil},
		{"comm", "POST", "/offerings/O001", offering("U01"), nil},
		{"comm", "POST", "/api/offerings", nil, map[string]any{"university": "U01", "title": "x"}},
		{"comm", "GET", "/availability/P-U01-1", nil, nil},
		{"comm", "POST", "/availability/P-E002-1", win, nil},
		{"comm", "PUT", "/api/availability/P-U01-1", nil, avail},
		// A liaison and offerings of another university, problems, non-members.
		{"liai", "GET", "/offerings/O018", nil, nil},
		{"liai", "POST", "/offerings/O018", offering("U02"), nil},
		{"liai", "POST", "/offerings/O018", offering("U01"), nil},
		{"liai", "POST", "/offerings", offering("U02"), nil},
		{"liai", "POST", "/offerings/O001", offering("U02"), nil},
		{"liai", "PUT", "/api/offerings/O018", nil, map[string]any{"university": "U02", "title": "x"}},
		{"liai", "POST", "/api/offerings", nil, map[string]any{"university": "U02", "title": "x"}},
		{"liai", "GET", "/problems/new", nil, nil},
		{"liai", "GET", "/problems/PR001", nil, nil},
		{"liai", "POST", "/problems", problem("E001"), nil},
		{"liai", "POST", "/api/problems", nil, map[string]any{"enterprise": "E001", "title": "x"}},
		{"liai", "GET", "/availability/P-E001-1", nil, nil},
		{"liai", "POST", "/availability/P-U02-1", win, nil},
		{"liai", "POST", "/availability/P-C01", win, nil},
		{"liai", "PUT", "/api/availability/P-U02-1", nil, avail},
		{"liai", "GET", "/api/availability/P-U02-1", nil, nil},
	} {
		before := st.snapshot()
		api := strings.HasPrefix(tc.path, "/api/")
		var (
			resp *http.Response
			body string
		)
		switch {
		case api && tc.body != nil:
			resp, body = st.bearer(tc.who).json(tc.method, tc.path, tc.body)
		case api:
			resp, body = st.bearer(tc.who).get(tc.path)
		case tc.method == "GET":
			resp, body = st.session(tc.who, "en").get(tc.path)
		default:
			resp, body = st.session(tc.who, "zh").form(tc.method, tc.path, tc.form)
		}
		name := tc.who + " " + tc.method + " " + tc.path + " " + tc.form.Encode()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403\n%.300s", name, resp.StatusCode, body)
			continue
		}
		if api && !strings.Contains(body, `"error": "forbidden"`) {
			t.Errorf("%s: body %s, want error forbidden", name, body)
		}
		if !api {
			recCheckPage(t, name, resp, body, http.StatusForbidden)
		}
		if st.snapshot() != before {
			t.Errorf("%s: the refused request changed the store", name)
		}
	}

	// Lists show only what the account may change.
	for _, tc := range []struct {
		who  string
		orgs []string
	}{{"comm", []string{"E001"}}, {"liai", []string{"U01"}}} {
		var people []struct{ ID, Org string }
		resp, body := st.bearer(tc.who).get("/api/availability")
		if err := json.Unmarshal([]byte(body), &people); err != nil || resp.StatusCode != http.StatusOK || len(people) == 0 {
			t.Fatalf("%s availability list: %d %s", tc.who, resp.StatusCode, body)
		}
		for _, p := range people {
			if !slices.Contains(tc.orgs, p.Org) {
				t.Errorf("%s lists %s of %q", tc.who, p.ID, p.Org)
			}
		}
		var offs []fairmatch.Offering
		_, body = st.bearer(tc.who).get("/api/offerings")
		_ = json.Unmarshal([]byte(body), &offs)
		for _, o := range offs {
			if !slices.Contains(tc.orgs, o.University) {
				t.Errorf("%s lists offering %s of %s", tc.who, o.ID, o.University)
			}
		}
	}
	var everyone []json.RawMessage
	_, body := st.bearer("org").get("/api/availability")
	_ = json.Unmarshal([]byte(body), &everyone)
	if n := len(st.dataset().People); len(everyone) != n {
		t.Errorf("the organizer lists %d people, the store has %d", len(everyone), n)
	}
	// A liaison's problems page says they file none, and offers no form.
	resp, body := st.session("liai", "en").get("/problems")
	recCheckPage(t, "liaison's problems", resp, body, http.StatusOK)
	if !strings.Contains(body, `id="problems-cannot"`) || strings.Contains(body, `id="problem-new"`) || strings.Contains(body, "problem-row-") {
		t.Error("a liaison's problems page offers problems or a form")
	}
}

func TestRecordsBadInputShowsFieldErrors(t *testing.T) {
	st := newRecStack(t)
	type check struct {
		field string
		text  map[string]string // by language, a part of the message
	}
	for _, tc := range []struct {
		name, who, path string
		form            url.Values
		kept            []string // what the page must show again
		checks          []check
	}{
		{"problem", "comm", "/problems", url.Values{"enterprise": {"E001"}, "title": {"  "}, "description": {"保留的描述"},
			"wants": {"joint-rd", "bribes"}, "fairs": {"2031-01"}, "attendees": {"P-E002-1"}, "keywords": {"甲，乙"}},
			[]string{"保留的描述", "甲，乙", `id="problem-want-joint-rd" checked`},
			[]check{{"title", map[string]string{"zh": "必填", "en": "is required"}},
				{"wants", map[string]string{"zh": "不是可选的值：bribes", "en": "is not one of the choices: bribes"}},
				{"fairs", map[string]string{"zh": "不是年度计划中的对接会：2031-01", "en": "is not a fair of the year plan: 2031-01"}},
				{"attendees", map[string]string{"zh": "P-E002-1 不是 E001 的人员", "en": "P-E002-1 is not one of the people of E001"}}}},
		{"problem import", "comm", "/problems/PR001", url.Values{"enterprise": {"E001"}, "title": {"ok"}, "description": {"坏\x01字符"}},
			[]string{`value="ok"`},
			[]check{{"description", map[string]string{"zh": "控制字符", "en": "control character U+0001"}}}},
		{"offering", "liai", "/offerings", url.Values{"university": {"U01"}, "title": {"实验室"}, "trl": {"12"}, "experts": {"P-U02-1"}},
			[]string{`value="实验室"`, `value="12"`},
			[]check{{"trl", map[string]string{"zh": "须为 1 到 9 的整数", "en": "must be a whole number from 1 to 9"}},
				{"experts", map[string]string{"zh": "P-U02-1 不是 U01 的人员", "en": "P-U02-1 is not one of the people of U01"}}}},
		{"offering trl", "liai", "/offerings/O002", url.Values{"university": {"U01"}, "title": {""}, "trl": {"six"}},
			[]string{`value="six"`},
			[]check{{"trl", map[string]string{"zh": "须为 1 到 9 的整数", "en": "from 1 to 9"}},
				{"title", map[string]string{"zh": "必填", "en": "is required"}}}},
		{"availability", "liai", "/availability/P-U01-2", url.Values{"fair": {"*", "2027-03", "2027-05"},
			"windows": {"12:00-09:00", "9:00–25:00, 10:00-11:00", "午饭后"}},
			[]string{`value="12:00-09:00"`, `value="午饭后"`},
			[]check{{"available.*", map[string]string{"zh": "的开始时间须早于结束时间", "en": "the start must be before the end"}},
				{"available.2027-03", map[string]string{"zh": "“9:00-25:00”不是 HH:MM–HH:MM 格式的时间段", "en": `"9:00-25:00" is not a window HH:MM–HH:MM`}},
				{"available.2027-05", map[string]string{"zh": "“午饭后”不是", "en": `"午饭后" is not a window`}}}},
	} {
		for _, lang := range []string{"zh", "en"} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				before := st.snapshot()
				resp, body := st.session(tc.who, lang).form("POST", tc.path, tc.form)
				recCheckPage(t, tc.path, resp, body, http.StatusBadRequest)
				if !strings.Contains(body, `role="alert"`) {
					t.Error("no alert on the page")
				}
				for _, k := range tc.kept {
					if !strings.Contains(body, k) {
						t.Errorf("the page does not keep %q", k)
					}
				}
				for _, c := range tc.checks {
					errs := recFieldErrors(body, c.field)
					if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(recUnescape(e), c.text[lang]) }) {
						t.Errorf("field %s shows %q, want one containing %q", c.field, errs, c.text[lang])
					}
				}
				if st.snapshot() != before {
					t.Error("a refused form changed the store")
				}
			})
		}
	}
}

// recUnescape undoes html/template's escaping of quotes and ampersands.
func recUnescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&#43;", "+", "&quot;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

func TestRecordsOfferingAndAvailabilityForms(t *testing.T) {
	st := newRecStack(t)
	c := st.session("liai", "zh")
	resp, body := c.get("/offerings")
	recCheckPage(t, "offerings", resp, body, http.StatusOK)
	if !strings.Contains(body, `id="offering-row-O001"`) || strings.Contains(body, "O018") {
		t.Error("the liaison's list is not U01's offerings")
	}
	resp, body = c.get("/offerings/new")
	recCheckPage(t, "new offering", resp, body, http.StatusOK)
	if !strings.Contains(body, `id="offering-expert-P-U01-3"`) || strings.Contains(body, "P-U02-1") {
		t.Error("the new offering form does not offer exactly U01's people")
	}
	resp, body = c.form("POST", "/offerings", url.Values{"university": {"U01"}, "kind": {"expert"}, "title": {"热管理专家"},
		"keywords": {"热管理\n相变材料"}, "trl": {"5"}, "experts": {"P-U01-3", "P-U01-4"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create offering: %d %s", resp.StatusCode, body)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(resp.Header.Get("Location"), "/offerings/"), "?saved=1")
	o, ok := st.offering(id)
	if !ok || !strings.HasPrefix(id, "U01-O") || o.Kind != "expert" || o.TRL != 5 ||
		!slices.Equal(o.Keywords, []string{"热管理", "相变材料"}) || !slices.Equal(o.Experts, []string{"P-U01-3", "P-U01-4"}) {
		t.Errorf("stored offering %s: %+v", id, o)
	}
	resp, body = c.form("POST", "/offerings/O001", url.Values{"university": {"U01"}, "kind": {"technology"}, "title": {"新名称"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit O001: %d %s", resp.StatusCode, body)
	}
	if o, _ := st.offering("O001"); o.Title != "新名称" || o.TRL != 0 {
		t.Errorf("O001 after edit: %+v", o)
	}

	for _, lang := range []string{"zh", "en"} {
		c := st.session("liai", lang)
		resp, body = c.get("/availability")
		recCheckPage(t, "availability "+lang, resp, body, http.StatusOK)
		if !strings.Contains(body, `id="availability-row-P-U01-2"`) || strings.Contains(body, "P-U02-1") || strings.Contains(body, "P-E001-1") {
			t.Error("the liaison's availability list is not U01's people")
		}
		resp, body = c.get("/availability/P-U01-2")
		recCheckPage(t, "person availability "+lang, resp, body, http.StatusOK)
		if !strings.Contains(body, `value="14:00–17:00"`) || !strings.Contains(body, `id="availability-fair-2027-03"`) {
			t.Error("the form does not show the stored windows and the fairs")
		}
	}
	resp, body = c.form("POST", "/availability/P-U01-2", url.Values{"fair": {"*", "2027-03", "2027-05"},
		"windows": {"09:00 - 12:00， 14:00–17:30", "9:30~11:00", ""}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/availability/P-U01-2?saved=1" {
		t.Fatalf("save availability: %d %s", resp.StatusCode, body)
	}
	pe := st.person("P-U01-2")
	want := fairmatch.Availability{"*": {{From: "09:00", To: "12:00"}, {From: "14:00", To: "17:30"}},
		"2027-03": {{From: "09:30", To: "11:00"}}}
	if recJSON(t, pe.Available) != recJSON(t, want) || pe.Name == "" || pe.Email == "" || pe.Role != "expert" {
		t.Errorf("stored person %+v, want availability %v and the rest kept", pe, want)
	}
	resp, body = c.get("/availability/P-U01-2?saved=1")
	recCheckPage(t, "saved availability", resp, body, http.StatusOK)
	if !strings.Contains(body, `id="availability-saved"`) || !strings.Contains(body, `value="09:30–11:00"`) {
		t.Error("the saved form does not show the new windows")
	}
	// All empty: the whole day again.
	resp, _ = c.form("POST", "/availability/P-U01-2", url.Values{"fair": {"*", "2027-03"}, "windows": {"", ""}})
	if resp.StatusCode != http.StatusSeeOther || st.person("P-U01-2").Available != nil {
		t.Errorf("clearing: %d, availability %v", resp.StatusCode, st.person("P-U01-2").Available)
	}
	// A commissioner edits the people of their enterprise.
	resp, body = st.session("comm", "en").form("POST", "/availability/P-E001-1", url.Values{"fair": {"2027-01"}, "windows": {"13:00-15:00"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("commissioner's availability: %d %s", resp.StatusCode, body)
	}
	if w, ok := st.person("P-E001-1").Available.Windows("2027-01"); !ok || len(w) != 1 || w[0].From != "13:00" {
		t.Errorf("P-E001-1's availability %v", st.person("P-E001-1").Available)
	}
}

func TestRecordsCrossSiteRefused(t *testing.T) {
	st := newRecStack(t)
	c := st.session("comm", "en")
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/problems", url.Values{"enterprise": {"E001"}, "title": {"forged"}}},
		{"/problems/PR001", url.Values{"enterprise": {"E001"}, "title": {"forged"}}},
		{"/availability/P-E001-1", url.Values{"fair": {"*"}, "windows": {"09:00-10:00"}}},
	} {
		before := st.snapshot()
		resp, body := c.form("POST", tc.path, tc.form, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST %s: %d %s", tc.path, resp.StatusCode, body)
		}
		if st.snapshot() != before {
			t.Errorf("cross-site POST %s changed the store", tc.path)
		}
	}
	// The same form from the same site is accepted.
	resp, body := c.form("POST", "/problems", url.Values{"enterprise": {"E001"}, "title": {"same site"}}, "Sec-Fetch-Site", "same-origin")
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("same-origin POST: %d %s", resp.StatusCode, body)
	}
}

func TestRecordsAnonymous(t *testing.T) {
	st := newRecStack(t)
	c := st.anonymous("en")
	for _, path := range []string{"/problems", "/offerings/new", "/availability"} {
		resp, _ := c.get(path)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
			t.Errorf("anonymous %s: %d %s", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, _ := c.get("/api/problems")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous /api/problems: %d", resp.StatusCode)
	}
	before := st.snapshot()
	resp, _ = c.form("POST", "/problems", url.Values{"enterprise": {"E001"}, "title": {"x"}})
	if resp.StatusCode != http.StatusSeeOther || st.snapshot() != before {
		t.Errorf("anonymous POST: %d, store changed %v", resp.StatusCode, st.snapshot() != before)
	}
}
