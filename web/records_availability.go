package web

import (
	"cmp"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
)

// everyFair is the availability key of the windows that hold for every
// fair without windows of its own (formats.md §1).
const everyFair = "*"

// canEditPerson reports whether p may change person pe's record: an
// organizer anyone, a commissioner the people of their enterprises, a
// liaison those of their university (the upload's scope).
func canEditPerson(p *auth.Principal, pe *fairmatch.Person) bool {
	return p.IsOrganizer() || p.CanEditEnterprise(pe.Org) || p.CanEditUniversity(pe.Org)
}

// dashes joins a window's two times, with any spaces around it:
// "09:00 - 12:00", "09:00–12:00", "9:00~12:00".
var dashes = regexp.MustCompile(`\s*[-–—~～至]\s*`)

// parseWindows reads the windows typed for one fair: windows separated by
// commas, semicolons, spaces or line breaks, each two times "H:MM" or
// "HH:MM" (a full-width colon too) joined by "-", "–", "—", "~" or "至".
// Windows come back as "HH:MM" in the order typed; each bad one is a
// field issue of field.
func parseWindows(field, s string) ([]fairmatch.Window, []fieldIssue) {
	s = strings.ReplaceAll(s, "：", ":")
	s = dashes.ReplaceAllString(s, "-")
	var (
		out []fairmatch.Window
		is  []fieldIssue
	)
	for item := range strings.FieldsFuncSeq(s, func(r rune) bool {
		return r == ',' || r == '，' || r == ';' || r == '；' || r == '、' || isBlank(r)
	}) {
		from, to, ok := strings.Cut(item, "-")
		f, okF := clockTime(from)
		t, okT := clockTime(to)
		switch {
		case !ok || !okF || !okT:
			is = append(is, fieldIssue{Field: field, Key: "records.err.window", Args: []any{item}})
		case f >= t:
			is = append(is, fieldIssue{Field: field, Key: "records.err.order", Args: []any{item}})
		default:
			out = append(out, fairmatch.Window{From: hhmm(f), To: hhmm(t)})
		}
	}
	return out, is
}

// isBlank reports the spaces that separate windows.
func isBlank(r rune) bool { return unicode.IsSpace(r) }

// clockTime reads "H:MM" or "HH:MM" (00:00–23:59) as minutes of the day.
func clockTime(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 || !allDigits(h) || !allDigits(m) {
		return 0, false
	}
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	if hh > 23 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// hhmm writes minutes of the day as "HH:MM".
func hhmm(minutes int) string {
	return strconv.Itoa(minutes/600) + strconv.Itoa(minutes/60%10) + ":" + strconv.Itoa(minutes%60/10) + strconv.Itoa(minutes%10)
}

// formatWindows writes windows for the form: "09:00–12:00, 14:00–17:00".
func formatWindows(ws []fairmatch.Window) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.From + "–" + w.To
	}
	return strings.Join(parts, ", ")
}

// checkAvailabilityRecord checks windows given as records (the API): each key
// "*" or a fair of the plan (or one the stored record has), each window two
// times HH:MM with from before to.
func checkAvailabilityRecord(a, old fairmatch.Availability, d *recordData) []fieldIssue {
	var is []fieldIssue
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range a {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		if _, had := old[k]; k != everyFair && !d.hasFair(k) && !had {
			is = append(is, fieldIssue{Field: "available", Key: "records.err.nofair", Args: []any{k}})
			continue
		}
		for _, w := range a[k] {
			item := w.From + "-" + w.To
			f, okF := clockTime(w.From)
			t, okT := clockTime(w.To)
			switch {
			case !okF || !okT || len(w.From) != 5 || len(w.To) != 5:
				is = append(is, fieldIssue{Field: "available", Key: "records.err.window", Args: []any{item}})
			case f >= t:
				is = append(is, fieldIssue{Field: "available", Key: "records.err.order", Args: []any{item}})
			}
		}
	}
	return is
}

// editablePeople lists the people p may change, filtered by organization
// ("" for any), by organization then id.
func editablePeople(p *auth.Principal, d *recordData, org string) []fairmatch.Person {
	var out []fairmatch.Person
	for i := range d.ds.People {
		pe := &d.ds.People[i]
		if canEditPerson(p, pe) && (org == "" || pe.Org == org) {
			out = append(out, *pe)
		}
	}
	slices.SortStableFunc(out, func(a, b fairmatch.Person) int {
		return cmp.Or(strings.Compare(a.Org, b.Org), strings.Compare(a.ID, b.ID))
	})
	return out
}

