package agenda

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultTimeLimit is the time Solve takes at most when Options.TimeLimit is 0.
const DefaultTimeLimit = 30 * time.Second

// Options tune Solve.
type Options struct {
	TimeLimit time.Duration    // at most this long; 0: DefaultTimeLimit
	Seed      int64            // seed of the search's random choices
	Progress  func(msg string) // if not nil, told how the search goes, a few times a second at most

	// Keep, when not nil, is a previous result to re-plan: Solve then
	// moves as few of its meetings as it can (see Solve).
	Keep *Result
}

// Solve places the request's meetings (formats.md §4). It never returns a
// placement that breaks a rule: every placed meeting is in slots it may
// use, nobody is in two meetings at once, no slot has more meetings than
// tables, precedences hold, and max_break_spread holds.
//
// The status is "optimal" only when proven, "infeasible" only when proven
// (Reason says how; the result still carries the largest placement found),
// "feasible" for a complete placement, "partial" for an incomplete one (as
// many meetings as possible, earlier ones first, the others in Unscheduled)
// and "unknown" when nothing could be placed. An invalid request gives
// "unknown" with the problems in Reason; use ParseRequest or
// Request.Validate to get them as an error.
//
// With opt.Keep, Solve re-plans: it places as many meetings as it can
// (earlier ones first), then moves as few of the meetings placed in
// opt.Keep as it can, then has the fewest breaks. A meeting of opt.Keep
// moves when the result places it at another start slot or leaves it
// unscheduled; Result.Moved counts these and Result.TableChanged those
// only seated at another table. Meetings of opt.Keep not in the request
// are cancellations and count for nothing; the request's other meetings
// are new and may go anywhere. "optimal" then also means that no schedule
// moves fewer meetings.
//
// Solve stops when ctx is done or opt.TimeLimit has passed and returns the
// best found so far. With max_break_spread, making the placement in hand
// obey it may take up to a second more (then the best valid placement seen
// is returned), and building the result takes time linear in its size. It is deterministic for a given request and seed
// unless stopped that way.
func Solve(ctx context.Context, req *Request, opt Options) *Result {
	if err := req.Validate(); err != nil {
		res := &Result{Status: StatusUnknown, Meetings: []Placement{}, Unscheduled: []string{}, Reason: err.Error()}
		for _, m := range req.Meetings {
			res.Unscheduled = append(res.Unscheduled, m.ID)
		}
		return res
	}
	md := compile(req)
	md.lb = max(md.lb, md.breakBound()) // per-participant and side-capacity bound (bound.go)
	sv := newSolver(ctx, md, opt)
	st := sv.st
	sv.setKeep(req, opt.Keep)

	if len(md.proofs) == 0 && len(md.meets) <= exhaustiveMax {
		switch finished, found := sv.exhaustive(); {
		case finished && found:
			sv.proven = true
			sv.restore()
		case finished:
			md.proofs = append(md.proofs, "an exhaustive search found no schedule that places every meeting under these rules")
		default:
			clear(sv.best)
		}
	}
	explained := false
	if !sv.proven {
		sv.seedKept()
		sv.construct()
		sv.accept()
		sv.track()
		explained = sv.explainLocal(req)
		if sv.settled() {
			sv.proven = true
		} else {
			sv.improve()
		}
	}
	if st.nOut > 0 && !sv.stop && !explained {
		if why := sv.explain(req); why != "" {
			md.proofs = append(md.proofs, why)
		}
	}
	res := sv.result()
	if opt.Keep != nil {
		res.Moved, res.TableChanged = moves(req, opt.Keep, res)
	}
	return res
}

// restore makes the state hold the placement in sv.best.
func (sv *solver) restore() { sv.placeAll(sv.best) }

// placeAll makes the state hold the placement starts (start slots, 0:
// unplaced), which must obey every rule but max_break_spread.
func (sv *solver) placeAll(starts []int32) {
	st := sv.st
	for m, s := range st.start {
		if s != 0 {
			st.unplace(int32(m))
		}
	}
	for m, s := range starts {
		if s != 0 {
			st.place(int32(m), s)
		}
	}
	st.commit()
}

