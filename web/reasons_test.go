package web

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/coordinator"
	"github.com/fairmatch/fairmatch/dataset"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/store/storetest"
)

func hasCJK(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

var (
	quotedValue = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	number      = regexp.MustCompile(`[0-9]+`)
)

// checkTranslation reports why zh is not a faithful translation of en: it
// must contain Chinese and keep every quoted value and every number.
func checkTranslation(en, zh string) string {
	if !hasCJK(zh) {
		return "no Chinese"
	}
	for _, q := range quotedValue.FindAllString(en, -1) {
		if !strings.Contains(zh, q) {
			return "lost the quoted value " + q
		}
	}
	for _, n := range number.FindAllString(en, -1) {
		if !strings.Contains(zh, n) {
			return "lost the number " + n
		}
	}
	return ""
}

// issuesOf returns the issues of err, failing if it has none.
func issuesOf(t *testing.T, what string, err error) []fairmatch.Issue {
	t.Helper()
	is := fairmatch.ErrorIssues(err)
	if len(is) == 0 {
		t.Fatalf("%s: no issues (err %v)", what, err)
	}
	return is
}

// reasonSet collects distinct reasons and messages, and where each came from.
type reasonSet struct {
	reasons  map[string]string
	messages map[string]string
}

func newReasonSet() *reasonSet {
	return &reasonSet{reasons: map[string]string{}, messages: map[string]string{}}
}

func (s *reasonSet) addIssues(from string, is []fairmatch.Issue) {
	for _, i := range is {
		if _, ok := s.reasons[i.Reason]; !ok {
			s.reasons[i.Reason] = from
		}
	}
}

func (s *reasonSet) addErr(from string, err error) {
	if fe, ok := errors.AsType[*fairmatch.Error](err); ok {
		s.messages[fe.Message] = from
	}
	s.addIssues(from, fairmatch.ErrorIssues(err))
}

// Bad inputs of dataset.Parse: CSV (files, headers, cells, enumerations,
// windows, ids), JSON (syntax, types, keys, windows), zip and XLSX.
func badParseInputs(t testing.TB) map[string][]byte {
	long := strings.Repeat("长", 32768)
	in := map[string][]byte{
		// CSV headers.
		"problems.csv#header":  []byte("id,enterprise,title,title,colour,\xffx\nPR1,E1,t,t2,red,1\n"),
		"problems.csv#missing": []byte("id,enterprise\nPR1,E1\n"),
		// CSV cells.
		"problems.csv#cells": []byte("id,enterprise,title,urgency,wants,fairs,keywords,attendees\n" +
			"PR 1,E1,t,extreme,won;license;license,2027-13,ok,A;A\n" +
			"PR2,,\xff,high,,,k\x01,\n" +
			"PR3,E\x02,t,,,2027-03;2027-03,,x;\n" +
			"PR4,E1,t,,,,,,,extra\n" +
			"PR5,E1," + long + ",,,,,\n" +
			"PR;6,E1,t,,,,,\n"),
		"offerings.csv": []byte("id,university,title,trl,kind\nO1,U1,t,abc,robot\nO2,U1,t,0,\nO3,U1,t,12,\n"),
		"people.csv": []byte("id,name,email,role,available\n" +
			"P1,n,not-an-email,boss,2027-03=9:00-10:00\n" +
			"P2,n,,expert,*=10:00-09:00\n" +
			"P3,n,,expert,x=09:00-10:00\n" +
			"P4,n,,expert,garbage\n" +
			"P5,n,,expert,*=0900\n" +
			"P6,n,,expert,*=09:00-25:00\n" +
			"P7,,,,\n"),
		"history.csv":         []byte("enterprise,university,fair,outcome\nE1,U1,,won\nE1,U1,2027-3,none\n"),
		"foo.csv":             []byte("a\n1\n"),
		"problems.csv#bare":   []byte("id,enterprise,title\nPR1,E1,ab\"c\n"),
		"problems.csv#quoted": []byte("id,enterprise,title\nPR1,E1,\"ab\"c\n"),
		// JSON.
		"bad.json#utf8":     []byte("{\"problems\": [{\"title\": \"\xff\"}]}"),
		"bad.json#syntax1":  []byte(`{"problems": [}`),
		"bad.json#syntax2":  []byte(`{"problems": []} x`),
		"bad.json#syntax3":  []byte(`{"problems": [`),
		"bad.json#syntax4":  []byte(`{"problems" []}`),
		"bad.json#syntax5":  []byte(`{"problems": [{"trl": 1.x}]}`),
		"bad.json#array":    []byte(`[]`),
		"bad.json#notarray": []byte(`{"problems": {}, "colours": [], "problems": []}`),
		"bad.json#types": []byte(`{"problems": [1, {"id": "PR1", "enterprise": "E1", "title": 5, "keywords": "x", "domains": ["a;b", " "], "colour": 1, "wants": [true]}],
			"offerings": [{"id": "O1", "university": "U1", "title": "t", "trl": "5"}, {"id": "O2", "university": "U1", "title": "t", "trl": 0}],
			"people": [{"id": "P1", "name": "n", "role": "expert", "available": []},
			           {"id": "P2", "name": "n", "role": "expert", "available": {"*": 5}},
			           {"id": "P3", "name": "n", "role": "expert", "available": {"*": [{"from": 9, "to": "10:00", "at": 1}, "x"]}}]}`),
		// Archives and workbooks.
		"upload.zip":      []byte("not a zip"),
		"bad.xlsx":        []byte("not a workbook"),
		"twice.zip":       zipOf(t, map[string]string{"a/problems.csv": "id,enterprise,title\n", "b/problems.csv": "id,enterprise,title\n"}),
		"sheets.xlsx":     xlsxWithSheet(t, "colours"),
		"bad.json#ctrl":   []byte(`{"enterprises": [{"id": "E1", "name": "a\u0001b"}]}`),
		"bad.json#idctrl": []byte(`{"enterprises": [{"id": "E\u0001", "name": "n", "attendees": ["", "P 1"]}]}`),
	}
	return in
}

func zipOf(t testing.TB, files map[string]string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range slices.Sorted(mapKeys(files)) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, files[name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func xlsxWithSheet(t testing.TB, sheet string) []byte {
	f := excelize.NewFile()
	defer f.Close()
	if _, err := f.NewSheet(sheet); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// parseReasons runs the bad inputs through dataset.Parse.
func parseReasons(t testing.TB) *reasonSet {
	s := newReasonSet()
	for key, data := range badParseInputs(t) {
		name, _, _ := strings.Cut(key, "#")
		_, err := dataset.Parse(name, data)
		if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
			t.Fatalf("%s: want EINVALID, got %v", key, err)
		}
		s.addErr("dataset.Parse "+key, err)
	}
	return s
}

// validateReasons runs a dataset with dangling references, duplicates and
// bad fields through dataset.Validate.
func validateReasons(t testing.TB, s *reasonSet) {
	ds := &fairmatch.Dataset{
		Enterprises:  []fairmatch.Enterprise{{ID: "E1", Name: "e", Commissioner: "P9", Attendees: []string{"P8"}}, {ID: "E1", Name: "e"}},
		Universities: []fairmatch.University{{ID: "U1", Name: "u", Attendees: []string{"P7"}}},
		People:       []fairmatch.Person{{ID: "P1", Name: "p", Org: "X9", Role: "expert"}},
		Problems:     []fairmatch.Problem{{ID: "PR1", Enterprise: "E9", Title: "t", Attendees: []string{"P6"}}},
		Offerings:    []fairmatch.Offering{{ID: "O1", University: "U9", Title: "t", Experts: []string{"P5"}, TRL: 10}},
		Blocked:      []fairmatch.Blocked{{Enterprise: "E8", University: "U8"}, {Enterprise: "E8", University: "U8"}},
		History:      []fairmatch.History{{Enterprise: "E7", University: "U7", Fair: "2027-03", Outcome: "won"}},
	}
	s.addIssues("dataset.Validate", dataset.Validate(ds, nil))
	many := &fairmatch.Dataset{}
	for i := range dataset.MaxIssues + 5 {
		many.Problems = append(many.Problems, fairmatch.Problem{ID: fmt.Sprint("PR", i), Enterprise: "E9", Title: "t"})
	}
	s.addIssues("dataset.Validate (many)", dataset.Validate(many, nil))
}

// configReasons runs bad days and limits through config.CheckDay and
// config.CheckLimits.
func configReasons(s *reasonSet) {
	m := fairmatch.Duration(time.Minute)
	for _, d := range []fairmatch.Day{
		{},
		{Sessions: []fairmatch.Session{{Name: "", From: "9:00", To: "25:00"}, {Name: "a", From: "10:00", To: "09:00"},
			{Name: "a", From: "09:00", To: "12:00"}, {Name: "b", From: "11:00", To: "11:10"}},
			Slot: 20 * m, Buffer: -m, Tables: []string{"T1", "T1", " "}},
		{Sessions: []fairmatch.Session{{Name: "a", From: "09:00", To: "12:00"}}, Slot: 90 * fairmatch.Duration(time.Second),
			Buffer: 30 * fairmatch.Duration(time.Second), Tables: make([]string, 10001)},
	} {
		s.addIssues("config.CheckDay", config.CheckDay(d))
	}
	s.addIssues("config.CheckLimits", config.CheckLimits(fairmatch.Limits{MeetingsPerEnterprise: -1, MinRelevance: 1.5}))
}

// authReasons creates bad accounts with a real auth.Service.
func authReasons(t testing.TB, db *store.DB, s *reasonSet) {
	svc := &auth.Service{DB: db, PasswordCost: bcrypt.MinCost}
	const pw = "correct horse battery"
	for _, c := range []struct {
		a  auth.Account
		pw string
	}{
		{auth.Account{Login: "Bad Login", Role: auth.RoleOrganizer, Enterprises: []string{"E1"}, University: "U1"}, "short"},
		{auth.Account{Login: auth.AdminLogin, Name: "\xff", Role: auth.RoleCommissioner, Person: "P 1", University: "U1"}, strings.Repeat("x", 80)},
		{auth.Account{Login: "", Role: auth.RoleCommissioner, Enterprises: []string{"E1", "E1", ""}}, pw},
		{auth.Account{Login: strings.Repeat("a", 65), Role: auth.RoleLiaison, Enterprises: []string{"E1"}}, pw},
		{auth.Account{Login: "ok", Role: auth.RoleLiaison, University: "U\x01"}, pw},
		{auth.Account{Login: "ok"}, pw},
		{auth.Account{Login: "ok", Role: "boss"}, pw},
	} {
		s.addErr("auth.CreateAccount", svc.CreateAccount(c.a, c.pw))
	}
	if err := svc.CreateAccount(auth.Account{Login: "taken", Role: auth.RoleOrganizer}, pw); err != nil {
		t.Fatal(err)
	}
	s.addErr("auth.CreateAccount", svc.CreateAccount(auth.Account{Login: "taken", Role: auth.RoleOrganizer}, pw))
	_, err := svc.Login(httptest.NewRecorder(), "taken", "wrong password")
	s.addErr("auth.Login", err)
}

// storeReasons stores bad decisions and responses.
func storeReasons(db *store.DB, s *reasonSet) {
	for _, d := range []fairmatch.Decision{
		{Fair: "", Enterprise: "E\x00", University: strings.Repeat("u", 1000), Verdict: "maybe"},
	} {
		s.addErr("store.PutDecision", db.Update(func(tx *store.Tx) error { return tx.PutDecision(d) }))
	}
	for _, r := range []fairmatch.Response{
		{Fair: "2027-03", Meeting: "M1", Person: "P1", Kind: "shrug", Reason: strings.Repeat("r", 2001)},
		{Fair: "2027-03", Meeting: "M1", Person: "P1", Kind: fairmatch.ResponseOutcome, Outcome: "won"},
	} {
		s.addErr("store.PutResponse", db.Update(func(tx *store.Tx) error { return tx.PutResponse(r) }))
	}
}

// decisionReasons runs bad review decisions through coordinator.ApplyDecisions.
func decisionReasons(s *reasonSet) {
	ds := &fairmatch.Dataset{
		Enterprises:  []fairmatch.Enterprise{{ID: "E1", Name: "e", Attendees: []string{"P1"}}, {ID: "E2", Name: "e2"}},
		Universities: []fairmatch.University{{ID: "U1", Name: "u", Attendees: []string{"P2"}}, {ID: "U2", Name: "u2"}},
		People: []fairmatch.Person{{ID: "P1", Name: "a", Org: "E1", Role: "representative"},
			{ID: "P2", Name: "b", Org: "U1", Role: "expert"}, {ID: "P3", Name: "c", Org: "E2", Role: "representative"}},
		Problems:  []fairmatch.Problem{{ID: "PR1", Enterprise: "E1", Title: "t"}, {ID: "PR2", Enterprise: "E2", Title: "t"}},
		Offerings: []fairmatch.Offering{{ID: "O1", University: "U1", Title: "t"}, {ID: "O2", University: "U2", Title: "t"}},
		Blocked:   []fairmatch.Blocked{{Enterprise: "E2", University: "U2", Reason: "competitor"}},
	}
	it := func(p, o string) fairmatch.MeetingItem { return fairmatch.MeetingItem{Problem: p, Offering: o} }
	decisions := []fairmatch.Decision{
		{Enterprise: "E1", University: "U1", Verdict: "maybe"},
		{Enterprise: "E9", University: "U9", Verdict: fairmatch.VerdictAdd, Items: []fairmatch.MeetingItem{it("PR1", "O1")}},
		{Enterprise: "E2", University: "U2", Verdict: fairmatch.VerdictAdd, Items: []fairmatch.MeetingItem{it("PR2", "O2")}},
		{Enterprise: "E1", University: "U1", Verdict: fairmatch.VerdictAdd,
			Items:     []fairmatch.MeetingItem{it("PR9", "O1"), it("PR2", "O1"), it("PR1", "O9"), it("PR1", "O2"), it("PR1", "O1"), it("PR1", "O1")},
			Attendees: []string{"P9", "P3", "P1"}},
		{Enterprise: "E1", University: "U1", Verdict: fairmatch.VerdictAdd, Items: []fairmatch.MeetingItem{it("PR1", "O1")}},
		{Enterprise: "E1", University: "U2", Verdict: fairmatch.VerdictAdd, Items: []fairmatch.MeetingItem{it("PR9", "O2")}},
		{Enterprise: "E2", University: "U1", Verdict: fairmatch.VerdictAccept},
		{Enterprise: "E1", University: "U2", Verdict: fairmatch.VerdictPin, Items: []fairmatch.MeetingItem{it("PR1", "O2")}, Attendees: []string{"P1"}},
	}
	_, is := coordinator.ApplyDecisions(nil, decisions, ds)
	s.addIssues("coordinator.ApplyDecisions", is)
	_, is = coordinator.ApplyDecisions(nil, []fairmatch.Decision{{Enterprise: "E1", University: "U1", Verdict: fairmatch.VerdictAdd,
		Items: []fairmatch.MeetingItem{it("PR1", "O1")}, Attendees: []string{"P2"}}}, ds)
	s.addIssues("coordinator.ApplyDecisions", is)
}

// webReasons are the issues of this package's own checks: an upload out of
// scope, the settings' theme, the review form.
func webReasons(s *reasonSet) {
	ds := &fairmatch.Dataset{
		Enterprises:  []fairmatch.Enterprise{{ID: "E2", Name: "e"}},
		Universities: []fairmatch.University{{ID: "U2", Name: "u"}},
		People:       []fairmatch.Person{{ID: "P1", Name: "p", Org: "E2"}, {ID: "P2", Name: "p", Org: "E1"}},
		Problems:     []fairmatch.Problem{{ID: "PR1", Enterprise: "E2"}, {ID: "PR2", Enterprise: "E1"}},
		Offerings:    []fairmatch.Offering{{ID: "O1", University: "U2"}, {ID: "O2", University: "U1"}},
		Blocked:      []fairmatch.Blocked{{Enterprise: "E1", University: "U1"}},
		History:      []fairmatch.History{{Enterprise: "E1", University: "U1"}},
	}
	base := &fairmatch.Dataset{
		People:    []fairmatch.Person{{ID: "P2", Org: "E2"}},
		Problems:  []fairmatch.Problem{{ID: "PR2", Enterprise: "E2"}},
		Offerings: []fairmatch.Offering{{ID: "O2", University: "U2"}},
	}
	for _, a := range []auth.Account{
		{Login: "c", Role: auth.RoleCommissioner, Enterprises: []string{"E1"}},
		{Login: "l", Role: auth.RoleLiaison, University: "U1"},
	} {
		p := &auth.Principal{Account: &a}
		s.addIssues("scopeIssues", scopeIssues(p, ds, base, "up.json"))
	}
	s.addIssues("settingsIssues", settingsIssues(strings.Repeat("题", 300), fairmatch.Day{}, fairmatch.Limits{}))
	s.addErr("reviewCheckDecision", reviewCheckDecision(fairmatch.Decision{Verdict: fairmatch.VerdictAdd}, &fairmatch.Dataset{}))
	s.addErr("reviewCheckDecision", reviewCheckDecision(fairmatch.Decision{Enterprise: "E1", University: "U1", Verdict: fairmatch.VerdictAdd}, &fairmatch.Dataset{}))
	s.addErr("reviewCheckDecision", reviewCheckDecision(fairmatch.Decision{Enterprise: "E1", University: "U1", Verdict: fairmatch.VerdictAdd,
		Items: []fairmatch.MeetingItem{{Problem: "PR1", Offering: "O1"}}}, &fairmatch.Dataset{}))
}

// TestLocalizeRealReasons translates every reason and message the real
// validators give for bad input: each must come out in Chinese, keeping
// its quoted values and numbers.
func TestLocalizeRealReasons(t *testing.T) {
	s := parseReasons(t)
	validateReasons(t, s)
	configReasons(s)
	db := storetest.Open(t)
	authReasons(t, db, s)
	storeReasons(db, s)
	decisionReasons(s)
	webReasons(s)
	if len(s.reasons) < 120 {
		t.Errorf("only %d distinct reasons collected", len(s.reasons))
	}
	for _, en := range slices.Sorted(mapKeys(s.reasons)) {
		zh := localizeReason(langZH, en)
		if why := checkTranslation(en, zh); why != "" {
			t.Errorf("%s: %q → %q: %s", s.reasons[en], en, zh, why)
		}
		if got := localizeReason(langEN, en); got != en {
			t.Errorf("English changed %q to %q", en, got)
		}
	}
	for _, en := range slices.Sorted(mapKeys(s.messages)) {
		zh := localizeMessage(langZH, en)
		if why := checkTranslation(en, zh); why != "" {
			t.Errorf("message of %s: %q → %q: %s", s.messages[en], en, zh, why)
		}
	}
	t.Logf("%d reasons and %d messages translated", len(s.reasons), len(s.messages))
}

// TestParseReasonCoverage measures the share of dataset.Parse's distinct
// reasons, over a broad set of bad inputs, that have a translation.
func TestParseReasonCoverage(t *testing.T) {
	s := parseReasons(t)
	var left []string
	for _, en := range slices.Sorted(mapKeys(s.reasons)) {
		if checkTranslation(en, localizeReason(langZH, en)) != "" {
			left = append(left, en)
		}
	}
	n := len(s.reasons)
	cover := float64(n-len(left)) / float64(n)
	t.Logf("dataset.Parse: %d distinct reasons, %.1f%% translated; left: %q", n, 100*cover, left)
	if n < 60 {
		t.Errorf("only %d distinct reasons: the inputs are not broad enough", n)
	}
	if cover < 0.9 {
		t.Errorf("coverage %.1f%% < 90%%; left: %q", 100*cover, left)
	}
}

func TestLocalizeReasonExamples(t *testing.T) {
	for _, tc := range []struct{ en, zh string }{
		{`unknown enterprise "E9"`, `未知的企业 "E9"`},
		{`unknown column "x" (known: a, b)`, `未知的列 "x"（可用：a, b）`},
		{`item 2: unknown person "P\"9"`, `第 2 项：未知的人员 "P\"9"`},
		{`must be a string, not number`, `必须是字符串，而不是数字`},
		{`must be a string, not a number`, `必须是字符串，而不是数字`},
		{`"won" is not one of none, contact, nda`, `"won" 不是以下之一：none, contact, nda`},
		{`item 3 is empty`, `第 3 项为空`},
		{`JSON syntax error: invalid character '}' looking for beginning of value`, `JSON 语法错误：无效字符 '}'，此处应为一个值`},
		{`must not be empty`, `不能为空`},
		{`duplicate key`, `重复的键`},
		// Not known, or known only in part: unchanged.
		{`unknown gadget "E9"`, `unknown gadget "E9"`},
		{`item 2: something new`, `item 2: something new`},
		{`JSON syntax error: a new kind of error`, `JSON syntax error: a new kind of error`},
		{`must be a string, not a gadget`, `must be a string, not a gadget`},
		{``, ``},
		{`已是中文`, `已是中文`},
	} {
		if got := localizeReason(langZH, tc.en); got != tc.zh {
			t.Errorf("localizeReason(zh, %q) = %q, want %q", tc.en, got, tc.zh)
		}
		if got := localizeReason(langEN, tc.en); got != tc.en {
			t.Errorf("localizeReason(en, %q) = %q", tc.en, got)
		}
	}
	for _, tc := range []struct{ en, zh string }{
		{"import refused: 3 bad record(s); nothing was stored", "导入被拒绝：3 条记录有误；未保存任何数据"},
		{"dataset problems.csv: 2 issues", "数据集 problems.csv：2 个问题"},
		{"wrong login or password", "登录名或密码错误"},
		{"must not be empty", "不能为空"}, // a reason as a message
		{"a new message", "a new message"},
	} {
		if got := localizeMessage(langZH, tc.en); got != tc.zh {
			t.Errorf("localizeMessage(zh, %q) = %q, want %q", tc.en, got, tc.zh)
		}
	}
}

// TestReasonRulesCompile checks that every rule's template uses each of
// its pattern's verbs that matter and that patterns do not shadow each
// other: the example text of a rule (its pattern with sample values) is
// translated by that rule.
func TestReasonRulesCompile(t *testing.T) {
	if _, err := compileRule("bad %z", "x"); err == nil {
		t.Error("unknown verb accepted")
	}
	if _, err := compileRule("a %d", "{2}"); err == nil {
		t.Error("reference to a missing verb accepted")
	}
	if _, err := compileRule("a %d", "{1"); err == nil {
		t.Error("unclosed reference accepted")
	}
	if len(reasonRules) < 100 || len(messageRules) < 50 {
		t.Errorf("%d reason rules, %d message rules", len(reasonRules), len(messageRules))
	}
}

// TestReasonsOnPages uploads bad files to a real server and reads the
// report in Chinese and in English, then fails to create an account.
func TestReasonsOnPages(t *testing.T) {
	db := storetest.Open(t)
	svc := &auth.Service{DB: db, PasswordCost: bcrypt.MinCost}
	const pw = "correct horse battery"
	if err := svc.CreateAccount(auth.Account{Login: "org", Name: "组织者", Role: auth.RoleOrganizer}, pw); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer((&Server{DB: db, Auth: svc, Log: slog.New(slog.DiscardHandler)}).Handler())
	t.Cleanup(srv.Close)

	client := func(lang string) func(method, path, ct string, body []byte) (int, string) {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		do := func(method, path, ct string, body []byte) (int, string) {
			req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
			req.Header.Set("Accept-Language", lang)
			req.Header.Set("Content-Type", ct)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		if code, body := do("POST", "/login", "application/x-www-form-urlencoded",
			[]byte(url.Values{"login": {"org"}, "password": {pw}}.Encode())); code != http.StatusSeeOther {
			t.Fatalf("login: %d %s", code, body)
		}
		return do
	}
	upload := func(do func(string, string, string, []byte) (int, string), name, data string) string {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = io.WriteString(fw, data)
		_ = mw.Close()
		code, body := do("POST", "/data/check", mw.FormDataContentType(), b.Bytes())
		if code != http.StatusBadRequest {
			t.Fatalf("upload %s: %d %s", name, code, body)
		}
		return body
	}
	// Parse refuses the urgency; Validate the dangling enterprise.
	badEnum := "id,enterprise,title,urgency\nPR1,E1,热处理变形,extreme\n"
	dangling := "id,enterprise,title\nPR1,E9,热处理变形\n"
	for _, tc := range []struct {
		lang, enum, message, unknown, login string
	}{
		{"zh-CN", `&#34;extreme&#34; 不是以下之一：low, normal, high`, `数据集 problems.csv：1 个问题`,
			`未知的企业 &#34;E9&#34;`, `只能使用小写字母 a-z`},
		{"en", `&#34;extreme&#34; is not one of low, normal, high`, `dataset problems.csv: 1 issue`,
			`unknown enterprise &#34;E9&#34;`, `must be lower-case letters a-z`},
	} {
		do := client(tc.lang)
		body := upload(do, "problems.csv", badEnum)
		for _, want := range []string{tc.enum, tc.message} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: report lacks %q: %s", tc.lang, want, body)
			}
		}
		body = upload(do, "problems.csv", dangling)
		if !regexp.MustCompile(`<td>problems\[0\]</td><td>enterprise</td><td>` + regexp.QuoteMeta(tc.unknown) + `</td>`).MatchString(body) {
			t.Errorf("%s: report lacks %q: %s", tc.lang, tc.unknown, body)
		}
		code, body := do("POST", "/accounts", "application/x-www-form-urlencoded",
			[]byte(url.Values{"login": {"Bad Login"}, "role": {"organizer"}, "password": {pw}}.Encode()))
		if code != http.StatusBadRequest || !strings.Contains(body, tc.login) {
			t.Errorf("%s: account form: %d, lacks %q: %s", tc.lang, code, tc.login, body)
		}
	}
}

// TestErrorPageLocalized renders the shared error page of an EINVALID error.
func TestErrorPageLocalized(t *testing.T) {
	s := &Server{Log: slog.New(slog.DiscardHandler)}
	err := fairmatch.Invalid("import refused: 1 bad record(s); nothing was stored",
		[]fairmatch.Issue{{File: "up.json", Record: "problems[0]", Field: "enterprise", Reason: `unknown enterprise "E9"`}})
	for lang, want := range map[string][]string{
		"zh": {"导入被拒绝：1 条记录有误；未保存任何数据", "未知的企业 &#34;E9&#34;"},
		"en": {"import refused: 1 bad record(s); nothing was stored", "unknown enterprise &#34;E9&#34;"},
	} {
		r := httptest.NewRequest("GET", "/x", nil)
		r.Header.Set("Accept-Language", lang)
		w := httptest.NewRecorder()
		s.pageError(w, r, nil, err)
		for _, sub := range want {
			if !strings.Contains(w.Body.String(), sub) {
				t.Errorf("%s: error page lacks %q: %s", lang, sub, w.Body.String())
			}
		}
	}
}

// matchesAnyRule reports whether a rule's pattern matches s at the top level.
func matchesAnyRule(s string) bool {
	for _, rs := range []rules{reasonRules, messageRules} {
		for _, r := range rs {
			if r.re.MatchString(s) {
				return true
			}
		}
	}
	return false
}

func FuzzLocalizeReason(f *testing.F) {
	for key, data := range badParseInputs(f) {
		name, _, _ := strings.Cut(key, "#")
		_, err := dataset.Parse(name, data)
		for _, is := range fairmatch.ErrorIssues(err) {
			f.Add(is.Reason)
		}
	}
	f.Add(`item 1: item 2: item 3: item 4: item 5: unknown person "P1"`)
	f.Add(`%w of %w–%w cannot apply: enterprise "x" is not in the dataset`)
	f.Add("invalid character '\\'' after top-level value")
	f.Fuzz(func(t *testing.T, s string) {
		start := time.Now()
		zh := localizeReason(langZH, s)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("%d bytes took %v", len(s), d)
		}
		msg := localizeMessage(langZH, s)
		if localizeReason(langEN, s) != s || localizeMessage(langEN, s) != s {
			t.Fatalf("English changed %q", s)
		}
		if (len(s) > maxReasonLen || !matchesAnyRule(s)) && (zh != s || msg != s) {
			t.Fatalf("%q matches no rule but became %q / %q", s, zh, msg)
		}
		if zh != s && !hasCJK(zh) {
			t.Fatalf("%q became %q, not Chinese", s, zh)
		}
		if utf8.ValidString(s) && !utf8.ValidString(zh) {
			t.Fatalf("%q became invalid UTF-8 %q", s, zh)
		}
	})
}

func BenchmarkLocalizeReason(b *testing.B) {
	s := parseReasons(b)
	reasons := slices.Sorted(mapKeys(s.reasons))
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, r := range reasons {
			_ = localizeReason(langZH, r)
			n++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/reason")
}
