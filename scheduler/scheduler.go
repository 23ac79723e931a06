// Package scheduler moves each fair of the year plan through its stages on
// time.
//
// # Basics
//
// The year's fairs come from the plan's cron spec (config.Config.Plan); each
// fair's stages (call opens, call closes, match, agenda, publish, reminders,
// follow-ups) are stored with their due time and state. Cron is only a
// wake-up tick: on each tick the scheduler reads the stored stages and fires
// every stage that is due, pending, and whose fair's earlier stages are all
// done — so a fair's stages fire once and in order, and whatever came due
// while the process was down fires on the first tick after start-up.
//
// Firing a stage claims it (pending → running, attempts + 1) in one store
// transaction and hands it to a Firer, which publishes a job whose
// idempotency key is the stage key ("2027-03/match"). The stage becomes done
// or failed when the job's result is applied, which is not the scheduler's
// business; Kick asks for a new tick at once so that the next stage need not
// wait for the next minute.
//
// # Caveats
//
// A failed stage stops its fair's later stages until an organizer runs it
// again. A stage left running by a crash between claim and publish is fired
// again at start-up with the same job id; the job bus drops the duplicate if
// the first publish got through.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/config"
)

// Store is what the scheduler needs of the database.
type Store interface {
	// SaveFairs stores the fairs and their stages that are not stored yet
	// and updates a stored fair's theme and times; it never changes a stored
	// stage's state.
	SaveFairs(ctx context.Context, fairs []fairmatch.Fair) error
	// Stages returns every stored stage.
	Stages(ctx context.Context) ([]fairmatch.Stage, error)
	// Claim moves the stage from want to running, raising Attempts and
	// setting Fired, in one transaction. ok is false when the stage was not
	// in state want any more.
	Claim(ctx context.Context, key, want string, now time.Time) (s fairmatch.Stage, ok bool, err error)
	// Fail marks a running stage failed with the given message.
	Fail(ctx context.Context, key, message string, now time.Time) error
	// Restore puts a stage back as it was before a claim whose job could
	// not start.
	Restore(ctx context.Context, s fairmatch.Stage) error
}

// Firer starts the work of a claimed stage, typically by publishing a job.
type Firer interface {
	Fire(ctx context.Context, s fairmatch.Stage) error
}

// FirerFunc adapts a function to the Firer interface.
type FirerFunc func(ctx context.Context, s fairmatch.Stage) error

// Fire calls f.
func (f FirerFunc) Fire(ctx context.Context, s fairmatch.Stage) error { return f(ctx, s) }

// Scheduler fires due stages. Create it with New.
type Scheduler struct {
	plan   *config.Config
	store  Store
	firer  Firer
	now    func() time.Time
	log    *slog.Logger
	tick   string
	onFire func(fairmatch.Stage)

	mu   sync.Mutex // serialises ticks
	kick chan struct{}
}

// Option configures a Scheduler.
type Option func(*Scheduler)

// WithClock sets the clock (default time.Now); tests inject their own.
func WithClock(now func() time.Time) Option { return func(s *Scheduler) { s.now = now } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(s *Scheduler) { s.log = l } }

// WithTick sets the cron spec of the wake-up tick (default every minute, "* * * * *").
func WithTick(spec string) Option { return func(s *Scheduler) { s.tick = spec } }

// WithFireHook calls fn after each stage is fired (for metrics).
func WithFireHook(fn func(fairmatch.Stage)) Option { return func(s *Scheduler) { s.onFire = fn } }

