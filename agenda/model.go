package agenda

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// model is a validated request compiled for the search: participants and
// meetings by index, and what every schedule must satisfy.
type model struct {
	slots  int
	tables int
	spread int // max_break_spread, -1 when absent

	people  []string   // attendee ids, in order of first appearance
	byPer   [][]int32  // meetings of each participant
	meets   []meeting  // in request order (its index is its priority rank)
	order   []int32    // meetings in topological order of `after`
	hasPre  bool       // some meeting has an `after`
	allow   []bool     // allow[m*stride+s]: meeting m may start at slot s
	stride  int        // slots+2
	dead    []bool     // meeting m can never be placed (no possible start)
	nDead   int        //
	proofs  []string   // why no schedule places every meeting; empty: not proven
	counted bool       // a proof counts meeting-slots against tables × slots: it needs no conflicting set
	lb      int        // lower bound on the total of breaks of a complete schedule
	unav    [][]bool   // unavailable[p][s]
	sess    [][2]int32 // session ranges

	// Seats (Request.TableSeats; see levels). seatOf is nil when every
	// table seats any number.
	seatOf  []int32 // seats of each table 1..tables (index 0 unused), unlimited as math.MaxInt32
	nLv     int     // seat levels beyond level 0 (every meeting)
	lvSeats []int32 // lvSeats[j]: the seats a meeting of level j needs at least (j ≥ 1)
	lvCap   []int32 // lvCap[j]: the tables that seat that many, at most one per meeting (lvCap[0] = tables)
}

type meeting struct {
	id     string
	dur    int32
	att    []int32
	dom    []int32 // possible start slots, ascending
	pred   []int32 // meetings that must end before this one starts
	succ   []int32 // meetings that must start after this one ends
	weight int64   // priority weight: len(meets) - rank
	lv     int32   // seat level: the meeting counts against lvCap[1..lv] (0: tables only)
	big    bool    // more attendees than any table seats: never placed
}

func (md *model) allowed(m int32, s int32) bool { return md.allow[int(m)*md.stride+int(s)] }

// compile builds the model of a valid request.
func compile(req *Request) *model {
	n := len(req.Meetings)
	md := &model{
		slots:  req.Slots,
		tables: min(req.Tables, max(n, 1)), // more tables than meetings change nothing
		spread: -1,
		meets:  make([]meeting, n),
		stride: req.Slots + 2,
		dead:   make([]bool, n),
	}
	if req.MaxBreakSpread != nil {
		md.spread = *req.MaxBreakSpread
	}
	sessions := make(map[string][2]int32, len(req.Sessions))
	for _, s := range req.Sessions {
		r := [2]int32{int32(s.First), int32(s.Last)}
		sessions[s.Name] = r
		md.sess = append(md.sess, r)
	}
	person := make(map[string]int32)
	ids := make(map[string]int32, n)
	for i, rm := range req.Meetings {
		ids[rm.ID] = int32(i)
		m := &md.meets[i]
		m.id = rm.ID
		m.dur = int32(rm.duration())
		m.weight = int64(n - i)
		for _, a := range rm.Attendees {
			p, ok := person[a]
			if !ok {
				p = int32(len(md.people))
				person[a] = p
				md.people = append(md.people, a)
				md.byPer = append(md.byPer, nil)
			}
			m.att = append(m.att, p)
			md.byPer[p] = append(md.byPer[p], int32(i))
		}
	}
	md.unav = make([][]bool, len(md.people))
	for p := range md.unav {
		md.unav[p] = make([]bool, md.stride)
	}
	for _, rp := range req.Participants {
		if p, ok := person[rp.ID]; ok {
			for _, s := range rp.Unavailable {
				md.unav[p][s] = true
			}
		}
	}
	for i, rm := range req.Meetings {
		for _, b := range rm.After {
			j := ids[b]
			md.meets[i].pred = append(md.meets[i].pred, j)
			md.meets[j].succ = append(md.meets[j].succ, int32(i))
			md.hasPre = true
		}
	}
	md.order = topoOrder(md.meets)
	if len(md.order) < n { // some meetings lie on a cycle of `after`
		index := make(map[string]int, n)
		for i, rm := range req.Meetings {
			index[rm.ID] = i
		}
		if cycle := afterCycle(req.Meetings, index); cycle != nil {
			md.proofs = append(md.proofs, fmt.Sprintf("the `after` precedences form a cycle, which no schedule can follow: %s",
				strings.Join(cycle, " → ")))
		}
	}
	md.levels(req.TableSeats)

	// Static domains: slot range, session, pin, unavailability.
	static := make([][]int32, n)
	for i, rm := range req.Meetings {
		m := &md.meets[i]
		if m.big {
			continue
		}
		lo, hi := int32(1), int32(md.slots)
		if rm.Session != "" {
			r := sessions[rm.Session]
			lo, hi = r[0], r[1]
		}
		for s := lo; s+m.dur-1 <= hi; s++ {
			if rm.Slot != 0 && s != int32(rm.Slot) {
				continue
			}
			if rm.Session == "" && m.dur > 1 && len(md.sess) > 0 && !md.inOneSession(s, s+m.dur-1) {
				continue
			}
			if md.free(m.att, s, m.dur) {
				static[i] = append(static[i], s)
			}
		}
	}
	md.prove(req, static)

	// Search domains: the static ones narrowed along precedences. The
	// narrowing holds for complete schedules only, so when those are proven
	// impossible the search for a partial one keeps the static domains (a
	// placed meeting constrains placed ones only).
	narrowed, chainProofs := md.propagate(static)
	domains := narrowed
	if len(md.proofs) > 0 || len(chainProofs) > 0 {
		md.proofs = append(md.proofs, chainProofs...)
		domains = static
	}
	md.allow = make([]bool, n*md.stride)
	for i := range md.meets {
		md.meets[i].dom = domains[i]
		for _, s := range domains[i] {
			md.allow[i*md.stride+int(s)] = true
		}
		if len(domains[i]) == 0 {
			md.dead[i] = true
			md.nDead++
		}
	}
	if len(md.proofs) == 0 {
		md.lb = max(md.lowerBound(), md.countBound())
	}
	return md
}

