package matcher

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fairmatch/fairmatch"
)

// maxIssues caps the issues one bad file reports.
const maxIssues = 1000

// csvTable reads a CSV file with a fixed header. Rows are numbered like a
// spreadsheet: the header is row 1, the first record row 2.
type csvTable struct {
	name   string
	header []string
	issues []fairmatch.Issue
}

func (t *csvTable) issue(row int, field, format string, args ...any) {
	if len(t.issues) < maxIssues {
		rec := ""
		if row > 0 {
			rec = fmt.Sprintf("row %d", row)
		}
		t.issues = append(t.issues, fairmatch.Issue{File: t.name, Record: rec, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
}

// read calls fn for every well-formed record (right column count, valid
// UTF-8) with its row number; malformed ones become issues. It returns a
// non-nil error only when reading r fails.
func (t *csvTable) read(r io.Reader, fn func(row int, rec []string)) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			if row == 1 {
				t.issue(0, "", "empty file: want header %q", strings.Join(t.header, ","))
			}
			return nil
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			// The reader cannot resynchronise reliably after a quoting error.
			t.issue(row, "", "malformed CSV at line %d: %v", perr.Line, perr.Err)
			return nil
		}
		if err != nil {
			return err
		}
		bad := false
		for i, f := range rec {
			if !utf8.ValidString(f) {
				t.issue(row, t.column(i), "invalid UTF-8")
				bad = true
			}
		}
		if row == 1 {
			if len(rec) > 0 {
				rec[0] = strings.TrimPrefix(rec[0], "\uFEFF")
			}
			if !bad && !equalFold(rec, t.header) {
				t.issue(1, "", "header is %q, want %q", strings.Join(rec, ","), strings.Join(t.header, ","))
				return nil
			}
			continue
		}
		if len(rec) != len(t.header) {
			t.issue(row, "", "has %d columns, want %d (%s)", len(rec), len(t.header), strings.Join(t.header, ","))
			continue
		}
		if !bad {
			fn(row, rec)
		}
	}
}

func (t *csvTable) column(i int) string {
	if i < len(t.header) {
		return t.header[i]
	}
	return fmt.Sprintf("column %d", i+1)
}

func (t *csvTable) err() error {
	if len(t.issues) == 0 {
		return nil
	}
	return fairmatch.Invalid(fmt.Sprintf("%s: %d bad record(s)", t.name, len(t.issues)), t.issues)
}

func equalFold(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(strings.TrimSpace(a[i]), b[i]) {
			return false
		}
	}
	return true
}

// id validates an id field: non-empty, without whitespace.
func (t *csvTable) id(row int, field, v string) (string, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		t.issue(row, field, "missing id")
		return "", false
	}
	if strings.IndexFunc(v, unicode.IsSpace) >= 0 {
		t.issue(row, field, "id %q contains whitespace", v)
		return "", false
	}
	return v, true
}

