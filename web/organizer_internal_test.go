package web

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/config"
)

// fakeClock is a settable clock for the upload cache.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestUploadCacheBounds(t *testing.T) {
	clk := &fakeClock{t: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)}
	c := newUploadCache(clk.now, 100) // at most 200 bytes kept
	a1 := c.put(checkedUpload{Owner: "a", Size: 10})
	if _, ok := c.get(a1, "b"); ok {
		t.Fatal("another owner got a's upload")
	}
	if u, ok := c.get(a1, "a"); !ok || u.Size != 10 || !u.Expires.Equal(clk.t.Add(uploadTTL)) {
		t.Fatalf("get: %+v %v", u, ok)
	}
	// A third upload of one owner evicts their oldest, not others'.
	b1 := c.put(checkedUpload{Owner: "b", Size: 10})
	a2 := c.put(checkedUpload{Owner: "a", Size: 10})
	a3 := c.put(checkedUpload{Owner: "a", Size: 10})
	if _, ok := c.get(a1, "a"); ok {
		t.Error("a's oldest upload survived a third one")
	}
	for _, id := range []string{a2, a3} {
		if _, ok := c.get(id, "a"); !ok {
			t.Errorf("a's upload %s lost", id)
		}
	}
	if _, ok := c.get(b1, "b"); !ok {
		t.Error("b's upload evicted by a's")
	}
	// Bytes bound the cache: a large upload pushes out the oldest ones.
	big := c.put(checkedUpload{Owner: "c", Size: 200})
	if _, ok := c.get(big, "c"); !ok || c.len() != 1 {
		t.Errorf("after a 200-byte upload: %d kept, big kept %v", c.len(), ok)
	}
	// Entries expire.
	clk.t = clk.t.Add(uploadTTL)
	if _, ok := c.get(big, "c"); ok || c.len() != 0 {
		t.Errorf("an upload outlived its hour: %d kept", c.len())
	}
	// Count bounds the cache.
	for i := range uploadsMax + 5 {
		c.put(checkedUpload{Owner: fmt.Sprint(i), Size: 1})
	}
	if n := c.len(); n != uploadsMax {
		t.Errorf("%d uploads kept, want at most %d", n, uploadsMax)
	}
	ids := map[string]bool{}
	for range 100 {
		id := c.put(checkedUpload{Owner: "z", Size: 1})
		if ids[id] || len(id) < 20 {
			t.Fatalf("weak or repeated upload id %q", id)
		}
		ids[id] = true
	}
}

func TestNumberedTables(t *testing.T) {
	for _, tc := range []struct {
		tables []string
		prefix string
		n      int
		ok     bool
	}{
		{numberTables("T", 12), "T", 12, true},
		{numberTables("", 3), "", 3, true},
		{numberTables("Hall-", 120), "Hall-", 120, true},
		{[]string{"A1", "A2"}, "", 0, false},
		{[]string{"T01", "T03"}, "", 0, false},
		{[]string{"X"}, "", 0, false},
		{nil, "", 0, false},
	} {
		prefix, n, ok := numberedTables(tc.tables)
		if ok != tc.ok || ok && (prefix != tc.prefix || n != tc.n) {
			t.Errorf("numberedTables(%v) = %q %d %v, want %q %d %v", tc.tables, prefix, n, ok, tc.prefix, tc.n, tc.ok)
		}
	}
}

