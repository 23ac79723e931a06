package coordinator

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/fairmatch/fairmatch"
)

// decisionsFile names the organizers' decisions in the issues ApplyDecisions
// returns; records are "decisions[i]", the index into its decisions.
const decisionsFile = "decisions"

// ApplyDecisions applies the organizers' matching-review decisions of one
// fair to the proposals of a matching run, so that re-running matching keeps
// what the organizers decided:
//
//   - reject: the pair's proposal is dropped; a pair no longer proposed needs
//     nothing more.
//   - accept: the pair is kept. If the new proposals still hold it, that
//     proposal is kept as it is (the matcher's current items and attendees);
//     otherwise a proposal is rebuilt from the Items and Attendees stored on
//     the decision when the organizer accepted.
//   - pin: as accept, and the proposal becomes the enterprise's Primary (the
//     enterprise's other proposals lose the mark) and is placed first.
//   - add: a meeting added by hand. The decision's Items and Attendees make
//     the proposal, replacing the matcher's proposal of the same pair if
//     there is one (it keeps that proposal's Primary). It is placed first,
//     like a pin, since the organizer asked for it explicitly (one pair has
//     one decision, so an added meeting cannot also be pinned).
//
// "Placed first": the agenda builder places proposals by descending Score,
// so a pinned or added proposal's Score is its items' sum plus a bump of 1 +
// the highest Score of the other proposals. Every pinned or added meeting
// thus ranks above every other one, and among themselves they keep the
// order of their relevance. The items keep their own scores, so the
// relevance of a meeting is still the sum of its items' scores. Because the
// bump is recomputed from the items, applying the decisions to proposals
// they were already applied to gives the same result.
//
// A proposal rebuilt from a decision (accept or pin of a pair no longer
// proposed, or add) is checked against ds: the enterprise and university
// exist, the pair is not blocked, every item's problem belongs to the
// enterprise and its offering to the university, and every attendee exists
// and belongs to either side (people of the organisation, its listed
// attendees, the enterprise's commissioner and problems' attendees, the
// university's offerings' experts). An unknown item or attendee is left out
// with an issue; a meeting left without items, without an attendee of the
// enterprise or without one of the university is not proposed, and neither
// is a pair with an unknown side or a blocked pair. Each such decision gets
// an Issue (file "decisions", record "decisions[i]", the field at fault);
// issues tell the organizers which decisions can no longer apply, they do
// not stop the others. A decision with an unknown verdict is ignored with an
// issue; of two decisions on the same pair, the later one counts.
//
// The result is sorted by enterprise, then university, like the matcher's;
// proposals and decisions are not modified. A nil ds checks nothing that
// needs the dataset.
func ApplyDecisions(proposals []fairmatch.Proposal, decisions []fairmatch.Decision, ds *fairmatch.Dataset) ([]fairmatch.Proposal, []fairmatch.Issue) {
	type pair struct{ e, u string }
	var issues []fairmatch.Issue
	issue := func(i int, field, format string, args ...any) {
		issues = append(issues, fairmatch.Issue{File: decisionsFile, Record: fmt.Sprintf("decisions[%d]", i),
			Field: field, Reason: fmt.Sprintf(format, args...)})
	}

	decided := make(map[pair]int, len(decisions)) // pair → index of the decision that counts
	for i, d := range decisions {
		switch d.Verdict {
		case fairmatch.VerdictAccept, fairmatch.VerdictReject, fairmatch.VerdictPin, fairmatch.VerdictAdd:
		default:
			issue(i, "verdict", "unknown verdict %q on %s–%s; ignored", d.Verdict, d.Enterprise, d.University)
			continue
		}
		k := pair{d.Enterprise, d.University}
		if j, dup := decided[k]; dup {
			issue(j, "verdict", "%s–%s is decided again by decisions[%d], which counts", d.Enterprise, d.University, i)
		}
		decided[k] = i
	}

	var (
		out   []fairmatch.Proposal
		first = make(map[pair]bool) // pinned or added: placed first
		seen  = make(map[pair]bool)
	)
	idx := newDatasetIndex(ds)
	for _, p := range proposals {
		k := pair{p.Enterprise, p.University}
		if seen[k] {
			continue // the matcher proposes a pair once; keep the first
		}
		seen[k] = true
		i, ok := decided[k]
		if !ok {
			out = append(out, cloneProposal(p))
			continue
		}
		switch d := decisions[i]; d.Verdict {
		case fairmatch.VerdictReject:
		case fairmatch.VerdictAccept:
			out = append(out, cloneProposal(p))
		case fairmatch.VerdictPin:
			out = append(out, cloneProposal(p))
			first[k] = true
		case fairmatch.VerdictAdd:
			if q, ok := idx.build(d, i, issue); ok {
				q.Primary = p.Primary
				out = append(out, q)
				first[k] = true
			} else {
				// The hand-made meeting cannot stand; the matcher's own
				// proposal of the pair still can.
				out = append(out, cloneProposal(p))
			}
		}
	}
	for i, d := range decisions {
		k := pair{d.Enterprise, d.University}
		if j, ok := decided[k]; !ok || j != i || seen[k] {
			continue
		}
		switch d.Verdict {
		case fairmatch.VerdictAccept, fairmatch.VerdictPin, fairmatch.VerdictAdd:
			if len(d.Items) == 0 && d.Verdict != fairmatch.VerdictAdd {
				issue(i, "items", "%s of %s–%s cannot be kept: the pair is no longer proposed and the decision stores no items",
					d.Verdict, d.Enterprise, d.University)
				continue
			}
			if q, ok := idx.build(d, i, issue); ok {
				out = append(out, q)
				first[k] = d.Verdict != fairmatch.VerdictAccept
			}
		}
	}

	// Pinned pairs become their enterprise's primary partner.
	pinned := make(map[string]bool)
	for _, p := range out {
		if i, ok := decided[pair{p.Enterprise, p.University}]; ok && decisions[i].Verdict == fairmatch.VerdictPin {
			pinned[p.Enterprise] = true
		}
	}
	bump := 0.0
	for _, p := range out {
		if !first[pair{p.Enterprise, p.University}] {
			bump = max(bump, p.Score)
		}
	}
	bump++
	for j := range out {
		p := &out[j]
		k := pair{p.Enterprise, p.University}
		if pinned[p.Enterprise] {
			i, ok := decided[k]
			p.Primary = ok && decisions[i].Verdict == fairmatch.VerdictPin
		}
		if first[k] {
			p.Score = itemScore(p.Items) + bump
		}
	}
	slices.SortStableFunc(out, func(a, b fairmatch.Proposal) int {
		return cmp.Or(cmp.Compare(a.Enterprise, b.Enterprise), cmp.Compare(a.University, b.University))
	})
	return out, issues
}

