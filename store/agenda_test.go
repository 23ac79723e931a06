package store_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/store/storetest"
)

var fairDay = time.Date(2027, 3, 15, 9, 0, 0, 0, shanghai)

// meeting builds a meeting at the given slot (20 minutes each) and table.
func meeting(id string, slot int, table string) fairmatch.Meeting {
	start := fairDay.Add(time.Duration(slot) * 20 * time.Minute)
	return fairmatch.Meeting{
		ID: id, Enterprise: "E001", University: "U01",
		Start: start, End: start.Add(20 * time.Minute), Table: table,
		Attendees: []string{"P-E001-1", "P-U01-3"},
		Items: []fairmatch.MeetingItem{
			{Problem: "PR001", Offering: "O001", Score: 0.8, Why: "热误差"},
			{Problem: "PR001", Offering: "O002", Score: 0.5, Why: "补偿"},
		},
	}
}

// sequences returns id → Sequence of the meetings.
func sequences(ms []fairmatch.Meeting) map[string]int {
	seq := make(map[string]int, len(ms))
	for _, m := range ms {
		seq[m.ID] = m.Sequence
	}
	return seq
}

func TestPutAgendaSequence(t *testing.T) {
	db := storetest.Open(t)
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.PutFair(fair("2027-03", fairDay)) })

	put := func(ms ...fairmatch.Meeting) *fairmatch.Agenda {
		t.Helper()
		a := &fairmatch.Agenda{Fair: "2027-03", Timezone: "Asia/Shanghai", Meetings: ms,
			Unscheduled: []fairmatch.Unscheduled{{Enterprise: "E009", University: "U03", Reason: "no common free slot"}}}
		mustUpdate(t, db, func(tx *store.Tx) error { return tx.PutAgenda(a) })
		return a
	}
	check := func(step string, a *fairmatch.Agenda, wantSeq map[string]int, wantCancelled map[string]int) {
		t.Helper()
		if got := sequences(a.Meetings); !maps.Equal(got, wantSeq) {
			t.Errorf("%s: sequences set on the given agenda = %v, want %v", step, got, wantSeq)
		}
		mustView(t, db, func(tx *store.Tx) error {
			stored, err := tx.Agenda("2027-03")
			if err != nil {
				return err
			}
			sameJSON(t, step+": stored agenda", stored, a)
			cancelled, err := tx.Cancelled("2027-03")
			if err != nil {
				return err
			}
			if got := sequences(cancelled); !maps.Equal(got, wantCancelled) {
				t.Errorf("%s: cancelled = %v, want %v", step, got, wantCancelled)
			}
			return nil
		})
	}

	// First publication: everything is new. Sequences the caller brings are ignored.
	m1, m2, m3 := meeting("M1", 0, "T01"), meeting("M2", 1, "T01"), meeting("M3", 2, "T02")
	m3.Sequence = 7
	a := put(m1, m2, m3)
	check("first", a, map[string]int{"M1": 0, "M2": 0, "M3": 0}, map[string]int{})

	// M1 unchanged but with its attendees and items reordered, its times in
	// another zone and new scores; M2 at another table; M3 dropped; M4 new.
	m1b := meeting("M1", 0, "T01")
	slices.Reverse(m1b.Attendees)
	slices.Reverse(m1b.Items)
	m1b.Items[0].Score = 0.81
	m1b.Start, m1b.End = m1b.Start.UTC(), m1b.End.UTC()
	m2b := meeting("M2", 1, "T03")
	a = put(m1b, m2b, meeting("M4", 3, "T01"))
	check("second", a, map[string]int{"M1": 0, "M2": 1, "M4": 0}, map[string]int{"M3": 1})

	// M3 comes back: it is no longer cancelled and is newer than its
	// cancellation. M4 is dropped; M1 and M2 unchanged.
	a = put(m1b, m2b, meeting("M3", 2, "T02"))
	check("third", a, map[string]int{"M1": 0, "M2": 1, "M3": 2}, map[string]int{"M4": 1})

	// A meeting dropped earlier stays cancelled, with its sequence, while
	// later agendas leave it out.
	a = put(m2b)
	check("fourth", a, map[string]int{"M2": 1}, map[string]int{"M1": 1, "M3": 3, "M4": 1})
	a = put(m2b)
	check("fifth", a, map[string]int{"M2": 1}, map[string]int{"M1": 1, "M3": 3, "M4": 1})

	// An empty agenda cancels everything.
	a = put()
	check("empty", a, map[string]int{}, map[string]int{"M1": 1, "M2": 2, "M3": 3, "M4": 1})
}

