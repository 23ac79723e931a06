package matcher

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/fairmatch/fairmatch"
)

// defaultItemsPerMeeting is used when Limits.ItemsPerMeeting is zero.
const defaultItemsPerMeeting = 3

// expertRounds bounds how often Match re-assigns after the expert limit
// emptied a chosen meeting.
const expertRounds = 5

// pairKey is an enterprise–university pair.
type pairKey struct{ enterprise, university string }

// Match proposes the meetings of one fair.
//
// Problems take part if their Fairs list contains fairID or is empty. Each
// problem's offerings scoring above lim.MinRelevance (at most its 200 best)
// are grouped by (enterprise, university); a group becomes one proposal whose
// Items are its best problem–offering pairs (at most lim.ItemsPerMeeting,
// default 3) and whose Score is their sum. Blocked pairs and pairs whose
// history has a meeting with outcome "none" are never proposed.
//
// The proposals are chosen by an exact assignment (enterprises left,
// universities right; the circulation of Assign) whose objective is
// coverage first: as many enterprises as possible get a meeting before any
// gets a second, then the total relevance is maximal,
// under: meetings per enterprise ≤ MeetingsPerEnterprise and ≤
// UniversitiesPerEnterprise (one meeting per pair, so both bound the same
// count), meetings per university ≤ MeetingsPerUniversity. A zero limit means
// no limit.
//
// MeetingsPerExpert (and an expert's Options.Capacity, the slots their
// availability leaves free) is enforced after the assignment, which makes it
// approximate: chosen meetings are visited best first, an expert at the limit
// does not attend, an item none of whose offering's experts can attend is
// dropped, and a meeting left without items is excluded and the assignment
// re-run (up to 5 rounds). The limit always holds; optimality under it is
// not guaranteed.
//
// Attendees are the items' problems' attendees (else the enterprise's
// attendees, else its representatives among the people) followed by the
// experts of the items' offerings (else the university's attendees). Each
// enterprise's best proposal is marked Primary. Proposals are sorted by
// enterprise, then university; the second result lists the relevant pairs
// that were not proposed, with the reason, in the same order.
//
// Match scores with NewIndex(ds); [MatchWith] takes index options.
func Match(ctx context.Context, ds *fairmatch.Dataset, fairID string, lim fairmatch.Limits) ([]fairmatch.Proposal, []fairmatch.Unscheduled, error) {
	return MatchWith(ctx, ds, fairID, lim, Options{})
}