// New returns a scheduler for the plan.
func New(plan *config.Config, store Store, firer Firer, opts ...Option) *Scheduler {
	s := &Scheduler{plan: plan, store: store, firer: firer, now: time.Now, log: slog.Default(),
		tick: "* * * * *", kick: make(chan struct{}, 1)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Sync stores the fairs of the given years (this year and the next when none
// are given) so that their stages can fire. A fair whose day is already over
// is not added (a new installation does not replay the past), but one that
// is stored keeps its stages.
func (s *Scheduler) Sync(ctx context.Context, years ...int) error {
	if len(years) == 0 {
		y := s.now().In(s.plan.Location()).Year()
		years = []int{y, y + 1}
	}
	for _, y := range years {
		fairs, err := s.plan.Plan(y)
		if err != nil {
			return err
		}
		now := s.now()
		upcoming := fairs[:0]
		for _, f := range fairs {
			if f.End.After(now) {
				upcoming = append(upcoming, f)
			}
		}
		if err := s.store.SaveFairs(ctx, upcoming); err != nil {
			return fmt.Errorf("save fairs of %d: %w", y, err)
		}
	}
	return nil
}

// Tick fires every stage that is due now, pending, and whose fair's earlier
// stages are done. It returns the stages it fired.
func (s *Scheduler) Tick(ctx context.Context) ([]fairmatch.Stage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	stages, err := s.store.Stages(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var fired []fairmatch.Stage
	var errs []error
	for _, fair := range byFair(stages) {
		for _, st := range fair {
			if st.State == fairmatch.StateDone {
				continue
			}
			if st.State == fairmatch.StatePending && !st.Due.After(now) {
				f, ok, err := s.fire(ctx, st, fairmatch.StatePending, now, false)
				if err != nil {
					errs = append(errs, err)
				} else if ok {
					fired = append(fired, f)
				}
			}
			break // later stages of this fair wait for this one
		}
	}
	return fired, errors.Join(errs...)
}

// Resume fires again, with the same job id, every stage left running by a
// previous process; call it once at start-up before Start.
func (s *Scheduler) Resume(ctx context.Context) (int, error) {
	stages, err := s.store.Stages(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, st := range stages {
		if st.State != fairmatch.StateRunning {
			continue
		}
		s.log.Info("resuming stage left running", "stage", st.Key(), "attempt", st.Attempts)
		if err := s.firer.Fire(ctx, st); err != nil {
			return n, fmt.Errorf("resume %s: %w", st.Key(), err)
		}
		n++
	}
	return n, nil
}

// RunNow fires a stage at once, whatever its due time: an organizer's "run
// now". A running stage is refused with ECONFLICT. When the stage cannot
// start because something it needs is missing (the Firer returns an
// ECONFLICT error, such as an agenda before any match), the error is
// returned and the stage keeps its state: an early click does not fail the
// fair.
func (s *Scheduler) RunNow(ctx context.Context, key string) (fairmatch.Stage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	stages, err := s.store.Stages(ctx)
	if err != nil {
		return fairmatch.Stage{}, err
	}
	for _, st := range stages {
		if st.Key() != key {
			continue
		}
		if st.State == fairmatch.StateRunning {
			return st, fairmatch.Errorf(fairmatch.ECONFLICT, "stage %s is already running (attempt %d)", key, st.Attempts)
		}
		f, ok, err := s.fire(ctx, st, st.State, s.now(), true)
		if err != nil {
			return st, err
		}
		if !ok {
			return st, fairmatch.Errorf(fairmatch.ECONFLICT, "stage %s changed state while starting; try again", key)
		}
		return f, nil
	}
	return fairmatch.Stage{}, fairmatch.Errorf(fairmatch.ENOTFOUND, "no stage %s", key)
}

func (s *Scheduler) fire(ctx context.Context, st fairmatch.Stage, from string, now time.Time, byHand bool) (fairmatch.Stage, bool, error) {
	claimed, ok, err := s.store.Claim(ctx, st.Key(), from, now)
	if err != nil || !ok {
		return claimed, ok, err
	}
	attrs := []any{"stage", claimed.Key(), "due", claimed.Due, "attempt", claimed.Attempts}
	if byHand {
		attrs = append(attrs, "by_hand", true)
	} else if late := now.Sub(claimed.Due).Round(time.Second); late > time.Minute {
		attrs = append(attrs, "late", late)
	}
	s.log.Info("firing stage", attrs...)
	if err := s.firer.Fire(ctx, claimed); err != nil {
		if byHand && fairmatch.ErrorCode(err) == fairmatch.ECONFLICT {
			if rerr := s.store.Restore(ctx, st); rerr != nil {
				return claimed, false, errors.Join(err, rerr)
			}
			return st, false, err
		}
		msg := fmt.Sprintf("could not start: %v", err)
		if ferr := s.store.Fail(ctx, claimed.Key(), msg, s.now()); ferr != nil {
			err = errors.Join(err, ferr)
		}
		return claimed, false, fmt.Errorf("fire %s: %w", claimed.Key(), err)
	}
	if s.onFire != nil {
		s.onFire(claimed)
	}
	return claimed, true, nil
}

// Kick asks the running scheduler for a tick as soon as possible.
func (s *Scheduler) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run syncs this year's and next year's fairs, fires what came due while the
// process was down, then ticks on the cron spec (and on Kick) until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	if err := s.Sync(ctx); err != nil {
		return err
	}
	c := cron.New(cron.WithLocation(s.plan.Location()),
		cron.WithChain(cron.Recover(cronLogger{s.log})))
	if _, err := c.AddFunc(s.tick, s.Kick); err != nil {
		return fmt.Errorf("scheduler tick %q: %w", s.tick, err)
	}
	c.Start()
	defer func() { <-c.Stop().Done() }()
	s.Kick() // catch up at once
	year := s.now().In(s.plan.Location()).Year()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.kick:
			if y := s.now().In(s.plan.Location()).Year(); y != year {
				year = y
				if err := s.Sync(ctx); err != nil {
					s.log.Error("sync year plan", "err", err)
				}
			}
			fired, err := s.Tick(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.Error("scheduler tick", "err", err)
			}
			s.log.Debug("scheduler ticked", "fired", len(fired))
		}
	}
}

// byFair groups stages by fair, each fair's stages in firing order.
func byFair(stages []fairmatch.Stage) [][]fairmatch.Stage {
	idx := map[string]int{}
	var out [][]fairmatch.Stage
	for _, st := range stages {
		i, ok := idx[st.Fair]
		if !ok {
			i = len(out)
			idx[st.Fair] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], st)
	}
	for _, f := range out {
		sortStages(f)
	}
	return out
}

var kindRank = map[string]int{
	fairmatch.StageCallOpens: 0, fairmatch.StageCallCloses: 1, fairmatch.StageMatch: 2,
	fairmatch.StageAgenda: 3, fairmatch.StagePublish: 4, fairmatch.StageReminder: 5, fairmatch.StageFollowUp: 6,
}

// sortStages orders stages by due time, then by their place in a fair's life.
func sortStages(st []fairmatch.Stage) {
	sort.SliceStable(st, func(i, j int) bool {
		a, b := st[i], st[j]
		if !a.Due.Equal(b.Due) {
			return a.Due.Before(b.Due)
		}
		if a.Fair != b.Fair {
			return a.Fair < b.Fair
		}
		if kindRank[a.Kind] != kindRank[b.Kind] {
			return kindRank[a.Kind] < kindRank[b.Kind]
		}
		return strings.Compare(a.Name, b.Name) < 0
	})
}

type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
