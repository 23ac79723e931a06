package agenda

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// This file tests the table assignment against its own reading of the
// rules: table changes are counted from the result alone, the previous
// heuristic ("keep your previous table where free") is written again here
// to compare with, and the assignment of every slot is compared with the
// best one found by enumeration.

// tableChanges counts, over every participant of req, the consecutive
// meetings (by slot) of theirs that res seats at different tables.
func tableChanges(req *Request, res *Result) int {
	byID := map[string]Meeting{}
	for _, m := range req.Meetings {
		byID[m.ID] = m
	}
	seats := map[string][]Placement{}
	for _, p := range res.Meetings {
		for _, a := range byID[p.ID].Attendees {
			seats[a] = append(seats[a], p)
		}
	}
	n := 0
	for _, ps := range seats {
		slices.SortFunc(ps, func(a, b Placement) int { return cmp.Compare(a.Slot, b.Slot) })
		for i := 1; i < len(ps); i++ {
			if ps[i].Table != ps[i-1].Table {
				n++
			}
		}
	}
	return n
}

// greedyTables returns res with its tables given again by the heuristic
// Solve used before the matching: slot by slot, the meetings starting there
// (in request order) take the table an attendee of theirs sat at last,
// the first such free; the others then take the lowest free tables.
func greedyTables(req *Request, res *Result) *Result {
	index := map[string]int{}
	for i, m := range req.Meetings {
		index[m.ID] = i
	}
	ps := slices.Clone(res.Meetings)
	slices.SortFunc(ps, func(a, b Placement) int {
		return cmp.Or(cmp.Compare(a.Slot, b.Slot), cmp.Compare(index[a.ID], index[b.ID]))
	})
	until := map[int]int{} // the last slot each table is taken
	last := map[string]int{}
	take := func(i, t int) {
		m := req.Meetings[index[ps[i].ID]]
		ps[i].Table = t
		until[t] = ps[i].Slot + max(m.Duration, 1) - 1
		for _, a := range m.Attendees {
			last[a] = t
		}
	}
	for i := 0; i < len(ps); {
		s, j := ps[i].Slot, i
		for j < len(ps) && ps[j].Slot == s {
			j++
		}
		var rest []int
		for k := i; k < j; k++ {
			kept := false
			for _, a := range req.Meetings[index[ps[k].ID]].Attendees {
				if t := last[a]; t != 0 && until[t] < s {
					take(k, t)
					kept = true
					break
				}
			}
			if !kept {
				rest = append(rest, k)
			}
		}
		t := 1
		for _, k := range rest {
			for until[t] >= s {
				t++
			}
			take(k, t)
		}
		i = j
	}
	out := *res
	out.Meetings = ps
	return &out
}

// slotCost returns the table changes of the meetings of res starting in
// slot s, and the fewest any seating of them at the tables free in s (not
// taken by a meeting of res that started before) gives, found by trying
// every seating. Both count from the tables res gives the earlier slots.
func slotCost(req *Request, res *Result, s int) (got, best int) {
	byID := map[string]Meeting{}
	for _, m := range req.Meetings {
		byID[m.ID] = m
	}
	last := map[string]int{}
	busy := map[int]bool{}
	var starting []Placement
	for _, p := range res.Meetings { // sorted by slot
		m := byID[p.ID]
		switch {
		case p.Slot < s:
			for _, a := range m.Attendees {
				last[a] = p.Table
			}
			if p.Slot+max(m.Duration, 1)-1 >= s {
				busy[p.Table] = true
			}
		case p.Slot == s:
			starting = append(starting, p)
		}
	}
	cost := func(p Placement, t int) int {
		n := 0
		for _, a := range byID[p.ID].Attendees {
			if k := last[a]; k != 0 && k != t {
				n++
			}
		}
		return n
	}
	for _, p := range starting {
		got += cost(p, p.Table)
	}
	best = -1
	var try func(i, sum int)
	try = func(i, sum int) {
		if best >= 0 && sum >= best {
			return
		}
		if i == len(starting) {
			best = sum
			return
		}
		for t := 1; t <= req.Tables; t++ {
			if !busy[t] {
				busy[t] = true
				try(i+1, sum+cost(starting[i], t))
				busy[t] = false
			}
		}
	}
	try(0, 0)
	return got, best
}

