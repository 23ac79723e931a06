package matcher

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/fairmatch/fairmatch"
)

// Pair is a left–right pair that may be assigned, and its score.
type Pair struct {
	Left, Right string
	Score       float64
}

// Bound limits how many chosen pairs an id (left or right) takes part in.
type Bound struct {
	ID       string
	Min, Max int // Max < 0: no maximum
}

// Objective is what Assign maximizes.
type Objective int

const (
	// Total maximizes the sum of the chosen pairs' scores.
	Total Objective = iota
	// Fair first maximizes the number of lefts that get at least one pair,
	// then the sum of scores (see Assign).
	Fair
)

// String returns "total" or "fair".
func (o Objective) String() string {
	switch o {
	case Total:
		return "total"
	case Fair:
		return "fair"
	}
	return fmt.Sprintf("Objective(%d)", int(o))
}

// ParseObjective parses "total" or "fair".
func ParseObjective(s string) (Objective, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "total", "":
		return Total, nil
	case "fair":
		return Fair, nil
	}
	return 0, fairmatch.Errorf(fairmatch.EINVALID, "objective %q: want total or fair", s)
}

// Assign chooses a subset of pairs, each at most once, so that the number of
// chosen pairs of every id lies within its bounds (ids without a bound: min 0,
// no maximum; a bound applies to the id on whichever side it occurs), and
// returns the chosen pairs in input order.
//
// With Total it maximizes the sum of scores. A pair with score ≤ 0 is taken
// only where a minimum forces it. With Fair it maximizes, first, the number
// of lefts that get at least one pair and then the sum of scores.
//
// Fair in v1 is this coverage-first objective, not the max–min per-left sum
// of formats.md §3: maximizing the smallest per-left sum is the max–min fair
// allocation ("Santa Claus") problem, NP-hard even without minimums, so no
// polynomial exact method exists for it; coverage-first is what the fair
// stage needs (every enterprise gets a meeting before any gets a second) and
// is solved exactly.
//
// Method: a circulation S → left → right → T → S with the bounds as arc
// bounds (coverage adds a first unit per left worth more than all scores
// together), lower bounds moved into node balances, feasibility by a max flow
// (Dinic) and optimality by cost scaling push–relabel. Scores are quantized
// to integers: to 1e-9 of the largest |score| for Total, coarser when the
// instance is so large that prices could overflow (for Fair with 200,000
// pairs about 1e-4); pairs whose scores differ by less may be taken for
// equal. The result is exact for the quantized scores.
//
// Bad pairs or bounds (an empty id, a score that is not finite, a pair listed
// twice, a bound listed twice or with min > max) and bounds that cannot all
// hold give a *fairmatch.Error with code fairmatch.EINVALID; the latter
// names the ids whose minimums cannot be met.
func Assign(ctx context.Context, pairs []Pair, bounds []Bound, obj Objective) ([]Pair, error) {
	if obj != Total && obj != Fair {
		return nil, fairmatch.Errorf(fairmatch.EINVALID, "unknown objective %d", int(obj))
	}
	bound, err := checkAssignInput(pairs, bounds)
	if err != nil {
		return nil, err
	}

	// Nodes: S=0, T=1, lefts, rights (in order of first appearance).
	const S, T = 0, 1
	leftAt, rightAt := map[string]int{}, map[string]int{}
	var lefts, rights []string
	for _, p := range pairs {
		if _, ok := leftAt[p.Left]; !ok {
			leftAt[p.Left] = len(lefts)
			lefts = append(lefts, p.Left)
		}
		if _, ok := rightAt[p.Right]; !ok {
			rightAt[p.Right] = len(rights)
			rights = append(rights, p.Right)
		}
	}
	leftNode := func(i int) int { return 2 + i }
	rightNode := func(j int) int { return 2 + len(lefts) + j }
	n := 2 + len(lefts) + len(rights)

	degL, degR := make([]int, len(lefts)), make([]int, len(rights))
	for _, p := range pairs {
		degL[leftAt[p.Left]]++
		degR[rightAt[p.Right]]++
	}
	var issues []fairmatch.Issue
	limits := func(ids []string, deg []int, side string) (lo, hi []int) {
		lo, hi = make([]int, len(ids)), make([]int, len(ids))
		for i, id := range ids {
			b, ok := bound[id]
			hi[i] = deg[i]
			if !ok {
				continue
			}
			lo[i] = b.Min
			if b.Max >= 0 {
				hi[i] = min(hi[i], b.Max)
			}
			if b.Min > deg[i] {
				issues = append(issues, fairmatch.Issue{Record: id, Field: "min",
					Reason: fmt.Sprintf("%s %s needs at least %d pairs but has only %d candidate(s)", side, id, b.Min, deg[i])})
			}
		}
		return lo, hi
	}
	loL, hiL := limits(lefts, degL, "left")
	loR, hiR := limits(rights, degR, "right")
	for _, b := range bounds {
		_, isL := leftAt[b.ID]
		_, isR := rightAt[b.ID]
		if !isL && !isR && b.Min > 0 {
			issues = append(issues, fairmatch.Issue{Record: b.ID, Field: "min",
				Reason: fmt.Sprintf("%s needs at least %d pairs but has no candidate", b.ID, b.Min)})
		}
	}
	if len(issues) > 0 {
		return nil, fairmatch.Invalid("assignment bounds cannot all hold", issues)
	}
	if len(pairs) == 0 {
		return nil, nil
	}

	q := quantum(pairs, n, obj)
	g := newNetwork(n+2, len(pairs)+2*len(lefts)+len(rights)+n+1)
	balance := make([]int64, n)
	sumAbs := int64(0)
	pairArc := make([]int, len(pairs))
	for k, p := range pairs {
		c := int64(math.Round(p.Score * q))
		cost := -2 * c
		if c <= 0 {
			cost++ // a non-positive pair is never worth taking unforced
		}
		sumAbs += max(cost, -cost)
		pairArc[k] = g.addArc(leftNode(leftAt[p.Left]), rightNode(rightAt[p.Right]), 1, cost)
	}
	bonus := sumAbs + 1 // more than any difference in the sum of pair costs
	for i := range lefts {
		u := leftNode(i)
		balance[u] += int64(loL[i])
		balance[S] -= int64(loL[i])
		free := int64(hiL[i] - loL[i])
		if obj == Fair && loL[i] == 0 && free > 0 {
			g.addArc(S, u, 1, -bonus)
			free--
		}
		if free > 0 {
			g.addArc(S, u, free, 0)
		}
	}
	for j := range rights {
		v := rightNode(j)
		balance[T] += int64(loR[j])
		balance[v] -= int64(loR[j])
		if free := int64(hiR[j] - loR[j]); free > 0 {
			g.addArc(v, T, free, 0)
		}
	}
	g.addArc(T, S, int64(len(pairs)), 0)

	// Feasibility: route the balances from a super source to a super sink.
	SS, TT := n, n+1
	need := int64(0)
	supplyArc := make([]int, n)
	for u, b := range balance {
		supplyArc[u] = -1
		switch {
		case b > 0:
			supplyArc[u] = g.addArc(SS, u, b, 0)
			need += b
		case b < 0:
			supplyArc[u] = g.addArc(u, TT, -b, 0)
		}
	}
	g.finish()
	got, err := g.maxFlow(ctx, SS, TT)
	if err != nil {
		return nil, fmt.Errorf("assign: %w", err)
	}
	if got < need {
		return nil, infeasible(g, supplyArc, lefts, rights, loL, loR, leftNode, rightNode)
	}
	for _, a := range supplyArc {
		if a >= 0 {
			g.rcap[a], g.rcap[a^1] = 0, 0
		}
	}
	if err := g.minCostCirculation(ctx); err != nil {
		return nil, fmt.Errorf("assign: %w", err)
	}
	var out []Pair
	for k, a := range pairArc {
		if g.rcap[a] == 0 {
			out = append(out, pairs[k])
		}
	}
	return out, nil
}

