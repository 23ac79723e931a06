package dataset_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	fm "github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/dataset"
)

// issue is an expected issue: File, Record and Field must be equal and
// Reason must contain reason.
type issue struct {
	file, record, field, reason string
}

func (w issue) matches(is fm.Issue) bool {
	return is.File == w.file && is.Record == w.record && is.Field == w.field && strings.Contains(is.Reason, w.reason)
}

// assertIssues checks that err is an EINVALID *fairmatch.Error whose issues
// are exactly the expected ones, in order.
func assertIssues(t *testing.T, err error, want ...issue) {
	t.Helper()
	var e *fm.Error
	if !errors.As(err, &e) || e.Code != fm.EINVALID {
		t.Fatalf("error %v (%T), want a *fairmatch.Error with code invalid", err, err)
	}
	if len(e.Issues) != len(want) {
		t.Fatalf("%d issues, want %d:\n%s", len(e.Issues), len(want), e)
	}
	for i, w := range want {
		if !w.matches(e.Issues[i]) {
			t.Errorf("issue %d = %#v\nwant %+v", i+1, e.Issues[i], w)
		}
	}
}

func TestParseBadJSON(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []issue
	}{
		{"unknown top-level key", `{"problem": []}`,
			[]issue{{"d.json", "", "problem", `unknown key "problem"`}}},
		{"unknown key in a record", `{"problems": [{"id": "PR1", "enterprise": "E1", "title": "t"},
				{"id": "PR2", "enterprise": "E1", "titel": "t"}]}`,
			[]issue{
				{"d.json", "problems[1]", "titel", `unknown key "titel"`},
				{"d.json", "problems[1]", "title", "is required"},
			}},
		{"unknown key in a window", `{"people": [{"id": "P1", "name": "王工", "role": "expert",
				"available": {"*": [{"from": "09:00", "till": "12:00"}]}}]}`,
			[]issue{
				{"d.json", `people[0].available["*"][0]`, "till", `unknown key "till"`},
				{"d.json", "people[0]", "available", `* window 1: to "" is not a time HH:MM`},
			}},
		{"duplicate key", `{"universities": [{"id": "U1", "name": "中北大学", "name": "太原理工"}]}`,
			[]issue{{"d.json", "universities[0]", "name", "duplicate key"}}},
		{"syntax error", "{\"problems\": [\n  {\"id\": \"PR1\",}\n]}",
			[]issue{{"d.json", "line 2, column 16", "", "JSON syntax error: invalid character '}' looking for beginning of object key string"}}},
		{"syntax error in a value", "{\"problems\": [\n  {\"id\": \"PR1\", \"keywords\": [\"a\" \"b\"]}]}",
			[]issue{{"d.json", "line 2, column 34", "", "JSON syntax error: invalid character '\"' after array element"}}},
		{"truncated", "{\"problems\": [\n  {\"id\": \"PR1\"",
			[]issue{{"d.json", "line 2, column 15", "", "unexpected end of input"}}},
		{"empty", "",
			[]issue{{"d.json", "line 1, column 1", "", "unexpected end of input"}}},
		{"trailing data", "{}\n{}",
			[]issue{{"d.json", "line 2, column 1", "", "invalid character '{' after top-level value"}}},
		{"not an object", `["E001"]`,
			[]issue{{"d.json", "", "", "the dataset must be a JSON object, not an array"}}},
		{"kind not an array", `{"enterprises": {"id": "E1"}}`,
			[]issue{{"d.json", "", "enterprises", "must be a JSON array, not an object"}}},
		{"record not an object", `{"enterprises": ["E1", [1]]}`,
			[]issue{
				{"d.json", "enterprises[0]", "", "a record must be a JSON object, not a string"},
				{"d.json", "enterprises[1]", "", "a record must be a JSON object, not an array"},
			}},
		{"invalid UTF-8", "{\"enterprises\": [\n{\"id\": \"E1\", \"name\": \"长治\xff\"}]}",
			[]issue{{"d.json", "line 2, column 25", "", "invalid UTF-8"}}},
		{"wrong types", `{"offerings": [{"id": "O1", "university": 7, "title": "t", "trl": "6",
				"keywords": "石墨烯", "experts": [1]}]}`,
			[]issue{
				{"d.json", "offerings[0]", "university", "must be a string, not a number"},
				{"d.json", "offerings[0]", "trl", `must be an integer, not "6"`},
				{"d.json", "offerings[0]", "keywords", "must be a list of strings"},
				{"d.json", "offerings[0]", "experts", "must be a list of strings"},
			}},
		{"trl not an integer or out of range", `{"offerings": [
				{"id": "O1", "university": "U1", "title": "t", "trl": 6.5},
				{"id": "O2", "university": "U1", "title": "t", "trl": 0},
				{"id": "O3", "university": "U1", "title": "t", "trl": 10}]}`,
			[]issue{
				{"d.json", "offerings[0]", "trl", "must be an integer, not 6.5"},
				{"d.json", "offerings[1]", "trl", "0 is not a technology readiness level 1–9"},
				{"d.json", "offerings[2]", "trl", "10 is not a technology readiness level 1–9"},
			}},
		{"bad enums", `{"problems": [{"id": "PR1", "enterprise": "E1", "title": "t",
				"wants": ["joint-rd", "money"], "urgency": "urgent"}],
			"people": [{"id": "P1", "name": "n", "role": "boss"}],
			"offerings": [{"id": "O1", "university": "U1", "title": "t", "kind": "patent"}],
			"history": [{"enterprise": "E1", "university": "U1", "fair": "2026-13", "outcome": "won"}]}`,
			[]issue{
				{"d.json", "problems[0]", "wants", `item 2: "money" is not one of joint-rd, license`},
				{"d.json", "problems[0]", "urgency", `"urgent" is not one of low, normal, high`},
				{"d.json", "people[0]", "role", `"boss" is not one of representative, expert`},
				{"d.json", "offerings[0]", "kind", `"patent" is not one of technology, expert, lab`},
				{"d.json", "history[0]", "fair", `"2026-13" is not a fair id`},
				{"d.json", "history[0]", "outcome", `"won" is not one of none, contact`},
			}},
		{"bad windows", `{"people": [{"id": "P1", "name": "n", "role": "expert", "available": {
				"*": [{"from": "12:00", "to": "09:00"}, {"from": "9:00", "to": "10:00"}],
				"2027-3": [{"from": "09:00", "to": "10:00"}],
				"2027-04": [{"from": "09:00", "to": "24:00"}],
				"2027-05": {"from": "09:00", "to": "10:00"}}}]}`,
			[]issue{
				{"d.json", "people[0].available", "available", `"2027-05" must be a list of windows, not an object`},
				{"d.json", "people[0]", "available", "* window 1: from 12:00 is not before to 09:00"},
				{"d.json", "people[0]", "available", `* window 2: from "9:00" is not a time HH:MM`},
				{"d.json", "people[0]", "available", `2027-04 window 1: to "24:00" is not a time HH:MM`},
				{"d.json", "people[0]", "available", `"2027-3" is neither * nor a fair id`},
			}},
		{"bad ids, text and email", `{"people": [
				{"id": "P 1", "name": "n", "role": "expert", "email": "王工 <wang@example.com>"},
				{"id": "", "name": "n\u0000", "role": "expert", "email": "wang@localhost", "org": "E;1"}]}`,
			[]issue{
				{"d.json", "people[0]", "id", `id "P 1" contains whitespace`},
				{"d.json", "people[0]", "email", "is not a plausible e-mail address"},
				{"d.json", "people[1]", "id", "is required"},
				{"d.json", "people[1]", "name", "contains the control character U+0000"},
				{"d.json", "people[1]", "email", `"wang@localhost" is not a plausible e-mail address`},
				{"d.json", "people[1]", "org", "contains the list separator"},
			}},
		{"bad lists", `{"problems": [{"id": "PR1", "enterprise": "E1", "title": "t",
				"keywords": ["a", " ", "b；c"], "fairs": ["2027-03", "2027-03"], "attendees": ["P1", "P1"]}]}`,
			[]issue{
				{"d.json", "problems[0]", "keywords", "item 2 is empty"},
				{"d.json", "problems[0]", "keywords", "item 3 (\"b；c\") contains the list separator"},
				{"d.json", "problems[0]", "fairs", "item 2 repeats item 1"},
				{"d.json", "problems[0]", "attendees", "item 2 repeats item 1"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := dataset.Parse("d.json", []byte(tt.data))
			if ds != nil {
				t.Errorf("Parse returned a dataset with an error")
			}
			assertIssues(t, err, tt.want...)
		})
	}
}

