package bus

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names of the JetStream assets the bus uses, for operators' tools.
const (
	JobsStream          = "FAIRMATCH_JOBS"
	ResultsStream       = "FAIRMATCH_RESULTS"
	WorkersConsumer     = "workers"
	CoordinatorConsumer = "coordinator"
	PayloadBucket       = "fairmatch-payloads"

	jobsSubjectPrefix     = "fairmatch.jobs."
	resultsSubjectPrefix  = "fairmatch.results."
	progressSubjectPrefix = "fairmatch.progress."
)

// DuplicateWindow is how long the streams remember message IDs: a job (or a
// result) published again within it under the same Job.ID is dropped.
const DuplicateWindow = time.Hour

// Defaults of [Options].
const (
	DefaultAckWait     = 30 * time.Second
	DefaultMaxDeliver  = 5
	DefaultInlineLimit = 512 << 10
)

// coordinatorAckWait is how long the coordinator may take to apply a result.
const coordinatorAckWait = time.Minute

// Options configures [Open]. The zero value is usable.
type Options struct {
	// AckWait is how long a job may go without a sign of life from its worker
	// before it is redelivered to another worker (default 30s, at least 100ms).
	AckWait time.Duration
	// MaxDeliver is how many times a job is delivered before it is given up
	// (default 5; -1 means without limit).
	MaxDeliver int
	// InlineLimit is the payload size in bytes above which payloads go
	// through the object store (default 512 KiB). Payloads that would not fit
	// the server's maximum message size go there regardless.
	InlineLimit int
	// Logger receives the bus's own logs; nil discards them.
	Logger *slog.Logger
	// Join uses the streams, consumers and object store as they already are,
	// creating them with these options only when missing. Workers join, so
	// that a worker started with other options never changes the
	// coordinator's AckWait or MaxDeliver; the coordinator does not.
	Join bool
}

