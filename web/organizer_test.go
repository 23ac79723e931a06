package web_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/bus"
	"github.com/fairmatch/fairmatch/store"
)

// orgStack is a real server (see fixture) whose bus worker's "match"
// handler reports progress until released, with the organizer "org", the
// commissioner "comm" (E001) and the liaison "liai" (U01).
type orgStack struct {
	*fixture
	release chan struct{} // closing it ends the running match job
}

func newOrgStack(t *testing.T) *orgStack {
	t.Helper()
	st := &orgStack{release: make(chan struct{})}
	// The worker's match job reports progress every 20ms until released,
	// then fails, so that the stage changes state.
	match := func(ctx context.Context, job bus.Job, progress func(string, int, int)) (json.RawMessage, error) {
		for i := 0; ; i++ {
			progress("scoring pairs", i%100, 100)
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-st.release:
				return nil, errors.New("stopped by the test")
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, loc)
	st.fixture = newFixture(t, withBus(map[string]bus.Handler{"match": match}),
		withClock(func() time.Time { return now }), withMaxUpload(4<<20))
	return st
}

func (st *orgStack) stage(key string) fairmatch.Stage {
	st.t.Helper()
	var s fairmatch.Stage
	if err := st.db.View(func(tx *store.Tx) (err error) { s, err = tx.Stage(key); return err }); err != nil {
		st.t.Fatal(err)
	}
	return s
}

// importExample stores the example dataset through the API.
func (st *orgStack) importExample() *fairmatch.Dataset {
	st.t.Helper()
	data, err := os.ReadFile("../configs/example-dataset.json")
	if err != nil {
		st.t.Fatal(err)
	}
	resp, body := st.bearer("org").send("POST", "/api/import", "application/json", data)
	if resp.StatusCode != 200 {
		st.t.Fatalf("import: %d %s", resp.StatusCode, body)
	}
	return st.dataset()
}

// leakedKey finds a message key of the organizer catalog left untranslated.
var leakedKey = regexp.MustCompile(`organizer\.[a-z]+\.[a-z_.-]+`)

func assertTranslated(t *testing.T, what, body string) {
	t.Helper()
	if k := leakedKey.FindString(body); k != "" {
		t.Errorf("%s: untranslated message key %q", what, k)
	}
}

// sameOrigin is the header pair of a same-origin browser post.
var sameOrigin = []string{"Sec-Fetch-Site", "same-origin"}

func TestOrganizerPagesInBothLanguages(t *testing.T) {
	st := newOrgStack(t)
	st.importExample()
	pages := []struct {
		path   string
		zh, en []string
	}{
		{"/", []string{"年度计划", "时间线", "本场难题", "fair-card-2027-11"}, []string{"Year plan", "Timeline", "Problems for this fair", "timeline-2027-01"}},
		{"/fairs/2027-03", []string{"对接会 2027-03", "征集开始", "立即运行", `data-events="/fairs/2027-03/events"`}, []string{"Fair 2027-03", "Call opens", "Run now", "/fairs/2027-03/review"}},
		{"/fairs/2027-03/settings", []string{"2027-03 的设置", "每场洽谈时长（分钟）", `value="T"`}, []string{"Settings of fair 2027-03", "Meeting length (minutes)", `id="limit-min_relevance"`}},
		{"/data", []string{"已存储的记录", "技术难题", "CSV 文件（zip）"}, []string{"Stored records", "Problems", "CSV files (zip)"}},
		{"/accounts", []string{"全部账号", "技术专员", "签发 API 令牌"}, []string{"All accounts", "technology commissioner", "Issue an API token"}},
	}
	for _, lang := range []string{"zh-CN,zh;q=0.9", "en-US,en;q=0.8"} {
		c := st.session("org", lang)
		for _, pg := range pages {
			resp, body := c.get(pg.path)
			if resp.StatusCode != 200 {
				t.Fatalf("%s (%s): %d %s", pg.path, lang, resp.StatusCode, body)
			}
			want := pg.zh
			if strings.HasPrefix(lang, "en") {
				want = pg.en
			}
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%s (%s): no %q", pg.path, lang, w)
				}
			}
			assertTranslated(t, pg.path+" "+lang, body)
		}
	}
	// The year plan: six fairs on the timeline, each with its counts.
	_, body := st.session("org", "en").get("/")
	if n := strings.Count(body, `class="card fair-card"`); n != 6 {
		t.Errorf("year plan shows %d fair cards, want 6", n)
	}
	if n := len(regexp.MustCompile(`<circle class="tl-dot st-pending" cx="[0-9.]+" cy="[0-9.]+" r="5"><title>`).FindAllString(body, -1)); n != 6*9 {
		t.Errorf("timeline has %d pending stage dots, want 54 (6 fairs × 9 stages)", n)
	}
	var plan struct {
		Year  int
		Fairs []struct {
			ID       string
			Problems int
		}
	}
	resp, raw := st.bearer("comm").get("/api/plan")
	if err := json.Unmarshal([]byte(raw), &plan); resp.StatusCode != 200 || err != nil || plan.Year != 2027 || len(plan.Fairs) != 6 {
		t.Fatalf("GET /api/plan: %d %v %s", resp.StatusCode, err, raw)
	}
	for _, f := range plan.Fairs {
		if f.Problems == 0 {
			t.Errorf("fair %s counts no problems", f.ID)
		}
	}

	// ?lang= switches and sticks, over Accept-Language.
	c := st.session("org", "zh-CN")
	resp, _ = c.get("/fairs/2027-05?lang=en")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/fairs/2027-05" {
		t.Fatalf("language switch: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := c.get("/fairs/2027-05"); !strings.Contains(body, "Fair 2027-05") || strings.Contains(body, "征集开始") {
		t.Errorf("after ?lang=en the fair page is not in English")
	}
	// A commissioner sees the plan and fair pages, without organizer buttons.
	_, body = st.session("comm", "en").get("/fairs/2027-03")
	if strings.Contains(body, "Run now") || strings.Contains(body, "/settings") {
		t.Errorf("a commissioner's fair page offers organizer actions")
	}
}