// checkAssignInput validates pairs and bounds and indexes the bounds by id.
func checkAssignInput(pairs []Pair, bounds []Bound) (map[string]Bound, error) {
	var issues []fairmatch.Issue
	seen := make(map[[2]string]int, len(pairs))
	for k, p := range pairs {
		rec := fmt.Sprintf("pairs[%d]", k)
		switch {
		case p.Left == "":
			issues = append(issues, fairmatch.Issue{Record: rec, Field: "left", Reason: "missing id"})
		case p.Right == "":
			issues = append(issues, fairmatch.Issue{Record: rec, Field: "right", Reason: "missing id"})
		case math.IsNaN(p.Score) || math.IsInf(p.Score, 0):
			issues = append(issues, fairmatch.Issue{Record: rec, Field: "score", Reason: "not a finite number"})
		default:
			key := [2]string{p.Left, p.Right}
			if first, dup := seen[key]; dup {
				issues = append(issues, fairmatch.Issue{Record: rec, Field: "right",
					Reason: fmt.Sprintf("pair %s,%s already listed in pairs[%d]", p.Left, p.Right, first)})
			} else {
				seen[key] = k
			}
		}
	}
	bound := make(map[string]Bound, len(bounds))
	for k, b := range bounds {
		rec := fmt.Sprintf("bounds[%d]", k)
		switch _, dup := bound[b.ID]; {
		case b.ID == "":
			issues = append(issues, fairmatch.Issue{Record: rec, Field: "id", Reason: "missing id"})
		case dup:
			issues = append(issues, fairmatch.Issue{Record: rec, Field: "id", Reason: fmt.Sprintf("%s bounded twice", b.ID)})
		case b.Min < 0:
			issues = append(issues, fairmatch.Issue{Record: rec, Field: "min", Reason: "negative minimum"})
		case b.Max >= 0 && b.Max < b.Min:
			issues = append(issues, fairmatch.Issue{Record: rec, Field: "max", Reason: fmt.Sprintf("max %d is below min %d", b.Max, b.Min)})
		default:
			bound[b.ID] = b
		}
	}
	if len(issues) > 0 {
		return nil, fairmatch.Invalid("invalid assignment input", issues)
	}
	return bound, nil
}

