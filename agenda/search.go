package agenda

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// solver runs the search on one model.
type solver struct {
	md       *model
	st       *state
	rng      *rand.Rand
	ctx      context.Context
	deadline time.Time
	progress func(string)
	lastNote time.Time
	stop     bool // the context or the time limit ended the search
	moves    int  // moves tried by the annealing

	// the best valid placement seen (no spread exceeded), by cost; best holds
	// its starts once saved (a state is saved only when the search is about
	// to leave it).
	best     []int32
	bestCost cost
	atBest   bool // the current state is the best and not saved yet
	proven   bool // the best is proven optimal (exhaustive or exact search)

	exactCalls int       // SAT calls of the exact search
	enc        *encoding // the exact search's encoding, once built
	stale      int       // annealing rounds since the best last improved
	lnsFree    int       // random participants the next neighbourhood frees
	zeroTried  int       // SAT runs zeroRound has made

	mark  []uint32 // Kempe chain membership, by stamp
	stamp uint32
	chain []int32
	dest  []int32
}

// Search parameters, tuned on the b2b instances.
const (
	roundIters       = 1000    // iterations per meeting and round of annealing
	minRound         = 4000    // at least this many iterations per round
	staleRounds      = 10      // rounds without a better best before stopping
	staleExact       = 3       // rounds without a better best before a round of exact search
	movesPerConflict = 40      // annealing moves worth one conflict of the exact search
	minExact         = 10_000  // conflicts of a round of exact search at least
	firstExact       = 30_000  // conflicts of the round before any annealing
	firstMax         = 1000    // meetings at most for that round
	firstShare       = 4       // and at most this share of the time left
	tempStart        = 0.3     // temperature at the start of a round, in breaks
	tempEnd          = 0.02    // and at its end
	maxChain         = 64      // longest Kempe chain tried
	exhaustiveMax    = 10      // at most this many meetings for the exhaustive search
	nodeBudget       = 200_000 // nodes the exhaustive search may visit
	noteEvery        = 250 * time.Millisecond
)

func newSolver(ctx context.Context, md *model, opt Options) *solver {
	limit := opt.TimeLimit
	if limit <= 0 {
		limit = DefaultTimeLimit
	}
	sv := &solver{
		md:       md,
		st:       newState(md),
		rng:      rand.New(rand.NewPCG(uint64(opt.Seed), 0x9e3779b97f4a7c15)),
		ctx:      ctx,
		deadline: time.Now().Add(limit),
		progress: opt.Progress,
		best:     make([]int32, len(md.meets)),
		mark:     make([]uint32, len(md.meets)),
		lnsFree:  lnsFreeStart,
	}
	sv.bestCost = sv.st.cost() // the empty placement: valid
	return sv
}

// halted reports whether the search must stop now, and sends a progress
// note when one is due.
func (sv *solver) halted() bool {
	if sv.stop {
		return true
	}
	now := time.Now()
	if sv.ctx.Err() != nil || now.After(sv.deadline) {
		sv.stop = true
		return true
	}
	if sv.progress != nil && now.Sub(sv.lastNote) >= noteEvery {
		sv.lastNote = now
		c := sv.bestCost
		if c.out == len(sv.md.meets) && c.out > 0 {
			sv.progress(fmt.Sprintf("searching: %d meetings, no valid placement yet (lower bound %d breaks)", c.out, sv.md.lb))
		} else {
			sv.progress(fmt.Sprintf("best so far %d/%d meetings placed, %d breaks (lower bound %d), %d moves tried",
				len(sv.md.meets)-c.out, len(sv.md.meets), c.soft, sv.md.lb, sv.moves))
		}
	}
	return false
}

// track notes the current state as the best if it is valid and better.
func (sv *solver) track() {
	st := sv.st
	if st.spreadExcess() > 0 {
		return
	}
	if c := st.cost(); c.cmp(sv.bestCost) < 0 {
		sv.bestCost = c
		sv.atBest = true
	}
}

// accept keeps the changes of the current move, saving the best state first
// if the move leaves it.
func (sv *solver) accept() {
	st := sv.st
	if sv.atBest && len(st.undo) > 0 {
		copy(sv.best, st.start)
		for i := len(st.undo) - 1; i >= 0; i-- {
			sv.best[st.undo[i].m] = st.undo[i].from
		}
		sv.atBest = false
	}
	st.commit()
}

// saveBest makes sv.best hold the best placement.
func (sv *solver) saveBest() {
	if sv.atBest {
		copy(sv.best, sv.st.start)
		sv.atBest = false
	}
}

