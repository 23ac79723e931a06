package matcher

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fairmatch/fairmatch"
)

// Candidate is an offering proposed for a problem and its relevance.
type Candidate struct {
	Offering string
	Score    float64
}

// Score returns the relevance of a problem to a target, in [0,1], and a
// short human-readable reason (the matched keywords, the thesaurus synonyms
// used, the matched terms and the shared domains, e.g. "激光焊接; 气孔 ≈
// porosity; 熔池; domain manufacturing/welding").
//
// target is looked up as an offering id, then a university id, then a person
// id. An offering is scored directly. A university is scored by all its
// offerings and an expert by every offering that lists them in experts; the
// offerings' scores s₁ ≥ s₂ ≥ … are aggregated as
//
//	1 − (1 − s₁) · Π_{i>1} (1 − 0.2·sᵢ)
//
// so that one strong match decides and further ones add a little, and a
// university with many weak offerings does not beat one with a strong one.
// A known person who presents no offering scores 0.
//
// An unknown problem or target gives a *fairmatch.Error with code
// fairmatch.ENOTFOUND naming the id.
func (ix *Index) Score(problem, target string) (float64, string, error) {
	pi, ok := ix.problemAt[problem]
	if !ok {
		return 0, "", fairmatch.Errorf(fairmatch.ENOTFOUND, "problem %q not found", problem)
	}
	q := &ix.problems[pi]
	if d, ok := ix.offeringAt[target]; ok {
		s := ix.score(q, int(d))
		return s, ix.why(q, int(d)), nil
	}
	if docs, ok := ix.byUniversity[target]; ok {
		s, why := ix.aggregate(q, docs)
		return s, why, nil
	}
	if docs, ok := ix.byExpert[target]; ok || ix.people[target] {
		if len(docs) == 0 {
			return 0, "presents no offering", nil
		}
		s, why := ix.aggregate(q, docs)
		return s, why, nil
	}
	return 0, "", fairmatch.Errorf(fairmatch.ENOTFOUND, "target %q is not an offering, university or person", target)
}

// Candidates returns the k most relevant offerings for a problem, best
// first (ties by dataset order). Offerings sharing no term with the problem
// are never returned. It walks the inverted index of the problem's terms and
// computes exact scores only while they can still enter the top k. An unknown
// problem or k ≤ 0 gives nil.
func (ix *Index) Candidates(problem string, k int) []Candidate {
	pi, ok := ix.problemAt[problem]
	if !ok || k <= 0 {
		return nil
	}
	return ix.candidates(&ix.problems[pi], k, -1)
}

