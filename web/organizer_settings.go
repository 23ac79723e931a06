package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/store"
)

// settingsMessages are the fair settings page's texts.
var settingsMessages = catalog{
	"organizer.settings.title":        {"对接会设置", "Fair settings"},
	"organizer.settings.heading":      {"对接会 %s 的设置", "Settings of fair %s"},
	"organizer.settings.intro":        {"这些设置只作用于本场对接会；与年度计划相同的值不单独保存，年度计划修改后仍会生效。", "These settings apply to this fair only; values equal to the year plan are not stored separately, so later changes to the plan still apply."},
	"organizer.settings.theme":        {"主题", "Theme"},
	"organizer.settings.themehint":    {"留空则使用年度计划的主题。", "Leave empty to use the year plan's theme."},
	"organizer.settings.day":          {"对接会当天", "The fair day"},
	"organizer.settings.sessions":     {"场次", "Sessions"},
	"organizer.settings.sessionshint": {"时间为对接会所在时区的 HH:MM；空行会被忽略。", "Times are HH:MM in the fair's time zone; empty rows are ignored."},
	"organizer.settings.sname":        {"名称", "Name"},
	"organizer.settings.sfrom":        {"开始", "From"},
	"organizer.settings.sto":          {"结束", "To"},
	"organizer.settings.slot":         {"每场洽谈时长（分钟）", "Meeting length (minutes)"},
	"organizer.settings.buffer":       {"两场之间的间隔（分钟）", "Pause between meetings (minutes)"},
	"organizer.settings.tables":       {"洽谈桌", "Tables"},
	"organizer.settings.seats":        {"每桌座位数（空：不限）", "Seats at each table (empty: any number)"},
	"organizer.settings.seatsrange":   {"座位数须为 0 至 %d 之间的整数（0 表示不限）", "seats must be a whole number from 0 to %d (0: any number)"},
	"organizer.settings.seatshint":    {"每行一张桌子；可写“名称 = 座位数”，例如“301 会议室 = 10”，供人数较多的代表团使用。", "One table a line; write \"name = seats\" for a table with a seat limit, e.g. \"Room 301 = 10\" for larger delegations."},
	"organizer.settings.bycount":      {"按数量编号", "Numbered"},
	"organizer.settings.bylist":       {"逐个命名", "Named one by one"},
	"organizer.settings.count":        {"数量", "Count"},
	"organizer.settings.prefix":       {"编号前缀", "Prefix"},
	"organizer.settings.names":        {"名称（每行一个，或用逗号分隔）", "Names (one per line, or separated by commas)"},
	"organizer.settings.limits":       {"匹配规则", "Matching rules"},
	"organizer.settings.limitshint":   {"0 表示不限。", "0 means no limit."},
	"organizer.settings.submit":       {"保存设置", "Save settings"},
	"organizer.settings.custom":       {"已按本场修改", "changed for this fair"},
	"organizer.settings.plan":         {"沿用年度计划", "as in the year plan"},
	"organizer.settings.minutes":      {"须为整数分钟", "must be a whole number of minutes"},
	"organizer.settings.number":       {"须为整数", "must be a whole number"},
	"organizer.settings.decimal":      {"须为数字（如 0.05）", "must be a number (like 0.05)"},
	"organizer.settings.toolong":      {"不能超过 %d 个字符", "must be at most %d characters"},
	"organizer.settings.countrange":   {"须在 1 到 %d 之间", "must lie between 1 and %d"},

	"organizer.limit.meetings_per_enterprise":     {"每家企业的洽谈数", "Meetings per enterprise"},
	"organizer.limit.meetings_per_university":     {"每所高校的洽谈数", "Meetings per university"},
	"organizer.limit.meetings_per_expert":         {"每位专家的洽谈数", "Meetings per expert"},
	"organizer.limit.min_relevance":               {"最低相关度（0–1）", "Minimum relevance (0–1)"},
	"organizer.limit.universities_per_enterprise": {"每家企业对接的高校数", "Universities per enterprise"},
	"organizer.limit.items_per_meeting":           {"每场洽谈的技术项数", "Items per meeting"},
}

// Bounds of the settings form.
const (
	maxThemeLen  = 200 // characters
	maxTables    = 10000
	maxTableName = 40 // characters
	blankRows    = 2  // empty session rows offered for adding sessions
)

// effective is a fair's settings as they apply: the stored ones over the plan.
type fairEffective struct {
	Theme  string
	Day    fairmatch.Day
	Limits fairmatch.Limits
	Stored *fairmatch.FairSettings // nil: nothing stored
}

