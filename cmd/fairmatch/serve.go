package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/configs"
	"github.com/fairmatch/fairmatch/dataset"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/web"
)

const defaultConfig = "configs/fairmatch.yaml"

func (m *Main) serve(ctx context.Context, args []string) error {
	fs := m.flags("serve")
	cfgPath := fs.String("config", defaultConfig, "year plan (YAML); with --dev and no file, the built-in example")
	dataDir := fs.String("data", "./data", "data directory (store, NATS data, published files)")
	httpAddr := fs.String("http", "127.0.0.1:8080", "HTTP listen address")
	natsURL := fs.String("nats-url", "", "external NATS server (default: an embedded one)")
	natsListen := fs.String("nats-listen", "", "TCP address for the embedded NATS server, for remote workers (default: none)")
	workers := fs.Int("workers", 2, "in-process job workers (0: none; run `fairmatch worker` elsewhere)")
	dev := fs.Bool("dev", false, "development: generated admin token, example dataset loaded into a fresh data dir, next fair published at once")
	ackWait := fs.Duration("ack-wait", 30*time.Second, "a job silent this long is handed to another worker")
	tick := fs.String("tick", "* * * * *", "cron spec of the scheduler's wake-up tick")
	agendaLimit := fs.Duration("agenda-time-limit", 30*time.Second, "time limit of the agenda solver")
	verbose := fs.Bool("v", false, "debug logging")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := m.logger(level)

	plan, err := m.loadPlan(*cfgPath, *dev)
	if err != nil {
		return err
	}
	token := m.Getenv("FAIRMATCH_ADMIN_TOKEN")
	if token == "" {
		if !*dev {
			return fairmatch.Errorf(fairmatch.EINVALID, "serve: set FAIRMATCH_ADMIN_TOKEN to the organizers' API token (or use --dev for a generated one)")
		}
		token = randomToken()
	}
	if len(token) < 16 {
		return fairmatch.Errorf(fairmatch.EINVALID, "serve: FAIRMATCH_ADMIN_TOKEN is too short (at least 16 characters)")
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	st, err := startStack(ctx, stackOptions{
		DataDir: *dataDir, Plan: plan, NATSURL: *natsURL, NATSListen: *natsListen, Workers: *workers,
		AckWait: *ackWait, AgendaTimeLimit: *agendaLimit, PublishDir: filepath.Join(*dataDir, "published"),
		Tick: *tick, Log: log, Now: m.Now, Registerer: reg,
	})
	if err != nil {
		return err
	}
	defer st.Close()
	if st.emb != nil && st.emb.ClientURL() != "" {
		fmt.Fprintf(m.Stderr, "fairmatch: NATS for workers at %s\n", st.emb.ClientURL())
	}

	secret, err := personSecret(st.db)
	if err != nil {
		return err
	}
	if err := st.sched.Sync(ctx); err != nil {
		return err
	}
	if n, err := st.sched.Resume(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("resumed stages left running", "count", n)
	}

	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return fairmatch.Errorf(fairmatch.EUNAVAILABLE, "serve: cannot listen on %s: %v", *httpAddr, err)
	}
	srv := &http.Server{
		Handler: (&web.Server{DB: st.db, Coord: st.coord, Sched: st.sched, AdminToken: token, PersonSecret: secret,
			Gatherer: reg, Log: log, Now: m.Now}).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	base := "http://" + ln.Addr().String()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	schedErr := make(chan error, 1)
	wg.Add(1)
	go func() { defer wg.Done(); schedErr <- st.sched.Run(ctx) }()

	if *dev {
		fmt.Fprintf(m.Stderr, "fairmatch: development mode; admin token: %s\n", token)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := m.devStart(ctx, st, secret, base); err != nil && ctx.Err() == nil {
				log.Error("dev start-up", "err", err)
			}
		}()
	}
	fmt.Fprintf(m.Stderr, "fairmatch: serving %s (year plan %s, data %s, %d workers)\n", base, plan.File(), *dataDir, *workers)
	if m.Ready != nil {
		m.Ready(ln.Addr().String(), token)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err = <-serveErr:
	case err = <-schedErr:
	case err = <-st.errs:
	}
	cancel()
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	_ = srv.Shutdown(sctx)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	fmt.Fprintln(m.Stderr, "fairmatch: stopped")
	return err
}

// loadPlan reads the year plan; in dev mode a missing default file falls
// back to the built-in example.
func (m *Main) loadPlan(path string, dev bool) (*config.Config, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && dev && path == defaultConfig {
		return config.LoadFS(configs.FS, "fairmatch.yaml")
	}
	return config.Load(path)
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// personSecret returns the secret that participants' links are signed
// with, created on first use.
func personSecret(db *store.DB) ([]byte, error) {
	var secret string
	err := db.Update(func(tx *store.Tx) error {
		v, ok, err := tx.Meta("person-secret")
		if err != nil {
			return err
		}
		if !ok {
			v = randomToken()
			if err := tx.SetMeta("person-secret", v); err != nil {
				return err
			}
		}
		secret = v
		return nil
	})
	return []byte(secret), err
}

// devStart loads the example dataset into an empty store and publishes the
// next fair at once, so a newcomer sees schedules within a minute.
func (m *Main) devStart(ctx context.Context, st *stack, secret []byte, base string) error {
	var empty bool
	var fairs []fairmatch.Fair
	err := st.db.View(func(tx *store.Tx) error {
		ds, err := tx.Dataset()
		if err != nil {
			return err
		}
		empty = len(ds.Enterprises) == 0 && len(ds.Problems) == 0
		fairs, err = tx.Fairs()
		return err
	})
	if err != nil {
		return err
	}
	if !empty {
		fmt.Fprintln(m.Stderr, "fairmatch: data directory already holds a dataset; not loading the example")
		return nil
	}
	raw, err := fs.ReadFile(configs.FS, "example-dataset.json")
	if err != nil {
		return err
	}
	ds, err := dataset.Parse("example-dataset.json", raw)
	if err != nil {
		return err
	}
	if _, err := st.coord.Import("example-dataset.json", ds); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "fairmatch: loaded the example dataset (%d enterprises, %d problems, %d offerings)\n",
		len(ds.Enterprises), len(ds.Problems), len(ds.Offerings))
	var next *fairmatch.Fair
	for i := range fairs {
		if fairs[i].End.After(m.now()) {
			next = &fairs[i]
			break
		}
	}
	if next == nil {
		return nil
	}
	logf := func(format string, args ...any) { fmt.Fprintf(m.Stderr, "fairmatch: "+format+"\n", args...) }
	if err := st.runStages(ctx, logf, next.ID, fairmatch.StageMatch, fairmatch.StageAgenda, fairmatch.StagePublish); err != nil {
		return err
	}
	var a *fairmatch.Agenda
	if err := st.db.View(func(tx *store.Tx) (err error) { a, err = tx.Agenda(next.ID); return err }); err != nil {
		return err
	}
	logf("fair %s published: %d meetings, %d unscheduled; year plan at %s/", next.ID, len(a.Meetings), len(a.Unscheduled), base)
	shown := map[string]bool{}
	for _, mt := range a.Meetings {
		for _, p := range mt.Attendees {
			if len(shown) < 3 && !shown[p] {
				shown[p] = true
				logf("schedule of %s: %s/fairs/%s/people/%s?token=%s", p, base, next.ID, p, web.PersonToken(secret, p))
			}
		}
	}
	return nil
}
