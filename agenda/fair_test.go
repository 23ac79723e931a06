package agenda

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
)

// smallFair is a fair day in Shanghai: 09:00–10:00 and 14:00–15:00, slots of
// 20 minutes with a 10-minute buffer (two slots per session: 09:00, 09:30,
// 14:00, 14:30), two tables.
func smallFair() FairInput {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return FairInput{
		Fair: fairmatch.Fair{ID: "2027-03", Timezone: "Asia/Shanghai",
			Start: time.Date(2027, 3, 15, 9, 0, 0, 0, loc).UTC()},
		Day: fairmatch.Day{
			Sessions: []fairmatch.Session{{Name: "afternoon", From: "14:00", To: "15:00"}, {Name: "morning", From: "09:00", To: "10:00"}},
			Slot:     fairmatch.Duration(20 * time.Minute),
			Buffer:   fairmatch.Duration(10 * time.Minute),
			Tables:   []string{"T01", "T02"},
		},
	}
}

func proposal(e, u string, score float64, attendees ...string) fairmatch.Proposal {
	return fairmatch.Proposal{Enterprise: e, University: u, Attendees: attendees, Score: score,
		Items: []fairmatch.MeetingItem{{Problem: "PR-" + e, Offering: "O-" + u, Score: score, Why: "test"}}}
}

