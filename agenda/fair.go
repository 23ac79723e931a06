package agenda

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/fairmatch/fairmatch"
)

// Reasons a proposal is left out of a fair's agenda.
const (
	ReasonNoCommonSlot = "no common free slot"
	ReasonBlocked      = "blocked pair"
	ReasonNoTable      = "no table left"
	ReasonNoSeats      = "no table seats every attendee"
)

// FairInput is what BuildFair needs to plan one fair's agenda.
type FairInput struct {
	Fair      fairmatch.Fair       // ID, Timezone, Start (the fair day)
	Day       fairmatch.Day        // sessions, slot length, buffer, table names
	People    []fairmatch.Person   // their Available windows (per fair id or "*")
	Proposals []fairmatch.Proposal // the meetings to place
	Blocked   []fairmatch.Blocked  // pairs that never meet
	// Previous, if set, is the fair's published agenda: the new agenda
	// moves as few of its meetings as possible (Options.Keep).
	Previous *fairmatch.Agenda
}

// slotTime is when one slot of the fair day runs.
type slotTime struct{ start, end time.Time }

// BuildFair plans a fair's agenda (formats.md §5). The fair day is the date
// of Fair.Start in the fair's time zone; each session from..to is cut into
// slots of Day.Slot followed by Day.Buffer, a slot ending by the session's
// end. A person with windows for the fair (or "*") is available in a slot
// only if it lies entirely inside one of them; attendees without windows, or
// not in People, are available all day. Proposals of a blocked pair are not
// placed; when not all the others fit, those with a higher Score go first.
//
// Day.Seats give the request's table_seats: a meeting sits at a table with
// a seat for each of its attendees (tables not in Day.Seats seat any
// number).
//
// The agenda's meetings have ids "M-<enterprise>-<university>", stable
// across re-planning, times in the fair's zone, table names from Day.Tables,
// and are sorted by start, then table. Every proposal that found no place
// has an Unscheduled entry with ReasonBlocked, ReasonNoCommonSlot,
// ReasonNoTable or ReasonNoSeats. The Result is the solver's, for the request built here.
//
// A bad fair, day or proposal gives a *fairmatch.Error with code EINVALID;
// a context done before anything was placed gives its error.
func BuildFair(ctx context.Context, in FairInput, opt Options) (*fairmatch.Agenda, *Result, error) {
	loc, err := time.LoadLocation(in.Fair.Timezone)
	if err != nil {
		return nil, nil, fairmatch.Invalid("fair "+in.Fair.ID, []fairmatch.Issue{{
			Record: "fair", Field: "timezone", Reason: fmt.Sprintf("unknown time zone %q", in.Fair.Timezone)}})
	}
	times, sessions, issues := daySlots(in.Day, in.Fair.Start.In(loc), loc)
	if in.Fair.Start.IsZero() {
		issues = append(issues, fairmatch.Issue{Record: "fair", Field: "start", Reason: "no fair day"})
	}
	if len(in.Day.Tables) == 0 {
		issues = append(issues, fairmatch.Issue{Record: "day", Field: "tables", Reason: "no table"})
	}
	for i, name := range in.Day.Tables {
		if slices.Contains(in.Day.Tables[:i], name) {
			issues = append(issues, fairmatch.Issue{Record: "day", Field: "tables", Reason: fmt.Sprintf("table %q listed twice", name)})
		}
	}
	issues = append(issues, seatIssues(in.Day)...)
	unavailable, peopleIssues := unavailableSlots(in.People, in.Fair.ID, times, loc)
	issues = append(issues, peopleIssues...)
	issues = append(issues, proposalIssues(in.Proposals)...)
	if len(issues) > 0 {
		return nil, nil, fairmatch.Invalid("fair "+in.Fair.ID, issues)
	}

	blocked := make(map[[2]string]bool, len(in.Blocked))
	for _, b := range in.Blocked {
		blocked[[2]string{b.Enterprise, b.University}] = true
	}
	// The request's meetings, highest score first (earlier = priority).
	var order []int
	for i, p := range in.Proposals {
		if !blocked[[2]string{p.Enterprise, p.University}] {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(in.Proposals[b].Score, in.Proposals[a].Score)
	})
	req := &Request{Slots: len(times), Sessions: sessions, Tables: len(in.Day.Tables), Meetings: make([]Meeting, 0, len(order))}
	seats := tableSeats(in.Day)
	if slices.ContainsFunc(seats, func(n int) bool { return n > 0 }) {
		req.TableSeats = seats
	}
	org := make(map[string]string, len(in.People))
	for _, p := range in.People {
		org[p.ID] = p.Org
	}
	// Proposals whose attendees share no slot go ahead with those who can
	// come together, as long as both sides are still there.
	proposals := slices.Clone(in.Proposals)
	for i, p := range proposals {
		proposals[i].Attendees = attending(p, org, unavailable, len(times))
	}
	in.Proposals = proposals
	seen := make(map[string]bool)
	for _, i := range order {
		p := in.Proposals[i]
		req.Meetings = append(req.Meetings, Meeting{ID: meetingID(p), Attendees: p.Attendees})
		for _, a := range p.Attendees {
			if !seen[a] && len(unavailable[a]) > 0 {
				req.Participants = append(req.Participants, Participant{ID: a, Unavailable: unavailable[a]})
			}
			seen[a] = true
		}
	}
	if err := req.Validate(); err != nil {
		return nil, nil, fmt.Errorf("fair %s: build agenda request: %w", in.Fair.ID, err)
	}

	if in.Previous != nil && opt.Keep == nil {
		opt.Keep = keepFromAgenda(in.Previous, times, in.Day.Tables)
	}
	res := Solve(ctx, req, opt)
	if res.Status == StatusUnknown && ctx.Err() != nil {
		return nil, res, fmt.Errorf("fair %s: build agenda: %w", in.Fair.ID, ctx.Err())
	}

	agenda := &fairmatch.Agenda{Fair: in.Fair.ID, Timezone: in.Fair.Timezone,
		Meetings: []fairmatch.Meeting{}, Unscheduled: []fairmatch.Unscheduled{}}
	placed := make(map[string]Placement, len(res.Meetings))
	for _, pl := range res.Meetings {
		placed[pl.ID] = pl
	}
	busy := make(map[string][]bool) // attendee → slots taken in the agenda
	for _, p := range in.Proposals {
		if pl, ok := placed[meetingID(p)]; ok {
			for _, a := range p.Attendees {
				if busy[a] == nil {
					busy[a] = make([]bool, len(times)+1)
				}
				busy[a][pl.Slot] = true
			}
		}
	}
	taken := make([][]bool, len(times)+1) // slot → tables (0-based) in use
	for s := range taken {
		taken[s] = make([]bool, len(in.Day.Tables))
	}
	for _, pl := range res.Meetings {
		taken[pl.Slot][pl.Table-1] = true
	}
	for _, p := range in.Proposals {
		id := meetingID(p)
		pl, ok := placed[id]
		if !ok {
			agenda.Unscheduled = append(agenda.Unscheduled, fairmatch.Unscheduled{Enterprise: p.Enterprise,
				University: p.University, Reason: leftOutReason(p, blocked, unavailable, busy, taken, seats)})
			continue
		}
		agenda.Meetings = append(agenda.Meetings, fairmatch.Meeting{
			ID:         id,
			Enterprise: p.Enterprise,
			University: p.University,
			Start:      times[pl.Slot-1].start,
			End:        times[pl.Slot-1].end,
			Table:      in.Day.Tables[pl.Table-1],
			Attendees:  slices.Clone(p.Attendees),
			Items:      slices.Clone(p.Items),
		})
	}
	tableIndex := make(map[string]int, len(in.Day.Tables))
	for i, name := range in.Day.Tables {
		tableIndex[name] = i
	}
	slices.SortFunc(agenda.Meetings, func(a, b fairmatch.Meeting) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(tableIndex[a.Table], tableIndex[b.Table]))
	})
	return agenda, res, nil
}

