package agenda

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// keepLimit bounds every solve of these tests; the searches end on their
// own well before it, so results are deterministic.
const keepLimit = time.Minute

// copyRequest returns a deep copy of req.
func copyRequest(t testing.TB, req *Request) *Request {
	t.Helper()
	data, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var c Request
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// cancelled returns req without meeting id (nor any `after` naming it).
func cancelled(t testing.TB, req *Request, id string) *Request {
	t.Helper()
	c := copyRequest(t, req)
	c.Meetings = slices.DeleteFunc(c.Meetings, func(m Meeting) bool { return m.ID == id })
	for i := range c.Meetings {
		c.Meetings[i].After = slices.DeleteFunc(c.Meetings[i].After, func(b string) bool { return b == id })
	}
	return c
}

// placementValid reports whether placing ps (every other meeting of req
// unscheduled) breaks no rule of req, max_break_spread included, judged by
// the independent validator.
func placementValid(req *Request, ps []Placement) bool {
	placed := map[string]bool{}
	for _, p := range ps {
		placed[p.ID] = true
	}
	res := &Result{Status: StatusUnknown, Meetings: ps, Unscheduled: []string{}}
	for _, m := range req.Meetings {
		if !placed[m.ID] {
			res.Unscheduled = append(res.Unscheduled, m.ID)
		}
	}
	return len(violations(req, res)) == 0
}

// without returns ps without the placement of id.
func without(ps []Placement, id string) []Placement {
	return slices.DeleteFunc(slices.Clone(ps), func(p Placement) bool { return p.ID == id })
}

// replan solves req as a re-plan of prev, checks the result with the
// independent validator and checks Moved and TableChanged against a count
// made here.
func replan(t testing.TB, req *Request, prev *Result, seed int64) *Result {
	t.Helper()
	return replanWithin(t, req, prev, seed, keepLimit)
}

// replanWithin is replan with a time limit.
func replanWithin(t testing.TB, req *Request, prev *Result, seed int64, limit time.Duration) *Result {
	t.Helper()
	res := Solve(t.Context(), req, Options{Seed: seed, TimeLimit: limit, Keep: prev})
	if v := violations(req, res); len(v) > 0 {
		t.Fatalf("re-plan breaks rules:\n%s", strings.Join(v, "\n"))
	}
	inReq := map[string]bool{}
	for _, m := range req.Meetings {
		inReq[m.ID] = true
	}
	now := map[string]Placement{}
	for _, p := range res.Meetings {
		now[p.ID] = p
	}
	moved, tables := 0, 0
	for _, p := range prev.Meetings {
		q, ok := now[p.ID]
		switch {
		case !inReq[p.ID]:
		case !ok || q.Slot != p.Slot:
			moved++
		case q.Table != p.Table:
			tables++
		}
	}
	if res.Moved != moved || res.TableChanged != tables {
		t.Fatalf("reports moved %d, table changed %d; counted %d and %d", res.Moved, res.TableChanged, moved, tables)
	}
	return res
}

// cancelOne cancels the first meeting of prev (in the order of perm) whose
// removal leaves prev's other placements valid, so that a re-plan can move
// none. It returns the new request and the id, or "" when there is none.
func cancelOne(t testing.TB, req *Request, prev *Result, perm []int) (*Request, string) {
	for _, i := range perm {
		id := prev.Meetings[i%len(prev.Meetings)].ID
		c := cancelled(t, req, id)
		if placementValid(c, without(prev.Meetings, id)) {
			return c, id
		}
	}
	return nil, ""
}

// addOne adds a meeting "new" (last, so lowest priority) between two
// participants of req who are both free in a slot with a table left in
// prev; one where prev and the new meeting obey every rule is preferred.
// It returns nil when no pair has a common free slot.
func addOne(t testing.TB, req *Request, prev *Result, rng *rand.Rand) *Request {
	dur := map[string]int{}
	var people []string
	for _, m := range req.Meetings {
		dur[m.ID] = max(m.Duration, 1)
		for _, p := range m.Attendees {
			if !slices.Contains(people, p) {
				people = append(people, p)
			}
		}
	}
	busy := map[[2]any]bool{}
	load := map[int]int{}
	seated := map[[2]int]bool{} // (slot, table)
	attendees := map[string][]string{}
	for _, m := range req.Meetings {
		attendees[m.ID] = m.Attendees
	}
	for _, p := range prev.Meetings {
		for s := p.Slot; s < p.Slot+dur[p.ID]; s++ {
			load[s]++
			seated[[2]int{s, p.Table}] = true
			for _, a := range attendees[p.ID] {
				busy[[2]any{a, s}] = true
			}
		}
	}
	for _, p := range req.Participants {
		for _, s := range p.Unavailable {
			for _, q := range people {
				if q == p.ID {
					busy[[2]any{q, s}] = true
				}
			}
		}
	}
	var fallback *Request
	for range 200 {
		a, b := people[rng.IntN(len(people))], people[rng.IntN(len(people))]
		if a == b {
			continue
		}
		for s := 1; s <= req.Slots; s++ {
			if busy[[2]any{a, s}] || busy[[2]any{b, s}] || load[s] >= req.Tables {
				continue
			}
			c := copyRequest(t, req)
			c.Meetings = append(c.Meetings, Meeting{ID: "new", Attendees: []string{a, b}})
			table := 1
			for seated[[2]int{s, table}] {
				table++
			}
			if placementValid(c, append(slices.Clone(prev.Meetings), Placement{ID: "new", Slot: s, Table: table})) {
				return c
			}
			if fallback == nil {
				fallback = c
			}
		}
	}
	return fallback
}

// unavailableOne makes an attendee of a placed meeting of prev unavailable
// in its start slot, and returns the new request and that meeting's id.
func unavailableOne(t testing.TB, req *Request, prev *Result, rng *rand.Rand) (*Request, string) {
	c := copyRequest(t, req)
	p := prev.Meetings[rng.IntN(len(prev.Meetings))]
	i := slices.IndexFunc(c.Meetings, func(m Meeting) bool { return m.ID == p.ID })
	who := c.Meetings[i].Attendees[rng.IntN(len(c.Meetings[i].Attendees))]
	j := slices.IndexFunc(c.Participants, func(q Participant) bool { return q.ID == who })
	if j < 0 {
		c.Participants = append(c.Participants, Participant{ID: who})
		j = len(c.Participants) - 1
	}
	c.Participants[j].Unavailable = append(c.Participants[j].Unavailable, p.Slot)
	return c, p.ID
}

// TestKeepRandom re-plans random instances after a cancellation, an
// addition and a newly unavailable participant, and checks each result
// with the independent validator, its counts of moves against its
// placements, and the moves against what is possible: none after a
// cancellation, few after an addition.
func TestKeepRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	tried := 0
	var cancelMoves, addMoves, unavMoves []int
	for i := 0; i < 40 && tried < 12; i++ {
		req := randomRequest(rng, 15+rng.IntN(30), 12, true)
		prev := solveChecked(t, req, Options{Seed: 1, TimeLimit: keepLimit})
		if len(prev.Unscheduled) > 0 {
			continue
		}
		tried++
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if c, id := cancelOne(t, req, prev, rng.Perm(len(prev.Meetings))); c != nil {
				res := replan(t, c, prev, 2)
				if res.Moved != 0 || res.TableChanged != 0 || len(res.Unscheduled) != 0 || res.Status != StatusOptimal {
					t.Errorf("cancel %s: moved %d, table changed %d, unscheduled %v, status %s; want none and optimal (nothing else to place)",
						id, res.Moved, res.TableChanged, res.Unscheduled, res.Status)
				}
				if res.Breaks.Total > prev.Breaks.Total+2 {
					t.Errorf("cancel %s: breaks %d, %d before", id, res.Breaks.Total, prev.Breaks.Total)
				}
				cancelMoves = append(cancelMoves, res.Moved)
			}
			if c := addOne(t, req, prev, rng); c != nil {
				res := replan(t, c, prev, 2)
				if res.Moved > 2 || len(res.Unscheduled) != 0 {
					t.Errorf("add a meeting: moved %d, unscheduled %v; want at most 2 and none", res.Moved, res.Unscheduled)
				}
				addMoves = append(addMoves, res.Moved)
			}
			c, id := unavailableOne(t, req, prev, rng)
			res := replan(t, c, prev, 2)
			i := slices.IndexFunc(res.Meetings, func(p Placement) bool { return p.ID == id })
			j := slices.IndexFunc(prev.Meetings, func(p Placement) bool { return p.ID == id })
			if i >= 0 && res.Meetings[i].Slot == prev.Meetings[j].Slot {
				t.Errorf("%s kept at slot %d where an attendee is now unavailable", id, prev.Meetings[j].Slot)
			}
			if res.Moved < 1 {
				t.Errorf("unavailable in %s's slot: moved %d, want at least 1", id, res.Moved)
			}
			unavMoves = append(unavMoves, res.Moved)
		})
	}
	if tried < 6 {
		t.Fatalf("only %d complete random instances", tried)
	}
	t.Logf("moved after a cancellation %v, an addition %v, an unavailability %v", cancelMoves, addMoves, unavMoves)
}

