package matcher

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
)

// ErrNotProven is returned, wrapped, by [Assign] with the Fair objective when
// ctx ended (deadline or cancellation) after a feasible assignment was found
// but before the search proved it optimal. Assign then returns that best
// assignment too: it satisfies every bound, only its optimality is unproven.
// The error also wraps ctx's error.
var ErrNotProven = errors.New("fair assignment not proven optimal")

// Pair states during the search.
const (
	undecided int8 = iota
	taken
	excluded
)

// fairSearch is the branch and bound of the Fair objective. Scores are
// quantized to integers w, so that the search compares sums exactly.
type fairSearch struct {
	ctx     context.Context
	in      *instance
	w       []int64
	byLeft  [][]int32 // each left's pairs, best w first
	order   []int32   // all pairs, best w first
	counted []bool    // lefts whose sum the objective looks at
	any     bool      // some left is counted
	st      []int8    // state of each pair
	nodes   int

	best               []bool
	bestMin, bestTotal int64

	// Lagrange multipliers of the lefts' sums, in 1/lagrangeUnit, of each
	// phase.
	muMin, muTotal []int64
	costCap        int64 // the largest |cost| the circulation may carry
}

// The Lagrangian relaxation of the second phase: multipliers in units of
// 1/lagrangeUnit, at most lagrangeMax units, and the number of subgradient
// steps at the root and at every other node.
const (
	lagrangeUnit      = 64
	lagrangeMax       = 64 * lagrangeUnit
	lagrangeRootIters = 30
	lagrangeIters     = 4
)

// fair solves the Fair objective: lexicographically maximize (smallest
// per-left sum over the counted lefts, total). See Assign.
func (in *instance) fair(ctx context.Context) ([]Pair, error) {
	q := quantum(in.pairs, in.nodes(), Total)
	s := &fairSearch{ctx: ctx, in: in, w: make([]int64, len(in.pairs)),
		byLeft: make([][]int32, len(in.lefts)), counted: make([]bool, len(in.lefts)),
		st: make([]int8, len(in.pairs)), muMin: make([]int64, len(in.lefts)), muTotal: make([]int64, len(in.lefts)), costCap: costCap(in.nodes())}
	for k, p := range in.pairs {
		s.w[k] = int64(math.Round(p.Score * q))
		i := in.pl[k]
		s.byLeft[i] = append(s.byLeft[i], int32(k))
		if in.hiL[i] > 0 && in.hiR[in.pr[k]] > 0 {
			s.counted[i] = true
			s.any = true
		}
	}
	byW := func(a, b int32) int { return cmp.Or(cmp.Compare(s.w[b], s.w[a]), cmp.Compare(a, b)) }
	for _, ks := range s.byLeft {
		slices.SortFunc(ks, byW)
	}
	s.order = make([]int32, len(in.pairs))
	for k := range s.order {
		s.order[k] = int32(k)
	}
	slices.SortFunc(s.order, byW)

	// The best total without the fairness constraint: feasibility, and the
	// first incumbent.
	cost := make([]int64, len(in.pairs))
	for k := range cost {
		cost[k] = -s.w[k]
	}
	sol, err := in.solve(ctx, flowSpec{cost: cost, loL: in.loL, hiL: in.hiL, loR: in.loR, hiR: in.hiR})
	if err != nil {
		return nil, fmt.Errorf("assign: %w", err)
	}
	if sol.chosen == nil {
		return nil, in.infeasible(sol)
	}
	s.best = sol.chosen
	s.bestMin, s.bestTotal, _ = s.eval(sol.chosen)

	phase := "the smallest left sum"
	if s.any {
		for i, c := range s.counted {
			if c {
				s.muMin[i] = lagrangeUnit
			}
		}
		err = s.maxMin(0)
	}
	if err == nil {
		phase = "the total"
		err = s.maxTotal(s.bestMin, 0)
	}
	out := in.pick(s.dropUseless(s.best))
	if err != nil {
		if ctx.Err() == nil {
			return nil, fmt.Errorf("assign: %w", err)
		}
		return out, fmt.Errorf("assign: %w: search for %s stopped after %d nodes: %w", ErrNotProven, phase, s.nodes, err)
	}
	return out, nil
}

