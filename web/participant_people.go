package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/notify"
	"github.com/fairmatch/fairmatch/store"
)

// staffSchedule builds any person's schedule of the request's fair for a
// principal who may see it (an organizer, or the person themself).
func (s *Server) staffSchedule(r *http.Request, p *auth.Principal) (scheduleView, error) {
	fair, person := r.PathValue("fair"), r.PathValue("person")
	if !p.CanSeePerson(person) {
		return scheduleView{}, fairmatch.Errorf(fairmatch.EFORBIDDEN, "you may not see the schedule of %s", person)
	}
	d, err := s.loadFair(fair, person)
	if err != nil {
		return scheduleView{}, err
	}
	v := buildSchedule(d, person, s.now())
	v.ICS = "/api/fairs/" + url.PathEscape(fair) + "/people/" + url.PathEscape(person) + "/schedule.ics"
	return v, nil
}

// personPage is GET /fairs/{fair}/people/{person}: a participant's schedule
// as organizers see it (no response forms).
func (s *Server) personPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	v, err := s.staffSchedule(r, p)
	if err != nil {
		return err
	}
	if p.IsOrganizer() {
		v.Admin = "/people/" + url.PathEscape(v.Person.ID)
	}
	s.render(w, r, http.StatusOK, "me_fair", "participant.schedule.title", p, v)
	return nil
}

