package agenda

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// This file holds held-out-style variants of the b2b instances (issue 4:
// "variants with forbidden slots, pinned meetings and precedences, some of
// which have no feasible schedule") and a fuzz target on small requests.
//
// A variant is built from an instance and a known complete schedule of it
// (Solve's own, checked by the validator). Variants that only add rules the
// known schedule obeys (unavailable slots where its attendees are idle,
// sessions and pins at its slots, chains in its order, longer meetings where
// its attendees are idle next, as few tables as it uses) are feasible: the
// known schedule is re-checked against every one of them, so an
// "infeasible" there is a false proof, and an "optimal" with more breaks
// than the known schedule a false optimum. Variants that only restrict the
// instance keep its published optimum as a lower bound. Others are
// infeasible by construction (a pinned clash, more pins than tables, a
// participant with more meetings than free slots, a precedence chain longer
// than the day, a meeting whose session its attendee is away for, a triangle
// of meetings in two slots, too few tables), each with the ids the reason
// must name; others again are random and only checked for validity.

// variantWant is what is known of a variant.
type variantWant int

const (
	wantAny        variantWant = iota // nothing: only validity is checked
	wantFeasible                      // the known schedule obeys every rule
	wantInfeasible                    // no schedule, by construction
)

func (w variantWant) String() string {
	return [...]string{"any", "feasible", "infeasible"}[w]
}

// variant is a request derived from an instance with what is known of it.
type variant struct {
	name     string
	req      *Request
	want     variantWant
	culprits []string // wantInfeasible: Reason names at least one of these
	lb       int      // every complete schedule has at least this many breaks
	ub       int      // wantFeasible: a known schedule has this many breaks
}

// knownSchedule is a complete schedule of an instance: start slot by
// meeting id.
type knownSchedule map[string]int

// scheduleResult returns known as a result of req: tables by first fit in
// order of start (optimal for intervals), breaks recomputed.
func scheduleResult(req *Request, known knownSchedule) *Result {
	res := &Result{Status: StatusFeasible, Meetings: []Placement{}, Unscheduled: []string{}}
	order := make([]int, len(req.Meetings))
	slot := make([]int, len(req.Meetings))
	for i, m := range req.Meetings {
		order[i], slot[i] = i, known[m.ID]
	}
	slices.SortStableFunc(order, func(a, b int) int { return slot[a] - slot[b] })
	busyUntil := make([]int, req.Tables+1)
	for _, i := range order {
		if slot[i] == 0 {
			res.Unscheduled = append(res.Unscheduled, req.Meetings[i].ID)
			continue
		}
		table := 1
		for table < req.Tables && busyUntil[table] >= slot[i] {
			table++
		}
		busyUntil[table] = slot[i] + req.Meetings[i].duration() - 1
		res.Meetings = append(res.Meetings, Placement{ID: req.Meetings[i].ID, Slot: slot[i], Table: table})
	}
	if len(res.Unscheduled) > 0 {
		res.Status = StatusPartial
	}
	res.Breaks = breaksOfPlacement(req, slot)
	return res
}

// feasibleBy marks v feasible, with the breaks of known as its upper
// bound, and fails the test if known breaks a rule of v: the generator
// meant to keep it.
func feasibleBy(t *testing.T, v variant, known knownSchedule) variant {
	t.Helper()
	res := scheduleResult(v.req, known)
	if errs := violations(v.req, res); len(errs) > 0 {
		t.Fatalf("variant %s: the known schedule breaks its rules (generator bug): %v", v.name, errs[:min(3, len(errs))])
	}
	v.want, v.ub = wantFeasible, res.Breaks.Total
	return v
}

// busyTable returns, per participant, the slots known keeps them busy.
func busyTable(req *Request, known knownSchedule) map[string][]bool {
	busy := map[string][]bool{}
	for _, m := range req.Meetings {
		for _, a := range m.Attendees {
			if busy[a] == nil {
				busy[a] = make([]bool, req.Slots+2)
			}
			for s := known[m.ID]; known[m.ID] != 0 && s < known[m.ID]+m.duration(); s++ {
				busy[a][s] = true
			}
		}
	}
	return busy
}

// addUnavailable makes p unavailable in slots.
func addUnavailable(req *Request, p string, slots ...int) {
	for i := range req.Participants {
		if req.Participants[i].ID == p {
			for _, s := range slots {
				if !slices.Contains(req.Participants[i].Unavailable, s) {
					req.Participants[i].Unavailable = append(req.Participants[i].Unavailable, s)
				}
			}
			slices.Sort(req.Participants[i].Unavailable)
			return
		}
	}
	req.Participants = append(req.Participants, Participant{ID: p, Unavailable: slices.Sorted(slices.Values(slots))})
}