func TestOrganizerRoutesRefused(t *testing.T) {
	st := newOrgStack(t)
	clients := map[string]*browser{
		"anonymous": st.anonymous("en"), "commissioner": st.session("comm", "en"), "liaison": st.session("liai", "en"),
		"commissioner token": st.bearer("comm"),
	}
	type want map[string]int
	for _, tc := range []struct {
		method, path string
		body         string
		want         want
	}{
		{"GET", "/", "", want{"anonymous": 303, "commissioner": 200, "liaison": 200}},
		{"GET", "/fairs/2027-03", "", want{"anonymous": 303, "commissioner": 200, "liaison": 200}},
		{"GET", "/data", "", want{"anonymous": 303, "commissioner": 200, "liaison": 200}},
		{"GET", "/data/export.json", "", want{"anonymous": 303, "commissioner": 200, "liaison": 200}},
		{"POST", "/fairs/2027-03/stages/call-opens/run", "", want{"anonymous": 303, "commissioner": 403, "liaison": 403}},
		{"GET", "/fairs/2027-03/settings", "", want{"anonymous": 303, "commissioner": 403, "liaison": 403}},
		{"POST", "/fairs/2027-03/settings", "theme=x", want{"anonymous": 303, "commissioner": 403, "liaison": 403}},
		{"GET", "/accounts", "", want{"anonymous": 303, "commissioner": 403, "liaison": 403}},
		{"POST", "/accounts", "login=x", want{"anonymous": 303, "commissioner": 403, "liaison": 403}},
		{"POST", "/accounts/org/disable", "", want{"anonymous": 303, "commissioner": 403, "liaison": 403}},
		{"POST", "/accounts/comm/token", "", want{"anonymous": 303, "commissioner": 403, "liaison": 403}},
		{"GET", "/fairs/2027-03/events", "", want{"anonymous": 401}},
		{"GET", "/api/plan", "", want{"anonymous": 401, "commissioner token": 200}},
		{"GET", "/api/fairs/2027-03/settings", "", want{"anonymous": 401, "commissioner token": 403}},
		{"PUT", "/api/fairs/2027-03/settings", "{}", want{"anonymous": 401, "commissioner token": 403}},
		{"GET", "/api/accounts", "", want{"anonymous": 401, "commissioner token": 403}},
		{"POST", "/api/accounts", "{}", want{"anonymous": 401, "commissioner token": 403}},
		{"POST", "/api/accounts/org/disable", "", want{"anonymous": 401, "commissioner token": 403}},
		{"PUT", "/api/accounts/org/password", `{"password":"0123456789abc"}`, want{"anonymous": 401, "commissioner token": 403}},
		{"POST", "/api/accounts/org/tokens", `{"label":"x"}`, want{"anonymous": 401, "commissioner token": 403}},
		{"GET", "/api/export", "", want{"anonymous": 401, "commissioner token": 200}},
		{"GET", "/api/data", "", want{"anonymous": 401, "commissioner token": 200}},
	} {
		for who, status := range tc.want {
			t.Run(who+" "+tc.method+" "+tc.path, func(t *testing.T) {
				c := clients[who]
				ct := "application/x-www-form-urlencoded"
				if strings.HasPrefix(tc.path, "/api/") {
					ct = "application/json"
				}
				resp, body := c.send(tc.method, tc.path, ct, []byte(tc.body))
				if resp.StatusCode != status {
					t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, status, body)
				}
				if status == 303 && !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
					t.Errorf("redirected to %q, want the login page", resp.Header.Get("Location"))
				}
				if status == 403 && !strings.HasPrefix(tc.path, "/api/") && !strings.Contains(body, "Your account may not see or change this") {
					t.Errorf("403 page without the reason: %.300s", body)
				}
			})
		}
	}
	// Nothing ran, nothing was stored, nobody was disabled.
	if s := st.stage("2027-03/call-opens"); s.State != fairmatch.StatePending || s.Attempts != 0 {
		t.Errorf("a refused run changed the stage: %+v", s)
	}
	var stored bool
	_ = st.db.View(func(tx *store.Tx) (err error) { _, stored, err = tx.FairSettings("2027-03"); return err })
	if stored {
		t.Error("a refused settings post stored settings")
	}
	if a, err := st.auth.Account("org"); err != nil || a.Disabled {
		t.Errorf("organizer account after refused disable: %+v %v", a, err)
	}
}

