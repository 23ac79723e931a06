package notify

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ical "github.com/arran4/golang-ical"

	"github.com/fairmatch/fairmatch"
)

// TestCalendarRoundTrip renders every attendee's calendar of the fixture,
// parses it with golang-ical and checks each event against the agenda.
func TestCalendarRoundTrip(t *testing.T) {
	f := loadFixture(t)
	names := map[string]string{}
	for _, e := range f.ds.Enterprises {
		names[e.ID] = e.Name
	}
	for _, u := range f.ds.Universities {
		names[u.ID] = u.Name
	}
	for _, p := range f.ds.Problems {
		names[p.ID] = p.Title
	}
	for _, o := range f.ds.Offerings {
		names[o.ID] = o.Title
	}
	people := map[string]fairmatch.Person{}
	for _, p := range f.ds.People {
		people[p.ID] = p
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}

	for _, person := range f.attendees() {
		t.Run(person, func(t *testing.T) {
			b, err := Calendar(f.agenda, f.cancelled, person, f.dir, stamp)
			if err != nil {
				t.Fatal(err)
			}
			cal := parseICS(t, b)
			calProps := map[string]string{}
			for _, p := range cal.CalendarProperties {
				calProps[p.IANAToken] = p.Value
			}
			if calProps["METHOD"] != "PUBLISH" || calProps["VERSION"] != "2.0" || calProps["PRODID"] == "" {
				t.Errorf("calendar properties %v, want METHOD PUBLISH, VERSION 2.0 and a PRODID", calProps)
			}
			if want := "洽谈日程 Schedule 2027-03 · " + people[person].Name; calProps["X-WR-CALNAME"] != want {
				t.Errorf("X-WR-CALNAME %q, want %q", calProps["X-WR-CALNAME"], want)
			}
			tzs := cal.Timezones()
			if len(tzs) != 1 || prop(t, &tzs[0].ComponentBase, ical.ComponentPropertyTzid) != "Asia/Shanghai" {
				t.Fatalf("want one VTIMEZONE Asia/Shanghai, got %d", len(tzs))
			}

			type want struct {
				m         fairmatch.Meeting
				cancelled bool
			}
			var wants []want
			for _, m := range f.agenda.Meetings {
				if slices.Contains(m.Attendees, person) {
					wants = append(wants, want{m, false})
				}
			}
			for _, m := range f.cancelled {
				if slices.Contains(m.Attendees, person) {
					wants = append(wants, want{m, true})
				}
			}
			evs := events(t, cal)
			if len(evs) != len(wants) || len(cal.Events()) != len(wants) {
				t.Fatalf("%d events, want %d", len(cal.Events()), len(wants))
			}
			var starts []time.Time
			for _, e := range cal.Events() {
				s, err := e.GetStartAt()
				if err != nil {
					t.Fatal(err)
				}
				starts = append(starts, s)
			}
			if !slices.IsSortedFunc(starts, time.Time.Compare) {
				t.Errorf("events not in time order: %v", starts)
			}

			for _, w := range wants {
				m := w.m
				uid := m.ID + ".2027-03@fairmatch"
				e := evs[uid]
				if e == nil {
					t.Errorf("no event with UID %s", uid)
					continue
				}
				c := &e.ComponentBase
				seq, status := m.Sequence, "CONFIRMED"
				if w.cancelled {
					seq, status = m.Sequence+1, "CANCELLED"
				}
				if got := prop(t, c, ical.ComponentPropertySequence); got != strconv.Itoa(seq) {
					t.Errorf("%s: SEQUENCE %s, want %d", m.ID, got, seq)
				}
				if got := prop(t, c, ical.ComponentPropertyStatus); got != status {
					t.Errorf("%s: STATUS %s, want %s", m.ID, got, status)
				}
				if got := prop(t, c, ical.ComponentPropertyDtstamp); got != "20270301T083000Z" {
					t.Errorf("%s: DTSTAMP %s", m.ID, got)
				}
				wantSummary := "洽谈 Meeting: " + names[m.Enterprise] + " × " + names[m.University]
				if got := prop(t, c, ical.ComponentPropertySummary); got != wantSummary {
					t.Errorf("%s: SUMMARY %q, want %q", m.ID, got, wantSummary)
				}
				if got := prop(t, c, ical.ComponentPropertyLocation); got != m.Table {
					t.Errorf("%s: LOCATION %q, want %q", m.ID, got, m.Table)
				}
				desc := prop(t, c, ical.ComponentPropertyDescription)
				for _, it := range m.Items {
					topic := names[it.Problem] + " × " + names[it.Offering]
					if !strings.Contains(desc, topic) || !strings.Contains(desc, "匹配理由 Why matched: "+it.Why+"\n") {
						t.Errorf("%s: DESCRIPTION lacks %q or why %q:\n%s", m.ID, topic, it.Why, desc)
					}
				}
				if w.cancelled != strings.HasPrefix(desc, "已取消 Cancelled\n") {
					t.Errorf("%s: cancelled %v, DESCRIPTION %q", m.ID, w.cancelled, desc)
				}
				for _, p := range []ical.ComponentProperty{ical.ComponentPropertyDtStart, ical.ComponentPropertyDtEnd} {
					if tz := c.GetProperty(p).ICalParameters["TZID"]; !slices.Equal(tz, []string{"Asia/Shanghai"}) {
						t.Errorf("%s: %s TZID %v", m.ID, p, tz)
					}
				}
				start, err1 := e.GetStartAt()
				end, err2 := e.GetEndAt()
				if err := errors.Join(err1, err2); err != nil {
					t.Fatal(err)
				}
				if !start.Equal(m.Start) || !end.Equal(m.End) {
					t.Errorf("%s: %s–%s, want %s–%s", m.ID, start, end, m.Start, m.End)
				}
				if got, want := c.GetProperty(ical.ComponentPropertyDtStart).Value, m.Start.In(shanghai).Format("20060102T150405"); got != want {
					t.Errorf("%s: DTSTART %s, want local %s", m.ID, got, want)
				}
				var gotAtt, wantAtt []string
				for _, a := range e.Attendees() {
					gotAtt = append(gotAtt, strings.Join(a.ICalParameters["CN"], "|")+" <"+a.Value+">")
				}
				for _, id := range m.Attendees {
					p := people[id]
					addr := "mailto:" + p.Email
					if p.Email == "" {
						addr = "urn:fairmatch:person:" + id
					}
					wantAtt = append(wantAtt, strings.ReplaceAll(p.Name, `"`, "'")+" <"+addr+">")
				}
				if !slices.Equal(gotAtt, wantAtt) {
					t.Errorf("%s: attendees\n%q\nwant\n%q", m.ID, gotAtt, wantAtt)
				}
			}
		})
	}
}

