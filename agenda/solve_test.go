package agenda

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// solveChecked solves req and fails the test if the result breaks a rule.
func solveChecked(t *testing.T, req *Request, opt Options) *Result {
	t.Helper()
	if err := req.Validate(); err != nil {
		t.Fatalf("test request invalid: %v", err)
	}
	res := Solve(t.Context(), req, opt)
	if v := violations(req, res); len(v) > 0 {
		t.Fatalf("result %+v breaks rules:\n%s", res, strings.Join(v, "\n"))
	}
	return res
}

// TestSolveRandomNeverBreaksRules solves random instances of every shape and
// checks each result with the independent validator; on the tiny ones,
// whose every schedule a brute force can try, it also checks the status:
// the solver searches those exhaustively, so it must prove either the
// optimum the brute force finds or infeasibility.
func TestSolveRandomNeverBreaksRules(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	counts := map[string]int{}
	for i := range 360 {
		var req *Request
		tiny := i%2 == 0
		switch {
		case tiny:
			req = randomRequest(rng, 1+rng.IntN(6), 6, i%4 == 0)
		case i%12 == 11:
			// large enough that 50 ms rarely proves anything
			req = randomRequest(rng, 150+rng.IntN(100), 16, true)
		default:
			req = randomRequest(rng, 8+rng.IntN(30), 12, i%4 == 1)
		}
		res := solveChecked(t, req, Options{Seed: int64(i), TimeLimit: 50 * time.Millisecond})
		counts[res.Status]++
		if !tiny {
			continue
		}
		feasible, best := bruteForce(req)
		switch {
		case feasible && (res.Status != StatusOptimal || res.Breaks.Total != best):
			t.Fatalf("instance %d: brute force finds optimum %d, solver says %s with %d breaks\n%+v", i, best, res.Status, res.Breaks.Total, req)
		case !feasible && res.Status != StatusInfeasible:
			t.Fatalf("instance %d: brute force finds no schedule, solver says %s\n%+v", i, res.Status, req)
		}
	}
	t.Logf("statuses: %v", counts)
	for _, s := range []string{StatusOptimal, StatusFeasible, StatusPartial, StatusInfeasible} {
		if counts[s] == 0 {
			t.Errorf("no random instance ended %s; the generator misses a case: %v", s, counts)
		}
	}
}

func TestSolveProvesInfeasible(t *testing.T) {
	pair := func(id string, a, b string) Meeting { return Meeting{ID: id, Attendees: []string{a, b}} }
	// filler adds unrelated meetings so that the instance is too large for
	// the exhaustive search and the proof must come from the model.
	filler := func(ms ...Meeting) []Meeting {
		for i := range 12 {
			ms = append(ms, pair(fmt.Sprintf("f%d", i), fmt.Sprintf("x%d", i), fmt.Sprintf("y%d", i)))
		}
		return ms
	}
	for _, tc := range []struct {
		name   string
		req    Request
		reason string
		minOut int // meetings that cannot be placed at all
		maxOut int
	}{
		{
			name: "pinned clash",
			req: Request{Slots: 4, Tables: 20, Meetings: filler(
				Meeting{ID: "a", Attendees: []string{"b1", "b2"}, Slot: 2},
				Meeting{ID: "b", Attendees: []string{"b1", "b3"}, Slot: 2})},
			reason: "pinned to overlapping slots", minOut: 1, maxOut: 1,
		},
		{
			name: "overloaded participant",
			req: Request{Slots: 3, Tables: 20, Participants: []Participant{{ID: "b1", Unavailable: []int{2}}},
				Meetings: filler(pair("a", "b1", "b2"), pair("b", "b1", "b3"), pair("c", "b1", "b4"))},
			reason: "participant b1 has meetings for 3 slots but can meet in only 2", minOut: 1, maxOut: 1,
		},
		{
			name:   "tables × slots",
			req:    Request{Slots: 2, Tables: 6, Meetings: filler(pair("a", "b1", "b2"))},
			reason: "need 13 meeting-slots", minOut: 1, maxOut: 1,
		},
		{
			name: "precedence chain",
			req: Request{Slots: 3, Tables: 20, Meetings: filler(
				pair("a", "b1", "b2"),
				Meeting{ID: "b", Attendees: []string{"b3", "b4"}, After: []string{"a"}, Duration: 2},
				Meeting{ID: "c", Attendees: []string{"b5", "b6"}, After: []string{"b"}})},
			reason: "chain of `after`", minOut: 1, maxOut: 1,
		},
		{
			name: "no possible slot",
			req: Request{Slots: 4, Tables: 20, Sessions: []Session{{"am", 1, 2}, {"pm", 3, 4}},
				Meetings: filler(Meeting{ID: "a", Attendees: []string{"b1", "b2"}, Duration: 3})},
			reason: "meeting a has no possible start slot", minOut: 1, maxOut: 1,
		},
		{
			name: "odd cycle, tiny",
			req: Request{Slots: 2, Tables: 5, Meetings: []Meeting{
				pair("ab", "a", "b"), pair("bc", "b", "c"), pair("ca", "c", "a")}},
			reason: "exhaustive search", minOut: 1, maxOut: 1,
		},
		{
			name: "spread unreachable, tiny",
			req: Request{Slots: 3, Tables: 5, MaxBreakSpread: new(int),
				Participants: []Participant{{ID: "a", Unavailable: []int{2}}},
				Meetings:     []Meeting{pair("ab", "a", "b"), pair("ac", "a", "c")}},
			reason: "exhaustive search", minOut: 1, maxOut: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := solveChecked(t, &tc.req, Options{TimeLimit: 2 * time.Second})
			if res.Status != StatusInfeasible {
				t.Fatalf("status %s, want infeasible (%+v)", res.Status, res)
			}
			if !strings.Contains(res.Reason, tc.reason) {
				t.Errorf("reason %q does not say %q", res.Reason, tc.reason)
			}
			if n := len(res.Unscheduled); n < tc.minOut || n > tc.maxOut {
				t.Errorf("%d meetings unscheduled, want %d..%d: %v", n, tc.minOut, tc.maxOut, res.Unscheduled)
			}
		})
	}
}