// planDay and planLimits are the year plan's values (zero without a plan).
func (s *Server) planDay() fairmatch.Day {
	if s.Plan == nil {
		return fairmatch.Day{}
	}
	return s.Plan.FairDay()
}

func (s *Server) planLimits() fairmatch.Limits {
	if s.Plan == nil {
		return fairmatch.Limits{}
	}
	return s.Plan.Matching
}

// effectiveSettings returns fair f's settings: the stored ones where set,
// else the plan's and the fair's planned theme.
func (s *Server) effectiveSettings(tx *store.Tx, f fairmatch.Fair) (fairEffective, error) {
	e := fairEffective{Theme: f.Theme, Day: s.planDay(), Limits: s.planLimits()}
	fs, ok, err := tx.FairSettings(f.ID)
	if err != nil || !ok {
		return e, err
	}
	e.Stored = &fs
	if fs.Theme != "" {
		e.Theme = fs.Theme
	}
	if fs.Day != nil {
		e.Day = *fs.Day
	}
	if fs.Limits != nil {
		e.Limits = *fs.Limits
	}
	return e, nil
}

// sameDay reports whether two days are equal.
func sameDay(a, b fairmatch.Day) bool {
	return slices.Equal(a.Sessions, b.Sessions) && a.Slot == b.Slot && a.Buffer == b.Buffer &&
		slices.Equal(a.Tables, b.Tables) && maps.Equal(a.Seats, b.Seats)
}

// maxSeats bounds the seats of one table in the form.
const maxSeats = 1000

// cutSeats splits a table line "name = seats" (also "name: seats", with
// full-width "＝" or "：") into its name and seats; a line without a
// separator is a table that seats any number.
func cutSeats(line string) (name, seats string, limited bool) {
	line = strings.TrimSpace(line)
	if i := strings.IndexAny(line, "=:＝："); i >= 0 {
		_, size := utf8.DecodeRuneInString(line[i:])
		return strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+size:]), true
	}
	return line, "", false
}

// uniformSeats returns the seats every table of the day has, and whether
// they all have the same (0: every table seats any number).
func uniformSeats(d fairmatch.Day) (int, bool) {
	if len(d.Tables) == 0 {
		return 0, true
	}
	first := d.Seats[d.Tables[0]]
	for _, name := range d.Tables[1:] {
		if d.Seats[name] != first {
			return 0, false
		}
	}
	return first, true
}

// settingsIssues checks a fair's theme, day and limits; issues of the day
// have Record "day", of the limits "limits" (config's checks).
func settingsIssues(theme string, day fairmatch.Day, limits fairmatch.Limits) []fairmatch.Issue {
	var issues []fairmatch.Issue
	if n := utf8.RuneCountInString(theme); n > maxThemeLen || !utf8.ValidString(theme) {
		issues = append(issues, fairmatch.Issue{Record: "settings", Field: "theme",
			Reason: fmt.Sprintf("must be valid UTF-8 of at most %d characters", maxThemeLen)})
	}
	issues = append(issues, config.CheckDay(day)...)
	return append(issues, config.CheckLimits(limits)...)
}

// storeSettings validates and stores a fair's settings; values equal to the
// plan are stored as absent, so that they follow the plan.
func (s *Server) storeSettings(fair fairmatch.Fair, theme string, day fairmatch.Day, limits fairmatch.Limits, by string) error {
	if issues := settingsIssues(theme, day, limits); len(issues) > 0 {
		return fairmatch.Invalid(fmt.Sprintf("settings of fair %s not saved", fair.ID), issues)
	}
	fs := fairmatch.FairSettings{Fair: fair.ID, UpdatedBy: by, Updated: s.now()}
	if theme != fair.Theme {
		fs.Theme = theme
	}
	if !sameDay(day, s.planDay()) {
		fs.Day = &day
	}
	if limits != s.planLimits() {
		fs.Limits = &limits
	}
	err := s.DB.Update(func(tx *store.Tx) error {
		if _, err := tx.Fair(fair.ID); err != nil {
			return err
		}
		return tx.PutFairSettings(fs)
	})
	if err != nil {
		return fmt.Errorf("store settings of fair %s: %w", fair.ID, err)
	}
	s.log().Info("fair settings saved", "fair", fair.ID, "by", by)
	return nil
}

// sessionRow is a session as typed in the form.
type sessionRow struct{ Name, From, To string }

