package notify

import (
	"strings"
	"unicode/utf8"
)

// maxLineOctets is the longest content line RFC 5545 §3.1 allows, not
// counting the CRLF.
const maxLineOctets = 75

// escapeText returns s as an RFC 5545 TEXT value (§3.3.11): backslash,
// semicolon and comma are escaped with a backslash and line breaks (LF, CRLF
// or a lone CR) become "\n". Control characters other than HTAB, which TEXT
// cannot hold, are dropped, and each byte of invalid UTF-8 becomes U+FFFD.
func escapeText(s string) string { return string(appendText(nil, s)) }

// appendText appends s to dst as escapeText returns it.
func appendText(dst []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.Map(func(r rune) rune { return r }, s) // each bad byte to U+FFFD
	}
	run := 0 // start of the bytes not yet copied; non-ASCII bytes never need escaping
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != ';' && c != ',' && c != 0x7f || c == '\t' {
			continue
		}
		dst = append(dst, s[run:i]...)
		run = i + 1
		switch c {
		case '\\', ';', ',':
			dst = append(dst, '\\', c)
		case '\r':
			dst = append(dst, `\n`...)
			if i+1 < len(s) && s[i+1] == '\n' {
				i++ // CRLF is one line break
				run = i + 1
			}
		case '\n':
			dst = append(dst, `\n`...)
		}
		// other control characters are dropped
	}
	return append(dst, s[run:]...)
}

// paramValue returns s as a parameter value (§3.2). Parameter values have no
// escape mechanism in RFC 5545: a double quote becomes an apostrophe and
// control characters are dropped. The value is quoted when quote is set or
// when it contains a character that needs quoting.
func paramValue(s string, quote bool) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r == '\t':
			return ' '
		case isControl(r):
			return -1
		}
		return r
	}, s)
	if quote || strings.ContainsAny(s, ";:,") {
		return `"` + s + `"`
	}
	return s
}

// isControl reports whether r is an ASCII control character (CTL in RFC 5545).
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// appendFolded appends line to dst as one or more physical lines of at most
// maxLineOctets octets each, every one ended by CRLF (§3.1). Continuation
// lines start with a space. A line is only ever broken at a UTF-8 character
// boundary. line must be valid UTF-8 without CR or LF.
func appendFolded[T ~string | ~[]byte](dst []byte, line T) []byte {
	limit := maxLineOctets
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		// Keep an escape sequence ("\;", "\n", ...) on one line: unfolding
		// would restore it anyway, but some readers unescape line by line.
		if n := trailingBackslashes(line[:cut]); n%2 == 1 {
			cut--
		}
		dst = append(dst, line[:cut]...)
		dst = append(dst, "\r\n "...)
		line = line[cut:]
		limit = maxLineOctets - 1 // the leading space counts
	}
	dst = append(dst, line...)
	return append(dst, "\r\n"...)
}

// trailingBackslashes counts the backslashes that end s.
func trailingBackslashes[T ~string | ~[]byte](s T) int {
	n := 0
	for n < len(s) && s[len(s)-1-n] == '\\' {
		n++
	}
	return n
}

// contentWriter accumulates the content lines of an iCalendar object.
type contentWriter struct {
	buf  []byte
	line []byte // scratch for the unfolded line
}

// raw writes a content line whose value needs no escaping (a keyword, a
// number, a date-time).
func (w *contentWriter) raw(name, value string) { w.prop(name, nil, value) }

// text writes a content line with a TEXT value.
func (w *contentWriter) text(name, value string) {
	w.line = append(w.line[:0], name...)
	w.line = append(w.line, ':')
	w.line = appendText(w.line, value)
	w.buf = appendFolded(w.buf, w.line)
}

// prop writes name, its parameters (each "NAME=value", already formatted) and
// value, which must already be in its content-line form.
func (w *contentWriter) prop(name string, params []string, value string) {
	w.line = append(w.line[:0], name...)
	for _, p := range params {
		w.line = append(w.line, ';')
		w.line = append(w.line, p...)
	}
	w.line = append(w.line, ':')
	w.line = append(w.line, value...)
	w.buf = appendFolded(w.buf, w.line)
}