func TestOrganizerCrossSitePostRefused(t *testing.T) {
	st := newOrgStack(t)
	c := st.session("org", "en")
	form := url.Values{"theme": {"hijacked"}}
	for _, path := range []string{"/fairs/2027-03/settings", "/fairs/2027-03/stages/call-opens/run", "/accounts/comm/disable"} {
		resp, _ := c.post(path, form, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST %s: %d, want 403", path, resp.StatusCode)
		}
	}
	if s := st.stage("2027-03/call-opens"); s.State != fairmatch.StatePending {
		t.Errorf("a cross-site post ran a stage: %+v", s)
	}
	if a, _ := st.auth.Account("comm"); a.Disabled {
		t.Error("a cross-site post disabled an account")
	}
	// The same post from the site itself works.
	if resp, body := c.post("/accounts/comm/disable", nil, sameOrigin...); resp.StatusCode != 303 {
		t.Errorf("same-origin disable: %d %s", resp.StatusCode, body)
	}
}

func TestOrganizerUploadReport(t *testing.T) {
	st := newOrgStack(t)
	org := st.session("org", "en")
	example, err := os.ReadFile("../configs/example-dataset.json")
	if err != nil {
		t.Fatal(err)
	}

	// A clean upload shows what it would add and stores nothing yet.
	resp, body := org.upload("example-dataset.json", "", example)
	if resp.StatusCode != 200 || !strings.Contains(body, `id="store-form"`) {
		t.Fatalf("check of the example: %d %s", resp.StatusCode, body)
	}
	if !regexp.MustCompile(`id="change-problems"><td>Problems</td><td class="num" data-testid="new">71<`).MatchString(body) {
		t.Errorf("report does not count 71 new problems: %s", body)
	}
	assertTranslated(t, "clean report", body)
	if ds := st.dataset(); len(ds.Problems) != 0 {
		t.Fatalf("checking stored %d problems", len(ds.Problems))
	}
	id := regexp.MustCompile(`action="/data/import/([^"]+)"`).FindStringSubmatch(body)
	if id == nil {
		t.Fatal("no store form")
	}
	// Only its uploader may store it.
	if resp, _ := st.session("comm", "en").post("/data/import/"+id[1], nil); resp.StatusCode != 404 {
		t.Errorf("another account stored the upload: %d", resp.StatusCode)
	}
	resp, _ = org.post("/data/import/"+id[1], nil)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/data?stored=316" {
		t.Fatalf("store: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if ds := st.dataset(); len(ds.Problems) != 71 || len(ds.People) != 102 {
		t.Fatalf("stored %d problems, %d people", len(ds.Problems), len(ds.People))
	}
	if resp, _ := org.post("/data/import/"+id[1], nil); resp.StatusCode != 404 {
		t.Errorf("an upload was stored twice: %d", resp.StatusCode)
	}
	_, body = org.get("/data?stored=316")
	if !strings.Contains(body, "316 records stored.") || !strings.Contains(body, `id="count-total">316<`) {
		t.Errorf("data page after storing: %s", body)
	}

	// A bad CSV row is named in the report (file, row, field) and nothing is stored.
	bad := "id,enterprise,title,urgency\nPR900,E001,热处理变形,high\nPR901,E001,焊缝检测,extreme\n"
	for _, lang := range []string{"en", "zh-CN"} {
		c := st.session("org", lang)
		resp, body = c.upload("new-problems.csv", "problems", []byte(bad))
		if resp.StatusCode != 400 {
			t.Fatalf("bad CSV (%s): %d %s", lang, resp.StatusCode, body)
		}
		if !regexp.MustCompile(`<td>problems.csv</td><td>row 3</td><td>urgency</td><td>[^<]*extreme`).MatchString(body) {
			t.Errorf("bad CSV (%s): row 3's urgency is not named: %s", lang, body)
		}
		if strings.Contains(body, `id="store-form"`) {
			t.Errorf("bad CSV (%s): the report offers to store", lang)
		}
		assertTranslated(t, "bad report "+lang, body)
	}
	if !strings.Contains(body, "未存储任何数据") {
		t.Errorf("Chinese report does not say nothing was stored")
	}
	// A CSV file whose kind is neither chosen nor in its name.
	if resp, body := org.upload("list.csv", "", []byte(bad)); resp.StatusCode != 400 || !strings.Contains(body, "needs its kind") {
		t.Errorf("CSV without kind: %d %s", resp.StatusCode, body)
	}
	if resp, body := org.upload("list.txt", "", []byte(bad)); resp.StatusCode != 400 || !strings.Contains(body, "Unsupported file type") {
		t.Errorf("text file: %d %s", resp.StatusCode, body)
	}
	if resp, body := org.upload("big.json", "", bytes.Repeat([]byte(" "), 4<<20+1)); resp.StatusCode != 400 || !strings.Contains(body, "larger than 4 MiB") {
		t.Errorf("oversized upload: %d %.300s", resp.StatusCode, body)
	}
	if ds := st.dataset(); len(ds.Problems) != 71 {
		t.Errorf("refused uploads changed the store: %d problems", len(ds.Problems))
	}

	// An update is counted as such.
	upd := "id,enterprise,title\nPR001,E001,数控机床主轴热变形补偿（更新）\nPR950,E001,新难题\n"
	resp, body = org.upload("problems.csv", "", []byte(upd))
	if resp.StatusCode != 200 || !regexp.MustCompile(`data-testid="new">1<.*data-testid="updated">1<`).MatchString(body) {
		t.Errorf("update report: %d %s", resp.StatusCode, body)
	}

	// The API's dry run checks without storing.
	resp, body = st.bearer("org").send("POST", "/api/import?dry_run=1&name=problems.csv", "text/csv", []byte(upd))
	var dry struct {
		DryRun  bool `json:"dry_run"`
		Changes []struct {
			Kind                    string
			New, Updated, Unchanged int
		}
	}
	if err := json.Unmarshal([]byte(body), &dry); resp.StatusCode != 200 || err != nil || !dry.DryRun ||
		len(dry.Changes) != 1 || dry.Changes[0].New != 1 || dry.Changes[0].Updated != 1 {
		t.Errorf("dry run: %d %s", resp.StatusCode, body)
	}
	resp, body = st.bearer("org").send("POST", "/api/import?dry_run=1&name=problems.csv", "text/csv", []byte(bad))
	if resp.StatusCode != 400 || !strings.Contains(body, `"record": "row 3"`) {
		t.Errorf("dry run of a bad file: %d %s", resp.StatusCode, body)
	}
	if ds := st.dataset(); len(ds.Problems) != 71 || ds.Problems[0].Title != "5G 基站陶瓷介质滤波器温漂大" {
		t.Errorf("dry runs changed the store")
	}
}

