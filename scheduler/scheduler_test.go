package scheduler_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/scheduler"
	"github.com/fairmatch/fairmatch/store"
)

func mustPlan(t *testing.T) *config.Config {
	t.Helper()
	c, err := config.Load("../configs/fairmatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var shanghai = func() *time.Location { l, _ := time.LoadLocation("Asia/Shanghai"); return l }()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// recorder is a Firer that records fired stages and, like a coordinator
// applying a result at once, marks them done unless hold is set.
type recorder struct {
	mu    sync.Mutex
	db    *store.DB
	fired []string
	hold  bool
}

func (r *recorder) Fire(ctx context.Context, s fairmatch.Stage) error {
	r.mu.Lock()
	r.fired = append(r.fired, s.Key())
	hold := r.hold
	r.mu.Unlock()
	if hold {
		return nil
	}
	return r.db.Update(func(tx *store.Tx) error {
		s.State = fairmatch.StateDone
		return tx.PutStage(s)
	})
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.fired)
}

// drain ticks until nothing more fires.
func drain(t *testing.T, s *scheduler.Scheduler) {
	t.Helper()
	for range 100 {
		fired, err := s.Tick(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(fired) == 0 {
			return
		}
	}
	t.Fatal("tick never settles")
}

func TestRestartFiresMissedStageOnce(t *testing.T) {
	plan := mustPlan(t)
	path := filepath.Join(t.TempDir(), "fairmatch.db")
	ctx := context.Background()

	// First run: 2027-03-02 08:00, an hour before the 2027-03 fair's match is due.
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	now := at("2027-03-02 08:00")
	rec := &recorder{db: db}
	s := scheduler.New(plan, db, rec, scheduler.WithClock(func() time.Time { return now }), quiet)
	if err := s.Sync(ctx, 2027); err != nil {
		t.Fatal(err)
	}
	drain(t, s)
	want := []string{"2027-03/call-opens", "2027-03/call-closes"}
	if got := rec.list(); !slices.Equal(got, want) {
		t.Fatalf("first run fired %v, want %v", got, want)
	}
	var fairs []fairmatch.Fair
	if err := db.View(func(tx *store.Tx) (err error) { fairs, err = tx.Fairs(); return err }); err != nil {
		t.Fatal(err)
	}
	if len(fairs) != 5 || fairs[0].ID != "2027-03" {
		t.Errorf("stored fairs start at %s (%d); the 2027-01 fair was over and should not be added", fairs[0].ID, len(fairs))
	}
	if err := db.Close(); err != nil { // the service stops
		t.Fatal(err)
	}

	// Second run, after match came due while the service was down.
	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now = at("2027-03-03 10:00")
	rec = &recorder{db: db}
	s = scheduler.New(plan, db, rec, scheduler.WithClock(func() time.Time { return now }), quiet)
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	drain(t, s)
	drain(t, s)
	if got := rec.list(); !slices.Equal(got, []string{"2027-03/match"}) {
		t.Fatalf("after restart fired %v, want only the missed match", got)
	}
	var st fairmatch.Stage
	if err := db.View(func(tx *store.Tx) (err error) { st, err = tx.Stage("2027-03/match"); return err }); err != nil {
		t.Fatal(err)
	}
	if st.Attempts != 1 || st.State != fairmatch.StateDone || !st.Fired.Equal(now) {
		t.Errorf("match stage after catch-up: %+v", st)
	}
}

func TestStagesWaitForEarlierOnes(t *testing.T) {
	plan := mustPlan(t)
	db := openStore(t)
	ctx := context.Background()
	now := at("2027-03-14 12:00") // every stage up to the first reminder is due
	rec := &recorder{db: db, hold: true}
	s := scheduler.New(plan, db, rec, scheduler.WithClock(func() time.Time { return now }), quiet)
	if err := s.Sync(ctx, 2027); err != nil {
		t.Fatal(err)
	}
	drain(t, s)
	if got := rec.list(); !slices.Equal(got, []string{"2027-03/call-opens"}) {
		t.Fatalf("fired %v while call-opens runs; want only call-opens", got)
	}
	// A running stage cannot be run again by hand.
	if _, err := s.RunNow(ctx, "2027-03/call-opens"); fairmatch.ErrorCode(err) != fairmatch.ECONFLICT {
		t.Errorf("RunNow of a running stage: %v, want conflict", err)
	}
	if _, err := s.RunNow(ctx, "2027-03/nonesuch"); fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
		t.Errorf("RunNow of an unknown stage: %v, want not found", err)
	}
	// Resume re-fires the running stage (same attempt) after a restart.
	n, err := s.Resume(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Resume = %d, %v", n, err)
	}
	rec.mu.Lock()
	rec.hold = false
	rec.mu.Unlock()
	if err := db.Update(func(tx *store.Tx) error {
		st, err := tx.Stage("2027-03/call-opens")
		if err != nil {
			return err
		}
		if st.Attempts != 1 {
			t.Errorf("attempts %d after resume, want 1", st.Attempts)
		}
		st.State = fairmatch.StateDone
		return tx.PutStage(st)
	}); err != nil {
		t.Fatal(err)
	}
	drain(t, s)
	got := rec.list()
	want := []string{"2027-03/call-opens", "2027-03/call-opens", "2027-03/call-closes", "2027-03/match",
		"2027-03/agenda", "2027-03/publish", "2027-03/reminder-1"}
	if !slices.Equal(got, want) {
		t.Fatalf("fired %v\nwant %v", got, want)
	}
	// A failed stage stops the fair until it is run again by hand.
	if err := db.Fail(ctx, "2027-05/call-opens", "boom", now); err != nil {
		t.Fatal(err)
	}
	now = at("2027-05-14 12:00")
	before := len(rec.list())
	drain(t, s)
	may := func() []string {
		var out []string
		for _, k := range rec.list()[before:] {
			if strings.HasPrefix(k, "2027-05/") {
				out = append(out, k)
			}
		}
		return out
	}
	if got := may(); len(got) != 0 {
		t.Errorf("fired %v after a failed stage", got)
	}
	if st, err := s.RunNow(ctx, "2027-05/call-opens"); err != nil || st.Attempts != 1 {
		t.Fatalf("RunNow of a failed stage: %+v %v", st, err)
	}
	drain(t, s)
	if got := may(); len(got) < 3 || got[0] != "2027-05/call-opens" || got[1] != "2027-05/call-closes" {
		t.Errorf("after re-run fired %v", got)
	}
}

// refuser is a Firer whose jobs cannot start: something they need is missing.
type refuser struct{}

func (refuser) Fire(ctx context.Context, s fairmatch.Stage) error {
	return fairmatch.Errorf(fairmatch.ECONFLICT, "%s: nothing to work on yet", s.Key())
}

func TestRefusedStart(t *testing.T) {
	plan := mustPlan(t)
	db := openStore(t)
	ctx := context.Background()
	now := at("2027-01-30 12:00") // the 2027-03 call has opened
	s := scheduler.New(plan, db, refuser{}, scheduler.WithClock(func() time.Time { return now }), quiet)
	if err := s.Sync(ctx, 2027); err != nil {
		t.Fatal(err)
	}
	get := func(key string) fairmatch.Stage {
		var st fairmatch.Stage
		if err := db.View(func(tx *store.Tx) (err error) { st, err = tx.Stage(key); return err }); err != nil {
			t.Fatal(err)
		}
		return st
	}
	// By hand: refused, and the stage is as it was.
	if _, err := s.RunNow(ctx, "2027-03/agenda"); fairmatch.ErrorCode(err) != fairmatch.ECONFLICT {
		t.Fatalf("RunNow = %v, want the firer's conflict", err)
	}
	if st := get("2027-03/agenda"); st.State != fairmatch.StatePending || st.Attempts != 0 {
		t.Errorf("after a refused run by hand: %+v", st)
	}
	// On schedule: the stage fails with the reason, visible to organizers.
	if _, err := s.Tick(ctx); err == nil {
		t.Fatal("tick hid the refusal")
	}
	if st := get("2027-03/call-opens"); st.State != fairmatch.StateFailed || !strings.Contains(st.Error, "nothing to work on") {
		t.Errorf("after a refused scheduled run: %+v", st)
	}
}

func TestRunCatchesUpAtStart(t *testing.T) {
	plan := mustPlan(t)
	db := openStore(t)
	now := at("2027-03-02 10:00")
	rec := &recorder{db: db}
	s := scheduler.New(plan, db, rec, scheduler.WithClock(func() time.Time { return now }), quiet, scheduler.WithTick("@every 1h"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(rec.list()) < 3 && time.Now().Before(deadline) {
		s.Kick() // what the coordinator does after applying a result
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []string{"2027-03/call-opens", "2027-03/call-closes", "2027-03/match"}
	if got := rec.list(); !slices.Equal(got, want) {
		t.Fatalf("Run fired %v, want %v", got, want)
	}
}

var quiet = scheduler.WithLogger(slog.New(slog.DiscardHandler))

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "fairmatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