// orgName is the name of an enterprise or university.
func (d *recordData) orgName(id string) string {
	if e, ok := d.idx.Enterprises[id]; ok {
		return e.Name
	}
	if u, ok := d.idx.Universities[id]; ok {
		return u.Name
	}
	return ""
}

// windowRow is one fair's windows of a person, as shown or typed.
type windowRow struct {
	Key   string // "*" or a fair id
	Theme string
	Text  string
}

// availabilityRow is a line of the availability list.
type availabilityRow struct {
	fairmatch.Person
	OrgName string
	Rows    []windowRow // the keys that have windows, "*" first
}

// availabilityView is the availability list's data.
type availabilityView struct {
	Org    string // the filter
	Orgs   []option
	People []availabilityRow
}

// rowsOf lists a person's windows by key, "*" first.
func rowsOf(a fairmatch.Availability) []windowRow {
	var out []windowRow
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range a {
			if !yield(k) {
				return
			}
		}
	}) {
		out = append(out, windowRow{Key: k, Text: formatWindows(a[k])})
	}
	slices.SortStableFunc(out, func(x, y windowRow) int {
		return cmp.Compare(boolInt(x.Key != everyFair), boolInt(y.Key != everyFair))
	})
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (rs *records) availabilityPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	v := availabilityView{Org: r.URL.Query().Get("org")}
	seen := map[string]bool{}
	for _, pe := range editablePeople(p, d, "") {
		if pe.Org != "" && !seen[pe.Org] {
			seen[pe.Org] = true
			v.Orgs = append(v.Orgs, option{ID: pe.Org, Name: d.orgName(pe.Org)})
		}
	}
	for _, pe := range editablePeople(p, d, v.Org) {
		v.People = append(v.People, availabilityRow{Person: pe, OrgName: d.orgName(pe.Org), Rows: rowsOf(pe.Available)})
	}
	rs.render(w, r, http.StatusOK, "availability", "records.availability.title", p, v)
	return nil
}

// availabilityJSON is a person's availability in the API.
type availabilityJSON struct {
	ID        string                 `json:"id"`
	Name      string                 `json:"name"`
	Org       string                 `json:"org,omitempty"`
	Role      string                 `json:"role"`
	Available fairmatch.Availability `json:"available"`
}

func availabilityOf(pe *fairmatch.Person) availabilityJSON {
	return availabilityJSON{ID: pe.ID, Name: pe.Name, Org: pe.Org, Role: pe.Role, Available: pe.Available}
}

// availabilityAPI is GET /api/availability[?org=]: the people whose
// availability the account may change, with their windows (null: the whole
// fair day).
func (rs *records) availabilityAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	out := []availabilityJSON{}
	for _, pe := range editablePeople(p, d, r.URL.Query().Get("org")) {
		out = append(out, availabilityOf(&pe))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// storedPerson returns person id if p may change it.
func storedPerson(p *auth.Principal, d *recordData, id string) (*fairmatch.Person, error) {
	pe, ok := d.idx.People[id]
	if !ok {
		return nil, recordNotFound("person", id)
	}
	if !canEditPerson(p, pe) {
		return nil, recordForbidden("person", id)
	}
	return pe, nil
}

// availabilityForm is a person's availability form: a row per fair (and
// "*"), the windows as typed, the issues by field ("available.2027-03").
type availabilityForm struct {
	fieldErrors
	Person  fairmatch.Person
	OrgName string
	Rows    []windowRow
	Saved   bool
}

// RowErr returns the issues of a row: {{range $f.RowErr .Key}}.
func (f *availabilityForm) RowErr(key string) []string { return f.Err("available." + key) }

// availabilityRows offers a row for "*", every fair of the plan on offer
// and every key the person has, with the windows of a (typed: the texts
// as typed instead).
func (rs *records) availabilityRows(d *recordData, a fairmatch.Availability, typed map[string]string) []windowRow {
	keys := []string{everyFair}
	for k := range a {
		if k != everyFair {
			keys = append(keys, k)
		}
	}
	for k := range typed {
		if k != everyFair {
			keys = append(keys, k)
		}
	}
	rows := []windowRow{{Key: everyFair}}
	for _, f := range rs.fairOptions(d, keys[1:]) {
		rows = append(rows, windowRow{Key: f.ID, Theme: f.Name})
	}
	for i := range rows {
		if typed != nil {
			rows[i].Text = typed[rows[i].Key]
		} else {
			rows[i].Text = formatWindows(a[rows[i].Key])
		}
	}
	return rows
}

func (rs *records) personAvailabilityPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	pe, err := storedPerson(p, d, r.PathValue("person"))
	if err != nil {
		return forbiddenPage(r, err)
	}
	f := &availabilityForm{Person: *pe, OrgName: d.orgName(pe.Org), Rows: rs.availabilityRows(d, pe.Available, nil),
		Saved: r.URL.Query().Get("saved") == "1"}
	rs.render(w, r, http.StatusOK, "availability_person", "records.availability.persontitle", p, f)
	return nil
}

