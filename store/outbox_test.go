package store_test

import (
	"fmt"
	"net/mail"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/store/storetest"
)

var outboxT0 = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

func outboxMessage(id string) store.OutboxMessage {
	return store.OutboxMessage{
		ID: id, Kind: "published", Fair: "2027-03", Person: "P-E001-1",
		To: "wang@example.com", ToName: "王工", Subject: "【2027-03】您的洽谈日程 · Your schedule",
		Text: "正文", HTML: "<p>正文</p>", Created: outboxT0, NextAttempt: outboxT0,
		Attachments: []store.OutboxAttachment{{Name: "2027-03-P-E001-1.ics", ContentType: "text/calendar", Data: []byte("BEGIN:VCALENDAR\r\n")}},
	}
}

func enqueue(tb testing.TB, db *store.DB, ms ...store.OutboxMessage) []bool {
	tb.Helper()
	var added []bool
	mustUpdate(tb, db, func(tx *store.Tx) error {
		for _, m := range ms {
			ok, err := tx.Enqueue(m)
			if err != nil {
				return err
			}
			added = append(added, ok)
		}
		return nil
	})
	return added
}

func dueIDs(tb testing.TB, db *store.DB, now time.Time, limit int) []string {
	tb.Helper()
	var ids []string
	mustView(tb, db, func(tx *store.Tx) error {
		ms, err := tx.DueMessages(now, limit)
		for _, m := range ms {
			ids = append(ids, m.ID)
		}
		return err
	})
	return ids
}

func TestOutboxEnqueueRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fm.db")
	db := MustOpen(t, path)
	m := outboxMessage("published/2027-03/P-E001-1/abc")
	m.State, m.Attempts, m.LastError = store.OutboxSent, 5, "stale" // Enqueue resets these
	if added := enqueue(t, db, m, m); !slices.Equal(added, []bool{true, false}) {
		t.Fatalf("Enqueue twice added %v, want [true false]", added)
	}
	changed := m
	changed.Subject = "changed"
	if added := enqueue(t, db, changed); added[0] {
		t.Error("Enqueue replaced a message with the same id")
	}
	want := m
	want.State, want.Attempts, want.LastError = store.OutboxQueued, 0, ""
	var got store.OutboxMessage
	mustView(t, db, func(tx *store.Tx) (err error) { got, err = tx.OutboxMessage(m.ID); return err })
	sameJSON(t, "stored message", got, want)

	// The message and its place in the queue survive a reopen.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = MustOpen(t, path)
	if ids := dueIDs(t, db, outboxT0, 0); !slices.Equal(ids, []string{m.ID}) {
		t.Errorf("due after reopen: %v", ids)
	}
	for _, id := range []string{"", "missing", "\x00due\x00"} {
		err := db.View(func(tx *store.Tx) error { _, err := tx.OutboxMessage(id); return err })
		wantCode(t, err, fairmatch.ENOTFOUND)
	}
}

func TestOutboxEnqueueRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(*store.OutboxMessage)
		field  string
	}{
		{"empty id", func(m *store.OutboxMessage) { m.ID = "" }, "id"},
		{"NUL in id", func(m *store.OutboxMessage) { m.ID = "a\x00b" }, "id"},
		{"no address", func(m *store.OutboxMessage) { m.To = "" }, "to"},
		{"address with a name", func(m *store.OutboxMessage) { m.To = "王工 <wang@example.com>" }, "to"},
		{"two addresses", func(m *store.OutboxMessage) { m.To = "a@example.com, b@example.com" }, "to"},
		{"no domain dot", func(m *store.OutboxMessage) { m.To = "wang@localhost" }, "to"},
		{"no at", func(m *store.OutboxMessage) { m.To = "wang.example.com" }, "to"},
		{"subject not UTF-8", func(m *store.OutboxMessage) { m.Subject = "bad \xff" }, "subject"},
		{"text not UTF-8", func(m *store.OutboxMessage) { m.Text = "\xc3" }, "text"},
		{"subject on two lines", func(m *store.OutboxMessage) { m.Subject = "a\r\nBcc: x@example.com" }, "subject"},
		{"name on two lines", func(m *store.OutboxMessage) { m.ToName = "a\nb" }, "to_name"},
		{"attachment without name", func(m *store.OutboxMessage) { m.Attachments[0].Name = "" }, "attachments[0].name"},
		{"attachment path", func(m *store.OutboxMessage) { m.Attachments[0].Name = "../x.ics" }, "attachments[0].name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := storetest.Open(t)
			m := outboxMessage("published/2027-03/P-E001-1/abc")
			m.Attachments = slices.Clone(m.Attachments)
			tt.change(&m)
			err := db.Update(func(tx *store.Tx) error {
				if _, err := tx.Enqueue(outboxMessage("other")); err != nil {
					return err
				}
				_, err := tx.Enqueue(m)
				return err
			})
			wantCode(t, err, fairmatch.EINVALID)
			issues := fairmatch.ErrorIssues(err)
			if !slices.ContainsFunc(issues, func(is fairmatch.Issue) bool {
				return is.Field == tt.field && strings.HasPrefix(is.Record, "outbox message")
			}) {
				t.Errorf("issues %v do not name field %s of the outbox message", issues, tt.field)
			}
			var c map[string]int
			mustView(t, db, func(tx *store.Tx) (err error) { c, err = tx.OutboxCounts(); return err })
			if c[store.OutboxQueued] != 0 {
				t.Errorf("the rejected transaction left %v", c)
			}
		})
	}
}

func TestOutboxDueMessages(t *testing.T) {
	db := storetest.Open(t)
	at := func(id string, next time.Time) store.OutboxMessage {
		m := outboxMessage(id)
		m.NextAttempt = next
		return m
	}
	enqueue(t, db,
		at("c", outboxT0.Add(time.Minute)),
		at("a", outboxT0.Add(2*time.Minute)),
		at("zero", time.Time{}),                                // due since forever
		at("old", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)), // before 1970 sorts first too
		at("b", outboxT0.Add(time.Minute)),                     // same time as c: by id
		at("later", outboxT0.Add(time.Hour)),
	)
	now := outboxT0.Add(2 * time.Minute)
	if got, want := dueIDs(t, db, now, 0), []string{"zero", "old", "b", "c", "a"}; !slices.Equal(got, want) {
		t.Errorf("due = %v, want %v", got, want)
	}
	if got := dueIDs(t, db, now, 2); !slices.Equal(got, []string{"zero", "old"}) {
		t.Errorf("due with limit 2 = %v", got)
	}
	if got := dueIDs(t, db, time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), 0); !slices.Equal(got, []string{"zero"}) {
		t.Errorf("due in 1900 = %v", got)
	}

	// Recording attempts moves messages out of and within the queue.
	mustUpdate(t, db, func(tx *store.Tx) error {
		for id, change := range map[string]func(*store.OutboxMessage){
			"zero": func(m *store.OutboxMessage) { m.State, m.Sent = store.OutboxSent, now },
			"old":  func(m *store.OutboxMessage) { m.State, m.LastError = store.OutboxFailed, "550" },
			"b":    func(m *store.OutboxMessage) { m.Attempts, m.NextAttempt = 1, outboxT0.Add(10*time.Minute) },
		} {
			m, err := tx.OutboxMessage(id)
			if err != nil {
				return err
			}
			change(&m)
			if err := tx.PutOutboxMessage(m); err != nil {
				return err
			}
		}
		return nil
	})
	if got, want := dueIDs(t, db, now, 0), []string{"c", "a"}; !slices.Equal(got, want) {
		t.Errorf("due after recording = %v, want %v", got, want)
	}
	if got, want := dueIDs(t, db, outboxT0.Add(10*time.Minute), 0), []string{"c", "a", "b"}; !slices.Equal(got, want) {
		t.Errorf("due later = %v, want %v", got, want)
	}
	mustView(t, db, func(tx *store.Tx) error {
		next, ok, err := tx.NextOutboxAttempt()
		if err != nil || !ok || !next.Equal(outboxT0.Add(time.Minute)) {
			t.Errorf("NextOutboxAttempt = %s, %v, %v", next, ok, err)
		}
		return nil
	})
	err := db.Update(func(tx *store.Tx) error {
		m := outboxMessage("c")
		m.State = "lost"
		return tx.PutOutboxMessage(m)
	})
	wantCode(t, err, fairmatch.EINVALID)

	// Once everything is sent nothing is due, and nothing is next.
	mustUpdate(t, db, func(tx *store.Tx) error {
		ms, err := tx.Outbox(store.OutboxFilter{State: store.OutboxQueued})
		for _, m := range ms {
			m.State = store.OutboxSent
			if err := tx.PutOutboxMessage(m); err != nil {
				return err
			}
		}
		return err
	})
	if got := dueIDs(t, db, outboxT0.Add(24*time.Hour), 0); len(got) != 0 {
		t.Errorf("due after sending everything: %v", got)
	}
	mustView(t, db, func(tx *store.Tx) error {
		if _, ok, err := tx.NextOutboxAttempt(); ok || err != nil {
			t.Errorf("NextOutboxAttempt with an empty queue = %v, %v", ok, err)
		}
		return nil
	})
}