func TestOrganizerUploadScope(t *testing.T) {
	st := newOrgStack(t)
	st.importExample()
	before := st.dataset()
	comm, liai := st.session("comm", "en"), st.session("liai", "en")
	for _, tc := range []struct {
		name, who, file, data string
		record, field         string
	}{
		{"problem of another enterprise", "comm", "problems.csv", "id,enterprise,title\nPR960,E001,ok\nPR961,E002,not mine\n", "problems[1]", "enterprise"},
		{"taking over another enterprise's problem", "comm", "problems.csv", "id,enterprise,title\nPR003,E001,mine now\n", "problems[0]", "id"},
		{"person of another enterprise", "comm", "people.csv", "id,name,org,role\nP-X1,某人,E002,representative\n", "people[0]", "org"},
		{"commissioner uploading offerings", "comm", "offerings.csv", "id,university,title\nO900,U01,x\n", "offerings[0]", "university"},
		{"liaison uploading problems", "liai", "problems.csv", "id,enterprise,title\nPR970,E001,x\n", "problems[0]", "enterprise"},
		{"offering of another university", "liai", "offerings.csv", "id,university,title\nO901,U02,x\n", "offerings[0]", "university"},
		{"liaison uploading enterprises", "liai", "enterprises.csv", "id,name\nE900,某公司\n", "enterprises[0]", "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := map[string]*browser{"comm": comm, "liai": liai}[tc.who]
			resp, body := c.upload(tc.file, "", []byte(tc.data))
			if resp.StatusCode != 400 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			row := fmt.Sprintf(`<td>%s</td><td>%s</td><td>%s</td>`, tc.file, tc.record, tc.field)
			if !strings.Contains(body, row) {
				t.Errorf("no issue %s: %s", row, body)
			}
			// The API refuses it the same way.
			resp, body = st.bearer(tc.who).send("POST", "/api/import?name="+tc.file, "text/csv", []byte(tc.data))
			if resp.StatusCode != 400 || !strings.Contains(body, `"record": "`+tc.record+`"`) {
				t.Errorf("API: %d %s", resp.StatusCode, body)
			}
		})
	}
	after := st.dataset()
	if len(after.Problems) != len(before.Problems) || len(after.People) != len(before.People) ||
		len(after.Offerings) != len(before.Offerings) || after.Problems[2].Enterprise != "E002" {
		t.Fatal("refused uploads changed the store")
	}

	// Within their scope, both store their records.
	resp, body := comm.upload("problems.csv", "", []byte("id,enterprise,title\nPR001,E001,主轴热变形（专员更新）\nPR980,E001,新难题\n"))
	id := regexp.MustCompile(`action="/data/import/([^"]+)"`).FindStringSubmatch(body)
	if resp.StatusCode != 200 || id == nil {
		t.Fatalf("commissioner's own problems: %d %s", resp.StatusCode, body)
	}
	if resp, _ := comm.post("/data/import/"+id[1], nil); resp.StatusCode != 303 {
		t.Fatalf("commissioner store: %d", resp.StatusCode)
	}
	resp, body = st.bearer("liai").send("POST", "/api/import?name=offerings.csv", "text/csv", []byte("id,university,title\nO990,U01,新技术\n"))
	if resp.StatusCode != 200 {
		t.Fatalf("liaison's own offering: %d %s", resp.StatusCode, body)
	}
	after = st.dataset()
	if len(after.Problems) != len(before.Problems)+1 || after.Problems[0].Title != "主轴热变形（专员更新）" ||
		len(after.Offerings) != len(before.Offerings)+1 {
		t.Errorf("scoped imports not stored: %d problems, %d offerings", len(after.Problems), len(after.Offerings))
	}
}

