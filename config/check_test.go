package config_test

import (
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/config"
)

func TestCheckDayAndLimits(t *testing.T) {
	good := fairmatch.Day{Sessions: []fairmatch.Session{{Name: "am", From: "09:00", To: "12:00"}, {Name: "pm", From: "14:00", To: "17:00"}},
		Slot: fairmatch.Duration(20 * time.Minute), Buffer: fairmatch.Duration(5 * time.Minute), Tables: []string{"T1", "T2"}}
	if is := config.CheckDay(good); len(is) != 0 {
		t.Fatalf("good day refused: %+v", is)
	}
	bad := good
	bad.Sessions = []fairmatch.Session{{Name: "am", From: "09:00", To: "12:00"}, {Name: "am", From: "11:00", To: "25:00"}}
	bad.Slot = fairmatch.Duration(90 * time.Second)
	bad.Tables = []string{"T1", "T1"}
	fields := map[string]bool{}
	for _, is := range config.CheckDay(bad) {
		if is.Record != "day" || is.Reason == "" {
			t.Errorf("issue %+v", is)
		}
		fields[is.Field] = true
	}
	for _, f := range []string{"sessions[1]", "sessions[1].to", "slot", "tables[1]"} {
		if !fields[f] {
			t.Errorf("no issue on %s; got %v", f, fields)
		}
	}
	if is := config.CheckDay(fairmatch.Day{Slot: good.Slot}); len(is) != 2 {
		t.Errorf("empty day: %+v, want sessions and tables", is)
	}
	is := config.CheckLimits(fairmatch.Limits{MeetingsPerExpert: -1, MinRelevance: 2})
	if len(is) != 2 || is[0].Field != "meetings_per_expert" || is[1].Field != "min_relevance" {
		t.Errorf("limits: %+v", is)
	}
}
