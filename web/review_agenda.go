package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/agenda"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/coordinator"
	"github.com/fairmatch/fairmatch/store"
)

// Views of a fair's agenda.
const (
	agendaDraft     = "draft"     // the agenda stage's result, meta "draft/<fair>"
	agendaPublished = "published" // what participants see
)

// agendaSource is everything the agenda pages read of a fair.
type agendaSource struct {
	fair      fairmatch.Fair
	day       fairmatch.Day
	draft     *fairmatch.Agenda          // nil: none yet
	verdict   *coordinator.AgendaVerdict // the solver's verdict on the draft, nil: none kept
	published *fairmatch.Agenda          // nil: not published
	cancelled []fairmatch.Meeting
	responses []fairmatch.Response
	names     *reviewNames
}

// agendaLoad reads a fair's draft and published agendas, its cancelled
// meetings, its day (the organizers' settings, else the plan's) and the
// dataset for names.
func (s *Server) agendaLoad(fair string) (*agendaSource, error) {
	src := &agendaSource{}
	var ds *fairmatch.Dataset
	err := s.DB.View(func(tx *store.Tx) (err error) {
		if src.fair, err = tx.Fair(fair); err != nil {
			return err
		}
		settings, ok, err := tx.FairSettings(fair)
		if err != nil {
			return err
		}
		if ok && settings.Day != nil {
			src.day = *settings.Day
		} else if s.Plan != nil {
			src.day = s.Plan.FairDay()
		}
		raw, ok, err := tx.Meta("draft/" + fair)
		if err != nil {
			return err
		}
		if ok {
			src.draft = &fairmatch.Agenda{}
			if err := json.Unmarshal([]byte(raw), src.draft); err != nil {
				return fmt.Errorf("draft agenda of fair %s is damaged: %w", fair, err)
			}
			v, ok, err := coordinator.Verdict(tx, fair)
			if err != nil {
				return err
			}
			if ok {
				src.verdict = &v
			}
		}
		if src.published, err = tx.Agenda(fair); err != nil {
			if fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
				return err
			}
			src.published = nil
		}
		if src.cancelled, err = tx.Cancelled(fair); err != nil {
			return err
		}
		if src.responses, err = tx.Responses(fair); err != nil {
			return err
		}
		ds, err = tx.Dataset()
		return err
	})
	if err != nil {
		return nil, err
	}
	src.names = newReviewNames(ds)
	return src, nil
}

// pick chooses the agenda a request asks for: ?view=draft|published, or
// ?draft=1; by default the draft if there is one, else the published one.
// It returns nil when the chosen agenda does not exist.
func (src *agendaSource) pick(q url.Values) (string, *fairmatch.Agenda) {
	view := q.Get("view")
	if d := q.Get("draft"); d == "1" || d == "true" {
		view = agendaDraft
	} else if d == "0" || d == "false" {
		view = agendaPublished
	}
	if view != agendaDraft && view != agendaPublished {
		view = agendaPublished
		if src.draft != nil {
			view = agendaDraft
		}
	}
	if view == agendaDraft {
		return view, src.draft
	}
	return view, src.published
}

// agendaScope returns the part of an agenda the principal may see: all of
// it for organizers, the meetings of their enterprises for a commissioner,
// of their university for a liaison. The result is a copy.
func agendaScope(p *auth.Principal, a *fairmatch.Agenda) *fairmatch.Agenda {
	if a == nil {
		return nil
	}
	out := &fairmatch.Agenda{Fair: a.Fair, Timezone: a.Timezone, Meetings: []fairmatch.Meeting{}, Unscheduled: []fairmatch.Unscheduled{}}
	for _, m := range a.Meetings {
		if reviewVisible(p, m.Enterprise, m.University) {
			out.Meetings = append(out.Meetings, m)
		}
	}
	for _, u := range a.Unscheduled {
		if reviewVisible(p, u.Enterprise, u.University) {
			out.Unscheduled = append(out.Unscheduled, u)
		}
	}
	return out
}