func TestBuildFair(t *testing.T) {
	in := smallFair()
	in.People = []fairmatch.Person{
		// morning only, the first slot only for this fair
		{ID: "pe1", Available: fairmatch.Availability{"2027-03": {{From: "09:00", To: "09:20"}}, "*": {{From: "09:00", To: "12:00"}}}},
		// afternoon only
		{ID: "pu1", Available: fairmatch.Availability{"*": {{From: "13:00", To: "18:00"}}}},
		// a window that holds no whole slot
		{ID: "pe9", Available: fairmatch.Availability{"*": {{From: "09:10", To: "09:45"}}}},
	}
	in.Proposals = []fairmatch.Proposal{
		proposal("E1", "U1", 0.9, "pe1", "pu1"), // no common slot: morning vs afternoon
		proposal("E1", "U2", 0.8, "pe1", "pu2"),
		proposal("E2", "U1", 0.7, "pe2", "pu1"),
		proposal("E3", "U2", 0.6, "pe3", "pu3"),
		proposal("E4", "U3", 0.5, "pe4", "pu4"),
		proposal("E5", "U4", 0.95, "pe5", "pu5"), // blocked
		proposal("E6", "U5", 0.4, "pe6", "pu6"),
		proposal("E7", "U6", 0.3, "pe7", "pu7"),
		proposal("E8", "U7", 0.2, "pe8", "pu8"),
		proposal("E9", "U8", 0.1, "pe9", "pu9"), // pe9 has no whole slot
		proposal("E10", "U9", 0.05, "pe10", "pu10"),
	}
	in.Blocked = []fairmatch.Blocked{{Enterprise: "E5", University: "U4", Reason: "existing contract"}}

	agenda, res, err := BuildFair(t.Context(), in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if agenda.Fair != "2027-03" || agenda.Timezone != "Asia/Shanghai" {
		t.Errorf("agenda header %q %q", agenda.Fair, agenda.Timezone)
	}
	// Eight proposals are neither blocked nor impossible, for 4 slots × 2
	// tables: every one of them fits.
	reasons := map[string]string{}
	for _, u := range agenda.Unscheduled {
		reasons[u.Enterprise+"-"+u.University] = u.Reason
	}
	wantReasons := map[string]string{
		"E1-U1": ReasonNoCommonSlot,
		"E5-U4": ReasonBlocked,
		"E9-U8": ReasonNoCommonSlot,
	}
	for pair, want := range wantReasons {
		if reasons[pair] != want {
			t.Errorf("%s: reason %q, want %q", pair, reasons[pair], want)
		}
	}
	if n := len(agenda.Meetings) + len(agenda.Unscheduled); n != len(in.Proposals) {
		t.Fatalf("%d meetings + unscheduled for %d proposals", n, len(in.Proposals))
	}
	if len(agenda.Meetings) != 8 {
		t.Errorf("%d meetings placed, want 8 (4 slots × 2 tables)", len(agenda.Meetings))
	}
	checkFairAgenda(t, in, agenda)
	if len(res.Meetings) != len(agenda.Meetings) {
		t.Errorf("result has %d meetings, agenda %d", len(res.Meetings), len(agenda.Meetings))
	}

	// pe1's meeting with U2 can only be at 09:00 (its window for this fair).
	for _, m := range agenda.Meetings {
		if m.ID == "M-E1-U2" {
			if got := m.Start.Format(time.RFC3339); got != "2027-03-15T09:00:00+08:00" {
				t.Errorf("M-E1-U2 starts %s, want 2027-03-15T09:00:00+08:00", got)
			}
			if len(m.Items) != 1 || m.Items[0].Problem != "PR-E1" {
				t.Errorf("items not kept: %+v", m.Items)
			}
		}
	}
	// Published JSON: RFC 3339 with the fair's offset.
	out, err := json.Marshal(agenda)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"start":"2027-03-15T09:00:00+08:00","end":"2027-03-15T09:20:00+08:00"`) {
		t.Errorf("no 09:00–09:20 +08:00 meeting in %s", out)
	}
}

func TestBuildFairDropsAttendeesWhoCannotCome(t *testing.T) {
	in := smallFair()
	morning := fairmatch.Availability{"*": {{From: "09:00", To: "12:00"}}}
	afternoon := fairmatch.Availability{"*": {{From: "14:00", To: "17:00"}}}
	in.People = []fairmatch.Person{
		{ID: "e1-a", Org: "E1", Available: morning}, {ID: "e1-b", Org: "E1"},
		{ID: "u1-a", Org: "U1", Available: afternoon},
		{ID: "e2-a", Org: "E2", Available: morning}, {ID: "u2-a", Org: "U2", Available: afternoon},
		{ID: "c1"}, // a commissioner, free all day
	}
	in.Proposals = []fairmatch.Proposal{
		// e1-a (mornings) and u1-a (afternoons) never overlap: e1-b and the
		// commissioner go with u1-a.
		proposal("E1", "U1", 0.9, "e1-a", "e1-b", "u1-a", "c1"),
		// No one of E2 can meet anyone of U2: unscheduled, attendees kept.
		proposal("E2", "U2", 0.8, "e2-a", "u2-a"),
	}
	agenda, _, err := BuildFair(t.Context(), in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(agenda.Meetings) != 1 || agenda.Meetings[0].ID != "M-E1-U1" {
		t.Fatalf("meetings %+v", agenda.Meetings)
	}
	m := agenda.Meetings[0]
	if !slices.Equal(m.Attendees, []string{"e1-b", "u1-a", "c1"}) {
		t.Errorf("attendees %v, want e1-b, u1-a and c1", m.Attendees)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	if m.Start.In(loc).Hour() < 14 {
		t.Errorf("meeting at %v, want the afternoon", m.Start)
	}
	if len(agenda.Unscheduled) != 1 || agenda.Unscheduled[0].Reason != ReasonNoCommonSlot {
		t.Errorf("unscheduled %+v", agenda.Unscheduled)
	}
	if got := in.Proposals[0].Attendees; len(got) != 4 {
		t.Errorf("BuildFair changed its input: %v", got)
	}
	checkFairAgenda(t, in, agenda)
}

func TestBuildFairPrefersHigherScores(t *testing.T) {
	in := smallFair()
	// Ten proposals between distinct people for eight places: the two
	// lowest scores find no table.
	for i := range 10 {
		in.Proposals = append(in.Proposals, proposal(fmt.Sprintf("E%d", i), fmt.Sprintf("U%d", i), float64(i), fmt.Sprintf("pe%d", i), fmt.Sprintf("pu%d", i)))
	}
	agenda, res, err := BuildFair(t.Context(), in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusInfeasible {
		t.Errorf("status %s, want infeasible (10 meetings, 8 places)", res.Status)
	}
	want := []fairmatch.Unscheduled{{Enterprise: "E0", University: "U0", Reason: ReasonNoTable}, {Enterprise: "E1", University: "U1", Reason: ReasonNoTable}}
	if !slices.Equal(agenda.Unscheduled, want) {
		t.Fatalf("unscheduled %+v, want %+v", agenda.Unscheduled, want)
	}
	checkFairAgenda(t, in, agenda)
}

func TestBuildFairErrors(t *testing.T) {
	for _, tc := range []struct {
		name          string
		change        func(*FairInput)
		record, field string
	}{
		{"time zone", func(in *FairInput) { in.Fair.Timezone = "Mars/Olympus" }, "fair", "timezone"},
		{"session time", func(in *FairInput) { in.Day.Sessions[0].From = "2pm" }, "day.sessions[0]", "from"},
		{"session backwards", func(in *FairInput) { in.Day.Sessions[0].To = "13:00" }, "day.sessions[0]", "to"},
		{"sessions overlap", func(in *FairInput) { in.Day.Sessions[1].To = "14:30" }, "day.sessions[1]", "from"},
		{"no slot length", func(in *FairInput) { in.Day.Slot = 0 }, "day", "slot"},
		{"no tables", func(in *FairInput) { in.Day.Tables = nil }, "day", "tables"},
		{"window", func(in *FairInput) {
			in.People = []fairmatch.Person{{ID: "p", Available: fairmatch.Availability{"*": {{From: "9", To: "10:00"}}}}}
		}, "people[0]", "available"},
		{"duplicate pair", func(in *FairInput) {
			in.Proposals = []fairmatch.Proposal{proposal("E", "U", 1, "a", "b"), proposal("E", "U", 2, "c", "d")}
		}, "proposals[1]", "university"},
		{"no attendees", func(in *FairInput) { in.Proposals = []fairmatch.Proposal{proposal("E", "U", 1)} }, "proposals[0]", "attendees"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := smallFair()
			in.Proposals = []fairmatch.Proposal{proposal("E", "U", 1, "a", "b")}
			tc.change(&in)
			_, _, err := BuildFair(t.Context(), in, Options{})
			var fe *fairmatch.Error
			if !errors.As(err, &fe) || fe.Code != fairmatch.EINVALID {
				t.Fatalf("error %v, want EINVALID", err)
			}
			for _, is := range fe.Issues {
				if is.Record == tc.record && is.Field == tc.field {
					return
				}
			}
			t.Fatalf("no issue for %s field %s: %v", tc.record, tc.field, err)
		})
	}
}

// checkFairAgenda checks a published agenda against its input, the way
// formats.md §5 states the rules: slots inside the sessions and of the slot
// length, distinct tables and people at any time, windows, blocked pairs,
// ids, sort order.
func checkFairAgenda(t *testing.T, in FairInput, agenda *fairmatch.Agenda) {
	t.Helper()
	loc, _ := time.LoadLocation(in.Fair.Timezone)
	blocked := map[string]bool{}
	for _, b := range in.Blocked {
		blocked[b.Enterprise+"/"+b.University] = true
	}
	windows := map[string][]fairmatch.Window{}
	for _, p := range in.People {
		if w, ok := p.Available.Windows(in.Fair.ID); ok {
			windows[p.ID] = w
		}
	}
	at := func(hhmm string, day time.Time) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", day.Format("2006-01-02")+" "+hhmm, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for i, m := range agenda.Meetings {
		if m.ID != "M-"+m.Enterprise+"-"+m.University {
			t.Errorf("meeting id %s for %s–%s", m.ID, m.Enterprise, m.University)
		}
		if blocked[m.Enterprise+"/"+m.University] {
			t.Errorf("%s: blocked pair meets", m.ID)
		}
		if _, off := m.Start.Zone(); off != 8*3600 || m.Start.Location().String() != "Asia/Shanghai" {
			t.Errorf("%s: start %v not in the fair's zone", m.ID, m.Start)
		}
		if d := m.End.Sub(m.Start); d != in.Day.Slot.D() {
			t.Errorf("%s lasts %v", m.ID, d)
		}
		if m.Start.Format("2006-01-02") != "2027-03-15" {
			t.Errorf("%s is on %v, not the fair day", m.ID, m.Start)
		}
		inSession := false
		for _, s := range in.Day.Sessions {
			inSession = inSession || (!m.Start.Before(at(s.From, m.Start)) && !m.End.After(at(s.To, m.Start)))
		}
		if !inSession {
			t.Errorf("%s (%v–%v) outside the sessions", m.ID, m.Start, m.End)
		}
		if !slices.Contains(in.Day.Tables, m.Table) {
			t.Errorf("%s at unknown table %q", m.ID, m.Table)
		}
		for _, p := range m.Attendees {
			if ws, ok := windows[p]; ok && !slices.ContainsFunc(ws, func(w fairmatch.Window) bool {
				return !m.Start.Before(at(w.From, m.Start)) && !m.End.After(at(w.To, m.Start))
			}) {
				t.Errorf("%s: %s not available %v–%v", m.ID, p, m.Start, m.End)
			}
		}
		for _, o := range agenda.Meetings[:i] {
			if o.Start.Before(m.End) && m.Start.Before(o.End) {
				if o.Table == m.Table {
					t.Errorf("%s and %s share table %s", o.ID, m.ID, m.Table)
				}
				for _, p := range m.Attendees {
					if slices.Contains(o.Attendees, p) {
						t.Errorf("%s is in %s and %s at once", p, o.ID, m.ID)
					}
				}
			}
		}
		if i > 0 {
			prev := agenda.Meetings[i-1]
			if prev.Start.After(m.Start) || (prev.Start.Equal(m.Start) && slices.Index(in.Day.Tables, prev.Table) > slices.Index(in.Day.Tables, m.Table)) {
				t.Errorf("meetings not sorted by start, table: %s before %s", prev.ID, m.ID)
			}
		}
	}
}

func FuzzClockTime(f *testing.F) {
	for _, s := range []string{"09:00", "24:00", "23:59", "9:00", "12:60", "-1:00", "", "12:", ":30"} {
		f.Add(s)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	day := time.Date(2027, 3, 15, 0, 0, 0, 0, loc)
	f.Fuzz(func(t *testing.T, hhmm string) {
		tm, err := clockTime(day, hhmm, loc)
		if err != nil {
			return
		}
		if got := tm.Format("15:04"); got != hhmm && !(hhmm == "24:00" && got == "00:00") {
			t.Fatalf("clockTime(%q) = %v", hhmm, tm)
		}
		if d := tm.Sub(day); d < 0 || d > 24*time.Hour {
			t.Fatalf("clockTime(%q) = %v, not on the day", hhmm, tm)
		}
	})
}

func TestBuildFairKeepsThePublishedAgenda(t *testing.T) {
	in := smallFair()
	in.Proposals = []fairmatch.Proposal{
		proposal("E1", "U1", 0.9, "e1", "u1"),
		proposal("E2", "U1", 0.8, "e2", "u1"),
		proposal("E1", "U2", 0.7, "e1", "u2"),
		proposal("E3", "U2", 0.6, "e3", "u2"),
		proposal("E3", "U3", 0.5, "e3", "u3"),
		proposal("E4", "U3", 0.4, "e4", "u3"),
	}
	first, _, err := BuildFair(t.Context(), in, Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Meetings) != len(in.Proposals) {
		t.Fatalf("%d of %d placed", len(first.Meetings), len(in.Proposals))
	}
	// E2 cancels; the rest are published and must stay where they are.
	in.Proposals = slices.DeleteFunc(slices.Clone(in.Proposals), func(p fairmatch.Proposal) bool { return p.Enterprise == "E2" })
	in.Previous = first
	again, res, err := BuildFair(t.Context(), in, Options{Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.Moved != 0 || res.TableChanged != 0 {
		t.Errorf("a cancellation moved %d meetings and changed %d tables", res.Moved, res.TableChanged)
	}
	was := map[string]fairmatch.Meeting{}
	for _, m := range first.Meetings {
		was[m.ID] = m
	}
	for _, m := range again.Meetings {
		if w := was[m.ID]; !w.Start.Equal(m.Start) || w.Table != m.Table {
			t.Errorf("%s moved from %v %s to %v %s", m.ID, w.Start, w.Table, m.Start, m.Table)
		}
	}
	checkFairAgenda(t, in, again)
}
