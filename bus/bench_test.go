package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// BenchmarkRoundTrip measures jobs per second from Publish through a Worker
// to an applied Result, over the embedded server with its synchronous store.
func BenchmarkRoundTrip(b *testing.B) {
	cases := []struct {
		name        string
		payload     int
		concurrency int
	}{
		{"inline-1KiB/1-worker", 1 << 10, 1},
		{"inline-1KiB/4-workers", 1 << 10, 4},
		{"object-1MiB/4-workers", 1 << 20, 4},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			e := mustStart(b)
			coord := mustOpen(b, e, Options{})
			worker := mustOpen(b, e, Options{})
			results := collect(b, coord)
			done := func(context.Context, Job, func(string, int, int)) (json.RawMessage, error) {
				return json.RawMessage(`{"ok":true}`), nil
			}
			startWorker(b, &Worker{Bus: worker, Concurrency: bc.concurrency, Handlers: map[string]Handler{"match": done}})
			payload := bigPayload(bc.payload)
			publishErr := make(chan error, 1)

			b.SetBytes(int64(bc.payload))
			b.ResetTimer()
			start := time.Now()
			go func() {
				for i := range b.N {
					job := Job{ID: fmt.Sprintf("bench/%d#1", i), Key: fmt.Sprintf("bench/%d", i), Kind: "match", Payload: payload}
					if err := coord.Publish(context.Background(), job); err != nil {
						publishErr <- err
						return
					}
				}
				publishErr <- nil
			}()
			for range b.N {
				if r := next(b, results, time.Minute); r.Error != "" {
					b.Fatalf("result %+v", r)
				}
			}
			elapsed := time.Since(start)
			b.StopTimer()
			if err := <-publishErr; err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "jobs/s")
		})
	}
}
