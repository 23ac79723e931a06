package matcher

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/fairmatch/fairmatch"
)

func TestMatchPlanted(t *testing.T) {
	ds, want := plantedDataset()
	ds.Enterprises = []fairmatch.Enterprise{{ID: "E1", Attendees: []string{"P-E1"}}, {ID: "E2"}, {ID: "E3"}}
	ds.People = append(ds.People, fairmatch.Person{ID: "P-E2-b", Org: "E2", Role: fairmatch.RoleRepresentative},
		fairmatch.Person{ID: "P-E2-a", Org: "E2", Role: fairmatch.RoleRepresentative})
	ds.Problems[0].Attendees = []string{"P-E1-x"}
	ds.Problems[4].Fairs = []string{"2027-05"} // PR5 not at this fair
	ds.Blocked = []fairmatch.Blocked{{Enterprise: "E2", University: "U03", Reason: "existing contract"}}
	props, left, err := Match(context.Background(), ds, "2027-03", fairmatch.Limits{MinRelevance: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	byPair := map[string]fairmatch.Proposal{}
	for _, p := range props {
		byPair[p.Enterprise+"/"+p.University] = p
		for _, it := range p.Items {
			if it.Problem == "PR5" {
				t.Errorf("PR5 is not at this fair but got %v", it)
			}
		}
	}
	// PR1 → U01 (O-PR1), PR2 → U02 (O-PR2) for E1; PR4 → U01 for E2; PR3's
	// U03 is blocked for E2.
	e1u1, ok := byPair["E1/U01"]
	if !ok || !slices.ContainsFunc(e1u1.Items, func(it fairmatch.MeetingItem) bool { return it.Offering == want["PR1"] && it.Why != "" }) {
		t.Errorf("E1/U01 = %+v, want item %s with a reason", e1u1, want["PR1"])
	}
	if !slices.Contains(e1u1.Attendees, "P-E1-x") || !slices.Contains(e1u1.Attendees, "P-U01-1") {
		t.Errorf("E1/U01 attendees %v, want the problem's attendee and the expert", e1u1.Attendees)
	}
	if p, ok := byPair["E1/U02"]; !ok || !slices.Equal(p.Attendees, []string{"P-E1", "P-U02-1"}) {
		t.Errorf("E1/U02 = %+v, want attendees [P-E1 P-U02-1] (enterprise attendees + expert)", p)
	}
	if p, ok := byPair["E2/U01"]; !ok || !slices.Equal(p.Attendees, []string{"P-E2-a", "P-E2-b", "P-U01-1"}) {
		t.Errorf("E2/U01 = %+v, want representatives then the expert", p)
	}
	if _, ok := byPair["E2/U03"]; ok {
		t.Error("blocked pair E2/U03 proposed")
	}
	if !slices.ContainsFunc(left, func(u fairmatch.Unscheduled) bool {
		return u.Enterprise == "E2" && u.University == "U03" && strings.Contains(u.Reason, "existing contract")
	}) {
		t.Errorf("unscheduled %v does not report the blocked pair", left)
	}
	primaries := map[string]int{}
	for _, p := range props {
		if p.Primary {
			primaries[p.Enterprise]++
		}
	}
	if primaries["E1"] != 1 || primaries["E2"] != 1 {
		t.Errorf("primaries %v, want one each for E1 and E2", primaries)
	}
}

func TestMatchHistoryNone(t *testing.T) {
	ds, _ := plantedDataset()
	ds.History = []fairmatch.History{{Enterprise: "E1", University: "U01", Fair: "2026-11", Outcome: "none"},
		{Enterprise: "E1", University: "U02", Fair: "2026-11", Outcome: "contract"}}
	props, left, err := Match(context.Background(), ds, "2027-03", fairmatch.Limits{MinRelevance: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range props {
		if p.Enterprise == "E1" && p.University == "U01" {
			t.Error("pair with outcome none proposed again")
		}
	}
	if !slices.ContainsFunc(props, func(p fairmatch.Proposal) bool { return p.Enterprise == "E1" && p.University == "U02" }) {
		t.Error("pair with a good outcome not proposed")
	}
	if !slices.ContainsFunc(left, func(u fairmatch.Unscheduled) bool {
		return u.Enterprise == "E1" && u.University == "U01" && strings.Contains(u.Reason, "2026-11")
	}) {
		t.Errorf("unscheduled %v does not report the repeated pair", left)
	}
}

// randomFair returns a synthetic dataset with people, attendees, blocked
// pairs and history, and random limits.
func randomFair(r *rand.Rand) (*fairmatch.Dataset, fairmatch.Limits) {
	ds := syntheticDataset(r, 12+r.IntN(30), 20+r.IntN(60), 3+r.IntN(6))
	ents := map[string]bool{}
	for i := range ds.Problems {
		p := &ds.Problems[i]
		p.Enterprise = fmt.Sprintf("E%02d", r.IntN(8))
		ents[p.Enterprise] = true
		switch r.IntN(4) {
		case 0:
			p.Fairs = []string{"2027-03"}
		case 1:
			p.Fairs = []string{"2027-05"}
		}
	}
	for u := range ds.Universities {
		for e := range ents {
			switch r.IntN(12) {
			case 0:
				ds.Blocked = append(ds.Blocked, fairmatch.Blocked{Enterprise: e, University: ds.Universities[u].ID})
			case 1:
				ds.History = append(ds.History, fairmatch.History{Enterprise: e, University: ds.Universities[u].ID, Fair: "2026-11", Outcome: "none"})
			}
		}
	}
	for i := range ds.Offerings {
		if r.IntN(5) == 0 {
			ds.Offerings[i].Experts = nil
		}
	}
	lim := fairmatch.Limits{
		MeetingsPerEnterprise:     r.IntN(4),
		MeetingsPerUniversity:     r.IntN(5),
		MeetingsPerExpert:         r.IntN(3),
		MinRelevance:              []float64{0, 0.05, 0.1, 0.2}[r.IntN(4)],
		UniversitiesPerEnterprise: r.IntN(4),
		ItemsPerMeeting:           r.IntN(4),
	}
	return ds, lim
}

func TestMatchProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for it := range 60 {
		ds, lim := randomFair(r)
		props, left, err := Match(context.Background(), ds, "2027-03", lim)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkMatch(ds, lim, props, left); err != nil {
			t.Fatalf("instance %d (limits %+v): %v", it, lim, err)
		}
	}
}

func checkMatch(ds *fairmatch.Dataset, lim fairmatch.Limits, props []fairmatch.Proposal, left []fairmatch.Unscheduled) error {
	problem := map[string]fairmatch.Problem{}
	for _, p := range ds.Problems {
		problem[p.ID] = p
	}
	offering := map[string]fairmatch.Offering{}
	isExpert := map[string]bool{}
	for _, o := range ds.Offerings {
		offering[o.ID] = o
		for _, e := range o.Experts {
			isExpert[e] = true
		}
	}
	forbidden := map[[2]string]bool{}
	for _, b := range ds.Blocked {
		forbidden[[2]string{b.Enterprise, b.University}] = true
	}
	for _, h := range ds.History {
		if h.Outcome == "none" {
			forbidden[[2]string{h.Enterprise, h.University}] = true
		}
	}
	items := lim.ItemsPerMeeting
	if items == 0 {
		items = 3
	}
	perE, perU, perX := map[string]int{}, map[string]int{}, map[string]int{}
	primary := map[string]int{}
	best := map[string]float64{}
	seen := map[[2]string]bool{}
	for i, p := range props {
		k := [2]string{p.Enterprise, p.University}
		if i > 0 && comparePairKey(pairKey{props[i-1].Enterprise, props[i-1].University}, pairKey{p.Enterprise, p.University}) >= 0 {
			return fmt.Errorf("proposals not sorted at %d", i)
		}
		if forbidden[k] {
			return fmt.Errorf("forbidden pair %v proposed", k)
		}
		seen[k] = true
		if len(p.Items) == 0 || len(p.Items) > items {
			return fmt.Errorf("%v has %d items", k, len(p.Items))
		}
		sum := 0.0
		for _, it := range p.Items {
			pr, o := problem[it.Problem], offering[it.Offering]
			if pr.Enterprise != p.Enterprise || o.University != p.University {
				return fmt.Errorf("%v has foreign item %+v", k, it)
			}
			if len(pr.Fairs) > 0 && !slices.Contains(pr.Fairs, "2027-03") {
				return fmt.Errorf("%v has problem %s of another fair", k, pr.ID)
			}
			if it.Score <= lim.MinRelevance {
				return fmt.Errorf("%v item %+v below min relevance", k, it)
			}
			sum += it.Score
		}
		if diff := sum - p.Score; diff > 1e-9 || diff < -1e-9 {
			return fmt.Errorf("%v score %v, items sum %v", k, p.Score, sum)
		}
		perE[p.Enterprise]++
		perU[p.University]++
		for _, a := range p.Attendees {
			if isExpert[a] {
				perX[a]++
			}
		}
		if p.Primary {
			primary[p.Enterprise]++
			if p.Score < best[p.Enterprise] {
				return fmt.Errorf("primary of %s is not its best", p.Enterprise)
			}
		}
		best[p.Enterprise] = max(best[p.Enterprise], p.Score)
	}
	for e, n := range perE {
		if (lim.MeetingsPerEnterprise > 0 && n > lim.MeetingsPerEnterprise) ||
			(lim.UniversitiesPerEnterprise > 0 && n > lim.UniversitiesPerEnterprise) {
			return fmt.Errorf("enterprise %s has %d meetings", e, n)
		}
		if primary[e] != 1 {
			return fmt.Errorf("enterprise %s has %d primaries", e, primary[e])
		}
	}
	for _, p := range props {
		if p.Primary && p.Score < best[p.Enterprise] {
			return fmt.Errorf("primary of %s is not its best", p.Enterprise)
		}
	}
	for u, n := range perU {
		if lim.MeetingsPerUniversity > 0 && n > lim.MeetingsPerUniversity {
			return fmt.Errorf("university %s has %d meetings", u, n)
		}
	}
	for x, n := range perX {
		if lim.MeetingsPerExpert > 0 && n > lim.MeetingsPerExpert {
			return fmt.Errorf("expert %s has %d meetings", x, n)
		}
	}
	for _, u := range left {
		k := [2]string{u.Enterprise, u.University}
		if seen[k] {
			return fmt.Errorf("%v both proposed and unscheduled", k)
		}
		if u.Reason == "" {
			return fmt.Errorf("%v unscheduled without a reason", k)
		}
		seen[k] = true
	}
	// Without an expert limit, coverage is maximal: as many enterprises meet
	// as a matching of enterprises to universities (under the university
	// limit) allows.
	if lim.MeetingsPerExpert == 0 {
		edges := map[string][]string{}
		for _, p := range props {
			edges[p.Enterprise] = append(edges[p.Enterprise], p.University)
		}
		for _, u := range left {
			if !forbidden[[2]string{u.Enterprise, u.University}] {
				edges[u.Enterprise] = append(edges[u.Enterprise], u.University)
			}
		}
		if maxCover := coverage(edges, lim.MeetingsPerUniversity); len(perE) != maxCover {
			return fmt.Errorf("%d enterprises meet, %d could", len(perE), maxCover)
		}
	}
	return nil
}

// coverage is the size of a maximum matching of enterprises to universities
// where a university takes up to capU enterprises (0: any number), by
// augmenting paths.
func coverage(edges map[string][]string, capU int) int {
	owners := map[string][]string{}
	var try func(e string, visited map[string]bool) bool
	try = func(e string, visited map[string]bool) bool {
		for _, u := range edges[e] {
			if visited[u] {
				continue
			}
			visited[u] = true
			if capU == 0 || len(owners[u]) < capU {
				owners[u] = append(owners[u], e)
				return true
			}
			for i, o := range owners[u] {
				if try(o, visited) {
					owners[u][i] = e
					return true
				}
			}
		}
		return false
	}
	n := 0
	keys := make([]string, 0, len(edges))
	for e := range edges {
		keys = append(keys, e)
	}
	slices.Sort(keys)
	for _, e := range keys {
		if try(e, map[string]bool{}) {
			n++
		}
	}
	return n
}

// TestMatchCapacity: an expert whose availability leaves one free slot is
// proposed for one meeting, although the limits allow more.
func TestMatchCapacity(t *testing.T) {
	ds, _ := plantedDataset()
	ds.Enterprises = []fairmatch.Enterprise{{ID: "E1"}, {ID: "E2"}, {ID: "E3"}}
	count := func(props []fairmatch.Proposal, person string) int {
		n := 0
		for _, p := range props {
			if slices.Contains(p.Attendees, person) {
				n++
			}
		}
		return n
	}
	free, _, err := MatchWith(context.Background(), ds, "2027-03", fairmatch.Limits{MinRelevance: 0.3}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if count(free, "P-U01-1") < 2 {
		t.Fatalf("the planted data must give P-U01-1 two meetings without a cap; got %d", count(free, "P-U01-1"))
	}
	capped, _, err := MatchWith(context.Background(), ds, "2027-03", fairmatch.Limits{MinRelevance: 0.3, MeetingsPerExpert: 5},
		Options{Capacity: map[string]int{"P-U01-1": 1}})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(capped, "P-U01-1"); n != 1 {
		t.Errorf("P-U01-1 with one free slot attends %d proposed meetings, want 1", n)
	}
}
