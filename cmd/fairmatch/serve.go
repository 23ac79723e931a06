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
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"golang.org/x/time/rate"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/configs"
	"github.com/fairmatch/fairmatch/coordinator"
	"github.com/fairmatch/fairmatch/dataset"
	"github.com/fairmatch/fairmatch/mail"
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
	publicURL := fs.String("public-url", "", "address participants reach the service at, for the links mailed to them (default: the listen address); https:// marks cookies Secure")
	mailBackoff := fs.Duration("mail-backoff", 30*time.Second, "wait before the first retry of a mail the server did not take (doubles up to 1h)")
	trustProxy := fs.Bool("trust-proxy", false, "take client addresses from X-Forwarded-For (only behind a reverse proxy)")
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

	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return fairmatch.Errorf(fairmatch.EUNAVAILABLE, "serve: cannot listen on %s: %v", *httpAddr, err)
	}
	base := "http://" + ln.Addr().String()
	if *publicURL != "" {
		base = strings.TrimSuffix(*publicURL, "/")
	}
	defer ln.Close()

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

	authn := &auth.Service{DB: st.db, AdminToken: token, Now: m.Now, Secure: strings.HasPrefix(*publicURL, "https://")}
	if err := m.bootstrapOrganizer(authn, *dev); err != nil {
		return err
	}
	if n, err := authn.Prune(); err != nil {
		return err
	} else if n > 0 {
		log.Info("expired sessions and links removed", "count", n)
	}
	box, err := m.mailOutbox(plan, st, log, *mailBackoff)
	if err != nil {
		return err
	}
	reg.MustRegister(newOutboxCollector(st.db))
	st.coord.Mail = &coordinator.Mailer{Outbox: box, Site: base, Link: func(person string) (string, error) {
		tok, _, err := authn.IssueLink(person)
		return base + "/l/" + tok, err
	}}
	if err := st.coord.ResumeMail(ctx); err != nil {
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

	srv := &http.Server{
		Handler: (&web.Server{DB: st.db, Coord: st.coord, Sched: st.sched, Plan: plan, Bus: st.bus, Auth: authn,
			LoginLimiter: auth.NewLimiter(rate.Every(6*time.Second), 10, 10000),
			LinkLimiter:  auth.NewLimiter(rate.Every(20*time.Second), 5, 10000),
			TrustProxy:   *trustProxy, PublicURL: base, OutboxKick: box.Kick,
			SendLink: func(ctx context.Context, p fairmatch.Person, link string, expires time.Time) error {
				msg, err := mail.ComposeLoginLink(p.ID, p.Name, p.Email, link, expires)
				if err != nil {
					return err
				}
				_, err = box.Enqueue(msg)
				return err
			},
			Gatherer: reg, Log: log, Now: m.Now}).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	schedErr := make(chan error, 1)
	wg.Add(1)
	go func() { defer wg.Done(); schedErr <- st.sched.Run(ctx) }()
	if box.Sender != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := box.Run(ctx); err != nil && ctx.Err() == nil {
				log.Error("mail outbox stopped", "err", err)
			}
		}()
	}

	if *dev {
		fmt.Fprintf(m.Stderr, "fairmatch: development mode; admin token: %s\n", token)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := m.devStart(ctx, st, authn, base); err != nil && ctx.Err() == nil {
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

// mailOutbox returns the outbox, with an SMTP sender if the plan names a
// mail server; without one, mail waits in the outbox.
func (m *Main) mailOutbox(plan *config.Config, st *stack, log *slog.Logger, backoff time.Duration) (*mail.Outbox, error) {
	box := &mail.Outbox{DB: st.db, Now: m.Now, Log: log,
		Backoff: mail.ExponentialBackoff(backoff, time.Hour, 0.2, uint64(time.Now().UnixNano()))}
	mc := plan.Mail
	if mc.Host == "" {
		log.Info("no mail server in the plan (mail.host): participants' mail waits in the outbox")
		return box, nil
	}
	sender, err := mail.NewSMTP(mail.Config{Host: mc.Host, Port: mc.Port, Username: mc.Username,
		Password: m.Getenv("FAIRMATCH_SMTP_PASSWORD"), From: mc.From, FromName: mc.FromName, TLS: mc.TLS,
		Timeout: mc.Timeout.D()})
	if err != nil {
		return nil, fmt.Errorf("serve: mail server of %s: %w", plan.File(), err)
	}
	box.Sender = sender
	return box, nil
}

// bootstrapOrganizer creates the first organizer login when the store has
// no account: FAIRMATCH_ORGANIZER_LOGIN (default "organizer") with
// FAIRMATCH_ORGANIZER_PASSWORD, or in dev mode a generated password that is
// printed once.
func (m *Main) bootstrapOrganizer(a *auth.Service, dev bool) error {
	login := m.Getenv("FAIRMATCH_ORGANIZER_LOGIN")
	if login == "" {
		login = "organizer"
	}
	password := m.Getenv("FAIRMATCH_ORGANIZER_PASSWORD")
	generated := false
	if password == "" {
		if !dev {
			return nil // sign in with accounts created earlier, or use the admin token
		}
		password, generated = randomToken()[:16], true
	}
	created, err := a.Bootstrap(login, password)
	if err != nil {
		return fmt.Errorf("serve: first organizer login: %w", err)
	}
	if created {
		if generated {
			fmt.Fprintf(m.Stderr, "fairmatch: organizer login %q, password %s (change it under Accounts)\n", login, password)
		} else {
			fmt.Fprintf(m.Stderr, "fairmatch: organizer login %q created\n", login)
		}
	}
	return nil
}

// devStart loads the example dataset into an empty store and publishes the
// next fair at once, so a newcomer sees schedules within a minute.
func (m *Main) devStart(ctx context.Context, st *stack, authn *auth.Service, base string) error {
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
				tok, _, err := authn.IssueLink(p)
				if err != nil {
					return err
				}
				logf("personal link of %s: %s/l/%s", p, base, tok)
			}
		}
	}
	return nil
}
