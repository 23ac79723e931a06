package store_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
)

// A fair is stored with its stages; a stage then changes on its own, as the
// scheduler runs it.
func Example() {
	dir, err := os.MkdirTemp("", "fairmatch-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := store.Open(filepath.Join(dir, "fairmatch.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	day := time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)
	err = db.Update(func(tx *store.Tx) error {
		return tx.PutFair(fairmatch.Fair{ID: "2027-03", Theme: "precision manufacturing", Start: day,
			Stages: []fairmatch.Stage{
				{Fair: "2027-03", Name: "agenda", Kind: fairmatch.StageAgenda, Due: day.AddDate(0, 0, -7), State: fairmatch.StatePending},
				{Fair: "2027-03", Name: "match", Kind: fairmatch.StageMatch, Due: day.AddDate(0, 0, -10), State: fairmatch.StatePending},
			}})
	})
	if err != nil {
		log.Fatal(err)
	}

	err = db.Update(func(tx *store.Tx) error {
		s, err := tx.Stage("2027-03/match")
		if err != nil {
			return err
		}
		s.State = fairmatch.StateDone
		if err := tx.PutStage(s); err != nil {
			return err
		}
		return tx.MarkJobApplied("2027-03/match", time.Now())
	})
	if err != nil {
		log.Fatal(err)
	}

	_ = db.View(func(tx *store.Tx) error {
		f, err := tx.Fair("2027-03")
		if err != nil {
			return err
		}
		for _, s := range f.Stages {
			fmt.Println(s.Key(), s.State)
		}
		_, err = tx.Agenda("2027-03")
		fmt.Println(fairmatch.ErrorCode(err), err)
		return nil
	})
	// Output:
	// 2027-03/match done
	// 2027-03/agenda pending
	// not_found fair "2027-03" has no published agenda yet
}
