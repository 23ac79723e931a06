package report

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/fairmatch/fairmatch"
)

// Input is what Compute reports on: the year's dataset and the fairs to
// cover, each with what the store holds for it.
type Input struct {
	// Year is the year reported on; zero for the report of one fair.
	Year    int
	Dataset *fairmatch.Dataset
	// Fairs are the fairs covered, in the order the report lists them.
	Fairs []FairData
}

// FairData is what the store holds for one fair.
type FairData struct {
	Fair      fairmatch.Fair
	Proposals []fairmatch.Proposal
	Agenda    *fairmatch.Agenda   // the published agenda; nil if not published
	Cancelled []fairmatch.Meeting // meetings an earlier agenda held and a later one dropped
	Responses []fairmatch.Response
}

// Report is the result of Compute. Rows are listed in a stable order: fairs
// as given, parks and universities by id.
type Report struct {
	Year         int             `json:"year,omitempty"` // zero for a one-fair report
	Fair         string          `json:"fair,omitempty"` // the fair of a one-fair report
	Fairs        []FairRow       `json:"fairs"`
	Total        Figures         `json:"total"`
	Parks        []ParkRow       `json:"parks"`
	Universities []UniversityRow `json:"universities"`
}

// Scope names what the report covers: the fair id ("2027-03") or the year
// ("2027").
func (r Report) Scope() string {
	if r.Fair != "" || r.Year == 0 {
		return r.Fair
	}
	return strconv.Itoa(r.Year)
}

// Figures are the counts reported for a fair, a year, a park or a
// university; see the package documentation for their definitions.
type Figures struct {
	ProblemsRaised  int      `json:"problems_raised"`
	ProblemsMatched int      `json:"problems_matched"`
	Proposed        int      `json:"proposed"`
	Scheduled       int      `json:"scheduled"`
	Declined        int      `json:"declined"`
	Held            int      `json:"held"`
	Outcomes        Outcomes `json:"outcomes"`
}

// Outcomes counts enterprise–university pairs by the furthest outcome
// reported for them.
type Outcomes struct {
	None           int `json:"none"`
	Contact        int `json:"contact"`
	NDA            int `json:"nda"`
	Proposal       int `json:"proposal"`
	Contract       int `json:"contract"`
	Commercialized int `json:"commercialized"`
	// Unreported counts pairs that held a meeting and reported no outcome.
	Unreported int `json:"unreported"`
}

// Counts returns the pairs at each stage, in the order of
// fairmatch.Outcomes.
func (o Outcomes) Counts() []int {
	return []int{o.None, o.Contact, o.NDA, o.Proposal, o.Contract, o.Commercialized}
}

// Reached returns, for each stage of fairmatch.Outcomes, how many pairs got
// at least that far: the outcome funnel.
func (o Outcomes) Reached() []int {
	c := o.Counts()
	out := make([]int, len(c))
	sum := 0
	for i := len(c) - 1; i >= 0; i-- {
		sum += c[i]
		out[i] = sum
	}
	return out
}

// Reported is the number of pairs with an outcome reported.
func (o Outcomes) Reported() int { return o.Reached()[0] }

// add counts a pair at stage index i of fairmatch.Outcomes, or as
// unreported for i < 0.
func (o *Outcomes) add(i int) {
	switch i {
	case 0:
		o.None++
	case 1:
		o.Contact++
	case 2:
		o.NDA++
	case 3:
		o.Proposal++
	case 4:
		o.Contract++
	case 5:
		o.Commercialized++
	default:
		o.Unreported++
	}
}

// FairRow is one fair's line of a report.
type FairRow struct {
	Fair      string    `json:"fair"`
	Theme     string    `json:"theme,omitempty"`
	Timezone  string    `json:"timezone,omitempty"`
	Start     time.Time `json:"start,omitzero"`
	Published bool      `json:"published"`
	Figures
}

// ParkRow is one industrial park's line: the figures of its enterprises.
// Park is empty for enterprises that name no park (or that the dataset does
// not know).
type ParkRow struct {
	Park        string `json:"park"`
	Enterprises int    `json:"enterprises"` // in the dataset
	Figures
}

// UniversityRow is one university's line. ProblemsRaised is always zero (a
// university raises none); ProblemsMatched counts the problems proposed to
// it.
type UniversityRow struct {
	University string `json:"university"`
	Name       string `json:"name,omitempty"`
	Offerings  int    `json:"offerings"`
	Figures
}

// pair is an enterprise–university pair.
type pair struct{ enterprise, university string }

// pairOutcome is what is known of a pair over the scope of a tally.
type pairOutcome struct {
	held     bool
	furthest int // index in fairmatch.Outcomes; -1: none reported
}

