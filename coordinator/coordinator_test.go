package coordinator_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/bus"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/coordinator"
	"github.com/fairmatch/fairmatch/dataset"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/store/storetest"
)

// setup returns a coordinator on a real store holding the example dataset
// and the 2027-03 fair, with its match stage claimed (attempt 1).
func setup(t *testing.T) (*coordinator.Coordinator, *fairmatch.Dataset) {
	t.Helper()
	plan, err := config.Load("../configs/fairmatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fair, err := plan.FairByID("2027-03")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := dataset.Load("../configs/example-dataset.json")
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	c := &coordinator.Coordinator{DB: db, Plan: plan, Log: slog.New(slog.DiscardHandler)}
	if _, err := c.Import("example-dataset.json", ds); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := db.SaveFairs(ctx, []fairmatch.Fair{fair}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.Claim(ctx, "2027-03/match", fairmatch.StatePending, time.Now()); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	return c, ds
}

// matchResult computes the match job's result as a worker would.
func matchResult(t *testing.T, c *coordinator.Coordinator, ds *fairmatch.Dataset, attempt string) bus.Result {
	t.Helper()
	var fair fairmatch.Fair
	if err := c.DB.View(func(tx *store.Tx) (err error) { fair, err = tx.Fair("2027-03"); return err }); err != nil {
		t.Fatal(err)
	}
	in := coordinator.MatchInput{Fair: fair, Dataset: ds, Limits: c.Plan.Matching}
	in.ThesaurusName, in.Thesaurus = c.Plan.ThesaurusFile()
	payload, _ := json.Marshal(in)
	h := coordinator.Handlers()[fairmatch.StageMatch]
	out, err := h(context.Background(), bus.Job{ID: "2027-03/match#" + attempt, Key: "2027-03/match", Kind: "match", Payload: payload},
		func(string, int, int) {})
	if err != nil {
		t.Fatal(err)
	}
	return bus.Result{JobID: "2027-03/match#" + attempt, Key: "2027-03/match", Kind: "match", Payload: out, Worker: "w"}
}

func proposals(t *testing.T, c *coordinator.Coordinator) []fairmatch.Proposal {
	t.Helper()
	var ps []fairmatch.Proposal
	if err := c.DB.View(func(tx *store.Tx) (err error) { ps, err = tx.Proposals("2027-03"); return err }); err != nil {
		t.Fatal(err)
	}
	return ps
}

func stage(t *testing.T, c *coordinator.Coordinator, key string) fairmatch.Stage {
	t.Helper()
	var st fairmatch.Stage
	if err := c.DB.View(func(tx *store.Tx) (err error) { st, err = tx.Stage(key); return err }); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestApplyIsIdempotent(t *testing.T) {
	c, ds := setup(t)
	ctx := context.Background()
	res := matchResult(t, c, ds, "1")
	kicks := 0
	c.OnApplied = func() { kicks++ }
	if err := c.Apply(ctx, res); err != nil {
		t.Fatal(err)
	}
	first := proposals(t, c)
	if len(first) == 0 {
		t.Fatal("no proposals stored")
	}
	st := stage(t, c, "2027-03/match")
	if st.State != fairmatch.StateDone || st.Finished.IsZero() {
		t.Fatalf("stage after apply: %+v", st)
	}
	// A redelivered result, and a late result of an older attempt, change nothing.
	for _, r := range []bus.Result{res, {JobID: "2027-03/match#0", Key: "2027-03/match", Kind: "match", Error: "late"}} {
		if err := c.Apply(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if got := proposals(t, c); len(got) != len(first) {
		t.Errorf("%d proposals after redelivery, want %d", len(got), len(first))
	}
	if st2 := stage(t, c, "2027-03/match"); st2.State != fairmatch.StateDone || !st2.Finished.Equal(st.Finished) {
		t.Errorf("stage changed by a duplicate: %+v", st2)
	}
	if kicks != 1 {
		t.Errorf("scheduler kicked %d times, want once", kicks)
	}
	// The same work redone under a new attempt replaces, never adds.
	if _, ok, err := c.DB.Claim(ctx, "2027-03/match", fairmatch.StateDone, time.Now()); err != nil || !ok {
		t.Fatal(err)
	}
	if err := c.Apply(ctx, matchResult(t, c, ds, "2")); err != nil {
		t.Fatal(err)
	}
	if got := proposals(t, c); len(got) != len(first) {
		t.Errorf("%d proposals after a re-run, want %d", len(got), len(first))
	}
}

func TestApplyFailure(t *testing.T) {
	c, _ := setup(t)
	if err := c.Apply(context.Background(), bus.Result{JobID: "2027-03/match#1", Key: "2027-03/match", Kind: "match", Error: "boom"}); err != nil {
		t.Fatal(err)
	}
	if st := stage(t, c, "2027-03/match"); st.State != fairmatch.StateFailed || st.Error != "boom" {
		t.Errorf("stage after a failed job: %+v", st)
	}
	// An unreadable result fails the stage with a reason instead of looping.
	c2, _ := setup(t)
	if err := c2.Apply(context.Background(), bus.Result{JobID: "2027-03/match#1", Key: "2027-03/match", Kind: "match", Payload: []byte(`[`)}); err != nil {
		t.Fatal(err)
	}
	if st := stage(t, c2, "2027-03/match"); st.State != fairmatch.StateFailed || st.Error == "" {
		t.Errorf("stage after an unreadable result: %+v", st)
	}
}

func TestImportIsAllOrNothing(t *testing.T) {
	c, ds := setup(t)
	bad := &fairmatch.Dataset{Problems: []fairmatch.Problem{
		{ID: "PR900", Enterprise: "E001", Title: "新问题"},
		{ID: "PR901", Enterprise: "E404", Title: "无主问题"},
	}}
	_, err := c.Import("more.json", bad)
	if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
		t.Fatalf("import of a dangling reference: %v", err)
	}
	issues := fairmatch.ErrorIssues(err)
	if len(issues) != 1 || issues[0].File != "more.json" || issues[0].Field != "enterprise" {
		t.Errorf("issues %+v", issues)
	}
	var stored *fairmatch.Dataset
	if err := c.DB.View(func(tx *store.Tx) (err error) { stored, err = tx.Dataset(); return err }); err != nil {
		t.Fatal(err)
	}
	if len(stored.Problems) != len(ds.Problems) {
		t.Errorf("%d problems stored, want %d: the good record of a bad import must not land", len(stored.Problems), len(ds.Problems))
	}
}