// TestMovedMeetingKeepsUID moves a meeting, as a later agenda would, and
// checks the new calendar updates the same event.
func TestMovedMeetingKeepsUID(t *testing.T) {
	f := loadFixture(t)
	before, err := Calendar(f.agenda, nil, "P-E001-1", f.dir, stamp)
	if err != nil {
		t.Fatal(err)
	}
	moved := *f.agenda
	moved.Meetings = slices.Clone(f.agenda.Meetings)
	m := &moved.Meetings[0]
	m.Start = m.Start.Add(2 * time.Hour)
	m.End = m.End.Add(2 * time.Hour)
	m.Table = "T07"
	m.Sequence++
	after, err := Calendar(&moved, nil, "P-E001-1", f.dir, stamp.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}

	uid := m.ID + ".2027-03@fairmatch"
	e1, e2 := events(t, parseICS(t, before))[uid], events(t, parseICS(t, after))[uid]
	if e1 == nil || e2 == nil {
		t.Fatalf("UID %s missing before (%v) or after (%v) the move", uid, e1 != nil, e2 != nil)
	}
	seq := func(e *ical.VEvent) int {
		n, err := strconv.Atoi(prop(t, &e.ComponentBase, ical.ComponentPropertySequence))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if seq(e2) <= seq(e1) {
		t.Errorf("SEQUENCE %d after the move, %d before: want it raised", seq(e2), seq(e1))
	}
	s1, _ := e1.GetStartAt()
	s2, _ := e2.GetStartAt()
	if !s1.Equal(f.agenda.Meetings[0].Start) || !s2.Equal(m.Start) {
		t.Errorf("start %s before and %s after, want %s and %s", s1, s2, f.agenda.Meetings[0].Start, m.Start)
	}
	if got := prop(t, &e2.ComponentBase, ical.ComponentPropertyLocation); got != "T07" {
		t.Errorf("LOCATION after the move %q, want T07", got)
	}
}

// TestCancelledOnly checks a person whose only meeting was cancelled gets it
// as a cancelled event, and that cancelled meetings do not clash with the
// agenda.
func TestCancelledOnly(t *testing.T) {
	f := loadFixture(t)
	b, err := Calendar(f.agenda, f.cancelled, "P-U01-5", f.dir, stamp)
	if err != nil {
		t.Fatal(err)
	}
	evs := parseICS(t, b).Events()
	if len(evs) != 1 {
		t.Fatalf("%d events, want the cancelled one", len(evs))
	}
	c := &evs[0].ComponentBase
	if got := prop(t, c, ical.ComponentPropertyStatus); got != "CANCELLED" {
		t.Errorf("STATUS %s", got)
	}
	if got, want := prop(t, c, ical.ComponentPropertySequence), strconv.Itoa(f.cancelled[0].Sequence+1); got != want {
		t.Errorf("SEQUENCE %s, want %s", got, want)
	}

	// Without the cancelled list the person has no event but a valid calendar.
	b, err = Calendar(f.agenda, nil, "P-U01-5", f.dir, stamp)
	if err != nil {
		t.Fatal(err)
	}
	cal := parseICS(t, b)
	if n := len(cal.Events()); n != 0 {
		t.Errorf("%d events without the cancelled list", n)
	}
	if n := len(cal.Timezones()); n != 1 {
		t.Errorf("%d VTIMEZONEs in an empty calendar, want 1", n)
	}
}

// TestHostileText puts every character that needs escaping, markup, line
// breaks and long runs of multi-byte characters into names and checks they
// come back intact from a real parser.
func TestHostileText(t *testing.T) {
	long := strings.Repeat("精密制造🔧", 40) // 3- and 4-byte characters across many folds
	ds := &fairmatch.Dataset{
		Enterprises:  []fairmatch.Enterprise{{ID: "E1", Name: `<script>alert("x")</script>; DROP, TABLE\ 公司`}},
		Universities: []fairmatch.University{{ID: "U1", Name: long}},
		People: []fairmatch.Person{
			{ID: "P1", Name: "王<b>工</b>; \"x\", y:z", Email: "a,b;c@example.com"},
			{ID: "P2", Name: "李\n教授"},
		},
		Problems:  []fairmatch.Problem{{ID: "PR1", Enterprise: "E1", Title: "第一行\r\n第二行\\n不是换行"}},
		Offerings: []fairmatch.Offering{{ID: "O1", University: "U1", Title: "a\tb;c,d"}},
	}
	start := time.Date(2027, 3, 15, 1, 0, 0, 0, time.UTC)
	a := &fairmatch.Agenda{Fair: "2027-03", Timezone: "Asia/Shanghai", Meetings: []fairmatch.Meeting{{
		ID: "M,1;x", Enterprise: "E1", University: "U1", Start: start, End: start.Add(20 * time.Minute),
		Table: "T01; 主会场, 东厅\\A", Attendees: []string{"P1", "P2"},
		Items: []fairmatch.MeetingItem{{Problem: "PR1", Offering: "O1", Why: long + ";,\\"}},
	}}}
	b, err := Calendar(a, nil, "P1", NewDirectory(ds), stamp)
	if err != nil {
		t.Fatal(err)
	}
	evs := parseICS(t, b).Events()
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	c := &evs[0].ComponentBase
	checks := []struct{ name, got, want string }{
		{"UID", prop(t, c, ical.ComponentPropertyUniqueId), "M,1;x.2027-03@fairmatch"},
		{"SUMMARY", prop(t, c, ical.ComponentPropertySummary), "洽谈 Meeting: " + ds.Enterprises[0].Name + " × " + long},
		{"LOCATION", prop(t, c, ical.ComponentPropertyLocation), a.Meetings[0].Table},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s %q, want %q", ck.name, ck.got, ck.want)
		}
	}
	desc := prop(t, c, ical.ComponentPropertyDescription)
	for _, want := range []string{"第一行\n第二行\\n不是换行 × a\tb;c,d", "Why matched: " + long + ";,\\\n", "李\n教授"} {
		if !strings.Contains(desc, want) {
			t.Errorf("DESCRIPTION lacks %q:\n%s", want, desc)
		}
	}
	atts := evs[0].Attendees()
	if len(atts) != 2 {
		t.Fatalf("%d attendees", len(atts))
	}
	if cn := atts[0].ICalParameters["CN"]; !slices.Equal(cn, []string{"王<b>工</b>; 'x', y:z"}) {
		t.Errorf("CN %q", cn)
	}
	if cn := atts[1].ICalParameters["CN"]; !slices.Equal(cn, []string{"李教授"}) {
		t.Errorf("CN %q, want the line break dropped", cn)
	}
	if got := atts[0].Value; got != "mailto:a%2Cb%3Bc@example.com" {
		t.Errorf("attendee address %q", got)
	}
}

