package agenda

import (
	"slices"
)

// This file is a small CDCL SAT solver with native cardinality constraints
// (sum of literals ≤ k, optionally switched on by a guard literal), the
// engine of the exact search. It learns first-UIP clauses, picks variables
// by VSIDS, saves phases, restarts on the Luby sequence, forgets learnt
// clauses of high literal-block distance, and solves under assumptions,
// reporting which of them the refutation used. It has no randomness: its
// answers and models depend only on the formula.

// lit is a literal: variable v is 2v, its negation 2v+1.
type lit int32

func posLit(v int32) lit   { return lit(2 * v) }
func (l lit) neg() lit     { return l ^ 1 }
func (l lit) varOf() int32 { return int32(l >> 1) }

// satStatus is the outcome of a solve.
type satStatus int8

const (
	satUnknown satStatus = iota // budget, deadline or cancellation
	satTrue                     // a model was found
	satFalse                    // proven unsatisfiable (under the assumptions)
)

type clause struct {
	lits   []lit
	learnt bool
	lbd    int32
	act    float64
}

// card is the constraint: at most k of lits are true, when guard is true
// (guard −1: always).
//
// trues holds its true members in the order they were set, so that the
// reason of a literal it implied is its first k entries (when it
// propagates, exactly k members are true, and none can become true after)
// and a conflict is its first k+1: both are read off without scanning a
// constraint of a thousand literals.
type card struct {
	lits  []lit
	k     int32
	guard lit
	trues []lit
}

// watcher is an entry of a literal's watch list. For a binary clause the
// blocker is the other literal and bin is set: propagating it needs no
// look at the clause.
type watcher struct {
	c       *clause
	blocker lit
	bin     bool
}

type satSolver struct {
	val      []int8 // per literal: 1 true, −1 false, 0 unassigned
	level    []int32
	trailPos []int32
	reasonC  []*clause
	reasonK  []int32 // card index+1, 0 if none
	trail    []lit
	lim      []int // trail length at the start of each decision level
	qhead    int

	watches  [][]watcher
	cardOcc  [][]int32 // per literal: cards with it as a member
	guardOcc [][]int32 // per literal: cards it guards
	cards    []card
	learnts  []*clause
	unsat    bool // a contradiction at level 0

	act    []float64
	varInc float64
	heap   varHeap
	phase  []bool
	seen   []bool

	// budget check, called every few hundred conflicts; true stops the solve
	halt func() bool

	conflicts int
	buf       []lit
	learnt    []lit    // analyze's clause under construction
	rbuf      []lit    // analyze's reason buffer
	rbuf2     []lit    // redundant's reason buffer
	stack     []lit    // redundant's literals to expand
	marked    []lit    // analyze's literals to unmark
	lvlStamp  []uint32 // per decision level: stamp of the last lbdOf that saw it
	stamp     uint32
	failed    []lit // after satFalse under assumptions: the assumptions used
}

func newSatSolver() *satSolver {
	s := &satSolver{varInc: 1}
	s.heap.act = &s.act
	return s
}

// newVar adds a variable and returns its index.
func (s *satSolver) newVar() int32 {
	v := int32(len(s.level))
	s.val = append(s.val, 0, 0)
	s.level = append(s.level, 0)
	s.trailPos = append(s.trailPos, 0)
	s.reasonC = append(s.reasonC, nil)
	s.reasonK = append(s.reasonK, 0)
	s.watches = append(s.watches, nil, nil)
	s.cardOcc = append(s.cardOcc, nil, nil)
	s.guardOcc = append(s.guardOcc, nil, nil)
	s.act = append(s.act, 0)
	s.phase = append(s.phase, false)
	s.seen = append(s.seen, false)
	s.heap.pos = append(s.heap.pos, -1)
	s.heap.push(v)
	return v
}

func (s *satSolver) value(l lit) int8 { return s.val[l] }

// addClause adds a clause at level 0 (before solving).
func (s *satSolver) addClause(lits ...lit) {
	if s.unsat {
		return
	}
	s.cancelUntil(0)
	c := slices.Clone(lits)
	slices.Sort(c)
	c = slices.Compact(c)
	out := c[:0]
	for i, l := range c {
		if i+1 < len(c) && c[i+1] == l.neg() {
			return // tautology
		}
		switch s.value(l) {
		case 1:
			return
		case -1:
			continue
		}
		out = append(out, l)
	}
	switch len(out) {
	case 0:
		s.unsat = true
	case 1:
		s.enqueue(out[0], nil, 0)
		if s.propagate() != nil {
			s.unsat = true
		}
	default:
		cl := &clause{lits: out}
		s.watch(cl)
	}
}

