package matcher

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/fairmatch/fairmatch"
)

// randomInstance returns up to 3 lefts × 3 rights with a random subset of
// pairs, scores in [-0.3, 1) (some tied) and random bounds.
func randomInstance(r *rand.Rand) ([]Pair, []Bound) {
	nl, nr := 1+r.IntN(3), 1+r.IntN(3)
	var pairs []Pair
	for i := range nl {
		for j := range nr {
			if r.IntN(4) == 0 {
				continue
			}
			s := r.Float64()*1.3 - 0.3
			if r.IntN(4) == 0 {
				s = math.Round(s*4) / 4 // ties and exact zeros
			}
			pairs = append(pairs, Pair{fmt.Sprintf("L%d", i), fmt.Sprintf("R%d", j), s})
		}
	}
	r.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	var bounds []Bound
	add := func(id string) {
		if r.IntN(2) == 0 {
			return
		}
		b := Bound{ID: id, Min: r.IntN(3) * r.IntN(2), Max: -1}
		if r.IntN(2) == 0 {
			b.Max = b.Min + r.IntN(2)
		}
		bounds = append(bounds, b)
	}
	for i := range nl {
		add(fmt.Sprintf("L%d", i))
	}
	for j := range nr {
		add(fmt.Sprintf("R%d", j))
	}
	return pairs, bounds
}

type value struct {
	covered int
	total   float64
}

func evaluate(chosen []Pair, obj Objective) value {
	v := value{}
	lefts := map[string]bool{}
	for _, p := range chosen {
		v.total += p.Score
		lefts[p.Left] = true
	}
	if obj == coverFirst {
		v.covered = len(lefts)
	}
	return v
}

func better(a, b value) bool {
	if a.covered != b.covered {
		return a.covered > b.covered
	}
	return a.total > b.total+1e-9
}

func withinBounds(chosen []Pair, bounds []Bound) error {
	count := map[string]int{}
	for _, p := range chosen {
		count[p.Left]++
		count[p.Right]++
	}
	for _, b := range bounds {
		if count[b.ID] < b.Min || (b.Max >= 0 && count[b.ID] > b.Max) {
			return fmt.Errorf("%s has %d pairs, bounds [%d,%d]", b.ID, count[b.ID], b.Min, b.Max)
		}
	}
	return nil
}

// bruteForce returns the best value over all subsets, and false if none fits.
func bruteForce(pairs []Pair, bounds []Bound, obj Objective) (value, bool) {
	var best value
	found := false
	for mask := 0; mask < 1<<len(pairs); mask++ {
		var sub []Pair
		for k, p := range pairs {
			if mask&(1<<k) != 0 {
				sub = append(sub, p)
			}
		}
		if withinBounds(sub, bounds) != nil {
			continue
		}
		if v := evaluate(sub, obj); !found || better(v, best) {
			best, found = v, true
		}
	}
	return best, found
}

func TestAssignBruteForce(t *testing.T) {
	for _, obj := range []Objective{Total, coverFirst} {
		t.Run(obj.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(obj)))
			feasible := 0
			for it := range 400 {
				pairs, bounds := randomInstance(r)
				want, ok := bruteForce(pairs, bounds, obj)
				got, err := assign(context.Background(), pairs, bounds, obj)
				if !ok {
					if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
						t.Fatalf("instance %d: infeasible but Assign gave %v, %v\npairs %v\nbounds %v", it, got, err, pairs, bounds)
					}
					continue
				}
				feasible++
				if err != nil {
					t.Fatalf("instance %d: %v\npairs %v\nbounds %v", it, err, pairs, bounds)
				}
				if err := withinBounds(got, bounds); err != nil {
					t.Fatalf("instance %d: %v", it, err)
				}
				v := evaluate(got, obj)
				if v.covered != want.covered || math.Abs(v.total-want.total) > 1e-7 {
					t.Fatalf("instance %d: got %+v (%v), brute force %+v\npairs %v\nbounds %v", it, v, got, want, pairs, bounds)
				}
				// Chosen pairs keep input order and are distinct.
				idx := -1
				for _, p := range got {
					k := slices.Index(pairs, p)
					if k <= idx {
						t.Fatalf("instance %d: output not in input order: %v", it, got)
					}
					idx = k
				}
				if obj == Total {
					// A pair with score ≤ 0 is only taken when a minimum forces it.
					for k, p := range got {
						if p.Score > 0 {
							continue
						}
						rest := slices.Delete(slices.Clone(got), k, k+1)
						if withinBounds(rest, bounds) == nil {
							t.Fatalf("instance %d: unforced pair %v with score %v taken", it, p, p.Score)
						}
					}
				}
			}
			if feasible < 200 {
				t.Errorf("only %d feasible instances, want ≥ 200", feasible)
			}
		})
	}
}