func TestSolveTriangleKeepsPriority(t *testing.T) {
	// A triangle a–b–c has three meetings for two slots: one must go, and
	// it is the latest of them in the request. Twelve more meetings make
	// the instance too large for the exhaustive search and no simple
	// argument sees the triangle: the exact search proves it impossible and
	// names the three meetings as the minimal conflicting set.
	req := &Request{Slots: 2, Tables: 10}
	for i := range 12 {
		req.Meetings = append(req.Meetings, Meeting{ID: fmt.Sprintf("f%d", i), Attendees: []string{fmt.Sprintf("x%d", i), fmt.Sprintf("y%d", i)}})
	}
	req.Meetings = slices.Insert(req.Meetings, 3, Meeting{ID: "ab", Attendees: []string{"a", "b"}})
	req.Meetings = slices.Insert(req.Meetings, 7, Meeting{ID: "bc", Attendees: []string{"b", "c"}})
	req.Meetings = append(req.Meetings, Meeting{ID: "ca", Attendees: []string{"c", "a"}})
	res := solveChecked(t, req, Options{TimeLimit: 2 * time.Second})
	if res.Status != StatusInfeasible {
		t.Fatalf("status %s, want infeasible", res.Status)
	}
	if !reflect.DeepEqual(res.Unscheduled, []string{"ca"}) {
		t.Fatalf("unscheduled %v, want [ca]", res.Unscheduled)
	}
	want := "a minimal conflicting set: meeting ab (a+b), meeting bc (b+c), meeting ca (c+a)"
	if !strings.Contains(res.Reason, want) {
		t.Errorf("reason %q does not say %q", res.Reason, want)
	}
}

func TestSolvePartialWhenSpreadUnreachable(t *testing.T) {
	// Every meeting fits, but not with max_break_spread 0: h must meet g0
	// and g1 around slot 2, where h is away, and everyone else has no
	// break. The relaxation without the spread has a schedule, so nothing
	// proves infeasibility: the result is partial, every rule obeyed.
	zero := 0
	req := &Request{Slots: 3, Tables: 10, MaxBreakSpread: &zero,
		Participants: []Participant{{ID: "h", Unavailable: []int{2}}},
		Meetings: []Meeting{
			{ID: "h0", Attendees: []string{"h", "g0"}},
			{ID: "h1", Attendees: []string{"h", "g1"}},
		}}
	for i := range 12 {
		req.Meetings = append(req.Meetings, Meeting{ID: fmt.Sprintf("f%d", i), Attendees: []string{fmt.Sprintf("x%d", i), fmt.Sprintf("y%d", i)}})
	}
	res := solveChecked(t, req, Options{TimeLimit: time.Second})
	if res.Status != StatusPartial || !reflect.DeepEqual(res.Unscheduled, []string{"h1"}) {
		t.Fatalf("got %s, unscheduled %v; want partial, [h1]", res.Status, res.Unscheduled)
	}
}

