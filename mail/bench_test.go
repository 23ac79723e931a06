package mail_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch/mail"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/store/storetest"
)

// BenchmarkEnqueueFlush queues b.N composed schedules (about 14 KB each with
// the calendar) and delivers them to a real SMTP server on the loopback
// interface, one connection and one recorded transaction per message. It
// reports messages per second.
func BenchmarkEnqueueFlush(b *testing.B) {
	srv := startServer(b)
	f := newFixture()
	m, err := mail.Compose(mail.KindPublished, f.agenda, f.cancelled, "P-E001-1", f.dir, "https://fair.example.cn/p/abc", newClock().Now())
	if err != nil {
		b.Fatal(err)
	}
	ob := &mail.Outbox{DB: storetest.Open(b), Sender: srv.sender(b)}
	msgs := make([]store.OutboxMessage, b.N)
	for i := range msgs {
		msgs[i] = m
		msgs[i].ID = fmt.Sprintf("%s/%d", m.ID, i)
	}
	b.ResetTimer()
	start := time.Now()
	if _, err := ob.Enqueue(msgs...); err != nil {
		b.Fatal(err)
	}
	if err := ob.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if got := len(srv.Received()); got != b.N {
		b.Fatalf("server received %d of %d messages", got, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}