// candidates returns at most k offerings scoring above minScore, best first.
func (ix *Index) candidates(q *query, k int, minScore float64) []Candidate {
	if q.total == 0 || len(ix.offerings) == 0 {
		return nil
	}
	acc := ix.acc.Get().(*accumulator)
	defer ix.acc.Put(acc)
	// Term-at-a-time accumulation in term order: the same summation order as
	// bm, so that the scores equal Score's bit for bit.
	for _, tw := range q.terms {
		for _, p := range ix.post[ix.postOff[tw.term]:ix.postOff[tw.term+1]] {
			if acc.score[p.doc] == 0 {
				acc.touched = append(acc.touched, p.doc)
			}
			acc.score[p.doc] += tw.w * float64(p.s)
		}
	}
	for i := range q.concepts {
		c := &q.concepts[i]
		for _, a := range c.alts {
			for _, p := range ix.post[ix.postOff[a.term]:ix.postOff[a.term+1]] {
				if acc.best[p.doc] == 0 {
					acc.bestHit = append(acc.bestHit, p.doc)
				}
				acc.best[p.doc] = max(acc.best[p.doc], a.credit*float64(p.s))
			}
		}
		for _, d := range acc.bestHit {
			if acc.score[d] == 0 {
				acc.touched = append(acc.touched, d)
			}
			acc.score[d] += c.w * acc.best[d]
			acc.best[d] = 0
		}
		acc.bestHit = acc.bestHit[:0]
	}
	// An offering can contain a keyword phrase only if it contains the
	// phrase's rarest term: count, per offering, the phrases it may contain.
	share := ix.phraseShare(q)
	rare := make([]uint32, 0, len(q.phrases))
	for i := range q.phrases {
		if ts := q.phrases[i].terms; len(ts) > 0 {
			rare = append(rare, slices.MinFunc(ts, func(a, b uint32) int { return cmp.Compare(ix.df(a), ix.df(b)) }))
		}
	}
	for _, t := range rare {
		for _, p := range ix.post[ix.postOff[t]:ix.postOff[t+1]] {
			acc.phrases[p.doc]++
		}
	}
	// Each touched offering's upper bound: its bag-of-words part exact, its
	// phrase part as if every phrase it may contain were found in its title
	// (the same arithmetic as the exact score, so the bound is never below
	// it), and history's boost. A heap yields the offerings by decreasing
	// bound without sorting them all: the walk below usually stops after a
	// few dozen.
	//
	// (1−share)·bm is a lower bound of the exact score, so the k-th largest
	// of these lower bounds, lbk, is at most the final k-th score: offerings
	// bounded below lbk never enter the heap.
	hits := acc.hits[:0]
	lows := acc.lows[:0] // a min-heap of the k largest lower bounds
	for _, d := range acc.touched {
		bm := acc.score[d] / q.total
		ub := bm
		if share > 0 {
			ub = (1-share)*bm + share*(acc.phrases[d]/float64(len(q.phrases)))
		}
		if q.history {
			ub = ix.boost(ub)
		}
		hits = append(hits, hit{d, bm, ub})
		acc.score[d] = 0
		switch lb := (1 - share) * bm; {
		case len(lows) < k:
			lows = append(lows, lb)
			for i := len(lows) - 1; i > 0 && lows[(i-1)/2] > lows[i]; i = (i - 1) / 2 {
				lows[i], lows[(i-1)/2] = lows[(i-1)/2], lows[i]
			}
		case lb > lows[0]:
			lows[0] = lb
			for i := 0; ; {
				c := 2*i + 1
				if c >= len(lows) {
					break
				}
				if c+1 < len(lows) && lows[c+1] < lows[c] {
					c++
				}
				if lows[c] >= lows[i] {
					break
				}
				lows[i], lows[c] = lows[c], lows[i]
				i = c
			}
		}
	}
	if len(lows) == k {
		lbk := lows[0]
		hits = slices.DeleteFunc(hits, func(h hit) bool { return h.ub < lbk })
	}
	acc.lows = lows[:0]
	acc.touched = acc.touched[:0]
	for _, t := range rare {
		for _, p := range ix.post[ix.postOff[t]:ix.postOff[t+1]] {
			acc.phrases[p.doc] = 0
		}
	}
	hits.init()
	defer func() { acc.hits = hits[:0] }()

	var out []Candidate
	var docs []uint32
	kth := func() float64 {
		if len(out) < k {
			return minScore
		}
		return max(minScore, out[k-1].Score)
	}
	for len(hits) > 0 {
		h := hits.pop()
		// Stop once even the best remaining bound cannot reach the current
		// k-th score.
		if h.ub < kth() {
			break
		}
		s := ix.withHistory(q, int(h.doc), (1-share)*h.bm+share*ix.phraseScore(q, int(h.doc)))
		if s <= minScore {
			continue
		}
		// Insert in order (score desc, doc asc), keeping at most k.
		i, _ := slices.BinarySearchFunc(out, Candidate{Score: s}, func(c, t Candidate) int {
			return cmp.Compare(t.Score, c.Score)
		})
		for i < len(out) && out[i].Score == s && docs[i] < h.doc {
			i++
		}
		if i >= k {
			continue
		}
		out = slices.Insert(out, i, Candidate{ix.offerings[h.doc].id, s})
		docs = slices.Insert(docs, i, h.doc)
		if len(out) > k {
			out, docs = out[:k], docs[:k]
		}
	}
	return out
}

// hit is an offering touched by a query, its bag-of-words score and an
// upper bound of its score.
type hit struct {
	doc    uint32
	bm, ub float64
}

