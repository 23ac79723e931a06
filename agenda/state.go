package agenda

// state is a placement under construction or search, with everything the
// moves need kept up to date incrementally: who is busy when, how many
// meetings run in each slot, and each participant's blocks of consecutive
// meetings (breaks = blocks − 1).
type state struct {
	md      *model
	penalty int     // what a unit of overshoot weighs in cost: spreadPenalty, or 0 early in an annealing round
	start   []int32 // start slot of each meeting, 0 when unplaced
	occ     []int32 // occ[p*stride+s]: meeting+1 that p attends in slot s, 0 if free
	cnt     []int32 // meetings running in each slot
	cntLv   []int32 // cntLv[md.lvAt(j, s)]: meetings of seat level j or more running in slot s

	// in each slot, the meetings running in it; pos[off[m]+k] is the index of
	// meeting m in the list of slot start[m]+k.
	inSlot [][]int32
	pos    []int32
	off    []int32

	blocks []int32 // blocks of consecutive meetings of each participant
	idle   []int32 // idle slots between the first and last meeting of each participant
	first  []int32 // first busy slot of each participant (valid while busy somewhere)
	last   []int32 // and last
	nBusy  []int32 // busy slots of each participant
	idles  int     // their total
	hist   []int32 // number of participants per count of breaks
	total  int     // total of breaks

	// participants with at least one break, for targeted moves
	broken    []int32
	brokenPos []int32

	// with max_break_spread d, the participants with more than d breaks
	// (those over the limit whenever someone has none), for targeted moves
	heavy    []int32
	heavyPos []int32

	// unplaced meetings that can be placed (not dead), for insert moves
	out      []int32
	outPos   []int32
	nOut     int   // unplaced meetings, dead ones included
	prioLoss int64 // sum of the weights of the unplaced meetings

	// a re-plan's previous placement (nil: none) and its kept meetings
	// not at their kept start, unplaced ones included (see keep.go)
	keep  *kept
	moved int

	undo []change // changes since the last commit
}

type change struct{ m, from int32 }

func newState(md *model) *state {
	n, np := len(md.meets), len(md.people)
	st := &state{
		md:        md,
		penalty:   spreadPenalty,
		start:     make([]int32, n),
		occ:       make([]int32, np*md.stride),
		cnt:       make([]int32, md.stride),
		cntLv:     make([]int32, md.nLv*md.stride),
		inSlot:    make([][]int32, md.stride),
		off:       make([]int32, n+1),
		blocks:    make([]int32, np),
		idle:      make([]int32, np),
		first:     make([]int32, np),
		last:      make([]int32, np),
		nBusy:     make([]int32, np),
		hist:      make([]int32, md.slots+2),
		brokenPos: make([]int32, np),
		heavyPos:  make([]int32, np),
		outPos:    make([]int32, n),
		nOut:      n,
	}
	for i := range md.meets {
		st.off[i+1] = st.off[i] + md.meets[i].dur
		st.prioLoss += md.meets[i].weight
		st.outPos[i] = -1
		if !md.dead[i] {
			st.outPos[i] = int32(len(st.out))
			st.out = append(st.out, int32(i))
		}
	}
	st.pos = make([]int32, st.off[n])
	st.hist[0] = int32(np)
	for p := range st.brokenPos {
		st.brokenPos[p] = -1
		st.heavyPos[p] = -1
	}
	return st
}

func breaksOf(blocks int32) int32 { return max(blocks-1, 0) }

// setBlocks changes a participant's blocks and everything derived from them.
func (st *state) setBlocks(p int32, b int32) {
	old, nw := breaksOf(st.blocks[p]), breaksOf(b)
	st.blocks[p] = b
	if old == nw {
		return
	}
	st.hist[old]--
	st.hist[nw]++
	st.total += int(nw - old)
	switch {
	case old == 0:
		st.broken = addTo(st.broken, st.brokenPos, p)
	case nw == 0:
		st.broken = removeFrom(st.broken, st.brokenPos, p)
	}
	if d := int32(st.md.spread); d >= 0 && (old > d) != (nw > d) {
		if nw > d {
			st.heavy = addTo(st.heavy, st.heavyPos, p)
		} else {
			st.heavy = removeFrom(st.heavy, st.heavyPos, p)
		}
	}
}

// addTo appends p to the set list, whose positions are in pos (−1: not in
// it), and returns the list.
func addTo(list, pos []int32, p int32) []int32 {
	pos[p] = int32(len(list))
	return append(list, p)
}

