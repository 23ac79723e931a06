package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fairmatch/fairmatch"
	bolt "go.etcd.io/bbolt"
)

// States of an outbox message.
const (
	OutboxQueued = "queued" // waiting for its (next) delivery attempt
	OutboxSent   = "sent"   // accepted by the mail server
	OutboxFailed = "failed" // given up: a permanent error or too many attempts
)

// OutboxMessage is an e-mail in the outbox with its delivery state. Its ID is
// the idempotency key of the message ("published/2027-03/P001/<hash>"):
// enqueuing a message whose ID is already in the outbox does nothing.
type OutboxMessage struct {
	ID          string             `json:"id"`
	Kind        string             `json:"kind"` // published, changed, reminder, login-link, ...
	Fair        string             `json:"fair,omitempty"`
	Person      string             `json:"person,omitempty"`
	To          string             `json:"to"` // a bare address, "wang@example.com"
	ToName      string             `json:"to_name,omitempty"`
	Subject     string             `json:"subject"`
	Text        string             `json:"text,omitempty"`
	HTML        string             `json:"html,omitempty"`
	Attachments []OutboxAttachment `json:"attachments,omitempty"`

	State       string    `json:"state"` // OutboxQueued, OutboxSent or OutboxFailed
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt,omitzero"` // when a queued message is due
	LastError   string    `json:"last_error,omitempty"`
	Created     time.Time `json:"created,omitzero"`
	Sent        time.Time `json:"sent,omitzero"`
}

// OutboxAttachment is a file attached to an outbox message.
type OutboxAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type,omitempty"`
	Data        []byte `json:"data"`
}

// OutboxFilter selects messages for Outbox. Empty fields match everything; a
// Limit of zero or less means no limit.
type OutboxFilter struct {
	Fair   string
	Person string
	State  string
	Limit  int
}

// The outbox bucket holds the messages under their ids and, for each queued
// message, an index key that orders it by due time:
//
//	"\x00due\x00" + due time (12 bytes, sortable) + id  →  empty value
//
// Message ids cannot contain a NUL byte (keyIssue), so the index keys, which
// start with one, never clash with a message and sort before every message.
const dueIndexPrefix = "\x00due\x00"

// dueKey returns the index key of a message due at t.
func dueKey(t time.Time, id string) []byte {
	k := make([]byte, 0, len(dueIndexPrefix)+12+len(id))
	k = append(k, dueIndexPrefix...)
	// Seconds with the sign bit flipped sort as unsigned big-endian bytes in
	// time order, the zero time (year 1) included.
	k = binary.BigEndian.AppendUint64(k, uint64(t.Unix())^(1<<63))
	k = binary.BigEndian.AppendUint32(k, uint32(t.Nanosecond()))
	return append(k, id...)
}

// dueKeyTime decodes the due time of an index key.
func dueKeyTime(k []byte) (time.Time, string, bool) {
	const n = len(dueIndexPrefix) + 12
	if len(k) < n || !bytes.HasPrefix(k, []byte(dueIndexPrefix)) {
		return time.Time{}, "", false
	}
	sec := int64(binary.BigEndian.Uint64(k[len(dueIndexPrefix):]) ^ (1 << 63))
	nsec := int64(binary.BigEndian.Uint32(k[len(dueIndexPrefix)+8:]))
	return time.Unix(sec, nsec), string(k[n:]), true
}

// scanMessages decodes every message record of the outbox bucket b, in id
// order, skipping the index keys.
func scanMessages[T any](b *bolt.Bucket) ([]T, error) {
	var out []T
	c := b.Cursor()
	for k, v := c.Seek([]byte{0x01}); k != nil; k, v = c.Next() {
		var rec T
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil, damaged(bucketOutbox, string(k), err)
		}
		out = append(out, rec)
	}
	return out, nil
}

// ValidAddress reports whether addr is a plausible bare e-mail address such
// as "wang@example.com": what RFC 5322 calls an addr-spec, without a display
// name or angle brackets, at most 254 bytes of valid UTF-8, whose domain has a
// dot. It returns an error saying what is wrong, or nil.
func ValidAddress(addr string) error {
	switch {
	case addr == "":
		return fmt.Errorf("empty e-mail address")
	case !utf8.ValidString(addr):
		return fmt.Errorf("e-mail address is not valid UTF-8")
	case len(addr) > 254:
		return fmt.Errorf("e-mail address is longer than 254 bytes")
	case strings.ContainsAny(addr, "\r\n\t <>"):
		return fmt.Errorf("e-mail address %q must be a bare address (no spaces, names or angle brackets)", addr)
	}
	parsed, err := mail.ParseAddress(addr)
	if err != nil {
		return fmt.Errorf("e-mail address %q: %v", addr, err)
	}
	if parsed.Name != "" || parsed.Address != addr {
		return fmt.Errorf("e-mail address %q must be a bare address", addr)
	}
	at := strings.LastIndexByte(addr, '@')
	domain := addr[at+1:]
	if !strings.HasPrefix(domain, "[") { // a domain literal needs no dot
		if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
			return fmt.Errorf("e-mail address %q: domain %q is not a full domain name", addr, domain)
		}
	}
	return nil
}

