package matcher

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
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

// BenchmarkAssign solves 5,000 lefts × 2,000 rights with 200,000 pairs, for
// each objective (coverage is Match's internal one). Fair has a 60 s
// deadline and fails the benchmark if it is not proven optimal by then.
func BenchmarkAssign(b *testing.B) {
	for _, obj := range []Objective{Total, Fair, coverFirst} {
		b.Run(obj.String(), func(b *testing.B) {
			pairs, bounds := largeAssignInstance(rand.New(rand.NewPCG(4, 4)), 5_000, 2_000, 200_000)
			b.ResetTimer()
			for b.Loop() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				_, err := assign(ctx, pairs, bounds, obj)
				cancel()
				if err != nil {
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

// zipfDataset returns problems and offerings written from a vocabulary of
// 2,000 Latin pseudo-words and 2,000 two-character Han words whose ranks
// follow Zipf's law (s = 1.1), like technical text: a few very common words
// and a long tail. Offerings have a 6-word title, 3 keywords and a 40-word
// description; problems a 4-word title, 2 keywords and a 20-word description.
func zipfDataset(r *rand.Rand, problems, offerings, universities int) *fairmatch.Dataset {
	syll := []string{"ka", "lo", "tri", "ven", "mor", "sil", "dex", "pra", "nu", "gel", "tor", "ric",
		"phan", "zo", "mag", "cel", "ion", "bar", "qui", "sta"}
	han := []rune("激光焊接熔池热误差补偿主轴机床精度电池膜电极催化剂检测芯片传感器算法模型控制系统材料涂层腐蚀疲劳裂纹振动噪声能耗优化" +
		"氢储能功率半导体射频天线通信食品安全农业生物医药诊断影像纳米复合陶瓷金属塑料纤维结构设计仿真制造工艺装备机器人视觉数据网络平台")
	seen := map[string]bool{}
	var vocab []string
	for len(vocab) < 4000 {
		var w string
		if len(vocab)%2 == 0 {
			n := 2 + r.IntN(3)
			for range n {
				w += syll[r.IntN(len(syll))]
			}
		} else {
			w = string([]rune{han[r.IntN(len(han))], han[r.IntN(len(han))]})
		}
		if !seen[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	z := rand.NewZipf(r, 1.1, 1, uint64(len(vocab)-1))
	word := func() string { return vocab[z.Uint64()] }
	text := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = word()
		}
		return strings.Join(parts, " ")
	}
	list := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = word()
		}
		return out
	}
	domains := []string{"manufacturing/welding", "manufacturing/machine-tools", "energy/hydrogen", "energy/storage",
		"electronics/rf", "electronics/power", "food/safety", "materials/coating"}
	ds := &fairmatch.Dataset{}
	for u := range universities {
		ds.Universities = append(ds.Universities, fairmatch.University{ID: fmt.Sprintf("U%03d", u)})
	}
	for i := range problems {
		ds.Problems = append(ds.Problems, fairmatch.Problem{
			ID: fmt.Sprintf("PR%05d", i), Enterprise: fmt.Sprintf("E%04d", i/3),
			Title: text(4), Description: text(20), Keywords: list(2),
			Domains: []string{domains[r.IntN(len(domains))]},
		})
	}
	for i := range offerings {
		u := r.IntN(max(universities, 1))
		ds.Offerings = append(ds.Offerings, fairmatch.Offering{
			ID: fmt.Sprintf("O%06d", i), University: fmt.Sprintf("U%03d", u),
			Title: text(6), Description: text(40), Keywords: list(3),
			Domains: []string{domains[r.IntN(len(domains))]},
			Experts: []string{fmt.Sprintf("P-U%03d-%d", u, r.IntN(5))},
		})
	}
	return ds
}

// BenchmarkCandidatesZipf retrieves the top 20 offerings of each of 20,000
// problems among 100,000 (zipfDataset), on one goroutine and on GOMAXPROCS
// goroutines, and reports milliseconds per query, seconds for all 20,000,
// and allocations per query.
func BenchmarkCandidatesZipf(b *testing.B) {
	ds := zipfDataset(rand.New(rand.NewPCG(9, 9)), 20_000, 100_000, 60)
	ix := NewIndex(ds)
	ids := make([]string, len(ds.Problems))
	for i := range ids {
		ids[i] = ds.Problems[i].ID
	}
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				var wg sync.WaitGroup
				for w := range workers {
					wg.Go(func() {
						for i := w; i < len(ids); i += workers {
							if c := ix.Candidates(ids[i], 20); len(c) == 0 {
								b.Errorf("no candidate for %s", ids[i])
								return
							}
						}
					})
				}
				wg.Wait()
			}
			runtime.ReadMemStats(&after)
			q := float64(b.N * len(ids))
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/20k-queries")
			b.ReportMetric(b.Elapsed().Seconds()*1e3*float64(workers)/q, "ms/query")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/q, "allocs/query")
		})
	}
}
