package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
)

// Vocabularies of a problem (formats.md §1).
var (
	problemWants     = []string{"joint-rd", "license", "consulting", "testing", "talent"}
	problemUrgencies = []string{"low", "normal", "high"}
)

// problemFields are the problem form's fields, named like the record's
// JSON fields so that the import's issues land next to them.
var problemFields = []string{"enterprise", "title", "description", "keywords", "domains", "wants", "urgency", "fairs", "attendees"}

// editableEnterprises are the enterprises of the dataset p may file
// problems for, in dataset order.
func editableEnterprises(p *auth.Principal, d *recordData) []option {
	var out []option
	for _, e := range d.ds.Enterprises {
		if p.CanEditEnterprise(e.ID) {
			out = append(out, option{ID: e.ID, Name: e.Name})
		}
	}
	return out
}

// enterpriseMembers are the people who may attend for enterprise id.
func (d *recordData) enterpriseMembers(id string) []option {
	var listed []string
	if e, ok := d.idx.Enterprises[id]; ok {
		listed = e.Attendees
	}
	return d.members(id, listed)
}

// checkProblemRecord checks what a problem's import does not: required fields,
// the vocabularies, fairs of the plan and attendees of the enterprise. A
// fair or attendee the stored record (old) names already is kept.
func checkProblemRecord(pr *fairmatch.Problem, old *fairmatch.Problem, d *recordData) []fieldIssue {
	var is []fieldIssue
	add := func(field, key string, args ...any) { is = append(is, fieldIssue{field, key, args}) }
	if old == nil || old.Enterprise != pr.Enterprise {
		old = &fairmatch.Problem{}
	}
	switch _, ok := d.idx.Enterprises[pr.Enterprise]; {
	case pr.Enterprise == "":
		add("enterprise", "records.err.required")
	case !ok:
		add("enterprise", "records.err.unknown", pr.Enterprise)
	}
	if strings.TrimSpace(pr.Title) == "" {
		add("title", "records.err.required")
	}
	for _, w := range pr.Wants {
		if !slices.Contains(problemWants, w) {
			add("wants", "records.err.choice", w)
		}
	}
	if pr.Urgency != "" && !slices.Contains(problemUrgencies, pr.Urgency) {
		add("urgency", "records.err.choice", pr.Urgency)
	}
	for _, f := range pr.Fairs {
		if !d.hasFair(f) && !slices.Contains(old.Fairs, f) {
			add("fairs", "records.err.nofair", f)
		}
	}
	members := d.enterpriseMembers(pr.Enterprise)
	for _, a := range pr.Attendees {
		if !hasOption(members, a) && !slices.Contains(old.Attendees, a) {
			add("attendees", "records.err.notmember", a, pr.Enterprise)
		}
	}
	return is
}

// problemRow is a line of the problems list.
type problemRow struct {
	fairmatch.Problem
	EnterpriseName string
}

// problemsView is the problems list's data.
type problemsView struct {
	Enterprise  string // the filters
	Fair        string
	Enterprises []option
	Fairs       []option
	NextFair    string // the fair a problem without fairs is for
	Problems    []problemRow
	CanFile     bool
}

// nextFair is the first fair of the plan that has not ended.
func (rs *records) nextFair(d *recordData) string {
	now := rs.now()
	for _, f := range d.fairs {
		if f.End.After(now) {
			return f.ID
		}
	}
	return ""
}

// problemsFor lists the problems p may edit, filtered by enterprise and
// fair ("" for any); a problem without fairs is for the next fair.
func (rs *records) problemsFor(p *auth.Principal, d *recordData, enterprise, fair string) []fairmatch.Problem {
	next := rs.nextFair(d)
	var out []fairmatch.Problem
	for _, pr := range d.ds.Problems {
		switch {
		case !p.CanEditEnterprise(pr.Enterprise):
		case enterprise != "" && pr.Enterprise != enterprise:
		case fair != "" && !slices.Contains(pr.Fairs, fair) && (len(pr.Fairs) > 0 || fair != next):
		default:
			out = append(out, pr)
		}
	}
	return out
}

func (rs *records) problemsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := problemsView{Enterprise: q.Get("enterprise"), Fair: q.Get("fair"), Enterprises: editableEnterprises(p, d),
		Fairs: rs.fairOptions(d, nil), NextFair: rs.nextFair(d)}
	v.CanFile = len(v.Enterprises) > 0
	for _, pr := range rs.problemsFor(p, d, v.Enterprise, v.Fair) {
		row := problemRow{Problem: pr}
		if e, ok := d.idx.Enterprises[pr.Enterprise]; ok {
			row.EnterpriseName = e.Name
		}
		v.Problems = append(v.Problems, row)
	}
	rs.render(w, r, http.StatusOK, "problems", "records.problems.title", p, v)
	return nil
}

