package notify

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ical "github.com/arran4/golang-ical"

	"github.com/fairmatch/fairmatch"
)

// tzRule is one STANDARD or DAYLIGHT component of a parsed VTIMEZONE.
type tzRule struct {
	daylight bool
	onset    time.Time // as an instant: DTSTART read in TZOFFSETFROM
	to       int
}

// parseOffset reads a UTC-OFFSET value.
func parseOffset(t *testing.T, s string) int {
	t.Helper()
	if len(s) != 5 && len(s) != 7 || s[0] != '+' && s[0] != '-' {
		t.Fatalf("bad UTC-OFFSET %q", s)
	}
	n := func(i int) int {
		v, err := strconv.Atoi(s[i : i+2])
		if err != nil {
			t.Fatalf("bad UTC-OFFSET %q", s)
		}
		return v
	}
	sec := n(1)*3600 + n(3)*60
	if len(s) == 7 {
		sec += n(5)
	}
	if s[0] == '-' {
		sec = -sec
	}
	return sec
}

// vtimezoneRules renders a calendar with one meeting at when in zone and
// returns its VTIMEZONE's observances as the golang-ical parser reads them.
func vtimezoneRules(t *testing.T, zone string, when time.Time) []tzRule {
	t.Helper()
	a := &fairmatch.Agenda{Fair: "f", Timezone: zone, Meetings: []fairmatch.Meeting{
		{ID: "m", Start: when, End: when.Add(20 * time.Minute), Attendees: []string{"p"}},
	}}
	b, err := Calendar(a, nil, "p", nil, stamp)
	if err != nil {
		t.Fatal(err)
	}
	tzs := parseICS(t, b).Timezones()
	if len(tzs) != 1 {
		t.Fatalf("%d VTIMEZONEs", len(tzs))
	}
	if got := prop(t, &tzs[0].ComponentBase, ical.ComponentPropertyTzid); got != zone {
		t.Fatalf("TZID %q, want %q", got, zone)
	}
	var rules []tzRule
	for _, c := range tzs[0].Components {
		var base *ical.ComponentBase
		r := tzRule{}
		switch c := c.(type) {
		case *ical.Standard:
			base = &c.ComponentBase
		case *ical.Daylight:
			base, r.daylight = &c.ComponentBase, true
		default:
			t.Fatalf("unexpected %T in VTIMEZONE", c)
		}
		from := parseOffset(t, prop(t, base, ical.ComponentProperty(ical.PropertyTzoffsetfrom)))
		r.to = parseOffset(t, prop(t, base, ical.ComponentProperty(ical.PropertyTzoffsetto)))
		local, err := time.Parse("20060102T150405", prop(t, base, ical.ComponentPropertyDtStart))
		if err != nil {
			t.Fatal(err)
		}
		r.onset = local.Add(-time.Duration(from) * time.Second)
		rules = append(rules, r)
	}
	return rules
}

// TestVTimezone checks, for zones with and without daylight saving time in
// both hemispheres, that the VTIMEZONE gives the same offset as the Go zone
// database at every hour of the fair's year.
func TestVTimezone(t *testing.T) {
	tests := []struct {
		zone      string
		observers int  // components expected
		daylight  bool // has a DAYLIGHT component
	}{
		{"Asia/Shanghai", 1, false},
		{"Asia/Kolkata", 1, false},
		{"UTC", 1, false},
		{"America/Sao_Paulo", 1, false}, // no DST since 2019
		{"Europe/Berlin", 3, true},
		{"America/New_York", 3, true},
		{"Australia/Sydney", 3, true}, // DST at the start and end of the year
		{"Australia/Lord_Howe", 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			rules := vtimezoneRules(t, tt.zone, time.Date(2027, 6, 15, 9, 0, 0, 0, loc))
			if len(rules) != tt.observers {
				t.Errorf("%d observances, want %d", len(rules), tt.observers)
			}
			if got := slices.ContainsFunc(rules, func(r tzRule) bool { return r.daylight }); got != tt.daylight {
				t.Errorf("DAYLIGHT component present: %v, want %v", got, tt.daylight)
			}
			if !slices.IsSortedFunc(rules, func(a, b tzRule) int { return a.onset.Compare(b.onset) }) {
				t.Errorf("observances out of order")
			}
			end := time.Date(2028, 1, 1, 0, 0, 0, 0, loc)
			for u := time.Date(2027, 1, 1, 0, 0, 0, 0, loc); u.Before(end); u = u.Add(time.Hour) {
				i := len(rules) - 1
				for i >= 0 && rules[i].onset.After(u) {
					i--
				}
				if i < 0 {
					t.Fatalf("no observance in force at %s", u)
				}
				_, want := u.In(loc).Zone()
				if rules[i].to != want || rules[i].daylight != u.In(loc).IsDST() {
					t.Fatalf("at %s the VTIMEZONE gives %d s (daylight %v), the zone %d s (daylight %v)",
						u.UTC(), rules[i].to, rules[i].daylight, want, u.In(loc).IsDST())
				}
			}
		})
	}
}

// TestVTimezoneBerlin2027 checks the onsets against the EU rule (last Sunday
// of March at 01:00 UTC, last Sunday of October at 01:00 UTC), written as the
// local time the clocks showed before the change.
func TestVTimezoneBerlin2027(t *testing.T) {
	a := &fairmatch.Agenda{Fair: "2027-06", Timezone: "Europe/Berlin", Meetings: []fairmatch.Meeting{{
		ID: "m", Start: time.Date(2027, 6, 15, 7, 0, 0, 0, time.UTC), End: time.Date(2027, 6, 15, 7, 20, 0, 0, time.UTC), Attendees: []string{"p"},
	}}}
	b, err := Calendar(a, nil, "p", nil, stamp)
	if err != nil {
		t.Fatal(err)
	}
	want := "BEGIN:DAYLIGHT\r\nDTSTART:20270328T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n" +
		"BEGIN:STANDARD\r\nDTSTART:20271031T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n"
	if !strings.Contains(string(b), want) {
		t.Errorf("calendar lacks\n%s\ngot\n%s", want, b)
	}
}

// TestVTimezoneSpansYears covers an agenda whose meetings fall in two years.
func TestVTimezoneSpansYears(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	a := &fairmatch.Agenda{Fair: "f", Timezone: "Europe/Berlin"}
	for i, d := range []time.Time{time.Date(2027, 12, 31, 23, 0, 0, 0, loc), time.Date(2028, 7, 1, 9, 0, 0, 0, loc)} {
		a.Meetings = append(a.Meetings, fairmatch.Meeting{ID: fmt.Sprint(i), Start: d, End: d.Add(20 * time.Minute), Attendees: []string{"p"}})
	}
	s, err := newSchedule(a, nil, stamp)
	if err != nil {
		t.Fatal(err)
	}
	obs, err := observances(s.loc, s.from, s.to)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) != 5 { // CET from 2026, CEST/CET in 2027, CEST/CET in 2028
		t.Errorf("%d observances over 2027–2028, want 5", len(obs))
	}
}
