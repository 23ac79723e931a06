package mail

import (
	"fmt"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
)

// KindCall is the mail that opens a fair's call: technology commissioners
// are asked to file their enterprises' problems, university liaisons to
// bring their offerings and experts' availability up to date.
const KindCall = "call"

// ComposeCall writes the bilingual call-opens mail of a fair to a
// commissioner or a liaison: the fair, its theme and day, the date the call
// closes, and the page of the site (site, e.g. "https://fairs.example.cn")
// where they sign in and file: /problems for commissioners, /offerings and
// /availability for liaisons. Its ID is "call/<fair>/<person>": one call per
// fair and person. Other roles, a person without an address and a bad site
// URL are EINVALID (no address wraps ErrNoAddress).
func ComposeCall(f fairmatch.Fair, closes time.Time, p fairmatch.Person, site string) (store.OutboxMessage, error) {
	fail := func(err error) (store.OutboxMessage, error) {
		return store.OutboxMessage{}, fmt.Errorf("mail: compose call of %s for %s: %w", f.ID, p.ID, err)
	}
	var pages []string
	switch p.Role {
	case fairmatch.RoleCommissioner:
		pages = []string{"/problems"}
	case fairmatch.RoleLiaison:
		pages = []string{"/offerings", "/availability"}
	default:
		return fail(fairmatch.Invalid("no call for this person", []fairmatch.Issue{{Record: "person " + p.ID, Field: "role",
			Reason: fmt.Sprintf("%q is not a commissioner or a liaison", p.Role)}}))
	}
	if p.Email == "" {
		return fail(&fairmatch.Error{Code: fairmatch.EINVALID, Message: fmt.Sprintf("person %s has no e-mail address", p.ID),
			Issues: []fairmatch.Issue{{Record: "person " + p.ID, Field: "email", Reason: "empty"}}, Err: ErrNoAddress})
	}
	if err := store.ValidAddress(p.Email); err != nil {
		return fail(fairmatch.Invalid("bad address", []fairmatch.Issue{{Record: "person " + p.ID, Field: "email", Reason: err.Error()}}))
	}
	if is := linkIssue(site, true); is != "" {
		return fail(fairmatch.Invalid("bad site address", []fairmatch.Issue{{Field: "site", Reason: is}}))
	}
	loc, err := time.LoadLocation(f.Timezone)
	if err != nil {
		return fail(fairmatch.Invalid("bad fair", []fairmatch.Issue{{Record: "fair " + f.ID, Field: "timezone", Reason: err.Error()}}))
	}
	name := p.Name
	if name == "" {
		name = p.ID
	}
	v := struct {
		Subject, Name, Fair, Theme, DayZH, DayEN, ClosesZH, ClosesEN string
		Liaison                                                      bool
		Links                                                        []string
	}{
		Subject: fmt.Sprintf("【%s 技术对接洽谈会】征集开始 · Call for the %s fair", f.ID, f.ID),
		Name:    oneLine(name), Fair: f.ID, Theme: f.Theme,
		DayZH:    f.Start.In(loc).Format("2006年1月2日"),
		DayEN:    f.Start.In(loc).Format("Monday 2 January 2006"),
		ClosesZH: closes.In(loc).Format("2006年1月2日 15:04"),
		ClosesEN: closes.In(loc).Format("2 January 2006, 15:04 MST"),
		Liaison:  p.Role == fairmatch.RoleLiaison,
	}
	for _, pg := range pages {
		v.Links = append(v.Links, site+pg)
	}
	text, html, err := render("call", v)
	if err != nil {
		return fail(err)
	}
	return store.OutboxMessage{ID: KindCall + "/" + f.ID + "/" + p.ID, Kind: KindCall, Fair: f.ID, Person: p.ID,
		To: p.Email, ToName: v.Name, Subject: oneLine(v.Subject), Text: text, HTML: html, State: store.OutboxQueued}, nil
}
