package notify_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/notify"
)

func ExampleCalendar() {
	ds := &fairmatch.Dataset{
		Enterprises:  []fairmatch.Enterprise{{ID: "E001", Name: "长治某精密制造有限公司"}},
		Universities: []fairmatch.University{{ID: "U01", Name: "中北大学"}},
		People:       []fairmatch.Person{{ID: "P-E001-1", Name: "王工", Email: "wang@example.com"}},
	}
	shanghai := time.FixedZone("CST", 8*3600)
	agenda := &fairmatch.Agenda{Fair: "2027-03", Timezone: "Asia/Shanghai", Meetings: []fairmatch.Meeting{{
		ID: "M0001", Enterprise: "E001", University: "U01", Table: "T01", Sequence: 1,
		Start:     time.Date(2027, 3, 15, 9, 0, 0, 0, shanghai),
		End:       time.Date(2027, 3, 15, 9, 20, 0, 0, shanghai),
		Attendees: []string{"P-E001-1"},
	}}}
	now := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)

	ics, err := notify.Calendar(agenda, nil, "P-E001-1", notify.NewDirectory(ds), now)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Unfold the folded lines (RFC 5545 §3.1) and print a few of the event's.
	unfolded := strings.ReplaceAll(string(ics), "\r\n ", "")
	event := unfolded[strings.Index(unfolded, "BEGIN:VEVENT"):]
	for _, line := range strings.Split(event, "\r\n") {
		for _, name := range []string{"UID", "DTSTART", "SEQUENCE", "SUMMARY", "LOCATION", "ATTENDEE"} {
			if strings.HasPrefix(line, name+":") || strings.HasPrefix(line, name+";") {
				fmt.Println(line)
			}
		}
	}
	// Output:
	// UID:M0001.2027-03@fairmatch
	// DTSTART;TZID=Asia/Shanghai:20270315T090000
	// SEQUENCE:1
	// SUMMARY:洽谈 Meeting: 长治某精密制造有限公司 × 中北大学
	// LOCATION:T01
	// ATTENDEE;CN="王工";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT:mailto:wang@example.com
}