func TestTimelinePlacesStagesInOrder(t *testing.T) {
	plan, err := config.Load("../configs/fairmatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fairs, err := plan.Plan(2027)
	if err != nil {
		t.Fatal(err)
	}
	cards := make([]fairCard, len(fairs))
	for i, f := range fairs {
		cards[i] = fairCard{Fair: f}
	}
	now := fairs[2].Start
	tl := buildTimeline(cards, now, langEN)
	if len(tl.Rows) != 6 || tl.Today <= tl.Left || tl.Today >= tl.Right {
		t.Fatalf("rows %d, today at %v", len(tl.Rows), tl.Today)
	}
	for _, r := range tl.Rows {
		for i, d := range r.Stages {
			if d.X < tl.Left || d.X > tl.Right {
				t.Errorf("%s %s at x=%v, outside [%v, %v]", r.Fair, d.Name, d.X, tl.Left, tl.Right)
			}
			if i > 0 && d.X < r.Stages[i-1].X {
				t.Errorf("%s: %s placed before %s", r.Fair, d.Name, r.Stages[i-1].Name)
			}
		}
		if r.Day < r.From || r.Day > r.To {
			t.Errorf("%s: fair day outside its stages", r.Fair)
		}
	}
	if tl.Rows[2].Day != tl.Today {
		t.Errorf("today (the May fair's start) at %v, its day at %v", tl.Today, tl.Rows[2].Day)
	}
	if tl.Ticks[0].Label != "2026 Dec" {
		t.Errorf("first tick %q: the January fair's call opens in December", tl.Ticks[0].Label)
	}
	if got := buildTimeline(cards, now, langZH).Ticks[1].Label; got != "2027 1月" {
		t.Errorf("Chinese January tick %q", got)
	}
	if buildTimeline(nil, now, langEN) != nil {
		t.Error("a timeline without fairs")
	}
}

func TestScopeIssues(t *testing.T) {
	base := &fairmatch.Dataset{
		Problems: []fairmatch.Problem{{ID: "P1", Enterprise: "E1"}, {ID: "P2", Enterprise: "E2"}},
		People:   []fairmatch.Person{{ID: "X1", Org: "E2"}},
	}
	comm := &auth.Principal{Account: &auth.Account{Login: "c", Role: auth.RoleCommissioner, Enterprises: []string{"E1"}}}
	up := &fairmatch.Dataset{
		Problems:    []fairmatch.Problem{{ID: "P1", Enterprise: "E1"}, {ID: "P2", Enterprise: "E1"}, {ID: "P3", Enterprise: "E3"}},
		People:      []fairmatch.Person{{ID: "X1", Org: "E1"}, {ID: "X2", Org: "E1"}},
		Enterprises: []fairmatch.Enterprise{{ID: "E9"}},
	}
	var got []string
	for _, is := range scopeIssues(comm, up, base, "f.json") {
		if is.File != "f.json" {
			t.Errorf("issue without the file: %+v", is)
		}
		got = append(got, is.Record+" "+is.Field)
	}
	want := []string{"enterprises[0] id", "problems[1] id", "problems[2] enterprise", "people[0] id"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("issues %v, want %v", got, want)
	}
	org := &auth.Principal{Account: &auth.Account{Login: "o", Role: auth.RoleOrganizer}}
	if is := scopeIssues(org, up, base, "f.json"); is != nil {
		t.Errorf("organizer refused: %v", is)
	}
	scoped := scopeDataset(up, comm)
	if len(scoped.Problems) != 2 || len(scoped.People) != 2 || len(scoped.Enterprises) != 0 {
		t.Errorf("scoped: %+v", scoped)
	}
}

// FuzzSettingsForm posts arbitrary values to the settings form parser: it
// must not panic, must keep what was typed, and whenever it reports no
// issue, the day and limits it read must pass config's checks.
func FuzzSettingsForm(f *testing.F) {
	f.Add("morning", "09:00", "12:00", "20", "5", "count", "12", "T", "", "3", "0.05")
	f.Add("", "25:00", "x", "abc", "-1", "list", "", "", "A1\nA1", "-3", "2")
	f.Add("a", "09:00", "09:10", "30", "0", "list", "", "", "甲,乙，丙", "0", "1")
	f.Fuzz(func(t *testing.T, name, from, to, slot, buffer, mode, count, prefix, names, perEnt, minRel string) {
		form := url.Values{"session_name": {name}, "session_from": {from}, "session_to": {to}, "slot": {slot},
			"buffer": {buffer}, "tables_mode": {mode}, "table_count": {count}, "table_prefix": {prefix},
			"table_names": {names}, "meetings_per_enterprise": {perEnt}, "min_relevance": {minRel}}
		for _, k := range limitKeys {
			if !form.Has(k) {
				form.Set(k, "0")
			}
		}
		r := httptest.NewRequest("POST", "/fairs/2027-03/settings", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := r.ParseForm(); err != nil {
			t.Skip()
		}
		sf := &settingsForm{}
		_, day, limits := parseSettingsForm(r, sf, langEN)
		if got := sf.Slot; got != strings.TrimSpace(r.PostFormValue("slot")) {
			t.Fatalf("slot typed %q kept as %q", r.PostFormValue("slot"), got)
		}
		if len(sf.Sessions) < blankRows {
			t.Fatalf("form offers %d session rows", len(sf.Sessions))
		}
		if sf.Invalid() {
			return
		}
		_ = config.CheckDay(day)
		_ = config.CheckLimits(limits)
		if sf.TablesMode == "count" && len(day.Tables) == 0 {
			t.Fatalf("count mode without error gave no tables (count %q)", count)
		}
	})
}

// FuzzNumberedTables checks that numbered tables are recognized with their
// prefix and count.
func FuzzNumberedTables(f *testing.F) {
	f.Add("T", 12)
	f.Add("", 1)
	f.Add("桌", 150)
	f.Fuzz(func(t *testing.T, prefix string, n int) {
		if n < 1 || n > 2000 {
			t.Skip()
		}
		prefix2, n2, ok := numberedTables(numberTables(prefix, n))
		if !ok || n2 != n || prefix2 != prefix {
			t.Fatalf("numberedTables(numberTables(%q, %d)) = %q %d %v", prefix, n, prefix2, n2, ok)
		}
	})
}

// BenchmarkUploadCheck measures the in-process part of checking an upload
// against a stored dataset: the scope check and the new/updated diff, for
// an update of half of 20,000 stored problems and 10,000 new ones.
func BenchmarkUploadCheck(b *testing.B) {
	const n = 20000
	base := &fairmatch.Dataset{}
	up := &fairmatch.Dataset{}
	for i := range n {
		p := fairmatch.Problem{ID: fmt.Sprintf("P%05d", i), Enterprise: "E1", Title: "题目", Keywords: []string{"a", "b"}}
		base.Problems = append(base.Problems, p)
		if i%2 == 0 {
			p.Title = "新题目"
			up.Problems = append(up.Problems, p)
		}
	}
	for i := range n / 2 {
		up.Problems = append(up.Problems, fairmatch.Problem{ID: fmt.Sprintf("N%05d", i), Enterprise: "E1", Title: "x"})
	}
	comm := &auth.Principal{Account: &auth.Account{Login: "c", Role: auth.RoleCommissioner, Enterprises: []string{"E1"}}}
	b.ResetTimer()
	for b.Loop() {
		if is := scopeIssues(comm, up, base, "p.csv"); len(is) != 0 {
			b.Fatal(is)
		}
		if c := uploadChanges(up, base); c[0].New != n/2 || c[0].Updated != n/2 {
			b.Fatal(c)
		}
	}
	b.ReportMetric(float64(len(up.Problems))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// TestOrganizerDynamicKeys checks the message keys the templates build
// from values (stage kinds and states, roles, dataset kinds, limits, the
// accounts page's confirmations) exist in both languages.
func TestOrganizerDynamicKeys(t *testing.T) {
	var keys []string
	for _, k := range []string{fairmatch.StageCallOpens, fairmatch.StageCallCloses, fairmatch.StageMatch, fairmatch.StageAgenda,
		fairmatch.StagePublish, fairmatch.StageReminder, fairmatch.StageFollowUp} {
		keys = append(keys, "organizer.stage."+k)
	}
	for _, s := range []string{fairmatch.StatePending, fairmatch.StateRunning, fairmatch.StateDone, fairmatch.StateFailed} {
		keys = append(keys, "organizer.state."+s)
	}
	for _, r := range accountRoles {
		keys = append(keys, "organizer.role."+r)
	}
	for _, k := range datasetKinds {
		keys = append(keys, "organizer.kind."+k)
	}
	for _, k := range limitKeys {
		keys = append(keys, "organizer.limit."+k)
	}
	for _, d := range accountDone {
		keys = append(keys, "organizer.accounts.done."+d)
	}
	for _, k := range keys {
		for _, lang := range []string{langZH, langEN} {
			if translate(lang, k) == k {
				t.Errorf("%s: no %s text", k, lang)
			}
		}
	}
}