// limitRow is a matching limit as typed in the form.
type limitRow struct {
	Key   string
	Value string
	Step  string // the number input's step
}

// limitKeys are the matching limits in the form's order (config's keys).
var limitKeys = []string{"meetings_per_enterprise", "meetings_per_university", "meetings_per_expert",
	"universities_per_enterprise", "items_per_meeting", "min_relevance"}

// settingsForm is the settings page's data: the values as typed, and the
// issues found, by field ("theme", "sessions[1]", "slot", "tables",
// "limits.min_relevance").
type settingsForm struct {
	Fair        fairmatch.Fair
	Theme       string
	Sessions    []sessionRow
	Slot        string
	Buffer      string
	TablesMode  string // "count" or "list"
	TableCount  string
	TablePrefix string
	TableNames  string // one table a line, "name = seats" for a table with a seat limit
	TableSeats  string // seats at each numbered table ("": any number)
	Limits      []limitRow
	Errors      map[string][]string
	Stored      *fairmatch.FairSettings
	Saved       bool
}

// Err returns the issues of a field and of its sub-fields: Err "sessions[1]"
// includes "sessions[1].to".
func (f *settingsForm) Err(field string) []string {
	var out []string
	for k, v := range f.Errors {
		if k == field || strings.HasPrefix(k, field+".") || strings.HasPrefix(k, field+"[") && field == "tables" {
			out = append(out, v...)
		}
	}
	slices.Sort(out)
	return out
}

// Invalid reports whether the form has issues.
func (f *settingsForm) Invalid() bool { return len(f.Errors) > 0 }

func (f *settingsForm) add(field, reason string) {
	if f.Errors == nil {
		f.Errors = map[string][]string{}
	}
	f.Errors[field] = append(f.Errors[field], reason)
}

// newSettingsForm fills the form from a fair's effective settings.
func newSettingsForm(f fairmatch.Fair, e fairEffective) *settingsForm {
	form := &settingsForm{Fair: f, Theme: e.Theme, Stored: e.Stored,
		Slot:   strconv.Itoa(int(e.Day.Slot.D() / time.Minute)),
		Buffer: strconv.Itoa(int(e.Day.Buffer.D() / time.Minute))}
	for _, s := range e.Day.Sessions {
		form.Sessions = append(form.Sessions, sessionRow(s))
	}
	seats, uniform := uniformSeats(e.Day)
	if prefix, n, ok := numberedTables(e.Day.Tables); ok && uniform {
		form.TablesMode, form.TablePrefix, form.TableCount = "count", prefix, strconv.Itoa(n)
		if seats > 0 {
			form.TableSeats = strconv.Itoa(seats)
		}
	} else {
		form.TablesMode = "list"
	}
	lines := make([]string, len(e.Day.Tables))
	for i, name := range e.Day.Tables {
		lines[i] = name
		if n := e.Day.Seats[name]; n > 0 {
			lines[i] = name + " = " + strconv.Itoa(n)
		}
	}
	form.TableNames = strings.Join(lines, "\n")
	l := e.Limits
	values := map[string]string{
		"meetings_per_enterprise":     strconv.Itoa(l.MeetingsPerEnterprise),
		"meetings_per_university":     strconv.Itoa(l.MeetingsPerUniversity),
		"meetings_per_expert":         strconv.Itoa(l.MeetingsPerExpert),
		"universities_per_enterprise": strconv.Itoa(l.UniversitiesPerEnterprise),
		"items_per_meeting":           strconv.Itoa(l.ItemsPerMeeting),
		"min_relevance":               strconv.FormatFloat(l.MinRelevance, 'f', -1, 64),
	}
	for _, k := range limitKeys {
		form.Limits = append(form.Limits, limitRow{Key: k, Value: values[k], Step: limitStep(k)})
	}
	form.padSessions()
	return form
}

func limitStep(key string) string {
	if key == "min_relevance" {
		return "0.01"
	}
	return "1"
}

// padSessions offers blankRows empty rows after the sessions.
func (f *settingsForm) padSessions() {
	for range blankRows {
		f.Sessions = append(f.Sessions, sessionRow{})
	}
}

// numberTables names n tables like the plan does: prefix and a number of at
// least two digits ("T01").
func numberTables(prefix string, n int) []string {
	width := max(len(strconv.Itoa(n)), 2)
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%0*d", prefix, width, i+1)
	}
	return out
}

