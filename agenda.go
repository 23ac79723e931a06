package fairmatch

import "time"

// Proposal is a meeting the matcher proposes for a fair: one enterprise, one
// university, the problem–offering items it is for and who attends.
type Proposal struct {
	Enterprise string        `json:"enterprise"`
	University string        `json:"university"`
	Attendees  []string      `json:"attendees"`
	Items      []MeetingItem `json:"items"`
	Score      float64       `json:"score"`             // the meeting's relevance (sum of its items)
	Primary    bool          `json:"primary,omitempty"` // the enterprise's primary partner university
}

// MeetingItem is one problem–offering pair a meeting is for.
type MeetingItem struct {
	Problem  string  `json:"problem"`
	Offering string  `json:"offering"`
	Score    float64 `json:"score"`
	Why      string  `json:"why"`
}

// Agenda is a fair's published agenda (formats.md §5).
type Agenda struct {
	Fair        string        `json:"fair"`
	Timezone    string        `json:"timezone"`
	Meetings    []Meeting     `json:"meetings"`
	Unscheduled []Unscheduled `json:"unscheduled"`
}

// Meeting is a placed meeting of a fair's agenda. Sequence counts the changes
// since it was first published (iCalendar SEQUENCE).
type Meeting struct {
	ID         string        `json:"id"`
	Enterprise string        `json:"enterprise"`
	University string        `json:"university"`
	Start      time.Time     `json:"start"`
	End        time.Time     `json:"end"`
	Table      string        `json:"table"`
	Attendees  []string      `json:"attendees"`
	Items      []MeetingItem `json:"items"`
	Sequence   int           `json:"sequence,omitempty"`
}

// Unscheduled is a proposed meeting that found no place, and why.
type Unscheduled struct {
	Enterprise string `json:"enterprise"`
	University string `json:"university"`
	Reason     string `json:"reason"`
}
