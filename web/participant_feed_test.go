package web

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ical "github.com/arran4/golang-ical"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/notify"
)

// feedAgenda is a one-meeting agenda of fair in zone tz at start.
func feedAgenda(fair, tz string, start time.Time, ids ...string) *fairmatch.Agenda {
	a := &fairmatch.Agenda{Fair: fair, Timezone: tz}
	for i, id := range ids {
		s := start.Add(time.Duration(i) * 30 * time.Minute)
		a.Meetings = append(a.Meetings, fairmatch.Meeting{
			ID: id, Enterprise: "E1", University: "U1", Start: s, End: s.Add(25 * time.Minute), Table: "T01",
			Attendees: []string{"P1", "P2"},
			Items:     []fairmatch.MeetingItem{{Problem: "PR1", Offering: "O1", Score: 0.5, Why: "关键词：温漂, 陶瓷"}},
		})
	}
	return a
}

var feedDir = notify.NewDirectory(&fairmatch.Dataset{
	People:      []fairmatch.Person{{ID: "P1", Name: "王晓明; \"小王\"", Org: "E1"}, {ID: "P2", Name: "李振华", Org: "U1"}},
	Enterprises: []fairmatch.Enterprise{{ID: "E1", Name: "潞宁通信技术有限公司"}},
})

func feedCal(t testing.TB, a *fairmatch.Agenda, cancelled []fairmatch.Meeting) []byte {
	t.Helper()
	b, err := notify.Calendar(a, cancelled, "P1", feedDir, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMergeCalendars(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// Two fairs a year apart in a zone with daylight saving time, one in
	// Shanghai, and a cancelled meeting.
	a1 := feedAgenda("2027-03", "Europe/Berlin", time.Date(2027, 3, 15, 9, 0, 0, 0, berlin), "M1", "M2")
	a2 := feedAgenda("2028-07", "Europe/Berlin", time.Date(2028, 7, 15, 9, 0, 0, 0, berlin), "M1")
	sh, _ := time.LoadLocation("Asia/Shanghai")
	a3 := feedAgenda("2027-05", "Asia/Shanghai", time.Date(2027, 5, 15, 9, 0, 0, 0, sh), "M9")
	gone := a3.Meetings[0]
	gone.ID = "M8"
	b := mergeCalendars("洽谈日程 Schedule · 王晓明; \"小王\", 2027", [][]byte{feedCal(t, a1, nil), feedCal(t, a2, nil), feedCal(t, a3, []fairmatch.Meeting{gone})})

	checkICSLines(t, b)
	cal, err := ical.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("golang-ical: %v\n%s", err, b)
	}
	var uids []string
	for _, ev := range cal.Events() {
		uids = append(uids, ev.Id())
	}
	want := []string{"M1.2027-03@fairmatch", "M1.2028-07@fairmatch", "M2.2027-03@fairmatch", "M8.2027-05@fairmatch", "M9.2027-05@fairmatch"}
	slices.Sort(uids)
	if !slices.Equal(uids, want) {
		t.Errorf("UIDs %v, want %v", uids, want)
	}
	for _, ev := range cal.Events() {
		start, err := ev.GetStartAt()
		if err != nil {
			t.Fatal(err)
		}
		if ev.Id() == "M1.2028-07@fairmatch" && !start.Equal(time.Date(2028, 7, 15, 7, 0, 0, 0, time.UTC)) {
			t.Errorf("summer meeting at %v, want 07:00 UTC", start.UTC())
		}
		if ev.Id() == "M8.2027-05@fairmatch" && ev.GetProperty(ical.ComponentPropertyStatus).Value != "CANCELLED" {
			t.Errorf("cancelled meeting kept its status")
		}
	}
	s := string(b)
	if n := strings.Count(s, "BEGIN:VTIMEZONE"); n != 2 {
		t.Errorf("%d VTIMEZONE, want one per zone (2)", n)
	}
	// The Berlin zone holds the transitions of both years, each once.
	for _, onset := range []string{"DTSTART:20270328T020000", "DTSTART:20271031T030000", "DTSTART:20280326T020000"} {
		if n := strings.Count(s, onset); n != 1 {
			t.Errorf("observance %s appears %d times, want once", onset, n)
		}
	}
	if strings.Contains(s, "X-WR-TIMEZONE") {
		t.Error("X-WR-TIMEZONE with two zones")
	}
	name := cal.CalendarProperties[0]
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == "X-WR-CALNAME" {
			name = p
		}
	}
	if name.Value != `洽谈日程 Schedule · 王晓明\; "小王"\, 2027` && name.Value != `洽谈日程 Schedule · 王晓明; "小王", 2027` {
		t.Errorf("X-WR-CALNAME %q", name.Value)
	}

	// No calendar at all: a valid, empty one.
	empty := mergeCalendars("x", nil)
	checkICSLines(t, empty)
	if c, err := ical.ParseCalendar(bytes.NewReader(empty)); err != nil || len(c.Events()) != 0 {
		t.Errorf("empty feed: %v", err)
	}
}