func TestPutAgendaWhatCountsAsAChange(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*fairmatch.Meeting)
		changed bool
	}{
		{"nothing", func(*fairmatch.Meeting) {}, false},
		{"start", func(m *fairmatch.Meeting) { m.Start = m.Start.Add(-5 * time.Minute) }, true},
		{"end", func(m *fairmatch.Meeting) { m.End = m.End.Add(5 * time.Minute) }, true},
		{"same instants in UTC", func(m *fairmatch.Meeting) { m.Start, m.End = m.Start.UTC(), m.End.UTC() }, false},
		{"table", func(m *fairmatch.Meeting) { m.Table = "T09" }, true},
		{"enterprise", func(m *fairmatch.Meeting) { m.Enterprise = "E002" }, true},
		{"university", func(m *fairmatch.Meeting) { m.University = "U02" }, true},
		{"attendee added", func(m *fairmatch.Meeting) { m.Attendees = append(m.Attendees, "P-U01-4") }, true},
		{"attendee replaced", func(m *fairmatch.Meeting) { m.Attendees[0] = "P-E001-2" }, true},
		{"attendee removed", func(m *fairmatch.Meeting) { m.Attendees = m.Attendees[1:] }, true},
		{"attendees reordered", func(m *fairmatch.Meeting) { slices.Reverse(m.Attendees) }, false},
		{"item added", func(m *fairmatch.Meeting) {
			m.Items = append(m.Items, fairmatch.MeetingItem{Problem: "PR002", Offering: "O001"})
		}, true},
		{"item offering replaced", func(m *fairmatch.Meeting) { m.Items[1].Offering = "O003" }, true},
		{"item problem replaced", func(m *fairmatch.Meeting) { m.Items[0].Problem = "PR009" }, true},
		{"item removed", func(m *fairmatch.Meeting) { m.Items = m.Items[:1] }, true},
		{"items reordered", func(m *fairmatch.Meeting) { slices.Reverse(m.Items) }, false},
		{"item scores and reasons", func(m *fairmatch.Meeting) { m.Items[0].Score, m.Items[1].Why = 0.1, "other" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := storetest.Open(t)
			base, other := meeting("M1", 0, "T01"), meeting("M2", 1, "T01")
			changed := meeting("M1", 0, "T01")
			tt.change(&changed)
			want := 0
			if tt.changed {
				want = 1
			}
			var got []int
			mustUpdate(t, db, func(tx *store.Tx) error {
				if err := tx.PutFair(fair("2027-03", fairDay)); err != nil {
					return err
				}
				for _, m := range []fairmatch.Meeting{base, changed, changed} {
					a := &fairmatch.Agenda{Fair: "2027-03", Meetings: []fairmatch.Meeting{other, m}}
					if err := tx.PutAgenda(a); err != nil {
						return err
					}
					got = append(got, a.Meetings[1].Sequence)
					if a.Meetings[0].Sequence != 0 {
						t.Errorf("unchanged M2 got sequence %d", a.Meetings[0].Sequence)
					}
				}
				return nil
			})
			// Storing the changed meeting twice changes it once.
			if !slices.Equal(got, []int{0, want, want}) {
				t.Errorf("sequences = %v, want [0 %d %d]", got, want, want)
			}
		})
	}
}

func TestPutAgendaRejectsBadMeetings(t *testing.T) {
	db := storetest.Open(t)
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.PutFair(fair("2027-03", fairDay)) })
	a := &fairmatch.Agenda{Fair: "2027-03", Meetings: []fairmatch.Meeting{
		meeting("M1", 0, "T01"), meeting("", 1, "T01"), meeting("M1", 2, "T01"), meeting("M\x002", 3, "T01"),
	}}
	err := db.Update(func(tx *store.Tx) error { return tx.PutAgenda(a) })
	wantCode(t, err, fairmatch.EINVALID)
	want := []fairmatch.Issue{
		{Record: "meetings[1]", Field: "id", Reason: "must not be empty"},
		{Record: "meetings[2]", Field: "id", Reason: `"M1" is used by an earlier meeting`},
		{Record: "meetings[3]", Field: "id", Reason: "must not contain a NUL character"},
	}
	if got := fairmatch.ErrorIssues(err); !slices.Equal(got, want) {
		t.Errorf("issues = %+v, want %+v", got, want)
	}
	wantCode(t, db.Update(func(tx *store.Tx) error { return tx.PutAgenda(nil) }), fairmatch.EINVALID)
	mustView(t, db, func(tx *store.Tx) error {
		_, err := tx.Agenda("2027-03")
		wantCode(t, err, fairmatch.ENOTFOUND)
		return nil
	})
}

