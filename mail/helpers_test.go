package mail_test

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/mail"
	"github.com/fairmatch/fairmatch/notify"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/store/storetest"

	_ "time/tzdata" // the fixture's zone, even on a host without a zone database
)

// received is one message the test server accepted.
type received struct {
	From string
	To   []string
	Data []byte
}

// mailServer is a real SMTP server (go-smtp) on a loopback port that records
// what it accepts. It can be stopped (connections refused) and started again
// on the same port, and told to refuse sessions or reject recipients or data.
type mailServer struct {
	t    testing.TB
	Addr string
	Host string
	Port int

	tlsConfig  *tls.Config       // offer STARTTLS with it
	users      map[string]string // require AUTH PLAIN with one of these
	mu         sync.Mutex
	srv        *smtp.Server
	ln         net.Listener
	refuse     *smtp.SMTPError            // at the greeting
	rejectRcpt map[string]*smtp.SMTPError // by recipient
	failData   []*smtp.SMTPError          // the next DATA commands, after reading the message
	seenData   [][]byte                   // every message body read, accepted or not
	got        []received
}

// startServer starts a mail server on 127.0.0.1 and stops it when the test
// ends.
func startServer(t testing.TB) *mailServer {
	t.Helper()
	return startServerWith(t, nil, nil)
}

// startServerWith starts a mail server that offers STARTTLS with tc (if not
// nil) and requires AUTH PLAIN as one of users (if not nil).
func startServerWith(t testing.TB, tc *tls.Config, users map[string]string) *mailServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &mailServer{t: t, Addr: ln.Addr().String(), rejectRcpt: map[string]*smtp.SMTPError{},
		tlsConfig: tc, users: users}
	host, port, _ := net.SplitHostPort(s.Addr)
	s.Host = host
	if s.Port, err = strconv.Atoi(port); err != nil {
		t.Fatal(err)
	}
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

func (s *mailServer) serve(ln net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLSConfig = s.tlsConfig
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// Stop closes the listener and every connection: from now on connections
// are refused.
func (s *mailServer) Stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if ln != nil {
		_ = ln.Close() // Serve may not have taken it over yet
	}
	if srv != nil {
		_ = srv.Close()
	}
}

// Start listens again on the same port.
func (s *mailServer) Start() {
	s.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port is ours; a close may take a moment to settle
		if ln, err = net.Listen("tcp", s.Addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("listen again on %s: %v", s.Addr, err)
	}
	s.serve(ln)
}

// Refuse makes the server greet with the given reply and hang up (nil:
// accept sessions again).
func (s *mailServer) Refuse(e *smtp.SMTPError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = e
}

// RejectRcpt makes the server answer RCPT TO:<to> with e (nil: accept).
func (s *mailServer) RejectRcpt(to string, e *smtp.SMTPError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e == nil {
		delete(s.rejectRcpt, to)
		return
	}
	s.rejectRcpt[to] = e
}

// FailData makes the next len(errs) messages fail with these replies after
// the server has read them.
func (s *mailServer) FailData(errs ...*smtp.SMTPError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failData = append(s.failData, errs...)
}

// Received returns the messages accepted so far.
func (s *mailServer) Received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

// Seen returns every message body the server read, accepted or not.
func (s *mailServer) Seen() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.seenData...)
}

func (s *mailServer) newSession(*smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse != nil {
		return nil, s.refuse
	}
	return &session{s: s}, nil
}