// problemsAPI is GET /api/problems[?enterprise=&fair=]: the problems the
// account may edit.
func (rs *records) problemsAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	list := rs.problemsFor(p, d, r.URL.Query().Get("enterprise"), r.URL.Query().Get("fair"))
	if list == nil {
		list = []fairmatch.Problem{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// problemForm is the problem form's data: the values as typed, the
// choices offered and the issues by field.
type problemForm struct {
	fieldErrors
	New         bool
	ID          string
	Enterprise  string
	Title       string
	Description string
	Keywords    string
	Domains     string
	Urgency     string
	Wants       selection
	Fairs       selection
	Attendees   selection
	Enterprises []option
	FairOptions []option
	People      []personGroup
	WantOptions []string
	Urgencies   []string
	Saved       bool
}

// Action is where the form posts to.
func (f *problemForm) Action() string {
	if f.New {
		return "/problems"
	}
	return "/problems/" + url.PathEscape(f.ID)
}

func problemFormOf(pr *fairmatch.Problem) *problemForm {
	return &problemForm{ID: pr.ID, Enterprise: pr.Enterprise, Title: pr.Title, Description: pr.Description,
		Keywords: joinList(pr.Keywords), Domains: joinList(pr.Domains), Urgency: pr.Urgency,
		Wants: pr.Wants, Fairs: pr.Fairs, Attendees: pr.Attendees}
}

// options fills the form's choices: the enterprises p may file for, the
// fairs, and the people of the chosen enterprise (of every enterprise
// offered while none is chosen).
func (rs *records) problemOptions(f *problemForm, p *auth.Principal, d *recordData) {
	f.Enterprises = editableEnterprises(p, d)
	f.FairOptions = rs.fairOptions(d, f.Fairs)
	f.WantOptions, f.Urgencies = problemWants, problemUrgencies
	f.People = nil
	for _, e := range f.Enterprises {
		if f.Enterprise == "" || f.Enterprise == e.ID {
			f.People = append(f.People, personGroup{Org: e.ID, Name: e.Name, People: d.enterpriseMembers(e.ID)})
		}
	}
}

// readProblemForm reads the posted problem into f (as typed) and a record.
func readProblemForm(r *http.Request, f *problemForm) fairmatch.Problem {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f.Enterprise, f.Title, f.Urgency = v("enterprise"), v("title"), v("urgency")
	f.Description = strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("description"), "\r\n", "\n"))
	f.Keywords, f.Domains = r.PostFormValue("keywords"), r.PostFormValue("domains")
	f.Wants, f.Fairs, f.Attendees = r.PostForm["wants"], r.PostForm["fairs"], r.PostForm["attendees"]
	return fairmatch.Problem{ID: f.ID, Enterprise: f.Enterprise, Title: f.Title, Description: f.Description,
		Keywords: splitList(f.Keywords), Domains: splitList(f.Domains), Wants: slices.Compact(slices.Clone(f.Wants)),
		Urgency: f.Urgency, Fairs: slices.Compact(slices.Clone(f.Fairs)), Attendees: slices.Compact(slices.Clone(f.Attendees))}
}

// storedProblem returns problem id if p may edit it.
func storedProblem(p *auth.Principal, d *recordData, id string) (*fairmatch.Problem, error) {
	pr, ok := d.idx.Problems[id]
	if !ok {
		return nil, recordNotFound("problem", id)
	}
	if !p.CanEditEnterprise(pr.Enterprise) {
		return nil, recordForbidden("problem", id)
	}
	return pr, nil
}

func (rs *records) newProblemPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	f := &problemForm{New: true, Urgency: "normal"}
	rs.problemOptions(f, p, d)
	switch {
	case len(f.Enterprises) == 0:
		return forbiddenPage(r, recordForbidden("problem", "new"))
	case len(f.Enterprises) == 1:
		f.Enterprise = f.Enterprises[0].ID
	case hasOption(f.Enterprises, r.URL.Query().Get("enterprise")):
		f.Enterprise = r.URL.Query().Get("enterprise")
	}
	rs.problemOptions(f, p, d)
	rs.render(w, r, http.StatusOK, "problem", "records.problem.newtitle", p, f)
	return nil
}

func (rs *records) problemPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	pr, err := storedProblem(p, d, r.PathValue("id"))
	if err != nil {
		return forbiddenPage(r, err)
	}
	f := problemFormOf(pr)
	f.Saved = r.URL.Query().Get("saved") == "1"
	rs.problemOptions(f, p, d)
	rs.render(w, r, http.StatusOK, "problem", "records.problem.title", p, f)
	return nil
}

func (rs *records) createProblemPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return rs.postProblemPage(w, r, p, "")
}

func (rs *records) updateProblemPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return rs.postProblemPage(w, r, p, r.PathValue("id"))
}

