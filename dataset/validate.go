package dataset

import (
	"fmt"
	"strconv"

	fm "github.com/fairmatch/fairmatch"
)

// Validate checks ds on its own and against base, the records already
// stored (nil for none), as an import of ds into base would need:
//
//   - every record's fields, as Parse checks them (ids non-empty without
//     whitespace, required fields, enumerations role, wants, urgency, kind
//     and outcome, trl 1–9, windows "HH:MM" with from before to, fair ids,
//     plausible e-mail addresses, valid UTF-8 text);
//   - ids unique within their kind in ds (an id that base holds too is an
//     update, not a duplicate), blocked pairs by (enterprise, university)
//     and history by (enterprise, university, fair);
//   - references resolve to a record of ds or of base: problem.enterprise,
//     offering.university, people.org (an enterprise or a university),
//     enterprise.commissioner and the attendees of enterprises, universities
//     and problems and the experts of offerings (people), blocked and
//     history pairs (an enterprise and a university).
//
// Issues name the record by its JSON path ("problems[3]") and the field;
// Validate returns all of them (up to MaxIssues, the last then counting
// the rest), or nil if ds is valid.
func Validate(ds, base *fm.Dataset) []fm.Issue {
	if ds == nil {
		return nil
	}
	if base == nil {
		base = &fm.Dataset{}
	}
	v := &validator{}
	v.fields(ds)
	v.duplicates(ds)
	v.references(ds, base)
	if v.issues.total() == 0 {
		return nil
	}
	return v.issues.done()
}

type validator struct {
	issues issueList
}

// at returns a report for issues of the i-th record of kind.
func (v *validator) at(kind string, i int) report {
	return func(field, reason string) {
		v.issues.add(fm.Issue{Record: kind + "[" + strconv.Itoa(i) + "]", Field: field, Reason: reason})
	}
}

// fields runs the field-level checks on every record.
func (v *validator) fields(ds *fm.Dataset) {
	for i := range ds.Enterprises {
		checkEnterprise(&ds.Enterprises[i], v.at("enterprises", i))
	}
	for i := range ds.Universities {
		checkUniversity(&ds.Universities[i], v.at("universities", i))
	}
	for i := range ds.People {
		checkPerson(&ds.People[i], v.at("people", i))
	}
	for i := range ds.Problems {
		checkProblem(&ds.Problems[i], v.at("problems", i))
	}
	for i := range ds.Offerings {
		checkOffering(&ds.Offerings[i], v.at("offerings", i))
	}
	for i := range ds.Blocked {
		checkBlocked(&ds.Blocked[i], v.at("blocked", i))
	}
	for i := range ds.History {
		checkHistory(&ds.History[i], v.at("history", i))
	}
}

// duplicates reports records whose key an earlier record of ds has.
func (v *validator) duplicates(ds *fm.Dataset) {
	unique(v, "enterprises", "id", ds.Enterprises, func(e *fm.Enterprise) string { return e.ID })
	unique(v, "universities", "id", ds.Universities, func(u *fm.University) string { return u.ID })
	unique(v, "people", "id", ds.People, func(p *fm.Person) string { return p.ID })
	unique(v, "problems", "id", ds.Problems, func(p *fm.Problem) string { return p.ID })
	unique(v, "offerings", "id", ds.Offerings, func(o *fm.Offering) string { return o.ID })
	unique(v, "blocked", "university", ds.Blocked, blockedKey)
	unique(v, "history", "fair", ds.History, historyKey)
}

func unique[T any, K comparable](v *validator, kind, field string, recs []T, key func(*T) K) {
	first := make(map[K]int, len(recs))
	var zero K
	for i := range recs {
		k := key(&recs[i])
		if k == zero {
			continue // reported as missing
		}
		if j, ok := first[k]; ok {
			v.at(kind, i)(field, fmt.Sprintf("duplicate of %s[%d]", kind, j))
			continue
		}
		first[k] = i
	}
}

type pair struct{ enterprise, university string }

type meeting struct {
	pair
	fair string
}

func blockedKey(b *fm.Blocked) pair { return pair{b.Enterprise, b.University} }

func historyKey(h *fm.History) meeting {
	return meeting{pair{h.Enterprise, h.University}, h.Fair}
}

// idSet is the ids of one kind in ds and base.
type idSet map[string]struct{}

func ids[T any](id func(*T) string, lists ...[]T) idSet {
	s := idSet{}
	for _, l := range lists {
		for i := range l {
			s[id(&l[i])] = struct{}{}
		}
	}
	return s
}

func (s idSet) has(id string) bool { _, ok := s[id]; return ok }

// references reports references of ds that resolve neither in ds nor in
// base. Empty references are left to the field checks.
func (v *validator) references(ds, base *fm.Dataset) {
	enterpriseID := func(e *fm.Enterprise) string { return e.ID }
	universityID := func(u *fm.University) string { return u.ID }
	enterprises := ids(enterpriseID, ds.Enterprises, base.Enterprises)
	universities := ids(universityID, ds.Universities, base.Universities)
	people := ids(func(p *fm.Person) string { return p.ID }, ds.People, base.People)

	ref := func(r report, field, id string, set idSet, what string) {
		if id != "" && !set.has(id) {
			r(field, fmt.Sprintf("unknown %s %q", what, id))
		}
	}
	refs := func(r report, field string, list []string, set idSet, what string) {
		for i, id := range list {
			if id != "" && !set.has(id) {
				r(field, fmt.Sprintf("item %d: unknown %s %q", i+1, what, id))
			}
		}
	}
	for i := range ds.Enterprises {
		e, r := &ds.Enterprises[i], v.at("enterprises", i)
		ref(r, "commissioner", e.Commissioner, people, "person")
		refs(r, "attendees", e.Attendees, people, "person")
	}
	for i := range ds.Universities {
		refs(v.at("universities", i), "attendees", ds.Universities[i].Attendees, people, "person")
	}
	for i := range ds.People {
		if org := ds.People[i].Org; org != "" && !enterprises.has(org) && !universities.has(org) {
			v.at("people", i)("org", fmt.Sprintf("unknown enterprise or university %q", org))
		}
	}
	for i := range ds.Problems {
		p, r := &ds.Problems[i], v.at("problems", i)
		ref(r, "enterprise", p.Enterprise, enterprises, "enterprise")
		refs(r, "attendees", p.Attendees, people, "person")
	}
	for i := range ds.Offerings {
		o, r := &ds.Offerings[i], v.at("offerings", i)
		ref(r, "university", o.University, universities, "university")
		refs(r, "experts", o.Experts, people, "person")
	}
	for i := range ds.Blocked {
		b, r := &ds.Blocked[i], v.at("blocked", i)
		ref(r, "enterprise", b.Enterprise, enterprises, "enterprise")
		ref(r, "university", b.University, universities, "university")
	}
	for i := range ds.History {
		h, r := &ds.History[i], v.at("history", i)
		ref(r, "enterprise", h.Enterprise, enterprises, "enterprise")
		ref(r, "university", h.University, universities, "university")
	}
}
