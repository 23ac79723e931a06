package dataset

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	fm "github.com/fairmatch/fairmatch"
)

// cell is one value of a CSV/XLSX row before escaping; number says that
// text holds an integer (written as a number in XLSX).
type cell struct {
	text   string
	number bool
}

// writeRows calls emit with the header and then each record's cells.
func (k *kind[T]) writeRows(ds *fm.Dataset, emit func([]cell) error) error {
	row := make([]cell, len(k.fields))
	for i, f := range k.fields {
		row[i] = cell{text: f.name}
	}
	if err := emit(row); err != nil {
		return err
	}
	recs := *k.records(ds)
	for n := range recs {
		for i := range k.fields {
			c, err := k.fields[i].toCell(&recs[n])
			if err != nil {
				return fmt.Errorf("%s[%d] field %s: %w", k.name, n, k.fields[i].name, err)
			}
			row[i] = c
		}
		if err := emit(row); err != nil {
			return fmt.Errorf("%s[%d]: %w", k.name, n, err)
		}
	}
	return nil
}

// toCell writes the field of rec as a cell. It fails for a value that the
// cell could not give back (a list item with a separator or empty).
func (f *field[T]) toCell(rec *T) (cell, error) {
	switch f.typ {
	case textField:
		return cell{text: *f.text(rec)}, nil
	case listField:
		items := *f.list(rec)
		for i, item := range items {
			if strings.TrimSpace(item) == "" || strings.ContainsAny(item, ";；") {
				return cell{}, fmt.Errorf("item %d (%q) cannot be written in a list cell", i+1, item)
			}
		}
		return cell{text: strings.Join(items, ";")}, nil
	case intField:
		if n := *f.num(rec); n != 0 {
			return cell{text: strconv.Itoa(n), number: true}, nil
		}
		return cell{}, nil
	case availField:
		return cell{text: formatAvailability(*f.avail(rec))}, nil
	}
	return cell{}, fmt.Errorf("unknown field type %d", f.typ)
}

// formatAvailability writes windows as "*=09:00-12:00;2027-03=14:00-17:00",
// "*" first, then fair ids in order; a fair without windows as "2027-05=".
func formatAvailability(a fm.Availability) string {
	var b strings.Builder
	for _, fair := range sortedFairs(a) {
		windows := a[fair]
		if len(windows) == 0 {
			if b.Len() > 0 {
				b.WriteByte(';')
			}
			b.WriteString(fair + "=")
		}
		for _, w := range windows {
			if b.Len() > 0 {
				b.WriteByte(';')
			}
			b.WriteString(fair + "=" + w.From + "-" + w.To)
		}
	}
	return b.String()
}

// EncodeJSON writes ds as an indented JSON document (formats.md §1), text
// unescaped (no \u003c for <), ending in a newline.
func EncodeJSON(ds *fm.Dataset) ([]byte, error) {
	if ds == nil {
		ds = &fm.Dataset{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(ds); err != nil {
		return nil, fmt.Errorf("encode dataset as JSON: %w", err)
	}
	return b.Bytes(), nil
}

// EncodeCSV writes ds as CSV files, one per kind, keyed by file name
// ("problems.csv"); every kind gets a file, with just its header when ds
// has no such records, so that the result doubles as a template. Files are
// UTF-8 without a BOM with lines ending in LF (CRLF would turn a carriage
// return inside a cell into a line break), and a cell starting
// with = + - @ (or tab, carriage return) gets a leading apostrophe against
// formula injection (Parse removes it).
func EncodeCSV(ds *fm.Dataset) (map[string][]byte, error) {
	if ds == nil {
		ds = &fm.Dataset{}
	}
	files := make(map[string][]byte, 7)
	record := []string{}
	for _, t := range tables() {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		err := t.writeRows(ds, func(cells []cell) error {
			record = record[:0]
			for _, c := range cells {
				record = append(record, escape(c.text))
			}
			return w.Write(record)
		})
		if err == nil {
			w.Flush()
			err = w.Error()
		}
		if err != nil {
			return nil, fmt.Errorf("encode dataset as CSV: %w", err)
		}
		files[t.Name()+".csv"] = b.Bytes()
	}
	return files, nil
}

// EncodeXLSX writes ds as an XLSX workbook, one sheet per kind in the
// order of formats.md §1, each with a bold header row (also for kinds ds
// has no records of). Text cells are escaped like EncodeCSV's; trl is a
// number.
func EncodeXLSX(ds *fm.Dataset) ([]byte, error) {
	if ds == nil {
		ds = &fm.Dataset{}
	}
	book := excelize.NewFile()
	defer book.Close()
	bold, err := book.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, fmt.Errorf("encode dataset as XLSX: %w", err)
	}
	first := book.GetSheetName(0)
	for i, t := range tables() {
		if err := writeSheet(book, t, ds, i == 0, first, bold); err != nil {
			return nil, fmt.Errorf("encode dataset as XLSX: sheet %s: %w", t.Name(), err)
		}
	}
	b, err := book.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("encode dataset as XLSX: %w", err)
	}
	return b.Bytes(), nil
}

// writeSheet writes the records of t as one sheet; the first one renames
// the workbook's default sheet.
func writeSheet(book *excelize.File, t table, ds *fm.Dataset, rename bool, first string, bold int) error {
	if rename {
		if err := book.SetSheetName(first, t.Name()); err != nil {
			return err
		}
	} else if _, err := book.NewSheet(t.Name()); err != nil {
		return err
	}
	sw, err := book.NewStreamWriter(t.Name())
	if err != nil {
		return err
	}
	row := 0
	values := []any{}
	err = t.writeRows(ds, func(cells []cell) error {
		row++
		values = values[:0]
		for _, c := range cells {
			switch {
			case c.number:
				n, _ := strconv.Atoi(c.text)
				values = append(values, n)
			case row == 1:
				values = append(values, excelize.Cell{Value: c.text, StyleID: bold})
			default:
				v := escape(c.text)
				if utf8.RuneCountInString(v) > maxText {
					return fmt.Errorf("a cell of %d characters, more than a spreadsheet cell holds (%d)",
						utf8.RuneCountInString(v), maxText)
				}
				values = append(values, v)
			}
		}
		axis, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return sw.SetRow(axis, values)
	})
	if err != nil {
		return err
	}
	return sw.Flush()
}
