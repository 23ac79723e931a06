package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/bus"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/coordinator"
	"github.com/fairmatch/fairmatch/scheduler"
	"github.com/fairmatch/fairmatch/store"
)

// stackOptions configure the coordinator process: store, NATS, bus,
// coordinator, scheduler and in-process workers.
type stackOptions struct {
	DataDir         string
	Plan            *config.Config
	NATSURL         string // external server; empty: embedded
	NATSListen      string // embedded server's TCP address; empty: none
	Workers         int
	AckWait         time.Duration
	AgendaTimeLimit time.Duration
	PublishDir      string
	Tick            string
	Log             *slog.Logger
	Now             func() time.Time
	Registerer      prometheus.Registerer
}

// stack is a running coordinator process.
type stack struct {
	db    *store.DB
	emb   *bus.Embedded
	nc    *nats.Conn
	bus   *bus.Bus
	coord *coordinator.Coordinator
	sched *scheduler.Scheduler

	cancel context.CancelFunc
	wg     sync.WaitGroup
	errs   chan error
}

// storePath is the bbolt file inside a data directory.
func storePath(dataDir string) string { return filepath.Join(dataDir, "fairmatch.db") }

func startStack(ctx context.Context, o stackOptions) (_ *stack, err error) {
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return nil, fairmatch.Errorf(fairmatch.EINVALID, "data directory %s: %v", o.DataDir, unwrapPath(err))
	}
	s := &stack{errs: make(chan error, 4)}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.db, err = store.Open(storePath(o.DataDir)); err != nil {
		return nil, err
	}
	if o.NATSURL != "" {
		s.nc, err = nats.Connect(o.NATSURL, nats.Name("fairmatch coordinator"), nats.MaxReconnects(-1))
		if err != nil {
			return nil, fairmatch.Errorf(fairmatch.EUNAVAILABLE, "connect to NATS at %s: %v", o.NATSURL, err)
		}
	} else {
		s.emb, err = bus.StartEmbedded(bus.EmbeddedOptions{StoreDir: filepath.Join(o.DataDir, "nats"), Listen: o.NATSListen})
		if err != nil {
			return nil, err
		}
		if s.nc, err = s.emb.Connect(nats.Name("fairmatch coordinator")); err != nil {
			return nil, err
		}
	}
	if s.bus, err = bus.Open(ctx, s.nc, bus.Options{AckWait: o.AckWait}); err != nil {
		return nil, err
	}
	met := newMetrics(o.Registerer)
	if o.Registerer != nil {
		registerBusStats(o.Registerer, s.bus)
	}
	s.coord = &coordinator.Coordinator{
		DB: s.db, Bus: s.bus, Plan: o.Plan, PublishDir: o.PublishDir, AgendaTimeLimit: o.AgendaTimeLimit,
		Log: o.Log, Now: o.Now, Metrics: met.coordinator(),
	}
	opts := []scheduler.Option{scheduler.WithLogger(o.Log), scheduler.WithFireHook(met.fired)}
	if o.Now != nil {
		opts = append(opts, scheduler.WithClock(o.Now))
	}
	if o.Tick != "" {
		opts = append(opts, scheduler.WithTick(o.Tick))
	}
	s.sched = scheduler.New(o.Plan, s.db, s.coord, opts...)
	s.coord.OnApplied = s.sched.Kick

	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.goRun("results", func() error { return s.bus.Results(runCtx, s.coord.Apply) })
	for i := range o.Workers {
		w := &bus.Worker{Bus: s.bus, Name: fmt.Sprintf("%s-inproc-%d", hostname(), i+1),
			Handlers: coordinator.Handlers(), Logger: o.Log}
		s.goRun("worker", func() error { return w.Run(runCtx) })
	}
	unsub, err := s.bus.SubscribeProgress(func(p bus.Progress) {
		o.Log.Info("progress", "job", p.JobID, "worker", p.Worker, "msg", p.Message, "done", p.Done, "total", p.Total)
	})
	if err != nil {
		return nil, err
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); <-runCtx.Done(); unsub() }()
	return s, nil
}

// goRun runs fn until the stack closes; an early error is reported on errs.
func (s *stack) goRun(name string, fn func() error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := fn(); err != nil && !errors.Is(err, context.Canceled) {
			select {
			case s.errs <- fmt.Errorf("%s: %w", name, err):
			default:
			}
		}
	}()
}

// Close stops workers and the result loop, then NATS, then the store.
func (s *stack) Close() error {
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	if s.nc != nil {
		s.nc.Close()
	}
	if s.emb != nil {
		s.emb.Shutdown()
	}
	if s.db != nil {
		return s.db.Close()
	}
	return nil
}

// runStages runs the named stages of a fair now, one after the other,
// waiting for each to finish.
func (s *stack) runStages(ctx context.Context, log func(string, ...any), fair string, names ...string) error {
	for _, name := range names {
		key := fair + "/" + name
		start := time.Now()
		log("running %s", key)
		if _, err := s.sched.RunNow(ctx, key); err != nil {
			return err
		}
		st, err := s.coord.WaitStage(ctx, key)
		if err != nil {
			return err
		}
		if st.State == fairmatch.StateFailed {
			return fairmatch.Errorf(fairmatch.EINVALID, "stage %s failed: %s", key, st.Error)
		}
		log("%s done in %s", key, time.Since(start).Round(time.Millisecond))
		if st.Kind == fairmatch.StageAgenda {
			var v coordinator.AgendaVerdict
			var ok bool
			if err := s.db.View(func(tx *store.Tx) (err error) { v, ok, err = coordinator.Verdict(tx, fair); return err }); err != nil {
				return err
			}
			if ok {
				log("%s: the solver says %s, %d breaks%s", key, v.Status, v.Breaks, verdictNote(v))
			}
		}
	}
	return nil
}

// verdictNote explains a verdict's status in a few words.
func verdictNote(v coordinator.AgendaVerdict) string {
	note := map[string]string{
		"optimal":    " (proven the fewest possible)",
		"feasible":   " (the fewest found in the time limit, not proven)",
		"partial":    " (not every meeting fits; see unscheduled)",
		"infeasible": " (proven: not every meeting can be placed; see unscheduled)",
	}[v.Status]
	if v.Replan {
		note += fmt.Sprintf("; %d published meetings moved", v.Moved)
	}
	return note
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "fairmatch"
	}
	return h
}
