package store

import (
	"slices"
	"time"

	"github.com/fairmatch/fairmatch"
)

// FairSettings returns the organizers' settings of a fair and whether any
// are stored.
func (tx *Tx) FairSettings(fair string) (fairmatch.FairSettings, bool, error) {
	var s fairmatch.FairSettings
	if fair == "" {
		return s, false, nil
	}
	ok, err := get(tx.bucket(bucketSettings), bucketSettings, fair, &s)
	return s, ok, err
}

// PutFairSettings stores a fair's settings, replacing earlier ones. The
// caller validates the day and limits (config does); the store checks the
// key.
func (tx *Tx) PutFairSettings(s fairmatch.FairSettings) error {
	var is issues
	is.key("settings", "fair", s.Fair)
	if err := is.err("fair settings cannot be stored"); err != nil {
		return err
	}
	return put(tx.bucket(bucketSettings), bucketSettings, s.Fair, s)
}

func decisionKey(fair, enterprise, university string) string {
	return fair + sep + enterprise + sep + university
}

// Decisions returns the matching-review decisions of a fair, ordered by
// enterprise, then university.
func (tx *Tx) Decisions(fair string) ([]fairmatch.Decision, error) {
	if fair == "" {
		return nil, nil
	}
	return scan[fairmatch.Decision](tx.bucket(bucketDecisions), bucketDecisions, []byte(fair+sep))
}

// PutDecision stores an organizer's decision on a pairing, replacing the
// earlier one for the same fair, enterprise and university.
func (tx *Tx) PutDecision(d fairmatch.Decision) error {
	var is issues
	is.key("decision", "fair", d.Fair)
	is.key("decision", "enterprise", d.Enterprise)
	is.key("decision", "university", d.University)
	switch d.Verdict {
	case fairmatch.VerdictAccept, fairmatch.VerdictReject, fairmatch.VerdictPin, fairmatch.VerdictAdd:
	default:
		is = append(is, fairmatch.Issue{Record: "decision", Field: "verdict",
			Reason: "must be one of accept, reject, pin, add"})
	}
	if err := is.err("decision cannot be stored"); err != nil {
		return err
	}
	return put(tx.bucket(bucketDecisions), bucketDecisions, decisionKey(d.Fair, d.Enterprise, d.University), d)
}

// DeleteDecision withdraws a decision; withdrawing none does nothing.
func (tx *Tx) DeleteDecision(fair, enterprise, university string) error {
	return tx.bucket(bucketDecisions).Delete([]byte(decisionKey(fair, enterprise, university)))
}

func responseKey(r fairmatch.Response) string {
	return r.Fair + sep + r.Meeting + sep + r.Person + sep + r.Kind
}

// Responses returns the participants' responses of a fair, ordered by
// meeting, person and kind.
func (tx *Tx) Responses(fair string) ([]fairmatch.Response, error) {
	if fair == "" {
		return nil, nil
	}
	return scan[fairmatch.Response](tx.bucket(bucketResponses), bucketResponses, []byte(fair+sep))
}

// PutResponse stores a participant's response; a later response of the same
// kind by the same person to the same meeting replaces the earlier one.
func (tx *Tx) PutResponse(r fairmatch.Response) error {
	var is issues
	is.key("response", "fair", r.Fair)
	is.key("response", "meeting", r.Meeting)
	is.key("response", "person", r.Person)
	switch r.Kind {
	case fairmatch.ResponseDecline, fairmatch.ResponseMove:
	case fairmatch.ResponseOutcome:
		if !slices.Contains(fairmatch.Outcomes, r.Outcome) {
			is = append(is, fairmatch.Issue{Record: "response", Field: "outcome",
				Reason: "must be one of none, contact, nda, proposal, contract, commercialized"})
		}
	default:
		is = append(is, fairmatch.Issue{Record: "response", Field: "kind",
			Reason: "must be one of decline, move, outcome"})
	}
	if len(r.Reason) > 2000 {
		is = append(is, fairmatch.Issue{Record: "response", Field: "reason", Reason: "must be at most 2000 bytes"})
	}
	if err := is.err("response cannot be stored"); err != nil {
		return err
	}
	if r.At.IsZero() {
		r.At = time.Now()
	}
	return put(tx.bucket(bucketResponses), bucketResponses, responseKey(r), r)
}
