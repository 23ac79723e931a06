package agenda

import (
	"math"
	"sync"
)

// This file holds the stronger static lower bound on the total of breaks
// (model.breakBound): a Lagrangian relaxation whose subproblems are
// participants' busy slots, as in model.countBound, with three things that
// bite on enterprise–university events:
//
//   - Hall limits: by each slot t, a participant has been busy at least the
//     slots of their meetings that must end by t, and at most their need less
//     the slots of those that must start after t. The sessions a meeting is
//     held to and its counterparts' unavailability thus shape the busy set.
//   - Side capacity: every slot holds at most `tables` meetings, and a set of
//     participants no two of whom share a meeting has at most one member in
//     each, so at most `tables` of them are busy in any slot. Two such sets
//     (the two sides of an enterprise–university event, found by
//     2-colouring the groups that meet) are far tighter than counting seats.
//   - max_break_spread: if some participant has at least L breaks in every
//     schedule, every participant has at least L − d.

// Budget of breakBound: multiplier steps, and work (DP cells) in all.
const (
	breakBoundIters = 150
	breakBoundWork  = 40_000_000
)

// boundGroup is a set of participants with the same meetings: their
// subproblems are the same, solved once.
type boundGroup struct {
	first int32   // a member (the lowest index)
	size  int     // members
	need  int     // slots their meetings take
	use   []bool  // use[t]: some placement of one of their meetings covers t
	lo    []int32 // lo[t]: busy slots in 1..t at least
	hi    []int32 // hi[t]: busy slots in 1..t at most
	side  [2]bool // the group has a member of side k (weight 1 in its capacity rows)
}

