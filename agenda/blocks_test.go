package agenda

import (
	"math/bits"
	"math/rand/v2"
	"testing"
	"time"
)

// blockResult makes the starts of a block search a result, seating each
// slot's meetings at tables 1, 2, ...
func blockResult(req *Request, starts []int32) *Result {
	res := &Result{Status: StatusFeasible}
	next := map[int32]int{}
	for m, s := range starts {
		next[s]++
		res.Meetings = append(res.Meetings, Placement{ID: req.Meetings[m].ID, Slot: int(s), Table: next[s]})
	}
	return res
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
		ss := make([]int, len(starts))
		for m, s := range starts {
			ss[m] = int(s)
		}
		if n, _ := breaksOf2(req, ss); n != 0 {
			t.Fatalf("request %d: the block search's schedule has %d breaks\n%+v", i, n, req)
		}
	}
	if found < 20 || none < 20 {
		t.Fatalf("of %d requests, %d with a schedule found, %d without: the generator misses a case", tried, found, none)
	}
	t.Logf("%d requests: a schedule without a break found for %d, proven none for %d", tried, found, none)
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

// TestZeroFirstOnShuffledForum13 solves shuffled copies of forum-13
// (meetings, attendees and ids permuted) and checks each is proven optimal
// at 0 breaks: the search for a schedule without a break must not depend
// on the request's order.
func TestZeroFirstOnShuffledForum13(t *testing.T) {
	base := loadB2B(t, "forum-13.original")
	for k := range 3 {
		rng := rand.New(rand.NewPCG(uint64(k), 99))
		req := copyRequest(t, base)
		rng.Shuffle(len(req.Meetings), func(i, j int) { req.Meetings[i], req.Meetings[j] = req.Meetings[j], req.Meetings[i] })
		for i := range req.Meetings {
			a := req.Meetings[i].Attendees
			rng.Shuffle(len(a), func(i, j int) { a[i], a[j] = a[j], a[i] })
		}
		res := Solve(t.Context(), req, Options{Seed: int64(k), TimeLimit: 20 * time.Second})
		if res.Status != StatusOptimal || res.Breaks.Total != 0 {
			t.Fatalf("copy %d: %s with %d breaks, want optimal 0", k, res.Status, res.Breaks.Total)
		}
		if v := violations(req, res); len(v) > 0 {
			t.Fatalf("copy %d: %v", k, v[:min(5, len(v))])
		}
	}
}
