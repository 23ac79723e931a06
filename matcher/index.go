package matcher

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/fairmatch/fairmatch"
)

// Fields of a problem or an offering, in the order the index stores them.
const (
	fieldTitle = iota
	fieldKeywords
	fieldDescription
	fieldDomains
	numFields
)

// sep separates the keywords of an offering in its term sequence so that a
// phrase never matches across two keywords or across title and keywords.
const sep = math.MaxUint32

// domainPrefix marks domain terms so that they never collide with text terms.
const domainPrefix = "\x01"

// params are the tunables of relevance. They live in the Index, not in
// package state, so that a later version can learn or configure them.
type params struct {
	fieldWeight [numFields]float64 // BM25F weight of an offering field
	fieldB      [numFields]float64 // BM25F length normalisation of an offering field
	queryWeight [numFields]float64 // weight of a term by the problem field it occurs in
	k1          float64            // BM25 term-frequency saturation
	refTF       float64            // weighted tf that counts as a full match (s = 1)
	phraseShare float64            // share of the score given to problem keywords found as phrases
	phraseWeak  float64            // credit of a keyword found only in a description
	aggShare    float64            // weight of further offerings in an aggregate score
	matchCap    int                // offerings considered per problem by Match

	conceptWeight float64 // weight of a thesaurus concept relative to the terms of its phrase
	relatedCredit float64 // credit of a broader/narrower concept for a concept
	historyBoost  float64 // share of the gap to 1 added for a pair with a contract
}

func defaultParams() params {
	return params{
		fieldWeight: [numFields]float64{fieldTitle: 3, fieldKeywords: 3, fieldDescription: 1, fieldDomains: 2},
		fieldB:      [numFields]float64{fieldTitle: 0.5, fieldKeywords: 0.3, fieldDescription: 0.75, fieldDomains: 0},
		queryWeight: [numFields]float64{fieldTitle: 3, fieldKeywords: 3, fieldDescription: 1, fieldDomains: 2},
		k1:          1.2,
		refTF:       3,
		phraseShare: 0.25,
		phraseWeak:  0.6,
		aggShare:    0.2,
		matchCap:    200,

		conceptWeight: 1,
		relatedCredit: 0.5,
		historyBoost:  0.1,
	}
}

// Options configure an Index beyond the dataset; the zero value gives the
// plain text relevance of [NewIndex].
type Options struct {
	// Thesaurus, if not nil, links the problems' and the offerings' words:
	// a thesaurus term in a problem also matches its synonyms at full weight
	// and its broader and narrower terms at half weight, in any language.
	Thesaurus *Thesaurus
	// History raises the score of an enterprise–university pair whose
	// earlier meetings led to a contract (dataset History, outcome contract
	// or commercialized): s becomes s + 0.1·(1 − s) for every offering of
	// that university with s > 0.
	History bool
	// Capacity caps the meetings a person can attend at the fair, by person
	// id — typically the slots their availability windows leave free
	// (agenda.FreeSlots). Match gives an expert no more meetings than
	// min(MeetingsPerExpert, Capacity); people absent from it have no cap
	// beyond the limit. Scoring ignores it.
	Capacity map[string]int
}

// Index holds the analysed text of a dataset's problems and offerings: a
// vocabulary of the offerings' terms, a forward index (offering → terms), an
// inverted index (term → offerings) and each problem's weighted query.
//
// An Index is immutable once built and safe for concurrent use. It keeps
// references to the dataset's strings; the dataset must not be modified while
// the Index is in use.
type Index struct {
	p     params
	vocab map[string]uint32
	idf   []float64

	offerings  []offeringInfo
	offeringAt map[string]int32
	// seq holds each offering's terms in text order: title, keywords (each
	// preceded by sep), description, domains; offering d's fields start at
	// seqOff[4d+f] and end at seqOff[4d+f+1].
	seqOff []uint32
	seq    []uint32
	// fwd holds each offering's distinct terms sorted by term, with the
	// normalised strength s ∈ (0,1] of the term in the offering.
	fwdOff []uint32
	fwd    []termScore
	// post holds each term's offerings in offering order, with s.
	postOff []uint32
	post    []posting

	problems  []query
	problemAt map[string]int32

	byUniversity map[string][]int32
	byExpert     map[string][]int32
	people       map[string]bool

	acc sync.Pool // *accumulator for Candidates

	th          *Thesaurus
	conceptTerm []uint32 // thesaurus group → its term id, noTerm if absent from the offerings
	g2l         []int32  // term id → thesaurus local id, -1 if none
	contracts   map[pairKey]bool
}

