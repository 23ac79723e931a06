package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/store"
)

// organizerMessages are the organizer pages' texts: the year plan and fair
// pages (here), fair settings, data and accounts (in organizer_*.go).
var organizerMessages = mergeCatalogs(planMessages, settingsMessages, dataMessages, accountsMessages)

// organizer holds the state of the organizers' pages that lives as long as
// the handler: the checked uploads waiting to be stored.
type organizer struct {
	*Server
	uploads *uploadCache
}

// organizerRoutes registers the organizers' pages and their JSON twins.
// Routes of other areas under /fairs/{fair}/ (review, agenda) are not here.
func (s *Server) organizerRoutes(mux *http.ServeMux) {
	o := &organizer{Server: s, uploads: newUploadCache(s.now, s.uploadLimit())}

	mux.Handle("GET /{$}", s.page(needStaff, s.yearPlanPage))
	mux.Handle("GET /api/plan", s.api(needStaff, s.yearPlanAPI))
	mux.Handle("GET /fairs/{fair}", s.page(needStaff, s.fairPage))
	mux.Handle("GET /api/fairs/{fair}", s.api(needStaff, s.fairAPI))
	mux.Handle("POST /fairs/{fair}/stages/{stage}/run", s.page(needOrganizer, s.runStagePage))
	mux.Handle("GET /fairs/{fair}/events", s.api(needStaff, s.fairEvents))
	mux.Handle("GET /api/fairs/{fair}/events", s.api(needStaff, s.fairEvents))

	mux.Handle("GET /fairs/{fair}/settings", s.page(needOrganizer, s.settingsPage))
	mux.Handle("POST /fairs/{fair}/settings", s.page(needOrganizer, s.saveSettingsPage))
	mux.Handle("GET /api/fairs/{fair}/settings", s.api(needOrganizer, s.settingsAPI))
	mux.Handle("PUT /api/fairs/{fair}/settings", s.api(needOrganizer, s.putSettingsAPI))

	mux.Handle("GET /data", s.page(needStaff, s.dataPage))
	mux.Handle("POST /data/check", s.page(needStaff, o.checkUploadPage))
	mux.Handle("POST /data/import/{id}", s.page(needStaff, o.importUploadPage))
	for _, format := range exportFormats {
		mux.Handle("GET /data/export."+format, s.page(needStaff, s.exportPage(format)))
	}
	mux.Handle("GET /api/data", s.api(needStaff, s.dataAPI))
	mux.Handle("GET /api/export", s.api(needStaff, s.exportAPI))

	mux.Handle("GET /accounts", s.page(needOrganizer, s.accountsPage))
	mux.Handle("POST /accounts", s.page(needOrganizer, s.createAccountPage))
	mux.Handle("POST /accounts/{login}/{action}", s.page(needOrganizer, s.accountActionPage))
	mux.Handle("GET /api/accounts", s.api(needOrganizer, s.accountsAPI))
	mux.Handle("POST /api/accounts", s.api(needOrganizer, s.createAccountAPI))
	mux.Handle("POST /api/accounts/{login}/disable", s.api(needOrganizer, s.accountStateAPI(true)))
	mux.Handle("POST /api/accounts/{login}/enable", s.api(needOrganizer, s.accountStateAPI(false)))
	mux.Handle("PUT /api/accounts/{login}/password", s.api(needOrganizer, s.passwordAPI))
	mux.Handle("POST /api/accounts/{login}/tokens", s.api(needOrganizer, s.tokenAPI))
}