// personScheduleJSON is GET /api/fairs/{fair}/people/{person}.
func (s *Server) personScheduleJSON(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	v, err := s.staffSchedule(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// personCalendar is GET /api/fairs/{fair}/people/{person}/schedule.ics.
func (s *Server) personCalendar(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	person := r.PathValue("person")
	if !p.CanSeePerson(person) {
		return fairmatch.Errorf(fairmatch.EFORBIDDEN, "you may not see the calendar of %s", person)
	}
	return s.writeCalendar(w, r.PathValue("fair"), person)
}

// personAdminView is the organizer's page of one person: their data, their
// fairs and responses, and what was just done with their links.
type personAdminView struct {
	Person    fairmatch.Person `json:"person"`
	OrgName   string           `json:"org_name,omitempty"`
	Fairs     []fairSummary    `json:"fairs"`
	Responses []responseView   `json:"responses"`

	Link    string `json:"-"` // a link just issued, shown once
	Expires string `json:"-"`
	Mailed  string `json:"-"` // the address the link was queued for
	MailOff bool   `json:"-"` // no mail is configured (Server.SendLink is nil)
	Revoked int    `json:"-"` // how many tokens were just revoked; -1: none
}

// responseView is a response with its meeting for display.
type responseView struct {
	fairmatch.Response
	When        string `json:"when,omitempty"` // the meeting's local start, "2027-03-15 09:00"
	Counterpart string `json:"counterpart,omitempty"`
}

// loadPersonAdmin reads the organizer's page of person (ENOTFOUND if the
// dataset has no such person).
func (s *Server) loadPersonAdmin(person string) (personAdminView, error) {
	v := personAdminView{Fairs: []fairSummary{}, Responses: []responseView{}, Revoked: -1}
	err := s.DB.View(func(tx *store.Tx) error {
		ds, err := tx.Dataset()
		if err != nil {
			return err
		}
		if v.Person, err = findPerson(ds, person); err != nil {
			return err
		}
		dir := notify.NewDirectory(ds)
		if v.Person.Org != "" {
			v.OrgName = dir.OrgName(v.Person.Org)
		}
		fs, err := s.myFairs(tx, person)
		if err != nil {
			return err
		}
		if fs != nil {
			v.Fairs = fs
		}
		fairs, err := tx.Fairs()
		if err != nil {
			return err
		}
		for _, f := range fairs {
			rs, err := tx.Responses(f.ID)
			if err != nil {
				return err
			}
			var meetings []fairmatch.Meeting
			tz := ""
			if a, cx, _, err := published(tx, f.ID); err == nil {
				meetings, tz = append(slices.Clone(a.Meetings), cx...), a.Timezone
			}
			for _, r := range rs {
				if r.Person != person {
					continue
				}
				rv := responseView{Response: r}
				if i := slices.IndexFunc(meetings, func(m fairmatch.Meeting) bool { return m.ID == r.Meeting }); i >= 0 {
					m := meetings[i]
					rv.When = inZone(m.Start, tz).Format("2006-01-02 15:04")
					rv.Counterpart = counterpart(dir, ds, v.Person, person, m)
				}
				v.Responses = append(v.Responses, rv)
			}
		}
		slices.SortStableFunc(v.Responses, func(a, b responseView) int { return cmp.Compare(a.Fair, b.Fair) })
		return nil
	})
	if err != nil {
		return personAdminView{}, fmt.Errorf("person %s: %w", person, err)
	}
	return v, nil
}

// personAdminPage is GET /people/{person} (organizers): the person's data,
// fairs and responses, with the buttons that send a link and revoke all.
func (s *Server) personAdminPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	v, err := s.loadPersonAdmin(r.PathValue("person"))
	if err != nil {
		return err
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("revoked")); err == nil && n >= 0 {
		v.Revoked = n
	}
	s.render(w, r, http.StatusOK, "person", "participant.person.title", p, v)
	return nil
}

// personAdminJSON is GET /api/people/{person}.
func (s *Server) personAdminJSON(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	v, err := s.loadPersonAdmin(r.PathValue("person"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// issuedLink is the answer to an organizer's link request.
type issuedLink struct {
	Person   string    `json:"person"`
	URL      string    `json:"url"`
	Expires  time.Time `json:"expires"`
	MailedTo string    `json:"mailed_to,omitempty"`
}

// organizerLink issues a link for the request's person (who must be in the
// dataset) under PublicURL or the request's host, and mails it if mailIt.
func (s *Server) organizerLink(r *http.Request, mailIt bool) (issuedLink, error) {
	var person fairmatch.Person
	err := s.DB.View(func(tx *store.Tx) error {
		ds, err := tx.Dataset()
		if err != nil {
			return err
		}
		person, err = findPerson(ds, r.PathValue("person"))
		return err
	})
	if err != nil {
		return issuedLink{}, err
	}
	link, expires, mailed, err := s.issueLink(r.Context(), person, s.baseURL(r), mailIt)
	if err != nil {
		return issuedLink{}, err
	}
	return issuedLink{Person: person.ID, URL: link, Expires: expires, MailedTo: mailed}, nil
}

// personLinkPage is POST /people/{person}/link: it issues a link, queues
// the mail if the person has an address, and shows the link once.
func (s *Server) personLinkPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	il, err := s.organizerLink(r, true)
	if err != nil {
		return err
	}
	v, err := s.loadPersonAdmin(il.Person)
	if err != nil {
		return err
	}
	v.Link, v.Mailed, v.MailOff = il.URL, il.MailedTo, s.SendLink == nil
	v.Expires = il.Expires.In(s.location()).Format("2006-01-02 15:04")
	w.Header().Set("Cache-Control", "private, no-store")
	s.render(w, withPath(r, "/people/"+url.PathEscape(il.Person)), http.StatusOK, "person", "participant.person.title", p, v)
	return nil
}

// personLinkJSON is POST /api/people/{person}/link[?mail=1]: 201 with the
// link; with mail=1 (or true) it also queues the login-link mail.
func (s *Server) personLinkJSON(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	mailIt, _ := strconv.ParseBool(r.URL.Query().Get("mail"))
	il, err := s.organizerLink(r, mailIt)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, il)
	return nil
}

// revokePerson revokes every link, participant session and feed of the
// request's person.
func (s *Server) revokePerson(r *http.Request, p *auth.Principal) (string, int, error) {
	person := r.PathValue("person")
	if s.Auth == nil {
		return person, 0, fairmatch.Errorf(fairmatch.EUNAVAILABLE, "personal links are not configured")
	}
	n, err := s.Auth.RevokePerson(person)
	if err != nil {
		return person, 0, err
	}
	s.log().Info("participant access revoked", "person", person, "tokens", n, "by", p.Account.Login)
	return person, n, nil
}

// personRevokePage is POST /people/{person}/revoke; it redirects back.
func (s *Server) personRevokePage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	person, n, err := s.revokePerson(r, p)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/people/"+url.PathEscape(person)+"?revoked="+strconv.Itoa(n), http.StatusSeeOther)
	return nil
}

// personRevokeJSON is POST /api/people/{person}/revoke: {"person", "revoked"}.
func (s *Server) personRevokeJSON(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	person, n, err := s.revokePerson(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"person": person, "revoked": n})
	return nil
}