// eval returns the smallest sum of a counted left (math.MaxInt64 if none is
// counted), the total and every left's sum.
func (s *fairSearch) eval(chosen []bool) (smallest, total int64, sums []int64) {
	sums = make([]int64, len(s.in.lefts))
	for k, c := range chosen {
		if c {
			sums[s.in.pl[k]] += s.w[k]
			total += s.w[k]
		}
	}
	smallest = math.MaxInt64
	for i, v := range sums {
		if s.counted[i] {
			smallest = min(smallest, v)
		}
	}
	return smallest, total, sums
}

// relax solves the relaxation of the current node: decided pairs kept as
// they are, every counted left given at least as many undecided pairs as it
// needs to reach t (with its best pairs; none needed when fair is false).
// With best it maximizes the total (min-cost circulation; the result's
// total is then an upper bound for the node), else it only establishes
// feasibility (max flow, trying better pairs first). It returns nil when
// the node has no assignment meeting these necessary conditions.
func (s *fairSearch) relax(t int64, fair, best bool) ([]bool, error) {
	spec, ok := s.nodeSpec(t, fair)
	if !ok {
		return nil, nil
	}
	if best {
		spec.cost = make([]int64, len(s.w))
		for k, u := range spec.use {
			if u {
				spec.cost[k] = -s.w[k]
			}
		}
	}
	return s.solve(spec)
}

// solve solves a node's circulation and adds the taken pairs to its
// solution, or returns nil.
func (s *fairSearch) solve(spec flowSpec) ([]bool, error) {
	sol, err := s.in.solve(s.ctx, spec)
	if err != nil || sol.chosen == nil {
		return nil, err
	}
	for k, st := range s.st {
		sol.chosen[k] = st == taken || sol.chosen[k]
	}
	return sol.chosen, nil
}

// nodeSpec returns the circulation problem of relax without costs, and
// false if the node's counts already rule out every assignment.
func (s *fairSearch) nodeSpec(t int64, fair bool) (flowSpec, bool) {
	in := s.in
	nL, nR := len(in.lefts), len(in.rights)
	cL, cR := make([]int, nL), make([]int, nR)
	uL, uR := make([]int, nL), make([]int, nR)
	sum := make([]int64, nL)
	use := make([]bool, len(in.pairs))
	for k, st := range s.st {
		i, j := in.pl[k], in.pr[k]
		switch st {
		case taken:
			cL[i]++
			cR[j]++
			sum[i] += s.w[k]
		case undecided:
			uL[i]++
			uR[j]++
			use[k] = true
		}
	}
	if fair {
		for i := range nL {
			if s.counted[i] {
				s.useless(int32(i), t-sum[i], min(in.hiL[i]-cL[i], uL[i]), use, uL, uR)
			}
		}
	}
	loL, hiL := make([]int, nL), make([]int, nL)
	for i := range nL {
		loL[i], hiL[i] = max(in.loL[i]-cL[i], 0), min(in.hiL[i]-cL[i], uL[i])
		if hiL[i] < loL[i] {
			return flowSpec{}, false
		}
		if fair && s.counted[i] {
			need := s.needed(int32(i), t-sum[i], loL[i], hiL[i], use)
			if need < 0 {
				return flowSpec{}, false
			}
			loL[i] = max(loL[i], need)
		}
	}
	loR, hiR := make([]int, nR), make([]int, nR)
	for j := range nR {
		loR[j], hiR[j] = max(in.loR[j]-cR[j], 0), min(in.hiR[j]-cR[j], uR[j])
		if hiR[j] < loR[j] {
			return flowSpec{}, false
		}
	}
	return flowSpec{use: use, order: s.order, loL: loL, hiL: hiL, loR: loR, hiR: hiR}, true
}

// useless leaves out of use the undecided pairs of left i that no
// assignment reaching gap can take: taking pair p allows at most capacity−1
// others, so i's gain is at most w_p plus the positive part of the
// capacity−1 best others. Such pairs are the tail of byLeft[i] past its
// first capacity−1 undecided pairs. It updates the undecided counts uL and
// uR.
func (s *fairSearch) useless(i int32, gap int64, capacity int, use []bool, uL, uR []int) {
	if capacity <= 0 {
		return
	}
	rank, best := 0, int64(0)
	for _, k := range s.byLeft[i] {
		if s.st[k] != undecided {
			continue
		}
		if rank < capacity-1 {
			best += max(s.w[k], 0)
		} else if s.w[k]+best < gap {
			use[k] = false
			uL[i]--
			uR[s.in.pr[k]]--
		}
		rank++
	}
}

