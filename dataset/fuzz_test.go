package dataset_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	fm "github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/dataset"
)

// checkParseError fails unless err is what Parse promises for bad input:
// an EINVALID *fairmatch.Error that lists at least one issue or wraps a
// named limit error.
func checkParseError(t *testing.T, err error) {
	t.Helper()
	var e *fm.Error
	if !errors.As(err, &e) || e.Code != fm.EINVALID {
		t.Fatalf("error %v (%T) is not an invalid *fairmatch.Error", err, err)
	}
	if len(e.Issues) == 0 && !errors.Is(err, dataset.ErrTooLarge) && !errors.Is(err, dataset.ErrTooManyRecords) {
		t.Fatalf("error %q lists no issue", err)
	}
}

// FuzzParseJSON: Parse never panics, fails only with issues, and what it
// accepts survives EncodeJSON and Parse unchanged.
func FuzzParseJSON(f *testing.F) {
	valid, err := os.ReadFile(filepath.Join("testdata", "valid.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(valid), "", "{}", "[]", "null", `{"problems": null}`, `{"problems": [null, 1, "x", {}]}`,
		`{"people": [{"id": "P1", "name": "n", "role": "expert", "available": {"*": [], "2027-03": [{"from": "09:00", "to": "10:00"}]}}]}`,
		`{"offerings": [{"id": "O1", "university": "U1", "title": "t", "trl": 1e1}]}`,
		`{"enterprises": [{"id": "E1", "name": "\ud800", "attendees": ["a", null]}]}`,
		"{\"problems\": [{\"id\": \"PR1\",}]}", `{"a": 1} {"b": 2}`, "\xEF\xBB\xBF{}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := dataset.Parse("fuzz.json", data)
		if err != nil {
			checkParseError(t, err)
			return
		}
		_ = dataset.Validate(ds, nil)
		out, err := dataset.EncodeJSON(ds)
		if err != nil {
			t.Fatalf("EncodeJSON of a parsed dataset: %v", err)
		}
		again, err := dataset.Parse("again.json", out)
		if err != nil {
			t.Fatalf("Parse of EncodeJSON's output: %v\n%s", err, out)
		}
		assertEqual(t, again, ds)
	})
}

// FuzzParseCSV: Parse never panics on any CSV file of any kind, fails only
// with issues, and what it accepts survives EncodeCSV and Parse unchanged.
func FuzzParseCSV(f *testing.F) {
	names := []string{"enterprises.csv", "universities.csv", "people.csv", "problems.csv",
		"offerings.csv", "blocked.csv", "history.csv", "unknown.csv"}
	for i, name := range names[:7] {
		data, err := os.ReadFile(filepath.Join("testdata", "csv", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), data)
	}
	for _, seed := range []string{
		"", "\n\n", "id,name\n", "id,name,name\nE1,a,b\n", "id,\"na\nme\"\n", "id,enterprise,title\nPR1,E1,'=x\n",
		"id,name,role,available\nP1,n,expert,*=09:00-10:00;2027-03=\n", "a\"b\n", "id,name\n\xff,\xfe\n",
	} {
		f.Add(uint8(2), []byte(seed))
		f.Add(uint8(0), []byte(seed))
	}
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		name := names[int(kind)%len(names)]
		ds, err := dataset.Parse(name, data)
		if err != nil {
			checkParseError(t, err)
			return
		}
		_ = dataset.Validate(ds, nil)
		files, err := dataset.EncodeCSV(ds)
		if err != nil {
			t.Fatalf("EncodeCSV of a parsed dataset: %v", err)
		}
		again, err := dataset.Parse(name, files[name])
		if err != nil {
			t.Fatalf("Parse of EncodeCSV's output: %v\n%s", err, files[name])
		}
		assertEqual(t, again, ds)
	})
}
