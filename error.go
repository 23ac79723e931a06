package fairmatch

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. Each maps to one HTTP status in the web package and to a
// non-zero exit status on the command line.
const (
	EINVALID      = "invalid"      // the input breaks a rule (bad file, record, value)
	ENOTFOUND     = "not_found"    // the named thing does not exist
	ECONFLICT     = "conflict"     // the operation clashes with the current state
	EUNAUTHORIZED = "unauthorized" // missing or wrong credentials
	EFORBIDDEN    = "forbidden"    // known caller, but not allowed to see or change this
	ETOOMANY      = "too_many"     // rate limited: try again later
	EUNAVAILABLE  = "unavailable"  // a resource is held elsewhere (e.g. a locked store)
	EINTERNAL     = "internal"     // a bug or an unexpected failure
)

// Error is the coded error of the application. Message is meant for the person
// who caused it (an organizer, an operator); Issues lists every bad record when
// one input had several.
type Error struct {
	Code    string
	Message string
	Issues  []Issue
	Err     error // the underlying cause, if any
}

// Issue locates one problem in an input: the file, the record (a CSV/XLSX row
// like "row 7" or a JSON path like "problems[3]"), the field, and why.
type Issue struct {
	File   string `json:"file,omitempty"`
	Record string `json:"record,omitempty"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

func (i Issue) String() string {
	var parts []string
	if i.File != "" {
		parts = append(parts, i.File)
	}
	if i.Record != "" {
		parts = append(parts, i.Record)
	}
	if i.Field != "" {
		parts = append(parts, "field "+i.Field)
	}
	if len(parts) == 0 {
		return i.Reason
	}
	return strings.Join(parts, " ") + ": " + i.Reason
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if e.Err != nil && e.Message == "" {
		b.WriteString(e.Err.Error())
	} else if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	for _, is := range e.Issues {
		b.WriteString("\n  ")
		b.WriteString(is.String())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error that lists the given issues.
func Invalid(message string, issues []Issue) *Error {
	return &Error{Code: EINVALID, Message: message, Issues: issues}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorIssues returns the issues of the first *Error in err's chain.
func ErrorIssues(err error) []Issue {
	var e *Error
	if errors.As(err, &e) {
		return e.Issues
	}
	return nil
}
