package dataset

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	fm "github.com/fairmatch/fairmatch"
)

// report records one issue with a field of the record being checked.
type report func(field, reason string)

// maxText is the longest text field, in characters: the most a spreadsheet
// cell holds, so that every valid dataset can be exported to XLSX.
const maxText = 32767

// Enumerations of formats.md §1.
var (
	roles     = []string{fm.RoleRepresentative, fm.RoleExpert, fm.RoleCommissioner, fm.RoleLiaison}
	wants     = []string{"joint-rd", "license", "consulting", "testing", "talent"}
	urgencies = []string{"low", "normal", "high"}
	kinds     = []string{"technology", "expert", "lab"}
)

// The field-level checks below look at one record on its own: required
// fields, id syntax, enumerations, formats, UTF-8. Parse runs them on every
// record it reads, Validate on every record it is given. References between
// records are Validate's job.

func checkEnterprise(e *fm.Enterprise, r report) {
	checkID(r, "id", e.ID, true)
	checkText(r, "name", e.Name, true)
	checkText(r, "park", e.Park, false)
	checkText(r, "industry", e.Industry, false)
	checkID(r, "commissioner", e.Commissioner, false)
	checkIDs(r, "attendees", e.Attendees)
}

func checkUniversity(u *fm.University, r report) {
	checkID(r, "id", u.ID, true)
	checkText(r, "name", u.Name, true)
	checkIDs(r, "attendees", u.Attendees)
}

func checkPerson(p *fm.Person, r report) {
	checkID(r, "id", p.ID, true)
	checkText(r, "name", p.Name, true)
	if p.Email != "" && !plausibleEmail(p.Email) {
		r("email", fmt.Sprintf("%q is not a plausible e-mail address", p.Email))
	}
	checkID(r, "org", p.Org, false)
	checkEnum(r, "role", p.Role, roles, true)
	checkAvailability(r, "available", p.Available)
}

func checkProblem(p *fm.Problem, r report) {
	checkID(r, "id", p.ID, true)
	checkID(r, "enterprise", p.Enterprise, true)
	checkText(r, "title", p.Title, true)
	checkText(r, "description", p.Description, false)
	checkTerms(r, "keywords", p.Keywords)
	checkTerms(r, "domains", p.Domains)
	for i, w := range p.Wants {
		if !slices.Contains(wants, w) {
			r("wants", fmt.Sprintf("item %d: %q is not one of %s", i+1, w, strings.Join(wants, ", ")))
		}
	}
	checkDuplicates(r, "wants", p.Wants)
	checkEnum(r, "urgency", p.Urgency, urgencies, false)
	for i, f := range p.Fairs {
		if !isFairID(f) {
			r("fairs", fmt.Sprintf("item %d: %q is not a fair id like 2027-03", i+1, f))
		}
	}
	checkDuplicates(r, "fairs", p.Fairs)
	checkIDs(r, "attendees", p.Attendees)
}

func checkOffering(o *fm.Offering, r report) {
	checkID(r, "id", o.ID, true)
	checkID(r, "university", o.University, true)
	checkEnum(r, "kind", o.Kind, kinds, false)
	checkText(r, "title", o.Title, true)
	checkText(r, "description", o.Description, false)
	checkTerms(r, "keywords", o.Keywords)
	checkTerms(r, "domains", o.Domains)
	// 0 is "absent"; Parse reports an explicit 0 itself.
	if o.TRL < 0 || o.TRL > 9 {
		r("trl", fmt.Sprintf("%d is not a technology readiness level 1–9", o.TRL))
	}
	checkIDs(r, "experts", o.Experts)
}

func checkBlocked(b *fm.Blocked, r report) {
	checkID(r, "enterprise", b.Enterprise, true)
	checkID(r, "university", b.University, true)
	checkText(r, "reason", b.Reason, false)
}

func checkHistory(h *fm.History, r report) {
	checkID(r, "enterprise", h.Enterprise, true)
	checkID(r, "university", h.University, true)
	switch {
	case h.Fair == "":
		r("fair", "is required")
	case !isFairID(h.Fair):
		r("fair", fmt.Sprintf("%q is not a fair id like 2027-03", h.Fair))
	}
	checkEnum(r, "outcome", h.Outcome, fm.Outcomes, true)
}

// checkID checks an id or a reference to one: non-empty (if required),
// valid UTF-8, no whitespace or control characters, and no list separator
// (so that it can stand in a ";"-separated CSV cell).
func checkID(r report, field, id string, required bool) {
	if id == "" {
		if required {
			r(field, "is required")
		}
		return
	}
	if reason := idProblem(id); reason != "" {
		r(field, reason)
	}
}