// savePersonAvailabilityPage stores the availability form: each row's
// windows replace that key's; an empty row removes the key.
func (rs *records) savePersonAvailabilityPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	pe, err := storedPerson(p, d, r.PathValue("person"))
	if err != nil {
		return forbiddenPage(r, err)
	}
	if err := readRecordForm(w, r); err != nil {
		return err
	}
	keys, texts := r.PostForm["fair"], r.PostForm["windows"]
	typed := map[string]string{}
	var issues []fieldIssue
	a := fairmatch.Availability{}
	for i, k := range keys {
		text := strings.TrimSpace(valueAt(texts, i))
		if _, dup := typed[k]; dup {
			continue
		}
		typed[k] = text
		field := "available." + k
		if _, had := pe.Available[k]; k != everyFair && !d.hasFair(k) && !had {
			issues = append(issues, fieldIssue{Field: field, Key: "records.err.nofair", Args: []any{k}})
			continue
		}
		ws, is := parseWindows(field, text)
		issues = append(issues, is...)
		if len(ws) > 0 {
			a[k] = ws
		}
	}
	f := &availabilityForm{Person: *pe, OrgName: d.orgName(pe.Org)}
	if len(issues) == 0 {
		err := rs.saveAvailability(p, pe, a)
		switch {
		case fairmatch.ErrorCode(err) == fairmatch.EFORBIDDEN:
			return forbiddenPage(r, err)
		case fairmatch.ErrorCode(err) == fairmatch.EINVALID:
			f.addIssues(err, nil)
		case err != nil:
			return err
		default:
			http.Redirect(w, r, "/availability/"+url.PathEscape(pe.ID)+"?saved=1", http.StatusSeeOther)
			return nil
		}
	}
	f.addChecks(language(r), issues)
	f.Rows = rs.availabilityRows(d, pe.Available, typed)
	rs.render(w, r, http.StatusBadRequest, "availability_person", "records.availability.persontitle", p, f)
	return nil
}

// saveAvailability stores person pe with availability a (empty: the whole
// fair day), the rest of the record as stored.
func (rs *records) saveAvailability(p *auth.Principal, pe *fairmatch.Person, a fairmatch.Availability) error {
	rec := *pe
	rec.Available = a
	if len(a) == 0 {
		rec.Available = nil
	}
	_, err := rs.save(p, &fairmatch.Dataset{People: []fairmatch.Person{rec}}, nil) // checks the scope in the import
	return err
}

// personAvailabilityAPI is GET /api/availability/{person}.
func (rs *records) personAvailabilityAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	pe, err := storedPerson(p, d, r.PathValue("person"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, availabilityOf(pe))
	return nil
}

// putPersonAvailabilityAPI is PUT /api/availability/{person} with
// {"available": {"*": [{"from": "09:00", "to": "12:00"}], "2027-03": [...]}};
// null or {} means the whole fair day.
func (rs *records) putPersonAvailabilityAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	pe, err := storedPerson(p, d, r.PathValue("person"))
	if err != nil {
		return err
	}
	var in struct {
		Available fairmatch.Availability `json:"available"`
	}
	if err := decodeStrictJSON(w, r, &in); err != nil {
		return err
	}
	if is := checkAvailabilityRecord(in.Available, pe.Available, d); len(is) > 0 {
		return invalidRecord("people", "person "+pe.ID, is)
	}
	if err := rs.saveAvailability(p, pe, in.Available); err != nil {
		return err
	}
	d, err = rs.load()
	if err != nil {
		return err
	}
	pe, err = storedPerson(p, d, pe.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, availabilityOf(pe))
	return nil
}