var errRollback = errors.New("roll back")

// FuzzPutAgenda stores a series of agendas drawn from the input and checks
// the sequence rules against what was stored before each one: a meeting's
// sequence never goes down, rises by exactly one when (and only when) it
// changes, is cancelled or comes back; every meeting ever published is either
// in the current agenda or cancelled, never both.
func FuzzPutAgenda(f *testing.F) {
	f.Add([]byte{0x0f, 0x0f, 0x03, 0x0c, 0x00, 0x0f})
	f.Add([]byte{0x11, 0x12, 0x11, 0x00, 0x11})
	f.Add([]byte{0xff, 0x7f, 0x80, 0x01, 0xfe})
	db := storetest.Open(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64 {
			data = data[:64]
		}
		// Everything happens in one Update that is rolled back, so every
		// input starts from an empty fair.
		err := db.Update(func(tx *store.Tx) error {
			if err := tx.PutFair(fair("2027-03", fairDay)); err != nil {
				return err
			}
			type state struct {
				seq       int
				live      bool
				cancelled bool
				m         fairmatch.Meeting
			}
			known := map[string]*state{}
			for step, b := range data {
				// Bit i of the low nibble: meeting Mi is in the agenda; the
				// high nibble picks its table for every meeting at once.
				var ms []fairmatch.Meeting
				for i := range 4 {
					if b&(1<<i) != 0 {
						ms = append(ms, meeting(fmt.Sprint("M", i), i, fmt.Sprintf("T%02d", (int(b>>4)+i)%3)))
					}
				}
				a := &fairmatch.Agenda{Fair: "2027-03", Meetings: ms}
				if err := tx.PutAgenda(a); err != nil {
					return err
				}
				inAgenda := map[string]bool{}
				for _, m := range a.Meetings {
					inAgenda[m.ID] = true
					st, ok := known[m.ID]
					switch {
					case !ok:
						if m.Sequence != 0 {
							t.Errorf("step %d: new %s has sequence %d", step, m.ID, m.Sequence)
						}
					case st.cancelled:
						if m.Sequence != st.seq+1 {
							t.Errorf("step %d: %s came back with sequence %d after %d", step, m.ID, m.Sequence, st.seq)
						}
					case st.m.Table != m.Table:
						if m.Sequence != st.seq+1 {
							t.Errorf("step %d: changed %s has sequence %d after %d", step, m.ID, m.Sequence, st.seq)
						}
					default:
						if m.Sequence != st.seq {
							t.Errorf("step %d: unchanged %s has sequence %d after %d", step, m.ID, m.Sequence, st.seq)
						}
					}
					known[m.ID] = &state{seq: m.Sequence, live: true, m: m}
				}
				cancelled, err := tx.Cancelled("2027-03")
				if err != nil {
					return err
				}
				inCancelled := map[string]bool{}
				for _, c := range cancelled {
					inCancelled[c.ID] = true
					st := known[c.ID]
					switch {
					case st == nil:
						t.Errorf("step %d: %s cancelled but never published", step, c.ID)
					case inAgenda[c.ID]:
						t.Errorf("step %d: %s both in the agenda and cancelled", step, c.ID)
					case st.live:
						if c.Sequence != st.seq+1 {
							t.Errorf("step %d: cancelled %s has sequence %d after %d", step, c.ID, c.Sequence, st.seq)
						}
						st.live, st.cancelled, st.seq = false, true, c.Sequence
					case c.Sequence != st.seq:
						t.Errorf("step %d: cancelled %s changed sequence %d to %d", step, c.ID, st.seq, c.Sequence)
					}
				}
				for id, st := range known {
					if !inAgenda[id] && !inCancelled[id] {
						t.Errorf("step %d: %s is neither in the agenda nor cancelled", step, id)
					}
					if inAgenda[id] {
						st.cancelled = false
					}
				}
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
	})
}