type session struct {
	s      *mailServer
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.users == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if want, ok := ss.s.users[user]; !ok || want != pass {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.users != nil && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if e := ss.s.rejectRcpt[to]; e != nil {
		return e
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.seenData = append(ss.s.seenData, data)
	if len(ss.s.failData) > 0 {
		e := ss.s.failData[0]
		ss.s.failData = ss.s.failData[1:]
		return e
	}
	ss.s.got = append(ss.s.got, received{From: ss.from, To: ss.to, Data: data})
	return nil
}

// config returns a configuration for the test server, without TLS.
func (s *mailServer) config() mail.Config {
	return mail.Config{Host: s.Host, Port: s.Port, From: "fair@zone.example.cn", FromName: "高新区科技局 Science Office",
		TLS: mail.TLSNone, Timeout: 5 * time.Second}
}

// sender returns an SMTP sender for the test server.
func (s *mailServer) sender(t testing.TB) *mail.SMTP {
	t.Helper()
	snd, err := mail.NewSMTP(s.config())
	if err != nil {
		t.Fatal(err)
	}
	return snd
}

// parsedMail is a received message taken apart.
type parsedMail struct {
	Header      netmail.Header
	Subject     string
	From, To    []*netmail.Address
	Text, HTML  string
	Attachments []attachment
}

type attachment struct {
	Name        string
	ContentType string // the full header value
	Data        []byte
}

// parseMail parses a message as a mail client would: headers decoded
// (RFC 2047), multiparts walked, bodies decoded.
func parseMail(t testing.TB, data []byte) parsedMail {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, data)
	}
	var p parsedMail
	p.Header = msg.Header
	dec := new(mime.WordDecoder)
	if p.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("decode subject: %v", err)
	}
	if p.From, err = msg.Header.AddressList("From"); err != nil {
		t.Fatalf("From: %v", err)
	}
	if p.To, err = msg.Header.AddressList("To"); err != nil {
		t.Fatalf("To: %v", err)
	}
	walkPart(t, &p, textproto(msg.Header), msg.Body)
	return p
}

// textproto turns a mail header into the map multipart uses.
func textproto(h netmail.Header) map[string][]string { return h }

func walkPart(t testing.TB, p *parsedMail, h map[string][]string, body io.Reader) {
	t.Helper()
	get := func(k string) string {
		for key, v := range h {
			if strings.EqualFold(key, k) && len(v) > 0 {
				return v[0]
			}
		}
		return ""
	}
	ct := get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatalf("Content-Type %q: %v", ct, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("multipart: %v", err)
			}
			walkPart(t, p, part.Header, part)
		}
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	switch strings.ToLower(get("Content-Transfer-Encoding")) {
	case "base64":
		raw, err = io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(raw)))
		if err != nil {
			t.Fatalf("base64 body of %s: %v", mt, err)
		}
	case "quoted-printable":
		t.Fatalf("unexpected quoted-printable part %s", mt)
	}
	if disp := get("Content-Disposition"); strings.HasPrefix(disp, "attachment") {
		_, dp, err := mime.ParseMediaType(disp)
		if err != nil {
			t.Fatalf("Content-Disposition %q: %v", disp, err)
		}
		name, _ := new(mime.WordDecoder).DecodeHeader(dp["filename"])
		p.Attachments = append(p.Attachments, attachment{Name: name, ContentType: ct, Data: raw})
		return
	}
	switch mt {
	case "text/plain":
		p.Text = string(raw)
	case "text/html":
		p.HTML = string(raw)
	default:
		t.Fatalf("unexpected part %s", ct)
	}
}

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newOutbox returns an outbox on a fresh data file with a test clock and a
// fixed backoff of one minute per attempt.
func newOutbox(t testing.TB, snd mail.Sender, c *clock) *mail.Outbox {
	t.Helper()
	return &mail.Outbox{
		DB: storetest.Open(t), Sender: snd, Now: c.Now,
		Backoff: func(attempt int) time.Duration { return time.Duration(attempt) * time.Minute },
	}
}

// message returns a simple valid outbox message.
func message(i int) store.OutboxMessage {
	return store.OutboxMessage{
		ID: fmt.Sprintf("test/%03d", i), Kind: "test", To: fmt.Sprintf("p%d@example.com", i),
		ToName: fmt.Sprintf("参会人 %d", i), Subject: fmt.Sprintf("测试邮件 Test %d", i), Text: fmt.Sprintf("正文 body %d", i),
	}
}