// TestAmbiguousLocalTime places meetings in the hour New York repeats when
// its clocks go back; each must still parse to its own instant.
func TestAmbiguousLocalTime(t *testing.T) {
	// 2027-11-07 01:30 happens twice in New York: at 05:30Z (EDT) and 06:30Z (EST).
	first := time.Date(2027, 11, 7, 5, 30, 0, 0, time.UTC)
	second := first.Add(time.Hour)
	a := &fairmatch.Agenda{Fair: "2027-11", Timezone: "America/New_York", Meetings: []fairmatch.Meeting{
		{ID: "A", Start: first, End: first.Add(20 * time.Minute), Attendees: []string{"p"}},
		{ID: "B", Start: second, End: second.Add(20 * time.Minute), Attendees: []string{"p"}},
		{ID: "C", Start: first.Add(-24 * time.Hour), End: first.Add(-24*time.Hour + 20*time.Minute), Attendees: []string{"p"}},
	}}
	b, err := Calendar(a, nil, "p", nil, stamp)
	if err != nil {
		t.Fatal(err)
	}
	evs := events(t, parseICS(t, b))
	for _, m := range a.Meetings {
		e := evs[m.ID+".2027-11@fairmatch"]
		if e == nil {
			t.Fatalf("no event %s", m.ID)
		}
		got, err := e.GetStartAt()
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(m.Start) {
			t.Errorf("%s: start %s, want %s (DTSTART %s)", m.ID, got.UTC(), m.Start, e.GetProperty(ical.ComponentPropertyDtStart).Value)
		}
	}
	if !strings.Contains(string(b), "DTSTART;TZID=America/New_York:20271106T013000\r\n") {
		t.Errorf("an unambiguous time is not written as local time:\n%s", b)
	}
}

