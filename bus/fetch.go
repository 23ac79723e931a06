package bus

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// fetchWait is how long one pull request waits on the server for messages.
const fetchWait = 30 * time.Second

// fetch pulls up to n messages from cons and calls each for every one as it
// arrives. It returns when n messages arrived, the pull request expired or
// ctx ended; an expired request or an ended ctx is not an error.
func fetch(ctx context.Context, cons jetstream.Consumer, n int, each func(jetstream.Msg)) error {
	fctx, cancel := context.WithTimeout(ctx, fetchWait)
	defer cancel()
	batch, err := cons.Fetch(n, jetstream.FetchContext(fctx))
	if err != nil {
		return err
	}
	for msg := range batch.Messages() {
		each(msg)
	}
	err = batch.Error()
	if fctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return nil
	}
	return err
}

// whileConnected returns a context that also ends, with cause
// nats.ErrConnectionClosed, when the connection closes. release frees it.
func (b *Bus) whileConnected(ctx context.Context) (_ context.Context, release func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	closed := b.nc.StatusChanged(nats.CLOSED)
	var wg sync.WaitGroup
	wg.Go(func() {
		select {
		case <-closed:
			cancel(nats.ErrConnectionClosed)
		case <-ctx.Done():
		}
	})
	if b.nc.IsClosed() {
		cancel(nats.ErrConnectionClosed)
	}
	return ctx, func() {
		cancel(context.Canceled)
		b.nc.RemoveStatusListener(closed)
		wg.Wait()
	}
}

// fatal reports whether err means the connection is gone for good.
func fatal(err error) bool {
	return errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, jetstream.ErrConsumerDeleted) ||
		errors.Is(err, jetstream.ErrConsumerNotFound)
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// backoff returns the delay before retry number n (n ≥ 1): 250ms doubling up
// to limit.
func backoff(n uint64, limit time.Duration) time.Duration {
	d := 250 * time.Millisecond
	for i := uint64(1); i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}