// optimal reports whether the best cannot be improved: every placeable
// meeting placed, only the kept meetings that must move moved, and the
// breaks at the lower bound.
func (sv *solver) optimal() bool {
	c := sv.bestCost
	return sv.proven || (c.out == sv.md.nDead && c.moved <= sv.st.keep.mustMove() && c.soft <= sv.md.lb)
}

// anneal improves the current placement by simulated annealing, in rounds
// that reheat, until the best is optimal, sv.stale reaches stale (rounds in
// a row that brought nothing, counted across calls), or the search is
// halted. With max_break_spread, the first half of each round, while the
// temperature is high, ignores it (state.penalty 0) and the second half
// weighs every break over it (spreadPenalty): the hot half minimises breaks
// freely, the cool half brings everyone back within the spread (the
// generated events with spread 2 of BenchmarkGenerated, up to 5,000
// participants, are placed completely).
func (sv *solver) anneal(stale int) {
	md := sv.md
	defer func() { sv.st.penalty = spreadPenalty }()
	iters := max(minRound, roundIters*len(md.meets))
	alpha := math.Pow(tempEnd/tempStart, 1/float64(iters))
	for sv.stale < stale && !sv.stop && !sv.optimal() {
		sv.fill()
		before := sv.bestCost
		temp := tempStart
		for it := 0; it < iters; it++ {
			if it&255 == 0 && sv.halted() {
				return
			}
			switch it {
			case 0:
				sv.st.penalty = 0
			case iters / 2:
				sv.st.penalty = spreadPenalty
			}
			sv.step(temp)
			sv.moves++
			temp *= alpha
			if sv.atBest && sv.optimal() {
				return
			}
		}
		if sv.bestCost.cmp(before) < 0 {
			sv.stale = 0
		} else {
			sv.stale++
		}
	}
}

// improve improves the placement in hand and leaves the best in the state.
// It alternates stints of annealing, each until staleExact rounds in a row
// bring nothing, with a round of the SAT neighbourhood search around the
// best (lnsRound, lnsConflicts) and a round of the exact search, each given about as much
// work as the stint before it (its moves over movesPerConflict, in
// conflicts), while a complete schedule is in hand and nothing proves that
// there is none, until the exact search is over or the search is halted.
// The annealing then goes on until staleRounds rounds bring nothing (at
// once, when the best is proven optimal), and a placement that breaks
// max_break_spread is repaired (within repairGrace of the deadline, else
// the best valid placement seen is kept). Every switch depends on counts,
// never on the clock, so the search is deterministic when it ends on its
// own.
func (sv *solver) improve() {
	sv.zeroFirst()
	sv.exactFirst()
	for {
		moves := sv.moves
		sv.stale = 0
		sv.anneal(staleExact)
		if sv.bestCost.out != 0 && sv.completeRound(max(minExact, (sv.moves-moves)/movesPerConflict)) {
			continue
		}
		if len(sv.md.proofs) > 0 || sv.bestCost.out != 0 || sv.stop || sv.optimal() || sv.st.keep != nil {
			break // a re-plan's moves are no part of the exact search's objective
		}
		sv.saveBest()
		sv.restore()
		if sv.lnsRound(lnsConflicts); sv.optimal() {
			break
		}
		if b := max(minExact, (sv.moves-moves)/movesPerConflict); sv.exactRound(b, b/2) {
			break
		}
		sv.saveBest()
		if sv.zeroRound(zeroLater, sv.halted); sv.optimal() {
			break
		}
		sv.restore()
	}
	sv.anneal(staleRounds)
	if sv.st.spreadExcess() > 0 && sv.repair() {
		sv.track()
	}
	sv.saveBest()
	sv.restore()
}

