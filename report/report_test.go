package report_test

import (
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/report"
)

const (
	f1 = "2027-03"
	f2 = "2027-06"
)

// fixture is a small zone whose every figure is worked out by hand in the
// comments of the tests below.
func fixture() report.Input {
	ds := &fairmatch.Dataset{
		Enterprises: []fairmatch.Enterprise{
			{ID: "E1", Name: "华光材料", Park: "东区"},
			{ID: "E2", Name: "青松电子", Park: "东区"},
			{ID: "E3", Name: "远航机械", Park: "西区"},
			{ID: "E4", Name: "无园区企业"},
		},
		Universities: []fairmatch.University{
			{ID: "U1", Name: "清华大学"},
			{ID: "U2", Name: "浙江大学"},
		},
		People: []fairmatch.Person{
			{ID: "P-E1", Org: "E1", Role: fairmatch.RoleRepresentative},
			{ID: "P-E2a", Org: "E2", Role: fairmatch.RoleRepresentative},
			{ID: "P-E2b", Org: "E2", Role: fairmatch.RoleRepresentative},
			{ID: "P-E3", Org: "E3", Role: fairmatch.RoleRepresentative},
			{ID: "P-U1a", Org: "U1", Role: fairmatch.RoleExpert},
			{ID: "P-U2", Org: "U2", Role: fairmatch.RoleExpert},
		},
		Offerings: []fairmatch.Offering{
			{ID: "O1", University: "U1"}, {ID: "O2", University: "U1"}, {ID: "O3", University: "U2"},
		},
		Problems: []fairmatch.Problem{
			{ID: "Q1", Enterprise: "E1", Fairs: []string{f1}},
			{ID: "Q2", Enterprise: "E1", Fairs: []string{f2}},
			{ID: "Q3", Enterprise: "E2", Fairs: []string{f1, f2}},
			{ID: "Q4", Enterprise: "E3"},                             // no fair: raised where proposed (f1)
			{ID: "Q5", Enterprise: "E3"},                             // no fair: proposed at f2
			{ID: "Q6", Enterprise: "E2", Fairs: []string{f1}},        // never proposed
			{ID: "Q7", Enterprise: "E4", Fairs: []string{"2026-11"}}, // another year
			{ID: "Q8", Enterprise: "E4"},                             // no fair, never proposed
		},
		History: []fairmatch.History{
			{Enterprise: "E2", University: "U1", Fair: f2, Outcome: "commercialized"},
			{Enterprise: "E3", University: "U2", Fair: "2026-11", Outcome: "contract"}, // out of scope
			{Enterprise: "E3", University: "U1", Fair: f1, Outcome: "bogus"},           // ignored
		},
	}
	// P-U1b is U1's only through the university's attendee list.
	ds.Universities[0].Attendees = []string{"P-U1b"}

	item := func(problem, offering string) fairmatch.MeetingItem {
		return fairmatch.MeetingItem{Problem: problem, Offering: offering}
	}
	prop := func(e, u string, items ...fairmatch.MeetingItem) fairmatch.Proposal {
		return fairmatch.Proposal{Enterprise: e, University: u, Items: items}
	}
	meet := func(id, e, u string, attendees ...string) fairmatch.Meeting {
		return fairmatch.Meeting{ID: id, Enterprise: e, University: u, Attendees: attendees}
	}
	decline := func(fair, m, p string) fairmatch.Response {
		return fairmatch.Response{Fair: fair, Meeting: m, Person: p, Kind: fairmatch.ResponseDecline}
	}
	outcome := func(fair, m, p, o string) fairmatch.Response {
		return fairmatch.Response{Fair: fair, Meeting: m, Person: p, Kind: fairmatch.ResponseOutcome, Outcome: o}
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return report.Input{
		Year:    2027,
		Dataset: ds,
		Fairs: []report.FairData{
			{
				Fair: fairmatch.Fair{ID: f1, Theme: "新材料", Timezone: "Asia/Shanghai", Start: time.Date(2027, 3, 18, 9, 0, 0, 0, loc)},
				Proposals: []fairmatch.Proposal{
					prop("E1", "U1", item("Q1", "O1"), item("Q3", "O2")),
					prop("E2", "U2", item("Q3", "O3")),
					prop("E3", "U1", item("Q4", "O1")),
					prop("E1", "U2", item("Q2", "O3")), // Q2 is for f2: not matched at f1
				},
				Agenda: &fairmatch.Agenda{Fair: f1, Meetings: []fairmatch.Meeting{
					meet("M1", "E1", "U1", "P-E1", "P-U1a"),
					meet("M2", "E2", "U2", "P-E2a", "P-E2b", "P-U2"),
					meet("M3", "E3", "U1", "P-E3", "P-U1a", "P-U1b"),
					meet("M4", "E1", "U2", "P-E1", "P-U2"), // also cancelled: not scheduled
				}},
				Cancelled: []fairmatch.Meeting{meet("M4", "E1", "U2", "P-E1", "P-U2")},
				Responses: []fairmatch.Response{
					decline(f1, "M2", "P-E2a"), // one of E2's two: still held
					decline(f1, "M3", "P-U1a"), // all of U1's side: declined
					decline(f1, "M3", "P-U1b"),
					decline(f1, "M1", "P-X"), // not an attendee
					outcome(f1, "M1", "P-E1", "contact"),
					outcome(f1, "M1", "P-U1a", "nda"), // the furthest for E1–U1 at f1
					outcome(f1, "M2", "P-U2", "none"),
					outcome(f1, "M4", "P-E1", "proposal"),  // a cancelled meeting still names its pair
					outcome(f1, "M99", "P-E1", "contract"), // never published: ignored
					{Fair: f1, Meeting: "M1", Person: "P-E1", Kind: fairmatch.ResponseMove},
				},
			},
			{
				Fair: fairmatch.Fair{ID: f2, Theme: "智能制造", Timezone: "Asia/Shanghai", Start: time.Date(2027, 6, 17, 9, 0, 0, 0, loc)},
				Proposals: []fairmatch.Proposal{
					prop("E1", "U1", item("Q2", "O2")),
					prop("E2", "U1", item("Q3", "O1")),
					prop("E3", "U2", item("Q5", "O3"), item("Q-unknown", "O3")),
				},
				Agenda: &fairmatch.Agenda{Fair: f2, Meetings: []fairmatch.Meeting{
					meet("M6", "E1", "U1", "P-E1", "P-U1b"),
					meet("M7", "E2", "U1", "P-E2b", "P-U1a"),
					meet("M8", "E3", "U2", "P-E3", "P-Z"), // held (no known U2 attendee to decline), nothing reported
				}},
				Responses: []fairmatch.Response{
					outcome(f2, "M6", "P-E1", "contract"),
				},
			},
		},
	}
}

func TestComputeYear(t *testing.T) {
	rep := report.Compute(fixture())
	if rep.Year != 2027 || rep.Fair != "" || rep.Scope() != "2027" {
		t.Errorf("year %d fair %q scope %q, want a 2027 report", rep.Year, rep.Fair, rep.Scope())
	}
	if len(rep.Fairs) != 2 {
		t.Fatalf("%d fair rows, want 2", len(rep.Fairs))
	}
	wantFairs := []report.Figures{
		// f1: raised Q1 Q3 Q6 (named) + Q4 (no fair, proposed); matched Q1 Q3 Q4;
		// 4 proposals; M1 M2 M3 scheduled (M4 cancelled); M3 declined.
		// Pairs: E1–U1 nda, E2–U2 none, E1–U2 proposal; E3–U1 declined and unreported.
		{ProblemsRaised: 4, ProblemsMatched: 3, Proposed: 4, Scheduled: 3, Declined: 1, Held: 2,
			Outcomes: report.Outcomes{None: 1, NDA: 1, Proposal: 1}},
		// f2: raised Q2 Q3 + Q5; all matched; M6 M7 M8 held;
		// E1–U1 contract, E2–U1 commercialized (history), E3–U2 unreported.
		{ProblemsRaised: 3, ProblemsMatched: 3, Proposed: 3, Scheduled: 3, Held: 3,
			Outcomes: report.Outcomes{Contract: 1, Commercialized: 1, Unreported: 1}},
	}
	for i, want := range wantFairs {
		if got := rep.Fairs[i].Figures; got != want {
			t.Errorf("fair %s:\n got %+v\nwant %+v", rep.Fairs[i].Fair, got, want)
		}
		if !rep.Fairs[i].Published {
			t.Errorf("fair %s not published", rep.Fairs[i].Fair)
		}
	}
	if rep.Fairs[0].Fair != f1 || rep.Fairs[0].Theme != "新材料" || rep.Fairs[1].Fair != f2 {
		t.Errorf("fair rows %+v", rep.Fairs)
	}

	// The year: Q1–Q6 and Q8 raised (Q7 is another year's); Q1–Q5 matched.
	// Pairs once each at their furthest: E1–U1 contract (nda at f1),
	// E2–U2 none, E1–U2 proposal, E2–U1 commercialized, E3–U2 unreported.
	wantTotal := report.Figures{ProblemsRaised: 7, ProblemsMatched: 5, Proposed: 7, Scheduled: 6, Declined: 1, Held: 5,
		Outcomes: report.Outcomes{None: 1, Proposal: 1, Contract: 1, Commercialized: 1, Unreported: 1}}
	if rep.Total != wantTotal {
		t.Errorf("total:\n got %+v\nwant %+v", rep.Total, wantTotal)
	}

	wantParks := []report.ParkRow{
		{Park: "", Enterprises: 1, Figures: report.Figures{ProblemsRaised: 1}},
		{Park: "东区", Enterprises: 2, Figures: report.Figures{ProblemsRaised: 4, ProblemsMatched: 3, Proposed: 5,
			Scheduled: 4, Held: 4, Outcomes: report.Outcomes{None: 1, Proposal: 1, Contract: 1, Commercialized: 1}}},
		{Park: "西区", Enterprises: 1, Figures: report.Figures{ProblemsRaised: 2, ProblemsMatched: 2, Proposed: 2,
			Scheduled: 2, Declined: 1, Held: 1, Outcomes: report.Outcomes{Unreported: 1}}},
	}
	if len(rep.Parks) != len(wantParks) {
		t.Fatalf("parks %+v, want %d rows", rep.Parks, len(wantParks))
	}
	for i, want := range wantParks {
		if rep.Parks[i] != want {
			t.Errorf("park %d:\n got %+v\nwant %+v", i, rep.Parks[i], want)
		}
	}

	wantUnis := []report.UniversityRow{
		{University: "U1", Name: "清华大学", Offerings: 2, Figures: report.Figures{ProblemsMatched: 4, Proposed: 4,
			Scheduled: 4, Declined: 1, Held: 3, Outcomes: report.Outcomes{Contract: 1, Commercialized: 1}}},
		{University: "U2", Name: "浙江大学", Offerings: 1, Figures: report.Figures{ProblemsMatched: 2, Proposed: 3,
			Scheduled: 2, Held: 2, Outcomes: report.Outcomes{None: 1, Proposal: 1, Unreported: 1}}},
	}
	if len(rep.Universities) != len(wantUnis) {
		t.Fatalf("universities %+v, want %d rows", rep.Universities, len(wantUnis))
	}
	for i, want := range wantUnis {
		if rep.Universities[i] != want {
			t.Errorf("university %d:\n got %+v\nwant %+v", i, rep.Universities[i], want)
		}
	}
}

func TestComputeOneFair(t *testing.T) {
	in := fixture()
	in.Year, in.Fairs = 0, in.Fairs[:1]
	rep := report.Compute(in)
	if rep.Fair != f1 || rep.Scope() != f1 || len(rep.Fairs) != 1 {
		t.Fatalf("fair %q scope %q rows %d, want the report of %s", rep.Fair, rep.Scope(), len(rep.Fairs), f1)
	}
	if rep.Total != rep.Fairs[0].Figures {
		t.Errorf("total %+v differs from the fair's row %+v", rep.Total, rep.Fairs[0].Figures)
	}
	// Parks count by the fair's rule: E4's Q8 names no fair and was not
	// proposed here, so the empty park raised nothing.
	want := map[string][2]int{"": {0, 0}, "东区": {3, 2}, "西区": {1, 1}} // raised, matched
	for _, p := range rep.Parks {
		w, ok := want[p.Park]
		if !ok || p.ProblemsRaised != w[0] || p.ProblemsMatched != w[1] {
			t.Errorf("park %q raised %d matched %d, want %v", p.Park, p.ProblemsRaised, p.ProblemsMatched, w)
		}
		delete(want, p.Park)
	}
	if len(want) > 0 {
		t.Errorf("parks missing: %v", want)
	}
	if u := rep.Universities[0]; u.Held != 1 || u.Declined != 1 || u.Outcomes != (report.Outcomes{NDA: 1}) {
		t.Errorf("U1 at %s: %+v", f1, u)
	}
}

func TestComputeUnknownAndUnpublished(t *testing.T) {
	in := report.Input{
		Year:    2027,
		Dataset: &fairmatch.Dataset{Universities: []fairmatch.University{{ID: "U1", Name: "甲大学"}}},
		Fairs: []report.FairData{{
			Fair:      fairmatch.Fair{ID: f1},
			Proposals: []fairmatch.Proposal{{Enterprise: "E9", University: "U9"}},
		}},
	}
	rep := report.Compute(in)
	if rep.Fairs[0].Published || rep.Fairs[0].Scheduled != 0 || rep.Fairs[0].Proposed != 1 {
		t.Errorf("unpublished fair row %+v", rep.Fairs[0])
	}
	if len(rep.Parks) != 1 || rep.Parks[0].Park != "" || rep.Parks[0].Proposed != 1 || rep.Parks[0].Enterprises != 0 {
		t.Errorf("an unknown enterprise goes to the empty park: %+v", rep.Parks)
	}
	if len(rep.Universities) != 2 || rep.Universities[1].University != "U9" || rep.Universities[1].Name != "" ||
		rep.Universities[1].Proposed != 1 || rep.Universities[0].Proposed != 0 {
		t.Errorf("universities %+v, want U1 with nothing and the unknown U9 with its proposal", rep.Universities)
	}

	empty := report.Compute(report.Input{})
	if empty.Parks == nil || empty.Universities == nil || empty.Fairs == nil || empty.Total != (report.Figures{}) {
		t.Errorf("an empty input gives empty (non-nil) lists and zero figures: %+v", empty)
	}
}

func TestOutcomesFunnel(t *testing.T) {
	o := report.Outcomes{None: 4, Contact: 3, NDA: 0, Proposal: 2, Contract: 1, Commercialized: 1, Unreported: 9}
	want := []int{11, 7, 4, 4, 2, 1}
	got := o.Reached()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Reached() = %v, want %v", got, want)
		}
	}
	if o.Reported() != 11 {
		t.Errorf("Reported() = %d, want 11", o.Reported())
	}
	if c := o.Counts(); len(c) != len(fairmatch.Outcomes) || c[3] != 2 {
		t.Errorf("Counts() = %v, want one count per stage of fairmatch.Outcomes", c)
	}
}
