package agenda

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/config"
)

func TestParseRequestTableSeats(t *testing.T) {
	base := `{"slots": 2, "tables": 2, %s "meetings": [{"id": "m1", "attendees": ["a", "b", "c"]}]}`
	req, err := ParseRequest("r.json", fmt.Appendf(nil, base, `"table_seats": [2, 0],`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(req.TableSeats, []int{2, 0}) {
		t.Fatalf("table_seats %v", req.TableSeats)
	}
	for _, tc := range []struct{ seats, want string }{
		{`"table_seats": [2],`, "lists 1 tables for 2 tables"},
		{`"table_seats": [2, -1],`, "table 2: seats -1 is negative"},
		{`"table_seats": "big",`, "want a list of integers"},
	} {
		_, err := ParseRequest("r.json", fmt.Appendf(nil, base, tc.seats))
		var fe *fairmatch.Error
		if !errors.As(err, &fe) || fe.Code != fairmatch.EINVALID || len(fe.Issues) != 1 ||
			fe.Issues[0].Field != "table_seats" || !strings.Contains(fe.Issues[0].Reason, tc.want) {
			t.Errorf("%s: %v", tc.seats, err)
		}
	}
}

func TestSolveMeetingLargerThanEveryTable(t *testing.T) {
	req := &Request{Slots: 3, Tables: 2, TableSeats: []int{3, 2}, Meetings: []Meeting{
		{ID: "big", Attendees: []string{"a", "b", "c", "d"}},
		{ID: "m2", Attendees: []string{"a", "e"}},
	}}
	res := Solve(t.Context(), req, Options{TimeLimit: time.Second})
	if res.Status != StatusInfeasible || !strings.Contains(res.Reason, "meeting big has 4 attendees; the largest table seats 3") {
		t.Fatalf("status %s, reason %q", res.Status, res.Reason)
	}
	if len(res.Meetings) != 1 || res.Meetings[0].ID != "m2" || !slices.Equal(res.Unscheduled, []string{"big"}) {
		t.Fatalf("placed %v, unscheduled %v", res.Meetings, res.Unscheduled)
	}
	if v := violations(req, res); len(v) > 0 {
		t.Fatal(v)
	}
}

func TestSolvePinnedOverfillSeatLevel(t *testing.T) {
	req := &Request{Slots: 3, Tables: 3, TableSeats: []int{2, 2, 5}, Meetings: []Meeting{
		{ID: "g1", Attendees: []string{"a", "b", "c"}, Slot: 2},
		{ID: "g2", Attendees: []string{"d", "e", "f"}, Slot: 2},
		{ID: "s1", Attendees: []string{"x", "y"}, Slot: 2},
	}}
	res := Solve(t.Context(), req, Options{TimeLimit: time.Second})
	if res.Status != StatusInfeasible || !strings.Contains(res.Reason, "meetings g1, g2 need tables of at least 5 seats and are pinned to slot 2, which has 1 such tables") {
		t.Fatalf("status %s, reason %q", res.Status, res.Reason)
	}
	if v := violations(req, res); len(v) > 0 {
		t.Fatal(v)
	}
}

// randomSeated returns a random request of n one-slot meetings of 2 to 4
// attendees at tables of random seats.
func randomSeated(rng *rand.Rand, n int) *Request {
	req := &Request{Slots: 2 + rng.IntN(3), Tables: 2 + rng.IntN(2)}
	for range req.Tables {
		req.TableSeats = append(req.TableSeats, []int{2, 3, 4, 0}[rng.IntN(4)])
	}
	people := 4 + rng.IntN(5)
	for i := range n {
		m := Meeting{ID: fmt.Sprintf("m%d", i)}
		for _, p := range rng.Perm(people)[:2+rng.IntN(3)] {
			m.Attendees = append(m.Attendees, fmt.Sprintf("p%d", p))
		}
		req.Meetings = append(req.Meetings, m)
	}
	return req
}

// TestSeatsAgainstBruteForce solves random small requests with seats, by
// Solve (the exhaustive search) and by the SAT-based exact search alone,
// and checks both against a brute force that honours seats. It asserts
// that seats change the optimum or the feasibility of some of them.
func TestSeatsAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	changed, proven := 0, 0
	for i := range 200 {
		req := randomSeated(rng, 3+rng.IntN(5))
		if req.Validate() != nil {
			t.Fatalf("instance %d: %v", i, req.Validate())
		}
		feasible, best := bruteForce(req)
		free := *req
		free.TableSeats = nil
		ff, fb := bruteForce(&free)
		if ff != feasible || fb != best {
			changed++
		}
		res := Solve(t.Context(), req, Options{Seed: int64(i), TimeLimit: 2 * time.Second})
		if v := violations(req, res); len(v) > 0 {
			t.Fatalf("instance %d: %v\n%+v", i, v, req)
		}
		switch {
		case feasible && (res.Status != StatusOptimal || res.Breaks.Total != best):
			t.Fatalf("instance %d: %s with %d breaks, brute force finds %d\n%+v", i, res.Status, res.Breaks.Total, best, req)
		case !feasible && res.Status != StatusInfeasible:
			t.Fatalf("instance %d: %s, brute force finds no schedule\n%+v", i, res.Status, req)
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
		if sv.optimal() && sv.bestCost.out == 0 {
			proven++
			if !feasible || sv.bestCost.soft != best {
				t.Fatalf("instance %d: exact search proves %d breaks, brute force finds feasible=%v best %d\n%+v", i, sv.bestCost.soft, feasible, best, req)
			}
		}
		all := make([]int, len(req.Meetings))
		for k := range all {
			all[k] = k
		}
		if got := refute(req, all, func() bool { return false }); got == satFalse && feasible || got == satTrue && !feasible {
			t.Fatalf("instance %d: the encoding says %v, brute force feasible=%v\n%+v", i, got, feasible, req)
		}
	}
	if changed == 0 || proven == 0 {
		t.Fatalf("seats changed %d instances, exact search proved %d: the generator misses a case", changed, proven)
	}
	t.Logf("seats changed the optimum or feasibility of %d of 200; exact search proved %d", changed, proven)
}

// TestSolveRandomSeatsNeverBreaksRules solves larger random requests with
// seats, durations and precedences (the annealing, Kempe and insert moves
// and the table assignment's fallback) and checks every result.
func TestSolveRandomSeatsNeverBreaksRules(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 17))
	for i := range 30 {
		req := randomRequest(rng, 15+rng.IntN(30), 12, i%2 == 0)
		for j := range req.Meetings {
			if rng.IntN(4) == 0 {
				req.Meetings[j].Attendees = append(req.Meetings[j].Attendees, fmt.Sprintf("x%d", j))
			}
		}
		req.TableSeats = make([]int, req.Tables)
		for k := range req.TableSeats {
			req.TableSeats[k] = []int{2, 2, 3, 4, 0}[rng.IntN(5)]
		}
		if req.Validate() != nil {
			continue
		}
		res := Solve(t.Context(), req, Options{Seed: int64(i), TimeLimit: 300 * time.Millisecond})
		if v := violations(req, res); len(v) > 0 {
			t.Fatalf("instance %d: %v", i, v[:min(5, len(v))])
		}
	}
}