// exactFirst gives the exact search a first round of firstExact
// conflicts, all of them usable from below, on the constructed schedule
// before any annealing (unless it is a re-plan, incomplete or has more than
// firstMax meetings, where the annealing alone has the time): on some
// instances the SAT encoding finds the optimum and proves it at once, where
// the annealing would take a while to get there. The state is then the
// best, or the constructed schedule when that is still better than any
// valid one seen (it may break max_break_spread). The round stops after
// 1/firstShare of the time left, whatever its budget.
func (sv *solver) exactFirst() {
	st := sv.st
	if len(sv.md.proofs) > 0 || st.keep != nil || st.nOut != 0 || sv.stop || sv.optimal() || len(sv.md.meets) > firstMax {
		return
	}
	built := slices.Clone(st.start)
	if sv.enc == nil {
		sv.enc = newEncoding(sv.md, sv.md.domains())
	}
	// On a slow machine or with a short time limit, the round must leave
	// the annealing most of the time: a constructed schedule may break
	// max_break_spread, and only the annealing makes it valid.
	capped := time.Now().Add(time.Until(sv.deadline) / firstShare)
	sv.enc.s.halt = func() bool { return sv.halted() || time.Now().After(capped) }
	sv.exactRound(firstExact, firstExact)
	sv.enc.s.halt = sv.halted
	if sv.bestCost.out == 0 {
		sv.restore()
	} else {
		sv.placeAll(built)
	}
}

// completeRound asks the exact search's SAT solver, within budget
// conflicts, for a schedule that places every meeting, when the annealing
// has left some out (and nothing proves that none exists, no meeting is
// impossible on its own, and the request is not a re-plan, whose moves
// the encoding does not count). Its phases are set to the placement in
// hand; with max_break_spread, it asks that nobody have more breaks than
// the spread (sufficient, so any schedule it finds obeys the rule). It
// reports whether it found one, which is then the best.
func (sv *solver) completeRound(budget int) bool {
	md, st := sv.md, sv.st
	if len(md.proofs) > 0 || md.nDead > 0 || st.keep != nil || sv.stop || len(md.meets) > firstMax {
		return false
	}
	sv.saveBest()
	if sv.enc == nil {
		sv.enc = newEncoding(md, md.domains())
		sv.enc.s.halt = sv.halted
	}
	e := sv.enc
	e.hint(st.start)
	var assume []lit
	if e.spread >= 0 {
		assume = append(assume, e.spread)
	}
	found := e.s.solve(assume, e.s.conflicts+budget) == satTrue && sv.adopt(e.starts())
	sv.restore()
	return found
}

// Budgets of the search for a schedule without a break (zeroFirst).
const (
	zeroNodes     = 1000 // nodes of the block search
	zeroTries     = 100  // SAT restarts tried first
	zeroLater     = 20   // and after each round of the exact search
	zeroConflicts = 500  // conflicts each
)

// zeroFirst looks for a schedule without a break, when nothing rules one
// out, before any other search: a schedule without a break is optimal, and
// when one exists, a search aimed at it finds it soonest. The block search
// (blocks.go) runs first, within zeroNodes nodes: it finds one, proves
// that there is none (the lower bound is then 1) or runs out. Then
// zeroRound makes zeroTries short SAT runs (more after every round of the
// exact search, while none is found). Like exactFirst, it takes at most
// 1/firstShare of the time left.
func (sv *solver) zeroFirst() {
	md, st := sv.md, sv.st
	if !sv.zeroWanted() {
		return
	}
	capped := time.Now().Add(time.Until(sv.deadline) / firstShare)
	halt := func() bool { return sv.halted() || time.Now().After(capped) }
	if blockSearchable(md) {
		b := newBlockSearch(md, slices.Clone(st.start), sv.rng)
		b.halt = halt
		starts := b.run(zeroNodes)
		if starts != nil && sv.adopt(starts) {
			sv.proven = true
			return
		}
		if starts == nil && !b.cut {
			md.lb = 1
			return
		}
	}
	sv.zeroRound(zeroTries, halt)
}

// zeroWanted reports whether a schedule without a break is worth a search
// of its own: nothing rules it out, none is in hand, and the request is
// not a re-plan.
func (sv *solver) zeroWanted() bool {
	md := sv.md
	return md.lb == 0 && len(md.proofs) == 0 && sv.st.keep == nil && !sv.stop && !sv.optimal() && len(md.meets) <= firstMax
}