// inOneSession reports whether slots a..b lie inside one session.
func (md *model) inOneSession(a, b int32) bool {
	for _, r := range md.sess {
		if r[0] <= a && b <= r[1] {
			return true
		}
	}
	return false
}

// free reports whether every attendee is available in slots s..s+dur-1.
func (md *model) free(att []int32, s, dur int32) bool {
	for _, p := range att {
		for t := s; t < s+dur; t++ {
			if md.unav[p][t] {
				return false
			}
		}
	}
	return true
}

// topoOrder returns the meetings in an order where every meeting comes after
// the meetings of its `after` list (the relation is acyclic once validated).
func topoOrder(meets []meeting) []int32 {
	indeg := make([]int, len(meets))
	for i := range meets {
		indeg[i] = len(meets[i].pred)
	}
	order := make([]int32, 0, len(meets))
	for i := range meets {
		if indeg[i] == 0 {
			order = append(order, int32(i))
		}
	}
	for k := 0; k < len(order); k++ {
		for _, j := range meets[order[k]].succ {
			if indeg[j]--; indeg[j] == 0 {
				order = append(order, j)
			}
		}
	}
	return order
}

// propagate narrows the domains along the `after` precedences until nothing
// changes: a meeting starts no earlier than each predecessor's earliest end,
// and ends before each successor's latest start. It returns the narrowed
// domains and, if some became empty, why.
func (md *model) propagate(static [][]int32) ([][]int32, []string) {
	dom := make([][]int32, len(static))
	for i := range static {
		dom[i] = static[i]
	}
	if !md.hasPre {
		return dom, nil
	}
	for changed := true; changed; {
		changed = false
		for _, i := range md.order {
			m := &md.meets[i]
			earliest := int32(1)
			for _, p := range m.pred {
				if len(dom[p]) == 0 {
					continue
				}
				earliest = max(earliest, dom[p][0]+md.meets[p].dur)
			}
			if k := firstAtLeast(dom[i], earliest); k > 0 {
				dom[i] = dom[i][k:]
				changed = true
			}
		}
		for k := len(md.order) - 1; k >= 0; k-- {
			i := md.order[k]
			m := &md.meets[i]
			latestEnd := int32(md.slots)
			for _, q := range m.succ {
				if len(dom[q]) == 0 {
					continue
				}
				latestEnd = min(latestEnd, dom[q][len(dom[q])-1]-1)
			}
			j := len(dom[i])
			for j > 0 && dom[i][j-1]+m.dur-1 > latestEnd {
				j--
			}
			if j < len(dom[i]) {
				dom[i] = dom[i][:j]
				changed = true
			}
		}
	}
	var proofs []string
	for i := range dom {
		if len(static[i]) > 0 && len(dom[i]) == 0 {
			proofs = append(proofs, fmt.Sprintf("meeting %s: the chain of `after` precedences through it does not fit in the slots it may use", md.meets[i].id))
		}
	}
	return dom, proofs
}