// outboxIssues checks a message about to be stored.
func outboxIssues(m *OutboxMessage) issues {
	record := "outbox message"
	if m.ID != "" && utf8.ValidString(m.ID) {
		record = fmt.Sprintf("outbox message %q", m.ID)
	}
	var is issues
	bad := func(field, format string, args ...any) {
		is = append(is, fairmatch.Issue{Record: record, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	is.key(record, "id", m.ID)
	if err := ValidAddress(m.To); err != nil {
		bad("to", "%v", err)
	}
	for _, f := range []struct{ name, value string }{
		{"id", m.ID}, {"kind", m.Kind}, {"fair", m.Fair}, {"person", m.Person},
		{"to_name", m.ToName}, {"subject", m.Subject}, {"text", m.Text}, {"html", m.HTML},
		{"last_error", m.LastError},
	} {
		if !utf8.ValidString(f.value) {
			bad(f.name, "is not valid UTF-8")
		}
	}
	for _, f := range []struct{ name, value string }{{"to_name", m.ToName}, {"subject", m.Subject}} {
		if strings.ContainsAny(f.value, "\r\n") {
			bad(f.name, "must be a single line")
		}
	}
	for i, a := range m.Attachments {
		field := fmt.Sprintf("attachments[%d]", i)
		switch {
		case a.Name == "":
			bad(field+".name", "empty file name")
		case !utf8.ValidString(a.Name):
			bad(field+".name", "is not valid UTF-8")
		case strings.ContainsAny(a.Name, "/\\\"\r\n"):
			bad(field+".name", "file name %q must not contain a slash, backslash, quote or line break", a.Name)
		}
		if !utf8.ValidString(a.ContentType) || strings.ContainsAny(a.ContentType, "\r\n") {
			bad(field+".content_type", "must be a single line of valid UTF-8")
		}
	}
	switch m.State {
	case OutboxQueued, OutboxSent, OutboxFailed:
	default:
		bad("state", "unknown state %q (want %s, %s or %s)", m.State, OutboxQueued, OutboxSent, OutboxFailed)
	}
	if m.Attempts < 0 {
		bad("attempts", "negative attempt count %d", m.Attempts)
	}
	return is
}

// Enqueue adds m to the outbox as a queued message with no attempts yet and
// reports whether it was added: a message whose ID is already in the outbox
// (whatever its state) is left as it is, and Enqueue returns false, so that a
// repeated run of whatever produced the message does not send it twice. The
// message is due at m.NextAttempt, or at once if that is zero.
//
// The ID must be a valid key (not empty, no NUL byte), To a plausible bare
// address (see ValidAddress), the subject and the recipient's name single
// lines, and every text valid UTF-8; otherwise Enqueue gives an EINVALID
// error whose Issues name the message and the field, and stores nothing.
func (tx *Tx) Enqueue(m OutboxMessage) (bool, error) {
	m.State, m.Attempts, m.LastError, m.Sent = OutboxQueued, 0, "", time.Time{}
	if err := outboxIssues(&m).err("outbox message cannot be queued"); err != nil {
		return false, err
	}
	b := tx.bucket(bucketOutbox)
	if b.Get([]byte(m.ID)) != nil {
		return false, nil
	}
	if err := put(b, bucketOutbox, m.ID, m); err != nil {
		return false, err
	}
	if err := b.Put(dueKey(m.NextAttempt, m.ID), nil); err != nil {
		return false, fmt.Errorf("index outbox message %q: %w", m.ID, err)
	}
	return true, nil
}

// OutboxMessage returns the message with the given id, or ENOTFOUND.
func (tx *Tx) OutboxMessage(id string) (OutboxMessage, error) {
	var m OutboxMessage
	ok, err := get(tx.bucket(bucketOutbox), bucketOutbox, id, &m)
	if err != nil {
		return OutboxMessage{}, err
	}
	if !ok || id == "" || strings.HasPrefix(id, "\x00") {
		return OutboxMessage{}, fairmatch.Errorf(fairmatch.ENOTFOUND, "no outbox message %q", printable(id))
	}
	return m, nil
}

// PutOutboxMessage stores m, adding it or replacing the message with its ID,
// and keeps the index of due messages in step with its State and
// NextAttempt. The delivery loop records each attempt with it. It checks m
// as Enqueue does and also needs a known State (EINVALID otherwise).
func (tx *Tx) PutOutboxMessage(m OutboxMessage) error {
	if err := outboxIssues(&m).err("outbox message cannot be stored"); err != nil {
		return err
	}
	b := tx.bucket(bucketOutbox)
	var old OutboxMessage
	found, err := get(b, bucketOutbox, m.ID, &old)
	if err != nil {
		return err
	}
	if found && old.State == OutboxQueued {
		if err := b.Delete(dueKey(old.NextAttempt, old.ID)); err != nil {
			return fmt.Errorf("unindex outbox message %q: %w", m.ID, err)
		}
	}
	if err := put(b, bucketOutbox, m.ID, m); err != nil {
		return err
	}
	if m.State == OutboxQueued {
		if err := b.Put(dueKey(m.NextAttempt, m.ID), nil); err != nil {
			return fmt.Errorf("index outbox message %q: %w", m.ID, err)
		}
	}
	return nil
}

// DueMessages returns up to limit queued messages whose NextAttempt is not
// after now, the longest due first (then by id). A limit of zero or less
// means no limit. It reads only the due messages, not the whole outbox.
func (tx *Tx) DueMessages(now time.Time, limit int) ([]OutboxMessage, error) {
	b := tx.bucket(bucketOutbox)
	var out []OutboxMessage
	c := b.Cursor()
	for k, _ := c.Seek([]byte(dueIndexPrefix)); k != nil; k, _ = c.Next() {
		due, id, ok := dueKeyTime(k)
		if !ok || due.After(now) || limit > 0 && len(out) >= limit {
			break
		}
		var m OutboxMessage
		found, err := get(b, bucketOutbox, id, &m)
		if err != nil {
			return nil, err
		}
		if !found || m.State != OutboxQueued {
			return nil, damaged(bucketOutbox, string(k), fmt.Errorf("index entry for a message that is not queued"))
		}
		out = append(out, m)
	}
	return out, nil
}

// NextOutboxAttempt returns when the queued message that is due first is
// due, and false if no message is queued.
func (tx *Tx) NextOutboxAttempt() (time.Time, bool, error) {
	k, _ := tx.bucket(bucketOutbox).Cursor().Seek([]byte(dueIndexPrefix))
	due, _, ok := dueKeyTime(k)
	return due, ok, nil
}

// Outbox returns the messages that match the filter, the most recently
// created first (then by id), for the organizers' view of what was sent to
// whom. Messages come with their attachments.
func (tx *Tx) Outbox(filter OutboxFilter) ([]OutboxMessage, error) {
	b := tx.bucket(bucketOutbox)
	all, err := scanMessages[OutboxMessage](b)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, m := range all {
		if filter.Fair != "" && m.Fair != filter.Fair ||
			filter.Person != "" && m.Person != filter.Person ||
			filter.State != "" && m.State != filter.State {
			continue
		}
		out = append(out, m)
	}
	slices.SortStableFunc(out, func(a, b OutboxMessage) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if filter.Limit > 0 && len(out) > filter.Limit {
		out = out[:filter.Limit:filter.Limit]
	}
	return out, nil
}

// OutboxCounts returns how many messages the outbox holds in each state. The
// three states are always present, with zero if no message is in them.
func (tx *Tx) OutboxCounts() (map[string]int, error) {
	counts := map[string]int{OutboxQueued: 0, OutboxSent: 0, OutboxFailed: 0}
	type state struct {
		State string `json:"state"`
	}
	states, err := scanMessages[state](tx.bucket(bucketOutbox))
	if err != nil {
		return nil, err
	}
	for _, s := range states {
		counts[s.State]++
	}
	return counts, nil
}

// RetryMessage puts the message with the given id back in the queue, due at
// now: a failed message starts again with no attempts counted (its LastError
// is kept until the next attempt), a queued one is only made due at once. It
// is ENOTFOUND if there is no such message and ECONFLICT if it was sent.
func (tx *Tx) RetryMessage(id string, now time.Time) error {
	m, err := tx.OutboxMessage(id)
	if err != nil {
		return err
	}
	switch m.State {
	case OutboxSent:
		return fairmatch.Errorf(fairmatch.ECONFLICT, "outbox message %q was sent on %s; it is not sent again",
			id, m.Sent.Format(time.RFC3339))
	case OutboxFailed:
		m.Attempts = 0
	}
	m.State, m.NextAttempt = OutboxQueued, now
	return tx.PutOutboxMessage(m)
}
