package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fairmatch/fairmatch"
)

// Section (CSV) and sheet (XLSX) names, in the order they are written.
const (
	SectionSummary      = "summary"
	SectionParks        = "parks"
	SectionUniversities = "universities"
	SectionOutcomes     = "outcomes"
)

// cell is one value of an exported table: text, or a count.
type cell struct {
	text   string
	num    int
	number bool
}

func text(s string) cell { return cell{text: s} }
func num(n int) cell     { return cell{num: n, number: true} }

// table is one section of an export.
type table struct {
	name   string
	header []string
	rows   [][]cell
}

// figureHeader names the columns figureCells writes.
func figureHeader(raised bool) []string {
	var h []string
	if raised {
		h = append(h, "problems_raised")
	}
	h = append(h, "problems_matched", "proposed", "scheduled", "declined", "held")
	h = append(h, fairmatch.Outcomes...)
	return append(h, "unreported")
}

func figureCells(f Figures, raised bool) []cell {
	var c []cell
	if raised {
		c = append(c, num(f.ProblemsRaised))
	}
	c = append(c, num(f.ProblemsMatched), num(f.Proposed), num(f.Scheduled), num(f.Declined), num(f.Held))
	for _, n := range f.Outcomes.Counts() {
		c = append(c, num(n))
	}
	return append(c, num(f.Outcomes.Unreported))
}

// tables lays the report out as the sections of an export: the summary (a
// line per fair, and the total of a year), parks, universities and the
// outcome funnel.
func tables(r Report) []table {
	summary := table{name: SectionSummary,
		header: append([]string{"fair", "theme", "date", "published"}, figureHeader(true)...)}
	for _, f := range r.Fairs {
		row := []cell{text(f.Fair), text(f.Theme), text(localDate(f.Start, f.Timezone)), text(strconv.FormatBool(f.Published))}
		summary.rows = append(summary.rows, append(row, figureCells(f.Figures, true)...))
	}
	if r.Fair == "" {
		row := []cell{text("total " + r.Scope()), text(""), text(""), text("")}
		summary.rows = append(summary.rows, append(row, figureCells(r.Total, true)...))
	}

	parks := table{name: SectionParks, header: append([]string{"park", "enterprises"}, figureHeader(true)...)}
	for _, p := range r.Parks {
		row := []cell{text(p.Park), num(p.Enterprises)}
		parks.rows = append(parks.rows, append(row, figureCells(p.Figures, true)...))
	}

	unis := table{name: SectionUniversities, header: append([]string{"university", "name", "offerings"}, figureHeader(false)...)}
	for _, u := range r.Universities {
		row := []cell{text(u.University), text(u.Name), num(u.Offerings)}
		unis.rows = append(unis.rows, append(row, figureCells(u.Figures, false)...))
	}

	outcomes := table{name: SectionOutcomes, header: []string{"stage", "pairs", "reached"}}
	counts, reached := r.Total.Outcomes.Counts(), r.Total.Outcomes.Reached()
	for i, stage := range fairmatch.Outcomes {
		outcomes.rows = append(outcomes.rows, []cell{text(stage), num(counts[i]), num(reached[i])})
	}
	outcomes.rows = append(outcomes.rows, []cell{text("unreported"), num(r.Total.Outcomes.Unreported), text("")})

	return []table{summary, parks, unis, outcomes}
}

// localDate is t's date in the zone tz ("" for the zero time).
func localDate(t time.Time, tz string) string {
	if t.IsZero() {
		return ""
	}
	if loc, err := time.LoadLocation(tz); err == nil && tz != "" {
		t = t.In(loc)
	}
	return t.Format(time.DateOnly)
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

// Escape returns s as an exported text cell: prefixed with an apostrophe if
// a spreadsheet could take it for a formula, as the dataset's encoders do.
// A text that already starts with an apostrophe followed by such a
// character (or another apostrophe) gets one more, so the escaping can be
// undone unambiguously.
func Escape(s string) string {
	if s == "" {
		return s
	}
	if formulaStart(s[0]) || (s[0] == '\'' && len(s) > 1 && (formulaStart(s[1]) || s[1] == '\'')) {
		return "'" + s
	}
	return s
}

// WriteCSV writes the report as one CSV file of sections — summary, parks,
// universities, outcomes — each introduced by a line holding its name and a
// header line of column names, and followed by an empty line. Sections have
// different columns, so a reader must allow a variable number of fields
// (encoding/csv: FieldsPerRecord = -1). Text cells that a spreadsheet could
// run as a formula are escaped (see Escape).
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	for i, t := range tables(r) {
		if i > 0 {
			// encoding/csv writes an empty record as an empty line.
			if err := cw.Write([]string{""}); err != nil {
				return fmt.Errorf("write report CSV: %w", err)
			}
		}
		if err := cw.Write([]string{t.name}); err != nil {
			return fmt.Errorf("write report CSV: %w", err)
		}
		if err := cw.Write(t.header); err != nil {
			return fmt.Errorf("write report CSV: %w", err)
		}
		rec := make([]string, 0, len(t.header))
		for _, row := range t.rows {
			rec = rec[:0]
			for _, c := range row {
				if c.number {
					rec = append(rec, strconv.Itoa(c.num))
				} else {
					rec = append(rec, Escape(c.text))
				}
			}
			if err := cw.Write(rec); err != nil {
				return fmt.Errorf("write report CSV section %s: %w", t.name, err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write report CSV: %w", err)
	}
	return nil
}

// WriteXLSX writes the report as a workbook with a sheet per section —
// summary, parks, universities, outcomes — each with a bold header row.
// Counts are numbers; text cells that a spreadsheet could run as a formula
// are escaped (see Escape).
func WriteXLSX(w io.Writer, r Report) error {
	book := excelize.NewFile()
	defer book.Close()
	if err := writeBook(book, r); err != nil {
		return fmt.Errorf("write report XLSX: %w", err)
	}
	if _, err := book.WriteTo(w); err != nil {
		return fmt.Errorf("write report XLSX: %w", err)
	}
	return nil
}

func writeBook(book *excelize.File, r Report) error {
	bold, err := book.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	first := book.GetSheetName(0)
	for i, t := range tables(r) {
		if i == 0 {
			err = book.SetSheetName(first, t.name)
		} else {
			_, err = book.NewSheet(t.name)
		}
		if err != nil {
			return fmt.Errorf("sheet %s: %w", t.name, err)
		}
		sw, err := book.NewStreamWriter(t.name)
		if err != nil {
			return fmt.Errorf("sheet %s: %w", t.name, err)
		}
		header := make([]any, len(t.header))
		for j, h := range t.header {
			header[j] = excelize.Cell{Value: h, StyleID: bold}
		}
		if err := sw.SetRow("A1", header); err != nil {
			return fmt.Errorf("sheet %s: %w", t.name, err)
		}
		for j, row := range t.rows {
			values := make([]any, len(row))
			for k, c := range row {
				if c.number {
					values[k] = c.num
				} else {
					values[k] = Escape(c.text)
				}
			}
			axis, err := excelize.CoordinatesToCellName(1, j+2)
			if err != nil {
				return err
			}
			if err := sw.SetRow(axis, values); err != nil {
				return fmt.Errorf("sheet %s row %d: %w", t.name, j+2, err)
			}
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("sheet %s: %w", t.name, err)
		}
	}
	return nil
}