// ProposalScore is a meeting's relevance: the sum of its items' scores. It
// is a proposal's Score unless ApplyDecisions raised it to place the
// meeting first.
func ProposalScore(items []fairmatch.MeetingItem) float64 { return itemScore(items) }

func itemScore(items []fairmatch.MeetingItem) float64 {
	s := 0.0
	for _, it := range items {
		s += it.Score
	}
	return s
}

func cloneProposal(p fairmatch.Proposal) fairmatch.Proposal {
	p.Attendees = slices.Clone(p.Attendees)
	p.Items = slices.Clone(p.Items)
	return p
}

// datasetIndex looks up what a decision names.
type datasetIndex struct {
	*fairmatch.Index
	ds      *fairmatch.Dataset
	blocked map[[2]string]string // pair → reason
}

func newDatasetIndex(ds *fairmatch.Dataset) *datasetIndex {
	ix := &datasetIndex{Index: fairmatch.NewIndex(ds), ds: ds}
	if ds == nil {
		return ix
	}
	ix.blocked = make(map[[2]string]string, len(ds.Blocked))
	for _, b := range ds.Blocked {
		ix.blocked[[2]string{b.Enterprise, b.University}] = b.Reason
	}
	return ix
}

// side tells which side of a meeting between e and u a person belongs to:
// 'e' for the enterprise, 'u' for the university, 0 for neither.
func (ix *datasetIndex) side(person, e, u string) byte {
	pr := ix.People[person]
	if pr == nil {
		return 0
	}
	switch pr.Org {
	case e:
		return 'e'
	case u:
		return 'u'
	}
	if ent := ix.Enterprises[e]; ent != nil && (ent.Commissioner == person || slices.Contains(ent.Attendees, person)) {
		return 'e'
	}
	if uni := ix.Universities[u]; uni != nil && slices.Contains(uni.Attendees, person) {
		return 'u'
	}
	for _, p := range ix.ds.Problems {
		if p.Enterprise == e && slices.Contains(p.Attendees, person) {
			return 'e'
		}
	}
	for _, o := range ix.ds.Offerings {
		if o.University == u && slices.Contains(o.Experts, person) {
			return 'u'
		}
	}
	return 0
}

