package mail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"mime"
	"net"
	"strings"
	"testing"
	"time"

	ical "github.com/arran4/golang-ical"
	"github.com/emersion/go-smtp"

	"github.com/fairmatch/fairmatch/mail"
)

// TestSendDeliversMIME sends a composed schedule through a real SMTP server
// and checks the bytes it received as a mail client would read them.
func TestSendDeliversMIME(t *testing.T) {
	srv := startServer(t)
	f := newFixture()
	c := newClock()
	m, err := mail.Compose(mail.KindPublished, f.agenda, f.cancelled, "P-E001-1", f.dir, "https://fair.example.cn/p/abc", c.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.sender(t).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Received()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	if got[0].From != "fair@zone.example.cn" || len(got[0].To) != 1 || got[0].To[0] != "wang@example.com" {
		t.Errorf("envelope from %q to %q", got[0].From, got[0].To)
	}
	p := parseMail(t, got[0].Data)
	if p.Subject != m.Subject || !strings.Contains(p.Subject, "您的洽谈日程") {
		t.Errorf("Subject decodes to %q, want %q", p.Subject, m.Subject)
	}
	if len(p.From) != 1 || p.From[0].Name != "高新区科技局 Science Office" || p.From[0].Address != "fair@zone.example.cn" {
		t.Errorf("From = %v", p.From)
	}
	if len(p.To) != 1 || p.To[0].Name != "王工" || p.To[0].Address != "wang@example.com" {
		t.Errorf("To = %v", p.To)
	}
	if id, want := p.Header.Get("Message-Id"), "<"+mail.MessageID(m.ID, "zone.example.cn")+">"; id != want {
		t.Errorf("Message-ID = %q, want %q", id, want)
	}
	if h := p.Header.Get("Auto-Submitted"); h != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", h)
	}
	if norm(p.Text) != norm(m.Text) || !strings.Contains(p.Text, "王工，您好") || !strings.Contains(p.Text, "Dear 王工") {
		t.Errorf("text part differs from the message's text:\n%s", p.Text)
	}
	if norm(p.HTML) != norm(m.HTML) || !strings.Contains(p.HTML, `href="https://fair.example.cn/p/abc"`) {
		t.Errorf("HTML part differs from the message's HTML:\n%s", p.HTML)
	}
	if len(p.Attachments) != 1 {
		t.Fatalf("%d attachments, want 1", len(p.Attachments))
	}
	a := p.Attachments[0]
	if a.Name != "2027-03-P-E001-1.ics" {
		t.Errorf("attachment name %q", a.Name)
	}
	mt, params, err := mime.ParseMediaType(a.ContentType)
	if err != nil || mt != "text/calendar" || params["method"] != "PUBLISH" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("attachment Content-Type %q (%v)", a.ContentType, err)
	}
	if !bytes.Equal(a.Data, m.Attachments[0].Data) {
		t.Errorf("attachment bytes differ from the calendar")
	}
	if !bytes.HasPrefix(a.Data, []byte("BEGIN:VCALENDAR\r\n")) {
		t.Errorf("attachment does not start with BEGIN:VCALENDAR")
	}
	cal, err := ical.ParseCalendar(bytes.NewReader(a.Data))
	if err != nil {
		t.Fatalf("parse attached calendar: %v", err)
	}
	uids := map[string]string{}
	for _, ev := range cal.Events() {
		uids[ev.Id()] = ev.GetProperty(ical.ComponentPropertyStatus).Value
	}
	want := map[string]string{"M0001.2027-03@fairmatch": "CONFIRMED", "M0003.2027-03@fairmatch": "CONFIRMED",
		"M0004.2027-03@fairmatch": "CANCELLED"}
	for uid, status := range want {
		if uids[uid] != status {
			t.Errorf("calendar event %s has status %q, want %q (events %v)", uid, uids[uid], status, uids)
		}
	}
}

