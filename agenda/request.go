package agenda

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode"

	"github.com/fairmatch/fairmatch"
)

// Request is an agenda request (formats.md §4): the meetings to place in
// slots 1..Slots, at most Tables of them at a time.
//
// TableSeats is an extension of formats.md §4 ("table_seats", optional):
// the seats at each table 1..Tables, 0 for a table that seats any number.
// A meeting sits only at a table with a seat for each of its attendees.
// Without it every table seats any number, as in formats.md §4.
//
// When not every meeting fits, meetings earlier in Meetings have priority:
// [BuildFair] orders them by the proposals' scores. Slots may not exceed
// [MaxSlots], which bounds the memory a request can ask for.
type Request struct {
	Slots          int           `json:"slots"`
	Sessions       []Session     `json:"sessions,omitempty"`
	Tables         int           `json:"tables"`
	TableSeats     []int         `json:"table_seats,omitempty"`
	MaxBreakSpread *int          `json:"max_break_spread,omitempty"`
	Participants   []Participant `json:"participants,omitempty"`
	Meetings       []Meeting     `json:"meetings"`
}

// MaxSlots is the most slots a request may have (a day of one-minute slots
// has 1,440).
const MaxSlots = 10_000

// Session names a range of slots, First..Last inclusive. Sessions are disjoint.
type Session struct {
	Name  string `json:"name"`
	First int    `json:"first"`
	Last  int    `json:"last"`
}

// Participant lists the slots in which a participant meets no one.
// Participants without constraints may be left out of a request.
type Participant struct {
	ID          string `json:"id"`
	Unavailable []int  `json:"unavailable,omitempty"`
}

// Meeting is a meeting to place. Slot, when not 0, pins its start slot;
// Duration 0 means 1; After lists the meetings that must end before it starts.
type Meeting struct {
	ID        string   `json:"id"`
	Attendees []string `json:"attendees"`
	Session   string   `json:"session,omitempty"`
	Slot      int      `json:"slot,omitempty"`
	After     []string `json:"after,omitempty"`
	Duration  int      `json:"duration,omitempty"`
}

// duration returns the number of slots the meeting occupies.
func (m *Meeting) duration() int {
	if m.Duration < 1 {
		return 1
	}
	return m.Duration
}

// Result statuses (formats.md §4).
const (
	StatusOptimal    = "optimal"    // every meeting placed, total breaks proven minimal
	StatusFeasible   = "feasible"   // every meeting placed, not proven minimal
	StatusPartial    = "partial"    // some meetings unscheduled; the placed ones obey every rule
	StatusInfeasible = "infeasible" // proven: no schedule places every meeting
	StatusUnknown    = "unknown"    // nothing found
)

// Result is an agenda result (formats.md §4).
//
// Reason is not part of formats.md §4: it says, for people, why a result is
// "infeasible" (the proof) or "unknown". Neither are Moved and TableChanged,
// set by a re-plan ([Options.Keep]): the meetings of the previous result
// placed at another start slot or left unscheduled, and those only seated
// at another table. Meetings and Unscheduled are set
// whatever the status: an "infeasible" result still carries the largest
// placement found, every rule obeyed, with the rest in Unscheduled.
type Result struct {
	Status       string      `json:"status"`
	Breaks       Breaks      `json:"breaks"`
	Meetings     []Placement `json:"meetings"`
	Unscheduled  []string    `json:"unscheduled"`
	Moved        int         `json:"moved,omitempty"`
	TableChanged int         `json:"table_changed,omitempty"`
	Reason       string      `json:"reason,omitempty"`
}

// Breaks sums up the participants' breaks: the number of idle gaps between
// consecutive meetings of a participant, over every attendee of the request.
type Breaks struct {
	Total int `json:"total"`
	Max   int `json:"max"`
	Min   int `json:"min"`
}

// Placement is where a meeting was placed: its start slot and its table,
// both 1-based.
type Placement struct {
	ID    string `json:"id"`
	Slot  int    `json:"slot"`
	Table int    `json:"table"`
}

