package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
)

// offeringKinds are the kinds of an offering (formats.md §1).
var offeringKinds = []string{"technology", "expert", "lab"}

// offeringFields are the offering form's fields, named like the record's
// JSON fields.
var offeringFields = []string{"university", "kind", "title", "description", "keywords", "domains", "trl", "experts"}

// editableUniversities are the universities of the dataset p may file
// offerings for, in dataset order.
func editableUniversities(p *auth.Principal, d *recordData) []option {
	var out []option
	for _, u := range d.ds.Universities {
		if p.CanEditUniversity(u.ID) {
			out = append(out, option{ID: u.ID, Name: u.Name})
		}
	}
	return out
}

// universityMembers are the people who may present for university id.
func (d *recordData) universityMembers(id string) []option {
	var listed []string
	if u, ok := d.idx.Universities[id]; ok {
		listed = u.Attendees
	}
	return d.members(id, listed)
}

// checkOfferingRecord checks what an offering's import does not, or not in the
// reader's language: required fields, the kind, the TRL and experts of the
// university. An expert the stored record (old) names already is kept.
func checkOfferingRecord(o *fairmatch.Offering, old *fairmatch.Offering, d *recordData) []fieldIssue {
	var is []fieldIssue
	add := func(field, key string, args ...any) { is = append(is, fieldIssue{field, key, args}) }
	if old == nil || old.University != o.University {
		old = &fairmatch.Offering{}
	}
	switch _, ok := d.idx.Universities[o.University]; {
	case o.University == "":
		add("university", "records.err.required")
	case !ok:
		add("university", "records.err.unknown", o.University)
	}
	if o.Kind != "" && !slices.Contains(offeringKinds, o.Kind) {
		add("kind", "records.err.choice", o.Kind)
	}
	if strings.TrimSpace(o.Title) == "" {
		add("title", "records.err.required")
	}
	if o.TRL < 0 || o.TRL > 9 {
		add("trl", "records.err.trl")
	}
	members := d.universityMembers(o.University)
	for _, x := range o.Experts {
		if !hasOption(members, x) && !slices.Contains(old.Experts, x) {
			add("experts", "records.err.notmember", x, o.University)
		}
	}
	return is
}

// offeringRow is a line of the offerings list.
type offeringRow struct {
	fairmatch.Offering
	UniversityName string
}

// offeringsView is the offerings list's data.
type offeringsView struct {
	University   string // the filters
	Kind         string
	Universities []option
	Kinds        []string
	Offerings    []offeringRow
	CanFile      bool
}

// offeringsFor lists the offerings p may edit, filtered by university and
// kind ("" for any).
func offeringsFor(p *auth.Principal, d *recordData, university, kind string) []fairmatch.Offering {
	var out []fairmatch.Offering
	for _, o := range d.ds.Offerings {
		if p.CanEditUniversity(o.University) && (university == "" || o.University == university) &&
			(kind == "" || o.Kind == kind) {
			out = append(out, o)
		}
	}
	return out
}

func (rs *records) offeringsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := offeringsView{University: q.Get("university"), Kind: q.Get("kind"), Universities: editableUniversities(p, d),
		Kinds: offeringKinds}
	v.CanFile = len(v.Universities) > 0
	for _, o := range offeringsFor(p, d, v.University, v.Kind) {
		row := offeringRow{Offering: o}
		if u, ok := d.idx.Universities[o.University]; ok {
			row.UniversityName = u.Name
		}
		v.Offerings = append(v.Offerings, row)
	}
	rs.render(w, r, http.StatusOK, "offerings", "records.offerings.title", p, v)
	return nil
}

