package bus

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/nats-io/nats.go"
)

func TestStartEmbeddedRejectsBadOptions(t *testing.T) {
	tests := []struct {
		opts  EmbeddedOptions
		field string
	}{
		{EmbeddedOptions{}, "store_dir"},
		{EmbeddedOptions{StoreDir: t.TempDir(), Listen: "4222"}, "listen"},
		{EmbeddedOptions{StoreDir: t.TempDir(), Listen: "127.0.0.1:http"}, "listen"},
		{EmbeddedOptions{StoreDir: t.TempDir(), Listen: "127.0.0.1:70000"}, "listen"},
	}
	for _, tt := range tests {
		e, err := StartEmbedded(tt.opts)
		if e != nil {
			e.Shutdown()
		}
		issues := fairmatch.ErrorIssues(err)
		if fairmatch.ErrorCode(err) != fairmatch.EINVALID || len(issues) != 1 || issues[0].Field != tt.field {
			t.Errorf("StartEmbedded(%+v) = %v, want EINVALID on %s", tt.opts, err, tt.field)
		}
	}
}

func TestEmbeddedListensOverTCP(t *testing.T) {
	e, err := StartEmbedded(EmbeddedOptions{StoreDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	url := e.ClientURL()
	if !strings.HasPrefix(url, "nats://127.0.0.1:") || strings.HasSuffix(url, ":4222") {
		t.Fatalf("ClientURL = %q, want a free port on 127.0.0.1", url)
	}
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	b, err := Open(context.Background(), nc, Options{Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	results := collect(t, b)
	startWorker(t, &Worker{Bus: b, Handlers: map[string]Handler{"match": echo}})
	if err := b.Publish(context.Background(), Job{ID: "tcp#1", Key: "tcp", Kind: "match"}); err != nil {
		t.Fatal(err)
	}
	if r := next(t, results, 10*time.Second); r.JobID != "tcp#1" || r.Error != "" {
		t.Errorf("result = %+v", r)
	}
	if in := mustStart(t).ClientURL(); in != "" {
		t.Errorf("ClientURL without Listen = %q, want empty", in)
	}
}

// A published job survives a restart of the server on the same directory.
func TestEmbeddedKeepsJobsAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	e, err := StartEmbedded(EmbeddedOptions{StoreDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := e.Connect()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(context.Background(), nc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	job := Job{ID: "2027-05/publish#1", Key: "2027-05/publish", Kind: "publish", Payload: json.RawMessage(`{"fair":"2027-05"}`)}
	if err := b.Publish(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	nc.Close()
	e.Shutdown()

	e, err = StartEmbedded(EmbeddedOptions{StoreDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	b = mustOpen(t, e, Options{})
	results := collect(t, b)
	startWorker(t, &Worker{Bus: b, Handlers: map[string]Handler{"publish": echo}})
	r := next(t, results, 10*time.Second)
	if r.JobID != job.ID || !strings.Contains(string(r.Payload), `"fair":"2027-05"`) {
		t.Errorf("result after restart = %+v", r)
	}
	// The duplicate window survives too.
	if err := b.Publish(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if s := b.Stats(); s.JobsDuplicate != 1 {
		t.Errorf("re-publish after restart: stats = %+v, want 1 duplicate", s)
	}
}
