package agenda

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestExactAgreesWithBruteForce runs the SAT-based exact search alone (not
// the exhaustive search Solve uses on tiny requests) on random tiny
// requests and checks both of its answers against a brute force: the
// proven optimum, and refutations of requests with no complete schedule.
func TestExactAgreesWithBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	proven, refuted := 0, 0
	for i := range 300 {
		req := randomRequest(rng, 2+rng.IntN(6), 6, i%3 == 0)
		if req.Validate() != nil {
			continue
		}
		md := compile(req)
		if len(md.proofs) > 0 {
			continue
		}
		sv := newSolver(t.Context(), md, Options{Seed: int64(i), TimeLimit: time.Second})
		sv.construct()
		sv.accept()
		sv.track()
		sv.exact()
		feasible, best := bruteForce(req)
		if feasible && md.lb > best {
			t.Fatalf("instance %d: exact search raises the lower bound to %d, brute force finds %d breaks\n%+v", i, md.lb, best, req)
		}
		if sv.optimal() && sv.bestCost.out == 0 {
			proven++
			if !feasible || sv.bestCost.soft != best {
				t.Fatalf("instance %d: exact search proves %d breaks, brute force finds feasible=%v best %d\n%+v", i, sv.bestCost.soft, feasible, best, req)
			}
		}
		relaxed := *req
		relaxed.MaxBreakSpread = nil
		anyFeasible, _ := bruteForce(&relaxed)
		all := make([]int, len(req.Meetings))
		for k := range all {
			all[k] = k
		}
		switch refute(req, all, func() bool { return false }) {
		case satFalse:
			refuted++
			if anyFeasible {
				t.Fatalf("instance %d: refuted, but brute force finds a schedule\n%+v", i, req)
			}
		case satTrue:
			if !anyFeasible {
				t.Fatalf("instance %d: a model, but brute force finds no schedule\n%+v", i, req)
			}
		}
	}
	if proven == 0 || refuted == 0 {
		t.Fatalf("proven %d, refuted %d: the generator misses a case", proven, refuted)
	}
	t.Logf("proven optimal %d, refuted %d", proven, refuted)
}

// TestLNSAgreesWithBruteForce runs the exact search's neighbourhood search
// alone from the constructed schedule of random small requests and checks
// it against a brute force: every schedule it adopts obeys every rule and
// has no fewer breaks than the optimum, and one it proves optimal (a
// refutation that fixed no meeting) is the optimum. It also checks that the
// search reaches the optimum on some of them.
func TestLNSAgreesWithBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	improved, reached := 0, 0
	for i := range 200 {
		req := randomRequest(rng, 4+rng.IntN(5), 6, i%2 == 0)
		if req.Validate() != nil {
			continue
		}
		md := compile(req)
		if len(md.proofs) > 0 {
			continue
		}
		sv := newSolver(t.Context(), md, Options{Seed: int64(i), TimeLimit: time.Second})
		sv.construct()
		sv.accept()
		sv.track()
		sv.saveBest()
		if sv.bestCost.out != 0 {
			continue
		}
		built := sv.bestCost.soft
		for range 5 {
			sv.lnsRound(2000)
		}
		feasible, best := bruteForce(req)
		if !feasible {
			t.Fatalf("instance %d: a complete valid schedule, but brute force finds none\n%+v", i, req)
		}
		res := sv.result()
		if v := violations(req, res); len(v) > 0 {
			t.Fatalf("instance %d: the search's schedule breaks rules: %v", i, v)
		}
		if res.Breaks.Total < best || res.Breaks.Total != sv.bestCost.soft {
			t.Fatalf("instance %d: %d breaks (best cost %d), brute force optimum %d", i, res.Breaks.Total, sv.bestCost.soft, best)
		}
		if sv.proven && res.Breaks.Total != best {
			t.Fatalf("instance %d: proven optimal at %d breaks, brute force finds %d\n%+v", i, res.Breaks.Total, best, req)
		}
		if sv.bestCost.soft < built {
			improved++
		}
		if res.Breaks.Total == best {
			reached++
		}
	}
	if improved == 0 || reached == 0 {
		t.Fatalf("improved %d, reached the optimum %d: the generator misses a case", improved, reached)
	}
	t.Logf("improved %d, reached the optimum %d", improved, reached)
}

// TestExplainNamesCulprits checks the minimal conflicting set for each kind
// of cause: a participant with too many meetings, a session too small, a
// pinned meeting, a precedence chain.
func TestExplainNamesCulprits(t *testing.T) {
	pair := func(id, a, b string) Meeting { return Meeting{ID: id, Attendees: []string{a, b}} }
	filler := func(ms ...Meeting) []Meeting {
		for i := range 12 {
			ms = append(ms, pair("f"+string(rune('a'+i)), "x"+string(rune('a'+i)), "y"+string(rune('a'+i))))
		}
		return ms
	}
	for _, tc := range []struct {
		name string
		req  Request
		want string
	}{
		{
			name: "participant",
			req: Request{Slots: 2, Tables: 20, Meetings: filler(
				pair("a", "h", "g1"), pair("b", "h", "g2"), pair("c", "h", "g3"))},
			want: "a minimal conflicting set: meeting a (h+g1), meeting b (h+g2), meeting c (h+g3)",
		},
		{
			name: "session",
			req: Request{Slots: 4, Tables: 20, Sessions: []Session{{"am", 1, 2}, {"pm", 3, 4}},
				Meetings: filler(
					Meeting{ID: "a", Attendees: []string{"h", "g1"}, Session: "am"},
					pair("b", "h", "g2"),
					Meeting{ID: "c", Attendees: []string{"h", "g3"}, Session: "am"},
					Meeting{ID: "d", Attendees: []string{"h", "g4"}, Session: "am"})},
			want: "a minimal conflicting set: meeting a (h+g1, session am), meeting c (h+g3, session am), meeting d (h+g4, session am)",
		},
		{
			name: "pinned",
			req: Request{Slots: 3, Tables: 20, Participants: []Participant{{ID: "h", Unavailable: []int{3}}},
				Meetings: filler(
					Meeting{ID: "a", Attendees: []string{"h", "g1"}, Slot: 1},
					pair("b", "h", "g2"),
					pair("c", "g1", "g2"),
					Meeting{ID: "d", Attendees: []string{"g2", "g3"}, Slot: 2})},
			want: "a minimal conflicting set: meeting a (h+g1, pinned to slot 1), meeting b (h+g2), meeting d (g2+g3, pinned to slot 2); participants: h unavailable in slots [3]",
		},
		{
			name: "precedence",
			req: Request{Slots: 3, Tables: 20, Meetings: filler(
				pair("a", "p1", "p2"),
				Meeting{ID: "b", Attendees: []string{"p3", "p4"}, After: []string{"a"}},
				Meeting{ID: "c", Attendees: []string{"p5", "p1"}, After: []string{"b"}},
				pair("d", "p1", "p3"))},
			want: "a minimal conflicting set: meeting a (p1+p2), meeting b (p3+p4, after a), meeting c (p5+p1, after b), meeting d (p1+p3)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := solveChecked(t, &tc.req, Options{TimeLimit: 5 * time.Second})
			if res.Status != StatusInfeasible {
				t.Fatalf("status %s, want infeasible (%+v)", res.Status, res)
			}
			if !strings.Contains(res.Reason, tc.want) {
				t.Errorf("reason %q\ndoes not say %q", res.Reason, tc.want)
			}
		})
	}
}
