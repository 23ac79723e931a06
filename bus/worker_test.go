package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// blocking returns a handler that reports each start on started and then
// blocks until its context ends.
func blocking(started chan<- time.Time) Handler {
	return func(ctx context.Context, job Job, _ func(string, int, int)) (json.RawMessage, error) {
		started <- time.Now()
		<-ctx.Done()
		return nil, ctx.Err()
	}
}

func waitStart(t *testing.T, started <-chan time.Time, within time.Duration) time.Time {
	t.Helper()
	select {
	case at := <-started:
		return at
	case <-time.After(within):
		t.Fatalf("handler did not start within %s", within)
		return time.Time{}
	}
}

func TestJobRedeliveredAfterWorkerConnectionDies(t *testing.T) {
	const ackWait = time.Second
	e := mustStart(t)
	coord := mustOpen(t, e, Options{AckWait: ackWait})
	results := collect(t, coord)

	// Worker A takes the job and then loses its connection mid-job.
	busA := mustOpen(t, e, Options{AckWait: ackWait})
	startedA := make(chan time.Time, 1)
	runA := make(chan error, 1)
	go func() {
		runA <- (&Worker{Bus: busA, Name: "A", Logger: testLogger(),
			Handlers: map[string]Handler{"match": blocking(startedA)}}).Run(context.Background())
	}()
	job := Job{ID: "2027-03/match#1", Key: "2027-03/match", Kind: "match"}
	if err := coord.Publish(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	waitStart(t, startedA, 10*time.Second)

	busB := mustOpen(t, e, Options{AckWait: ackWait})
	startWorker(t, &Worker{Bus: busB, Name: "B", Handlers: map[string]Handler{"match": echo}})
	time.Sleep(200 * time.Millisecond) // B is waiting for work; it must not get the job yet
	closed := time.Now()
	busA.nc.Close()

	select {
	case err := <-runA:
		if err == nil {
			t.Error("worker A's Run = nil after its connection closed, want an error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("worker A's Run did not return after its connection closed")
	}
	r := next(t, results, 10*time.Second)
	if r.JobID != job.ID || r.Worker != "B" || r.Error != "" {
		t.Fatalf("result = %+v, want job %s done by B", r, job.ID)
	}
	// A's last in-progress went out at most AckWait/3 before the close.
	if d := time.Since(closed); d < ackWait-ackWait/3-100*time.Millisecond {
		t.Errorf("job came back %v after the close, before AckWait (%v) could expire", d, ackWait)
	}
	select {
	case r := <-results:
		t.Errorf("second result %+v", r)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestStopWithRunningJob(t *testing.T) {
	tests := []struct {
		name        string
		stopTimeout time.Duration
		wantWorker  string // who completes the job
	}{
		{"graceful: the job finishes", 0, "A"},
		{"hard: the job is handed back", 50 * time.Millisecond, "B"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const ackWait = 10 * time.Second // far longer than the test may take
			e := mustStart(t)
			busA := mustOpen(t, e, Options{AckWait: ackWait})
			results := collect(t, busA)
			started := make(chan time.Time, 1)
			release := make(chan struct{})
			slow := func(ctx context.Context, job Job, _ func(string, int, int)) (json.RawMessage, error) {
				started <- time.Now()
				select {
				case <-release:
					return json.RawMessage(`"done"`), nil
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
			stopA := startWorker(t, &Worker{Bus: busA, Name: "A", StopTimeout: tt.stopTimeout,
				Handlers: map[string]Handler{"match": slow}})
			if err := busA.Publish(context.Background(), Job{ID: "j#1", Key: "j", Kind: "match"}); err != nil {
				t.Fatal(err)
			}
			waitStart(t, started, 10*time.Second)

			stopped := make(chan error, 1)
			go func() { stopped <- stopA() }()
			if tt.stopTimeout == 0 {
				select {
				case err := <-stopped:
					t.Fatalf("Run returned (%v) while its job was running", err)
				case <-time.After(300 * time.Millisecond):
				}
				close(release)
			}
			if err := <-stopped; err != nil {
				t.Errorf("Run = %v, want nil", err)
			}
			busB := mustOpen(t, e, Options{AckWait: ackWait})
			startWorker(t, &Worker{Bus: busB, Name: "B", Handlers: map[string]Handler{"match": echo}})
			r := next(t, results, 5*time.Second) // well within AckWait: no wait for it
			if r.Worker != tt.wantWorker || r.Error != "" {
				t.Errorf("result = %+v, want done by %s", r, tt.wantWorker)
			}
			if tt.wantWorker == "B" && busA.Stats().JobsAbandoned != 1 {
				t.Errorf("A's stats = %+v, want 1 abandoned", busA.Stats())
			}
		})
	}
}

func TestInProgressKeepsLongJobAlive(t *testing.T) {
	const ackWait = time.Second
	e := mustStart(t)
	coord := mustOpen(t, e, Options{AckWait: ackWait})
	results := collect(t, coord)

	var mu sync.Mutex
	runs := 0
	long := func(ctx context.Context, job Job, _ func(string, int, int)) (json.RawMessage, error) {
		mu.Lock()
		runs++
		mu.Unlock()
		select { // reports no progress: the keep-alive alone must hold the job
		case <-time.After(3 * ackWait):
			return json.RawMessage(`true`), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// Two workers: a redelivery would have somewhere to go.
	for _, name := range []string{"A", "B"} {
		startWorker(t, &Worker{Bus: mustOpen(t, e, Options{AckWait: ackWait}), Name: name,
			Handlers: map[string]Handler{"match": long}})
	}
	if err := coord.Publish(context.Background(), Job{ID: "j#1", Key: "j", Kind: "match"}); err != nil {
		t.Fatal(err)
	}
	r := next(t, results, 10*time.Second)
	if r.Error != "" || r.Elapsed < 3*ackWait {
		t.Errorf("result = %+v", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if runs != 1 {
		t.Errorf("job ran %d times, want 1", runs)
	}
}

func TestTwoWorkerProcessesShareWork(t *testing.T) {
	const jobs = 50
	e := mustStart(t)
	coord := mustOpen(t, e, Options{})
	results := collect(t, coord)

	var mu sync.Mutex
	ranBy := map[string][]string{} // job ID → workers that ran it
	for _, name := range []string{"A", "B"} {
		handler := func(ctx context.Context, job Job, _ func(string, int, int)) (json.RawMessage, error) {
			mu.Lock()
			ranBy[job.ID] = append(ranBy[job.ID], name)
			mu.Unlock()
			time.Sleep(5 * time.Millisecond)
			return json.Marshal(name)
		}
		startWorker(t, &Worker{Bus: mustOpen(t, e, Options{}), Name: name, Concurrency: 2,
			Handlers: map[string]Handler{"match": handler}})
	}
	for i := range jobs {
		job := Job{ID: fmt.Sprintf("2027-03/p%d#1", i), Key: fmt.Sprintf("2027-03/p%d", i), Kind: "match"}
		if err := coord.Publish(context.Background(), job); err != nil {
			t.Fatal(err)
		}
	}
	perWorker := map[string]int{}
	seen := map[string]bool{}
	for range jobs {
		r := next(t, results, 20*time.Second)
		if seen[r.JobID] {
			t.Errorf("result for %s twice", r.JobID)
		}
		seen[r.JobID] = true
		var payloadWorker string
		if err := json.Unmarshal(r.Payload, &payloadWorker); err != nil || payloadWorker != r.Worker {
			t.Errorf("result %s from %q carries payload %s", r.JobID, r.Worker, r.Payload)
		}
		perWorker[r.Worker]++
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ranBy) != jobs {
		t.Errorf("%d distinct jobs ran, want %d", len(ranBy), jobs)
	}
	for id, ws := range ranBy {
		if len(ws) != 1 {
			t.Errorf("job %s ran on %v", id, ws)
		}
	}
	if perWorker["A"] == 0 || perWorker["B"] == 0 {
		t.Errorf("work per worker = %v, want both to take part", perWorker)
	}
}

func TestProgressEvents(t *testing.T) {
	e := mustStart(t)
	b := mustOpen(t, e, Options{})
	results := collect(t, b)

	events := make(chan Progress, 16)
	unsubscribe, err := b.SubscribeProgress(func(p Progress) { events <- p })
	if err != nil {
		t.Fatal(err)
	}
	defer unsubscribe()

	steps := []string{"tokenize", "score", "assign"}
	stepper := func(ctx context.Context, job Job, progress func(string, int, int)) (json.RawMessage, error) {
		for i, s := range steps {
			progress(s, i+1, len(steps))
		}
		return nil, nil
	}
	startWorker(t, &Worker{Bus: b, Name: "w", Handlers: map[string]Handler{"match": stepper}})
	before := time.Now()
	if err := b.Publish(context.Background(), Job{ID: "2027-03/match#2", Key: "2027-03/match", Kind: "match"}); err != nil {
		t.Fatal(err)
	}
	next(t, results, 10*time.Second)
	for i, s := range steps {
		select {
		case p := <-events:
			if p.JobID != "2027-03/match#2" || p.Key != "2027-03/match" || p.Worker != "w" ||
				p.Message != s || p.Done != i+1 || p.Total != len(steps) || p.At.Before(before) {
				t.Errorf("event %d = %+v", i, p)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("event %d (%s) missing", i, s)
		}
	}
	unsubscribe()
	unsubscribe() // idempotent
}

func TestExhaustedJobReported(t *testing.T) {
	const maxDeliver = 2
	e := mustStart(t)
	b := mustOpen(t, e, Options{AckWait: time.Second, MaxDeliver: maxDeliver, InlineLimit: 16})
	results := collect(t, b)
	job := Job{ID: "2027-03/match#1", Key: "2027-03/match", Kind: "match", Payload: bigPayload(100)}
	if err := b.Publish(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if objectCount(t, b) != 1 {
		t.Fatalf("payload not in the object store")
	}
	// A worker that fails every delivery without a result.
	for i := range maxDeliver {
		batch, err := b.workers.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		msg, ok := <-batch.Messages()
		if !ok {
			t.Fatalf("delivery %d missing: %v", i+1, batch.Error())
		}
		if err := msg.Nak(); err != nil {
			t.Fatal(err)
		}
	}
	// The server gives up when it next looks for work for a waiting worker.
	batch, err := b.workers.Fetch(1, jetstream.FetchMaxWait(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if msg, ok := <-batch.Messages(); ok {
		t.Fatalf("delivery beyond MaxDeliver: %s", msg.Data())
	}
	r := next(t, results, 10*time.Second)
	if r.JobID != job.ID || r.Key != job.Key || r.Kind != job.Kind || r.Worker != "" ||
		r.Error != fmt.Sprintf("job %s given up after %d deliveries without completion", job.ID, maxDeliver) {
		t.Errorf("result = %+v", r)
	}
	waitFor(t, 5*time.Second, "the job and its payload to go", func() bool {
		return streamMsgs(t, b, JobsStream) == 0 && objectCount(t, b) == 0
	})
	if s := b.Stats(); s.JobsExhausted != 1 {
		t.Errorf("stats = %+v, want 1 exhausted", s)
	}
}

func TestMalformedJobDropped(t *testing.T) {
	e := mustStart(t)
	b := mustOpen(t, e, Options{})
	results := collect(t, b)
	startWorker(t, &Worker{Bus: b, Handlers: map[string]Handler{"match": echo}})
	if _, err := b.js.Publish(context.Background(), jobsSubjectPrefix+"match", []byte(`{"id":"x#1"}`)); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(context.Background(), Job{ID: "ok#1", Key: "ok", Kind: "match"}); err != nil {
		t.Fatal(err)
	}
	if r := next(t, results, 10*time.Second); r.JobID != "ok#1" {
		t.Errorf("result = %+v", r)
	}
	waitFor(t, 5*time.Second, "the jobs queue to empty", func() bool { return streamMsgs(t, b, JobsStream) == 0 })
	if s := b.Stats(); s.JobsMalformed != 1 {
		t.Errorf("stats = %+v, want 1 malformed", s)
	}
}