// noTerm marks a thesaurus group that no offering mentions.
const noTerm = math.MaxUint32

// conceptPrefix marks thesaurus concept terms; like domainPrefix it cannot
// occur in analysed text.
const conceptPrefix = "\x02"

type offeringInfo struct {
	id, university string
	domains        []string
	experts        []string
}

type termScore struct {
	term uint32
	s    float32
}

type posting struct {
	doc uint32
	s   float32
}

// query is a problem analysed for matching.
type query struct {
	id, enterprise     string
	title, description string
	domains            []string
	terms              []termWeight // sorted by term; only terms the offerings use
	total              float64      // Σ w
	phrases            []phrase
	concepts           []concept // thesaurus concepts, by group
	history            bool      // the enterprise has a contract with some university
	// spans are the title's and description's terms that the offerings
	// use, in text order, for explaining a score.
	spans []span
}

// span is a problem term occurrence: the index of its term in query.terms and
// its bytes in the title (field 0) or description (field 1).
type span struct {
	term       int32
	start, end int32
	field      uint8
}

// concept is a thesaurus group a problem mentions: an offering covers it by
// the best of its alternatives, each scaled by its credit.
type concept struct {
	group int32
	w     float64 // query weight × conceptWeight × idf
	text  string  // the thesaurus term the problem uses, as written
	alts  []alt
}

type alt struct {
	term   uint32
	group  int32
	credit float64 // 1 for the group itself, relatedCredit for a linked group
}

type termWeight struct {
	term uint32
	w    float64 // query weight × idf
}

// phrase is a problem keyword as a term sequence; terms is nil when some of
// its terms occur in no offering (it cannot match).
type phrase struct {
	text  string
	terms []uint32
}

type accumulator struct {
	score   []float64
	touched []uint32
	best    []float64 // a concept's best alternative per offering
	bestHit []uint32
	hits    hitHeap   // the touched offerings with their bag-of-words score
	phrases []float64 // per offering, the query's phrases it may contain
	lows    []float64 // the k largest lower bounds of scores
}

// termField is a term occurrence in a field, used while building.
type termField struct {
	term  uint32
	field uint8
}

// NewIndex analyses the problems and offerings of ds; it is NewIndexWith(ds,
// Options{}).
func NewIndex(ds *fairmatch.Dataset) *Index { return NewIndexWith(ds, Options{}) }

// NewIndexWith analyses the problems and offerings of ds with the given
// options.
func NewIndexWith(ds *fairmatch.Dataset, opt Options) *Index {
	ix := &Index{
		th:           opt.Thesaurus,
		p:            defaultParams(),
		vocab:        make(map[string]uint32),
		offerings:    make([]offeringInfo, len(ds.Offerings)),
		offeringAt:   make(map[string]int32, len(ds.Offerings)),
		byUniversity: make(map[string][]int32),
		byExpert:     make(map[string][]int32),
		people:       make(map[string]bool, len(ds.People)),
	}
	if opt.History {
		ix.contracts = contracts(ds.History)
	}
	ix.buildOfferings(ds.Offerings)
	for _, u := range ds.Universities {
		if _, ok := ix.byUniversity[u.ID]; !ok {
			ix.byUniversity[u.ID] = nil
		}
	}
	for _, p := range ds.People {
		ix.people[p.ID] = true
	}
	ix.problems = make([]query, len(ds.Problems))
	ix.problemAt = make(map[string]int32, len(ds.Problems))
	var x queryScratch
	for i := range ds.Problems {
		ix.buildQuery(&ix.problems[i], &ds.Problems[i], &x)
		ix.problemAt[ds.Problems[i].ID] = int32(i)
	}
	n := len(ix.offerings)
	ix.acc.New = func() any {
		return &accumulator{score: make([]float64, n), best: make([]float64, n), phrases: make([]float64, n)}
	}
	return ix
}

// contracts returns the pairs whose history has an outcome of contract or
// beyond, and each of their enterprises paired with "".
func contracts(hs []fairmatch.History) map[pairKey]bool {
	least := slices.Index(fairmatch.Outcomes, "contract")
	m := make(map[pairKey]bool)
	for _, h := range hs {
		if i := slices.Index(fairmatch.Outcomes, h.Outcome); least >= 0 && i >= least {
			m[pairKey{h.Enterprise, h.University}] = true
			m[pairKey{h.Enterprise, ""}] = true // the enterprise has some contract
		}
	}
	return m
}

