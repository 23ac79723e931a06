package coordinator

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/agenda"
	"github.com/fairmatch/fairmatch/bus"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/dataset"
	"github.com/fairmatch/fairmatch/internal/atomicfile"
	"github.com/fairmatch/fairmatch/mail"
	"github.com/fairmatch/fairmatch/notify"
	"github.com/fairmatch/fairmatch/store"
)

// Metrics receives the coordinator's events; nil fields are skipped.
type Metrics struct {
	JobPublished func(kind string)
	JobApplied   func(kind, outcome string, elapsed time.Duration)
}

// Coordinator turns stages into jobs and applies their results.
type Coordinator struct {
	DB   *store.DB
	Bus  *bus.Bus
	Plan *config.Config
	// PublishDir, if set, receives each published fair's agenda.json and
	// people/ calendars and pages under PublishDir/<fair>/.
	PublishDir string
	// AgendaTimeLimit bounds the agenda solver (0: its default).
	AgendaTimeLimit time.Duration
	Log             *slog.Logger
	Now             func() time.Time
	Metrics         Metrics
	// OnApplied is called after a result was applied (the scheduler's Kick).
	OnApplied func()
	// Mail, if set, mails participants their schedules on publish, on
	// changes and at reminders.
	Mail *Mailer

	mu      sync.Mutex
	waiters map[string][]chan struct{}
}

func (c *Coordinator) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Coordinator) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.Default()
}

// JobID is the id of a stage's job for its current attempt.
func JobID(s fairmatch.Stage) string { return fmt.Sprintf("%s#%d", s.Key(), s.Attempts) }

// Draft meta keys hold a fair's agenda between the agenda and publish
// stages, verdict keys the solver's verdict on it.
func draftKey(fair string) string     { return "draft/" + fair }
func verdictKey(fair string) string   { return "verdict/" + fair }
func unmatchedKey(fair string) string { return "unmatched/" + fair }

// Verdict returns the solver's verdict on the fair's draft agenda, or
// false when there is none (no draft yet, or one stored before verdicts
// were kept).
func Verdict(tx *store.Tx, fair string) (AgendaVerdict, bool, error) {
	var v AgendaVerdict
	raw, ok, err := tx.Meta(verdictKey(fair))
	if err != nil || !ok {
		return v, false, err
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return v, false, fairmatch.Errorf(fairmatch.EINTERNAL, "agenda verdict of fair %s is damaged: %v", fair, err)
	}
	return v, v.Status != "", nil
}

// Fire publishes the job of a claimed (running) stage. It implements
// scheduler.Firer.
func (c *Coordinator) Fire(ctx context.Context, s fairmatch.Stage) error {
	payload, err := c.payload(s)
	if err != nil {
		return err
	}
	job := bus.Job{ID: JobID(s), Key: s.Key(), Kind: s.Kind, Payload: payload}
	if err := c.Bus.Publish(ctx, job); err != nil {
		return err
	}
	if c.Metrics.JobPublished != nil {
		c.Metrics.JobPublished(s.Kind)
	}
	c.log().Info("job published", "job", job.ID, "bytes", len(payload))
	return nil
}