func TestSolvePriorityWhenTablesRunOut(t *testing.T) {
	// Six independent meetings, two slots, two tables: the first four in
	// the request are placed.
	req := &Request{Slots: 2, Tables: 2}
	for i := range 6 {
		req.Meetings = append(req.Meetings, Meeting{ID: fmt.Sprintf("m%d", i), Attendees: []string{fmt.Sprintf("x%d", i), fmt.Sprintf("y%d", i)}})
	}
	res := solveChecked(t, req, Options{})
	if res.Status != StatusInfeasible || !reflect.DeepEqual(res.Unscheduled, []string{"m4", "m5"}) {
		t.Fatalf("got %s, unscheduled %v; want infeasible, [m4 m5]", res.Status, res.Unscheduled)
	}
}

func TestSolveOptimalFromLowerBound(t *testing.T) {
	// h meets six guests, one per slot, but is away in slot 4 of 7: one
	// break is unavoidable (the lower bound), and the solver must find a
	// schedule with exactly one and say it is optimal. Twelve meetings
	// more keep it from the exhaustive search.
	req := &Request{Slots: 7, Tables: 4, MaxBreakSpread: new(int), Participants: []Participant{{ID: "h", Unavailable: []int{4}}}}
	*req.MaxBreakSpread = 1
	for i := range 6 {
		req.Meetings = append(req.Meetings, Meeting{ID: fmt.Sprintf("h%d", i), Attendees: []string{"h", fmt.Sprintf("g%d", i)}})
	}
	for i := range 6 {
		req.Meetings = append(req.Meetings,
			Meeting{ID: fmt.Sprintf("u%d", i), Attendees: []string{fmt.Sprintf("u%d", i), "v"}},
			Meeting{ID: fmt.Sprintf("w%d", i), Attendees: []string{fmt.Sprintf("w%d", i), "z"}})
	}
	res := solveChecked(t, req, Options{})
	if res.Status != StatusOptimal || res.Breaks.Total != 1 {
		t.Fatalf("got %s with %d breaks, want optimal with 1", res.Status, res.Breaks.Total)
	}
}

func TestSolveKeepsParticipantAtTable(t *testing.T) {
	// The host meets five guests back to back; tables to spare. The host
	// should stay at one table.
	req := &Request{Slots: 5, Tables: 3}
	for i := range 5 {
		req.Meetings = append(req.Meetings,
			Meeting{ID: fmt.Sprintf("h%d", i), Attendees: []string{"host", fmt.Sprintf("g%d", i)}},
			Meeting{ID: fmt.Sprintf("o%d", i), Attendees: []string{fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i)}})
	}
	res := solveChecked(t, req, Options{})
	tables := map[int]bool{}
	for _, p := range res.Meetings {
		if strings.HasPrefix(p.ID, "h") {
			tables[p.Table] = true
		}
	}
	if len(tables) != 1 || res.Breaks.Total != 0 {
		t.Fatalf("host used tables %v with %d breaks; want one table, no break", tables, res.Breaks.Total)
	}
}

func TestSolveDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	req := randomRequest(rng, 40, 12, true)
	opt := Options{Seed: 42, TimeLimit: time.Minute} // long enough not to cut the search
	a := solveChecked(t, req, opt)
	b := solveChecked(t, req, opt)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, different results:\n%+v\n%+v", a, b)
	}
	opt.Seed = 43
	solveChecked(t, req, opt)
}

func TestSolveStopsOnContext(t *testing.T) {
	req := largeEvent(400, 2000, 20, 1)
	ctx, cancel := context.WithCancel(t.Context())
	var notes int
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	start := time.Now()
	res := Solve(ctx, req, Options{Progress: func(string) { notes++ }})
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("Solve took %v after its context was cancelled", took)
	}
	if v := violations(req, res); len(v) > 0 {
		t.Fatalf("result breaks rules: %v", v[:min(len(v), 5)])
	}
	if res.Status == StatusOptimal || res.Status == StatusInfeasible {
		t.Fatalf("status %s claims a proof from a cut search", res.Status)
	}
}