// addAtMost adds: at most k of lits are true, when guard is true (−1: always).
func (s *satSolver) addAtMost(lits []lit, k int, guard lit) {
	if s.unsat || len(lits) <= k {
		return
	}
	s.cancelUntil(0)
	if k < 0 {
		if guard < 0 {
			s.unsat = true
		} else {
			s.addClause(guard.neg())
		}
		return
	}
	i := int32(len(s.cards))
	s.cards = append(s.cards, card{lits: slices.Clone(lits), k: int32(k), guard: guard})
	c := &s.cards[i]
	for _, l := range c.lits {
		s.cardOcc[l] = append(s.cardOcc[l], i)
		if s.value(l) == 1 {
			c.trues = append(c.trues, l)
		}
	}
	if guard >= 0 {
		s.guardOcc[guard] = append(s.guardOcc[guard], i)
	}
	if confl := s.checkCard(i); confl != nil || s.propagate() != nil {
		s.unsat = true
	}
}

func (s *satSolver) watch(c *clause) {
	bin := len(c.lits) == 2
	s.watches[c.lits[0]] = append(s.watches[c.lits[0]], watcher{c, c.lits[1], bin})
	s.watches[c.lits[1]] = append(s.watches[c.lits[1]], watcher{c, c.lits[0], bin})
}

func (s *satSolver) decisionLevel() int32 { return int32(len(s.lim)) }

// enqueue makes l true, implied by clause c or card k (index+1).
func (s *satSolver) enqueue(l lit, c *clause, k int32) {
	v := l.varOf()
	s.val[l], s.val[l.neg()] = 1, -1
	s.level[v] = s.decisionLevel()
	s.trailPos[v] = int32(len(s.trail))
	s.reasonC[v], s.reasonK[v] = c, k
	s.trail = append(s.trail, l)
	for _, i := range s.cardOcc[l] {
		c := &s.cards[i]
		c.trues = append(c.trues, l)
	}
}

// checkCard enforces card i after a member or its guard became true; it
// returns a conflict (all literals false) or nil.
func (s *satSolver) checkCard(i int32) []lit {
	c := &s.cards[i]
	if int32(len(c.trues)) < c.k || (c.guard >= 0 && s.value(c.guard) != 1) {
		return nil
	}
	if int32(len(c.trues)) > c.k {
		confl := s.buf[:0]
		for _, l := range c.trues[:c.k+1] {
			confl = append(confl, l.neg())
		}
		if c.guard >= 0 {
			confl = append(confl, c.guard.neg())
		}
		s.buf = confl
		return confl
	}
	for _, l := range c.lits {
		if s.value(l) == 0 {
			s.enqueue(l.neg(), nil, i+1)
		}
	}
	return nil
}

// propagate runs unit propagation; it returns a conflict or nil.
func (s *satSolver) propagate() []lit {
	for s.qhead < len(s.trail) {
		p := s.trail[s.qhead]
		s.qhead++
		for _, i := range s.cardOcc[p] {
			if confl := s.checkCard(i); confl != nil {
				return confl
			}
		}
		for _, i := range s.guardOcc[p] {
			if confl := s.checkCard(i); confl != nil {
				return confl
			}
		}
		f := p.neg()
		ws := s.watches[f]
		val := s.val
		j := 0
		for k := 0; k < len(ws); k++ {
			w := ws[k]
			bv := val[w.blocker]
			if bv == 1 {
				ws[j] = w
				j++
				continue
			}
			if w.bin {
				ws[j] = w
				j++
				if bv == -1 {
					j += copy(ws[j:], ws[k+1:])
					s.watches[f] = ws[:j]
					return w.c.lits
				}
				s.enqueue(w.blocker, w.c, 0)
				continue
			}
			c := w.c
			if c.lits[0] == f {
				c.lits[0], c.lits[1] = c.lits[1], f
			}
			first := c.lits[0]
			if first != w.blocker && s.value(first) == 1 {
				ws[j] = watcher{c, first, false}
				j++
				continue
			}
			moved := false
			for t := 2; t < len(c.lits); t++ {
				if s.value(c.lits[t]) != -1 {
					c.lits[1], c.lits[t] = c.lits[t], f
					s.watches[c.lits[1]] = append(s.watches[c.lits[1]], watcher{c, first, false})
					moved = true
					break
				}
			}
			if moved {
				continue
			}
			ws[j] = watcher{c, first, false}
			j++
			if s.value(first) == -1 {
				j += copy(ws[j:], ws[k+1:])
				s.watches[f] = ws[:j]
				return c.lits
			}
			s.enqueue(first, c, 0)
		}
		s.watches[f] = ws[:j]
	}
	return nil
}