func (ix *Index) intern(term []byte) uint32 {
	if id, ok := ix.vocab[string(term)]; ok {
		return id
	}
	id := uint32(len(ix.vocab))
	ix.vocab[string(term)] = id
	return id
}

// appendDomainTerms calls fn with the terms of a domain: the whole
// lower-cased path and each of its '/' prefixes.
func appendDomainTerms(buf []byte, domain string, fn func([]byte)) []byte {
	d := strings.ToLower(strings.TrimSpace(domain))
	if d == "" {
		return buf
	}
	buf = append(append(buf[:0], domainPrefix...), d...)
	fn(buf)
	for i := len(d) - 1; i > 0; i-- {
		if d[i] == '/' {
			fn(buf[:len(domainPrefix)+i])
		}
	}
	return buf
}

func (ix *Index) buildOfferings(offs []fairmatch.Offering) {
	n := len(offs)
	var sc scanner
	var dbuf []byte
	ix.seqOff = make([]uint32, 0, 4*n+1)
	textBytes := 0
	for i := range offs {
		textBytes += len(offs[i].Title) + len(offs[i].Description) + len(offs[i].Keywords) + len(offs[i].Domains)
		for _, k := range offs[i].Keywords {
			textBytes += len(k)
		}
	}
	// About one term per Han character (3 bytes) and fewer for Latin text.
	ix.seq = make([]uint32, 0, textBytes/3+1)
	var lenSum [numFields]float64
	add := func(t []byte, _, _ int) { ix.seq = append(ix.seq, ix.intern(t)) }
	for i := range offs {
		o := &offs[i]
		ix.offerings[i] = offeringInfo{id: o.ID, university: o.University, domains: o.Domains, experts: o.Experts}
		ix.offeringAt[o.ID] = int32(i)
		ix.byUniversity[o.University] = append(ix.byUniversity[o.University], int32(i))
		for _, e := range o.Experts {
			if l := ix.byExpert[e]; len(l) == 0 || l[len(l)-1] != int32(i) {
				ix.byExpert[e] = append(l, int32(i))
			}
		}
		start := len(ix.seq)
		ix.seqOff = append(ix.seqOff, uint32(len(ix.seq)))
		sc.scan(o.Title, add)
		lenSum[fieldTitle] += float64(len(ix.seq) - start)
		ix.seqOff = append(ix.seqOff, uint32(len(ix.seq)))
		for _, k := range o.Keywords {
			ix.seq = append(ix.seq, sep)
			lenSum[fieldKeywords]--
			sc.scan(k, add)
		}
		lenSum[fieldKeywords] += float64(len(ix.seq)) - float64(ix.seqOff[len(ix.seqOff)-1])
		ix.seqOff = append(ix.seqOff, uint32(len(ix.seq)))
		sc.scan(o.Description, add)
		lenSum[fieldDescription] += float64(len(ix.seq)) - float64(ix.seqOff[len(ix.seqOff)-1])
		ix.seqOff = append(ix.seqOff, uint32(len(ix.seq)))
		for _, d := range o.Domains {
			dbuf = appendDomainTerms(dbuf, d, func(t []byte) { ix.seq = append(ix.seq, ix.intern(t)) })
		}
		lenSum[fieldDomains] += float64(len(ix.seq)) - float64(ix.seqOff[len(ix.seqOff)-1])
	}
	ix.seqOff = append(ix.seqOff, uint32(len(ix.seq)))
	ix.prepareThesaurus()

	var avg [numFields]float64
	for f := range avg {
		avg[f] = max(1, lenSum[f]/float64(max(n, 1)))
	}
	satRef := saturate(ix.p.refTF, ix.p.k1)

	// Forward index and document frequencies.
	df := make([]uint32, len(ix.vocab))
	ix.fwdOff = make([]uint32, 0, n+1)
	ix.fwd = make([]termScore, 0, len(ix.seq)) // an offering has at most as many distinct terms as terms
	var occ []termField
	var local []int32
	for d := range n {
		ix.fwdOff = append(ix.fwdOff, uint32(len(ix.fwd)))
		occ = occ[:0]
		var norm [numFields]float64
		for f := range numFields {
			lo, hi := ix.seqOff[4*d+f], ix.seqOff[4*d+f+1]
			l := 0
			for _, t := range ix.seq[lo:hi] {
				if t != sep {
					occ = append(occ, termField{t, uint8(f)})
					l++
				}
			}
			if ix.th != nil && f != fieldDomains {
				local = ix.localIDs(local[:0], ix.seq[lo:hi])
				ix.th.match(local, func(ph int32, _, _ int) {
					occ = append(occ, termField{ix.conceptTerm[ix.th.phrases[ph].group], uint8(f)})
				})
			}
			b := ix.p.fieldB[f]
			norm[f] = ix.p.fieldWeight[f] / (1 - b + b*float64(l)/avg[f])
		}
		slices.SortFunc(occ, func(a, b termField) int { return cmp.Compare(a.term, b.term) })
		for i := 0; i < len(occ); {
			j, wtf := i, 0.0
			for ; j < len(occ) && occ[j].term == occ[i].term; j++ {
				wtf += norm[occ[j].field]
			}
			s := min(1, saturate(wtf, ix.p.k1)/satRef)
			ix.fwd = append(ix.fwd, termScore{occ[i].term, float32(s)})
			df[occ[i].term]++
			i = j
		}
	}
	ix.fwdOff = append(ix.fwdOff, uint32(len(ix.fwd)))

	ix.idf = make([]float64, len(df))
	ix.postOff = make([]uint32, len(df)+1)
	for t, c := range df {
		ix.idf[t] = math.Log(1 + (float64(n)-float64(c)+0.5)/(float64(c)+0.5))
		ix.postOff[t+1] = ix.postOff[t] + c
	}
	ix.post = make([]posting, len(ix.fwd))
	next := slices.Clone(ix.postOff[:len(df)])
	for d := range n {
		for _, ts := range ix.fwd[ix.fwdOff[d]:ix.fwdOff[d+1]] {
			ix.post[next[ts.term]] = posting{uint32(d), ts.s}
			next[ts.term]++
		}
	}
}

