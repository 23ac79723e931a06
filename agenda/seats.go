package agenda

import (
	"math"
	"slices"
	"strings"
)

// Seats. With Request.TableSeats, a meeting sits only at a table with a
// seat for each of its attendees. Whether the meetings of one slot can be
// seated is Hall's condition, and as the tables that seat a meeting are
// the tables of at least some number of seats, the sets are nested and the
// condition comes down to one count per seat level: for every level L
// (the seats some meeting needs at least, above the smallest table), the
// meetings needing L seats or more are no more than the tables of L seats
// or more. Levels are the distinct needs of the request's meetings, each
// meeting's need being the smallest table that seats it; a level between
// two needs adds nothing (the same meetings as the need above it, as many
// tables or more). A meeting of level j counts against levels 1..j, and
// every meeting against level 0, the `tables` limit.
//
// The counts are exact for meetings of one slot: a slot whose counts hold
// seats its meetings (tables.go finds the seating). A meeting of several
// slots keeps its table throughout, which the counts of each slot alone
// do not capture; for such meetings they are a relaxation (every schedule
// obeys them, so lower bounds and proofs stay valid), and a meeting the
// table assignment then cannot seat is left out of the result (see
// solver.result).

// levels compiles the seats of the tables into seat levels and marks the
// meetings no table seats. seats is Request.TableSeats (nil: any number).
func (md *model) levels(seats []int) {
	md.lvCap = []int32{int32(md.tables)}
	md.lvSeats = []int32{0}
	if len(seats) == 0 || !slices.ContainsFunc(seats, func(n int) bool { return n > 0 }) {
		return
	}
	md.seatOf = make([]int32, len(seats)+1)
	sizes := make([]int32, 0, len(seats))
	for i, n := range seats {
		md.seatOf[i+1] = math.MaxInt32
		if n > 0 {
			md.seatOf[i+1] = int32(min(n, math.MaxInt32))
		}
		sizes = append(sizes, md.seatOf[i+1])
	}
	slices.Sort(sizes)
	// need returns the smallest table that seats k people, or 0 if none.
	need := func(k int) int32 {
		i, _ := slices.BinarySearch(sizes, int32(min(k, math.MaxInt32)))
		if i == len(sizes) {
			return 0
		}
		return sizes[i]
	}
	var needs []int32
	for i := range md.meets {
		m := &md.meets[i]
		switch n := need(len(m.att)); {
		case n == 0:
			m.big = true
		case n > sizes[0]:
			needs = append(needs, n)
		}
	}
	slices.Sort(needs)
	needs = slices.Compact(needs)
	for _, n := range needs {
		i, _ := slices.BinarySearch(sizes, n)
		md.lvSeats = append(md.lvSeats, n)
		md.lvCap = append(md.lvCap, int32(min(len(sizes)-i, md.tables)))
	}
	md.nLv = len(needs)
	for i := range md.meets {
		m := &md.meets[i]
		if n := need(len(m.att)); !m.big && n > sizes[0] {
			j, _ := slices.BinarySearch(needs, n)
			m.lv = int32(j + 1)
		}
	}
}

// lvAt returns the index of the count of meetings of level j or more
// running in slot t, in a slice of nLv·stride counts (j ≥ 1).
func (md *model) lvAt(j, t int32) int { return int(j-1)*md.stride + int(t) }

// proveSeats adds the simple proofs that the seats forbid every schedule:
// at some level, more meetings pinned to a slot than tables that seat
// them, or more meeting-slots than those tables give in the day.
func (md *model) proveSeats(req *Request, static [][]int32, add func(string, ...any)) {
	for j := int32(1); j <= int32(md.nLv); j++ {
		pinned := make([][]string, md.stride)
		need := 0
		for i, rm := range req.Meetings {
			m := &md.meets[i]
			if m.lv < j || len(static[i]) == 0 {
				continue
			}
			need += int(m.dur)
			if rm.Slot == 0 {
				continue
			}
			for t := rm.Slot; t < rm.Slot+int(m.dur); t++ {
				pinned[t] = append(pinned[t], m.id)
			}
		}
		for t, ids := range pinned {
			if len(ids) > int(md.lvCap[j]) {
				add("meetings %s need tables of at least %d seats and are pinned to slot %d, which has %d such tables",
					strings.Join(ids, ", "), md.lvSeats[j], t, md.lvCap[j])
			}
		}
		if have := int(md.lvCap[j]) * md.slots; need > have {
			add("the meetings needing tables of at least %d seats need %d meeting-slots, %d such tables × %d slots give %d",
				md.lvSeats[j], need, md.lvCap[j], md.slots, have)
			md.counted = true
		}
	}
}

// seatsFor reports whether table t (1-based) seats meeting m.
func (md *model) seatsFor(m, t int32) bool {
	return md.seatOf == nil || int(md.seatOf[t]) >= len(md.meets[m].att)
}
