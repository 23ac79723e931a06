package coordinator_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/bus"
	"github.com/fairmatch/fairmatch/coordinator"
	"github.com/fairmatch/fairmatch/mail"
	"github.com/fairmatch/fairmatch/store"
)

// runStage claims a stage (from want) and applies an empty result, as the
// scheduler and a worker would for publish and reminder stages.
func runStage(t *testing.T, c *coordinator.Coordinator, key, want string) {
	t.Helper()
	st, ok, err := c.DB.Claim(context.Background(), key, want, c.Now())
	if err != nil || !ok {
		t.Fatalf("claim %s: %v %v", key, ok, err)
	}
	r := bus.Result{JobID: coordinator.JobID(st), Key: key, Kind: st.Kind, Payload: json.RawMessage(`{}`), Worker: "w"}
	if err := c.Apply(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if got := stage(t, c, key); got.State != fairmatch.StateDone {
		t.Fatalf("%s: %+v", key, got)
	}
}

func outbox(t *testing.T, c *coordinator.Coordinator) map[string]store.OutboxMessage {
	t.Helper()
	out := map[string]store.OutboxMessage{}
	err := c.DB.View(func(tx *store.Tx) error {
		ms, err := tx.Outbox(store.OutboxFilter{})
		for _, m := range ms {
			out[m.ID] = m
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPublishAndReminderMail(t *testing.T) {
	c, ds := setup(t)
	var f fairmatch.Fair
	if err := c.DB.View(func(tx *store.Tx) (err error) { f, err = tx.Fair("2027-03"); return err }); err != nil {
		t.Fatal(err)
	}
	c.Now = func() time.Time { return f.Start.Add(-5 * 24 * time.Hour) }
	links := 0
	c.Mail = &coordinator.Mailer{Outbox: &mail.Outbox{DB: c.DB, Now: c.Now},
		Link: func(p string) (string, error) { links++; return "https://fairs.example.cn/l/tok-" + p, nil }}

	// Two meetings between people of the example zone (who have addresses).
	person := func(org string) string {
		for _, p := range ds.People {
			if p.Org == org && p.Email != "" {
				return p.ID
			}
		}
		t.Fatalf("no person with an address at %s", org)
		return ""
	}
	e1, e2, u1 := ds.Enterprises[0].ID, ds.Enterprises[1].ID, ds.Universities[0].ID
	pe1, pe2, pu1 := person(e1), person(e2), person(u1)
	slot := func(k int) (time.Time, time.Time) {
		s := f.Start.Add(time.Duration(k) * 25 * time.Minute)
		return s, s.Add(20 * time.Minute)
	}
	s1, e1end := slot(0)
	s2, e2end := slot(1)
	a := fairmatch.Agenda{Fair: "2027-03", Timezone: f.Timezone, Meetings: []fairmatch.Meeting{
		{ID: "m1", Enterprise: e1, University: u1, Start: s1, End: e1end, Table: "T01", Attendees: []string{pe1, pu1}},
		{ID: "m2", Enterprise: e2, University: u1, Start: s2, End: e2end, Table: "T01", Attendees: []string{pe2, pu1}},
	}, Unscheduled: []fairmatch.Unscheduled{}}
	putDraft := func(a fairmatch.Agenda) {
		b, _ := json.Marshal(a)
		if err := c.DB.Update(func(tx *store.Tx) error { return tx.SetMeta("draft/2027-03", string(b)) }); err != nil {
			t.Fatal(err)
		}
	}

	putDraft(a)
	runStage(t, c, "2027-03/publish", fairmatch.StatePending)
	got := outbox(t, c)
	if len(got) != 3 || links != 3 {
		t.Fatalf("first publication queued %d messages with %d links, want 3 (one per attendee)", len(got), links)
	}
	for id, m := range got {
		if !strings.HasPrefix(id, "published/2027-03/") || m.State != store.OutboxQueued || len(m.Attachments) != 1 ||
			!strings.Contains(m.Text, "https://fairs.example.cn/l/tok-"+m.Person) {
			t.Errorf("message %s: state %s, %d attachments, link in text %v", id, m.State, len(m.Attachments),
				strings.Contains(m.Text, "tok-"+m.Person))
		}
	}

	// Publishing the same agenda again mails nobody.
	runStage(t, c, "2027-03/publish", fairmatch.StateDone)
	if n := len(outbox(t, c)); n != 3 || links != 3 {
		t.Fatalf("republishing an unchanged agenda: %d messages, %d links", n, links)
	}

	// Moving m2 tells its two attendees, not pe1.
	a.Meetings[1].Start, a.Meetings[1].End = slot(3)
	putDraft(a)
	runStage(t, c, "2027-03/publish", fairmatch.StateDone)
	changed := map[string]bool{}
	for id, m := range outbox(t, c) {
		if strings.HasPrefix(id, "changed/") {
			changed[m.Person] = true
		}
	}
	if len(changed) != 2 || !changed[pe2] || !changed[pu1] {
		t.Errorf("after moving m2, changed mail to %v; want %s and %s", changed, pe2, pu1)
	}

	// The first reminder stage reminds all three.
	runStage(t, c, "2027-03/reminder-1", fairmatch.StatePending)
	reminded := 0
	for id := range outbox(t, c) {
		if strings.HasPrefix(id, "reminder/2027-03/") {
			reminded++
		}
	}
	if reminded != 3 {
		t.Errorf("reminder queued %d, want 3", reminded)
	}
	// Nothing is left marked pending.
	_ = c.DB.View(func(tx *store.Tx) error {
		if _, ok, _ := tx.Meta("mail-pending/2027-03"); ok {
			t.Error("mail still marked pending")
		}
		return nil
	})
}

func TestResumeMailAfterCrash(t *testing.T) {
	c, ds := setup(t)
	var f fairmatch.Fair
	if err := c.DB.View(func(tx *store.Tx) (err error) { f, err = tx.Fair("2027-03"); return err }); err != nil {
		t.Fatal(err)
	}
	c.Now = func() time.Time { return f.Start.Add(-72 * time.Hour) }
	var pe, pu string
	for _, p := range ds.People {
		if p.Email != "" && p.Org == ds.Enterprises[0].ID && pe == "" {
			pe = p.ID
		}
		if p.Email != "" && p.Org == ds.Universities[0].ID && pu == "" {
			pu = p.ID
		}
	}
	// The process published and died before queuing: the agenda is stored
	// and the fair is marked.
	err := c.DB.Update(func(tx *store.Tx) error {
		if err := tx.PutAgenda(&fairmatch.Agenda{Fair: "2027-03", Timezone: f.Timezone, Meetings: []fairmatch.Meeting{
			{ID: "m1", Enterprise: ds.Enterprises[0].ID, University: ds.Universities[0].ID, Start: f.Start,
				End: f.Start.Add(20 * time.Minute), Table: "T01", Attendees: []string{pe, pu}}}}); err != nil {
			return err
		}
		return tx.SetMeta("mail-pending/2027-03", mail.KindPublished)
	})
	if err != nil {
		t.Fatal(err)
	}
	c.Mail = &coordinator.Mailer{Outbox: &mail.Outbox{DB: c.DB, Now: c.Now},
		Link: func(p string) (string, error) { return "https://x.example/l/" + p, nil }}
	if err := c.ResumeMail(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := outbox(t, c); len(got) != 2 {
		t.Errorf("resumed mail: %d messages, want 2", len(got))
	}
	if err := c.ResumeMail(context.Background()); err != nil || len(outbox(t, c)) != 2 {
		t.Errorf("second resume queued more: %v", err)
	}
}

func TestFollowUpMailAsksThoseWhoHaveNotReported(t *testing.T) {
	c, ds := setup(t)
	var f fairmatch.Fair
	if err := c.DB.View(func(tx *store.Tx) (err error) { f, err = tx.Fair("2027-03"); return err }); err != nil {
		t.Fatal(err)
	}
	c.Now = func() time.Time { return f.End.Add(30 * 24 * time.Hour) }
	var pe, pu string
	for _, p := range ds.People {
		if p.Email != "" && p.Org == ds.Enterprises[0].ID && pe == "" {
			pe = p.ID
		}
		if p.Email != "" && p.Org == ds.Universities[0].ID && pu == "" {
			pu = p.ID
		}
	}
	err := c.DB.Update(func(tx *store.Tx) error {
		if err := tx.PutAgenda(&fairmatch.Agenda{Fair: "2027-03", Timezone: f.Timezone, Meetings: []fairmatch.Meeting{
			{ID: "m1", Enterprise: ds.Enterprises[0].ID, University: ds.Universities[0].ID, Start: f.Start,
				End: f.Start.Add(20 * time.Minute), Table: "T01", Attendees: []string{pe, pu}}}}); err != nil {
			return err
		}
		// The university's expert already reported.
		return tx.PutResponse(fairmatch.Response{Fair: "2027-03", Meeting: "m1", Person: pu, Kind: fairmatch.ResponseOutcome, Outcome: "contact"})
	})
	if err != nil {
		t.Fatal(err)
	}
	c.Mail = &coordinator.Mailer{Outbox: &mail.Outbox{DB: c.DB, Now: c.Now},
		Link: func(p string) (string, error) { return "https://fairs.example.cn/l/" + p, nil }}
	// Stages before follow-up-1 are done; run it.
	err = c.DB.Update(func(tx *store.Tx) error {
		st, err := tx.Stage("2027-03/follow-up-1")
		if err != nil {
			return err
		}
		st.State = fairmatch.StatePending
		return tx.PutStage(st)
	})
	if err != nil {
		t.Fatal(err)
	}
	runStage(t, c, "2027-03/follow-up-1", fairmatch.StatePending)
	got := outbox(t, c)
	if len(got) != 1 {
		t.Fatalf("follow-up queued %d messages, want 1 (only %s has not reported)", len(got), pe)
	}
	for id, m := range got {
		if m.Person != pe || !strings.HasPrefix(id, "follow-up/2027-03/") || !strings.Contains(m.Text, "https://fairs.example.cn/l/"+pe) {
			t.Errorf("follow-up %s to %s: %.200s", id, m.Person, m.Text)
		}
	}
}

func TestCallOpensMailsCommissionersAndLiaisons(t *testing.T) {
	c, ds := setup(t)
	c.Now = func() time.Time { return time.Date(2027, 1, 30, 9, 0, 0, 0, time.UTC) }
	c.Mail = &coordinator.Mailer{Outbox: &mail.Outbox{DB: c.DB, Now: c.Now}, Site: "https://fairs.example.cn",
		Link: func(p string) (string, error) {
			t.Errorf("the call needs no personal link (asked for %s)", p)
			return "", nil
		}}
	runStage(t, c, "2027-03/call-opens", fairmatch.StatePending)
	want := 0
	for _, p := range ds.People {
		if (p.Role == fairmatch.RoleCommissioner || p.Role == fairmatch.RoleLiaison) && p.Email != "" {
			want++
		}
	}
	got := outbox(t, c)
	if want == 0 || len(got) != want {
		t.Fatalf("call queued %d messages, want %d (every commissioner and liaison with an address)", len(got), want)
	}
	for id, m := range got {
		if !strings.HasPrefix(id, "call/2027-03/") || !strings.Contains(m.Text, "https://fairs.example.cn/") {
			t.Errorf("%s: %.120s", id, m.Text)
		}
	}
}
