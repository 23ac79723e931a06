package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	fm "github.com/fairmatch/fairmatch"
)

// Limits of one import.
const (
	// MaxInputSize is the largest input Parse and Load accept, in bytes: the
	// file, or for a folder or zip of CSV files the sum of the CSV files.
	MaxInputSize = 32 << 20
	// MaxRecords is the most records one import may hold, all kinds together.
	MaxRecords = 200_000
	// MaxIssues is the most issues one error or one Validate call lists; the
	// last issue then says how many more there were.
	MaxIssues = 1000
	// maxUnzipped bounds the uncompressed XML of an XLSX workbook.
	maxUnzipped = 16 * MaxInputSize
)

// Errors an oversized input is reported with, inside a *fairmatch.Error of
// code EINVALID; test with errors.Is.
var (
	// ErrTooLarge means the input is larger than MaxInputSize.
	ErrTooLarge = errors.New("input larger than 32 MiB")
	// ErrTooManyRecords means the input holds more than MaxRecords records.
	ErrTooManyRecords = errors.New("more than 200,000 records")
)

// Load reads a dataset from path: a .json file, a directory of CSV files
// (enterprises.csv, universities.csv, people.csv, problems.csv,
// offerings.csv, blocked.csv, history.csv; any subset; an unknown .csv file
// name is an error, other files are ignored), or an .xlsx workbook (one
// sheet per kind, named like the CSV files without .csv; an unknown sheet
// name is an error). A single .csv file or a .zip of CSV files is read as
// Parse reads it.
//
// Bad input gives a *fairmatch.Error of code EINVALID listing every issue
// (up to MaxIssues); Load checks syntax and fields, not references (see
// Validate).
func Load(path string) (*fm.Dataset, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, openError(path, err)
	}
	if info.IsDir() {
		return loadDir(path)
	}
	data, err := readLimited(path, info.Size())
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse reads a dataset from data; name is used in messages and its
// extension picks the format: .json, .xlsx, .csv (a single CSV file whose
// base name says the kind, like "problems.csv"), or .zip (a zip of CSV files
// named like Load's folder; entries in subfolders count by their base name).
//
// Parse checks syntax and each record on its own: unknown keys, columns and
// sheets, types, required fields, enumerations, formats (ids, fair ids,
// windows, e-mail addresses, trl) and UTF-8. It does not resolve references
// between records nor look for duplicate ids, because these depend on the
// records already stored: that is Validate's job. Any issue gives a
// *fairmatch.Error of code EINVALID listing every issue (up to MaxIssues)
// and a nil dataset. Inputs larger than MaxInputSize or holding more than
// MaxRecords records are refused with ErrTooLarge or ErrTooManyRecords.
//
// CSV and XLSX cells are trimmed; a cell that starts with an apostrophe
// followed by one of = + - @ ' (the escape EncodeCSV and EncodeXLSX write
// against formula injection) loses the apostrophe.
func Parse(name string, data []byte) (*fm.Dataset, error) {
	if len(data) > MaxInputSize {
		return nil, tooLarge(name)
	}
	d := newDecoder()
	var err error
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".json":
		err = d.readJSON(name, data)
	case ".csv":
		err = d.readCSVFile(name, data)
	case ".xlsx":
		err = d.readXLSX(name, data)
	case ".zip":
		err = d.readZip(name, data)
	default:
		return nil, fm.Errorf(fm.EINVALID,
			"dataset %s: unsupported format %q (want .json, .csv, .zip or .xlsx)", name, ext)
	}
	return d.result(name, err)
}

// loadDir reads a folder of CSV files.
func loadDir(dir string) (*fm.Dataset, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, openError(dir, err)
	}
	d := newDecoder()
	total := int64(0)
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".csv") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		info, err := e.Info()
		if err != nil {
			return nil, openError(path, err)
		}
		total += info.Size()
		if total > MaxInputSize {
			return nil, tooLarge(dir)
		}
		data, err := readLimited(path, info.Size())
		if err != nil {
			return nil, err
		}
		if err := d.readCSVFile(path, data); err != nil {
			return d.result(dir, err)
		}
	}
	return d.result(dir, nil)
}

// readLimited reads a file of at most MaxInputSize bytes.
func readLimited(path string, size int64) ([]byte, error) {
	if size > MaxInputSize {
		return nil, tooLarge(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxInputSize+1))
	if err != nil {
		return nil, fmt.Errorf("read dataset %s: %w", path, err)
	}
	if len(data) > MaxInputSize {
		return nil, tooLarge(path)
	}
	return data, nil
}

func openError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return &fm.Error{Code: fm.ENOTFOUND, Message: "dataset " + path + " does not exist", Err: err}
	}
	return fmt.Errorf("open dataset %s: %w", path, err)
}

func tooLarge(name string) error {
	return &fm.Error{Code: fm.EINVALID, Message: "dataset " + name, Err: ErrTooLarge}
}

// decoder collects the records and issues of one import.
type decoder struct {
	ds      fm.Dataset
	issues  issueList
	records int
	seen    map[string]bool // kinds read from a CSV file so far
}

func newDecoder() *decoder { return &decoder{seen: map[string]bool{}} }

// see notes that a CSV file of the named kind was read.
func (d *decoder) see(kind string) { d.seen[kind] = true }

// issue records an issue.
func (d *decoder) issue(file, record, field, reason string) {
	d.issues.add(fm.Issue{File: file, Record: record, Field: field, Reason: reason})
}

// counted counts one more record and fails once there are too many.
func (d *decoder) counted() error {
	d.records++
	if d.records > MaxRecords {
		return ErrTooManyRecords
	}
	return nil
}

// result turns the outcome of reading into Parse's results.
func (d *decoder) result(name string, err error) (*fm.Dataset, error) {
	switch {
	case errors.Is(err, ErrTooManyRecords):
		return nil, &fm.Error{Code: fm.EINVALID, Message: "dataset " + name, Err: err}
	case err != nil:
		var e *fm.Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, fmt.Errorf("read dataset %s: %w", name, err)
	case len(d.issues.list) > 0:
		return nil, fm.Invalid(fmt.Sprintf("dataset %s: %s", name, d.issues.summary()), d.issues.done())
	}
	return &d.ds, nil
}

// issueList collects up to MaxIssues issues and counts the rest.
type issueList struct {
	list    []fm.Issue
	dropped int
}

func (l *issueList) add(is fm.Issue) {
	if len(l.list) >= MaxIssues {
		l.dropped++
		return
	}
	l.list = append(l.list, is)
}

func (l *issueList) total() int { return len(l.list) + l.dropped }

func (l *issueList) summary() string {
	if n := l.total(); n != 1 {
		return fmt.Sprintf("%d issues", n)
	}
	return "1 issue"
}

// done returns the issues, with a last one counting those left out.
func (l *issueList) done() []fm.Issue {
	if l.dropped > 0 {
		return append(l.list, fm.Issue{Reason: fmt.Sprintf("%d more issues not listed", l.dropped)})
	}
	return l.list
}

// lineColumn returns the 1-based line and column (in characters) of the
// byte at offset off of data.
func lineColumn(data []byte, off int) (line, col int) {
	off = max(0, min(off, len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, len([]rune(string(before[start:]))) + 1
}
