package store

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/fairmatch/fairmatch"
)

// blockedKey is the key of a blocked pair.
func blockedKey(b fairmatch.Blocked) string { return b.Enterprise + sep + b.University }

// historyKey is the key of a history record: the pair and the fair.
func historyKey(h fairmatch.History) string {
	return h.Enterprise + sep + h.University + sep + h.Fair
}

// Dataset returns everything imported: each kind in key order, that is id
// order for records with an id, and enterprise, university (and fair) order
// for blocked pairs and history.
func (tx *Tx) Dataset() (*fairmatch.Dataset, error) {
	var ds fairmatch.Dataset
	var err error
	if ds.Enterprises, err = scan[fairmatch.Enterprise](tx.bucket(bucketEnterprises), bucketEnterprises, nil); err != nil {
		return nil, err
	}
	if ds.Universities, err = scan[fairmatch.University](tx.bucket(bucketUniversities), bucketUniversities, nil); err != nil {
		return nil, err
	}
	if ds.People, err = scan[fairmatch.Person](tx.bucket(bucketPeople), bucketPeople, nil); err != nil {
		return nil, err
	}
	if ds.Problems, err = scan[fairmatch.Problem](tx.bucket(bucketProblems), bucketProblems, nil); err != nil {
		return nil, err
	}
	if ds.Offerings, err = scan[fairmatch.Offering](tx.bucket(bucketOfferings), bucketOfferings, nil); err != nil {
		return nil, err
	}
	if ds.Blocked, err = scan[fairmatch.Blocked](tx.bucket(bucketBlocked), bucketBlocked, nil); err != nil {
		return nil, err
	}
	if ds.History, err = scan[fairmatch.History](tx.bucket(bucketHistory), bucketHistory, nil); err != nil {
		return nil, err
	}
	return &ds, nil
}

// PutDataset stores every record of ds, replacing a stored record with the
// same key: the id for enterprises, universities, people, problems and
// offerings; the enterprise–university pair for blocked pairs; the pair and
// the fair for history. Records it does not name are kept. A record whose key
// is empty (or contains a NUL character) gives an EINVALID error that lists
// every such record, and nothing is stored.
//
// PutDataset checks keys only; the dataset package validates everything else.
func (tx *Tx) PutDataset(ds *fairmatch.Dataset) error {
	if ds == nil {
		return nil
	}
	var is issues
	for i, r := range ds.Enterprises {
		is.key(fmt.Sprintf("enterprises[%d]", i), "id", r.ID)
	}
	for i, r := range ds.Universities {
		is.key(fmt.Sprintf("universities[%d]", i), "id", r.ID)
	}
	for i, r := range ds.People {
		is.key(fmt.Sprintf("people[%d]", i), "id", r.ID)
	}
	for i, r := range ds.Problems {
		is.key(fmt.Sprintf("problems[%d]", i), "id", r.ID)
	}
	for i, r := range ds.Offerings {
		is.key(fmt.Sprintf("offerings[%d]", i), "id", r.ID)
	}
	for i, r := range ds.Blocked {
		is.key(fmt.Sprintf("blocked[%d]", i), "enterprise", r.Enterprise)
		is.key(fmt.Sprintf("blocked[%d]", i), "university", r.University)
	}
	for i, r := range ds.History {
		is.key(fmt.Sprintf("history[%d]", i), "enterprise", r.Enterprise)
		is.key(fmt.Sprintf("history[%d]", i), "university", r.University)
		is.key(fmt.Sprintf("history[%d]", i), "fair", r.Fair)
	}
	if err := is.err("the dataset has records that cannot be stored"); err != nil {
		return err
	}

	if err := putAll(tx, bucketEnterprises, ds.Enterprises, func(r fairmatch.Enterprise) string { return r.ID }); err != nil {
		return err
	}
	if err := putAll(tx, bucketUniversities, ds.Universities, func(r fairmatch.University) string { return r.ID }); err != nil {
		return err
	}
	if err := putAll(tx, bucketPeople, ds.People, func(r fairmatch.Person) string { return r.ID }); err != nil {
		return err
	}
	if err := putAll(tx, bucketProblems, ds.Problems, func(r fairmatch.Problem) string { return r.ID }); err != nil {
		return err
	}
	if err := putAll(tx, bucketOfferings, ds.Offerings, func(r fairmatch.Offering) string { return r.ID }); err != nil {
		return err
	}
	if err := putAll(tx, bucketBlocked, ds.Blocked, blockedKey); err != nil {
		return err
	}
	return putAll(tx, bucketHistory, ds.History, historyKey)
}

// putAll stores records under their keys. It writes them in key order, which
// lets bbolt fill pages sequentially; of two records with the same key the
// later one in recs wins, as if they were written one after the other.
func putAll[T any](tx *Tx, bucket string, recs []T, key func(T) string) error {
	if len(recs) == 0 {
		return nil
	}
	order := make([]int, len(recs))
	keys := make([]string, len(recs))
	for i, r := range recs {
		order[i] = i
		keys[i] = key(r)
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(keys[a], keys[b]) })
	b := tx.bucket(bucket)
	for _, i := range order {
		if err := put(b, bucket, keys[i], recs[i]); err != nil {
			return err
		}
	}
	return nil
}

// Person returns one stored person; ENOTFOUND if there is none with the id.
func (tx *Tx) Person(id string) (fairmatch.Person, error) {
	var p fairmatch.Person
	ok, err := get(tx.bucket(bucketPeople), bucketPeople, id, &p)
	if err != nil {
		return p, err
	}
	if !ok || id == "" {
		return p, fairmatch.Errorf(fairmatch.ENOTFOUND, "no person %q", id)
	}
	return p, nil
}
