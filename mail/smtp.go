package mail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/fairmatch/fairmatch/store"
)

// CalendarContentType is the media type of an iCalendar attachment. An
// attachment whose name ends in ".ics" and that has no content type gets it.
const CalendarContentType = "text/calendar; method=PUBLISH; charset=utf-8"

// Sender delivers one outbox message. Send returns nil only when the mail
// server has accepted the message. An error that retrying cannot fix is a
// *PermanentError (see IsPermanent); any other error is taken as temporary.
type Sender interface {
	Send(ctx context.Context, m store.OutboxMessage) error
}

// PermanentError is a delivery failure that retrying cannot fix: the server
// refused the message or its recipient for good (a 5xx reply), or the
// message cannot be written (a bad address).
type PermanentError struct {
	Err error
}

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as permanent; it returns nil for nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err's chain holds a *PermanentError.
func IsPermanent(err error) bool {
	_, ok := errors.AsType[*PermanentError](err)
	return ok
}

// SMTP is a Sender that hands each message to a mail server over SMTP
// (submission with STARTTLS by default). It opens one connection per
// message, so it holds no connection between sends and is safe for
// concurrent use.
type SMTP struct {
	cfg    Config
	domain string // of the sender's address, for Message-IDs
}

// NewSMTP returns an SMTP sender for the configuration, which must be valid
// (see Config.Validate).
func NewSMTP(cfg Config) (*SMTP, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &SMTP{cfg: cfg, domain: cfg.From[strings.LastIndexByte(cfg.From, '@')+1:]}
	if _, err := s.client(); err != nil { // check the options once
		return nil, fmt.Errorf("mail: %w", err)
	}
	return s, nil
}

// client returns a go-mail client for one delivery.
func (s *SMTP) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.cfg.port()), gomail.WithTimeout(s.cfg.timeout())}
	switch s.cfg.tlsMode() {
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.TLSConfig != nil {
		tc := s.cfg.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = s.cfg.Host
		}
		opts = append(opts, gomail.WithTLSConfig(tc))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// Send delivers m over one SMTP connection. The message carries the
// Message-ID MessageID(m.ID, domain of From), the same on every attempt.
//
// A reply of 5xx to the message's MAIL, RCPT or DATA, or a message that
// cannot be written, gives a *PermanentError. Everything else is temporary:
// refused or broken connections, timeouts, 4xx replies, and failures while
// setting up the session (greeting, STARTTLS, authentication), which are
// about the server or the configuration rather than this message. If the
// server accepted the message and only closing the session failed, Send
// returns nil. ctx bounds the connection set-up; once connected, the
// transfer is bounded by Config.Timeout.
func (s *SMTP) Send(ctx context.Context, m store.OutboxMessage) error {
	msg, err := s.message(m)
	if err != nil {
		return Permanent(fmt.Errorf("mail: message %q: %w", m.ID, err))
	}
	c, err := s.client()
	if err != nil {
		return fmt.Errorf("mail: message %q: %w", m.ID, err)
	}
	err = c.DialAndSendWithContext(ctx, msg)
	if err == nil || msg.IsDelivered() {
		return nil
	}
	err = fmt.Errorf("mail: send %q to %s via %s: %w", m.ID, m.To, c.ServerAddr(), err)
	if permanentSMTP(err) {
		return Permanent(err)
	}
	return err
}

// permanentSMTP tells whether a go-mail failure is permanent: a 5xx reply to
// the message's own commands, or a message go-mail could not address.
func permanentSMTP(err error) bool {
	se, ok := errors.AsType[*gomail.SendError](err)
	if !ok {
		return false // connecting, greeting, STARTTLS or AUTH failed
	}
	switch {
	case se.IsTemp():
		return false
	case se.ErrorCode() >= 500:
		return true
	}
	switch se.Reason {
	case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
		return true
	}
	return false // the connection broke mid-transfer, or no reply code
}

// message builds the MIME message of m: text and HTML as alternatives when
// both are given, then the attachments, in UTF-8 with base64 bodies.
func (s *SMTP) message(m store.OutboxMessage) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithEncoding(gomail.EncodingB64), gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(&netmail.Address{Name: s.cfg.FromName, Address: s.cfg.From})
	if err := store.ValidAddress(m.To); err != nil {
		return nil, err
	}
	msg.ToMailAddress(&netmail.Address{Name: m.ToName, Address: m.To})
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(MessageID(m.ID, s.domain))
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	switch {
	case m.Text != "" && m.HTML != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	case m.HTML != "":
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	default:
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	}
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" && strings.HasSuffix(strings.ToLower(a.Name), ".ics") {
			ct = CalendarContentType
		}
		var opts []gomail.FileOption
		if ct != "" {
			opts = append(opts, gomail.WithFileContentType(gomail.ContentType(ct)))
		}
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), opts...); err != nil {
			return nil, fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	return msg, nil
}

// MessageID returns the Message-ID (without angle brackets) of the outbox
// message with the given id, sent from domain: a readable form of the id and
// a hash of it, "published.2027-03.P001.1a2b3c4d5e6f7a8b@domain". Every
// attempt to send a message uses the same Message-ID, so that a recipient's
// mail system and the server's logs can tell a resend.
func MessageID(outboxID, domain string) string {
	sum := sha256.Sum256([]byte(outboxID))
	var b strings.Builder
	dot := true // no leading dot, no two dots in a row
	for _, r := range outboxID {
		if b.Len() >= 48 {
			break
		}
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_=+", r)):
			b.WriteRune(r)
			dot = false
		case !dot:
			b.WriteByte('.')
			dot = true
		}
	}
	if !dot {
		b.WriteByte('.')
	}
	b.WriteString(hex.EncodeToString(sum[:8]))
	if domain == "" || strings.ContainsAny(domain, "[]<> ") {
		domain = "fairmatch.invalid"
	}
	return b.String() + "@" + domain
}