// numberedTables reports whether tables are exactly numberTables(prefix, n).
func numberedTables(tables []string) (prefix string, n int, ok bool) {
	if len(tables) == 0 {
		return "", 0, false
	}
	width := max(len(strconv.Itoa(len(tables))), 2)
	first := tables[0]
	if len(first) < width {
		return "", 0, false
	}
	prefix = first[:len(first)-width]
	return prefix, len(tables), slices.Equal(tables, numberTables(prefix, len(tables)))
}

// parseSettingsForm reads the posted form into the form (as typed) and into
// a day and limits; parse problems are recorded on the form.
func parseSettingsForm(r *http.Request, f *settingsForm, lang string) (string, fairmatch.Day, fairmatch.Limits) {
	t := func(key string) string { return translate(lang, key) }
	f.Theme = strings.TrimSpace(r.PostFormValue("theme"))
	f.Sessions = nil
	var day fairmatch.Day
	names, froms, tos := r.PostForm["session_name"], r.PostForm["session_from"], r.PostForm["session_to"]
	for i := range max(len(names), len(froms), len(tos)) {
		row := sessionRow{Name: strings.TrimSpace(valueAt(names, i)), From: strings.TrimSpace(valueAt(froms, i)),
			To: strings.TrimSpace(valueAt(tos, i))}
		if row == (sessionRow{}) {
			continue
		}
		f.Sessions = append(f.Sessions, row)
		day.Sessions = append(day.Sessions, fairmatch.Session(row))
	}
	f.padSessions()

	minutes := func(field, v string) fairmatch.Duration {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 24*60 {
			f.add(field, t("organizer.settings.minutes"))
			return 0
		}
		return fairmatch.Duration(time.Duration(n) * time.Minute)
	}
	f.Slot, f.Buffer = strings.TrimSpace(r.PostFormValue("slot")), strings.TrimSpace(r.PostFormValue("buffer"))
	day.Slot = minutes("slot", f.Slot)
	day.Buffer = minutes("buffer", f.Buffer)

	f.TablesMode = r.PostFormValue("tables_mode")
	f.TableCount = strings.TrimSpace(r.PostFormValue("table_count"))
	f.TablePrefix = strings.TrimSpace(r.PostFormValue("table_prefix"))
	f.TableNames = r.PostFormValue("table_names")
	f.TableSeats = strings.TrimSpace(r.PostFormValue("table_seats"))
	seatsOf := func(v string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > maxSeats {
			f.add("tables", fmt.Sprintf(t("organizer.settings.seatsrange"), maxSeats))
			return 0, false
		}
		return n, true
	}
	if f.TablesMode == "count" {
		n, err := strconv.Atoi(f.TableCount)
		switch {
		case err != nil || n < 1 || n > maxTables:
			f.add("tables", fmt.Sprintf(t("organizer.settings.countrange"), maxTables))
		case utf8.RuneCountInString(f.TablePrefix) > maxTableName:
			f.add("tables", fmt.Sprintf(t("organizer.settings.toolong"), maxTableName))
		default:
			day.Tables = numberTables(f.TablePrefix, n)
			if f.TableSeats != "" {
				if seats, ok := seatsOf(f.TableSeats); ok && seats > 0 {
					day.Seats = make(map[string]int, n)
					for _, name := range day.Tables {
						day.Seats[name] = seats
					}
				}
			}
		}
	} else {
		f.TablesMode = "list"
		for entry := range strings.FieldsFuncSeq(f.TableNames, func(r rune) bool { return r == '\n' || r == ',' || r == '，' }) {
			name, seats, limited := cutSeats(entry)
			if name == "" {
				continue
			}
			day.Tables = append(day.Tables, name)
			if limited {
				if n, ok := seatsOf(seats); ok && n > 0 {
					if day.Seats == nil {
						day.Seats = map[string]int{}
					}
					day.Seats[name] = n
				}
			}
		}
	}

	var l fairmatch.Limits
	ints := map[string]*int{
		"meetings_per_enterprise": &l.MeetingsPerEnterprise, "meetings_per_university": &l.MeetingsPerUniversity,
		"meetings_per_expert": &l.MeetingsPerExpert, "universities_per_enterprise": &l.UniversitiesPerEnterprise,
		"items_per_meeting": &l.ItemsPerMeeting,
	}
	f.Limits = nil
	for _, k := range limitKeys {
		v := strings.TrimSpace(r.PostFormValue(k))
		f.Limits = append(f.Limits, limitRow{Key: k, Value: v, Step: limitStep(k)})
		if k == "min_relevance" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				f.add("limits."+k, t("organizer.settings.decimal"))
			}
			l.MinRelevance = x
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			f.add("limits."+k, t("organizer.settings.number"))
		}
		*ints[k] = n
	}
	return f.Theme, day, l
}