// firstAtLeast returns the index of the first element of the ascending s
// that is at least v (len(s) if none).
func firstAtLeast(s []int32, v int32) int {
	k, _ := slices.BinarySearch(s, v)
	return k
}

// prove records the simple arguments that no schedule places every meeting.
func (md *model) prove(req *Request, static [][]int32) {
	const maxProofs = 8
	add := func(format string, args ...any) {
		if len(md.proofs) < maxProofs {
			md.proofs = append(md.proofs, fmt.Sprintf(format, args...))
		}
	}
	for i := range static {
		if m := &md.meets[i]; m.big {
			add("meeting %s has %d attendees; the largest table seats %d", m.id, len(m.att), slices.Max(md.seatOf))
		} else if len(static[i]) == 0 {
			add("meeting %s has no possible start slot (its session, pinned slot, duration and attendees' unavailable slots leave none)", md.meets[i].id)
		}
	}
	// Pinned clashes: two pinned meetings of one participant overlap, or more
	// pinned meetings in a slot than tables.
	pinned := make([]int, md.stride)
	for i, rm := range req.Meetings {
		if rm.Slot == 0 || len(static[i]) == 0 {
			continue
		}
		m := &md.meets[i]
		for t := rm.Slot; t < rm.Slot+int(m.dur); t++ {
			pinned[t]++
		}
		for j := range i {
			o := req.Meetings[j]
			if o.Slot == 0 || len(static[j]) == 0 {
				continue
			}
			if rm.Slot <= o.Slot+o.duration()-1 && o.Slot <= rm.Slot+int(m.dur)-1 && shareAttendee(m.att, md.meets[j].att) {
				add("meetings %s and %s are pinned to overlapping slots and share an attendee", o.ID, rm.ID)
			}
		}
	}
	for s, c := range pinned {
		if c > md.tables {
			add("%d meetings are pinned to slot %d, which has %d tables", c, s, md.tables)
		}
	}
	md.proveSeats(req, static, add)
	// Capacity: the meeting-slots against tables × slots, for the whole day
	// and for each session's own meetings.
	total := 0
	for i := range md.meets {
		total += int(md.meets[i].dur)
	}
	if total > md.tables*md.slots {
		add("the meetings need %d meeting-slots, %d tables × %d slots give %d", total, md.tables, md.slots, md.tables*md.slots)
		md.counted = true
	}
	for _, s := range req.Sessions {
		need := 0
		for i, rm := range req.Meetings {
			if rm.Session == s.Name {
				need += int(md.meets[i].dur)
			}
		}
		if have := md.tables * (s.Last - s.First + 1); need > have {
			add("the meetings of session %s need %d meeting-slots, its %d tables × %d slots give %d", s.Name, need, md.tables, s.Last-s.First+1, have)
			md.counted = true
		}
	}
	// A participant's meetings need more slots than they can use, overall or
	// within one session.
	use := make([]bool, md.stride)
	for p, ms := range md.byPer {
		clear(use)
		need := 0
		for _, i := range ms {
			need += int(md.meets[i].dur)
			for _, s := range static[i] {
				for t := s; t < s+md.meets[i].dur; t++ {
					use[t] = true
				}
			}
		}
		if have := count(use, 1, int32(md.slots)); need > have {
			add("participant %s has meetings for %d slots but can meet in only %d", md.people[p], need, have)
			continue
		}
		for _, r := range md.sess {
			need := 0
			for _, i := range ms {
				if within(static[i], md.meets[i].dur, r) {
					need += int(md.meets[i].dur)
				}
			}
			if have := count(use, r[0], r[1]); need > have {
				add("participant %s has meetings for %d slots in slots %d..%d but can meet in only %d of them", md.people[p], need, r[0], r[1], have)
			}
		}
	}
}

// within reports whether every placement of a meeting with starts dom and
// duration dur lies inside the slot range r (false for an empty dom).
func within(dom []int32, dur int32, r [2]int32) bool {
	return len(dom) > 0 && dom[0] >= r[0] && dom[len(dom)-1]+dur-1 <= r[1]
}

func count(use []bool, a, b int32) int {
	n := 0
	for t := a; t <= b; t++ {
		if use[t] {
			n++
		}
	}
	return n
}