// MatchWith is [Match] scoring with NewIndexWith(ds, opt): a thesaurus, and
// the boost of pairs with earlier contracts.
func MatchWith(ctx context.Context, ds *fairmatch.Dataset, fairID string, lim fairmatch.Limits, opt Options) ([]fairmatch.Proposal, []fairmatch.Unscheduled, error) {
	ix := NewIndexWith(ds, opt)
	itemsPer := lim.ItemsPerMeeting
	if itemsPer <= 0 {
		itemsPer = defaultItemsPerMeeting
	}

	// Candidate items per pair.
	groups := make(map[pairKey][]fairmatch.MeetingItem)
	for i := range ds.Problems {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("match fair %s: %w", fairID, err)
		}
		p := &ds.Problems[i]
		if p.Enterprise == "" || (len(p.Fairs) > 0 && !slices.Contains(p.Fairs, fairID)) {
			continue
		}
		for _, c := range ix.candidates(&ix.problems[i], ix.p.matchCap, lim.MinRelevance) {
			u := ix.offerings[ix.offeringAt[c.Offering]].university
			k := pairKey{p.Enterprise, u}
			groups[k] = append(groups[k], fairmatch.MeetingItem{Problem: p.ID, Offering: c.Offering, Score: c.Score})
		}
	}

	blocked := make(map[pairKey]string)
	for _, b := range ds.Blocked {
		reason := "blocked"
		if b.Reason != "" {
			reason += ": " + b.Reason
		}
		blocked[pairKey{b.Enterprise, b.University}] = reason
	}
	noOutcome := make(map[pairKey]string)
	for _, h := range ds.History {
		if h.Outcome == "none" {
			noOutcome[pairKey{h.Enterprise, h.University}] = fmt.Sprintf("met at fair %s with outcome none", h.Fair)
		}
	}

	keys := make([]pairKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, comparePairKey)

	excluded := make(map[pairKey]string)
	candidates := make(map[pairKey]fairmatch.Proposal)
	for _, k := range keys {
		if r, ok := blocked[k]; ok {
			excluded[k] = r
			continue
		}
		if r, ok := noOutcome[k]; ok {
			excluded[k] = r
			continue
		}
		items := groups[k]
		slices.SortFunc(items, func(a, b fairmatch.MeetingItem) int {
			return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Problem, b.Problem), cmp.Compare(a.Offering, b.Offering))
		})
		if len(items) > itemsPer {
			items = items[:itemsPer]
		}
		for j := range items {
			q := &ix.problems[ix.problemAt[items[j].Problem]]
			items[j].Why = ix.why(q, int(ix.offeringAt[items[j].Offering]))
		}
		candidates[k] = fairmatch.Proposal{Enterprise: k.enterprise, University: k.university, Items: items}
	}

	capE := minPositive(lim.MeetingsPerEnterprise, lim.UniversitiesPerEnterprise)
	capU := minPositive(lim.MeetingsPerUniversity, 0)
	var bounds []Bound
	seenE, seenU := map[string]bool{}, map[string]bool{}
	for _, k := range keys {
		if capE > 0 && !seenE[k.enterprise] {
			seenE[k.enterprise] = true
			bounds = append(bounds, Bound{ID: leftID(k.enterprise), Max: capE})
		}
		if capU > 0 && !seenU[k.university] {
			seenU[k.university] = true
			bounds = append(bounds, Bound{ID: rightID(k.university), Max: capU})
		}
	}

	m := newMeetingBuilder(ds, lim.MeetingsPerExpert, opt.Capacity)
	var chosen []fairmatch.Proposal
	for round := 1; ; round++ {
		var pairs []Pair
		for _, k := range keys {
			if _, out := excluded[k]; out {
				continue
			}
			pairs = append(pairs, Pair{Left: leftID(k.enterprise), Right: rightID(k.university), Score: proposalScore(candidates[k].Items)})
		}
		picked, err := assign(ctx, pairs, bounds, coverFirst)
		if err != nil {
			return nil, nil, fmt.Errorf("match fair %s: %w", fairID, err)
		}
		var props []fairmatch.Proposal
		for _, p := range picked {
			props = append(props, candidates[pairKey{p.Left[len(leftID("")):], p.Right[len(rightID("")):]}])
		}
		var dropped []pairKey
		chosen, dropped = m.build(props)
		for _, k := range dropped {
			excluded[k] = fmt.Sprintf("its experts reached the limit of %d meetings", lim.MeetingsPerExpert)
		}
		if len(dropped) == 0 || round == expertRounds {
			break
		}
	}

	// Primary partner, order, and the pairs left out.
	best := make(map[string]int)
	perE, perU := make(map[string]int), make(map[string]int)
	proposed := make(map[pairKey]bool)
	slices.SortFunc(chosen, func(a, b fairmatch.Proposal) int {
		return comparePairKey(pairKey{a.Enterprise, a.University}, pairKey{b.Enterprise, b.University})
	})
	for i, p := range chosen {
		if j, ok := best[p.Enterprise]; !ok || p.Score > chosen[j].Score {
			best[p.Enterprise] = i
		}
		perE[p.Enterprise]++
		perU[p.University]++
		proposed[pairKey{p.Enterprise, p.University}] = true
	}
	for _, i := range best {
		chosen[i].Primary = true
	}
	var left []fairmatch.Unscheduled
	for _, k := range keys {
		if proposed[k] {
			continue
		}
		reason, ok := excluded[k]
		switch {
		case ok:
		case capE > 0 && perE[k.enterprise] >= capE:
			reason = fmt.Sprintf("enterprise %s reached its limit of %d meetings", k.enterprise, capE)
		case capU > 0 && perU[k.university] >= capU:
			reason = fmt.Sprintf("university %s reached its limit of %d meetings", k.university, capU)
		default:
			reason = "not chosen by the assignment"
		}
		left = append(left, fairmatch.Unscheduled{Enterprise: k.enterprise, University: k.university, Reason: reason})
	}
	return chosen, left, nil
}

func leftID(enterprise string) string  { return "e/" + enterprise }
func rightID(university string) string { return "u/" + university }

func comparePairKey(a, b pairKey) int {
	return cmp.Or(cmp.Compare(a.enterprise, b.enterprise), cmp.Compare(a.university, b.university))
}

// minPositive returns the smaller of the positive values among a and b, or 0.
func minPositive(a, b int) int {
	switch {
	case a <= 0:
		return max(b, 0)
	case b <= 0:
		return a
	}
	return min(a, b)
}

func proposalScore(items []fairmatch.MeetingItem) float64 {
	s := 0.0
	for _, it := range items {
		s += it.Score
	}
	return s
}

