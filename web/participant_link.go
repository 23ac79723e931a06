package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/store"
)

// States of the link page.
const (
	linkSignIn  = "signin"  // no participant session: how to get in
	linkDead    = "dead"    // the link opened has expired or was revoked
	linkSent    = "sent"    // a new link was asked for
	linkLimited = "limited" // too many requests
	linkBadMail = "bad"     // the address given is not one
)

// linkView is the link page's data.
type linkView struct {
	State string
	Email string
}

// redeemLink is GET /l/{token}, the personal link of the e-mail: a live link
// starts a participant session (cookie) and redirects to /me, so that the
// token leaves the address bar at once (and Referrer-Policy: no-referrer
// keeps it out of any Referer); a dead one redirects to the page that says
// so and offers a new link. The token is never logged.
func (s *Server) redeemLink(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if s.Auth == nil {
		http.Redirect(w, r, "/link?dead=1", http.StatusSeeOther)
		return
	}
	person, err := s.Auth.RedeemLink(w, r.PathValue("token"))
	switch fairmatch.ErrorCode(err) {
	case "":
		s.log().Info("participant link opened", "person", person)
		http.Redirect(w, r, "/me", http.StatusSeeOther)
	case fairmatch.EUNAUTHORIZED:
		s.log().Info("dead participant link opened", "ip", auth.ClientIP(r, s.TrustProxy))
		http.Redirect(w, r, "/link?dead=1", http.StatusSeeOther)
	default:
		s.pageError(w, r, nil, err)
	}
}

// linkPage is GET /link: how to get a personal link, with the form to ask
// for a new one; ?dead=1 says the link just opened is dead, ?sent=1 that a
// new one was asked for.
func (s *Server) linkPage(w http.ResponseWriter, r *http.Request) {
	v := linkView{State: linkSignIn}
	switch {
	case r.URL.Query().Get("dead") != "":
		v.State = linkDead
	case r.URL.Query().Get("sent") != "":
		v.State = linkSent
	}
	s.render(w, r, http.StatusOK, "link", "participant.link.title", nil, v)
}

// linkRequestPage is POST /link-request {email}: it mails a new link to every
// person with that address, and answers the same whether or not there is
// one. Requests are limited per client address and per e-mail address.
func (s *Server) linkRequestPage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, withPath(r, "/link"), http.StatusBadRequest, "link", "participant.link.title", nil, linkView{State: linkBadMail})
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	switch err := s.requestLink(r, email); fairmatch.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/link?sent=1", http.StatusSeeOther)
	case fairmatch.ETOOMANY:
		w.Header().Set("Retry-After", "60")
		s.render(w, withPath(r, "/link"), http.StatusTooManyRequests, "link", "participant.link.title", nil, linkView{State: linkLimited, Email: email})
	case fairmatch.EINVALID:
		s.render(w, withPath(r, "/link"), http.StatusBadRequest, "link", "participant.link.title", nil, linkView{State: linkBadMail, Email: email})
	default:
		s.pageError(w, r, nil, err)
	}
}

// linkRequestAPI is POST /api/link-request {"email": ...}: 202 whether or
// not the address is known, 429 when limited, 400 for a malformed address.
func (s *Server) linkRequestAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.requestLink(r, strings.TrimSpace(in.Email)); err != nil {
		if fairmatch.ErrorCode(err) == fairmatch.ETOOMANY {
			w.Header().Set("Retry-After", "60")
		}
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{
		"message": "if this address is registered, a new link is on its way to it",
	})
}

