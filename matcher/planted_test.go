package matcher

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fairmatch/fairmatch"
	"go.yaml.in/yaml/v3"
)

// This file is the planted-truth quality benchmark. A generator writes
// enterprises' problems and universities' offerings about topics (a process
// and an issue of one domain, testdata/planted-vocab.yaml) in Chinese or
// English, each side in its own words: other variants of the same concept,
// acronyms against spelled-out forms, narrower terms, other word orders, and
// now and then the other language. An offering is relevant to a problem iff
// it was written for the problem's topic. Each problem has 1–3 relevant
// offerings and 2–3 distractors written for neighbouring topics in the
// problem's own words; the rest of the corpus covers the topics nobody asked
// about. Relevance is measured by nDCG@10 and recall@5 of Candidates,
// separately for Chinese and English problems, against plain BM25 over the
// same concatenated text.

// plantedVocab is testdata/planted-vocab.yaml.
type plantedVocab struct {
	Domains []struct {
		Domain    string         `yaml:"domain"`
		Contexts  bilingual      `yaml:"contexts"`
		Processes []vocabConcept `yaml:"processes"`
		Issues    []vocabConcept `yaml:"issues"`
	} `yaml:"domains"`
	Noise struct {
		Enterprise bilingual `yaml:"enterprise"`
		University bilingual `yaml:"university"`
		Methods    bilingual `yaml:"methods"`
	} `yaml:"noise"`
}

type bilingual struct {
	ZH []string `yaml:"zh"`
	EN []string `yaml:"en"`
}

func (b bilingual) in(lang string) []string {
	if lang == "zh" {
		return b.ZH
	}
	return b.EN
}

type vocabConcept struct {
	bilingual `yaml:",inline"`
	Narrow    *bilingual `yaml:"narrow"`
}

func loadPlantedVocab(tb testing.TB) *plantedVocab {
	tb.Helper()
	data, err := os.ReadFile("testdata/planted-vocab.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var v plantedVocab
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("planted-vocab.yaml: %v", err)
	}
	for _, d := range v.Domains {
		for _, c := range append(slices.Clone(d.Processes), d.Issues...) {
			if len(c.ZH) < 2 || len(c.EN) < 2 {
				tb.Fatalf("%s: concept %v needs at least two variants per language", d.Domain, c.ZH)
			}
		}
	}
	return &v
}

// thesaurusYAML writes a thesaurus for the vocabulary covering the concepts
// whose running number is not 2 modulo 3 (two thirds of them): each as a
// group of all its variants, its narrow concept as a narrower group.
func (v *plantedVocab) thesaurusYAML() []byte {
	var b strings.Builder
	list := func(ss []string) string { return "[" + strings.Join(ss, ", ") + "]" }
	n := 0
	for _, d := range v.Domains {
		for _, c := range append(slices.Clone(d.Processes), d.Issues...) {
			n++
			if n%3 == 2 {
				continue
			}
			fmt.Fprintf(&b, "- term: %s\n  synonyms: %s\n", c.ZH[0], list(append(slices.Clone(c.ZH[1:]), c.EN...)))
			if c.Narrow != nil {
				fmt.Fprintf(&b, "  narrower: [%s]\n", c.Narrow.ZH[0])
				fmt.Fprintf(&b, "- term: %s\n  synonyms: %s\n", c.Narrow.ZH[0], list(append(slices.Clone(c.Narrow.ZH[1:]), c.Narrow.EN...)))
			}
		}
	}
	return []byte(b.String())
}

// plantedSet is one generated dataset with its truth.
type plantedSet struct {
	ds       *fairmatch.Dataset
	lang     map[string]string          // problem → "zh" or "en"
	relevant map[string]map[string]bool // problem → its relevant offerings
}

type topic struct{ domain, process, issue int }