// norm drops carriage returns, which a transfer may add to line ends.
func norm(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// TestSendClassifiesFailures checks which server answers make a failure
// permanent.
func TestSendClassifiesFailures(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(s *mailServer, cfg *mail.Config)
		permanent bool
		mention   string
	}{
		{"greeting 421", func(s *mailServer, _ *mail.Config) {
			s.Refuse(&smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "too busy"})
		}, false, "421"},
		{"greeting 554 is about the server, not the message", func(s *mailServer, _ *mail.Config) {
			s.Refuse(&smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 3, 2}, Message: "no service"})
		}, false, "554"},
		{"recipient 550", func(s *mailServer, _ *mail.Config) {
			s.RejectRcpt("p1@example.com", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"})
		}, true, "550"},
		{"recipient 451", func(s *mailServer, _ *mail.Config) {
			s.RejectRcpt("p1@example.com", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"})
		}, false, "451"},
		{"data 552", func(s *mailServer, _ *mail.Config) {
			s.FailData(&smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "too big"})
		}, true, "552"},
		{"data 451", func(s *mailServer, _ *mail.Config) {
			s.FailData(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "local error"})
		}, false, "451"},
		{"connection refused", func(s *mailServer, _ *mail.Config) { s.Stop() }, false, "refused"},
		{"STARTTLS required, not offered", func(_ *mailServer, cfg *mail.Config) { cfg.TLS = mail.TLSStartTLS }, false, "STARTTLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t)
			cfg := srv.config()
			tt.setup(srv, &cfg)
			snd, err := mail.NewSMTP(cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = snd.Send(context.Background(), message(1))
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if mail.IsPermanent(err) != tt.permanent {
				t.Errorf("IsPermanent = %v, want %v: %v", !tt.permanent, tt.permanent, err)
			}
			if !strings.Contains(err.Error(), tt.mention) || !strings.Contains(err.Error(), "test/001") {
				t.Errorf("error %q does not mention %q and the message id", err, tt.mention)
			}
			if n := len(srv.Received()); n != 0 {
				t.Errorf("server accepted %d messages", n)
			}
		})
	}
}

// TestSendTimesOut checks that a server that accepts the connection and
// says nothing gives a temporary error within the timeout.
func TestSendTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	addr := ln.Addr().(*net.TCPAddr)
	snd, err := mail.NewSMTP(mail.Config{Host: "127.0.0.1", Port: addr.Port, From: "fair@example.cn", TLS: mail.TLSNone,
		Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = snd.Send(context.Background(), message(1))
	if err == nil || mail.IsPermanent(err) {
		t.Fatalf("Send = %v, want a temporary error", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Send took %s with a 300ms timeout", d)
	}
}

// TestSendSTARTTLSWithAuth delivers over STARTTLS with a private CA and
// AUTH PLAIN, and fails temporarily on a wrong password.
func TestSendSTARTTLSWithAuth(t *testing.T) {
	cert, pool := selfSigned(t)
	srv := startServerWith(t, &tls.Config{Certificates: []tls.Certificate{cert}}, map[string]string{"fair": "s3cret"})
	cfg := srv.config()
	cfg.TLS, cfg.Username, cfg.Password = mail.TLSStartTLS, "fair", "s3cret"
	cfg.TLSConfig = &tls.Config{RootCAs: pool}
	snd, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := snd.Send(context.Background(), message(1)); err != nil {
		t.Fatalf("Send over STARTTLS: %v", err)
	}
	if n := len(srv.Received()); n != 1 {
		t.Fatalf("server received %d messages, want 1", n)
	}

	cfg.Password = "wrong"
	snd, err = mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = snd.Send(context.Background(), message(2))
	if err == nil || mail.IsPermanent(err) {
		t.Errorf("Send with a wrong password = %v, want a temporary error", err)
	}

	cfg.Password, cfg.TLSConfig = "s3cret", nil // the system roots do not know the test CA
	snd, err = mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := snd.Send(context.Background(), message(3)); err == nil || mail.IsPermanent(err) {
		t.Errorf("Send to an unknown certificate = %v, want a temporary error", err)
	}
	if n := len(srv.Received()); n != 1 {
		t.Errorf("server received %d messages, want still 1", n)
	}
}

// selfSigned returns a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mx.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func TestMessageID(t *testing.T) {
	a := mail.MessageID("published/2027-03/P-E001-1/1a2b3c", "zone.example.cn")
	if a != mail.MessageID("published/2027-03/P-E001-1/1a2b3c", "zone.example.cn") {
		t.Error("MessageID is not stable")
	}
	if !strings.HasPrefix(a, "published.2027-03.P-E001-1.1a2b3c.") || !strings.HasSuffix(a, "@zone.example.cn") {
		t.Errorf("MessageID = %q", a)
	}
	if b := mail.MessageID("published/2027-03/P-E001-1/1a2b3d", "zone.example.cn"); b == a {
		t.Error("different ids give the same Message-ID")
	}
	// Whatever the id, the result is a valid msg-id (dot-atom-text @ domain).
	for _, id := range []string{"", "/", "..", "登录/张三/x y", strings.Repeat("a/", 100), "<>@\"\\"} {
		got := mail.MessageID(id, "example.cn")
		local, _, ok := strings.Cut(got, "@")
		if !ok || local == "" || strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
			t.Errorf("MessageID(%q) = %q", id, got)
		}
		for _, r := range local {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_=+.", r)) {
				t.Errorf("MessageID(%q) = %q holds %q", id, got, r)
			}
		}
	}
}