// hitHeap is a binary heap of hits, highest bound (then lowest doc) first.
type hitHeap []hit

func (h hitHeap) before(i, j int) bool {
	return h[i].ub > h[j].ub || (h[i].ub == h[j].ub && h[i].doc < h[j].doc)
}

func (h hitHeap) down(i int) {
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && h.before(c+1, c) {
			c++
		}
		if !h.before(c, i) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// init orders the heap in O(n).
func (h hitHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// pop removes and returns the best hit.
func (h *hitHeap) pop() hit {
	old := *h
	top := old[0]
	n := len(old) - 1
	old[0] = old[n]
	*h = old[:n]
	h.down(0)
	return top
}

// phraseShare is the share of the score given to keyword phrases: none for a
// problem without keywords.
func (ix *Index) phraseShare(q *query) float64 {
	if len(q.phrases) == 0 {
		return 0
	}
	return ix.p.phraseShare
}

// score is the relevance of offering d to q:
//
//	(1 − φ)·bm + φ·ph
//
// bm = Σ w_t·s_td / Σ w_t over the problem's terms t, where w_t is the term's
// query weight (title 3, keywords 3, domains 2, description 1, summed over the
// fields it occurs in) times its BM25 idf among the offerings, and s_td ∈ [0,1]
// is the BM25F-saturated, length-normalised weighted frequency of t in d,
// scaled so that one occurrence in the title or keywords of an average
// offering gives 1. With a thesaurus, the problem's concepts join the terms:
// a concept's s is the best of its own concept term's (credit 1) and its
// related groups' (credit 0.5) in d. With history, the result is raised by
// withHistory. ph is the share of the problem's keywords found as
// phrases in d (a description-only find counts 0.6), and φ is 0.25, or 0 for
// a problem without keywords.
func (ix *Index) score(q *query, d int) float64 {
	if q.total == 0 {
		return 0
	}
	share := ix.phraseShare(q)
	return ix.withHistory(q, d, (1-share)*ix.bm(q, d, nil)+share*ix.phraseScore(q, d))
}

// withHistory raises the score s of offering d for q if the problem's
// enterprise and d's university have a contract from an earlier meeting.
func (ix *Index) withHistory(q *query, d int, s float64) float64 {
	if q.history && s > 0 && ix.contracts[pairKey{q.enterprise, ix.offerings[d].university}] {
		return ix.boost(s)
	}
	return s
}

func (ix *Index) boost(s float64) float64 { return s + ix.p.historyBoost*(1-s) }

// bm returns the bag-of-words part of the score; if matched is not nil it
// receives s_td for every query term (0 for those absent from d). Thesaurus
// concepts follow the terms: each adds its weight times the best credit·s
// of its alternatives in d.
func (ix *Index) bm(q *query, d int, matched []float64) float64 {
	fwd := ix.fwd[ix.fwdOff[d]:ix.fwdOff[d+1]]
	sum, j := 0.0, 0
	for i, tw := range q.terms {
		for j < len(fwd) && fwd[j].term < tw.term {
			j++
		}
		if j < len(fwd) && fwd[j].term == tw.term {
			sum += tw.w * float64(fwd[j].s)
			if matched != nil {
				matched[i] = float64(fwd[j].s)
			}
		}
	}
	for i := range q.concepts {
		c := &q.concepts[i]
		if best, _ := bestAlt(c, fwd); best > 0 {
			sum += c.w * best
		}
	}
	return sum / q.total
}

// bestAlt returns the best credit·s of the concept's alternatives in an
// offering's forward list, and which alternative gives it (-1 for none).
func bestAlt(c *concept, fwd []termScore) (float64, int) {
	best, which := 0.0, -1
	for k, a := range c.alts {
		j, ok := slices.BinarySearchFunc(fwd, a.term, func(ts termScore, t uint32) int { return cmp.Compare(ts.term, t) })
		if ok {
			if v := a.credit * float64(fwd[j].s); v > best {
				best, which = v, k
			}
		}
	}
	return best, which
}

// phraseScore is the share of q's keywords found as phrases in offering d.
func (ix *Index) phraseScore(q *query, d int) float64 {
	if len(q.phrases) == 0 {
		return 0
	}
	sum := 0.0
	for i := range q.phrases {
		sum += ix.phraseFound(&q.phrases[i], d)
	}
	return sum / float64(len(q.phrases))
}

// phraseFound returns 1 if the phrase occurs in d's title or keywords, the weak
// credit if only in its description, else 0.
func (ix *Index) phraseFound(ph *phrase, d int) float64 {
	if len(ph.terms) == 0 {
		return 0
	}
	strong := ix.seq[ix.seqOff[4*d+fieldTitle]:ix.seqOff[4*d+fieldKeywords+1]]
	if containsSeq(strong, ph.terms) {
		return 1
	}
	if containsSeq(ix.seq[ix.seqOff[4*d+fieldDescription]:ix.seqOff[4*d+fieldDescription+1]], ph.terms) {
		return ix.p.phraseWeak
	}
	return 0
}

func containsSeq(hay, needle []uint32) bool {
	for i := 0; i+len(needle) <= len(hay); i++ {
		if hay[i] == needle[0] && slices.Equal(hay[i:i+len(needle)], needle) {
			return true
		}
	}
	return false
}

// aggregate scores q against several offerings (see Score).
func (ix *Index) aggregate(q *query, docs []int32) (float64, string) {
	if len(docs) == 0 {
		return 0, "no offerings"
	}
	type sd struct {
		s float64
		d int32
	}
	all := make([]sd, len(docs))
	for i, d := range docs {
		all[i] = sd{ix.score(q, int(d)), d}
	}
	slices.SortFunc(all, func(a, b sd) int { return cmp.Or(cmp.Compare(b.s, a.s), cmp.Compare(a.d, b.d)) })
	rest := 1 - all[0].s
	for _, x := range all[1:] {
		rest *= 1 - ix.p.aggShare*x.s
	}
	best := int(all[0].d)
	why := ix.why(q, best)
	if all[0].s == 0 {
		return 0, why
	}
	return 1 - rest, fmt.Sprintf("%s (via %s, best of %d offerings)", why, ix.offerings[best].id, len(docs))
}

// why explains the score of offering d for q: the problem keywords found as
// phrases, then the longest matched stretches of the problem's title and
// description (merged from overlapping bigrams), then shared domains.
func (ix *Index) why(q *query, d int) string {
	const maxRuns, maxItems = 4, 6
	var items []string
	for i := range q.phrases {
		if ix.phraseFound(&q.phrases[i], d) > 0 {
			items = append(items, q.phrases[i].text)
		}
	}
	items = append(items, ix.conceptsWhy(q, d)...)
	matched := make([]float64, len(q.terms))
	ix.bm(q, d, matched)

	type run struct {
		text  string
		score float64
		pos   int
	}
	var runs []run
	pos := 0
	texts := [2]string{q.title, q.description}
	cur, curStart, curEnd, curField := -1.0, 0, 0, uint8(0)
	closeRun := func() {
		if cur > 0 {
			runs = append(runs, run{texts[curField][curStart:curEnd], cur, pos})
			pos++
		}
		cur = -1
	}
	for _, sp := range q.spans {
		c := q.terms[sp.term].w * matched[sp.term]
		start, end := int(sp.start), int(sp.end)
		if c > 0 && cur > 0 && sp.field == curField &&
			joins(texts[curField], curEnd, start) {
			cur += c
			curEnd = end
			continue
		}
		closeRun()
		if c > 0 {
			cur, curStart, curEnd, curField = c, start, end, sp.field
		}
	}
	closeRun()
	slices.SortStableFunc(runs, func(a, b run) int { return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.pos, b.pos)) })
	nruns := 0
	for _, r := range runs {
		if nruns == maxRuns || len(items) >= maxItems {
			break
		}
		// Skip a stretch made only of what is already listed.
		text := strings.ToLower(r.text)
		rest, inside := text, false
		for _, it := range items {
			it = strings.ToLower(it)
			inside = inside || strings.Contains(it, text)
			rest = strings.ReplaceAll(rest, it, " ")
		}
		if !inside && strings.IndexFunc(rest, func(c rune) bool { return unicode.IsLetter(c) || unicode.IsDigit(c) }) >= 0 {
			items = append(items, r.text)
			nruns++
		}
	}
	for _, dom := range sharedDomains(q.domains, ix.offerings[d].domains) {
		items = append(items, "domain "+dom)
	}
	if len(items) == 0 {
		return "no shared terms"
	}
	return strings.Join(items, "; ")
}

