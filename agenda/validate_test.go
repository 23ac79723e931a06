package agenda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// This file holds a validator and a brute-force solver written apart from
// the solver's code: they read the request as formats.md §4 states it and
// share nothing with model.go, state.go or search.go.

// violations lists every way res breaks the rules of req (empty: none).
// Beyond check-agenda it also holds max_break_spread for incomplete
// placements, as Solve promises.
func violations(req *Request, res *Result) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	switch res.Status {
	case StatusOptimal, StatusFeasible, StatusPartial, StatusInfeasible, StatusUnknown:
	default:
		bad("unknown status %q", res.Status)
	}
	byID := map[string]Meeting{}
	for _, m := range req.Meetings {
		byID[m.ID] = m
	}
	type span struct{ a, b, table int }
	placed := map[string]span{}
	for _, p := range res.Meetings {
		m, ok := byID[p.ID]
		if !ok {
			bad("unknown meeting %q placed", p.ID)
			continue
		}
		if _, dup := placed[p.ID]; dup {
			bad("meeting %s placed twice", p.ID)
			continue
		}
		d := max(m.Duration, 1)
		placed[p.ID] = span{p.Slot, p.Slot + d - 1, p.Table}
	}
	listed := map[string]bool{}
	for _, id := range res.Unscheduled {
		if _, ok := byID[id]; !ok {
			bad("unknown meeting %q unscheduled", id)
		}
		if _, ok := placed[id]; ok {
			bad("meeting %s both placed and unscheduled", id)
		}
		if listed[id] {
			bad("meeting %s unscheduled twice", id)
		}
		listed[id] = true
	}
	for _, m := range req.Meetings {
		if _, ok := placed[m.ID]; !ok && !listed[m.ID] {
			bad("meeting %s neither placed nor unscheduled", m.ID)
		}
	}
	complete := len(placed) == len(req.Meetings)
	if (res.Status == StatusOptimal || res.Status == StatusFeasible) && !complete {
		bad("status %s with %d of %d meetings placed", res.Status, len(placed), len(req.Meetings))
	}
	if res.Status == StatusPartial && (complete || len(placed) == 0) {
		bad("status partial with %d of %d meetings placed", len(placed), len(req.Meetings))
	}
	if res.Status == StatusInfeasible && complete && len(req.Meetings) > 0 {
		bad("status infeasible but every meeting placed")
	}

	sessions := map[string][2]int{}
	for _, s := range req.Sessions {
		sessions[s.Name] = [2]int{s.First, s.Last}
	}
	unavailable := map[[2]any]bool{}
	for _, p := range req.Participants {
		for _, s := range p.Unavailable {
			unavailable[[2]any{p.ID, s}] = true
		}
	}
	who := map[[2]any]string{}   // (participant, slot) → meeting
	table := map[[2]int]string{} // (slot, table) → meeting
	perSlot := map[int]int{}
	for _, m := range req.Meetings {
		sp, ok := placed[m.ID]
		if !ok {
			continue
		}
		if sp.a < 1 || sp.b > req.Slots {
			bad("%s: slots %d..%d outside 1..%d", m.ID, sp.a, sp.b, req.Slots)
		}
		if m.Slot != 0 && m.Slot != sp.a {
			bad("%s: pinned to %d, placed at %d", m.ID, m.Slot, sp.a)
		}
		if m.Session != "" {
			r := sessions[m.Session]
			if sp.a < r[0] || sp.b > r[1] {
				bad("%s: outside session %s", m.ID, m.Session)
			}
		} else if sp.b > sp.a && len(req.Sessions) > 0 {
			inside := false
			for _, r := range sessions {
				inside = inside || (r[0] <= sp.a && sp.b <= r[1])
			}
			if !inside {
				bad("%s: %d..%d crosses a session boundary", m.ID, sp.a, sp.b)
			}
		}
		if sp.table < 1 || sp.table > req.Tables {
			bad("%s: table %d outside 1..%d", m.ID, sp.table, req.Tables)
		} else if len(req.TableSeats) > 0 {
			if seats := req.TableSeats[sp.table-1]; seats > 0 && seats < len(m.Attendees) {
				bad("%s: %d attendees at table %d of %d seats", m.ID, len(m.Attendees), sp.table, seats)
			}
		}
		for s := sp.a; s <= sp.b; s++ {
			perSlot[s]++
			if o, taken := table[[2]int{s, sp.table}]; taken {
				bad("%s and %s share table %d in slot %d", m.ID, o, sp.table, s)
			}
			table[[2]int{s, sp.table}] = m.ID
			for _, p := range m.Attendees {
				if unavailable[[2]any{p, s}] {
					bad("%s: %s unavailable in slot %d", m.ID, p, s)
				}
				if o, taken := who[[2]any{p, s}]; taken {
					bad("%s is in %s and %s in slot %d", p, o, m.ID, s)
				}
				who[[2]any{p, s}] = m.ID
			}
		}
		for _, b := range m.After {
			if bs, ok := placed[b]; ok && bs.b >= sp.a {
				bad("%s starts at %d before %s ends at %d", m.ID, sp.a, b, bs.b)
			}
		}
	}
	for s, n := range perSlot {
		if n > req.Tables {
			bad("slot %d runs %d meetings for %d tables", s, n, req.Tables)
		}
	}

	// Breaks, from scratch: idle gaps between consecutive meetings.
	spans := map[string][][2]int{}
	people := map[string]bool{}
	for _, m := range req.Meetings {
		for _, p := range m.Attendees {
			people[p] = true
			if sp, ok := placed[m.ID]; ok {
				spans[p] = append(spans[p], [2]int{sp.a, sp.b})
			}
		}
	}
	total, lo, hi := 0, -1, 0
	for p := range people {
		iv := spans[p]
		sort.Slice(iv, func(i, j int) bool { return iv[i][0] < iv[j][0] })
		n := 0
		for i := 1; i < len(iv); i++ {
			if iv[i][0] != iv[i-1][1]+1 {
				n++
			}
		}
		total += n
		hi = max(hi, n)
		if lo < 0 || n < lo {
			lo = n
		}
	}
	lo = max(lo, 0)
	if res.Status != StatusUnknown && (res.Breaks.Total != total || res.Breaks.Max != hi || res.Breaks.Min != lo) {
		bad("claims breaks %+v, placement has total %d max %d min %d", res.Breaks, total, hi, lo)
	}
	if req.MaxBreakSpread != nil && hi-lo > *req.MaxBreakSpread {
		bad("break spread %d exceeds %d", hi-lo, *req.MaxBreakSpread)
	}
	return errs
}

