package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/store"
)

// The record forms let staff file and edit single records without a file:
// a commissioner the problems of their enterprises, a liaison the offerings
// of their university, and both (and organizers) the availability of the
// people of their organizations. Every save goes through
// Coordinator.ImportChecked: in one transaction a new record gets a free id,
// the upload's scope check (scopeIssues) runs against what is stored, and
// the record is validated and merged by id, all or nothing. Deleting records
// is not offered here.

// records holds the state of the record forms that lives as long as the
// handler.
type records struct {
	*Server
}

// recordRoutes registers the record forms and their JSON twins.
func (s *Server) recordRoutes(mux *http.ServeMux) {
	rs := &records{Server: s}

	mux.Handle("GET /problems", s.page(needStaff, rs.problemsPage))
	mux.Handle("GET /problems/new", s.page(needStaff, rs.newProblemPage))
	mux.Handle("GET /problems/{id}", s.page(needStaff, rs.problemPage))
	mux.Handle("POST /problems", s.page(needStaff, rs.createProblemPage))
	mux.Handle("POST /problems/{id}", s.page(needStaff, rs.updateProblemPage))
	mux.Handle("GET /api/problems", s.api(needStaff, rs.problemsAPI))
	mux.Handle("POST /api/problems", s.api(needStaff, rs.createProblemAPI))
	mux.Handle("GET /api/problems/{id}", s.api(needStaff, rs.problemAPI))
	mux.Handle("PUT /api/problems/{id}", s.api(needStaff, rs.updateProblemAPI))

	mux.Handle("GET /offerings", s.page(needStaff, rs.offeringsPage))
	mux.Handle("GET /offerings/new", s.page(needStaff, rs.newOfferingPage))
	mux.Handle("GET /offerings/{id}", s.page(needStaff, rs.offeringPage))
	mux.Handle("POST /offerings", s.page(needStaff, rs.createOfferingPage))
	mux.Handle("POST /offerings/{id}", s.page(needStaff, rs.updateOfferingPage))
	mux.Handle("GET /api/offerings", s.api(needStaff, rs.offeringsAPI))
	mux.Handle("POST /api/offerings", s.api(needStaff, rs.createOfferingAPI))
	mux.Handle("GET /api/offerings/{id}", s.api(needStaff, rs.offeringAPI))
	mux.Handle("PUT /api/offerings/{id}", s.api(needStaff, rs.updateOfferingAPI))

	mux.Handle("GET /availability", s.page(needStaff, rs.availabilityPage))
	mux.Handle("GET /availability/{person}", s.page(needStaff, rs.personAvailabilityPage))
	mux.Handle("POST /availability/{person}", s.page(needStaff, rs.savePersonAvailabilityPage))
	mux.Handle("GET /api/availability", s.api(needStaff, rs.availabilityAPI))
	mux.Handle("GET /api/availability/{person}", s.api(needStaff, rs.personAvailabilityAPI))
	mux.Handle("PUT /api/availability/{person}", s.api(needStaff, rs.putPersonAvailabilityAPI))
}

// recordData is what the forms read: the stored dataset, its index and the
// year plan's fairs.
type recordData struct {
	ds    *fairmatch.Dataset
	idx   *fairmatch.Index
	fairs []fairmatch.Fair
}

