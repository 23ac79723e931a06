package matcher

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
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

// syntheticThesaurus links words of syntheticDataset's vocabulary: 40 groups
// of three Han words or Latin words, each narrower than the previous group.
func syntheticThesaurus(tb testing.TB, r *rand.Rand) *Thesaurus {
	han := []rune("激光焊接熔池热误差补偿主轴机床精度电池膜电极催化剂检测芯片传感器算法模型控制系统材料涂层腐蚀疲劳裂纹振动噪声能耗优化")
	latin := []string{"GaN", "SiC", "5G", "dPCR", "PEMFC", "laser", "welding", "sensor", "battery", "coating",
		"corrosion", "fatigue", "vision", "robot", "control", "signal", "amplifier", "membrane", "catalyst", "inverter"}
	seen := map[string]bool{}
	word := func() string {
		for {
			w := latin[r.IntN(len(latin))]
			if r.IntN(2) == 0 {
				w = string([]rune{han[r.IntN(len(han))], han[r.IntN(len(han))]})
			}
			if k := normTerm(w); !seen[k] {
				seen[k] = true
				return w
			}
		}
	}
	var b strings.Builder
	prev := ""
	for range 40 {
		head := word()
		fmt.Fprintf(&b, "- term: %s\n  synonyms: [%s, %s]\n", head, word(), word())
		if prev != "" {
			fmt.Fprintf(&b, "  broader: [%s]\n", prev)
		}
		prev = head
	}
	th, err := ParseThesaurus("synthetic.yaml", []byte(b.String()))
	if err != nil {
		tb.Fatal(err)
	}
	return th
}

// BenchmarkNewIndexThesaurus is BenchmarkNewIndex with a thesaurus and history.
func BenchmarkNewIndexThesaurus(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	ds := syntheticDataset(r, 20_000, 100_000, 60)
	opt := Options{Thesaurus: syntheticThesaurus(b, r), History: true}
	b.ReportAllocs()
	b.ResetTimer()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		NewIndexWith(ds, opt)
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/index")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "MB/index")
}

// BenchmarkScoreThesaurus is BenchmarkScore with a thesaurus.
func BenchmarkScoreThesaurus(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	ds := syntheticDataset(r, 2_000, 20_000, 40)
	ix := NewIndexWith(ds, Options{Thesaurus: syntheticThesaurus(b, r)})
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