// unavailableSet returns the unavailable slots by participant.
func unavailableSet(req *Request) map[string]map[int]bool {
	off := map[string]map[int]bool{}
	for _, p := range req.Participants {
		off[p.ID] = map[int]bool{}
		for _, s := range p.Unavailable {
			off[p.ID][s] = true
		}
	}
	return off
}

// sessionAt returns the session holding slot s, or nil.
func sessionAt(req *Request, s int) *Session {
	for i := range req.Sessions {
		if req.Sessions[i].First <= s && s <= req.Sessions[i].Last {
			return &req.Sessions[i]
		}
	}
	return nil
}

// attendeesOf returns the participants of req's meetings, in order of first
// appearance, with their meetings.
func attendeesOf(req *Request) (people []string, meetings map[string][]int) {
	meetings = map[string][]int{}
	for i, m := range req.Meetings {
		for _, a := range m.Attendees {
			if meetings[a] == nil {
				people = append(people, a)
			}
			meetings[a] = append(meetings[a], i)
		}
	}
	return people, meetings
}

// concurrency returns the most meetings known runs in one slot.
func concurrency(req *Request, known knownSchedule) int {
	per := make([]int, req.Slots+2)
	for _, m := range req.Meetings {
		for s := known[m.ID]; s < known[m.ID]+m.duration(); s++ {
			per[s]++
		}
	}
	return slices.Max(per)
}