// generatePlanted writes a dataset from the vocabulary, deterministic by seed.
func generatePlanted(v *plantedVocab, seed uint64) *plantedSet {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	pick := func(ss []string) string { return ss[r.IntN(len(ss))] }
	other := func(lang string) string {
		if lang == "zh" {
			return "en"
		}
		return "zh"
	}
	var topics []topic
	for d, dom := range v.Domains {
		for p := range dom.Processes {
			for i := range dom.Issues {
				topics = append(topics, topic{d, p, i})
			}
		}
	}
	r.Shuffle(len(topics), func(i, j int) { topics[i], topics[j] = topics[j], topics[i] })
	asked := topics[:len(topics)/2]
	isAsked := make(map[topic]bool)
	for _, t := range asked {
		isAsked[t] = true
	}

	set := &plantedSet{ds: &fairmatch.Dataset{}, lang: map[string]string{}, relevant: map[string]map[string]bool{}}
	ds := set.ds
	for u := range 12 {
		ds.Universities = append(ds.Universities, fairmatch.University{ID: fmt.Sprintf("U%02d", u)})
	}
	offering := func(t topic, lang, process, issue string) string {
		dom := v.Domains[t.domain]
		method := pick(v.Noise.Methods.in(lang))
		ctx := pick(dom.Contexts.in(lang))
		var o fairmatch.Offering
		o.ID = fmt.Sprintf("O%05d", len(ds.Offerings))
		o.University = fmt.Sprintf("U%02d", r.IntN(12))
		o.Domains = []string{dom.Domain}
		if lang == "zh" {
			switch r.IntN(3) {
			case 0:
				o.Title = process + issue + "控制技术"
			case 1:
				o.Title = "基于" + method + "的" + issue + "抑制与" + process
			default:
				o.Title = process + "中" + issue + "机理与对策"
			}
			o.Description = "团队长期研究" + process + "，针对" + ctx + "中的" + issue + "问题，采用" + method +
				"，形成成套方案。" + pick(v.Noise.University.ZH) + "。"
		} else {
			switch r.IntN(3) {
			case 0:
				o.Title = "Control of " + issue + " in " + process
			case 1:
				o.Title = process + ": " + issue + " suppression by " + method
			default:
				o.Title = issue + " mechanisms and remedies for " + process
			}
			o.Description = "Our group works on " + process + " and solves " + issue + " for " + ctx +
				" through " + method + ". " + pick(v.Noise.University.EN) + "."
		}
		o.Keywords = []string{process, issue, method}
		ds.Offerings = append(ds.Offerings, o)
		return o.ID
	}
	// variant chooses how the university side names a concept the problem
	// calls said: mostly another variant, sometimes the same words or a
	// narrower concept; switching language is decided per offering.
	variant := func(c vocabConcept, lang, said string) string {
		x := r.Float64()
		switch {
		case x < 0.15 && slices.Contains(c.in(lang), said):
			return said
		case x < 0.40 && c.Narrow != nil:
			return pick(c.Narrow.in(lang))
		}
		var others []string
		for _, s := range c.in(lang) {
			if s != said {
				others = append(others, s)
			}
		}
		return pick(others)
	}

	for n, t := range asked {
		dom := v.Domains[t.domain]
		lang := []string{"zh", "en"}[n%2]
		proc, iss := dom.Processes[t.process], dom.Issues[t.issue]
		ps, is := pick(proc.in(lang)), pick(iss.in(lang))
		ctx := pick(dom.Contexts.in(lang))
		p := fairmatch.Problem{
			ID: fmt.Sprintf("PR%04d", n), Enterprise: fmt.Sprintf("E%04d", n/2), Domains: []string{dom.Domain},
		}
		noise := v.Noise.Enterprise.in(lang)
		if lang == "zh" {
			switch r.IntN(3) {
			case 0:
				p.Title = ctx + ps + is + "问题"
			case 1:
				p.Title = ps + "过程中" + is + "严重"
			default:
				p.Title = is + "：" + ps + "工艺求助"
			}
			p.Description = "我们在" + ctx + "生产中采用" + ps + "，" + is + "影响良率。" + pick(noise) + "，" + pick(noise) + "。"
		} else {
			switch r.IntN(3) {
			case 0:
				p.Title = is + " in " + ps + " of " + ctx
			case 1:
				p.Title = ps + " suffers from " + is
			default:
				p.Title = "Need help: " + ps + " " + is
			}
			p.Description = "We use " + ps + " for " + ctx + " and " + is + " hurts our yield. " + pick(noise) + ", " + pick(noise) + "."
		}
		if r.IntN(2) == 0 {
			p.Keywords = []string{ps, is}
		}
		ds.Problems = append(ds.Problems, p)
		set.lang[p.ID] = lang
		rel := make(map[string]bool)
		for range 1 + r.IntN(3) {
			l := lang
			if r.Float64() < 0.15 {
				l = other(lang)
			}
			rel[offering(t, l, variant(proc, l, ps), variant(iss, l, is))] = true
		}
		set.relevant[p.ID] = rel
		// Distractors: neighbouring topics nobody asked about, written with
		// the problem's own words for the concept they share.
		for range 2 + r.IntN(2) {
			nt := t
			if r.IntN(2) == 0 {
				nt.issue = r.IntN(len(dom.Issues))
			} else {
				nt.process = r.IntN(len(dom.Processes))
			}
			if nt == t || isAsked[nt] {
				continue
			}
			np, ni := pick(dom.Processes[nt.process].in(lang)), pick(dom.Issues[nt.issue].in(lang))
			if nt.process == t.process {
				np = ps
			} else {
				ni = is
			}
			offering(nt, lang, np, ni)
		}
	}
	// Background: one offering for every topic nobody asked about.
	for _, t := range topics[len(asked):] {
		dom := v.Domains[t.domain]
		lang := []string{"zh", "en"}[r.IntN(2)]
		offering(t, lang, pick(dom.Processes[t.process].in(lang)), pick(dom.Issues[t.issue].in(lang)))
	}
	return set
}

