package notify

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fairmatch/fairmatch"
)

// Media types of what this package renders, for HTTP responses and e-mail
// attachments.
const (
	CalendarContentType = "text/calendar; charset=utf-8; method=PUBLISH"
	PageContentType     = "text/html; charset=utf-8"
)

const (
	prodID        = "-//fairmatch//fairmatch notify//ZH"
	localDateTime = "20060102T150405"
	utcDateTime   = "20060102T150405Z"
)

// Calendar renders the iCalendar file (RFC 5545) of one person for the fair
// of agenda a: a VCALENDAR with METHOD:PUBLISH, a VTIMEZONE for the fair's
// zone and, in time order, one VEVENT per meeting the person attends, on the
// agenda or in cancelled. cancelled holds meetings as they were last
// published that are no longer on the agenda; they are written with
// STATUS:CANCELLED and a SEQUENCE one above theirs.
//
// Each VEVENT has the UID "<meeting id>.<fair>@fairmatch", the meeting's
// Sequence as SEQUENCE, DTSTART and DTEND as local times of the fair's zone,
// the SUMMARY "洽谈 Meeting: <enterprise> × <university>", the table as
// LOCATION, a DESCRIPTION of the problems and offerings discussed and why they
// were matched, and one ATTENDEE per participant with the name as CN. now is
// written as DTSTAMP.
//
// An invalid agenda (no fair id, an unknown time zone, a meeting without id
// or with its end not after its start, a meeting both scheduled and
// cancelled, ...) gives a *fairmatch.Error with code EINVALID that lists every
// problem. A person who attends no meeting gets a calendar with no event.
func Calendar(a *fairmatch.Agenda, cancelled []fairmatch.Meeting, person string, dir *Directory, now time.Time) ([]byte, error) {
	if person == "" {
		return nil, fairmatch.Invalid("notify: calendar", []fairmatch.Issue{{Field: "person", Reason: "empty person id"}})
	}
	s, err := newSchedule(a, cancelled, now)
	if err != nil {
		return nil, err
	}
	return s.calendar(person, dir, now)
}

// calendar renders person's calendar from the checked schedule.
func (s *schedule) calendar(person string, dir *Directory, now time.Time) ([]byte, error) {
	evs := s.byPerson[person]
	w := &contentWriter{buf: make([]byte, 0, 1024+1024*len(evs))}
	w.raw("BEGIN", "VCALENDAR")
	w.raw("VERSION", "2.0")
	w.text("PRODID", prodID)
	w.raw("CALSCALE", "GREGORIAN")
	w.raw("METHOD", "PUBLISH")
	w.text("X-WR-CALNAME", fmt.Sprintf("洽谈日程 Schedule %s · %s", s.fair, dir.PersonName(person)))
	w.text("X-WR-TIMEZONE", s.loc.String())
	if err := w.vtimezone(s.loc, s.from, s.to); err != nil {
		return nil, fmt.Errorf("notify: calendar of %s for fair %s: %w", person, s.fair, err)
	}
	stamp := now.UTC().Format(utcDateTime)
	for _, ev := range evs {
		s.vevent(w, ev, dir, stamp)
	}
	w.raw("END", "VCALENDAR")
	return w.buf, nil
}

// vevent writes one meeting as a VEVENT.
func (s *schedule) vevent(w *contentWriter, ev event, dir *Directory, stamp string) {
	m := ev.m
	seq, status := m.Sequence, "CONFIRMED"
	if ev.cancelled {
		seq, status = m.Sequence+1, "CANCELLED"
	}
	w.raw("BEGIN", "VEVENT")
	w.text("UID", m.ID+"."+s.fair+"@fairmatch")
	w.raw("DTSTAMP", stamp)
	s.dateTime(w, "DTSTART", m.Start)
	s.dateTime(w, "DTEND", m.End)
	w.raw("SEQUENCE", strconv.Itoa(seq))
	w.raw("STATUS", status)
	w.text("SUMMARY", summary(m, dir))
	if m.Table != "" {
		w.text("LOCATION", m.Table)
	}
	w.text("DESCRIPTION", description(m, ev.cancelled, dir))
	w.raw("TRANSP", "OPAQUE")
	seen := make(map[string]bool, len(m.Attendees))
	for _, id := range m.Attendees {
		if seen[id] {
			continue
		}
		seen[id] = true
		p, _ := dir.Person(id)
		w.prop("ATTENDEE", []string{
			"CN=" + paramValue(dir.PersonName(id), true),
			"CUTYPE=INDIVIDUAL",
			"ROLE=REQ-PARTICIPANT",
		}, calAddress(p.Email, id))
	}
	w.raw("END", "VEVENT")
}

// dateTime writes t as a local time of the fair's zone with a TZID. A local
// time that the zone shows twice (the repeated hour when clocks go back) and
// that a reader would take as the other instant is written in UTC instead.
func (s *schedule) dateTime(w *contentWriter, name string, t time.Time) {
	local := t.In(s.loc)
	back := time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), local.Second(), 0, s.loc)
	if t.Truncate(time.Second).Equal(back) {
		w.prop(name, []string{"TZID=" + paramValue(s.loc.String(), false)}, local.Format(localDateTime))
		return
	}
	w.raw(name, t.UTC().Format(utcDateTime))
}

// summary is a meeting's one-line title.
func summary(m *fairmatch.Meeting, dir *Directory) string {
	return "洽谈 Meeting: " + dir.EnterpriseName(m.Enterprise) + " × " + dir.UniversityName(m.University)
}

// description is a meeting's plain-text details: who meets where, and the
// problems and offerings on the table with why they were matched.
func description(m *fairmatch.Meeting, cancelled bool, dir *Directory) string {
	var b strings.Builder
	b.Grow(256 + 192*len(m.Items))
	line := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
		b.WriteByte('\n')
	}
	if cancelled {
		line("已取消 Cancelled")
	}
	line("企业 Enterprise: ", dir.EnterpriseName(m.Enterprise))
	line("高校 University: ", dir.UniversityName(m.University))
	if m.Table != "" {
		line("桌号 Table: ", m.Table)
	}
	if len(m.Attendees) > 0 {
		b.WriteString("参会人 Attendees: ")
		for i, id := range m.Attendees {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(dir.PersonName(id))
		}
		b.WriteByte('\n')
	}
	if len(m.Items) > 0 {
		line("\n议题 Topics:")
		for i, it := range m.Items {
			line(strconv.Itoa(i+1), ". ", dir.ProblemTitle(it.Problem), " × ", dir.OfferingTitle(it.Offering))
			if it.Why != "" {
				line("   匹配理由 Why matched: ", it.Why)
			}
		}
	}
	b.WriteString("\n会议编号 Meeting ID: ")
	b.WriteString(m.ID)
	return b.String()
}

// calAddress is a person's CAL-ADDRESS (RFC 5545 §3.3.3): a mailto URI when
// the person has an e-mail address, else a URN naming the person's id.
func calAddress(email, id string) string {
	if email != "" {
		return "mailto:" + uriEscape(email)
	}
	return "urn:fairmatch:person:" + uriEscape(id)
}

// uriEscape percent-encodes every byte of s other than the unreserved
// characters of RFC 3986 and those that e-mail addresses commonly hold.
func uriEscape(s string) string {
	const keep = "-._~@!$&'*+="
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
