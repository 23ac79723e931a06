package mail_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/mail"
	"github.com/fairmatch/fairmatch/notify"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/store/storetest"
)

func TestCompose(t *testing.T) {
	f := newFixture()
	now := newClock().Now() // 2027-03-01 17:00 in Shanghai, 14 days before the fair
	const link = "https://fair.example.cn/p/abc"
	tests := []struct {
		kind, person string
		subject      string
		want         []string // in the text
		wantNot      []string
		idPrefix     string
	}{
		{mail.KindPublished, "P-E001-1", "您的洽谈日程",
			[]string{"王工，您好", "Dear 王工", "共有 2 场洽谈", "You have 2 meetings",
				"3月15日（周一）09:00–09:20，桌号 T01", "Mon 15 Mar 09:00–09:20, table T01",
				"洽谈方：中北大学（李教授）", "With: 中北大学 (李教授)",
				"数控机床主轴热变形补偿 ↔ 机床热误差建模与实时补偿技术", "精密零件表面缺陷视觉检测 ↔ 金属表面处理工艺",
				"Asia/Shanghai", "2027-03-P-E001-1.ics", link},
			[]string{"孙工", "【已调整】"}, "published/2027-03/P-E001-1/"},
		{mail.KindPublished, "P-U02-1", "您的洽谈日程",
			[]string{"陈博士，您好", "10:30–10:50", "洽谈方：长治某精密制造有限公司（王工）", "共有 1 场洽谈"},
			[]string{"中北大学", "已取消"}, "published/2027-03/P-U02-1/"},
		{mail.KindChanged, "P-E001-1", "日程变更",
			[]string{"1 场已调整，1 场已取消", "10:30–10:50，桌号 T03【已调整】", "table T03 [changed]",
				"已取消的洽谈：", "11:00–11:20，桌号 T02", "Cancelled meetings:", "太原理工大学 (吴老师)"},
			[]string{"T01【已调整】"}, "changed/2027-03/P-E001-1/"},
		{mail.KindReminder, "P-E001-1", "14 天后举行",
			[]string{"将于 14 天后举行", "technology fair is in 14 days", "09:00–09:20"},
			nil, "reminder/2027-03/P-E001-1/14d-"},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.person, func(t *testing.T) {
			cancelled := f.cancelled
			if tt.person == "P-U02-1" {
				cancelled = nil
			}
			m, err := mail.Compose(tt.kind, f.agenda, cancelled, tt.person, f.dir, link, now)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := f.dir.Person(tt.person)
			if m.To != p.Email || m.ToName != p.Name || m.Kind != tt.kind || m.Fair != "2027-03" || m.Person != tt.person {
				t.Errorf("addressing: %+v", m)
			}
			if !strings.Contains(m.Subject, tt.subject) || !strings.Contains(m.Subject, "2027-03") {
				t.Errorf("Subject %q lacks %q", m.Subject, tt.subject)
			}
			if !strings.HasPrefix(m.ID, tt.idPrefix) {
				t.Errorf("ID %q, want prefix %q", m.ID, tt.idPrefix)
			}
			for _, s := range tt.want {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, m.Text)
				}
			}
			for _, s := range tt.wantNot {
				if strings.Contains(m.Text, s) {
					t.Errorf("text holds %q:\n%s", s, m.Text)
				}
			}
			if zh, en := strings.Index(m.Text, "您好"), strings.Index(m.Text, "Dear"); zh < 0 || en < zh {
				t.Errorf("Chinese does not come first")
			}
			if !strings.Contains(m.HTML, `<a href="https://fair.example.cn/p/abc">`) || !strings.Contains(m.HTML, "</html>") {
				t.Errorf("HTML lacks the link:\n%s", m.HTML)
			}
			if len(m.Attachments) != 1 || m.Attachments[0].ContentType != mail.CalendarContentType ||
				!bytes.Contains(m.Attachments[0].Data, []byte("BEGIN:VCALENDAR")) {
				t.Fatalf("attachments: %+v", m.Attachments)
			}
			// The message can be queued as it is.
			db := storetest.Open(t)
			if err := db.Update(func(tx *store.Tx) error { _, err := tx.Enqueue(m); return err }); err != nil {
				t.Errorf("Enqueue: %v", err)
			}
		})
	}
}

