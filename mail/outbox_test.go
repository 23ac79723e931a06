package mail_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/mail"
	"github.com/fairmatch/fairmatch/store"
)

func mustEnqueue(t testing.TB, ob *mail.Outbox, msgs ...store.OutboxMessage) int {
	t.Helper()
	n, err := ob.Enqueue(msgs...)
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	return n
}

func mustFlush(t testing.TB, ob *mail.Outbox) {
	t.Helper()
	if err := ob.Flush(context.Background()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

func counts(t testing.TB, db *store.DB) map[string]int {
	t.Helper()
	var c map[string]int
	if err := db.View(func(tx *store.Tx) (err error) { c, err = tx.OutboxCounts(); return err }); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestOutageLosesNothing queues mail while the server is down: every attempt
// is recorded, nothing is marked sent, and once the server is back every
// message is delivered exactly once.
func TestOutageLosesNothing(t *testing.T) {
	const n = 30
	srv := startServer(t)
	srv.Stop()
	c := newClock()
	ob := newOutbox(t, srv.sender(t), c)
	var msgs []store.OutboxMessage
	for i := range n {
		msgs = append(msgs, message(i))
	}
	if added := mustEnqueue(t, ob, msgs...); added != n {
		t.Fatalf("Enqueue added %d, want %d", added, n)
	}

	mustFlush(t, ob)
	first := c.Now()
	for id, m := range states(t, ob.DB) {
		if m.State != store.OutboxQueued || m.Attempts != 1 || !m.NextAttempt.Equal(first.Add(time.Minute)) ||
			!strings.Contains(m.LastError, "refused") {
			t.Errorf("%s after a failed attempt: state %s, attempts %d, next %s, error %q",
				id, m.State, m.Attempts, m.NextAttempt, m.LastError)
		}
	}
	mustFlush(t, ob) // nothing is due yet
	c.Add(time.Minute)
	mustFlush(t, ob)
	for id, m := range states(t, ob.DB) {
		if m.Attempts != 2 || !m.NextAttempt.Equal(c.Now().Add(2*time.Minute)) {
			t.Errorf("%s after two failed attempts: attempts %d, next %s", id, m.Attempts, m.NextAttempt)
		}
	}
	if got := counts(t, ob.DB); got[store.OutboxQueued] != n || got[store.OutboxSent] != 0 {
		t.Fatalf("counts during the outage: %v", got)
	}

	srv.Start()
	c.Add(time.Minute) // not yet due: nothing is sent early
	mustFlush(t, ob)
	if got := len(srv.Received()); got != 0 {
		t.Fatalf("%d messages sent before they were due", got)
	}
	c.Add(time.Minute)
	mustFlush(t, ob)
	c.Add(time.Hour)
	mustFlush(t, ob) // a further flush sends nothing again

	ids := messageIDs(t, srv.Received())
	if len(ids) != n {
		t.Errorf("server received %d distinct messages, want %d", len(ids), n)
	}
	for _, m := range msgs {
		if k := ids["<"+mail.MessageID(m.ID, "zone.example.cn")+">"]; k != 1 {
			t.Errorf("%s received %d times", m.ID, k)
		}
	}
	for id, m := range states(t, ob.DB) {
		if m.State != store.OutboxSent || m.Attempts != 3 || m.LastError != "" || m.Sent.IsZero() {
			t.Errorf("%s: state %s, attempts %d, error %q, sent %s", id, m.State, m.Attempts, m.LastError, m.Sent)
		}
	}
	if got := counts(t, ob.DB); got[store.OutboxSent] != n || got[store.OutboxQueued] != 0 || got[store.OutboxFailed] != 0 {
		t.Errorf("counts after the outage: %v", got)
	}
}

// TestRunDeliversAfterOutage runs the delivery loop through an outage.
func TestRunDeliversAfterOutage(t *testing.T) {
	const n = 10
	srv := startServer(t)
	srv.Stop()
	c := newClock()
	ob := newOutbox(t, srv.sender(t), c)
	ob.Poll = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ob.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	for i := range n {
		mustEnqueue(t, ob, message(i))
	}
	waitFor(t, "an attempt on every message", func() bool {
		ms := states(t, ob.DB)
		for _, m := range ms {
			if m.Attempts == 0 {
				return false
			}
		}
		return len(ms) == n
	})
	if got := counts(t, ob.DB); got[store.OutboxSent] != 0 {
		t.Fatalf("sent during the outage: %v", got)
	}
	srv.Start()
	c.Add(time.Hour)
	ob.Kick()
	waitFor(t, "every message sent", func() bool { return counts(t, ob.DB)[store.OutboxSent] == n })
	ids := messageIDs(t, srv.Received())
	if len(ids) != n {
		t.Errorf("received %d distinct messages, want %d", len(ids), n)
	}
	for id, k := range ids {
		if k != 1 {
			t.Errorf("%s received %d times", id, k)
		}
	}
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPermanentFailureAndRetry fails a message at once on 550, keeps its
// error, and sends it after RetryMessage.
func TestPermanentFailureAndRetry(t *testing.T) {
	srv := startServer(t)
	c := newClock()
	ob := newOutbox(t, srv.sender(t), c)
	srv.RejectRcpt("p1@example.com", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"})
	mustEnqueue(t, ob, message(1), message(2))
	mustFlush(t, ob)
	st := states(t, ob.DB)
	bad, good := st["test/001"], st["test/002"]
	if bad.State != store.OutboxFailed || bad.Attempts != 1 || !strings.Contains(bad.LastError, "550") {
		t.Errorf("rejected message: state %s, attempts %d, error %q", bad.State, bad.Attempts, bad.LastError)
	}
	if good.State != store.OutboxSent {
		t.Errorf("other message: state %s", good.State)
	}
	c.Add(24 * time.Hour)
	mustFlush(t, ob)
	if m := states(t, ob.DB)["test/001"]; m.Attempts != 1 {
		t.Errorf("a failed message was tried again: %d attempts", m.Attempts)
	}

	srv.RejectRcpt("p1@example.com", nil)
	err := ob.DB.Update(func(tx *store.Tx) error { return tx.RetryMessage("test/001", c.Now()) })
	if err != nil {
		t.Fatal(err)
	}
	m := states(t, ob.DB)["test/001"]
	if m.State != store.OutboxQueued || m.Attempts != 0 || !strings.Contains(m.LastError, "550") {
		t.Errorf("after RetryMessage: state %s, attempts %d, error %q", m.State, m.Attempts, m.LastError)
	}
	mustFlush(t, ob)
	if m := states(t, ob.DB)["test/001"]; m.State != store.OutboxSent || m.LastError != "" {
		t.Errorf("after the retry: state %s, error %q", m.State, m.LastError)
	}
	if n := len(srv.Received()); n != 2 {
		t.Errorf("server received %d messages, want 2", n)
	}
}

// TestGiveUpAfterMaxAttempts fails a message after MaxAttempts temporary
// failures.
func TestGiveUpAfterMaxAttempts(t *testing.T) {
	srv := startServer(t)
	srv.Refuse(&smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "busy"})
	c := newClock()
	ob := newOutbox(t, srv.sender(t), c)
	ob.MaxAttempts = 3
	mustEnqueue(t, ob, message(1))
	for i := 1; i <= 4; i++ {
		mustFlush(t, ob)
		m := states(t, ob.DB)["test/001"]
		want, wantState := min(i, 3), store.OutboxQueued
		if i >= 3 {
			wantState = store.OutboxFailed
		}
		if m.Attempts != want || m.State != wantState || !strings.Contains(m.LastError, "421") {
			t.Errorf("after flush %d: attempts %d, state %s, error %q; want %d, %s", i, m.Attempts, m.State, m.LastError, want, wantState)
		}
		c.Add(time.Hour)
	}
}

// TestMessageIDStableAcrossRetry checks that a resend carries the same
// Message-ID as the failed attempt.
func TestMessageIDStableAcrossRetry(t *testing.T) {
	srv := startServer(t)
	srv.FailData(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again"})
	c := newClock()
	ob := newOutbox(t, srv.sender(t), c)
	mustEnqueue(t, ob, message(7))
	mustFlush(t, ob)
	if m := states(t, ob.DB)["test/007"]; m.State != store.OutboxQueued || m.Attempts != 1 || !strings.Contains(m.LastError, "451") {
		t.Fatalf("after 451: state %s, attempts %d, error %q", m.State, m.Attempts, m.LastError)
	}
	c.Add(time.Minute)
	mustFlush(t, ob)
	seen := srv.Seen()
	if len(seen) != 2 || len(srv.Received()) != 1 {
		t.Fatalf("server read %d messages and accepted %d, want 2 and 1", len(seen), len(srv.Received()))
	}
	a, b := parseMail(t, seen[0]).Header.Get("Message-Id"), parseMail(t, seen[1]).Header.Get("Message-Id")
	if a == "" || a != b {
		t.Errorf("Message-ID changed across the retry: %q, %q", a, b)
	}
}

// blockingSender blocks every send until its context ends.
type blockingSender struct{ started chan struct{} }

func (s blockingSender) Send(ctx context.Context, _ store.OutboxMessage) error {
	s.started <- struct{}{}
	<-ctx.Done()
	return ctx.Err()
}

// TestInterruptedSendStaysQueued stops a flush in the middle of a send: the
// message stays queued and due, with no attempt counted.
func TestInterruptedSendStaysQueued(t *testing.T) {
	c := newClock()
	snd := blockingSender{started: make(chan struct{}, 1)}
	ob := newOutbox(t, snd, c)
	mustEnqueue(t, ob, message(1), message(2))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-snd.started; cancel() }()
	if err := ob.Flush(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Flush = %v, want context.Canceled", err)
	}
	for id, m := range states(t, ob.DB) {
		if m.State != store.OutboxQueued || m.Attempts != 0 || m.NextAttempt.After(c.Now()) {
			t.Errorf("%s: state %s, attempts %d, next %s", id, m.State, m.Attempts, m.NextAttempt)
		}
	}
}

// recordingSender records what it is asked to send and fails as told.
type recordingSender struct {
	mu   sync.Mutex
	sent []string
	err  error
}

func (s *recordingSender) Send(_ context.Context, m store.OutboxMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, m.ID)
	return s.err
}

// TestDefaultBackoff checks the default retry delay: 30 s ± 20 % after the
// first failure, and twice as long after the second.
func TestDefaultBackoff(t *testing.T) {
	c := newClock()
	snd := &recordingSender{err: errors.New("451 try later")}
	ob := newOutbox(t, snd, c)
	ob.Backoff = nil
	mustEnqueue(t, ob, message(1))
	mustFlush(t, ob)
	m := states(t, ob.DB)["test/001"]
	if d := m.NextAttempt.Sub(c.Now()); d < 24*time.Second || d > 36*time.Second {
		t.Errorf("first retry after %s, want 30s ± 20%%", d)
	}
	c.Add(time.Minute)
	mustFlush(t, ob)
	m = states(t, ob.DB)["test/001"]
	if d := m.NextAttempt.Sub(c.Now()); d < 48*time.Second || d > 72*time.Second {
		t.Errorf("second retry after %s, want 1m ± 20%%", d)
	}
}

func TestExponentialBackoff(t *testing.T) {
	b := mail.ExponentialBackoff(30*time.Second, time.Hour, 0.2, 42)
	again := mail.ExponentialBackoff(30*time.Second, time.Hour, 0.2, 42)
	exact := mail.ExponentialBackoff(30*time.Second, time.Hour, 0, 42)
	distinct := map[time.Duration]bool{}
	for attempt := 1; attempt <= 40; attempt++ {
		want := min(30*time.Second<<min(attempt-1, 20), time.Hour)
		if got := exact(attempt); got != want {
			t.Errorf("attempt %d without jitter: %s, want %s", attempt, got, want)
		}
		got := b(attempt)
		if lo, hi := time.Duration(float64(want)*0.8), time.Duration(float64(want)*1.2); got < lo || got > hi {
			t.Errorf("attempt %d: %s, want within [%s, %s]", attempt, got, lo, hi)
		}
		if got != again(attempt) {
			t.Errorf("attempt %d: the same seed gave a different delay", attempt)
		}
		if want == time.Hour {
			distinct[got] = true
		}
	}
	if len(distinct) < 10 {
		t.Errorf("capped delays barely vary: %v", distinct)
	}
}

// TestEnqueue checks that Enqueue is idempotent and all or nothing.
func TestEnqueue(t *testing.T) {
	c := newClock()
	ob := newOutbox(t, &recordingSender{}, c)
	if n := mustEnqueue(t, ob, message(1), message(2)); n != 2 {
		t.Errorf("first Enqueue added %d, want 2", n)
	}
	before := states(t, ob.DB)["test/001"]
	c.Add(time.Hour)
	changed := message(1)
	changed.Subject = "changed"
	if n := mustEnqueue(t, ob, changed, message(3), message(3)); n != 1 {
		t.Errorf("second Enqueue added %d, want 1 (test/003 once)", n)
	}
	after := states(t, ob.DB)["test/001"]
	if after.Subject != before.Subject || !after.Created.Equal(before.Created) {
		t.Errorf("a queued message was overwritten: %+v", after)
	}
	if !before.Created.Equal(newClock().Now()) || !before.NextAttempt.Equal(before.Created) {
		t.Errorf("Created %s, NextAttempt %s: want both the enqueue time", before.Created, before.NextAttempt)
	}

	badTo, noID := message(5), message(6)
	badTo.To = "王工 <wang@example.com>"
	noID.ID = ""
	_, err := ob.Enqueue(message(4), badTo, noID)
	if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
		t.Fatalf("Enqueue with bad messages = %v, want EINVALID", err)
	}
	want := map[string]string{"messages[1]": "to", "messages[2]": "id"}
	for _, is := range fairmatch.ErrorIssues(err) {
		rec, _, _ := strings.Cut(is.Record, " ")
		if want[rec] == is.Field {
			delete(want, rec)
		}
	}
	if len(want) != 0 {
		t.Errorf("issues %v lack %v", fairmatch.ErrorIssues(err), want)
	}
	if st := states(t, ob.DB); len(st) != 3 {
		t.Errorf("outbox holds %d messages after a rejected batch, want 3", len(st))
	}

	var nilOutbox mail.Outbox
	if err := nilOutbox.Run(context.Background()); err == nil {
		t.Error("Run without a store succeeded")
	}
}