func valueAt(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

// fairForSettings reads a fair and its effective settings.
func (s *Server) fairForSettings(id string) (fairmatch.Fair, fairEffective, error) {
	var (
		f fairmatch.Fair
		e fairEffective
	)
	err := s.DB.View(func(tx *store.Tx) (err error) {
		if f, err = tx.Fair(id); err != nil {
			return err
		}
		e, err = s.effectiveSettings(tx, f)
		return err
	})
	return f, e, err
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, e, err := s.fairForSettings(r.PathValue("fair"))
	if err != nil {
		return err
	}
	form := newSettingsForm(f, e)
	form.Saved = r.URL.Query().Get("saved") == "1"
	s.render(w, r, http.StatusOK, "fair_settings", "organizer.settings.title", p, form)
	return nil
}

func (s *Server) saveSettingsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, e, err := s.fairForSettings(r.PathValue("fair"))
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, organizerFormLimit)
	if err := r.ParseForm(); err != nil {
		return fairmatch.Errorf(fairmatch.EINVALID, "%s: %v", translate(language(r), "organizer.common.bodyinvalid"), err)
	}
	form := &settingsForm{Fair: f, Stored: e.Stored}
	theme, day, limits := parseSettingsForm(r, form, language(r))
	// Every issue is shown at once: the values that could not be read, and
	// what the checks find in the others.
	unreadable := maps.Clone(form.Errors)
	for _, is := range settingsIssues(theme, day, limits) {
		field := is.Field
		if is.Record == "limits" {
			field = "limits." + field
		}
		if _, ok := unreadable[field]; !ok {
			form.add(field, is.Reason)
		}
	}
	if !form.Invalid() {
		if err := s.storeSettings(f, theme, day, limits, p.Account.Login); err != nil {
			return err
		}
		http.Redirect(w, r, "/fairs/"+f.ID+"/settings?saved=1", http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusBadRequest, "fair_settings", "organizer.settings.title", p, form)
	return nil
}

// settingsJSON is the body of GET and PUT /api/fairs/{fair}/settings: the
// settings that apply, and what is stored against the plan.
type settingsJSON struct {
	Fair   string                  `json:"fair"`
	Theme  string                  `json:"theme"`
	Day    fairmatch.Day           `json:"day"`
	Limits fairmatch.Limits        `json:"limits"`
	Stored *fairmatch.FairSettings `json:"stored"`
}

func (s *Server) settingsAPI(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	f, e, err := s.fairForSettings(r.PathValue("fair"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, settingsJSON{Fair: f.ID, Theme: e.Theme, Day: e.Day, Limits: e.Limits, Stored: e.Stored})
	return nil
}

// putSettingsAPI replaces a fair's settings with {theme, day, limits}; an
// absent or empty theme, or a null day or limits, means the plan's.
func (s *Server) putSettingsAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, _, err := s.fairForSettings(r.PathValue("fair"))
	if err != nil {
		return err
	}
	var in struct {
		Theme  string            `json:"theme"`
		Day    *fairmatch.Day    `json:"day"`
		Limits *fairmatch.Limits `json:"limits"`
	}
	if err := decodeStrictJSON(w, r, &in); err != nil {
		return err
	}
	day, limits := s.planDay(), s.planLimits()
	if in.Day != nil {
		day = *in.Day
	}
	if in.Limits != nil {
		limits = *in.Limits
	}
	theme := in.Theme
	if theme == "" {
		theme = f.Theme
	}
	if err := s.storeSettings(f, theme, day, limits, p.Account.Login); err != nil {
		return err
	}
	return s.settingsAPI(w, r, p)
}

// organizerFormLimit bounds a form's or a JSON request's body.
const organizerFormLimit = 256 << 10

// decodeStrictJSON reads a JSON request body strictly (no unknown fields, one
// value) into v.
func decodeStrictJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, organizerFormLimit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fairmatch.Invalid("the request body is not the expected JSON",
			[]fairmatch.Issue{{Record: "body", Reason: err.Error()}})
	}
	if dec.More() {
		return fairmatch.Invalid("the request body is not the expected JSON",
			[]fairmatch.Issue{{Record: "body", Reason: "more than one JSON value"}})
	}
	return nil
}