// makeVariants derives the variants of base, whose complete schedule known
// has been checked, with lb a lower bound on its breaks (its proven
// optimum, or 0).
func makeVariants(t *testing.T, base *Request, known knownSchedule, lb int, rng *rand.Rand) []variant {
	t.Helper()
	people, byPerson := attendeesOf(base)
	clone := func() *Request { return copyRequest(t, base) }
	var out []variant
	add := func(v variant) { out = append(out, v) }

	// Feasible by construction: rules the known schedule obeys.
	forbid := func(req *Request, share int) {
		busy := busyTable(req, known)
		off := unavailableSet(req)
		for _, p := range people {
			if rng.IntN(share) != 0 {
				continue
			}
			var idle []int
			for s := 1; s <= req.Slots; s++ {
				if !busy[p][s] && !off[p][s] {
					idle = append(idle, s)
				}
			}
			rng.Shuffle(len(idle), func(i, j int) { idle[i], idle[j] = idle[j], idle[i] })
			if n := min(len(idle), 1+rng.IntN(3)); n > 0 {
				addUnavailable(req, p, idle[:n]...)
			}
		}
	}
	restrictSessions := func(req *Request) {
		if len(req.Sessions) == 0 {
			cut := req.Slots / 2
			req.Sessions = []Session{{Name: "morning", First: 1, Last: cut}, {Name: "afternoon", First: cut + 1, Last: req.Slots}}
		}
		for i := range req.Meetings {
			m := &req.Meetings[i]
			if rng.IntN(2) == 0 && m.duration() == 1 {
				m.Session = sessionAt(req, known[m.ID]).Name
			}
		}
	}
	pin := func(req *Request, share int) {
		for i := range req.Meetings {
			if rng.IntN(share) == 0 {
				req.Meetings[i].Slot = known[req.Meetings[i].ID]
			}
		}
	}
	chain := func(req *Request, chains int) {
		order := rng.Perm(len(req.Meetings))
		for range chains {
			var links []int // meetings in increasing known slots
			for _, i := range order {
				if len(links) == 5 {
					break
				}
				if len(links) == 0 || known[req.Meetings[links[len(links)-1]].ID]+req.Meetings[links[len(links)-1]].duration() <= known[req.Meetings[i].ID] {
					links = append(links, i)
				}
			}
			for k := 1; k < len(links); k++ {
				m := &req.Meetings[links[k]]
				if b := req.Meetings[links[k-1]].ID; !slices.Contains(m.After, b) {
					m.After = append(m.After, b)
				}
			}
			order = order[len(order)/chains:]
		}
	}
	lengthen := func(req *Request, share int) {
		busy := busyTable(req, known)
		off := unavailableSet(req)
		per := make([]int, req.Slots+2)
		for _, m := range req.Meetings {
			for s := known[m.ID]; s < known[m.ID]+m.duration(); s++ {
				per[s]++
			}
		}
		for i := range req.Meetings {
			m := &req.Meetings[i]
			next := known[m.ID] + m.duration()
			if rng.IntN(share) != 0 || next > req.Slots || per[next] >= req.Tables {
				continue
			}
			if ses := sessionAt(req, known[m.ID]); ses != nil && next > ses.Last {
				continue
			}
			free := true
			for _, a := range m.Attendees {
				free = free && !busy[a][next] && !off[a][next]
			}
			if !free {
				continue
			}
			for _, a := range m.Attendees {
				busy[a][next] = true
			}
			per[next]++
			m.Duration = m.duration() + 1
		}
	}

	r := clone()
	forbid(r, 3)
	add(feasibleBy(t, variant{name: "forbid", req: r, lb: lb}, known))
	r = clone()
	restrictSessions(r)
	add(feasibleBy(t, variant{name: "sessions", req: r, lb: lb}, known))
	r = clone()
	pin(r, 8)
	add(feasibleBy(t, variant{name: "pins", req: r, lb: lb}, known))
	r = clone()
	chain(r, 6)
	add(feasibleBy(t, variant{name: "chains", req: r, lb: lb}, known))
	r = clone()
	lengthen(r, 6) // longer meetings may fill gaps: no lower bound
	add(feasibleBy(t, variant{name: "durations", req: r}, known))
	r = clone()
	r.Tables = concurrency(r, known)
	add(feasibleBy(t, variant{name: "tables-tight", req: r, lb: lb}, known))
	r = clone()
	forbid(r, 4)
	restrictSessions(r)
	pin(r, 12)
	chain(r, 4)
	lengthen(r, 10)
	add(feasibleBy(t, variant{name: "combined", req: r}, known))

	// Infeasible by construction.
	var p string // a participant with at least two meetings
	for _, q := range rng.Perm(len(people)) {
		if len(byPerson[people[q]]) >= 2 {
			p = people[q]
			break
		}
	}
	if p != "" {
		ms := byPerson[p]
		a, b := &base.Meetings[ms[0]], &base.Meetings[ms[1]]
		r = clone()
		s := known[a.ID]
		for i := range r.Meetings {
			if r.Meetings[i].ID == a.ID || r.Meetings[i].ID == b.ID {
				r.Meetings[i].Slot = s
			}
		}
		add(variant{name: "pin-clash", req: r, want: wantInfeasible, culprits: []string{a.ID, b.ID}})

		r = clone()
		free := rng.Perm(r.Slots)[:len(ms)-1]
		var away []int
		for s := 1; s <= r.Slots; s++ {
			if !slices.Contains(free, s-1) {
				away = append(away, s)
			}
		}
		addUnavailable(r, p, away...)
		add(variant{name: "overloaded", req: r, want: wantInfeasible, culprits: []string{p}})

		r = clone()
		m := &r.Meetings[ms[0]]
		m.Slot = 1 + rng.IntN(r.Slots)
		if ses := sessionAt(r, m.Slot); ses != nil && m.Session != "" && m.Session != ses.Name {
			m.Session = ses.Name
		}
		addUnavailable(r, p, m.Slot)
		add(variant{name: "pin-unavailable", req: r, want: wantInfeasible, culprits: []string{m.ID, p}})
	}

	r = clone()
	var pinned []string
	s := 1 + rng.IntN(r.Slots)
	for _, i := range rng.Perm(len(r.Meetings))[:min(len(r.Meetings), r.Tables+1)] {
		r.Meetings[i].Slot, r.Meetings[i].Session, r.Meetings[i].Duration = s, "", 0
		pinned = append(pinned, r.Meetings[i].ID)
	}
	if len(pinned) > r.Tables {
		add(variant{name: "pin-overfill", req: r, want: wantInfeasible, culprits: pinned})
	}

	if len(base.Meetings) > base.Slots {
		r = clone()
		idx := rng.Perm(len(r.Meetings))[:r.Slots+1]
		var ids []string
		for k, i := range idx {
			ids = append(ids, r.Meetings[i].ID)
			if k > 0 {
				r.Meetings[i].After = append(r.Meetings[i].After, r.Meetings[idx[k-1]].ID)
			}
		}
		add(variant{name: "chain-too-long", req: r, want: wantInfeasible, culprits: ids})
	}

	r = clone()
	{
		i := rng.IntN(len(r.Meetings))
		a, b := &r.Meetings[i], &r.Meetings[(i+1+rng.IntN(len(r.Meetings)-1))%len(r.Meetings)]
		a.Slot, a.Session, a.Duration = 2+rng.IntN(r.Slots-1), "", 0
		b.Slot, b.Session, b.Duration = 1+rng.IntN(a.Slot-1), "", 0
		b.After = append(slices.DeleteFunc(b.After, func(x string) bool { return x == a.ID }), a.ID)
		// b after a, yet pinned before it; drop any `after` of a's that
		// names b, or the request has a cycle.
		a.After = slices.DeleteFunc(a.After, func(x string) bool { return x == b.ID })
		add(variant{name: "pin-precedence", req: r, want: wantInfeasible, culprits: []string{a.ID, b.ID}})
	}

	if p != "" {
		r = clone()
		i := byPerson[p][0]
		m := &r.Meetings[i]
		m.Duration, m.Slot = 0, 0
		var away []int
		if len(r.Sessions) == 0 {
			r.Sessions = []Session{{Name: "morning", First: 1, Last: r.Slots / 2}, {Name: "afternoon", First: r.Slots/2 + 1, Last: r.Slots}}
		}
		ses := r.Sessions[rng.IntN(len(r.Sessions))]
		m.Session = ses.Name
		for s := ses.First; s <= ses.Last; s++ {
			away = append(away, s)
		}
		addUnavailable(r, p, away...)
		add(variant{name: "session-away", req: r, want: wantInfeasible, culprits: []string{m.ID, p}})
	}

	// A triangle of meetings whose attendees share only two slots: the
	// simple arguments see nothing (each of them has two meetings and two
	// slots), only a search proves it.
	r = clone()
	{
		first := 1 + rng.IntN(r.Slots-1)
		for k := range 3 {
			id := fmt.Sprintf("zz%d", k)
			var away []int
			for s := 1; s <= r.Slots; s++ {
				if s != first && s != first+1 {
					away = append(away, s)
				}
			}
			addUnavailable(r, id, away...)
			r.Meetings = append(r.Meetings, Meeting{ID: fmt.Sprintf("tri%d", k), Attendees: []string{id, fmt.Sprintf("zz%d", (k+1)%3)}})
		}
		add(variant{name: "triangle", req: r, want: wantInfeasible, culprits: []string{"tri0", "tri1", "tri2"}})
	}

	r = clone()
	if r.Tables = (len(r.Meetings) - 1) / r.Slots; r.Tables >= 1 {
		add(variant{name: "tables-short", req: r, want: wantInfeasible, culprits: []string{"tables", "table"}})
	}

	// Nothing known but a lower bound.
	r = clone()
	floor := (len(r.Meetings) + r.Slots - 1) / r.Slots
	if r.Tables = (floor + concurrency(r, known) + 1) / 2; r.Tables >= floor {
		add(variant{name: "tables-between", req: r, lb: lb})
	}
	r = clone()
	for _, q := range people {
		if rng.IntN(3) == 0 {
			addUnavailable(r, q, 1+rng.IntN(r.Slots))
		}
	}
	add(variant{name: "random-forbid", req: r, lb: lb})
	r = clone()
	for i := range r.Meetings {
		if rng.IntN(10) == 0 {
			r.Meetings[i].Duration = 2
		}
	}
	add(variant{name: "random-durations", req: r})
	r = clone()
	for range len(r.Meetings) / 10 {
		i, j := rng.IntN(len(r.Meetings)), rng.IntN(len(r.Meetings))
		if i > j { // later after earlier: never a cycle
			if b := r.Meetings[j].ID; !slices.Contains(r.Meetings[i].After, b) {
				r.Meetings[i].After = append(r.Meetings[i].After, b)
			}
		}
	}
	add(variant{name: "random-chains", req: r, lb: lb})

	for i := range out {
		out[i].req.Participants = slices.DeleteFunc(out[i].req.Participants, func(p Participant) bool { return len(p.Unavailable) == 0 })
		if err := out[i].req.Validate(); err != nil {
			t.Fatalf("variant %s is not a valid request (generator bug): %v", out[i].name, err)
		}
		if out[i].want != wantFeasible {
			out[i].ub = -1
		}
	}
	return out
}

