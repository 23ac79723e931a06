package agenda

import (
	"fmt"
	"slices"
	"strings"
)

// encoding is the SAT formula of a model's complete schedules, with the
// total of breaks bounded on demand.
//
// Variables: x (meeting m starts at the k-th slot of its domain), busy
// (participant p is in a meeting in slot t), later (p is in a meeting in
// slot t or after) and brk (p has a break right after slot t: busy at t,
// not at t+1, busy again later — a run of idle slots counts once, at its
// start). Every meeting starts once; a participant is in at most one
// meeting per slot; a slot runs at most `tables` meetings, and at most as
// many of a seat level as tables seat it (seats.go); a meeting starts
// after its predecessors end. A bound "at most K breaks" is a cardinality
// constraint over every brk, switched on by its own guard literal, so that
// bounds can be tightened one after the other on one solver, keeping what
// it has learnt.
type encoding struct {
	md     *model
	s      *satSolver
	dom    [][]int32
	x      [][]int32
	busy   [][]lit // busy[p][t], t in 0..slots+1 (0 and slots+1: never)
	brk    [][]lit // brk[p][t], t in 1..slots-1
	all    []lit   // every brk literal
	spread lit     // guard of "every participant has at most spread breaks", −1 if none
	never  lit
	bound  map[int]lit // guard of "at most k breaks in total", by k

	// the model of participants without a break (blocks), once built
	gap  []lit   // per participant with meetings: has a break
	ord  [][]lit // ord[p][t]: p's block starts at slot t or before
	need []int   // slots p's meetings take
}