// tally accumulates the figures of one scope (a fair, the year, a park, a
// university) where problems and pairs must be counted once.
type tally struct {
	Figures
	raised, matched map[string]bool
	pairs           map[pair]*pairOutcome
}

func newTally() *tally {
	return &tally{raised: map[string]bool{}, matched: map[string]bool{}, pairs: map[pair]*pairOutcome{}}
}

func (t *tally) pair(p pair) *pairOutcome {
	po := t.pairs[p]
	if po == nil {
		po = &pairOutcome{furthest: -1}
		t.pairs[p] = po
	}
	return po
}

// finish turns the sets into counts.
func (t *tally) finish() Figures {
	f := t.Figures
	f.ProblemsRaised, f.ProblemsMatched = len(t.raised), len(t.matched)
	for _, po := range t.pairs {
		if po.furthest >= 0 || po.held {
			f.Outcomes.add(po.furthest)
		}
	}
	return f
}

// stageIndex returns the index of an outcome in fairmatch.Outcomes, -1 if
// it is none of them.
func stageIndex(outcome string) int { return slices.Index(fairmatch.Outcomes, outcome) }

// Compute computes the report of the given fairs. It never fails: records
// that refer to unknown enterprises, universities or meetings are counted
// as far as they can be (an unknown enterprise under the empty park) or
// ignored (a response to a meeting never published).
func Compute(in Input) Report {
	ds := in.Dataset
	if ds == nil {
		ds = &fairmatch.Dataset{}
	}
	rep := Report{Year: in.Year, Fairs: make([]FairRow, 0, len(in.Fairs))}
	if in.Year == 0 && len(in.Fairs) == 1 {
		rep.Fair = in.Fairs[0].Fair.ID
	}

	park := make(map[string]string, len(ds.Enterprises)) // enterprise → park
	parks := newTallies()
	unis := newTallies()
	enterprisesIn := map[string]int{}
	for _, e := range ds.Enterprises {
		park[e.ID] = e.Park
		enterprisesIn[e.Park]++
		parks.get(e.Park)
	}
	uniName := make(map[string]string, len(ds.Universities))
	offerings := map[string]int{}
	for _, u := range ds.Universities {
		uniName[u.ID] = u.Name
		unis.get(u.ID)
	}
	for _, o := range ds.Offerings {
		offerings[o.University]++
	}
	problemOf := make(map[string]*fairmatch.Problem, len(ds.Problems))
	for i := range ds.Problems {
		problemOf[ds.Problems[i].ID] = &ds.Problems[i]
	}
	sides := sidesOf(ds)

	inScope := make(map[string]bool, len(in.Fairs))
	for _, fd := range in.Fairs {
		inScope[fd.Fair.ID] = true
	}
	history := map[string][]fairmatch.History{}
	for _, h := range ds.History {
		if inScope[h.Fair] {
			history[h.Fair] = append(history[h.Fair], h)
		}
	}

	year := newTally()
	if in.Year != 0 {
		// The year's problems: those naming one of its fairs, or none.
		for _, p := range ds.Problems {
			if raisedInScope(p, inScope) {
				year.raised[p.ID] = true
				parks.get(park[p.Enterprise]).raised[p.ID] = true
			}
		}
	}

	for _, fd := range in.Fairs {
		f := fd.Fair
		ft := newTally()
		for _, p := range ds.Problems {
			if slices.Contains(p.Fairs, f.ID) {
				ft.raised[p.ID] = true
			}
		}
		// each tally that a record of an enterprise–university pair feeds
		scopes := func(pr pair) [4]*tally {
			return [4]*tally{ft, year, parks.get(park[pr.enterprise]), unis.get(pr.university)}
		}

		for _, pp := range fd.Proposals {
			pr := pair{pp.Enterprise, pp.University}
			for _, t := range scopes(pr) {
				t.Proposed++
			}
			for _, it := range pp.Items {
				p := problemOf[it.Problem]
				if p == nil {
					continue
				}
				if len(p.Fairs) == 0 {
					ft.raised[p.ID] = true
				}
				if !ft.raised[p.ID] {
					continue // proposed at a fair it was not raised for
				}
				ft.matched[p.ID] = true
				year.matched[p.ID] = true
				parks.get(park[p.Enterprise]).matched[p.ID] = true
				unis.get(pr.university).matched[p.ID] = true
			}
		}

		// meeting id → pair, for the outcome responses
		meetingPair := map[string]pair{}
		for _, m := range fd.Cancelled {
			meetingPair[m.ID] = pair{m.Enterprise, m.University}
		}
		declined := map[[2]string]bool{}
		for _, r := range fd.Responses {
			if r.Kind == fairmatch.ResponseDecline {
				declined[[2]string{r.Meeting, r.Person}] = true
			}
		}
		if fd.Agenda != nil {
			cancelled := make(map[string]bool, len(fd.Cancelled))
			for _, m := range fd.Cancelled {
				cancelled[m.ID] = true
			}
			for _, m := range fd.Agenda.Meetings {
				pr := pair{m.Enterprise, m.University}
				meetingPair[m.ID] = pr
				if cancelled[m.ID] {
					continue
				}
				isDeclined := sides.declined(m, declined)
				for _, t := range scopes(pr) {
					t.Scheduled++
					if isDeclined {
						t.Declined++
					} else {
						t.Held++
						t.pair(pr).held = true
					}
				}
			}
		}

		report := func(pr pair, outcome string) {
			i := stageIndex(outcome)
			if i < 0 {
				return
			}
			for _, t := range scopes(pr) {
				po := t.pair(pr)
				po.furthest = max(po.furthest, i)
			}
		}
		for _, r := range fd.Responses {
			if r.Kind != fairmatch.ResponseOutcome {
				continue
			}
			if pr, ok := meetingPair[r.Meeting]; ok {
				report(pr, r.Outcome)
			}
		}
		for _, h := range history[f.ID] {
			report(pair{h.Enterprise, h.University}, h.Outcome)
		}

		rep.Fairs = append(rep.Fairs, FairRow{Fair: f.ID, Theme: f.Theme, Timezone: f.Timezone,
			Start: f.Start, Published: fd.Agenda != nil, Figures: ft.finish()})
		for id := range ft.raised {
			year.raised[id] = true
			if p := problemOf[id]; p != nil {
				parks.get(park[p.Enterprise]).raised[id] = true
			}
		}
	}

	rep.Total = year.finish()
	for _, k := range parks.keys() {
		t := parks.m[k]
		row := ParkRow{Park: k, Enterprises: enterprisesIn[k], Figures: t.finish()}
		if k == "" && row.Enterprises == 0 && row.Figures == (Figures{}) {
			continue // the empty park only when something falls in it
		}
		rep.Parks = append(rep.Parks, row)
	}
	for _, k := range unis.keys() {
		fig := unis.m[k].finish()
		fig.ProblemsRaised = 0
		rep.Universities = append(rep.Universities, UniversityRow{University: k, Name: uniName[k],
			Offerings: offerings[k], Figures: fig})
	}
	if rep.Parks == nil {
		rep.Parks = []ParkRow{}
	}
	if rep.Universities == nil {
		rep.Universities = []UniversityRow{}
	}
	return rep
}

