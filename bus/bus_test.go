package bus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/nats-io/nats.go/jetstream"
)

// echo is a handler returning {"id": job ID, "size": payload bytes, "payload": payload}.
func echo(_ context.Context, job Job, _ func(string, int, int)) (json.RawMessage, error) {
	return json.Marshal(struct {
		ID      string          `json:"id"`
		Size    int             `json:"size"`
		Payload json.RawMessage `json:"payload"`
	}{job.ID, len(job.Payload), job.Payload})
}

// bigPayload returns a JSON string of about n bytes.
func bigPayload(n int) json.RawMessage {
	return json.RawMessage(`"` + strings.Repeat("ab", n/2) + `"`)
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name        string
		inlineLimit int
		payload     json.RawMessage
		offloaded   uint64 // payloads through the object store: job and result
	}{
		{"inline", 0, json.RawMessage(`{"fair":"2027-03","problems":[1,2,3]}`), 0},
		{"no payload", 0, nil, 0},
		{"above inline limit", 1 << 10, bigPayload(200 << 10), 2},
		{"above server max payload", 0, bigPayload(3 << 20), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustStart(t)
			coord := mustOpen(t, e, Options{InlineLimit: tt.inlineLimit})
			worker := mustOpen(t, e, Options{InlineLimit: tt.inlineLimit})
			results := collect(t, coord)
			startWorker(t, &Worker{Bus: worker, Name: "w1", Handlers: map[string]Handler{"match": echo}})

			job := Job{ID: "2027-03/match#1", Key: "2027-03/match", Kind: "match", Payload: tt.payload}
			if err := coord.Publish(context.Background(), job); err != nil {
				t.Fatalf("Publish: %v", err)
			}
			r := next(t, results, 20*time.Second)
			if r.Error != "" || r.JobID != job.ID || r.Key != job.Key || r.Kind != job.Kind || r.Worker != "w1" {
				t.Fatalf("result = %+v", r)
			}
			if r.Elapsed <= 0 {
				t.Errorf("Elapsed = %v, want > 0", r.Elapsed)
			}
			var got struct {
				ID      string          `json:"id"`
				Size    int             `json:"size"`
				Payload json.RawMessage `json:"payload"`
			}
			if err := json.Unmarshal(r.Payload, &got); err != nil {
				t.Fatalf("result payload: %v", err)
			}
			if got.ID != job.ID || got.Size != len(tt.payload) {
				t.Errorf("handler saw id %q, %d payload bytes; want %q, %d", got.ID, got.Size, job.ID, len(tt.payload))
			}
			if len(tt.payload) > 0 && !bytes.Equal(got.Payload, tt.payload) {
				t.Errorf("payload came back changed (%d bytes, want %d)", len(got.Payload), len(tt.payload))
			}
			if n := coord.Stats().PayloadsOffloaded + worker.Stats().PayloadsOffloaded; n != tt.offloaded {
				t.Errorf("payloads offloaded = %d, want %d", n, tt.offloaded)
			}
			waitFor(t, 5*time.Second, "queues and object store to empty", func() bool {
				return streamMsgs(t, coord, JobsStream) == 0 && streamMsgs(t, coord, ResultsStream) == 0 &&
					objectCount(t, coord) == 0
			})
			if s := coord.Stats(); s.JobsPublished != 1 || s.ResultsApplied != 1 {
				t.Errorf("coordinator stats = %+v", s)
			}
			if s := worker.Stats(); s.JobsSucceeded != 1 || s.JobsFailed != 0 {
				t.Errorf("worker stats = %+v", s)
			}
		})
	}
}

