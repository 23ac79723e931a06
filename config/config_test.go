package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/configs"
)

const example = "../configs/fairmatch.yaml"

func TestExamplePlan2027(t *testing.T) {
	c, err := config.Load(example)
	if err != nil {
		t.Fatal(err)
	}
	fairs, err := c.Plan(2027)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2027-01", "2027-03", "2027-05", "2027-07", "2027-09", "2027-11"}
	if len(fairs) != len(want) {
		t.Fatalf("got %d fairs, want 6", len(fairs))
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	for i, f := range fairs {
		if f.ID != want[i] {
			t.Errorf("fair %d: id %s, want %s", i, f.ID, want[i])
		}
		if f.Start.Year() != 2027 || f.Start.Day() != 15 || f.Start.In(loc).Hour() != 9 {
			t.Errorf("fair %s starts %v", f.ID, f.Start)
		}
		if !f.End.After(f.Start) || f.End.In(loc).Hour() != 17 {
			t.Errorf("fair %s ends %v", f.ID, f.End)
		}
		if f.Theme == "" {
			t.Errorf("fair %s has no theme", f.ID)
		}
		if i > 0 && !fairs[i-1].Start.Before(f.Start) {
			t.Errorf("fairs out of order at %d", i)
		}
		names := []string{}
		for j, s := range f.Stages {
			names = append(names, s.Name)
			if j > 0 && s.Due.Before(f.Stages[j-1].Due) {
				t.Errorf("fair %s: stage %s due before %s", f.ID, s.Name, f.Stages[j-1].Name)
			}
			if s.State != fairmatch.StatePending || s.Fair != f.ID {
				t.Errorf("stage %+v", s)
			}
		}
		got := strings.Join(names, ",")
		if got != "call-opens,call-closes,match,agenda,publish,reminder-1,reminder-2,follow-up-1,follow-up-2" {
			t.Errorf("stages %s", got)
		}
		if d := f.Start.Sub(f.Stages[4].Due); d != 7*24*time.Hour {
			t.Errorf("publish %v before the fair, want 7d", d)
		}
	}
	day := c.FairDay()
	if len(day.Tables) != 12 || day.Tables[0] != "T01" || day.Tables[11] != "T12" {
		t.Errorf("tables %v", day.Tables)
	}
	if _, err := c.FairByID("2027-04"); fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
		t.Errorf("FairByID(2027-04) = %v, want not found", err)
	}
	if f, err := c.FairByID("2027-03"); err != nil || f.ID != "2027-03" {
		t.Errorf("FairByID(2027-03) = %v, %v", f.ID, err)
	}
}

func TestBadPlans(t *testing.T) {
	base, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, from, to string
		want           []string // substrings of the error
	}{
		{"unknown key", "  slot: 20m", "  slot: 20m\n  slots: 3", []string{"line 44", "day.slots", `unknown key "slots"`, `did you mean "slot"`}},
		{"bad cron", `cron: "0 9 15 */2 *"`, `cron: "0 9 15 */2"`, []string{"fairs.cron", "invalid cron spec"}},
		{"cron out of range", `cron: "0 9 15 */2 *"`, `cron: "0 25 15 */2 *"`, []string{"fairs.cron", "invalid cron spec"}},
		{"two a month", `cron: "0 9 15 */2 *"`, `cron: "0 9 1,15 */2 *"`, []string{"two fairs in 2027-01"}},
		{"unknown zone", "timezone: Asia/Shanghai", "timezone: Mars/Olympus", []string{"timezone", "Mars/Olympus"}},
		{"stages out of order", "match: -13d", "match: -20d", []string{"stages.match", "order"}},
		{"session backwards", `{name: morning, from: "09:00", to: "12:00"}`, `{name: morning, from: "12:00", to: "09:00"}`, []string{"day.sessions[0]", "ends"}},
		{"bad clock", `{name: morning, from: "09:00", to: "12:00"}`, `{name: morning, from: "9am", to: "12:00"}`, []string{"day.sessions[0].from", "HH:MM"}},
		{"no tables", "tables: 12", "tables: 0", []string{"day.tables", "at least one"}},
		{"wrong type", "tables: 12", "tables: many", []string{"line", "many"}},
		{"bad offset", "call_opens: -45d", "call_opens: -45x", []string{"unknown unit"}},
		{"relevance", "min_relevance: 0.05", "min_relevance: 7", []string{"matching.min_relevance"}},
		{"not yaml", "day:", "day: [", []string{"not valid YAML"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := string(base)
			if !strings.Contains(src, tc.from) {
				t.Fatalf("example lacks %q", tc.from)
			}
			src = strings.Replace(src, tc.from, tc.to, 1)
			path := writePlan(t, src)
			c, err := config.Load(path)
			if err == nil {
				_, err = c.Plan(2027)
			}
			if err == nil {
				t.Fatal("no error")
			}
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
				t.Errorf("code %s", fairmatch.ErrorCode(err))
			}
			msg := err.Error()
			if !strings.Contains(msg, "plan.yaml") {
				t.Errorf("error does not name the file: %s", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
		})
	}
}

