package bus

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"
)

// progressBuffer is how many progress events may wait for a slow subscriber
// before NATS drops further ones.
const progressBuffer = 256

// publishProgress sends p on core NATS; progress is advisory and not
// persisted, so a failure is only logged.
func (b *Bus) publishProgress(p Progress) {
	data, err := json.Marshal(p)
	if err == nil {
		err = b.nc.Publish(progressSubjectPrefix+p.Key, data)
	}
	if err != nil {
		b.log.Debug("publish progress", "job", p.JobID, "err", err)
	}
}

// SubscribeProgress calls fn for every progress event of every job, in order,
// from one goroutine. Events are not persisted: only those sent while
// subscribed arrive, and a subscriber that falls far behind loses some. fn is
// not called after unsubscribe returns.
func (b *Bus) SubscribeProgress(fn func(Progress)) (unsubscribe func(), err error) {
	ch := make(chan *nats.Msg, progressBuffer)
	sub, err := b.nc.ChanSubscribe(progressSubjectPrefix+">", ch)
	if err != nil {
		return nil, fmt.Errorf("subscribe to progress: %w", err)
	}
	if err := b.nc.Flush(); err != nil { // the server knows of the interest on return
		_ = sub.Unsubscribe()
		return nil, fmt.Errorf("subscribe to progress: %w", err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			case m := <-ch:
				var p Progress
				if err := json.Unmarshal(m.Data, &p); err != nil {
					b.log.Debug("malformed progress event", "subject", m.Subject, "err", err)
					continue
				}
				fn(p)
			}
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			if err := sub.Unsubscribe(); err != nil {
				b.log.Debug("unsubscribe from progress", "err", err)
			}
			close(done)
			wg.Wait()
		})
	}, nil
}
