package bus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"

	"github.com/fairmatch/fairmatch/bus"
)

// A coordinator and a worker in one process, over an embedded server.
func Example() {
	dir, err := os.MkdirTemp("", "fairmatch-bus-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	srv, err := bus.StartEmbedded(bus.EmbeddedOptions{StoreDir: dir})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Shutdown()
	nc, err := srv.Connect()
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	b, err := bus.Open(context.Background(), nc, bus.Options{})
	if err != nil {
		log.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	worker := &bus.Worker{Bus: b, Name: "worker-1", Handlers: map[string]bus.Handler{
		"match": func(ctx context.Context, job bus.Job, progress func(string, int, int)) (json.RawMessage, error) {
			progress("matching", 1, 1)
			return json.RawMessage(`{"proposals":12}`), nil
		},
	}}
	workerDone := make(chan error, 1)
	go func() { workerDone <- worker.Run(ctx) }()

	err = b.Publish(ctx, bus.Job{ID: "2027-03/match#1", Key: "2027-03/match", Kind: "match",
		Payload: json.RawMessage(`{"fair":"2027-03"}`)})
	if err != nil {
		log.Fatal(err)
	}
	err = b.Results(ctx, func(_ context.Context, r bus.Result) error {
		fmt.Printf("%s by %s: %s %q\n", r.Key, r.Worker, r.Payload, r.Error)
		cancel() // one result is all this example waits for
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := <-workerDone; err != nil {
		log.Fatal(err)
	}
	// Output: 2027-03/match by worker-1: {"proposals":12} ""
}