// bruteForce tries every start slot of every meeting and returns whether a
// schedule places them all under every rule, and its fewest breaks.
func bruteForce(req *Request) (feasible bool, best int) {
	n := len(req.Meetings)
	idx := map[string]int{}
	for i, m := range req.Meetings {
		idx[m.ID] = i
	}
	off := map[[2]any]bool{}
	for _, p := range req.Participants {
		for _, s := range p.Unavailable {
			off[[2]any{p.ID, s}] = true
		}
	}
	starts := make([]int, n)
	best = -1
	var rec func(i int)
	ok := func(i, s int) bool {
		m := req.Meetings[i]
		d := max(m.Duration, 1)
		if s+d-1 > req.Slots || (m.Slot != 0 && m.Slot != s) {
			return false
		}
		inSession := m.Session == "" && (d == 1 || len(req.Sessions) == 0)
		for _, ss := range req.Sessions {
			if (m.Session == "" || m.Session == ss.Name) && ss.First <= s && s+d-1 <= ss.Last {
				inSession = true
			}
		}
		if !inSession {
			return false
		}
		for t := s; t < s+d; t++ {
			for _, p := range m.Attendees {
				if off[[2]any{p, t}] {
					return false
				}
			}
			running := 1
			sizes := []int{len(m.Attendees)}
			for j := range i {
				o := req.Meetings[j]
				if starts[j] <= t && t < starts[j]+max(o.Duration, 1) {
					running++
					sizes = append(sizes, len(o.Attendees))
					for _, p := range m.Attendees {
						if slices.Contains(o.Attendees, p) {
							return false
						}
					}
				}
			}
			if running > req.Tables || !seatable(sizes, req.TableSeats) {
				return false
			}
		}
		return true
	}
	rec = func(i int) {
		if i == n {
			for k, m := range req.Meetings {
				for _, b := range m.After {
					j := idx[b]
					if starts[j]+max(req.Meetings[j].Duration, 1) > starts[k] {
						return
					}
				}
			}
			total, spreadOK := breaksOf2(req, starts)
			if spreadOK && (best < 0 || total < best) {
				best = total
			}
			return
		}
		for s := 1; s <= req.Slots; s++ {
			if ok(i, s) {
				starts[i] = s
				rec(i + 1)
			}
		}
		starts[i] = 0
	}
	rec(0)
	return best >= 0, best
}