// checkICSLines checks the physical lines: CRLF, at most 75 octets, whole
// UTF-8 characters, balanced BEGIN/END.
func checkICSLines(t testing.TB, b []byte) {
	t.Helper()
	s := string(b)
	if !strings.HasSuffix(s, "END:VCALENDAR\r\n") || !strings.HasPrefix(s, "BEGIN:VCALENDAR\r\n") {
		t.Fatalf("not a VCALENDAR:\n%s", s)
	}
	depth := 0
	for i, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) || strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d bad: %q", i+1, l)
		}
		if strings.HasPrefix(l, "BEGIN:") {
			depth++
		}
		if strings.HasPrefix(l, "END:") {
			depth--
		}
		if depth < 0 {
			t.Fatalf("line %d: END without BEGIN", i+1)
		}
	}
	if depth != 0 {
		t.Errorf("unbalanced components: depth %d", depth)
	}
}

func TestFoldLine(t *testing.T) {
	for _, n := range []int{0, 1, 74, 75, 76, 200} {
		for _, unit := range []string{"a", "洽", "😀"} {
			l := "X-WR-CALNAME:" + strings.Repeat(unit, n)
			folded := foldLine(l)
			checkICSLines(t, []byte("BEGIN:VCALENDAR\r\n"+folded+"END:VCALENDAR\r\n"))
			if got := strings.ReplaceAll(strings.TrimSuffix(folded, "\r\n"), "\r\n ", ""); got != l {
				t.Errorf("unfolded %q, want %q", got, l)
			}
		}
	}
}

// FuzzMergeCalendars feeds the merge arbitrary streams beside a real one: it
// must not panic, must keep the real calendar's events, and must give
// balanced, CRLF-terminated output.
func FuzzMergeCalendars(f *testing.F) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	real := feedCal(f, feedAgenda("2027-03", "Asia/Shanghai", time.Date(2027, 3, 15, 9, 0, 0, 0, sh), "M1"), nil)
	f.Add(real, "名字")
	f.Add([]byte("BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\n"), "x,y;z\\")
	f.Add([]byte("BEGIN:VEVENT\r\nEND:VTODO\r\n"), "")
	f.Add([]byte("BEGIN:VTIMEZONE\r\n TZID:\r\nEND:VTIMEZONE"), "\n\r\x00")
	f.Fuzz(func(t *testing.T, other []byte, name string) {
		b := mergeCalendars(name, [][]byte{real, other})
		s := string(b)
		if !strings.HasPrefix(s, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(s, "END:VCALENDAR\r\n") {
			t.Fatalf("not a VCALENDAR: %q", s)
		}
		if !strings.Contains(s, "UID:M1.2027-03@fairmatch\r\n") {
			t.Fatalf("the real event was lost")
		}
		depth := 0
		for _, l := range strings.Split(s, "\r\n") {
			if strings.HasPrefix(l, "BEGIN:") {
				depth++
			} else if strings.HasPrefix(l, "END:") {
				depth--
			}
			if depth < 0 {
				t.Fatalf("END without BEGIN in %q", s)
			}
		}
		if depth != 0 {
			t.Fatalf("unbalanced output %q", s)
		}
		if utf8.ValidString(name) && utf8.Valid(other) {
			for _, l := range strings.Split(s, "\r\n") {
				if strings.HasPrefix(l, "X-WR-CALNAME") && len(l) > 75 {
					t.Fatalf("unfolded name line %q", l)
				}
			}
		}
	})
}

// BenchmarkMergeFeed measures the merge step of the feed a calendar app polls: one
// person's calendar across six fairs of 40 meetings each (the person in all).
func BenchmarkMergeFeed(b *testing.B) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	var cals [][]byte
	for i := range 6 {
		ids := make([]string, 40)
		for j := range ids {
			ids[j] = fmt.Sprintf("M%03d", j)
		}
		a := feedAgenda(fmt.Sprintf("2027-%02d", 2*i+1), "Asia/Shanghai", time.Date(2027, time.Month(2*i+1), 15, 9, 0, 0, 0, sh), ids...)
		cals = append(cals, feedCal(b, a, nil))
	}
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = len(mergeCalendars("洽谈日程 Schedule · 王晓明", cals))
	}
	b.ReportMetric(float64(n), "bytes/feed")
	b.ReportMetric(240, "events/feed")
}