// planMessages are the year plan's and the fair page's texts.
var planMessages = catalog{
	"organizer.plan.title":         {"年度计划", "Year plan"},
	"organizer.plan.year":          {"%d 年", "%d"},
	"organizer.plan.none":          {"还没有对接会：请检查年度计划配置。", "No fairs are planned yet: check the year plan's configuration."},
	"organizer.plan.timeline":      {"时间线", "Timeline"},
	"organizer.plan.today":         {"今天", "today"},
	"organizer.plan.fairday":       {"对接会当天", "fair day"},
	"organizer.plan.open":          {"查看对接会", "Open the fair"},
	"organizer.plan.day":           {"日期", "Day"},
	"organizer.plan.sessions":      {"场次", "Sessions"},
	"organizer.plan.problems":      {"本场难题", "Problems for this fair"},
	"organizer.plan.proposals":     {"建议洽谈", "Proposed meetings"},
	"organizer.plan.meetings":      {"已发布洽谈", "Meetings published"},
	"organizer.plan.unpublished":   {"未发布", "not published"},
	"organizer.plan.next":          {"下一阶段", "Next stage"},
	"organizer.plan.alldone":       {"全部阶段已完成", "all stages done"},
	"organizer.plan.legend":        {"图例", "Legend"},
	"organizer.plan.years":         {"其他年份", "Other years"},
	"organizer.fair.title":         {"对接会", "Fair"},
	"organizer.fair.heading":       {"对接会 %s", "Fair %s"},
	"organizer.fair.zone":          {"时区", "Time zone"},
	"organizer.fair.stages":        {"阶段", "Stages"},
	"organizer.fair.stage":         {"阶段", "Stage"},
	"organizer.fair.due":           {"计划时间", "Due"},
	"organizer.fair.state":         {"状态", "State"},
	"organizer.fair.attempts":      {"次数", "Attempts"},
	"organizer.fair.finished":      {"结束时间", "Finished"},
	"organizer.fair.error":         {"错误", "Error"},
	"organizer.fair.run":           {"立即运行", "Run now"},
	"organizer.fair.runconfirm":    {"现在运行此阶段吗？", "Run this stage now?"},
	"organizer.fair.started":       {"阶段 %s 已开始。", "Stage %s has started."},
	"organizer.fair.notstarted":    {"阶段 %s 未能开始：", "Stage %s could not start:"},
	"organizer.fair.progress":      {"运行进度", "Progress"},
	"organizer.fair.idle":          {"当前没有正在运行的阶段。", "No stage is running."},
	"organizer.fair.running":       {"正在运行：%s", "Running: %s"},
	"organizer.fair.review":        {"匹配审核", "Matching review"},
	"organizer.fair.agenda":        {"日程安排", "Agenda"},
	"organizer.fair.settings":      {"对接会设置", "Fair settings"},
	"organizer.fair.back":          {"返回年度计划", "Back to the year plan"},
	"organizer.stage.call-opens":   {"征集开始", "Call opens"},
	"organizer.stage.call-closes":  {"征集截止", "Call closes"},
	"organizer.stage.match":        {"匹配", "Matching"},
	"organizer.stage.agenda":       {"排程", "Agenda"},
	"organizer.stage.publish":      {"发布", "Publish"},
	"organizer.stage.reminder":     {"提醒", "Reminder"},
	"organizer.stage.follow-up":    {"跟踪回访", "Follow-up"},
	"organizer.state.pending":      {"待运行", "pending"},
	"organizer.state.running":      {"运行中", "running"},
	"organizer.state.done":         {"已完成", "done"},
	"organizer.state.failed":       {"失败", "failed"},
	"organizer.common.save":        {"保存", "Save"},
	"organizer.common.saved":       {"已保存。", "Saved."},
	"organizer.common.cancel":      {"取消", "Cancel"},
	"organizer.common.optional":    {"可选", "optional"},
	"organizer.common.invalid":     {"请更正标出的字段。", "Please correct the marked fields."},
	"organizer.common.updatedby":   {"%s 于 %s 修改", "changed by %s at %s"},
	"organizer.common.bodyinvalid": {"请求内容无法读取", "the request body could not be read"},
}

// fairCard is one fair of the year plan with its counts.
type fairCard struct {
	fairmatch.Fair
	Theme     string
	Sessions  []fairmatch.Session
	Problems  int
	Proposals int
	Meetings  int
	Published bool
	Next      *fairmatch.Stage // the first stage not done, if any
}

