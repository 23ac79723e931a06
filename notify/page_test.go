package notify

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
)

// TestPageShowsMeetings checks each person's page lists exactly their
// scheduled meetings, with the times, table, counterpart, topics and why.
func TestPageShowsMeetings(t *testing.T) {
	f := loadFixture(t)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	rowID := regexp.MustCompile(`<tr id="meeting-([^"]+)">`)
	for _, person := range f.attendees() {
		t.Run(person, func(t *testing.T) {
			b, err := Page(f.agenda, person, f.dir)
			if err != nil {
				t.Fatal(err)
			}
			page := string(b)
			for _, want := range []string{
				`<html lang="zh-CN">`, `<meta name="viewport"`, "@media print", "@media (max-width",
				html.EscapeString(f.dir.PersonName(person)),
			} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			labels := []string{"时间 <span class=\"en\">Time</span>", "桌号 <span class=\"en\">Table</span>",
				"洽谈对象 <span class=\"en\">Counterpart</span>", "议题 <span class=\"en\">Topics</span>",
				"匹配理由 <span class=\"en\">Why matched</span>"}

			var wantIDs []string
			for _, m := range f.agenda.Meetings {
				if !slices.Contains(m.Attendees, person) {
					continue
				}
				wantIDs = append(wantIDs, m.ID)
				row := meetingRow(t, page, m.ID)
				times := m.Start.In(shanghai).Format("15:04") + "–" + m.End.In(shanghai).Format("15:04")
				if !strings.Contains(row, times) || !strings.Contains(row, ">"+m.Table+"<") {
					t.Errorf("%s: row lacks %s or table %s:\n%s", m.ID, times, m.Table, row)
				}
				for _, it := range m.Items {
					for _, s := range []string{f.dir.ProblemTitle(it.Problem), f.dir.OfferingTitle(it.Offering), it.Why} {
						if !strings.Contains(row, html.EscapeString(s)) {
							t.Errorf("%s: row lacks %q", m.ID, s)
						}
					}
				}
				var counterpart string
				switch p, _ := f.dir.Person(person); p.Org {
				case m.Enterprise:
					counterpart = f.dir.UniversityName(m.University)
				case m.University:
					counterpart = f.dir.EnterpriseName(m.Enterprise)
				default:
					counterpart = f.dir.EnterpriseName(m.Enterprise) + " × " + f.dir.UniversityName(m.University)
				}
				if !strings.Contains(row, `data-label="洽谈对象 Counterpart">`+html.EscapeString(counterpart)) {
					t.Errorf("%s: counterpart is not %q:\n%s", m.ID, counterpart, row)
				}
			}
			var gotIDs []string
			for _, m := range rowID.FindAllStringSubmatch(page, -1) {
				gotIDs = append(gotIDs, m[1])
			}
			if !slices.Equal(gotIDs, wantIDs) {
				t.Errorf("rows %v, want %v (cancelled meetings left out)", gotIDs, wantIDs)
			}
			for _, l := range labels {
				if strings.Contains(page, l) != (len(wantIDs) > 0) {
					t.Errorf("label %q shown: %v, with %d meetings", l, !(len(wantIDs) > 0), len(wantIDs))
				}
			}
			if empty := strings.Contains(page, "No meetings scheduled"); empty != (len(wantIDs) == 0) {
				t.Errorf("'No meetings' shown: %v, with %d meetings", empty, len(wantIDs))
			}
		})
	}
}

// meetingRow returns the table row of meeting id.
func meetingRow(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, `<tr id="meeting-`+id+`">`)
	if i < 0 {
		t.Fatalf("no row for meeting %s", id)
	}
	j := strings.Index(page[i:], "</tr>")
	if j < 0 {
		t.Fatalf("row of meeting %s not closed", id)
	}
	return page[i : i+j]
}

// TestPageEscapesHostileNames puts markup into every name that the page
// shows and checks none of it survives as markup.
func TestPageEscapesHostileNames(t *testing.T) {
	const evil = `<script>alert(1)</script><img src=x onerror=alert(2)>`
	ds := &fairmatch.Dataset{
		Enterprises:  []fairmatch.Enterprise{{ID: "E1", Name: "企业" + evil}},
		Universities: []fairmatch.University{{ID: "U1", Name: "大学" + evil}},
		People: []fairmatch.Person{
			{ID: "P1", Name: "王工" + evil, Org: "E1"},
			{ID: "P2", Name: "李" + evil, Org: "U1"},
		},
		Problems:  []fairmatch.Problem{{ID: "PR1", Enterprise: "E1", Title: "问题" + evil}},
		Offerings: []fairmatch.Offering{{ID: "O1", University: "U1", Title: "技术" + evil}},
	}
	start := time.Date(2027, 3, 15, 1, 0, 0, 0, time.UTC)
	a := &fairmatch.Agenda{Fair: `2027-03"><script>x</script>`, Timezone: "Asia/Shanghai", Meetings: []fairmatch.Meeting{{
		ID: `M1"><script>`, Enterprise: "E1", University: "U1", Start: start, End: start.Add(20 * time.Minute),
		Table: "T<script>", Attendees: []string{"P1", "P2"},
		Items: []fairmatch.MeetingItem{{Problem: "PR1", Offering: "O1", Why: "理由" + evil}},
	}}}
	for _, person := range []string{"P1", "P2"} {
		b, err := Page(a, person, NewDirectory(ds))
		if err != nil {
			t.Fatal(err)
		}
		page := string(b)
		if strings.Contains(page, "<script") || strings.Contains(page, "<img") {
			t.Errorf("%s: markup from the data survived:\n%s", person, page)
		}
		for _, want := range []string{"企业&lt;script&gt;", "问题&lt;script&gt;", "技术&lt;script&gt;", "理由&lt;script&gt;", "T&lt;script&gt;"} {
			if person == "P1" && want == "企业&lt;script&gt;" {
				continue // the enterprise side sees the university as counterpart
			}
			if !strings.Contains(page, want) {
				t.Errorf("%s: page lacks escaped %q", person, want)
			}
		}
	}
}

// TestPageEmptyAgenda checks a page for an agenda without meetings names the
// zone's offset of the fair's year.
func TestPageEmptyAgenda(t *testing.T) {
	b, err := Page(&fairmatch.Agenda{Fair: "2027-03", Timezone: "Asia/Shanghai"}, "P1", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Asia/Shanghai (UTC+08:00)", "No meetings scheduled", "<dd>0</dd>"} {
		if !strings.Contains(html.UnescapeString(string(b)), want) {
			t.Errorf("page lacks %q:\n%s", want, b)
		}
	}
}
