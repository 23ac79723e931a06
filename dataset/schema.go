package dataset

import (
	fm "github.com/fairmatch/fairmatch"
)

// fieldType says how a field is written in CSV/XLSX cells and JSON values.
type fieldType uint8

const (
	textField  fieldType = iota // a string
	listField                   // a list of strings; in a cell, ";"-separated
	intField                    // an integer (trl); in JSON a number
	availField                  // an Availability; in a cell, "*=09:00-12:00;..."
)

// field describes one field of a record of type T: its public name (the JSON
// key and the CSV/XLSX column), how it is written, and an accessor.
type field[T any] struct {
	name     string
	typ      fieldType
	required bool // a CSV/XLSX header must have this column
	text     func(*T) *string
	list     func(*T) *[]string
	num      func(*T) *int
	avail    func(*T) *fm.Availability
}

func text[T any](name string, required bool, get func(*T) *string) field[T] {
	return field[T]{name: name, typ: textField, required: required, text: get}
}

func list[T any](name string, get func(*T) *[]string) field[T] {
	return field[T]{name: name, typ: listField, list: get}
}

func integer[T any](name string, get func(*T) *int) field[T] {
	return field[T]{name: name, typ: intField, num: get}
}

func availability[T any](name string, get func(*T) *fm.Availability) field[T] {
	return field[T]{name: name, typ: availField, avail: get}
}

// kind describes one kind of record of the dataset: its name (the JSON key,
// the CSV file name without .csv, the XLSX sheet name), its fields in column
// order, where its records live in a Dataset, and its field-level checks.
type kind[T any] struct {
	name    string
	fields  []field[T]
	records func(*fm.Dataset) *[]T
	check   func(*T, report)
}

// lookup returns the field named name, or nil.
func (k *kind[T]) lookup(name string) *field[T] {
	for i := range k.fields {
		if k.fields[i].name == name {
			return &k.fields[i]
		}
	}
	return nil
}

// Name implements table.
func (k *kind[T]) Name() string { return k.name }

// header returns the column names in order.
func (k *kind[T]) header() []string {
	h := make([]string, len(k.fields))
	for i, f := range k.fields {
		h[i] = f.name
	}
	return h
}

// count returns how many records of this kind ds holds.
func (k *kind[T]) count(ds *fm.Dataset) int { return len(*k.records(ds)) }

// table is a kind of record with its type erased, so that the seven kinds
// can be handled in one loop.
type table interface {
	Name() string
	header() []string
	count(ds *fm.Dataset) int
	// readRows reads the rows of one CSV file or XLSX sheet into d.ds.
	readRows(d *decoder, file string, src rowSource) error
	// readJSON reads one JSON record (an object) into d.ds.
	readJSON(r *jsonReader, path string) error
	// writeRows calls emit with the header and then each record's cells.
	writeRows(ds *fm.Dataset, emit func(cells []cell) error) error
}

