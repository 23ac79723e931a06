package store

import (
	"context"
	"slices"
	"time"

	"github.com/fairmatch/fairmatch"
)

// The methods in this file give the scheduler what it needs of the store
// (they implement scheduler.Store), each in one transaction.

// SaveFairs stores new fairs and stages; a stored stage keeps its state (and
// its due time once it has fired).
func (db *DB) SaveFairs(ctx context.Context, fairs []fairmatch.Fair) error {
	return db.Update(func(tx *Tx) error {
		for _, f := range fairs {
			f.Stages = slices.Clone(f.Stages)
			for i, st := range f.Stages {
				old, err := tx.Stage(st.Key())
				if fairmatch.ErrorCode(err) == fairmatch.ENOTFOUND {
					continue
				}
				if err != nil {
					return err
				}
				if old.State != fairmatch.StatePending {
					st.Due = old.Due
				}
				st.State, st.Attempts, st.Fired, st.Finished, st.Error = old.State, old.Attempts, old.Fired, old.Finished, old.Error
				f.Stages[i] = st
			}
			if err := tx.PutFair(f); err != nil {
				return err
			}
		}
		return nil
	})
}

// Stages returns every stored stage.
func (db *DB) Stages(ctx context.Context) ([]fairmatch.Stage, error) {
	var out []fairmatch.Stage
	err := db.View(func(tx *Tx) (err error) { out, err = tx.Stages(); return err })
	return out, err
}

// Claim moves a stage from want to running in one transaction.
func (db *DB) Claim(ctx context.Context, key, want string, now time.Time) (fairmatch.Stage, bool, error) {
	var st fairmatch.Stage
	ok := false
	err := db.Update(func(tx *Tx) error {
		var err error
		if st, err = tx.Stage(key); err != nil {
			return err
		}
		if st.State != want {
			return nil
		}
		st.State, st.Attempts, st.Fired, st.Error = fairmatch.StateRunning, st.Attempts+1, now, ""
		st.Finished = time.Time{}
		ok = true
		return tx.PutStage(st)
	})
	return st, ok && err == nil, err
}

// Fail marks a stage failed.
func (db *DB) Fail(ctx context.Context, key, message string, now time.Time) error {
	return db.Update(func(tx *Tx) error {
		st, err := tx.Stage(key)
		if err != nil {
			return err
		}
		st.State, st.Error, st.Finished = fairmatch.StateFailed, message, now
		return tx.PutStage(st)
	})
}

// Restore writes a stage back as it was.
func (db *DB) Restore(ctx context.Context, s fairmatch.Stage) error {
	return db.Update(func(tx *Tx) error { return tx.PutStage(s) })
}
