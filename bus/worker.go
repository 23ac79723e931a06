package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Handler runs one kind of job. It reports progress through progress (done of
// total units, with a message for people); each report also tells the server
// the job is alive. It should return promptly once ctx ends.
type Handler func(ctx context.Context, job Job, progress func(msg string, done, total int)) (json.RawMessage, error)

// Worker fetches jobs from a Bus and runs them with its Handlers. Set the
// fields before Run and leave them alone while it runs.
type Worker struct {
	Bus *Bus
	// Name identifies the worker in results, progress and logs (default
	// "<hostname>-<pid>").
	Name string
	// Handlers run jobs by Job.Kind; a job of a kind without handler gets a
	// Result with Error.
	Handlers map[string]Handler
	// Logger receives the worker's logs (default: the Bus's logger).
	Logger *slog.Logger
	// Concurrency is how many jobs the worker runs at once (default 1).
	Concurrency int
	// StopTimeout bounds how long running jobs may go on once Run's context
	// ends. When it expires their handlers' contexts are cancelled and the
	// jobs handed back unfinished, to be redelivered. Zero lets running jobs
	// finish however long they take.
	StopTimeout time.Duration
}

// resultTimeout bounds publishing a finished job's result; it applies even
// after a hard stop, since the work is done.
const resultTimeout = time.Minute

// Run fetches and runs jobs until ctx ends. While a handler runs, the worker
// tells the server the job is in progress every AckWait/3 and on progress
// reports (at most every AckWait/10); when the handler returns, it publishes
// the Result and only then acknowledges the job, so a crash at any point
// leads to a redelivery, never to a lost job. A handler's error or panic
// becomes a Result with Error; a panic is logged with its stack.
//
// Once ctx ends, Run stops fetching and waits for running jobs (see
// StopTimeout). It returns nil on such a clean shutdown and an error when the
// connection is closed under it; running handlers' contexts are then
// cancelled at once.
func (w *Worker) Run(ctx context.Context) error {
	if w.Bus == nil {
		return errors.New("bus: Worker.Bus is nil")
	}
	r := &workerRun{b: w.Bus, name: w.Name, handlers: w.Handlers, ackWait: w.Bus.ackWait}
	if r.name == "" {
		host, err := os.Hostname()
		if err != nil {
			host = "worker"
		}
		r.name = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	r.log = w.Logger
	if r.log == nil {
		r.log = w.Bus.log
	}
	r.log = r.log.With("worker", r.name)
	slots := max(w.Concurrency, 1)

	// Running jobs outlive ctx until the stop timeout (if any) expires.
	jobCtx, hardStop := context.WithCancel(context.WithoutCancel(ctx))
	defer hardStop()
	if w.StopTimeout > 0 {
		var mu sync.Mutex
		var timer *time.Timer
		unwatch := context.AfterFunc(ctx, func() {
			mu.Lock()
			timer = time.AfterFunc(w.StopTimeout, hardStop)
			mu.Unlock()
		})
		defer func() {
			unwatch()
			mu.Lock()
			if timer != nil {
				timer.Stop()
			}
			mu.Unlock()
		}()
	}

	// A closed connection stops everything: nothing could be reported.
	connCtx, release := r.b.whileConnected(ctx)
	defer release()
	unwatchConn := context.AfterFunc(connCtx, func() {
		if errors.Is(context.Cause(connCtx), nats.ErrConnectionClosed) {
			hardStop()
		}
	})
	defer unwatchConn()

	fetchCtx, stopFetching := context.WithCancel(connCtx)
	defer stopFetching()
	var (
		wg      sync.WaitGroup
		errOnce sync.Once
		runErr  error
	)
	r.log.Info("worker started", "concurrency", slots, "ack_wait", r.ackWait)
	for range slots {
		wg.Go(func() {
			if err := r.loop(fetchCtx, jobCtx); err != nil {
				errOnce.Do(func() { runErr = err })
				stopFetching()
				hardStop() // nothing they finish could be reported
			}
		})
	}
	wg.Wait()
	if runErr == nil && ctx.Err() == nil && errors.Is(context.Cause(connCtx), nats.ErrConnectionClosed) {
		runErr = fmt.Errorf("worker %s: %w", r.name, nats.ErrConnectionClosed)
	}
	if runErr != nil {
		r.log.Error("worker stopped", "err", runErr)
		return runErr
	}
	r.log.Info("worker stopped")
	return nil
}

// workerRun is the state of one Worker.Run.
type workerRun struct {
	b        *Bus
	name     string
	handlers map[string]Handler
	log      *slog.Logger
	ackWait  time.Duration
}

// loop is one slot: it fetches one job at a time until fetchCtx ends.
func (r *workerRun) loop(fetchCtx, jobCtx context.Context) error {
	var failures uint64
	for fetchCtx.Err() == nil {
		err := fetch(fetchCtx, r.b.workers, 1, func(msg jetstream.Msg) {
			if fetchCtx.Err() != nil {
				_ = msg.Nak() // arrived as we stopped: let another worker have it now
				return
			}
			r.process(jobCtx, msg)
		})
		switch {
		case err == nil || fetchCtx.Err() != nil:
			failures = 0
		case fatal(err):
			return fmt.Errorf("worker %s: fetch jobs: %w", r.name, err)
		default:
			failures++
			r.log.Warn("fetch jobs", "err", err)
			pause(fetchCtx, backoff(failures, 5*time.Second))
		}
	}
	return nil
}

// process runs one job message to its end: result published and job
// acknowledged, or job handed back.
func (r *workerRun) process(ctx context.Context, msg jetstream.Msg) {
	start := time.Now()
	w, err := decodeJob(msg.Data())
	if err != nil {
		r.b.stats.jobsMalformed.Add(1)
		r.log.Error("dropping job", "subject", msg.Subject(), "err", err)
		_ = msg.Term()
		return
	}
	job := w.Job
	var delivery uint64 = 1
	if meta, err := msg.Metadata(); err == nil {
		delivery = meta.NumDelivered
	}
	log := r.log.With("job", job.ID, "key", job.Key, "kind", job.Kind, "delivery", delivery)
	abandon := func(reason string, err error) {
		r.b.stats.jobsAbandoned.Add(1)
		log.Warn("job handed back: "+reason, "err", err)
		_ = msg.Nak()
	}

	alive := startKeepAlive(r.b, msg, r.ackWait, job, r.name)
	var (
		out  json.RawMessage
		herr error
	)
	if w.PayloadObject != "" {
		data, err := r.b.fetchObject(ctx, w.PayloadObject)
		switch {
		case errors.Is(err, jetstream.ErrObjectNotFound):
			herr = fmt.Errorf("job payload %s is missing from the object store", w.PayloadObject)
		case err != nil:
			alive.stop()
			abandon("payload not readable", err)
			return
		default:
			job.Payload = data
		}
	}
	if herr == nil {
		log.Debug("job started")
		out, herr = r.call(ctx, job, alive.progress, log)
	}
	alive.stop()
	if herr != nil && ctx.Err() != nil {
		abandon("stopped", herr)
		return
	}
	if herr == nil && len(out) > 0 && !json.Valid(out) {
		herr = fmt.Errorf("handler %q returned invalid JSON (%d bytes)", job.Kind, len(out))
	}

	res := Result{JobID: job.ID, Key: job.Key, Kind: job.Kind, Worker: r.name, Elapsed: time.Since(start)}
	if herr != nil {
		res.Error = herr.Error()
	} else {
		res.Payload = out
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), resultTimeout)
	defer cancel()
	if err := r.b.publishResult(pctx, res); err != nil {
		abandon("result not published", err)
		return
	}
	if herr != nil {
		r.b.stats.jobsFailed.Add(1)
		log.Warn("job failed", "elapsed", res.Elapsed, "err", herr)
	} else {
		r.b.stats.jobsSucceeded.Add(1)
		log.Info("job done", "elapsed", res.Elapsed)
	}
	if w.PayloadObject == "" {
		if err := msg.Ack(); err != nil {
			log.Warn("ack job", "err", err)
		}
		return
	}
	// The payload may go only once the server surely holds the ack.
	actx, cancelAck := context.WithTimeout(pctx, ackTimeout)
	defer cancelAck()
	if err := msg.DoubleAck(actx); err != nil {
		log.Warn("ack job", "err", err)
		return
	}
	r.b.deleteObject(pctx, w.PayloadObject)
}

// call runs the job's handler, turning a panic into an error.
func (r *workerRun) call(ctx context.Context, job Job, progress func(string, int, int), log *slog.Logger) (out json.RawMessage, err error) {
	h := r.handlers[job.Kind]
	if h == nil {
		return nil, fmt.Errorf("worker %s has no handler for job kind %q", r.name, job.Kind)
	}
	defer func() {
		if p := recover(); p != nil {
			log.Error("handler panicked", "panic", p, "stack", string(debug.Stack()))
			out, err = nil, fmt.Errorf("handler %q panicked: %v", job.Kind, p)
		}
	}()
	return h(ctx, job, progress)
}

// keepAlive tells the server a job is in progress: on a ticker every
// AckWait/3 and on progress reports at most every AckWait/10.
type keepAlive struct {
	b       *Bus
	msg     jetstream.Msg
	job     Job
	worker  string
	minGap  time.Duration
	mu      sync.Mutex
	last    time.Time
	stopped bool
	done    chan struct{}
	wg      sync.WaitGroup
}

func startKeepAlive(b *Bus, msg jetstream.Msg, ackWait time.Duration, job Job, worker string) *keepAlive {
	k := &keepAlive{b: b, msg: msg, job: job, worker: worker, minGap: ackWait / 10,
		last: time.Now(), done: make(chan struct{})}
	k.wg.Go(func() {
		t := time.NewTicker(ackWait / 3)
		defer t.Stop()
		for {
			select {
			case <-k.done:
				return
			case <-t.C:
				k.touch(true)
			}
		}
	})
	return k
}

// touch sends InProgress, unless one went out less than minGap ago and
// force is false.
func (k *keepAlive) touch(force bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stopped || (!force && time.Since(k.last) < k.minGap) {
		return
	}
	if err := k.msg.InProgress(); err != nil {
		k.b.log.Debug("in-progress ack", "job", k.job.ID, "err", err)
	}
	k.last = time.Now()
}

// progress is the callback handed to the handler.
func (k *keepAlive) progress(message string, done, total int) {
	k.mu.Lock()
	stopped := k.stopped
	k.mu.Unlock()
	if stopped {
		return
	}
	k.b.publishProgress(Progress{JobID: k.job.ID, Key: k.job.Key, Worker: k.worker,
		Message: message, Done: done, Total: total, At: time.Now()})
	k.touch(false)
}

// stop ends the keep-alive; later progress reports are ignored.
func (k *keepAlive) stop() {
	k.mu.Lock()
	if k.stopped {
		k.mu.Unlock()
		return
	}
	k.stopped = true
	k.mu.Unlock()
	close(k.done)
	k.wg.Wait()
}
