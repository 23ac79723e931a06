package web

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/report"
	"github.com/fairmatch/fairmatch/store"
)

// reportMessages are the reports pages' texts.
var reportMessages = catalog{
	"report.title":                {"报表", "Reports"},
	"report.fairtitle":            {"对接会报表 %s", "Report of fair %s"},
	"report.year":                 {"年份", "Year"},
	"report.show":                 {"查看", "Show"},
	"report.yearof":               {"%d 年", "%d"},
	"report.none":                 {"还没有对接会，暂无报表。", "No fairs yet, so nothing to report."},
	"report.download":             {"下载", "Download"},
	"report.csv":                  {"CSV 文件", "CSV file"},
	"report.xlsx":                 {"XLSX 工作簿", "XLSX workbook"},
	"report.downloadhint":         {"导出的表格中以 = + - @ 开头的单元格已加前缀 '，防止被当作公式执行。", "In exported sheets, cells starting with = + - @ get a leading ' so spreadsheets do not run them as formulas."},
	"report.back":                 {"返回年度报表", "Back to the year's report"},
	"report.summary":              {"概况", "Summary"},
	"report.fairs":                {"各场对接会", "Fairs"},
	"report.parks":                {"按园区", "By park"},
	"report.universities":         {"按高校", "By university"},
	"report.outcomes":             {"对接成果", "Outcomes"},
	"report.definitions":          {"口径说明", "How figures are counted"},
	"report.def.raised":           {"提出难题：指定该场对接会的难题；未指定场次的难题计入其被推荐的场次（年度报表计入全年）。", "Problems raised: problems naming the fair; a problem naming no fair counts where it was proposed (in a year report, for the year)."},
	"report.def.matched":          {"匹配难题：至少出现在一项洽谈建议中的难题。", "Problems matched: problems covered by at least one proposed meeting."},
	"report.def.held":             {"举行洽谈：已发布且未取消，也未被一方全部参会人谢绝的洽谈。", "Meetings held: published, not cancelled, and not declined by every attendee of one side."},
	"report.def.outcomes":         {"成果按企业—高校配对统计，取双方反馈及历史记录中最进一步的阶段；年度报表中每个配对只计一次。", "Outcomes count enterprise–university pairs at the furthest stage either side or the history reported; a year report counts each pair once."},
	"report.fair":                 {"对接会", "Fair"},
	"report.theme":                {"主题", "Theme"},
	"report.date":                 {"日期", "Date"},
	"report.unpublished":          {"未发布", "not published"},
	"report.total":                {"全年合计", "Year total"},
	"report.park":                 {"园区", "Park"},
	"report.nopark":               {"（未填园区）", "(no park)"},
	"report.enterprises":          {"企业数", "Enterprises"},
	"report.university":           {"高校", "University"},
	"report.offerings":            {"成果数", "Offerings"},
	"report.raised":               {"提出难题", "Problems raised"},
	"report.matched":              {"匹配难题", "Problems matched"},
	"report.proposed":             {"建议洽谈", "Meetings proposed"},
	"report.scheduled":            {"安排洽谈", "Meetings scheduled"},
	"report.declined":             {"被谢绝", "Declined"},
	"report.held":                 {"举行洽谈", "Meetings held"},
	"report.stage":                {"阶段", "Stage"},
	"report.pairs":                {"配对数", "Pairs"},
	"report.reached":              {"至少达到", "Reached at least"},
	"report.stage.none":           {"无进展", "No result"},
	"report.stage.contact":        {"建立联系", "Contact"},
	"report.stage.nda":            {"签署保密协议", "NDA"},
	"report.stage.proposal":       {"提交合作方案", "Proposal"},
	"report.stage.contract":       {"签订合同", "Contract"},
	"report.stage.commercialized": {"成果转化", "Commercialized"},
	"report.stage.unreported":     {"未反馈", "Not reported"},
	"report.chart.pipeline":       {"从难题到洽谈", "From problems to meetings"},
	"report.chart.fairs":          {"各场对接会举行的洽谈", "Meetings held per fair"},
	"report.chart.funnel":         {"对接成果漏斗", "Outcome funnel"},
	"report.chart.parks":          {"各园区举行的洽谈", "Meetings held per park"},
	"report.chart.unis":           {"各高校举行的洽谈（前 %d 名）", "Meetings held per university (top %d)"},
	"report.nodata":               {"暂无数据。", "No data yet."},
	"report.badyear":              {"年份必须是四位数字，如 2027。", "The year must be four digits, like 2027."},
	"report.noyear":               {"%d 年没有对接会。", "There are no fairs in %d."},
}

