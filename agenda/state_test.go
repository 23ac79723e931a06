package agenda

import (
	"math/rand/v2"
	"testing"
)

// TestStateIncremental makes random moves and rollbacks on random requests
// and checks what the state keeps up to date against a recount from the
// placement: breaks, idle slots inside each participant's day, the sets
// of participants with a break and with more breaks than max_break_spread.
func TestStateIncremental(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 8))
	for i := range 60 {
		req := randomRequest(rng, 5+rng.IntN(25), 12, i%2 == 0)
		if req.Validate() != nil {
			continue
		}
		md := compile(req)
		if md.spread < 0 {
			md.spread = i % 3 // the heavy set is kept for a spread only
		}
		st := newState(md)
		for step := range 400 {
			m := int32(rng.IntN(len(md.meets)))
			if st.start[m] != 0 {
				st.moveTo(m, 0)
			} else if dom := md.meets[m].dom; len(dom) > 0 {
				if s := dom[rng.IntN(len(dom))]; st.fits(m, s) {
					st.moveTo(m, s)
				}
			}
			if rng.IntN(3) == 0 {
				st.rollback()
			} else {
				st.commit()
			}
			total, idles, broken, heavy := 0, 0, 0, 0
			for p := range md.people {
				row := st.occ[p*md.stride:][:md.stride]
				blocks, first, last, busy := 0, 0, 0, 0
				for s := 1; s <= md.slots; s++ {
					if row[s] == 0 {
						continue
					}
					busy++
					if first == 0 {
						first = s
					}
					last = s
					if row[s-1] == 0 {
						blocks++
					}
				}
				idle := 0
				if busy > 0 {
					idle = last - first + 1 - busy
				}
				b := max(blocks-1, 0)
				total += b
				idles += idle
				inSet := func(list, pos []int32) bool {
					return pos[p] >= 0 && list[pos[p]] == int32(p)
				}
				if (b > 0) != inSet(st.broken, st.brokenPos) {
					t.Fatalf("request %d step %d: participant %d has %d breaks, in the broken set: %v", i, step, p, b, !(b > 0))
				}
				if (b > md.spread) != inSet(st.heavy, st.heavyPos) {
					t.Fatalf("request %d step %d: participant %d has %d breaks (spread %d), in the heavy set: %v", i, step, p, b, md.spread, !(b > md.spread))
				}
				if b > 0 {
					broken++
				}
				if b > md.spread {
					heavy++
				}
				if int(st.idle[p]) != idle {
					t.Fatalf("request %d step %d: participant %d has %d idle slots, the state says %d", i, step, p, idle, st.idle[p])
				}
			}
			if broken != len(st.broken) || heavy != len(st.heavy) {
				t.Fatalf("request %d step %d: %d participants with a break and %d over the spread, the state's sets hold %d and %d", i, step, broken, heavy, len(st.broken), len(st.heavy))
			}
			if total != st.total || idles != st.idles {
				t.Fatalf("request %d step %d: recount gives %d breaks and %d idle slots, the state says %d and %d", i, step, total, idles, st.total, st.idles)
			}
		}
	}
}
