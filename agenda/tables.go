package agenda

import "slices"

// Table assignment. Tables are interchangeable for feasibility (with seats,
// within the counts of the seat levels, see seats.go), so they are given
// once the slots are fixed, and only to spare participants walking about: a participant changes table when two of their consecutive
// meetings are at different tables. Slots are taken in time order; in
// each, the meetings starting there are seated by an optimal assignment
// (matching) whose cost is the number of their attendees who last sat at
// another table. In a re-plan, a meeting kept at its start slot first
// keeps its previous table (see keep.go), which outweighs any number of
// table changes.

// assignTables gives every placed meeting a table, 1-based, distinct within
// each slot and kept for the meeting's duration.
//
// In a re-plan, the meetings at their kept start are first given their
// kept table where it is free for their whole duration (in order of
// priority); the others are then seated slot by slot among the tables
// still free. That can fail when meetings last several slots (free tables
// in every slot, none free throughout); the kept tables are then only
// preferred, slot by slot, which always succeeds without seats. With
// seats, a meeting of several slots may find no table that seats it free
// throughout (see seats.go); its table is then 0.
func (sv *solver) assignTables() []int32 {
	var pref []int32
	if k := sv.st.keep; k != nil {
		pref = make([]int32, len(sv.md.meets))
		for m, s := range sv.st.start {
			if s != 0 && s == k.start[m] {
				pref[m] = k.table[m]
			}
		}
		if table, ok := sv.seat(pref, true); ok {
			return table
		}
	}
	table, _ := sv.seat(pref, false)
	return table
}

