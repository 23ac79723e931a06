package dataset

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	fm "github.com/fairmatch/fairmatch"
)

// rowSource yields the rows of one CSV file or XLSX sheet.
type rowSource interface {
	// next returns the next row's number (the header is row 1) and cells,
	// or io.EOF after the last row. The cells are valid until the next call.
	next() (row int, cells []string, err error)
}

// malformedError is a row that cannot be read at all (a broken CSV quote);
// the rest of the file is skipped.
type malformedError struct {
	row    int
	reason string
}

func (e *malformedError) Error() string { return fmt.Sprintf("row %d: %s", e.row, e.reason) }

// readRows reads a header row and then the records of kind k.
func (k *kind[T]) readRows(d *decoder, file string, src rowSource) error {
	var row int
	var cells []string
	for { // the header is the first row that is not blank
		var err error
		row, cells, err = src.next()
		if err == io.EOF {
			return nil // an empty file holds no records
		}
		if err != nil {
			return d.rowError(file, err)
		}
		if !blank(cells) {
			break
		}
	}
	cols, ok := k.readHeader(d, file, row, cells)
	if !ok {
		return nil
	}
	var bad []string
	for {
		row, cells, err := src.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return d.rowError(file, err)
		}
		if blank(cells) {
			continue
		}
		if err := d.counted(); err != nil {
			return err
		}
		at := "row " + strconv.Itoa(row)
		var rec T
		bad = bad[:0] // fields whose cell was reported already
		for i, c := range cells {
			var f *field[T]
			if i < len(cols) {
				f = cols[i]
			}
			c = unescape(strings.TrimSpace(c))
			switch {
			case c == "" || (f != nil && f.name == ""): // empty, or in a column reported in the header
			case f == nil:
				d.issue(file, at, columnName(i), "value in a column without a known header")
			case !utf8.ValidString(c):
				d.issue(file, at, f.name, "is not valid UTF-8 (save the file as UTF-8, e.g. Excel's \"CSV UTF-8\")")
				bad = append(bad, f.name)
			default:
				if reason := f.fromCell(&rec, c); reason != "" {
					d.issue(file, at, f.name, reason)
					bad = append(bad, f.name)
				}
			}
		}
		k.check(&rec, func(field, reason string) {
			if !containsString(bad, field) {
				d.issue(file, at, field, reason)
			}
		})
		*k.records(&d.ds) = append(*k.records(&d.ds), rec)
	}
}

// readHeader maps the header's columns to fields: nil for a column without
// a name, a field without a name for a column to ignore. Unknown, duplicate
// and invalid column names are reported and their columns ignored; a
// missing required column is reported and makes the rows unreadable (ok
// false).
func (k *kind[T]) readHeader(d *decoder, file string, row int, cells []string) (cols []*field[T], ok bool) {
	at := "row " + strconv.Itoa(row)
	cols = make([]*field[T], len(cells))
	ignored := &field[T]{}
	seen := make(map[string]bool, len(cells))
	for i, c := range cells {
		name := strings.TrimSpace(c)
		switch {
		case name == "":
			continue
		case !utf8.ValidString(name):
			d.issue(file, at, columnName(i), "column name is not valid UTF-8")
			cols[i] = ignored
		case seen[name]:
			d.issue(file, at, name, "duplicate column")
			cols[i] = ignored
		case k.lookup(name) == nil:
			d.issue(file, at, name, fmt.Sprintf("unknown column %q (known: %s)", name, strings.Join(k.header(), ", ")))
			cols[i] = ignored
		default:
			cols[i] = k.lookup(name)
		}
		seen[name] = true
	}
	ok = true
	for _, f := range k.fields {
		if f.required && !seen[f.name] {
			d.issue(file, at, f.name, "missing required column")
			ok = false
		}
	}
	return cols, ok
}

// rowError turns a reading error into an issue where it can.
func (d *decoder) rowError(file string, err error) error {
	if m, ok := err.(*malformedError); ok {
		d.issue(file, "row "+strconv.Itoa(m.row), "", m.reason)
		return nil
	}
	return err
}

// fromCell sets the field of rec from a non-empty, trimmed, unescaped cell
// and returns why it cannot, or "".
func (f *field[T]) fromCell(rec *T, c string) string {
	switch f.typ {
	case textField:
		*f.text(rec) = c
	case listField:
		*f.list(rec) = splitList(c)
	case intField:
		n, err := strconv.Atoi(c)
		switch {
		case err != nil:
			return fmt.Sprintf("%q is not an integer", c)
		case n == 0:
			return "0 is not a technology readiness level 1–9"
		}
		*f.num(rec) = n
	case availField:
		a, reason := parseAvailability(c)
		if reason != "" {
			return reason
		}
		*f.avail(rec) = a
	}
	return ""
}

// splitList splits a list cell at ";" or "；", trims the items and drops
// empty ones. It returns nil for no items.
func splitList(c string) []string {
	var items []string
	for item := range strings.FieldsFuncSeq(c, func(r rune) bool { return r == ';' || r == '；' }) {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}

// parseAvailability parses "*=09:00-12:00;*=14:00-17:00;2027-03=09:00-12:00".
// "2027-05=" (no window) says the person cannot meet at that fair. The
// times themselves are checked by checkAvailability.
func parseAvailability(c string) (fm.Availability, string) {
	a := fm.Availability{}
	for i, item := range splitList(c) {
		fair, window, ok := strings.Cut(item, "=")
		fair, window = strings.TrimSpace(fair), strings.TrimSpace(window)
		if !ok || fair == "" {
			return nil, fmt.Sprintf("item %d (%q) is not FAIR=HH:MM-HH:MM (FAIR a fair id or *)", i+1, item)
		}
		if _, seen := a[fair]; !seen {
			a[fair] = []fm.Window{}
		}
		if window == "" {
			continue
		}
		from, to, ok := strings.Cut(window, "-")
		if !ok {
			return nil, fmt.Sprintf("item %d (%q): window %q is not HH:MM-HH:MM", i+1, item, window)
		}
		a[fair] = append(a[fair], fm.Window{From: strings.TrimSpace(from), To: strings.TrimSpace(to)})
	}
	if len(a) == 0 {
		return nil, ""
	}
	return a, ""
}

// blank reports whether every cell is empty or whitespace.
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// columnName names the i-th column (0-based) like a spreadsheet: A, B, …, AA.
func columnName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return "column " + name
}

// formulaStart reports whether a cell starting with b could be taken for a
// formula by a spreadsheet (OWASP's list: = + - @, tab and carriage return).
func formulaStart(b byte) bool {
	switch b {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// escape prefixes a cell that a spreadsheet could run as a formula with an
// apostrophe. A cell that already starts with an apostrophe that unescape
// would remove gets one more, so that unescape(escape(s)) == s for every s.
func escape(s string) string {
	if s == "" {
		return s
	}
	if formulaStart(s[0]) || (s[0] == '\'' && len(s) > 1 && (formulaStart(s[1]) || s[1] == '\'')) {
		return "'" + s
	}
	return s
}

// unescape undoes escape.
func unescape(s string) string {
	if len(s) > 1 && s[0] == '\'' && (formulaStart(s[1]) || s[1] == '\'') {
		return s[1:]
	}
	return s
}
