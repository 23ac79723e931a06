package notify

import (
	"slices"

	"github.com/fairmatch/fairmatch"
)

// Directory resolves ids to names for display: people, enterprises,
// universities, problems and offerings. An id it does not know is shown as
// itself. A Directory is read-only once built and safe for concurrent use; a
// nil *Directory knows no names.
type Directory struct {
	people       map[string]fairmatch.Person
	enterprises  map[string]fairmatch.Enterprise
	universities map[string]fairmatch.University
	problems     map[string]fairmatch.Problem
	offerings    map[string]fairmatch.Offering
}

// NewDirectory indexes the records of ds by id. A record that appears twice
// is indexed as its last occurrence, as an import would have updated it. A nil
// dataset gives an empty directory.
func NewDirectory(ds *fairmatch.Dataset) *Directory {
	d := &Directory{
		people:       map[string]fairmatch.Person{},
		enterprises:  map[string]fairmatch.Enterprise{},
		universities: map[string]fairmatch.University{},
		problems:     map[string]fairmatch.Problem{},
		offerings:    map[string]fairmatch.Offering{},
	}
	if ds == nil {
		return d
	}
	for _, p := range ds.People {
		d.people[p.ID] = p
	}
	for _, e := range ds.Enterprises {
		d.enterprises[e.ID] = e
	}
	for _, u := range ds.Universities {
		d.universities[u.ID] = u
	}
	for _, p := range ds.Problems {
		d.problems[p.ID] = p
	}
	for _, o := range ds.Offerings {
		d.offerings[o.ID] = o
	}
	return d
}

// Person returns the person with the given id.
func (d *Directory) Person(id string) (fairmatch.Person, bool) {
	if d == nil {
		return fairmatch.Person{}, false
	}
	p, ok := d.people[id]
	return p, ok
}

// PersonName returns the person's name, or id if the person is unknown or
// has no name.
func (d *Directory) PersonName(id string) string {
	if p, ok := d.Person(id); ok && p.Name != "" {
		return p.Name
	}
	return id
}

// EnterpriseName returns the enterprise's name, or id.
func (d *Directory) EnterpriseName(id string) string {
	if d != nil {
		if e, ok := d.enterprises[id]; ok && e.Name != "" {
			return e.Name
		}
	}
	return id
}

// UniversityName returns the university's name, or id.
func (d *Directory) UniversityName(id string) string {
	if d != nil {
		if u, ok := d.universities[id]; ok && u.Name != "" {
			return u.Name
		}
	}
	return id
}

// OrgName returns the name of the enterprise or university with the given
// id, or id.
func (d *Directory) OrgName(id string) string {
	if d != nil {
		if e, ok := d.enterprises[id]; ok && e.Name != "" {
			return e.Name
		}
	}
	return d.UniversityName(id)
}

// ProblemTitle returns the problem's title, or id.
func (d *Directory) ProblemTitle(id string) string {
	if d != nil {
		if p, ok := d.problems[id]; ok && p.Title != "" {
			return p.Title
		}
	}
	return id
}

// OfferingTitle returns the offering's title, or id.
func (d *Directory) OfferingTitle(id string) string {
	if d != nil {
		if o, ok := d.offerings[id]; ok && o.Title != "" {
			return o.Title
		}
	}
	return id
}

// side tells which side of a meeting a person is on: "enterprise",
// "university" or "" when neither (a commissioner or a liaison).
func (d *Directory) side(person string, m *fairmatch.Meeting) string {
	if p, ok := d.Person(person); ok && p.Org != "" {
		switch p.Org {
		case m.Enterprise:
			return "enterprise"
		case m.University:
			return "university"
		}
	}
	if d != nil {
		if e, ok := d.enterprises[m.Enterprise]; ok && slices.Contains(e.Attendees, person) {
			return "enterprise"
		}
		if u, ok := d.universities[m.University]; ok && slices.Contains(u.Attendees, person) {
			return "university"
		}
	}
	return ""
}