// seat assigns the tables. pref, when not nil, is every meeting's
// preferred table (0: none). With reserve, each preferred table is taken
// first, where it is free, for its meeting; without, a preference weighs
// more than all the table changes of the meeting's slot. The meetings
// starting in a slot are then seated at once: the assignment minimises,
// given the tables of the slots before, the preferences missed, then the
// attendees who sat last at another table. With seats, a meeting sits
// only at a table that seats it, and the matching first seats as many
// meetings as it can. seat reports false when a meeting found no table
// free for its whole duration, which takes reserved tables or, with seats,
// a table too small (the meeting is then left at table 0).
func (sv *solver) seat(pref []int32, reserve bool) ([]int32, bool) {
	md, st := sv.md, sv.st
	width := int32(md.tables) + 1 // tables 1..width-1
	for _, t := range pref {
		width = max(width, t+1)
	}
	sized := md.seatOf != nil
	var fit []int64 // with seats: a bonus for each table, the larger the fewer its seats
	if sized {
		width = max(width, int32(len(md.seatOf)))
		sizes := slices.Clone(md.seatOf[1:])
		slices.Sort(sizes)
		sizes = slices.Compact(sizes)
		fit = make([]int64, width)
		for t := 1; t < len(md.seatOf); t++ {
			i, _ := slices.BinarySearch(sizes, md.seatOf[t])
			fit[t] = int64(len(sizes) - 1 - i)
		}
	}
	ok := true
	occ := make([]bool, md.stride*int(width)) // occ[cell(s, t)]: table t taken in slot s
	cell := func(s, t int32) int { return int(s)*int(width) + int(t) }
	table := make([]int32, len(md.meets))
	last := make([]int32, len(md.people)) // the table of each participant's latest meeting
	free := func(m, t int32) bool {
		s := st.start[m]
		for x := s; x < s+md.meets[m].dur; x++ {
			if occ[cell(x, t)] {
				return false
			}
		}
		return true
	}
	take := func(m, t int32) {
		table[m] = t
		s := st.start[m]
		for x := s; x < s+md.meets[m].dur; x++ {
			occ[cell(x, t)] = true
		}
	}
	starting := make([][]int32, md.stride) // the meetings starting in each slot
	for m, s := range st.start {
		if s == 0 {
			continue
		}
		starting[s] = append(starting[s], int32(m))
		if m := int32(m); reserve && pref[m] != 0 && md.seatsFor(m, pref[m]) && free(m, pref[m]) {
			take(m, pref[m])
		}
	}

	var (
		mt   matcher
		ms   []int32                // meetings to seat in the slot
		rows [][]arc                // their arcs
		cols []int32                // the tables of the columns
		col  = make([]int32, width) // column+1 of a table in the slot; 0: none
	)
	for s := int32(1); s <= int32(md.slots); s++ {
		ms = ms[:0]
		w := int64(1) // a preference outweighs every table change of the slot
		for _, m := range starting[s] {
			if table[m] == 0 {
				ms = append(ms, m)
				w += int64(len(md.meets[m].att))
			}
		}
		if cap(rows) < len(ms) {
			rows = append(rows[:cap(rows)], make([][]arc, len(ms)-cap(rows))...)
		}
		rows, cols = rows[:len(ms)], cols[:0]
		// With seats, every meeting has an arc to every free table that
		// seats it, weighing base plus its fit bonus: base outweighs all
		// the preferences and changes of the slot, scaled by scale to
		// outweigh the bonuses, so that the matching seats as many
		// meetings as can be (all of them when the slot's seat counts
		// hold and its meetings are of one slot, see seats.go), then
		// spares table changes, then puts meetings at the smallest
		// tables, which leaves the large ones to the meetings that need
		// them in later slots.
		scale, base := int64(1), int64(0)
		if sized {
			scale = int64(len(md.seatOf))
			base = scale * (w*int64(len(ms)+1) + 1)
		}
		for i, m := range ms {
			arcs := rows[i][:0]
			add := func(t int32, c int64) {
				for j := range arcs {
					if cols[arcs[j].col] == t {
						arcs[j].w += scale * c
						return
					}
				}
				if sized || !free(m, t) {
					return
				}
				if col[t] == 0 {
					cols = append(cols, t)
					col[t] = int32(len(cols))
				}
				arcs = append(arcs, arc{col: col[t] - 1, w: c})
			}
			if sized {
				for t := int32(1); t < int32(len(md.seatOf)); t++ {
					if md.seatsFor(m, t) && free(m, t) {
						if col[t] == 0 {
							cols = append(cols, t)
							col[t] = int32(len(cols))
						}
						arcs = append(arcs, arc{col: col[t] - 1, w: base + fit[t]})
					}
				}
			}
			for _, p := range md.meets[m].att {
				if t := last[p]; t != 0 {
					add(t, 1)
				}
			}
			if pref != nil && pref[m] != 0 {
				add(pref[m], w)
			}
			rows[i] = arcs
		}
		match := mt.solve(rows, len(cols))
		for i, m := range ms {
			if j := match[i]; j >= 0 {
				take(m, cols[j])
			}
		}
		for _, t := range cols {
			col[t] = 0
		}
		lo := int32(1) // tables below lo are taken in slot s
		for i, m := range ms {
			if match[i] >= 0 {
				continue
			}
			if sized { // no free table seats it: left unseated
				ok = false
				continue
			}
			for lo < width && occ[cell(s, lo)] {
				lo++
			}
			t := lo
			for t < width && !free(m, t) {
				t++
			}
			if t == width {
				return nil, false
			}
			take(m, t)
		}
		for _, m := range starting[s] {
			if table[m] == 0 {
				continue
			}
			for _, p := range md.meets[m].att {
				last[p] = table[m]
			}
		}
	}
	return table, ok
}

// arc is a row's weighted edge to a column.
type arc struct {
	col int32
	w   int64 // > 0
}

// matcher finds maximum-weight matchings of sparse bipartite graphs, its
// scratch reused from one call to the next.
//
// It is the Hungarian method as successive shortest paths: rows enter one
// at a time, each by a shortest augmenting path (Dijkstra, on costs made
// non-negative by node potentials) to the sink, which a path reaches from
// a free column or by leaving its last row unmatched. Dijkstra stops at
// the sink, so a row only explores the few nodes cheaper than that; the
// work follows the arcs near the row, not the size of the slot.
type matcher struct {
	pi      []int64 // potentials: rows, then columns, then the sink
	dist    []int64
	prev    []int32 // the node a node was reached from
	prevW   []int64 // the weight of the arc a column was reached by
	done    []bool  // finalized
	seen    []int32 // nodes given a distance in this round
	heap    []heapItem
	rowCol  []int32 // the column of each row, -1: none
	colRow  []int32 // the row of each column, -1: none
	colW    []int64 // the weight of each column's arc to its row
	inRound []bool  // reached in this round (dist is valid)
}

type heapItem struct {
	d int64
	v int32
}

