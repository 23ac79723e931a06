package notify

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	ical "github.com/arran4/golang-ical"
)

func TestEscapeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"热误差补偿", "热误差补偿"},
		{`a\b`, `a\\b`},
		{"a;b,c", `a\;b\,c`},
		{"line1\nline2", `line1\nline2`},
		{"crlf\r\nend", `crlf\nend`},
		{"cr\rend", `cr\nend`},
		{"cr\r\r\nend", `cr\n\nend`},
		{"tab\tkept", "tab\tkept"},
		{"bell\a del\x7f nul\x00", "bell del nul"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{`\n is not a line break`, `\\n is not a line break`},
		{`quote " and colon : stay`, `quote " and colon : stay`},
	}
	for _, tt := range tests {
		if got := escapeText(tt.in); got != tt.want {
			t.Errorf("escapeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
		got, ok := unescape(escapeText(tt.in))
		if !ok || got != cleanText(tt.in) {
			t.Errorf("unescape(escapeText(%q)) = %q, %v; want %q", tt.in, got, ok, cleanText(tt.in))
		}
	}
}

func TestParamValue(t *testing.T) {
	tests := []struct {
		in    string
		quote bool
		want  string
	}{
		{"王工", true, `"王工"`},
		{"Asia/Shanghai", false, "Asia/Shanghai"},
		{"a;b", false, `"a;b"`},
		{"a:b,c", false, `"a:b,c"`},
		{`say "hi"`, true, `"say 'hi'"`},
		{"two\nlines\ttab", true, `"twolines tab"`},
	}
	for _, tt := range tests {
		if got := paramValue(tt.in, tt.quote); got != tt.want {
			t.Errorf("paramValue(%q, %v) = %q, want %q", tt.in, tt.quote, got, tt.want)
		}
	}
}

func TestFormatOffset(t *testing.T) {
	tests := []struct {
		sec  int
		want string
	}{
		{8 * 3600, "+0800"},
		{0, "+0000"},
		{-5 * 3600, "-0500"},
		{5*3600 + 30*60, "+0530"},
		{-(3*3600 + 30*60), "-0330"},
		{8*3600 + 5*60 + 43, "+080543"},
	}
	for _, tt := range tests {
		if got := formatOffset(tt.sec); got != tt.want {
			t.Errorf("formatOffset(%d) = %q, want %q", tt.sec, got, tt.want)
		}
	}
}

// TestFold folds lines of characters of every UTF-8 length at every
// alignment against the 75-octet limit.
func TestFold(t *testing.T) {
	for _, unit := range []string{"a", "é", "中", "🔧", "a中", "中🔧é", `\;`, `\\`, `中\,`} {
		for pad := range 8 {
			for n := range 60 {
				line := "DESCRIPTION:" + strings.Repeat("x", pad) + strings.Repeat(unit, n)
				out := string(appendFolded(nil, line))
				checkLines(t, []byte(out))
				if got := unfold(out); len(got) != 1 || got[0] != line {
					t.Fatalf("unfold(fold(%q)) = %q", line, got)
				}
				phys := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
				for i, p := range phys[:len(phys)-1] {
					// A line is only cut short of the limit to keep a character or an
					// escape sequence whole.
					max := maxLineOctets
					if i > 0 {
						max--
					}
					if len(p) < max-4 {
						t.Errorf("%q: physical line %d has %d octets, folded too early", line, i, len(p))
					}
					if trailingBackslashes(p)%2 == 1 {
						t.Errorf("%q: physical line %d splits an escape sequence", line, i)
					}
				}
			}
		}
	}
}

// FuzzEscapeFold checks that escaping and folding any text, then unfolding
// and unescaping it, gives the text back: exactly, when it holds no control
// characters, line breaks other than LF or invalid UTF-8; else as cleanText
// normalizes it. A real parser must read the same value.
func FuzzEscapeFold(f *testing.F) {
	for _, s := range []string{
		"", "热误差; 补偿", `a\b,c;d` + "\n", strings.Repeat("精密制造🔧", 30), strings.Repeat(`\`, 80),
		"x\r\ny\rz", "bad\xff\xfe", strings.Repeat("é", 37) + ";",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line := "DESCRIPTION:" + escapeText(s)
		out := appendFolded(nil, line)
		checkLines(t, out)
		lines := unfold(string(out))
		if len(lines) != 1 || lines[0] != line {
			t.Fatalf("unfold gave %q, want %q", lines, line)
		}
		got, ok := unescape(strings.TrimPrefix(lines[0], "DESCRIPTION:"))
		if !ok {
			t.Fatalf("escapeText(%q) = %q is not valid TEXT", s, escapeText(s))
		}
		want := cleanText(s)
		if got != want {
			t.Fatalf("round trip of %q gave %q, want %q", s, got, want)
		}
		clean := utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r != '\n' && r != '\t' && isControl(r) })
		if clean && got != s {
			t.Fatalf("round trip of clean text %q gave %q", s, got)
		}

		var cal bytes.Buffer
		cal.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:fuzz\r\nBEGIN:VEVENT\r\nUID:x\r\n")
		cal.Write(out)
		cal.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
		parsed, err := ical.ParseCalendar(&cal)
		if err != nil {
			t.Fatalf("golang-ical: %v", err)
		}
		if evs := parsed.Events(); len(evs) != 1 || evs[0].GetProperty(ical.ComponentPropertyDescription) == nil {
			t.Fatalf("golang-ical found no DESCRIPTION")
		} else if v := evs[0].GetProperty(ical.ComponentPropertyDescription).Value; v != want {
			t.Fatalf("golang-ical read %q, want %q", v, want)
		}
	})
}