// needed returns the fewest undecided pairs, between lo and hi, that left i
// must take to add at least gap to its sum, or -1 if no such number exists.
// Taking m pairs adds at most the sum of its m best undecided pairs.
func (s *fairSearch) needed(i int32, gap int64, lo, hi int, use []bool) int {
	if lo == 0 && gap <= 0 {
		return 0
	}
	m, prefix := 0, int64(0)
	for _, k := range s.byLeft[i] {
		if m == hi {
			break
		}
		if !use[k] {
			continue
		}
		m++
		prefix += s.w[k]
		if m >= lo && prefix >= gap {
			return m
		}
	}
	return -1
}

// branch picks the pair to branch on: a pair of the counted left that falls
// furthest below t in the relaxation's solution x — its best undecided pair
// that x leaves out (tried taken first), else its worst undecided pair that
// x takes (tried excluded first).
func (s *fairSearch) branch(x []bool, sums []int64, t int64) (k int32, order [2]int8) {
	i := -1
	for l, v := range sums {
		if s.counted[l] && v < t && (i < 0 || v < sums[i]) {
			i = l
		}
	}
	if i < 0 {
		return -1, order
	}
	for _, k := range s.byLeft[i] {
		if s.st[k] == undecided && !x[k] {
			return k, [2]int8{taken, excluded}
		}
	}
	for _, k := range slices.Backward(s.byLeft[i]) {
		if s.st[k] == undecided {
			return k, [2]int8{excluded, taken}
		}
	}
	return -1, order
}

// errNoBranch reports a relaxation that missed its target without an
// undecided pair to branch on, which the relaxation's conditions rule out.
var errNoBranch = errors.New("fair search: no pair to branch on")

// maxMin is the first phase: it raises s.bestMin until no assignment has a
// larger smallest per-left sum.
func (s *fairSearch) maxMin(depth int) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	s.nodes++
	var x []bool
	var sums []int64
	for {
		chosen, err := s.relax(s.bestMin+1, true, false)
		if err != nil || chosen == nil {
			return err
		}
		m, total, sm := s.eval(chosen)
		if m > s.bestMin {
			s.best, s.bestMin, s.bestTotal = chosen, m, total
			continue
		}
		iters := lagrangeIters
		if depth == 0 {
			iters = lagrangeRootIters
		}
		pruned, improved, err := s.lagrange(s.bestMin+1, iters, false)
		if pruned || err != nil {
			return err
		}
		if !improved {
			x, sums = chosen, sm
			break
		}
	}
	k, order := s.branch(x, sums, s.bestMin+1)
	if k < 0 {
		return errNoBranch
	}
	defer func() { s.st[k] = undecided }()
	for _, v := range order {
		s.st[k] = v
		if err := s.maxMin(depth + 1); err != nil {
			return err
		}
	}
	return nil
}

