package coordinator

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/mail"
	"github.com/fairmatch/fairmatch/notify"
	"github.com/fairmatch/fairmatch/store"
)

// Mailer tells participants about their schedules: when a fair's agenda is
// published, when a published agenda changes, and at each reminder stage.
// Messages go to the outbox, which delivers them (or keeps them queued while
// no mail server is configured or reachable).
type Mailer struct {
	Outbox *mail.Outbox
	// Link returns a personal sign-in link for a person, put in the mail. It
	// is called only for messages that are actually queued.
	Link func(person string) (string, error)
	// Site is the address staff sign in at ("https://fairs.example.cn"),
	// for the call that asks commissioners and liaisons to file; without it
	// no call is mailed.
	Site string
}

// mailPendingKey marks a fair whose participants are still to be mailed; it
// is set in the transaction that publishes (or reaches a reminder stage), so
// a crash before the mail is queued loses nothing: ResumeMail queues it.
func mailPendingKey(fair string) string { return "mail-pending/" + fair }

// markMail records in tx that the fair's participants are to get a mail of
// the given kind.
func (c *Coordinator) markMail(tx *store.Tx, fair, kind string) error {
	if c.Mail == nil {
		return nil
	}
	return tx.SetMeta(mailPendingKey(fair), kind)
}

// ResumeMail queues the mail of every fair still marked as pending, e.g.
// after a crash between publishing and queuing. Serve calls it at start.
func (c *Coordinator) ResumeMail(ctx context.Context) error {
	if c.Mail == nil {
		return nil
	}
	var fairs []fairmatch.Fair
	if err := c.DB.View(func(tx *store.Tx) (err error) { fairs, err = tx.Fairs(); return err }); err != nil {
		return err
	}
	for _, f := range fairs {
		if err := c.sendPending(ctx, f.ID); err != nil {
			return err
		}
	}
	return nil
}

// sendPending composes and queues the pending mail of a fair, then clears
// the mark. A person without an address or meetings is skipped and logged;
// a message already in the outbox (same schedule) is not queued again.
func (c *Coordinator) sendPending(ctx context.Context, fair string) error {
	if c.Mail == nil {
		return nil
	}
	var (
		kind      string
		pending   bool
		a         *fairmatch.Agenda
		cancelled []fairmatch.Meeting
		ds        *fairmatch.Dataset
		responses []fairmatch.Response
	)
	err := c.DB.View(func(tx *store.Tx) error {
		var err error
		kind, pending, err = tx.Meta(mailPendingKey(fair))
		if err != nil || !pending {
			return err
		}
		if kind == mail.KindCall { // needs no agenda
			ds, err = tx.Dataset()
			return err
		}
		if a, cancelled, ds, err = readPublished(tx, fair); err != nil {
			return err
		}
		if kind == mail.KindFollowUp {
			responses, err = tx.Responses(fair)
		}
		return err
	})
	if fairmatch.ErrorCode(err) == fairmatch.ENOTFOUND {
		c.log().Warn("no published agenda to mail about", "fair", fair, "kind", kind)
		return c.DB.Update(func(tx *store.Tx) error { return tx.DeleteMeta(mailPendingKey(fair)) })
	}
	if err != nil || !pending {
		return err
	}
	if kind == mail.KindCall {
		return c.sendCall(fair, ds)
	}
	dir := notify.NewDirectory(ds)
	now := c.now()
	var msgs []store.OutboxMessage
	skipped := 0
	reported := outcomesReported(responses)
	for _, person := range attendeesOf(a, cancelled) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if kind == mail.KindFollowUp && reportedAll(a, person, reported) {
			continue // nothing left to ask this person
		}
		// A first composition tells the message's id (which does not depend
		// on the link), so that no link is issued for a message already sent.
		m, err := mail.Compose(kind, a, cancelled, person, dir, idOnlyLink, now)
		if errors.Is(err, mail.ErrNoAddress) || errors.Is(err, mail.ErrNoMeetings) {
			skipped++
			continue
		}
		if err != nil {
			c.log().Warn("cannot compose mail", "fair", fair, "person", person, "kind", kind, "err", err)
			skipped++
			continue
		}
		if seen, err := c.alreadyMailed(m); err != nil {
			return err
		} else if seen {
			continue
		}
		link, err := c.Mail.Link(person)
		if err != nil {
			return fmt.Errorf("link for %s: %w", person, err)
		}
		if m, err = mail.Compose(kind, a, cancelled, person, dir, link, now); err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	added, err := c.Mail.Outbox.Enqueue(msgs...)
	if err != nil {
		return err
	}
	c.log().Info("participants mailed", "fair", fair, "kind", kind, "queued", added, "skipped", skipped)
	return c.DB.Update(func(tx *store.Tx) error {
		// Clear the mark only if no newer one was set meanwhile.
		if v, _, err := tx.Meta(mailPendingKey(fair)); err != nil || v != kind {
			return err
		}
		return tx.DeleteMeta(mailPendingKey(fair))
	})
}

