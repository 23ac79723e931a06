package agenda

import (
	"container/heap"
	"slices"
)

// construct places the meetings greedily, DSatur-like: the unplaced meeting
// with the fewest start slots that still fit goes first (ties: the one whose
// attendees have the most meetings, then the higher priority), at the slot
// that adds the fewest breaks. A meeting with no fitting slot left stays out.
//
// The counts of fitting slots only shrink as meetings are placed; those of a
// placed meeting's neighbours (shared attendees, precedences) are refreshed
// at once, the others (a slot running out of tables) when they are popped.
func (sv *solver) construct() {
	md, st := sv.md, sv.st
	load := make([]int, len(md.meets))
	for i := range md.meets {
		for _, p := range md.meets[i].att {
			for _, j := range md.byPer[p] {
				load[i] += int(md.meets[j].dur)
			}
		}
	}
	stuck := make([]bool, len(md.meets))
	q := &meetingQueue{}
	for _, m := range st.out {
		q.items = append(q.items, queued{m: m, fits: len(md.meets[m].dom), load: load[m]})
	}
	heap.Init(q)
	var starts []int32
	for pops := 0; q.Len() > 0; pops++ {
		if pops&255 == 0 && sv.halted() {
			return
		}
		it := heap.Pop(q).(queued)
		m := it.m
		if st.start[m] != 0 || stuck[m] {
			continue
		}
		starts = sv.fitting(m, starts[:0])
		if len(starts) < it.fits {
			it.fits = len(starts)
			heap.Push(q, it)
			continue
		}
		if len(starts) == 0 {
			stuck[m] = true
			continue
		}
		st.place(m, sv.bestStart(m, starts))
		refresh := func(j int32) {
			if st.start[j] == 0 && !stuck[j] && !md.dead[j] {
				heap.Push(q, queued{m: j, fits: len(sv.fitting(j, starts[:0])), load: load[j]})
			}
		}
		for _, p := range md.meets[m].att {
			for _, j := range md.byPer[p] {
				refresh(j)
			}
		}
		for _, j := range md.meets[m].pred {
			refresh(j)
		}
		for _, j := range md.meets[m].succ {
			refresh(j)
		}
	}
}

// fitting appends to buf the start slots where the unplaced meeting m fits.
func (sv *solver) fitting(m int32, buf []int32) []int32 {
	for _, s := range sv.md.meets[m].dom {
		if sv.st.fits(m, s) {
			buf = append(buf, s)
		}
	}
	return buf
}

// bestStart returns the start among starts (where m fits) that adds the
// fewest breaks; ties go to the slot next to more of the attendees' meetings,
// then to the earliest. In a re-plan, a kept meeting's kept start comes
// first.
func (sv *solver) bestStart(m int32, starts []int32) int32 {
	md, st := sv.md, sv.st
	if k := st.keep.startOf(m); k > 0 && slices.Contains(starts, k) {
		return k
	}
	mt := &md.meets[m]
	best, bestAdded, bestNext := int32(0), 0, -1
	for _, s := range starts {
		added := st.addedBreaks(m, s)
		next := 0
		for _, p := range mt.att {
			row := st.occ[int(p)*md.stride:]
			if row[s-1] != 0 || row[s+mt.dur] != 0 {
				next++
			}
		}
		if bestNext < 0 || added < bestAdded || (added == bestAdded && next > bestNext) {
			best, bestAdded, bestNext = s, added, next
		}
	}
	return best
}

// queued is a meeting waiting to be placed, with its count of fitting
// starts when queued.
type queued struct {
	m    int32
	fits int
	load int
}

// meetingQueue is a min-heap: fewest fitting starts, then most loaded
// attendees, then highest priority (lowest index).
type meetingQueue struct{ items []queued }

func (q *meetingQueue) Len() int { return len(q.items) }
func (q *meetingQueue) Less(i, j int) bool {
	a, b := q.items[i], q.items[j]
	if a.fits != b.fits {
		return a.fits < b.fits
	}
	if a.load != b.load {
		return a.load > b.load
	}
	return a.m < b.m
}
func (q *meetingQueue) Swap(i, j int) { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *meetingQueue) Push(x any)    { q.items = append(q.items, x.(queued)) }
func (q *meetingQueue) Pop() any {
	it := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return it
}