// raisedInScope reports whether a problem belongs to a report covering the
// fairs in scope: it names one of them or names none.
func raisedInScope(p fairmatch.Problem, inScope map[string]bool) bool {
	if len(p.Fairs) == 0 {
		return true
	}
	for _, f := range p.Fairs {
		if inScope[f] {
			return true
		}
	}
	return false
}

// tallies are tallies by key, created on first use.
type tallies struct{ m map[string]*tally }

func newTallies() *tallies { return &tallies{m: map[string]*tally{}} }

func (ts *tallies) get(k string) *tally {
	t := ts.m[k]
	if t == nil {
		t = newTally()
		ts.m[k] = t
	}
	return t
}

func (ts *tallies) keys() []string {
	ks := make([]string, 0, len(ts.m))
	for k := range ts.m {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, cmp.Compare)
	return ks
}

// sides knows which organisation each person belongs to.
type sides struct{ org map[string]map[string]bool }

func sidesOf(ds *fairmatch.Dataset) sides {
	s := sides{org: map[string]map[string]bool{}}
	add := func(person, org string) {
		if person == "" || org == "" {
			return
		}
		if s.org[person] == nil {
			s.org[person] = map[string]bool{}
		}
		s.org[person][org] = true
	}
	for _, p := range ds.People {
		add(p.ID, p.Org)
	}
	for _, e := range ds.Enterprises {
		for _, a := range e.Attendees {
			add(a, e.ID)
		}
	}
	for _, u := range ds.Universities {
		for _, a := range u.Attendees {
			add(a, u.ID)
		}
	}
	return s
}

// declined reports whether every attendee of one side of m declined it. A
// side with no known attendee cannot decline.
func (s sides) declined(m fairmatch.Meeting, declined map[[2]string]bool) bool {
	for _, org := range []string{m.Enterprise, m.University} {
		n, all := 0, true
		for _, a := range m.Attendees {
			if !s.org[a][org] {
				continue
			}
			n++
			if !declined[[2]string{m.ID, a}] {
				all = false
			}
		}
		if n > 0 && all {
			return true
		}
	}
	return false
}