// newEncoding encodes the complete schedules of md whose meetings start in
// dom (a domain per meeting).
func newEncoding(md *model, dom [][]int32) *encoding {
	s := newSatSolver()
	e := &encoding{md: md, s: s, dom: dom, spread: -1, bound: map[int]lit{}}
	e.never = posLit(s.newVar())
	s.addClause(e.never.neg())
	e.x = make([][]int32, len(md.meets))
	xs := make([]lit, 0, md.slots)
	for m := range md.meets {
		xs = xs[:0]
		for range dom[m] {
			v := s.newVar()
			e.x[m] = append(e.x[m], v)
			xs = append(xs, posLit(v))
		}
		s.addClause(xs...)
		s.addAtMost(xs, 1, -1)
	}
	// Coverage: which start literals put each participant, and each slot,
	// in a meeting.
	cover := make([][]lit, md.stride)
	perSlot := make([][]lit, md.stride)
	for m := range md.meets {
		mt := &md.meets[m]
		for k, st := range dom[m] {
			for t := st; t < st+mt.dur; t++ {
				perSlot[t] = append(perSlot[t], posLit(e.x[m][k]))
			}
		}
	}
	for t := 1; t <= md.slots; t++ {
		s.addAtMost(perSlot[t], md.tables, -1)
	}
	// Seats: per slot and seat level, at most the tables that seat it.
	for j := int32(1); j <= int32(md.nLv); j++ {
		for t := range perSlot {
			perSlot[t] = perSlot[t][:0]
		}
		for m := range md.meets {
			mt := &md.meets[m]
			if mt.lv < j {
				continue
			}
			for k, st := range dom[m] {
				for t := st; t < st+mt.dur; t++ {
					perSlot[t] = append(perSlot[t], posLit(e.x[m][k]))
				}
			}
		}
		for t := 1; t <= md.slots; t++ {
			if len(perSlot[t]) > int(md.lvCap[j]) {
				s.addAtMost(perSlot[t], int(md.lvCap[j]), -1)
			}
		}
	}
	running := md.running(dom)
	busyIn := make([][]lit, md.stride) // every busy literal, by slot
	e.busy = make([][]lit, len(md.people))
	e.brk = make([][]lit, len(md.people))
	for p, ms := range md.byPer {
		for t := range cover {
			cover[t] = cover[t][:0]
		}
		for _, m := range ms {
			mt := &md.meets[m]
			for k, st := range dom[m] {
				for t := st; t < st+mt.dur; t++ {
					cover[t] = append(cover[t], posLit(e.x[m][k]))
				}
			}
		}
		busy := make([]lit, md.stride)
		for t := range busy {
			if len(cover[t]) == 0 {
				busy[t] = e.never
				continue
			}
			b := posLit(s.newVar())
			busy[t] = b
			busyIn[t] = append(busyIn[t], b)
			for _, x := range cover[t] {
				s.addClause(x.neg(), b)
			}
			s.addClause(append([]lit{b.neg()}, cover[t]...)...)
			s.addAtMost(cover[t], 1, -1)
		}
		e.busy[p] = busy
		// Implied, for propagation: p is busy in exactly as many slots as
		// their meetings last.
		need := 0
		for _, m := range ms {
			need += int(md.meets[m].dur)
		}
		var on, off []lit
		for t := 1; t <= md.slots; t++ {
			if busy[t] != e.never {
				on = append(on, busy[t])
				off = append(off, busy[t].neg())
			}
		}
		s.addAtMost(on, need, -1)
		s.addAtMost(off, len(off)-need, -1)
		// later[t] ↔ busy[t] ∨ later[t+1]
		later := make([]lit, md.stride)
		later[md.slots+1] = e.never
		for t := md.slots; t >= 1; t-- {
			if busy[t] == e.never && later[t+1] == e.never {
				later[t] = e.never
				continue
			}
			l := posLit(s.newVar())
			later[t] = l
			s.addClause(busy[t].neg(), l)
			s.addClause(later[t+1].neg(), l)
			s.addClause(l.neg(), busy[t], later[t+1])
		}
		// brk[t] ↔ busy[t] ∧ ¬busy[t+1] ∧ later[t+2]... written with
		// later[t+1], which given ¬busy[t+1] is later[t+2].
		brk := make([]lit, md.stride)
		for t := 1; t < md.slots; t++ {
			if busy[t] == e.never || later[t+1] == e.never {
				brk[t] = e.never
				continue
			}
			b := posLit(s.newVar())
			brk[t] = b
			s.addClause(busy[t].neg(), busy[t+1], later[t+1].neg(), b)
			s.addClause(b.neg(), busy[t])
			s.addClause(b.neg(), busy[t+1].neg())
			s.addClause(b.neg(), later[t+1])
			e.all = append(e.all, b)
		}
		e.brk[p] = brk
	}
	// Implied: a slot seats at most the attendees of its tables' meetings.
	for t := 1; t <= md.slots; t++ {
		s.addAtMost(busyIn[t], md.seats(running[t]), -1)
	}
	// Precedences: a meeting starts only once each predecessor has ended.
	for m := range md.meets {
		for _, q := range md.meets[m].pred {
			dq := md.meets[q].dur
			for k, st := range dom[m] {
				c := []lit{posLit(e.x[m][k]).neg()}
				for j, sq := range dom[q] {
					if sq+dq <= st {
						c = append(c, posLit(e.x[q][j]))
					}
				}
				s.addClause(c...)
			}
		}
	}
	if md.spread >= 0 {
		// Valid when the total is below the number of participants: then
		// someone has no break and the spread bounds everyone's breaks.
		e.spread = posLit(s.newVar())
		for p := range md.people {
			var bs []lit
			for _, b := range e.brk[p] {
				if b != e.never && b != 0 {
					bs = append(bs, b)
				}
			}
			s.addAtMost(bs, md.spread, e.spread)
		}
	}
	return e
}

// hint makes the solver try the placement starts first: its start
// literals, and who is busy when.
func (e *encoding) hint(starts []int32) {
	phase := e.s.phase
	for m, st := range starts {
		for k, d := range e.dom[m] {
			phase[e.x[m][k]] = d == st
		}
	}
	for _, busy := range e.busy {
		for _, b := range busy {
			if b != e.never {
				phase[b.varOf()] = false
			}
		}
	}
	for m, st := range starts {
		if st == 0 {
			continue
		}
		mt := &e.md.meets[m]
		for _, p := range mt.att {
			for t := st; t < st+mt.dur; t++ {
				if b := e.busy[p][t]; b != e.never {
					phase[b.varOf()] = true
				}
			}
		}
	}
}

