package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/fairmatch/fairmatch/store"
)

// smtpSink is a real SMTP server (go-smtp) on a loopback port that keeps the
// messages it accepts.
type smtpSink struct {
	mu  sync.Mutex
	got map[string][]byte // by Message-ID
	rcp map[string]string // Message-ID → recipient
	dup int               // messages received a second time
	srv *smtp.Server
}

func (k *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{k: k}, nil }

type sinkSession struct {
	k  *smtpSink
	to string
}

func (s *sinkSession) AuthPlain(string, string) error            { return nil }
func (s *sinkSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *sinkSession) Reset()                                    {}
func (s *sinkSession) Logout() error                             { return nil }
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return err
	}
	id := msg.Header.Get("Message-Id")
	s.k.mu.Lock()
	defer s.k.mu.Unlock()
	if _, dup := s.k.got[id]; dup {
		s.k.dup++
	}
	s.k.got[id], s.k.rcp[id] = b, s.to
	return nil
}

func (k *smtpSink) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.got)
}

// startSink serves SMTP on addr until the test ends.
func startSink(t *testing.T, addr string) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	k := &smtpSink{got: map[string][]byte{}, rcp: map[string]string{}}
	k.srv = smtp.NewServer(k)
	k.srv.Domain = "mx.test"
	k.srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() { _ = k.srv.Serve(ln) }()
	t.Cleanup(func() { _ = k.srv.Close() })
	return k
}

// outboxCounts reads the outbox's counts by state from a running service's
// backup.
func outboxCounts(t *testing.T, base, token string) (map[string]int, []store.OutboxMessage) {
	t.Helper()
	status, body := httpDo(t, "GET", base+"/api/backup", token, nil)
	if status != 200 {
		t.Fatalf("backup: %d", status)
	}
	dir := t.TempDir()
	writeTestFile(t, storePath(dir), string(body))
	db, err := store.Open(storePath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var counts map[string]int
	var msgs []store.OutboxMessage
	err = db.View(func(tx *store.Tx) (err error) {
		if counts, err = tx.OutboxCounts(); err != nil {
			return err
		}
		msgs, err = tx.Outbox(store.OutboxFilter{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return counts, msgs
}

// TestSMTPOutageDuringPublish publishes a fair while the mail server is down:
// every schedule waits in the outbox with its failed attempts recorded, and
// once the server is up all are delivered, each once.
func TestSMTPOutageDuringPublish(t *testing.T) {
	port := freePort(t) // nothing listens there yet: connections are refused
	src, err := os.ReadFile(examplePlan)
	if err != nil {
		t.Fatal(err)
	}
	plan := string(src)
	for old, repl := range map[string]string{
		`host: ""`: `host: 127.0.0.1`, `port: 0 `: `port: ` + strconv.Itoa(port) + ` `,
		`from: ""`: `from: fair@zone.example.cn`, `tls: starttls`: `tls: none`,
	} {
		if !strings.Contains(plan, old) {
			t.Fatalf("example plan has no %q to replace", old)
		}
		plan = strings.Replace(plan, old, repl, 1)
	}
	dir := t.TempDir()
	planPath := writePlan(t, filepath.Join(dir, "plan"), plan)
	base, token := startServe(t, &Main{Now: time.Now}, "--config", planPath, "--data", filepath.Join(dir, "data"),
		"--workers", "1", "--mail-backoff", "200ms")

	example, err := os.ReadFile(exampleDataset)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := httpDo(t, "POST", base+"/api/import", token, bytes.NewReader(example), "Content-Type", "application/json"); status != 200 {
		t.Fatalf("import: %d %s", status, body)
	}
	for _, name := range []string{"match", "agenda", "publish"} {
		if s := runStage(t, base, token, "2027-01", name, 2*time.Minute); s.State != "done" {
			t.Fatalf("%s: %+v", name, s)
		}
	}

	// The server is down: messages are queued, tried and kept.
	var queued int
	deadline := time.Now().Add(30 * time.Second)
	for {
		counts, msgs := outboxCounts(t, base, token)
		tried := 0
		for _, m := range msgs {
			if m.Attempts > 0 && m.LastError != "" {
				tried++
			}
		}
		if counts[store.OutboxSent] != 0 || counts[store.OutboxFailed] != 0 {
			t.Fatalf("with the server down: %v", counts)
		}
		if queued = counts[store.OutboxQueued]; queued > 0 && tried == queued {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox after publishing with the server down: %v, %d tried", counts, tried)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if queued < 50 {
		t.Fatalf("only %d schedules queued for the fair's participants", queued)
	}
	t.Logf("%d schedules queued and tried while the mail server was down", queued)

	// The server comes back: everything is delivered, once.
	sink := startSink(t, "127.0.0.1:"+strconv.Itoa(port))
	deadline = time.Now().Add(60 * time.Second)
	for {
		counts, _ := outboxCounts(t, base, token)
		if counts[store.OutboxSent] == queued && sink.count() == queued {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after recovery: outbox %v, server got %d of %d", counts, sink.count(), queued)
		}
		time.Sleep(300 * time.Millisecond)
	}
	waitMetrics(t, base, fmt.Sprintf(`fairmatch_mail_messages{state="sent"} %d`, queued),
		`fairmatch_mail_messages{state="queued"} 0`, `fairmatch_mail_messages{state="failed"} 0`)
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if sink.dup != 0 {
		t.Errorf("%d messages delivered twice", sink.dup)
	}
	for id, b := range sink.got {
		if !bytes.Contains(b, []byte("text/calendar")) || !strings.Contains(sink.rcp[id], "@") {
			t.Errorf("message %s to %q has no calendar attached", id, sink.rcp[id])
		}
	}
}
