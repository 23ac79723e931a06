package web

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/notify"
	"github.com/fairmatch/fairmatch/store"
)

// personRef names a person for display and in the JSON API.
type personRef struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Org     string `json:"org,omitempty"`      // an enterprise or university id
	OrgName string `json:"org_name,omitempty"` // its name
}

func refOf(dir *notify.Directory, id string) personRef {
	r := personRef{ID: id, Name: dir.PersonName(id)}
	if p, ok := dir.Person(id); ok && p.Org != "" {
		r.Org, r.OrgName = p.Org, dir.OrgName(p.Org)
	}
	return r
}

// fairSummary is one fair in a person's list of fairs.
type fairSummary struct {
	ID        string    `json:"id"`
	Theme     string    `json:"theme,omitempty"`
	Timezone  string    `json:"timezone"`
	Start     time.Time `json:"start,omitzero"`
	End       time.Time `json:"end,omitzero"`
	Meetings  int       `json:"meetings"`  // meetings on the agenda the person attends
	Cancelled int       `json:"cancelled"` // the person's cancelled meetings
	Date      string    `json:"-"`         // the first day, local
}

// scheduleView is one person's schedule for one fair: the page (me_fair)
// and, as JSON, the API's answer.
type scheduleView struct {
	Fair     string        `json:"fair"`
	Theme    string        `json:"theme,omitempty"`
	Timezone string        `json:"timezone"`
	Start    time.Time     `json:"start,omitzero"`
	End      time.Time     `json:"end,omitzero"`
	Person   personRef     `json:"person"`
	Ended    bool          `json:"ended"` // the fair is over: outcomes may be reported, no more declines
	Meetings []meetingView `json:"meetings"`
	ICS      string        `json:"ics"` // the address of the .ics download

	Own      bool     `json:"-"` // the participant's own view, with the response forms
	Admin    string   `json:"-"` // the organizer's page of the person, if the viewer is one
	Saved    string   `json:"-"` // the meeting whose response was just saved
	Outcomes []string `json:"-"`
	Feed     bool     `json:"-"` // show the calendar-feed section
}

// meetingView is one of the person's meetings.
type meetingView struct {
	ID          string               `json:"id"`
	Start       time.Time            `json:"start"`
	End         time.Time            `json:"end"`
	Table       string               `json:"table,omitempty"`
	Enterprise  personRef            `json:"enterprise"` // ID and Name only
	University  personRef            `json:"university"` // ID and Name only
	Counterpart string               `json:"counterpart"`
	People      []personRef          `json:"people"` // the other attendees
	Topics      []topicView          `json:"topics"`
	Cancelled   bool                 `json:"cancelled"`
	Sequence    int                  `json:"sequence"`
	Responses   []fairmatch.Response `json:"responses"`

	Date   string `json:"-"` // local date, "2027-03-15"
	From   string `json:"-"` // local "09:00"
	To     string `json:"-"`
	NewDay bool   `json:"-"` // the first meeting of its day on the page
}

// topicView is a problem–offering pair of a meeting.
type topicView struct {
	Problem       string  `json:"problem"`
	ProblemTitle  string  `json:"problem_title"`
	Offering      string  `json:"offering"`
	OfferingTitle string  `json:"offering_title"`
	Score         float64 `json:"score"`
	Why           string  `json:"why,omitempty"`
}

// fairData is what one fair's schedule of one person is built from.
type fairData struct {
	fair      fairmatch.Fair // zero when the plan's fair is not stored
	agenda    *fairmatch.Agenda
	cancelled []fairmatch.Meeting
	ds        *fairmatch.Dataset
	responses []fairmatch.Response // the person's
}