// removeFrom takes p out of the set list, whose positions are in pos, and
// returns the list.
func removeFrom(list, pos []int32, p int32) []int32 {
	i := pos[p]
	last := list[len(list)-1]
	list[i] = last
	pos[last] = i
	pos[p] = -1
	return list[:len(list)-1]
}

// setIdle recounts the idle slots of participant p from their row, whose
// busy slots number st.nBusy[p], after slots s..e−1 became busy (placed)
// or free: their first and last busy slots move only when those slots were
// or become the ends of the row, and are looked for only then.
func (st *state) setIdle(p int32, row []int32, s, e int32, placed bool) {
	idle := int32(0)
	if busy := st.nBusy[p]; busy > 0 {
		first, last := st.first[p], st.last[p]
		switch {
		case placed && busy == e-s:
			first, last = s, e-1
		case placed:
			first, last = min(first, s), max(last, e-1)
		default:
			for row[first] == 0 {
				first++
			}
			for row[last] == 0 {
				last--
			}
		}
		st.first[p], st.last[p] = first, last
		idle = last - first + 1 - busy
	}
	st.idles += int(idle - st.idle[p])
	st.idle[p] = idle
}

// place puts the unplaced meeting m at start slot s, which must be free for
// its attendees and have a table left.
func (st *state) place(m, s int32) {
	md := st.md
	mt := &md.meets[m]
	e := s + mt.dur
	for _, p := range mt.att {
		row := st.occ[int(p)*md.stride:][:md.stride]
		joined := int32(0)
		if row[s-1] != 0 {
			joined++
		}
		if row[e] != 0 {
			joined++
		}
		for t := s; t < e; t++ {
			row[t] = m + 1
		}
		st.nBusy[p] += mt.dur
		st.setBlocks(p, st.blocks[p]+1-joined)
		st.setIdle(p, row, s, e, true)
	}
	for t := s; t < e; t++ {
		st.cnt[t]++
		for j := int32(1); j <= mt.lv; j++ {
			st.cntLv[md.lvAt(j, t)]++
		}
		st.pos[st.off[m]+t-s] = int32(len(st.inSlot[t]))
		st.inSlot[t] = append(st.inSlot[t], m)
	}
	st.start[m] = s
	if st.keep != nil && st.keep.start[m] == s {
		st.moved--
	}
	st.nOut--
	st.prioLoss -= mt.weight
	if i := st.outPos[m]; i >= 0 {
		last := st.out[len(st.out)-1]
		st.out[i] = last
		st.outPos[last] = i
		st.out = st.out[:len(st.out)-1]
		st.outPos[m] = -1
	}
}

// unplace takes the placed meeting m out.
func (st *state) unplace(m int32) {
	md := st.md
	mt := &md.meets[m]
	s := st.start[m]
	e := s + mt.dur
	for _, p := range mt.att {
		row := st.occ[int(p)*md.stride:][:md.stride]
		for t := s; t < e; t++ {
			row[t] = 0
		}
		st.nBusy[p] -= mt.dur
		joined := int32(0)
		if row[s-1] != 0 {
			joined++
		}
		if row[e] != 0 {
			joined++
		}
		st.setBlocks(p, st.blocks[p]-1+joined)
		st.setIdle(p, row, s, e, false)
	}
	for t := s; t < e; t++ {
		st.cnt[t]--
		for j := int32(1); j <= mt.lv; j++ {
			st.cntLv[md.lvAt(j, t)]--
		}
		list := st.inSlot[t]
		i := st.pos[st.off[m]+t-s]
		last := list[len(list)-1]
		list[i] = last
		st.pos[st.off[last]+t-st.start[last]] = i
		st.inSlot[t] = list[:len(list)-1]
	}
	if st.keep != nil && st.keep.start[m] == s {
		st.moved++
	}
	st.start[m] = 0
	st.nOut++
	st.prioLoss += mt.weight
	st.outPos[m] = int32(len(st.out))
	st.out = append(st.out, m)
}

// moveTo moves meeting m to start slot s (0: out), recording the change so
// that rollback can undo it.
func (st *state) moveTo(m, s int32) {
	st.undo = append(st.undo, change{m, st.start[m]})
	if st.start[m] != 0 {
		st.unplace(m)
	}
	if s != 0 {
		st.place(m, s)
	}
}

// rollback undoes the changes since the last commit.
func (st *state) rollback() {
	for i := len(st.undo) - 1; i >= 0; i-- {
		c := st.undo[i]
		if st.start[c.m] != 0 {
			st.unplace(c.m)
		}
		if c.from != 0 {
			st.place(c.m, c.from)
		}
	}
	st.undo = st.undo[:0]
}

