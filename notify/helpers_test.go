package notify

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ical "github.com/arran4/golang-ical"

	"github.com/fairmatch/fairmatch"

	_ "time/tzdata" // the tests need zones even on a host without a zone database
)

// stamp is the DTSTAMP of every calendar the tests render.
var stamp = time.Date(2027, time.March, 1, 8, 30, 0, 0, time.UTC)

// loadJSON decodes testdata/name into v, refusing unknown fields.
func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// fixture is the small Chinese fair of testdata/.
type fixture struct {
	ds        *fairmatch.Dataset
	dir       *Directory
	agenda    *fairmatch.Agenda
	cancelled []fairmatch.Meeting
}

func loadFixture(t testing.TB) fixture {
	t.Helper()
	var f fixture
	f.ds = new(fairmatch.Dataset)
	f.agenda = new(fairmatch.Agenda)
	loadJSON(t, "dataset.json", f.ds)
	loadJSON(t, "agenda.json", f.agenda)
	loadJSON(t, "cancelled.json", &f.cancelled)
	f.dir = NewDirectory(f.ds)
	return f
}

// attendees returns every person id of the fixture's meetings and cancelled
// meetings, each once.
func (f fixture) attendees() []string {
	seen := map[string]bool{}
	var ids []string
	for _, ms := range [][]fairmatch.Meeting{f.agenda.Meetings, f.cancelled} {
		for _, m := range ms {
			for _, id := range m.Attendees {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}

// parseICS parses b with golang-ical after checking its physical lines.
func parseICS(t testing.TB, b []byte) *ical.Calendar {
	t.Helper()
	checkLines(t, b)
	cal, err := ical.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("golang-ical cannot parse the calendar: %v\n%s", err, b)
	}
	return cal
}

// checkLines checks every physical line of an iCalendar stream: CRLF ends,
// at most 75 octets, valid UTF-8 on its own (a fold that split a character
// would leave both halves invalid), no control characters.
func checkLines(t testing.TB, b []byte) {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Fatalf("stream does not end with CRLF")
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n")
	for i, l := range lines {
		if len(l) > maxLineOctets {
			t.Errorf("line %d has %d octets: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d is not valid UTF-8 on its own (a split character?): %q", i+1, l)
		}
		if strings.ContainsFunc(l, func(r rune) bool { return r != '\t' && isControl(r) }) {
			t.Errorf("line %d holds a control character (bare CR or LF?): %q", i+1, l)
		}
		if i == 0 && strings.HasPrefix(l, " ") {
			t.Errorf("first line is a continuation")
		}
	}
}

// unfold joins folded lines (RFC 5545 §3.1): a CRLF followed by one space or
// tab is removed.
func unfold(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(out) > 0 && (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) {
			out[len(out)-1] += l[1:]
			continue
		}
		out = append(out, l)
	}
	return out
}

// unescape decodes a TEXT value (RFC 5545 §3.3.11); ok is false for an
// escape that TEXT does not have or an unescaped special character.
func unescape(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ';', ',':
			return "", false
		case '\\':
			if i+1 == len(s) {
				return "", false
			}
			i++
			switch s[i] {
			case '\\', ';', ',':
				b.WriteByte(s[i])
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				return "", false
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// events returns the VEVENTs of cal by UID.
func events(t testing.TB, cal *ical.Calendar) map[string]*ical.VEvent {
	t.Helper()
	m := map[string]*ical.VEvent{}
	for _, e := range cal.Events() {
		uid := prop(t, &e.ComponentBase, ical.ComponentPropertyUniqueId)
		if m[uid] != nil {
			t.Fatalf("two events with UID %s", uid)
		}
		m[uid] = e
	}
	return m
}

// prop returns the value of the one property name of c.
func prop(t testing.TB, c *ical.ComponentBase, name ical.ComponentProperty) string {
	t.Helper()
	ps := c.GetProperties(name)
	if len(ps) != 1 {
		t.Fatalf("%d %s properties, want 1", len(ps), name)
	}
	return ps[0].Value
}

// cleanText returns the text that escapeText represents: s with line breaks
// normalized to LF, control characters other than HTAB dropped and invalid
// UTF-8 replaced byte by byte (strings.Map does that). It is what a
// conforming parser reads back.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case isControl(r):
			return -1
		}
		return r
	}, s)
}
