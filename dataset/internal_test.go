package dataset

import (
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"=1+1", "'=1+1"},
		{"+86 351", "'+86 351"},
		{"-20℃", "'-20℃"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"'", "'"},
		{"'s-Hertogenbosch", "'s-Hertogenbosch"},
		{"'=x", "''=x"},
		{"''", "'''"},
		{"a=b", "a=b"},
	}
	for _, tt := range tests {
		if got := escape(tt.in); got != tt.want {
			t.Errorf("escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := unescape(escape(tt.in)); got != tt.in {
			t.Errorf("unescape(escape(%q)) = %q", tt.in, got)
		}
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "=", "'", "''=", "'a", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := escape(s)
		if got := unescape(e); got != s {
			t.Errorf("unescape(escape(%q)) = %q", s, got)
		}
		if e != "" && formulaStart(e[0]) {
			t.Errorf("escape(%q) = %q starts a formula", s, e)
		}
	})
}

func TestFormats(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want int
		ok   bool
	}{{"00:00", 0, true}, {"09:30", 570, true}, {"23:59", 1439, true}, {"24:00", 0, false},
		{"9:30", 0, false}, {"09:60", 0, false}, {"09-30", 0, false}, {"０9:30", 0, false}} {
		if got, ok := minutes(tt.s); got != tt.want || ok != tt.ok {
			t.Errorf("minutes(%q) = %d, %v; want %d, %v", tt.s, got, ok, tt.want, tt.ok)
		}
	}
	for s, want := range map[string]bool{"2027-03": true, "2027-12": true, "2027-00": false,
		"2027-13": false, "2027-3": false, "27-03": false, "*": false, "2027/03": false} {
		if got := isFairID(s); got != want {
			t.Errorf("isFairID(%q) = %v", s, got)
		}
	}
	for s, want := range map[string]bool{"wang@example.com": true, "li.zy+fair@nuc.edu.cn": true,
		"王工@example.cn": true, "wang@localhost": false, "wang": false, "@example.com": false,
		"Wang <wang@example.com>": false, "wang@example..com": false, "wang@.example.com": false,
		"wang@example.com.": false, "wang @example.com": false} {
		if got := plausibleEmail(s); got != want {
			t.Errorf("plausibleEmail(%q) = %v", s, got)
		}
	}
	for i, want := range map[int]string{0: "column A", 25: "column Z", 26: "column AA", 701: "column ZZ", 702: "column AAA"} {
		if got := columnName(i); got != want {
			t.Errorf("columnName(%d) = %q, want %q", i, got, want)
		}
	}
}

func TestLineColumn(t *testing.T) {
	data := []byte("{\n  \"名称\": x\n}")
	for _, tt := range []struct{ off, line, col int }{
		{0, 1, 1}, {1, 1, 2}, {2, 2, 1}, {strings.Index(string(data), "x"), 2, 9}, {len(data), 3, 2}, {-5, 1, 1},
	} {
		if line, col := lineColumn(data, tt.off); line != tt.line || col != tt.col {
			t.Errorf("lineColumn(%d) = %d:%d, want %d:%d", tt.off, line, col, tt.line, tt.col)
		}
	}
}

func TestFormatAvailability(t *testing.T) {
	a, reason := parseAvailability(" 2027-05= ; *=14:00-17:00；*= 09:00 - 12:00 ;2027-03=09:00-10:00")
	if reason != "" {
		t.Fatal(reason)
	}
	const want = "*=14:00-17:00;*=09:00-12:00;2027-03=09:00-10:00;2027-05="
	if got := formatAvailability(a); got != want {
		t.Errorf("formatAvailability = %q, want %q", got, want)
	}
}