// attending returns the attendees of a proposal who will meet. When all of
// them share at least one available slot, that is all of them. Otherwise it
// is the largest group that is available together in some slot and still
// has someone of the enterprise and someone of the university (people's
// Org tells the sides; without both, nobody is dropped): an enterprise's second representative who can come
// only in the morning does not stop the meeting with the one who is free
// all day. Attendees whose organisation is neither side (a commissioner)
// are kept or dropped like the others. Without such a group the proposal
// keeps every attendee, and the solver reports it as unscheduled.
func attending(p fairmatch.Proposal, org map[string]string, unavailable map[string][]int, slots int) []string {
	free := func(a string, s int) bool { return !slices.Contains(unavailable[a], s) }
	hasSide := func(side string) bool {
		return slices.ContainsFunc(p.Attendees, func(a string) bool { return org[a] == side })
	}
	if !hasSide(p.Enterprise) || !hasSide(p.University) {
		return p.Attendees // sides unknown: nobody can be spared
	}
	best, bestN := 0, 0
	for s := 1; s <= slots; s++ {
		n, e, u := 0, false, false
		for _, a := range p.Attendees {
			if free(a, s) {
				n++
				e = e || org[a] == p.Enterprise
				u = u || org[a] == p.University
			}
		}
		if n == len(p.Attendees) {
			return p.Attendees
		}
		if e && u && n > bestN {
			best, bestN = s, n
		}
	}
	if best == 0 {
		return p.Attendees
	}
	var kept []string
	for _, a := range p.Attendees {
		if free(a, best) {
			kept = append(kept, a)
		}
	}
	return kept
}

