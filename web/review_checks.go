package web

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/fairmatch/fairmatch"
)

// agendaSlot is one slot of the fair day, numbered from 1 in time order.
type agendaSlot struct {
	N       int       `json:"slot"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Session string    `json:"session"`
}

// agendaSpan is a session of the fair day as times.
type agendaSpan struct {
	Name     string
	From, To time.Time
}

// agendaDaySlots cuts the fair's day into slots as the agenda builder does: the
// day is the date of fair.Start in the fair's zone; each session from..to
// gives slots starting at from + k·(slot+buffer) that end by the session's
// end. Sessions that cannot be read are skipped (the plan and the settings
// page validate them).
func agendaDaySlots(day fairmatch.Day, fair fairmatch.Fair) ([]agendaSlot, []agendaSpan) {
	loc, err := time.LoadLocation(fair.Timezone)
	if err != nil || fair.Start.IsZero() {
		return nil, nil
	}
	date := fair.Start.In(loc)
	var spans []agendaSpan
	for i, s := range day.Sessions {
		from, err1 := agendaClock(date, s.From, loc)
		to, err2 := agendaClock(date, s.To, loc)
		if err1 != nil || err2 != nil || !from.Before(to) {
			continue
		}
		name := s.Name
		if name == "" {
			name = "session-" + strconv.Itoa(i+1)
		}
		spans = append(spans, agendaSpan{name, from, to})
	}
	slices.SortFunc(spans, func(a, b agendaSpan) int { return a.From.Compare(b.From) })
	slot, step := day.Slot.D(), day.Slot.D()+day.Buffer.D()
	var slots []agendaSlot
	if slot <= 0 || step <= 0 {
		return nil, spans
	}
	for _, sp := range spans {
		for t := sp.From; !t.Add(slot).After(sp.To); t = t.Add(step) {
			slots = append(slots, agendaSlot{N: len(slots) + 1, Start: t, End: t.Add(slot), Session: sp.Name})
		}
	}
	return slots, spans
}

// agendaClock returns the time "HH:MM" (00:00 to 24:00) on date's day in loc.
func agendaClock(date time.Time, hhmm string, loc *time.Location) (time.Time, error) {
	ok := len(hhmm) == 5 && hhmm[2] == ':'
	for _, i := range []int{0, 1, 3, 4} {
		ok = ok && hhmm[i] >= '0' && hhmm[i] <= '9'
	}
	var hour, minute int
	if ok {
		hour, minute = int(hhmm[0]-'0')*10+int(hhmm[1]-'0'), int(hhmm[3]-'0')*10+int(hhmm[4]-'0')
		ok = minute < 60 && (hour < 24 || hour == 24 && minute == 0)
	}
	if !ok {
		return time.Time{}, fmt.Errorf("time %q is not HH:MM", hhmm)
	}
	y, mo, d := date.Date()
	return time.Date(y, mo, d, hour, minute, 0, 0, loc), nil
}

// Kinds of agenda conflicts.
const (
	agendaDoubleBooked = "double-booked" // a person in two meetings at once
	agendaTableTwice   = "table-twice"   // a table holds two meetings at once
	agendaOutsideDay   = "outside-day"   // a meeting not inside any session
	agendaOffGrid      = "off-grid"      // inside a session, but not at a slot's start and end
	agendaUnknownTable = "unknown-table" // a table the fair day does not have
)

// agendaConflict is one problem of an agenda. Meetings are the ids of the
// meetings involved; Person or Table says who or what clashes.
type agendaConflict struct {
	Kind     string    `json:"kind"`
	Meetings []string  `json:"meetings"`
	Person   string    `json:"person,omitempty"`
	Table    string    `json:"table,omitempty"`
	Start    time.Time `json:"start"`
}

// agendaGaps are a person's idle slots: empty slots between their first
// and last meeting of the day.
type agendaGaps struct {
	Person string `json:"person"`
	Name   string `json:"name,omitempty"`
	Idle   int    `json:"idle"`
	Slots  []int  `json:"slots"` // slot numbers
}

// agendaChecks is what is wrong or wasteful in an agenda.
type agendaChecks struct {
	Conflicts []agendaConflict `json:"conflicts"`
	Gaps      []agendaGaps     `json:"gaps"`
	IdleSlots int              `json:"idle_slots"` // the sum of Gaps' Idle
}

// agendaPlace says where a meeting sits in the grid: 0 for no place.
type agendaPlace struct{ slot, table int }

// agendaCheck finds an agenda's conflicts and idle gaps against the fair
// day's slots and tables. It returns where each meeting (by index) sits in
// the grid; a meeting with a conflict of kind outside-day, off-grid or
// unknown-table has no place.
//
// Two meetings clash when their times overlap (start inclusive, end
// exclusive): at the same table, or with a person in both. Gaps count only
// slots: the break between sessions is not idle time.
func agendaCheck(ms []fairmatch.Meeting, slots []agendaSlot, spans []agendaSpan, tables []string) (agendaChecks, []agendaPlace) {
	checks := agendaChecks{Conflicts: []agendaConflict{}, Gaps: []agendaGaps{}}
	tableAt := make(map[string]int, len(tables))
	for i, t := range tables {
		tableAt[t] = i + 1
	}
	slotAt := make(map[int64]int, len(slots))
	for _, s := range slots {
		slotAt[s.Start.UnixNano()] = s.N
	}
	places := make([]agendaPlace, len(ms))
	for i, m := range ms {
		inside := m.Start.Before(m.End) && slices.ContainsFunc(spans, func(sp agendaSpan) bool {
			return !m.Start.Before(sp.From) && !m.End.After(sp.To)
		})
		n, aligned := slotAt[m.Start.UnixNano()]
		aligned = aligned && m.End.Equal(slots[n-1].End)
		one := []string{m.ID}
		switch {
		case !inside:
			checks.Conflicts = append(checks.Conflicts, agendaConflict{Kind: agendaOutsideDay, Meetings: one, Start: m.Start})
		case !aligned:
			checks.Conflicts = append(checks.Conflicts, agendaConflict{Kind: agendaOffGrid, Meetings: one, Start: m.Start})
		case tableAt[m.Table] == 0:
			checks.Conflicts = append(checks.Conflicts, agendaConflict{Kind: agendaUnknownTable, Meetings: one, Table: m.Table, Start: m.Start})
		default:
			places[i] = agendaPlace{n, tableAt[m.Table]}
		}
	}

	order := make([]int, len(ms))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(ms[a].Start.Compare(ms[b].Start), ms[a].End.Compare(ms[b].End), cmp.Compare(a, b))
	})
	for x, i := range order {
		a := &ms[i]
		if !a.Start.Before(a.End) {
			continue
		}
		for _, j := range order[x+1:] {
			b := &ms[j]
			if !b.Start.Before(a.End) {
				break
			}
			if !b.Start.Before(b.End) {
				continue
			}
			if a.Table == b.Table {
				checks.Conflicts = append(checks.Conflicts, agendaConflict{Kind: agendaTableTwice,
					Meetings: []string{a.ID, b.ID}, Table: a.Table, Start: b.Start})
			}
			for _, p := range a.Attendees {
				if slices.Contains(b.Attendees, p) {
					checks.Conflicts = append(checks.Conflicts, agendaConflict{Kind: agendaDoubleBooked,
						Meetings: []string{a.ID, b.ID}, Person: p, Start: b.Start})
				}
			}
		}
	}

	busy := make(map[string][]int) // person → slot numbers of their placed meetings
	for i, m := range ms {
		if places[i].slot == 0 {
			continue
		}
		for _, p := range m.Attendees {
			busy[p] = append(busy[p], places[i].slot)
		}
	}
	for p, ss := range busy {
		slices.Sort(ss)
		ss = slices.Compact(ss)
		var idle []int
		for k := 1; k < len(ss); k++ {
			for n := ss[k-1] + 1; n < ss[k]; n++ {
				idle = append(idle, n)
			}
		}
		if len(idle) > 0 {
			checks.Gaps = append(checks.Gaps, agendaGaps{Person: p, Idle: len(idle), Slots: idle})
			checks.IdleSlots += len(idle)
		}
	}
	slices.SortFunc(checks.Gaps, func(a, b agendaGaps) int { return cmp.Or(cmp.Compare(b.Idle, a.Idle), cmp.Compare(a.Person, b.Person)) })
	slices.SortStableFunc(checks.Conflicts, func(a, b agendaConflict) int { return a.Start.Compare(b.Start) })
	return checks, places
}

// agendaChange is how a draft meeting differs from the published agenda.
const (
	agendaNew     = "new"
	agendaMoved   = "moved"   // another time or table
	agendaChanged = "changed" // the same place, other people or items
)

// agendaChanges tells, by meeting id, how the draft differs from the
// published agenda, and lists the published meetings the draft drops.
func agendaChanges(draft, published *fairmatch.Agenda) (map[string]string, []fairmatch.Meeting) {
	if draft == nil || published == nil {
		return nil, nil
	}
	prev := make(map[string]fairmatch.Meeting, len(published.Meetings))
	for _, m := range published.Meetings {
		prev[m.ID] = m
	}
	changes := make(map[string]string)
	kept := make(map[string]bool, len(draft.Meetings))
	for _, m := range draft.Meetings {
		kept[m.ID] = true
		p, ok := prev[m.ID]
		switch {
		case !ok:
			changes[m.ID] = agendaNew
		case !p.Start.Equal(m.Start) || !p.End.Equal(m.End) || p.Table != m.Table:
			changes[m.ID] = agendaMoved
		case !agendaSameSet(p.Attendees, m.Attendees) || len(p.Items) != len(m.Items):
			changes[m.ID] = agendaChanged
		}
	}
	var dropped []fairmatch.Meeting
	for _, m := range published.Meetings {
		if !kept[m.ID] {
			dropped = append(dropped, m)
		}
	}
	return changes, dropped
}

func agendaSameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
