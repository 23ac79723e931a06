package coordinator

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/agenda"
	"github.com/fairmatch/fairmatch/bus"
	"github.com/fairmatch/fairmatch/store"
)

// runStage claims a stage of the 2027-03 fair, runs its job as a worker
// would (the real handler on the coordinator's payload) and applies the
// result.
func runStage(t *testing.T, c *Coordinator, name, kind string) {
	t.Helper()
	key := "2027-03/" + name
	var st fairmatch.Stage
	if err := c.DB.View(func(tx *store.Tx) (err error) { st, err = tx.Stage(key); return err }); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.DB.Claim(t.Context(), key, st.State, time.Now()); err != nil || !ok {
		t.Fatalf("claim %s: %v %v", key, ok, err)
	}
	if err := c.DB.View(func(tx *store.Tx) (err error) { st, err = tx.Stage(key); return err }); err != nil {
		t.Fatal(err)
	}
	payload, err := c.payload(st)
	if err != nil {
		t.Fatal(err)
	}
	id := JobID(st)
	out, err := Handlers()[kind](t.Context(), bus.Job{ID: id, Key: key, Kind: kind, Payload: payload}, func(string, int, int) {})
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	if err := c.Apply(t.Context(), bus.Result{JobID: id, Key: key, Kind: kind, Payload: out, Worker: "w"}); err != nil {
		t.Fatal(err)
	}
}

// TestAgendaVerdictKept runs the example fair's match and agenda stages
// and checks the solver's verdict is stored with the draft: a complete
// agenda of the example is proven optimal, with the breaks the draft
// really has; after publishing, a re-plan's verdict says how many
// meetings moved.
func TestAgendaVerdictKept(t *testing.T) {
	c, _ := newInternal(t)
	err := c.DB.View(func(tx *store.Tx) error {
		_, ok, err := Verdict(tx, "2027-03")
		if ok || err != nil {
			t.Errorf("verdict before any agenda: %v %v", ok, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	runStage(t, c, "match", fairmatch.StageMatch)
	runStage(t, c, "agenda", fairmatch.StageAgenda)
	var v AgendaVerdict
	var draft fairmatch.Agenda
	err = c.DB.View(func(tx *store.Tx) error {
		var ok bool
		var err error
		if v, ok, err = Verdict(tx, "2027-03"); err != nil || !ok {
			t.Fatalf("no verdict after the agenda stage: %v", err)
		}
		raw, _, err := tx.Meta(draftKey("2027-03"))
		if err != nil {
			return err
		}
		return json.Unmarshal([]byte(raw), &draft)
	})
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != agenda.StatusOptimal || v.Replan || v.Moved != 0 {
		t.Errorf("first agenda's verdict %+v, want optimal, not a re-plan", v)
	}
	if got := draftBreaks(t, draft, c.Plan.FairDay()); got != v.Breaks {
		t.Errorf("verdict says %d breaks, the draft has %d", v.Breaks, got)
	}
	t.Logf("example fair: %d meetings, verdict %+v", len(draft.Meetings), v)

	runStage(t, c, "publish", fairmatch.StagePublish)
	runStage(t, c, "agenda", fairmatch.StageAgenda)
	err = c.DB.View(func(tx *store.Tx) (err error) { v, _, err = Verdict(tx, "2027-03"); return err })
	if err != nil {
		t.Fatal(err)
	}
	if !v.Replan || v.Moved != 0 || v.Status != agenda.StatusOptimal {
		t.Errorf("re-plan of an unchanged fair: verdict %+v, want a re-plan moving nothing, optimal", v)
	}
}

// draftBreaks counts the breaks of an agenda on the fair day's slot grid
// (each session cut into slots of day.Slot followed by day.Buffer, numbered
// through the day): per attendee, the runs of grid slots between two of
// their meetings in which they have none.
func draftBreaks(t *testing.T, a fairmatch.Agenda, day fairmatch.Day) int {
	t.Helper()
	minute := func(hhmm string) int {
		var h, m int
		if _, err := fmt.Sscanf(hhmm, "%d:%d", &h, &m); err != nil {
			t.Fatalf("day time %q: %v", hhmm, err)
		}
		return 60*h + m
	}
	slot, step := int(time.Duration(day.Slot).Minutes()), int(time.Duration(day.Slot+day.Buffer).Minutes())
	index := map[int]int{} // minute of the day → slot number
	for _, s := range day.Sessions {
		for at := minute(s.From); at+slot <= minute(s.To); at += step {
			index[at] = len(index) + 1
		}
	}
	byPerson := map[string][]int{}
	for _, m := range a.Meetings {
		n, ok := index[minute(m.Start.Format("15:04"))]
		if !ok {
			t.Fatalf("meeting %s starts at %s, off the grid", m.ID, m.Start.Format("15:04"))
		}
		for _, p := range m.Attendees {
			byPerson[p] = append(byPerson[p], n)
		}
	}
	breaks := 0
	for _, ns := range byPerson {
		slices.Sort(ns)
		for i := 1; i < len(ns); i++ {
			if ns[i] > ns[i-1]+1 {
				breaks++
			}
		}
	}
	return breaks
}
