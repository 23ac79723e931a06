package bus

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fairmatch/fairmatch"
)

// Job is one unit of work: one attempt at a fair's stage.
type Job struct {
	// ID is unique per attempt, "<stage key>#<attempt>" like "2027-03/match#1".
	// It is the message ID the server deduplicates publishes by.
	ID string `json:"id"`
	// Key is the idempotency key, the stage key like "2027-03/match".
	Key string `json:"key"`
	// Kind names the handler: "match", "agenda", "publish", ...
	Kind string `json:"kind"`
	// Payload holds the inputs; above Options.InlineLimit bytes it travels
	// through the object store.
	Payload json.RawMessage `json:"payload"`
}

// Result is the outcome of one Job, sent back to the coordinator.
type Result struct {
	JobID string `json:"job_id"`
	Key   string `json:"key"`
	Kind  string `json:"kind"`
	// Payload is the handler's output (through the object store when large).
	Payload json.RawMessage `json:"payload,omitempty"`
	// Error is non-empty when the job failed: the handler returned an error or
	// panicked, no handler knows the kind, or the job exhausted its deliveries.
	Error string `json:"error,omitempty"`
	// Worker names the worker that ran the job; empty when none finished it.
	Worker  string        `json:"worker,omitempty"`
	Elapsed time.Duration `json:"elapsed_ns,omitempty"`
}

// Progress is a progress report of a running job.
type Progress struct {
	JobID   string    `json:"job_id"`
	Key     string    `json:"key"`
	Worker  string    `json:"worker"`
	Message string    `json:"message,omitempty"`
	Done    int       `json:"done"`
	Total   int       `json:"total"`
	At      time.Time `json:"at"`
}

// maxIDLen bounds Job.ID, Key and Kind; they travel in headers and subjects.
const maxIDLen = 256

// wireJob is a Job as it travels on FAIRMATCH_JOBS: the payload is either
// inline or named by PayloadObject in the object store.
type wireJob struct {
	Job
	PayloadObject string `json:"payload_object,omitempty"`
}

// envelope is a wire message whose payload may move to the object store.
type envelope interface {
	payloadFields() (payload *json.RawMessage, object *string)
}

func (w *wireJob) payloadFields() (*json.RawMessage, *string)    { return &w.Payload, &w.PayloadObject }
func (w *wireResult) payloadFields() (*json.RawMessage, *string) { return &w.Payload, &w.PayloadObject }

// wireResult is a Result as it travels on FAIRMATCH_RESULTS.
type wireResult struct {
	Result
	PayloadObject string `json:"payload_object,omitempty"`
}

// checkToken reports why s cannot be one token of a NATS subject, or "".
func checkToken(s string) string {
	switch {
	case s == "":
		return "is required"
	case len(s) > maxIDLen:
		return fmt.Sprintf("is longer than %d bytes", maxIDLen)
	case strings.ContainsAny(s, ".*> \t\r\n\x00"):
		return `must not contain '.', '*', '>', white space or NUL`
	}
	return ""
}

// validateJob returns an EINVALID error naming every bad field of job.
func validateJob(job Job) error {
	var issues []fairmatch.Issue
	record := "job"
	if job.ID != "" {
		record = fmt.Sprintf("job %q", job.ID)
	}
	add := func(field, reason string) {
		if reason != "" {
			issues = append(issues, fairmatch.Issue{Record: record, Field: field, Reason: reason})
		}
	}
	switch {
	case job.ID == "":
		add("id", "is required")
	case len(job.ID) > maxIDLen:
		add("id", fmt.Sprintf("is longer than %d bytes", maxIDLen))
	case strings.ContainsAny(job.ID, "\r\n\x00"):
		add("id", "must not contain line breaks or NUL")
	}
	add("key", checkToken(job.Key))
	add("kind", checkToken(job.Kind))
	if len(job.Payload) > 0 && !json.Valid(job.Payload) {
		add("payload", "is not valid JSON")
	}
	if issues != nil {
		return fairmatch.Invalid("invalid job", issues)
	}
	return nil
}

// errMalformed marks a message that cannot be decoded; it is never retried.
var errMalformed = errors.New("malformed message")

// decodeJob parses a job message.
func decodeJob(data []byte) (wireJob, error) {
	var w wireJob
	if err := json.Unmarshal(data, &w); err != nil {
		return wireJob{}, fmt.Errorf("%w: job: %v", errMalformed, err)
	}
	if err := validateJob(w.Job); err != nil {
		return wireJob{}, fmt.Errorf("%w: %v", errMalformed, err)
	}
	if w.PayloadObject != "" && len(w.Payload) > 0 && string(w.Payload) != "null" {
		return wireJob{}, fmt.Errorf("%w: job %q has both an inline payload and an object", errMalformed, w.ID)
	}
	if string(w.Payload) == "null" {
		w.Payload = nil
	}
	return w, nil
}

// decodeResult parses a result message.
func decodeResult(data []byte) (wireResult, error) {
	var w wireResult
	if err := json.Unmarshal(data, &w); err != nil {
		return wireResult{}, fmt.Errorf("%w: result: %v", errMalformed, err)
	}
	if w.JobID == "" || len(w.JobID) > maxIDLen {
		return wireResult{}, fmt.Errorf("%w: result without a valid job_id", errMalformed)
	}
	if reason := checkToken(w.Kind); reason != "" {
		return wireResult{}, fmt.Errorf("%w: result %q: kind %s", errMalformed, w.JobID, reason)
	}
	if w.PayloadObject != "" && len(w.Payload) > 0 {
		return wireResult{}, fmt.Errorf("%w: result %q has both an inline payload and an object", errMalformed, w.JobID)
	}
	return w, nil
}