// sendCall mails the fair's call to every commissioner and liaison with an
// address, then clears the mark. The call closes at the fair's call-closes
// stage.
func (c *Coordinator) sendCall(fair string, ds *fairmatch.Dataset) error {
	var f fairmatch.Fair
	if err := c.DB.View(func(tx *store.Tx) (err error) { f, err = tx.Fair(fair); return err }); err != nil {
		return err
	}
	closes := f.Start
	for _, st := range f.Stages {
		if st.Kind == fairmatch.StageCallCloses {
			closes = st.Due
		}
	}
	var msgs []store.OutboxMessage
	skipped := 0
	if c.Mail.Site != "" {
		for _, p := range ds.People {
			if p.Role != fairmatch.RoleCommissioner && p.Role != fairmatch.RoleLiaison {
				continue
			}
			m, err := mail.ComposeCall(f, closes, p, c.Mail.Site)
			if err != nil {
				skipped++
				c.log().Warn("cannot compose the call", "fair", fair, "person", p.ID, "err", err)
				continue
			}
			msgs = append(msgs, m)
		}
	} else {
		c.log().Warn("no site address: the call is not mailed", "fair", fair)
	}
	added, err := c.Mail.Outbox.Enqueue(msgs...)
	if err != nil {
		return err
	}
	c.log().Info("call mailed", "fair", fair, "queued", added, "skipped", skipped)
	return c.DB.Update(func(tx *store.Tx) error { return tx.DeleteMeta(mailPendingKey(fair)) })
}

// alreadyMailed reports whether the person already got this schedule: the
// same message, or for a "changed" mail the first publication of the same
// schedule (a re-plan that left this person's meetings alone changes
// nothing for them).
func (c *Coordinator) alreadyMailed(m store.OutboxMessage) (bool, error) {
	ids := []string{m.ID}
	if rest, ok := strings.CutPrefix(m.ID, mail.KindChanged+"/"); ok {
		ids = append(ids, mail.KindPublished+"/"+rest)
	}
	seen := false
	err := c.DB.View(func(tx *store.Tx) error {
		for _, id := range ids {
			if _, err := tx.OutboxMessage(id); err == nil {
				seen = true
			} else if fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
				return err
			}
		}
		return nil
	})
	return seen, err
}

// outcomesReported is the set of "meeting\x00person" pairs with an outcome.
func outcomesReported(rs []fairmatch.Response) map[string]bool {
	out := make(map[string]bool)
	for _, r := range rs {
		if r.Kind == fairmatch.ResponseOutcome {
			out[r.Meeting+"\x00"+r.Person] = true
		}
	}
	return out
}

// reportedAll reports whether the person gave the outcome of every meeting
// of theirs on the agenda.
func reportedAll(a *fairmatch.Agenda, person string, reported map[string]bool) bool {
	for _, m := range a.Meetings {
		if slices.Contains(m.Attendees, person) && !reported[m.ID+"\x00"+person] {
			return false
		}
	}
	return true
}

// idOnlyLink stands in for a person's link while composing a message only to
// learn its id (.invalid is reserved: it never resolves).
const idOnlyLink = "https://link.invalid/"

// attendeesOf lists everyone with a meeting on the agenda or a cancelled
// one, sorted.
func attendeesOf(a *fairmatch.Agenda, cancelled []fairmatch.Meeting) []string {
	var out []string
	for _, list := range [][]fairmatch.Meeting{a.Meetings, cancelled} {
		for _, m := range list {
			out = append(out, m.Attendees...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
