package coordinator

import (
	"slices"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/agenda"
)

// ApplyDeclines takes participants' declines into a re-plan: a person who
// declined a meeting no longer attends it, and a meeting whose enterprise
// side or university side has nobody left is dropped. It returns the
// proposals to place and the ids of the meetings dropped. Requests to move a
// meeting are not applied here: the organizer sees them with the agenda and
// decides.
func ApplyDeclines(ps []fairmatch.Proposal, responses []fairmatch.Response, ds *fairmatch.Dataset) ([]fairmatch.Proposal, []string) {
	declined := make(map[string][]string) // meeting → people
	for _, r := range responses {
		if r.Kind == fairmatch.ResponseDecline {
			declined[r.Meeting] = append(declined[r.Meeting], r.Person)
		}
	}
	if len(declined) == 0 {
		return ps, nil
	}
	people := fairmatch.NewIndex(ds).People
	out := make([]fairmatch.Proposal, 0, len(ps))
	var dropped []string
	for _, p := range ps {
		id := agenda.MeetingID(p)
		gone := declined[id]
		if len(gone) == 0 {
			out = append(out, p)
			continue
		}
		var keep []string
		enterpriseSide, universitySide := 0, 0
		for _, a := range p.Attendees {
			if slices.Contains(gone, a) {
				continue
			}
			keep = append(keep, a)
			if per := people[a]; per != nil && per.Org == p.Enterprise {
				enterpriseSide++
			} else {
				universitySide++ // experts and liaisons, or people without an org
			}
		}
		if enterpriseSide == 0 || universitySide == 0 {
			dropped = append(dropped, id)
			continue
		}
		p.Attendees = keep
		out = append(out, p)
	}
	return out, dropped
}
