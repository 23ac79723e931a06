package matcher

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"
)

// BenchmarkNewIndex indexes 20,000 problems and 100,000 offerings of synthetic
// text and reports milliseconds and allocated megabytes per index.
func BenchmarkNewIndex(b *testing.B) {
	ds := syntheticDataset(rand.New(rand.NewPCG(1, 1)), 20_000, 100_000, 60)
	b.ReportAllocs()
	b.ResetTimer()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		NewIndex(ds)
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/index")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "MB/index")
}

// BenchmarkScore scores 100,000 problem–offering pairs (with their why) on an
// index of 2,000 problems and 20,000 offerings.
func BenchmarkScore(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	ds := syntheticDataset(r, 2_000, 20_000, 40)
	ix := NewIndex(ds)
	const n = 100_000
	type pair struct{ p, o string }
	pairs := make([]pair, n)
	for i := range pairs {
		pairs[i] = pair{ds.Problems[r.IntN(len(ds.Problems))].ID, ds.Offerings[r.IntN(len(ds.Offerings))].ID}
	}
	b.ResetTimer()
	for b.Loop() {
		for _, p := range pairs {
			if _, _, err := ix.Score(p.p, p.o); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/100k-pairs")
}

// BenchmarkCandidates finds the 20 best offerings of a problem among 100,000.
func BenchmarkCandidates(b *testing.B) {
	ds := syntheticDataset(rand.New(rand.NewPCG(3, 3)), 1_000, 100_000, 60)
	ix := NewIndex(ds)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		ix.Candidates(ds.Problems[i%len(ds.Problems)].ID, 20)
		i++
	}
}

// BenchmarkAssign solves 5,000 lefts × 2,000 rights with 200,000 pairs.
func BenchmarkAssign(b *testing.B) {
	for _, obj := range []Objective{Total, Fair} {
		b.Run(obj.String(), func(b *testing.B) {
			pairs, bounds := largeAssignInstance(rand.New(rand.NewPCG(4, 4)), 5_000, 2_000, 200_000)
			b.ResetTimer()
			for b.Loop() {
				if _, err := Assign(context.Background(), pairs, bounds, obj); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/assign")
		})
	}
}
