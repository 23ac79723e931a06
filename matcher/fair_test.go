package matcher

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
)

// fairInstance returns up to 4 lefts × 3 rights with a random subset of the
// pairs, scores in [-0.3, 1) (a quarter of them rounded to quarters, for
// ties and zeros) and random bounds, a maximum of 0 included.
func fairInstance(r *rand.Rand) ([]Pair, []Bound) {
	nl, nr := 1+r.IntN(4), 1+r.IntN(3)
	var pairs []Pair
	for i := range nl {
		for j := range nr {
			if r.IntN(3) == 0 {
				continue
			}
			s := r.Float64()*1.3 - 0.3
			if r.IntN(4) == 0 {
				s = math.Round(s*4) / 4
			}
			pairs = append(pairs, Pair{fmt.Sprintf("L%d", i), fmt.Sprintf("R%d", j), s})
		}
	}
	r.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	var bounds []Bound
	add := func(id string) {
		switch r.IntN(6) {
		case 0, 1, 2:
		case 3:
			bounds = append(bounds, Bound{ID: id, Min: r.IntN(2), Max: -1})
		case 4:
			lo := r.IntN(2)
			bounds = append(bounds, Bound{ID: id, Min: lo, Max: lo + r.IntN(2)})
		case 5:
			bounds = append(bounds, Bound{ID: id, Max: r.IntN(2)})
		}
	}
	for i := range nl {
		add(fmt.Sprintf("L%d", i))
	}
	for j := range nr {
		add(fmt.Sprintf("R%d", j))
	}
	return pairs, bounds
}

// fairValue is the Fair objective of an assignment on scores quantized as
// Assign documents (to 1e-9 of the largest |score|): the smallest sum of a
// counted left, then the total.
type fairValue struct{ smallest, total int64 }

func (a fairValue) less(b fairValue) bool {
	return a.smallest < b.smallest || (a.smallest == b.smallest && a.total < b.total)
}

// countedLefts returns the lefts that Fair counts, independently of the
// solver: those with a pair whose left and right have a maximum other than 0.
func countedLefts(pairs []Pair, bounds []Bound) map[string]bool {
	zero := map[string]bool{}
	for _, b := range bounds {
		zero[b.ID] = b.Max == 0
	}
	counted := map[string]bool{}
	for _, p := range pairs {
		if !zero[p.Left] && !zero[p.Right] {
			counted[p.Left] = true
		}
	}
	return counted
}

// fairEvaluator computes fairValue independently of the solver.
func fairEvaluator(pairs []Pair, bounds []Bound) func([]Pair) fairValue {
	maxAbs := 0.0
	for _, p := range pairs {
		maxAbs = max(maxAbs, math.Abs(p.Score))
	}
	q := 1.0
	if maxAbs > 0 {
		q = 1e9 / maxAbs
	}
	counted := countedLefts(pairs, bounds)
	return func(chosen []Pair) fairValue {
		sums := map[string]int64{}
		var v fairValue
		for _, p := range chosen {
			w := int64(math.Round(p.Score * q))
			sums[p.Left] += w
			v.total += w
		}
		v.smallest = math.MaxInt64
		for l := range counted {
			v.smallest = min(v.smallest, sums[l])
		}
		return v
	}
}

// bruteForceFair returns the best fairValue over all subsets within the
// bounds, and false if none is.
func bruteForceFair(pairs []Pair, bounds []Bound) (fairValue, bool) {
	eval := fairEvaluator(pairs, bounds)
	var best fairValue
	found := false
	sub := make([]Pair, 0, len(pairs))
	for mask := 0; mask < 1<<len(pairs); mask++ {
		sub = sub[:0]
		for k, p := range pairs {
			if mask&(1<<k) != 0 {
				sub = append(sub, p)
			}
		}
		if withinBounds(sub, bounds) != nil {
			continue
		}
		if v := eval(sub); !found || best.less(v) {
			best, found = v, true
		}
	}
	return best, found
}

func TestAssignFairBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 41))
	feasible, nontrivial := 0, 0
	for it := range 600 {
		pairs, bounds := fairInstance(r)
		want, ok := bruteForceFair(pairs, bounds)
		got, err := Assign(context.Background(), pairs, bounds, Fair)
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
		if v := fairEvaluator(pairs, bounds)(got); v != want {
			t.Fatalf("instance %d: got %+v (%v), brute force %+v\npairs %v\nbounds %v", it, v, got, want, pairs, bounds)
		}
		if want.smallest > 0 {
			nontrivial++
		}
		idx := -1
		for _, p := range got {
			k := slices.Index(pairs, p)
			if k <= idx {
				t.Fatalf("instance %d: output not in input order: %v", it, got)
			}
			idx = k
		}
	}
	if feasible < 300 || nontrivial < 100 {
		t.Errorf("%d feasible instances (want ≥ 300), %d with a positive smallest sum (want ≥ 100)", feasible, nontrivial)
	}
}