// quantum returns the factor that turns scores into integer costs: 1e9 over
// the largest |score|, reduced so that all costs (and, for Fair, the coverage
// bonus, which exceeds the sum of all costs) stay below 2^62 / (16·n·(n+1)),
// which keeps cost scaling's prices inside an int64.
func quantum(pairs []Pair, n int, obj Objective) float64 {
	maxAbs := 0.0
	for _, p := range pairs {
		maxAbs = max(maxAbs, math.Abs(p.Score))
	}
	if maxAbs == 0 {
		return 1
	}
	nn := float64(n + 2)
	limit := math.Ldexp(1, 62) / (16 * nn * (nn + 1))
	top := min(1e9, limit/2-1)
	if obj == Fair {
		p := float64(len(pairs))
		top = min(top, (limit-p-2)/(6*p))
	}
	return max(top, 1) / maxAbs
}

// infeasible explains why a feasibility flow fell short: the ids whose
// minimum could not be routed.
func infeasible(g *network, supplyArc []int, lefts, rights []string, loL, loR []int,
	leftNode, rightNode func(int) int) error {
	var issues []fairmatch.Issue
	for i, id := range lefts {
		if a := supplyArc[leftNode(i)]; a >= 0 && g.rcap[a] > 0 {
			issues = append(issues, fairmatch.Issue{Record: id, Field: "min", Reason: fmt.Sprintf(
				"left %s needs at least %d pairs; with the other bounds %d short", id, loL[i], g.rcap[a])})
		}
	}
	for j, id := range rights {
		if a := supplyArc[rightNode(j)]; a >= 0 && g.rcap[a] > 0 {
			issues = append(issues, fairmatch.Issue{Record: id, Field: "min", Reason: fmt.Sprintf(
				"right %s needs at least %d pairs; with the other bounds %d short", id, loR[j], g.rcap[a])})
		}
	}
	slices.SortFunc(issues, func(a, b fairmatch.Issue) int { return cmp.Compare(a.Record, b.Record) })
	msg := "assignment bounds cannot all hold"
	switch {
	case len(issues) == 0:
		// Only the aggregate arcs fell short: the minimums of one side
		// exceed what the maximums of the other side allow.
		msg += ": the left minimums and the right maximums (or the right minimums and the left maximums) do not fit together"
	case len(issues) > 20:
		issues = issues[:20]
	}
	return fairmatch.Invalid(msg, issues)
}