// atMost returns the assumptions that bound the total of breaks by k, or
// ok false when the encoding cannot express the bound exactly (a break
// spread with k at least the number of participants).
func (e *encoding) atMost(k int) (assume []lit, ok bool) {
	if e.spread >= 0 && k >= len(e.md.people) {
		return nil, false
	}
	g, ok := e.bound[k]
	if !ok {
		g = posLit(e.s.newVar())
		e.s.addAtMost(e.all, k, g)
		if k <= e.md.blockBound() {
			e.blocks()
			e.s.addAtMost(e.gap, k, g)
		}
		if k == 0 {
			e.rootPrune(g)
		}
		e.bound[k] = g
	}
	assume = append(assume, g)
	if e.spread >= 0 {
		assume = append(assume, e.spread)
	}
	return assume, true
}

// blockBound is the largest bound on the total of breaks under which the
// encoding also counts the participants with a break (encoding.blocks):
// below a quarter of the participants, most have none.
func (md *model) blockBound() int { return len(md.people) / 4 }

// blocks adds, once, the direct model of a participant without a break:
// gap[p] is true when p has a break (brk → gap), and a participant whose
// gap is false has their busy slots in one block of as many slots as their
// meetings last. The block's start is order-encoded (ord[p][t]: the block
// starts at slot t or before), and p is busy in slot t exactly when the
// block starts in t-need+1..t. Implied by "no break" and the counts, but
// it propagates far more: a participant busy in slot t is idle from t+need
// on, and a decided block start settles every slot of theirs. A bound of k
// breaks then also bounds the gaps by k (atMost), so that under a small
// bound most participants are blocks. Implied as well: the attendees of a
// meeting who both have no break have overlapping blocks, each starting no
// later than the meeting's last possible slot in the other's (clauses
// between their order literals). Under a bound of 0 these clauses and the
// root deductions of the block search (rootPrune) find forum-13's schedules
// without a break sooner; counting gaps under bounds above 0 is what proves
// forum-14's optimum (bound 2) in a fraction of a second from any order of
// its meetings (BenchmarkShuffledB2B).
func (e *encoding) blocks() {
	if e.gap != nil {
		return
	}
	md, s := e.md, e.s
	yes := e.never.neg()
	e.ord = make([][]lit, len(md.byPer))
	e.need = make([]int, len(md.byPer))
	e.gap = make([]lit, 0, len(md.byPer))
	gapOf := make([]lit, len(md.byPer))
	for p, ms := range md.byPer {
		need := 0
		for _, m := range ms {
			need += int(md.meets[m].dur)
		}
		e.need[p] = need
		if need == 0 || need > md.slots {
			continue
		}
		z := posLit(s.newVar())
		gapOf[p] = z
		e.gap = append(e.gap, z)
		for _, b := range e.brk[p] {
			if b != e.never && b != 0 {
				s.addClause(b.neg(), z)
			}
		}
		last := md.slots - need + 1 // the latest start
		ord := make([]lit, md.slots+1)
		e.ord[p] = ord
		ord[0] = e.never
		for t := 1; t <= md.slots; t++ {
			if t >= last {
				ord[t] = yes
				continue
			}
			ord[t] = posLit(s.newVar())
			if t > 1 {
				s.addClause(ord[t-1].neg(), ord[t])
			}
		}
		busy := e.busy[p]
		for t := 1; t <= md.slots; t++ {
			before := e.never // ord[t-need]
			if t-need >= 1 {
				before = ord[t-need]
			}
			s.addClause(z, busy[t].neg(), ord[t])
			s.addClause(z, busy[t].neg(), before.neg())
			s.addClause(z, busy[t], ord[t].neg(), before)
		}
	}
	ordAt := func(p int32, t int) lit {
		if t <= 0 {
			return e.never
		}
		if t > md.slots {
			return yes
		}
		return e.ord[p][t]
	}
	for _, mt := range md.meets {
		for _, p := range mt.att {
			for _, q := range mt.att {
				if p == q || e.ord[p] == nil || e.ord[q] == nil {
					continue
				}
				a := e.need[p] - int(mt.dur) // start of q ≤ start of p + a
				for t := 1; t <= md.slots; t++ {
					c1, c2 := ordAt(p, t).neg(), ordAt(q, t+a)
					if c1 == yes || c2 == yes {
						continue
					}
					s.addClause(gapOf[p], gapOf[q], c1, c2)
				}
			}
		}
	}
}

