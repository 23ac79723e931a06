package notify

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"time"

	"github.com/fairmatch/fairmatch"
)

//go:embed page.html.tmpl
var pageFS embed.FS

// pageTemplate is parsed once; a parsed template is safe for concurrent use.
var pageTemplate = template.Must(template.ParseFS(pageFS, "page.html.tmpl"))

// weekdays are the Chinese names of the days of the week, Sunday first.
var weekdays = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// pageData is what the page template shows.
type pageData struct {
	Fair     string
	Person   string // the person's name
	PersonID string
	Org      string // the person's organization, if known
	Zone     string // "Asia/Shanghai (UTC+08:00)"
	Count    int
	Days     []pageDay
}

type pageDay struct {
	Date     string // "2027-03-15 星期一 Monday"
	Meetings []pageMeeting
}

type pageMeeting struct {
	ID          string
	From, To    string // "09:00"
	Start       string // RFC 3339, for <time datetime>
	Table       string
	Counterpart string
	Others      []string // the other attendees' names
	Topics      []pageTopic
}

type pageTopic struct {
	Problem, Offering, Why string
}

// Page renders the printable HTML schedule of one person for the fair of
// agenda a: one row per meeting, grouped by day, with the time, the table,
// the counterpart (the other side's organization and attendees), the topics
// (each problem × offering) and why they were matched. Labels are Chinese
// with English beside them; the page is lang="zh-CN", prints on A4 and
// adapts to phone screens. All names are HTML-escaped.
//
// The agenda is checked as by [Calendar]. A person who attends no meeting
// gets a page that says so.
func Page(a *fairmatch.Agenda, person string, dir *Directory) ([]byte, error) {
	if person == "" {
		return nil, fairmatch.Invalid("notify: page", []fairmatch.Issue{{Field: "person", Reason: "empty person id"}})
	}
	s, err := newSchedule(a, nil, time.Now())
	if err != nil {
		return nil, err
	}
	return s.page(person, dir)
}

// page renders person's page from the checked schedule; cancelled meetings
// are left out.
func (s *schedule) page(person string, dir *Directory) ([]byte, error) {
	d := pageData{Fair: s.fair, Person: dir.PersonName(person), PersonID: person}
	if p, ok := dir.Person(person); ok && p.Org != "" {
		d.Org = dir.OrgName(p.Org)
	}
	var first time.Time
	for _, ev := range s.byPerson[person] {
		if ev.cancelled {
			continue
		}
		m := ev.m
		start, end := m.Start.In(s.loc), m.End.In(s.loc)
		if first.IsZero() {
			first = start
		}
		date := fmt.Sprintf("%s %s %s", start.Format(time.DateOnly), weekdays[start.Weekday()], start.Weekday())
		if len(d.Days) == 0 || d.Days[len(d.Days)-1].Date != date {
			d.Days = append(d.Days, pageDay{Date: date})
		}
		pm := pageMeeting{
			ID:    m.ID,
			From:  start.Format("15:04"),
			To:    end.Format("15:04"),
			Start: start.Format(time.RFC3339),
			Table: m.Table,
		}
		switch dir.side(person, m) {
		case "enterprise":
			pm.Counterpart = dir.UniversityName(m.University)
		case "university":
			pm.Counterpart = dir.EnterpriseName(m.Enterprise)
		default:
			pm.Counterpart = dir.EnterpriseName(m.Enterprise) + " × " + dir.UniversityName(m.University)
		}
		for _, id := range m.Attendees {
			if id != person {
				pm.Others = append(pm.Others, dir.PersonName(id))
			}
		}
		for _, it := range m.Items {
			pm.Topics = append(pm.Topics, pageTopic{
				Problem:  dir.ProblemTitle(it.Problem),
				Offering: dir.OfferingTitle(it.Offering),
				Why:      it.Why,
			})
		}
		day := &d.Days[len(d.Days)-1]
		day.Meetings = append(day.Meetings, pm)
		d.Count++
	}
	if first.IsZero() {
		first = s.from
	}
	_, off := first.Zone()
	d.Zone = fmt.Sprintf("%s (UTC%s)", s.loc, formatOffsetColon(off))

	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("notify: page of %s for fair %s: %w", person, s.fair, err)
	}
	return buf.Bytes(), nil
}

// formatOffsetColon formats seconds east of UTC as "+08:00".
func formatOffsetColon(sec int) string {
	o := formatOffset(sec)
	return o[:3] + ":" + o[3:5]
}
