package mail

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/notify"
	"github.com/fairmatch/fairmatch/store"
)

// Kinds of message this package composes (store.OutboxMessage.Kind).
const (
	KindPublished = "published"  // a participant's schedule, first published
	KindChanged   = "changed"    // the schedule again after meetings moved or were cancelled
	KindReminder  = "reminder"   // the schedule again, days before the fair
	KindFollowUp  = "follow-up"  // after the fair: please report what came of the meetings
	KindLoginLink = "login-link" // a sign-in link
)

// Errors for a person who cannot be mailed a schedule; Compose wraps them in
// a *fairmatch.Error (code EINVALID) that names the person. A caller that
// mails every attendee skips such a person and logs the error.
var (
	ErrNoAddress  = errors.New("no e-mail address")
	ErrNoMeetings = errors.New("no meeting on the agenda")
)

//go:embed templates/*.tmpl
var templateFS embed.FS

var (
	textTemplates = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/*.txt.tmpl"))
	htmlTemplates = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/*.html.tmpl"))
)

// scheduleView is what the schedule templates show.
type scheduleView struct {
	Subject          string
	Name             string
	IntroZH, IntroEN string
	TZ               string
	File             string
	Link             string
	Meetings         []meetingView
	Cancelled        []meetingView
}

// meetingView is one meeting as a participant's mail shows it.
type meetingView struct {
	N              int
	WhenZH, WhenEN string
	Table          string
	WithZH, WithEN string // the other side and its people
	Topics         []topicView
	Changed        bool // moved since first published (a "changed" mail only)
}

type topicView struct{ Problem, Offering string }

// epoch is the DTSTAMP of the calendar Compose hashes, so that the hash
// depends on the schedule only.
var epoch = time.Unix(0, 0).UTC()

// Compose writes the bilingual mail (Chinese first, then English) that tells
// a participant their schedule for the fair of agenda a, with their calendar
// (notify.Calendar) attached as "<fair>-<person>.ics" and the personal page
// link if link is not empty. kind is one of:
//
//   - KindPublished: the schedule, first published;
//   - KindChanged: the schedule after a change: meetings whose Sequence is
//     above zero are marked as changed and the person's meetings in cancelled
//     are listed as cancelled;
//   - KindReminder: the fair is in N days (counted in the fair's zone from
//     now to the person's first meeting), and the schedule again.
//   - KindFollowUp: after the fair, the meetings held and a request to report
//     their outcome on the person's page (link required); no calendar is
//     attached. Its ID ends "<N>d-<hash>", N days after the last meeting.
//
// Each meeting shows its time in the fair's zone, the table, the other side
// (organisation and people) and the problem ↔ offering pairs. The message's
// ID is "<kind>/<fair>/<person>/<hash>", the hash being that of the person's
// calendar (without its time stamp), so composing an unchanged schedule
// again gives the same ID and the outbox does not mail it twice; a
// reminder's last part is "<N>d-<hash>", one per day count.
//
// A person without an e-mail address gives an error that wraps ErrNoAddress,
// one who has no meeting on the agenda or in cancelled one that wraps
// ErrNoMeetings; an invalid agenda, kind or link an EINVALID error.
func Compose(kind string, a *fairmatch.Agenda, cancelled []fairmatch.Meeting, person string, dir *notify.Directory, link string, now time.Time) (store.OutboxMessage, error) {
	fail := func(err error) (store.OutboxMessage, error) {
		return store.OutboxMessage{}, fmt.Errorf("mail: compose %s mail for %s: %w", kind, person, err)
	}
	switch kind {
	case KindPublished, KindChanged, KindReminder, KindFollowUp:
	default:
		return fail(fairmatch.Invalid("unknown kind of mail", []fairmatch.Issue{{Field: "kind",
			Reason: fmt.Sprintf("%q is not %s, %s, %s or %s", kind, KindPublished, KindChanged, KindReminder, KindFollowUp)}}))
	}
	if err := linkIssue(link, false); err != "" {
		return fail(fairmatch.Invalid("bad link", []fairmatch.Issue{{Field: "link", Reason: err}}))
	}
	to, err := address(person, dir)
	if err != nil {
		return fail(err)
	}
	ics, err := notify.Calendar(a, cancelled, person, dir, now)
	if err != nil {
		return fail(err)
	}
	stable, err := notify.Calendar(a, cancelled, person, dir, epoch)
	if err != nil {
		return fail(err)
	}
	loc, err := time.LoadLocation(a.Timezone) // notify.Calendar has checked it
	if err != nil {
		return fail(err)
	}
	mine := attended(a.Meetings, person)
	gone := attended(cancelled, person)
	if len(mine) == 0 && len(gone) == 0 {
		return fail(&fairmatch.Error{Code: fairmatch.EINVALID,
			Message: fmt.Sprintf("person %s has no meeting at fair %s", person, a.Fair), Err: ErrNoMeetings})
	}

	sum := sha256.Sum256(stable)
	hash := hex.EncodeToString(sum[:6])
	file := fileName(a.Fair + "-" + person + ".ics")
	v := scheduleView{Name: dir.PersonName(person), TZ: a.Timezone, File: file, Link: link}
	p, _ := dir.Person(person)
	for i, m := range mine {
		v.Meetings = append(v.Meetings, meetingOf(i+1, m, p, dir, loc, kind == KindChanged && m.Sequence > 0))
	}
	for i, m := range gone {
		v.Cancelled = append(v.Cancelled, meetingOf(i+1, m, p, dir, loc, false))
	}

	fair := a.Fair
	id := kind + "/" + fair + "/" + person + "/" + hash
	switch kind {
	case KindPublished:
		v.Subject = fmt.Sprintf("【%s 技术对接洽谈会】您的洽谈日程 · Your meeting schedule", fair)
		v.IntroZH = fmt.Sprintf("%s 技术对接洽谈会的洽谈安排已发布，您共有 %d 场洽谈，日程如下。", fair, len(mine))
		v.IntroEN = fmt.Sprintf("The meetings of the %s technology fair are published. You have %s:", fair, plural(len(mine), "meeting"))
	case KindChanged:
		changed := 0
		for _, m := range v.Meetings {
			if m.Changed {
				changed++
			}
		}
		v.Subject = fmt.Sprintf("【%s 技术对接洽谈会】日程变更 · Your schedule has changed", fair)
		v.IntroZH = fmt.Sprintf("您在 %s 技术对接洽谈会的日程有变更：%d 场已调整，%d 场已取消。最新日程如下。",
			fair, changed, len(gone))
		v.IntroEN = fmt.Sprintf("Your schedule for the %s technology fair has changed: %s moved or changed, %s cancelled. This is your schedule now:",
			fair, plural(changed, "meeting"), plural(len(gone), "meeting"))
	case KindReminder:
		if len(mine) == 0 {
			return fail(&fairmatch.Error{Code: fairmatch.EINVALID,
				Message: fmt.Sprintf("person %s has no meeting left at fair %s", person, fair), Err: ErrNoMeetings})
		}
		days := daysBetween(now.In(loc), mine[0].Start.In(loc))
		if days < 0 {
			return fail(fairmatch.Invalid("reminder too late", []fairmatch.Issue{{Field: "now",
				Reason: fmt.Sprintf("%s is after the person's first meeting on %s", now.Format(time.RFC3339), mine[0].Start.Format(time.RFC3339))}}))
		}
		id = kind + "/" + fair + "/" + person + "/" + fmt.Sprintf("%dd-%s", days, hash)
		whenZH, whenEN := fmt.Sprintf("%d 天后", days), fmt.Sprintf("in %s", plural(days, "day"))
		switch days {
		case 0:
			whenZH, whenEN = "今天", "today"
		case 1:
			whenZH, whenEN = "明天", "tomorrow"
		}
		v.Subject = fmt.Sprintf("【%s 技术对接洽谈会】%s举行 · The fair is %s", fair, whenZH, whenEN)
		introWhen := whenZH
		if days > 1 {
			introWhen = " " + whenZH
		}
		v.IntroZH = fmt.Sprintf("%s 技术对接洽谈会将于%s举行，提醒您的 %d 场洽谈安排如下。", fair, introWhen, len(mine))
		v.IntroEN = fmt.Sprintf("The %s technology fair is %s. A reminder of your %s:", fair, whenEN, plural(len(mine), "meeting"))
	}

	attach := []store.OutboxAttachment{{Name: file, ContentType: CalendarContentType, Data: ics}}
	if kind == KindFollowUp {
		if len(mine) == 0 {
			return fail(&fairmatch.Error{Code: fairmatch.EINVALID,
				Message: fmt.Sprintf("person %s held no meeting at fair %s", person, fair), Err: ErrNoMeetings})
		}
		last := mine[len(mine)-1].End.In(loc)
		days := daysBetween(last, now.In(loc))
		if now.Before(last) {
			return fail(fairmatch.Invalid("follow-up too early", []fairmatch.Issue{{Field: "now",
				Reason: fmt.Sprintf("%s is before the person's last meeting ends at %s", now.Format(time.RFC3339), last.Format(time.RFC3339))}}))
		}
		if link == "" {
			return fail(fairmatch.Invalid("follow-up without a link", []fairmatch.Issue{{Field: "link",
				Reason: "a follow-up asks the person to report on their page; give the link"}}))
		}
		id = kind + "/" + fair + "/" + person + "/" + fmt.Sprintf("%dd-%s", days, hash)
		v.Subject = fmt.Sprintf("【%s 技术对接洽谈会】洽谈进展如何？· How did your meetings go?", fair)
		v.IntroZH = fmt.Sprintf("感谢您参加 %s 技术对接洽谈会。请在个人页面上告诉我们以下 %d 场洽谈的进展（无进展、建立联系、签署保密协议、提交合作方案、签订合同或成果转化），我们将据此继续跟进。",
			fair, len(mine))
		v.IntroEN = fmt.Sprintf("Thank you for taking part in the %s technology fair. Please tell us on your page what came of your %s (no contact yet, contact, NDA, proposal, contract or commercialized), so that we can follow up:",
			fair, plural(len(mine), "meeting"))
		v.File, v.Cancelled, attach = "", nil, nil
	}

	text, html, err := render("schedule", v)
	if err != nil {
		return fail(err)
	}
	return store.OutboxMessage{
		ID: id, Kind: kind, Fair: fair, Person: person,
		To: to, ToName: oneLine(v.Name), Subject: oneLine(v.Subject), Text: text, HTML: html,
		Attachments: attach, State: store.OutboxQueued, Created: now,
	}, nil
}

// ComposeLoginLink writes the bilingual mail that sends a person a sign-in
// link valid until expires (shown in expires' own zone). Its ID is
// "login-link/<person>/<hash of the link>": every new link is a new message.
// An empty or invalid address gives an error (wrapping ErrNoAddress when
// empty); the link must be an absolute http or https URL.
func ComposeLoginLink(person, name, email, link string, expires time.Time) (store.OutboxMessage, error) {
	fail := func(err error) (store.OutboxMessage, error) {
		return store.OutboxMessage{}, fmt.Errorf("mail: compose login link for %s: %w", person, err)
	}
	var issues []fairmatch.Issue
	if person == "" {
		issues = append(issues, fairmatch.Issue{Field: "person", Reason: "empty person id"})
	}
	if email == "" {
		return fail(&fairmatch.Error{Code: fairmatch.EINVALID, Message: fmt.Sprintf("person %s has no e-mail address", person),
			Issues: []fairmatch.Issue{{Record: "person " + person, Field: "email", Reason: "empty"}}, Err: ErrNoAddress})
	}
	if err := store.ValidAddress(email); err != nil {
		issues = append(issues, fairmatch.Issue{Record: "person " + person, Field: "email", Reason: err.Error()})
	}
	if err := linkIssue(link, true); err != "" {
		issues = append(issues, fairmatch.Issue{Field: "link", Reason: err})
	}
	if len(issues) > 0 {
		return fail(fairmatch.Invalid("cannot compose a login link", issues))
	}
	if name == "" {
		name = person
	}
	const layout = "2006-01-02 15:04 (UTC-07:00)"
	v := struct{ Subject, Name, Link, ExpiresZH, ExpiresEN string }{
		Subject: "fairmatch 登录链接 · Your sign-in link", Name: oneLine(name), Link: link,
		ExpiresZH: expires.Format(layout), ExpiresEN: expires.Format(layout),
	}
	text, html, err := render("login", v)
	if err != nil {
		return fail(err)
	}
	sum := sha256.Sum256([]byte(link))
	return store.OutboxMessage{
		ID: KindLoginLink + "/" + person + "/" + hex.EncodeToString(sum[:8]), Kind: KindLoginLink, Person: person,
		To: email, ToName: v.Name, Subject: v.Subject, Text: text, HTML: html, State: store.OutboxQueued,
	}, nil
}

// address returns the person's e-mail address, or an EINVALID error that
// names the person (wrapping ErrNoAddress when there is none).
func address(person string, dir *notify.Directory) (string, error) {
	p, ok := dir.Person(person)
	if !ok || p.Email == "" {
		reason := "empty"
		if !ok {
			reason = "unknown person"
		}
		return "", &fairmatch.Error{Code: fairmatch.EINVALID,
			Message: fmt.Sprintf("person %s has no e-mail address", person),
			Issues:  []fairmatch.Issue{{Record: "person " + person, Field: "email", Reason: reason}},
			Err:     ErrNoAddress}
	}
	if err := store.ValidAddress(p.Email); err != nil {
		return "", fairmatch.Invalid(fmt.Sprintf("person %s has a bad e-mail address", person),
			[]fairmatch.Issue{{Record: "person " + person, Field: "email", Reason: err.Error()}})
	}
	return p.Email, nil
}

// linkIssue checks a link given to a mail; it returns why it is bad, or "".
func linkIssue(link string, required bool) string {
	if link == "" {
		if required {
			return "empty link"
		}
		return ""
	}
	if !utf8.ValidString(link) || strings.IndexFunc(link, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return fmt.Sprintf("%q holds spaces or control characters", link)
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute http or https URL", link)
	}
	return ""
}

// attended returns the meetings person attends, by start time then id.
func attended(ms []fairmatch.Meeting, person string) []fairmatch.Meeting {
	var out []fairmatch.Meeting
	for _, m := range ms {
		if slices.Contains(m.Attendees, person) {
			out = append(out, m)
		}
	}
	slices.SortStableFunc(out, func(x, y fairmatch.Meeting) int {
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out
}

var (
	weekdaysZH = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
)

// meetingOf renders one meeting for person p.
func meetingOf(n int, m fairmatch.Meeting, p fairmatch.Person, dir *notify.Directory, loc *time.Location, changed bool) meetingView {
	start, end := m.Start.In(loc), m.End.In(loc)
	v := meetingView{
		N:       n,
		WhenZH:  fmt.Sprintf("%d月%d日（%s）%s–%s", start.Month(), start.Day(), weekdaysZH[start.Weekday()], start.Format("15:04"), end.Format("15:04")),
		WhenEN:  fmt.Sprintf("%s %s–%s", start.Format("Mon 2 Jan"), start.Format("15:04"), end.Format("15:04")),
		Table:   m.Table,
		Changed: changed,
	}
	// The other side: the university for an enterprise's people, the
	// enterprise for a university's, both for anyone else.
	var org string
	switch p.Org {
	case m.Enterprise:
		org = dir.UniversityName(m.University)
	case m.University:
		org = dir.EnterpriseName(m.Enterprise)
	default:
		org = dir.EnterpriseName(m.Enterprise) + " × " + dir.UniversityName(m.University)
	}
	var people []string
	for _, id := range m.Attendees {
		if id == p.ID || slices.Contains(people, dir.PersonName(id)) {
			continue
		}
		if q, ok := dir.Person(id); ok && p.Org != "" && q.Org == p.Org {
			continue // a colleague, not the other side
		}
		people = append(people, dir.PersonName(id))
	}
	v.WithZH, v.WithEN = org, org
	if len(people) > 0 {
		v.WithZH = org + "（" + strings.Join(people, "、") + "）"
		v.WithEN = org + " (" + strings.Join(people, ", ") + ")"
	}
	for _, it := range m.Items {
		v.Topics = append(v.Topics, topicView{Problem: dir.ProblemTitle(it.Problem), Offering: dir.OfferingTitle(it.Offering)})
	}
	return v
}

// daysBetween counts the calendar days from a's date to b's, both in their
// own (the same) zone.
func daysBetween(a, b time.Time) int {
	da := time.Date(a.Year(), a.Month(), a.Day(), 12, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// plural writes "1 meeting", "3 meetings".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// oneLine makes s fit a header: line breaks and other control characters
// become spaces, invalid UTF-8 becomes U+FFFD.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// fileName makes s usable as an attachment's file name.
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`/\"`, r) {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(s, "_"))
}

// render executes the text and HTML templates of the given name.
func render(name string, v any) (text, html string, err error) {
	var t, h bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&t, name+".txt.tmpl", v); err != nil {
		return "", "", fmt.Errorf("render %s text: %w", name, err)
	}
	if err := htmlTemplates.ExecuteTemplate(&h, name+".html.tmpl", v); err != nil {
		return "", "", fmt.Errorf("render %s HTML: %w", name, err)
	}
	return strings.ToValidUTF8(t.String(), "\uFFFD"), strings.ToValidUTF8(h.String(), "\uFFFD"), nil
}