// chainRequest is a constructed case: a meets b, c, d in slots 1, 2, 3; b
// meets e in slot 4, c meets d in slot 1. When a becomes unavailable in
// slot 1, a's three meetings need slots 2, 3 and 4, so a's meeting with b
// takes the place of another of a's meetings (which moves to 4) or goes
// to 4, where b meets e, who must then move: two moves at least, and two
// suffice. extra adds independent pairs of
// meetings, to take the instance past the exhaustive search.
func chainRequest(extra int) (*Request, *Result) {
	req := &Request{Slots: 4, Tables: 3, Meetings: []Meeting{
		{ID: "ab", Attendees: []string{"a", "b"}},
		{ID: "ac", Attendees: []string{"a", "c"}},
		{ID: "ad", Attendees: []string{"a", "d"}},
		{ID: "be", Attendees: []string{"b", "e"}},
		{ID: "cd", Attendees: []string{"c", "d"}},
		{ID: "ef", Attendees: []string{"e", "f"}},
	}}
	prev := &Result{Status: StatusFeasible, Meetings: []Placement{
		{ID: "ab", Slot: 1, Table: 1}, {ID: "ac", Slot: 2, Table: 1}, {ID: "ad", Slot: 3, Table: 1},
		{ID: "be", Slot: 4, Table: 1}, {ID: "cd", Slot: 1, Table: 2}, {ID: "ef", Slot: 3, Table: 2},
	}}
	for i := range extra {
		x, y := fmt.Sprintf("x%d", i), fmt.Sprintf("y%d", i)
		req.Tables++
		for s := 1; s <= 4; s++ {
			id := fmt.Sprintf("%s%s-%d", x, y, s)
			req.Meetings = append(req.Meetings, Meeting{ID: id, Attendees: []string{x, y}})
			prev.Meetings = append(prev.Meetings, Placement{ID: id, Slot: s, Table: 3 + i})
		}
	}
	return req, prev
}