func TestParseBadCSV(t *testing.T) {
	const problems = "id,enterprise,title,urgency\n"
	tests := []struct {
		name, file, data string
		want             []issue
	}{
		{"unknown column", "problems.csv", "id,enterprise,title,urgncy\nPR1,E1,t,high\n",
			[]issue{{"problems.csv", "row 1", "urgncy", `unknown column "urgncy"`}}},
		{"duplicate column", "blocked.csv", "enterprise,university,university\nE1,U1,U2\n",
			[]issue{{"blocked.csv", "row 1", "university", "duplicate column"}}},
		{"missing required column", "problems.csv", "id,title\nPR1,t\n",
			[]issue{{"problems.csv", "row 1", "enterprise", "missing required column"}}},
		{"cell without a header", "problems.csv", problems + "PR1,E1,t,high,extra\n",
			[]issue{{"problems.csv", "row 2", "column E", "value in a column without a known header"}}},
		{"invalid UTF-8", "problems.csv", problems + "PR1,E1,t,high\nPR2,E1,\xb3\xa4\xd6\xce,low\n",
			[]issue{{"problems.csv", "row 3", "title", "is not valid UTF-8"}}},
		{"bad enum", "problems.csv", problems + "PR1,E1,t,urgent\n",
			[]issue{{"problems.csv", "row 2", "urgency", `"urgent" is not one of low, normal, high`}}},
		{"rows are lines", "problems.csv", problems + "PR1,E1,\"two\nlines\",high\n\nPR2,E1,t,soon\n",
			[]issue{{"problems.csv", "row 5", "urgency", `"soon" is not one of`}}},
		{"bad window", "people.csv", "id,name,role,available\nP1,王工,expert,*=12:00-09:00;2027-03=9-10;*=09:00\n",
			[]issue{{"people.csv", "row 2", "available", `item 3 ("*=09:00"): window "09:00" is not HH:MM-HH:MM`}}},
		{"window order", "people.csv", "id,name,role,available\nP1,王工,expert,*=12:00-09:00\n",
			[]issue{{"people.csv", "row 2", "available", "* window 1: from 12:00 is not before to 09:00"}}},
		{"window without fair", "people.csv", "id,name,role,available\nP1,王工,expert,09:00-12:00\n",
			[]issue{{"people.csv", "row 2", "available", "is not FAIR=HH:MM-HH:MM"}}},
		{"trl", "offerings.csv", "id,university,title,trl\nO1,U1,t,six\nO2,U1,t,0\nO3,U1,t,10\nO4,U1,t,6.0\n",
			[]issue{
				{"offerings.csv", "row 2", "trl", `"six" is not an integer`},
				{"offerings.csv", "row 3", "trl", "0 is not a technology readiness level"},
				{"offerings.csv", "row 4", "trl", "10 is not a technology readiness level"},
				{"offerings.csv", "row 5", "trl", `"6.0" is not an integer`},
			}},
		{"every bad record", "history.csv", "enterprise,university,fair,outcome\nE1,U1,2027-03,won\nE 2,U1,2027-03,nda\nE3,,2027,none\n",
			[]issue{
				{"history.csv", "row 2", "outcome", `"won" is not one of`},
				{"history.csv", "row 3", "enterprise", "contains whitespace"},
				{"history.csv", "row 4", "university", "is required"},
				{"history.csv", "row 4", "fair", `"2027" is not a fair id`},
			}},
		{"malformed quote", "problems.csv", problems + "PR1,E1,\"t\"x,high\n",
			[]issue{{"problems.csv", "row 2", "", "malformed CSV at line 2, column 10"}}},
		{"unknown file", "problem.csv", problems,
			[]issue{{"problem.csv", "", "", `unknown CSV file "problem.csv"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dataset.Parse(tt.file, []byte(tt.data))
			assertIssues(t, err, tt.want...)
		})
	}
}

func TestParseCSVAccepts(t *testing.T) {
	data := "\xEF\xBB\xBF id , enterprise,title,keywords,fairs\r\n" +
		"PR1,E1, 主轴 补偿 ,\"热误差 ；补偿;; ；\",2027-03\r\n" +
		",,,,\r\n" +
		"PR2,E1,'=1+1,,\r\n"
	ds, err := dataset.Parse("problems.csv", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	wantDS := &fm.Dataset{Problems: []fm.Problem{
		{ID: "PR1", Enterprise: "E1", Title: "主轴 补偿", Keywords: []string{"热误差", "补偿"}, Fairs: []string{"2027-03"}},
		{ID: "PR2", Enterprise: "E1", Title: "=1+1"},
	}}
	assertEqual(t, ds, wantDS)
}

func TestParseBadFolderZipAndWorkbook(t *testing.T) {
	t.Run("unknown CSV file in a folder", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "problems.csv", "id,enterprise,title\nPR1,E1,t\n")
		writeFile(t, dir, "experts.csv", "id\nX1\n")
		writeFile(t, dir, "notes.txt", "ignored")
		_, err := dataset.Load(dir)
		assertIssues(t, err, issue{dir + "/experts.csv", "", "", `unknown CSV file "experts.csv"`})
	})
	t.Run("issues of several files", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "problems.csv", "id,enterprise,title,urgency\nPR1,E1,t,urgent\n")
		writeFile(t, dir, "people.csv", "id,name,role\nP1,王工,boss\n")
		_, err := dataset.Load(dir)
		assertIssues(t, err,
			issue{dir + "/people.csv", "row 2", "role", `"boss" is not one of`},
			issue{dir + "/problems.csv", "row 2", "urgency", `"urgent" is not one of`})
	})
	t.Run("zip", func(t *testing.T) {
		data := zipOf(t, "", map[string][]byte{
			"problems.csv":     []byte("id,enterprise,title\nPR1,E1,t\n"),
			"sub/problems.csv": []byte("id,enterprise,title\nPR2,E1,t\n"),
			"offering.csv":     []byte("id\n"),
			"readme.md":        []byte("ignored"),
		})
		_, err := dataset.Parse("in.zip", data)
		assertIssues(t, err,
			issue{"in.zip/offering.csv", "", "", `unknown CSV file "offering.csv"`},
			issue{"in.zip/sub/problems.csv", "", "", "a second problems file"})
	})
	t.Run("not a zip", func(t *testing.T) {
		_, err := dataset.Parse("in.zip", []byte("id,name\n"))
		assertIssues(t, err, issue{"in.zip", "", "", "not a readable zip archive"})
	})
	t.Run("unknown sheet", func(t *testing.T) {
		data := workbook(t,
			sheet{"problems", [][]any{{"id", "enterprise", "title"}, {"PR1", "E1", "t"}}},
			sheet{"Sheet1", nil},
		)
		_, err := dataset.Parse("book.xlsx", data)
		assertIssues(t, err, issue{"book.xlsx/Sheet1", "", "", `unknown sheet "Sheet1"`})
	})
	t.Run("bad cells in a sheet", func(t *testing.T) {
		data := workbook(t, sheet{"offerings", [][]any{
			{"id", "university", "title", "trl", "kind", "colour"},
			nil,
			{"O1", "U1", "t", 6.5, "technology"},
			{"O2", "U1", "t", 12, "patent", "red"},
		}})
		_, err := dataset.Parse("book.xlsx", data)
		assertIssues(t, err,
			issue{"book.xlsx/offerings", "row 1", "colour", `unknown column "colour"`},
			issue{"book.xlsx/offerings", "row 3", "trl", `"6.5" is not an integer`},
			issue{"book.xlsx/offerings", "row 4", "kind", `"patent" is not one of`},
			issue{"book.xlsx/offerings", "row 4", "trl", "12 is not a technology readiness level"})
	})
	t.Run("not a workbook", func(t *testing.T) {
		_, err := dataset.Parse("book.xlsx", []byte("id,name\n"))
		assertIssues(t, err, issue{"book.xlsx", "", "", "not a readable XLSX workbook"})
	})
}

func TestValidate(t *testing.T) {
	base := &fm.Dataset{
		Enterprises:  []fm.Enterprise{{ID: "E1", Name: "长治精密"}},
		Universities: []fm.University{{ID: "U1", Name: "中北大学"}},
		People:       []fm.Person{{ID: "P1", Name: "王工", Org: "E1", Role: fm.RoleRepresentative}},
	}
	tests := []struct {
		name string
		ds   *fm.Dataset
		base *fm.Dataset
		want []issue
	}{
		{"references resolve in base", &fm.Dataset{
			Problems:  []fm.Problem{{ID: "PR1", Enterprise: "E1", Title: "t", Attendees: []string{"P1"}}},
			Offerings: []fm.Offering{{ID: "O1", University: "U1", Title: "t", Experts: []string{"P2"}}},
			People:    []fm.Person{{ID: "P2", Name: "张教授", Org: "U1", Role: fm.RoleExpert}},
			Blocked:   []fm.Blocked{{Enterprise: "E1", University: "U1"}},
			History:   []fm.History{{Enterprise: "E1", University: "U1", Fair: "2026-11", Outcome: "nda"}},
		}, base, nil},
		{"an update is not a duplicate", &fm.Dataset{
			Enterprises: []fm.Enterprise{{ID: "E1", Name: "长治精密（更名）"}},
		}, base, nil},
		{"dangling references", &fm.Dataset{
			Enterprises:  []fm.Enterprise{{ID: "E2", Name: "n", Commissioner: "P-C9", Attendees: []string{"P1", "P9"}}},
			Universities: []fm.University{{ID: "U2", Name: "n", Attendees: []string{"P8"}}},
			People:       []fm.Person{{ID: "P2", Name: "n", Org: "X1", Role: fm.RoleExpert}},
			Problems:     []fm.Problem{{ID: "PR1", Enterprise: "E9", Title: "t"}},
			Offerings:    []fm.Offering{{ID: "O1", University: "U9", Title: "t", Experts: []string{"P2", "P7"}}},
			Blocked:      []fm.Blocked{{Enterprise: "E9", University: "U1"}},
			History:      []fm.History{{Enterprise: "E1", University: "U9", Fair: "2026-11", Outcome: "none"}},
		}, base, []issue{
			{"", "enterprises[0]", "commissioner", `unknown person "P-C9"`},
			{"", "enterprises[0]", "attendees", `item 2: unknown person "P9"`},
			{"", "universities[0]", "attendees", `item 1: unknown person "P8"`},
			{"", "people[0]", "org", `unknown enterprise or university "X1"`},
			{"", "problems[0]", "enterprise", `unknown enterprise "E9"`},
			{"", "offerings[0]", "university", `unknown university "U9"`},
			{"", "offerings[0]", "experts", `item 2: unknown person "P7"`},
			{"", "blocked[0]", "enterprise", `unknown enterprise "E9"`},
			{"", "history[0]", "university", `unknown university "U9"`},
		}},
		{"without base nothing resolves", &fm.Dataset{
			Problems: []fm.Problem{{ID: "PR1", Enterprise: "E1", Title: "t"}},
		}, nil, []issue{{"", "problems[0]", "enterprise", `unknown enterprise "E1"`}}},
		{"duplicates", &fm.Dataset{
			Enterprises: []fm.Enterprise{{ID: "E1", Name: "a"}, {ID: "E2", Name: "b"}, {ID: "E1", Name: "c"}},
			Blocked:     []fm.Blocked{{Enterprise: "E1", University: "U1"}, {Enterprise: "E1", University: "U1", Reason: "again"}},
			History: []fm.History{
				{Enterprise: "E1", University: "U1", Fair: "2026-11", Outcome: "none"},
				{Enterprise: "E1", University: "U1", Fair: "2027-01", Outcome: "nda"},
				{Enterprise: "E1", University: "U1", Fair: "2026-11", Outcome: "contract"},
			},
		}, base, []issue{
			{"", "enterprises[2]", "id", "duplicate of enterprises[0]"},
			{"", "blocked[1]", "university", "duplicate of blocked[0]"},
			{"", "history[2]", "fair", "duplicate of history[0]"},
		}},
		{"field checks", &fm.Dataset{
			People:    []fm.Person{{ID: "P 2", Name: "n", Role: "", Email: "no-at-sign"}},
			Offerings: []fm.Offering{{ID: "O1", University: "U1", Title: "t", TRL: 10, Kind: "idea"}},
			Problems:  []fm.Problem{{ID: "PR1", Enterprise: "E1", Title: "bad \xff utf-8"}},
		}, base, []issue{
			{"", "people[0]", "id", "contains whitespace"},
			{"", "people[0]", "email", "is not a plausible e-mail address"},
			{"", "people[0]", "role", "is required"},
			{"", "problems[0]", "title", "is not valid UTF-8"},
			{"", "offerings[0]", "kind", `"idea" is not one of`},
			{"", "offerings[0]", "trl", "10 is not a technology readiness level 1–9"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := dataset.Validate(tt.ds, tt.base)
			if len(got) != len(tt.want) {
				t.Fatalf("%d issues, want %d: %v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				if !w.matches(got[i]) {
					t.Errorf("issue %d = %#v\nwant %+v", i+1, got[i], w)
				}
			}
		})
	}
	if got := dataset.Validate(nil, base); got != nil {
		t.Errorf("Validate(nil) = %v", got)
	}
}

func TestMerge(t *testing.T) {
	base := &fm.Dataset{
		Enterprises: []fm.Enterprise{{ID: "E1", Name: "旧名"}, {ID: "E2", Name: "二号", Attendees: []string{"P1"}}},
		People: []fm.Person{{ID: "P1", Name: "王工", Role: fm.RoleExpert,
			Available: fm.Availability{"*": {{From: "09:00", To: "12:00"}}}}},
		Problems: []fm.Problem{{ID: "PR1", Enterprise: "E1", Title: "t", Keywords: []string{"a"}}},
		Blocked:  []fm.Blocked{{Enterprise: "E1", University: "U1", Reason: "old"}, {Enterprise: "E2", University: "U1"}},
		History: []fm.History{
			{Enterprise: "E1", University: "U1", Fair: "2026-11", Outcome: "contact"},
			{Enterprise: "E1", University: "U1", Fair: "2027-01", Outcome: "none"},
		},
	}
	update := &fm.Dataset{
		Enterprises:  []fm.Enterprise{{ID: "E3", Name: "三号"}, {ID: "E1", Name: "新名"}},
		Universities: []fm.University{{ID: "U1", Name: "中北大学"}},
		Blocked:      []fm.Blocked{{Enterprise: "E1", University: "U1", Reason: "new"}, {Enterprise: "E1", University: "U2"}},
		History: []fm.History{
			{Enterprise: "E1", University: "U1", Fair: "2026-11", Outcome: "contract"},
			{Enterprise: "E2", University: "U1", Fair: "2026-11", Outcome: "none"},
		},
		Offerings: []fm.Offering{{ID: "O1", University: "U1", Title: "a"}, {ID: "O1", University: "U1", Title: "b"}},
	}
	baseBefore, updateBefore := clone(t, base), clone(t, update)

	got := dataset.Merge(base, update)
	wantDS := &fm.Dataset{
		Enterprises:  []fm.Enterprise{{ID: "E1", Name: "新名"}, {ID: "E2", Name: "二号", Attendees: []string{"P1"}}, {ID: "E3", Name: "三号"}},
		Universities: []fm.University{{ID: "U1", Name: "中北大学"}},
		People:       base.People,
		Problems:     base.Problems,
		Offerings:    []fm.Offering{{ID: "O1", University: "U1", Title: "b"}},
		Blocked: []fm.Blocked{{Enterprise: "E1", University: "U1", Reason: "new"}, {Enterprise: "E2", University: "U1"},
			{Enterprise: "E1", University: "U2"}},
		History: []fm.History{
			{Enterprise: "E1", University: "U1", Fair: "2026-11", Outcome: "contract"},
			{Enterprise: "E1", University: "U1", Fair: "2027-01", Outcome: "none"},
			{Enterprise: "E2", University: "U1", Fair: "2026-11", Outcome: "none"},
		},
	}
	assertEqual(t, got, wantDS)
	assertEqual(t, base, baseBefore)
	assertEqual(t, update, updateBefore)

	// The result shares no memory with its inputs.
	got.Enterprises[1].Attendees[0] = "changed"
	got.People[0].Available["*"][0].From = "10:00"
	got.Problems[0].Keywords[0] = "changed"
	assertEqual(t, base, baseBefore)

	// Merging again is idempotent; nil stands for an empty dataset.
	assertEqual(t, dataset.Merge(got, update), got)
	assertEqual(t, dataset.Merge(nil, base), baseBefore)
	assertEqual(t, dataset.Merge(base, nil), baseBefore)
	if m := dataset.Merge(nil, nil); !reflect.DeepEqual(m, &fm.Dataset{}) {
		t.Errorf("Merge(nil, nil) = %+v", m)
	}
}

func clone(t *testing.T, ds *fm.Dataset) *fm.Dataset {
	t.Helper()
	data, err := dataset.EncodeJSON(ds)
	if err != nil {
		t.Fatal(err)
	}
	c, err := dataset.Parse("clone.json", data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeFile(t *testing.T, dir, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}