func TestDuplicatePublishDeliveredOnce(t *testing.T) {
	e := mustStart(t)
	b := mustOpen(t, e, Options{})
	ctx := context.Background()
	job := Job{ID: "2027-03/match#1", Key: "2027-03/match", Kind: "match", Payload: json.RawMessage(`1`)}
	for i := range 3 {
		if i == 2 {
			job.Payload = json.RawMessage(`2`) // same attempt, even with other content
		}
		if err := b.Publish(ctx, job); err != nil {
			t.Fatalf("Publish #%d: %v", i+1, err)
		}
	}
	// A later job: once its result is in, any duplicate would have come first
	// (one worker, one job at a time, the queue in order).
	sentinel := Job{ID: "2027-03/agenda#1", Key: "2027-03/agenda", Kind: "agenda"}
	if err := b.Publish(ctx, sentinel); err != nil {
		t.Fatalf("Publish sentinel: %v", err)
	}

	var mu sync.Mutex
	runs := map[string]int{}
	count := func(_ context.Context, job Job, _ func(string, int, int)) (json.RawMessage, error) {
		mu.Lock()
		defer mu.Unlock()
		runs[job.ID]++
		return job.Payload, nil
	}
	results := collect(t, b)
	startWorker(t, &Worker{Bus: b, Handlers: map[string]Handler{"match": count, "agenda": count}})

	first := next(t, results, 10*time.Second)
	if first.JobID != job.ID || string(first.Payload) != "1" {
		t.Fatalf("first result = %+v, want job %s with payload 1", first, job.ID)
	}
	if r := next(t, results, 10*time.Second); r.JobID != sentinel.ID {
		t.Fatalf("second result = %+v, want the sentinel", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if runs[job.ID] != 1 {
		t.Errorf("job ran %d times, want 1", runs[job.ID])
	}
	if s := b.Stats(); s.JobsPublished != 2 || s.JobsDuplicate != 2 {
		t.Errorf("stats = %+v, want 2 published and 2 duplicates", s)
	}
}

func TestPublishRejectsBadJobs(t *testing.T) {
	e := mustStart(t)
	b := mustOpen(t, e, Options{})
	tests := []struct {
		name  string
		job   Job
		field string
	}{
		{"no id", Job{Key: "k", Kind: "match"}, "id"},
		{"id with newline", Job{ID: "a\nb", Key: "k", Kind: "match"}, "id"},
		{"no key", Job{ID: "x#1", Kind: "match"}, "key"},
		{"key with dot", Job{ID: "x#1", Key: "2027.03/match", Kind: "match"}, "key"},
		{"no kind", Job{ID: "x#1", Key: "k"}, "kind"},
		{"wildcard kind", Job{ID: "x#1", Key: "k", Kind: "*"}, "kind"},
		{"kind with space", Job{ID: "x#1", Key: "k", Kind: "build agenda"}, "kind"},
		{"long key", Job{ID: "x#1", Key: strings.Repeat("k", maxIDLen+1), Kind: "match"}, "key"},
		{"bad payload", Job{ID: "x#1", Key: "k", Kind: "match", Payload: json.RawMessage(`{"a":`)}, "payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := b.Publish(context.Background(), tt.job)
			if code := fairmatch.ErrorCode(err); code != fairmatch.EINVALID {
				t.Fatalf("Publish error = %v (code %q), want %s", err, code, fairmatch.EINVALID)
			}
			issues := fairmatch.ErrorIssues(err)
			if len(issues) != 1 || issues[0].Field != tt.field || issues[0].Record == "" {
				t.Errorf("issues = %+v, want one on field %q", issues, tt.field)
			}
		})
	}
	if n := streamMsgs(t, b, JobsStream); n != 0 {
		t.Errorf("jobs stream holds %d messages after rejected publishes", n)
	}
}

func TestOpenOptions(t *testing.T) {
	e := mustStart(t)
	nc := mustConnect(t, e)
	tests := []struct {
		opt   Options
		field string // "" when valid
	}{
		{Options{}, ""},
		{Options{AckWait: time.Second, MaxDeliver: -1, InlineLimit: 1}, ""},
		{Options{AckWait: time.Millisecond}, "ack_wait"},
		{Options{MaxDeliver: -2}, "max_deliver"},
		{Options{InlineLimit: -1}, "inline_limit"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v", tt.opt), func(t *testing.T) {
			b, err := Open(context.Background(), nc, tt.opt)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				want := tt.opt.AckWait
				if want == 0 {
					want = DefaultAckWait
				}
				if b.AckWait() != want {
					t.Errorf("AckWait = %v, want %v", b.AckWait(), want)
				}
				return
			}
			issues := fairmatch.ErrorIssues(err)
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID || len(issues) != 1 || issues[0].Field != tt.field {
				t.Errorf("Open error = %v, want EINVALID on %s", err, tt.field)
			}
		})
	}
}