func (c *Coordinator) payload(s fairmatch.Stage) (json.RawMessage, error) {
	switch s.Kind {
	case fairmatch.StageMatch:
		var in MatchInput
		err := c.DB.View(func(tx *store.Tx) error {
			f, err := tx.Fair(s.Fair)
			if err != nil {
				return err
			}
			ds, err := tx.Dataset()
			if err != nil {
				return err
			}
			set, err := c.settings(tx, s.Fair)
			if err != nil {
				return err
			}
			f.Theme = set.Theme
			in = MatchInput{Fair: f, Dataset: ds, Limits: *set.Limits}
			in.ThesaurusName, in.Thesaurus = c.Plan.ThesaurusFile()
			if in.Capacity, err = agenda.FreeSlots(f, *set.Day, ds.People); err != nil {
				// The agenda stage reports bad windows; matching goes on without caps.
				c.log().Warn("availability not used for matching", "fair", s.Fair, "err", err)
				in.Capacity = nil
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(in.Dataset.Problems) == 0 {
			return nil, fairmatch.Errorf(fairmatch.ECONFLICT, "fair %s: no problems imported; import a dataset first", s.Fair)
		}
		return json.Marshal(in)
	case fairmatch.StageAgenda:
		var in AgendaInput
		err := c.DB.View(func(tx *store.Tx) error {
			f, err := tx.Fair(s.Fair)
			if err != nil {
				return err
			}
			ps, err := tx.Proposals(s.Fair)
			if err != nil {
				return err
			}
			ds, err := tx.Dataset()
			if err != nil {
				return err
			}
			decisions, err := tx.Decisions(s.Fair)
			if err != nil {
				return err
			}
			ps, issues := ApplyDecisions(ps, decisions, ds)
			for _, is := range issues {
				c.log().Warn("review decision no longer applies", "fair", s.Fair, "record", is.Record, "field", is.Field, "reason", is.Reason)
			}
			responses, err := tx.Responses(s.Fair)
			if err != nil {
				return err
			}
			var declined []string
			if ps, declined = ApplyDeclines(ps, responses, ds); len(declined) > 0 {
				c.log().Info("meetings declined by a whole side are not placed", "fair", s.Fair, "meetings", declined)
			}
			if len(ps) == 0 {
				return fairmatch.Errorf(fairmatch.ECONFLICT, "fair %s: no meetings proposed; run the match stage first (or add meetings in review)", s.Fair)
			}
			set, err := c.settings(tx, s.Fair)
			if err != nil {
				return err
			}
			in = AgendaInput{Fair: f, Day: *set.Day, People: ds.People, Proposals: ps,
				Blocked: ds.Blocked, TimeLimit: c.AgendaTimeLimit}
			if prev, err := tx.Agenda(s.Fair); err == nil {
				in.Previous = prev // published: re-plan around it
			} else if fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
				return err
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return json.Marshal(in)
	case fairmatch.StagePublish:
		err := c.DB.View(func(tx *store.Tx) error {
			if _, ok, err := tx.Meta(draftKey(s.Fair)); err != nil || !ok {
				if err != nil {
					return err
				}
				return fairmatch.Errorf(fairmatch.ECONFLICT, "fair %s: no agenda to publish; run the agenda stage first", s.Fair)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return json.Marshal(map[string]string{"fair": s.Fair, "stage": s.Name})
}

// Settings returns a fair's effective settings: the organizers' changes
// stored for it over the year plan's defaults (theme, day, limits all set).
func (c *Coordinator) Settings(fair string) (fairmatch.FairSettings, error) {
	var set fairmatch.FairSettings
	err := c.DB.View(func(tx *store.Tx) (err error) { set, err = c.settings(tx, fair); return err })
	return set, err
}

func (c *Coordinator) settings(tx *store.Tx, fair string) (fairmatch.FairSettings, error) {
	f, err := tx.Fair(fair)
	if err != nil {
		return fairmatch.FairSettings{}, err
	}
	set, _, err := tx.FairSettings(fair)
	if err != nil {
		return set, err
	}
	set.Fair = fair
	if set.Theme == "" {
		set.Theme = f.Theme
	}
	if set.Day == nil {
		d := c.Plan.FairDay()
		set.Day = &d
	}
	if set.Limits == nil {
		l := c.Plan.Matching
		set.Limits = &l
	}
	return set, nil
}

// Apply writes a job's result to the store once. Results of earlier
// attempts and results already applied are dropped (nil error), so a
// redelivered job or result changes nothing.
func (c *Coordinator) Apply(ctx context.Context, r bus.Result) error {
	var (
		applied   bool
		stage     fairmatch.Stage
		published *fairmatch.Agenda
		cancelled []fairmatch.Meeting
		ds        *fairmatch.Dataset
	)
	now := c.now()
	err := c.DB.Update(func(tx *store.Tx) error {
		done, err := tx.JobApplied(r.JobID)
		if err != nil || done {
			return err
		}
		stage, err = tx.Stage(r.Key)
		if err != nil {
			if fairmatch.ErrorCode(err) == fairmatch.ENOTFOUND {
				c.log().Warn("result for an unknown stage dropped", "job", r.JobID)
				return nil
			}
			return err
		}
		if stage.State != fairmatch.StateRunning || JobID(stage) != r.JobID {
			c.log().Info("stale result dropped", "job", r.JobID, "stage_state", stage.State, "attempt", stage.Attempts)
			return tx.MarkJobApplied(r.JobID, now)
		}
		if r.Error != "" {
			stage.State, stage.Error = fairmatch.StateFailed, r.Error
		} else if err := c.applyOutput(tx, stage, r.Payload); err != nil {
			if fairmatch.ErrorCode(err) == fairmatch.EINTERNAL {
				return err
			}
			stage.State, stage.Error = fairmatch.StateFailed, err.Error()
		} else {
			stage.State, stage.Error = fairmatch.StateDone, ""
			if stage.Kind == fairmatch.StagePublish {
				if published, cancelled, ds, err = readPublished(tx, stage.Fair); err != nil {
					return err
				}
			}
		}
		stage.Finished = now
		if err := tx.PutStage(stage); err != nil {
			return err
		}
		applied = true
		return tx.MarkJobApplied(r.JobID, now)
	})
	if err != nil {
		return fmt.Errorf("apply %s: %w", r.JobID, err)
	}
	if !applied {
		return nil
	}
	outcome := stage.State
	c.log().Info("stage finished", "stage", stage.Key(), "state", stage.State, "worker", r.Worker,
		"elapsed", r.Elapsed, "error", stage.Error)
	if c.Metrics.JobApplied != nil {
		c.Metrics.JobApplied(stage.Kind, outcome, r.Elapsed)
	}
	if published != nil && c.PublishDir != "" {
		dir := filepath.Join(c.PublishDir, stage.Fair)
		if _, err := WriteExport(dir, published, cancelled, ds, now); err != nil {
			c.log().Error("writing published files", "fair", stage.Fair, "dir", dir, "err", err)
		}
	}
	if stage.State == fairmatch.StateDone && (stage.Kind == fairmatch.StagePublish || stage.Kind == fairmatch.StageReminder ||
		stage.Kind == fairmatch.StageFollowUp || stage.Kind == fairmatch.StageCallOpens) {
		if err := c.sendPending(ctx, stage.Fair); err != nil {
			c.log().Error("queuing participants' mail (kept pending, retried at start)", "fair", stage.Fair, "err", err)
		}
	}
	c.notify(stage.Key())
	if c.OnApplied != nil {
		c.OnApplied()
	}
	return nil
}

// applyOutput writes a successful result of the stage's kind.
func (c *Coordinator) applyOutput(tx *store.Tx, s fairmatch.Stage, payload json.RawMessage) error {
	switch s.Kind {
	case fairmatch.StageMatch:
		var out MatchOutput
		if err := json.Unmarshal(payload, &out); err != nil {
			return fairmatch.Errorf(fairmatch.EINVALID, "match result of %s is not readable: %v", s.Key(), err)
		}
		if err := tx.PutProposals(s.Fair, out.Proposals); err != nil {
			return err
		}
		un, _ := json.Marshal(out.Unmatched)
		return tx.SetMeta(unmatchedKey(s.Fair), string(un))
	case fairmatch.StageAgenda:
		var out AgendaOutput
		if err := json.Unmarshal(payload, &out); err != nil || out.Agenda == nil {
			return fairmatch.Errorf(fairmatch.EINVALID, "agenda result of %s is not readable: %v", s.Key(), err)
		}
		b, _ := json.Marshal(out.Agenda)
		if err := tx.SetMeta(draftKey(s.Fair), string(b)); err != nil {
			return err
		}
		v, _ := json.Marshal(out.AgendaVerdict)
		return tx.SetMeta(verdictKey(s.Fair), string(v))
	case fairmatch.StagePublish:
		raw, ok, err := tx.Meta(draftKey(s.Fair))
		if err != nil {
			return err
		}
		if !ok {
			return fairmatch.Errorf(fairmatch.ECONFLICT, "fair %s: no agenda to publish", s.Fair)
		}
		var a fairmatch.Agenda
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			return fairmatch.Errorf(fairmatch.EINTERNAL, "draft agenda of %s is damaged: %v", s.Fair, err)
		}
		kind := mail.KindPublished
		if _, err := tx.Agenda(s.Fair); err == nil {
			kind = mail.KindChanged
		} else if fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
			return err
		}
		if err := tx.PutAgenda(&a); err != nil {
			return err
		}
		return c.markMail(tx, s.Fair, kind)
	case fairmatch.StageReminder:
		if _, err := tx.Agenda(s.Fair); err != nil {
			if fairmatch.ErrorCode(err) == fairmatch.ENOTFOUND {
				c.log().Warn("reminder stage without a published agenda: nobody to remind", "stage", s.Key())
				return nil
			}
			return err
		}
		return c.markMail(tx, s.Fair, mail.KindReminder)
	case fairmatch.StageCallOpens:
		return c.markMail(tx, s.Fair, mail.KindCall)
	case fairmatch.StageFollowUp:
		if _, err := tx.Agenda(s.Fair); err != nil {
			if fairmatch.ErrorCode(err) == fairmatch.ENOTFOUND {
				c.log().Warn("follow-up stage without a published agenda: nobody to ask", "stage", s.Key())
				return nil
			}
			return err
		}
		return c.markMail(tx, s.Fair, mail.KindFollowUp)
	}
	return nil
}

// WaitStage blocks until the stage is done or failed, or ctx ends.
func (c *Coordinator) WaitStage(ctx context.Context, key string) (fairmatch.Stage, error) {
	for {
		ch := make(chan struct{})
		c.mu.Lock()
		if c.waiters == nil {
			c.waiters = map[string][]chan struct{}{}
		}
		c.waiters[key] = append(c.waiters[key], ch)
		c.mu.Unlock()
		var st fairmatch.Stage
		err := c.DB.View(func(tx *store.Tx) (err error) { st, err = tx.Stage(key); return err })
		if err != nil {
			return st, err
		}
		if st.State == fairmatch.StateDone || st.State == fairmatch.StateFailed {
			return st, nil
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-ch:
		case <-time.After(time.Second):
		}
	}
}

func (c *Coordinator) notify(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.waiters[key] {
		close(ch)
	}
	delete(c.waiters, key)
}

// Import validates ds against what is stored and merges it in one
// transaction: any bad record and nothing changes. name (the file or upload
// the dataset came from) is given to issues that name no file.
func (c *Coordinator) Import(name string, ds *fairmatch.Dataset) (*fairmatch.Dataset, error) {
	return c.ImportChecked(name, ds, nil)
}

// ImportChecked is Import with check run first, inside the same
// transaction, on what is stored at that moment: a caller's rule that must
// hold against the data being changed (who may change which record, an id
// still free). An error from check refuses the import and stores nothing.
func (c *Coordinator) ImportChecked(name string, ds *fairmatch.Dataset, check func(base *fairmatch.Dataset) error) (*fairmatch.Dataset, error) {
	var merged *fairmatch.Dataset
	err := c.DB.Update(func(tx *store.Tx) error {
		base, err := tx.Dataset()
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(base); err != nil {
				return err
			}
		}
		if issues := dataset.Validate(ds, base); len(issues) > 0 {
			for i := range issues {
				if issues[i].File == "" {
					issues[i].File = name
				}
			}
			return fairmatch.Invalid(fmt.Sprintf("import refused: %d bad record(s); nothing was stored", len(issues)), issues)
		}
		merged = dataset.Merge(base, ds)
		return tx.PutDataset(merged)
	})
	return merged, err
}

// Published reads what a fair's participants are shown: the published
// agenda, the meetings cancelled since, and the dataset for names.
func Published(db *store.DB, fair string) (a *fairmatch.Agenda, cancelled []fairmatch.Meeting, ds *fairmatch.Dataset, err error) {
	err = db.View(func(tx *store.Tx) error {
		a, cancelled, ds, err = readPublished(tx, fair)
		return err
	})
	return a, cancelled, ds, err
}

func readPublished(tx *store.Tx, fair string) (*fairmatch.Agenda, []fairmatch.Meeting, *fairmatch.Dataset, error) {
	a, err := tx.Agenda(fair)
	if err != nil {
		return nil, nil, nil, err
	}
	cancelled, err := tx.Cancelled(fair)
	if err != nil {
		return nil, nil, nil, err
	}
	ds, err := tx.Dataset()
	if err != nil {
		return nil, nil, nil, err
	}
	return a, cancelled, ds, nil
}

// WriteExport writes a fair's agenda.json and every attendee's calendar and
// page under dir/people, returning the number of people written.
func WriteExport(dir string, a *fairmatch.Agenda, cancelled []fairmatch.Meeting, ds *fairmatch.Dataset, now time.Time) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return 0, err
	}
	if err := atomicfile.Write(filepath.Join(dir, "agenda.json"), append(b, '\n'), 0o644); err != nil {
		return 0, err
	}
	return notify.WritePeople(dir, a, cancelled, notify.NewDirectory(ds), now)
}