// states returns the state of every message of the outbox by id.
func states(t testing.TB, db *store.DB) map[string]store.OutboxMessage {
	t.Helper()
	out := map[string]store.OutboxMessage{}
	err := db.View(func(tx *store.Tx) error {
		ms, err := tx.Outbox(store.OutboxFilter{})
		for _, m := range ms {
			out[m.ID] = m
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// messageIDs counts the received messages by Message-ID.
func messageIDs(t testing.TB, got []received) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, r := range got {
		n[parseMail(t, r.Data).Header.Get("Message-Id")]++
	}
	return n
}

// fixture is a small fair: one enterprise and two universities, with a
// moved meeting and a cancelled one.
type fixture struct {
	ds        *fairmatch.Dataset
	dir       *notify.Directory
	agenda    *fairmatch.Agenda
	cancelled []fairmatch.Meeting
}

func newFixture() fixture {
	cst := time.FixedZone("CST", 8*3600)
	at := func(h, m int) time.Time { return time.Date(2027, 3, 15, h, m, 0, 0, cst) }
	ds := &fairmatch.Dataset{
		Enterprises:  []fairmatch.Enterprise{{ID: "E001", Name: "长治某精密制造有限公司"}},
		Universities: []fairmatch.University{{ID: "U01", Name: "中北大学"}, {ID: "U02", Name: "太原理工大学"}},
		People: []fairmatch.Person{
			{ID: "P-E001-1", Name: "王工", Email: "wang@example.com", Org: "E001", Role: fairmatch.RoleRepresentative},
			{ID: "P-E001-2", Name: "孙工", Email: "sun@example.com", Org: "E001", Role: fairmatch.RoleRepresentative},
			{ID: "P-U01-3", Name: "李教授", Email: "li@example.edu.cn", Org: "U01", Role: fairmatch.RoleExpert},
			{ID: "P-U02-1", Name: "陈博士", Email: "chen@example.edu.cn", Org: "U02", Role: fairmatch.RoleExpert},
			{ID: "P-U02-2", Name: "吴老师", Org: "U02", Role: fairmatch.RoleExpert},
		},
		Problems: []fairmatch.Problem{
			{ID: "PR001", Enterprise: "E001", Title: "数控机床主轴热变形补偿"},
			{ID: "PR002", Enterprise: "E001", Title: "精密零件表面缺陷视觉检测"},
		},
		Offerings: []fairmatch.Offering{
			{ID: "O001", University: "U01", Title: "机床热误差建模与实时补偿技术"},
			{ID: "O002", University: "U01", Title: "基于深度学习的表面缺陷检测"},
			{ID: "O004", University: "U02", Title: "金属表面处理工艺"},
		},
	}
	a := &fairmatch.Agenda{Fair: "2027-03", Timezone: "Asia/Shanghai", Meetings: []fairmatch.Meeting{
		{ID: "M0001", Enterprise: "E001", University: "U01", Start: at(9, 0), End: at(9, 20), Table: "T01",
			Attendees: []string{"P-E001-1", "P-E001-2", "P-U01-3"},
			Items:     []fairmatch.MeetingItem{{Problem: "PR001", Offering: "O001"}, {Problem: "PR002", Offering: "O002"}}},
		{ID: "M0003", Enterprise: "E001", University: "U02", Start: at(10, 30), End: at(10, 50), Table: "T03", Sequence: 1,
			Attendees: []string{"P-E001-1", "P-U02-1"},
			Items:     []fairmatch.MeetingItem{{Problem: "PR002", Offering: "O004"}}},
	}}
	cancelled := []fairmatch.Meeting{
		{ID: "M0004", Enterprise: "E001", University: "U02", Start: at(11, 0), End: at(11, 20), Table: "T02", Sequence: 0,
			Attendees: []string{"P-E001-1", "P-U02-2"},
			Items:     []fairmatch.MeetingItem{{Problem: "PR001", Offering: "O004"}}},
	}
	return fixture{ds: ds, dir: notify.NewDirectory(ds), agenda: a, cancelled: cancelled}
}