// TestKeepUnavailableConstructed re-plans the constructed chain case, small
// enough for the exhaustive search (which proves the two moves optimal) and
// with pairs added so that the annealing does the work.
func TestKeepUnavailableConstructed(t *testing.T) {
	for _, extra := range []int{0, 3} {
		t.Run(fmt.Sprintf("extra%d", extra), func(t *testing.T) {
			req, prev := chainRequest(extra)
			if !placementValid(req, prev.Meetings) {
				t.Fatal("constructed previous placement is invalid")
			}
			req.Participants = []Participant{{ID: "a", Unavailable: []int{1}}}
			res := replan(t, req, prev, 7)
			if res.Status != StatusOptimal && res.Status != StatusFeasible {
				t.Fatalf("status %s: %s", res.Status, res.Reason)
			}
			at := map[string]int{}
			for _, p := range res.Meetings {
				at[p.ID] = p.Slot
			}
			if at["ab"] == 1 {
				t.Error("ab kept at slot 1, where a is now unavailable")
			}
			if res.Moved < 2 || res.Moved > 3 {
				t.Errorf("moved %d, want 2 (at most 3)", res.Moved)
			}
			if extra == 0 && (res.Status != StatusOptimal || res.Moved != 2) {
				t.Errorf("exhaustive search: status %s, moved %d; want optimal with 2", res.Status, res.Moved)
			}
			if res.TableChanged != 0 {
				t.Errorf("%d meetings kept at their slot changed table", res.TableChanged)
			}
		})
	}
}