func (o Options) withDefaults() (Options, error) {
	var issues []fairmatch.Issue
	bad := func(field, reason string) {
		issues = append(issues, fairmatch.Issue{Record: "bus options", Field: field, Reason: reason})
	}
	switch {
	case o.AckWait == 0:
		o.AckWait = DefaultAckWait
	case o.AckWait < 100*time.Millisecond:
		bad("ack_wait", fmt.Sprintf("%s is below 100ms", o.AckWait))
	}
	switch {
	case o.MaxDeliver == 0:
		o.MaxDeliver = DefaultMaxDeliver
	case o.MaxDeliver < -1:
		bad("max_deliver", fmt.Sprintf("%d is neither positive nor -1", o.MaxDeliver))
	}
	switch {
	case o.InlineLimit == 0:
		o.InlineLimit = DefaultInlineLimit
	case o.InlineLimit < 0:
		bad("inline_limit", fmt.Sprintf("%d is negative", o.InlineLimit))
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if issues != nil {
		return o, fairmatch.Invalid("invalid bus options", issues)
	}
	return o, nil
}

// Bus publishes jobs, runs workers' fetch loops and delivers results over one
// NATS connection. It is safe for concurrent use; it does not own the
// connection.
type Bus struct {
	nc          *nats.Conn
	js          jetstream.JetStream
	jobs        jetstream.Stream
	workers     jetstream.Consumer
	coordinator jetstream.Consumer
	objects     jetstream.ObjectStore
	opt         Options
	ackWait     time.Duration // the workers consumer's AckWait as the server has it
	log         *slog.Logger
	stats       counters
}

// Open ensures the streams, consumers and object store exist, creating or
// updating them, and returns a Bus. It is idempotent and safe when several
// processes call it at once.
func Open(ctx context.Context, nc *nats.Conn, opt Options) (*Bus, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("open bus: %w", err)
	}
	b := &Bus{nc: nc, js: js, opt: opt, log: opt.Logger}

	streams := []jetstream.StreamConfig{{
		Name:        JobsStream,
		Description: "fairmatch jobs, one message per stage attempt",
		Subjects:    []string{jobsSubjectPrefix + "*"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Duplicates:  DuplicateWindow,
	}, {
		Name:        ResultsStream,
		Description: "fairmatch job results for the coordinator",
		Subjects:    []string{resultsSubjectPrefix + "*"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Duplicates:  DuplicateWindow,
	}}
	for _, cfg := range streams {
		s, err := retryExists(ctx, func() (jetstream.Stream, error) {
			if opt.Join {
				if s, err := js.Stream(ctx, cfg.Name); err == nil || !errors.Is(err, jetstream.ErrStreamNotFound) {
					return s, err
				}
			}
			return js.CreateOrUpdateStream(ctx, cfg)
		})
		if err != nil {
			return nil, fmt.Errorf("open bus: stream %s: %w", cfg.Name, err)
		}
		if cfg.Name == JobsStream {
			b.jobs = s
		}
	}

	consumers := []struct {
		stream string
		cfg    jetstream.ConsumerConfig
		dst    *jetstream.Consumer
	}{{JobsStream, jetstream.ConsumerConfig{
		Durable:     WorkersConsumer,
		Description: "fairmatch workers",
		AckPolicy:   jetstream.AckExplicitPolicy,
		AckWait:     opt.AckWait,
		MaxDeliver:  opt.MaxDeliver,
	}, &b.workers}, {ResultsStream, jetstream.ConsumerConfig{
		Durable:     CoordinatorConsumer,
		Description: "fairmatch coordinator",
		AckPolicy:   jetstream.AckExplicitPolicy,
		AckWait:     coordinatorAckWait,
		MaxDeliver:  -1,
	}, &b.coordinator}}
	for _, c := range consumers {
		cons, err := retryExists(ctx, func() (jetstream.Consumer, error) {
			if opt.Join {
				if cons, err := js.Consumer(ctx, c.stream, c.cfg.Durable); err == nil || !errors.Is(err, jetstream.ErrConsumerNotFound) {
					return cons, err
				}
			}
			return js.CreateOrUpdateConsumer(ctx, c.stream, c.cfg)
		})
		if err != nil {
			return nil, fmt.Errorf("open bus: consumer %s on %s: %w", c.cfg.Durable, c.stream, err)
		}
		*c.dst = cons
	}
	b.ackWait = b.workers.CachedInfo().Config.AckWait

	b.objects, err = retryExists(ctx, func() (jetstream.ObjectStore, error) {
		if opt.Join {
			if obs, err := js.ObjectStore(ctx, PayloadBucket); err == nil || !errors.Is(err, jetstream.ErrBucketNotFound) {
				return obs, err
			}
		}
		return js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
			Bucket:      PayloadBucket,
			Description: "fairmatch job and result payloads too large to travel inline",
			Storage:     jetstream.FileStorage,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("open bus: object store %s: %w", PayloadBucket, err)
	}
	return b, nil
}

// retryExists retries create when another process created the same asset
// between its update and create requests.
func retryExists[T any](ctx context.Context, create func() (T, error)) (T, error) {
	for attempt := 1; ; attempt++ {
		v, err := create()
		var apiErr *jetstream.APIError
		if err == nil || attempt == 3 || !errors.As(err, &apiErr) ||
			(apiErr.ErrorCode != jetstream.JSErrCodeStreamNameInUse && apiErr.ErrorCode != jetstream.JSErrCodeConsumerExists) {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(time.Duration(attempt) * 50 * time.Millisecond):
		}
	}
}

// AckWait returns the workers consumer's AckWait in effect.
func (b *Bus) AckWait() time.Duration { return b.ackWait }

// Publish queues job for a worker under the Nats-Msg-Id job.ID. A job whose ID
// was published within [DuplicateWindow] is dropped (and nil returned). A bad
// job gives a *fairmatch.Error with code EINVALID.
func (b *Bus) Publish(ctx context.Context, job Job) error {
	if err := validateJob(job); err != nil {
		return err
	}
	w := &wireJob{Job: job}
	data, err := b.encode(ctx, "job", job.ID, w)
	if err != nil {
		return fmt.Errorf("publish job %s: %w", job.ID, err)
	}
	ack, err := b.js.PublishMsg(ctx, &nats.Msg{Subject: jobsSubjectPrefix + job.Kind, Data: data},
		jetstream.WithMsgID(job.ID), jetstream.WithExpectStream(JobsStream))
	if err != nil {
		b.deleteObject(ctx, w.PayloadObject)
		return fmt.Errorf("publish job %s: %w", job.ID, err)
	}
	if ack.Duplicate {
		b.deleteObject(ctx, w.PayloadObject)
		b.stats.jobsDuplicate.Add(1)
		b.log.Debug("job dropped as a duplicate", "job", job.ID)
		return nil
	}
	b.stats.jobsPublished.Add(1)
	return nil
}

// publishResult sends r to the coordinator under the Nats-Msg-Id r.JobID, so
// a job run twice yields one result.
func (b *Bus) publishResult(ctx context.Context, r Result) error {
	w := &wireResult{Result: r}
	data, err := b.encode(ctx, "result", r.JobID, w)
	if err != nil {
		return fmt.Errorf("publish result of %s: %w", r.JobID, err)
	}
	ack, err := b.js.PublishMsg(ctx, &nats.Msg{Subject: resultsSubjectPrefix + r.Kind, Data: data},
		jetstream.WithMsgID(r.JobID), jetstream.WithExpectStream(ResultsStream))
	if err != nil {
		b.deleteObject(ctx, w.PayloadObject)
		return fmt.Errorf("publish result of %s: %w", r.JobID, err)
	}
	if ack.Duplicate {
		b.deleteObject(ctx, w.PayloadObject)
	}
	return nil
}

// encode marshals env, first moving its payload to the object store when it
// is above the inline limit or the message would not fit the server's
// maximum message size.
func (b *Bus) encode(ctx context.Context, what, id string, env envelope) ([]byte, error) {
	payload, object := env.payloadFields()
	if len(*payload) <= b.opt.InlineLimit {
		data, err := json.Marshal(env)
		if err != nil {
			return nil, err
		}
		if int64(len(data)) <= b.nc.MaxPayload() {
			return data, nil
		}
	}
	name := fmt.Sprintf("%s/%s/%s", what, id, rand.Text())
	if _, err := b.objects.PutBytes(ctx, name, *payload); err != nil {
		return nil, fmt.Errorf("store payload of %d bytes: %w", len(*payload), err)
	}
	b.stats.payloadsOffloaded.Add(1)
	*payload, *object = nil, name
	data, err := json.Marshal(env)
	if err != nil {
		b.deleteObject(ctx, name)
		return nil, err
	}
	return data, nil
}

// fetchObject reads a payload back from the object store.
func (b *Bus) fetchObject(ctx context.Context, name string) ([]byte, error) {
	data, err := b.objects.GetBytes(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("fetch payload %s: %w", name, err)
	}
	return data, nil
}

// deleteObject removes a payload object, logging failures: a leftover object
// wastes space but harms nothing.
func (b *Bus) deleteObject(ctx context.Context, name string) {
	if name == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := b.objects.Delete(ctx, name); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
		b.log.Warn("delete payload object", "object", name, "err", err)
	}
}

// Stats counts what went through this Bus (and its Workers) since Open. The
// counters only grow; register them as Prometheus counters with
// prometheus.NewCounterFunc.
type Stats struct {
	JobsPublished     uint64 // jobs accepted by the jobs stream
	JobsDuplicate     uint64 // publishes dropped as duplicates of a Job.ID
	JobsSucceeded     uint64 // jobs run by a handler without error and acknowledged
	JobsFailed        uint64 // jobs acknowledged with Result.Error (error, panic, unknown kind, missing payload)
	JobsAbandoned     uint64 // jobs handed back unfinished at a hard stop or after a transient failure
	JobsMalformed     uint64 // job or result messages that could not be decoded, dropped
	JobsExhausted     uint64 // jobs given up after MaxDeliver deliveries, reported by Results
	ResultsApplied    uint64 // results applied by Results and acknowledged
	ResultsRetried    uint64 // results whose apply failed, to be redelivered
	PayloadsOffloaded uint64 // payloads sent through the object store
}

type counters struct {
	jobsPublished, jobsDuplicate, jobsSucceeded, jobsFailed, jobsAbandoned,
	jobsMalformed, jobsExhausted, resultsApplied, resultsRetried, payloadsOffloaded atomic.Uint64
}

// Stats returns a snapshot of the counters.
func (b *Bus) Stats() Stats {
	c := &b.stats
	return Stats{
		JobsPublished:     c.jobsPublished.Load(),
		JobsDuplicate:     c.jobsDuplicate.Load(),
		JobsSucceeded:     c.jobsSucceeded.Load(),
		JobsFailed:        c.jobsFailed.Load(),
		JobsAbandoned:     c.jobsAbandoned.Load(),
		JobsMalformed:     c.jobsMalformed.Load(),
		JobsExhausted:     c.jobsExhausted.Load(),
		ResultsApplied:    c.resultsApplied.Load(),
		ResultsRetried:    c.resultsRetried.Load(),
		PayloadsOffloaded: c.payloadsOffloaded.Load(),
	}
}