// TestTablesBeatGreedy: in slot 1, ab sits at table 1 and cd at table 2;
// in slot 2, ad (listed first) and be meet. The greedy seats ad at a's
// table 1 and be, its table taken, at 2: d and b change table. Seating ad
// at d's table 2 and be at b's table 1 changes a's table only.
func TestTablesBeatGreedy(t *testing.T) {
	req := &Request{Slots: 2, Tables: 2, Meetings: []Meeting{
		{ID: "ab", Attendees: []string{"a", "b"}, Slot: 1},
		{ID: "cd", Attendees: []string{"c", "d"}, Slot: 1},
		{ID: "ad", Attendees: []string{"a", "d"}, Slot: 2},
		{ID: "be", Attendees: []string{"b", "e"}, Slot: 2},
	}}
	res := solveChecked(t, req, Options{Seed: 1})
	if len(res.Meetings) != 4 {
		t.Fatalf("status %s, placed %d of 4", res.Status, len(res.Meetings))
	}
	old := greedyTables(req, res)
	if v := violations(req, old); len(v) > 0 {
		t.Fatalf("greedy seating breaks rules: %v", v)
	}
	if got, was := tableChanges(req, res), tableChanges(req, old); got != 1 || was != 2 {
		t.Errorf("table changes %d, greedy %d; want 1 and 2\n%+v", got, was, res.Meetings)
	}
}

// TestTablesSlotOptimal solves small random requests and checks, slot by
// slot, that no seating of the meetings starting there changes fewer
// tables than Solve's, given the earlier slots; and that over all of
// them the matching does no worse than the greedy.
func TestTablesSlotOptimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 3))
	total, greedy, slots := 0, 0, 0
	for i := range 60 {
		req := randomRequest(rng, 6+rng.IntN(14), 6, true)
		req.Tables = min(req.Tables, 5) // keeps the enumeration small
		res := solveChecked(t, req, Options{Seed: int64(i), TimeLimit: 50 * time.Millisecond})
		for s := 1; s <= req.Slots; s++ {
			got, best := slotCost(req, res, s)
			if got != best {
				t.Errorf("request %d, slot %d: %d table changes, %d possible\n%+v", i, s, got, best, res.Meetings)
			}
			slots++
		}
		old := greedyTables(req, res)
		if v := violations(req, old); len(v) > 0 {
			t.Fatalf("request %d: greedy seating breaks rules: %v", i, v)
		}
		total += tableChanges(req, res)
		greedy += tableChanges(req, old)
	}
	if total > greedy {
		t.Errorf("%d table changes in all, the greedy %d", total, greedy)
	}
	t.Logf("%d slots checked; %d table changes, greedy %d", slots, total, greedy)
}

// TestTablesKeepPreferred re-plans the case of TestTablesBeatGreedy with
// the greedy's seating as the previous result: a meeting kept at its slot
// keeps its table, though another one spares a table change.
func TestTablesKeepPreferred(t *testing.T) {
	req := &Request{Slots: 2, Tables: 2, Meetings: []Meeting{
		{ID: "ab", Attendees: []string{"a", "b"}, Slot: 1},
		{ID: "cd", Attendees: []string{"c", "d"}, Slot: 1},
		{ID: "ad", Attendees: []string{"a", "d"}, Slot: 2},
		{ID: "be", Attendees: []string{"b", "e"}, Slot: 2},
	}}
	prev := &Result{Meetings: []Placement{
		{ID: "ab", Slot: 1, Table: 1}, {ID: "cd", Slot: 1, Table: 2},
		{ID: "ad", Slot: 2, Table: 1}, {ID: "be", Slot: 2, Table: 2},
	}}
	res := solveChecked(t, req, Options{Seed: 1, Keep: prev})
	if res.Moved != 0 || res.TableChanged != 0 || tableChanges(req, res) != 2 {
		t.Errorf("moved %d, table changed %d, table changes %d; want 0, 0 and 2\n%+v",
			res.Moved, res.TableChanged, tableChanges(req, res), res.Meetings)
	}
	// A new meeting, ce in slot 3, is seated for its attendees: at e's
	// table 2 (c's too).
	req.Slots = 3
	req.Meetings = append(req.Meetings, Meeting{ID: "ce", Attendees: []string{"c", "e"}, Slot: 3})
	res = solveChecked(t, req, Options{Seed: 1, Keep: prev})
	if i := slices.IndexFunc(res.Meetings, func(p Placement) bool { return p.ID == "ce" }); i < 0 || res.Meetings[i].Table != 2 || res.TableChanged != 0 {
		t.Errorf("table changed %d, want 0 and ce at table 2\n%+v", res.TableChanged, res.Meetings)
	}
}