// TestInvalidAgenda checks every kind of bad input is reported as EINVALID
// with the record and field that are wrong.
func TestInvalidAgenda(t *testing.T) {
	start := time.Date(2027, 3, 15, 1, 0, 0, 0, time.UTC)
	good := func() fairmatch.Meeting {
		return fairmatch.Meeting{ID: "M1", Start: start, End: start.Add(20 * time.Minute), Attendees: []string{"p"}}
	}
	agenda := func(edit func(a *fairmatch.Agenda)) *fairmatch.Agenda {
		a := &fairmatch.Agenda{Fair: "2027-03", Timezone: "Asia/Shanghai", Meetings: []fairmatch.Meeting{good()}}
		edit(a)
		return a
	}
	tests := []struct {
		name      string
		agenda    *fairmatch.Agenda
		cancelled []fairmatch.Meeting
		person    string
		want      []fairmatch.Issue // Reason is matched as a prefix
	}{
		{"no agenda", nil, nil, "p", nil},
		{"no person", agenda(func(*fairmatch.Agenda) {}), nil, "", []fairmatch.Issue{{Field: "person", Reason: "empty person id"}}},
		{"no fair", agenda(func(a *fairmatch.Agenda) { a.Fair = "" }), nil, "p",
			[]fairmatch.Issue{{File: "agenda.json", Field: "fair", Reason: "missing"}}},
		{"no zone", agenda(func(a *fairmatch.Agenda) { a.Timezone = "" }), nil, "p",
			[]fairmatch.Issue{{File: "agenda.json", Field: "timezone", Reason: "missing"}}},
		{"unknown zone", agenda(func(a *fairmatch.Agenda) { a.Timezone = "Mars/Olympus_Mons" }), nil, "p",
			[]fairmatch.Issue{{File: "agenda.json", Field: "timezone", Reason: `unknown time zone "Mars/Olympus_Mons"`}}},
		{"end before start", agenda(func(a *fairmatch.Agenda) { a.Meetings[0].End = start.Add(-time.Minute) }), nil, "p",
			[]fairmatch.Issue{{File: "agenda.json", Record: "meetings[0]", Field: "end", Reason: "end"}}},
		{"several problems", agenda(func(a *fairmatch.Agenda) {
			a.Meetings = append(a.Meetings, good(), fairmatch.Meeting{Sequence: -1, Attendees: []string{"p", ""}})
		}), nil, "p", []fairmatch.Issue{
			{File: "agenda.json", Record: "meetings[1]", Field: "id", Reason: `duplicate meeting id "M1"`},
			{File: "agenda.json", Record: "meetings[2]", Field: "id", Reason: "missing"},
			{File: "agenda.json", Record: "meetings[2]", Field: "start", Reason: "missing"},
			{File: "agenda.json", Record: "meetings[2]", Field: "end", Reason: "end"},
			{File: "agenda.json", Record: "meetings[2]", Field: "sequence", Reason: "negative"},
			{File: "agenda.json", Record: "meetings[2]", Field: "attendees[1]", Reason: "empty person id"},
		}},
		{"scheduled and cancelled", agenda(func(*fairmatch.Agenda) {}), []fairmatch.Meeting{good()}, "p",
			[]fairmatch.Issue{{Record: "cancelled[0]", Field: "id", Reason: `meeting "M1" is both scheduled and cancelled`}}},
		{"cancelled twice", agenda(func(a *fairmatch.Agenda) { a.Meetings = nil }), []fairmatch.Meeting{good(), good()}, "p",
			[]fairmatch.Issue{{Record: "cancelled[1]", Field: "id", Reason: "duplicate cancelled"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := map[string]error{}
			_, errs["Calendar"] = Calendar(tt.agenda, tt.cancelled, tt.person, nil, stamp)
			_, errs["WritePeople"] = WritePeople(t.TempDir(), tt.agenda, tt.cancelled, nil, stamp)
			if tt.cancelled == nil {
				_, errs["Page"] = Page(tt.agenda, tt.person, nil)
			}
			for fn, err := range errs {
				if tt.person == "" && fn == "WritePeople" {
					continue // WritePeople takes no person
				}
				if code := fairmatch.ErrorCode(err); code != fairmatch.EINVALID {
					t.Errorf("%s: error %v (code %q), want EINVALID", fn, err, code)
					continue
				}
				got := fairmatch.ErrorIssues(err)
				if len(got) != len(tt.want) {
					t.Errorf("%s: issues\n%v\nwant\n%v", fn, got, tt.want)
					continue
				}
				for i, w := range tt.want {
					g := got[i]
					if g.File != w.File || g.Record != w.Record || g.Field != w.Field || !strings.HasPrefix(g.Reason, w.Reason) {
						t.Errorf("%s: issue %d %+v, want %+v", fn, i, g, w)
					}
				}
			}
		})
	}
}

func BenchmarkCalendar(b *testing.B) {
	f := loadFixture(b)
	for _, size := range []int{10, 1000} {
		b.Run(fmt.Sprintf("agenda=%d", size), func(b *testing.B) {
			a := &fairmatch.Agenda{Fair: f.agenda.Fair, Timezone: f.agenda.Timezone}
			base := f.agenda.Meetings[0]
			for i := range size {
				m := base
				m.ID = fmt.Sprintf("M%04d", i)
				m.Start = base.Start.Add(time.Duration(i%10) * 30 * time.Minute)
				m.End = m.Start.Add(20 * time.Minute)
				m.Items = f.agenda.Meetings[i%len(f.agenda.Meetings)].Items
				m.Attendees = []string{fmt.Sprintf("P-E%03d", i/10), "P-U01-3"}
				if i < 10 {
					m.Attendees[0] = "P-E001-1" // the benchmarked person: 10 meetings
				}
				a.Meetings = append(a.Meetings, m)
			}
			var outLen int
			b.ReportAllocs()
			for b.Loop() {
				out, err := Calendar(a, nil, "P-E001-1", f.dir, stamp)
				if err != nil {
					b.Fatal(err)
				}
				outLen = len(out)
			}
			b.ReportMetric(float64(outLen), "bytes/calendar")
		})
	}
}
