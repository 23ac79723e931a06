package agenda

import (
	"math/bits"
	"math/rand/v2"
)

// blockSearch looks for a schedule without any break by constraint
// propagation and depth-first search. Without a break, each participant's
// meetings fill one block of consecutive slots, as many as they have
// meetings, one meeting per slot. The propagation keeps, for every
// participant and every block start still possible, only the slots of
// their meetings that some one-to-one assignment of their meetings to the
// block's slots uses (a perfect matching in a bipartite graph; the edges
// that lie in some perfect matching are those on an alternating cycle,
// found by reachability); a start that no assignment fills is dropped. A
// slot holds at most `tables` meetings and at most tables × (the largest
// meeting's attendees) busy participants, counted over the slots each
// block covers whatever its start (time-tabling, as in cumulative
// scheduling); precedences keep their order. The search decides meetings'
// slots, the fewest left for the failures seen at their attendees first,
// with restarts on a Luby sequence of node budgets.
//
// It works on requests whose meetings all last one slot, without seat
// levels, with at most 63 slots (a set of slots is a bit mask). Every
// deduction holds in every schedule without a break, so a search that
// ends within its node budget either finds one or proves there is none.
// Without learning it thrashes on larger events such as forum-13, where
// the SAT encoding does better, but it settles tic-12 within its budget in
// zeroFirst (TestBlockSearchSettlesTic12). Its root propagation also
// strengthens the SAT encoding (encoding.rootPrune).
type blockSearch struct {
	md   *model
	need []int      // meetings per participant
	x    []uint64   // per meeting: slots it may still take
	bs   []uint64   // per participant: block starts still possible
	hint []int32    // per meeting: a start slot to try first (0: none)
	rng  *rand.Rand //

	nodes, limit int         // nodes visited, and the budget of this run
	cut          bool        // the budget ran out
	wt           []float64   // per participant: failures seen there (dom/wdeg)
	halt         func() bool // asked every few hundred nodes; true stops the search

	// scratch of the matching
	dom    []uint64
	slotOf []int
	owner  [64]int
	reach  []uint64
	dirty  []bool
	queue  []int32
	comp   []uint64 // per participant: the slots their block covers whatever its start

	busyCap int // participants busy in one slot at most
}

// blockSearchable reports whether blockSearch applies to md.
func blockSearchable(md *model) bool {
	if md.slots > 63 || md.nLv > 0 || md.nDead > 0 || len(md.proofs) > 0 {
		return false
	}
	for i := range md.meets {
		if md.meets[i].dur != 1 {
			return false
		}
	}
	return true
}

func newBlockSearch(md *model, hint []int32, rng *rand.Rand) *blockSearch {
	b := &blockSearch{
		md:    md,
		need:  make([]int, len(md.people)),
		x:     make([]uint64, len(md.meets)),
		bs:    make([]uint64, len(md.people)),
		hint:  hint,
		rng:   rng,
		dirty: make([]bool, len(md.people)),
		wt:    make([]float64, len(md.people)),
		comp:  make([]uint64, len(md.people)),
	}
	size := 0
	for m := range md.meets {
		size = max(size, len(md.meets[m].att))
	}
	b.busyCap = md.tables * size
	for p := range b.wt {
		b.wt[p] = 1
	}
	for m := range md.meets {
		for _, s := range md.meets[m].dom {
			b.x[m] |= 1 << uint(s)
		}
	}
	for p, ms := range md.byPer {
		b.need[p] = len(ms)
		for s := 1; s+len(ms)-1 <= md.slots; s++ {
			b.bs[p] |= 1 << uint(s)
		}
	}
	return b
}

const restartNodes = 100

// span is the mask of slots s..s+n-1.
func span(s, n int) uint64 { return ((1 << uint(n)) - 1) << uint(s) }

// run searches for a break-free schedule within limit nodes (0: none), in
// restarts of restartNodes × the Luby sequence nodes, keeping the failure
// weights from one to the next. It returns the start slots found, or nil
// with cut set when the budget ran out or halt said stop (else there is no
// schedule without a break).
func (b *blockSearch) run(limit int) []int32 {
	b.nodes, b.limit, b.cut = 0, limit, false
	x, bs := append([]uint64(nil), b.x...), append([]uint64(nil), b.bs...)
	for p := range b.dirty {
		b.dirty[p] = true
		b.queue = append(b.queue, int32(p))
	}
	if !b.propagate(x, bs) {
		return nil
	}
	total := limit
	for r := 0; ; r++ {
		if b.halt != nil && b.halt() {
			b.cut = true
			return nil
		}
		rl := restartNodes * luby(r)
		if total > 0 {
			rl = min(rl, total-b.nodes)
			if rl <= 0 {
				b.cut = true
				return nil
			}
		}
		wx, wbs := append([]uint64(nil), x...), append([]uint64(nil), bs...)
		b.limit = b.nodes + rl
		b.cut = false
		if b.dfs(wx, wbs) {
			x = wx
			break
		}
		if !b.cut {
			return nil
		}
	}
	out := make([]int32, len(x))
	for m, d := range x {
		out[m] = int32(bits.TrailingZeros64(d))
	}
	return out
}