// agendaCellMeeting is a meeting as a grid cell shows it.
type agendaCellMeeting struct {
	ID              string
	Enterprise      string
	EnterpriseName  string
	EnterpriseShort string
	University      string
	UniversityName  string
	UniversityShort string
	People          string // attendees' names
	Items           int
	Conflict        bool
	Change          string // against the published agenda: new, moved, changed or ""
}

// agendaCell is one table in one slot.
type agendaCell struct {
	Table    string
	Meetings []agendaCellMeeting
	Conflict bool
}

// agendaRow is one slot of the grid.
type agendaRow struct {
	Slot         agendaSlot
	SessionStart bool // the first slot of a session
	Cells        []agendaCell
}

// agendaConflictView is a conflict in words: Who is a person's name or a
// table, When the time, Meetings the meetings' labels.
type agendaConflictView struct {
	Kind, Who, When, Meetings string
}

// agendaGapView is a person's idle slots in words.
type agendaGapView struct {
	Person, Name string
	Idle         int
	Slots        string // "10:25, 10:50"
}

// agendaMeetingRef is an unscheduled, cancelled or dropped meeting.
type agendaMeetingRef struct {
	ID             string
	Enterprise     string
	EnterpriseName string
	University     string
	UniversityName string
	Table          string
	Start          time.Time
	Reason         string
}

// agendaPageData is the agenda page's data.
type agendaPageData struct {
	Fair         fairmatch.Fair
	View         string
	HasDraft     bool
	HasPublished bool
	Empty        bool // the chosen agenda does not exist yet
	Tables       []string
	Rows         []agendaRow
	Meetings     int
	Conflicts    []agendaConflictView
	Gaps         []agendaGapView
	IdleSlots    int
	Unscheduled  []agendaMeetingRef
	Verdict      string // the solver's status for the draft shown ("optimal" …; "optimal.replan"), empty: none
	Breaks       int    // the solver's total of breaks for it
	Cancelled    []agendaMeetingRef
	Dropped      []agendaMeetingRef // published meetings the draft no longer holds
	New, Moved   int
	Changed      int
	CanRun       bool
	People       []reviewOption // everyone with a meeting shown, for the per-person view
	Responses    []agendaResponseView
}

// agendaResponseView is a participant's decline or request to move, shown
// to the organizers with the agenda (a re-plan drops declined attendees).
type agendaResponseView struct {
	Meeting, Kind, Person, Reason string
	With                          string // enterprise ↔ university
	At                            string
}

// shortName shortens an organisation's name for a grid cell: legal-form
// suffixes go, and at most 8 characters stay.
func shortName(name string) string {
	for _, suffix := range []string{"股份有限公司", "有限责任公司", "有限公司", "公司", " Co., Ltd.", " Co. Ltd.", " Ltd.", " Inc."} {
		if s, ok := strings.CutSuffix(name, suffix); ok && s != "" {
			name = s
			break
		}
	}
	if utf8.RuneCountInString(name) <= 8 {
		return name
	}
	r := []rune(name)
	return string(r[:7]) + "…"
}

func (src *agendaSource) ref(m fairmatch.Meeting, reason string) agendaMeetingRef {
	n := src.names
	return agendaMeetingRef{ID: m.ID, Enterprise: m.Enterprise, EnterpriseName: n.enterprise(m.Enterprise),
		University: m.University, UniversityName: n.university(m.University), Table: m.Table, Start: m.Start, Reason: reason}
}

// label names a meeting for a conflict: "enterprise ↔ university".
func (src *agendaSource) label(ms []fairmatch.Meeting, id string) string {
	for _, m := range ms {
		if m.ID == id {
			return src.names.enterprise(m.Enterprise) + " ↔ " + src.names.university(m.University)
		}
	}
	return id
}