// variantTally counts the sweep's outcomes.
type variantTally struct {
	status   map[string]int
	byWant   map[string]int // "want/status"
	weak     []string       // weaker than known: partial on a feasible variant, not proven infeasible
	variants int
}

// checkVariant solves v with Solve and checks the result: every rule
// (violations, and check-agenda when path is not empty), the claimed status
// against what is known of v, and the reason of "infeasible" and "partial".
func checkVariant(t *testing.T, v variant, res *Result, path string, tally *variantTally) {
	t.Helper()
	if errs := violations(v.req, res); len(errs) > 0 {
		t.Fatalf("%s: result breaks rules:\n%s", v.name, strings.Join(errs[:min(5, len(errs))], "\n"))
	}
	if path != "" {
		runChecker(t, path, v.req, res)
	}
	tally.variants++
	tally.status[res.Status]++
	tally.byWant[v.want.String()+"/"+res.Status]++
	complete := res.Status == StatusOptimal || res.Status == StatusFeasible
	switch {
	case res.Status == StatusInfeasible && v.want == wantFeasible:
		t.Fatalf("%s: claims infeasible (%s), yet a known schedule obeys every rule", v.name, res.Reason)
	case complete && v.want == wantInfeasible:
		t.Fatalf("%s: a complete %s schedule of an infeasible variant", v.name, res.Status)
	case complete && res.Breaks.Total < v.lb:
		t.Fatalf("%s: %d breaks, below the lower bound %d", v.name, res.Breaks.Total, v.lb)
	case res.Status == StatusOptimal && v.ub >= 0 && res.Breaks.Total > v.ub:
		t.Fatalf("%s: claims %d breaks optimal; a known schedule has %d", v.name, res.Breaks.Total, v.ub)
	}
	switch res.Status {
	case StatusInfeasible:
		if res.Reason == "" {
			t.Fatalf("%s: infeasible without a reason", v.name)
		}
		if v.want == wantInfeasible && !slices.ContainsFunc(v.culprits, func(id string) bool { return mentions(res.Reason, id) }) {
			t.Errorf("%s: the reason %q names none of %v", v.name, res.Reason, v.culprits)
		}
	case StatusPartial:
		if res.Reason == "" {
			t.Errorf("%s: partial (%d left out) without a reason", v.name, len(res.Unscheduled))
		}
	}
	if (v.want == wantFeasible && !complete) || (v.want == wantInfeasible && res.Status != StatusInfeasible) {
		tally.weak = append(tally.weak, fmt.Sprintf("%s: %s (%s)", v.name, res.Status, res.Reason))
	}
}