// dfs extends the propagated domains x, bs to a schedule, in place.
func (b *blockSearch) dfs(x, bs []uint64) bool {
	b.nodes++
	if b.limit > 0 && b.nodes > b.limit || b.nodes&255 == 0 && b.halt != nil && b.halt() {
		b.cut = true
		return false
	}
	// Branch on the meeting with the fewest slots left for the failures
	// seen at its attendees (dom/wdeg), its slot in the hint first. With
	// every meeting's slot decided, every block start is too.
	md := b.md
	bm, best := -1, 0.0
	for m, d := range x {
		if n := bits.OnesCount64(d); n > 1 {
			w := 0.0
			for _, p := range md.meets[m].att {
				w += b.wt[p]
			}
			if sc := float64(n) / w; bm < 0 || sc < best {
				bm, best = m, sc
			}
		}
	}
	if bm < 0 {
		return true
	}
	order := b.order(x[bm], int(b.hint[bm]))
	sx, sbs := make([]uint64, len(x)), make([]uint64, len(bs))
	copy(sx, x)
	copy(sbs, bs)
	for i, v := range order {
		if i > 0 {
			copy(x, sx)
			copy(bs, sbs)
		}
		x[bm] = 1 << uint(v)
		for _, p := range md.meets[bm].att {
			b.touch(int(p))
		}
		if b.propagate(x, bs) && b.dfs(x, bs) {
			return true
		}
		if b.cut {
			return false
		}
	}
	return false
}

// order lists the slots of choices: prefer first (if among them), the
// others in random order.
func (b *blockSearch) order(choices uint64, prefer int) []int {
	var out []int
	if prefer > 0 && choices&(1<<uint(prefer)) != 0 {
		out = append(out, prefer)
		choices &^= 1 << uint(prefer)
	}
	rest := len(out)
	for c := choices; c != 0; c &= c - 1 {
		out = append(out, bits.TrailingZeros64(c))
	}
	tail := out[rest:]
	b.rng.Shuffle(len(tail), func(i, j int) { tail[i], tail[j] = tail[j], tail[i] })
	return out
}

func (b *blockSearch) touch(p int) {
	if !b.dirty[p] {
		b.dirty[p] = true
		b.queue = append(b.queue, int32(p))
	}
}

// propagate narrows x and bs to a fixpoint; false when some domain
// empties. The queue is empty afterwards either way.
func (b *blockSearch) propagate(x, bs []uint64) bool {
	ok := true
	for ok && len(b.queue) > 0 {
		p := int(b.queue[len(b.queue)-1])
		b.queue = b.queue[:len(b.queue)-1]
		b.dirty[p] = false
		ok = b.participant(p, x, bs)
		if !ok {
			b.wt[p]++
		}
		if ok && len(b.queue) == 0 {
			ok = b.global(x, bs)
		}
	}
	for _, p := range b.queue {
		b.dirty[p] = false
	}
	b.queue = b.queue[:0]
	return ok
}

// participant keeps, of p's block starts and meeting slots, those in some
// filling of a block; it queues the other attendees of a meeting whose
// slots shrank.
func (b *blockSearch) participant(p int, x, bs []uint64) bool {
	md := b.md
	ms := md.byPer[p]
	k := len(ms)
	support := make([]uint64, k)
	var starts uint64
	for c := bs[p]; c != 0; c &= c - 1 {
		s := bits.TrailingZeros64(c)
		blk := span(s, k)
		if b.fill(ms, x, blk, support) {
			starts |= 1 << uint(s)
		}
	}
	if starts == 0 {
		return false
	}
	bs[p] = starts
	for i, m := range ms {
		if nx := x[m] & support[i]; nx != x[m] {
			if nx == 0 {
				return false
			}
			x[m] = nx
			for _, q := range md.meets[m].att {
				if int(q) != p {
					b.touch(int(q))
				}
			}
			for _, r := range md.meets[m].succ {
				for _, q := range md.meets[r].att {
					b.touch(int(q))
				}
			}
			for _, r := range md.meets[m].pred {
				for _, q := range md.meets[r].att {
					b.touch(int(q))
				}
			}
		}
	}
	return true
}

