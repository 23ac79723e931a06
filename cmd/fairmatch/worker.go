package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/bus"
	"github.com/fairmatch/fairmatch/coordinator"
)

func (m *Main) worker(ctx context.Context, args []string) error {
	fs := m.flags("worker")
	natsURL := fs.String("nats-url", "", "NATS server, e.g. nats://127.0.0.1:4222")
	name := fs.String("name", "", "worker name (default host-pid)")
	concurrency := fs.Int("concurrency", 1, "jobs run at once")
	stall := fs.Duration("stall", 0, "fault injection for tests: wait this long (reporting progress) before each job")
	verbose := fs.Bool("v", false, "debug logging")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := required(fs, "nats-url"); err != nil {
		return err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := m.logger(level)
	if *name == "" {
		*name = fmt.Sprintf("%s-%d", hostname(), os.Getpid())
	}
	nc, err := nats.Connect(*natsURL, nats.Name("fairmatch worker "+*name), nats.MaxReconnects(-1),
		nats.RetryOnFailedConnect(true), nats.ReconnectWait(500*time.Millisecond))
	if err != nil {
		return fairmatch.Errorf(fairmatch.EUNAVAILABLE, "worker: connect to NATS at %s: %v", *natsURL, err)
	}
	defer nc.Close()
	b, err := bus.Open(ctx, nc, bus.Options{Join: true, Logger: log})
	if err != nil {
		return err
	}
	handlers := coordinator.Handlers()
	if *stall > 0 {
		for kind, h := range handlers {
			handlers[kind] = stalled(h, *stall)
		}
	}
	fmt.Fprintf(m.Stderr, "fairmatch: worker %s ready on %s\n", *name, *natsURL)
	w := &bus.Worker{Bus: b, Name: *name, Handlers: handlers, Logger: log, Concurrency: *concurrency}
	return w.Run(ctx)
}

// stalled delays a handler, reporting progress while it waits, so tests can
// kill a worker in the middle of a job.
func stalled(h bus.Handler, d time.Duration) bus.Handler {
	return func(ctx context.Context, job bus.Job, progress func(string, int, int)) (json.RawMessage, error) {
		progress("stalling before the job (--stall)", 0, 1)
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
		return h(ctx, job, progress)
	}
}