// TestAssignFairDiffersFromTotal: the fair objective gives up total for the
// worst-off left, and then still maximizes the total.
func TestAssignFairDiffersFromTotal(t *testing.T) {
	pairs := []Pair{
		{"A", "X", 0.9}, {"A", "Y", 0.8}, {"A", "Z", 0.7},
		{"B", "X", 0.5}, {"B", "Y", 0.4},
		{"C", "Z", 0.2}, {"C", "W", 0.1},
	}
	bounds := []Bound{{ID: "X", Max: 1}, {ID: "Y", Max: 1}, {ID: "Z", Max: 1}}
	got, err := Assign(context.Background(), pairs, bounds, Fair)
	if err != nil {
		t.Fatal(err)
	}
	// The smallest sum is C's 0.3 (Z and W); then B takes X (0.5) and A
	// takes Y (0.8), the best total with it: 1.6 against A,X + B,Y 1.3.
	want := []Pair{{"A", "Y", 0.8}, {"B", "X", 0.5}, {"C", "Z", 0.2}, {"C", "W", 0.1}}
	if !slices.Equal(got, want) {
		t.Errorf("fair: %v, want %v", got, want)
	}
}

// TestAssignFairExcludedLeft: a left whose only right has a maximum of 0
// does not pull the smallest sum to 0.
func TestAssignFairExcludedLeft(t *testing.T) {
	pairs := []Pair{{"A", "X", 0.9}, {"A", "Y", 0.2}, {"B", "X", 0.3}, {"C", "Z", 0.8}}
	bounds := []Bound{{ID: "X", Max: 1}, {ID: "Z", Max: 0}}
	got, err := Assign(context.Background(), pairs, bounds, Fair)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Pair{{"A", "Y", 0.2}, {"B", "X", 0.3}}; !slices.Equal(got, want) {
		t.Errorf("fair: %v, want %v (C cannot get a pair and is not counted)", got, want)
	}
}

// hardFairInstance has many lefts competing for few rights with close
// scores, which makes the max–min search long.
func hardFairInstance(r *rand.Rand, nl, nr, np int) ([]Pair, []Bound) {
	pairs, _ := largeAssignInstance(r, nl, nr, np)
	var bounds []Bound
	for i := range nl {
		bounds = append(bounds, Bound{ID: fmt.Sprintf("L%d", i), Max: 3})
	}
	for j := range nr {
		bounds = append(bounds, Bound{ID: fmt.Sprintf("R%d", j), Max: max(1, 2*nl/nr)})
	}
	return pairs, bounds
}

func TestAssignFairDeadline(t *testing.T) {
	// Not proven within 10 s on 2 cores when this test was written.
	pairs, bounds := hardFairInstance(rand.New(rand.NewPCG(5, 8)), 400, 150, 4000)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	got, err := Assign(ctx, pairs, bounds, Fair)
	if !errors.Is(err, ErrNotProven) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want ErrNotProven and DeadlineExceeded", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("returned %v after a 300 ms deadline", el)
	}
	if len(got) == 0 {
		t.Fatal("no assignment returned with ErrNotProven")
	}
	if err := withinBounds(got, bounds); err != nil {
		t.Error(err)
	}
}

func TestAssignFairCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pairs, bounds := hardFairInstance(rand.New(rand.NewPCG(5, 6)), 40, 15, 300)
	got, err := Assign(ctx, pairs, bounds, Fair)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrNotProven) || got != nil {
		t.Fatalf("got %d pairs, error %v; want none and a bare cancellation", len(got), err)
	}
}

// BenchmarkAssignFairScale runs Fair with a 10 s deadline on three hard
// instances (hardFairInstance) of each size and reports how many were
// proven optimal and the mean seconds per instance.
func BenchmarkAssignFairScale(b *testing.B) {
	for _, sz := range [][3]int{{100, 40, 1000}, {200, 75, 2000}, {400, 150, 4000}, {600, 240, 6000}, {800, 300, 8000}, {1000, 400, 10000}} {
		b.Run(fmt.Sprintf("lefts=%d/rights=%d/pairs=%d", sz[0], sz[1], sz[2]), func(b *testing.B) {
			var inst [3][2]any
			for seed := range inst {
				p, bs := hardFairInstance(rand.New(rand.NewPCG(5, 6+uint64(seed))), sz[0], sz[1], sz[2])
				inst[seed] = [2]any{p, bs}
			}
			proven := 0
			for b.Loop() {
				proven = 0
				for _, in := range inst {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					_, err := Assign(ctx, in[0].([]Pair), in[1].([]Bound), Fair)
					cancel()
					switch {
					case err == nil:
						proven++
					case !errors.Is(err, ErrNotProven):
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(proven), "proven/3")
			b.ReportMetric(b.Elapsed().Seconds()/float64(3*b.N), "s/instance")
		})
	}
}