// maxUniversityBars bounds the university chart; the table lists them all.
const maxUniversityBars = 15

// reportRoutes registers the reports pages, their downloads and JSON twins.
// A fair's downloads share the {fair} segment: /reports/2027-03.csv.
func (s *Server) reportRoutes(mux *http.ServeMux) {
	mux.Handle("GET /reports", s.page(needOrganizer, s.yearReportPage))
	mux.Handle("GET /reports.csv", s.page(needOrganizer, s.yearReportFile(fileCSV)))
	mux.Handle("GET /reports.xlsx", s.page(needOrganizer, s.yearReportFile(fileXLSX)))
	mux.Handle("GET /reports/{fair}", s.page(needOrganizer, s.fairReportPage))
	mux.Handle("GET /api/reports", s.api(needOrganizer, s.yearReportAPI))
	mux.Handle("GET /api/reports/{fair}", s.api(needOrganizer, s.fairReportAPI))
}

// reportFile is an export format of a report.
type reportFile struct {
	ext, contentType string
	write            func(*bytes.Buffer, report.Report) error
}

var (
	fileCSV = reportFile{"csv", "text/csv; charset=utf-8", func(b *bytes.Buffer, r report.Report) error {
		b.WriteString("\uFEFF") // a byte order mark, so spreadsheet programs read the CSV as UTF-8
		return report.WriteCSV(b, r)
	}}
	fileXLSX = reportFile{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		func(b *bytes.Buffer, r report.Report) error { return report.WriteXLSX(b, r) }}
)

// reportYearOf is the year of a fair id ("2027-03" → 2027), or of its start.
func reportYearOf(f fairmatch.Fair) int {
	y, _, _ := strings.Cut(f.ID, "-")
	if n, err := strconv.Atoi(y); err == nil {
		return n
	}
	return f.Start.Year()
}

// reportYearParam reads ?year=: 0 when absent, EINVALID when not a year.
func reportYearParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("year")
	if v == "" {
		return 0, nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < 1970 || y > 9999 || len(v) != 4 {
		return 0, fairmatch.Invalid(translate(language(r), "report.badyear"),
			[]fairmatch.Issue{{Record: "query", Field: "year", Reason: fmt.Sprintf("%q is not a year", v)}})
	}
	return y, nil
}

// loadedReport is a computed report with the years one can choose.
type loadedReport struct {
	report.Report
	Years []int // every year with a planned fair, in order
}