func shareAttendee(a, b []int32) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// lowerBound returns a lower bound on the total of breaks of any complete
// schedule. A participant's occupied slots lie in the slots their meetings
// can use; each maximal run of those holds whole blocks of meetings, so the
// fewest runs that together hold all their meeting-slots, less one, is a
// bound on their breaks. The same holds for the meetings confined to one
// session, within that session (a contiguous range, so a block never joins
// two of its runs).
func (md *model) lowerBound() int {
	lb := 0
	use := make([]bool, md.stride)
	var runs []int
	for _, ms := range md.byPer {
		clear(use)
		need := 0
		for _, i := range ms {
			m := &md.meets[i]
			need += int(m.dur)
			for _, s := range m.dom {
				for t := s; t < s+m.dur; t++ {
					use[t] = true
				}
			}
		}
		best := minRuns(use, 1, int32(md.slots), need, runs[:0]) - 1
		for _, r := range md.sess {
			need := 0
			for _, i := range ms {
				if within(md.meets[i].dom, md.meets[i].dur, r) {
					need += int(md.meets[i].dur)
				}
			}
			if need > 0 {
				best = max(best, minRuns(use, r[0], r[1], need, runs[:0])-1)
			}
		}
		lb += max(best, 0)
	}
	return lb
}

// minRuns returns the fewest maximal runs of true in use[a..b] whose lengths
// add up to at least need (buf is scratch space).
func minRuns(use []bool, a, b int32, need int, buf []int) int {
	if need <= 0 {
		return 0
	}
	n := 0
	for t := a; t <= b+1; t++ {
		if t <= b && use[t] {
			n++
			continue
		}
		if n > 0 {
			buf = append(buf, n)
		}
		n = 0
	}
	slices.Sort(buf)
	k := 0
	for i := len(buf) - 1; i >= 0 && need > 0; i-- {
		need -= buf[i]
		k++
	}
	return k
}

// running returns, per slot, which meetings may run in it when their
// starts are taken from dom.
func (md *model) running(dom [][]int32) [][]bool {
	out := make([][]bool, md.stride)
	for t := range out {
		out[t] = make([]bool, len(md.meets))
	}
	for m, d := range dom {
		for _, s := range d {
			for t := s; t < s+md.meets[m].dur; t++ {
				out[t][m] = true
			}
		}
	}
	return out
}

// seats returns the most attendees the meetings of a slot can hold: those
// of the tables largest among the meetings that may run in it (run).
func (md *model) seats(run []bool) int {
	var sizes []int
	for m, ok := range run {
		if ok {
			sizes = append(sizes, len(md.meets[m].att))
		}
	}
	slices.SortFunc(sizes, func(a, b int) int { return b - a })
	n := 0
	for _, k := range sizes[:min(md.tables, len(sizes))] {
		n += k
	}
	return n
}

// Budget of the count bound: iterations of its multiplier search, and the
// work (participant × slot × busy count steps) it may spend in all.
const (
	countBoundIters = 400
	countBoundWork  = 10_000_000
)

// countBound returns a lower bound on the total of breaks from how many
// participants each slot can hold: a slot seats at most the attendees of
// its tables' meetings (md.seats), so in a crowded slot some participants
// must be idle, and when the only ones who can be idle there without a
// break are too few, breaks are forced.
//
// The bound is Lagrangian. Relax a complete schedule to each participant's
// busy slots B_p: |B_p| is the length of their meetings, B_p lies in the
// slots their meetings can cover, and every slot t is in at most cap_t of
// the B_p. For any multipliers λ_t ≥ 0, every such choice has
//
//	Σ_p breaks(B_p) ≥ Σ_p [breaks(B_p) + Σ_{t∈B_p} λ_t] − Σ_t λ_t·cap_t
//	               ≥ Σ_p min_B [breaks(B) + Σ_{t∈B} λ_t] − Σ_t λ_t·cap_t,
//
// as Σ_p [t∈B_p] ≤ cap_t; the last line splits into one small dynamic
// programme per participant. Breaks are whole, so its value rounded up is
// a bound. The multipliers are searched by a subgradient method with a
// fixed number of steps, so the bound is a function of the model alone.
func (md *model) countBound() int {
	running := md.running(md.domains())
	capOf := make([]float64, md.stride)
	crowd := make([]int, md.stride)
	use := make([][]bool, len(md.people))
	need := make([]int, len(md.people))
	work := 0
	for p, ms := range md.byPer {
		use[p] = make([]bool, md.stride)
		for _, m := range ms {
			need[p] += int(md.meets[m].dur)
			for t := 1; t <= md.slots; t++ {
				use[p][t] = use[p][t] || running[t][m]
			}
		}
		for t := 1; t <= md.slots; t++ {
			if use[p][t] {
				crowd[t]++
			}
		}
		work += md.slots * (need[p] + 1)
	}
	binding := false
	for t := 1; t <= md.slots; t++ {
		capOf[t] = float64(md.seats(running[t]))
		binding = binding || float64(crowd[t]) > capOf[t]
	}
	if !binding || work == 0 {
		return 0
	}
	iters := min(countBoundIters, countBoundWork/work)
	if iters == 0 {
		return 0
	}
	lambda := make([]float64, md.stride)
	g := make([]float64, md.stride)
	dp := newBusyDP(md.slots)
	best := math.Inf(-1)
	step, sinceBest := 1.0, 0
	for range iters {
		val := 0.0
		for t := 1; t <= md.slots; t++ {
			g[t] = -capOf[t]
			val -= lambda[t] * capOf[t]
		}
		for p := range md.people {
			v, busy := dp.solve(use[p], need[p], lambda)
			if math.IsInf(v, 1) {
				return 0 // p's meetings cannot all fit: no complete schedule to bound
			}
			val += v
			for t, b := range busy {
				if b {
					g[t]++
				}
			}
		}
		if val > best+1e-9 {
			best, sinceBest = val, 0
		} else if sinceBest++; sinceBest == 20 {
			step, sinceBest = step/2, 0
		}
		norm := 0.0
		for t := 1; t <= md.slots; t++ {
			if lambda[t] > 0 || g[t] > 0 {
				norm += g[t] * g[t]
			}
		}
		if norm == 0 || step < 1e-4 {
			break
		}
		norm = math.Sqrt(norm)
		for t := 1; t <= md.slots; t++ {
			lambda[t] = max(0, lambda[t]+step*g[t]/norm)
		}
	}
	return max(0, int(math.Ceil(best-1e-6)))
}

