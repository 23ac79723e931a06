package matcher

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/fairmatch/fairmatch"
	"go.yaml.in/yaml/v3"
)

// Thesaurus links the vocabularies of enterprises and universities: groups of
// terms that mean the same (synonyms, acronyms, translations) and
// broader/narrower relations between groups. Build one with
// [ParseThesaurus] and give it to [NewIndexWith].
//
// A Thesaurus is immutable and safe for concurrent use.
type Thesaurus struct {
	groups []thGroup
	byKey  map[string]int32 // normalised term → group
	// phrases are the analysed forms of every term, matched against analysed
	// text by their local term ids.
	phrases []thPhrase
	local   map[string]int32 // analysed term → local id
	first   [][]int32        // local id → phrases starting with it, longest first
}

type thGroup struct {
	terms   []string // as written, the head first
	related []int32  // groups linked as broader or narrower, sorted, distinct
}

type thPhrase struct {
	terms []int32 // local term ids
	group int32
	text  string // the term as written
}

// thesaurusKeys are the keys an entry may have.
var thesaurusKeys = []string{"term", "synonyms", "broader", "narrower"}

// ParseThesaurus reads a thesaurus in the YAML format documented in
// configs/example-thesaurus.yaml: a list of entries with a required term and
// optional synonyms, broader and narrower lists. Terms are compared after
// case folding, width folding and removing spaces.
//
// Parsing is strict. Every problem is reported at once in a
// *fairmatch.Error with code fairmatch.EINVALID whose issues name the file
// (name), the record ("line 12") and the key: unknown keys, a missing or
// empty term, a list where a string is wanted or the reverse, a key given
// twice, a term with no indexable word (only stop words), and a term that
// belongs to two synonym groups. An empty document is an empty thesaurus.
func ParseThesaurus(name string, data []byte) (*Thesaurus, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fairmatch.Invalid("thesaurus "+name+" is not valid YAML",
			[]fairmatch.Issue{{File: name, Reason: err.Error()}})
	}
	p := thParser{name: name, th: &Thesaurus{byKey: make(map[string]int32), local: make(map[string]int32)}}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		root := doc.Content[0]
		switch {
		case root.Kind == yaml.SequenceNode:
			p.entries(root)
		case root.Kind == yaml.ScalarNode && root.Tag == "!!null":
		default:
			p.issue(root, "", "the thesaurus must be a list of entries")
		}
	}
	if len(p.issues) > 0 {
		return nil, fairmatch.Invalid(fmt.Sprintf("thesaurus %s has %d error(s)", name, len(p.issues)), p.issues)
	}
	p.th.compile()
	return p.th, nil
}

type thParser struct {
	name   string
	th     *Thesaurus
	issues []fairmatch.Issue
	lineOf map[string]int // normalised term → line of the entry whose group holds it
}

func (p *thParser) issue(n *yaml.Node, field, format string, args ...any) {
	p.issues = append(p.issues, fairmatch.Issue{
		File: p.name, Record: fmt.Sprintf("line %d", n.Line), Field: field, Reason: fmt.Sprintf(format, args...),
	})
}

type thEntry struct {
	node              *yaml.Node
	term              string
	synonyms          []string
	broader, narrower []string
}

func (p *thParser) entries(seq *yaml.Node) {
	p.lineOf = make(map[string]int)
	entries := make([]thEntry, 0, len(seq.Content))
	for _, n := range seq.Content {
		if e, ok := p.entry(n); ok {
			entries = append(entries, e)
		}
	}
	// Synonym groups first, so that relations can refer to any group.
	groupOf := make([]int32, len(entries))
	for i, e := range entries {
		g := int32(len(p.th.groups))
		groupOf[i] = g
		var terms []string
		for _, t := range append([]string{e.term}, e.synonyms...) {
			k := normTerm(t)
			if prev, ok := p.th.byKey[k]; ok {
				if prev != g {
					p.issue(e.node, "synonyms", "%q is already in the synonym group of line %d", t, p.lineOf[k])
				}
				continue
			}
			if !p.checkIndexable(e.node, t) {
				continue
			}
			p.th.byKey[k] = g
			p.lineOf[k] = e.node.Line
			terms = append(terms, t)
		}
		p.th.groups = append(p.th.groups, thGroup{terms: terms})
	}
	for i, e := range entries {
		for _, t := range append(slices.Clone(e.broader), e.narrower...) {
			k := normTerm(t)
			r, ok := p.th.byKey[k]
			if !ok {
				if !p.checkIndexable(e.node, t) {
					continue
				}
				r = int32(len(p.th.groups))
				p.th.groups = append(p.th.groups, thGroup{terms: []string{t}})
				p.th.byKey[k] = r
				p.lineOf[k] = e.node.Line
			}
			if g := groupOf[i]; r != g {
				p.th.groups[g].related = append(p.th.groups[g].related, r)
				p.th.groups[r].related = append(p.th.groups[r].related, g)
			}
		}
	}
	for i := range p.th.groups {
		g := &p.th.groups[i]
		slices.Sort(g.related)
		g.related = slices.Compact(g.related)
	}
}

func (p *thParser) checkIndexable(n *yaml.Node, t string) bool {
	if len(Analyze(phraseText(t))) == 0 {
		p.issue(n, "", "term %q has no indexable word (only stop words or single letters)", t)
		return false
	}
	return true
}

