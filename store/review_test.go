package store_test

import (
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/store/storetest"
)

func TestReviewRecords(t *testing.T) {
	db := storetest.Open(t)
	at := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	err := db.Update(func(tx *store.Tx) error {
		if err := tx.PutFairSettings(fairmatch.FairSettings{Fair: "2027-03", Theme: "新材料",
			Day: &fairmatch.Day{Tables: []string{"A", "B"}}}); err != nil {
			return err
		}
		for _, d := range []fairmatch.Decision{
			{Fair: "2027-03", Enterprise: "E2", University: "U1", Verdict: fairmatch.VerdictReject},
			{Fair: "2027-03", Enterprise: "E1", University: "U2", Verdict: fairmatch.VerdictPin},
			{Fair: "2027-03", Enterprise: "E1", University: "U2", Verdict: fairmatch.VerdictAccept}, // replaces
			{Fair: "2027-05", Enterprise: "E1", University: "U2", Verdict: fairmatch.VerdictAdd},
		} {
			if err := tx.PutDecision(d); err != nil {
				return err
			}
		}
		return tx.PutResponse(fairmatch.Response{Fair: "2027-03", Meeting: "m1", Person: "P1",
			Kind: fairmatch.ResponseOutcome, Outcome: "nda", At: at})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(func(tx *store.Tx) error {
		s, ok, err := tx.FairSettings("2027-03")
		if err != nil || !ok || s.Theme != "新材料" || len(s.Day.Tables) != 2 {
			t.Errorf("settings = %+v, %v, %v", s, ok, err)
		}
		if _, ok, _ := tx.FairSettings("2027-05"); ok {
			t.Error("settings of 2027-05 reported as stored")
		}
		ds, err := tx.Decisions("2027-03")
		if err != nil {
			return err
		}
		if len(ds) != 2 || ds[0].Enterprise != "E1" || ds[0].Verdict != fairmatch.VerdictAccept || ds[1].Enterprise != "E2" {
			t.Errorf("decisions = %+v", ds)
		}
		rs, err := tx.Responses("2027-03")
		if err != nil {
			return err
		}
		if len(rs) != 1 || rs[0].Outcome != "nda" || !rs[0].At.Equal(at) {
			t.Errorf("responses = %+v", rs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *store.Tx) error { return tx.DeleteDecision("2027-03", "E2", "U1") }); err != nil {
		t.Fatal(err)
	}
	_ = db.View(func(tx *store.Tx) error {
		if ds, _ := tx.Decisions("2027-03"); len(ds) != 1 {
			t.Errorf("after delete: %+v", ds)
		}
		return nil
	})
}

func TestReviewRecordsRefused(t *testing.T) {
	db := storetest.Open(t)
	cases := []struct {
		name  string
		put   func(*store.Tx) error
		field string
	}{
		{"verdict", func(tx *store.Tx) error {
			return tx.PutDecision(fairmatch.Decision{Fair: "f", Enterprise: "E", University: "U", Verdict: "maybe"})
		}, "verdict"},
		{"empty enterprise", func(tx *store.Tx) error {
			return tx.PutDecision(fairmatch.Decision{Fair: "f", University: "U", Verdict: "accept"})
		}, "enterprise"},
		{"outcome", func(tx *store.Tx) error {
			return tx.PutResponse(fairmatch.Response{Fair: "f", Meeting: "m", Person: "p", Kind: "outcome", Outcome: "won"})
		}, "outcome"},
		{"kind", func(tx *store.Tx) error {
			return tx.PutResponse(fairmatch.Response{Fair: "f", Meeting: "m", Person: "p", Kind: "like"})
		}, "kind"},
		{"settings key", func(tx *store.Tx) error { return tx.PutFairSettings(fairmatch.FairSettings{}) }, "fair"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := db.Update(c.put)
			is := fairmatch.ErrorIssues(err)
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID || len(is) == 0 || is[0].Field != c.field {
				t.Fatalf("err = %v, issues %+v; want EINVALID on %s", err, is, c.field)
			}
		})
	}
	_ = db.View(func(tx *store.Tx) error {
		if ds, _ := tx.Decisions("f"); len(ds) != 0 {
			t.Errorf("refused decision stored: %+v", ds)
		}
		if rs, _ := tx.Responses("f"); len(rs) != 0 {
			t.Errorf("refused response stored: %+v", rs)
		}
		return nil
	})
}

func TestPersonByID(t *testing.T) {
	db := storetest.Open(t)
	ds := &fairmatch.Dataset{People: []fairmatch.Person{{ID: "P1", Name: "张工", Role: fairmatch.RoleExpert}}}
	if err := db.Update(func(tx *store.Tx) error { return tx.PutDataset(ds) }); err != nil {
		t.Fatal(err)
	}
	_ = db.View(func(tx *store.Tx) error {
		if p, err := tx.Person("P1"); err != nil || p.Name != "张工" {
			t.Errorf("P1: %+v %v", p, err)
		}
		for _, id := range []string{"P2", ""} {
			if _, err := tx.Person(id); fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
				t.Errorf("%q: %v, want not found", id, err)
			}
		}
		return nil
	})
}