// mentions reports whether reason names id as a word (so that "m1" is not
// found in "m12").
func mentions(reason, id string) bool {
	for i := 0; ; {
		k := strings.Index(reason[i:], id)
		if k < 0 {
			return false
		}
		a, b := i+k, i+k+len(id)
		if (a == 0 || !isIDByte(reason[a-1])) && (b == len(reason) || !isIDByte(reason[b])) {
			return true
		}
		i = a + 1
	}
}

func isIDByte(c byte) bool {
	return c == '_' || c == '-' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// sweepLong reports whether the long sweep is asked for.
func sweepLong() bool { return os.Getenv("AGENDA_SWEEP") != "" }

// TestVariantsB2B builds the variants of every b2b instance from a
// schedule Solve finds for it and checks Solve on each. By default every
// instance contributes a rotating share of its variants at a 1 s limit
// (about 20 s in all); with AGENDA_SWEEP=1, every variant at 3 s. Under
// the race detector only the infeasible variants of one instance run, at
// 300 ms.
func TestVariantsB2B(t *testing.T) {
	if testing.Short() {
		t.Skip("variant sweep skipped in -short mode")
	}
	path := checker(t)
	files, optimum := b2bInstances(t)
	limit, share := time.Second, 4
	if sweepLong() {
		limit, share = 3*time.Second, 1
	}
	if raceEnabled {
		limit = 300 * time.Millisecond
	}
	tally := &variantTally{status: map[string]int{}, byWant: map[string]int{}}
	start := time.Now()
	for fi, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		if raceEnabled && fi > 0 {
			break
		}
		base := loadB2B(t, name)
		baseRes := Solve(t.Context(), base, Options{Seed: 1, TimeLimit: 2 * time.Second})
		if len(baseRes.Unscheduled) > 0 {
			t.Fatalf("%s: base instance %s, every b2b instance has a schedule", name, baseRes.Status)
		}
		known := knownSchedule{}
		for _, p := range baseRes.Meetings {
			known[p.ID] = p.Slot
		}
		rng := rand.New(rand.NewPCG(uint64(fi), 4))
		for k, v := range makeVariants(t, base, known, optimum[name], rng) {
			if raceEnabled && v.want != wantInfeasible || !raceEnabled && (k+fi)%share != 0 {
				continue
			}
			t.Run(name+"/"+v.name, func(t *testing.T) {
				began := time.Now()
				res := Solve(t.Context(), v.req, Options{Seed: 2, TimeLimit: limit})
				took := time.Since(began)
				checkVariant(t, v, res, path, tally)
				t.Logf("%s %s: %s, %d/%d placed, %d breaks (lb %d, known %d) in %v; %.120s",
					name, v.name, res.Status, len(res.Meetings), len(v.req.Meetings), res.Breaks.Total, v.lb, v.ub, took.Round(time.Millisecond), res.Reason)
			})
		}
	}
	t.Logf("%d variants in %v: %v; by expectation/status: %v", tally.variants, time.Since(start).Round(time.Millisecond), tally.status, tally.byWant)
	for _, w := range tally.weak {
		t.Logf("proven less than known: %s", w)
	}
}