// reasonOf appends to buf the false literals that implied the variable v.
func (s *satSolver) reasonOf(v int32, buf []lit) []lit {
	if c := s.reasonC[v]; c != nil {
		if len(c.lits) == 2 { // binary: its literals are not reordered
			if c.lits[0].varOf() == v {
				return append(buf, c.lits[1])
			}
			return append(buf, c.lits[0])
		}
		return append(buf, c.lits[1:]...)
	}
	k := &s.cards[s.reasonK[v]-1]
	for _, l := range k.trues[:k.k] {
		buf = append(buf, l.neg())
	}
	if k.guard >= 0 {
		buf = append(buf, k.guard.neg())
	}
	return buf
}

func (s *satSolver) implied(v int32) bool { return s.reasonC[v] != nil || s.reasonK[v] != 0 }

// analyze derives the first-UIP clause of a conflict, asserting literal
// first, and the level to go back to.
func (s *satSolver) analyze(confl []lit) ([]lit, int32) {
	learnt := append(s.learnt[:0], 0)
	pathC := 0
	idx := len(s.trail) - 1
	var p lit = -1
	rbuf := s.rbuf
	reason := confl
	for {
		if p >= 0 {
			if c := s.reasonC[p.varOf()]; c != nil && c.learnt {
				s.bumpClause(c)
			}
		}
		for _, q := range reason {
			v := q.varOf()
			if s.seen[v] || s.level[v] == 0 {
				continue
			}
			s.seen[v] = true
			s.bump(v)
			if s.level[v] == s.decisionLevel() {
				pathC++
			} else {
				learnt = append(learnt, q)
			}
		}
		for !s.seen[s.trail[idx].varOf()] {
			idx--
		}
		p = s.trail[idx]
		idx--
		s.seen[p.varOf()] = false
		pathC--
		if pathC == 0 {
			break
		}
		rbuf = s.reasonOf(p.varOf(), rbuf[:0])
		reason = rbuf
	}
	learnt[0] = p.neg()
	// Drop the literals implied by others of the clause, following
	// reasons as deep as they go (MiniSat's recursive minimisation).
	marked := append(s.marked[:0], learnt[1:]...)
	abstract := uint32(0)
	for _, q := range learnt[1:] {
		abstract |= 1 << (s.level[q.varOf()] & 31)
	}
	out := learnt[:1]
	for _, q := range learnt[1:] {
		if !s.implied(q.varOf()) || !s.redundant(q, abstract, &marked) {
			out = append(out, q)
		}
	}
	for _, q := range marked {
		s.seen[q.varOf()] = false
	}
	s.marked, s.rbuf, s.learnt = marked, rbuf, out
	learnt = out
	back := int32(0)
	if len(learnt) > 1 {
		mi := 1
		for i := 2; i < len(learnt); i++ {
			if s.level[learnt[i].varOf()] > s.level[learnt[mi].varOf()] {
				mi = i
			}
		}
		learnt[1], learnt[mi] = learnt[mi], learnt[1]
		back = s.level[learnt[1].varOf()]
	}
	return learnt, back
}

// redundant reports whether the clause literal q (false, implied) follows
// from the other literals of the learnt clause, all marked seen: whether
// every path back through the reasons of q ends in seen literals or at
// level 0. abstract holds a bit per decision level of the clause; a
// literal at another level cannot be redundant. Literals found redundant
// stay marked (appended to marked); the others are unmarked.
func (s *satSolver) redundant(q lit, abstract uint32, marked *[]lit) bool {
	stack := append(s.stack[:0], q)
	top := len(*marked)
	for len(stack) > 0 {
		v := stack[len(stack)-1].varOf()
		stack = stack[:len(stack)-1]
		s.rbuf2 = s.reasonOf(v, s.rbuf2[:0])
		for _, r := range s.rbuf2 {
			u := r.varOf()
			if s.seen[u] || s.level[u] == 0 {
				continue
			}
			if !s.implied(u) || abstract&(1<<(s.level[u]&31)) == 0 {
				for _, x := range (*marked)[top:] {
					s.seen[x.varOf()] = false
				}
				*marked = (*marked)[:top]
				s.stack = stack
				return false
			}
			s.seen[u] = true
			stack = append(stack, r)
			*marked = append(*marked, r)
		}
	}
	s.stack = stack
	return true
}