func TestSolveEmptyAndInvalid(t *testing.T) {
	res := solveChecked(t, &Request{Slots: 3, Tables: 1}, Options{})
	if res.Status != StatusOptimal || len(res.Meetings) != 0 {
		t.Fatalf("empty request: %+v", res)
	}
	res = Solve(t.Context(), &Request{Slots: 0, Tables: 1, Meetings: []Meeting{{ID: "m", Attendees: []string{"a"}}}}, Options{})
	if res.Status != StatusUnknown || !strings.Contains(res.Reason, "slots") || !reflect.DeepEqual(res.Unscheduled, []string{"m"}) {
		t.Fatalf("invalid request: %+v", res)
	}
}

// largeEvent generates a B2B event: people participants with meetings
// between random pairs, each participant in about 2·meetings/people of them,
// slots split into two sessions, tables for about 115% of the load, a few
// participants away for two slots.
func largeEvent(people, meetings, slots int, seed uint64) *Request {
	rng := rand.New(rand.NewPCG(seed, 1))
	half := slots / 2
	req := &Request{
		Slots:    slots,
		Sessions: []Session{{"morning", 1, half}, {"afternoon", half + 1, slots}},
		Tables:   meetings*115/100/slots + 1,
	}
	for p := range people {
		if rng.IntN(20) == 0 {
			a := 1 + rng.IntN(slots)
			req.Participants = append(req.Participants, Participant{ID: fmt.Sprintf("c%d", p), Unavailable: []int{a, 1 + (a % slots)}})
		}
	}
	// Pair each participant with the ones k places further in a random
	// order, for distinct offsets k: every participant gets the same number
	// of meetings and no pair meets twice.
	perm := rng.Perm(people)
	perPerson := 2 * meetings / people
	offsets := map[int]bool{}
	for len(offsets) < perPerson/2 {
		if k := 1 + rng.IntN(people/2-1); !offsets[k] && !offsets[people-k] {
			offsets[k] = true
		}
	}
	var ks []int
	for k := range offsets {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	for _, k := range ks {
		for i := range people {
			m := Meeting{ID: fmt.Sprintf("m%d", len(req.Meetings)), Attendees: []string{fmt.Sprintf("c%d", perm[i]), fmt.Sprintf("c%d", perm[(i+k)%people])}}
			if rng.IntN(4) == 0 {
				m.Session = req.Sessions[rng.IntN(2)].Name
			}
			req.Meetings = append(req.Meetings, m)
		}
	}
	return req
}

// TestAfterCycleInfeasible: a cycle of `after` is an impossible request,
// proven infeasible with the cycle named; the meetings placed still obey
// every rule (including the precedences among them).
func TestAfterCycleInfeasible(t *testing.T) {
	req := &Request{Slots: 6, Tables: 2, Meetings: []Meeting{
		{ID: "m1", Attendees: []string{"a", "b"}, After: []string{"m3"}},
		{ID: "m2", Attendees: []string{"a", "c"}, After: []string{"m1"}},
		{ID: "m3", Attendees: []string{"b", "c"}, After: []string{"m2"}},
		{ID: "m4", Attendees: []string{"d", "e"}},
	}}
	if err := req.Validate(); err != nil {
		t.Fatalf("a cycle must be a valid request: %v", err)
	}
	res := Solve(t.Context(), req, Options{TimeLimit: 2 * time.Second})
	if res.Status != StatusInfeasible || !strings.Contains(res.Reason, "cycle") {
		t.Fatalf("status %s, reason %q", res.Status, res.Reason)
	}
	for _, id := range []string{"m1", "m2", "m3"} {
		if !strings.Contains(res.Reason, id) {
			t.Errorf("reason %q does not name %s", res.Reason, id)
		}
	}
	if v := violations(req, res); len(v) > 0 {
		t.Errorf("placed meetings break rules: %v", v)
	}
	if len(res.Meetings) < 3 {
		t.Errorf("only %d meetings placed; all but one of the cycle (and m4) fit", len(res.Meetings))
	}
}