func idProblem(id string) string {
	if !utf8.ValidString(id) {
		return "is not valid UTF-8"
	}
	for _, c := range id {
		switch {
		case unicode.IsSpace(c):
			return fmt.Sprintf("id %q contains whitespace", id)
		case unicode.IsControl(c):
			return fmt.Sprintf("id %q contains a control character", id)
		case c == ';' || c == '；':
			return fmt.Sprintf("id %q contains the list separator %q", id, c)
		}
	}
	return ""
}

// checkIDs checks a list of references: each a valid id, none twice.
func checkIDs(r report, field string, ids []string) {
	for i, id := range ids {
		if id == "" {
			r(field, fmt.Sprintf("item %d is empty", i+1))
		} else if reason := idProblem(id); reason != "" {
			r(field, fmt.Sprintf("item %d: %s", i+1, reason))
		}
	}
	checkDuplicates(r, field, ids)
}

// checkDuplicates reports the items of a list that occur more than once.
func checkDuplicates(r report, field string, items []string) {
	for i := 1; i < len(items); i++ {
		if j := slices.Index(items[:i], items[i]); j >= 0 && items[i] != "" {
			r(field, fmt.Sprintf("item %d repeats item %d (%q)", i+1, j+1, items[i]))
		}
	}
}

// checkText checks a text field: present (if required), valid UTF-8, no
// control characters other than tab and line breaks, at most maxText
// characters.
func checkText(r report, field, s string, required bool) {
	if s == "" {
		if required {
			r(field, "is required")
		}
		return
	}
	if reason := textProblem(s); reason != "" {
		r(field, reason)
	}
}

func textProblem(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	n := 0
	for _, c := range s {
		n++
		if unicode.IsControl(c) && c != '\t' && c != '\n' && c != '\r' {
			return fmt.Sprintf("contains the control character %U", c)
		}
	}
	if n > maxText {
		return fmt.Sprintf("has %d characters, more than %d", n, maxText)
	}
	return ""
}

// checkTerms checks a list of free terms (keywords, domains): each a
// non-empty text without a list separator.
func checkTerms(r report, field string, terms []string) {
	for i, t := range terms {
		switch {
		case strings.TrimSpace(t) == "":
			r(field, fmt.Sprintf("item %d is empty", i+1))
		case strings.ContainsAny(t, ";；"):
			r(field, fmt.Sprintf("item %d (%q) contains the list separator ;", i+1, t))
		default:
			if reason := textProblem(t); reason != "" {
				r(field, fmt.Sprintf("item %d %s", i+1, reason))
			}
		}
	}
}

// checkEnum checks that v is one of allowed (or empty, unless required).
func checkEnum(r report, field, v string, allowed []string, required bool) {
	switch {
	case v == "":
		if required {
			r(field, "is required")
		}
	case !slices.Contains(allowed, v):
		r(field, fmt.Sprintf("%q is not one of %s", v, strings.Join(allowed, ", ")))
	}
}

// checkAvailability checks a person's windows: each key "*" or a fair id,
// each window two "HH:MM" times with from before to.
func checkAvailability(r report, field string, a fm.Availability) {
	for _, fair := range sortedFairs(a) {
		if fair != "*" && !isFairID(fair) {
			r(field, fmt.Sprintf("%q is neither * nor a fair id like 2027-03", fair))
			continue
		}
		for i, w := range a[fair] {
			at := fmt.Sprintf("%s window %d", fair, i+1)
			from, okFrom := minutes(w.From)
			to, okTo := minutes(w.To)
			switch {
			case !okFrom:
				r(field, fmt.Sprintf("%s: from %q is not a time HH:MM", at, w.From))
			case !okTo:
				r(field, fmt.Sprintf("%s: to %q is not a time HH:MM", at, w.To))
			case from >= to:
				r(field, fmt.Sprintf("%s: from %s is not before to %s", at, w.From, w.To))
			}
		}
	}
}

// sortedFairs returns the keys of a: "*" first, then fair ids in order.
func sortedFairs(a fm.Availability) []string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y string) int {
		switch {
		case x == y:
			return 0
		case x == "*":
			return -1
		case y == "*":
			return 1
		}
		return strings.Compare(x, y)
	})
	return keys
}

// minutes parses "HH:MM" (00:00 to 23:59) into minutes since midnight.
func minutes(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' || !isDigits(s[:2]) || !isDigits(s[3:]) {
		return 0, false
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if h > 23 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

// isFairID reports whether s is a fair id: a year and month, "2027-03".
func isFairID(s string) bool {
	if len(s) != 7 || s[4] != '-' || !isDigits(s[:4]) || !isDigits(s[5:]) {
		return false
	}
	m := int(s[5]-'0')*10 + int(s[6]-'0')
	return m >= 1 && m <= 12
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// plausibleEmail reports whether s looks like a deliverable address: a bare
// RFC 5322 address (no display name, no angle brackets) whose domain has a
// dot.
func plausibleEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return at > 0 && strings.Contains(domain, ".") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") &&
		!strings.Contains(domain, "..")
}