// writePlan writes a plan, with the example thesaurus beside it, into a
// temporary folder.
func writePlan(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	th, err := os.ReadFile("../configs/example-thesaurus.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "example-thesaurus.yaml"), th, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestThesaurus(t *testing.T) {
	c, err := config.Load(example)
	if err != nil {
		t.Fatal(err)
	}
	if name, data := c.ThesaurusFile(); name != "example-thesaurus.yaml" || len(data) == 0 {
		t.Errorf("thesaurus %q, %d bytes", name, len(data))
	}
	// The embedded example finds its thesaurus beside it.
	c, err = config.LoadFS(configs.FS, "fairmatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, data := c.ThesaurusFile(); len(data) == 0 {
		t.Error("built-in plan has no thesaurus")
	}
	base, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, to, want string }{
		{"missing", "thesaurus: nonesuch.yaml", "cannot read nonesuch.yaml"},
		{"broken", "thesaurus: plan.yaml", "thesaurus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writePlan(t, strings.Replace(string(base), "thesaurus: example-thesaurus.yaml", tc.to, 1))
			_, err := config.Load(path)
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "field thesaurus") {
				t.Errorf("error %v, want %q on field thesaurus", err, tc.want)
			}
		})
	}
	// No thesaurus is fine.
	c, err = config.Parse(writePlan(t, ""), []byte(strings.Replace(string(base), "thesaurus: example-thesaurus.yaml", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if name, data := c.ThesaurusFile(); name != "" || data != nil {
		t.Errorf("thesaurus %q %d bytes without the key", name, len(data))
	}
}

func TestParseOffset(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"-45d", -45 * 24 * time.Hour, true},
		{"-1d12h", -36 * time.Hour, true},
		{"20m", 20 * time.Minute, true},
		{"+2h", 2 * time.Hour, true},
		{"0", 0, true},
		{"", 0, false},
		{"-", 0, false},
		{"5", 0, false},
		{"d", 0, false},
		{"3w", 0, false},
	} {
		got, err := config.ParseOffset(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got.D() != tc.want) {
			t.Errorf("ParseOffset(%q) = %v, %v", tc.in, got, err)
		}
		if tc.ok {
			back, err := config.ParseOffset(got.String())
			if err != nil || back != got {
				t.Errorf("round trip %q -> %q -> %v %v", tc.in, got.String(), back, err)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	base, _ := os.ReadFile(example)
	f.Add(base)
	f.Add([]byte("timezone: UTC\nfairs: {cron: '* * * * *'}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := config.Parse("fuzz.yaml", data)
		if err != nil {
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
				t.Fatalf("code %s for %v", fairmatch.ErrorCode(err), err)
			}
			return
		}
		_, _ = c.Plan(2027)
	})
}