// conceptsWhy explains the thesaurus concepts that count for offering d, the
// strongest first (at most 3): "激光焊 ≈ 激光焊接" when the offering uses a
// synonym of the problem's term, "焊接缺陷 ~ 气孔" when it uses a broader or
// narrower one. A concept the offering names in the problem's own words is
// left to the matched text.
func (ix *Index) conceptsWhy(q *query, d int) []string {
	const maxConcepts = 3
	fwd := ix.fwd[ix.fwdOff[d]:ix.fwdOff[d+1]]
	type hit struct {
		text string
		v    float64
	}
	var hits []hit
	for i := range q.concepts {
		c := &q.concepts[i]
		best, k := bestAlt(c, fwd)
		if k < 0 {
			continue
		}
		a := c.alts[k]
		used := ix.offeringPhrase(d, a.group)
		if used == "" || (a.group == c.group && normTerm(used) == normTerm(c.text)) {
			continue
		}
		rel := " ≈ "
		if a.group != c.group {
			rel = " ~ "
		}
		hits = append(hits, hit{c.text + rel + used, c.w * best})
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(b.v, a.v) })
	var out []string
	for _, h := range hits[:min(len(hits), maxConcepts)] {
		out = append(out, h.text)
	}
	return out
}

// offeringPhrase returns the first thesaurus term of group g in offering d's
// title, keywords or description, as written in the thesaurus.
func (ix *Index) offeringPhrase(d int, g int32) string {
	var local []int32
	for f := fieldTitle; f <= fieldDescription; f++ {
		local = ix.localIDs(local[:0], ix.seq[ix.seqOff[4*d+f]:ix.seqOff[4*d+f+1]])
		found := ""
		ix.th.match(local, func(ph int32, _, _ int) {
			if found == "" && ix.th.phrases[ph].group == g {
				found = ix.th.phrases[ph].text
			}
		})
		if found != "" {
			return found
		}
	}
	return ""
}