// prepareThesaurus maps the offerings' terms to the thesaurus's and gives
// each thesaurus group a concept term. It runs once the offerings' text
// terms are interned.
func (ix *Index) prepareThesaurus() {
	if ix.th == nil {
		return
	}
	ix.g2l = make([]int32, len(ix.vocab))
	for i := range ix.g2l {
		ix.g2l[i] = -1
	}
	for t, l := range ix.th.local {
		if id, ok := ix.vocab[t]; ok {
			ix.g2l[id] = l
		}
	}
	ix.conceptTerm = make([]uint32, len(ix.th.groups))
	var buf []byte
	for g := range ix.th.groups {
		buf = strconv.AppendInt(append(buf[:0], conceptPrefix...), int64(g), 10)
		ix.conceptTerm[g] = ix.intern(buf)
	}
}

// localIDs appends the thesaurus ids of the term ids seq to dst (-1 for a
// term the thesaurus does not use or a keyword separator).
func (ix *Index) localIDs(dst []int32, seq []uint32) []int32 {
	for _, t := range seq {
		l := int32(-1)
		if int(t) < len(ix.g2l) {
			l = ix.g2l[t]
		}
		dst = append(dst, l)
	}
	return dst
}

// df returns the number of offerings that contain term t.
func (ix *Index) df(t uint32) uint32 { return ix.postOff[t+1] - ix.postOff[t] }

// saturate is BM25's term-frequency saturation.
func saturate(tf, k1 float64) float64 { return tf * (k1 + 1) / (k1 + tf) }

// queryScratch holds the reusable buffers of buildQuery.
type queryScratch struct {
	sc    scanner
	occ   []termField
	dbuf  []byte
	local []int32      // thesaurus ids of the current field's terms
	cocc  []conceptOcc // thesaurus phrases found in the problem
}

type conceptOcc struct {
	phrase int32
	field  uint8
}