// loadFair reads what person's schedule for fair needs. A fair without a
// published agenda, or one where the person has no meeting, is ENOTFOUND.
func (s *Server) loadFair(fair, person string) (*fairData, error) {
	d := &fairData{}
	err := s.DB.View(func(tx *store.Tx) (err error) {
		d.agenda, d.cancelled, d.fair, err = published(tx, fair)
		if err != nil {
			return err
		}
		if !attends(d.agenda, d.cancelled, person) {
			return fairmatch.Errorf(fairmatch.ENOTFOUND, "%s has no meeting at fair %s", person, fair)
		}
		if d.ds, err = tx.Dataset(); err != nil {
			return err
		}
		rs, err := tx.Responses(fair)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.Person == person {
				d.responses = append(d.responses, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schedule of %s at fair %s: %w", person, fair, err)
	}
	return d, nil
}

// published reads a fair's published agenda, its cancelled meetings and the
// fair itself (zero if not stored).
func published(tx *store.Tx, fair string) (*fairmatch.Agenda, []fairmatch.Meeting, fairmatch.Fair, error) {
	a, err := tx.Agenda(fair)
	if err != nil {
		return nil, nil, fairmatch.Fair{}, err
	}
	cx, err := tx.Cancelled(fair)
	if err != nil {
		return nil, nil, fairmatch.Fair{}, err
	}
	f, err := tx.Fair(fair)
	if err != nil && fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
		return nil, nil, fairmatch.Fair{}, err
	}
	return a, cx, f, nil
}

// attends reports whether person attends a meeting of the agenda or one of
// the cancelled ones.
func attends(a *fairmatch.Agenda, cancelled []fairmatch.Meeting, person string) bool {
	for _, list := range [][]fairmatch.Meeting{a.Meetings, cancelled} {
		for _, m := range list {
			if slices.Contains(m.Attendees, person) {
				return true
			}
		}
	}
	return false
}

// fairEnd is when a fair is over: its last session's end, or, for a fair
// the store does not hold, its last meeting's.
func fairEnd(f fairmatch.Fair, a *fairmatch.Agenda) time.Time {
	if !f.End.IsZero() {
		return f.End
	}
	var end time.Time
	for _, m := range a.Meetings {
		if m.End.After(end) {
			end = m.End
		}
	}
	return end
}

// myFairs lists the fairs with a published agenda where person has a
// meeting (or had one that was cancelled), in the plan's order.
func (s *Server) myFairs(tx *store.Tx, person string) ([]fairSummary, error) {
	fairs, err := tx.Fairs()
	if err != nil {
		return nil, err
	}
	var out []fairSummary
	for _, f := range fairs {
		a, err := tx.Agenda(f.ID)
		if fairmatch.ErrorCode(err) == fairmatch.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		cx, err := tx.Cancelled(f.ID)
		if err != nil {
			return nil, err
		}
		if !attends(a, cx, person) {
			continue
		}
		fs := fairSummary{ID: f.ID, Theme: f.Theme, Timezone: a.Timezone, Start: f.Start, End: f.End}
		for _, m := range a.Meetings {
			if slices.Contains(m.Attendees, person) {
				fs.Meetings++
			}
		}
		for _, m := range cx {
			if slices.Contains(m.Attendees, person) {
				fs.Cancelled++
			}
		}
		if !f.Start.IsZero() {
			fs.Date = inZone(f.Start, a.Timezone).Format(time.DateOnly)
		}
		out = append(out, fs)
	}
	return out, nil
}

// buildSchedule turns d into person's schedule as of now.
func buildSchedule(d *fairData, person string, now time.Time) scheduleView {
	dir := notify.NewDirectory(d.ds)
	a := d.agenda
	v := scheduleView{
		Fair: a.Fair, Theme: d.fair.Theme, Timezone: a.Timezone, Start: d.fair.Start, End: d.fair.End,
		Person: refOf(dir, person), Ended: !now.Before(fairEnd(d.fair, a)),
		Meetings: []meetingView{}, Outcomes: fairmatch.Outcomes,
	}
	me, _ := dir.Person(person)
	add := func(m fairmatch.Meeting, cancelled bool) {
		if !slices.Contains(m.Attendees, person) {
			return
		}
		start, end := inZone(m.Start, a.Timezone), inZone(m.End, a.Timezone)
		mv := meetingView{
			ID: m.ID, Start: m.Start, End: m.End, Table: m.Table,
			Enterprise:  personRef{ID: m.Enterprise, Name: dir.EnterpriseName(m.Enterprise)},
			University:  personRef{ID: m.University, Name: dir.UniversityName(m.University)},
			Counterpart: counterpart(dir, d.ds, me, person, m),
			People:      []personRef{}, Topics: []topicView{}, Responses: []fairmatch.Response{},
			Cancelled: cancelled, Sequence: m.Sequence,
			Date: start.Format(time.DateOnly), From: start.Format("15:04"), To: end.Format("15:04"),
		}
		seen := map[string]bool{person: true}
		for _, id := range m.Attendees {
			if !seen[id] {
				seen[id] = true
				mv.People = append(mv.People, refOf(dir, id))
			}
		}
		for _, it := range m.Items {
			mv.Topics = append(mv.Topics, topicView{
				Problem: it.Problem, ProblemTitle: dir.ProblemTitle(it.Problem),
				Offering: it.Offering, OfferingTitle: dir.OfferingTitle(it.Offering),
				Score: it.Score, Why: it.Why,
			})
		}
		for _, r := range d.responses {
			if r.Meeting == m.ID {
				mv.Responses = append(mv.Responses, r)
			}
		}
		v.Meetings = append(v.Meetings, mv)
	}
	for _, m := range a.Meetings {
		add(m, false)
	}
	for _, m := range d.cancelled {
		add(m, true)
	}
	slices.SortStableFunc(v.Meetings, func(x, y meetingView) int {
		return cmp.Or(x.Start.Compare(y.Start), cmp.Compare(x.ID, y.ID))
	})
	for i := range v.Meetings {
		v.Meetings[i].NewDay = i == 0 || v.Meetings[i].Date != v.Meetings[i-1].Date
	}
	return v
}

// counterpart names the other side of meeting m for person: the university
// for an enterprise's people, the enterprise for a university's, both for
// anyone else (a commissioner who comes along).
func counterpart(dir *notify.Directory, ds *fairmatch.Dataset, me fairmatch.Person, person string, m fairmatch.Meeting) string {
	side := ""
	switch {
	case me.Org != "" && me.Org == m.Enterprise:
		side = "enterprise"
	case me.Org != "" && me.Org == m.University:
		side = "university"
	case ds != nil:
		for _, e := range ds.Enterprises {
			if e.ID == m.Enterprise && slices.Contains(e.Attendees, person) {
				side = "enterprise"
			}
		}
		for _, u := range ds.Universities {
			if u.ID == m.University && slices.Contains(u.Attendees, person) {
				side = "university"
			}
		}
	}
	switch side {
	case "enterprise":
		return dir.UniversityName(m.University)
	case "university":
		return dir.EnterpriseName(m.Enterprise)
	}
	return dir.EnterpriseName(m.Enterprise) + " × " + dir.UniversityName(m.University)
}

// findPerson returns the dataset's person with the given id, or ENOTFOUND.
func findPerson(ds *fairmatch.Dataset, id string) (fairmatch.Person, error) {
	if ds != nil {
		for _, p := range ds.People {
			if p.ID == id {
				return p, nil
			}
		}
	}
	return fairmatch.Person{}, fairmatch.Errorf(fairmatch.ENOTFOUND, "no person %q in the dataset", id)
}
