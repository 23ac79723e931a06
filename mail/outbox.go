package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
)

// Defaults of an Outbox's zero fields.
const (
	DefaultMaxAttempts = 20
	DefaultPoll        = 10 * time.Second
)

// batchSize is how many due messages one round reads from the store.
const batchSize = 64

// minDelay is the shortest wait before a retry, whatever Backoff says, so
// that a failing message never keeps the loop busy.
const minDelay = time.Second

// Outbox delivers the messages queued in the store's outbox with a Sender
// and records the outcome of every attempt there, so that nothing is lost
// when the mail server is down or the process stops.
//
// Delivery is at least once: a message is recorded as sent only after the
// server accepted it, in a transaction of its own right after the send. If
// the process dies between the two, the message is still queued and is sent
// again on the next run, with the same Message-ID. A message is sent at most
// once more than it should be, and only then.
//
// Set the fields, then call Run (or Flush); do not change them afterwards,
// and do not copy an Outbox once used. Use one Outbox per store.
type Outbox struct {
	DB     *store.DB
	Sender Sender
	Now    func() time.Time // nil: time.Now
	Log    *slog.Logger     // nil: no logging
	// Backoff returns how long to wait after the attempt-th failed attempt
	// (1, 2, ...). Nil: ExponentialBackoff(30s, 1h, 0.2, seed from the clock),
	// that is 30s, 1m, 2m, ... up to 1h, each ±20 %. Waits under a second
	// count as a second.
	Backoff     func(attempt int) time.Duration
	MaxAttempts int           // give up after this many temporary failures; 0: DefaultMaxAttempts
	Poll        time.Duration // how often Run looks for due messages; 0: DefaultPoll

	once    sync.Once
	kick    chan struct{}
	backoff func(int) time.Duration
	round   sync.Mutex // one delivery round at a time (Run and Flush)
}

// init applies the defaults.
func (o *Outbox) init() {
	o.once.Do(func() {
		o.kick = make(chan struct{}, 1)
		o.backoff = o.Backoff
		if o.backoff == nil {
			o.backoff = ExponentialBackoff(30*time.Second, time.Hour, 0.2, uint64(time.Now().UnixNano()))
		}
	})
}