// loadYearReport computes the report of a year; year 0 picks the year of
// the next fair (the current plan year), or the last planned year. With no
// fair at all the report is empty; a year without fairs is ENOTFOUND.
func (s *Server) loadYearReport(r *http.Request, year int) (*loadedReport, error) {
	var out *loadedReport
	err := s.DB.View(func(tx *store.Tx) error {
		fairs, err := tx.Fairs()
		if err != nil {
			return err
		}
		years, chosen := reportYears(fairs, year, s.now())
		if chosen == 0 {
			out = &loadedReport{Report: report.Compute(report.Input{}), Years: years}
			return nil
		}
		var in []fairmatch.Fair
		for _, f := range fairs {
			if reportYearOf(f) == chosen {
				in = append(in, f)
			}
		}
		if len(in) == 0 {
			return fairmatch.Errorf(fairmatch.ENOTFOUND, translate(language(r), "report.noyear"), chosen)
		}
		rep, err := computeReport(tx, chosen, in)
		if err != nil {
			return err
		}
		out = &loadedReport{Report: rep, Years: years}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("report of %d: %w", year, err)
	}
	return out, nil
}

// reportYears lists the years of the fairs and picks the year to show:
// the requested one, else the year of the first fair not yet over, else
// the last year; 0 if there are no fairs.
func reportYears(fairs []fairmatch.Fair, requested int, now time.Time) ([]int, int) {
	var years []int
	current := 0
	for _, f := range fairs {
		y := reportYearOf(f)
		if !slices.Contains(years, y) {
			years = append(years, y)
		}
		if current == 0 && !f.End.Before(now) {
			current = y
		}
	}
	slices.Sort(years)
	switch {
	case requested != 0:
		return years, requested
	case current != 0:
		return years, current
	case len(years) > 0:
		return years, years[len(years)-1]
	}
	return years, 0
}

// loadFairReport computes the report of one fair (ENOTFOUND if unknown).
func (s *Server) loadFairReport(fair string) (*loadedReport, error) {
	var out *loadedReport
	err := s.DB.View(func(tx *store.Tx) error {
		f, err := tx.Fair(fair)
		if err != nil {
			return err
		}
		rep, err := computeReport(tx, 0, []fairmatch.Fair{f})
		if err != nil {
			return err
		}
		out = &loadedReport{Report: rep}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("report of fair %s: %w", fair, err)
	}
	return out, nil
}

// computeReport reads what the report of the fairs needs and computes it.
// A fair's theme is the organizer's override if there is one.
func computeReport(tx *store.Tx, year int, fairs []fairmatch.Fair) (report.Report, error) {
	ds, err := tx.Dataset()
	if err != nil {
		return report.Report{}, err
	}
	in := report.Input{Year: year, Dataset: ds}
	for _, f := range fairs {
		if set, ok, err := tx.FairSettings(f.ID); err != nil {
			return report.Report{}, err
		} else if ok && set.Theme != "" {
			f.Theme = set.Theme
		}
		fd := report.FairData{Fair: f}
		if fd.Proposals, err = tx.Proposals(f.ID); err != nil {
			return report.Report{}, err
		}
		switch a, err := tx.Agenda(f.ID); {
		case err == nil:
			fd.Agenda = a
		case fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND:
			return report.Report{}, err
		}
		if fd.Cancelled, err = tx.Cancelled(f.ID); err != nil {
			return report.Report{}, err
		}
		if fd.Responses, err = tx.Responses(f.ID); err != nil {
			return report.Report{}, err
		}
		in.Fairs = append(in.Fairs, fd)
	}
	return report.Compute(in), nil
}

// reportView is the reports page's data.
type reportView struct {
	*loadedReport
	Year     int    // the year shown (or the fair's year)
	Scope    string // "2027" or "2027-03": the downloads' names
	Charts   []reportChart
	Stages   []reportStage // the outcome funnel of the total
	Download string        // the downloads' path without extension
	IsYear   bool          // the year page (false: one fair)
}

// reportChart is a chart with its id and heading.
type reportChart struct {
	ID, Title string
	SVG       template.HTML
}

// reportStage is one line of the outcomes table.
type reportStage struct {
	Stage          string // one of fairmatch.Outcomes, or "unreported"
	Key            string // the message key of the stage
	Pairs, Reached int
	Last           bool // the "not reported" line, with no funnel figure
}

// stageColors colour the funnel from no result (grey) to commercialized
// (green); not reported is pale.
var stageColors = []string{"#9aa5b1", "#9cc3e4", "#5b9bd0", "#2f6fb0", "#1f4e85", "#2e8b57", "#e3e7eb"}

func (s *Server) reportView(r *http.Request, lr *loadedReport, year int) *reportView {
	lang := language(r)
	t := func(key string) string { return translate(lang, key) }
	v := &reportView{loadedReport: lr, Year: year, Scope: lr.Scope(), IsYear: lr.Fair == ""}
	v.Download = "/reports/" + lr.Fair
	if v.IsYear {
		v.Download = "/reports"
	}
	if v.IsYear && lr.Year == 0 {
		return v // no fairs at all
	}
	tot := lr.Total

	v.Charts = append(v.Charts, reportChart{ID: "chart-pipeline", Title: t("report.chart.pipeline"),
		SVG: report.BarChart(t("report.chart.pipeline"), []report.Bar{
			{Label: t("report.raised"), Value: float64(tot.ProblemsRaised)},
			{Label: t("report.matched"), Value: float64(tot.ProblemsMatched)},
			{Label: t("report.proposed"), Value: float64(tot.Proposed)},
			{Label: t("report.scheduled"), Value: float64(tot.Scheduled)},
			{Label: t("report.held"), Value: float64(tot.Held)},
		})})
	if v.IsYear {
		bars := make([]report.Bar, len(lr.Fairs))
		for i, f := range lr.Fairs {
			label := f.Fair
			if f.Theme != "" {
				label += " " + f.Theme
			}
			bars[i] = report.Bar{Label: label, Value: float64(f.Held)}
		}
		v.Charts = append(v.Charts, reportChart{ID: "chart-fairs", Title: t("report.chart.fairs"),
			SVG: report.BarChart(t("report.chart.fairs"), bars)})
	}

	counts, reached := tot.Outcomes.Counts(), tot.Outcomes.Reached()
	segs := make([]report.Bar, 0, len(counts)+1)
	for i, stage := range fairmatch.Outcomes {
		key := "report.stage." + stage
		segs = append(segs, report.Bar{Label: t(key), Value: float64(counts[i]), Color: stageColors[i]})
		v.Stages = append(v.Stages, reportStage{Stage: stage, Key: key, Pairs: counts[i], Reached: reached[i]})
	}
	segs = append(segs, report.Bar{Label: t("report.stage.unreported"), Value: float64(tot.Outcomes.Unreported),
		Color: stageColors[len(stageColors)-1]})
	v.Stages = append(v.Stages, reportStage{Stage: "unreported", Key: "report.stage.unreported", Pairs: tot.Outcomes.Unreported, Last: true})
	v.Charts = append(v.Charts, reportChart{ID: "chart-funnel", Title: t("report.chart.funnel"),
		SVG: report.StackedBar(t("report.chart.funnel"), segs)})

	parks := make([]report.Bar, 0, len(lr.Parks))
	for _, p := range lr.Parks {
		label := p.Park
		if label == "" {
			label = t("report.nopark")
		}
		parks = append(parks, report.Bar{Label: label, Value: float64(p.Held)})
	}
	slices.SortStableFunc(parks, func(a, b report.Bar) int { return cmp.Compare(b.Value, a.Value) })
	v.Charts = append(v.Charts, reportChart{ID: "chart-parks", Title: t("report.chart.parks"),
		SVG: report.BarChart(t("report.chart.parks"), parks)})

	unis := make([]report.Bar, 0, len(lr.Universities))
	for _, u := range lr.Universities {
		label := cmp.Or(u.Name, u.University)
		unis = append(unis, report.Bar{Label: label, Value: float64(u.Held)})
	}
	slices.SortStableFunc(unis, func(a, b report.Bar) int { return cmp.Compare(b.Value, a.Value) })
	title := fmt.Sprintf(t("report.chart.unis"), maxUniversityBars)
	v.Charts = append(v.Charts, reportChart{ID: "chart-universities", Title: title,
		SVG: report.BarChart(title, unis[:min(len(unis), maxUniversityBars)])})
	return v
}

func (s *Server) yearReportPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	year, err := reportYearParam(r)
	if err != nil {
		return err
	}
	lr, err := s.loadYearReport(r, year)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "reports", "report.title", p, s.reportView(r, lr, lr.Year))
	return nil
}