// zeroRound asks the exact search's SAT solver up to tries times for a
// schedule without a break, each time from random phases (the very first
// from the schedule in hand) and within zeroConflicts conflicts. On
// forum-13 a good share of runs find one within 500 conflicts, while most
// of the others wander for a hundred thousand: many short runs from
// different starting points beat one long run (BenchmarkShuffledB2B: every
// shuffled copy of forum-13 proven optimal, in under half a second). The solver
// keeps its learnt clauses from run to run (cheaper than a fresh one, and
// as good). A refutation proves the lower bound 1.
func (sv *solver) zeroRound(tries int, halt func() bool) {
	md, st := sv.md, sv.st
	if sv.enc == nil && sv.zeroWanted() {
		sv.enc = newEncoding(md, md.domains())
	}
	e := sv.enc
	defer func() {
		if e != nil {
			e.s.halt = sv.halted
		}
	}()
	for range tries {
		if !sv.zeroWanted() || halt() {
			return
		}
		e.s.halt = halt
		if sv.zeroTried == 0 && st.nOut == 0 {
			e.hint(st.start)
		} else {
			for v := range e.s.phase {
				e.s.phase[v] = sv.rng.IntN(2) == 0
			}
		}
		sv.zeroTried++
		assume, ok := e.atMost(0)
		if !ok {
			return
		}
		switch e.s.solve(assume, e.s.conflicts+zeroConflicts) {
		case satTrue:
			if sv.adopt(e.starts()) {
				sv.proven = true
			}
			return
		case satFalse:
			md.lb = 1
			return
		}
	}
}

// fill places every unplaced meeting that fits somewhere, where it adds
// the fewest breaks.
func (sv *solver) fill() {
	st := sv.st
	var starts []int32
	for _, m := range slices.Clone(st.out) {
		if starts = sv.fitting(m, starts[:0]); len(starts) > 0 {
			st.moveTo(m, sv.bestStart(m, starts))
			sv.accept()
			sv.track()
		}
	}
}

// step tries one random move and keeps it by the annealing rule at
// temperature temp: better costs always, equal placement and priority with
// worse soft cost with probability exp(−Δ/temp), anything else never. In a
// re-plan, an inserted meeting's ejected ones are placed again at once where
// they fit.
func (sv *solver) step(temp float64) {
	st := sv.st
	before := st.cost()
	var moved bool
	if len(st.out) > 0 && sv.rng.IntN(4) == 0 {
		moved = sv.insert(st.out[sv.rng.IntN(len(st.out))])
		if moved && st.keep != nil {
			sv.replaceEjected()
		}
	} else {
		moved = sv.relocate()
	}
	if !moved {
		st.rollback()
		return
	}
	after := st.cost()
	keep := after.cmp(before) < 0
	if !keep && after.out == before.out && after.prio == before.prio && after.moved == before.moved {
		delta := after.energy() - before.energy()
		keep = delta <= 0 || sv.rng.Float64() < math.Exp(-float64(delta)/(idleWeight*temp))
	}
	if !keep {
		st.rollback()
		return
	}
	sv.accept()
	sv.track()
}

// relocate moves a placed meeting to another start: half the time a meeting
// of a participant with a break (half of those times, with
// max_break_spread d, of one with more than d breaks), next to another of
// their meetings, else any meeting anywhere it may start. A duration-1 meeting whose target slot is
// busy for an attendee swaps slots with its Kempe chain.
func (sv *solver) relocate() bool {
	md, st := sv.md, sv.st
	var m, s int32
	if len(st.broken) > 0 && sv.rng.IntN(2) == 0 {
		p := st.broken[sv.rng.IntN(len(st.broken))]
		if len(st.heavy) > 0 && sv.rng.IntN(2) == 0 {
			p = st.heavy[sv.rng.IntN(len(st.heavy))]
		}
		ms := md.byPer[p]
		m = ms[sv.rng.IntN(len(ms))]
		x := ms[sv.rng.IntN(len(ms))]
		if x == m || st.start[m] == 0 || st.start[x] == 0 {
			return false
		}
		if sv.rng.IntN(2) == 0 {
			s = st.start[x] - md.meets[m].dur
		} else {
			s = st.start[x] + md.meets[x].dur
		}
		if s < 1 || int(s) > md.slots {
			return false
		}
	} else {
		m = int32(sv.rng.IntN(len(md.meets)))
		dom := md.meets[m].dom
		if st.start[m] == 0 || len(dom) < 2 {
			return false
		}
		s = dom[sv.rng.IntN(len(dom))]
	}
	from := st.start[m]
	if s == from || !md.allowed(m, s) {
		return false
	}
	if md.meets[m].dur == 1 && sv.busy(m, s) {
		return sv.kempe(m, from, s)
	}
	st.moveTo(m, 0)
	if !st.fits(m, s) {
		return false
	}
	st.moveTo(m, s)
	return true
}

// busy reports whether an attendee of m is in another meeting in slot s.
func (sv *solver) busy(m, s int32) bool {
	md, st := sv.md, sv.st
	for _, p := range md.meets[m].att {
		if o := st.occ[int(p)*md.stride+int(s)]; o != 0 && o != m+1 {
			return true
		}
	}
	return false
}