func TestOpenConcurrently(t *testing.T) {
	e := mustStart(t)
	const processes = 4
	errs := make(chan error, processes)
	for range processes {
		nc := mustConnect(t, e)
		go func() {
			_, err := Open(context.Background(), nc, Options{AckWait: 2 * time.Second})
			errs <- err
		}()
	}
	for range processes {
		if err := <-errs; err != nil {
			t.Errorf("Open: %v", err)
		}
	}
	b := mustOpen(t, e, Options{AckWait: 2 * time.Second})
	info, err := b.workers.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.AckWait != 2*time.Second || info.Config.MaxDeliver != DefaultMaxDeliver {
		t.Errorf("workers consumer AckWait %v MaxDeliver %d", info.Config.AckWait, info.Config.MaxDeliver)
	}
	s, err := b.js.Stream(context.Background(), JobsStream)
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.CachedInfo().Config
	if cfg.Retention != jetstream.WorkQueuePolicy || cfg.Duplicates < 10*time.Minute {
		t.Errorf("jobs stream retention %v duplicates %v", cfg.Retention, cfg.Duplicates)
	}
}

func TestJoinKeepsTheCoordinatorsSettings(t *testing.T) {
	e := mustStart(t)
	// A worker that joins before the coordinator creates what is missing.
	early := mustOpen(t, e, Options{Join: true, AckWait: 5 * time.Second})
	if early.AckWait() != 5*time.Second {
		t.Fatalf("joining an empty server: AckWait %v, want 5s", early.AckWait())
	}
	coord := mustOpen(t, e, Options{AckWait: 2 * time.Second, MaxDeliver: 3})
	if coord.AckWait() != 2*time.Second {
		t.Fatalf("coordinator AckWait %v, want 2s", coord.AckWait())
	}
	// A worker with other (default) options joins without changing them.
	worker := mustOpen(t, e, Options{Join: true})
	if worker.AckWait() != 2*time.Second {
		t.Errorf("joined worker sees AckWait %v, want the coordinator's 2s", worker.AckWait())
	}
	info, err := coord.workers.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.AckWait != 2*time.Second || info.Config.MaxDeliver != 3 {
		t.Errorf("after a worker joined: AckWait %v MaxDeliver %d, want 2s and 3", info.Config.AckWait, info.Config.MaxDeliver)
	}
}

func TestHandlerFailuresBecomeResultErrors(t *testing.T) {
	tests := []struct {
		name    string
		kind    string
		handler Handler
		want    string // substring of Result.Error
	}{
		{"error", "match", func(context.Context, Job, func(string, int, int)) (json.RawMessage, error) {
			return nil, errors.New("no offerings for problem P7")
		}, "no offerings for problem P7"},
		{"panic", "match", func(context.Context, Job, func(string, int, int)) (json.RawMessage, error) {
			var m map[string]int
			m["boom"]++ // assignment to entry in nil map
			return nil, nil
		}, "panicked"},
		{"unknown kind", "translate", echo, `no handler for job kind "translate"`},
		{"invalid JSON output", "match", func(context.Context, Job, func(string, int, int)) (json.RawMessage, error) {
			return json.RawMessage(`{"unterminated`), nil
		}, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustStart(t)
			b := mustOpen(t, e, Options{})
			results := collect(t, b)
			startWorker(t, &Worker{Bus: b, Handlers: map[string]Handler{"match": tt.handler}})
			job := Job{ID: "2027-03/x#1", Key: "2027-03/x", Kind: tt.kind}
			if err := b.Publish(context.Background(), job); err != nil {
				t.Fatal(err)
			}
			r := next(t, results, 10*time.Second)
			if r.JobID != job.ID || !strings.Contains(r.Error, tt.want) || r.Payload != nil {
				t.Errorf("result = %+v, want Error containing %q and no payload", r, tt.want)
			}
			// The failure is final: the job is acknowledged, not redelivered.
			waitFor(t, 5*time.Second, "the jobs queue to empty", func() bool { return streamMsgs(t, b, JobsStream) == 0 })
			if s := b.Stats(); s.JobsFailed != 1 || s.JobsSucceeded != 0 {
				t.Errorf("stats = %+v, want 1 failed", s)
			}
		})
	}
}

