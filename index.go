package fairmatch

// Index finds a dataset's records by id. It points into the dataset, which
// must not change while the index is in use.
type Index struct {
	Enterprises  map[string]*Enterprise
	Universities map[string]*University
	People       map[string]*Person
	Problems     map[string]*Problem
	Offerings    map[string]*Offering
}

// NewIndex indexes ds (nil: an empty index). With duplicate ids, which a
// validated dataset does not have, the last record wins.
func NewIndex(ds *Dataset) *Index {
	if ds == nil {
		ds = &Dataset{}
	}
	return &Index{
		Enterprises:  byID(ds.Enterprises, func(e *Enterprise) string { return e.ID }),
		Universities: byID(ds.Universities, func(u *University) string { return u.ID }),
		People:       byID(ds.People, func(p *Person) string { return p.ID }),
		Problems:     byID(ds.Problems, func(p *Problem) string { return p.ID }),
		Offerings:    byID(ds.Offerings, func(o *Offering) string { return o.ID }),
	}
}

func byID[T any](records []T, id func(*T) string) map[string]*T {
	m := make(map[string]*T, len(records))
	for i := range records {
		m[id(&records[i])] = &records[i]
	}
	return m
}
