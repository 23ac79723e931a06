package agenda

import (
	"time"

	"github.com/fairmatch/fairmatch"
)

// FreeSlots returns, for every person whose availability restricts them at
// the fair, how many of the fair day's slots they can meet in; people free
// all day are absent. Matching uses it to propose no more meetings to a
// person than their windows hold. A bad day or bad windows give the same
// EINVALID error BuildFair would.
func FreeSlots(fair fairmatch.Fair, day fairmatch.Day, people []fairmatch.Person) (map[string]int, error) {
	loc, err := time.LoadLocation(fair.Timezone)
	if err != nil {
		return nil, fairmatch.Invalid("fair "+fair.ID, []fairmatch.Issue{{
			Record: "fair", Field: "timezone", Reason: "unknown time zone " + fair.Timezone}})
	}
	times, _, issues := daySlots(day, fair.Start.In(loc), loc)
	unavailable, more := unavailableSlots(people, fair.ID, times, loc)
	if issues = append(issues, more...); len(issues) > 0 {
		return nil, fairmatch.Invalid("fair "+fair.ID, issues)
	}
	free := make(map[string]int, len(unavailable))
	for id, slots := range unavailable {
		free[id] = len(times) - len(slots)
	}
	return free, nil
}

// MeetingID is the id BuildFair gives a proposal's meeting: stable across
// re-plans, so participants' responses and calendars follow it.
func MeetingID(p fairmatch.Proposal) string { return meetingID(p) }