// offeringsAPI is GET /api/offerings[?university=&kind=]: the offerings
// the account may edit.
func (rs *records) offeringsAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	list := offeringsFor(p, d, r.URL.Query().Get("university"), r.URL.Query().Get("kind"))
	if list == nil {
		list = []fairmatch.Offering{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// offeringForm is the offering form's data: the values as typed, the
// choices offered and the issues by field.
type offeringForm struct {
	fieldErrors
	New          bool
	ID           string
	University   string
	Kind         string
	Title        string
	Description  string
	Keywords     string
	Domains      string
	TRL          string
	Experts      selection
	Universities []option
	Kinds        []string
	People       []personGroup
	Saved        bool
}

// Action is where the form posts to.
func (f *offeringForm) Action() string {
	if f.New {
		return "/offerings"
	}
	return "/offerings/" + url.PathEscape(f.ID)
}

func offeringFormOf(o *fairmatch.Offering) *offeringForm {
	f := &offeringForm{ID: o.ID, University: o.University, Kind: o.Kind, Title: o.Title, Description: o.Description,
		Keywords: joinList(o.Keywords), Domains: joinList(o.Domains), Experts: o.Experts}
	if o.TRL != 0 {
		f.TRL = strconv.Itoa(o.TRL)
	}
	return f
}

// offeringOptions fills the form's choices: the universities p may file
// for and the people of the chosen university (of every one offered while
// none is chosen).
func offeringOptions(f *offeringForm, p *auth.Principal, d *recordData) {
	f.Universities, f.Kinds = editableUniversities(p, d), offeringKinds
	f.People = nil
	for _, u := range f.Universities {
		if f.University == "" || f.University == u.ID {
			f.People = append(f.People, personGroup{Org: u.ID, Name: u.Name, People: d.universityMembers(u.ID)})
		}
	}
}

// readOfferingForm reads the posted offering into f (as typed) and a
// record; a TRL that is not a number is a field issue.
func readOfferingForm(r *http.Request, f *offeringForm) (fairmatch.Offering, []fieldIssue) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f.University, f.Kind, f.Title, f.TRL = v("university"), v("kind"), v("title"), v("trl")
	f.Description = strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("description"), "\r\n", "\n"))
	f.Keywords, f.Domains = r.PostFormValue("keywords"), r.PostFormValue("domains")
	f.Experts = r.PostForm["experts"]
	o := fairmatch.Offering{ID: f.ID, University: f.University, Kind: f.Kind, Title: f.Title, Description: f.Description,
		Keywords: splitList(f.Keywords), Domains: splitList(f.Domains), Experts: slices.Compact(slices.Clone(f.Experts))}
	if f.TRL != "" {
		n, err := strconv.Atoi(f.TRL)
		if err != nil || n < 1 || n > 9 {
			return o, []fieldIssue{{Field: "trl", Key: "records.err.trl"}}
		}
		o.TRL = n
	}
	return o, nil
}

// storedOffering returns offering id if p may edit it.
func storedOffering(p *auth.Principal, d *recordData, id string) (*fairmatch.Offering, error) {
	o, ok := d.idx.Offerings[id]
	if !ok {
		return nil, recordNotFound("offering", id)
	}
	if !p.CanEditUniversity(o.University) {
		return nil, recordForbidden("offering", id)
	}
	return o, nil
}

func (rs *records) newOfferingPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	f := &offeringForm{New: true, Kind: "technology"}
	offeringOptions(f, p, d)
	switch {
	case len(f.Universities) == 0:
		return forbiddenPage(r, recordForbidden("offering", "new"))
	case len(f.Universities) == 1:
		f.University = f.Universities[0].ID
	case hasOption(f.Universities, r.URL.Query().Get("university")):
		f.University = r.URL.Query().Get("university")
	}
	offeringOptions(f, p, d)
	rs.render(w, r, http.StatusOK, "offering", "records.offering.newtitle", p, f)
	return nil
}

func (rs *records) offeringPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	o, err := storedOffering(p, d, r.PathValue("id"))
	if err != nil {
		return forbiddenPage(r, err)
	}
	f := offeringFormOf(o)
	f.Saved = r.URL.Query().Get("saved") == "1"
	offeringOptions(f, p, d)
	rs.render(w, r, http.StatusOK, "offering", "records.offering.title", p, f)
	return nil
}

func (rs *records) createOfferingPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return rs.postOfferingPage(w, r, p, "")
}

func (rs *records) updateOfferingPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return rs.postOfferingPage(w, r, p, r.PathValue("id"))
}

