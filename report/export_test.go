package report_test

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/report"
)

// sections reads a report CSV back into its sections by name, each with
// its header first.
func sections(t *testing.T, data []byte) (map[string][][]string, []string) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read back the CSV: %v", err)
	}
	out := map[string][][]string{}
	var order []string
	cur := ""
	for _, rec := range recs {
		if len(rec) == 1 && isSection(rec[0]) {
			cur = rec[0]
			order = append(order, cur)
			out[cur] = [][]string{}
			continue
		}
		if len(rec) == 1 && rec[0] == "" {
			continue
		}
		out[cur] = append(out[cur], rec)
	}
	return out, order
}

func isSection(s string) bool {
	switch s {
	case report.SectionSummary, report.SectionParks, report.SectionUniversities, report.SectionOutcomes:
		return true
	}
	return false
}

// wantTables is the report laid out as the exports must show it, counts as
// decimal text.
func wantTables(rep report.Report) map[string][][]string {
	figs := func(f report.Figures, raised bool) []string {
		var s []string
		if raised {
			s = append(s, strconv.Itoa(f.ProblemsRaised))
		}
		for _, n := range []int{f.ProblemsMatched, f.Proposed, f.Scheduled, f.Declined, f.Held} {
			s = append(s, strconv.Itoa(n))
		}
		for _, n := range f.Outcomes.Counts() {
			s = append(s, strconv.Itoa(n))
		}
		return append(s, strconv.Itoa(f.Outcomes.Unreported))
	}
	stages := append(append([]string{}, fairmatch.Outcomes...), "unreported")
	summary := [][]string{append([]string{"fair", "theme", "date", "published", "problems_raised", "problems_matched",
		"proposed", "scheduled", "declined", "held"}, stages...)}
	for _, f := range rep.Fairs {
		summary = append(summary, append([]string{f.Fair, f.Theme, f.Start.Format("2006-01-02"), strconv.FormatBool(f.Published)}, figs(f.Figures, true)...))
	}
	if rep.Fair == "" {
		summary = append(summary, append([]string{"total " + rep.Scope(), "", "", ""}, figs(rep.Total, true)...))
	}
	parks := [][]string{append([]string{"park", "enterprises", "problems_raised", "problems_matched",
		"proposed", "scheduled", "declined", "held"}, stages...)}
	for _, p := range rep.Parks {
		parks = append(parks, append([]string{p.Park, strconv.Itoa(p.Enterprises)}, figs(p.Figures, true)...))
	}
	unis := [][]string{append([]string{"university", "name", "offerings", "problems_matched",
		"proposed", "scheduled", "declined", "held"}, stages...)}
	for _, u := range rep.Universities {
		unis = append(unis, append([]string{u.University, u.Name, strconv.Itoa(u.Offerings)}, figs(u.Figures, false)...))
	}
	outcomes := [][]string{{"stage", "pairs", "reached"}}
	c, r := rep.Total.Outcomes.Counts(), rep.Total.Outcomes.Reached()
	for i, s := range fairmatch.Outcomes {
		outcomes = append(outcomes, []string{s, strconv.Itoa(c[i]), strconv.Itoa(r[i])})
	}
	outcomes = append(outcomes, []string{"unreported", strconv.Itoa(rep.Total.Outcomes.Unreported), ""})
	return map[string][][]string{report.SectionSummary: summary, report.SectionParks: parks,
		report.SectionUniversities: unis, report.SectionOutcomes: outcomes}
}

func sameRows(t *testing.T, where string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d:\n got %q\nwant %q", where, len(got), len(want), got, want)
		return
	}
	for i := range want {
		// excelize drops trailing empty cells of a row
		g := got[i]
		for len(g) < len(want[i]) {
			g = append(g, "")
		}
		if len(g) != len(want[i]) {
			t.Errorf("%s row %d: %q, want %q", where, i+1, got[i], want[i])
			continue
		}
		for j := range want[i] {
			if g[j] != want[i][j] {
				t.Errorf("%s row %d column %d: %q, want %q", where, i+1, j+1, g[j], want[i][j])
			}
		}
	}
}

