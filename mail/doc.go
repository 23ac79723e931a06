// Package mail delivers fairmatch's e-mail: participants' schedules with
// their calendar attached when an agenda is published or changed, reminders
// before a fair, and sign-in links. Messages wait in the store's outbox
// (bbolt) until the mail server has accepted them, so an outage of the mail
// server loses nothing.
//
// # Basics
//
// Compose a message, queue it in the outbox, and let an [Outbox] deliver it
// through an [SMTP] sender:
//
//	sender, err := mail.NewSMTP(mail.Config{Host: "smtp.example.cn", From: "fair@example.cn",
//		Username: "fair", Password: pw})
//	ob := &mail.Outbox{DB: db, Sender: sender, Log: logger}
//	go ob.Run(ctx)
//
//	m, err := mail.Compose(mail.KindPublished, agenda, cancelled, personID, dir, pageURL, time.Now())
//	if errors.Is(err, mail.ErrNoAddress) { /* log and skip the person */ }
//	added, err := ob.Enqueue(m) // 0 if this very message was queued before
//
// Each message has an ID that is its idempotency key. [Compose] derives it
// from the kind of mail, the fair, the person and a hash of the person's
// calendar, so publishing an unchanged agenda twice mails nobody twice, and a
// changed schedule is a new message.
//
// A message is bilingual, Chinese first and English after, as plain text and
// as HTML alternatives, with the person's iCalendar file attached as
// "<fair>-<person>.ics" (media type [CalendarContentType]).
//
// # Delivery
//
// [Outbox.Run] takes the messages that are due from the store, sends each
// outside any transaction and records the outcome in a transaction of its
// own: sent (with the time), or the error and the time of the next attempt,
// or failed. A temporary failure (connection refused, timeout, a 4xx reply)
// is retried after an exponential backoff: 30 s, 1 min, 2 min, ... up to 1 h,
// each ±20 %, until MaxAttempts (20) attempts have failed. A permanent
// failure (a 5xx reply to the message, a bad address) fails the message at
// once. The organizers see each message's state, attempts and last error in
// the store (store.Tx.Outbox, OutboxCounts) and can put a failed message back
// in the queue (store.Tx.RetryMessage). [Outbox.Flush] delivers what is due
// once, for the command line and tests.
//
// # Caveats
//
// Delivery is at least once. A message is marked sent only after the server
// accepted it, but if the process stops between the server's acceptance and
// the record of it, the message is sent again on the next run. It carries the
// same Message-ID ([MessageID]) on every attempt, so a resend can be
// recognised, and most mail systems drop the duplicate.
//
// A failure while setting up the SMTP session (greeting, STARTTLS,
// authentication) counts as temporary even with a 5xx reply: it concerns the
// server or the configuration, not the message, and failing every queued
// message at once over a wrong password would be worse than retrying until
// it is fixed. Such failures use up attempts like any other.
//
// [SMTP] opens one connection per message. The context given to Send bounds
// the connection set-up; once connected, Config.Timeout bounds the transfer.
// Sent messages stay in the outbox with their attachments.
package mail