// breakBound returns a lower bound on the total of breaks of any complete
// schedule that obeys every rule (0 when no complete schedule is known to
// be possible to bound, i.e. the model has proofs of infeasibility). It is
// a function of the model alone: deterministic, with a fixed budget of work.
//
// Validity. Take any complete schedule and let B_p be participant p's busy
// slots, b_p = runs(B_p) − 1 their breaks. Then
//
//  1. |B_p| = need_p (meetings do not overlap for p), B_p ⊆ use_p, and for
//     every t, lo_p[t] ≤ |B_p ∩ [1,t]| ≤ hi_p[t]: a meeting whose every
//     start ends by t lies in [1,t], one whose every start is after t lies
//     outside it, and p's meetings are disjoint.
//  2. For each side k and slot t, Σ_{p∈S_k} [t ∈ B_p] ≤ tables, where S_k
//     has at most one attendee of any meeting: every busy p ∈ S_k is in a
//     distinct meeting running in t.
//  3. With max_break_spread d and f = max_p l_p − d, where l_p is the least
//     b_p over the busy sets of (1) alone: b_p ≥ f for every p, as
//     b_q ≥ l_q for all q and |b_p − b_q| ≤ d.
//
// So for multipliers λ_{k,t} ≥ 0,
//
//	Σ_p b_p ≥ Σ_p [max(b_p, f) + Σ_k [p∈S_k] Σ_{t∈B_p} λ_{k,t}] − tables·Σ_{k,t} λ_{k,t}
//	        ≥ Σ_p min_{B ok by (1)} [max(runs(B)−1, f) + Σ_{t∈B} c_p(t)] − tables·Σλ,
//
// with c_p(t) = Σ_k [p∈S_k] λ_{k,t}: one dynamic programme per group of
// participants with the same meetings. Breaks are whole, so the value
// rounded up (less a tolerance for rounding errors) is a bound. At λ = 0
// it is Σ_p max(l_p, f), already at least model.lowerBound's
// per-participant runs when sessions are the day's first and last ranges.
func (md *model) breakBound() int {
	if len(md.proofs) > 0 || md.nDead > 0 || len(md.people) == 0 {
		return 0
	}
	groups := md.boundGroups()
	if groups == nil {
		return 0 // some participant's meetings cannot all fit
	}
	dp := newHallDP(md.slots)
	zero := make([]float64, md.stride)

	// Per-participant bounds l_p (λ = 0, no floor), then the spread floor.
	floor := 0
	if md.spread >= 0 {
		top := 0
		for i := range groups {
			v, _ := dp.solve(&groups[i], zero, 0)
			if math.IsInf(v, 1) {
				return 0
			}
			top = max(top, int(v))
		}
		floor = max(0, top-md.spread)
	}

	// v0[i]: a member's least cost at λ = 0. Only a group's first member
	// is in a side (its members share every meeting); the others keep v0.
	v0 := make([]float64, len(groups))
	best := 0.0
	for i := range groups {
		v, _ := dp.solve(&groups[i], zero, floor)
		if math.IsInf(v, 1) {
			return 0
		}
		v0[i] = v
		best += v * float64(groups[i].size)
	}

	// Does any side capacity bind at all? If in every slot fewer members
	// of a side can be busy than there are tables, λ = 0 is optimal.
	binding := false
	for k := range 2 {
		for t := 1; t <= md.slots && !binding; t++ {
			n := 0
			for i := range groups {
				if groups[i].side[k] && groups[i].use[t] {
					n++
				}
			}
			binding = n > md.tables
		}
	}
	work := 0
	for i := range groups {
		work += md.slots * (groups[i].need + 1) * (floor + 1)
	}
	iters := 0
	if binding && work > 0 {
		iters = min(breakBoundIters, breakBoundWork/work)
	}

	// Subgradient ascent on λ (two rows of md.stride, one per side). The
	// groups in no side add a constant; the others are split into a fixed
	// number of chunks solved in parallel and summed in order, so the
	// value does not depend on the machine.
	constant := 0.0
	var active []int32
	for i := range groups {
		if groups[i].side[0] || groups[i].side[1] {
			active = append(active, int32(i))
			constant += v0[i] * float64(groups[i].size-1)
		} else {
			constant += v0[i] * float64(groups[i].size)
		}
	}
	lambda := [2][]float64{make([]float64, md.stride), make([]float64, md.stride)}
	grad := [2][]float64{make([]float64, md.stride), make([]float64, md.stride)}
	chunks := make([]boundChunk, boundChunks)
	for c := range chunks {
		lo, hi := c*len(active)/boundChunks, (c+1)*len(active)/boundChunks
		chunks[c] = boundChunk{groups: active[lo:hi], dp: newHallDP(md.slots), cost: make([]float64, md.stride), busy: [2][]int32{make([]int32, md.stride), make([]int32, md.stride)}}
	}
	tables := float64(md.tables)
	step := 0.5
	sinceBest := 0
	var wg sync.WaitGroup
	for range iters {
		for c := range chunks {
			wg.Go(func() { chunks[c].eval(groups, &lambda, floor) })
		}
		wg.Wait()
		val := constant
		for k := range 2 {
			for t := 1; t <= md.slots; t++ {
				grad[k][t] = -tables
				val -= lambda[k][t] * tables
			}
		}
		for c := range chunks {
			val += chunks[c].val
			for k := range 2 {
				for t := 1; t <= md.slots; t++ {
					grad[k][t] += float64(chunks[c].busy[k][t])
				}
			}
		}
		if val > best+1e-9 {
			best, sinceBest = val, 0
		} else if sinceBest++; sinceBest == 4 {
			step, sinceBest = step/2, 0
		}
		// Polyak-like normalised step over the coordinates that may move.
		norm := 0.0
		for k := range 2 {
			for t := 1; t <= md.slots; t++ {
				if lambda[k][t] > 0 || grad[k][t] > 0 {
					norm += grad[k][t] * grad[k][t]
				}
			}
		}
		if norm == 0 || step < 1e-3 {
			break
		}
		norm = math.Sqrt(norm)
		for k := range 2 {
			for t := 1; t <= md.slots; t++ {
				lambda[k][t] = max(0, lambda[k][t]+step*grad[k][t]/norm)
			}
		}
	}
	return max(0, int(math.Ceil(best-1e-6)))
}

// boundChunks is the number of parts the groups are split into for
// solving their subproblems in parallel (fixed: the sums do not depend on
// the machine).
const boundChunks = 4

