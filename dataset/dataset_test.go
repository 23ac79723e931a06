package dataset_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	fm "github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/dataset"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// want is the dataset every fixture of testdata holds.
func want() *fm.Dataset {
	return &fm.Dataset{
		Enterprises: []fm.Enterprise{
			{ID: "E001", Name: "长治某精密制造有限公司", Park: "precision-manufacturing",
				Industry: "machine tools", Commissioner: "P-C01", Attendees: []string{"P-E001-1"}},
			{ID: "E002", Name: "潞安新材料科技有限公司", Park: "new-materials", Industry: "新材料",
				Commissioner: "P-C01", Attendees: []string{"P-E002-1", "P-E002-2"}},
		},
		Universities: []fm.University{
			{ID: "U01", Name: "中北大学", Attendees: []string{"P-U01-3"}},
			{ID: "U02", Name: "Taiyuan University of Technology 太原理工大学", Attendees: []string{"P-U02-1"}},
		},
		People: []fm.Person{
			{ID: "P-C01", Name: "李专员", Email: "li.zy@example.com", Role: fm.RoleCommissioner},
			{ID: "P-E001-1", Name: "王工", Email: "wang@example.com", Org: "E001", Role: fm.RoleRepresentative,
				Available: fm.Availability{"*": {{From: "09:00", To: "12:00"}}}},
			{ID: "P-E002-1", Name: "赵经理", Org: "E002", Role: fm.RoleRepresentative,
				Available: fm.Availability{
					"*":       {{From: "09:00", To: "12:00"}, {From: "14:00", To: "17:00"}},
					"2027-05": {},
				}},
			{ID: "P-E002-2", Name: "Chen Jing", Email: "chen.jing@example.cn", Org: "E002", Role: fm.RoleRepresentative},
			{ID: "P-U01-3", Name: "张教授", Email: "zhang@nuc.edu.cn", Org: "U01", Role: fm.RoleExpert,
				Available: fm.Availability{"2027-03": {{From: "13:30", To: "16:00"}}}},
			{ID: "P-U02-1", Name: "Prof. Liu 刘教授", Org: "U02", Role: fm.RoleExpert},
			{ID: "P-L01", Name: "孙联络员", Org: "U01", Role: fm.RoleLiaison},
		},
		Problems: []fm.Problem{
			{ID: "PR001", Enterprise: "E001", Title: "数控机床主轴热变形补偿",
				Description: "主轴高速运转时温升导致加工精度下降，需要实时补偿。",
				Keywords:    []string{"热误差", "补偿"}, Domains: []string{"manufacturing/machine-tools"},
				Wants: []string{"joint-rd"}, Urgency: "high", Fairs: []string{"2027-03"}, Attendees: []string{"P-E001-1"}},
			{ID: "PR002", Enterprise: "E002", Title: "Low-cost graphene coating 低成本石墨烯涂层",
				Description: "Anti-corrosion coating, \"salt spray\" > 1000 h,\n成本每平方米低于 50 元。",
				Keywords:    []string{"石墨烯", "coating", "防腐"}, Domains: []string{"materials/coatings"},
				Wants: []string{"license", "testing"}, Urgency: "normal"},
			{ID: "PR003", Enterprise: "E002", Title: "储能电池低温性能",
				Description: "-20℃ 低温环境下的电池续航下降 40%", Keywords: []string{"电池", "低温"},
				Fairs: []string{"2027-03", "2027-05"}},
		},
		Offerings: []fm.Offering{
			{ID: "O001", University: "U01", Kind: "technology", Title: "主轴热误差实时补偿技术",
				Description: "基于温度场建模的热误差预测与补偿。", Keywords: []string{"热误差", "补偿", "数控"},
				Domains: []string{"manufacturing/machine-tools"}, TRL: 6, Experts: []string{"P-U01-3"}},
			{ID: "O002", University: "U02", Kind: "lab", Title: "石墨烯材料检测平台",
				Keywords: []string{"石墨烯", "检测"}, Domains: []string{"materials/coatings"}, TRL: 7,
				Experts: []string{"P-U02-1"}},
			{ID: "O003", University: "U01", Kind: "expert", Title: "电池热管理专家咨询",
				Keywords: []string{"电池", "热管理"}},
		},
		Blocked: []fm.Blocked{{Enterprise: "E002", University: "U01", Reason: "existing contract 已有合作协议"}},
		History: []fm.History{
			{Enterprise: "E001", University: "U01", Fair: "2026-11", Outcome: "contract"},
			{Enterprise: "E002", University: "U02", Fair: "2026-09", Outcome: "nda"},
		},
	}
}