// joins reports whether a matched stretch of text ending at end continues with
// a matched term starting at start: an overlapping bigram, the next word of a
// phrase (separated only by spaces or hyphens), or a word written right
// against Han text ("数字PCR"). Two abutting Han bigrams do not join: the
// bigram between them did not match.
func joins(text string, end, start int) bool {
	switch {
	case start < end:
		return true
	case start > end:
		return strings.Trim(text[end:start], " -") == ""
	}
	before, _ := utf8.DecodeLastRuneInString(text[:end])
	after, _ := utf8.DecodeRuneInString(text[start:])
	return !isHan(before) || !isHan(after)
}

// sharedDomains returns the domains both lists contain; if there are none, the
// longest common '/'-prefixes of any two of their domains.
func sharedDomains(a, b []string) []string {
	var exact, prefix []string
	for _, x := range a {
		x = strings.ToLower(strings.TrimSpace(x))
		for _, y := range b {
			y = strings.ToLower(strings.TrimSpace(y))
			if x == "" || y == "" {
				continue
			}
			if x == y {
				if !slices.Contains(exact, x) {
					exact = append(exact, x)
				}
				continue
			}
			if p := commonPathPrefix(x, y); p != "" && !slices.Contains(prefix, p) {
				prefix = append(prefix, p)
			}
		}
	}
	if len(exact) > 0 {
		return exact
	}
	if len(prefix) > 2 {
		prefix = prefix[:2]
	}
	return prefix
}

func commonPathPrefix(x, y string) string {
	xs, ys := strings.Split(x, "/"), strings.Split(y, "/")
	n := 0
	for n < len(xs) && n < len(ys) && xs[n] == ys[n] {
		n++
	}
	return strings.Join(xs[:n], "/")
}
