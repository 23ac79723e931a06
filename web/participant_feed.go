package web

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/notify"
	"github.com/fairmatch/fairmatch/store"
)

// feedProdID is the PRODID of the merged feed calendar.
const feedProdID = "-//fairmatch//fairmatch web feed//ZH"

// feed is GET /feed/{token}.ics: the calendar of the token's person across
// every fair with a published agenda, for a calendar application to
// subscribe to. The token is the only credential (no cookie is read or
// set); a revoked, rotated or unknown token gets 404.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "private, no-cache")
	tok, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok || s.Auth == nil {
		http.Error(w, "no such calendar", http.StatusNotFound)
		return
	}
	person, err := s.Auth.FeedPerson(tok)
	if err != nil {
		if fairmatch.ErrorCode(err) == fairmatch.EUNAUTHORIZED {
			http.Error(w, "this calendar address is no longer valid; get a new one from your schedule page", http.StatusNotFound)
			return
		}
		s.log().Error("calendar feed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	b, err := s.personFeed(person)
	if err != nil {
		s.log().Error("calendar feed", "person", person, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h.Set("Content-Type", notify.CalendarContentType)
	h.Set("Content-Disposition", `inline; filename="fairmatch.ics"`)
	_, _ = w.Write(b)
}

// personFeed renders person's calendar across every published fair: one
// notify.Calendar per fair, merged into one VCALENDAR.
func (s *Server) personFeed(person string) ([]byte, error) {
	type fairCal struct {
		a  *fairmatch.Agenda
		cx []fairmatch.Meeting
	}
	var (
		cals []fairCal
		ds   *fairmatch.Dataset
	)
	err := s.DB.View(func(tx *store.Tx) (err error) {
		if ds, err = tx.Dataset(); err != nil {
			return err
		}
		fairs, err := tx.Fairs()
		if err != nil {
			return err
		}
		for _, f := range fairs {
			a, err := tx.Agenda(f.ID)
			if fairmatch.ErrorCode(err) == fairmatch.ENOTFOUND {
				continue
			}
			if err != nil {
				return err
			}
			cx, err := tx.Cancelled(f.ID)
			if err != nil {
				return err
			}
			if attends(a, cx, person) {
				cals = append(cals, fairCal{a, cx})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("feed of %s: %w", person, err)
	}
	dir := notify.NewDirectory(ds)
	now := s.now()
	parts := make([][]byte, 0, len(cals))
	for _, c := range cals {
		b, err := notify.Calendar(c.a, c.cx, person, dir, now)
		if err != nil {
			return nil, fmt.Errorf("feed of %s, fair %s: %w", person, c.a.Fair, err)
		}
		parts = append(parts, b)
	}
	return mergeCalendars("洽谈日程 Schedule · "+dir.PersonName(person), parts), nil
}

// vtimezone is one time zone of a merged calendar: its own properties and
// its observances (STANDARD and DAYLIGHT components) without repeats.
type vtimezone struct {
	props []string // content lines, folded as they came
	obs   []string // whole components, lines joined with CRLF
	seen  map[string]bool
}

// mergeCalendars joins iCalendar streams (as notify.Calendar writes them)
// into one VCALENDAR named name: every VEVENT as it is, and one VTIMEZONE
// per TZID holding the union of the observances the streams give for it
// (each stream's VTIMEZONE covers the years of its own meetings, so the
// union covers all of them). Lines are copied as they are, still folded: a
// continuation line starts with a space and so never looks like a BEGIN or
// END line.
func mergeCalendars(name string, cals [][]byte) []byte {
	var (
		zones  = map[string]*vtimezone{}
		order  []string
		events []string
	)
	for _, cal := range cals {
		lines := strings.Split(strings.TrimSuffix(string(cal), "\r\n"), "\r\n")
		for i := 0; i < len(lines); i++ {
			switch lines[i] {
			case "BEGIN:VEVENT":
				j := endOf(lines, i, "VEVENT")
				if j < 0 {
					i = len(lines)
					continue
				}
				events = append(events, strings.Join(lines[i:j+1], "\r\n"))
				i = j
			case "BEGIN:VTIMEZONE":
				j := endOf(lines, i, "VTIMEZONE")
				if j < 0 {
					i = len(lines)
					continue
				}
				tzid, props, obs := splitZone(lines[i+1 : j])
				z, ok := zones[tzid]
				if !ok {
					z = &vtimezone{props: props, seen: map[string]bool{}}
					zones[tzid] = z
					order = append(order, tzid)
				}
				for _, o := range obs {
					if !z.seen[o] {
						z.seen[o] = true
						z.obs = append(z.obs, o)
					}
				}
				i = j
			}
		}
	}

	var b strings.Builder
	line := func(l string) { b.WriteString(l); b.WriteString("\r\n") }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:" + feedProdID)
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	b.WriteString(foldLine("X-WR-CALNAME:" + escapeText(name)))
	if len(order) == 1 {
		b.WriteString(foldLine("X-WR-TIMEZONE:" + escapeText(order[0])))
	}
	line("REFRESH-INTERVAL;VALUE=DURATION:PT1H")
	line("X-PUBLISHED-TTL:PT1H")
	for _, tzid := range order {
		z := zones[tzid]
		line("BEGIN:VTIMEZONE")
		for _, p := range z.props {
			line(p)
		}
		for _, o := range z.obs {
			line(o)
		}
		line("END:VTIMEZONE")
	}
	for _, e := range events {
		line(e)
	}
	line("END:VCALENDAR")
	return []byte(b.String())
}

// endOf returns the index of the line that ends the component begun at
// lines[i], or -1 if it is not properly ended.
func endOf(lines []string, i int, comp string) int {
	depth := 0
	for j := i; j < len(lines); j++ {
		switch {
		case strings.HasPrefix(lines[j], "BEGIN:"):
			depth++
		case strings.HasPrefix(lines[j], "END:"):
			depth--
			if depth == 0 && lines[j] == "END:"+comp {
				return j
			}
		}
	}
	return -1
}

// splitZone splits the inside of a VTIMEZONE into its TZID (unfolded), its
// property lines and its sub-components.
func splitZone(lines []string) (tzid string, props, obs []string) {
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "BEGIN:") {
			j := endOf(lines, i, strings.TrimPrefix(l, "BEGIN:"))
			if j < 0 {
				break
			}
			obs = append(obs, strings.Join(lines[i:j+1], "\r\n"))
			i = j
			continue
		}
		props = append(props, l)
		if strings.HasPrefix(l, "TZID") {
			full := l
			for k := i + 1; k < len(lines) && strings.HasPrefix(lines[k], " "); k++ {
				full += lines[k][1:]
			}
			_, tzid, _ = strings.Cut(full, ":")
		}
	}
	return tzid, props, obs
}

// escapeText escapes an iCalendar TEXT value (RFC 5545 §3.3.11); control
// characters other than line breaks are dropped.
func escapeText(s string) string {
	s = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`).Replace(strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// foldLine returns a content line folded at 75 octets (RFC 5545 §3.1),
// never inside a UTF-8 character, with CRLF after each physical line.
func foldLine(l string) string {
	var b strings.Builder
	limit := 75
	for len(l) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(l[cut]) {
			cut--
		}
		b.WriteString(l[:cut])
		b.WriteString("\r\n ")
		l = l[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(l)
	b.WriteString("\r\n")
	return b.String()
}