// boundChunk solves the subproblems of some groups at given multipliers.
type boundChunk struct {
	groups []int32
	dp     *hallDP
	cost   []float64
	val    float64    // the groups' least costs, summed in order
	busy   [2][]int32 // busy[k][t]: side k members busy in t in those busy sets
}

func (ch *boundChunk) eval(groups []boundGroup, lambda *[2][]float64, floor int) {
	ch.val = 0
	for k := range 2 {
		clear(ch.busy[k])
	}
	for _, i := range ch.groups {
		g := &groups[i]
		for t := 1; t < len(ch.cost); t++ {
			ch.cost[t] = 0
			for k := range 2 {
				if g.side[k] {
					ch.cost[t] += lambda[k][t]
				}
			}
		}
		v, busy := ch.dp.solve(g, ch.cost, floor)
		ch.val += v
		for k := range 2 {
			if !g.side[k] {
				continue
			}
			for t, b := range busy {
				if b {
					ch.busy[k][t]++
				}
			}
		}
	}
}

// boundGroups returns the participants grouped by their meetings, with
// each group's busy-slot limits and sides, or nil when some participant's
// meetings cannot all fit in the slots their limits allow.
func (md *model) boundGroups() []boundGroup {
	byKey := make(map[string]int, len(md.byPer))
	groupOf := make([]int32, len(md.people))
	var groups []boundGroup
	key := make([]byte, 0, 64)
	for p, ms := range md.byPer {
		key = key[:0]
		for _, m := range ms {
			key = append(key, byte(m), byte(m>>8), byte(m>>16), byte(m>>24))
		}
		if i, ok := byKey[string(key)]; ok {
			groups[i].size++
			groupOf[p] = int32(i)
			continue
		}
		byKey[string(key)] = len(groups)
		groupOf[p] = int32(len(groups))
		g := boundGroup{
			first: int32(p),
			size:  1,
			use:   make([]bool, md.stride),
			lo:    make([]int32, md.stride),
			hi:    make([]int32, md.stride),
		}
		for _, m := range ms {
			mt := &md.meets[m]
			g.need += int(mt.dur)
			for _, s := range mt.dom {
				for t := s; t < s+mt.dur; t++ {
					g.use[t] = true
				}
			}
		}
		// lo[t] += dur for meetings whose latest end is ≤ t; the slots of
		// those whose earliest start is > t come off hi[t].
		for t := range g.hi {
			g.hi[t] = int32(g.need)
		}
		for _, m := range ms {
			mt := &md.meets[m]
			lastEnd := mt.dom[len(mt.dom)-1] + mt.dur - 1
			for t := lastEnd; t < int32(md.stride); t++ {
				g.lo[t] += mt.dur
			}
			for t := int32(0); t < mt.dom[0]; t++ {
				g.hi[t] -= mt.dur
			}
		}
		for t := 1; t <= md.slots; t++ {
			if g.lo[t] > g.hi[t] {
				return nil
			}
		}
		groups = append(groups, g)
	}
	md.assignSides(groups, groupOf)
	return groups
}

// assignSides marks, for two sides, the groups whose first member counts in
// that side's capacity rows, so that no meeting has two marked attendees on
// one side. The groups that meet are 2-coloured breadth first (a group
// meets the groups of the other attendees of its meetings); where the
// colouring fails (odd cycles, as when a meeting joins three groups) the
// later group of a clash is left out of the side.
func (md *model) assignSides(groups []boundGroup, groupOf []int32) {
	colour := make([]int8, len(groups))
	for i := range colour {
		colour[i] = -1
	}
	var queue []int32
	for root := range groups {
		if colour[root] >= 0 {
			continue
		}
		colour[root] = 0
		queue = append(queue[:0], int32(root))
		for k := 0; k < len(queue); k++ {
			g := queue[k]
			for _, m := range md.byPer[groups[g].first] {
				for _, a := range md.meets[m].att {
					h := groupOf[a]
					if h != g && colour[h] < 0 {
						colour[h] = 1 - colour[g]
						queue = append(queue, h)
					}
				}
			}
		}
	}
	for i := range groups {
		groups[i].side[colour[i]] = true
	}
	// Repair: a meeting with two marked groups on one side keeps the first.
	for k := range 2 {
		for m := range md.meets {
			seen := int32(-1)
			for _, a := range md.meets[m].att {
				h := groupOf[a]
				if h == seen || !groups[h].side[k] {
					continue
				}
				if seen < 0 {
					seen = h
					continue
				}
				groups[h].side[k] = false
			}
		}
	}
}