func (rs *records) load() (*recordData, error) {
	d := &recordData{}
	err := rs.DB.View(func(tx *store.Tx) (err error) {
		if d.ds, err = tx.Dataset(); err != nil {
			return err
		}
		d.fairs, err = tx.Fairs()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read records: %w", err)
	}
	d.idx = fairmatch.NewIndex(d.ds)
	return d, nil
}

// hasFair reports whether id is a fair of the plan.
func (d *recordData) hasFair(id string) bool {
	return slices.ContainsFunc(d.fairs, func(f fairmatch.Fair) bool { return f.ID == id })
}

// option is a choice of a select or a checkbox list.
type option struct {
	ID   string
	Name string
}

// fairOptions are the fairs a record may name: those of the current year
// and later ones, and those in keep (what the record names already), in
// the plan's order.
func (rs *records) fairOptions(d *recordData, keep []string) []option {
	year := strconv.Itoa(rs.now().Year())
	var out []option
	for _, f := range d.fairs {
		if f.ID >= year || slices.Contains(keep, f.ID) {
			out = append(out, option{ID: f.ID, Name: f.Theme})
		}
	}
	for _, id := range keep { // named but not in the plan (any more)
		if !slices.ContainsFunc(out, func(o option) bool { return o.ID == id }) {
			out = append(out, option{ID: id})
		}
	}
	return out
}

// personGroup is the people of one organization, as checkboxes.
type personGroup struct {
	Org    string
	Name   string
	People []option
}

// members returns the people of organization org: those whose org it is
// and those it lists as attendees, by id.
func (d *recordData) members(org string, listed []string) []option {
	var out []option
	seen := map[string]bool{}
	for _, pe := range d.ds.People {
		if pe.Org == org {
			out = append(out, option{ID: pe.ID, Name: pe.Name})
			seen[pe.ID] = true
		}
	}
	for _, id := range listed {
		if pe, ok := d.idx.People[id]; ok && !seen[id] {
			out = append(out, option{ID: id, Name: pe.Name})
			seen[id] = true
		}
	}
	slices.SortFunc(out, func(a, b option) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func hasOption(opts []option, id string) bool {
	return slices.ContainsFunc(opts, func(o option) bool { return o.ID == id })
}

// selection is the values chosen in a multi-value field.
type selection []string

// Has reports whether v is chosen: {{if $f.Wants.Has "license"}}.
func (s selection) Has(v string) bool { return slices.Contains(s, v) }

// fieldIssue is a problem with one field of a record, as a message key and
// its arguments: pages show it in the reader's language, the API in English.
type fieldIssue struct {
	Field string
	Key   string
	Args  []any
}

func (f fieldIssue) text(lang string) string { return fmt.Sprintf(translate(lang, f.Key), f.Args...) }

// invalidRecord is the API's EINVALID error for field issues of one record.
func invalidRecord(kind, name string, is []fieldIssue) error {
	out := make([]fairmatch.Issue, len(is))
	for i, f := range is {
		out[i] = fairmatch.Issue{File: name, Record: kind + "[0]", Field: f.Field, Reason: f.text(langEN)}
	}
	return fairmatch.Invalid(fmt.Sprintf("%s not saved: %d issue(s); nothing was stored", name, len(is)), out)
}

// fieldErrors are a form's issues by field ("" for the form as a whole),
// already in the page's language.
type fieldErrors map[string][]string

func (e *fieldErrors) add(field, msg string) {
	if *e == nil {
		*e = fieldErrors{}
	}
	(*e)[field] = append((*e)[field], msg)
}

// Err returns the issues of a field: {{range $f.Err "title"}}.
func (e fieldErrors) Err(field string) []string { return e[field] }

// Invalid reports whether the form has any issue.
func (e fieldErrors) Invalid() bool { return len(e) > 0 }

// addChecks adds the record checks' issues in lang.
func (e *fieldErrors) addChecks(lang string, is []fieldIssue) {
	for _, f := range is {
		e.add(f.Field, f.text(lang))
	}
}

// addIssues adds the issues of a refused import: next to their field when
// the form has it, else for the whole form.
func (e *fieldErrors) addIssues(err error, fields []string) {
	for _, is := range fairmatch.ErrorIssues(err) {
		if slices.Contains(fields, is.Field) {
			e.add(is.Field, is.Reason)
		} else {
			e.add("", is.String())
		}
	}
	if len(fairmatch.ErrorIssues(err)) == 0 {
		e.add("", err.Error())
	}
}

// scopeRefusal is the EFORBIDDEN error of a record outside p's scope.
func scopeRefusal(is []fairmatch.Issue) error {
	return &fairmatch.Error{Code: fairmatch.EFORBIDDEN,
		Message: "this account may not change this record; nothing was stored", Issues: is}
}

// checkScope runs the upload's scope check (scopeIssues) on ds against
// the stored data.
func checkScope(p *auth.Principal, ds, base *fairmatch.Dataset, name string) error {
	if is := scopeIssues(p, ds, base, name); len(is) > 0 {
		return scopeRefusal(is)
	}
	return nil
}

// save stores ds, one record, for p, through the coordinator's import; in
// the import's transaction, against what is stored at that moment, assign
// gives a new record a free id (nil for an update) and the upload's scope
// check runs. It returns the name the record was stored under; errors are
// EFORBIDDEN (scope) or EINVALID (the import's validation), and nothing is
// stored then.
func (rs *records) save(p *auth.Principal, ds *fairmatch.Dataset, assign func(base *fairmatch.Dataset)) (string, error) {
	name := recordName(ds)
	_, err := rs.Coord.ImportChecked(name, ds, func(base *fairmatch.Dataset) error {
		if assign != nil {
			assign(base)
			name = recordName(ds)
		}
		return checkScope(p, ds, base, name)
	})
	if err != nil {
		return name, err
	}
	rs.log().Info("record saved", "record", name, "by", p.Account.Login)
	return name, nil
}

// recordName names the one record of ds in issues and logs ("problem
// E001-P3").
func recordName(ds *fairmatch.Dataset) string {
	switch {
	case len(ds.Problems) == 1:
		return "problem " + ds.Problems[0].ID
	case len(ds.Offerings) == 1:
		return "offering " + ds.Offerings[0].ID
	case len(ds.People) == 1:
		return "person " + ds.People[0].ID
	}
	return "record"
}

// nextID returns prefix followed by the smallest number above those of
// the ids in taken that start with prefix ("E001-P" → "E001-P4").
func nextID(prefix string, taken map[string]bool) string {
	n := 0
	for id := range taken {
		if rest, ok := strings.CutPrefix(id, prefix); ok {
			if k, err := strconv.Atoi(rest); err == nil && k > n {
				n = k
			}
		}
	}
	for {
		n++
		if id := prefix + strconv.Itoa(n); !taken[id] {
			return id
		}
	}
}

// splitList reads a list typed in a text field: items separated by commas
// (also "，" and "、"), semicolons or line breaks, trimmed, empty ones and
// repeats dropped.
func splitList(s string) []string {
	var out []string
	for item := range strings.FieldsFuncSeq(s, func(r rune) bool {
		switch r {
		case ',', '，', '、', ';', '；', '\n', '\r':
			return true
		}
		return false
	}) {
		if item = strings.TrimSpace(item); item != "" && !slices.Contains(out, item) {
			out = append(out, item)
		}
	}
	return out
}

// joinList writes a list for a text field, one item per line.
func joinList(items []string) string { return strings.Join(items, "\n") }

// readRecordForm parses a posted form, bounded like the other forms.
func readRecordForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, organizerFormLimit)
	if err := r.ParseForm(); err != nil {
		return fairmatch.Errorf(fairmatch.EINVALID, "%s: %v", translate(language(r), "records.bodyinvalid"), err)
	}
	return nil
}

// forbiddenPage is the 403 of a page: the refusal in the reader's
// language, with the scope issues if there are any.
func forbiddenPage(r *http.Request, err error) error {
	if fairmatch.ErrorCode(err) != fairmatch.EFORBIDDEN {
		return err
	}
	return &fairmatch.Error{Code: fairmatch.EFORBIDDEN, Message: translate(language(r), "error.forbidden"),
		Issues: fairmatch.ErrorIssues(err)}
}

// recordNotFound is the ENOTFOUND error of a missing record.
func recordNotFound(kind, id string) error {
	return fairmatch.Errorf(fairmatch.ENOTFOUND, "no %s %q", kind, id)
}

// recordForbidden is the EFORBIDDEN error of a record p may not see or change.
func recordForbidden(kind, id string) error {
	return fairmatch.Errorf(fairmatch.EFORBIDDEN, "this account may not change %s %q", kind, id)
}
