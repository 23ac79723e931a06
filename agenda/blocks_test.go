package agenda

import (
	"math/bits"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// blockResult makes the starts of a block search a result (scheduleResult:
// tables by first fit, breaks recomputed).
func blockResult(req *Request, starts []int32) *Result {
	known := knownSchedule{}
	for m, s := range starts {
		known[req.Meetings[m].ID] = int(s)
	}
	return scheduleResult(req, known)
}

// TestBlockSearchAgreesWithBruteForce runs the block search to the end on
// random small requests and checks it against a brute force: a schedule it
// finds obeys every rule and has no break, and when it finds none, no
// schedule without a break exists.
func TestBlockSearchAgreesWithBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	found, none, tried := 0, 0, 0
	for i := range 1500 {
		var req *Request
		if i%2 == 0 {
			req = smallEvent(rng)
		} else {
			req = randomRequest(rng, 2+rng.IntN(6), 6, i%4 == 1)
		}
		if req.Validate() != nil {
			continue
		}
		md := compile(req)
		if !blockSearchable(md) {
			continue
		}
		tried++
		b := newBlockSearch(md, make([]int32, len(md.meets)), rand.New(rand.NewPCG(uint64(i), 1)))
		starts := b.run(0)
		feasible, best := bruteForce(req)
		if starts == nil {
			none++
			if feasible && best == 0 {
				t.Fatalf("request %d: the block search finds no schedule without a break, brute force does\n%+v", i, req)
			}
			continue
		}
		found++
		res := blockResult(req, starts)
		if v := violations(req, res); len(v) > 0 {
			t.Fatalf("request %d: the block search's schedule breaks rules: %v\n%+v", i, v, req)
		}
		if n := res.Breaks.Total; n != 0 {
			t.Fatalf("request %d: the block search's schedule has %d breaks\n%+v", i, n, req)
		}
	}
	if found < 20 || none < 20 {
		t.Fatalf("of %d requests, %d with a schedule found, %d without: the generator misses a case", tried, found, none)
	}
	t.Logf("%d requests: a schedule without a break found for %d, proven none for %d", tried, found, none)
}

// TestBlockSearchSettlesTic12 runs the block search as zeroFirst does, with
// its node budget, on tic-12 (whose optimum has no break): it finds a
// schedule without a break that obeys every rule.
func TestBlockSearchSettlesTic12(t *testing.T) {
	req := loadB2B(t, "tic-12.original")
	md := compile(req)
	if !blockSearchable(md) {
		t.Fatal("tic-12 is not block-searchable")
	}
	b := newBlockSearch(md, make([]int32, len(md.meets)), rand.New(rand.NewPCG(1, 2)))
	starts := b.run(zeroNodes)
	if starts == nil {
		t.Fatalf("no schedule within %d nodes (cut %v)", zeroNodes, b.cut)
	}
	res := blockResult(req, starts)
	if v := violations(req, res); len(v) > 0 {
		t.Fatalf("schedule breaks rules: %v", v[:min(5, len(v))])
	}
	if n := res.Breaks.Total; n != 0 {
		t.Fatalf("%d breaks", n)
	}
	t.Logf("tic-12: a schedule without a break in %d nodes", b.nodes)
}

