package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/dataset"
)

// TestRunExample runs one fair of the example end to end: embedded NATS,
// workers, bbolt, matcher, agenda, publish, export.
func TestRunExample(t *testing.T) {
	out := t.TempDir()
	_, stderr, err := run(t, nil, "run", "--config", examplePlan, "--dataset", exampleDataset, "--fair", "2027-03", "--out", out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr)
	}
	for _, want := range []string{"running 2027-03/match", "2027-03/agenda done", "wrote " + out + "/agenda.json"} {
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
	if len(met) < len(ds.Enterprises)*3/4 {
		t.Errorf("only %d of %d enterprises meet anyone; unscheduled: %v", len(met), len(ds.Enterprises), unscheduled)
	}

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