// TestStateSeatCounts makes annealing steps (relocations, Kempe swaps,
// insertions) on random requests with seats and checks the state's
// counts per seat level against a recount, and that every slot's meetings
// can be seated.
func TestStateSeatCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	levels := 0
	for i := range 40 {
		req := randomRequest(rng, 10+rng.IntN(25), 10, i%2 == 0)
		for j := range req.Meetings {
			if rng.IntN(3) == 0 {
				req.Meetings[j].Attendees = append(req.Meetings[j].Attendees, fmt.Sprintf("x%d", j))
			}
		}
		req.TableSeats = make([]int, req.Tables)
		for k := range req.TableSeats {
			req.TableSeats[k] = []int{2, 3, 4, 0}[rng.IntN(4)]
		}
		if req.Validate() != nil {
			continue
		}
		md := compile(req)
		levels += md.nLv
		sv := newSolver(t.Context(), md, Options{Seed: int64(i), TimeLimit: time.Second})
		sv.construct()
		sv.accept()
		for step := range 500 {
			sv.step(0.5)
			st := sv.st
			for s := 1; s <= md.slots; s++ {
				var sizes []int
				for m, at := range st.start {
					if at != 0 && at <= int32(s) && int32(s) < at+md.meets[m].dur {
						sizes = append(sizes, len(md.meets[m].att))
					}
				}
				for j := int32(1); j <= int32(md.nLv); j++ {
					n := int32(0)
					for m, at := range st.start {
						if at != 0 && at <= int32(s) && int32(s) < at+md.meets[m].dur && md.meets[m].lv >= j {
							n++
						}
					}
					if got := st.cntLv[md.lvAt(j, int32(s))]; got != n {
						t.Fatalf("request %d step %d slot %d level %d: state counts %d, recount %d", i, step, s, j, got, n)
					}
				}
				if !seatable(sizes, req.TableSeats) {
					t.Fatalf("request %d step %d slot %d: meetings of %v attendees cannot sit at tables %v", i, step, s, sizes, req.TableSeats)
				}
			}
		}
	}
	if levels == 0 {
		t.Fatal("no request had a seat level")
	}
}