// pairsRequest has pairs x_i, y_i meeting four times in five slots,
// placed in slots 1 to 4 by the previous result.
func pairsRequest(pairs int) (*Request, *Result) {
	req := &Request{Slots: 5, Tables: pairs}
	prev := &Result{Status: StatusOptimal}
	for i := range pairs {
		for s := 1; s <= 4; s++ {
			id := fmt.Sprintf("x%dy%d-%d", i, i, s)
			req.Meetings = append(req.Meetings, Meeting{ID: id, Attendees: []string{fmt.Sprintf("x%d", i), fmt.Sprintf("y%d", i)}})
			prev.Meetings = append(prev.Meetings, Placement{ID: id, Slot: s, Table: 1 + i})
		}
	}
	return req, prev
}

// TestKeepStatus checks when a re-plan claims "optimal": when the moves
// are those that every schedule makes and the breaks are at the lower
// bound, and not when the moves are not proven fewest.
func TestKeepStatus(t *testing.T) {
	req, prev := pairsRequest(3) // past the exhaustive search
	res := replan(t, req, prev, 1)
	if res.Moved != 0 || res.TableChanged != 0 || res.Status != StatusOptimal || res.Breaks.Total != 0 {
		t.Errorf("unchanged request: moved %d, table changed %d, status %s, breaks %d; want 0, 0, optimal, 0",
			res.Moved, res.TableChanged, res.Status, res.Breaks.Total)
	}

	// x0 unavailable in slot 2: its meeting there must move, x0 and y0
	// must have a break each.
	req.Participants = []Participant{{ID: "x0", Unavailable: []int{2}}}
	res = replan(t, req, prev, 1)
	if res.Moved != 1 || res.Status != StatusOptimal || res.Breaks.Total != 2 {
		t.Errorf("x0 unavailable in slot 2: moved %d, status %s, breaks %d; want 1, optimal, 2", res.Moved, res.Status, res.Breaks.Total)
	}

	// the chain case: one move forced, two needed; not provable without
	// the exhaustive search.
	req, prev = chainRequest(3)
	req.Participants = []Participant{{ID: "a", Unavailable: []int{1}}}
	res = replan(t, req, prev, 1)
	if res.Status == StatusOptimal {
		t.Errorf("moved %d, of which 1 forced, breaks %d: claims optimal without proof", res.Moved, res.Breaks.Total)
	}
}

// TestKeepIgnoresUnknownAndStale checks that Keep's meetings not in the
// request are ignored (cancellations), that a kept slot past the day counts
// as a move, and that a Keep matching no meeting solves as without one.
func TestKeepIgnoresUnknownAndStale(t *testing.T) {
	req, prev := chainRequest(0)
	prev.Meetings = append(prev.Meetings, Placement{ID: "gone", Slot: 2, Table: 3})
	prev.Meetings[1].Slot = 9 // ac, past the 4 slots
	res := replan(t, req, prev, 3)
	if res.Moved != 1 {
		t.Errorf("moved %d, want 1 (ac's slot no longer exists)", res.Moved)
	}

	other := &Result{Meetings: []Placement{{ID: "zz", Slot: 1, Table: 1}}}
	a := replan(t, req, other, 3)
	b := Solve(t.Context(), req, Options{Seed: 3, TimeLimit: keepLimit})
	a.Moved, a.TableChanged = 0, 0
	if !reflect.DeepEqual(a, b) {
		t.Errorf("Keep of unknown meetings changed the result:\n%+v\n%+v", a, b)
	}
}

// TestKeepDeterministic re-plans the same request twice with the same seed.
func TestKeepDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	req := randomRequest(rng, 40, 12, true)
	prev := solveChecked(t, req, Options{Seed: 1, TimeLimit: keepLimit})
	c, _ := unavailableOne(t, req, prev, rng)
	c = cancelled(t, c, req.Meetings[3].ID)
	c.Meetings = append(c.Meetings, Meeting{ID: "new", Attendees: []string{req.Meetings[0].Attendees[0], req.Meetings[1].Attendees[0]}})
	if err := c.Validate(); err != nil {
		t.Skipf("derived request invalid: %v", err)
	}
	a, b := replan(t, c, prev, 9), replan(t, c, prev, 9)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, different re-plans:\n%+v\n%+v", a, b)
	}
}

