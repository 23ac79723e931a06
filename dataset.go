package fairmatch

// Dataset is everything an organizer imports for the year (formats.md §1):
// who comes, what they need and what they offer. JSON field names are the
// public contract.
type Dataset struct {
	Enterprises  []Enterprise `json:"enterprises,omitempty"`
	Universities []University `json:"universities,omitempty"`
	People       []Person     `json:"people,omitempty"`
	Problems     []Problem    `json:"problems,omitempty"`
	Offerings    []Offering   `json:"offerings,omitempty"`
	Blocked      []Blocked    `json:"blocked,omitempty"`
	History      []History    `json:"history,omitempty"`
}

// Enterprise is a company of the zone; a technology commissioner files its problems.
type Enterprise struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Park         string   `json:"park,omitempty"`
	Industry     string   `json:"industry,omitempty"`
	Commissioner string   `json:"commissioner,omitempty"` // a person id
	Attendees    []string `json:"attendees,omitempty"`    // person ids
}

// University is a partner university (its technology-transfer office).
type University struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Attendees []string `json:"attendees,omitempty"`
}

// Person roles.
const (
	RoleRepresentative = "representative"
	RoleExpert         = "expert"
	RoleCommissioner   = "commissioner"
	RoleLiaison        = "liaison"
)

// Person is anyone who attends or files: enterprise representatives,
// university experts, commissioners, liaisons.
type Person struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	Email     string       `json:"email,omitempty"`
	Org       string       `json:"org,omitempty"` // an enterprise or university id
	Role      string       `json:"role"`
	Available Availability `json:"available,omitempty"`
}

// Availability maps a fair id, or "*" for every fair, to the windows in which a
// person can meet, in the fair's local time. A nil map means the whole fair day.
type Availability map[string][]Window

// Windows returns the windows that apply to the given fair and whether any
// restriction applies at all (false: the whole day).
func (a Availability) Windows(fair string) ([]Window, bool) {
	if w, ok := a[fair]; ok {
		return w, true
	}
	if w, ok := a["*"]; ok {
		return w, true
	}
	return nil, false
}

// Window is a time range of the fair day, "HH:MM" to "HH:MM" local time.
type Window struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Problem is an enterprise's technical problem, filed by its commissioner.
type Problem struct {
	ID          string   `json:"id"`
	Enterprise  string   `json:"enterprise"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Keywords    []string `json:"keywords,omitempty"`
	Domains     []string `json:"domains,omitempty"`
	Wants       []string `json:"wants,omitempty"`   // joint-rd, license, consulting, testing, talent
	Urgency     string   `json:"urgency,omitempty"` // low, normal, high
	Fairs       []string `json:"fairs,omitempty"`   // absent: the next fair
	Attendees   []string `json:"attendees,omitempty"`
}

// Offering is what a university offers: a technology, an expert or a lab.
type Offering struct {
	ID          string   `json:"id"`
	University  string   `json:"university"`
	Kind        string   `json:"kind,omitempty"` // technology, expert, lab
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Keywords    []string `json:"keywords,omitempty"`
	Domains     []string `json:"domains,omitempty"`
	TRL         int      `json:"trl,omitempty"` // 1–9
	Experts     []string `json:"experts,omitempty"`
}

// Blocked is an enterprise–university pair that must never meet.
type Blocked struct {
	Enterprise string `json:"enterprise"`
	University string `json:"university"`
	Reason     string `json:"reason,omitempty"`
}

// Outcomes of a pairing, in the order a follow-up advances through them.
var Outcomes = []string{"none", "contact", "nda", "proposal", "contract", "commercialized"}

// History records an earlier meeting of a pair and what came of it.
type History struct {
	Enterprise string `json:"enterprise"`
	University string `json:"university"`
	Fair       string `json:"fair"`
	Outcome    string `json:"outcome"`
}