func (o *Outbox) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Outbox) log() *slog.Logger {
	if o.Log != nil {
		return o.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (o *Outbox) maxAttempts() int {
	if o.MaxAttempts > 0 {
		return o.MaxAttempts
	}
	return DefaultMaxAttempts
}

func (o *Outbox) poll() time.Duration {
	if o.Poll > 0 {
		return o.Poll
	}
	return DefaultPoll
}

// check reports a missing store or sender.
func (o *Outbox) check(sender bool) error {
	switch {
	case o.DB == nil:
		return errors.New("mail: outbox has no store")
	case sender && o.Sender == nil:
		return errors.New("mail: outbox has no sender")
	}
	return nil
}

// ExponentialBackoff returns a Backoff that waits base after the first failed
// attempt and twice as long after each further one, at most max, each wait
// moved by up to ±jitter (0.2 for ±20 %) at random from a source seeded with
// seed, so that messages that failed together are not retried together. It
// is safe for concurrent use.
func ExponentialBackoff(base, max time.Duration, jitter float64, seed uint64) func(attempt int) time.Duration {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return func(attempt int) time.Duration {
		d := base
		for i := 1; i < attempt && d < max; i++ {
			d *= 2
		}
		d = min(d, max)
		if jitter > 0 {
			mu.Lock()
			f := 1 + jitter*(2*rng.Float64()-1)
			mu.Unlock()
			d = time.Duration(float64(d) * f)
		}
		return d
	}
}

// Enqueue queues the messages in one transaction and returns how many were
// added; a message whose ID is already in the outbox is skipped (see
// store.Tx.Enqueue). A message without a Created time gets the current time,
// and one without a NextAttempt is due at once (at the current time). If any message is invalid,
// nothing is queued and the EINVALID error lists the issues of every bad
// message, its record named "messages[i]". Enqueue wakes Run when it added
// something.
func (o *Outbox) Enqueue(msgs ...store.OutboxMessage) (added int, err error) {
	if err := o.check(false); err != nil {
		return 0, err
	}
	o.init()
	now := o.now()
	err = o.DB.Update(func(tx *store.Tx) error {
		added = 0
		var issues []fairmatch.Issue
		for i, m := range msgs {
			if m.Created.IsZero() {
				m.Created = now
			}
			if m.NextAttempt.IsZero() {
				m.NextAttempt = now
			}
			ok, err := tx.Enqueue(m)
			if fairmatch.ErrorCode(err) == fairmatch.EINVALID {
				for _, is := range fairmatch.ErrorIssues(err) {
					is.Record = fmt.Sprintf("messages[%d] (%s)", i, is.Record)
					issues = append(issues, is)
				}
				continue
			}
			if err != nil {
				return err
			}
			if ok {
				added++
			}
		}
		if len(issues) > 0 {
			return fairmatch.Invalid("mail: messages cannot be queued", issues)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if added > 0 {
		o.Kick()
	}
	return added, nil
}

// Kick wakes Run to look for due messages now rather than at its next poll.
// It never blocks.
func (o *Outbox) Kick() {
	o.init()
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// Flush delivers every message that is due now, each at most once, and
// returns when all have been tried (or ctx is done). Failures are recorded
// on the messages, not returned: Flush returns an error only if the store
// fails or ctx ends.
func (o *Outbox) Flush(ctx context.Context) error {
	if err := o.check(true); err != nil {
		return err
	}
	o.init()
	o.round.Lock()
	defer o.round.Unlock()
	start := o.now()
	tried := make(map[string]bool)
	for {
		var due []store.OutboxMessage
		err := o.DB.View(func(tx *store.Tx) (err error) {
			due, err = tx.DueMessages(start, batchSize+len(tried))
			return err
		})
		if err != nil {
			return fmt.Errorf("mail: read due messages: %w", err)
		}
		n := 0
		for _, m := range due {
			if tried[m.ID] {
				continue
			}
			tried[m.ID] = true
			n++
			if err := o.deliver(ctx, m); err != nil {
				return err
			}
		}
		if n == 0 {
			return nil
		}
	}
}

// Run delivers due messages until ctx is done: it looks for them every Poll,
// when Kick is called and when the next queued message falls due, sends each
// outside any transaction and records the outcome. A temporary failure
// schedules the next attempt after Backoff; a permanent one, or the
// MaxAttempts-th temporary one, marks the message failed. A failing store is
// logged and tried again at the next poll. Run returns nil once ctx is done;
// a send that ctx interrupted leaves its message queued and due.
func (o *Outbox) Run(ctx context.Context) error {
	if err := o.check(true); err != nil {
		return err
	}
	o.init()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-o.kick:
		}
		wait, err := o.runRound(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			o.log().Error("mail outbox: delivery round failed", "err", err)
			wait = o.poll()
		}
		timer.Reset(wait)
	}
}

// runRound delivers what is due now and returns how long to wait for the
// next round.
func (o *Outbox) runRound(ctx context.Context) (time.Duration, error) {
	o.round.Lock()
	defer o.round.Unlock()
	for {
		var due []store.OutboxMessage
		err := o.DB.View(func(tx *store.Tx) (err error) {
			due, err = tx.DueMessages(o.now(), batchSize)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("mail: read due messages: %w", err)
		}
		for _, m := range due {
			if err := o.deliver(ctx, m); err != nil {
				return 0, err
			}
		}
		if len(due) < batchSize {
			break
		}
	}
	var next time.Time
	var ok bool
	err := o.DB.View(func(tx *store.Tx) (err error) {
		next, ok, err = tx.NextOutboxAttempt()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("mail: read next attempt: %w", err)
	}
	wait := o.poll()
	if ok {
		wait = min(wait, max(next.Sub(o.now()), 0))
	}
	return wait, nil
}

// deliver sends one message and records the outcome. It returns an error
// only when ctx ended or the outcome could not be recorded.
func (o *Outbox) deliver(ctx context.Context, m store.OutboxMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sendErr := o.Sender.Send(ctx, m)
	if sendErr != nil && ctx.Err() != nil {
		// Interrupted, not refused: leave the message due as it is.
		return ctx.Err()
	}
	now := o.now()
	log := o.log().With("id", m.ID, "to", m.To)
	err := o.DB.Update(func(tx *store.Tx) error {
		cur, err := tx.OutboxMessage(m.ID)
		if err != nil {
			return err
		}
		cur.Attempts++
		switch {
		case sendErr == nil:
			cur.State, cur.Sent, cur.LastError = store.OutboxSent, now, ""
		case IsPermanent(sendErr):
			cur.State, cur.LastError = store.OutboxFailed, sendErr.Error()
		case cur.Attempts >= o.maxAttempts():
			cur.State, cur.LastError = store.OutboxFailed, sendErr.Error()
		default:
			cur.LastError = sendErr.Error()
			cur.NextAttempt = now.Add(max(o.backoff(cur.Attempts), minDelay))
		}
		m = cur
		return tx.PutOutboxMessage(cur)
	})
	if err != nil {
		if sendErr == nil {
			log.Error("mail outbox: message sent but not recorded; it will be sent again", "err", err)
		}
		return fmt.Errorf("mail: record attempt %d of %q: %w", m.Attempts+1, m.ID, err)
	}
	switch {
	case sendErr == nil:
		log.Info("mail sent", "attempts", m.Attempts)
	case m.State == store.OutboxFailed:
		log.Error("mail failed, giving up", "attempts", m.Attempts, "permanent", IsPermanent(sendErr), "err", sendErr)
	default:
		log.Warn("mail not sent, will retry", "attempts", m.Attempts, "next", m.NextAttempt, "err", sendErr)
	}
	return nil
}