// result describes the current state.
func (sv *solver) result() *Result {
	md, st := sv.md, sv.st
	res := &Result{Meetings: []Placement{}, Unscheduled: []string{}}
	tables, unseated := sv.seatAll()
	for m := range md.meets {
		if s := st.start[m]; s != 0 {
			res.Meetings = append(res.Meetings, Placement{ID: md.meets[m].id, Slot: int(s), Table: int(tables[m])})
		} else {
			res.Unscheduled = append(res.Unscheduled, md.meets[m].id)
		}
	}
	slices.SortFunc(res.Meetings, func(a, b Placement) int {
		return cmp.Or(cmp.Compare(a.Slot, b.Slot), cmp.Compare(a.Table, b.Table))
	})
	lo, hi := st.minMax()
	res.Breaks = Breaks{Total: st.total, Max: hi, Min: lo}
	switch {
	case len(md.proofs) > 0:
		res.Status = StatusInfeasible
		res.Reason = strings.Join(md.proofs, "; ")
	case st.nOut == 0 && (sv.proven || st.total <= md.lb && st.moved <= st.keep.mustMove()):
		res.Status = StatusOptimal
	case st.nOut == 0:
		res.Status = StatusFeasible
	case st.nOut < len(md.meets):
		res.Status = StatusPartial
		res.Reason = sv.partialReason(res.Unscheduled, unseated)
	default:
		res.Status = StatusUnknown
		res.Reason = "no meeting could be placed"
		if sv.stop {
			res.Reason += " before the search was stopped"
		}
	}
	return res
}

// Rounds of seatAll at most.
const seatRounds = 4

// seatAll assigns the tables (assignTables) and leaves out every meeting
// of several slots that no table seating it was free for throughout
// (possible only with seats). Should that break max_break_spread, the
// placement is repaired and seated again, a few rounds at most. It
// returns the tables and the ids of the meetings left out for want of one.
func (sv *solver) seatAll() ([]int32, []string) {
	md, st := sv.md, sv.st
	var left []bool
	for round := 0; ; round++ {
		tables := sv.assignTables()
		for m, s := range st.start {
			if s != 0 && tables[m] == 0 {
				if left == nil {
					left = make([]bool, len(md.meets))
				}
				st.unplace(int32(m))
				left[m] = true
			}
		}
		st.commit()
		if left == nil || st.spreadExcess() == 0 || round+1 == seatRounds || !sv.repair() {
			var ids []string
			for m, l := range left {
				if l && st.start[m] == 0 {
					ids = append(ids, md.meets[m].id)
				}
			}
			return tables, ids
		}
	}
}

// partialReason says why the meetings out (ids) were left out of a
// partial result, unseated (a subset) for want of a table seating them.
func (sv *solver) partialReason(out, unseated []string) string {
	var b strings.Builder
	if rest := slices.DeleteFunc(slices.Clone(out), func(id string) bool { return slices.Contains(unseated, id) }); len(rest) > 0 {
		b.WriteString("no schedule was found that also places meetings ")
		b.WriteString(listIDs(rest))
		if sv.stop {
			b.WriteString(" before the search was stopped")
		}
		if sv.md.spread >= 0 {
			fmt.Fprintf(&b, " (under these rules and max_break_spread %d)", sv.md.spread)
		}
		b.WriteString(", nor a proof that none exists")
	}
	if len(unseated) > 0 {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString("no table that seats them was free for the whole of meetings ")
		b.WriteString(listIDs(unseated))
	}
	return b.String()
}

// listIDs joins ids, the first listedMeetings of them, saying how many
// more there are.
func listIDs(ids []string) string {
	if len(ids) <= listedMeetings {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:listedMeetings], ", "), len(ids)-listedMeetings)
}