// TestComposeIDs checks that the ID follows the schedule, not the time of
// composing, so an unchanged schedule is not mailed twice.
func TestComposeIDs(t *testing.T) {
	f := newFixture()
	now := newClock().Now()
	compose := func(kind string, a *fairmatch.Agenda, at time.Time) store.OutboxMessage {
		t.Helper()
		m, err := mail.Compose(kind, a, f.cancelled, "P-E001-1", f.dir, "", at)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	first := compose(mail.KindPublished, f.agenda, now)
	again := compose(mail.KindPublished, f.agenda, now.Add(3*time.Hour))
	if first.ID != again.ID {
		t.Errorf("recomposing an unchanged schedule changed the ID: %s, %s", first.ID, again.ID)
	}
	if bytes.Equal(first.Attachments[0].Data, again.Attachments[0].Data) {
		t.Errorf("the calendars of different times have the same DTSTAMP")
	}
	moved := *f.agenda
	moved.Meetings = slices.Clone(f.agenda.Meetings)
	moved.Meetings[0].Table, moved.Meetings[0].Sequence = "T09", 1
	if m := compose(mail.KindPublished, &moved, now); m.ID == first.ID {
		t.Errorf("a moved meeting kept the ID %s", m.ID)
	}
	r14 := compose(mail.KindReminder, f.agenda, now)
	r14b := compose(mail.KindReminder, f.agenda, now.Add(2*time.Hour))
	r1 := compose(mail.KindReminder, f.agenda, now.Add(13*24*time.Hour))
	if r14.ID != r14b.ID || r1.ID == r14.ID || !strings.Contains(r1.ID, "/1d-") || !strings.Contains(r1.Subject, "明天") {
		t.Errorf("reminder ids %s, %s, %s (%s)", r14.ID, r14b.ID, r1.ID, r1.Subject)
	}

	// Through the outbox: a re-run of publish queues nothing new.
	ob := &mail.Outbox{DB: storetest.Open(t), Now: func() time.Time { return now }}
	if n := mustEnqueue(t, ob, first); n != 1 {
		t.Fatalf("added %d", n)
	}
	if n := mustEnqueue(t, ob, again); n != 0 {
		t.Errorf("a re-run of publish queued %d messages", n)
	}
}

func TestComposeErrors(t *testing.T) {
	f := newFixture()
	now := newClock().Now()
	bad := *f.agenda
	bad.Timezone = "Mars/Olympus"
	tests := []struct {
		name        string
		kind        string
		agenda      *fairmatch.Agenda
		person      string
		link        string
		now         time.Time
		is          error
		field       string
		wantMessage string
	}{
		{"no e-mail", mail.KindPublished, f.agenda, "P-U02-2", "", now, mail.ErrNoAddress, "email", "no e-mail address"},
		{"unknown person", mail.KindPublished, f.agenda, "P-X", "", now, mail.ErrNoAddress, "email", "no e-mail address"},
		{"no meetings", mail.KindPublished, &fairmatch.Agenda{Fair: "2027-03", Timezone: "Asia/Shanghai"}, "P-E001-1", "", now, mail.ErrNoMeetings, "", "no meeting"},
		{"unknown kind", "thank-you", f.agenda, "P-E001-1", "", now, nil, "kind", "unknown kind"},
		{"follow-up before the fair", mail.KindFollowUp, f.agenda, "P-E001-1", "https://x.example/me", now, nil, "now", "too early"},
		{"follow-up without a link", mail.KindFollowUp, f.agenda, "P-E001-1", "", now.Add(30 * 24 * time.Hour), nil, "link", "without a link"},
		{"bad link", mail.KindPublished, f.agenda, "P-E001-1", "javascript:alert(1)", now, nil, "link", "bad link"},
		{"bad agenda", mail.KindPublished, &bad, "P-E001-1", "", now, nil, "timezone", "invalid agenda"},
		{"reminder after the fair", mail.KindReminder, f.agenda, "P-E001-1", "", now.Add(30 * 24 * time.Hour), nil, "now", "too late"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mail.Compose(tt.kind, tt.agenda, nil, tt.person, f.dir, tt.link, tt.now)
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
				t.Fatalf("Compose = %v, want EINVALID", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.wantMessage) || !strings.Contains(err.Error(), tt.person) {
				t.Errorf("error %q does not say %q about %s", err, tt.wantMessage, tt.person)
			}
			if tt.field != "" && !slices.ContainsFunc(fairmatch.ErrorIssues(err), func(i fairmatch.Issue) bool { return i.Field == tt.field }) {
				t.Errorf("issues %v lack field %s", fairmatch.ErrorIssues(err), tt.field)
			}
		})
	}
}

