package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/dataset"
	"github.com/fairmatch/fairmatch/matcher"
)

// TestRunExample runs one fair of the example end to end: embedded NATS,
// workers, bbolt, matcher, agenda, publish, export.
func TestRunExample(t *testing.T) {
	out := t.TempDir()
	_, stderr, err := run(t, nil, "run", "--config", examplePlan, "--dataset", exampleDataset, "--fair", "2027-03", "--out", out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr)
	}
	for _, want := range []string{"running 2027-03/match", "2027-03/agenda done", "2027-03/agenda: the solver says optimal", "(proven the fewest possible)", "wrote " + out + "/agenda.json"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("progress lacks %q:\n%s", want, stderr)
		}
	}
	ds, err := dataset.Load(exampleDataset)
	if err != nil {
		t.Fatal(err)
	}
	var a fairmatch.Agenda
	readJSON(t, filepath.Join(out, "agenda.json"), &a)
	if a.Fair != "2027-03" || a.Timezone != "Asia/Shanghai" || len(a.Meetings) == 0 {
		t.Fatalf("agenda: fair %q zone %q, %d meetings", a.Fair, a.Timezone, len(a.Meetings))
	}
	checkAgenda(t, ds, &a)

	// Every enterprise with a relevant problem meets someone: those the
	// matcher proposed nothing for are reported by the agenda as unscheduled
	// or had no relevant offering at all.
	met := map[string]bool{}
	for _, m := range a.Meetings {
		met[m.Enterprise] = true
	}
	unscheduled := map[string]string{}
	for _, u := range a.Unscheduled {
		unscheduled[u.Enterprise] = u.Reason
	}
	plan, err := config.Load(examplePlan)
	if err != nil {
		t.Fatal(err)
	}
	blocked := map[[2]string]bool{}
	for _, b := range ds.Blocked {
		blocked[[2]string{b.Enterprise, b.University}] = true
	}
	offeredBy := map[string]string{}
	for _, o := range ds.Offerings {
		offeredBy[o.ID] = o.University
	}
	// Relevance as the match stage sees it: the plan's thesaurus and history.
	thName, thData := plan.ThesaurusFile()
	th, err := matcher.ParseThesaurus(thName, thData)
	if err != nil {
		t.Fatal(err)
	}
	ix := matcher.NewIndexWith(ds, matcher.Options{Thesaurus: th, History: true})
	relevant := map[string]bool{}
	for _, p := range ds.Problems {
		if len(p.Fairs) > 0 && !slices.Contains(p.Fairs, "2027-03") {
			continue
		}
		for _, c := range ix.Candidates(p.ID, 20) {
			if c.Score >= plan.Matching.MinRelevance && !blocked[[2]string{p.Enterprise, offeredBy[c.Offering]}] {
				relevant[p.Enterprise] = true
			}
		}
	}
	if len(relevant) < len(ds.Enterprises)/2 {
		t.Fatalf("only %d enterprises have a relevant problem; the example should exercise more", len(relevant))
	}
	// The example fair has room for everyone: each of them meets someone.
	for e := range relevant {
		if !met[e] {
			t.Errorf("enterprise %s has a relevant problem but no meeting (unscheduled: %q)", e, unscheduled[e])
		}
	}
	t.Logf("%d meetings; %d of %d enterprises have a relevant problem for 2027-03, %d meet",
		len(a.Meetings), len(relevant), len(ds.Enterprises), len(met))

	// Calendars parse with a real iCalendar parser, Chinese intact.
	names := map[string]string{}
	for _, e := range ds.Enterprises {
		names[e.ID] = e.Name
	}
	perPerson := map[string]int{}
	for _, m := range a.Meetings {
		for _, p := range m.Attendees {
			perPerson[p]++
		}
	}
	for p, n := range perPerson {
		f, err := os.Open(filepath.Join(out, "people", p+".ics"))
		if err != nil {
			t.Fatal(err)
		}
		cal, err := ics.ParseCalendar(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s.ics: %v", p, err)
		}
		events := cal.Events()
		if len(events) != n {
			t.Errorf("%s.ics: %d events for %d meetings", p, len(events), n)
		}
		for _, ev := range events {
			sum := ev.GetProperty(ics.ComponentPropertySummary)
			if sum == nil || !strings.Contains(sum.Value, "×") {
				t.Errorf("%s.ics: event without a summary", p)
				continue
			}
			found := false
			for _, name := range names {
				if strings.Contains(sum.Value, name) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s.ics: summary %q names no enterprise intact", p, sum.Value)
			}
		}
		if _, err := os.Stat(filepath.Join(out, "people", p+".html")); err != nil {
			t.Errorf("no page for %s: %v", p, err)
		}
	}

	// The independent checker, where ../shared is present.
	if chk := checkerPath("check-fair-agenda"); chk != "" {
		cmd := exec.Command("python3", chk, exampleDataset, filepath.Join(out, "agenda.json"), "--people-dir", filepath.Join(out, "people"))
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("check-fair-agenda: %v\n%s", err, b)
		} else {
			t.Logf("check-fair-agenda: %s", strings.TrimSpace(string(b)))
		}
	} else {
		t.Log("../shared/tools/check-fair-agenda not present; independent check skipped")
	}
}