// meetingBuilder turns chosen proposals into meetings with attendees under
// the per-expert limit.
type meetingBuilder struct {
	expertCap   int
	capacity    map[string]int // person → most meetings their availability allows
	problems    map[string]*fairmatch.Problem
	offerings   map[string]*fairmatch.Offering
	enterprises map[string]*fairmatch.Enterprise
	univs       map[string]*fairmatch.University
	reps        map[string][]string // enterprise → representatives, by id
}

func newMeetingBuilder(ds *fairmatch.Dataset, expertCap int, capacity map[string]int) *meetingBuilder {
	m := &meetingBuilder{
		expertCap:   expertCap,
		capacity:    capacity,
		problems:    make(map[string]*fairmatch.Problem, len(ds.Problems)),
		offerings:   make(map[string]*fairmatch.Offering, len(ds.Offerings)),
		enterprises: make(map[string]*fairmatch.Enterprise, len(ds.Enterprises)),
		univs:       make(map[string]*fairmatch.University, len(ds.Universities)),
		reps:        make(map[string][]string),
	}
	for i := range ds.Problems {
		m.problems[ds.Problems[i].ID] = &ds.Problems[i]
	}
	for i := range ds.Offerings {
		m.offerings[ds.Offerings[i].ID] = &ds.Offerings[i]
	}
	for i := range ds.Enterprises {
		m.enterprises[ds.Enterprises[i].ID] = &ds.Enterprises[i]
	}
	for i := range ds.Universities {
		m.univs[ds.Universities[i].ID] = &ds.Universities[i]
	}
	for _, p := range ds.People {
		if p.Role == fairmatch.RoleRepresentative && p.Org != "" {
			m.reps[p.Org] = append(m.reps[p.Org], p.ID)
		}
	}
	for _, r := range m.reps {
		slices.Sort(r)
	}
	return m
}

// build visits the proposals best first, trims items whose experts are all at
// the limit and fills in attendees; it returns the meetings that kept an item
// and the pairs that lost all of theirs.
func (m *meetingBuilder) build(props []fairmatch.Proposal) ([]fairmatch.Proposal, []pairKey) {
	slices.SortStableFunc(props, func(a, b fairmatch.Proposal) int {
		return cmp.Or(cmp.Compare(proposalScore(b.Items), proposalScore(a.Items)),
			comparePairKey(pairKey{a.Enterprise, a.University}, pairKey{b.Enterprise, b.University}))
	})
	use := make(map[string]int)
	var out []fairmatch.Proposal
	var dropped []pairKey
	for _, p := range props {
		var items []fairmatch.MeetingItem
		var experts []string
		for _, it := range p.Items {
			var exps []string
			if o := m.offerings[it.Offering]; o != nil {
				exps = o.Experts
			}
			ok := len(exps) == 0
			for _, e := range exps {
				if slices.Contains(experts, e) {
					ok = true
					continue
				}
				if use[e] < m.expertLimit(e) {
					experts = append(experts, e)
					ok = true
				}
			}
			if ok {
				items = append(items, it)
			}
		}
		if len(items) == 0 {
			dropped = append(dropped, pairKey{p.Enterprise, p.University})
			continue
		}
		for _, e := range experts {
			use[e]++
		}
		p.Items = items
		p.Score = proposalScore(items)
		var att []string
		for _, a := range append(m.enterpriseSide(p), m.universitySide(p, experts)...) {
			if !slices.Contains(att, a) {
				att = append(att, a)
			}
		}
		p.Attendees = att
		out = append(out, p)
	}
	return out, dropped
}

// expertLimit is how many meetings expert e may attend: the smaller of the
// per-expert limit and their capacity (math.MaxInt if neither applies).
func (m *meetingBuilder) expertLimit(e string) int {
	limit := math.MaxInt
	if m.expertCap > 0 {
		limit = m.expertCap
	}
	if c, ok := m.capacity[e]; ok {
		limit = min(limit, c)
	}
	return limit
}

func (m *meetingBuilder) enterpriseSide(p fairmatch.Proposal) []string {
	var att []string
	for _, it := range p.Items {
		if pr := m.problems[it.Problem]; pr != nil {
			for _, a := range pr.Attendees {
				if !slices.Contains(att, a) {
					att = append(att, a)
				}
			}
		}
	}
	if len(att) > 0 {
		return att
	}
	if e := m.enterprises[p.Enterprise]; e != nil && len(e.Attendees) > 0 {
		return slices.Clone(e.Attendees)
	}
	return slices.Clone(m.reps[p.Enterprise])
}

func (m *meetingBuilder) universitySide(p fairmatch.Proposal, experts []string) []string {
	if len(experts) > 0 {
		return experts
	}
	if u := m.univs[p.University]; u != nil {
		return slices.Clone(u.Attendees)
	}
	return nil
}