// rootPrune adds, under guard g (a bound of 0 breaks), what the block
// search's propagation rules out at the root (blocks.go): a meeting's slot
// or a block's start, or every schedule without a break.
func (e *encoding) rootPrune(g lit) {
	md, s := e.md, e.s
	if !blockSearchable(md) {
		return
	}
	b := newBlockSearch(md, make([]int32, len(md.meets)), nil)
	x, bs := slices.Clone(b.x), slices.Clone(b.bs)
	for p := range b.dirty {
		b.touch(p)
	}
	if !b.propagate(x, bs) {
		s.addClause(g.neg())
		return
	}
	for m := range md.meets {
		for k, st := range e.dom[m] {
			if x[m]&(1<<uint(st)) == 0 {
				s.addClause(g.neg(), posLit(e.x[m][k]).neg())
			}
		}
	}
	if e.ord == nil {
		return
	}
	for p, ord := range e.ord {
		if ord == nil {
			continue
		}
		for st := 1; st <= md.slots-e.need[p]+1; st++ {
			if bs[p]&(1<<uint(st)) == 0 {
				s.addClause(g.neg(), ord[st].neg(), ord[st-1])
			}
		}
	}
}

// starts reads the start slots of the model just found.
func (e *encoding) starts() []int32 {
	out := make([]int32, len(e.md.meets))
	for m := range e.x {
		for k, v := range e.x[m] {
			if e.s.modelValue(v) {
				out[m] = e.dom[m][k]
				break
			}
		}
	}
	return out
}

// boundConflicts is the conflict budget of each bound the exact search
// tries from below when it is not given a budget.
const boundConflicts = 30_000

// exact runs the exact search until the best is proven optimal, the
// encoding cannot express a better bound or the search is halted.
func (sv *solver) exact() { sv.exactRound(0, 0) }

// exactRound improves the best complete schedule with the SAT encoding,
// built on the first call and kept, with what its solver has learnt, for
// the next ones. It first raises the lower bound from below: a refutation
// of "at most the lower bound" raises it by one, a model is a new best
// (optimal, then). It then works from above: each call to the solver asks
// for a schedule with fewer breaks than the best, starting from the best's
// own values; a model is the new best, a refutation proves the best
// optimal. The round spends at most budget conflicts, at most below of them
// from below (budget 0: no bound, but boundConflicts for each bound from
// below). Without a valid complete best (the schedule in hand must then be
// complete, else there is nothing to do), the search from below starts
// from the values of the schedule in hand and the one from above is left
// out.
// It reports whether the exact search is over: the best proven optimal, no
// complete schedule to start from, or a bound the encoding cannot express.
func (sv *solver) exactRound(budget, below int) (over bool) {
	md := sv.md
	sv.saveBest()
	hint := sv.best
	if sv.bestCost.out != 0 {
		// No valid complete schedule yet (one that breaks max_break_spread
		// is not kept as the best): the search from below may still find
		// one, its phases set to the complete one in hand (forum-14: the
		// constructed schedule, over the spread, took the solver to the
		// bound in 11,000 conflicts instead of 27,000 from its own phases,
		// before encoding.blocks).
		if sv.st.nOut != 0 {
			return true
		}
		hint = slices.Clone(sv.st.start)
	}
	if sv.optimal() {
		return true
	}
	if sv.enc == nil {
		sv.enc = newEncoding(md, md.domains())
		sv.enc.s.halt = sv.halted
	}
	e := sv.enc
	end := 0 // the round's conflict limit, 0: none
	if budget > 0 {
		end = e.s.conflicts + budget
	}
	e.hint(hint)
	for !sv.optimal() {
		assume, ok := e.atMost(md.lb)
		if !ok {
			break
		}
		raise := e.s.conflicts + boundConflicts
		if budget > 0 {
			raise = end - budget + below
		}
		st := e.s.solve(assume, raise)
		sv.exactCalls++
		if st == satFalse {
			md.lb++
			continue
		}
		if st == satTrue && sv.adopt(e.starts()) {
			sv.proven = true
		}
		break
	}
	if sv.bestCost.out != 0 {
		return false
	}
	e.hint(sv.best)
	for !sv.optimal() {
		assume, ok := e.atMost(sv.bestCost.soft - 1)
		if !ok {
			return true
		}
		st := e.s.solve(assume, end)
		sv.exactCalls++
		switch st {
		case satFalse:
			sv.proven = true
		case satTrue:
			if !sv.adopt(e.starts()) {
				return true // cannot happen: the encoding is exact
			}
			e.hint(sv.best)
		default:
			return false
		}
	}
	return true
}