// smallBase returns a small request cut from a b2b instance: the meetings
// among the participants met by a walk from a random one, at most n, in
// slots slots with a few tables.
func smallBase(base *Request, rng *rand.Rand, n, slots int) *Request {
	_, byPerson := attendeesOf(base)
	seen := map[int]bool{}
	var picked []int
	queue := []string{base.Meetings[rng.IntN(len(base.Meetings))].Attendees[0]}
	for len(queue) > 0 && len(picked) < n {
		p := queue[0]
		queue = queue[1:]
		for _, i := range byPerson[p] {
			if !seen[i] && len(picked) < n {
				seen[i] = true
				picked = append(picked, i)
				queue = append(queue, base.Meetings[i].Attendees...)
			}
		}
	}
	req := &Request{Slots: slots, Tables: 2 + rng.IntN(3), MaxBreakSpread: base.MaxBreakSpread}
	if slots >= 4 && rng.IntN(2) == 0 {
		req.Sessions = []Session{{Name: "morning", First: 1, Last: slots / 2}, {Name: "afternoon", First: slots/2 + 1, Last: slots}}
	}
	for _, i := range picked {
		m := base.Meetings[i]
		req.Meetings = append(req.Meetings, Meeting{ID: m.ID, Attendees: slices.Clone(m.Attendees)})
	}
	return req
}

// mipLimit bounds one MIP solve of TestVariantsSmallExact.
const mipLimit = 5 * time.Second

// TestVariantsSmallExact cuts small requests from the b2b instances,
// derives their variants and checks Solve's every claim against an exact
// reference: the brute force for up to 7 meetings (Solve searches those
// exhaustively, so it must prove the brute force's answer), glpsol's MIP
// for a sample of larger ones (8–13 meetings), each given mipLimit.
func TestVariantsSmallExact(t *testing.T) {
	if testing.Short() {
		t.Skip("variant sweep skipped in -short mode")
	}
	files, _ := b2bInstances(t)
	mip, mipErr := findMIPSolver()
	rounds, mipEvery := 1, 1 // round 0: brute force only
	if sweepLong() {
		rounds, mipEvery = 4, 3
	}
	if raceEnabled {
		rounds, mip = 1, nil
	}
	tally := &variantTally{status: map[string]int{}, byWant: map[string]int{}}
	agree, mipRuns, mipSlow, start := 0, 0, 0, time.Now()
	for round := range rounds {
		for fi, file := range files {
			if raceEnabled && fi > 0 {
				break
			}
			base := loadB2B(t, strings.TrimSuffix(filepath.Base(file), ".json"))
			rng := rand.New(rand.NewPCG(uint64(round), uint64(fi)))
			large := round%2 == 1
			n, slots := 5, 4+rng.IntN(2)
			if large {
				n, slots = 8+rng.IntN(3), 5+rng.IntN(2)
			}
			small := smallBase(base, rng, n, slots)
			res := Solve(t.Context(), small, Options{Seed: 1, TimeLimit: 2 * time.Second})
			if len(res.Unscheduled) > 0 {
				small.Tables, small.Slots = len(small.Meetings), 2*len(small.Meetings)
				small.Sessions, small.MaxBreakSpread = nil, nil
				res = Solve(t.Context(), small, Options{Seed: 1, TimeLimit: 2 * time.Second})
				if len(res.Unscheduled) > 0 {
					t.Fatalf("no schedule of %d meetings in %d slots at %d tables: %s", len(small.Meetings), small.Slots, small.Tables, res.Status)
				}
			}
			known := knownSchedule{}
			for _, p := range res.Meetings {
				known[p.ID] = p.Slot
			}
			for k, v := range makeVariants(t, small, known, 0, rng) {
				name := fmt.Sprintf("r%d/f%d/%s", round, fi, v.name)
				exhaustive := len(v.req.Meetings) <= 7
				useMIP := !exhaustive && mip != nil && k%mipEvery == round%mipEvery
				t.Run(name, func(t *testing.T) {
					res := Solve(t.Context(), v.req, Options{Seed: 3, TimeLimit: time.Second})
					checkVariant(t, v, res, "", tally)
					var feasible bool
					var best int
					switch {
					case exhaustive:
						feasible, best = bruteForce(v.req)
					case useMIP:
						ctx, cancel := context.WithTimeout(t.Context(), mipLimit)
						defer cancel()
						ref, err := mip.solve(ctx, v.req, filepath.Join(t.TempDir(), "v"))
						if ctx.Err() != nil {
							mipSlow++
							t.Logf("the MIP found no answer within %v", mipLimit)
							return
						}
						if err != nil {
							t.Fatal(err)
						}
						mipRuns++
						feasible, best = ref.feasible, ref.breaks
					default:
						return
					}
					switch {
					case v.want == wantFeasible && !feasible:
						t.Fatalf("the reference finds no schedule of a variant a known schedule obeys (reference or generator wrong)")
					case v.want == wantInfeasible && feasible:
						t.Fatalf("the reference schedules a variant built infeasible (generator wrong)")
					case !feasible && (res.Status == StatusOptimal || res.Status == StatusFeasible):
						t.Fatalf("no schedule exists, Solve says %s", res.Status)
					case feasible && res.Status == StatusInfeasible:
						t.Fatalf("Solve claims infeasible (%s); the reference has %d breaks", res.Reason, best)
					case feasible && res.Status == StatusOptimal && res.Breaks.Total != best:
						t.Fatalf("Solve claims %d breaks optimal; the reference optimum is %d", res.Breaks.Total, best)
					case feasible && (res.Status == StatusFeasible) && res.Breaks.Total < best:
						t.Fatalf("Solve's %d breaks beat the optimum %d", res.Breaks.Total, best)
					case exhaustive && feasible && (res.Status != StatusOptimal || res.Breaks.Total != best):
						t.Fatalf("optimum %d, Solve (exhaustive) says %s with %d", best, res.Status, res.Breaks.Total)
					case exhaustive && !feasible && res.Status != StatusInfeasible:
						t.Fatalf("no schedule, Solve (exhaustive) says %s", res.Status)
					}
					agree++
				})
			}
		}
	}
	if mipErr != nil {
		t.Logf("no MIP comparison: %v", mipErr)
	}
	t.Logf("%d small variants in %v, %d checked against the brute force or the MIP (%d MIP runs, %d MIP timeouts): %v; by expectation/status: %v",
		tally.variants, time.Since(start).Round(time.Millisecond), agree, mipRuns, mipSlow, tally.status, tally.byWant)
	for _, w := range tally.weak {
		t.Logf("proven less than known: %s", w)
	}
}

