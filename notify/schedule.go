package notify

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fairmatch/fairmatch"
)

// agendaFile names the agenda in the issues of an invalid agenda (formats.md §5).
const agendaFile = "agenda.json"

// event is one meeting as a person's schedule shows it.
type event struct {
	m         *fairmatch.Meeting
	cancelled bool
}

// schedule is an agenda, and the meetings cancelled since it was last
// published, checked and indexed by attendee. Each person's events are in
// order of start time, then meeting id.
type schedule struct {
	fair     string
	loc      *time.Location
	byPerson map[string][]event
	people   []string  // every attendee, sorted
	from, to time.Time // whole local years that cover every meeting
}

// newSchedule checks a and cancelled and indexes them. Every problem found
// is reported as one issue of a *fairmatch.Error with code EINVALID. When
// there is no meeting at all, the time zone is described for the year of the
// fair's id ("2027-03") or, failing that, of now.
func newSchedule(a *fairmatch.Agenda, cancelled []fairmatch.Meeting, now time.Time) (*schedule, error) {
	if a == nil {
		return nil, fairmatch.Errorf(fairmatch.EINVALID, "notify: no agenda")
	}
	var issues []fairmatch.Issue
	bad := func(file, record, field, format string, args ...any) {
		issues = append(issues, fairmatch.Issue{File: file, Record: record, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if a.Fair == "" {
		bad(agendaFile, "", "fair", "missing fair id")
	}
	var loc *time.Location
	if a.Timezone == "" {
		bad(agendaFile, "", "timezone", "missing time zone")
	} else if l, err := time.LoadLocation(a.Timezone); err != nil {
		bad(agendaFile, "", "timezone", "unknown time zone %q: %v", a.Timezone, err)
	} else {
		loc = l
	}

	s := &schedule{fair: a.Fair, loc: loc, byPerson: map[string][]event{}}
	scheduled := make(map[string]bool, len(a.Meetings))
	check := func(file, record string, m *fairmatch.Meeting) bool {
		n := len(issues)
		if m.ID == "" {
			bad(file, record, "id", "missing meeting id")
		}
		if m.Start.IsZero() {
			bad(file, record, "start", "missing start time")
		}
		if !m.End.After(m.Start) {
			bad(file, record, "end", "end %s is not after start %s", m.End.Format(time.RFC3339), m.Start.Format(time.RFC3339))
		}
		if m.Sequence < 0 {
			bad(file, record, "sequence", "negative sequence %d", m.Sequence)
		}
		for j, p := range m.Attendees {
			if p == "" {
				bad(file, record, fmt.Sprintf("attendees[%d]", j), "empty person id")
			}
		}
		return len(issues) == n
	}
	add := func(m *fairmatch.Meeting, cancelled bool) {
		seen := make(map[string]bool, len(m.Attendees))
		for _, p := range m.Attendees {
			if !seen[p] {
				seen[p] = true
				s.byPerson[p] = append(s.byPerson[p], event{m: m, cancelled: cancelled})
			}
		}
		if s.from.IsZero() || m.Start.Before(s.from) {
			s.from = m.Start
		}
		if m.End.After(s.to) {
			s.to = m.End
		}
	}
	for i := range a.Meetings {
		m := &a.Meetings[i]
		record := fmt.Sprintf("meetings[%d]", i)
		if scheduled[m.ID] && m.ID != "" {
			bad(agendaFile, record, "id", "duplicate meeting id %q", m.ID)
			continue
		}
		scheduled[m.ID] = true
		if check(agendaFile, record, m) {
			add(m, false)
		}
	}
	dropped := make(map[string]bool, len(cancelled))
	for i := range cancelled {
		m := &cancelled[i]
		record := fmt.Sprintf("cancelled[%d]", i)
		switch {
		case m.ID != "" && scheduled[m.ID]:
			bad("", record, "id", "meeting %q is both scheduled and cancelled", m.ID)
			continue
		case m.ID != "" && dropped[m.ID]:
			bad("", record, "id", "duplicate cancelled meeting id %q", m.ID)
			continue
		}
		dropped[m.ID] = true
		if check("", record, m) {
			add(m, true)
		}
	}
	if len(issues) > 0 {
		return nil, fairmatch.Invalid(fmt.Sprintf("notify: invalid agenda of fair %q", a.Fair), issues)
	}

	for p, evs := range s.byPerson {
		slices.SortFunc(evs, func(x, y event) int {
			if c := x.m.Start.Compare(y.m.Start); c != 0 {
				return c
			}
			return strings.Compare(x.m.ID, y.m.ID)
		})
		s.people = append(s.people, p)
	}
	slices.Sort(s.people)

	if s.from.IsZero() { // no meeting: the fair's month ("2027-03") tells the year, else now
		if t, err := time.ParseInLocation("2006-01", a.Fair, loc); err == nil {
			now = t
		}
		s.from, s.to = now, now
	}
	y1, y2 := s.from.In(loc).Year(), s.to.In(loc).Year()
	s.from = time.Date(y1, time.January, 1, 0, 0, 0, 0, loc)
	s.to = time.Date(y2+1, time.January, 1, 0, 0, 0, 0, loc)
	return s, nil
}