// tables returns the seven kinds in their canonical order (the order of
// formats.md §1).
func tables() []table {
	return []table{
		&kind[fm.Enterprise]{
			name: "enterprises",
			fields: []field[fm.Enterprise]{
				text("id", true, func(e *fm.Enterprise) *string { return &e.ID }),
				text("name", true, func(e *fm.Enterprise) *string { return &e.Name }),
				text("park", false, func(e *fm.Enterprise) *string { return &e.Park }),
				text("industry", false, func(e *fm.Enterprise) *string { return &e.Industry }),
				text("commissioner", false, func(e *fm.Enterprise) *string { return &e.Commissioner }),
				list("attendees", func(e *fm.Enterprise) *[]string { return &e.Attendees }),
			},
			records: func(ds *fm.Dataset) *[]fm.Enterprise { return &ds.Enterprises },
			check:   checkEnterprise,
		},
		&kind[fm.University]{
			name: "universities",
			fields: []field[fm.University]{
				text("id", true, func(u *fm.University) *string { return &u.ID }),
				text("name", true, func(u *fm.University) *string { return &u.Name }),
				list("attendees", func(u *fm.University) *[]string { return &u.Attendees }),
			},
			records: func(ds *fm.Dataset) *[]fm.University { return &ds.Universities },
			check:   checkUniversity,
		},
		&kind[fm.Person]{
			name: "people",
			fields: []field[fm.Person]{
				text("id", true, func(p *fm.Person) *string { return &p.ID }),
				text("name", true, func(p *fm.Person) *string { return &p.Name }),
				text("email", false, func(p *fm.Person) *string { return &p.Email }),
				text("org", false, func(p *fm.Person) *string { return &p.Org }),
				text("role", true, func(p *fm.Person) *string { return &p.Role }),
				availability("available", func(p *fm.Person) *fm.Availability { return &p.Available }),
			},
			records: func(ds *fm.Dataset) *[]fm.Person { return &ds.People },
			check:   checkPerson,
		},
		&kind[fm.Problem]{
			name: "problems",
			fields: []field[fm.Problem]{
				text("id", true, func(p *fm.Problem) *string { return &p.ID }),
				text("enterprise", true, func(p *fm.Problem) *string { return &p.Enterprise }),
				text("title", true, func(p *fm.Problem) *string { return &p.Title }),
				text("description", false, func(p *fm.Problem) *string { return &p.Description }),
				list("keywords", func(p *fm.Problem) *[]string { return &p.Keywords }),
				list("domains", func(p *fm.Problem) *[]string { return &p.Domains }),
				list("wants", func(p *fm.Problem) *[]string { return &p.Wants }),
				text("urgency", false, func(p *fm.Problem) *string { return &p.Urgency }),
				list("fairs", func(p *fm.Problem) *[]string { return &p.Fairs }),
				list("attendees", func(p *fm.Problem) *[]string { return &p.Attendees }),
			},
			records: func(ds *fm.Dataset) *[]fm.Problem { return &ds.Problems },
			check:   checkProblem,
		},
		&kind[fm.Offering]{
			name: "offerings",
			fields: []field[fm.Offering]{
				text("id", true, func(o *fm.Offering) *string { return &o.ID }),
				text("university", true, func(o *fm.Offering) *string { return &o.University }),
				text("kind", false, func(o *fm.Offering) *string { return &o.Kind }),
				text("title", true, func(o *fm.Offering) *string { return &o.Title }),
				text("description", false, func(o *fm.Offering) *string { return &o.Description }),
				list("keywords", func(o *fm.Offering) *[]string { return &o.Keywords }),
				list("domains", func(o *fm.Offering) *[]string { return &o.Domains }),
				integer("trl", func(o *fm.Offering) *int { return &o.TRL }),
				list("experts", func(o *fm.Offering) *[]string { return &o.Experts }),
			},
			records: func(ds *fm.Dataset) *[]fm.Offering { return &ds.Offerings },
			check:   checkOffering,
		},
		&kind[fm.Blocked]{
			name: "blocked",
			fields: []field[fm.Blocked]{
				text("enterprise", true, func(b *fm.Blocked) *string { return &b.Enterprise }),
				text("university", true, func(b *fm.Blocked) *string { return &b.University }),
				text("reason", false, func(b *fm.Blocked) *string { return &b.Reason }),
			},
			records: func(ds *fm.Dataset) *[]fm.Blocked { return &ds.Blocked },
			check:   checkBlocked,
		},
		&kind[fm.History]{
			name: "history",
			fields: []field[fm.History]{
				text("enterprise", true, func(h *fm.History) *string { return &h.Enterprise }),
				text("university", true, func(h *fm.History) *string { return &h.University }),
				text("fair", true, func(h *fm.History) *string { return &h.Fair }),
				text("outcome", true, func(h *fm.History) *string { return &h.Outcome }),
			},
			records: func(ds *fm.Dataset) *[]fm.History { return &ds.History },
			check:   checkHistory,
		},
	}
}

// tableNamed returns the kind called name, or nil.
func tableNamed(name string) table {
	for _, t := range tables() {
		if t.Name() == name {
			return t
		}
	}
	return nil
}

// kindNames returns the names of the seven kinds, for messages.
func kindNames() []string {
	ts := tables()
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name()
	}
	return names
}