// domains returns the meetings' start domains.
func (md *model) domains() [][]int32 {
	dom := make([][]int32, len(md.meets))
	for m := range md.meets {
		dom[m] = md.meets[m].dom
	}
	return dom
}

// busyDP finds a participant's cheapest busy slots: exactly need of the
// slots use allows, costing one per break and lambda[t] per busy slot t.
type busyDP struct {
	slots int
	cost  []float64 // cost[(t*(slots+1)+c)*3+s]: best for slots 1..t, c busy, state s
	busy  []bool
}

// DP states after a slot: not yet busy, busy in it, idle after being busy.
const (
	dpBefore = iota
	dpBusy
	dpGap
)

func newBusyDP(slots int) *busyDP {
	return &busyDP{slots: slots, cost: make([]float64, (slots+1)*(slots+1)*3), busy: make([]bool, slots+2)}
}

// solve returns the least cost and the busy slots that reach it.
func (d *busyDP) solve(use []bool, need int, lambda []float64) (float64, []bool) {
	n := d.slots
	idx := func(t, c, s int) int { return (t*(n+1)+c)*3 + s }
	inf := math.Inf(1)
	for i := range d.cost {
		d.cost[i] = inf
	}
	d.cost[idx(0, 0, dpBefore)] = 0
	for t := 1; t <= n; t++ {
		for c := 0; c <= min(t-1, need); c++ {
			for s := range 3 {
				v := d.cost[idx(t-1, c, s)]
				if v == inf {
					continue
				}
				idle := dpGap
				if s == dpBefore {
					idle = dpBefore
				}
				if w := idx(t, c, idle); v < d.cost[w] {
					d.cost[w] = v
				}
				if use[t] && c < need {
					b := v + lambda[t]
					if s == dpGap {
						b++
					}
					if w := idx(t, c+1, dpBusy); b < d.cost[w] {
						d.cost[w] = b
					}
				}
			}
		}
	}
	bestS := dpBefore
	for s := range 3 {
		if d.cost[idx(n, need, s)] < d.cost[idx(n, need, bestS)] {
			bestS = s
		}
	}
	val := d.cost[idx(n, need, bestS)]
	clear(d.busy)
	if math.IsInf(val, 1) {
		return val, d.busy // need exceeds the slots use allows
	}
	// Walk back: at each slot, a predecessor state that explains the cost.
	c, s := need, bestS
	for t := n; t >= 1; t-- {
		v := d.cost[idx(t, c, s)]
		found := false
		if s == dpBusy {
			for ps := range 3 {
				pv := d.cost[idx(t-1, c-1, ps)] + lambda[t]
				if ps == dpGap {
					pv++
				}
				if pv == v {
					d.busy[t], c, s, found = true, c-1, ps, true
					break
				}
			}
		} else {
			for ps := range 3 {
				if (s == dpBefore) != (ps == dpBefore) {
					continue
				}
				if d.cost[idx(t-1, c, ps)] == v {
					s, found = ps, true
					break
				}
			}
		}
		if !found {
			// Cannot happen (the walk repeats the forward sums); the
			// value stays a valid bound, only the multipliers' next
			// step is the worse for it.
			break
		}
	}
	return val, d.busy
}