func TestResultsApplyErrorRedelivers(t *testing.T) {
	e := mustStart(t)
	b := mustOpen(t, e, Options{})
	startWorker(t, &Worker{Bus: b, Handlers: map[string]Handler{"match": echo}})

	var calls atomic.Int32
	applied := make(chan Result, 1)
	background(t, func(ctx context.Context) error {
		return b.Results(ctx, func(_ context.Context, r Result) error {
			if calls.Add(1) == 1 {
				return errors.New("store is busy")
			}
			applied <- r
			return nil
		})
	})
	if err := b.Publish(context.Background(), Job{ID: "2027-03/match#1", Key: "2027-03/match", Kind: "match"}); err != nil {
		t.Fatal(err)
	}
	r := next(t, applied, 10*time.Second)
	if r.JobID != "2027-03/match#1" || r.Error != "" {
		t.Errorf("result = %+v", r)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("apply called %d times, want 2", n)
	}
	waitFor(t, 5*time.Second, "the results queue to empty", func() bool { return streamMsgs(t, b, ResultsStream) == 0 })
	if s := b.Stats(); s.ResultsRetried != 1 || s.ResultsApplied != 1 {
		t.Errorf("stats = %+v, want 1 retried and 1 applied", s)
	}
}

func TestCleanShutdown(t *testing.T) {
	e := mustStart(t)
	b := mustOpen(t, e, Options{})
	stopResults := background(t, func(ctx context.Context) error {
		return b.Results(ctx, func(context.Context, Result) error { return nil })
	})
	stopWorker := startWorker(t, &Worker{Bus: b, Concurrency: 3, Handlers: map[string]Handler{"match": echo}})
	time.Sleep(100 * time.Millisecond) // let the pull requests reach the server
	start := time.Now()
	if err := stopWorker(); err != nil {
		t.Errorf("Worker.Run = %v, want nil", err)
	}
	if err := stopResults(); err != nil {
		t.Errorf("Results = %v, want nil", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	// Nothing was lost in flight: a job published now waits for the next worker.
	if err := b.Publish(context.Background(), Job{ID: "j#1", Key: "j", Kind: "match"}); err != nil {
		t.Fatal(err)
	}
	results := collect(t, b)
	startWorker(t, &Worker{Bus: b, Handlers: map[string]Handler{"match": echo}})
	if r := next(t, results, 10*time.Second); r.JobID != "j#1" {
		t.Errorf("result = %+v", r)
	}
}

func TestResultsReturnsErrorWhenConnectionCloses(t *testing.T) {
	e := mustStart(t)
	b := mustOpen(t, e, Options{})
	done := make(chan error, 1)
	go func() {
		done <- b.Results(context.Background(), func(context.Context, Result) error { return nil })
	}()
	time.Sleep(100 * time.Millisecond)
	b.nc.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Results = nil after the connection closed, want an error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Results did not return after the connection closed")
	}
}

func TestWorkerWithoutBus(t *testing.T) {
	if err := (&Worker{}).Run(context.Background()); err == nil {
		t.Error("Run without a Bus = nil, want an error")
	}
}