// analyzeFinal collects the assumptions that imply the false assumption p
// false, p included.
func (s *satSolver) analyzeFinal(p lit) []lit {
	out := []lit{p}
	if s.decisionLevel() == 0 {
		return out
	}
	s.seen[p.varOf()] = true
	var rbuf []lit
	for i := len(s.trail) - 1; i >= s.lim[0]; i-- {
		v := s.trail[i].varOf()
		if !s.seen[v] {
			continue
		}
		s.seen[v] = false
		if !s.implied(v) {
			// An assumption; ¬p itself when another assumption is p's
			// negation.
			out = append(out, s.trail[i])
			continue
		}
		rbuf = s.reasonOf(v, rbuf[:0])
		for _, q := range rbuf {
			if s.level[q.varOf()] > 0 {
				s.seen[q.varOf()] = true
			}
		}
	}
	s.seen[p.varOf()] = false
	return out
}

func (s *satSolver) cancelUntil(lvl int32) {
	if s.decisionLevel() <= lvl {
		return
	}
	for i := len(s.trail) - 1; i >= s.lim[lvl]; i-- {
		l := s.trail[i]
		v := l.varOf()
		s.val[l], s.val[l.neg()] = 0, 0
		s.reasonC[v], s.reasonK[v] = nil, 0
		s.phase[v] = l&1 == 0
		for _, k := range s.cardOcc[l] {
			c := &s.cards[k]
			c.trues = c.trues[:len(c.trues)-1]
		}
		if s.heap.pos[v] < 0 {
			s.heap.push(v)
		}
	}
	s.trail = s.trail[:s.lim[lvl]]
	s.lim = s.lim[:lvl]
	s.qhead = len(s.trail)
}

func (s *satSolver) bump(v int32) {
	if s.act[v] += s.varInc; s.act[v] > 1e100 {
		for i := range s.act {
			s.act[i] *= 1e-100
		}
		s.varInc *= 1e-100
	}
	s.heap.update(v)
}

func (s *satSolver) bumpClause(c *clause) { c.act++ }

// reduce forgets half of the learnt clauses, those of highest literal-block
// distance first, keeping the glue clauses (distance 2) and the reasons.
func (s *satSolver) reduce() {
	slices.SortStableFunc(s.learnts, func(a, b *clause) int {
		if a.lbd != b.lbd {
			return int(a.lbd - b.lbd)
		}
		switch {
		case a.act > b.act:
			return -1
		case a.act < b.act:
			return 1
		}
		return 0
	})
	keep := s.learnts[:len(s.learnts)/2]
	dropped := map[*clause]bool{}
	for _, c := range s.learnts[len(s.learnts)/2:] {
		v := c.lits[0].varOf()
		if c.lbd <= 2 || (s.reasonC[v] == c && s.value(c.lits[0]) == 1) {
			keep = append(keep, c)
			continue
		}
		dropped[c] = true
	}
	s.learnts = keep
	for l := range s.watches {
		ws := s.watches[l][:0]
		for _, w := range s.watches[l] {
			if !dropped[w.c] {
				ws = append(ws, w)
			}
		}
		s.watches[l] = ws
	}
	for _, c := range s.learnts {
		c.act /= 2
	}
}

// lbdOf returns the literal-block distance of lits: the number of distinct
// decision levels among them.
func (s *satSolver) lbdOf(lits []lit) int32 {
	s.stamp++
	n := int32(0)
	for _, l := range lits {
		lv := s.level[l.varOf()]
		for int(lv) >= len(s.lvlStamp) {
			s.lvlStamp = append(s.lvlStamp, 0)
		}
		if s.lvlStamp[lv] != s.stamp {
			s.lvlStamp[lv] = s.stamp
			n++
		}
	}
	return n
}

// luby returns the i-th term (from 0) of the Luby sequence.
func luby(i int) int {
	size, seq := 1, 0
	for size < i+1 {
		seq++
		size = 2*size + 1
	}
	for size-1 != i {
		size = (size - 1) / 2
		seq--
		i %= size
	}
	return 1 << seq
}

