package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/coordinator"
	"github.com/fairmatch/fairmatch/dataset"
	"github.com/fairmatch/fairmatch/store"
)

// runFair runs one fair's match, agenda and publish now on embedded parts
// and writes what export writes.
func (m *Main) runFair(ctx context.Context, args []string) error {
	fs := m.flags("run")
	cfgPath := fs.String("config", "", "year plan (YAML)")
	dsPath := fs.String("dataset", "", "dataset: JSON file, CSV folder or XLSX workbook")
	fairID := fs.String("fair", "", "fair id, e.g. 2027-03 (see fairmatch plan)")
	out := fs.String("out", "", "output directory (agenda.json, people/)")
	dataDir := fs.String("data", "", "data directory to keep (default: a temporary one, removed afterwards)")
	workers := fs.Int("workers", 2, "in-process job workers")
	agendaLimit := fs.Duration("agenda-time-limit", 30*time.Second, "time limit of the agenda solver")
	verbose := fs.Bool("v", false, "log every job event")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := required(fs, "config", "dataset", "fair", "out"); err != nil {
		return err
	}
	if *workers < 1 {
		return usageError("run: --workers must be at least 1")
	}
	start := time.Now()
	logf := func(format string, a ...any) {
		fmt.Fprintf(m.Stderr, "[%6.2fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, a...))
	}
	plan, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	fair, err := plan.FairByID(*fairID)
	if err != nil {
		return err
	}
	ds, err := dataset.Load(*dsPath)
	if err != nil {
		return err
	}
	logf("read %s: %d enterprises, %d universities, %d problems, %d offerings", *dsPath,
		len(ds.Enterprises), len(ds.Universities), len(ds.Problems), len(ds.Offerings))
	dir := *dataDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "fairmatch-run-*"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	st, err := startStack(ctx, stackOptions{DataDir: dir, Plan: plan, Workers: *workers,
		AckWait: 30 * time.Second, AgendaTimeLimit: *agendaLimit, Log: m.logger(level), Now: m.Now})
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.coord.Import(filepath.Base(*dsPath), ds); err != nil {
		return err
	}
	if err := st.db.SaveFairs(ctx, []fairmatch.Fair{fair}); err != nil {
		return err
	}
	logf("fair %s (%s) on %s, %d tables", fair.ID, fair.Theme, fair.Start.Format("2006-01-02"), len(plan.FairDay().Tables))
	if err := st.runStages(ctx, logf, fair.ID, fairmatch.StageMatch, fairmatch.StageAgenda, fairmatch.StagePublish); err != nil {
		return err
	}
	n, a, err := exportFair(st.db, fair.ID, *out, m.now())
	if err != nil {
		return err
	}
	logf("wrote %s/agenda.json: %d meetings, %d unscheduled; calendars and pages for %d people in %s/people",
		*out, len(a.Meetings), len(a.Unscheduled), n, *out)
	return nil
}

// exportFair writes a published fair's files from the store.
func exportFair(db *store.DB, fair, out string, now time.Time) (int, *fairmatch.Agenda, error) {
	a, cancelled, ds, err := coordinator.Published(db, fair)
	if err != nil {
		return 0, nil, err
	}
	n, err := coordinator.WriteExport(out, a, cancelled, ds, now)
	return n, a, err
}
