package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/coordinator"
	"github.com/fairmatch/fairmatch/matcher"
	"github.com/fairmatch/fairmatch/store"
)

// reviewRoutes registers the matching-review and agenda pages and their
// JSON twins. Everyone on the staff may look, scoped to their own rows (see
// reviewVisible); only organizers change anything.
func (s *Server) reviewRoutes(mux *http.ServeMux) {
	mux.Handle("GET /fairs/{fair}/review", s.page(needStaff, s.reviewPage))
	mux.Handle("POST /fairs/{fair}/review/decisions", s.page(needOrganizer, s.reviewDecide))
	mux.Handle("GET /api/fairs/{fair}/proposals", s.api(needStaff, s.reviewAPIProposals))
	mux.Handle("GET /api/fairs/{fair}/decisions", s.api(needStaff, s.reviewAPIDecisions))
	mux.Handle("POST /api/fairs/{fair}/decisions", s.api(needOrganizer, s.reviewAPIPut))
	mux.Handle("DELETE /api/fairs/{fair}/decisions", s.api(needOrganizer, s.reviewAPIDelete))

	mux.Handle("GET /fairs/{fair}/agenda", s.page(needStaff, s.agendaPage))
	mux.Handle("GET /fairs/{fair}/agenda/people/{person}", s.page(needStaff, s.agendaPersonPage))
	mux.Handle("POST /fairs/{fair}/agenda/publish", s.page(needOrganizer, s.agendaRun(fairmatch.StagePublish)))
	mux.Handle("POST /fairs/{fair}/agenda/replan", s.page(needOrganizer, s.agendaRun(fairmatch.StageAgenda)))
	mux.Handle("GET /api/fairs/{fair}/agenda/checks", s.api(needStaff, s.reviewAPIChecks))
}

// reviewMaxBody bounds a decision form or JSON body.
const reviewMaxBody = 64 << 10

// reviewVisible reports whether the principal may see a pairing: organizers see
// every one, a commissioner those of their enterprises, a liaison those of
// their university.
func reviewVisible(p *auth.Principal, enterprise, university string) bool {
	return p.IsOrganizer() || p.CanEditEnterprise(enterprise) || p.CanEditUniversity(university)
}

// reviewItem is a problem–offering pair of a reviewed meeting.
type reviewItem struct {
	Problem       string  `json:"problem"`
	ProblemTitle  string  `json:"problem_title"`
	Offering      string  `json:"offering"`
	OfferingTitle string  `json:"offering_title"`
	Score         float64 `json:"score"`
	Why           string  `json:"why,omitempty"`
}

// reviewPerson is a person's id and name.
type reviewPerson struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Review states of a row: a verdict, or undecided.
const reviewUndecided = "undecided"

// reviewRow is one enterprise–university pairing under review: a proposal
// of the last matching run, or a decision on a pair it no longer proposes.
type reviewRow struct {
	Enterprise     string              `json:"enterprise"`
	EnterpriseName string              `json:"enterprise_name"`
	Park           string              `json:"park,omitempty"`
	University     string              `json:"university"`
	UniversityName string              `json:"university_name"`
	Score          float64             `json:"score"` // relevance: the items' sum
	Primary        bool                `json:"primary,omitempty"`
	Proposed       bool                `json:"proposed"` // in the last matching run
	Items          []reviewItem        `json:"items"`
	Attendees      []reviewPerson      `json:"attendees"`
	State          string              `json:"state"` // undecided or a verdict
	Decision       *fairmatch.Decision `json:"decision,omitempty"`
}

// reviewUnmatched is a relevant pair the matcher did not propose, and why.
type reviewUnmatched struct {
	Enterprise     string `json:"enterprise"`
	EnterpriseName string `json:"enterprise_name"`
	University     string `json:"university"`
	UniversityName string `json:"university_name"`
	Reason         string `json:"reason"`
}

