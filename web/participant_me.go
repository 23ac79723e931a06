package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/notify"
	"github.com/fairmatch/fairmatch/store"
)

// maxReason bounds the reason of a response, in characters.
const maxReason = 1000

// maxFormBody bounds the body of the participants' forms and JSON requests.
const maxFormBody = 16 << 10

// meView is the participant's home page: who they are and their fairs.
type meView struct {
	Person personRef     `json:"person"`
	Fairs  []fairSummary `json:"fairs"`
}

func (s *Server) loadMe(person string) (meView, error) {
	v := meView{Fairs: []fairSummary{}}
	err := s.DB.View(func(tx *store.Tx) error {
		ds, err := tx.Dataset()
		if err != nil {
			return err
		}
		v.Person = refOf(notify.NewDirectory(ds), person)
		fs, err := s.myFairs(tx, person)
		if fs != nil {
			v.Fairs = fs
		}
		return err
	})
	if err != nil {
		return meView{}, fmt.Errorf("fairs of %s: %w", person, err)
	}
	return v, nil
}

// meHome is GET /me: the participant's fairs.
func (s *Server) meHome(w http.ResponseWriter, r *http.Request, p *auth.Principal, person string) error {
	v, err := s.loadMe(person)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "me", "participant.me.title", p, v)
	return nil
}

// meHomeJSON is GET /api/me.
func (s *Server) meHomeJSON(w http.ResponseWriter, r *http.Request, _ *auth.Principal, person string) error {
	v, err := s.loadMe(person)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// mySchedule builds the participant's own schedule of the request's fair.
func (s *Server) mySchedule(r *http.Request, person string) (scheduleView, error) {
	fair := r.PathValue("fair")
	d, err := s.loadFair(fair, person)
	if err != nil {
		return scheduleView{}, err
	}
	v := buildSchedule(d, person, s.now())
	v.ICS = "/me/fairs/" + url.PathEscape(fair) + "/schedule.ics"
	return v, nil
}

// meFair is GET /me/fairs/{fair}: the participant's schedule with the
// response forms and the calendar section.
func (s *Server) meFair(w http.ResponseWriter, r *http.Request, p *auth.Principal, person string) error {
	v, err := s.mySchedule(r, person)
	if err != nil {
		return err
	}
	v.Own, v.Feed = true, true
	if saved := r.URL.Query().Get("saved"); saved != "" && slices.ContainsFunc(v.Meetings, func(m meetingView) bool { return m.ID == saved }) {
		v.Saved = saved
	}
	s.render(w, r, http.StatusOK, "me_fair", "participant.schedule.title", p, v)
	return nil
}

// meFairJSON is GET /api/me/fairs/{fair}.
func (s *Server) meFairJSON(w http.ResponseWriter, r *http.Request, _ *auth.Principal, person string) error {
	v, err := s.mySchedule(r, person)
	if err != nil {
		return err
	}
	v.ICS = "/api" + v.ICS
	writeJSON(w, http.StatusOK, v)
	return nil
}

// meCalendar is GET /me/fairs/{fair}/schedule.ics and its /api twin.
func (s *Server) meCalendar(w http.ResponseWriter, r *http.Request, _ *auth.Principal, person string) error {
	return s.writeCalendar(w, r.PathValue("fair"), person)
}

// writeCalendar answers with person's calendar file of one fair.
func (s *Server) writeCalendar(w http.ResponseWriter, fair, person string) error {
	d, err := s.loadFair(fair, person)
	if err != nil {
		return err
	}
	b, err := notify.Calendar(d.agenda, d.cancelled, person, notify.NewDirectory(d.ds), s.now())
	if err != nil {
		return fmt.Errorf("calendar of %s at fair %s: %w", person, fair, err)
	}
	h := w.Header()
	h.Set("Content-Type", notify.CalendarContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fair + "-" + person + ".ics"}))
	h.Set("Cache-Control", "private, no-store")
	_, _ = w.Write(b)
	return nil
}

// respondInput is the body of a response: kind decline, move or outcome;
// a reason (required to decline or move); the outcome for kind outcome.
type respondInput struct {
	Kind    string `json:"kind"`
	Reason  string `json:"reason"`
	Outcome string `json:"outcome"`
}

