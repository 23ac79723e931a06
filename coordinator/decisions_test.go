package coordinator_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/coordinator"
)

// reviewDataset: E1 and E2 meet U1 and U2; E2–U1 is blocked. PX is U2's
// expert without an Org; PC is E1's commissioner; PZ is nobody's.
func reviewDataset() *fairmatch.Dataset {
	return &fairmatch.Dataset{
		Enterprises: []fairmatch.Enterprise{
			{ID: "E1", Name: "One", Commissioner: "PC", Attendees: []string{"PE1"}},
			{ID: "E2", Name: "Two", Attendees: []string{"PE2"}},
		},
		Universities: []fairmatch.University{
			{ID: "U1", Name: "Uni one", Attendees: []string{"PU1"}},
			{ID: "U2", Name: "Uni two"},
		},
		People: []fairmatch.Person{
			{ID: "PE1", Org: "E1", Role: fairmatch.RoleRepresentative},
			{ID: "PE2", Org: "E2", Role: fairmatch.RoleRepresentative},
			{ID: "PU1", Org: "U1", Role: fairmatch.RoleExpert},
			{ID: "PX", Role: fairmatch.RoleExpert},
			{ID: "PC", Role: fairmatch.RoleCommissioner},
			{ID: "PZ", Role: fairmatch.RoleExpert},
		},
		Problems: []fairmatch.Problem{
			{ID: "PR1", Enterprise: "E1", Title: "p1"},
			{ID: "PR1b", Enterprise: "E1", Title: "p1b"},
			{ID: "PR2", Enterprise: "E2", Title: "p2"},
		},
		Offerings: []fairmatch.Offering{
			{ID: "O1", University: "U1", Title: "o1", Experts: []string{"PU1"}},
			{ID: "O2", University: "U2", Title: "o2", Experts: []string{"PX"}},
		},
		Blocked: []fairmatch.Blocked{{Enterprise: "E2", University: "U1", Reason: "dispute"}},
	}
}

func item(problem, offering string, score float64) fairmatch.MeetingItem {
	return fairmatch.MeetingItem{Problem: problem, Offering: offering, Score: score, Why: problem + "~" + offering}
}

func proposal(e, u string, primary bool, att []string, items ...fairmatch.MeetingItem) fairmatch.Proposal {
	return fairmatch.Proposal{Enterprise: e, University: u, Attendees: att, Items: items,
		Score: coordinator.ProposalScore(items), Primary: primary}
}

// matched is a matcher run: E1 with U1 (primary) and U2, E2 with U2.
func matched() []fairmatch.Proposal {
	return []fairmatch.Proposal{
		proposal("E1", "U1", true, []string{"PE1", "PU1"}, item("PR1", "O1", 0.8)),
		proposal("E1", "U2", false, []string{"PE1", "PX"}, item("PR1", "O2", 0.3), item("PR1b", "O2", 0.2)),
		proposal("E2", "U2", true, []string{"PE2", "PX"}, item("PR2", "O2", 0.6)),
	}
}

func decision(e, u, verdict string, att []string, items ...fairmatch.MeetingItem) fairmatch.Decision {
	return fairmatch.Decision{Fair: "2027-03", Enterprise: e, University: u, Verdict: verdict, Attendees: att, Items: items}
}

// row is what a test expects of one resulting proposal.
type row struct {
	pair    string // "E1-U1"
	primary bool
	first   bool    // placed first: score above every other proposal
	items   string  // "PR1-O1,PR1b-O2"
	att     string  // "PE1,PU1"
	score   float64 // the items' sum
}

func rowsOf(ps []fairmatch.Proposal) []row {
	var out []row
	for _, p := range ps {
		var items []string
		for _, it := range p.Items {
			items = append(items, it.Problem+"-"+it.Offering)
		}
		out = append(out, row{pair: p.Enterprise + "-" + p.University, primary: p.Primary,
			first: p.Score != coordinator.ProposalScore(p.Items), items: strings.Join(items, ","),
			att: strings.Join(p.Attendees, ","), score: coordinator.ProposalScore(p.Items)})
	}
	return out
}