// keepFromAgenda turns a published agenda into the previous result a
// re-plan keeps to: each meeting's slot is the one that starts when it
// starts, its table the one of that name. Meetings at times that are no
// longer slots of the day are left out (they move in any case).
func keepFromAgenda(a *fairmatch.Agenda, times []slotTime, tables []string) *Result {
	slotAt := make(map[int64]int, len(times))
	for i, t := range times {
		slotAt[t.start.Unix()] = i + 1
	}
	tableNo := make(map[string]int, len(tables))
	for i, name := range tables {
		tableNo[name] = i + 1
	}
	keep := &Result{Status: StatusFeasible}
	for _, m := range a.Meetings {
		slot, ok := slotAt[m.Start.Unix()]
		if !ok {
			continue
		}
		keep.Meetings = append(keep.Meetings, Placement{ID: m.ID, Slot: slot, Table: tableNo[m.Table]})
	}
	return keep
}

// meetingID is the stable id of a proposal's meeting.
func meetingID(p fairmatch.Proposal) string { return "M-" + p.Enterprise + "-" + p.University }

// leftOutReason says why a proposal found no place: its pair is blocked;
// no table seats all its attendees; some slot has all its attendees
// available and free but no table left that seats them; or no slot has
// all of them available and free. taken[s][i] tells whether table i+1 is
// in use in slot s, seats are the tables' seats (0: any number).
func leftOutReason(p fairmatch.Proposal, blocked map[[2]string]bool, unavailable map[string][]int,
	busy map[string][]bool, taken [][]bool, seats []int) string {
	if blocked[[2]string{p.Enterprise, p.University}] {
		return ReasonBlocked
	}
	seated := func(i int) bool { return seats[i] == 0 || seats[i] >= len(p.Attendees) }
	if !slices.ContainsFunc(seats, func(n int) bool { return n == 0 || n >= len(p.Attendees) }) {
		return ReasonNoSeats
	}
	for s := 1; s < len(taken); s++ {
		free := true
		for _, a := range p.Attendees {
			if slices.Contains(unavailable[a], s) || (busy[a] != nil && busy[a][s]) {
				free = false
				break
			}
		}
		if !free {
			continue
		}
		left := false
		for i, used := range taken[s] {
			left = left || !used && seated(i)
		}
		if !left {
			return ReasonNoTable
		}
	}
	return ReasonNoCommonSlot
}