// reviewFilter narrows the review: one park, one university, only the rows
// without a decision.
type reviewFilter struct {
	Park       string `json:"park,omitempty"`
	University string `json:"university,omitempty"`
	Undecided  bool   `json:"undecided,omitempty"`
}

func reviewFilterOf(q url.Values) reviewFilter {
	return reviewFilter{Park: q.Get("park"), University: q.Get("university"),
		Undecided: q.Get("undecided") == "1" || q.Get("undecided") == "on"}
}

// Query is the filter as a query string (without "?").
func (f reviewFilter) Query() string {
	q := url.Values{}
	if f.Park != "" {
		q.Set("park", f.Park)
	}
	if f.University != "" {
		q.Set("university", f.University)
	}
	if f.Undecided {
		q.Set("undecided", "1")
	}
	return q.Encode()
}

func (f reviewFilter) keep(r reviewRow) bool {
	return (f.Park == "" || r.Park == f.Park) && (f.University == "" || r.University == f.University) &&
		(!f.Undecided || r.State == reviewUndecided)
}

func (f reviewFilter) keepUnmatched(u reviewUnmatched, park string) bool {
	return (f.Park == "" || park == f.Park) && (f.University == "" || u.University == f.University)
}

// reviewOption is a choice of a select.
type reviewOption struct {
	Value, Label string
}

// reviewOptGroup is a labelled group of choices.
type reviewOptGroup struct {
	Label   string
	Options []reviewOption
}

// reviewAddForm is what the "add a meeting by hand" form offers.
type reviewAddForm struct {
	Enterprises  []reviewOption
	Universities []reviewOption
	Problems     []reviewOptGroup // by enterprise
	Offerings    []reviewOptGroup // by university
	People       []reviewOptGroup // by organisation
}

// reviewGroup is an enterprise's rows.
type reviewGroup struct {
	Enterprise string
	Name       string
	Park       string
	Rows       []reviewRow
}

// reviewData is the review page's data and, in part, its API's answer.
type reviewData struct {
	Fair         fairmatch.Fair
	Rows         []reviewRow
	Groups       []reviewGroup
	Unmatched    []reviewUnmatched
	Filter       reviewFilter
	Parks        []string
	Universities []reviewOption
	Total        int // visible rows before filtering
	Undecided    int // visible rows without a decision
	CanDecide    bool
	Add          *reviewAddForm
}

// reviewNames looks up the names of a dataset's records.
type reviewNames struct {
	*fairmatch.Index
	ds *fairmatch.Dataset
}

func newReviewNames(ds *fairmatch.Dataset) *reviewNames {
	if ds == nil {
		ds = &fairmatch.Dataset{}
	}
	return &reviewNames{Index: fairmatch.NewIndex(ds), ds: ds}
}

func (n *reviewNames) enterprise(id string) string {
	if e := n.Enterprises[id]; e != nil && e.Name != "" {
		return e.Name
	}
	return id
}

func (n *reviewNames) university(id string) string {
	if u := n.Universities[id]; u != nil && u.Name != "" {
		return u.Name
	}
	return id
}

func (n *reviewNames) person(id string) string {
	if p := n.People[id]; p != nil && p.Name != "" {
		return p.Name
	}
	return id
}

// org names an enterprise or university id.
func (n *reviewNames) org(id string) string {
	if _, ok := n.Enterprises[id]; ok {
		return n.enterprise(id)
	}
	return n.university(id)
}

func (n *reviewNames) park(enterprise string) string {
	if e := n.Enterprises[enterprise]; e != nil {
		return e.Park
	}
	return ""
}

func (n *reviewNames) persons(ids []string) []reviewPerson {
	out := make([]reviewPerson, 0, len(ids))
	for _, id := range ids {
		out = append(out, reviewPerson{ID: id, Name: n.person(id)})
	}
	return out
}

