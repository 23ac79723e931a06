package store

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/fairmatch/fairmatch"
)

// Fairs returns every fair with its stages, ordered by Start (then id).
// Each fair's stages are ordered by Due, then key.
func (tx *Tx) Fairs() ([]fairmatch.Fair, error) {
	fairs, err := scan[fairmatch.Fair](tx.bucket(bucketFairs), bucketFairs, nil)
	if err != nil {
		return nil, err
	}
	stages, err := tx.Stages()
	if err != nil {
		return nil, err
	}
	byFair := make(map[string][]fairmatch.Stage)
	for _, s := range stages {
		byFair[s.Fair] = append(byFair[s.Fair], s)
	}
	for i := range fairs {
		fairs[i].Stages = byFair[fairs[i].ID]
	}
	slices.SortStableFunc(fairs, func(a, b fairmatch.Fair) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return fairs, nil
}

// Fair returns the fair with the given id and its stages, ordered by Due,
// then key. It is ENOTFOUND if there is no such fair.
func (tx *Tx) Fair(id string) (fairmatch.Fair, error) {
	var f fairmatch.Fair
	ok, err := get(tx.bucket(bucketFairs), bucketFairs, id, &f)
	if err != nil {
		return fairmatch.Fair{}, err
	}
	if !ok || id == "" {
		return fairmatch.Fair{}, fairNotFound(id)
	}
	f.Stages, err = scan[fairmatch.Stage](tx.bucket(bucketStages), bucketStages, []byte(id+"/"))
	if err != nil {
		return fairmatch.Fair{}, err
	}
	sortStages(f.Stages)
	return f, nil
}

// PutFair stores the fair and replaces its stages with f.Stages, each stored
// as a record of its own under its Key (so that PutStage can update one).
// Every stage must name the fair (Stage.Fair == f.ID) and have a name unique
// within the fair; the fair id must not contain "/". Otherwise PutFair gives
// an EINVALID error listing the bad fields, and stores nothing.
func (tx *Tx) PutFair(f fairmatch.Fair) error {
	var is issues
	is.key("fair", "id", f.ID)
	if strings.Contains(f.ID, "/") {
		is = append(is, fairmatch.Issue{Record: "fair", Field: "id", Reason: `must not contain "/"`})
	}
	seen := make(map[string]bool, len(f.Stages))
	for i, s := range f.Stages {
		rec := fmt.Sprintf("stages[%d]", i)
		if s.Fair != f.ID {
			is = append(is, fairmatch.Issue{Record: rec, Field: "fair",
				Reason: fmt.Sprintf("is %q, not the fair's id %q", s.Fair, f.ID)})
		}
		is.key(rec, "name", s.Name)
		if seen[s.Name] {
			is = append(is, fairmatch.Issue{Record: rec, Field: "name",
				Reason: fmt.Sprintf("%q is used by an earlier stage", s.Name)})
		}
		seen[s.Name] = true
	}
	if err := is.err(fmt.Sprintf("fair %q cannot be stored", f.ID)); err != nil {
		return err
	}

	stages := f.Stages
	f.Stages = nil // stored in the stages bucket
	if err := put(tx.bucket(bucketFairs), bucketFairs, f.ID, f); err != nil {
		return err
	}
	b := tx.bucket(bucketStages)
	if err := deletePrefix(b, bucketStages, []byte(f.ID+"/")); err != nil {
		return err
	}
	for _, s := range stages {
		if err := put(b, bucketStages, s.Key(), s); err != nil {
			return err
		}
	}
	return nil
}

// Stages returns the stages of every fair, ordered by Due, then key.
func (tx *Tx) Stages() ([]fairmatch.Stage, error) {
	stages, err := scan[fairmatch.Stage](tx.bucket(bucketStages), bucketStages, nil)
	if err != nil {
		return nil, err
	}
	sortStages(stages)
	return stages, nil
}

// Stage returns the stage with the given key ("2027-03/match"). It is
// ENOTFOUND if there is no such stage.
func (tx *Tx) Stage(key string) (fairmatch.Stage, error) {
	var s fairmatch.Stage
	ok, err := get(tx.bucket(bucketStages), bucketStages, key, &s)
	if err != nil {
		return fairmatch.Stage{}, err
	}
	if !ok || key == "" {
		return fairmatch.Stage{}, fairmatch.Errorf(fairmatch.ENOTFOUND, "stage %q not found", key)
	}
	return s, nil
}

// PutStage stores one stage under its Key, replacing a stored one. Its fair
// must have been stored with PutFair (ENOTFOUND otherwise).
func (tx *Tx) PutStage(s fairmatch.Stage) error {
	var is issues
	is.key("stage", "fair", s.Fair)
	is.key("stage", "name", s.Name)
	if err := is.err(fmt.Sprintf("stage %q cannot be stored", s.Key())); err != nil {
		return err
	}
	if err := tx.requireFair(s.Fair); err != nil {
		return err
	}
	return put(tx.bucket(bucketStages), bucketStages, s.Key(), s)
}

// requireFair is ENOTFOUND unless the fair is stored.
func (tx *Tx) requireFair(id string) error {
	if id == "" || tx.bucket(bucketFairs).Get([]byte(id)) == nil {
		return fairNotFound(id)
	}
	return nil
}

func fairNotFound(id string) error {
	return fairmatch.Errorf(fairmatch.ENOTFOUND, "fair %q not found", id)
}

func sortStages(stages []fairmatch.Stage) {
	slices.SortStableFunc(stages, func(a, b fairmatch.Stage) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		return cmp.Compare(a.Key(), b.Key())
	})
}