func TestBuildFairWithRooms(t *testing.T) {
	c, err := config.Parse("plan.yaml", []byte(`
fairs: {cron: "0 9 15 3 *"}
stages: {call_opens: -30d, call_closes: -20d, match: -15d, agenda: -10d, publish: -7d}
day:
  sessions: [{name: morning, from: "09:00", to: "10:00"}]
  slot: 20m
  buffer: 10m
  tables: 2
  seats: 2
  rooms: [{name: "Room 301", seats: 4}]
`))
	if err != nil {
		t.Fatal(err)
	}
	in := smallFair()
	in.Day = c.FairDay()
	// Two slots; three delegations of three need the one room: one of
	// them cannot be placed, and the pairs fill the small tables.
	in.Proposals = []fairmatch.Proposal{
		proposal("E1", "U1", 0.9, "pe1", "pe1b", "pu1"),
		proposal("E2", "U2", 0.8, "pe2", "pe2b", "pu2"),
		proposal("E3", "U3", 0.7, "pe3", "pe3b", "pu3"),
		proposal("E4", "U4", 0.6, "pe4", "pu4"),
		proposal("E5", "U5", 0.5, "pe5", "pu5"),
		proposal("E6", "U6", 0.4, "pe6", "pu6", "pu6b", "pu6c", "pu6d"),
	}
	ag, res, err := BuildFair(t.Context(), in, Options{TimeLimit: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rooms := 0
	for _, m := range ag.Meetings {
		if len(m.Attendees) > 2 {
			if m.Table != "Room 301" {
				t.Errorf("%s (%d attendees) at %s", m.ID, len(m.Attendees), m.Table)
			}
			rooms++
		}
	}
	reasons := map[string]string{}
	for _, u := range ag.Unscheduled {
		reasons[u.Enterprise] = u.Reason
	}
	if rooms != 2 || len(ag.Meetings) != 4 || reasons["E3"] != ReasonNoTable || reasons["E6"] != ReasonNoSeats {
		t.Fatalf("%d in the room, %d placed, reasons %v (status %s: %s)", rooms, len(ag.Meetings), reasons, res.Status, res.Reason)
	}
	in.Day.Seats["T9"] = 3
	if _, _, err := BuildFair(t.Context(), in, Options{TimeLimit: time.Second}); fairmatch.ErrorCode(err) != fairmatch.EINVALID || !strings.Contains(err.Error(), "seats.T9") {
		t.Fatalf("seats of an unknown table: %v", err)
	}
}
