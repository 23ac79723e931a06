package agenda

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// smallEvent returns a random small request shaped like the generated
// events, where the break bound's parts bite: two sides of groups of one
// or two people, sessions, unavailable slots, meetings held to a session,
// few tables, sometimes max_break_spread, a pinned meeting or a meeting
// of two slots.
func smallEvent(rng *rand.Rand) *Request {
	slots := 4 + rng.IntN(3)
	half := slots / 2
	req := &Request{Slots: slots, Tables: 1 + rng.IntN(3)}
	if rng.IntN(3) > 0 {
		req.Sessions = []Session{{"am", 1, half}, {"pm", half + 1, slots}}
	}
	if rng.IntN(3) == 0 {
		d := rng.IntN(3)
		req.MaxBreakSpread = &d
	}
	unit := func(prefix string, i int) []string {
		if i%3 == 2 {
			return []string{fmt.Sprintf("%s%d.1", prefix, i), fmt.Sprintf("%s%d.2", prefix, i)}
		}
		return []string{fmt.Sprintf("%s%d.1", prefix, i)}
	}
	ne, nu := 2+rng.IntN(2), 2+rng.IntN(2)
	for i := range ne + nu {
		if rng.IntN(4) == 0 {
			req.Participants = append(req.Participants, Participant{ID: fmt.Sprintf("%c%d.1", "eu"[min(i/ne, 1)], i%ne), Unavailable: []int{1 + rng.IntN(slots)}})
		}
	}
	n := 4 + rng.IntN(3)
	seen := map[[2]int]bool{}
	for len(req.Meetings) < n {
		e, u := rng.IntN(ne), rng.IntN(nu)
		if seen[[2]int{e, u}] && rng.IntN(4) > 0 {
			continue
		}
		seen[[2]int{e, u}] = true
		m := Meeting{ID: fmt.Sprintf("m%d", len(req.Meetings)), Attendees: append(unit("e", e), unit("u", u)...)}
		switch r := rng.IntN(12); {
		case r < 2 && req.Sessions != nil:
			m.Session = req.Sessions[r].Name
		case r == 2:
			m.Slot = 1 + rng.IntN(slots)
		case r == 3 && req.Sessions == nil:
			m.Duration = 2
		}
		req.Meetings = append(req.Meetings, m)
	}
	return req
}

// TestBreakBoundSound checks breakBound against the exhaustive optimum
// (bruteForce, every rule including max_break_spread) on random small
// requests of two kinds: never above the optimum, and strictly above the
// earlier static bound (model.lb) on some.
func TestBreakBoundSound(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 23))
	checked, raised, tight := 0, 0, 0
	for i := range 1500 {
		var req *Request
		if i%2 == 0 {
			req = smallEvent(rng)
		} else {
			req = tightRequest(rng)
		}
		if req.Validate() != nil {
			continue
		}
		md := compile(req)
		if len(md.proofs) > 0 {
			if md.breakBound() != 0 {
				t.Fatalf("request %d: bound %d on a model proven infeasible", i, md.breakBound())
			}
			continue
		}
		feasible, best := bruteForce(req)
		if !feasible {
			continue
		}
		checked++
		bb := md.breakBound()
		if bb > best {
			t.Fatalf("request %d: break bound %d above the optimum %d\n%+v", i, bb, best, req)
		}
		if bb > md.lb {
			raised++
		}
		if bb == best {
			tight++
		}
	}
	if checked < 300 || raised == 0 {
		t.Fatalf("checked %d requests, bound above model.lb on %d: the generators miss the case", checked, raised)
	}
	t.Logf("checked %d feasible requests: bound above model.lb on %d, equal to the optimum on %d", checked, raised, tight)
}

// TestBreakBoundGenerated checks breakBound on generated events against
// the schedules Solve finds (any complete schedule's breaks bound it from
// above, proven optimal or not): never above them, deterministic, and
// above the earlier static bound where the events' sides crowd the slots.
func TestBreakBoundGenerated(t *testing.T) {
	specs := []eventSpec{
		{participants: 12, meetings: 16, slots: 7, slack: 1, spread: -1, seed: 5},
		{participants: 14, meetings: 20, slots: 8, slack: 1.1, spread: 1, seed: 6},
		{participants: 16, meetings: 30, slots: 8, slack: 1, spread: -1, seed: 7},
		generatedSizes[0],
		generatedSizes[1],
	}
	raised := 0
	for _, spec := range specs {
		t.Run(fmt.Sprint(spec.participants), func(t *testing.T) {
			req := generateEvent(spec)
			md := compile(req)
			bb := md.breakBound()
			if again := compile(req).breakBound(); again != bb {
				t.Fatalf("two runs give %d and %d", bb, again)
			}
			res := solveChecked(t, req, Options{Seed: 1, TimeLimit: time.Second})
			if len(res.Unscheduled) > 0 {
				t.Skipf("%s: %d meetings left out, no complete schedule to compare", res.Status, len(res.Unscheduled))
			}
			if bb > res.Breaks.Total {
				t.Fatalf("bound %d above the %d breaks of a schedule Solve found (%s)", bb, res.Breaks.Total, res.Status)
			}
			if bb > md.lb {
				raised++
			}
			t.Logf("%d meetings: model.lb %d, breakBound %d, Solve %s with %d breaks", len(req.Meetings), md.lb, bb, res.Status, res.Breaks.Total)
		})
	}
	if raised == 0 {
		t.Error("breakBound never above model.lb on the generated events")
	}
}

// BenchmarkBreakBound times breakBound on the generated events of
// BenchmarkGenerated and reports it next to the earlier static bound
// (model.lb); compare with BenchmarkGenerated's breaks.
func BenchmarkBreakBound(b *testing.B) {
	for _, spec := range generatedSizes {
		req := generateEvent(spec)
		md := compile(req)
		b.Run(fmt.Sprintf("p%d", spec.participants), func(b *testing.B) {
			bb := 0
			for b.Loop() {
				bb = md.breakBound()
			}
			b.ReportMetric(float64(len(req.Meetings)), "meetings")
			b.ReportMetric(float64(md.lb), "lb-static")
			b.ReportMetric(float64(bb), "lb-break")
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/bound")
		})
	}
}

// TestBreakBoundB2B checks breakBound on the real brokerage events: never
// above the published optimum.
func TestBreakBoundB2B(t *testing.T) {
	files, optimum := b2bInstances(t)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		req, err := ParseRequest(file, data)
		if err != nil {
			t.Fatal(err)
		}
		md := compile(req)
		bb := md.breakBound()
		if bb > optimum[name] {
			t.Fatalf("%s: bound %d above the published optimum %d", name, bb, optimum[name])
		}
		t.Logf("%s: model.lb %d, breakBound %d, optimum %d", name, md.lb, bb, optimum[name])
	}
}