// solve returns, for every row, the column it is matched to (or -1) in a
// matching of largest total weight: no two rows share a column, a row is
// matched only along one of its arcs.
func (mt *matcher) solve(rows [][]arc, nCols int) []int32 {
	nr := len(rows)
	n := nr + nCols + 1
	sink := int32(n - 1)
	mt.pi = resize(mt.pi, n)
	mt.dist = resize(mt.dist, n)
	mt.prev = resize(mt.prev, n)
	mt.prevW = resize(mt.prevW, n)
	mt.done = resize(mt.done, n)
	mt.inRound = resize(mt.inRound, n)
	mt.rowCol = resize(mt.rowCol, nr)
	mt.colRow = resize(mt.colRow, nCols)
	mt.colW = resize(mt.colW, nCols)
	clear(mt.pi)
	for i := range mt.rowCol {
		mt.rowCol[i] = -1
	}
	for j := range mt.colRow {
		mt.colRow[j] = -1
	}
	colNode := func(j int32) int32 { return int32(nr) + j }

	for i := range int32(nr) {
		if len(rows[i]) == 0 {
			continue // unmatched at no cost
		}
		// A potential that makes the new row's arcs non-negative.
		p := mt.pi[sink]
		for _, a := range rows[i] {
			p = max(p, mt.pi[colNode(a.col)]+a.w)
		}
		mt.pi[i] = p

		mt.seen, mt.heap = mt.seen[:0], mt.heap[:0]
		reach := func(v int32, d int64, from int32, w int64) {
			if mt.done[v] || mt.inRound[v] && d >= mt.dist[v] {
				return
			}
			if !mt.inRound[v] {
				mt.inRound[v] = true
				mt.seen = append(mt.seen, v)
			}
			mt.dist[v], mt.prev[v], mt.prevW[v] = d, from, w
			mt.push(heapItem{d, v})
		}
		reach(i, 0, -1, 0)
		for len(mt.heap) > 0 {
			it := mt.pop()
			v := it.v
			if mt.done[v] || it.d > mt.dist[v] {
				continue
			}
			mt.done[v] = true
			if v == sink {
				break
			}
			d := it.d
			if v < int32(nr) { // a row: along its arcs, or unmatched
				own := mt.rowCol[v]
				for _, a := range rows[v] {
					if a.col != own {
						c := colNode(a.col)
						reach(c, d-a.w+mt.pi[v]-mt.pi[c], v, a.w)
					}
				}
				reach(sink, d+mt.pi[v]-mt.pi[sink], v, 0)
				continue
			}
			j := v - int32(nr) // a column: to its row, or the sink when free
			if r := mt.colRow[j]; r >= 0 {
				reach(r, d+mt.colW[j]+mt.pi[v]-mt.pi[r], v, 0)
			} else {
				reach(sink, d+mt.pi[v]-mt.pi[sink], v, 0)
			}
		}

		// Potentials: finalized nodes by their distance less the sink's
		// (the others, unchanged, as if shifted by the sink's distance).
		top := mt.dist[sink]
		for _, v := range mt.seen {
			if mt.done[v] {
				mt.pi[v] += mt.dist[v] - top
			}
		}

		// Augment along the path back from the sink.
		v := mt.prev[sink]
		if v < int32(nr) { // the path ends with a row left unmatched
			mt.rowCol[v] = -1
			v = mt.prev[v]
		}
		for v >= 0 { // v is a column, taken by the row before it
			j, r := v-int32(nr), mt.prev[v]
			mt.rowCol[r], mt.colRow[j], mt.colW[j] = j, r, mt.prevW[v]
			v = mt.prev[r]
		}

		for _, v := range mt.seen {
			mt.done[v], mt.inRound[v] = false, false
		}
	}
	return mt.rowCol
}

// resize returns s with length n, reallocated when too short.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func (mt *matcher) push(it heapItem) {
	h := append(mt.heap, it)
	for k := len(h) - 1; k > 0; {
		p := (k - 1) / 2
		if !less(h[k], h[p]) {
			break
		}
		h[k], h[p] = h[p], h[k]
		k = p
	}
	mt.heap = h
}

func (mt *matcher) pop() heapItem {
	h := mt.heap
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for k := 0; ; {
		c := 2*k + 1
		if c >= n {
			break
		}
		if c+1 < n && less(h[c+1], h[c]) {
			c++
		}
		if !less(h[c], h[k]) {
			break
		}
		h[k], h[c] = h[c], h[k]
		k = c
	}
	mt.heap = h
	return top
}

// less orders the heap by distance, then node, so ties break the same way
// on every run.
func less(a, b heapItem) bool { return a.d < b.d || a.d == b.d && a.v < b.v }