func TestOutboxFilterAndCounts(t *testing.T) {
	db := storetest.Open(t)
	var ms []store.OutboxMessage
	for i := range 9 {
		m := outboxMessage(fmt.Sprintf("m%d", i))
		m.Fair = []string{"2027-03", "2027-05", "2027-03"}[i%3]
		m.Person = fmt.Sprintf("P%d", i%2)
		m.Created = outboxT0.Add(time.Duration(i) * time.Minute)
		ms = append(ms, m)
	}
	enqueue(t, db, ms...)
	mustUpdate(t, db, func(tx *store.Tx) error {
		for _, id := range []string{"m0", "m3"} {
			m, _ := tx.OutboxMessage(id)
			m.State = store.OutboxSent
			if err := tx.PutOutboxMessage(m); err != nil {
				return err
			}
		}
		m, _ := tx.OutboxMessage("m6")
		m.State = store.OutboxFailed
		return tx.PutOutboxMessage(m)
	})
	tests := []struct {
		filter store.OutboxFilter
		want   []string
	}{
		{store.OutboxFilter{}, []string{"m8", "m7", "m6", "m5", "m4", "m3", "m2", "m1", "m0"}},
		{store.OutboxFilter{Limit: 2}, []string{"m8", "m7"}},
		{store.OutboxFilter{Fair: "2027-05"}, []string{"m7", "m4", "m1"}},
		{store.OutboxFilter{Fair: "2027-03", Person: "P0"}, []string{"m8", "m6", "m2", "m0"}},
		{store.OutboxFilter{State: store.OutboxSent}, []string{"m3", "m0"}},
		{store.OutboxFilter{State: store.OutboxFailed, Person: "P0"}, []string{"m6"}},
		{store.OutboxFilter{Fair: "2099-01"}, nil},
	}
	for _, tt := range tests {
		var got []string
		mustView(t, db, func(tx *store.Tx) error {
			ms, err := tx.Outbox(tt.filter)
			for _, m := range ms {
				got = append(got, m.ID)
			}
			return err
		})
		if !slices.Equal(got, tt.want) {
			t.Errorf("Outbox(%+v) = %v, want %v", tt.filter, got, tt.want)
		}
	}
	var c map[string]int
	mustView(t, db, func(tx *store.Tx) (err error) { c, err = tx.OutboxCounts(); return err })
	if want := map[string]int{store.OutboxQueued: 6, store.OutboxSent: 2, store.OutboxFailed: 1}; fmt.Sprint(c) != fmt.Sprint(want) {
		t.Errorf("OutboxCounts = %v, want %v", c, want)
	}
}