// wire forms of the request's records: json.RawMessage for the nested
// records, so each is decoded (and reported) on its own, and pointers where
// presence matters.
type wireRequest struct {
	Slots          *int              `json:"slots"`
	Sessions       []json.RawMessage `json:"sessions"`
	Tables         *int              `json:"tables"`
	TableSeats     []int             `json:"table_seats"`
	MaxBreakSpread *int              `json:"max_break_spread"`
	Participants   []json.RawMessage `json:"participants"`
	Meetings       []json.RawMessage `json:"meetings"`
}

type wireSession struct {
	Name  *string `json:"name"`
	First *int    `json:"first"`
	Last  *int    `json:"last"`
}

type wireParticipant struct {
	ID          *string `json:"id"`
	Unavailable []int   `json:"unavailable"`
}

type wireMeeting struct {
	ID        *string  `json:"id"`
	Attendees []string `json:"attendees"`
	Session   string   `json:"session"`
	Slot      *int     `json:"slot"`
	After     []string `json:"after"`
	Duration  *int     `json:"duration"`
}

// ParseRequest decodes and validates an agenda request. name is the file
// name used in error reports. Any unknown key, value of the wrong type or
// broken rule gives a *fairmatch.Error with code EINVALID whose Issues name
// the record ("meetings[4]") and the field; every bad record is reported.
func ParseRequest(name string, data []byte) (*Request, error) {
	var top wireRequest
	issues, ok := decodeObject(data, "", &top)
	if !ok {
		return nil, invalid(name, issues)
	}
	req := &Request{MaxBreakSpread: top.MaxBreakSpread, TableSeats: top.TableSeats}
	if top.Slots == nil {
		issues = append(issues, fairmatch.Issue{Field: "slots", Reason: "required"})
	} else {
		req.Slots = *top.Slots
	}
	if top.Tables == nil {
		issues = append(issues, fairmatch.Issue{Field: "tables", Reason: "required"})
	} else {
		req.Tables = *top.Tables
	}
	if top.Meetings == nil {
		issues = append(issues, fairmatch.Issue{Field: "meetings", Reason: "required"})
	}
	for i, raw := range top.Sessions {
		record := fmt.Sprintf("sessions[%d]", i)
		var w wireSession
		is, _ := decodeObject(raw, record, &w)
		issues = append(issues, is...)
		issues = append(issues, required(record, "name", w.Name != nil)...)
		issues = append(issues, required(record, "first", w.First != nil)...)
		issues = append(issues, required(record, "last", w.Last != nil)...)
		req.Sessions = append(req.Sessions, Session{Name: deref(w.Name), First: deref(w.First), Last: deref(w.Last)})
	}
	for i, raw := range top.Participants {
		record := fmt.Sprintf("participants[%d]", i)
		var w wireParticipant
		is, _ := decodeObject(raw, record, &w)
		issues = append(issues, is...)
		issues = append(issues, required(record, "id", w.ID != nil)...)
		req.Participants = append(req.Participants, Participant{ID: deref(w.ID), Unavailable: w.Unavailable})
	}
	req.Meetings = make([]Meeting, 0, len(top.Meetings))
	for i, raw := range top.Meetings {
		record := fmt.Sprintf("meetings[%d]", i)
		var w wireMeeting
		is, _ := decodeObject(raw, record, &w)
		issues = append(issues, is...)
		issues = append(issues, required(record, "id", w.ID != nil)...)
		issues = append(issues, required(record, "attendees", w.Attendees != nil)...)
		m := Meeting{ID: deref(w.ID), Attendees: w.Attendees, Session: w.Session, After: w.After}
		// Slot and Duration use 0 for "absent", so an explicit value below 1
		// is caught here rather than read as absent.
		if w.Slot != nil {
			if *w.Slot < 1 {
				issues = append(issues, fairmatch.Issue{Record: record, Field: "slot",
					Reason: fmt.Sprintf("pinned slot %d is outside 1..%d", *w.Slot, req.Slots)})
			}
			m.Slot = *w.Slot
		}
		if w.Duration != nil {
			if *w.Duration < 1 {
				issues = append(issues, fairmatch.Issue{Record: record, Field: "duration",
					Reason: fmt.Sprintf("duration %d is below 1", *w.Duration)})
			}
			m.Duration = *w.Duration
		}
		req.Meetings = append(req.Meetings, m)
	}
	if len(issues) == 0 {
		issues = req.issues()
	}
	if len(issues) > 0 {
		return nil, invalid(name, issues)
	}
	return req, nil
}

