// Package web serves fairmatch's HTTP API: health, metrics, dataset import,
// running a stage now, a fair's agenda and each participant's calendar.
//
// # Authorization
//
// Organizer calls carry "Authorization: Bearer <token>" with the admin token.
// A participant's calendar and page also accept that person's own token as
// ?token=...: an HMAC of the person id under a secret kept in the store, so
// one person's token opens no one else's schedule.
//
// # Errors
//
// Every error is JSON, {"error": code, "message": ..., "issues": [...]},
// with the status that fairmatch.Error's code maps to.
package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/coordinator"
	"github.com/fairmatch/fairmatch/dataset"
	"github.com/fairmatch/fairmatch/notify"
	"github.com/fairmatch/fairmatch/scheduler"
	"github.com/fairmatch/fairmatch/store"
)

// DefaultMaxUpload bounds an import's body.
const DefaultMaxUpload = 32 << 20

// Server holds what the handlers need.
type Server struct {
	DB           *store.DB
	Coord        *coordinator.Coordinator
	Sched        *scheduler.Scheduler
	AdminToken   string
	PersonSecret []byte
	Gatherer     prometheus.Gatherer
	Log          *slog.Logger
	Now          func() time.Time
	MaxUpload    int64
}

// Handler returns the HTTP handler of the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	if s.Gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(s.Gatherer, promhttp.HandlerOpts{}))
	}
	mux.HandleFunc("GET /{$}", s.index)
	mux.Handle("POST /api/import", s.admin(s.importDataset))
	mux.Handle("GET /api/fairs", s.admin(s.listFairs))
	mux.Handle("POST /api/fairs/{fair}/stages/{stage}/run", s.admin(s.runStage))
	mux.Handle("GET /api/fairs/{fair}/agenda", s.admin(s.agenda))
	mux.Handle("GET /api/backup", s.admin(s.backup))
	mux.HandleFunc("GET /api/fairs/{fair}/people/{person}/schedule.ics", s.personCalendar)
	mux.HandleFunc("GET /fairs/{fair}/people/{person}", s.personPage)
	return securityHeaders(mux)
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// admin wraps an organizer handler with the bearer-token check.
func (s *Server) admin(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.isAdmin(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="fairmatch"`)
			s.writeError(w, r, fairmatch.Errorf(fairmatch.EUNAUTHORIZED, "organizer token required (Authorization: Bearer <token>)"))
			return
		}
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) isAdmin(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && s.AdminToken != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.AdminToken)) == 1
}

// PersonToken returns the token that opens one person's schedule.
func PersonToken(secret []byte, person string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("person\x00" + person))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

func (s *Server) personAllowed(r *http.Request, person string) bool {
	if s.isAdmin(r) {
		return true
	}
	tok := r.URL.Query().Get("token")
	return tok != "" && len(s.PersonSecret) > 0 &&
		hmac.Equal([]byte(tok), []byte(PersonToken(s.PersonSecret, person)))
}

// StatusOf maps an error code to an HTTP status.
func StatusOf(code string) int {
	switch code {
	case fairmatch.EINVALID:
		return http.StatusBadRequest
	case fairmatch.ENOTFOUND:
		return http.StatusNotFound
	case fairmatch.ECONFLICT:
		return http.StatusConflict
	case fairmatch.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case fairmatch.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error   string            `json:"error"`
	Message string            `json:"message"`
	Issues  []fairmatch.Issue `json:"issues,omitempty"`
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := fairmatch.ErrorCode(err)
	body := errorBody{Error: code, Issues: fairmatch.ErrorIssues(err)}
	var fe *fairmatch.Error
	if errors.As(err, &fe) {
		body.Message = fe.Message
	}
	if code == fairmatch.EINTERNAL {
		s.log().Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		body.Message = "internal error"
	} else if body.Message == "" {
		body.Message = err.Error()
	}
	writeJSON(w, StatusOf(code), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	err := s.DB.View(func(tx *store.Tx) error { _, _, err := tx.Meta("schema"); return err })
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unhealthy", "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// importDataset takes a dataset as JSON, an XLSX workbook or a zip of CSV
// files; ?name= names it in error messages, else the Content-Type decides.
func (s *Server) importDataset(w http.ResponseWriter, r *http.Request) error {
	limit := s.MaxUpload
	if limit <= 0 {
		limit = DefaultMaxUpload
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fairmatch.Errorf(fairmatch.EINVALID, "upload is larger than %d MiB; nothing was stored", limit>>20)
		}
		return fairmatch.Errorf(fairmatch.EINVALID, "reading the upload: %v", err)
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		ct := r.Header.Get("Content-Type")
		switch {
		case strings.Contains(ct, "spreadsheetml"):
			name = "upload.xlsx"
		case strings.Contains(ct, "zip"):
			name = "upload.zip"
		case strings.Contains(ct, "csv"):
			return fairmatch.Errorf(fairmatch.EINVALID, "a single CSV upload needs ?name=<kind>.csv (e.g. problems.csv)")
		default:
			name = "upload.json"
		}
	}
	ds, err := dataset.Parse(name, body)
	if err != nil {
		return err
	}
	merged, err := s.Coord.Import(name, ds)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"imported": counts(ds),
		"stored":   counts(merged),
	})
	return nil
}

func counts(ds *fairmatch.Dataset) map[string]int {
	return map[string]int{
		"enterprises": len(ds.Enterprises), "universities": len(ds.Universities), "people": len(ds.People),
		"problems": len(ds.Problems), "offerings": len(ds.Offerings), "blocked": len(ds.Blocked), "history": len(ds.History),
	}
}

func (s *Server) listFairs(w http.ResponseWriter, r *http.Request) error {
	var fairs []fairmatch.Fair
	err := s.DB.View(func(tx *store.Tx) (err error) { fairs, err = tx.Fairs(); return err })
	if err != nil {
		return err
	}
	if fairs == nil {
		fairs = []fairmatch.Fair{}
	}
	writeJSON(w, http.StatusOK, fairs)
	return nil
}

func (s *Server) runStage(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("fair") + "/" + r.PathValue("stage")
	st, err := s.Sched.RunNow(r.Context(), key)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, st)
	return nil
}

func (s *Server) agenda(w http.ResponseWriter, r *http.Request) error {
	var a *fairmatch.Agenda
	err := s.DB.View(func(tx *store.Tx) (err error) { a, err = tx.Agenda(r.PathValue("fair")); return err })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) backup(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="fairmatch.db"`)
	if _, err := s.DB.BackupTo(w); err != nil {
		s.log().Error("backup failed mid-stream", "err", err)
	}
	return nil
}

