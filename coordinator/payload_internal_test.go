package coordinator

import (
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/dataset"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/store/storetest"
)

// newInternal is a coordinator on a real store holding the example dataset
// and the 2027-03 fair.
func newInternal(t *testing.T) (*Coordinator, *fairmatch.Dataset) {
	t.Helper()
	plan, err := config.Load("../configs/fairmatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fair, err := plan.FairByID("2027-03")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := dataset.Load("../configs/example-dataset.json")
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	c := &Coordinator{DB: db, Plan: plan, Log: slog.New(slog.DiscardHandler)}
	if _, err := c.Import("example.json", ds); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveFairs(t.Context(), []fairmatch.Fair{fair}); err != nil {
		t.Fatal(err)
	}
	return c, ds
}

// TestAgendaPayloadAppliesDecisions checks the agenda job's proposals are
// the matcher's with the organizers' decisions applied (so decisions made
// after matching count too), and the fair's stored settings are its day.
func TestAgendaPayloadAppliesDecisions(t *testing.T) {
	c, ds := newInternal(t)
	db, plan := c.DB, c.Plan
	// Two proposals from the matcher; the organizer rejects one and adds
	// another by hand.
	e0, e1, u0 := ds.Enterprises[0], ds.Enterprises[1], ds.Universities[0]
	item := func(e fairmatch.Enterprise, u fairmatch.University) fairmatch.MeetingItem {
		var it fairmatch.MeetingItem
		for _, p := range ds.Problems {
			if p.Enterprise == e.ID {
				it.Problem = p.ID
				break
			}
		}
		for _, o := range ds.Offerings {
			if o.University == u.ID {
				it.Offering, it.Score = o.ID, 0.5
				break
			}
		}
		return it
	}
	ps := []fairmatch.Proposal{
		{Enterprise: e0.ID, University: u0.ID, Attendees: []string{e0.Attendees[0], u0.Attendees[0]}, Items: []fairmatch.MeetingItem{item(e0, u0)}, Score: 0.5},
	}
	err := db.Update(func(tx *store.Tx) error {
		if err := tx.PutProposals("2027-03", ps); err != nil {
			return err
		}
		if err := tx.PutDecision(fairmatch.Decision{Fair: "2027-03", Enterprise: e0.ID, University: u0.ID, Verdict: fairmatch.VerdictReject}); err != nil {
			return err
		}
		if err := tx.PutDecision(fairmatch.Decision{Fair: "2027-03", Enterprise: e1.ID, University: u0.ID, Verdict: fairmatch.VerdictAdd,
			Items: []fairmatch.MeetingItem{item(e1, u0)}, Attendees: []string{e1.Attendees[0], u0.Attendees[0]}}); err != nil {
			return err
		}
		day := plan.FairDay()
		day.Tables = day.Tables[:2]
		return tx.PutFairSettings(fairmatch.FairSettings{Fair: "2027-03", Day: &day})
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := c.payload(fairmatch.Stage{Fair: "2027-03", Name: "agenda", Kind: fairmatch.StageAgenda})
	if err != nil {
		t.Fatal(err)
	}
	var in AgendaInput
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	if len(in.Proposals) != 1 || in.Proposals[0].Enterprise != e1.ID {
		t.Errorf("agenda job proposals %+v: want only the added %s–%s", in.Proposals, e1.ID, u0.ID)
	}
	if len(in.Day.Tables) != 2 {
		t.Errorf("agenda job day has %d tables, want the fair's stored 2", len(in.Day.Tables))
	}
}

// TestMatchPayloadCarriesCapacity: people whose windows leave few slots are
// capped in the match job.
func TestMatchPayloadCarriesCapacity(t *testing.T) {
	c, ds := newInternal(t)
	raw, err := c.payload(fairmatch.Stage{Fair: "2027-03", Name: "match", Kind: fairmatch.StageMatch})
	if err != nil {
		t.Fatal(err)
	}
	var in MatchInput
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	restricted := 0
	for _, p := range ds.People {
		if _, ok := p.Available.Windows("2027-03"); ok {
			restricted++
			if n, ok := in.Capacity[p.ID]; !ok || n < 0 || n >= 14 {
				t.Errorf("%s: capacity %d (%v); a restricted person has fewer than the day's 14 slots", p.ID, n, ok)
			}
		}
	}
	if restricted == 0 || len(in.Capacity) != restricted {
		t.Errorf("capacity for %d people, %d restricted in the example", len(in.Capacity), restricted)
	}
}