// requestLink handles a request for a new link to email. Errors other than
// ETOOMANY, EINVALID (a malformed address) and EUNAVAILABLE (no SendLink)
// are logged, not returned, so that the answer never tells whether the
// address is known; an unknown address costs the same two store commits a
// known one does (issuing the link, queueing the mail).
func (s *Server) requestLink(r *http.Request, email string) error {
	ip := auth.ClientIP(r, s.TrustProxy)
	if s.LinkLimiter != nil && (!s.LinkLimiter.Allow("ip:"+ip) || !s.LinkLimiter.Allow("email:"+strings.ToLower(email))) {
		s.log().Warn("link requests limited", "ip", ip)
		return fairmatch.Errorf(fairmatch.ETOOMANY, "too many link requests; try again later")
	}
	if s.SendLink == nil || s.Auth == nil {
		return fairmatch.Errorf(fairmatch.EUNAVAILABLE, "links cannot be mailed: mail is not configured")
	}
	if err := store.ValidAddress(email); err != nil {
		return fairmatch.Invalid("no e-mail address", []fairmatch.Issue{{Record: "link request", Field: "email", Reason: err.Error()}})
	}
	var people []fairmatch.Person
	err := s.DB.View(func(tx *store.Tx) error {
		ds, err := tx.Dataset()
		if err != nil {
			return err
		}
		for _, p := range ds.People {
			if p.Email != "" && strings.EqualFold(strings.TrimSpace(p.Email), email) {
				people = append(people, p)
			}
		}
		return nil
	})
	if err != nil {
		s.log().Error("link request: read the dataset", "err", err)
		return nil
	}
	if len(people) == 0 {
		for range 2 { // as many commits as issuing and queueing a link
			_ = s.DB.Update(func(*store.Tx) error { return nil })
		}
		s.log().Info("link requested for an unknown address", "ip", ip)
		return nil
	}
	base := s.mailBaseURL(r)
	if base == "" {
		s.log().Error("link request: PublicURL is not set, so no link can be mailed for a request to this host",
			"host", r.Host)
		return nil
	}
	for _, p := range people {
		if _, _, _, err := s.issueLink(r.Context(), p, base, true); err != nil {
			s.log().Error("link request: issue and mail a link", "person", p.ID, "err", err)
		}
	}
	return nil
}

// issueLink issues a personal link for p under base and, if mailIt, p has
// an address and SendLink is set, has it mailed. It returns the link with
// its expiry and, when mailed, the address.
func (s *Server) issueLink(ctx context.Context, p fairmatch.Person, base string, mailIt bool) (link string, expires time.Time, mailedTo string, err error) {
	if err := ctx.Err(); err != nil {
		return "", time.Time{}, "", err
	}
	if s.Auth == nil {
		return "", time.Time{}, "", fairmatch.Errorf(fairmatch.EUNAVAILABLE, "personal links are not configured")
	}
	tok, expires, err := s.Auth.IssueLink(p.ID)
	if err != nil {
		return "", time.Time{}, "", err
	}
	link = base + "/l/" + tok
	if !mailIt || p.Email == "" || s.SendLink == nil {
		return link, expires, "", nil
	}
	if err := s.SendLink(ctx, p, link, expires.In(s.location())); err != nil {
		return link, expires, "", fmt.Errorf("mail a link to %s: %w", p.ID, err)
	}
	s.log().Info("personal link queued for mailing", "person", p.ID)
	return link, expires, p.Email, nil
}

// location is the zone of the year plan (times in mails), UTC without one.
func (s *Server) location() *time.Location {
	if s.Plan != nil && s.Plan.Location() != nil {
		return s.Plan.Location()
	}
	return time.UTC
}

// baseURL is the address of this service as the client reached it:
// PublicURL if set, else the request's scheme and host.
func (s *Server) baseURL(r *http.Request) string {
	if s.PublicURL != "" {
		return strings.TrimRight(s.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || (s.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// mailBaseURL is the address to put in a link mailed on an anonymous
// request: PublicURL, or the request's host only when it is a loopback
// address (a development server), since anyone can send any Host header
// and a link to another host would hand its token to that host. "" means
// no link may be mailed.
func (s *Server) mailBaseURL(r *http.Request) string {
	if s.PublicURL != "" {
		return strings.TrimRight(s.PublicURL, "/")
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return s.baseURL(r)
	}
	return ""
}
