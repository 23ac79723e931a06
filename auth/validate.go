package auth

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fairmatch/fairmatch"
)

// Bounds of account fields.
const (
	maxLoginLen = 64
	maxNameLen  = 200
	maxIDLen    = 200
)

// loginIssue returns why login is not a valid login, or "".
func loginIssue(login string) string {
	if login == "" {
		return "is required"
	}
	if len(login) > maxLoginLen {
		return fmt.Sprintf("must be at most %d characters", maxLoginLen)
	}
	for i, c := range []byte(login) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return "must be lower-case letters a-z, digits and '.', '_', '-', starting with a letter or digit"
		}
	}
	return ""
}

// idIssue returns why s is not a dataset id (non-empty, no whitespace or
// control characters, bounded), or "".
func idIssue(s string) string {
	switch {
	case s == "":
		return "is required"
	case len(s) > maxIDLen:
		return fmt.Sprintf("must be at most %d bytes", maxIDLen)
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return "must not contain whitespace or control characters"
	}
	return ""
}

// validateAccount checks an account's fields other than its password.
func validateAccount(a Account) []fairmatch.Issue {
	const rec = "account"
	var is []fairmatch.Issue
	add := func(field, reason string) {
		is = append(is, fairmatch.Issue{Record: rec, Field: field, Reason: reason})
	}
	if r := loginIssue(a.Login); r != "" {
		add("login", r)
	} else if a.Login == AdminLogin {
		add("login", fmt.Sprintf("%q is reserved for the admin token", AdminLogin))
	}
	if len(a.Name) > maxNameLen || !utf8.ValidString(a.Name) {
		add("name", fmt.Sprintf("must be valid UTF-8 of at most %d bytes", maxNameLen))
	}
	if a.Person != "" {
		if r := idIssue(a.Person); r != "" {
			add("person", r)
		}
	}
	switch a.Role {
	case RoleOrganizer:
		if len(a.Enterprises) > 0 {
			add("enterprises", "only a commissioner's account lists enterprises")
		}
		if a.University != "" {
			add("university", "only a liaison's account names a university")
		}
	case RoleCommissioner:
		if len(a.Enterprises) == 0 {
			add("enterprises", "a commissioner's account lists at least one enterprise")
		}
		seen := make(map[string]bool, len(a.Enterprises))
		for i, e := range a.Enterprises {
			field := fmt.Sprintf("enterprises[%d]", i)
			if r := idIssue(e); r != "" {
				add(field, r)
			} else if seen[e] {
				add(field, fmt.Sprintf("%q is listed twice", e))
			}
			seen[e] = true
		}
		if a.University != "" {
			add("university", "only a liaison's account names a university")
		}
	case RoleLiaison:
		if r := idIssue(a.University); r != "" {
			add("university", r)
		}
		if len(a.Enterprises) > 0 {
			add("enterprises", "only a commissioner's account lists enterprises")
		}
	case "":
		add("role", fmt.Sprintf("is required: %s, %s or %s", RoleOrganizer, RoleCommissioner, RoleLiaison))
	default:
		add("role", fmt.Sprintf("%q is not one of %s, %s, %s", a.Role, RoleOrganizer, RoleCommissioner, RoleLiaison))
	}
	return is
}

// validatePassword checks a new password's length.
func validatePassword(pw string) []fairmatch.Issue {
	var reason string
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		reason = fmt.Sprintf("must be at least %d characters", MinPasswordLen)
	case len(pw) > MaxPasswordBytes:
		reason = fmt.Sprintf("must be at most %d bytes", MaxPasswordBytes)
	default:
		return nil
	}
	return []fairmatch.Issue{{Record: "account", Field: "password", Reason: reason}}
}