// readCSVFixtures returns the CSV fixture files by name.
func readCSVFixtures(t testing.TB) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "csv", "*.csv"))
	if err != nil || len(paths) != 7 {
		t.Fatalf("CSV fixtures: %d files, %v", len(paths), err)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = data
	}
	return files
}

// zipOf returns a zip archive of files, each under dir/ (if dir is not "").
func zipOf(t testing.TB, dir string, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		f, err := w.Create(path(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(files[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func path(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// sheet is the content of one worksheet; a nil row is left empty.
type sheet struct {
	name string
	rows [][]any
}

// workbook builds an XLSX file with excelize's cell API (not with
// EncodeXLSX, so that reading is tested against an independent writer).
func workbook(t testing.TB, sheets ...sheet) []byte {
	t.Helper()
	book := excelize.NewFile()
	defer book.Close()
	first := book.GetSheetName(0)
	for i, s := range sheets {
		if i == 0 {
			if err := book.SetSheetName(first, s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := book.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				axis, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := book.SetCellValue(s.name, axis, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	b, err := book.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fixtureWorkbook turns the CSV fixtures into a workbook: trl cells become
// numbers and a blank row is inserted after each header.
func fixtureWorkbook(t testing.TB) []byte {
	t.Helper()
	var sheets []sheet
	for name, data := range readCSVFixtures(t) {
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))))
		r.FieldsPerRecord = -1
		records, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		s := sheet{name: strings.TrimSuffix(name, ".csv")}
		for i, rec := range records {
			row := make([]any, len(rec))
			for j, v := range rec {
				row[j] = v
				if records[0][j] == "trl" && i > 0 && v != "" {
					row[j] = int(v[0] - '0')
				}
			}
			s.rows = append(s.rows, row)
			if i == 0 {
				s.rows = append(s.rows, nil)
			}
		}
		sheets = append(sheets, s)
	}
	slices.SortFunc(sheets, func(a, b sheet) int { return strings.Compare(a.name, b.name) })
	return workbook(t, sheets...)
}

func TestParseFormats(t *testing.T) {
	tests := []struct {
		name string
		read func(t *testing.T) (*fm.Dataset, error)
	}{
		{"json file", func(t *testing.T) (*fm.Dataset, error) {
			return dataset.Load(filepath.Join("testdata", "valid.json"))
		}},
		{"csv folder", func(t *testing.T) (*fm.Dataset, error) {
			return dataset.Load(filepath.Join("testdata", "csv"))
		}},
		{"zip of csv files", func(t *testing.T) (*fm.Dataset, error) {
			files := readCSVFixtures(t)
			files[".hidden.csv"] = []byte("garbage")
			return dataset.Parse("import.zip", zipOf(t, "dataset", files))
		}},
		{"xlsx workbook", func(t *testing.T) (*fm.Dataset, error) {
			return dataset.Parse("import.xlsx", fixtureWorkbook(t))
		}},
		{"xlsx file", func(t *testing.T) (*fm.Dataset, error) {
			p := filepath.Join(t.TempDir(), "book.xlsx")
			if err := os.WriteFile(p, fixtureWorkbook(t), 0o600); err != nil {
				t.Fatal(err)
			}
			return dataset.Load(p)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.read(t)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			assertEqual(t, got, want())
			if issues := dataset.Validate(got, nil); issues != nil {
				t.Errorf("Validate: %v", issues)
			}
		})
	}
}

func TestParseSingleCSV(t *testing.T) {
	data := readCSVFixtures(t)["problems.csv"]
	got, err := dataset.Parse("uploads/problems.csv", data)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, &fm.Dataset{Problems: want().Problems})
	// The references are Validate's job: without their enterprises, the
	// problems dangle; with them in the store, they resolve.
	wantIssues := []fm.Issue{
		{Record: "problems[0]", Field: "enterprise", Reason: `unknown enterprise "E001"`},
		{Record: "problems[0]", Field: "attendees", Reason: `item 1: unknown person "P-E001-1"`},
		{Record: "problems[1]", Field: "enterprise", Reason: `unknown enterprise "E002"`},
		{Record: "problems[2]", Field: "enterprise", Reason: `unknown enterprise "E002"`},
	}
	if issues := dataset.Validate(got, nil); !slices.Equal(issues, wantIssues) {
		t.Errorf("Validate without base:\n got %v\nwant %v", issues, wantIssues)
	}
	if issues := dataset.Validate(got, want()); issues != nil {
		t.Errorf("Validate with base: %v", issues)
	}
}

// TestEncodeCSVGolden compares EncodeCSV of the fixture with the files of
// testdata/golden (go test -update rewrites them).
func TestEncodeCSVGolden(t *testing.T) {
	files, err := dataset.EncodeCSV(want())
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 7 {
		t.Fatalf("EncodeCSV wrote %d files, want 7", len(files))
	}
	for name, got := range files {
		p := filepath.Join("testdata", "golden", name)
		if *update {
			if err := os.WriteFile(p, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		wantData, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(got, wantData) {
			t.Errorf("%s differs from %s:\n%s", name, p, got)
		}
	}
}

func TestEncodeJSON(t *testing.T) {
	data, err := dataset.EncodeJSON(want())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"\n  \"enterprises\": [\n", `"title": "数控机床主轴热变形补偿"`, `"salt spray\" > 1000 h`} {
		if !bytes.Contains(data, []byte(s)) {
			t.Errorf("EncodeJSON output lacks %q:\n%s", s, data)
		}
	}
	empty, err := dataset.EncodeJSON(nil)
	if err != nil || string(empty) != "{}\n" {
		t.Errorf("EncodeJSON(nil) = %q, %v; want {}", empty, err)
	}
}

func TestRoundTrip(t *testing.T) {
	tricky := want()
	tricky.Problems = append(tricky.Problems,
		fm.Problem{ID: "PR-X1", Enterprise: "E001", Title: "=HYPERLINK(\"http://evil\")", Description: "+1 @all -x"},
		fm.Problem{ID: "PR-X2", Enterprise: "E001", Title: "'=already escaped", Description: "'quoted' and ''",
			Keywords: []string{"-负", "@at", "'=x"}},
		fm.Problem{ID: "-PR-X3", Enterprise: "E001", Title: "@SUM(A1)", Description: "\tleading tab"},
	)
	for _, ds := range []*fm.Dataset{want(), tricky, {}} {
		data, err := dataset.EncodeJSON(ds)
		if err != nil {
			t.Fatal(err)
		}
		fromJSON, err := dataset.Parse("export.json", data)
		if err != nil {
			t.Fatalf("parse JSON export: %v", err)
		}
		assertEqual(t, fromJSON, ds)

		files, err := dataset.EncodeCSV(fromJSON)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		fromCSV, err := dataset.Load(dir)
		if err != nil {
			t.Fatalf("load CSV export: %v", err)
		}
		assertEqual(t, fromCSV, ds)
		fromZip, err := dataset.Parse("export.zip", zipOf(t, "", files))
		if err != nil {
			t.Fatalf("parse zipped CSV export: %v", err)
		}
		assertEqual(t, fromZip, ds)

		book, err := dataset.EncodeXLSX(fromJSON)
		if err != nil {
			t.Fatal(err)
		}
		fromXLSX, err := dataset.Parse("export.xlsx", book)
		if err != nil {
			t.Fatalf("parse XLSX export: %v", err)
		}
		assertEqual(t, fromXLSX, ds)
	}
}

// TestEncodeEscapesFormulas checks that no exported cell starts with a
// character a spreadsheet takes for a formula.
func TestEncodeEscapesFormulas(t *testing.T) {
	ds := &fm.Dataset{Problems: []fm.Problem{
		{ID: "PR1", Enterprise: "E1", Title: "=1+1", Description: "+cmd|' /C calc'!A0", Keywords: []string{"@x", "y"}},
		{ID: "PR2", Enterprise: "E1", Title: "-2", Description: "@SUM(1)"},
	}}
	files, err := dataset.EncodeCSV(ds)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(files["problems.csv"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantRows := [][]string{
		{"PR1", "E1", "'=1+1", "'+cmd|' /C calc'!A0", "'@x;y"},
		{"PR2", "E1", "'-2", "'@SUM(1)", ""},
	}
	for i, w := range wantRows {
		if got := rows[i+1][:5]; !slices.Equal(got, w) {
			t.Errorf("CSV row %d = %q, want %q", i+2, got, w)
		}
	}

	data, err := dataset.EncodeXLSX(ds)
	if err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	for _, c := range []struct{ axis, want string }{{"C2", "'=1+1"}, {"D2", "'+cmd|' /C calc'!A0"}, {"C3", "'-2"}} {
		got, err := book.GetCellValue("problems", c.axis)
		if err != nil || got != c.want {
			t.Errorf("XLSX problems!%s = %q, %v; want %q", c.axis, got, err, c.want)
		}
		if f, _ := book.GetCellFormula("problems", c.axis); f != "" {
			t.Errorf("XLSX problems!%s holds the formula %q", c.axis, f)
		}
	}
	if got := book.GetSheetList(); !slices.Equal(got, []string{"enterprises", "universities", "people", "problems", "offerings", "blocked", "history"}) {
		t.Errorf("XLSX sheets = %q", got)
	}
}

func TestEncodeCSVRefusesUnwritableLists(t *testing.T) {
	ds := &fm.Dataset{Problems: []fm.Problem{{ID: "PR1", Enterprise: "E1", Title: "t", Keywords: []string{"a;b"}}}}
	if _, err := dataset.EncodeCSV(ds); err == nil || !strings.Contains(err.Error(), "problems[0] field keywords") {
		t.Errorf("EncodeCSV with a ; in a keyword: %v, want an error naming problems[0] field keywords", err)
	}
}

func TestLimits(t *testing.T) {
	t.Run("too large", func(t *testing.T) {
		_, err := dataset.Parse("big.json", make([]byte, dataset.MaxInputSize+1))
		if !errors.Is(err, dataset.ErrTooLarge) || fm.ErrorCode(err) != fm.EINVALID {
			t.Errorf("Parse of %d bytes: %v, want ErrTooLarge with code invalid", dataset.MaxInputSize+1, err)
		}
	})
	t.Run("too large folder", func(t *testing.T) {
		dir := t.TempDir()
		for _, name := range []string{"problems.csv", "offerings.csv"} {
			if err := os.WriteFile(filepath.Join(dir, name), make([]byte, dataset.MaxInputSize/2+1), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := dataset.Load(dir); !errors.Is(err, dataset.ErrTooLarge) {
			t.Errorf("Load of a folder over the limit: %v, want ErrTooLarge", err)
		}
	})
	t.Run("too many records", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString("enterprise,university\n")
		for range dataset.MaxRecords + 1 {
			b.WriteString("E1,U1\n")
		}
		_, err := dataset.Parse("blocked.csv", b.Bytes())
		if !errors.Is(err, dataset.ErrTooManyRecords) || fm.ErrorCode(err) != fm.EINVALID {
			t.Errorf("Parse of %d records: %v, want ErrTooManyRecords", dataset.MaxRecords+1, err)
		}
	})
	t.Run("exactly the maximum", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString("enterprise,university,fair,outcome\n")
		for range dataset.MaxRecords {
			b.WriteString("E1,U1,2027-03,none\n")
		}
		ds, err := dataset.Parse("history.csv", b.Bytes())
		if err != nil || len(ds.History) != dataset.MaxRecords {
			t.Errorf("Parse of %d records: %v", dataset.MaxRecords, err)
		}
	})
	t.Run("issues are capped", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString("enterprise,university,fair,outcome\n")
		for range 2 * dataset.MaxIssues {
			b.WriteString("E1,U1,2027-03,won\n")
		}
		_, err := dataset.Parse("history.csv", b.Bytes())
		issues := fm.ErrorIssues(err)
		if len(issues) != dataset.MaxIssues+1 || issues[len(issues)-1].Reason != "1000 more issues not listed" {
			t.Errorf("%d issues, last %v", len(issues), issues[len(issues)-1])
		}
	})
}

func TestLoadErrors(t *testing.T) {
	_, err := dataset.Load(filepath.Join(t.TempDir(), "missing.json"))
	if fm.ErrorCode(err) != fm.ENOTFOUND {
		t.Errorf("Load of a missing file: %v (code %q), want not_found", err, fm.ErrorCode(err))
	}
	_, err = dataset.Parse("data.txt", []byte("{}"))
	if fm.ErrorCode(err) != fm.EINVALID || !strings.Contains(err.Error(), "unsupported format") {
		t.Errorf("Parse of .txt: %v", err)
	}
}

// TestSchemaMatchesTypes checks that the columns of each kind are exactly
// the JSON names of the fields of its Go type, in order, so that the
// formats cannot drift apart.
func TestSchemaMatchesTypes(t *testing.T) {
	files, err := dataset.EncodeCSV(nil)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]reflect.Type{}
	dsType := reflect.TypeFor[fm.Dataset]()
	for i := range dsType.NumField() {
		f := dsType.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		types[name+".csv"] = f.Type.Elem()
	}
	if len(files) != len(types) {
		t.Fatalf("EncodeCSV wrote %d files for %d kinds", len(files), len(types))
	}
	for name, typ := range types {
		var tags []string
		for i := range typ.NumField() {
			tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			tags = append(tags, tag)
		}
		header := strings.Split(strings.TrimSpace(string(files[name])), ",")
		if !slices.Equal(header, tags) {
			t.Errorf("%s header %q, want the JSON names of %s: %q", name, header, typ, tags)
		}
	}
}

// assertEqual fails the test if got and want differ, showing both as JSON.
func assertEqual(t *testing.T, got, want *fm.Dataset) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, _ := dataset.EncodeJSON(got)
	w, _ := dataset.EncodeJSON(want)
	if bytes.Equal(g, w) {
		t.Fatalf("datasets differ only in nil versus empty values:\ngot  %#v\nwant %#v", got, want)
	}
	t.Fatalf("datasets differ:\n got: %s\nwant: %s", g, w)
}