// TestVariantsCLI runs `fairmatch agenda` end to end on a sample of
// variants of one b2b instance: the result file must pass check-agenda with
// the status Solve gives in-process, and a cyclic `after` must be refused
// with a message naming the record.
func TestVariantsCLI(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("builds the command; skipped in -short mode and under the race detector")
	}
	path := checker(t)
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build the command")
	}
	base := loadB2B(t, "tic-12.original")
	bin := filepath.Join(t.TempDir(), "fairmatch")
	if out, err := exec.CommandContext(t.Context(), goTool, "build", "-o", bin, "../cmd/fairmatch").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	res := Solve(t.Context(), base, Options{Seed: 1, TimeLimit: 2 * time.Second})
	known := knownSchedule{}
	for _, p := range res.Meetings {
		known[p.ID] = p.Slot
	}
	tally := &variantTally{status: map[string]int{}, byWant: map[string]int{}}
	for k, v := range makeVariants(t, base, known, 0, rand.New(rand.NewPCG(7, 7))) {
		if k%3 != 0 {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			dir := t.TempDir()
			in, out := filepath.Join(dir, "req.json"), filepath.Join(dir, "res.json")
			data, err := json.Marshal(v.req)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(in, data, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(t.Context(), bin, "agenda", "--in", in, "--out", out, "--time-limit", "1s", "--seed", "2")
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("fairmatch agenda: %v\n%s", err, msg)
			}
			raw, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var got Result
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("result file: %v", err)
			}
			checkVariant(t, v, &got, path, tally)
			t.Logf("%s: %s, %d breaks", v.name, got.Status, got.Breaks.Total)
		})
	}

	t.Run("cycle", func(t *testing.T) {
		r := copyRequest(t, base)
		r.Meetings[0].After = append(r.Meetings[0].After, r.Meetings[2].ID)
		r.Meetings[2].After = append(r.Meetings[2].After, r.Meetings[1].ID)
		r.Meetings[1].After = append(r.Meetings[1].After, r.Meetings[0].ID)
		data, _ := json.Marshal(r)
		// A cycle is an impossible request, not bad input: the result is
		// written (exit 0), infeasible, and names the cycle.
		if _, err := ParseRequest("req.json", data); err != nil {
			t.Fatalf("a cyclic `after`: ParseRequest gives %v, want a valid request", err)
		}
		in := filepath.Join(t.TempDir(), "req.json")
		if err := os.WriteFile(in, data, 0o600); err != nil {
			t.Fatal(err)
		}
		msg, err := exec.CommandContext(t.Context(), bin, "agenda", "--in", in, "--out", in+".out", "--time-limit", "1s").CombinedOutput()
		if err != nil {
			t.Fatalf("a cyclic `after`: exit %v: %s", err, msg)
		}
		raw, err := os.ReadFile(in + ".out")
		if err != nil {
			t.Fatal(err)
		}
		var got Result
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		if got.Status != StatusInfeasible || !strings.Contains(got.Reason, "cycle") || !strings.Contains(got.Reason, r.Meetings[0].ID) {
			t.Errorf("a cyclic `after`: status %s, reason %q; want infeasible naming the cycle", got.Status, got.Reason)
		}
		if v := violations(r, &got); len(v) > 0 {
			t.Errorf("the placed meetings break rules: %v", v[:min(len(v), 5)])
		}
	})
}