// fairReportPage shows one fair's report, or sends its CSV or XLSX for
// /reports/{fair}.csv and .xlsx.
func (s *Server) fairReportPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	fair := r.PathValue("fair")
	for _, f := range []reportFile{fileCSV, fileXLSX} {
		if id, ok := strings.CutSuffix(fair, "."+f.ext); ok {
			lr, err := s.loadFairReport(id)
			if err != nil {
				return err
			}
			return sendReport(w, f, lr.Report)
		}
	}
	lr, err := s.loadFairReport(fair)
	if err != nil {
		return err
	}
	year := reportYearOf(fairmatch.Fair{ID: lr.Fair, Start: lr.Fairs[0].Start})
	s.render(w, r, http.StatusOK, "reports", "report.title", p, s.reportView(r, lr, year))
	return nil
}

// yearReportFile sends a year's report as a file.
func (s *Server) yearReportFile(f reportFile) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
		year, err := reportYearParam(r)
		if err != nil {
			return err
		}
		lr, err := s.loadYearReport(r, year)
		if err != nil {
			return err
		}
		return sendReport(w, f, lr.Report)
	}
}

// sendReport writes the report as a download named after its scope
// ("fairmatch-report-2027.xlsx"). The file is built in memory first, so a
// failure still gives a proper error response.
func sendReport(w http.ResponseWriter, f reportFile, rep report.Report) error {
	var buf bytes.Buffer
	if err := f.write(&buf, rep); err != nil {
		return err
	}
	name := "fairmatch-report." + f.ext
	if sc := rep.Scope(); sc != "" {
		name = "fairmatch-report-" + sc + "." + f.ext
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "private, no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}

// reportJSON is the API's report: the report and the years one can ask for.
type reportJSON struct {
	report.Report
	Years []int `json:"years,omitempty"`
}

func (s *Server) yearReportAPI(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	year, err := reportYearParam(r)
	if err != nil {
		return err
	}
	lr, err := s.loadYearReport(r, year)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reportJSON{Report: lr.Report, Years: lr.Years})
	return nil
}

func (s *Server) fairReportAPI(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	lr, err := s.loadFairReport(r.PathValue("fair"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reportJSON{Report: lr.Report})
	return nil
}
