package bus

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testLogger logs to stderr with -v and FAIRMATCH_TEST_LOG set, else nowhere.
func testLogger() *slog.Logger {
	if os.Getenv("FAIRMATCH_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// mustStart starts an embedded server in a fresh directory, shut down at cleanup.
func mustStart(tb testing.TB) *Embedded {
	tb.Helper()
	e, err := StartEmbedded(EmbeddedOptions{StoreDir: tb.TempDir()})
	if err != nil {
		tb.Fatalf("StartEmbedded: %v", err)
	}
	tb.Cleanup(e.Shutdown)
	return e
}

// mustConnect opens an in-process connection, closed at cleanup.
func mustConnect(tb testing.TB, e *Embedded) *nats.Conn {
	tb.Helper()
	nc, err := e.Connect()
	if err != nil {
		tb.Fatalf("Connect: %v", err)
	}
	tb.Cleanup(nc.Close)
	return nc
}

// mustOpen opens a Bus on a new connection to e.
func mustOpen(tb testing.TB, e *Embedded, opt Options) *Bus {
	tb.Helper()
	if opt.Logger == nil {
		opt.Logger = testLogger()
	}
	b, err := Open(context.Background(), mustConnect(tb, e), opt)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return b
}

// background runs fn in a goroutine with a context cancelled at cleanup, and
// returns a stop function that cancels it and returns fn's error.
func background(tb testing.TB, fn func(context.Context) error) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				err = errors.New("did not return within 20s of cancellation")
			}
		})
		return err
	}
	tb.Cleanup(func() {
		if err := stop(); err != nil {
			tb.Errorf("background run: %v", err)
		}
	})
	return stop
}

// startWorker runs w in the background.
func startWorker(tb testing.TB, w *Worker) (stop func() error) {
	if w.Logger == nil {
		w.Logger = testLogger()
	}
	return background(tb, w.Run)
}

// collect runs Results in the background and sends every applied result
// to the returned channel.
func collect(tb testing.TB, b *Bus) <-chan Result {
	ch := make(chan Result, 1024)
	background(tb, func(ctx context.Context) error {
		return b.Results(ctx, func(_ context.Context, r Result) error {
			ch <- r
			return nil
		})
	})
	return ch
}

// next waits for one result.
func next(tb testing.TB, ch <-chan Result, within time.Duration) Result {
	tb.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(within):
		tb.Fatalf("no result within %s", within)
		return Result{}
	}
}

// waitFor polls cond until it holds or the time is up.
func waitFor(tb testing.TB, within time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// streamMsgs returns how many messages a stream holds.
func streamMsgs(tb testing.TB, b *Bus, name string) uint64 {
	tb.Helper()
	s, err := b.js.Stream(context.Background(), name)
	if err != nil {
		tb.Fatalf("stream %s: %v", name, err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		tb.Fatalf("stream %s info: %v", name, err)
	}
	return info.State.Msgs
}

// objectCount returns how many payload objects the store holds.
func objectCount(tb testing.TB, b *Bus) int {
	tb.Helper()
	list, err := b.objects.List(context.Background())
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return 0
	}
	if err != nil {
		tb.Fatalf("list objects: %v", err)
	}
	return len(list)
}