// kempe swaps slots a and b for the chain of duration-1 meetings linked to
// m (at a) by shared attendees: every meeting of the chain in a goes to b
// and every one in b to a, which keeps everyone in one meeting at a time.
// It fails when the chain holds a longer meeting, a meeting that may not
// start in its new slot, or would overfill a slot or break a precedence.
func (sv *solver) kempe(m, a, b int32) bool {
	md, st := sv.md, sv.st
	sv.stamp++
	chain := append(sv.chain[:0], m)
	sv.mark[m] = sv.stamp
	inA := 0
	for i := 0; i < len(chain); i++ {
		x := chain[i]
		cur := st.start[x]
		other := a + b - cur
		if cur == a {
			inA++
		}
		if !md.allowed(x, other) {
			return false
		}
		for _, p := range md.meets[x].att {
			y := st.occ[int(p)*md.stride+int(other)] - 1
			if y < 0 || sv.mark[y] == sv.stamp {
				continue
			}
			if md.meets[y].dur != 1 || len(chain) == maxChain {
				return false
			}
			sv.mark[y] = sv.stamp
			chain = append(chain, y)
		}
	}
	sv.chain = chain
	inB := len(chain) - inA
	if int(st.cnt[a])-inA+inB > md.tables || int(st.cnt[b])-inB+inA > md.tables {
		return false
	}
	if md.nLv > 0 && !sv.kempeSeats(chain, a, b) {
		return false
	}
	dest := sv.dest[:0]
	for _, x := range chain {
		dest = append(dest, a+b-st.start[x])
	}
	sv.dest = dest
	for _, x := range chain {
		st.moveTo(x, 0)
	}
	for i, x := range chain {
		st.moveTo(x, dest[i])
	}
	for _, x := range chain {
		if !st.ordered(x, st.start[x]) {
			return false
		}
	}
	return true
}

// insert places the unplaced meeting m at a random start it may use,
// taking out the meetings in its way: its attendees' meetings there and, in
// a slot with no table left (or none that seats it), random ones (of those
// that need such a table).
func (sv *solver) insert(m int32) bool {
	md, st := sv.md, sv.st
	mt := &md.meets[m]
	s := mt.dom[sv.rng.IntN(len(mt.dom))]
	if !st.ordered(m, s) {
		return false
	}
	e := s + mt.dur
	for t := s; t < e; t++ {
		for _, p := range mt.att {
			if y := st.occ[int(p)*md.stride+int(t)] - 1; y >= 0 {
				st.moveTo(y, 0)
			}
		}
		for int(st.cnt[t]) >= md.tables {
			list := st.inSlot[t]
			st.moveTo(list[sv.rng.IntN(len(list))], 0)
		}
		for j := int32(1); j <= mt.lv; j++ {
			for st.cntLv[md.lvAt(j, t)] >= md.lvCap[j] {
				sv.chain = sv.chain[:0]
				for _, y := range st.inSlot[t] {
					if md.meets[y].lv >= j {
						sv.chain = append(sv.chain, y)
					}
				}
				st.moveTo(sv.chain[sv.rng.IntN(len(sv.chain))], 0)
			}
		}
	}
	st.moveTo(m, s)
	return true
}

// kempeSeats reports whether swapping the chain between slots a and b
// keeps the counts of every seat level within its tables.
func (sv *solver) kempeSeats(chain []int32, a, b int32) bool {
	md, st := sv.md, sv.st
	for j := int32(1); j <= int32(md.nLv); j++ {
		inA, inB := int32(0), int32(0)
		for _, x := range chain {
			if md.meets[x].lv < j {
				continue
			}
			if st.start[x] == a {
				inA++
			} else {
				inB++
			}
		}
		if st.cntLv[md.lvAt(j, a)]-inA+inB > md.lvCap[j] || st.cntLv[md.lvAt(j, b)]-inB+inA > md.lvCap[j] {
			return false
		}
	}
	return true
}

