package fairmatch

import "time"

// FairSettings are an organizer's changes to one fair against the year plan:
// a theme, a different day (sessions, slot, buffer, tables) or different
// matching limits. Nil fields fall back to the plan.
type FairSettings struct {
	Fair      string    `json:"fair"`
	Theme     string    `json:"theme,omitempty"`
	Day       *Day      `json:"day,omitempty"`
	Limits    *Limits   `json:"limits,omitempty"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	Updated   time.Time `json:"updated,omitzero"`
}

// Verdicts an organizer gives a pairing in matching review.
const (
	VerdictAccept = "accept" // keep this pairing when matching runs again
	VerdictReject = "reject" // never propose this pairing for the fair
	VerdictPin    = "pin"    // keep it and place it first
	VerdictAdd    = "add"    // a meeting added by hand
)

// Decision is an organizer's verdict on an enterprise–university pairing of
// one fair. A re-run of matching keeps every decision.
type Decision struct {
	Fair       string        `json:"fair"`
	Enterprise string        `json:"enterprise"`
	University string        `json:"university"`
	Verdict    string        `json:"verdict"`
	Items      []MeetingItem `json:"items,omitempty"`     // for add: what the meeting is for
	Attendees  []string      `json:"attendees,omitempty"` // for add: who attends
	Note       string        `json:"note,omitempty"`
	By         string        `json:"by,omitempty"`
	At         time.Time     `json:"at,omitzero"`
}

// Kinds of a participant's response to a meeting.
const (
	ResponseDecline = "decline" // will not attend the meeting
	ResponseMove    = "move"    // asks for another time
	ResponseOutcome = "outcome" // after the fair: what came of it (one of Outcomes)
)

// Response is what a participant said about one of their meetings.
type Response struct {
	Fair    string    `json:"fair"`
	Meeting string    `json:"meeting"`
	Person  string    `json:"person"`
	Kind    string    `json:"kind"`
	Reason  string    `json:"reason,omitempty"`
	Outcome string    `json:"outcome,omitempty"`
	At      time.Time `json:"at,omitzero"`
}