// ranker ranks offerings for a problem, best first.
type ranker func(problem string, k int) []string

// quality is the mean nDCG@10 and recall@5 of a ranker over problems.
type quality struct{ ndcg10, recall5 float64 }

func rankQuality(set *plantedSet, rank ranker, lang string) (q quality, n int) {
	for _, p := range set.ds.Problems {
		if set.lang[p.ID] != lang {
			continue
		}
		rel := set.relevant[p.ID]
		got := rank(p.ID, 10)
		dcg, idcg, found5 := 0.0, 0.0, 0
		for i, o := range got {
			if rel[o] {
				dcg += 1 / math.Log2(float64(i+2))
				if i < 5 {
					found5++
				}
			}
		}
		for i := range min(len(rel), 10) {
			idcg += 1 / math.Log2(float64(i+2))
		}
		q.ndcg10 += dcg / idcg
		q.recall5 += float64(found5) / float64(len(rel))
		n++
	}
	q.ndcg10 /= float64(n)
	q.recall5 /= float64(n)
	return q, n
}

// bm25 is plain Okapi BM25 (k1 1.2, b 0.75) over each document's
// concatenated title, keywords, description and domains, analysed like the
// matcher's text: the baseline.
type bm25 struct {
	ids   []string
	docs  []map[string]float64
	lens  []float64
	avg   float64
	df    map[string]float64
	query map[string]map[string]float64
}

func concatText(title, desc string, keywords, domains []string) string {
	return strings.Join(append(append([]string{title, desc}, keywords...), domains...), " \n ")
}

func newBM25(ds *fairmatch.Dataset) *bm25 {
	b := &bm25{df: map[string]float64{}, query: map[string]map[string]float64{}}
	tf := func(text string) (map[string]float64, float64) {
		m := map[string]float64{}
		toks := Analyze(text)
		for _, t := range toks {
			m[t.Term]++
		}
		return m, float64(len(toks))
	}
	for _, o := range ds.Offerings {
		m, l := tf(concatText(o.Title, o.Description, o.Keywords, o.Domains))
		b.ids = append(b.ids, o.ID)
		b.docs = append(b.docs, m)
		b.lens = append(b.lens, l)
		b.avg += l
		for t := range m {
			b.df[t]++
		}
	}
	b.avg /= float64(max(len(b.docs), 1))
	for _, p := range ds.Problems {
		b.query[p.ID], _ = tf(concatText(p.Title, p.Description, p.Keywords, p.Domains))
	}
	return b
}

func (b *bm25) rank(problem string, k int) []string {
	const k1, bb = 1.2, 0.75
	n := float64(len(b.docs))
	type hit struct {
		i int
		s float64
	}
	var hits []hit
	q := b.query[problem]
	terms := make([]string, 0, len(q))
	for t := range q {
		terms = append(terms, t)
	}
	slices.Sort(terms) // a fixed summation order
	for i, d := range b.docs {
		s := 0.0
		for _, t := range terms {
			f := d[t]
			if f == 0 {
				continue
			}
			idf := math.Log(1 + (n-b.df[t]+0.5)/(b.df[t]+0.5))
			s += q[t] * idf * f * (k1 + 1) / (f + k1*(1-bb+bb*b.lens[i]/b.avg))
		}
		if s > 0 {
			hits = append(hits, hit{i, s})
		}
	}
	slices.SortFunc(hits, func(a, c hit) int { return cmp.Or(cmp.Compare(c.s, a.s), cmp.Compare(a.i, c.i)) })
	var out []string
	for _, h := range hits[:min(k, len(hits))] {
		out = append(out, b.ids[h.i])
	}
	return out
}

func candidateRanker(ix *Index) ranker {
	return func(problem string, k int) []string {
		var out []string
		for _, c := range ix.Candidates(problem, k) {
			out = append(out, c.Offering)
		}
		return out
	}
}

// plantedConfigs are the rankers compared, baseline first.
var plantedConfigs = []struct {
	name      string
	thesaurus bool
	baseline  bool
}{
	{name: "bm25", baseline: true},
	{name: "matcher"},
	{name: "matcher+thesaurus", thesaurus: true},
}

// plantedSeeds are the independent datasets the figures average over.
var plantedSeeds = []uint64{1, 2, 3, 4, 5, 6}