// yearPlan is the year plan page's data.
type yearPlan struct {
	Year     int
	Years    []int
	Fairs    []fairCard
	Timeline *timeline
	States   []string // the stage states, for the legend
}

// fairYear is the year of a fair's id ("2027-03" → 2027).
func fairYear(f fairmatch.Fair) int {
	y, _, _ := strings.Cut(f.ID, "-")
	n, err := strconv.Atoi(y)
	if err != nil {
		return f.Start.Year()
	}
	return n
}

// loadYearPlan reads the fairs of one year (0: the year of the next fair,
// or the last planned year) with their counts.
func (s *Server) loadYearPlan(year int) (*yearPlan, error) {
	yp := &yearPlan{Year: year, States: []string{fairmatch.StatePending, fairmatch.StateRunning,
		fairmatch.StateDone, fairmatch.StateFailed}}
	err := s.DB.View(func(tx *store.Tx) error {
		fairs, err := tx.Fairs()
		if err != nil {
			return err
		}
		now := s.now()
		for _, f := range fairs {
			y := fairYear(f)
			if !slices.Contains(yp.Years, y) {
				yp.Years = append(yp.Years, y)
			}
			if year == 0 && !f.End.Before(now) && yp.Year == 0 {
				yp.Year = y
			}
		}
		if yp.Year == 0 && len(yp.Years) > 0 {
			yp.Year = yp.Years[len(yp.Years)-1]
		}
		ds, err := tx.Dataset()
		if err != nil {
			return err
		}
		for _, f := range fairs {
			if fairYear(f) != yp.Year {
				continue
			}
			c, err := s.fairCard(tx, f, ds)
			if err != nil {
				return err
			}
			yp.Fairs = append(yp.Fairs, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load year plan: %w", err)
	}
	return yp, nil
}

// fairCard counts a fair's problems (as the matcher picks them: those
// naming the fair and those naming none), proposals and published meetings.
func (s *Server) fairCard(tx *store.Tx, f fairmatch.Fair, ds *fairmatch.Dataset) (fairCard, error) {
	eff, err := s.effectiveSettings(tx, f)
	if err != nil {
		return fairCard{}, err
	}
	c := fairCard{Fair: f, Theme: eff.Theme, Sessions: eff.Day.Sessions}
	for _, p := range ds.Problems {
		if len(p.Fairs) == 0 || slices.Contains(p.Fairs, f.ID) {
			c.Problems++
		}
	}
	ps, err := tx.Proposals(f.ID)
	if err != nil {
		return fairCard{}, err
	}
	c.Proposals = len(ps)
	a, err := tx.Agenda(f.ID)
	switch {
	case err == nil:
		c.Published, c.Meetings = true, len(a.Meetings)
	case fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND:
		return fairCard{}, err
	}
	for i := range f.Stages {
		if f.Stages[i].State != fairmatch.StateDone {
			c.Next = &f.Stages[i]
			break
		}
	}
	return c, nil
}

// requestedYear reads ?year=; 0 when absent or not a plausible year.
func requestedYear(r *http.Request) int {
	y, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil || y < 1970 || y > 9999 {
		return 0
	}
	return y
}

func (s *Server) yearPlanPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	yp, err := s.loadYearPlan(requestedYear(r))
	if err != nil {
		return err
	}
	yp.Timeline = buildTimeline(yp.Fairs, s.now(), language(r))
	s.render(w, r, http.StatusOK, "fairs", "organizer.plan.title", p, yp)
	return nil
}

// planFairJSON is a fair of GET /api/plan.
type planFairJSON struct {
	fairmatch.Fair
	Problems  int  `json:"problems"`
	Proposals int  `json:"proposals"`
	Meetings  int  `json:"meetings"`
	Published bool `json:"published"`
}

func (s *Server) yearPlanAPI(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	yp, err := s.loadYearPlan(requestedYear(r))
	if err != nil {
		return err
	}
	out := struct {
		Year  int            `json:"year"`
		Years []int          `json:"years"`
		Fairs []planFairJSON `json:"fairs"`
	}{Year: yp.Year, Years: yp.Years, Fairs: []planFairJSON{}}
	if out.Years == nil {
		out.Years = []int{}
	}
	for _, c := range yp.Fairs {
		f := c.Fair
		f.Theme = c.Theme
		out.Fairs = append(out.Fairs, planFairJSON{Fair: f, Problems: c.Problems, Proposals: c.Proposals,
			Meetings: c.Meetings, Published: c.Published})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// timeline is the year plan's picture: one row per fair, each stage a dot
// placed by its due time, in SVG user units.
type timeline struct {
	Width, Height float64
	Left, Right   float64 // the plot's x range
	Ticks         []timelineTick
	Rows          []timelineRow
	Today         float64 // x of now; 0 when outside the range
}

type timelineTick struct {
	X     float64
	Label string
}

type timelineRow struct {
	Fair       string
	Y          float64
	From, To   float64 // x of the first and the last stage
	Day        float64 // x of the fair day
	DayX, DayY float64 // the fair day mark's corner
	Stages     []timelineDot
	LabelY     float64
	DayLabel   string
}

type timelineDot struct {
	X     float64
	Name  string
	Kind  string
	State string
	Due   string
}

// Timeline geometry, in SVG user units.
const (
	tlWidth     = 1000.0
	tlLabelW    = 80.0
	tlPadRight  = 16.0
	tlAxisH     = 26.0
	tlRowH      = 34.0
	tlPadBottom = 8.0
)

// buildTimeline places the fairs' stages on a shared time axis from the
// first month any stage falls in to the end of the last one.
func buildTimeline(fairs []fairCard, now time.Time, lang string) *timeline {
	if len(fairs) == 0 {
		return nil
	}
	loc := time.UTC
	if l, err := time.LoadLocation(fairs[0].Timezone); err == nil {
		loc = l
	}
	first, last := fairs[0].Start, fairs[0].End
	for _, f := range fairs {
		for _, st := range f.Stages {
			first = earlier(first, st.Due)
			last = later(last, st.Due)
		}
		first, last = earlier(first, f.Start), later(last, f.End)
	}
	fl := first.In(loc)
	t0 := time.Date(fl.Year(), fl.Month(), 1, 0, 0, 0, 0, loc)
	ll := last.In(loc)
	t1 := time.Date(ll.Year(), ll.Month()+1, 1, 0, 0, 0, 0, loc)
	span := t1.Sub(t0).Seconds()
	tl := &timeline{Width: tlWidth, Left: tlLabelW, Right: tlWidth - tlPadRight,
		Height: tlAxisH + tlRowH*float64(len(fairs)) + tlPadBottom}
	x := func(t time.Time) float64 {
		return roundTenth(tl.Left + (tl.Right-tl.Left)*t.Sub(t0).Seconds()/span)
	}
	for m := t0; !m.After(t1); m = m.AddDate(0, 1, 0) {
		label := m.Month().String()[:3]
		if lang != langEN {
			label = fmt.Sprintf("%d月", int(m.Month()))
		}
		if m.Month() == time.January || m.Equal(t0) {
			label = fmt.Sprintf("%d %s", m.Year(), label)
		}
		if m.Equal(t1) {
			label = ""
		}
		tl.Ticks = append(tl.Ticks, timelineTick{X: x(m), Label: label})
	}
	if !now.Before(t0) && now.Before(t1) {
		tl.Today = x(now)
	}
	for i, f := range fairs {
		y := roundTenth(tlAxisH + tlRowH*float64(i) + tlRowH/2)
		row := timelineRow{Fair: f.ID, Y: y, LabelY: y + 4, Day: x(f.Start), DayX: x(f.Start) - 4, DayY: y - 9,
			From: x(f.Start), To: x(f.Start),
			DayLabel: f.Start.In(loc).Format("2006-01-02")}
		for _, st := range f.Stages {
			dx := x(st.Due)
			row.From, row.To = min(row.From, dx), max(row.To, dx)
			row.Stages = append(row.Stages, timelineDot{X: dx, Name: st.Name, Kind: st.Kind, State: st.State,
				Due: st.Due.In(loc).Format("2006-01-02 15:04")})
		}
		tl.Rows = append(tl.Rows, row)
	}
	return tl
}

func roundTenth(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// fairView is the fair page's data.
type fairView struct {
	Fair      fairmatch.Fair
	Theme     string
	Day       fairmatch.Day
	Running   []fairmatch.Stage
	Organizer bool
	Started   string // a stage just started by this organizer
	NotRun    string // the stage that could not start ...
	Problem   string // ... and why
}

// loadFairPage reads a fair and what its page shows.
func (s *Server) loadFairPage(id string) (*fairView, error) {
	var v fairView
	err := s.DB.View(func(tx *store.Tx) error {
		f, err := tx.Fair(id)
		if err != nil {
			return err
		}
		eff, err := s.effectiveSettings(tx, f)
		if err != nil {
			return err
		}
		v.Fair, v.Theme, v.Day = f, eff.Theme, eff.Day
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, st := range v.Fair.Stages {
		if st.State == fairmatch.StateRunning {
			v.Running = append(v.Running, st)
		}
	}
	return &v, nil
}

// fairHasStage reports whether the fair has a stage of that name.
func fairHasStage(f fairmatch.Fair, name string) bool {
	return slices.ContainsFunc(f.Stages, func(s fairmatch.Stage) bool { return s.Name == name })
}

func (s *Server) fairPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	v, err := s.loadFairPage(r.PathValue("fair"))
	if err != nil {
		return err
	}
	v.Organizer = p.IsOrganizer()
	if st := r.URL.Query().Get("started"); fairHasStage(v.Fair, st) {
		v.Started = st
	}
	s.render(w, r, http.StatusOK, "fair", "organizer.fair.title", p, v)
	return nil
}

func (s *Server) fairAPI(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	v, err := s.loadFairPage(r.PathValue("fair"))
	if err != nil {
		return err
	}
	f := v.Fair
	f.Theme = v.Theme
	writeJSON(w, http.StatusOK, f)
	return nil
}

// runStagePage is the "run now" button: it starts the stage and goes back
// to the fair page. A stage that cannot start now (running already, or
// something it needs is missing) is shown on the fair page with the reason.
func (s *Server) runStagePage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	fair, stage := r.PathValue("fair"), r.PathValue("stage")
	v, err := s.loadFairPage(fair)
	if err != nil {
		return err
	}
	if !fairHasStage(v.Fair, stage) {
		return fairmatch.Errorf(fairmatch.ENOTFOUND, "fair %s has no stage %q", fair, stage)
	}
	if _, runErr := s.Sched.RunNow(r.Context(), fair+"/"+stage); runErr != nil {
		if fairmatch.ErrorCode(runErr) != fairmatch.ECONFLICT {
			return runErr
		}
		if v, err = s.loadFairPage(fair); err != nil {
			return err
		}
		v.Organizer, v.NotRun, v.Problem = true, stage, messageOf(runErr)
		s.render(w, r, http.StatusConflict, "fair", "organizer.fair.title", p, v)
		return nil
	}
	s.log().Info("stage run by hand", "stage", fair+"/"+stage, "by", p.Account.Login)
	http.Redirect(w, r, "/fairs/"+fair+"?started="+stage, http.StatusSeeOther)
	return nil
}

// messageOf is the message of err's *fairmatch.Error, or err's text.
func messageOf(err error) string {
	if fe, ok := errors.AsType[*fairmatch.Error](err); ok && fe.Message != "" {
		return fe.Message
	}
	return err.Error()
}