func (s *Server) agendaPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	src, err := s.agendaLoad(r.PathValue("fair"))
	if err != nil {
		return err
	}
	view, a := src.pick(r.URL.Query())
	d := &agendaPageData{Fair: src.fair, View: view, HasDraft: src.draft != nil, HasPublished: src.published != nil,
		Empty: a == nil, Tables: src.day.Tables, CanRun: p.IsOrganizer()}
	a = agendaScope(p, a)
	if a == nil {
		a = &fairmatch.Agenda{Fair: src.fair.ID, Timezone: src.fair.Timezone}
	}
	tz := src.fair.Timezone
	slots, spans := agendaDaySlots(src.day, src.fair)
	checks, places := agendaCheck(a.Meetings, slots, spans, src.day.Tables)
	var changes map[string]string
	if view == agendaDraft && src.verdict != nil {
		switch v := src.verdict; v.Status {
		case agenda.StatusOptimal, agenda.StatusFeasible, agenda.StatusPartial, agenda.StatusInfeasible, agenda.StatusUnknown:
			d.Verdict, d.Breaks = v.Status, v.Breaks
			if v.Replan && v.Status == agenda.StatusOptimal {
				d.Verdict += ".replan"
			}
		}
	}
	if view == agendaDraft {
		var dropped []fairmatch.Meeting
		changes, dropped = agendaChanges(a, agendaScope(p, src.published))
		for _, m := range dropped {
			d.Dropped = append(d.Dropped, src.ref(m, ""))
		}
		for _, c := range changes {
			switch c {
			case agendaNew:
				d.New++
			case agendaMoved:
				d.Moved++
			case agendaChanged:
				d.Changed++
			}
		}
	}
	inConflict := make(map[string]bool)
	for _, c := range checks.Conflicts {
		for _, id := range c.Meetings {
			inConflict[id] = true
		}
		v := agendaConflictView{Kind: c.Kind, When: inZone(c.Start, tz).Format("15:04"), Who: c.Table}
		if c.Person != "" {
			v.Who = src.names.person(c.Person)
		}
		var labels []string
		for _, id := range c.Meetings {
			labels = append(labels, src.label(a.Meetings, id))
		}
		v.Meetings = strings.Join(labels, "; ")
		d.Conflicts = append(d.Conflicts, v)
	}
	for _, g := range checks.Gaps {
		var times []string
		for _, n := range g.Slots {
			times = append(times, inZone(slots[n-1].Start, tz).Format("15:04"))
		}
		d.Gaps = append(d.Gaps, agendaGapView{Person: g.Person, Name: src.names.person(g.Person), Idle: g.Idle, Slots: strings.Join(times, ", ")})
	}
	d.IdleSlots = checks.IdleSlots

	d.Rows = make([]agendaRow, len(slots))
	for i, sl := range slots {
		d.Rows[i] = agendaRow{Slot: sl, SessionStart: i == 0 || slots[i-1].Session != sl.Session,
			Cells: make([]agendaCell, len(src.day.Tables))}
		for t, name := range src.day.Tables {
			d.Rows[i].Cells[t].Table = name
		}
	}
	for i, m := range a.Meetings {
		pl := places[i]
		if pl.slot == 0 {
			continue
		}
		var people []string
		for _, id := range m.Attendees {
			people = append(people, src.names.person(id))
		}
		en, un := src.names.enterprise(m.Enterprise), src.names.university(m.University)
		cell := &d.Rows[pl.slot-1].Cells[pl.table-1]
		cell.Meetings = append(cell.Meetings, agendaCellMeeting{ID: m.ID, Enterprise: m.Enterprise, EnterpriseName: en,
			EnterpriseShort: shortName(en), University: m.University, UniversityName: un, UniversityShort: shortName(un),
			People: strings.Join(people, "、"), Items: len(m.Items), Conflict: inConflict[m.ID], Change: changes[m.ID]})
		cell.Conflict = cell.Conflict || inConflict[m.ID] || len(cell.Meetings) > 1
	}
	d.Meetings = len(a.Meetings)
	seen := make(map[string]bool)
	for _, m := range a.Meetings {
		for _, id := range m.Attendees {
			if !seen[id] {
				seen[id] = true
				d.People = append(d.People, reviewOption{Value: id, Label: src.names.person(id)})
			}
		}
	}
	slices.SortFunc(d.People, func(a, b reviewOption) int {
		return cmp.Or(cmp.Compare(a.Label, b.Label), cmp.Compare(a.Value, b.Value))
	})
	for _, u := range a.Unscheduled {
		d.Unscheduled = append(d.Unscheduled, src.ref(fairmatch.Meeting{Enterprise: u.Enterprise, University: u.University},
			reviewReason(language(r), u.Reason)))
	}
	for _, m := range src.cancelled {
		if reviewVisible(p, m.Enterprise, m.University) {
			d.Cancelled = append(d.Cancelled, src.ref(m, ""))
		}
	}
	byID := make(map[string]fairmatch.Meeting)
	for _, list := range [][]fairmatch.Meeting{src.cancelled, a.Meetings} {
		for _, m := range list {
			byID[m.ID] = m
		}
	}
	for _, rs := range src.responses {
		m, ok := byID[rs.Meeting]
		if rs.Kind == fairmatch.ResponseOutcome || !ok {
			continue // outcomes belong to the reports; meetings not shown stay out of scope
		}
		d.Responses = append(d.Responses, agendaResponseView{Meeting: rs.Meeting, Kind: rs.Kind,
			Person: src.names.person(rs.Person), Reason: rs.Reason,
			With: src.names.enterprise(m.Enterprise) + " ↔ " + src.names.university(m.University),
			At:   inZone(rs.At, tz).Format("01-02 15:04")})
	}
	s.render(w, r, http.StatusOK, "agenda", "agenda.title", p, d)
	return nil
}