// schedule loads what a participant's calendar or page needs.
func (s *Server) schedule(r *http.Request) (*fairmatch.Agenda, []fairmatch.Meeting, *fairmatch.Dataset, string, error) {
	fair, person := r.PathValue("fair"), r.PathValue("person")
	if !s.personAllowed(r, person) {
		return nil, nil, nil, "", fairmatch.Errorf(fairmatch.EUNAUTHORIZED, "this link does not open %s's schedule", person)
	}
	a, cx, ds, err := coordinator.Published(s.DB, fair)
	if err != nil {
		return nil, nil, nil, "", err
	}
	if !attends(a, cx, person) {
		return nil, nil, nil, "", fairmatch.Errorf(fairmatch.ENOTFOUND, "%s has no meeting at fair %s", person, fair)
	}
	return a, cx, ds, person, nil
}

func attends(a *fairmatch.Agenda, cancelled []fairmatch.Meeting, person string) bool {
	for _, list := range [][]fairmatch.Meeting{a.Meetings, cancelled} {
		for _, m := range list {
			for _, p := range m.Attendees {
				if p == person {
					return true
				}
			}
		}
	}
	return false
}

func (s *Server) personCalendar(w http.ResponseWriter, r *http.Request) {
	a, cx, ds, person, err := s.schedule(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := notify.Calendar(a, cx, person, notify.NewDirectory(ds), s.now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.ics"`, a.Fair, person))
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(b)
}

func (s *Server) personPage(w http.ResponseWriter, r *http.Request) {
	a, _, ds, person, err := s.schedule(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := notify.Page(a, person, notify.NewDirectory(ds))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(b)
}