// ScoreCSV reads a table of pairs (header problem,target) from r and writes
// their scores (header problem,target,score,why) to w, one row per input pair
// in input order (formats.md §2). name names the input in errors.
//
// Nothing is written unless the whole input is valid: a wrong header, a wrong
// column count, invalid UTF-8, a missing id or an unknown problem or target
// gives a *fairmatch.Error with code fairmatch.EINVALID listing every bad row
// with its file, row and field.
func ScoreCSV(ix *Index, name string, r io.Reader, w io.Writer) error {
	t := &csvTable{name: name, header: []string{"problem", "target"}}
	type pair struct{ problem, target string }
	var pairs []pair
	err := t.read(r, func(row int, rec []string) {
		p, okp := t.id(row, "problem", rec[0])
		g, okg := t.id(row, "target", rec[1])
		if okp {
			if _, found := ix.problemAt[p]; !found {
				t.issue(row, "problem", "unknown problem %q", p)
				okp = false
			}
		}
		if okg && !ix.knownTarget(g) {
			t.issue(row, "target", "unknown target %q: not an offering, university or person", g)
			okg = false
		}
		if okp && okg {
			pairs = append(pairs, pair{p, g})
		}
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if err := t.err(); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"problem", "target", "score", "why"}); err != nil {
		return fmt.Errorf("write scores: %w", err)
	}
	for _, p := range pairs {
		s, why, err := ix.Score(p.problem, p.target)
		if err != nil {
			return fmt.Errorf("score %s %s: %w", p.problem, p.target, err)
		}
		if err := cw.Write([]string{p.problem, p.target, formatScore(s), why}); err != nil {
			return fmt.Errorf("write scores: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write scores: %w", err)
	}
	return nil
}

func (ix *Index) knownTarget(id string) bool {
	if _, ok := ix.offeringAt[id]; ok {
		return true
	}
	if _, ok := ix.byUniversity[id]; ok {
		return true
	}
	_, ok := ix.byExpert[id]
	return ok || ix.people[id]
}

// formatScore writes a score with the shortest representation that reads back
// to the same float64.
func formatScore(s float64) string { return strconv.FormatFloat(s, 'g', -1, 64) }

// ReadScores reads a score table (header left,right,score; formats.md §3).
// Every bad row — a missing or malformed id, a score that is not a finite
// number, a pair listed twice — is reported in one *fairmatch.Error with code
// fairmatch.EINVALID naming name, the row and the field.
func ReadScores(name string, r io.Reader) ([]Pair, error) {
	t := &csvTable{name: name, header: []string{"left", "right", "score"}}
	var pairs []Pair
	seen := make(map[[2]string]int)
	err := t.read(r, func(row int, rec []string) {
		l, okl := t.id(row, "left", rec[0])
		rt, okr := t.id(row, "right", rec[1])
		s, err := strconv.ParseFloat(strings.TrimSpace(rec[2]), 64)
		oks := true
		switch {
		case err != nil:
			t.issue(row, "score", "%q is not a number", rec[2])
			oks = false
		case math.IsNaN(s) || math.IsInf(s, 0):
			t.issue(row, "score", "%q is not a finite number", rec[2])
			oks = false
		}
		if !okl || !okr {
			return
		}
		k := [2]string{l, rt}
		if first, dup := seen[k]; dup {
			t.issue(row, "right", "pair %s,%s already listed in row %d", l, rt, first)
			return
		}
		seen[k] = row
		if oks {
			pairs = append(pairs, Pair{Left: l, Right: rt, Score: s})
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if err := t.err(); err != nil {
		return nil, err
	}
	return pairs, nil
}

// ReadBounds reads a bounds table (header id,min,max; formats.md §3). min is
// a non-negative integer (empty: 0), max a non-negative integer or empty for
// no maximum. Every bad row — a missing id, an id listed twice, a bad number,
// min > max — is reported in one *fairmatch.Error with code fairmatch.EINVALID.
func ReadBounds(name string, r io.Reader) ([]Bound, error) {
	t := &csvTable{name: name, header: []string{"id", "min", "max"}}
	var bounds []Bound
	seen := make(map[string]int)
	err := t.read(r, func(row int, rec []string) {
		id, ok := t.id(row, "id", rec[0])
		if ok {
			if first, dup := seen[id]; dup {
				t.issue(row, "id", "%q already listed in row %d", id, first)
				ok = false
			} else {
				seen[id] = row
			}
		}
		b := Bound{ID: id, Max: -1}
		if v := strings.TrimSpace(rec[1]); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				t.issue(row, "min", "%q is not a non-negative integer", rec[1])
				ok = false
			}
			b.Min = n
		}
		if v := strings.TrimSpace(rec[2]); v != "" {
			n, err := strconv.Atoi(v)
			switch {
			case err != nil || n < 0:
				t.issue(row, "max", "%q is not a non-negative integer", rec[2])
				ok = false
			case n < b.Min:
				t.issue(row, "max", "max %d is below min %d", n, b.Min)
				ok = false
			}
			b.Max = n
		}
		if ok {
			bounds = append(bounds, b)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if err := t.err(); err != nil {
		return nil, err
	}
	return bounds, nil
}

// WriteAssign writes chosen pairs as an assignment table (header
// left,right,score; formats.md §3).
func WriteAssign(w io.Writer, pairs []Pair) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"left", "right", "score"}); err != nil {
		return fmt.Errorf("write assignment: %w", err)
	}
	for _, p := range pairs {
		if err := cw.Write([]string{p.Left, p.Right, formatScore(p.Score)}); err != nil {
			return fmt.Errorf("write assignment: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write assignment: %w", err)
	}
	return nil
}