// daySlots cuts the fair day into slots, numbered in time order, and
// returns them with the request's sessions (those with at least one slot).
func daySlots(day fairmatch.Day, date time.Time, loc *time.Location) ([]slotTime, []Session, []fairmatch.Issue) {
	var issues []fairmatch.Issue
	slot, step := day.Slot.D(), day.Slot.D()+day.Buffer.D()
	if slot <= 0 {
		issues = append(issues, fairmatch.Issue{Record: "day", Field: "slot", Reason: fmt.Sprintf("slot length %v is not positive", slot)})
	}
	if day.Buffer < 0 {
		issues = append(issues, fairmatch.Issue{Record: "day", Field: "buffer", Reason: fmt.Sprintf("buffer %v is negative", day.Buffer.D())})
	}
	type span struct {
		name     string
		from, to time.Time
	}
	var spans []span
	for i, s := range day.Sessions {
		record := fmt.Sprintf("day.sessions[%d]", i)
		from, err1 := clockTime(date, s.From, loc)
		to, err2 := clockTime(date, s.To, loc)
		if err1 != nil {
			issues = append(issues, fairmatch.Issue{Record: record, Field: "from", Reason: err1.Error()})
		}
		if err2 != nil {
			issues = append(issues, fairmatch.Issue{Record: record, Field: "to", Reason: err2.Error()})
		}
		if err1 != nil || err2 != nil {
			continue
		}
		if !from.Before(to) {
			issues = append(issues, fairmatch.Issue{Record: record, Field: "to", Reason: fmt.Sprintf("session ends at %s, not after its start %s", s.To, s.From)})
			continue
		}
		name := s.Name
		if name == "" {
			name = "session-" + strconv.Itoa(i+1)
		}
		for j, o := range spans {
			if o.name == name {
				issues = append(issues, fairmatch.Issue{Record: record, Field: "name", Reason: fmt.Sprintf("session %q is also day.sessions[%d]", name, j)})
			}
			if from.Before(o.to) && o.from.Before(to) {
				issues = append(issues, fairmatch.Issue{Record: record, Field: "from", Reason: fmt.Sprintf("session %q overlaps session %q", name, o.name)})
			}
		}
		spans = append(spans, span{name, from, to})
	}
	if len(day.Sessions) == 0 {
		issues = append(issues, fairmatch.Issue{Record: "day", Field: "sessions", Reason: "no session"})
	}
	if len(issues) > 0 {
		return nil, nil, issues
	}
	slices.SortFunc(spans, func(a, b span) int { return a.from.Compare(b.from) })
	var times []slotTime
	var sessions []Session
	for _, sp := range spans {
		first := len(times) + 1
		for t := sp.from; !t.Add(slot).After(sp.to); t = t.Add(step) {
			times = append(times, slotTime{t, t.Add(slot)})
		}
		if len(times) >= first {
			sessions = append(sessions, Session{Name: sp.name, First: first, Last: len(times)})
		}
	}
	if len(times) == 0 {
		issues = append(issues, fairmatch.Issue{Record: "day", Field: "sessions", Reason: fmt.Sprintf("no session is long enough for a %v slot", slot)})
	}
	return times, sessions, issues
}

// clockTime returns the time "HH:MM" (00:00 to 24:00) on date's day in loc.
func clockTime(date time.Time, hhmm string, loc *time.Location) (time.Time, error) {
	digit := func(i int) int { return int(hhmm[i] - '0') }
	ok := len(hhmm) == 5 && hhmm[2] == ':'
	for _, i := range []int{0, 1, 3, 4} {
		ok = ok && hhmm[i] >= '0' && hhmm[i] <= '9'
	}
	var hour, minute int
	if ok {
		hour, minute = 10*digit(0)+digit(1), 10*digit(3)+digit(4)
		ok = minute < 60 && (hour < 24 || (hour == 24 && minute == 0))
	}
	if !ok {
		return time.Time{}, fmt.Errorf("time %q is not HH:MM", hhmm)
	}
	y, mo, d := date.Date()
	return time.Date(y, mo, d, hour, minute, 0, 0, loc), nil
}

