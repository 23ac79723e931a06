package notify

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/internal/atomicfile"
)

// PeopleDir is the folder, under an export directory, of the per-person
// files (formats.md §5).
const PeopleDir = "people"

// CheckPersonID reports why id cannot name a person's files, or nil: it must
// be non-empty, hold no whitespace, control character, path separator or
// character that some file systems reject (< > : " | ? *), and be neither "."
// nor "..".
func CheckPersonID(id string) error {
	switch {
	case id == "":
		return errors.New("empty person id")
	case id == "." || id == "..":
		return fmt.Errorf("person id %q is not a file name", id)
	case strings.ContainsAny(id, `/\<>:"|?*`):
		return fmt.Errorf("person id %q holds a path separator or a reserved character", id)
	case strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fmt.Errorf("person id %q holds whitespace or a control character", id)
	case !filepath.IsLocal(id):
		return fmt.Errorf("person id %q is not a local file name", id)
	}
	return nil
}

// WritePeople writes outDir/people/<id>.ics ([Calendar]) and
// outDir/people/<id>.html ([Page]) for every attendee of a meeting of agenda
// a or of a meeting in cancelled, creating the folder, and returns how many
// people it wrote. now is the calendars' DTSTAMP.
//
// The agenda and every person id are checked before anything is written: an
// invalid agenda, or a person id that cannot be a file name (see
// [CheckPersonID]), gives a *fairmatch.Error with code EINVALID that lists
// every problem. Each file is written to a temporary file and renamed into
// place, so a reader never sees a partial file; files of people who are no
// longer on the agenda are left alone.
func WritePeople(outDir string, a *fairmatch.Agenda, cancelled []fairmatch.Meeting, dir *Directory, now time.Time) (int, error) {
	s, err := newSchedule(a, cancelled, now)
	if err != nil {
		return 0, err
	}
	if issues := personIDIssues(a, cancelled); len(issues) > 0 {
		return 0, fairmatch.Invalid(fmt.Sprintf("notify: agenda of fair %q has person ids that cannot be file names", a.Fair), issues)
	}
	folder := filepath.Join(outDir, PeopleDir)
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return 0, fmt.Errorf("notify: %w", err)
	}
	for n, person := range s.people {
		ics, err := s.calendar(person, dir, now)
		if err != nil {
			return n, err
		}
		page, err := s.page(person, dir)
		if err != nil {
			return n, err
		}
		if err := atomicfile.Write(filepath.Join(folder, person+".ics"), ics, 0o644); err != nil {
			return n, err
		}
		if err := atomicfile.Write(filepath.Join(folder, person+".html"), page, 0o644); err != nil {
			return n, err
		}
	}
	return len(s.people), nil
}

// personIDIssues lists every attendee id of the agenda and of the cancelled
// meetings that cannot name a file.
func personIDIssues(a *fairmatch.Agenda, cancelled []fairmatch.Meeting) []fairmatch.Issue {
	var issues []fairmatch.Issue
	check := func(file, kind string, ms []fairmatch.Meeting) {
		for i, m := range ms {
			for j, id := range m.Attendees {
				if err := CheckPersonID(id); err != nil {
					issues = append(issues, fairmatch.Issue{
						File:   file,
						Record: fmt.Sprintf("%s[%d]", kind, i),
						Field:  fmt.Sprintf("attendees[%d]", j),
						Reason: err.Error(),
					})
				}
			}
		}
	}
	check(agendaFile, "meetings", a.Meetings)
	check("", "cancelled", cancelled)
	return issues
}