// Parameters of the exact search's large neighbourhood search.
const (
	lnsConflicts     = 20_000 // conflicts of a round
	lnsCallConflicts = 1000   // conflicts per neighbourhood at most
	lnsFreeStart     = 4      // random participants freed besides those with breaks, at first
)

// lnsRound looks for a better schedule near the best, with the SAT
// encoding (a large neighbourhood search): each call frees the meetings of
// the participants with a break, of a few random others, and every meeting
// starting in a random window of slots, fixes every other meeting at its
// slot (as assumptions, so that what the solver learns stays valid), and
// asks for fewer breaks than the best, within lnsCallConflicts. A model is
// the new best; a refutation that fixed no meeting proves the best
// optimal. The neighbourhood grows after a refutation (it cannot do
// better) and shrinks after a call that ran out of conflicts. Freeing
// participants alone does not work on forum-13: a schedule without a
// break shifts whole blocks of meetings, so the window frees a band of
// slots. The round spends about budget conflicts and reports whether the
// best improved; the state is then the best.
func (sv *solver) lnsRound(budget int) bool {
	md := sv.md
	if sv.bestCost.out != 0 || sv.optimal() {
		return false
	}
	if sv.enc == nil {
		sv.enc = newEncoding(md, md.domains())
		sv.enc.s.halt = sv.halted
	}
	e := sv.enc
	end := e.s.conflicts + budget
	free := make([]bool, len(md.meets))
	chosen := make([]bool, len(md.people))
	improved := false
	for e.s.conflicts < end && !sv.stop && !sv.optimal() {
		guard, ok := e.atMost(sv.bestCost.soft - 1)
		if !ok {
			break
		}
		sv.restore()
		clear(free)
		clear(chosen)
		for _, p := range sv.st.broken {
			chosen[p] = true
		}
		for range sv.lnsFree / 4 {
			chosen[sv.rng.IntN(len(md.people))] = true
		}
		for p, c := range chosen {
			if c {
				for _, m := range md.byPer[p] {
					free[m] = true
				}
			}
		}
		w := min(md.slots, 2+sv.lnsFree/4)
		a := int32(1 + sv.rng.IntN(md.slots-w+1))
		for m, s := range sv.best {
			if s >= a && s < a+int32(w) {
				free[m] = true
			}
		}
		assume := slices.Clone(guard)
		for m, f := range free {
			if !f {
				k, _ := slices.BinarySearch(e.dom[m], sv.best[m])
				assume = append(assume, posLit(e.x[m][k]))
			}
		}
		e.hint(sv.best)
		st := e.s.solve(assume, min(end, e.s.conflicts+lnsCallConflicts))
		sv.exactCalls++
		switch st {
		case satTrue:
			if sv.adopt(e.starts()) {
				improved = true
			}
		case satFalse:
			if !slices.ContainsFunc(e.s.failed, func(l lit) bool { return !slices.Contains(guard, l) }) {
				// refuted without fixing a meeting: the best is optimal
				sv.proven = true
			}
			sv.lnsFree = min(sv.lnsFree+2, 4*md.slots)
		default:
			sv.lnsFree = max(1, sv.lnsFree-1)
		}
	}
	sv.restore()
	return improved
}

