package store

import (
	"fmt"
	"slices"

	"github.com/fairmatch/fairmatch"
)

// Proposals returns the proposals last stored for the fair with
// PutProposals, in the order they were given; an empty list if there are
// none yet. It is ENOTFOUND if there is no such fair.
func (tx *Tx) Proposals(fair string) ([]fairmatch.Proposal, error) {
	if err := tx.requireFair(fair); err != nil {
		return nil, err
	}
	ps := []fairmatch.Proposal{}
	if _, err := get(tx.bucket(bucketProposals), bucketProposals, fair, &ps); err != nil {
		return nil, err
	}
	if ps == nil { // stored as JSON null by an older writer; keep the promise
		ps = []fairmatch.Proposal{}
	}
	return ps, nil
}

// PutProposals replaces the fair's proposals with ps. It is ENOTFOUND if
// there is no such fair.
func (tx *Tx) PutProposals(fair string, ps []fairmatch.Proposal) error {
	if err := tx.requireFair(fair); err != nil {
		return err
	}
	if ps == nil {
		ps = []fairmatch.Proposal{}
	}
	return put(tx.bucket(bucketProposals), bucketProposals, fair, ps)
}

// Agenda returns the fair's published agenda, each meeting with its
// Sequence. It is ENOTFOUND if there is no such fair or no agenda has been
// stored for it.
func (tx *Tx) Agenda(fair string) (*fairmatch.Agenda, error) {
	if err := tx.requireFair(fair); err != nil {
		return nil, err
	}
	var a fairmatch.Agenda
	ok, err := get(tx.bucket(bucketAgendas), bucketAgendas, fair, &a)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fairmatch.Errorf(fairmatch.ENOTFOUND, "fair %q has no published agenda yet", fair)
	}
	return &a, nil
}

// PutAgenda stores a.Fair's agenda, replacing the previous one, and sets the
// Sequence of each meeting in a.Meetings (the values a brings are ignored):
//
//   - a meeting id not in the previous agenda gets 0;
//   - a meeting whose start, end, table, enterprise, university, attendees
//     (as a set) or items (as a set of problem–offering pairs) are unchanged
//     keeps its previous Sequence;
//   - a meeting with any of those changed gets its previous Sequence + 1;
//   - a meeting of the previous agenda that a leaves out is kept as
//     cancelled (see Cancelled) with its previous Sequence + 1;
//   - a cancelled meeting whose id comes back is no longer cancelled and gets
//     its cancelled Sequence + 1, so that calendars see it as newer than the
//     cancellation.
//
// The fair must exist (ENOTFOUND); meeting ids must be non-empty and unique
// (EINVALID, with an issue for each bad "meetings[i]").
func (tx *Tx) PutAgenda(a *fairmatch.Agenda) error {
	if a == nil {
		return fairmatch.Errorf(fairmatch.EINVALID, "no agenda to store")
	}
	if err := tx.requireFair(a.Fair); err != nil {
		return err
	}
	var is issues
	seen := make(map[string]bool, len(a.Meetings))
	for i, m := range a.Meetings {
		rec := fmt.Sprintf("meetings[%d]", i)
		is.key(rec, "id", m.ID)
		if seen[m.ID] && m.ID != "" {
			is = append(is, fairmatch.Issue{Record: rec, Field: "id",
				Reason: fmt.Sprintf("%q is used by an earlier meeting", m.ID)})
		}
		seen[m.ID] = true
	}
	if err := is.err(fmt.Sprintf("the agenda of fair %q cannot be stored", a.Fair)); err != nil {
		return err
	}

	prev := make(map[string]fairmatch.Meeting)
	var old fairmatch.Agenda
	if _, err := get(tx.bucket(bucketAgendas), bucketAgendas, a.Fair, &old); err != nil {
		return err
	}
	for _, m := range old.Meetings {
		prev[m.ID] = m
	}

	cb := tx.bucket(bucketCancelled)
	for i := range a.Meetings {
		m := &a.Meetings[i]
		if p, ok := prev[m.ID]; ok {
			m.Sequence = p.Sequence
			if meetingChanged(p, *m) {
				m.Sequence++
			}
			continue
		}
		var c fairmatch.Meeting
		key := a.Fair + sep + m.ID
		revived, err := get(cb, bucketCancelled, key, &c)
		if err != nil {
			return err
		}
		if !revived {
			m.Sequence = 0
			continue
		}
		m.Sequence = c.Sequence + 1
		if err := cb.Delete([]byte(key)); err != nil {
			return fmt.Errorf("delete %s %q: %w", bucketCancelled, printable(key), err)
		}
	}
	for _, p := range old.Meetings {
		if seen[p.ID] {
			continue
		}
		p.Sequence++
		if err := put(cb, bucketCancelled, a.Fair+sep+p.ID, p); err != nil {
			return err
		}
	}
	return put(tx.bucket(bucketAgendas), bucketAgendas, a.Fair, a)
}

// Cancelled returns the meetings of the fair that an agenda once held and a
// later one dropped, in id order, each with the Sequence of its
// cancellation. It is ENOTFOUND if there is no such fair.
func (tx *Tx) Cancelled(fair string) ([]fairmatch.Meeting, error) {
	if err := tx.requireFair(fair); err != nil {
		return nil, err
	}
	ms, err := scan[fairmatch.Meeting](tx.bucket(bucketCancelled), bucketCancelled, []byte(fair+sep))
	if err != nil {
		return nil, err
	}
	if ms == nil {
		ms = []fairmatch.Meeting{}
	}
	return ms, nil
}

// meetingChanged reports whether b differs from a in anything a participant's
// calendar shows: time, table, who and what.
func meetingChanged(a, b fairmatch.Meeting) bool {
	return !a.Start.Equal(b.Start) || !a.End.Equal(b.End) ||
		a.Table != b.Table || a.Enterprise != b.Enterprise || a.University != b.University ||
		!sameSet(a.Attendees, b.Attendees) || !sameSet(itemKeys(a.Items), itemKeys(b.Items))
}

// itemKeys returns the problem–offering pairs of items.
func itemKeys(items []fairmatch.MeetingItem) []string {
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.Problem + sep + it.Offering
	}
	return keys
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