// exhaustive searches every placement of every meeting and keeps the valid
// complete one with the fewest breaks (in a re-plan: the fewest kept
// meetings moved, then the fewest breaks). It reports whether it went through
// them all within the node budget (so the outcome is proven) and whether it
// found one; the best found is left in sv.best.
func (sv *solver) exhaustive() (finished, found bool) {
	md, st := sv.md, sv.st
	order := make([]int32, len(md.meets))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return len(md.meets[a].dom) - len(md.meets[b].dom) })
	bestMoved, bestTotal := math.MaxInt, math.MaxInt
	nodes := 0
	aborted := false
	var dfs func(k int) bool
	dfs = func(k int) bool {
		if nodes++; nodes > nodeBudget || (nodes&1023 == 0 && sv.halted()) {
			aborted = true
			return true
		}
		if k == len(order) {
			if st.spreadExcess() == 0 && (st.moved < bestMoved || st.moved == bestMoved && st.total < bestTotal) {
				bestMoved, bestTotal = st.moved, st.total
				copy(sv.best, st.start)
				return bestTotal <= md.lb && bestMoved <= st.keep.mustMove()
			}
			return false
		}
		m := order[k]
		for _, s := range md.meets[m].dom {
			if st.fits(m, s) {
				st.place(m, s)
				done := dfs(k + 1)
				st.unplace(m)
				if done {
					return true
				}
			}
		}
		return false
	}
	dfs(0)
	found = bestTotal != math.MaxInt
	return !aborted || (found && bestTotal <= md.lb && bestMoved <= st.keep.mustMove()), found
}

// repair makes the current placement obey max_break_spread. It first moves
// meetings of the participants over the limit (the fewest breaks plus the
// spread) to starts that bring their breaks down, and only when no move
// helps takes meetings out, one at a time: of those participants'
// meetings, the one whose removal leaves the least overshoot, the lowest
// priority first. It then places again, where they keep the spread, the
// meetings it took out. It reports false, leaving an invalid placement,
// when the context ends or repairGrace passes the deadline first.
func (sv *solver) repair() bool {
	md, st := sv.md, sv.st
	hard := sv.deadline.Add(repairGrace)
	expired := func() bool { return sv.ctx.Err() != nil || time.Now().After(hard) }
	over := st.overshoot()
	var starts, heavy []int32
	var dropped []int32
	// Moves, in passes over the participants over the limit, while a pass
	// lowers the overshoot.
	for improved := true; improved && over > 0; {
		improved = false
		for _, p := range sv.overLimit(heavy[:0]) {
			if expired() {
				return false
			}
			for _, m := range md.byPer[p] {
				if from := st.start[m]; from != 0 && sv.betterStart(m, from, over, &starts) {
					over = st.overshoot()
					improved = true
				}
			}
		}
	}
	// Then take meetings out.
	for over > 0 {
		if expired() {
			return false
		}
		heavy = sv.overLimit(heavy[:0])
		bestM, bestOver := int32(-1), math.MaxInt
		for _, p := range heavy {
			for _, m := range md.byPer[p] {
				if st.start[m] == 0 {
					continue
				}
				st.moveTo(m, 0)
				x := st.overshoot()
				st.rollback()
				if x < bestOver || (x == bestOver && m > bestM) {
					bestM, bestOver = m, x
				}
			}
		}
		st.moveTo(bestM, 0)
		st.commit()
		dropped = append(dropped, bestM)
		over = bestOver
	}
	// Place again the meetings taken out, highest priority first, where
	// they fit without breaking the spread.
	slices.Sort(dropped)
	for _, m := range dropped {
		if expired() {
			return false
		}
		starts = sv.fitting(m, starts[:0])
		for _, s := range starts {
			st.moveTo(m, s)
			if st.spreadExcess() == 0 {
				break
			}
			st.rollback()
		}
		st.commit()
	}
	return true
}

// betterStart moves meeting m, placed at from, to the first start where
// it fits and the overshoot falls below over, and reports whether there was
// one. starts is scratch space.
func (sv *solver) betterStart(m, from int32, over int, starts *[]int32) bool {
	st := sv.st
	st.moveTo(m, 0)
	*starts = sv.fitting(m, (*starts)[:0])
	st.rollback()
	for _, s := range *starts {
		if s == from {
			continue
		}
		st.moveTo(m, s)
		if st.overshoot() < over {
			st.commit()
			return true
		}
		st.rollback()
	}
	return false
}

// repairGrace is how long repair may run past the deadline: the time limit
// ends the annealing, and the placement in hand must still be made to obey
// max_break_spread.
const repairGrace = time.Second

// overLimit appends to buf the participants whose breaks exceed the fewest
// breaks of anyone plus max_break_spread.
func (sv *solver) overLimit(buf []int32) []int32 {
	st := sv.st
	lo, _ := st.minMax()
	for _, p := range st.broken {
		if int(breaksOf(st.blocks[p])) > lo+sv.md.spread {
			buf = append(buf, p)
		}
	}
	slices.Sort(buf)
	return buf
}
