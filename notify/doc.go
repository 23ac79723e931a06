// Package notify renders what a participant of a fair receives: an iCalendar
// file (RFC 5545) of their meetings and a printable HTML page of the same
// schedule (formats.md §5: DIR/people/<person-id>.ics and .html).
//
// # Basics
//
// Build a [Directory] from the dataset to turn ids into names, then render one
// person with [Calendar] and [Page], or every attendee of an agenda at once
// with [WritePeople]:
//
//	dir := notify.NewDirectory(ds)
//	n, err := notify.WritePeople(outDir, agenda, cancelled, dir, time.Now())
//
// All functions are pure functions of their inputs (the DTSTAMP time is passed
// in), so output is byte-for-byte reproducible.
//
// # Calendars
//
// A calendar is published with METHOD:PUBLISH and carries one VEVENT per
// meeting. A meeting's UID is "<meeting id>.<fair>@fairmatch" and never
// changes; its SEQUENCE is the meeting's Sequence, which the agenda raises on
// every change, so a calendar client that imported an earlier file updates the
// event in place when a meeting moves. A cancelled meeting is written with
// STATUS:CANCELLED and a SEQUENCE one above the one last published.
//
// Times are written as local times of the fair's zone (DTSTART;TZID=...) with
// a VTIMEZONE generated from the Go time zone database: its observances are
// the zone's actual transitions over the years the meetings fall in, so it is
// exact both for zones without daylight saving time (Asia/Shanghai gets a
// single STANDARD component) and for zones with it.
//
// Text values are escaped (backslash, semicolon, comma, newline) and content
// lines are folded at 75 octets without splitting a UTF-8 character; lines end
// in CRLF. The bytes returned by [Calendar] can be attached to an e-mail as is,
// with the media type [CalendarContentType].
//
// # Caveats
//
// Parameter values (the CN of an ATTENDEE) cannot carry a double quote or a
// control character in RFC 5545; such characters are replaced (a double quote
// by an apostrophe, control characters dropped) rather than encoded with RFC
// 6868, which few clients decode. An attendee without an e-mail address is
// named by the URN "urn:fairmatch:person:<id>". No ORGANIZER is written: the dataset holds no
// organizer address. The fair's time zone must be known to the time zone
// database of the host; programs that run where the system has none should
// import time/tzdata.
package notify