// agendaPersonSlot is one slot of a person's day.
type agendaPersonSlot struct {
	Slot    agendaSlot
	Meeting *agendaMeetingRef
	With    string // the counterpart's name
	Gap     bool   // empty, between two of the person's meetings
}

// agendaPersonData is the per-person page's data.
type agendaPersonData struct {
	Fair    fairmatch.Fair
	View    string
	Person  reviewPerson
	Org     string
	Slots   []agendaPersonSlot
	OffGrid []agendaMeetingRef // meetings outside the grid (see the agenda's conflicts)
	Idle    int
	Count   int
}

func (s *Server) agendaPersonPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	person := r.PathValue("person")
	src, err := s.agendaLoad(r.PathValue("fair"))
	if err != nil {
		return err
	}
	view, a := src.pick(r.URL.Query())
	if a == nil {
		return fairmatch.Errorf(fairmatch.ENOTFOUND, "fair %s has no %s agenda yet", src.fair.ID, view)
	}
	a = agendaScope(p, a)
	var mine []fairmatch.Meeting
	for _, m := range a.Meetings {
		if slices.Contains(m.Attendees, person) {
			mine = append(mine, m)
		}
	}
	known := src.names.People[person] != nil
	switch {
	case len(mine) == 0 && !p.IsOrganizer():
		return fairmatch.Errorf(fairmatch.EFORBIDDEN, "your account may not see %s's day", person)
	case len(mine) == 0 && !known:
		return fairmatch.Errorf(fairmatch.ENOTFOUND, "%s is not a person of the dataset", person)
	}
	d := &agendaPersonData{Fair: src.fair, View: view, Person: reviewPerson{ID: person, Name: src.names.person(person)}, Count: len(mine)}
	if pr := src.names.People[person]; pr != nil && pr.Org != "" {
		d.Org = src.names.org(pr.Org)
	}
	slots, spans := agendaDaySlots(src.day, src.fair)
	checks, places := agendaCheck(mine, slots, spans, src.day.Tables)
	gap := make(map[int]bool)
	for _, g := range checks.Gaps {
		if g.Person == person {
			d.Idle = g.Idle
			for _, n := range g.Slots {
				gap[n] = true
			}
		}
	}
	d.Slots = make([]agendaPersonSlot, len(slots))
	for i, sl := range slots {
		d.Slots[i] = agendaPersonSlot{Slot: sl, Gap: gap[sl.N]}
	}
	for i, m := range mine {
		ref := src.ref(m, "")
		if places[i].slot == 0 {
			d.OffGrid = append(d.OffGrid, ref)
			continue
		}
		ps := &d.Slots[places[i].slot-1]
		if ps.Meeting != nil { // double-booked: the second shows off the grid
			d.OffGrid = append(d.OffGrid, ref)
			continue
		}
		ps.Meeting = &ref
		var org string
		if pr := src.names.People[person]; pr != nil {
			org = pr.Org
		}
		switch org {
		case m.Enterprise:
			ps.With = ref.UniversityName
		case m.University:
			ps.With = ref.EnterpriseName
		default: // a commissioner, or an expert without an organisation
			ps.With = ref.EnterpriseName + " ↔ " + ref.UniversityName
		}
	}
	s.render(w, r, http.StatusOK, "agenda_person", "agenda.person.title", p, d)
	return nil
}