// seatable reports whether meetings of the given sizes can sit at once at
// tables of the given seats (0: any number; nil: every table seats any
// number): the k-th largest meeting fits the k-th largest table.
func seatable(sizes, seats []int) bool {
	if seats == nil {
		return true
	}
	tables := slices.Clone(seats)
	for i, n := range tables {
		if n == 0 {
			tables[i] = math.MaxInt
		}
	}
	slices.Sort(tables)
	slices.Reverse(tables)
	sizes = slices.Clone(sizes)
	slices.Sort(sizes)
	slices.Reverse(sizes)
	for k, n := range sizes {
		if k >= len(tables) || n > tables[k] {
			return false
		}
	}
	return true
}

// breaksOf2 returns the total of breaks of a complete placement and whether
// it obeys max_break_spread.
func breaksOf2(req *Request, starts []int) (int, bool) {
	busy := map[string][]bool{}
	for k, m := range req.Meetings {
		for _, p := range m.Attendees {
			if busy[p] == nil {
				busy[p] = make([]bool, req.Slots+2)
			}
			for t := starts[k]; t < starts[k]+max(m.Duration, 1); t++ {
				busy[p][t] = true
			}
		}
	}
	total, lo, hi := 0, -1, 0
	for _, row := range busy {
		blocks := 0
		for t := 1; t <= req.Slots; t++ {
			if row[t] && !row[t-1] {
				blocks++
			}
		}
		b := max(blocks-1, 0)
		total += b
		hi = max(hi, b)
		if lo < 0 || b < lo {
			lo = b
		}
	}
	return total, req.MaxBreakSpread == nil || hi-lo <= *req.MaxBreakSpread
}

// randomRequest returns a random valid request with n meetings in at most
// maxSlots slots. A loose one has more tables, people and slots for its
// meetings and fewer pins, so that it is more often feasible.
func randomRequest(rng *rand.Rand, n, maxSlots int, loose bool) *Request {
	req := &Request{Slots: 2 + rng.IntN(maxSlots-1), Tables: 1 + rng.IntN(2+n/3)}
	people := 3 + rng.IntN(n+2)
	rare := 10 // one in rare meetings is pinned or has an after
	if loose {
		req.Slots = max(req.Slots, maxSlots/2)
		req.Tables = 1 + n/req.Slots + rng.IntN(3)
		people = n + 3 + rng.IntN(n)
		rare = 25
	}
	if rng.IntN(3) == 0 && req.Slots >= 4 {
		cut := 2 + rng.IntN(req.Slots-3)
		req.Sessions = []Session{{Name: "am", First: 1, Last: cut}, {Name: "pm", First: cut + 1, Last: req.Slots}}
	}
	if rng.IntN(3) == 0 {
		d := rng.IntN(3)
		req.MaxBreakSpread = &d
	}
	for p := range people {
		if rng.IntN(5) == 0 {
			part := Participant{ID: fmt.Sprintf("p%d", p)}
			for range 1 + rng.IntN(2) {
				part.Unavailable = append(part.Unavailable, 1+rng.IntN(req.Slots))
			}
			req.Participants = append(req.Participants, part)
		}
	}
	for i := range n {
		m := Meeting{ID: fmt.Sprintf("m%d", i)}
		k := 2
		if rng.IntN(5) == 0 {
			k = 3
		}
		for _, p := range rng.Perm(people)[:k] {
			m.Attendees = append(m.Attendees, fmt.Sprintf("p%d", p))
		}
		if rng.IntN(6) == 0 {
			m.Duration = 2
		}
		if len(req.Sessions) > 0 && rng.IntN(3) == 0 {
			m.Session = req.Sessions[rng.IntN(2)].Name
		}
		if rng.IntN(rare) == 0 {
			m.Slot = 1 + rng.IntN(req.Slots)
		}
		if i > 0 && rng.IntN(rare) == 0 {
			m.After = []string{fmt.Sprintf("m%d", rng.IntN(i))}
		}
		req.Meetings = append(req.Meetings, m)
	}
	return req
}