func TestComposeLoginLink(t *testing.T) {
	exp := time.Date(2027, 3, 1, 18, 0, 0, 0, time.FixedZone("CST", 8*3600))
	m, err := mail.ComposeLoginLink("P-E001-1", "王工", "wang@example.com", "https://fair.example.cn/login?t=abc", exp)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"王工，您好", "Dear 王工", "https://fair.example.cn/login?t=abc", "2027-03-01 18:00 (UTC+08:00)"} {
		if !strings.Contains(m.Text, s) {
			t.Errorf("text lacks %q:\n%s", s, m.Text)
		}
	}
	if !strings.Contains(m.HTML, `href="https://fair.example.cn/login?t=abc"`) || m.Kind != mail.KindLoginLink ||
		!strings.HasPrefix(m.ID, "login-link/P-E001-1/") || m.To != "wang@example.com" {
		t.Errorf("message: %+v", m)
	}
	other, _ := mail.ComposeLoginLink("P-E001-1", "王工", "wang@example.com", "https://fair.example.cn/login?t=def", exp)
	if other.ID == m.ID {
		t.Error("two links have one ID")
	}
	if _, err := mail.ComposeLoginLink("P-E001-1", "王工", "", "https://x.example/", exp); !errors.Is(err, mail.ErrNoAddress) {
		t.Errorf("no address: %v", err)
	}
	_, err = mail.ComposeLoginLink("P-E001-1", "王工", "wang@", "ftp://x", exp)
	if fairmatch.ErrorCode(err) != fairmatch.EINVALID || len(fairmatch.ErrorIssues(err)) != 2 {
		t.Errorf("bad address and link: %v", err)
	}
}

// FuzzCompose composes mail from arbitrary names, titles, tables and links:
// Compose either refuses with a coded error or gives a message the outbox
// accepts, with single-line valid UTF-8 headers and the calendar attached.
func FuzzCompose(f *testing.F) {
	f.Add("王工", "长治某精密制造有限公司", "数控机床主轴热变形补偿", "T01", "https://fair.example.cn/p/abc", "wang@example.com", 1)
	f.Add("a\r\nBcc: x@evil.example", "<b>&", "}}{{.Name}}", "T\n1", "http://h/\x00", "a@b.c", 0)
	f.Add("\xff\xfe", "\"quoted\"", "", "", "", "x@[127.0.0.1]", 3)
	f.Fuzz(func(t *testing.T, name, org, title, table, link, email string, seq int) {
		fx := newFixture()
		fx.ds.People[0].Name, fx.ds.People[0].Email = name, email
		fx.ds.Universities[0].Name, fx.ds.Problems[0].Title = org, title
		dir := notify.NewDirectory(fx.ds)
		a := *fx.agenda
		a.Meetings = slices.Clone(fx.agenda.Meetings)
		a.Meetings[0].Table, a.Meetings[0].Sequence = table, seq%5
		for _, kind := range []string{mail.KindPublished, mail.KindChanged, mail.KindReminder} {
			m, err := mail.Compose(kind, &a, fx.cancelled, "P-E001-1", dir, link, newClock().Now())
			if err != nil {
				if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
					t.Fatalf("Compose(%s) = %v, want EINVALID or success", kind, err)
				}
				continue
			}
			for _, h := range []string{m.Subject, m.ToName} {
				if !utf8.ValidString(h) || strings.ContainsAny(h, "\r\n") {
					t.Fatalf("header %q is not a single line of UTF-8", h)
				}
			}
			if !utf8.ValidString(m.Text) || !utf8.ValidString(m.HTML) {
				t.Fatal("body is not valid UTF-8")
			}
			if strings.Contains(m.HTML, "<b>&") {
				t.Fatal("HTML is not escaped")
			}
			if len(m.Attachments) != 1 || !bytes.HasPrefix(m.Attachments[0].Data, []byte("BEGIN:VCALENDAR")) {
				t.Fatal("no calendar attached")
			}
			if err := store.ValidAddress(m.To); err != nil {
				t.Fatalf("To %q: %v", m.To, err)
			}
		}
	})
}

func TestComposeFollowUp(t *testing.T) {
	f := newFixture()
	after := newClock().Now().Add(30 * 24 * time.Hour) // two weeks after the fair
	m, err := mail.Compose(mail.KindFollowUp, f.agenda, f.cancelled, "P-E001-1", f.dir, "https://fairs.example.cn/me", after)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.ID, "follow-up/2027-03/P-E001-1/") || !strings.Contains(m.ID, "d-") || len(m.Attachments) != 0 {
		t.Errorf("follow-up %s with %d attachments, want a days-after id and no calendar", m.ID, len(m.Attachments))
	}
	for _, want := range []string{"洽谈进展", "How did your meetings go", "https://fairs.example.cn/me"} {
		if !strings.Contains(m.Subject+m.Text+m.HTML, want) {
			t.Errorf("follow-up lacks %q", want)
		}
	}
	if strings.Contains(m.Text, ".ics") || strings.Contains(m.HTML, ".ics") {
		t.Errorf("follow-up mentions an attached calendar it does not carry")
	}
	later, err := mail.Compose(mail.KindFollowUp, f.agenda, f.cancelled, "P-E001-1", f.dir, "https://fairs.example.cn/me", after.Add(60*24*time.Hour))
	if err != nil || later.ID == m.ID {
		t.Errorf("a second follow-up two months later must be a new message: %v %s", err, later.ID)
	}
}