func TestApplyDecisions(t *testing.T) {
	for _, tc := range []struct {
		name      string
		proposals []fairmatch.Proposal
		decisions []fairmatch.Decision
		want      []row
		issues    []string // "record field"
	}{
		{
			name: "no decisions keep the run",
			want: []row{
				{"E1-U1", true, false, "PR1-O1", "PE1,PU1", 0.8},
				{"E1-U2", false, false, "PR1-O2,PR1b-O2", "PE1,PX", 0.5},
				{"E2-U2", true, false, "PR2-O2", "PE2,PX", 0.6},
			},
		},
		{
			name:      "reject drops a proposed pair; rejecting an unproposed one needs nothing",
			decisions: []fairmatch.Decision{decision("E1", "U2", fairmatch.VerdictReject, nil), decision("E2", "U1", fairmatch.VerdictReject, nil)},
			want: []row{
				{"E1-U1", true, false, "PR1-O1", "PE1,PU1", 0.8},
				{"E2-U2", true, false, "PR2-O2", "PE2,PX", 0.6},
			},
		},
		{
			name: "accept of a proposed pair keeps the new match's items",
			decisions: []fairmatch.Decision{decision("E1", "U2", fairmatch.VerdictAccept, []string{"PE1"},
				item("PR1b", "O2", 0.9))},
			want: []row{
				{"E1-U1", true, false, "PR1-O1", "PE1,PU1", 0.8},
				{"E1-U2", false, false, "PR1-O2,PR1b-O2", "PE1,PX", 0.5},
				{"E2-U2", true, false, "PR2-O2", "PE2,PX", 0.6},
			},
		},
		{
			name:      "accept of a pair no longer proposed is kept from the decision",
			proposals: matched()[:1],
			decisions: []fairmatch.Decision{decision("E1", "U2", fairmatch.VerdictAccept, []string{"PE1", "PX"},
				item("PR1", "O2", 0.3))},
			want: []row{
				{"E1-U1", true, false, "PR1-O1", "PE1,PU1", 0.8},
				{"E1-U2", false, false, "PR1-O2", "PE1,PX", 0.3},
			},
		},
		{
			name:      "accept without stored items cannot be kept",
			proposals: matched()[:1],
			decisions: []fairmatch.Decision{decision("E1", "U2", fairmatch.VerdictAccept, []string{"PE1", "PX"})},
			want:      []row{{"E1-U1", true, false, "PR1-O1", "PE1,PU1", 0.8}},
			issues:    []string{"decisions[0] items"},
		},
		{
			name:      "pin makes the primary partner and goes first",
			decisions: []fairmatch.Decision{decision("E1", "U2", fairmatch.VerdictPin, nil)},
			want: []row{
				{"E1-U1", false, false, "PR1-O1", "PE1,PU1", 0.8},
				{"E1-U2", true, true, "PR1-O2,PR1b-O2", "PE1,PX", 0.5},
				{"E2-U2", true, false, "PR2-O2", "PE2,PX", 0.6},
			},
		},
		{
			name:      "pin of a pair no longer proposed is kept from the decision",
			proposals: matched()[2:],
			decisions: []fairmatch.Decision{decision("E1", "U1", fairmatch.VerdictPin, []string{"PE1", "PU1"}, item("PR1", "O1", 0.8))},
			want: []row{
				{"E1-U1", true, true, "PR1-O1", "PE1,PU1", 0.8},
				{"E2-U2", true, false, "PR2-O2", "PE2,PX", 0.6},
			},
		},
		{
			name: "add by hand becomes a proposal placed first; the commissioner may attend",
			decisions: []fairmatch.Decision{decision("E2", "U2", fairmatch.VerdictAdd, []string{"PE2", "PX"}, item("PR2", "O2", 0.1)),
				decision("E1", "U1", fairmatch.VerdictAdd, []string{"PC", "PU1"}, item("PR1b", "O1", 0))},
			want: []row{
				{"E1-U1", true, true, "PR1b-O1", "PC,PU1", 0},
				{"E1-U2", false, false, "PR1-O2,PR1b-O2", "PE1,PX", 0.5},
				{"E2-U2", true, true, "PR2-O2", "PE2,PX", 0.1},
			},
		},
		{
			name:      "add with another enterprise's problem and an unknown offering has no item left",
			proposals: []fairmatch.Proposal{},
			decisions: []fairmatch.Decision{decision("E1", "U2", fairmatch.VerdictAdd, []string{"PE1", "PX"},
				item("PR2", "O2", 0), item("PR1", "O9", 0), item("PR1", "O1", 0))},
			issues: []string{"decisions[0] items[0].problem", "decisions[0] items[1].offering", "decisions[0] items[2].offering", "decisions[0] items"},
		},
		{
			name:      "a blocked pair is refused",
			proposals: []fairmatch.Proposal{},
			decisions: []fairmatch.Decision{decision("E2", "U1", fairmatch.VerdictAdd, []string{"PE2", "PU1"}, item("PR2", "O1", 0))},
			issues:    []string{"decisions[0] university"},
		},
		{
			name:      "a deleted enterprise and university cannot apply",
			proposals: []fairmatch.Proposal{},
			decisions: []fairmatch.Decision{decision("E9", "U9", fairmatch.VerdictPin, []string{"PE1"}, item("PR1", "O1", 0))},
			issues:    []string{"decisions[0] enterprise", "decisions[0] university"},
		},
		{
			name:      "foreign and unknown attendees are left out",
			proposals: []fairmatch.Proposal{},
			decisions: []fairmatch.Decision{decision("E1", "U1", fairmatch.VerdictAdd, []string{"PE1", "PZ", "PE2", "P404", "PU1", "PE1"}, item("PR1", "O1", 0.4))},
			want:      []row{{"E1-U1", false, true, "PR1-O1", "PE1,PU1", 0.4}},
			issues:    []string{"decisions[0] attendees[1]", "decisions[0] attendees[2]", "decisions[0] attendees[3]"},
		},
		{
			name:      "a meeting with nobody of the university is not made",
			proposals: []fairmatch.Proposal{},
			decisions: []fairmatch.Decision{decision("E1", "U2", fairmatch.VerdictAdd, []string{"PE1", "PC"}, item("PR1", "O2", 0.4))},
			issues:    []string{"decisions[0] attendees"},
		},
		{
			name:      "a failed add leaves the matcher's proposal of the pair",
			decisions: []fairmatch.Decision{decision("E2", "U2", fairmatch.VerdictAdd, []string{"PE2"}, item("PR2", "O2", 0.1))},
			want: []row{
				{"E1-U1", true, false, "PR1-O1", "PE1,PU1", 0.8},
				{"E1-U2", false, false, "PR1-O2,PR1b-O2", "PE1,PX", 0.5},
				{"E2-U2", true, false, "PR2-O2", "PE2,PX", 0.6},
			},
			issues: []string{"decisions[0] attendees"},
		},
		{
			name: "the later of two decisions on a pair counts; an unknown verdict is ignored",
			decisions: []fairmatch.Decision{decision("E2", "U2", fairmatch.VerdictPin, nil),
				decision("E1", "U1", "maybe", nil), decision("E2", "U2", fairmatch.VerdictReject, nil)},
			want: []row{
				{"E1-U1", true, false, "PR1-O1", "PE1,PU1", 0.8},
				{"E1-U2", false, false, "PR1-O2,PR1b-O2", "PE1,PX", 0.5},
			},
			issues: []string{"decisions[1] verdict", "decisions[0] verdict"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.proposals
			if in == nil {
				in = matched()
			}
			before := fmt.Sprint(in, tc.decisions)
			got, issues := coordinator.ApplyDecisions(in, tc.decisions, reviewDataset())
			if after := fmt.Sprint(in, tc.decisions); after != before {
				t.Errorf("inputs modified:\n%s\n%s", before, after)
			}
			if rows := rowsOf(got); !reflect.DeepEqual(rows, tc.want) {
				t.Errorf("proposals\n got %+v\nwant %+v", rows, tc.want)
			}
			var is []string
			for _, i := range issues {
				is = append(is, i.Record+" "+i.Field)
				if i.File != "decisions" || i.Reason == "" {
					t.Errorf("issue %+v: want file decisions and a reason", i)
				}
			}
			if !slices.Equal(is, tc.issues) {
				t.Errorf("issues %q, want %q (%v)", is, tc.issues, issues)
			}
			// Placed first: every such proposal's score exceeds every other.
			for _, a := range got {
				for _, b := range got {
					fa := a.Score != coordinator.ProposalScore(a.Items)
					fb := b.Score != coordinator.ProposalScore(b.Items)
					if fa && !fb && a.Score <= b.Score {
						t.Errorf("%s-%s (first, %.2f) does not outrank %s-%s (%.2f)", a.Enterprise, a.University, a.Score,
							b.Enterprise, b.University, b.Score)
					}
				}
			}
			// Applying again changes nothing.
			again, _ := coordinator.ApplyDecisions(got, tc.decisions, reviewDataset())
			if !reflect.DeepEqual(again, got) && !(len(again) == 0 && len(got) == 0) {
				t.Errorf("not idempotent:\n got %+v\nthen %+v", got, again)
			}
		})
	}
}