// respond stores person's response to a meeting of fair. The meeting must
// be one the person attends (ENOTFOUND otherwise, whether or not it
// exists); decline and move are for meetings still to come and not
// cancelled, outcome for meetings held, once the fair is over (ECONFLICT
// otherwise). Bad input is EINVALID.
func (s *Server) respond(fair, meeting, person string, in respondInput) (fairmatch.Response, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	var issues []fairmatch.Issue
	bad := func(field, reason string) {
		issues = append(issues, fairmatch.Issue{Record: "response", Field: field, Reason: reason})
	}
	switch in.Kind {
	case fairmatch.ResponseDecline, fairmatch.ResponseMove:
		if in.Reason == "" {
			bad("reason", "say why, so that the organizers can act on it")
		}
		in.Outcome = ""
	case fairmatch.ResponseOutcome:
		if !slices.Contains(fairmatch.Outcomes, in.Outcome) {
			bad("outcome", "must be one of "+strings.Join(fairmatch.Outcomes, ", "))
		}
	default:
		bad("kind", "must be decline, move or outcome")
	}
	if !utf8.ValidString(in.Reason) {
		bad("reason", "is not valid UTF-8")
	} else if n := utf8.RuneCountInString(in.Reason); n > maxReason {
		bad("reason", fmt.Sprintf("has %d characters, at most %d are kept", n, maxReason))
	}
	if len(issues) > 0 {
		return fairmatch.Response{}, fairmatch.Invalid("the response cannot be saved", issues)
	}

	now := s.now()
	resp := fairmatch.Response{Fair: fair, Meeting: meeting, Person: person, Kind: in.Kind,
		Reason: in.Reason, Outcome: in.Outcome, At: now}
	err := s.DB.Update(func(tx *store.Tx) error {
		a, cx, f, err := published(tx, fair)
		if err != nil {
			return err
		}
		found, cancelled := false, false
		for _, m := range a.Meetings {
			if m.ID == meeting && slices.Contains(m.Attendees, person) {
				found = true
			}
		}
		for _, m := range cx {
			if m.ID == meeting && slices.Contains(m.Attendees, person) {
				found, cancelled = true, true
			}
		}
		if !found {
			return fairmatch.Errorf(fairmatch.ENOTFOUND, "you have no meeting %q at fair %s", meeting, fair)
		}
		ended := !now.Before(fairEnd(f, a))
		switch {
		case cancelled:
			return fairmatch.Errorf(fairmatch.ECONFLICT, "meeting %s was cancelled", meeting)
		case in.Kind == fairmatch.ResponseOutcome && !ended:
			return fairmatch.Errorf(fairmatch.ECONFLICT, "the outcome can be reported once the fair is over")
		case in.Kind != fairmatch.ResponseOutcome && ended:
			return fairmatch.Errorf(fairmatch.ECONFLICT, "the fair is over; report the outcome instead")
		}
		return tx.PutResponse(resp)
	})
	if err != nil {
		return fairmatch.Response{}, fmt.Errorf("response of %s to meeting %s at fair %s: %w", person, meeting, fair, err)
	}
	s.log().Info("participant response", "fair", fair, "meeting", meeting, "person", person, "kind", in.Kind)
	return resp, nil
}

// meRespond is the response form: POST /me/fairs/{fair}/meetings/{meeting}/respond
// with kind, reason and outcome; it redirects back to the schedule.
func (s *Server) meRespond(w http.ResponseWriter, r *http.Request, _ *auth.Principal, person string) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		return fairmatch.Errorf(fairmatch.EINVALID, "the form could not be read: %v", err)
	}
	fair, meeting := r.PathValue("fair"), r.PathValue("meeting")
	in := respondInput{Kind: r.PostFormValue("kind"), Reason: r.PostFormValue("reason"), Outcome: r.PostFormValue("outcome")}
	if _, err := s.respond(fair, meeting, person, in); err != nil {
		return err
	}
	to := "/me/fairs/" + url.PathEscape(fair) + "?saved=" + url.QueryEscape(meeting) + "#m-" + url.PathEscape(meeting)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// meRespondJSON is POST /api/me/fairs/{fair}/meetings/{meeting}/respond with
// a JSON respondInput; it answers 201 with the stored response.
func (s *Server) meRespondJSON(w http.ResponseWriter, r *http.Request, _ *auth.Principal, person string) error {
	var in respondInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	resp, err := s.respond(r.PathValue("fair"), r.PathValue("meeting"), person, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

// decodeJSON reads a small JSON body into v, refusing unknown fields.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fairmatch.Errorf(fairmatch.EINVALID, "the body is larger than %d KiB", maxFormBody>>10)
		}
		return fairmatch.Invalid("the body is not the JSON expected", []fairmatch.Issue{{Record: "body", Reason: err.Error()}})
	}
	return nil
}

// feedView is the page that shows a new calendar-feed address, once.
type feedView struct {
	URL string `json:"url"` // the http(s) address
	// Webcal is the same address as webcal://, which calendar apps open;
	// built here from a parsed URL, so it is safe for an href (which
	// html/template would otherwise refuse for its scheme).
	Webcal template.URL `json:"webcal"`
}

// issueFeed issues (or rotates) person's feed token and returns its
// addresses.
func (s *Server) issueFeed(r *http.Request, person string) (feedView, error) {
	if s.Auth == nil {
		return feedView{}, fairmatch.Errorf(fairmatch.EUNAVAILABLE, "calendar feeds are not configured")
	}
	tok, err := s.Auth.IssueFeed(person)
	if err != nil {
		return feedView{}, err
	}
	u, err := url.Parse(s.baseURL(r) + "/feed/" + tok + ".ics")
	if err != nil {
		return feedView{}, fmt.Errorf("feed address: %w", err)
	}
	v := feedView{URL: u.String()}
	u.Scheme = "webcal"
	v.Webcal = template.URL(u.String())
	s.log().Info("calendar feed issued", "person", person)
	return v, nil
}

// meFeed is POST /me/feed: it issues a new feed address and shows it once
// (the page is not cached; the address is not kept anywhere but there).
func (s *Server) meFeed(w http.ResponseWriter, r *http.Request, p *auth.Principal, person string) error {
	v, err := s.issueFeed(r, person)
	if err != nil {
		return err
	}
	s.render(w, withPath(r, "/me"), http.StatusOK, "me_feed", "participant.feed.title", p, v)
	return nil
}

// meFeedJSON is POST /api/me/feed: 201 with the new feed addresses.
func (s *Server) meFeedJSON(w http.ResponseWriter, r *http.Request, _ *auth.Principal, person string) error {
	v, err := s.issueFeed(r, person)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}