// TestAssignCoversFirst: the fair objective and Match's coverage objective
// both give B its only pair, at the cost of A's best.
func TestAssignCoversFirst(t *testing.T) {
	pairs := []Pair{{"A", "X", 0.9}, {"A", "Y", 0.8}, {"B", "X", 0.1}}
	bounds := []Bound{{ID: "X", Max: 1}}
	total, err := Assign(context.Background(), pairs, bounds, Total)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Pair{{"A", "X", 0.9}, {"A", "Y", 0.8}}; !slices.Equal(total, want) {
		t.Errorf("total: %v, want %v", total, want)
	}
	for _, obj := range []Objective{Fair, coverFirst} {
		got, err := assign(context.Background(), pairs, bounds, obj)
		if err != nil {
			t.Fatal(err)
		}
		if want := []Pair{{"A", "Y", 0.8}, {"B", "X", 0.1}}; !slices.Equal(got, want) {
			t.Errorf("%v: %v, want %v", obj, got, want)
		}
	}
}

func TestAssignInfeasible(t *testing.T) {
	for _, tc := range []struct {
		name     string
		pairs    []Pair
		bounds   []Bound
		contains []string
	}{
		{"too few candidates",
			[]Pair{{"E003", "U1", 1}, {"E004", "U1", 1}},
			[]Bound{{ID: "E003", Min: 2, Max: -1}},
			[]string{"E003 needs at least 2 pairs but has only 1 candidate"}},
		{"no candidate at all",
			[]Pair{{"E1", "U1", 1}},
			[]Bound{{ID: "E9", Min: 1, Max: -1}},
			[]string{"E9 needs at least 1 pairs but has no candidate"}},
		{"capacity of the other side",
			[]Pair{{"L1", "R1", 1}, {"L1", "R2", 1}, {"L2", "R1", 1}, {"L2", "R2", 1}},
			[]Bound{{ID: "L1", Min: 2, Max: -1}, {ID: "L2", Min: 1, Max: -1}, {ID: "R1", Max: 1}, {ID: "R2", Max: 1}},
			[]string{"cannot all hold", "needs at least", "short"}},
		{"right minimum against left maximum",
			[]Pair{{"L1", "R1", 1}, {"L1", "R2", 1}},
			[]Bound{{ID: "L1", Max: 1}, {ID: "R1", Min: 1, Max: -1}, {ID: "R2", Min: 1, Max: -1}},
			[]string{"right R", "needs at least 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Assign(context.Background(), tc.pairs, tc.bounds, Total)
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
				t.Fatalf("error %v, want EINVALID", err)
			}
			for _, c := range tc.contains {
				if !strings.Contains(err.Error(), c) {
					t.Errorf("error %q does not contain %q", err, c)
				}
			}
		})
	}
}

func TestAssignBadInput(t *testing.T) {
	for _, tc := range []struct {
		name          string
		pairs         []Pair
		bounds        []Bound
		record, field string
	}{
		{"nan", []Pair{{"A", "B", math.NaN()}}, nil, "pairs[0]", "score"},
		{"missing left", []Pair{{"A", "B", 1}, {"", "B", 1}}, nil, "pairs[1]", "left"},
		{"duplicate", []Pair{{"A", "B", 1}, {"A", "B", 2}}, nil, "pairs[1]", "right"},
		{"min above max", []Pair{{"A", "B", 1}}, []Bound{{ID: "A", Min: 2, Max: 1}}, "bounds[0]", "max"},
		{"bounded twice", []Pair{{"A", "B", 1}}, []Bound{{ID: "A", Max: 1}, {ID: "A", Max: 2}}, "bounds[1]", "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Assign(context.Background(), tc.pairs, tc.bounds, Total)
			is := fairmatch.ErrorIssues(err)
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID || len(is) != 1 || is[0].Record != tc.record || is[0].Field != tc.field {
				t.Errorf("error %v (issues %+v), want EINVALID at %s field %s", err, is, tc.record, tc.field)
			}
		})
	}
}

func TestAssignCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pairs, bounds := largeAssignInstance(rand.New(rand.NewPCG(1, 1)), 200, 100, 4000)
	if _, err := Assign(ctx, pairs, bounds, Total); err == nil {
		t.Fatal("cancelled context: no error")
	}
}