func TestApplyDecisionsKeepsOrderAmongFirst(t *testing.T) {
	ds := reviewDataset()
	ds.Problems = append(ds.Problems, fairmatch.Problem{ID: "PR2b", Enterprise: "E2"})
	ps := matched()
	ds.Blocked = nil
	decisions := []fairmatch.Decision{
		decision("E1", "U1", fairmatch.VerdictPin, nil),
		decision("E2", "U2", fairmatch.VerdictPin, nil),
	}
	got, issues := coordinator.ApplyDecisions(ps, decisions, ds)
	if len(issues) > 0 {
		t.Fatal(issues)
	}
	score := map[string]float64{}
	for _, p := range got {
		score[p.Enterprise+p.University] = p.Score
	}
	if !(score["E1U1"] > score["E2U2"] && score["E2U2"] > score["E1U2"]) {
		t.Errorf("pinned must rank above the rest in their relevance order: %v", score)
	}
}

// BenchmarkApplyDecisions applies 300 decisions (a third each accept, pin,
// add by hand) to 3000 proposals of a dataset of 1000 enterprises and 50
// universities.
func BenchmarkApplyDecisions(b *testing.B) {
	ds := &fairmatch.Dataset{}
	for u := range 50 {
		id := fmt.Sprint("U", u)
		ds.Universities = append(ds.Universities, fairmatch.University{ID: id})
		ds.People = append(ds.People, fairmatch.Person{ID: "P" + id, Org: id})
		ds.Offerings = append(ds.Offerings, fairmatch.Offering{ID: "O" + id, University: id, Experts: []string{"P" + id}})
	}
	var ps []fairmatch.Proposal
	var decisions []fairmatch.Decision
	verdicts := []string{fairmatch.VerdictAccept, fairmatch.VerdictPin, fairmatch.VerdictAdd}
	for e := range 1000 {
		id := fmt.Sprint("E", e)
		ds.Enterprises = append(ds.Enterprises, fairmatch.Enterprise{ID: id, Attendees: []string{"P" + id}})
		ds.People = append(ds.People, fairmatch.Person{ID: "P" + id, Org: id})
		ds.Problems = append(ds.Problems, fairmatch.Problem{ID: "PR" + id, Enterprise: id})
		for k := range 3 {
			u := fmt.Sprint("U", (e+k*17)%50)
			ps = append(ps, proposal(id, u, k == 0, []string{"P" + id, "P" + u}, item("PR"+id, "O"+u, 0.1*float64(k+1))))
		}
		if e%10 == 0 {
			u := fmt.Sprint("U", (e+99)%50)
			decisions = append(decisions, decision(id, u, verdicts[(e/10)%3], []string{"P" + id, "P" + u}, item("PR"+id, "O"+u, 0.2)))
		}
	}
	b.ReportAllocs()
	var out []fairmatch.Proposal
	for b.Loop() {
		out, _ = coordinator.ApplyDecisions(ps, decisions, ds)
	}
	b.ReportMetric(float64(len(out)), "proposals")
}