func TestOrganizerExport(t *testing.T) {
	st := newOrgStack(t)
	st.importExample()
	formula := "=HYPERLINK(\"https://evil.example\",\"click\")"
	ds := fmt.Sprintf(`{"problems":[{"id":"PR777","enterprise":"E001","title":%q,"keywords":["+cmd","@at","-x"]}]}`, formula)
	if resp, body := st.bearer("org").send("POST", "/api/import", "application/json", []byte(ds)); resp.StatusCode != 200 {
		t.Fatalf("import: %d %s", resp.StatusCode, body)
	}
	org := st.session("org", "en")

	// CSV in a zip: the formula cell is escaped with an apostrophe.
	resp, body := org.get("/data/export.zip")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("zip export: %d %v", resp.StatusCode, resp.Header)
	}
	files := unzip(t, []byte(body))
	if len(files) != 7 {
		t.Errorf("zip holds %d files, want 7", len(files))
	}
	problems := files["problems.csv"]
	if !strings.Contains(problems, `'=HYPERLINK`) || !strings.Contains(problems, `,'+cmd;@at;-x,`) {
		t.Errorf("CSV cells not escaped: %s", grepLine(problems, "PR777"))
	}
	// XLSX: the stored cell text starts with the apostrophe.
	resp, body = org.get("/data/export.xlsx")
	if resp.StatusCode != 200 {
		t.Fatalf("xlsx export: %d", resp.StatusCode)
	}
	book, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	rows, err := book.GetRows("problems", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if len(r) > 2 && r[0] == "PR777" {
			found = true
			if r[2] != "'"+formula {
				t.Errorf("XLSX title cell %q, want it escaped", r[2])
			}
		}
	}
	if !found {
		t.Error("PR777 missing from the XLSX export")
	}
	// JSON is data, not a spreadsheet: unescaped, and it round-trips.
	_, body = org.get("/data/export.json")
	var all fairmatch.Dataset
	if err := json.Unmarshal([]byte(body), &all); err != nil || len(all.Problems) != 72 || all.Problems[71].Title != formula {
		t.Errorf("JSON export: %v, %d problems", err, len(all.Problems))
	}

	// Scoped by role: a commissioner gets E001's problems and people only.
	resp, body = st.bearer("comm").get("/api/export?format=json")
	var mine fairmatch.Dataset
	if err := json.Unmarshal([]byte(body), &mine); resp.StatusCode != 200 || err != nil {
		t.Fatalf("commissioner export: %d %v", resp.StatusCode, err)
	}
	if len(mine.Problems) != 3 || len(mine.Enterprises)+len(mine.Offerings)+len(mine.Universities) != 0 {
		t.Errorf("commissioner export: %d problems, %d enterprises, %d offerings", len(mine.Problems), len(mine.Enterprises), len(mine.Offerings))
	}
	for _, p := range mine.Problems {
		if p.Enterprise != "E001" {
			t.Errorf("commissioner export holds %s of %s", p.ID, p.Enterprise)
		}
	}
	for _, p := range mine.People {
		if p.Org != "E001" {
			t.Errorf("commissioner export holds person %s of %s", p.ID, p.Org)
		}
	}
	// The liaison's zip holds U01's offerings only.
	resp, body = st.session("liai", "en").get("/data/export.zip")
	if resp.StatusCode != 200 {
		t.Fatalf("liaison zip: %d", resp.StatusCode)
	}
	files = unzip(t, []byte(body))
	if strings.Count(files["problems.csv"], "\n") != 1 || strings.Contains(files["offerings.csv"], ",U02,") ||
		!strings.Contains(files["offerings.csv"], ",U01,") {
		t.Errorf("liaison zip not scoped: problems %q", files["problems.csv"])
	}
	if resp, _ := st.bearer("org").get("/api/export?format=pdf"); resp.StatusCode != 400 {
		t.Errorf("unknown format: %d", resp.StatusCode)
	}
}

func unzip(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = string(b)
	}
	return out
}

