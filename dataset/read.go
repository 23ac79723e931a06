package dataset

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// csvSource reads rows from a CSV file; a row's number is the line its
// first field starts on.
type csvSource struct {
	r *csv.Reader
}

func (s *csvSource) next() (int, []string, error) {
	cells, err := s.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return 0, nil, &malformedError{row: pe.StartLine,
				reason: fmt.Sprintf("malformed CSV at line %d, column %d: %v", pe.Line, pe.Column, pe.Err)}
		}
		return 0, nil, err
	}
	line, _ := s.r.FieldPos(0)
	return line, cells, nil
}

// readCSVFile reads one CSV file; the base name of name says its kind.
func (d *decoder) readCSVFile(name string, data []byte) error {
	base := path.Base(filepath.ToSlash(name))
	t := tableNamed(strings.TrimSuffix(base, path.Ext(base)))
	if t == nil {
		d.issue(name, "", "", fmt.Sprintf("unknown CSV file %q (known: %s)", base, strings.Join(csvNames(), ", ")))
		return nil
	}
	if d.seen[t.Name()] {
		d.issue(name, "", "", fmt.Sprintf("a second %s file", t.Name()))
		return nil
	}
	d.see(t.Name())
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, utf8BOM)))
	r.FieldsPerRecord = -1 // cells beyond the header are reported when not empty
	r.ReuseRecord = true
	return t.readRows(d, name, &csvSource{r: r})
}

func csvNames() []string {
	names := kindNames()
	for i := range names {
		names[i] += ".csv"
	}
	return names
}

// readZip reads a zip of CSV files. Folders, files that are not .csv and
// hidden entries (names starting with a dot, macOS "__MACOSX" folders) are
// skipped; a .csv file counts by its base name wherever it is.
func (d *decoder) readZip(name string, data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		d.issue(name, "", "", "not a readable zip archive: "+err.Error())
		return nil
	}
	budget := int64(MaxInputSize)
	for _, f := range zr.File {
		base := path.Base(f.Name)
		if f.FileInfo().IsDir() || strings.HasPrefix(base, ".") || strings.Contains(f.Name, "__MACOSX/") ||
			!strings.EqualFold(path.Ext(base), ".csv") {
			continue
		}
		if f.UncompressedSize64 > uint64(budget) {
			return tooLarge(name)
		}
		csvData, err := readZipFile(f, budget)
		if err != nil {
			d.issue(name+"/"+f.Name, "", "", "cannot read from the zip archive: "+err.Error())
			continue
		}
		if int64(len(csvData)) > budget {
			return tooLarge(name)
		}
		budget -= int64(len(csvData))
		if err := d.readCSVFile(name+"/"+f.Name, csvData); err != nil {
			return err
		}
	}
	return nil
}

// readZipFile reads at most limit+1 bytes of a zip entry.
func readZipFile(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, limit+1))
}

// xlsxSource reads the rows of one sheet; a row's number is the sheet's.
type xlsxSource struct {
	rows *excelize.Rows
	row  int
}

func (s *xlsxSource) next() (int, []string, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return 0, nil, &malformedError{row: s.row + 1, reason: "unreadable row: " + err.Error()}
		}
		return 0, nil, io.EOF
	}
	s.row++
	cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return 0, nil, &malformedError{row: s.row, reason: "unreadable row: " + err.Error()}
	}
	return s.row, cells, nil
}

// readXLSX reads a workbook, one sheet per kind. Cells are read raw (a
// number as written, not as formatted). Issues name the file as
// "BOOK/SHEET".
func (d *decoder) readXLSX(name string, data []byte) (err error) {
	// excelize parses untrusted input; a panic in it must not take down
	// the server that called Parse.
	defer func() {
		if p := recover(); p != nil {
			d.issue(name, "", "", fmt.Sprintf("unreadable XLSX workbook: %v", p))
			err = nil
		}
	}()
	book, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    maxUnzipped,
		UnzipXMLSizeLimit: excelize.StreamChunkSize,
	})
	if err != nil {
		d.issue(name, "", "", "not a readable XLSX workbook: "+err.Error())
		return nil
	}
	defer book.Close()
	for _, sheet := range book.GetSheetList() {
		file := name + "/" + sheet
		t := tableNamed(sheet)
		if t == nil {
			d.issue(file, "", "", fmt.Sprintf("unknown sheet %q (known: %s)", sheet, strings.Join(kindNames(), ", ")))
			continue
		}
		rows, err := book.Rows(sheet)
		if err != nil {
			d.issue(file, "", "", "unreadable sheet: "+err.Error())
			continue
		}
		err = t.readRows(d, file, &xlsxSource{rows: rows})
		if cerr := rows.Close(); err == nil && cerr != nil {
			d.issue(file, "", "", "unreadable sheet: "+cerr.Error())
		}
		if err != nil {
			return err
		}
	}
	return nil
}