func (n *reviewNames) items(items []fairmatch.MeetingItem) []reviewItem {
	out := make([]reviewItem, 0, len(items))
	for _, it := range items {
		ri := reviewItem{Problem: it.Problem, ProblemTitle: it.Problem, Offering: it.Offering,
			OfferingTitle: it.Offering, Score: it.Score, Why: it.Why}
		if p := n.Problems[it.Problem]; p != nil && p.Title != "" {
			ri.ProblemTitle = p.Title
		}
		if o := n.Offerings[it.Offering]; o != nil && o.Title != "" {
			ri.OfferingTitle = o.Title
		}
		out = append(out, ri)
	}
	return out
}

// loadReview reads a fair's proposals, decisions and unmatched pairs and
// makes the rows the principal may see, filtered.
func (s *Server) loadReview(r *http.Request, p *auth.Principal) (*reviewData, error) {
	fair := r.PathValue("fair")
	var (
		d         = &reviewData{Filter: reviewFilterOf(r.URL.Query()), CanDecide: p.IsOrganizer()}
		proposals []fairmatch.Proposal
		decisions []fairmatch.Decision
		ds        *fairmatch.Dataset
		unmatched []fairmatch.Unscheduled
	)
	err := s.DB.View(func(tx *store.Tx) (err error) {
		if d.Fair, err = tx.Fair(fair); err != nil {
			return err
		}
		if proposals, err = tx.Proposals(fair); err != nil {
			return err
		}
		if decisions, err = tx.Decisions(fair); err != nil {
			return err
		}
		if ds, err = tx.Dataset(); err != nil {
			return err
		}
		raw, ok, err := tx.Meta("unmatched/" + fair)
		if err != nil || !ok {
			return err
		}
		if err := json.Unmarshal([]byte(raw), &unmatched); err != nil {
			return fmt.Errorf("unmatched pairs of fair %s are damaged: %w", fair, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	n := newReviewNames(ds)
	type pair struct{ e, u string }
	byPair := make(map[pair]*fairmatch.Decision, len(decisions))
	for i := range decisions {
		byPair[pair{decisions[i].Enterprise, decisions[i].University}] = &decisions[i]
	}
	row := func(e, u string, primary, proposed bool, items []fairmatch.MeetingItem, att []string) reviewRow {
		r := reviewRow{Enterprise: e, EnterpriseName: n.enterprise(e), Park: n.park(e), University: u,
			UniversityName: n.university(u), Score: coordinator.ProposalScore(items), Primary: primary,
			Proposed: proposed, Items: n.items(items), Attendees: n.persons(att), State: reviewUndecided}
		if dec := byPair[pair{e, u}]; dec != nil {
			r.State, r.Decision = dec.Verdict, dec
		}
		return r
	}
	var rows []reviewRow
	proposed := make(map[pair]bool, len(proposals))
	for _, pr := range proposals {
		if proposed[pair{pr.Enterprise, pr.University}] || !reviewVisible(p, pr.Enterprise, pr.University) {
			continue
		}
		proposed[pair{pr.Enterprise, pr.University}] = true
		rows = append(rows, row(pr.Enterprise, pr.University, pr.Primary, true, pr.Items, pr.Attendees))
	}
	for _, dec := range decisions {
		if proposed[pair{dec.Enterprise, dec.University}] || !reviewVisible(p, dec.Enterprise, dec.University) {
			continue
		}
		rows = append(rows, row(dec.Enterprise, dec.University, dec.Verdict == fairmatch.VerdictPin, false, dec.Items, dec.Attendees))
	}
	slices.SortStableFunc(rows, func(a, b reviewRow) int {
		return cmp.Or(cmp.Compare(a.Park, b.Park), cmp.Compare(a.Enterprise, b.Enterprise),
			cmp.Compare(b.Score, a.Score), cmp.Compare(a.University, b.University))
	})
	parks, unis := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		d.Total++
		if r.State == reviewUndecided {
			d.Undecided++
		}
		parks[r.Park], unis[r.University] = true, true
		if d.Filter.keep(r) {
			d.Rows = append(d.Rows, r)
		}
	}
	for _, r := range d.Rows {
		if k := len(d.Groups) - 1; k >= 0 && d.Groups[k].Enterprise == r.Enterprise {
			d.Groups[k].Rows = append(d.Groups[k].Rows, r)
			continue
		}
		d.Groups = append(d.Groups, reviewGroup{Enterprise: r.Enterprise, Name: r.EnterpriseName, Park: r.Park, Rows: []reviewRow{r}})
	}
	for _, u := range unmatched {
		if !reviewVisible(p, u.Enterprise, u.University) {
			continue
		}
		parks[n.park(u.Enterprise)], unis[u.University] = true, true
		ur := reviewUnmatched{Enterprise: u.Enterprise, EnterpriseName: n.enterprise(u.Enterprise),
			University: u.University, UniversityName: n.university(u.University), Reason: u.Reason}
		if d.Filter.keepUnmatched(ur, n.park(u.Enterprise)) {
			d.Unmatched = append(d.Unmatched, ur)
		}
	}
	delete(parks, "")
	for park := range parks {
		d.Parks = append(d.Parks, park)
	}
	slices.Sort(d.Parks)
	for u := range unis {
		d.Universities = append(d.Universities, reviewOption{Value: u, Label: n.university(u)})
	}
	slices.SortFunc(d.Universities, func(a, b reviewOption) int { return cmp.Compare(a.Value, b.Value) })
	if d.CanDecide {
		d.Add = newReviewAddForm(n)
	}
	return d, nil
}

// newReviewAddForm fills the selects of the add-by-hand form from the dataset.
func newReviewAddForm(n *reviewNames) *reviewAddForm {
	f := &reviewAddForm{}
	ds := n.ds
	for _, e := range ds.Enterprises {
		f.Enterprises = append(f.Enterprises, reviewOption{e.ID, e.ID + " " + e.Name})
	}
	for _, u := range ds.Universities {
		f.Universities = append(f.Universities, reviewOption{u.ID, u.ID + " " + u.Name})
	}
	group := func(groups []reviewOptGroup, label string, o reviewOption) []reviewOptGroup {
		if k := len(groups) - 1; k >= 0 && groups[k].Label == label {
			groups[k].Options = append(groups[k].Options, o)
			return groups
		}
		return append(groups, reviewOptGroup{Label: label, Options: []reviewOption{o}})
	}
	problems := slices.Clone(ds.Problems)
	slices.SortStableFunc(problems, func(a, b fairmatch.Problem) int { return cmp.Compare(a.Enterprise, b.Enterprise) })
	for _, p := range problems {
		f.Problems = group(f.Problems, p.Enterprise+" "+n.enterprise(p.Enterprise), reviewOption{p.ID, p.ID + " " + p.Title})
	}
	offerings := slices.Clone(ds.Offerings)
	slices.SortStableFunc(offerings, func(a, b fairmatch.Offering) int { return cmp.Compare(a.University, b.University) })
	for _, o := range offerings {
		f.Offerings = group(f.Offerings, o.University+" "+n.university(o.University), reviewOption{o.ID, o.ID + " " + o.Title})
	}
	people := slices.Clone(ds.People)
	slices.SortStableFunc(people, func(a, b fairmatch.Person) int { return cmp.Compare(a.Org, b.Org) })
	for _, p := range people {
		label := p.Org
		if label != "" {
			label += " " + n.org(p.Org)
		}
		f.People = group(f.People, label, reviewOption{p.ID, p.ID + " " + p.Name})
	}
	return f
}

func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := s.loadReview(r, p)
	if err != nil {
		return err
	}
	lang := language(r)
	for i := range d.Unmatched {
		d.Unmatched[i].Reason = reviewReason(lang, d.Unmatched[i].Reason)
	}
	s.render(w, r, http.StatusOK, "review", "review.title", p, d)
	return nil
}

// reviewProposalsBody is the answer of GET /api/fairs/{fair}/proposals.
type reviewProposalsBody struct {
	Fair      string            `json:"fair"`
	Filter    reviewFilter      `json:"filter"`
	Total     int               `json:"total"`
	Undecided int               `json:"undecided"`
	Rows      []reviewRow       `json:"rows"`
	Unmatched []reviewUnmatched `json:"unmatched"`
}

func (s *Server) reviewAPIProposals(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := s.loadReview(r, p)
	if err != nil {
		return err
	}
	body := reviewProposalsBody{Fair: d.Fair.ID, Filter: d.Filter, Total: d.Total, Undecided: d.Undecided,
		Rows: d.Rows, Unmatched: d.Unmatched}
	if body.Rows == nil {
		body.Rows = []reviewRow{}
	}
	if body.Unmatched == nil {
		body.Unmatched = []reviewUnmatched{}
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) reviewAPIDecisions(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	fair := r.PathValue("fair")
	out := []fairmatch.Decision{}
	err := s.DB.View(func(tx *store.Tx) error {
		if _, err := tx.Fair(fair); err != nil {
			return err
		}
		ds, err := tx.Decisions(fair)
		for _, d := range ds {
			if reviewVisible(p, d.Enterprise, d.University) {
				out = append(out, d)
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// reviewDecisionRequest is the body of POST /api/fairs/{fair}/decisions. Items
// of an add need only problem and offering; their score and why are
// computed. Accept and pin copy the pair's proposal when they bring no
// items.
type reviewDecisionRequest struct {
	Enterprise string                  `json:"enterprise"`
	University string                  `json:"university"`
	Verdict    string                  `json:"verdict"`
	Items      []fairmatch.MeetingItem `json:"items,omitempty"`
	Attendees  []string                `json:"attendees,omitempty"`
	Note       string                  `json:"note,omitempty"`
}

func (s *Server) reviewAPIPut(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var req reviewDecisionRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, reviewMaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return fairmatch.Invalid("the decision cannot be read", []fairmatch.Issue{{Record: "decision", Reason: err.Error()}})
	}
	d, err := s.reviewPut(r.PathValue("fair"), fairmatch.Decision{Enterprise: req.Enterprise, University: req.University,
		Verdict: req.Verdict, Items: req.Items, Attendees: req.Attendees, Note: req.Note}, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) reviewAPIDelete(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	q := r.URL.Query()
	if err := s.reviewDelete(r.PathValue("fair"), q.Get("enterprise"), q.Get("university")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// reviewWithdraw is the review form's action that deletes a decision.
const reviewWithdraw = "withdraw"

// reviewDecide handles the review page's buttons and its add-by-hand form,
// then goes back to the enterprise's place on the page.
func (s *Server) reviewDecide(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	r.Body = http.MaxBytesReader(w, r.Body, reviewMaxBody)
	if err := r.ParseForm(); err != nil {
		return fairmatch.Errorf(fairmatch.EINVALID, "the decision form cannot be read: %v", err)
	}
	fair := r.PathValue("fair")
	f := r.PostForm
	d := fairmatch.Decision{Enterprise: strings.TrimSpace(f.Get("enterprise")), University: strings.TrimSpace(f.Get("university")),
		Verdict: f.Get("verdict"), Note: strings.TrimSpace(f.Get("note"))}
	var err error
	switch d.Verdict {
	case reviewWithdraw:
		err = s.reviewDelete(fair, d.Enterprise, d.University)
	case fairmatch.VerdictAdd:
		if pr, of := f.Get("problem"), f.Get("offering"); pr != "" || of != "" {
			d.Items = []fairmatch.MeetingItem{{Problem: pr, Offering: of}}
		}
		for _, a := range f["attendees"] {
			if a = strings.TrimSpace(a); a != "" {
				d.Attendees = append(d.Attendees, a)
			}
		}
		d, err = s.reviewPut(fair, d, p)
	default:
		d, err = s.reviewPut(fair, d, p)
	}
	if err != nil {
		return err
	}
	back := "/fairs/" + url.PathEscape(fair) + "/review"
	if q := reviewFilterOf(reviewQuery(f.Get("back"))).Query(); q != "" {
		back += "?" + q
	}
	if d.Enterprise != "" {
		back += "#e-" + url.PathEscape(d.Enterprise)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

func reviewQuery(raw string) url.Values {
	q, _ := url.ParseQuery(raw)
	return q
}

// reviewPut stores an organizer's decision on a pairing of the fair.
// Accept and pin without items copy the pair's proposal (or the earlier
// decision that kept it) so that the pairing survives a re-run that no
// longer proposes it; reject stores no items; add fills its items' scores
// and reasons, defaults its attendees and is checked against the dataset
// as coordinator.ApplyDecisions will check it.
func (s *Server) reviewPut(fair string, d fairmatch.Decision, p *auth.Principal) (fairmatch.Decision, error) {
	d.Fair, d.At = fair, s.now()
	if p != nil && p.Account != nil {
		d.By = p.Account.Login
	}
	if len(d.Note) > 2000 {
		return d, fairmatch.Invalid("the decision cannot be stored", []fairmatch.Issue{{Record: "decision", Field: "note", Reason: "must be at most 2000 bytes"}})
	}
	err := s.DB.Update(func(tx *store.Tx) error {
		if _, err := tx.Fair(fair); err != nil {
			return err
		}
		ds, err := tx.Dataset()
		if err != nil {
			return err
		}
		switch d.Verdict {
		case fairmatch.VerdictReject:
			d.Items, d.Attendees = nil, nil
			ix := fairmatch.NewIndex(ds)
			var is []fairmatch.Issue
			if ix.Enterprises[d.Enterprise] == nil {
				is = append(is, fairmatch.Issue{Record: "decision", Field: "enterprise", Reason: fmt.Sprintf("no enterprise %q", d.Enterprise)})
			}
			if ix.Universities[d.University] == nil {
				is = append(is, fairmatch.Issue{Record: "decision", Field: "university", Reason: fmt.Sprintf("no university %q", d.University)})
			}
			if len(is) > 0 {
				return fairmatch.Invalid("the decision cannot be stored", is)
			}
		case fairmatch.VerdictAccept, fairmatch.VerdictPin:
			if len(d.Items) == 0 {
				if err := reviewCopyProposal(tx, &d); err != nil {
					return err
				}
			} else if err := reviewCheckDecision(d, ds); err != nil {
				return err
			}
		case fairmatch.VerdictAdd:
			if d.Enterprise == "" && len(d.Items) > 0 {
				if pr := newReviewNames(ds).Problems[d.Items[0].Problem]; pr != nil {
					d.Enterprise = pr.Enterprise
				}
			}
			if d.University == "" && len(d.Items) > 0 {
				if of := newReviewNames(ds).Offerings[d.Items[0].Offering]; of != nil {
					d.University = of.University
				}
			}
			reviewFillAdd(&d, ds)
			if err := reviewCheckDecision(d, ds); err != nil {
				return err
			}
		}
		return tx.PutDecision(d)
	})
	return d, err
}

// reviewCopyProposal fills an accept or pin with the items and attendees of the
// pair's proposal, or of the decision stored on it.
func reviewCopyProposal(tx *store.Tx, d *fairmatch.Decision) error {
	ps, err := tx.Proposals(d.Fair)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.Enterprise == d.Enterprise && p.University == d.University {
			d.Items, d.Attendees = slices.Clone(p.Items), slices.Clone(p.Attendees)
			return nil
		}
	}
	decs, err := tx.Decisions(d.Fair)
	if err != nil {
		return err
	}
	for _, old := range decs {
		if old.Enterprise == d.Enterprise && old.University == d.University && len(old.Items) > 0 {
			d.Items, d.Attendees = old.Items, old.Attendees
			return nil
		}
	}
	return fairmatch.Errorf(fairmatch.ENOTFOUND, "%s–%s is not proposed for fair %s; add the meeting by hand instead",
		d.Enterprise, d.University, d.Fair)
}

// reviewFillAdd gives a hand-added meeting's items their relevance and reasons
// and, when no attendees were chosen, the enterprise's people (the
// problems' attendees, else the enterprise's, else its representatives)
// and the offerings' experts (else the university's attendees).
func reviewFillAdd(d *fairmatch.Decision, ds *fairmatch.Dataset) {
	n := newReviewNames(ds)
	var ix *matcher.Index
	for i := range d.Items {
		it := &d.Items[i]
		if it.Score != 0 || it.Why != "" || n.Problems[it.Problem] == nil || n.Offerings[it.Offering] == nil {
			continue
		}
		if ix == nil {
			ix = matcher.NewIndex(ds)
		}
		if score, why, err := ix.Score(it.Problem, it.Offering); err == nil {
			it.Score, it.Why = score, why
		}
	}
	if len(d.Attendees) > 0 {
		return
	}
	add := func(ids ...string) {
		for _, id := range ids {
			if id != "" && !slices.Contains(d.Attendees, id) {
				d.Attendees = append(d.Attendees, id)
			}
		}
	}
	for _, it := range d.Items {
		if pr := n.Problems[it.Problem]; pr != nil && pr.Enterprise == d.Enterprise {
			add(pr.Attendees...)
		}
	}
	if len(d.Attendees) == 0 {
		if e := n.Enterprises[d.Enterprise]; e != nil {
			add(e.Attendees...)
		}
	}
	if len(d.Attendees) == 0 {
		for _, p := range ds.People {
			if p.Org == d.Enterprise && p.Role == fairmatch.RoleRepresentative {
				add(p.ID)
			}
		}
	}
	enterpriseSide := len(d.Attendees)
	for _, it := range d.Items {
		if of := n.Offerings[it.Offering]; of != nil && of.University == d.University {
			add(of.Experts...)
		}
	}
	if len(d.Attendees) == enterpriseSide {
		if u := n.Universities[d.University]; u != nil {
			add(u.Attendees...)
		}
	}
}

// reviewCheckDecision refuses a decision whose meeting coordinator.ApplyDecisions
// would not make, or would make only in part.
func reviewCheckDecision(d fairmatch.Decision, ds *fairmatch.Dataset) error {
	if d.Enterprise == "" || d.University == "" {
		var is []fairmatch.Issue
		if d.Enterprise == "" {
			is = append(is, fairmatch.Issue{Record: "decision", Field: "enterprise", Reason: "choose an enterprise"})
		}
		if d.University == "" {
			is = append(is, fairmatch.Issue{Record: "decision", Field: "university", Reason: "choose a university"})
		}
		return fairmatch.Invalid("the meeting cannot be added", is)
	}
	if len(d.Items) == 0 {
		return fairmatch.Invalid("the meeting cannot be added", []fairmatch.Issue{{Record: "decision", Field: "items",
			Reason: "choose a problem and an offering"}})
	}
	_, issues := coordinator.ApplyDecisions(nil, []fairmatch.Decision{d}, ds)
	if len(issues) == 0 {
		return nil
	}
	for i := range issues {
		issues[i].File, issues[i].Record = "", "decision"
	}
	return fairmatch.Invalid(fmt.Sprintf("the %s of %s–%s cannot be stored", d.Verdict, d.Enterprise, d.University), issues)
}

// reviewDelete deletes the decision on a pair of the fair.
func (s *Server) reviewDelete(fair, enterprise, university string) error {
	if enterprise == "" || university == "" {
		return fairmatch.Invalid("no decision named", []fairmatch.Issue{{Record: "decision", Field: "enterprise",
			Reason: "enterprise and university are required"}})
	}
	return s.DB.Update(func(tx *store.Tx) error {
		if _, err := tx.Fair(fair); err != nil {
			return err
		}
		return tx.DeleteDecision(fair, enterprise, university)
	})
}