// hallDP finds a participant's cheapest busy set under the limits of a
// boundGroup: need busy slots, each allowed by use, with lo[t] ≤ busy in
// 1..t ≤ hi[t], costing max(breaks, floor) plus cost[t] per busy slot t.
type hallDP struct {
	slots int
	val   []float64 // val[cell(t, c, s, b)]: least cost of slots 1..t
	from  []int8    // the predecessor state of that cell (−1: none)
	busy  []bool
}

// States after a slot: not yet busy, busy in it, idle after being busy.
const (
	hallBefore = iota
	hallBusy
	hallGap
)

func newHallDP(slots int) *hallDP {
	return &hallDP{slots: slots, busy: make([]bool, slots+2)}
}

// solve returns the least cost and a busy set that reaches it (+Inf and
// no slots when no busy set obeys the limits). The walk back follows the
// recorded predecessors, so the busy set is exactly the one costed.
func (d *hallDP) solve(g *boundGroup, cost []float64, floor int) (float64, []bool) {
	n, need, nb := d.slots, g.need, floor+1
	// Cell (t, c, s, b), b the breaks so far capped at floor, is at
	// ((t*(need+1)+c)*3+s)*nb+b; a row (t, c) spans 3*nb cells.
	row := 3 * nb
	cells := (n + 1) * (need + 1) * row
	if cap(d.val) < cells {
		d.val = make([]float64, cells)
		d.from = make([]int8, cells)
	}
	val, from := d.val[:cells], d.from[:cells]
	inf := math.Inf(1)
	for i := range val {
		val[i] = inf
	}
	val[hallBefore*nb] = float64(floor)
	left := need // use slots still needed after slot t-1, less those left in t..n
	for t := 1; t <= n; t++ {
		if g.use[t] {
			left--
		}
	}
	// left is now need − |use ∩ [1,n]|; at slot t, a count c can still
	// reach need only if c ≥ need − |use ∩ [t+1,n]|.
	reach := left // need − |use ∩ [1,n]|, raised as t passes use slots
	for t := 1; t <= n; t++ {
		if g.use[t] {
			reach++
		}
		lo, hi := max(int(g.lo[t]), reach), min(int(g.hi[t]), need)
		cMin, cMax := max(int(g.lo[t-1]), lo-1, 0), min(t-1, int(g.hi[t-1]), hi)
		for c := cMin; c <= cMax; c++ {
			src := ((t-1)*(need+1) + c) * row
			idleRow := (t*(need+1) + c) * row
			busyRow := idleRow + row + hallBusy*nb
			for s := range 3 {
				idle := idleRow + hallGap*nb
				if s == hallBefore {
					idle = idleRow + hallBefore*nb
				}
				for b := range nb {
					v := val[src+s*nb+b]
					if v == inf {
						continue
					}
					f := int8(s*nb + b)
					if c >= lo {
						if w := idle + b; v < val[w] {
							val[w], from[w] = v, f
						}
					}
					if g.use[t] && c+1 <= hi {
						nv, nb2 := v+cost[t], b
						if s == hallGap {
							if b < floor {
								nb2++
							} else {
								nv++
							}
						}
						if w := busyRow + nb2; nv < val[w] {
							val[w], from[w] = nv, f
						}
					}
				}
			}
		}
	}
	end := (n*(need+1) + need) * row
	best := end
	for i := end; i < end+row; i++ {
		if val[i] < val[best] {
			best = i
		}
	}
	v := val[best]
	clear(d.busy)
	if v == inf {
		return v, d.busy
	}
	c, s, b := need, (best-end)/nb, (best-end)%nb
	for t := n; t >= 1; t-- {
		f := from[((t*(need+1)+c)*3+s)*nb+b]
		if s == hallBusy {
			d.busy[t] = true
			c--
		}
		s, b = int(f)/nb, int(f)%nb
	}
	return v, d.busy
}
