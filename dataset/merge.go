package dataset

import (
	"maps"
	"slices"

	fm "github.com/fairmatch/fairmatch"
)

// Merge returns base updated with ds: a record of ds with the key of a
// record of base replaces it in place (enterprises, universities, people,
// problems and offerings by id, blocked by (enterprise, university),
// history by (enterprise, university, fair)); the other records of ds are
// appended in their order. If ds holds one key twice, the later record
// wins. Either argument may be nil. The result shares no memory with base
// or ds, which are not modified.
func Merge(base, ds *fm.Dataset) *fm.Dataset {
	if base == nil {
		base = &fm.Dataset{}
	}
	if ds == nil {
		ds = &fm.Dataset{}
	}
	return &fm.Dataset{
		Enterprises: merge(base.Enterprises, ds.Enterprises,
			func(e *fm.Enterprise) string { return e.ID }, cloneEnterprise),
		Universities: merge(base.Universities, ds.Universities,
			func(u *fm.University) string { return u.ID }, cloneUniversity),
		People: merge(base.People, ds.People,
			func(p *fm.Person) string { return p.ID }, clonePerson),
		Problems: merge(base.Problems, ds.Problems,
			func(p *fm.Problem) string { return p.ID }, cloneProblem),
		Offerings: merge(base.Offerings, ds.Offerings,
			func(o *fm.Offering) string { return o.ID }, cloneOffering),
		Blocked: merge(base.Blocked, ds.Blocked, blockedKey,
			func(b fm.Blocked) fm.Blocked { return b }),
		History: merge(base.History, ds.History, historyKey,
			func(h fm.History) fm.History { return h }),
	}
}

// merge returns clones of base's records with those of update replacing
// the ones of the same key and the others appended; nil if there are none.
func merge[T any, K comparable](base, update []T, key func(*T) K, clone func(T) T) []T {
	if len(base)+len(update) == 0 {
		return nil
	}
	out := make([]T, 0, len(base)+len(update))
	at := make(map[K]int, len(base)+len(update))
	for _, recs := range [][]T{base, update} {
		for i := range recs {
			k := key(&recs[i])
			if j, ok := at[k]; ok {
				out[j] = clone(recs[i])
				continue
			}
			at[k] = len(out)
			out = append(out, clone(recs[i]))
		}
	}
	return out
}

func cloneEnterprise(e fm.Enterprise) fm.Enterprise {
	e.Attendees = slices.Clone(e.Attendees)
	return e
}

func cloneUniversity(u fm.University) fm.University {
	u.Attendees = slices.Clone(u.Attendees)
	return u
}

func clonePerson(p fm.Person) fm.Person {
	if p.Available != nil {
		a := maps.Clone(p.Available)
		for k, w := range a {
			a[k] = slices.Clone(w)
		}
		p.Available = a
	}
	return p
}

func cloneProblem(p fm.Problem) fm.Problem {
	p.Keywords = slices.Clone(p.Keywords)
	p.Domains = slices.Clone(p.Domains)
	p.Wants = slices.Clone(p.Wants)
	p.Fairs = slices.Clone(p.Fairs)
	p.Attendees = slices.Clone(p.Attendees)
	return p
}

func cloneOffering(o fm.Offering) fm.Offering {
	o.Keywords = slices.Clone(o.Keywords)
	o.Domains = slices.Clone(o.Domains)
	o.Experts = slices.Clone(o.Experts)
	return o
}
