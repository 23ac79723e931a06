package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/bus"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/coordinator"
	"github.com/fairmatch/fairmatch/scheduler"
	"github.com/fairmatch/fairmatch/store"
)

// DefaultMaxUpload bounds an import's body.
const DefaultMaxUpload = 32 << 20

// Server holds what the handlers need.
type Server struct {
	DB    *store.DB
	Coord *coordinator.Coordinator
	Sched *scheduler.Scheduler
	Plan  *config.Config
	// Bus, if set, feeds the live progress of running jobs to the pages.
	Bus *bus.Bus
	// Auth signs people in and tells who a request acts for; nil refuses
	// everything but the public pages.
	Auth *auth.Service
	// LoginLimiter and LinkLimiter bound sign-in attempts and link requests
	// per client address (nil: unlimited).
	LoginLimiter, LinkLimiter *auth.Limiter
	// TrustProxy takes the client address from X-Forwarded-For (behind a
	// reverse proxy only).
	TrustProxy bool
	// PublicURL is the address participants reach the service at, used in
	// the links sent to them ("https://fairs.example.org").
	PublicURL string
	// OutboxKick wakes the mail outbox after an organizer puts a failed
	// message back in the queue (nil: it finds it at its next poll).
	OutboxKick func()
	// SendLink mails a person a new sign-in link (nil: link requests are
	// refused as unavailable).
	SendLink  func(ctx context.Context, person fairmatch.Person, link string, expires time.Time) error
	Gatherer  prometheus.Gatherer
	Log       *slog.Logger
	Now       func() time.Time
	MaxUpload int64
}

// Handler returns the HTTP handler of the pages and the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	if s.Gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(s.Gatherer, promhttp.HandlerOpts{}))
	}
	mux.Handle("GET /static/", staticFiles())
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)

	mux.Handle("POST /api/import", s.api(needStaff, s.importDataset))
	mux.Handle("GET /api/fairs", s.api(needStaff, s.listFairs))
	mux.Handle("POST /api/fairs/{fair}/stages/{stage}/run", s.api(needOrganizer, s.runStage))
	mux.Handle("GET /api/fairs/{fair}/agenda", s.api(needStaff, s.reviewAPIAgenda))
	mux.Handle("GET /api/backup", s.api(needOrganizer, s.backup))

	s.organizerRoutes(mux)
	s.reviewRoutes(mux)
	s.participantRoutes(mux)
	s.reportRoutes(mux)
	s.outboxRoutes(mux)
	s.recordRoutes(mux)

	secure := s.Auth != nil && s.Auth.Secure
	return securityHeaders(http.NewCrossOriginProtection().Handler(languageSwitch(secure, mux)))
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")
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
	case fairmatch.EFORBIDDEN:
		return http.StatusForbidden
	case fairmatch.ETOOMANY:
		return http.StatusTooManyRequests
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
		body.Message = userMessage(fe)
	}
	if code == fairmatch.EINTERNAL {
		s.log().Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		body.Message = "internal error"
	} else if body.Message == "" {
		body.Message = err.Error()
	}
	writeJSON(w, StatusOf(code), body)
}

// userMessage is what a person is told of a coded error: its message, and
// the cause it wraps ("dataset x.csv: input larger than 32 MiB"). Issues are
// listed apart; internal errors never reach here with their cause.
func userMessage(fe *fairmatch.Error) string {
	if fe.Err == nil || fe.Message == "" {
		return fe.Message
	}
	return fe.Message + ": " + fe.Err.Error()
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

func (s *Server) listFairs(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	var fairs []fairmatch.Fair
	err := s.DB.View(func(tx *store.Tx) (err error) {
		if fairs, err = tx.Fairs(); err != nil {
			return err
		}
		for i := range fairs { // an organizer's theme over the plan's
			set, ok, err := tx.FairSettings(fairs[i].ID)
			if err != nil {
				return err
			}
			if ok && set.Theme != "" {
				fairs[i].Theme = set.Theme
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if fairs == nil {
		fairs = []fairmatch.Fair{}
	}
	writeJSON(w, http.StatusOK, fairs)
	return nil
}

func (s *Server) runStage(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	key := r.PathValue("fair") + "/" + r.PathValue("stage")
	st, err := s.Sched.RunNow(r.Context(), key)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, st)
	return nil
}

func (s *Server) backup(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="fairmatch.db"`)
	if _, err := s.DB.BackupTo(w); err != nil {
		s.log().Error("backup failed mid-stream", "err", err)
	}
	return nil
}