func grepLine(text, sub string) string {
	for l := range strings.SplitSeq(text, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

func TestOrganizerSettings(t *testing.T) {
	st := newOrgStack(t)
	c := st.session("org", "en")
	bad := url.Values{
		"theme":        {"精密制造"},
		"session_name": {"morning", "afternoon", ""},
		"session_from": {"09:00", "25:00", ""},
		"session_to":   {"12:00", "17:00", ""},
		"slot":         {"abc"}, "buffer": {"5"},
		"tables_mode": {"list"}, "table_names": {"A1\nA2\nA1"},
		"meetings_per_enterprise": {"3"}, "meetings_per_university": {"-1"}, "meetings_per_expert": {"8"},
		"universities_per_enterprise": {"2"}, "items_per_meeting": {"3"}, "min_relevance": {"2"},
	}
	resp, body := c.post("/fairs/2027-03/settings", bad)
	if resp.StatusCode != 400 {
		t.Fatalf("bad settings: %d %s", resp.StatusCode, body)
	}
	// Each issue sits next to its field, and what was typed is kept.
	for field, reason := range map[string]string{
		"sessions[1]":                    "not a time of day",
		"slot":                           "whole number of minutes",
		"tables":                         "non-empty and distinct",
		"limits.meetings_per_university": "must not be negative",
		"limits.min_relevance":           "must lie in [0, 1]",
	} {
		re := regexp.MustCompile(`<p class="field-error" data-field="` + regexp.QuoteMeta(field) + `">[^<]*` + regexp.QuoteMeta(reason))
		if !re.MatchString(body) {
			t.Errorf("no issue %q next to %s", reason, field)
		}
	}
	for _, kept := range []string{`value="25:00"`, `value="abc"`, "A1\nA2\nA1</textarea>", `value="精密制造"`} {
		if !strings.Contains(body, kept) {
			t.Errorf("typed value %q not kept", kept)
		}
	}
	assertTranslated(t, "settings errors", body)
	var stored bool
	_ = st.db.View(func(tx *store.Tx) (err error) { _, stored, err = tx.FairSettings("2027-03"); return err })
	if stored {
		t.Fatal("invalid settings were stored")
	}
	// In Chinese, the form's own messages are translated.
	_, body = st.session("org", "zh-CN").post("/fairs/2027-03/settings", bad)
	if !strings.Contains(body, "须为整数分钟") || !strings.Contains(body, "请更正标出的字段") {
		t.Errorf("Chinese settings errors untranslated")
	}

	good := url.Values{
		"theme":        {"精密制造专场"},
		"session_name": {"上午", ""}, "session_from": {"09:30", ""}, "session_to": {"12:00", ""},
		"slot": {"30"}, "buffer": {"0"},
		"tables_mode": {"count"}, "table_count": {"8"}, "table_prefix": {"A"},
		"meetings_per_enterprise": {"3"}, "meetings_per_university": {"24"}, "meetings_per_expert": {"8"},
		"universities_per_enterprise": {"2"}, "items_per_meeting": {"3"}, "min_relevance": {"0.05"},
	}
	resp, _ = c.post("/fairs/2027-03/settings", good)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/fairs/2027-03/settings?saved=1" {
		t.Fatalf("good settings: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var fs fairmatch.FairSettings
	_ = st.db.View(func(tx *store.Tx) (err error) { fs, _, err = tx.FairSettings("2027-03"); return err })
	if fs.Theme != "精密制造专场" || fs.Day == nil || len(fs.Day.Tables) != 8 || fs.Day.Tables[7] != "A08" ||
		fs.Day.Slot.D() != 30*time.Minute || fs.Limits != nil || fs.UpdatedBy != "org" || fs.Updated.IsZero() {
		t.Errorf("stored settings: %+v day %+v", fs, fs.Day)
	}
	_, body = c.get("/fairs/2027-03/settings?saved=1")
	if !strings.Contains(body, "Saved.") || !strings.Contains(body, `value="09:30"`) || !strings.Contains(body, `id="settings-table-count" name="table_count" type="number" min="1" max="10000" value="8"`) {
		t.Errorf("saved settings not shown: %s", body)
	}
	// The year plan and fair page use the fair's theme.
	if _, body := c.get("/"); !strings.Contains(body, "精密制造专场") {
		t.Error("year plan does not show the fair's theme")
	}

	// The API twin.
	api := st.bearer("org")
	resp, body = api.get("/api/fairs/2027-03/settings")
	var got struct {
		Theme  string
		Day    fairmatch.Day
		Limits fairmatch.Limits
	}
	if err := json.Unmarshal([]byte(body), &got); resp.StatusCode != 200 || err != nil || got.Theme != "精密制造专场" || got.Limits.MeetingsPerUniversity != 24 {
		t.Fatalf("GET settings: %d %s", resp.StatusCode, body)
	}
	resp, body = api.send("PUT", "/api/fairs/2027-03/settings", "application/json",
		[]byte(`{"day":{"sessions":[{"name":"x","from":"10:00","to":"09:00"}],"slot":"20m","buffer":"5m","tables":["T1"]},"limits":{"min_relevance":-1}}`))
	if resp.StatusCode != 400 || !strings.Contains(body, `"field": "sessions[0]"`) || !strings.Contains(body, `"field": "min_relevance"`) {
		t.Errorf("PUT bad settings: %d %s", resp.StatusCode, body)
	}
	resp, body = api.send("PUT", "/api/fairs/2027-03/settings", "application/json", []byte(`{"limits":{"meetings_per_enterprise":5,"min_relevance":0.1}}`))
	if resp.StatusCode != 200 || !strings.Contains(body, `"meetings_per_enterprise": 5`) || !strings.Contains(body, `"T12"`) {
		t.Errorf("PUT settings: %d %s", resp.StatusCode, body)
	}
	if resp, body := api.send("PUT", "/api/fairs/2027-03/settings", "application/json", []byte(`{"themes":"x"}`)); resp.StatusCode != 400 {
		t.Errorf("PUT with an unknown field: %d %s", resp.StatusCode, body)
	}
	if resp, _ := api.get("/api/fairs/2031-02/settings"); resp.StatusCode != 404 {
		t.Errorf("settings of an unknown fair: %d", resp.StatusCode)
	}
}

// sseEvent is one server-sent event.
type sseEvent struct{ name, data string }

// readEvents reads a server-sent-event stream into a channel until it ends.
func readEvents(body io.Reader) <-chan sseEvent {
	ch := make(chan sseEvent, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					ch <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return ch
}

func waitEvent(t *testing.T, ch <-chan sseEvent, name string) sseEvent {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("stream ended before an event %q", name)
			}
			if ev.name == name {
				return ev
			}
		case <-timeout:
			t.Fatalf("no event %q within 30s", name)
		}
	}
}

func TestOrganizerRunNowAndProgress(t *testing.T) {
	st := newOrgStack(t)
	org := st.session("org", "en")

	// Without problems, matching cannot start: a readable message, and the
	// stage stays as it was.
	resp, body := org.post("/fairs/2027-03/stages/match/run", nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Stage match could not start:") ||
		!strings.Contains(body, "no problems imported") {
		t.Fatalf("early run: %d %s", resp.StatusCode, body)
	}
	if s := st.stage("2027-03/match"); s.State != fairmatch.StatePending || s.Attempts != 0 {
		t.Fatalf("early run changed the stage: %+v", s)
	}
	if resp, _ := org.post("/fairs/2027-03/stages/lunch/run", nil); resp.StatusCode != 404 {
		t.Errorf("unknown stage: %d", resp.StatusCode)
	}
	st.importExample()

	// Follow the fair's events, then run matching.
	req, _ := http.NewRequest("GET", st.srv.URL+"/fairs/2027-03/events", nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, err := org.hc.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := readEvents(resp.Body)

	resp2, _ := org.post("/fairs/2027-03/stages/match/run", nil)
	if resp2.StatusCode != 303 || resp2.Header.Get("Location") != "/fairs/2027-03?started=match" {
		t.Fatalf("run now: %d %s", resp2.StatusCode, resp2.Header.Get("Location"))
	}
	if s := st.stage("2027-03/match"); s.State != fairmatch.StateRunning || s.Attempts != 1 {
		t.Fatalf("stage after run now: %+v", s)
	}
	ev := waitEvent(t, events, "progress")
	var p struct {
		Message     string
		Done, Total int
		Stage       string
	}
	if err := json.Unmarshal([]byte(ev.data), &p); err != nil || p.Stage != "match" || p.Total != 100 || p.Message != "scoring pairs" {
		t.Errorf("progress event %q: %v", ev.data, err)
	}
	// The page shows the running stage, and a second click is refused.
	_, body = org.get("/fairs/2027-03?started=match")
	if !strings.Contains(body, "Stage match has started.") || !strings.Contains(body, "Running: Matching") ||
		!strings.Contains(body, `id="run-match-button" disabled`) {
		t.Errorf("fair page while matching: %s", body)
	}
	resp2, body = org.post("/fairs/2027-03/stages/match/run", nil)
	if resp2.StatusCode != http.StatusConflict || !strings.Contains(body, "already running") {
		t.Errorf("second run: %d", resp2.StatusCode)
	}
	// When the job ends, the stage changes state and the page is told to reload.
	close(st.release)
	ev = waitEvent(t, events, "reload")
	if !strings.Contains(ev.data, "2027-03") {
		t.Errorf("reload event %q", ev.data)
	}
	if s := st.stage("2027-03/match"); s.State != fairmatch.StateFailed || !strings.Contains(s.Error, "stopped by the test") {
		t.Errorf("stage after the job: %+v", s)
	}
	_, body = org.get("/fairs/2027-03")
	if !strings.Contains(body, "stopped by the test") {
		t.Error("the fair page does not show the stage's error")
	}
	if resp, _ := org.get("/fairs/2031-02/events"); resp.StatusCode != 404 {
		t.Errorf("events of an unknown fair: %d", resp.StatusCode)
	}
}

func TestOrganizerAccounts(t *testing.T) {
	st := newOrgStack(t)
	c := st.session("org", "en")

	// Bad input: each issue next to its field, typed values kept.
	resp, body := c.post("/accounts", url.Values{"login": {"Bad Login"}, "name": {"张三"}, "role": {"commissioner"},
		"enterprises": {""}, "password": {"short"}})
	if resp.StatusCode != 400 {
		t.Fatalf("bad account: %d %s", resp.StatusCode, body)
	}
	for _, field := range []string{"login", "enterprises", "password"} {
		if !strings.Contains(body, `<p class="field-error" data-field="`+field+`">`) {
			t.Errorf("no issue next to %s", field)
		}
	}
	if !strings.Contains(body, `value="张三"`) || !strings.Contains(body, `value="Bad Login"`) {
		t.Error("typed values not kept")
	}
	assertTranslated(t, "accounts errors", body)
	if resp, body := c.post("/accounts", url.Values{"login": {"comm"}, "role": {"organizer"}, "password": {password}}); resp.StatusCode != 409 ||
		!strings.Contains(body, "This login is taken.") {
		t.Errorf("taken login: %d", resp.StatusCode)
	}

	// Create a liaison, issue a token, use it, disable the account.
	resp, _ = c.post("/accounts", url.Values{"login": {"li.u02"}, "name": {"李"}, "role": {"liaison"},
		"university": {"U02"}, "enterprises": {"E001"}, "password": {password}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/accounts?done=created" {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	a, err := st.auth.Account("li.u02")
	if err != nil || a.Role != auth.RoleLiaison || a.University != "U02" || len(a.Enterprises) != 0 {
		t.Fatalf("created account: %+v %v", a, err)
	}
	_, body = c.get("/accounts?done=created")
	if !strings.Contains(body, "The account was created.") || !strings.Contains(body, `id="account-li.u02"`) {
		t.Errorf("account list: %s", body)
	}
	resp, body = c.post("/accounts/li.u02/token", url.Values{"label": {"sync"}})
	tok := regexp.MustCompile(`<output id="token-value" class="secret">([^<]+)</output>`).FindStringSubmatch(body)
	if resp.StatusCode != 200 || tok == nil || resp.Header.Get("Cache-Control") != "private, no-store" {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	user := st.anonymous("")
	user.tok = tok[1]
	if resp, body := user.get("/api/data"); resp.StatusCode != 200 || !strings.Contains(body, `"offerings"`) {
		t.Errorf("the new token: %d %s", resp.StatusCode, body)
	}
	if resp, _ := c.post("/accounts/li.u02/password", url.Values{"password": {"short"}}); resp.StatusCode != 400 {
		t.Errorf("short password reset: %d", resp.StatusCode)
	}
	if resp, _ := c.post("/accounts/li.u02/password", url.Values{"password": {"another long password"}}); resp.StatusCode != 303 {
		t.Errorf("password reset: %d", resp.StatusCode)
	}
	if resp, _ := c.post("/accounts/li.u02/disable", nil); resp.StatusCode != 303 {
		t.Errorf("disable: %d", resp.StatusCode)
	}
	if resp, _ := user.get("/api/data"); resp.StatusCode != 401 {
		t.Errorf("a disabled account's token: %d", resp.StatusCode)
	}
	if resp, body := c.post("/accounts/org/disable", nil); resp.StatusCode != 409 || !strings.Contains(body, "You cannot disable your own account.") {
		t.Errorf("self-disable: %d", resp.StatusCode)
	}
	if resp, _ := c.post("/accounts/li.u02/enable", nil); resp.StatusCode != 303 {
		t.Errorf("enable: %d", resp.StatusCode)
	}
	if resp, _ := c.post("/accounts/nobody/enable", nil); resp.StatusCode != 404 {
		t.Errorf("enable a missing account: %d", resp.StatusCode)
	}

	// The API twins.
	api := st.bearer("org")
	resp, body = api.send("POST", "/api/accounts", "application/json",
		[]byte(`{"login":"zhang","name":"张","role":"commissioner","enterprises":["E002","E003"],"password":"`+password+`"}`))
	if resp.StatusCode != 201 || !strings.Contains(body, `"E003"`) || strings.Contains(body, password) {
		t.Fatalf("POST /api/accounts: %d %s", resp.StatusCode, body)
	}
	resp, body = api.send("POST", "/api/accounts", "application/json", []byte(`{"login":"x y","role":"liaison","password":"1"}`))
	if resp.StatusCode != 400 || !strings.Contains(body, `"field": "university"`) {
		t.Errorf("POST bad account: %d %s", resp.StatusCode, body)
	}
	resp, body = api.send("POST", "/api/accounts/zhang/tokens", "application/json", []byte(`{"label":"cli"}`))
	var issued struct{ Token string }
	if err := json.Unmarshal([]byte(body), &issued); resp.StatusCode != 201 || err != nil || len(issued.Token) < 20 {
		t.Fatalf("POST tokens: %d %s", resp.StatusCode, body)
	}
	if resp, _ := api.send("PUT", "/api/accounts/zhang/password", "application/json", []byte(`{"password":"a brand new password"}`)); resp.StatusCode != 204 {
		t.Errorf("PUT password: %d", resp.StatusCode)
	}
	if resp, body := api.send("POST", "/api/accounts/zhang/disable", "", nil); resp.StatusCode != 200 || !strings.Contains(body, `"disabled": true`) {
		t.Errorf("POST disable: %d %s", resp.StatusCode, body)
	}
	resp, body = api.get("/api/accounts")
	var list []auth.Account
	if err := json.Unmarshal([]byte(body), &list); resp.StatusCode != 200 || err != nil || len(list) != 5 {
		t.Errorf("GET /api/accounts: %d %s", resp.StatusCode, body)
	}
}

// TestOrganizerSettingsSeats: tables with seat limits (rooms for larger
// delegations) are set in the form and shown again.
func TestOrganizerSettingsSeats(t *testing.T) {
	st := newOrgStack(t)
	c := st.session("org", "en")
	form := func(mode, names, count, seats string) url.Values {
		return url.Values{
			"session_name": {"上午"}, "session_from": {"09:00"}, "session_to": {"12:00"},
			"slot": {"20"}, "buffer": {"5"},
			"tables_mode": {mode}, "table_names": {names}, "table_count": {count}, "table_prefix": {"T"}, "table_seats": {seats},
			"meetings_per_enterprise": {"3"}, "meetings_per_university": {"24"}, "meetings_per_expert": {"8"},
			"universities_per_enterprise": {"2"}, "items_per_meeting": {"3"}, "min_relevance": {"0.05"},
		}
	}
	stored := func() *fairmatch.Day {
		var fs fairmatch.FairSettings
		_ = st.db.View(func(tx *store.Tx) (err error) { fs, _, err = tx.FairSettings("2027-03"); return err })
		return fs.Day
	}
	if resp, body := c.post("/fairs/2027-03/settings", form("list", "T01\nT02 = 4\n301 会议室：10", "", "")); resp.StatusCode != 303 {
		t.Fatalf("list with seats: %d %s", resp.StatusCode, body)
	}
	if d := stored(); d == nil || len(d.Tables) != 3 || d.Tables[2] != "301 会议室" || len(d.Seats) != 2 || d.Seats["T02"] != 4 || d.Seats["301 会议室"] != 10 {
		t.Fatalf("stored day %+v", d)
	}
	if _, body := c.get("/fairs/2027-03/settings"); !strings.Contains(body, "T01\nT02 = 4\n301 会议室 = 10</textarea>") {
		t.Errorf("the form does not show the seats again")
	}
	if resp, _ := c.post("/fairs/2027-03/settings", form("count", "", "6", "4")); resp.StatusCode != 303 {
		t.Fatalf("count with seats: %d", resp.StatusCode)
	}
	if d := stored(); d == nil || len(d.Tables) != 6 || len(d.Seats) != 6 || d.Seats["T06"] != 4 {
		t.Fatalf("stored day %+v", d)
	}
	if _, body := c.get("/fairs/2027-03/settings"); !strings.Contains(body, `name="table_seats" type="number" min="0" max="1000" value="4"`) {
		t.Errorf("the form does not show the seats per table")
	}
	resp, body := c.post("/fairs/2027-03/settings", form("list", "A = many", "", ""))
	if resp.StatusCode != 400 || !strings.Contains(body, "seats must be a whole number") {
		t.Errorf("bad seats: %d", resp.StatusCode)
	}
}