// adopt makes the complete placement starts the current state and the best
// if it obeys every rule and improves on the best.
func (sv *solver) adopt(starts []int32) bool {
	st := sv.st
	for m, s := range st.start {
		if s != 0 {
			st.unplace(int32(m))
		}
	}
	st.commit()
	for m, s := range starts {
		if s == 0 || !st.fits(int32(m), s) {
			sv.restore()
			return false
		}
		st.place(int32(m), s)
	}
	if st.spreadExcess() > 0 || st.cost().cmp(sv.bestCost) >= 0 {
		sv.restore()
		return false
	}
	sv.bestCost = st.cost()
	copy(sv.best, st.start)
	sv.atBest = false
	return true
}

// Budgets of the search for a conflicting set of meetings.
const (
	explainMaxMeetings = 400    // larger requests get no conflicting set
	refuteConflicts    = 20_000 // conflicts per refutation attempt
	listedMeetings     = 12     // meetings named in a reason at most
)

// refute reports whether the meetings keep of req (indices) provably
// cannot all be placed, max_break_spread aside: satFalse when proven,
// satTrue when they can, satUnknown when the budget ran out.
func refute(req *Request, keep []int, halt func() bool) satStatus {
	sub := subRequest(req, keep)
	md := compile(sub)
	if len(md.proofs) > 0 {
		return satFalse
	}
	dom := make([][]int32, len(md.meets))
	for m := range md.meets {
		dom[m] = md.meets[m].dom
	}
	e := newEncoding(md, dom)
	e.s.halt = halt
	return e.s.solve(nil, refuteConflicts)
}

// subRequest returns req with only the meetings keep, their `after` lists
// cut to the kept meetings.
func subRequest(req *Request, keep []int) *Request {
	sub := *req
	sub.MaxBreakSpread = nil
	kept := make(map[string]bool, len(keep))
	for _, i := range keep {
		kept[req.Meetings[i].ID] = true
	}
	sub.Meetings = make([]Meeting, 0, len(keep))
	for _, i := range keep {
		m := req.Meetings[i]
		var after []string
		for _, a := range m.After {
			if kept[a] {
				after = append(after, a)
			}
		}
		m.After = after
		sub.Meetings = append(sub.Meetings, m)
	}
	return &sub
}

// explain looks for a set of meetings that cannot all be placed (every
// rule but max_break_spread), as small as it can: the whole request first
// (proving it infeasible when the heuristic left meetings out and no simple
// argument did), then, one meeting at a time from the lowest priority, the
// set without it, dropping the meeting when the rest is still refuted. The
// set is minimal (each of its meetings is needed) when every attempt was
// decided within its budget. It returns the reason to add, or "".
func (sv *solver) explain(req *Request) string {
	n := len(req.Meetings)
	if n == 0 || n > explainMaxMeetings || sv.md.counted {
		// A count of meeting-slots against tables × slots says all there
		// is to say: any one more meeting than the tables hold conflicts
		// (forum-14 with 13 tables: the deletion search named 287 of 302
		// meetings after 15 s).
		return ""
	}
	keep := make([]int, n)
	for i := range keep {
		keep[i] = i
	}
	if len(sv.md.proofs) == 0 {
		if refute(req, keep, sv.halted) != satFalse {
			return ""
		}
		sv.md.proofs = append(sv.md.proofs, "a complete search proves that no schedule places every meeting under these rules")
	}
	return sv.minimalConflict(req, keep)
}

// minimalConflict shrinks keep, a refuted set of meetings (indices in
// req), by deletion, lowest priority first, and describes what is left.
func (sv *solver) minimalConflict(req *Request, keep []int) string {
	minimal := true
	for k := len(req.Meetings) - 1; k >= 0 && len(keep) > 1; k-- {
		if sv.halted() {
			minimal = false
			break
		}
		j := slices.Index(keep, k)
		if j < 0 {
			continue
		}
		rest := slices.Delete(slices.Clone(keep), j, j+1)
		switch refute(req, rest, sv.halted) {
		case satFalse:
			keep = rest
		case satUnknown:
			minimal = false
		}
	}
	return describeConflict(req, keep, minimal)
}