// agendaRun returns the handler of the publish and re-plan buttons: it runs
// the fair's stage of the kind now and goes back to the agenda.
func (s *Server) agendaRun(stage string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
		fair := r.PathValue("fair")
		if _, err := s.Sched.RunNow(r.Context(), fair+"/"+stage); err != nil {
			return err
		}
		s.log().Info("agenda stage run from the agenda page", "fair", fair, "stage", stage, "by", p.Account.Login)
		target := "/fairs/" + url.PathEscape(fair) + "/agenda"
		if stage == fairmatch.StagePublish {
			target += "?view=" + agendaPublished
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil
	}
}

// agendaChecksBody is the answer of GET /api/fairs/{fair}/agenda/checks.
type agendaChecksBody struct {
	Fair    string                     `json:"fair"`
	View    string                     `json:"view"`
	Slots   []agendaSlot               `json:"slots"`
	Tables  []string                   `json:"tables"`
	Verdict *coordinator.AgendaVerdict `json:"verdict,omitempty"` // the solver's, on the draft
	agendaChecks
}

func (s *Server) reviewAPIChecks(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	src, err := s.agendaLoad(r.PathValue("fair"))
	if err != nil {
		return err
	}
	view, a := src.pick(r.URL.Query())
	if a == nil {
		return fairmatch.Errorf(fairmatch.ENOTFOUND, "fair %s has no %s agenda yet", src.fair.ID, view)
	}
	a = agendaScope(p, a)
	slots, spans := agendaDaySlots(src.day, src.fair)
	checks, _ := agendaCheck(a.Meetings, slots, spans, src.day.Tables)
	if slots == nil {
		slots = []agendaSlot{}
	}
	body := agendaChecksBody{Fair: src.fair.ID, View: view, Slots: slots,
		Tables: append([]string{}, src.day.Tables...), agendaChecks: checks}
	if view == agendaDraft {
		body.Verdict = src.verdict
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// reviewAPIAgenda answers GET /api/fairs/{fair}/agenda for staff: the published
// agenda, or with ?draft=1 the draft, scoped to the principal's meetings
// (see agendaScope). It is meant to replace the core handler (see the
// report to the lead).
func (s *Server) reviewAPIAgenda(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	src, err := s.agendaLoad(r.PathValue("fair"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if !q.Has("draft") {
		q.Set("draft", "0")
	}
	view, a := src.pick(q)
	if a == nil {
		if view == agendaDraft {
			return fairmatch.Errorf(fairmatch.ENOTFOUND, "fair %q has no draft agenda yet; run the agenda stage", src.fair.ID)
		}
		return fairmatch.Errorf(fairmatch.ENOTFOUND, "fair %q has no published agenda yet", src.fair.ID)
	}
	w.Header().Set("X-Agenda-View", view)
	writeJSON(w, http.StatusOK, agendaScope(p, a))
	return nil
}