// unavailableSlots returns, for each person with windows for the fair, the
// slots (1-based) that do not lie entirely inside one of them.
func unavailableSlots(people []fairmatch.Person, fair string, times []slotTime, loc *time.Location) (map[string][]int, []fairmatch.Issue) {
	out := make(map[string][]int)
	var issues []fairmatch.Issue
	if len(times) == 0 {
		return out, nil
	}
	date := times[0].start
	for i, p := range people {
		windows, restricted := p.Available.Windows(fair)
		if !restricted {
			continue
		}
		record := fmt.Sprintf("people[%d]", i)
		type span struct{ from, to time.Time }
		var spans []span
		for _, w := range windows {
			from, err1 := clockTime(date, w.From, loc)
			to, err2 := clockTime(date, w.To, loc)
			if err := cmp.Or(err1, err2); err != nil {
				issues = append(issues, fairmatch.Issue{Record: record, Field: "available", Reason: fmt.Sprintf("person %s: %v", p.ID, err)})
				continue
			}
			spans = append(spans, span{from, to})
		}
		var slots []int
		for s, t := range times {
			inside := slices.ContainsFunc(spans, func(sp span) bool { return !t.start.Before(sp.from) && !t.end.After(sp.to) })
			if !inside {
				slots = append(slots, s+1)
			}
		}
		out[p.ID] = slots
	}
	return out, issues
}

// proposalIssues checks the proposals: ids without whitespace, attendees,
// and one proposal per enterprise–university pair (the meeting id).
func proposalIssues(proposals []fairmatch.Proposal) []fairmatch.Issue {
	var issues []fairmatch.Issue
	pairs := make(map[string]int, len(proposals))
	for i, p := range proposals {
		record := fmt.Sprintf("proposals[%d]", i)
		if reason := badID(p.Enterprise); reason != "" {
			issues = append(issues, fairmatch.Issue{Record: record, Field: "enterprise", Reason: reason})
		}
		if reason := badID(p.University); reason != "" {
			issues = append(issues, fairmatch.Issue{Record: record, Field: "university", Reason: reason})
		}
		if len(p.Attendees) == 0 {
			issues = append(issues, fairmatch.Issue{Record: record, Field: "attendees", Reason: "no attendees"})
		}
		for k, a := range p.Attendees {
			if reason := badID(a); reason != "" {
				issues = append(issues, fairmatch.Issue{Record: record, Field: "attendees", Reason: reason})
			} else if slices.Contains(p.Attendees[:k], a) {
				issues = append(issues, fairmatch.Issue{Record: record, Field: "attendees", Reason: fmt.Sprintf("attendee %q listed twice", a)})
			}
		}
		id := meetingID(p)
		if j, dup := pairs[id]; dup {
			issues = append(issues, fairmatch.Issue{Record: record, Field: "university",
				Reason: fmt.Sprintf("pair %s–%s is also proposals[%d]", p.Enterprise, p.University, j)})
		} else {
			pairs[id] = i
		}
	}
	return issues
}

// tableSeats returns the seats of each of the day's tables, in the order
// of Day.Tables, 0 for a table that seats any number.
func tableSeats(day fairmatch.Day) []int {
	seats := make([]int, len(day.Tables))
	for i, name := range day.Tables {
		seats[i] = day.Seats[name]
	}
	return seats
}

// seatIssues checks Day.Seats: every name is a table of the day and every
// count is positive.
func seatIssues(day fairmatch.Day) []fairmatch.Issue {
	names := make([]string, 0, len(day.Seats))
	for name := range day.Seats {
		names = append(names, name)
	}
	slices.Sort(names)
	var issues []fairmatch.Issue
	for _, name := range names {
		field := "seats." + name
		switch n := day.Seats[name]; {
		case !slices.Contains(day.Tables, name):
			issues = append(issues, fairmatch.Issue{Record: "day", Field: field, Reason: fmt.Sprintf("no table %q", name)})
		case n < 1:
			issues = append(issues, fairmatch.Issue{Record: "day", Field: field, Reason: fmt.Sprintf("seats %d is below 1", n)})
		}
	}
	return issues
}