// TestBlockPropagationKeepsSchedules checks, on the two real events whose
// optimum has no break, that the block search's propagation never rules
// out a schedule without a break: fixing the meetings of one, one by one,
// never loses one of its slots or fails. It also checks that propagation
// narrows forum-13's root domains (the SAT encoding's extra clauses).
func TestBlockPropagationKeepsSchedules(t *testing.T) {
	for _, name := range []string{"tic-12.original", "forum-13.original"} {
		req := loadB2B(t, name)
		res := Solve(t.Context(), req, Options{Seed: 1, TimeLimit: 20 * time.Second})
		if res.Status != StatusOptimal || res.Breaks.Total != 0 {
			t.Fatalf("%s: %s with %d breaks, want optimal 0", name, res.Status, res.Breaks.Total)
		}
		slot := map[string]int{}
		for _, p := range res.Meetings {
			slot[p.ID] = p.Slot
		}
		md := compile(req)
		b := newBlockSearch(md, make([]int32, len(md.meets)), nil)
		x, bs := append([]uint64(nil), b.x...), append([]uint64(nil), b.bs...)
		count := func(ds []uint64) (n int) {
			for _, d := range ds {
				n += bits.OnesCount64(d)
			}
			return n
		}
		before := count(x)
		for p := range bs {
			b.touch(p)
		}
		for m := -1; m < len(md.meets); m++ {
			if m >= 0 {
				x[m] = 1 << uint(slot[md.meets[m].id])
				for _, p := range md.meets[m].att {
					b.touch(int(p))
				}
			}
			if !b.propagate(x, bs) {
				t.Fatalf("%s: propagation fails after fixing %d meetings of a schedule without a break", name, m+1)
			}
			if m == -1 {
				t.Logf("%s: root propagation leaves %d of %d meeting slots", name, count(x), before)
				if name == "forum-13.original" && count(x) >= before {
					t.Errorf("%s: root propagation rules out no slot", name)
				}
			}
			for k := range md.meets {
				if x[k]&(1<<uint(slot[md.meets[k].id])) == 0 {
					t.Fatalf("%s: after fixing %d meetings, meeting %s lost its slot %d", name, m+1, md.meets[k].id, slot[md.meets[k].id])
				}
			}
		}
	}
}

// shuffledCopy returns a copy of req with its meetings, and each meeting's
// attendees, in a random order of seed k: the same event, met by the
// search from another starting point.
func shuffledCopy(t testing.TB, req *Request, k int) *Request {
	rng := rand.New(rand.NewPCG(uint64(k), 99))
	out := copyRequest(t, req)
	rng.Shuffle(len(out.Meetings), func(i, j int) { out.Meetings[i], out.Meetings[j] = out.Meetings[j], out.Meetings[i] })
	for i := range out.Meetings {
		a := out.Meetings[i].Attendees
		rng.Shuffle(len(a), func(i, j int) { a[i], a[j] = a[j], a[i] })
	}
	return out
}

// TestZeroFirstOnShuffledForum13 solves shuffled copies of forum-13 and
// checks each is proven optimal at 0 breaks: the search for a schedule
// without a break must not depend on the request's order.
func TestZeroFirstOnShuffledForum13(t *testing.T) {
	base := loadB2B(t, "forum-13.original")
	for k := range 3 {
		req := shuffledCopy(t, base, k)
		res := Solve(t.Context(), req, Options{Seed: int64(k), TimeLimit: 20 * time.Second})
		if res.Status != StatusOptimal || res.Breaks.Total != 0 {
			t.Fatalf("copy %d: %s with %d breaks, want optimal 0", k, res.Status, res.Breaks.Total)
		}
		if v := violations(req, res); len(v) > 0 {
			t.Fatalf("copy %d: %v", k, v[:min(5, len(v))])
		}
	}
}

// BenchmarkShuffledB2B solves six shuffled copies (shuffledCopy) of each
// b2b instance with seeds 1–4 and a 20-second limit, and reports the
// median and the largest seconds to a result, and how many of the 24
// solves ended proven optimal at the published optimum.
func BenchmarkShuffledB2B(b *testing.B) {
	files, optimum := b2bInstances(b)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		base := loadB2B(b, name)
		b.Run(name, func(b *testing.B) {
			var took []float64
			proven := 0
			for b.Loop() {
				took, proven = took[:0], 0
				for k := range 6 {
					req := shuffledCopy(b, base, k)
					for seed := int64(1); seed <= 4; seed++ {
						start := time.Now()
						res := Solve(b.Context(), req, Options{Seed: seed, TimeLimit: 20 * time.Second})
						took = append(took, time.Since(start).Seconds())
						if v := violations(req, res); len(v) > 0 {
							b.Fatalf("copy %d seed %d: %v", k, seed, v[:min(5, len(v))])
						}
						if res.Status == StatusOptimal && res.Breaks.Total == optimum[name] {
							proven++
						}
					}
				}
			}
			slices.Sort(took)
			b.ReportMetric(took[len(took)/2], "median-s")
			b.ReportMetric(took[len(took)-1], "max-s")
			b.ReportMetric(float64(proven), "optimal-of-24")
		})
	}
}