func TestOutboxRetryMessage(t *testing.T) {
	db := storetest.Open(t)
	enqueue(t, db, outboxMessage("failed"), outboxMessage("sent"), outboxMessage("waiting"))
	later := outboxT0.Add(time.Hour)
	mustUpdate(t, db, func(tx *store.Tx) error {
		for id, state := range map[string]string{"failed": store.OutboxFailed, "sent": store.OutboxSent, "waiting": store.OutboxQueued} {
			m, _ := tx.OutboxMessage(id)
			m.State, m.Attempts, m.LastError, m.NextAttempt = state, 3, "550 no such user", later.Add(time.Hour)
			if err := tx.PutOutboxMessage(m); err != nil {
				return err
			}
		}
		return nil
	})
	mustUpdate(t, db, func(tx *store.Tx) error {
		if err := tx.RetryMessage("failed", later); err != nil {
			return err
		}
		return tx.RetryMessage("waiting", later)
	})
	if got := dueIDs(t, db, later, 0); !slices.Equal(got, []string{"failed", "waiting"}) {
		t.Errorf("due after RetryMessage: %v", got)
	}
	mustView(t, db, func(tx *store.Tx) error {
		f, _ := tx.OutboxMessage("failed")
		w, _ := tx.OutboxMessage("waiting")
		if f.State != store.OutboxQueued || f.Attempts != 0 || f.LastError == "" || w.Attempts != 3 {
			t.Errorf("after RetryMessage: failed %s/%d/%q, waiting %d attempts", f.State, f.Attempts, f.LastError, w.Attempts)
		}
		return nil
	})
	wantCode(t, db.Update(func(tx *store.Tx) error { return tx.RetryMessage("sent", later) }), fairmatch.ECONFLICT)
	wantCode(t, db.Update(func(tx *store.Tx) error { return tx.RetryMessage("missing", later) }), fairmatch.ENOTFOUND)
}

func TestValidAddress(t *testing.T) {
	for _, ok := range []string{"wang@example.com", "zhao+fair@example.com", "li@example.edu.cn", "a.b-c@x.y", "x@[127.0.0.1]", "用户@例子.中国"} {
		if err := store.ValidAddress(ok); err != nil {
			t.Errorf("ValidAddress(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "wang", "wang@", "@example.com", "wang@localhost", "wang@example.", "wang@.com",
		"Wang <wang@example.com>", "wang@example.com ", "a@b.c, d@e.f", "a\r\n@b.c", "w\xffg@example.com", strings.Repeat("a", 250) + "@b.cn"} {
		if err := store.ValidAddress(bad); err == nil {
			t.Errorf("ValidAddress(%q) accepted it", bad)
		}
	}
}

// FuzzValidAddress checks that every address ValidAddress accepts is one
// bare RFC 5322 address that a mail library parses back to itself.
func FuzzValidAddress(f *testing.F) {
	for _, s := range []string{"wang@example.com", "a@b", "\"a b\"@example.com", "x@[127.0.0.1]", "a@b.c>", "用户@例子.中国", "a@b.c\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		if store.ValidAddress(addr) != nil {
			return
		}
		if !utf8.ValidString(addr) || len(addr) > 254 || strings.ContainsAny(addr, "\r\n\t <>") {
			t.Fatalf("accepted %q", addr)
		}
		parsed, err := mail.ParseAddress(addr)
		if err != nil || parsed.Address != addr || parsed.Name != "" {
			t.Fatalf("accepted %q, which parses as %v, %v", addr, parsed, err)
		}
		list, err := mail.ParseAddressList(addr)
		if err != nil || len(list) != 1 {
			t.Fatalf("accepted %q, which is a list of %d", addr, len(list))
		}
	})
}