// TestTablesKeepFallback re-plans with a new two-slot meeting that no
// table can hold while both kept tables are reserved: the kept tables are
// then only preferred: ab, seated first, keeps table 2, and cd changes
// table (one must).
func TestTablesKeepFallback(t *testing.T) {
	req := &Request{Slots: 2, Tables: 2, Meetings: []Meeting{
		{ID: "ab", Attendees: []string{"a", "b"}, Slot: 1},
		{ID: "cd", Attendees: []string{"c", "d"}, Slot: 2},
		{ID: "ef", Attendees: []string{"e", "f"}, Slot: 1, Duration: 2},
	}}
	prev := &Result{Meetings: []Placement{{ID: "ab", Slot: 1, Table: 2}, {ID: "cd", Slot: 2, Table: 1}}}
	res := solveChecked(t, req, Options{Seed: 1, Keep: prev})
	ab := slices.IndexFunc(res.Meetings, func(p Placement) bool { return p.ID == "ab" })
	if len(res.Meetings) != 3 || res.Moved != 0 || res.TableChanged != 1 || res.Meetings[ab].Table != 2 {
		t.Errorf("placed %d, moved %d, table changed %d; want 3, 0 and 1, ab at table 2\n%+v", len(res.Meetings), res.Moved, res.TableChanged, res.Meetings)
	}
}

// TestMatcher compares the matching with every matching of small random
// sparse graphs.
func TestMatcher(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	var mt matcher // reused, as assignTables does
	for i := range 2000 {
		nr, nc := 1+rng.IntN(6), rng.IntN(7)
		rows := make([][]arc, nr)
		for r := range rows {
			for c := range nc {
				if rng.IntN(3) == 0 {
					rows[r] = append(rows[r], arc{col: int32(c), w: 1 + rng.Int64N(4)})
				}
			}
		}
		match := slices.Clone(mt.solve(rows, nc))
		got, used := int64(0), map[int32]bool{}
		for r, c := range match {
			if c < 0 {
				continue
			}
			k := slices.IndexFunc(rows[r], func(a arc) bool { return a.col == c })
			if k < 0 || used[c] {
				t.Fatalf("graph %d: row %d matched to column %d, not an arc or taken: %v", i, r, c, match)
			}
			used[c] = true
			got += rows[r][k].w
		}
		var best func(r int, taken uint) int64
		best = func(r int, taken uint) int64 {
			if r == nr {
				return 0
			}
			b := best(r+1, taken)
			for _, a := range rows[r] {
				if taken&(1<<a.col) == 0 {
					b = max(b, a.w+best(r+1, taken|1<<a.col))
				}
			}
			return b
		}
		if want := best(0, 0); got != want {
			t.Fatalf("graph %d: weight %d, best %d\n%v\n%v", i, got, want, rows, match)
		}
	}
}

// BenchmarkTables seats the schedules Solve finds for the b2b instances and
// generated events (a second each), and reports the table changes of the
// matching and of the greedy on the same slots, and the time of the
// seating alone.
func BenchmarkTables(b *testing.B) {
	type instance struct {
		name string
		req  *Request
	}
	var list []instance
	if files, _ := b2bInstances(b); len(files) > 0 {
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), ".json")
			list = append(list, instance{name, loadB2B(b, name)})
		}
	}
	for _, spec := range generatedSizes[:3] {
		list = append(list, instance{fmt.Sprintf("generated-%d", spec.participants), generateEvent(spec)})
	}
	for _, in := range list {
		b.Run(in.name, func(b *testing.B) {
			res := Solve(b.Context(), in.req, Options{Seed: 1, TimeLimit: time.Second})
			if v := violations(in.req, res); len(v) > 0 {
				b.Fatalf("result breaks rules: %v", v[0])
			}
			md := compile(in.req)
			sv := newSolver(b.Context(), md, Options{})
			starts := make([]int32, len(md.meets))
			index := map[string]int{}
			for i, m := range in.req.Meetings {
				index[m.ID] = i
			}
			for _, p := range res.Meetings {
				starts[index[p.ID]] = int32(p.Slot)
			}
			sv.placeAll(starts)
			for b.Loop() {
				sv.assignTables()
			}
			b.ReportMetric(float64(tableChanges(in.req, res)), "changes")
			b.ReportMetric(float64(tableChanges(in.req, greedyTables(in.req, res))), "greedy-changes")
			b.ReportMetric(float64(len(res.Meetings)), "meetings")
		})
	}
}