// build makes the proposal a decision stores, checked against the dataset,
// or reports through issue why it cannot be made.
func (ix *datasetIndex) build(d fairmatch.Decision, i int, issue func(i int, field, format string, args ...any)) (fairmatch.Proposal, bool) {
	p := fairmatch.Proposal{Enterprise: d.Enterprise, University: d.University}
	what := fmt.Sprintf("%s of %s–%s", d.Verdict, d.Enterprise, d.University)
	if ix.ds == nil {
		p.Items, p.Attendees = slices.Clone(d.Items), slices.Clone(d.Attendees)
		p.Score = itemScore(p.Items)
		return p, len(p.Items) > 0
	}
	ok := true
	if ix.Enterprises[d.Enterprise] == nil {
		issue(i, "enterprise", "%s cannot apply: enterprise %q is not in the dataset", what, d.Enterprise)
		ok = false
	}
	if ix.Universities[d.University] == nil {
		issue(i, "university", "%s cannot apply: university %q is not in the dataset", what, d.University)
		ok = false
	}
	if reason, blocked := ix.blocked[[2]string{d.Enterprise, d.University}]; blocked {
		if reason != "" {
			reason = " (" + reason + ")"
		}
		issue(i, "university", "%s is refused: the pair is blocked%s", what, reason)
		ok = false
	}
	if !ok {
		return p, false
	}
	for j, it := range d.Items {
		field := fmt.Sprintf("items[%d]", j)
		switch pr, of := ix.Problems[it.Problem], ix.Offerings[it.Offering]; {
		case pr == nil:
			issue(i, field+".problem", "%s: problem %q is not in the dataset; item left out", what, it.Problem)
		case pr.Enterprise != d.Enterprise:
			issue(i, field+".problem", "%s: problem %q is enterprise %s's; item left out", what, it.Problem, pr.Enterprise)
		case of == nil:
			issue(i, field+".offering", "%s: offering %q is not in the dataset; item left out", what, it.Offering)
		case of.University != d.University:
			issue(i, field+".offering", "%s: offering %q is university %s's; item left out", what, it.Offering, of.University)
		case slices.ContainsFunc(p.Items, func(x fairmatch.MeetingItem) bool { return x.Problem == it.Problem && x.Offering == it.Offering }):
			issue(i, field, "%s: item %s–%s is listed twice; left out once", what, it.Problem, it.Offering)
		default:
			p.Items = append(p.Items, it)
		}
	}
	var sides [2]bool
	for j, a := range d.Attendees {
		field := fmt.Sprintf("attendees[%d]", j)
		switch s := ix.side(a, d.Enterprise, d.University); {
		case ix.People[a] == nil:
			issue(i, field, "%s: person %q is not in the dataset; left out", what, a)
		case s == 0:
			issue(i, field, "%s: %s belongs to neither %s nor %s; left out", what, a, d.Enterprise, d.University)
		case slices.Contains(p.Attendees, a):
		default:
			p.Attendees = append(p.Attendees, a)
			sides[0] = sides[0] || s == 'e'
			sides[1] = sides[1] || s == 'u'
		}
	}
	switch {
	case len(p.Items) == 0:
		issue(i, "items", "%s cannot apply: no item left to discuss", what)
	case !sides[0]:
		issue(i, "attendees", "%s cannot apply: nobody attends for enterprise %s", what, d.Enterprise)
	case !sides[1]:
		issue(i, "attendees", "%s cannot apply: nobody attends for university %s", what, d.University)
	default:
		p.Score = itemScore(p.Items)
		return p, true
	}
	return p, false
}
