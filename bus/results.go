package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// resultsBatch is how many results one pull request asks for.
const resultsBatch = 64

// maxApplyBackoff caps the delay before a result whose apply failed comes back.
const maxApplyBackoff = 30 * time.Second

// ackTimeout bounds a confirmed acknowledgement.
const ackTimeout = 5 * time.Second

// maxDeliveriesSubject is where the server announces jobs it gave up on.
const maxDeliveriesSubject = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + JobsStream + "." + WorkersConsumer

// Results consumes results until ctx ends, calling apply for each, one at a
// time. A result is acknowledged only after apply returns nil; after an error
// it comes back later (250ms, doubling up to 30s), so apply must be idempotent
// by JobID or Key: a result already applied may come again after a
// redelivery. Large payloads are fetched back from the object store, and the
// object deleted once the result is acknowledged.
//
// Results also reports jobs the server gave up on after MaxDeliver deliveries:
// their Result carries an Error and no Worker. Only the coordinator should
// call Results. It returns nil when ctx ends, or an error when the connection
// is closed.
func (b *Bus) Results(ctx context.Context, apply func(context.Context, Result) error) error {
	stopAdvisories, err := b.watchExhausted(ctx)
	if err != nil {
		return err
	}
	defer stopAdvisories()

	ctx, release := b.whileConnected(ctx)
	defer release()
	var failures uint64
	for ctx.Err() == nil {
		err := fetch(ctx, b.coordinator, resultsBatch, func(msg jetstream.Msg) {
			if ctx.Err() != nil {
				_ = msg.Nak() // not applied: let the next coordinator have it now
				return
			}
			b.applyResult(ctx, msg, apply)
		})
		switch {
		case err == nil || ctx.Err() != nil:
			failures = 0
		case fatal(err):
			return fmt.Errorf("consume results: %w", err)
		default:
			failures++
			b.log.Warn("fetch results", "err", err)
			pause(ctx, backoff(failures, 5*time.Second))
		}
	}
	if cause := context.Cause(ctx); errors.Is(cause, nats.ErrConnectionClosed) {
		return fmt.Errorf("consume results: %w", cause)
	}
	return nil
}

// applyResult decodes one result message, calls apply and settles the message.
func (b *Bus) applyResult(ctx context.Context, msg jetstream.Msg, apply func(context.Context, Result) error) {
	w, err := decodeResult(msg.Data())
	if err != nil {
		b.stats.jobsMalformed.Add(1)
		b.log.Error("dropping result", "subject", msg.Subject(), "err", err)
		_ = msg.Term()
		return
	}
	res := w.Result
	if w.PayloadObject != "" {
		data, err := b.fetchObject(ctx, w.PayloadObject)
		switch {
		case errors.Is(err, jetstream.ErrObjectNotFound):
			res.Payload = nil
			res.Error = joinErrors(res.Error, fmt.Sprintf("result payload %s is missing from the object store", w.PayloadObject))
		case err != nil:
			b.log.Warn("result payload not readable yet", "job", res.JobID, "err", err)
			_ = msg.NakWithDelay(time.Second)
			return
		default:
			res.Payload = data
		}
	}
	if err := apply(ctx, res); err != nil {
		if ctx.Err() != nil {
			_ = msg.Nak()
			return
		}
		b.stats.resultsRetried.Add(1)
		var attempt uint64 = 1
		if meta, merr := msg.Metadata(); merr == nil {
			attempt = meta.NumDelivered
		}
		delay := backoff(attempt, maxApplyBackoff)
		b.log.Warn("apply result failed; will retry", "job", res.JobID, "key", res.Key,
			"attempt", attempt, "retry_in", delay, "err", err)
		_ = msg.NakWithDelay(delay)
		return
	}
	b.stats.resultsApplied.Add(1)
	if w.PayloadObject == "" {
		if err := msg.Ack(); err != nil {
			b.log.Warn("ack result", "job", res.JobID, "err", err)
		}
		return
	}
	// The object may go only once the server surely holds the ack: a
	// redelivered result would need it again.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	if err := msg.DoubleAck(actx); err != nil {
		b.log.Warn("ack result", "job", res.JobID, "err", err)
		return
	}
	b.deleteObject(ctx, w.PayloadObject)
}

func joinErrors(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// watchExhausted listens for the server's advisories on jobs that reached
// MaxDeliver and turns each into a failed Result. stop waits for the
// listener to finish.
func (b *Bus) watchExhausted(ctx context.Context) (stop func(), err error) {
	ch := make(chan *nats.Msg, 64)
	sub, err := b.nc.ChanSubscribe(maxDeliveriesSubject, ch)
	if err != nil {
		return nil, fmt.Errorf("consume results: watch exhausted jobs: %w", err)
	}
	if err := b.nc.Flush(); err != nil {
		_ = sub.Unsubscribe()
		return nil, fmt.Errorf("consume results: watch exhausted jobs: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case m := <-ch:
				if err := b.reportExhausted(ctx, m.Data); err != nil && ctx.Err() == nil {
					b.log.Error("report exhausted job", "err", err)
				}
			}
		}
	})
	return func() {
		_ = sub.Unsubscribe()
		cancel()
		wg.Wait()
	}, nil
}

// reportExhausted publishes a failed Result for the job an advisory names and
// removes the job from the queue.
func (b *Bus) reportExhausted(ctx context.Context, advisory []byte) error {
	var adv struct {
		StreamSeq  uint64 `json:"stream_seq"`
		Deliveries uint64 `json:"deliveries"`
	}
	if err := json.Unmarshal(advisory, &adv); err != nil || adv.StreamSeq == 0 {
		return fmt.Errorf("malformed max-deliveries advisory %q", advisory)
	}
	raw, err := b.jobs.GetMsg(ctx, adv.StreamSeq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil // acknowledged late, or reported by another coordinator
	}
	if err != nil {
		return fmt.Errorf("read job #%d: %w", adv.StreamSeq, err)
	}
	w, err := decodeJob(raw.Data)
	if err != nil {
		b.stats.jobsMalformed.Add(1)
		b.log.Error("dropping exhausted job", "seq", adv.StreamSeq, "err", err)
	} else {
		err := b.publishResult(ctx, Result{
			JobID: w.ID, Key: w.Key, Kind: w.Kind,
			Error: fmt.Sprintf("job %s given up after %d deliveries without completion", w.ID, adv.Deliveries),
		})
		if err != nil {
			return err
		}
		b.stats.jobsExhausted.Add(1)
		b.log.Warn("job given up", "job", w.ID, "key", w.Key, "deliveries", adv.Deliveries)
	}
	if err := b.jobs.DeleteMsg(ctx, adv.StreamSeq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
		return fmt.Errorf("remove exhausted job #%d: %w", adv.StreamSeq, err)
	}
	b.deleteObject(ctx, w.PayloadObject)
	return nil
}
