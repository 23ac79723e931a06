package matcher

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is one index term of analysed text and the byte span of the source
// text it came from.
type Token struct {
	Term  string
	Start int // byte offset of the first source byte
	End   int // byte offset just past the last source byte
}

// Analyze splits text into the index terms the matcher uses:
//
//   - Han text is split into runs (broken at punctuation, spaces, non-Han
//     characters and the particles 的 与 及 或 了); a run of one character
//     gives that character, a longer run gives its overlapping bigrams
//     ("热误差" → "热误", "误差").
//   - Other text is split on anything that is not a letter or digit, after
//     folding full-width forms to ASCII. A word that looks like an acronym or
//     a model number — it has a digit or an upper-case letter after its first
//     character (5G, GaN, SiC, dPCR, PEMFC, X100) — is lower-cased and kept
//     as it is. Any other word is lower-cased, dropped if it is a stop word or
//     a single character, and lightly stemmed (welding, welded, welds → weld).
//
// Terms are returned in text order.
func Analyze(text string) []Token {
	var out []Token
	var sc scanner
	sc.scan(text, func(term []byte, start, end int) {
		out = append(out, Token{Term: string(term), Start: start, End: end})
	})
	return out
}

// scanner holds the reusable buffers of the analyser; its zero value is ready
// to use. It is not safe for concurrent use.
type scanner struct {
	runes []runePos
	word  []byte
	term  []byte
}

type runePos struct {
	r          rune
	start, end int
}

// hanBreakers are particles that never start or end a term; a Han run is split
// at them so that bigrams like "的热" are not formed.
func isHanBreaker(r rune) bool {
	switch r {
	case '的', '与', '及', '或', '了':
		return true
	}
	return false
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// foldWidth maps full-width ASCII forms (U+FF01–U+FF5E) to ASCII.
func foldWidth(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		return r - 0xFEE0
	}
	return r
}

// scan calls emit for every term of text with the term's bytes (valid only
// during the call) and its source span.
func (sc *scanner) scan(text string, emit func(term []byte, start, end int)) {
	const (
		other = iota
		han
		word
	)
	kind := other
	flush := func() {
		switch kind {
		case han:
			sc.emitHan(text, emit)
		case word:
			sc.emitWord(emit)
		}
		sc.runes = sc.runes[:0]
		kind = other
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && size <= 1 {
			flush()
			i += max(size, 1)
			continue
		}
		rp := runePos{r: r, start: i, end: i + size}
		i += size
		switch f := foldWidth(r); {
		case isHanBreaker(r):
			flush()
		case isHan(r):
			if kind != han {
				flush()
				kind = han
			}
			sc.runes = append(sc.runes, rp)
		case unicode.IsLetter(f) || unicode.IsDigit(f):
			if kind != word {
				flush()
				kind = word
			}
			rp.r = f
			sc.runes = append(sc.runes, rp)
		default:
			flush()
		}
	}
	flush()
}

func (sc *scanner) emitHan(text string, emit func([]byte, int, int)) {
	rs := sc.runes
	if len(rs) == 1 {
		sc.term = append(sc.term[:0], text[rs[0].start:rs[0].end]...)
		emit(sc.term, rs[0].start, rs[0].end)
		return
	}
	for i := 0; i+1 < len(rs); i++ {
		sc.term = append(sc.term[:0], text[rs[i].start:rs[i+1].end]...)
		emit(sc.term, rs[i].start, rs[i+1].end)
	}
}

func (sc *scanner) emitWord(emit func([]byte, int, int)) {
	rs := sc.runes
	acronym := false
	for i, p := range rs {
		if unicode.IsDigit(p.r) || (i > 0 && unicode.IsUpper(p.r)) {
			acronym = true
			break
		}
	}
	sc.word = sc.word[:0]
	for _, p := range rs {
		sc.word = utf8.AppendRune(sc.word, unicode.ToLower(p.r))
	}
	start, end := rs[0].start, rs[len(rs)-1].end
	if acronym {
		if len(rs) < 2 {
			return
		}
		emit(sc.word, start, end)
		return
	}
	if len(rs) < 2 || stopWords[string(sc.word)] {
		return
	}
	sc.term = appendStem(sc.term[:0], sc.word)
	if stopWords[string(sc.term)] {
		return
	}
	emit(sc.term, start, end)
}

// stopWords are common English words that carry no technical meaning.
var stopWords = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`a about above after again against all also am an and any are as at be
		because been before being below between both but by can could did do does doing down during
		each etc few for from further had has have having he her here hers him his how i if in into
		is it its itself just may me might more most must my no nor not of off on once only or other
		our ours out over own per same shall she should so some such than that the their theirs them
		then there these they this those through to too under until up upon use used using very via
		was we were what when where which while who whom why will with within without would you your
		new based method system systems technology technologies application applications high low`) {
		m[w] = true
	}
	return m
}()

// appendStem appends a light English stem of the lower-case word w to dst:
// plural -s/-es/-ies, -ing, -ed, -ion after t or s, and a final -e are
// removed, and a doubled final consonant left by -ing or -ed is undoubled.
// Non-ASCII words are returned unchanged.
func appendStem(dst, w []byte) []byte {
	for _, c := range w {
		if c >= utf8.RuneSelf {
			return append(dst, w...)
		}
	}
	s := string(w) // small; the compiler keeps it on the stack for short words
	hasVowel := func(x string) bool { return strings.ContainsAny(x, "aeiouy") }
	switch {
	case strings.HasSuffix(s, "ies") && len(s) > 4:
		s = s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "sses"), strings.HasSuffix(s, "shes"), strings.HasSuffix(s, "ches"),
		strings.HasSuffix(s, "xes"):
		s = s[:len(s)-2]
	case strings.HasSuffix(s, "ss"), strings.HasSuffix(s, "us"), strings.HasSuffix(s, "is"):
	case strings.HasSuffix(s, "s") && len(s) > 3:
		s = s[:len(s)-1]
	}
	undouble := false
	switch {
	case strings.HasSuffix(s, "ing") && len(s) > 5 && hasVowel(s[:len(s)-3]):
		s, undouble = s[:len(s)-3], true
	case strings.HasSuffix(s, "ed") && len(s) > 4 && hasVowel(s[:len(s)-2]):
		s, undouble = s[:len(s)-2], true
	case (strings.HasSuffix(s, "tion") || strings.HasSuffix(s, "sion")) && len(s) > 6:
		s = s[:len(s)-3]
	}
	if undouble && len(s) > 3 {
		a, b := s[len(s)-1], s[len(s)-2]
		if a == b && !strings.ContainsRune("aeiouylsz", rune(a)) {
			s = s[:len(s)-1]
		}
	}
	if strings.HasSuffix(s, "e") && len(s) > 4 {
		s = s[:len(s)-1]
	}
	return append(dst, s...)
}