// Validate checks the request's rules (formats.md §4) and returns a
// *fairmatch.Error with code EINVALID listing every broken one, or nil.
func (r *Request) Validate() error {
	if issues := r.issues(); len(issues) > 0 {
		return invalid("", issues)
	}
	return nil
}

// issues returns every rule the request breaks.
func (r *Request) issues() []fairmatch.Issue {
	var issues []fairmatch.Issue
	add := func(record, field, format string, args ...any) {
		issues = append(issues, fairmatch.Issue{Record: record, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if r.Slots < 1 || r.Slots > MaxSlots {
		add("", "slots", "slots %d is outside 1..%d", r.Slots, MaxSlots)
	}
	if r.Tables < 1 {
		add("", "tables", "tables %d is below 1", r.Tables)
	}
	if r.TableSeats != nil && len(r.TableSeats) != r.Tables {
		add("", "table_seats", "table_seats lists %d tables for %d tables", len(r.TableSeats), r.Tables)
	}
	for i, n := range r.TableSeats {
		if n < 0 {
			add("", "table_seats", "table %d: seats %d is negative (0: any number)", i+1, n)
		}
	}
	if r.MaxBreakSpread != nil && *r.MaxBreakSpread < 0 {
		add("", "max_break_spread", "max_break_spread %d is negative", *r.MaxBreakSpread)
	}

	sessions := make(map[string]int, len(r.Sessions))
	for i, s := range r.Sessions {
		record := fmt.Sprintf("sessions[%d]", i)
		switch j, dup := sessions[s.Name]; {
		case s.Name == "":
			add(record, "name", "empty session name")
		case dup:
			add(record, "name", "session %q is also sessions[%d]", s.Name, j)
		default:
			sessions[s.Name] = i
		}
		if s.First < 1 || s.First > r.Slots {
			add(record, "first", "first slot %d is outside 1..%d", s.First, r.Slots)
		}
		if s.Last < s.First || s.Last > r.Slots {
			add(record, "last", "last slot %d is outside %d..%d", s.Last, s.First, r.Slots)
		}
		for j := range i {
			o := r.Sessions[j]
			if s.First <= o.Last && o.First <= s.Last {
				add(record, "first", "session %q (%d..%d) overlaps sessions[%d] %q (%d..%d)",
					s.Name, s.First, s.Last, j, o.Name, o.First, o.Last)
			}
		}
	}

	people := make(map[string]int, len(r.Participants))
	for i, p := range r.Participants {
		record := fmt.Sprintf("participants[%d]", i)
		if reason := badID(p.ID); reason != "" {
			add(record, "id", "%s", reason)
		} else if j, dup := people[p.ID]; dup {
			add(record, "id", "participant %q is also participants[%d]", p.ID, j)
		} else {
			people[p.ID] = i
		}
		for _, s := range p.Unavailable {
			if s < 1 || s > r.Slots {
				add(record, "unavailable", "participant %q: slot %d is outside 1..%d", p.ID, s, r.Slots)
			}
		}
	}

	ids := make(map[string]int, len(r.Meetings))
	for i, m := range r.Meetings {
		record := fmt.Sprintf("meetings[%d]", i)
		if reason := badID(m.ID); reason != "" {
			add(record, "id", "%s", reason)
		} else if j, dup := ids[m.ID]; dup {
			add(record, "id", "meeting %q is also meetings[%d]", m.ID, j)
		} else {
			ids[m.ID] = i
		}
		if len(m.Attendees) == 0 {
			add(record, "attendees", "meeting %q has no attendees", m.ID)
		}
		for k, a := range m.Attendees {
			if reason := badID(a); reason != "" {
				add(record, "attendees", "meeting %q: attendee %d: %s", m.ID, k, reason)
			} else if slices.Contains(m.Attendees[:k], a) {
				add(record, "attendees", "meeting %q lists %q twice", m.ID, a)
			}
		}
		if _, ok := sessions[m.Session]; m.Session != "" && !ok {
			add(record, "session", "meeting %q: unknown session %q", m.ID, m.Session)
		}
		if m.Slot < 0 || m.Slot > r.Slots {
			add(record, "slot", "meeting %q: pinned slot %d is outside 1..%d", m.ID, m.Slot, r.Slots)
		}
		if m.Duration < 0 {
			add(record, "duration", "meeting %q: duration %d is below 1", m.ID, m.Duration)
		}
	}
	for i, m := range r.Meetings {
		record := fmt.Sprintf("meetings[%d]", i)
		for k, b := range m.After {
			switch {
			case b == m.ID:
				add(record, "after", "meeting %q is after itself", m.ID)
			case slices.Contains(m.After[:k], b):
				add(record, "after", "meeting %q lists %q twice", m.ID, b)
			default:
				if _, ok := ids[b]; !ok {
					add(record, "after", "meeting %q: unknown meeting %q", m.ID, b)
				}
			}
		}
	}
	// A cycle of `after` is not bad input but an impossible request: Solve
	// proves it infeasible and names the cycle.
	return issues
}

// afterCycle returns a cycle of the `after` relation (its first meeting
// repeated at the end), or nil. ids maps each meeting id to its index.
func afterCycle(meetings []Meeting, ids map[string]int) []string {
	const (
		unseen = iota
		open
		done
	)
	color := make([]int8, len(meetings))
	var stack []int
	var cycle []string
	var visit func(i int) bool
	visit = func(i int) bool {
		color[i] = open
		stack = append(stack, i)
		for _, b := range meetings[i].After {
			j := ids[b]
			switch color[j] {
			case open:
				k := slices.Index(stack, j)
				for _, x := range stack[k:] {
					cycle = append(cycle, meetings[x].ID)
				}
				cycle = append(cycle, meetings[j].ID)
				return true
			case unseen:
				if visit(j) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[i] = done
		return false
	}
	for i := range meetings {
		if color[i] == unseen && visit(i) {
			return cycle
		}
	}
	return nil
}

// badID returns why s is not a valid id, or "".
func badID(s string) string {
	if s == "" {
		return "empty id"
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return fmt.Sprintf("id %q contains whitespace", s)
	}
	return ""
}

// decodeObject decodes the JSON object data into the struct dst points to,
// key by key, so that an unknown key or a value of the wrong type is reported
// with its record and field. ok is false when data is not a JSON object.
func decodeObject(data []byte, record string, dst any) (issues []fairmatch.Issue, ok bool) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		reason := "not a JSON object"
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			line := 1 + bytes.Count(data[:min(int(syn.Offset), len(data))], []byte("\n"))
			reason = fmt.Sprintf("line %d: %v", line, syn)
		}
		return []fairmatch.Issue{{Record: record, Reason: reason}}, false
	}
	v := reflect.ValueOf(dst).Elem()
	t := v.Type()
	byTag := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		byTag[tag] = i
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		i, known := byTag[k]
		if !known {
			issues = append(issues, fairmatch.Issue{Record: record, Field: k, Reason: "unknown field"})
			continue
		}
		f := v.Field(i)
		if err := json.Unmarshal(fields[k], f.Addr().Interface()); err != nil {
			f.SetZero()
			issues = append(issues, fairmatch.Issue{Record: record, Field: k, Reason: "want " + describe(f.Type())})
		}
	}
	return issues, true
}

// describe names a wire type for people.
func describe(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return describe(t.Elem())
	case reflect.Int:
		return "an integer"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		switch t.Elem().Kind() {
		case reflect.Int:
			return "a list of integers"
		case reflect.String:
			return "a list of strings"
		}
		return "a list of objects"
	}
	return t.String()
}

func required(record, field string, present bool) []fairmatch.Issue {
	if present {
		return nil
	}
	return []fairmatch.Issue{{Record: record, Field: field, Reason: "required"}}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// invalid returns the EINVALID error for a request file with the given issues.
func invalid(file string, issues []fairmatch.Issue) *fairmatch.Error {
	for i := range issues {
		issues[i].File = file
	}
	msg := "invalid agenda request"
	if file != "" {
		msg += " " + file
	}
	return fairmatch.Invalid(msg, issues)
}
