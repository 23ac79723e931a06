package web

import (
	"net/http"
	"strings"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
)

// loginView is the login page's data.
type loginView struct {
	Next   string
	Login  string
	Failed string // a message key
}

// safeNext keeps a post-login redirect on this site: a path, not "//host"
// or "/\host" (which browsers treat as another host).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	p, _ := s.principal(r)
	if p != nil && p.Staff() {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", "login.title", p, loginView{Next: safeNext(r.URL.Query().Get("next"))})
}

// login checks a user name and password. Attempts are limited per client
// address and per user name, so neither one address nor a botnet can guess
// one account's password quickly.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.pageError(w, r, nil, fairmatch.Errorf(fairmatch.EINVALID, "the login form could not be read"))
		return
	}
	v := loginView{Next: safeNext(r.PostFormValue("next")), Login: strings.TrimSpace(r.PostFormValue("login"))}
	if s.LoginLimiter != nil && (!s.LoginLimiter.Allow("ip:"+auth.ClientIP(r, s.TrustProxy)) || !s.LoginLimiter.Allow("user:"+v.Login)) {
		v.Failed = "login.limited"
		w.Header().Set("Retry-After", "60")
		s.render(w, r, http.StatusTooManyRequests, "login", "login.title", nil, v)
		return
	}
	if s.Auth == nil {
		s.pageError(w, r, nil, fairmatch.Errorf(fairmatch.EUNAVAILABLE, "sign-in is not configured"))
		return
	}
	if _, err := s.Auth.Login(w, v.Login, r.PostFormValue("password")); err != nil {
		if fairmatch.ErrorCode(err) != fairmatch.EUNAUTHORIZED {
			s.pageError(w, r, nil, err)
			return
		}
		s.log().Info("login refused", "login", v.Login, "ip", auth.ClientIP(r, s.TrustProxy))
		v.Failed = "login.failed"
		s.render(w, r, http.StatusUnauthorized, "login", "login.title", nil, v)
		return
	}
	s.log().Info("login", "login", v.Login)
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	next := "/login"
	if p, _ := s.principal(r); p != nil && p.Account == nil {
		next = "/link" // a participant signs in again through a link
	}
	if s.Auth != nil {
		if err := s.Auth.Logout(w, r); err != nil {
			s.pageError(w, r, nil, err)
			return
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