// fill reports whether p's meetings ms can fill the block blk one to a
// slot, and adds to support[i] every slot of meeting i that some such
// filling uses.
func (b *blockSearch) fill(ms []int32, x []uint64, blk uint64, support []uint64) bool {
	k := len(ms)
	if cap(b.dom) < k {
		b.dom = make([]uint64, k)
		b.slotOf = make([]int, k)
		b.reach = make([]uint64, k)
	}
	dom, slotOf := b.dom[:k], b.slotOf[:k]
	for i, m := range ms {
		dom[i] = x[m] & blk & b.precedence(m, x)
		if dom[i] == 0 {
			return false
		}
	}
	for c := blk; c != 0; c &= c - 1 {
		b.owner[bits.TrailingZeros64(c)] = -1
	}
	for i := range slotOf {
		slotOf[i] = -1
	}
	// Kuhn's augmenting paths.
	for i := range k {
		var seen uint64
		if !b.augment(i, dom, slotOf, &seen) {
			return false
		}
	}
	// Meeting i can take slot t (owned by j) when j reaches i through
	// alternating edges: i → t's owner for every other slot t of i.
	reach := b.reach[:k]
	for i := range k {
		reach[i] = 0
		for c := dom[i] &^ (1 << uint(slotOf[i])); c != 0; c &= c - 1 {
			reach[i] |= 1 << uint(b.owner[bits.TrailingZeros64(c)])
		}
	}
	for mid := range k {
		bit := uint64(1) << uint(mid)
		for i := range k {
			if reach[i]&bit != 0 {
				reach[i] |= reach[mid]
			}
		}
	}
	for i := range k {
		support[i] |= 1 << uint(slotOf[i])
		for c := dom[i] &^ (1 << uint(slotOf[i])); c != 0; c &= c - 1 {
			t := bits.TrailingZeros64(c)
			if reach[b.owner[t]]&(1<<uint(i)) != 0 {
				support[i] |= 1 << uint(t)
			}
		}
	}
	return true
}

func (b *blockSearch) augment(i int, dom []uint64, slotOf []int, seen *uint64) bool {
	for c := dom[i] &^ *seen; c != 0; c &= c - 1 {
		t := bits.TrailingZeros64(c)
		*seen |= 1 << uint(t)
		if j := b.owner[t]; j < 0 || b.augment(j, dom, slotOf, seen) {
			b.owner[t] = i
			slotOf[i] = t
			return true
		}
	}
	return false
}

// precedence is the mask of slots meeting m may take given the slots left
// to its predecessors and successors (one-slot meetings).
func (b *blockSearch) precedence(m int32, x []uint64) uint64 {
	mt := &b.md.meets[m]
	mask := ^uint64(0)
	for _, q := range mt.pred {
		if x[q] == 0 {
			return 0
		}
		lo := bits.TrailingZeros64(x[q]) // m starts after q's earliest slot
		mask &= ^uint64(0) << uint(lo+1)
	}
	for _, q := range mt.succ {
		if x[q] == 0 {
			return 0
		}
		hi := 63 - bits.LeadingZeros64(x[q]) // m ends before q's latest slot
		mask &= span(0, hi)
	}
	return mask
}

// global checks the tables: a slot holds at most `tables` meetings fixed
// to it, and when it is full no other meeting may take it. A slot also
// holds at most busyCap participants (tables × the largest meeting's
// attendees): every start whose block certainly overfills a slot, counting
// the slots other participants' blocks cover whatever their start (the
// compulsory parts of cumulative scheduling), is dropped.
func (b *blockSearch) global(x, bs []uint64) bool {
	md := b.md
	var cc [64]int
	comp := b.comp
	for p, d := range bs {
		k := b.need[p]
		lo, hi := bits.TrailingZeros64(d), 63-bits.LeadingZeros64(d)
		comp[p] = 0
		if hi <= lo+k-1 {
			comp[p] = span(hi, lo+k-hi)
			for c := comp[p]; c != 0; c &= c - 1 {
				cc[bits.TrailingZeros64(c)]++
			}
		}
	}
	var fullB uint64
	for t := 1; t <= md.slots; t++ {
		if cc[t] > b.busyCap {
			return false
		}
		if cc[t] == b.busyCap {
			fullB |= 1 << uint(t)
		}
	}
	if fullB != 0 {
		for p, d := range bs {
			if d&(d-1) == 0 {
				continue
			}
			k := b.need[p]
			nd := d
			for c := d; c != 0; c &= c - 1 {
				s := bits.TrailingZeros64(c)
				if span(s, k)&^comp[p]&fullB != 0 {
					nd &^= 1 << uint(s)
				}
			}
			if nd == 0 {
				return false
			}
			if nd != d {
				bs[p] = nd
				b.touch(p)
			}
		}
	}
	var count [64]int
	for _, d := range x {
		if d&(d-1) == 0 {
			count[bits.TrailingZeros64(d)]++
		}
	}
	var full uint64
	for t := 1; t <= md.slots; t++ {
		if count[t] > md.tables {
			return false
		}
		if count[t] == md.tables {
			full |= 1 << uint(t)
		}
	}
	if full == 0 {
		return true
	}
	for m, d := range x {
		if d&(d-1) != 0 && d&full != 0 {
			nd := d &^ full
			if nd == 0 {
				return false
			}
			x[m] = nd
			for _, p := range md.meets[m].att {
				b.touch(int(p))
			}
		}
	}
	return true
}