// solve searches for a model in which every assumption holds. On satFalse,
// s.failed holds the assumptions the refutation used (empty: none needed).
// maxConflicts bounds the work (0: no bound); s.halt is also asked.
func (s *satSolver) solve(assumptions []lit, maxConflicts int) satStatus {
	s.failed = nil
	if s.unsat {
		return satFalse
	}
	s.cancelUntil(0)
	if s.propagate() != nil {
		s.unsat = true
		return satFalse
	}
	const restartBase = 100
	nextReduce := 4000
	for restart := 0; ; restart++ {
		budget := restartBase * luby(restart)
		st := s.search(assumptions, budget)
		if st != satUnknown {
			return st
		}
		if maxConflicts > 0 && s.conflicts >= maxConflicts {
			s.cancelUntil(0)
			return satUnknown
		}
		if s.halt != nil && s.halt() {
			s.cancelUntil(0)
			return satUnknown
		}
		if len(s.learnts) >= nextReduce {
			s.reduce()
			nextReduce += 2000
		}
	}
}

// search runs CDCL until a model, a refutation or budget conflicts.
func (s *satSolver) search(assumptions []lit, budget int) satStatus {
	for n := 0; ; {
		if confl := s.propagate(); confl != nil {
			s.conflicts++
			n++
			if s.decisionLevel() == 0 {
				s.unsat = true
				return satFalse
			}
			learnt, back := s.analyze(confl)
			s.cancelUntil(back)
			if len(learnt) == 1 {
				s.enqueue(learnt[0], nil, 0)
			} else {
				c := &clause{lits: slices.Clone(learnt), learnt: true, lbd: s.lbdOf(learnt)}
				s.learnts = append(s.learnts, c)
				s.watch(c)
				s.enqueue(learnt[0], c, 0)
			}
			s.varInc /= 0.95
			if n&255 == 0 && s.halt != nil && s.halt() {
				s.cancelUntil(0)
				return satUnknown
			}
			continue
		}
		if n >= budget {
			s.cancelUntil(0)
			return satUnknown
		}
		next := lit(-1)
		for int(s.decisionLevel()) < len(assumptions) {
			p := assumptions[s.decisionLevel()]
			switch s.value(p) {
			case 1:
				s.lim = append(s.lim, len(s.trail)) // a level with nothing new
				continue
			case -1:
				s.failed = s.analyzeFinal(p)
				s.cancelUntil(0)
				return satFalse
			}
			next = p
			break
		}
		if next < 0 {
			for {
				v, ok := s.heap.pop()
				if !ok {
					return satTrue
				}
				if s.val[posLit(v)] == 0 {
					next = posLit(v)
					if !s.phase[v] {
						next = next.neg()
					}
					break
				}
			}
		}
		s.lim = append(s.lim, len(s.trail))
		s.enqueue(next, nil, 0)
	}
}

// modelValue reports whether v is true in the model just found (valid
// after satTrue, before any other call).
func (s *satSolver) modelValue(v int32) bool { return s.val[posLit(v)] == 1 }

// varHeap is a max-heap of variables by activity.
type varHeap struct {
	act  *[]float64
	heap []int32
	pos  []int32
}

func (h *varHeap) less(a, b int32) bool {
	x, y := (*h.act)[a], (*h.act)[b]
	return x > y || (x == y && a < b)
}

func (h *varHeap) push(v int32) {
	h.pos[v] = int32(len(h.heap))
	h.heap = append(h.heap, v)
	h.up(int(h.pos[v]))
}

func (h *varHeap) pop() (int32, bool) {
	if len(h.heap) == 0 {
		return 0, false
	}
	v := h.heap[0]
	last := h.heap[len(h.heap)-1]
	h.heap = h.heap[:len(h.heap)-1]
	h.pos[v] = -1
	if len(h.heap) > 0 {
		h.heap[0] = last
		h.pos[last] = 0
		h.down(0)
	}
	return v, true
}

func (h *varHeap) update(v int32) {
	if i := h.pos[v]; i >= 0 {
		h.up(int(i))
	}
}

func (h *varHeap) up(i int) {
	v := h.heap[i]
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(v, h.heap[p]) {
			break
		}
		h.heap[i] = h.heap[p]
		h.pos[h.heap[i]] = int32(i)
		i = p
	}
	h.heap[i] = v
	h.pos[v] = int32(i)
}

func (h *varHeap) down(i int) {
	v := h.heap[i]
	n := len(h.heap)
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && h.less(h.heap[c+1], h.heap[c]) {
			c++
		}
		if !h.less(h.heap[c], v) {
			break
		}
		h.heap[i] = h.heap[c]
		h.pos[h.heap[i]] = int32(i)
		i = c
	}
	h.heap[i] = v
	h.pos[v] = int32(i)
}