// commit forgets the recorded changes.
func (st *state) commit() { st.undo = st.undo[:0] }

// fits reports whether the unplaced meeting m can start at slot s: allowed
// there, its attendees free, a table left in every slot (one that seats
// it: the counts of its seat levels, see seats.go), its placed
// predecessors and successors respected.
func (st *state) fits(m, s int32) bool {
	md := st.md
	if !md.allowed(m, s) {
		return false
	}
	mt := &md.meets[m]
	e := s + mt.dur
	for t := s; t < e; t++ {
		if int(st.cnt[t]) >= md.tables {
			return false
		}
		for j := int32(1); j <= mt.lv; j++ {
			if st.cntLv[md.lvAt(j, t)] >= md.lvCap[j] {
				return false
			}
		}
	}
	for _, p := range mt.att {
		row := st.occ[int(p)*md.stride:]
		for t := s; t < e; t++ {
			if row[t] != 0 {
				return false
			}
		}
	}
	return st.ordered(m, s)
}

// ordered reports whether meeting m starting at s respects its placed
// predecessors and successors.
func (st *state) ordered(m, s int32) bool {
	md := st.md
	mt := &md.meets[m]
	for _, q := range mt.pred {
		if qs := st.start[q]; qs != 0 && qs+md.meets[q].dur > s {
			return false
		}
	}
	for _, q := range mt.succ {
		if qs := st.start[q]; qs != 0 && s+mt.dur > qs {
			return false
		}
	}
	return true
}

// addedBreaks returns how many breaks placing m at s would add (possibly
// negative: it may fill a gap).
func (st *state) addedBreaks(m, s int32) int {
	md := st.md
	mt := &md.meets[m]
	d := 0
	for _, p := range mt.att {
		row := st.occ[int(p)*md.stride:]
		b := st.blocks[p] + 1
		if row[s-1] != 0 {
			b--
		}
		if row[s+mt.dur] != 0 {
			b--
		}
		d += int(breaksOf(b) - breaksOf(st.blocks[p]))
	}
	return d
}

// spreadExcess returns by how much the breaks of two participants differ
// beyond max_break_spread (0 without one).
func (st *state) spreadExcess() int {
	if st.md.spread < 0 {
		return 0
	}
	lo, hi := st.minMax()
	return max(hi-lo-st.md.spread, 0)
}

// overshoot returns by how many breaks in all the participants exceed the
// fewest breaks of anyone plus max_break_spread (0 without one): it is 0
// exactly when spreadExcess is.
func (st *state) overshoot() int {
	if st.md.spread < 0 {
		return 0
	}
	lo, hi := st.minMax()
	x := 0
	for b := lo + st.md.spread + 1; b <= hi; b++ {
		x += int(st.hist[b]) * (b - lo - st.md.spread)
	}
	return x
}

// minMax returns the smallest and largest breaks of a participant.
func (st *state) minMax() (lo, hi int) {
	if len(st.md.people) == 0 {
		return 0, 0
	}
	lo, hi = 0, len(st.hist)-1
	for st.hist[lo] == 0 {
		lo++
	}
	for st.hist[hi] == 0 {
		hi--
	}
	return lo, hi
}

// cost is the lexicographic objective of the search: fewest unplaced
// meetings, then the least priority left out, then, in a re-plan, the
// fewest kept meetings moved, then the soft cost (breaks plus a penalty for
// every break over max_break_spread, see overshoot: a graded measure, so
// that the annealing is drawn towards a placement that obeys it one
// participant at a time). idle, the total of idle
// slots inside the participants' days, is no part of the objective but
// guides the annealing: a meeting moved closer to its attendees' other
// meetings lowers it before it closes a break.
type cost struct {
	out   int
	prio  int64
	moved int
	soft  int
	idle  int
}

// idleWeight is what a break weighs against an idle slot in the annealing.
const idleWeight = 8

// energy is the annealing's measure of the soft cost.
func (c cost) energy() int { return idleWeight*c.soft + c.idle }

// spreadPenalty weighs one break over max_break_spread (a unit of
// overshoot) against breaks.
const spreadPenalty = 1

func (st *state) cost() cost {
	return cost{st.nOut, st.prioLoss, st.moved, st.total + st.penalty*st.overshoot(), st.idles}
}

// cmp orders costs: negative when c is better than o.
func (c cost) cmp(o cost) int {
	switch {
	case c.out != o.out:
		return c.out - o.out
	case c.prio != o.prio:
		if c.prio < o.prio {
			return -1
		}
		return 1
	case c.moved != o.moved:
		return c.moved - o.moved
	}
	return c.soft - o.soft
}
