package agenda

import (
	"math/rand/v2"
	"testing"
)

// TestStateIncremental makes random moves and rollbacks on random requests
// and checks what the state keeps up to date against a recount from the
// placement: breaks, idle slots inside each participant's day, and slot
// counts.
func TestStateIncremental(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 8))
	for i := range 60 {
		req := randomRequest(rng, 5+rng.IntN(25), 12, i%2 == 0)
		if req.Validate() != nil {
			continue
		}
		md := compile(req)
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
			total, idles := 0, 0
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
				total += max(blocks-1, 0)
				idles += idle
				if int(st.idle[p]) != idle {
					t.Fatalf("request %d step %d: participant %d has %d idle slots, the state says %d", i, step, p, idle, st.idle[p])
				}
			}
			if total != st.total || idles != st.idles {
				t.Fatalf("request %d step %d: recount gives %d breaks and %d idle slots, the state says %d and %d", i, step, total, idles, st.total, st.idles)
			}
		}
	}
}