// postProblemPage saves the problem form (id "" for a new problem): a
// record outside p's scope is refused (403), bad input is shown next to
// its fields with what was typed, a saved one redirects to its form.
func (rs *records) postProblemPage(w http.ResponseWriter, r *http.Request, p *auth.Principal, id string) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	var old *fairmatch.Problem
	if id != "" {
		if old, err = storedProblem(p, d, id); err != nil {
			return forbiddenPage(r, err)
		}
	} else if len(editableEnterprises(p, d)) == 0 {
		return forbiddenPage(r, recordForbidden("problem", "new"))
	}
	if err := readRecordForm(w, r); err != nil {
		return err
	}
	f := &problemForm{New: id == "", ID: id}
	pr := readProblemForm(r, f)
	lang := language(r)
	issues, err := rs.saveProblem(p, &pr, old, d)
	switch {
	case fairmatch.ErrorCode(err) == fairmatch.EFORBIDDEN:
		return forbiddenPage(r, err)
	case fairmatch.ErrorCode(err) == fairmatch.EINVALID:
		f.addIssues(err, problemFields)
	case err != nil:
		return err
	case len(issues) > 0:
		f.addChecks(lang, issues)
	default:
		http.Redirect(w, r, "/problems/"+url.PathEscape(pr.ID)+"?saved=1", http.StatusSeeOther)
		return nil
	}
	rs.problemOptions(f, p, d)
	title := "records.problem.title"
	if f.New {
		title = "records.problem.newtitle"
	}
	rs.render(w, r, http.StatusBadRequest, "problem", title, p, f)
	return nil
}

// saveProblem checks pr (old is the stored record, nil for a new one) and
// stores it, a new one under a fresh id "<enterprise>-P<n>". It returns
// the record checks' issues (nothing stored), or an error: EFORBIDDEN when
// pr is outside p's scope, EINVALID when the import refuses it.
func (rs *records) saveProblem(p *auth.Principal, pr *fairmatch.Problem, old *fairmatch.Problem, d *recordData) ([]fieldIssue, error) {
	ds := &fairmatch.Dataset{Problems: []fairmatch.Problem{*pr}}
	if pr.Enterprise != "" {
		if err := checkScope(p, ds, d.ds, recordName(ds)); err != nil {
			return nil, err
		}
	}
	if is := checkProblemRecord(pr, old, d); len(is) > 0 {
		return is, nil
	}
	var assign func(*fairmatch.Dataset)
	if old == nil {
		assign = func(base *fairmatch.Dataset) {
			taken := map[string]bool{}
			for _, x := range base.Problems {
				taken[x.ID] = true
			}
			ds.Problems[0].ID = nextID(pr.Enterprise+"-P", taken)
		}
	}
	if _, err := rs.save(p, ds, assign); err != nil {
		return nil, err
	}
	*pr = ds.Problems[0]
	return nil, nil
}

// problemAPI is GET /api/problems/{id}.
func (rs *records) problemAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	pr, err := storedProblem(p, d, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pr)
	return nil
}

// createProblemAPI is POST /api/problems: a problem (formats.md §1)
// without id; the stored one, with its new id, comes back (201).
func (rs *records) createProblemAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var pr fairmatch.Problem
	if err := decodeStrictJSON(w, r, &pr); err != nil {
		return err
	}
	if pr.ID != "" {
		return invalidRecord("problems", "problem", []fieldIssue{{Field: "id", Key: "records.err.givenid"}})
	}
	d, err := rs.load()
	if err != nil {
		return err
	}
	return rs.putProblemAPI(w, p, d, &pr, nil, http.StatusCreated)
}

// updateProblemAPI is PUT /api/problems/{id}: the whole record replaces
// the stored one (its id may be left out).
func (rs *records) updateProblemAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id := r.PathValue("id")
	d, err := rs.load()
	if err != nil {
		return err
	}
	old, err := storedProblem(p, d, id)
	if err != nil {
		return err
	}
	var pr fairmatch.Problem
	if err := decodeStrictJSON(w, r, &pr); err != nil {
		return err
	}
	if pr.ID != "" && pr.ID != id {
		return invalidRecord("problems", "problem "+id, []fieldIssue{{Field: "id", Key: "records.err.otherid", Args: []any{pr.ID, id}}})
	}
	pr.ID = id
	return rs.putProblemAPI(w, p, d, &pr, old, http.StatusOK)
}

// putProblemAPI saves pr for the API and answers with the stored record.
func (rs *records) putProblemAPI(w http.ResponseWriter, p *auth.Principal, d *recordData, pr, old *fairmatch.Problem, status int) error {
	issues, err := rs.saveProblem(p, pr, old, d)
	if err != nil {
		return err
	}
	if len(issues) > 0 {
		return invalidRecord("problems", strings.TrimSpace("problem "+pr.ID), issues)
	}
	w.Header().Set("Location", "/api/problems/"+url.PathEscape(pr.ID))
	writeJSON(w, status, pr)
	return nil
}
