package fairmatch_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
)

func TestIndex(t *testing.T) {
	ds := &fairmatch.Dataset{
		Enterprises: []fairmatch.Enterprise{{ID: "E1", Name: "甲"}, {ID: "E2"}},
		People:      []fairmatch.Person{{ID: "P1"}},
		Problems:    []fairmatch.Problem{{ID: "Q1", Enterprise: "E1"}},
	}
	ix := fairmatch.NewIndex(ds)
	if e := ix.Enterprises["E1"]; e == nil || e.Name != "甲" || e != &ds.Enterprises[0] {
		t.Errorf("E1: %+v (must point into the dataset)", e)
	}
	if ix.People["P1"] == nil || ix.Problems["Q1"] == nil || ix.Universities["U1"] != nil || len(ix.Offerings) != 0 {
		t.Errorf("index %+v", ix)
	}
	if empty := fairmatch.NewIndex(nil); empty.Enterprises == nil || len(empty.People) != 0 {
		t.Errorf("nil dataset: %+v", empty)
	}
}

func TestDurationString(t *testing.T) {
	if got := fmt.Sprintf("%s", fairmatch.Duration(20*time.Minute)); got != "20m0s" {
		t.Errorf("Duration prints %q", got)
	}
}
