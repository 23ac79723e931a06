package coordinator_test

import (
	"slices"
	"testing"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/coordinator"
)

func TestApplyDeclines(t *testing.T) {
	ds := &fairmatch.Dataset{People: []fairmatch.Person{
		{ID: "PE1", Org: "E1"}, {ID: "PE1b", Org: "E1"}, {ID: "PE2", Org: "E2"},
		{ID: "PU1", Org: "U1"}, {ID: "PU1b", Org: "U1"},
	}}
	ps := []fairmatch.Proposal{
		{Enterprise: "E1", University: "U1", Attendees: []string{"PE1", "PE1b", "PU1"}},
		{Enterprise: "E2", University: "U1", Attendees: []string{"PE2", "PU1", "PU1b"}},
		{Enterprise: "E1", University: "U2", Attendees: []string{"PE1", "PU2"}},
	}
	rs := []fairmatch.Response{
		{Meeting: "M-E1-U1", Person: "PE1", Kind: fairmatch.ResponseDecline}, // a colleague still comes
		{Meeting: "M-E2-U1", Person: "PE2", Kind: fairmatch.ResponseDecline}, // the enterprise's only attendee
		{Meeting: "M-E1-U2", Person: "PU2", Kind: fairmatch.ResponseMove},    // a move request changes nothing here
		{Meeting: "M-E1-U2", Person: "PE1", Kind: fairmatch.ResponseOutcome, Outcome: "nda"},
	}
	got, dropped := coordinator.ApplyDeclines(ps, rs, ds)
	if !slices.Equal(dropped, []string{"M-E2-U1"}) {
		t.Errorf("dropped %v, want [M-E2-U1]", dropped)
	}
	if len(got) != 2 || !slices.Equal(got[0].Attendees, []string{"PE1b", "PU1"}) || !slices.Equal(got[1].Attendees, []string{"PE1", "PU2"}) {
		t.Errorf("kept %+v", got)
	}
	if !slices.Equal(ps[0].Attendees, []string{"PE1", "PE1b", "PU1"}) {
		t.Errorf("input modified: %v", ps[0].Attendees)
	}
	if same, none := coordinator.ApplyDeclines(ps, nil, ds); len(same) != 3 || none != nil {
		t.Errorf("without responses: %d kept, %v dropped", len(same), none)
	}
}