func (ix *Index) buildQuery(q *query, p *fairmatch.Problem, x *queryScratch) {
	*q = query{id: p.ID, enterprise: p.Enterprise, title: p.Title, description: p.Description, domains: p.Domains}
	x.occ, x.cocc = x.occ[:0], x.cocc[:0]
	field := uint8(0)
	add := func(t []byte, start, end int) {
		if ix.th != nil {
			l, ok := ix.th.local[string(t)]
			if !ok {
				l = -1
			}
			x.local = append(x.local, l)
		}
		if id, ok := ix.vocab[string(t)]; ok {
			x.occ = append(x.occ, termField{id, field})
			f := uint8(0)
			if field == fieldDescription {
				f = 1
			}
			q.spans = append(q.spans, span{int32(id), int32(start), int32(end), f})
		}
	}
	// concepts finds the thesaurus phrases among the terms just scanned.
	concepts := func() {
		if ix.th != nil {
			ix.th.match(x.local, func(ph int32, _, _ int) { x.cocc = append(x.cocc, conceptOcc{ph, field}) })
			x.local = x.local[:0]
		}
	}
	field = fieldTitle
	x.sc.scan(p.Title, add)
	concepts()
	field = fieldKeywords
	for _, k := range p.Keywords {
		ph := phrase{text: k}
		ok, count := true, 0
		x.sc.scan(k, func(t []byte, _, _ int) {
			count++
			if ix.th != nil {
				l, found := ix.th.local[string(t)]
				if !found {
					l = -1
				}
				x.local = append(x.local, l)
			}
			id, found := ix.vocab[string(t)]
			if !found {
				ok = false
				return
			}
			ph.terms = append(ph.terms, id)
			x.occ = append(x.occ, termField{id, fieldKeywords})
		})
		concepts()
		if count == 0 {
			continue
		}
		if !ok {
			ph.terms = nil
		}
		q.phrases = append(q.phrases, ph)
	}
	field = fieldDescription
	x.sc.scan(p.Description, add)
	concepts()
	for _, d := range p.Domains {
		x.dbuf = appendDomainTerms(x.dbuf, d, func(t []byte) {
			if id, ok := ix.vocab[string(t)]; ok {
				x.occ = append(x.occ, termField{id, fieldDomains})
			}
		})
	}
	occ := x.occ
	slices.SortFunc(occ, func(a, b termField) int {
		return cmp.Or(cmp.Compare(a.term, b.term), cmp.Compare(a.field, b.field))
	})
	for i := 0; i < len(occ); {
		j := i
		var seen [numFields]bool
		qw := 0.0
		for ; j < len(occ) && occ[j].term == occ[i].term; j++ {
			if f := occ[j].field; !seen[f] {
				seen[f] = true
				qw += ix.p.queryWeight[f]
			}
		}
		w := qw * ix.idf[occ[i].term]
		q.terms = append(q.terms, termWeight{occ[i].term, w})
		q.total += w
		i = j
	}
	ix.buildConcepts(q, x.cocc)
	ix.mapSpans(q)
	q.history = ix.contracts[pairKey{q.enterprise, ""}]
}

// buildConcepts adds the thesaurus groups found in the problem, in group
// order, weighted like terms by the fields they occur in.
func (ix *Index) buildConcepts(q *query, cocc []conceptOcc) {
	if len(cocc) == 0 {
		return
	}
	group := func(c conceptOcc) int32 { return ix.th.phrases[c.phrase].group }
	slices.SortStableFunc(cocc, func(a, b conceptOcc) int { return cmp.Compare(group(a), group(b)) })
	for i := 0; i < len(cocc); {
		g := group(cocc[i])
		j := i
		var seen [numFields]bool
		qw, size := 0.0, 0
		for ; j < len(cocc) && group(cocc[j]) == g; j++ {
			if f := cocc[j].field; !seen[f] {
				seen[f] = true
				qw += ix.p.queryWeight[f]
			}
			size = max(size, len(ix.th.phrases[cocc[j].phrase].terms))
		}
		c := concept{group: g, text: ix.th.phrases[cocc[i].phrase].text}
		// The concept weighs as much as the words the problem uses for it
		// (its longest phrase's term count) times its own rarity, or, if no
		// offering names it, that of its most common related group.
		idf := -1.0
		if t := ix.conceptTerm[g]; ix.df(t) > 0 {
			c.alts = append(c.alts, alt{t, g, 1})
			idf = ix.idf[t]
		}
		for _, r := range ix.th.groups[g].related {
			if t := ix.conceptTerm[r]; ix.df(t) > 0 {
				c.alts = append(c.alts, alt{t, r, ix.p.relatedCredit})
				if len(c.alts) == 1 || (c.alts[0].group != g && ix.idf[t] < idf) {
					idf = ix.idf[t]
				}
			}
		}
		if len(c.alts) > 0 {
			c.w = qw * ix.p.conceptWeight * float64(size) * idf
			q.concepts = append(q.concepts, c)
			q.total += c.w
		}
		i = j
	}
}

// mapSpans turns the term ids of q.spans into indexes of q.terms.
func (ix *Index) mapSpans(q *query) {
	for k := range q.spans {
		i, _ := slices.BinarySearchFunc(q.terms, uint32(q.spans[k].term), func(tw termWeight, id uint32) int {
			return cmp.Compare(tw.term, id)
		})
		q.spans[k].term = int32(i)
	}
}
