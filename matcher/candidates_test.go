package matcher

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// Candidates agrees with a full scan by Score on Zipfian text, where common
// words touch most offerings and keyword phrases are frequent, for several
// k: the pruning by upper bounds (phrases an offering may contain, the k-th
// lower bound) never drops an offering of the top k.
func TestCandidatesMatchesFullScanZipf(t *testing.T) {
	ds := zipfDataset(rand.New(rand.NewPCG(4, 5)), 40, 1500, 20)
	ix := NewIndex(ds)
	type sc struct {
		at int
		id string
		s  float64
	}
	for _, p := range ds.Problems {
		var all []sc
		for at, o := range ds.Offerings {
			s, _, err := ix.Score(p.ID, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if s > 0 {
				all = append(all, sc{at, o.ID, s})
			}
		}
		slices.SortFunc(all, func(a, b sc) int { return cmp.Or(cmp.Compare(b.s, a.s), cmp.Compare(a.at, b.at)) })
		for _, k := range []int{1, 5, 20, 300} {
			got := ix.Candidates(p.ID, k)
			if len(got) != min(k, len(all)) {
				t.Fatalf("%s k=%d: %d candidates, want %d", p.ID, k, len(got), min(k, len(all)))
			}
			for i, c := range got {
				if c.Offering != all[i].id || c.Score != all[i].s {
					t.Fatalf("%s k=%d: candidate %d = %v, want %v", p.ID, k, i, c, all[i])
				}
			}
		}
	}
}
