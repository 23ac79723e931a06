package agenda

// Re-planning: Solve with Options.Keep places the request's meetings as
// close as it can to a previous result. The search's objective gains a
// term, between the priority of the meetings left out and the breaks: the
// kept meetings (those of the request that Keep placed) not at their kept
// start slot, unplaced ones included. The state counts them as meetings
// are placed and taken out (state.moved); this file holds what the re-plan
// knows of the previous result, the seeding with the kept placements that
// still obey the rules, the compound insert move of the annealing and
// the counts reported in Result.Moved and Result.TableChanged. The kept
// tables are given in tables.go.

// kept is what a re-plan knows of the previous result, by meeting index.
// Its methods accept a nil receiver, which stands for "no re-plan".
type kept struct {
	start  []int32 // kept start slot; 0: not placed in Keep; -1: a slot that no longer exists
	table  []int32 // kept table; 0 when none or out of range
	tables int     // the request's tables
	forced int     // kept meetings whose kept start is no longer allowed: they move in every schedule
	buf    []int32 // scratch of replaceEjected
}

// newKept matches prev's placements to the request's meetings by id. Ids
// not in the request (cancelled meetings) are ignored, as are repeats of an
// id after its first placement. It returns nil when no meeting of the
// request was placed in prev.
func newKept(md *model, req *Request, prev *Result) *kept {
	if prev == nil {
		return nil
	}
	index := make(map[string]int32, len(req.Meetings))
	for i, m := range req.Meetings {
		index[m.ID] = int32(i)
	}
	k := &kept{
		start:  make([]int32, len(md.meets)),
		table:  make([]int32, len(md.meets)),
		tables: req.Tables,
	}
	n := 0
	for _, p := range prev.Meetings {
		m, ok := index[p.ID]
		if !ok || k.start[m] != 0 {
			continue
		}
		n++
		k.start[m] = -1
		if p.Slot >= 1 && p.Slot <= md.slots {
			k.start[m] = int32(p.Slot)
		}
		if p.Table >= 1 && p.Table <= req.Tables {
			k.table[m] = int32(p.Table)
		}
		if k.start[m] < 0 || !md.allowed(m, k.start[m]) {
			k.forced++
		}
	}
	if n == 0 {
		return nil
	}
	return k
}

// startOf returns the kept start slot of meeting m: 0 when it has none, -1
// when that slot no longer exists.
func (k *kept) startOf(m int32) int32 {
	if k == nil {
		return 0
	}
	return k.start[m]
}

// mustMove returns how many kept meetings move in every schedule: a lower
// bound on the moves.
func (k *kept) mustMove() int {
	if k == nil {
		return 0
	}
	return k.forced
}

// setKeep makes the search a re-plan of prev (nil: none). The state must
// be empty: every kept meeting then counts as moved until placed at its
// kept start.
func (sv *solver) setKeep(req *Request, prev *Result) {
	st := sv.st
	st.keep = newKept(sv.md, req, prev)
	st.moved = 0
	if st.keep != nil {
		for _, s := range st.keep.start {
			if s != 0 {
				st.moved++
			}
		}
	}
	sv.bestCost = st.cost()
}

// seedKept places, in order of priority, every kept meeting whose kept
// start still obeys the rules given the ones placed before it: its start is
// allowed (session, pin, unavailability, precedences), its attendees are
// free, a table is left. A kept meeting that clashes with an earlier one
// stays out, for the construction to place.
func (sv *solver) seedKept() {
	st := sv.st
	if st.keep == nil {
		return
	}
	for m, s := range st.keep.start {
		if s > 0 && st.start[m] == 0 && st.fits(int32(m), s) {
			st.place(int32(m), s)
		}
	}
}

// settled reports whether the current placement of a re-plan is the only
// one that places every meeting that can be and moves only the kept
// meetings that must move: it does, and every placed meeting is at its
// kept start, so every meeting free to go elsewhere (new, or kept where it
// may no longer be) is one that no schedule places. Re-planning after
// cancellations alone ends there, proven optimal.
func (sv *solver) settled() bool {
	md, st, k := sv.md, sv.st, sv.st.keep
	if k == nil || st.nOut != md.nDead || st.moved != k.forced || st.spreadExcess() > 0 {
		return false
	}
	atKept := 0
	for m, s := range st.start {
		if s != 0 && s == k.start[m] {
			atKept++
		}
	}
	return atKept == len(md.meets)-st.nOut
}

// replaceEjected completes an insert move of a re-plan: every meeting the
// move took out is placed again at once where it fits, at its kept start
// when it can. Without this, a meeting that ejects a kept one of higher
// priority is never accepted, and the kept one could only move away (a
// worse cost) before the meeting gets its place.
func (sv *solver) replaceEjected() {
	st := sv.st
	k := st.keep
	for i, n := 0, len(st.undo); i < n; i++ {
		c := st.undo[i]
		if c.from == 0 || st.start[c.m] != 0 {
			continue
		}
		if k.buf = sv.fitting(c.m, k.buf[:0]); len(k.buf) > 0 {
			st.moveTo(c.m, sv.bestStart(c.m, k.buf))
		}
	}
}

// moves counts the meetings of prev still in the request that res moved
// (placed at another start slot, or left unscheduled) and those it keeps
// at their slot but seats at another table.
func moves(req *Request, prev, res *Result) (moved, tableChanged int) {
	inRequest := make(map[string]bool, len(req.Meetings))
	for _, m := range req.Meetings {
		inRequest[m.ID] = true
	}
	now := make(map[string]Placement, len(res.Meetings))
	for _, p := range res.Meetings {
		now[p.ID] = p
	}
	seen := make(map[string]bool, len(prev.Meetings))
	for _, p := range prev.Meetings {
		if !inRequest[p.ID] || seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		switch q, ok := now[p.ID]; {
		case !ok || q.Slot != p.Slot:
			moved++
		case q.Table != p.Table:
			tableChanged++
		}
	}
	return moved, tableChanged
}