// postOfferingPage saves the offering form (id "" for a new offering),
// like postProblemPage.
func (rs *records) postOfferingPage(w http.ResponseWriter, r *http.Request, p *auth.Principal, id string) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	var old *fairmatch.Offering
	if id != "" {
		if old, err = storedOffering(p, d, id); err != nil {
			return forbiddenPage(r, err)
		}
	} else if len(editableUniversities(p, d)) == 0 {
		return forbiddenPage(r, recordForbidden("offering", "new"))
	}
	if err := readRecordForm(w, r); err != nil {
		return err
	}
	f := &offeringForm{New: id == "", ID: id}
	o, unreadable := readOfferingForm(r, f)
	issues, err := rs.saveOffering(p, &o, old, d, unreadable)
	switch {
	case fairmatch.ErrorCode(err) == fairmatch.EFORBIDDEN:
		return forbiddenPage(r, err)
	case fairmatch.ErrorCode(err) == fairmatch.EINVALID:
		f.addIssues(err, offeringFields)
	case err != nil:
		return err
	case len(issues) > 0:
		f.addChecks(language(r), issues)
	default:
		http.Redirect(w, r, "/offerings/"+url.PathEscape(o.ID)+"?saved=1", http.StatusSeeOther)
		return nil
	}
	offeringOptions(f, p, d)
	title := "records.offering.title"
	if f.New {
		title = "records.offering.newtitle"
	}
	rs.render(w, r, http.StatusBadRequest, "offering", title, p, f)
	return nil
}

// saveOffering checks o (old is the stored record, nil for a new one;
// unreadable the form's own issues) and stores it, a new one under a fresh
// id "<university>-O<n>". It returns the checks' issues (nothing stored),
// or an error: EFORBIDDEN outside p's scope, EINVALID from the import.
func (rs *records) saveOffering(p *auth.Principal, o *fairmatch.Offering, old *fairmatch.Offering, d *recordData, unreadable []fieldIssue) ([]fieldIssue, error) {
	ds := &fairmatch.Dataset{Offerings: []fairmatch.Offering{*o}}
	if o.University != "" {
		if err := checkScope(p, ds, d.ds, recordName(ds)); err != nil {
			return nil, err
		}
	}
	is := unreadable
	for _, x := range checkOfferingRecord(o, old, d) {
		if len(unreadable) == 0 || x.Field != "trl" {
			is = append(is, x)
		}
	}
	if len(is) > 0 {
		return is, nil
	}
	var assign func(*fairmatch.Dataset)
	if old == nil {
		assign = func(base *fairmatch.Dataset) {
			taken := map[string]bool{}
			for _, x := range base.Offerings {
				taken[x.ID] = true
			}
			ds.Offerings[0].ID = nextID(o.University+"-O", taken)
		}
	}
	if _, err := rs.save(p, ds, assign); err != nil {
		return nil, err
	}
	*o = ds.Offerings[0]
	return nil, nil
}

// offeringAPI is GET /api/offerings/{id}.
func (rs *records) offeringAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := rs.load()
	if err != nil {
		return err
	}
	o, err := storedOffering(p, d, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

// createOfferingAPI is POST /api/offerings: an offering (formats.md §1)
// without id; the stored one, with its new id, comes back (201).
func (rs *records) createOfferingAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var o fairmatch.Offering
	if err := decodeStrictJSON(w, r, &o); err != nil {
		return err
	}
	if o.ID != "" {
		return invalidRecord("offerings", "offering", []fieldIssue{{Field: "id", Key: "records.err.givenid"}})
	}
	d, err := rs.load()
	if err != nil {
		return err
	}
	return rs.putOfferingAPI(w, p, d, &o, nil, http.StatusCreated)
}

// updateOfferingAPI is PUT /api/offerings/{id}: the whole record replaces
// the stored one (its id may be left out).
func (rs *records) updateOfferingAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id := r.PathValue("id")
	d, err := rs.load()
	if err != nil {
		return err
	}
	old, err := storedOffering(p, d, id)
	if err != nil {
		return err
	}
	var o fairmatch.Offering
	if err := decodeStrictJSON(w, r, &o); err != nil {
		return err
	}
	if o.ID != "" && o.ID != id {
		return invalidRecord("offerings", "offering "+id, []fieldIssue{{Field: "id", Key: "records.err.otherid", Args: []any{o.ID, id}}})
	}
	o.ID = id
	return rs.putOfferingAPI(w, p, d, &o, old, http.StatusOK)
}

// putOfferingAPI saves o for the API and answers with the stored record.
func (rs *records) putOfferingAPI(w http.ResponseWriter, p *auth.Principal, d *recordData, o, old *fairmatch.Offering, status int) error {
	issues, err := rs.saveOffering(p, o, old, d, nil)
	if err != nil {
		return err
	}
	if len(issues) > 0 {
		return invalidRecord("offerings", strings.TrimSpace("offering "+o.ID), issues)
	}
	w.Header().Set("Location", "/api/offerings/"+url.PathEscape(o.ID))
	writeJSON(w, status, o)
	return nil
}