// A medium instance checked against an independent optimality certificate:
// after Assign, no improving exchange exists (checked by Bellman–Ford on the
// residual graph with float scores).
func TestAssignNoImprovingCycle(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for it := range 5 {
		pairs, bounds := largeAssignInstance(r, 40, 20, 300)
		got, err := Assign(context.Background(), pairs, bounds, Total)
		if err != nil {
			t.Fatal(err)
		}
		if err := withinBounds(got, bounds); err != nil {
			t.Fatal(err)
		}
		if c := improvingCycle(pairs, bounds, got); c > 1e-7 {
			t.Fatalf("instance %d: an exchange improves the total by %v", it, c)
		}
	}
}

// improvingCycle returns the largest gain of a negative cycle in the residual
// graph of the assignment (0 if none), using Bellman–Ford on float costs.
func improvingCycle(pairs []Pair, bounds []Bound, chosen []Pair) float64 {
	ids := map[string]int{"S": 0, "T": 1}
	node := func(s string) int {
		if i, ok := ids[s]; ok {
			return i
		}
		ids[s] = len(ids)
		return ids[s]
	}
	type arc struct {
		u, v int
		c    float64
	}
	var arcs []arc
	taken := map[Pair]bool{}
	for _, p := range chosen {
		taken[p] = true
	}
	count := map[string]int{}
	deg := map[string]int{}
	for _, p := range pairs {
		deg["l"+p.Left]++
		deg["r"+p.Right]++
		l, rr := node("l"+p.Left), node("r"+p.Right)
		if taken[p] {
			count["l"+p.Left]++
			count["r"+p.Right]++
			arcs = append(arcs, arc{rr, l, p.Score})
		} else {
			arcs = append(arcs, arc{l, rr, -p.Score})
		}
	}
	bnd := map[string]Bound{}
	for _, b := range bounds {
		bnd[b.ID] = b
	}
	for key, d := range deg {
		b, ok := bnd[key[1:]]
		if !ok {
			b = Bound{Max: -1}
		}
		hi := d
		if b.Max >= 0 {
			hi = min(hi, b.Max)
		}
		x := node(key)
		s, t := 0, 1
		if key[0] == 'l' {
			if count[key] < hi {
				arcs = append(arcs, arc{s, x, 0})
			}
			if count[key] > b.Min {
				arcs = append(arcs, arc{x, s, 0})
			}
		} else {
			if count[key] < hi {
				arcs = append(arcs, arc{x, t, 0})
			}
			if count[key] > b.Min {
				arcs = append(arcs, arc{t, x, 0})
			}
		}
	}
	arcs = append(arcs, arc{1, 0, 0}, arc{0, 1, 0})
	n := len(ids)
	dist := make([]float64, n)
	for range n {
		for _, a := range arcs {
			dist[a.v] = math.Min(dist[a.v], dist[a.u]+a.c)
		}
	}
	gain := 0.0
	for _, a := range arcs {
		if d := dist[a.v] - (dist[a.u] + a.c); d > gain {
			gain = d
		}
	}
	return gain
}

// largeAssignInstance returns random pairs between nl lefts and nr rights
// with bounds like a fair's: every left at most 3, every right at most 2·np/nr
// / 3, some lefts at least 1.
func largeAssignInstance(r *rand.Rand, nl, nr, np int) ([]Pair, []Bound) {
	seen := map[[2]int]bool{}
	pairs := make([]Pair, 0, np)
	deg := make([]int, nl)
	for len(pairs) < np {
		i, j := r.IntN(nl), r.IntN(nr)
		if seen[[2]int{i, j}] {
			continue
		}
		seen[[2]int{i, j}] = true
		deg[i]++
		pairs = append(pairs, Pair{fmt.Sprintf("L%d", i), fmt.Sprintf("R%d", j), math.Round(r.Float64()*1e6) / 1e6})
	}
	var bounds []Bound
	for i := range nl {
		b := Bound{ID: fmt.Sprintf("L%d", i), Max: 3}
		if deg[i] > 0 && i%4 == 0 {
			b.Min = 1
		}
		bounds = append(bounds, b)
	}
	rmax := max(1, 2*np/nr/3)
	for j := range nr {
		bounds = append(bounds, Bound{ID: fmt.Sprintf("R%d", j), Max: rmax})
	}
	return pairs, bounds
}