// Budgets of the local search for a conflict.
const (
	localTries = 8   // meetings left out whose neighbourhood is refuted at most
	localMax   = 200 // meetings in a neighbourhood at most
)

// explainLocal looks for a proof of infeasibility near the meetings the
// construction left out: for each (a few at most), its neighbourhood (the
// meetings of its attendees, closed under `after`) is a subset of the
// request, so a refutation of it proves that no schedule places every
// meeting. This finds, at once, conflicts that a refutation of the whole
// request would take long to (a few meetings whose attendees share too few
// slots, hidden among hundreds). On success the reason, with a conflicting
// set shrunk by deletion, is added to the model's proofs and it reports
// true.
func (sv *solver) explainLocal(req *Request) bool {
	md, st := sv.md, sv.st
	if len(md.proofs) > 0 || st.nOut == 0 || len(req.Meetings) <= exhaustiveMax {
		return false
	}
	byPerson := map[string][]int{}
	index := make(map[string]int, len(req.Meetings))
	successors := map[string][]int{}
	for i, m := range req.Meetings {
		index[m.ID] = i
		for _, a := range m.Attendees {
			byPerson[a] = append(byPerson[a], i)
		}
		for _, b := range m.After {
			successors[b] = append(successors[b], i)
		}
	}
	for tries, m := range st.out {
		if tries == localTries || sv.halted() {
			break
		}
		in := map[int]bool{int(m): true}
		set := []int{int(m)}
		join := func(i int) {
			if !in[i] && len(set) < localMax {
				in[i] = true
				set = append(set, i)
			}
		}
		for _, a := range req.Meetings[m].Attendees {
			for _, i := range byPerson[a] {
				join(i)
			}
		}
		for k := 0; k < len(set); k++ { // close under `after`, both ways
			for _, b := range req.Meetings[set[k]].After {
				join(index[b])
			}
			for _, i := range successors[req.Meetings[set[k]].ID] {
				join(i)
			}
		}
		if len(set) == localMax {
			continue
		}
		slices.Sort(set)
		if refute(req, set, sv.halted) == satFalse {
			md.proofs = append(md.proofs, "no schedule places every meeting: "+sv.minimalConflict(req, set))
			return true
		}
	}
	return false
}

// describeConflict says which meetings conflict and what constrains them.
func describeConflict(req *Request, keep []int, minimal bool) string {
	var b strings.Builder
	if minimal {
		b.WriteString("a minimal conflicting set: ")
	} else {
		b.WriteString("a conflicting set: ")
	}
	count := map[string]int{}
	for k, i := range keep {
		m := &req.Meetings[i]
		for _, a := range m.Attendees {
			count[a]++
		}
		if k == listedMeetings {
			fmt.Fprintf(&b, ", and %d more", len(keep)-k)
			break
		}
		if k > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "meeting %s (%s", m.ID, strings.Join(m.Attendees, "+"))
		if m.Slot != 0 {
			fmt.Fprintf(&b, ", pinned to slot %d", m.Slot)
		}
		if m.Session != "" {
			fmt.Fprintf(&b, ", session %s", m.Session)
		}
		if m.duration() > 1 {
			fmt.Fprintf(&b, ", %d slots", m.duration())
		}
		var after []string
		for _, a := range m.After {
			if slices.ContainsFunc(keep, func(j int) bool { return req.Meetings[j].ID == a }) {
				after = append(after, a)
			}
		}
		if len(after) > 0 {
			fmt.Fprintf(&b, ", after %s", strings.Join(after, ", "))
		}
		b.WriteString(")")
	}
	var shared []string
	for _, p := range req.Participants {
		if count[p.ID] > 0 && len(p.Unavailable) > 0 {
			shared = append(shared, fmt.Sprintf("%s unavailable in slots %v", p.ID, p.Unavailable))
		}
	}
	if len(shared) > 0 {
		fmt.Fprintf(&b, "; participants: %s", strings.Join(shared, ", "))
	}
	return b.String()
}