// FuzzSolveSmall builds a small request from the fuzz input (pins,
// precedences, durations, sessions, unavailable slots, seats and
// max_break_spread included) and checks Solve against the brute force:
// the result obeys every rule, and, as Solve searches requests this small
// exhaustively, it proves the brute force's optimum or infeasibility.
func FuzzSolveSmall(f *testing.F) {
	f.Add([]byte{3, 2, 1, 0, 0, 0, 0, 1, 2, 0, 0, 0, 2, 3, 0, 0, 0})
	f.Add([]byte{5, 1, 0x83, 1, 9, 0, 1, 2, 0x11, 0x21, 3, 0, 1, 0x12, 0, 2, 3, 4, 0, 0x40})
	f.Add([]byte{2, 3, 0xff, 0, 0, 1, 0, 1, 0x2f, 0x10, 1, 0, 2, 0, 0x30})
	f.Add([]byte{4, 2, 0x45, 7, 3, 1, 0, 1, 0, 0, 0x21, 2, 3, 1, 0x41, 1, 2, 0, 0x52, 0, 3, 0, 0x63})
	f.Fuzz(func(t *testing.T, data []byte) {
		next := func() int {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return int(b)
		}
		req := &Request{Slots: 1 + next()%6, Tables: 1 + next()%3}
		flags := next()
		if flags&1 != 0 && req.Slots >= 2 {
			cut := 1 + next()%(req.Slots-1)
			req.Sessions = []Session{{Name: "am", First: 1, Last: cut}, {Name: "pm", First: cut + 1, Last: req.Slots}}
		}
		if flags&2 != 0 {
			d := next() % 3
			req.MaxBreakSpread = &d
		}
		if flags&4 != 0 {
			for range req.Tables {
				req.TableSeats = append(req.TableSeats, next()%4)
			}
		}
		const people = 5
		for p := range people {
			mask := next() & (1<<req.Slots - 1)
			if p > 2 || flags&8 == 0 {
				mask = 0
			}
			var off []int
			for s := 1; s <= req.Slots; s++ {
				if mask&(1<<(s-1)) != 0 {
					off = append(off, s)
				}
			}
			if len(off) > 0 {
				req.Participants = append(req.Participants, Participant{ID: fmt.Sprintf("p%d", p), Unavailable: off})
			}
		}
		n := 1 + next()%5
		for i := range n {
			m := Meeting{ID: fmt.Sprintf("m%d", i)}
			a := next() % people
			b := (a + 1 + next()%(people-1)) % people
			m.Attendees = []string{fmt.Sprintf("p%d", a), fmt.Sprintf("p%d", b)}
			opt := next()
			if opt&0x80 != 0 {
				c := (b + 1 + next()%(people-1)) % people
				if c != a {
					m.Attendees = append(m.Attendees, fmt.Sprintf("p%d", c))
				}
			}
			if opt&0x03 == 3 {
				m.Slot = 1 + next()%req.Slots
			}
			if opt&0x0c == 0x0c {
				m.Duration = 2
			}
			if opt&0x10 != 0 && len(req.Sessions) > 0 {
				m.Session = req.Sessions[next()%2].Name
			}
			if opt&0x60 != 0 && i > 0 {
				m.After = []string{fmt.Sprintf("m%d", next()%i)}
			}
			req.Meetings = append(req.Meetings, m)
		}
		if err := req.Validate(); err != nil {
			t.Fatalf("generated request invalid: %v", err)
		}
		res := Solve(t.Context(), req, Options{Seed: 1, TimeLimit: 5 * time.Second})
		if errs := violations(req, res); len(errs) > 0 {
			t.Fatalf("result %+v breaks rules of %+v:\n%s", res, req, strings.Join(errs, "\n"))
		}
		feasible, best := bruteForce(req)
		switch {
		case feasible && res.Status == StatusInfeasible:
			t.Fatalf("claims infeasible (%s); the brute force has %d breaks\n%+v", res.Reason, best, req)
		case feasible && (res.Status != StatusOptimal || res.Breaks.Total != best):
			t.Fatalf("brute force optimum %d, Solve says %s with %d\n%+v", best, res.Status, res.Breaks.Total, req)
		case !feasible && res.Status != StatusInfeasible:
			t.Fatalf("no schedule exists, Solve says %s\n%+v", res.Status, req)
		case !feasible && res.Reason == "":
			t.Fatalf("infeasible without a reason\n%+v", req)
		}
	})
}
