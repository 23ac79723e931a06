package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/bus"
	"github.com/fairmatch/fairmatch/store"
)

// Timing of a fair's event stream.
const (
	// eventsPoll is how often the stream looks for stage changes.
	eventsPoll = time.Second
	// eventsKeepAlive is how often an idle stream sends a comment, so that
	// proxies do not close it.
	eventsKeepAlive = 15 * time.Second
	// eventsMaxAge ends a stream after a while; the browser's EventSource
	// reconnects on its own, so a stream never pins a server shutdown or a
	// stale session for long.
	eventsMaxAge = 10 * time.Minute
	// eventsRetry is the reconnection delay the stream asks browsers for.
	eventsRetry = 3 * time.Second
)

// progressEvent is the data of an "event: progress" (the app.js contract).
type progressEvent struct {
	Message string `json:"message"`
	Done    int    `json:"done"`
	Total   int    `json:"total"`
	Stage   string `json:"stage"`
}

// stageMark is what makes a stage's change visible: its state and attempt.
type stageMark struct {
	State    string
	Attempts int
}

// fairEvents is a fair's server-sent-event stream: "progress" events of the
// fair's running jobs (from the bus, when there is one) and a "reload" event
// whenever one of the fair's stages changes state. It ends when the client
// goes away or after eventsMaxAge.
func (s *Server) fairEvents(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	fair := r.PathValue("fair")
	marks, err := s.stageMarks(fair)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // the server's WriteTimeout would cut the stream

	progress := make(chan progressEvent, 16)
	if s.Bus != nil {
		prefix := fair + "/"
		unsubscribe, err := s.Bus.SubscribeProgress(func(p bus.Progress) {
			stage, ok := strings.CutPrefix(p.Key, prefix)
			if !ok {
				return
			}
			ev := progressEvent{Message: p.Message, Done: p.Done, Total: p.Total, Stage: stage}
			select {
			case progress <- ev:
			default: // the client is slow: the next event says as much
			}
		})
		if err != nil {
			return err
		}
		defer unsubscribe()
	}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprintf(w, "retry: %d\n: %s\n\n", eventsRetry.Milliseconds(), fair); err != nil {
		return nil
	}
	if err := rc.Flush(); err != nil {
		return nil
	}

	poll := time.NewTicker(eventsPoll)
	defer poll.Stop()
	keepAlive := time.NewTicker(eventsKeepAlive)
	defer keepAlive.Stop()
	maxAge := time.NewTimer(eventsMaxAge)
	defer maxAge.Stop()
	for {
		var err error
		select {
		case <-r.Context().Done():
			return nil
		case <-maxAge.C:
			return nil
		case ev := <-progress:
			err = writeSSE(w, "progress", ev)
		case <-poll.C:
			now, perr := s.stageMarks(fair)
			if perr != nil {
				s.log().Warn("event stream: reading stages", "fair", fair, "err", perr)
				continue
			}
			if !maps.Equal(marks, now) {
				marks = now
				err = writeSSE(w, "reload", map[string]string{"fair": fair})
			}
		case <-keepAlive.C:
			_, err = fmt.Fprint(w, ": keep-alive\n\n")
		}
		if err == nil {
			err = rc.Flush()
		}
		if err != nil { // the client went away
			return nil
		}
	}
}

// writeSSE writes one server-sent event with JSON data (one line: JSON
// has no raw newlines).
func writeSSE(w http.ResponseWriter, name string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("event %s: %w", name, err)
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, b)
	return err
}

// stageMarks reads the state and attempt of every stage of a fair.
func (s *Server) stageMarks(fair string) (map[string]stageMark, error) {
	var f fairmatch.Fair
	err := s.DB.View(func(tx *store.Tx) (err error) { f, err = tx.Fair(fair); return err })
	if err != nil {
		return nil, err
	}
	m := make(map[string]stageMark, len(f.Stages))
	for _, st := range f.Stages {
		m[st.Name] = stageMark{State: st.State, Attempts: st.Attempts}
	}
	return m, nil
}