// plantedResults measures every configuration on every seed; the result maps
// config name → language → quality.
func plantedResults(tb testing.TB) (map[string]map[string]quality, int) {
	v := loadPlantedVocab(tb)
	th, err := ParseThesaurus("planted-thesaurus.yaml", v.thesaurusYAML())
	if err != nil {
		tb.Fatalf("thesaurus of the planted vocabulary: %v", err)
	}
	res := make(map[string]map[string]quality)
	var mu sync.Mutex
	var wg sync.WaitGroup
	problems := 0
	for _, seed := range plantedSeeds {
		set := generatePlanted(v, seed)
		problems += len(set.ds.Problems)
		for _, cfg := range plantedConfigs {
			wg.Go(func() {
				var rank ranker
				if cfg.baseline {
					rank = newBM25(set.ds).rank
				} else {
					var opt Options
					if cfg.thesaurus {
						opt.Thesaurus = th
					}
					rank = candidateRanker(NewIndexWith(set.ds, opt))
				}
				for _, lang := range []string{"zh", "en"} {
					q, _ := rankQuality(set, rank, lang)
					mu.Lock()
					if res[cfg.name] == nil {
						res[cfg.name] = make(map[string]quality)
					}
					acc := res[cfg.name][lang]
					acc.ndcg10 += q.ndcg10 / float64(len(plantedSeeds))
					acc.recall5 += q.recall5 / float64(len(plantedSeeds))
					res[cfg.name][lang] = acc
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	return res, problems
}

// TestPlantedQuality logs nDCG@10 and recall@5 of every configuration and
// asserts that the matcher with the thesaurus beats plain BM25 by a clear
// margin in both languages, and that neither the thesaurus nor the matcher
// itself makes things worse.
func TestPlantedQuality(t *testing.T) {
	res, problems := plantedResults(t)
	t.Logf("%d problems over %d seeds", problems, len(plantedSeeds))
	t.Logf("%-28s %8s %8s %8s %8s", "config", "nDCG@10", "R@5", "nDCG@10", "R@5")
	t.Logf("%-28s %17s %17s", "", "zh", "en")
	for _, cfg := range plantedConfigs {
		zh, en := res[cfg.name]["zh"], res[cfg.name]["en"]
		t.Logf("%-28s %8.3f %8.3f %8.3f %8.3f", cfg.name, zh.ndcg10, zh.recall5, en.ndcg10, en.recall5)
	}
	const margin = 0.10
	for _, lang := range []string{"zh", "en"} {
		base, plain, th := res["bm25"][lang], res["matcher"][lang], res["matcher+thesaurus"][lang]
		if th.ndcg10 < base.ndcg10+margin || th.recall5 < base.recall5+margin {
			t.Errorf("%s: matcher+thesaurus %+v does not beat bm25 %+v by %.2f", lang, th, base, margin)
		}
		if plain.ndcg10 < base.ndcg10 {
			t.Errorf("%s: matcher %+v below bm25 %+v", lang, plain, base)
		}
		if th.ndcg10 <= plain.ndcg10 {
			t.Errorf("%s: the thesaurus does not help: %+v vs %+v", lang, th, plain)
		}
	}
}

// BenchmarkPlantedQuality reports the benchmark's figures per configuration
// and language (the time is that of generating, indexing and ranking).
func BenchmarkPlantedQuality(b *testing.B) {
	var res map[string]map[string]quality
	for b.Loop() {
		res, _ = plantedResults(b)
	}
	for _, cfg := range plantedConfigs {
		for _, lang := range []string{"zh", "en"} {
			q := res[cfg.name][lang]
			b.ReportMetric(q.ndcg10, cfg.name+"-ndcg10-"+lang)
			b.ReportMetric(q.recall5, cfg.name+"-recall5-"+lang)
		}
	}
}

// The generator is deterministic by seed and plants what it says.
func TestGeneratePlanted(t *testing.T) {
	v := loadPlantedVocab(t)
	a, b := generatePlanted(v, 7), generatePlanted(v, 7)
	if fmt.Sprint(a.ds) != fmt.Sprint(b.ds) {
		t.Fatal("same seed, different datasets")
	}
	if c := generatePlanted(v, 8); fmt.Sprint(a.ds) == fmt.Sprint(c.ds) {
		t.Fatal("different seeds, same dataset")
	}
	langs := map[string]int{}
	for _, p := range a.ds.Problems {
		langs[a.lang[p.ID]]++
		if n := len(a.relevant[p.ID]); n < 1 || n > 3 {
			t.Errorf("%s has %d relevant offerings", p.ID, n)
		}
	}
	if langs["zh"] == 0 || langs["en"] == 0 || langs["zh"]+langs["en"] != len(a.ds.Problems) {
		t.Errorf("languages %v", langs)
	}
}