func (p *thParser) entry(n *yaml.Node) (thEntry, bool) {
	e := thEntry{node: n}
	if n.Kind != yaml.MappingNode {
		p.issue(n, "", "an entry must be a mapping with term, synonyms, broader, narrower")
		return e, false
	}
	ok := true
	seen := make(map[string]bool)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		if k.Kind != yaml.ScalarNode || !slices.Contains(thesaurusKeys, key) {
			p.issue(k, key, "unknown key %q (want %s)", key, strings.Join(thesaurusKeys, ", "))
			ok = false
			continue
		}
		if seen[key] {
			p.issue(k, key, "key %q given twice", key)
			ok = false
			continue
		}
		seen[key] = true
		if key == "term" {
			s, good := p.scalar(v, key)
			ok = ok && good
			e.term = s
			continue
		}
		list, good := p.list(v, key)
		ok = ok && good
		switch key {
		case "synonyms":
			e.synonyms = list
		case "broader":
			e.broader = list
		case "narrower":
			e.narrower = list
		}
	}
	if !seen["term"] {
		p.issue(n, "term", "missing term")
		ok = false
	}
	return e, ok
}

// scalar returns a non-empty string value.
func (p *thParser) scalar(v *yaml.Node, key string) (string, bool) {
	if v.Kind != yaml.ScalarNode {
		p.issue(v, key, "want a string")
		return "", false
	}
	s := strings.TrimSpace(v.Value)
	if s == "" || v.Tag == "!!null" {
		p.issue(v, key, "empty term")
		return "", false
	}
	return s, true
}

// list returns a list of non-empty strings; a null value is an empty list.
func (p *thParser) list(v *yaml.Node, key string) ([]string, bool) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil, true
	}
	if v.Kind != yaml.SequenceNode {
		p.issue(v, key, "want a list of terms, e.g. [a, b]")
		return nil, false
	}
	out := make([]string, 0, len(v.Content))
	ok := true
	for _, c := range v.Content {
		s, good := p.scalar(c, key)
		if good {
			out = append(out, s)
		}
		ok = ok && good
	}
	return out, ok
}

// normTerm is the form in which terms are compared: case-folded,
// width-folded, without spaces.
func normTerm(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(foldWidth(r)))
	}
	return b.String()
}

// phraseText removes the spaces between two Han characters, which the
// analyser would otherwise treat as a break ("3D 打印" keeps its space, "焊缝
// 气孔" becomes "焊缝气孔").
func phraseText(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsSpace(r) {
			j := i
			for j < len(rs) && unicode.IsSpace(rs[j]) {
				j++
			}
			if i > 0 && j < len(rs) && isHan(rs[i-1]) && isHan(rs[j]) {
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// compile analyses every term into a phrase of local term ids.
func (th *Thesaurus) compile() {
	for g, grp := range th.groups {
		for _, t := range grp.terms {
			ph := thPhrase{group: int32(g), text: t}
			for _, tok := range Analyze(phraseText(t)) {
				id, ok := th.local[tok.Term]
				if !ok {
					id = int32(len(th.local))
					th.local[tok.Term] = id
				}
				ph.terms = append(ph.terms, id)
			}
			th.phrases = append(th.phrases, ph)
		}
	}
	th.first = make([][]int32, len(th.local))
	for i, ph := range th.phrases {
		th.first[ph.terms[0]] = append(th.first[ph.terms[0]], int32(i))
	}
	for _, l := range th.first {
		slices.SortStableFunc(l, func(a, b int32) int {
			return cmp.Compare(len(th.phrases[b].terms), len(th.phrases[a].terms))
		})
	}
}

// Len returns the number of synonym groups, including the terms that occur
// only as broader or narrower terms.
func (th *Thesaurus) Len() int {
	if th == nil {
		return 0
	}
	return len(th.groups)
}

// Synonyms returns the terms of term's synonym group as written, the head
// first, or nil if the thesaurus does not know term. Terms are compared after
// case folding and removing spaces.
func (th *Thesaurus) Synonyms(term string) []string {
	if th == nil {
		return nil
	}
	g, ok := th.byKey[normTerm(term)]
	if !ok {
		return nil
	}
	return slices.Clone(th.groups[g].terms)
}

// Related returns the head terms of the groups linked to term's group as
// broader or narrower, or nil.
func (th *Thesaurus) Related(term string) []string {
	if th == nil {
		return nil
	}
	g, ok := th.byKey[normTerm(term)]
	if !ok {
		return nil
	}
	var out []string
	for _, r := range th.groups[g].related {
		out = append(out, th.groups[r].terms[0])
	}
	return out
}

// match calls fn for the leftmost-longest, non-overlapping occurrences of the
// thesaurus's phrases in ids (local term ids, -1 for a term the thesaurus
// does not use), with the phrase index and its first and last positions.
func (th *Thesaurus) match(ids []int32, fn func(phrase int32, from, to int)) {
	for i := 0; i < len(ids); {
		next := i + 1
		if id := ids[i]; id >= 0 {
			for _, pi := range th.first[id] {
				terms := th.phrases[pi].terms
				if i+len(terms) <= len(ids) && slices.Equal(ids[i:i+len(terms)], terms) {
					fn(pi, i, i+len(terms)-1)
					next = i + len(terms)
					break
				}
			}
		}
		i = next
	}
}
