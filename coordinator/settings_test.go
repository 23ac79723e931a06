package coordinator_test

import (
	"testing"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
)

func TestSettingsOverridePlan(t *testing.T) {
	c, _ := setup(t)
	set, err := c.Settings("2027-03")
	if err != nil {
		t.Fatal(err)
	}
	plan := c.Plan.FairDay()
	if set.Day == nil || len(set.Day.Tables) != len(plan.Tables) || *set.Limits != c.Plan.Matching || set.Theme == "" {
		t.Fatalf("without stored settings, want the plan's: %+v", set)
	}
	day := fairmatch.Day{Sessions: []fairmatch.Session{{Name: "am", From: "09:00", To: "11:00"}},
		Slot: plan.Slot, Buffer: plan.Buffer, Tables: []string{"A", "B"}}
	limits := c.Plan.Matching
	limits.MeetingsPerEnterprise = 1
	err = c.DB.Update(func(tx *store.Tx) error {
		return tx.PutFairSettings(fairmatch.FairSettings{Fair: "2027-03", Theme: "氢能", Day: &day, Limits: &limits})
	})
	if err != nil {
		t.Fatal(err)
	}
	set, err = c.Settings("2027-03")
	if err != nil {
		t.Fatal(err)
	}
	if set.Theme != "氢能" || len(set.Day.Tables) != 2 || set.Day.Sessions[0].To != "11:00" || set.Limits.MeetingsPerEnterprise != 1 {
		t.Errorf("stored settings not used: %+v %+v %+v", set, set.Day, set.Limits)
	}
	if _, err := c.Settings("2027-04"); fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
		t.Errorf("unknown fair: %v", err)
	}
}

func TestImportCheckedRunsInTheTransaction(t *testing.T) {
	c, ds := setup(t)
	before := len(ds.Problems)
	extra := &fairmatch.Dataset{Problems: []fairmatch.Problem{{ID: "PX1", Enterprise: ds.Enterprises[0].ID, Title: "新难题"}}}
	var seen int
	_, err := c.ImportChecked("form", extra, func(base *fairmatch.Dataset) error {
		seen = len(base.Problems)
		return fairmatch.Errorf(fairmatch.EFORBIDDEN, "not yours")
	})
	if fairmatch.ErrorCode(err) != fairmatch.EFORBIDDEN || seen != before {
		t.Fatalf("refusing check: %v (saw %d problems, want %d)", err, seen, before)
	}
	merged, err := c.ImportChecked("form", extra, func(*fairmatch.Dataset) error { return nil })
	if err != nil || len(merged.Problems) != before+1 {
		t.Fatalf("passing check: %v, %d problems", err, len(merged.Problems))
	}
	var stored *fairmatch.Dataset
	_ = c.DB.View(func(tx *store.Tx) (err error) { stored, err = tx.Dataset(); return err })
	if len(stored.Problems) != before+1 {
		t.Errorf("stored %d problems, want %d", len(stored.Problems), before+1)
	}
}
