package agenda

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// tightRequest returns a random request whose slots are crowded: few
// tables, participants with many meetings, so that the count bound bites.
func tightRequest(rng *rand.Rand) *Request {
	req := &Request{Slots: 3 + rng.IntN(3), Tables: 1 + rng.IntN(3)}
	people := 3 + rng.IntN(4)
	if rng.IntN(4) == 0 {
		req.Participants = []Participant{{ID: fmt.Sprintf("p%d", rng.IntN(people)), Unavailable: []int{1 + rng.IntN(req.Slots)}}}
	}
	if rng.IntN(4) == 0 && req.Slots >= 4 {
		req.Sessions = []Session{{Name: "am", First: 1, Last: 2}, {Name: "pm", First: 3, Last: req.Slots}}
	}
	n := min(req.Tables*req.Slots-rng.IntN(2), 4+rng.IntN(4))
	for i := range n {
		m := Meeting{ID: fmt.Sprintf("m%d", i)}
		k := 2
		if rng.IntN(6) == 0 {
			k = 3
		}
		for _, p := range rng.Perm(people)[:k] {
			m.Attendees = append(m.Attendees, fmt.Sprintf("p%d", p))
		}
		if rng.IntN(8) == 0 {
			m.Duration = 2
		}
		req.Meetings = append(req.Meetings, m)
	}
	return req
}

// TestCountBoundSound checks the count bound against a brute force on
// random crowded requests: it never exceeds the fewest breaks of a
// complete schedule (max_break_spread aside, which it ignores), and it
// does raise the lower bound on some of them.
func TestCountBoundSound(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	checked, raised := 0, 0
	for i := range 600 {
		req := tightRequest(rng)
		if req.Validate() != nil {
			continue
		}
		md := compile(req)
		if len(md.proofs) > 0 {
			continue
		}
		feasible, best := bruteForce(req)
		if !feasible {
			continue
		}
		checked++
		cb := md.countBound()
		if cb > best {
			t.Fatalf("instance %d: count bound %d above the optimum %d\n%+v", i, cb, best, req)
		}
		if md.lb > best {
			t.Fatalf("instance %d: lower bound %d above the optimum %d\n%+v", i, md.lb, best, req)
		}
		if cb > md.lowerBound() {
			raised++
		}
	}
	if checked < 100 || raised == 0 {
		t.Fatalf("checked %d requests, count bound above the run bound on %d: the generator misses the case", checked, raised)
	}
	t.Logf("checked %d requests, count bound above the run bound on %d", checked, raised)
}

// TestCountBoundB2B checks the count bound on the real instances: never
// above the published optimum, and equal to it where slots are crowded
// enough to force breaks, so that Solve proves those optimal as soon as
// it finds a schedule at the optimum.
func TestCountBoundB2B(t *testing.T) {
	files, optimum := b2bInstances(t)
	forced := 0
	for _, file := range files {
		name := strings.TrimSuffix(file[strings.LastIndex(file, "/")+1:], ".json")
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		req, err := ParseRequest(file, data)
		if err != nil {
			t.Fatal(err)
		}
		md := compile(req)
		cb := md.countBound()
		if cb > optimum[name] {
			t.Fatalf("%s: count bound %d above the published optimum %d", name, cb, optimum[name])
		}
		if cb <= md.lowerBound() {
			continue
		}
		forced++
		if cb != optimum[name] {
			continue
		}
		res := Solve(t.Context(), req, Options{Seed: 1, TimeLimit: 5 * time.Second})
		if res.Status != StatusOptimal || res.Breaks.Total != cb {
			t.Errorf("%s: %s with %d breaks, want optimal with %d", name, res.Status, res.Breaks.Total, cb)
		}
	}
	if forced == 0 {
		t.Fatal("no instance where the count bound is above the run bound")
	}
}

// TestSatSolverAgreesWithEnumeration checks the CDCL solver on random
// small formulas of clauses and guarded cardinality constraints, under
// random assumptions, against enumerating every assignment: the same
// answer, a model that satisfies every constraint, and, on a refutation,
// assumptions that alone are refuted too.
func TestSatSolverAgreesWithEnumeration(t *testing.T) {
	type cardC struct {
		lits  []lit
		k     int
		guard lit
	}
	rng := rand.New(rand.NewPCG(7, 9))
	randLit := func(n int) lit {
		l := posLit(int32(rng.IntN(n)))
		if rng.IntN(2) == 0 {
			l = l.neg()
		}
		return l
	}
	holds := func(l lit, a uint32) bool { return (a>>l.varOf())&1 == uint32(1^(l&1)) }
	sat, unsat := 0, 0
	for i := range 800 {
		n := 3 + rng.IntN(10)
		var clauses [][]lit
		var cards []cardC
		for range rng.IntN(2 * n) {
			c := make([]lit, 1+rng.IntN(3))
			for j := range c {
				c[j] = randLit(n)
			}
			clauses = append(clauses, c)
		}
		for range 1 + rng.IntN(4) {
			var ls []lit
			for _, v := range rng.Perm(n)[:2+rng.IntN(n-1)] {
				l := posLit(int32(v))
				if rng.IntN(3) == 0 {
					l = l.neg()
				}
				ls = append(ls, l)
			}
			g := lit(-1)
			if rng.IntN(2) == 0 {
				g = randLit(n)
			}
			cards = append(cards, cardC{ls, rng.IntN(len(ls)), g})
		}
		var assume []lit
		for range rng.IntN(3) {
			assume = append(assume, randLit(n))
		}
		ok := func(a uint32, assume []lit) bool {
			for _, l := range assume {
				if !holds(l, a) {
					return false
				}
			}
			for _, c := range clauses {
				if !slices.ContainsFunc(c, func(l lit) bool { return holds(l, a) }) {
					return false
				}
			}
			for _, c := range cards {
				if c.guard >= 0 && !holds(c.guard, a) {
					continue
				}
				cnt := 0
				for _, l := range c.lits {
					if holds(l, a) {
						cnt++
					}
				}
				if cnt > c.k {
					return false
				}
			}
			return true
		}
		exists := func(assume []lit) bool {
			for a := uint32(0); a < 1<<n; a++ {
				if ok(a, assume) {
					return true
				}
			}
			return false
		}
		s := newSatSolver()
		for range n {
			s.newVar()
		}
		for _, c := range clauses {
			s.addClause(c...)
		}
		for _, c := range cards {
			s.addAtMost(c.lits, c.k, c.guard)
		}
		st := s.solve(assume, 0)
		want := exists(assume)
		switch {
		case st == satTrue && want:
			sat++
			var a uint32
			for v := range n {
				if s.modelValue(int32(v)) {
					a |= 1 << v
				}
			}
			if !ok(a, assume) {
				t.Fatalf("formula %d: the model %b breaks a constraint", i, a)
			}
		case st == satFalse && !want:
			unsat++
			if exists(s.failed) {
				t.Fatalf("formula %d: the assumptions %v said to be refuted are satisfiable", i, s.failed)
			}
		default:
			t.Fatalf("formula %d: solver says %d, enumeration says satisfiable=%v", i, st, want)
		}
	}
	if sat == 0 || unsat == 0 {
		t.Fatalf("%d satisfiable, %d unsatisfiable: the generator misses a case", sat, unsat)
	}
}
