package agenda_test

import (
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/agenda"
)

func TestFreeSlots(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	fair := fairmatch.Fair{ID: "2027-03", Timezone: "Asia/Shanghai", Start: time.Date(2027, 3, 15, 9, 0, 0, 0, loc)}
	// Two sessions of 3 slots each (20 min + 5 min buffer).
	day := fairmatch.Day{Sessions: []fairmatch.Session{{Name: "am", From: "09:00", To: "10:15"}, {Name: "pm", From: "14:00", To: "15:15"}},
		Slot: fairmatch.Duration(20 * time.Minute), Buffer: fairmatch.Duration(5 * time.Minute), Tables: []string{"T1"}}
	people := []fairmatch.Person{
		{ID: "free", Role: fairmatch.RoleExpert},
		{ID: "morning", Role: fairmatch.RoleExpert, Available: fairmatch.Availability{"*": {{From: "09:00", To: "12:00"}}}},
		{ID: "one", Role: fairmatch.RoleExpert, Available: fairmatch.Availability{"2027-03": {{From: "14:25", To: "14:50"}}, "*": {{From: "09:00", To: "17:00"}}}},
		{ID: "elsewhere", Role: fairmatch.RoleExpert, Available: fairmatch.Availability{"2027-05": {{From: "09:00", To: "10:00"}}}},
	}
	got, err := agenda.FreeSlots(fair, day, people)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"morning": 3, "one": 1}
	if len(got) != len(want) || got["morning"] != 3 || got["one"] != 1 {
		t.Errorf("free slots %v, want %v (people free all day absent)", got, want)
	}
	bad := []fairmatch.Person{{ID: "x", Available: fairmatch.Availability{"*": {{From: "9am", To: "10:00"}}}}}
	if _, err := agenda.FreeSlots(fair, day, bad); fairmatch.ErrorCode(err) != fairmatch.EINVALID {
		t.Errorf("bad window: %v", err)
	}
}