// maxTotal is the second phase: it maximizes the total over the
// assignments whose counted lefts all reach t.
func (s *fairSearch) maxTotal(t int64, depth int) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	s.nodes++
	x, err := s.relax(t, s.any, true)
	if err != nil || x == nil {
		return err
	}
	m, total, sums := s.eval(x)
	if total <= s.bestTotal {
		return nil // not even the relaxation does better
	}
	if m >= t {
		s.best, s.bestTotal = x, total // the relaxation's optimum is feasible
		return nil
	}
	iters := lagrangeIters
	if depth == 0 {
		iters = lagrangeRootIters
	}
	if pruned, _, err := s.lagrange(t, iters, true); pruned || err != nil {
		return err
	}
	k, order := s.branch(x, sums, t)
	if k < 0 {
		return errNoBranch
	}
	defer func() { s.st[k] = undecided }()
	for _, v := range order {
		s.st[k] = v
		if err := s.maxTotal(t, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// lagrange tries to prune a node with a Lagrangian bound, and looks for
// better assignments on the way. With multipliers λ ≥ 0 on the lefts'
// constraints sum_i ≥ t, every assignment of the node that meets them all
// satisfies, in the second phase (total),
//
//	total ≤ max Σ_k (1 + λ_left(k))·w_k·x_k − t·Σ_i λ_i
//
// and in the first phase (only the sums)
//
//	0 ≤ max Σ_k λ_left(k)·w_k·x_k − t·Σ_i λ_i
//
// over the node's relaxation, a min-cost circulation. The products are
// rounded up to a multiple of a scale that keeps the costs within costCap,
// so the bounds stay valid. Subgradient steps (Polyak's rule towards the
// best total, or towards −1 in the first phase) move λ, which carry over to
// the following nodes; a maximizer that meets every sum is a candidate best
// assignment. It reports whether the node is pruned, and in the first phase
// whether the best smallest sum has improved.
func (s *fairSearch) lagrange(t int64, iters int, total bool) (pruned, improved bool, err error) {
	spec, ok := s.nodeSpec(t, true)
	if !ok {
		return true, false, nil
	}
	in := s.in
	mu, base := s.muMin, int64(0)
	if total {
		mu, base = s.muTotal, lagrangeUnit
	}
	sumAbs := 0.0
	for _, w := range s.w {
		sumAbs += math.Abs(float64(w))
	}
	spec.cost = make([]int64, len(s.w))
	g := make([]float64, len(in.lefts))
	theta, bestUB := 1.0, int64(math.MaxInt64)
	for range iters {
		if err := s.ctx.Err(); err != nil {
			return false, false, err
		}
		muSum := int64(0)
		for i, m := range mu {
			if s.counted[i] {
				muSum += m
			}
		}
		if 2*(lagrangeUnit+lagrangeMax)*sumAbs+math.Abs(float64(t))*float64(muSum) > 1<<62 {
			return false, false, nil // the bound could overflow an int64
		}
		fixed, maxP := int64(0), int64(0)
		for k, st := range s.st {
			p := (base + mu[in.pl[k]]) * s.w[k]
			switch st {
			case taken:
				fixed += p
			case undecided:
				maxP = max(maxP, p, -p)
			}
		}
		scale := max(1, (maxP+s.costCap-1)/s.costCap)
		for k, u := range spec.use {
			if u {
				spec.cost[k] = -ceilDiv((base+mu[in.pl[k]])*s.w[k], scale)
			}
		}
		x, err := s.solve(spec)
		if err != nil || x == nil {
			return x == nil && err == nil, false, err
		}
		ub := fixed
		for k, c := range x {
			if c && s.st[k] == undecided {
				ub -= scale * spec.cost[k]
			}
		}
		ub -= t * muSum
		// ub is in 1/lagrangeUnit of a quantum; gap, how far it is from
		// pruning, in quanta.
		var gap float64
		m, tot, sums := s.eval(x)
		if total {
			ub = floorDiv(ub, lagrangeUnit) // the node's totals are integers
			if m >= t && tot > s.bestTotal {
				s.best, s.bestTotal = x, tot
			}
			if ub <= s.bestTotal {
				return true, false, nil
			}
			gap = float64(ub - s.bestTotal)
		} else {
			if m >= t {
				s.best, s.bestMin, s.bestTotal = x, m, tot
				return false, true, nil
			}
			if ub < 0 {
				return true, false, nil
			}
			gap = float64(ub)/lagrangeUnit + 1
		}
		if ub < bestUB {
			bestUB = ub
		} else {
			theta /= 2
		}
		norm := 0.0
		for i := range g {
			g[i] = 0
			if s.counted[i] && (sums[i] < t || mu[i] > 0) {
				g[i] = float64(sums[i] - t)
				norm += g[i] * g[i]
			}
		}
		if norm == 0 {
			break
		}
		step := theta * gap / norm * lagrangeUnit
		for i, gi := range g {
			if gi != 0 {
				mu[i] = min(max(mu[i]-int64(math.Round(step*gi)), 0), lagrangeMax)
			}
		}
	}
	return false, false, nil
}

// ceilDiv returns ⌈a/b⌉ for b > 0.
func ceilDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a > 0 {
		q++
	}
	return q
}

// floorDiv returns ⌊a/b⌋ for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// dropUseless removes chosen pairs of quantized score ≤ 0 whose ids stay
// within their minimums without them: no sum decreases and the total does
// not decrease.
func (s *fairSearch) dropUseless(chosen []bool) []bool {
	in := s.in
	cL, cR := make([]int, len(in.lefts)), make([]int, len(in.rights))
	for k, c := range chosen {
		if c {
			cL[in.pl[k]]++
			cR[in.pr[k]]++
		}
	}
	out := slices.Clone(chosen)
	for k, c := range chosen {
		i, j := in.pl[k], in.pr[k]
		if c && s.w[k] <= 0 && cL[i] > in.loL[i] && cR[j] > in.loR[j] {
			out[k] = false
			cL[i]--
			cR[j]--
		}
	}
	return out
}
