package coordinator

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/agenda"
	"github.com/fairmatch/fairmatch/bus"
	"github.com/fairmatch/fairmatch/matcher"
)

// MatchInput is the payload of a match job.
type MatchInput struct {
	Fair    fairmatch.Fair     `json:"fair"`
	Dataset *fairmatch.Dataset `json:"dataset"`
	Limits  fairmatch.Limits   `json:"limits"`
	// Thesaurus is the organizers' thesaurus file, if the plan names one.
	ThesaurusName string `json:"thesaurus_name,omitempty"`
	Thesaurus     []byte `json:"thesaurus,omitempty"`
	// Capacity is how many meetings each person with restricted
	// availability can attend: their free slots of the fair day.
	Capacity map[string]int `json:"capacity,omitempty"`
}

// MatchOutput is the result of a match job.
type MatchOutput struct {
	Proposals []fairmatch.Proposal    `json:"proposals"`
	Unmatched []fairmatch.Unscheduled `json:"unmatched"`
}

// AgendaInput is the payload of an agenda job.
type AgendaInput struct {
	Fair      fairmatch.Fair       `json:"fair"`
	Day       fairmatch.Day        `json:"day"`
	People    []fairmatch.Person   `json:"people"`
	Proposals []fairmatch.Proposal `json:"proposals"`
	Blocked   []fairmatch.Blocked  `json:"blocked"`
	TimeLimit time.Duration        `json:"time_limit"`
	// Previous is the fair's published agenda, if any: a re-plan moves as
	// few of its meetings as possible.
	Previous *fairmatch.Agenda `json:"previous,omitempty"`
}

// AgendaOutput is the result of an agenda job: the draft agenda and the
// solver's verdict.
type AgendaOutput struct {
	Agenda *fairmatch.Agenda `json:"agenda"`
	AgendaVerdict
}

// AgendaVerdict is what the agenda solver says of a draft agenda: its status
// (formats.md §4: optimal, feasible, partial, infeasible, unknown), the
// total of breaks (idle gaps between a person's meetings, a run of idle
// slots counting once), and, for a re-plan of a published agenda, how many
// of its meetings moved.
type AgendaVerdict struct {
	Status string `json:"status"`
	Breaks int    `json:"breaks"`
	Moved  int    `json:"moved,omitempty"`
	Replan bool   `json:"replan,omitempty"`
}

// Handlers returns the worker-side handlers for every stage kind.
func Handlers() map[string]bus.Handler {
	noop := func(ctx context.Context, job bus.Job, progress func(string, int, int)) (json.RawMessage, error) {
		return json.RawMessage(`{}`), nil
	}
	return map[string]bus.Handler{
		fairmatch.StageMatch:      handleMatch,
		fairmatch.StageAgenda:     handleAgenda,
		fairmatch.StageCallOpens:  noop,
		fairmatch.StageCallCloses: noop,
		fairmatch.StagePublish:    noop,
		fairmatch.StageReminder:   noop,
		fairmatch.StageFollowUp:   noop,
	}
}

func handleMatch(ctx context.Context, job bus.Job, progress func(string, int, int)) (json.RawMessage, error) {
	var in MatchInput
	if err := json.Unmarshal(job.Payload, &in); err != nil {
		return nil, fmt.Errorf("match job %s: bad payload: %w", job.ID, err)
	}
	if in.Dataset == nil {
		return nil, fmt.Errorf("match job %s: no dataset in the payload", job.ID)
	}
	opt := matcher.Options{History: true, Capacity: in.Capacity}
	if len(in.Thesaurus) > 0 {
		th, err := matcher.ParseThesaurus(in.ThesaurusName, in.Thesaurus)
		if err != nil {
			return nil, err
		}
		opt.Thesaurus = th
	}
	progress(fmt.Sprintf("matching %d problems against %d offerings", len(in.Dataset.Problems), len(in.Dataset.Offerings)), 0, 1)
	ps, un, err := matcher.MatchWith(ctx, in.Dataset, in.Fair.ID, in.Limits, opt)
	if err != nil {
		return nil, err
	}
	progress(fmt.Sprintf("%d meetings proposed", len(ps)), 1, 1)
	return json.Marshal(MatchOutput{Proposals: ps, Unmatched: un})
}

func handleAgenda(ctx context.Context, job bus.Job, progress func(string, int, int)) (json.RawMessage, error) {
	var in AgendaInput
	if err := json.Unmarshal(job.Payload, &in); err != nil {
		return nil, fmt.Errorf("agenda job %s: bad payload: %w", job.ID, err)
	}
	progress(fmt.Sprintf("placing %d meetings", len(in.Proposals)), 0, 1)
	a, res, err := agenda.BuildFair(ctx, agenda.FairInput{
		Fair: in.Fair, Day: in.Day, People: in.People, Proposals: in.Proposals, Blocked: in.Blocked,
		Previous: in.Previous,
	}, agenda.Options{TimeLimit: in.TimeLimit, Progress: func(msg string) { progress(msg, 0, 1) }})
	if err != nil {
		return nil, err
	}
	out := AgendaOutput{Agenda: a}
	if res != nil {
		out.Status = res.Status
		out.Breaks = res.Breaks.Total
		out.Moved = res.Moved
		out.Replan = in.Previous != nil
	}
	progress(fmt.Sprintf("%d meetings placed, %d unscheduled", len(a.Meetings), len(a.Unscheduled)), 1, 1)
	return json.Marshal(out)
}