func TestWriteCSVRoundTrip(t *testing.T) {
	for name, in := range map[string]report.Input{"year": fixture(), "fair": oneFair()} {
		t.Run(name, func(t *testing.T) {
			rep := report.Compute(in)
			var buf bytes.Buffer
			if err := report.WriteCSV(&buf, rep); err != nil {
				t.Fatal(err)
			}
			got, order := sections(t, buf.Bytes())
			wantOrder := []string{report.SectionSummary, report.SectionParks, report.SectionUniversities, report.SectionOutcomes}
			if len(order) != len(wantOrder) {
				t.Fatalf("sections %v, want %v", order, wantOrder)
			}
			for i := range wantOrder {
				if order[i] != wantOrder[i] {
					t.Fatalf("sections %v, want %v", order, wantOrder)
				}
			}
			for sec, want := range wantTables(rep) {
				sameRows(t, "CSV "+sec, got[sec], want)
			}
		})
	}
}

func TestWriteXLSXRoundTrip(t *testing.T) {
	rep := report.Compute(fixture())
	var buf bytes.Buffer
	if err := report.WriteXLSX(&buf, rep); err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("open the workbook: %v", err)
	}
	defer book.Close()
	sheets := book.GetSheetList()
	want := []string{report.SectionSummary, report.SectionParks, report.SectionUniversities, report.SectionOutcomes}
	if len(sheets) != len(want) {
		t.Fatalf("sheets %v, want %v", sheets, want)
	}
	for sec, rows := range wantTables(rep) {
		got, err := book.GetRows(sec)
		if err != nil {
			t.Fatalf("sheet %s: %v", sec, err)
		}
		sameRows(t, "XLSX "+sec, got, rows)
	}
	// Counts are numbers, not text.
	typ, err := book.GetCellType(report.SectionSummary, "E2")
	if err != nil || typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("summary!E2 has type %v (%v), want a number", typ, err)
	}
	v, err := book.GetCellValue(report.SectionSummary, "E2")
	if err != nil || v != strconv.Itoa(rep.Fairs[0].ProblemsRaised) {
		t.Errorf("summary!E2 = %q (%v), want %d", v, err, rep.Fairs[0].ProblemsRaised)
	}
}

func oneFair() report.Input {
	in := fixture()
	in.Year, in.Fairs = 0, in.Fairs[1:]
	return in
}

func TestExportEscapesFormulas(t *testing.T) {
	in := fixture()
	in.Dataset.Enterprises[0].Park = "=HYPERLINK(\"http://evil\",\"x\")"
	in.Dataset.Universities[1].Name = "+SUM(A1:A9)"
	in.Fairs[0].Fair.Theme = "@cmd"
	in.Dataset.Universities[0].Name = "-2+3"
	rep := report.Compute(in)

	var cbuf, xbuf bytes.Buffer
	if err := report.WriteCSV(&cbuf, rep); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteXLSX(&xbuf, rep); err != nil {
		t.Fatal(err)
	}
	secs, _ := sections(t, cbuf.Bytes())
	book, err := excelize.OpenReader(&xbuf)
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	xrows := func(sheet string) [][]string {
		rows, err := book.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	for _, tc := range []struct {
		sheet    string
		row, col int
		want     string
	}{
		{report.SectionSummary, 1, 1, "'@cmd"},
		{report.SectionParks, 2, 0, "'=HYPERLINK(\"http://evil\",\"x\")"},
		{report.SectionUniversities, 1, 1, "'-2+3"},
		{report.SectionUniversities, 2, 1, "'+SUM(A1:A9)"},
	} {
		if got := secs[tc.sheet][tc.row][tc.col]; got != tc.want {
			t.Errorf("CSV %s row %d col %d = %q, want %q", tc.sheet, tc.row, tc.col, got, tc.want)
		}
		if got := xrows(tc.sheet)[tc.row][tc.col]; got != tc.want {
			t.Errorf("XLSX %s row %d col %d = %q, want %q", tc.sheet, tc.row, tc.col, got, tc.want)
		}
		if f, _ := book.GetCellFormula(tc.sheet, cellName(tc.col+1, tc.row+1)); f != "" {
			t.Errorf("XLSX %s row %d col %d holds a formula %q", tc.sheet, tc.row, tc.col, f)
		}
	}
}

func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "plain": "plain", "清华": "清华", "=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@a": "'@a",
		"\tx": "'\tx", "\rx": "'\rx", "'=x": "''=x", "''": "'''", "'a": "'a", "a=b": "a=b",
	} {
		if got := report.Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}
