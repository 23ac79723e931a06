package config_test

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/config"
)

// withDay returns the example plan with lines added after its table_prefix.
func withDay(t *testing.T, lines string) string {
	t.Helper()
	base, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	const anchor = "  table_prefix: T  # tables are named T01..T12 unless table_names lists them\n"
	src := string(base)
	if !strings.Contains(src, anchor) {
		t.Fatalf("example lacks %q", anchor)
	}
	return strings.Replace(src, anchor, anchor+lines, 1)
}

func TestRoomsAndSeats(t *testing.T) {
	c, err := config.Load(writePlan(t, withDay(t, "  seats: 4\n  rooms:\n    - {name: \"Room 301\", seats: 10}\n    - {name: VIP, seats: 6}\n")))
	if err != nil {
		t.Fatal(err)
	}
	d := c.FairDay()
	if len(d.Tables) != 14 || d.Tables[0] != "T01" || d.Tables[11] != "T12" || d.Tables[12] != "Room 301" || d.Tables[13] != "VIP" {
		t.Fatalf("tables %v", d.Tables)
	}
	if len(d.Seats) != 14 || d.Seats["T07"] != 4 || d.Seats["Room 301"] != 10 || d.Seats["VIP"] != 6 {
		t.Fatalf("seats %v", d.Seats)
	}
	if is := config.CheckDay(d); len(is) != 0 {
		t.Fatalf("the plan's own day refused: %+v", is)
	}

	// Without day.seats, only the rooms are limited.
	c, err = config.Load(writePlan(t, withDay(t, "  rooms:\n    - {name: R1, seats: 8}\n")))
	if err != nil {
		t.Fatal(err)
	}
	if d := c.FairDay(); !maps.Equal(d.Seats, map[string]int{"R1": 8}) || d.Tables[12] != "R1" {
		t.Fatalf("tables %v seats %v", d.Tables, d.Seats)
	}
	// The example itself has no seats.
	c, err = config.Load(example)
	if err != nil {
		t.Fatal(err)
	}
	if d := c.FairDay(); d.Seats != nil || len(d.Tables) != 12 {
		t.Fatalf("example: tables %v seats %v", d.Tables, d.Seats)
	}
}

func TestBadRooms(t *testing.T) {
	for _, tc := range []struct {
		name, lines string
		want        []string
	}{
		{"negative seats", "  seats: -2\n", []string{"line 47", "day.seats", "negative"}},
		{"room without seats", "  rooms:\n    - {name: R1}\n", []string{"line 48", "day.rooms[0].seats", "at least 1"}},
		{"room without name", "  rooms:\n    - {seats: 10}\n", []string{"day.rooms[0].name", "needs a name"}},
		{"room named like a table", "  rooms:\n    - {name: T03, seats: 10}\n", []string{"line 48", "day.rooms[0].name", `"T03"`}},
		{"two rooms of one name", "  rooms:\n    - {name: R, seats: 10}\n    - {name: R, seats: 8}\n", []string{"line 49", "day.rooms[1].name"}},
		{"unknown room key", "  rooms:\n    - {name: R, seat: 10}\n", []string{"day.rooms[0].seat", `did you mean "seats"`}},
		{"seats of the wrong type", "  rooms:\n    - {name: R, seats: ten}\n", []string{"ten"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load(writePlan(t, withDay(t, tc.lines)))
			if err == nil {
				t.Fatal("no error")
			}
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
				t.Errorf("code %s", fairmatch.ErrorCode(err))
			}
			msg := err.Error()
			for _, w := range append(tc.want, "plan.yaml") {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
		})
	}
}

func TestCheckDaySeats(t *testing.T) {
	d := fairmatch.Day{Sessions: []fairmatch.Session{{Name: "am", From: "09:00", To: "12:00"}},
		Slot: fairmatch.Duration(20 * 60e9), Tables: []string{"T1", "R1"},
		Seats: map[string]int{"R1": 10, "T9": 4, "T1": 0}}
	var fields []string
	for _, is := range config.CheckDay(d) {
		fields = append(fields, is.Field)
	}
	if want := []string{"seats.T1", "seats.T9"}; !slices.Equal(fields, want) {
		t.Fatalf("issues on %v, want %v", fields, want)
	}
}