// loadB2B reads one b2b instance, skipping the test when it is missing.
func loadB2B(t testing.TB, name string) *Request {
	t.Helper()
	path := filepath.Join(shared, "bench", "b2b", name+".json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("no b2b instance: %v", err)
	}
	req, err := ParseRequest(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// b2bReplans re-plans prev, a complete result of req, after a
// cancellation, an addition and an unavailability, and returns the three
// results (cancel or add nil when no meeting or pair qualifies), each
// within limit.
func b2bReplans(t testing.TB, req *Request, prev *Result, seed int64, limit time.Duration) (cancel, add, unav *Result) {
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	if c, _ := cancelOne(t, req, prev, rng.Perm(len(prev.Meetings))); c != nil {
		cancel = replanWithin(t, c, prev, seed, limit)
	}
	if c := addOne(t, req, prev, rng); c != nil {
		add = replanWithin(t, c, prev, seed, limit)
	}
	c, _ := unavailableOne(t, req, prev, rng)
	unav = replanWithin(t, c, prev, seed, limit)
	return cancel, add, unav
}

// TestKeepB2B re-plans the smallest real b2b instance.
func TestKeepB2B(t *testing.T) {
	req := loadB2B(t, "tic-12.original")
	prev := Solve(t.Context(), req, Options{Seed: 1, TimeLimit: 20 * time.Second})
	if len(prev.Unscheduled) > 0 {
		t.Fatalf("first solve: status %s", prev.Status)
	}
	start := time.Now()
	cancel, add, unav := b2bReplans(t, req, prev, 1, 3*time.Second) // the limit matters under -race only
	if cancel == nil || add == nil {
		t.Fatal("no cancellable meeting or no pair with a common free slot")
	}
	if cancel.Moved != 0 || cancel.TableChanged != 0 || len(cancel.Unscheduled) > 0 || cancel.Status != StatusOptimal {
		t.Errorf("cancellation: moved %d, table changed %d, unscheduled %v, status %s; want none and optimal",
			cancel.Moved, cancel.TableChanged, cancel.Unscheduled, cancel.Status)
	}
	if add.Moved > 2 || len(add.Unscheduled) > 0 {
		t.Errorf("addition: moved %d, unscheduled %v; want at most 2 and none", add.Moved, add.Unscheduled)
	}
	if unav.Moved < 1 {
		t.Errorf("unavailability: moved %d, want at least 1", unav.Moved)
	}
	t.Logf("tic-12: breaks %d; moved after a cancellation %d (breaks %d), an addition %d (breaks %d, unscheduled %d), an unavailability %d (breaks %d, unscheduled %d); %v",
		prev.Breaks.Total, cancel.Moved, cancel.Breaks.Total, add.Moved, add.Breaks.Total, len(add.Unscheduled),
		unav.Moved, unav.Breaks.Total, len(unav.Unscheduled), time.Since(start).Round(time.Millisecond))
}

// BenchmarkKeepB2B re-plans every b2b instance after a cancellation, an
// addition and an unavailability, and reports the meetings moved by each,
// the meetings the addition and the unavailability leave out, and the
// seconds of the three re-plans.
func BenchmarkKeepB2B(b *testing.B) {
	files, _ := b2bInstances(b)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		req := loadB2B(b, name)
		b.Run(name, func(b *testing.B) {
			var cancel, add, unav *Result
			var took time.Duration
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				prev := Solve(b.Context(), req, Options{Seed: int64(i), TimeLimit: 10 * time.Second})
				if len(prev.Unscheduled) > 0 {
					b.Fatalf("first solve: status %s", prev.Status)
				}
				b.StartTimer()
				start := time.Now()
				cancel, add, unav = b2bReplans(b, req, prev, int64(i), keepLimit)
				took += time.Since(start)
			}
			if cancel != nil {
				b.ReportMetric(float64(cancel.Moved), "moved-cancel")
			}
			if add != nil {
				b.ReportMetric(float64(add.Moved), "moved-add")
				b.ReportMetric(float64(len(add.Unscheduled)), "out-add")
			}
			b.ReportMetric(float64(unav.Moved), "moved-unavail")
			b.ReportMetric(float64(len(unav.Unscheduled)), "out-unavail")
			b.ReportMetric(took.Seconds()/float64(b.N), "s/3replans")
		})
	}
}
