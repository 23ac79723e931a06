package fairmatch

import "time"

// Stage names, in the order they fire for one fair. Reminders and follow-ups
// may occur several times; their names carry an index suffix ("reminder-1",
// "follow-up-2") in a fair's stage list.
const (
	StageCallOpens  = "call-opens"
	StageCallCloses = "call-closes"
	StageMatch      = "match"
	StageAgenda     = "agenda"
	StagePublish    = "publish"
	StageReminder   = "reminder"
	StageFollowUp   = "follow-up"
)

// Stage states.
const (
	StatePending = "pending"
	StateRunning = "running"
	StateDone    = "done"
	StateFailed  = "failed"
)

// Fair is one technology-promotion and negotiation fair of the year plan.
// Its ID is the fair day's local year and month, "2027-03".
type Fair struct {
	ID       string    `json:"id"`
	Theme    string    `json:"theme"`
	Timezone string    `json:"timezone"`
	Start    time.Time `json:"start"` // first session start
	End      time.Time `json:"end"`   // last session end
	Stages   []Stage   `json:"stages"`
}

// Stage is one step of a fair's life with its due time and state. Its Key
// ("2027-03/match") is the idempotency key of the job that runs it.
type Stage struct {
	Fair     string    `json:"fair"`
	Name     string    `json:"name"`
	Kind     string    `json:"kind"` // one of the Stage* constants
	Due      time.Time `json:"due"`
	State    string    `json:"state"`
	Attempts int       `json:"attempts,omitempty"`
	Fired    time.Time `json:"fired,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
	Error    string    `json:"error,omitempty"`
}

// Key returns the stage's idempotency key.
func (s Stage) Key() string { return s.Fair + "/" + s.Name }

// Day describes a fair's day: its sessions, slot length, buffer between
// slots and tables.
type Day struct {
	Sessions []Session `json:"sessions" yaml:"sessions"`
	Slot     Duration  `json:"slot" yaml:"slot"`     // meeting length
	Buffer   Duration  `json:"buffer" yaml:"buffer"` // pause between consecutive slots
	Tables   []string  `json:"tables" yaml:"tables"` // table names, e.g. T01..T12
	// Seats are the seats at a table, by table name: a meeting sits only
	// at a table with a seat for each of its attendees. A table not
	// listed seats any number.
	Seats map[string]int `json:"seats,omitempty" yaml:"seats"`
}

// Session is a part of the fair day, "HH:MM" to "HH:MM" local time.
type Session struct {
	Name string `json:"name" yaml:"name"`
	From string `json:"from" yaml:"from"`
	To   string `json:"to" yaml:"to"`
}

// Limits are the matching rules of a fair.
type Limits struct {
	MeetingsPerEnterprise     int     `json:"meetings_per_enterprise" yaml:"meetings_per_enterprise"`
	MeetingsPerUniversity     int     `json:"meetings_per_university" yaml:"meetings_per_university"`
	MeetingsPerExpert         int     `json:"meetings_per_expert" yaml:"meetings_per_expert"`
	MinRelevance              float64 `json:"min_relevance" yaml:"min_relevance"`
	UniversitiesPerEnterprise int     `json:"universities_per_enterprise" yaml:"universities_per_enterprise"`
	ItemsPerMeeting           int     `json:"items_per_meeting" yaml:"items_per_meeting"`
}

// Duration is a time.Duration that reads and writes as "20m", "1h30m".
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String writes the duration as time.Duration does ("20m0s").
func (d Duration) String() string { return time.Duration(d).String() }

func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}
