package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/store"
)

// outboxMessages are the mail outbox page's texts.
var outboxMessages = catalog{
	"outbox.title":           {"邮件发件箱", "Mail outbox"},
	"outbox.intro":           {"发给参会人的每封邮件都先存入发件箱，再由后台投递；邮件服务器不可用时会按退避间隔自动重试，不会丢失。", "Every e-mail to participants is stored in the outbox first and delivered in the background; while the mail server is down it is retried with growing pauses, so nothing is lost."},
	"outbox.counts":          {"按状态统计", "By state"},
	"outbox.all":             {"全部", "All"},
	"outbox.state":           {"状态", "State"},
	"outbox.state.queued":    {"待发送", "Queued"},
	"outbox.state.sent":      {"已发送", "Sent"},
	"outbox.state.failed":    {"发送失败", "Failed"},
	"outbox.filter":          {"筛选", "Filter"},
	"outbox.fair":            {"对接会", "Fair"},
	"outbox.anyfair":         {"全部对接会", "Every fair"},
	"outbox.person":          {"参会人编号", "Person id"},
	"outbox.anystate":        {"全部状态", "Every state"},
	"outbox.apply":           {"筛选", "Apply"},
	"outbox.clear":           {"清除筛选", "Clear"},
	"outbox.created":         {"创建时间", "Created"},
	"outbox.kind":            {"类型", "Kind"},
	"outbox.to":              {"收件人", "To"},
	"outbox.subject":         {"主题", "Subject"},
	"outbox.attempts":        {"尝试次数", "Attempts"},
	"outbox.next":            {"下次尝试", "Next attempt"},
	"outbox.sentat":          {"发送时间", "Sent"},
	"outbox.lasterror":       {"最近错误", "Last error"},
	"outbox.actions":         {"操作", "Actions"},
	"outbox.retry":           {"重新发送", "Retry"},
	"outbox.retryask":        {"将这封邮件重新放入发送队列？", "Put this message back in the queue?"},
	"outbox.retried":         {"邮件已重新排队，将尽快发送。", "The message is queued again and will be sent shortly."},
	"outbox.empty":           {"没有符合条件的邮件。", "No message matches."},
	"outbox.limited":         {"仅显示最新的 %d 封邮件，请使用筛选缩小范围。", "Only the latest %d messages are shown; filter to narrow the list."},
	"outbox.badstate":        {"状态必须是 queued、sent 或 failed。", "The state must be queued, sent or failed."},
	"outbox.badlimit":        {"数量上限必须是正整数。", "The limit must be a positive whole number."},
	"outbox.kind.published":  {"日程发布", "Schedule published"},
	"outbox.kind.changed":    {"日程变更", "Schedule changed"},
	"outbox.kind.reminder":   {"会前提醒", "Reminder"},
	"outbox.kind.login-link": {"登录链接", "Sign-in link"},
}

// outboxPageLimit bounds the messages the page lists.
const outboxPageLimit = 200

// outboxStates are the states of an outbox message, in the order shown.
var outboxStates = []string{store.OutboxQueued, store.OutboxFailed, store.OutboxSent}

// outboxRoutes registers the mail outbox page and its JSON twin. Message
// ids hold slashes ("published/2027-03/P001/…"); in a path they are
// escaped as one segment (%2F).
func (s *Server) outboxRoutes(mux *http.ServeMux) {
	mux.Handle("GET /outbox", s.page(needOrganizer, s.outboxPage))
	mux.Handle("POST /outbox/{id}/retry", s.page(needOrganizer, s.retryOutboxPage))
	mux.Handle("GET /api/outbox", s.api(needOrganizer, s.outboxAPI))
	mux.Handle("POST /api/outbox/{id}/retry", s.api(needOrganizer, s.retryOutboxAPI))
}

// outboxFilter reads the filter from the query (fair, person, state and,
// for the API, limit). A bad state or limit is EINVALID.
func outboxFilter(r *http.Request, q url.Values, limit int) (store.OutboxFilter, error) {
	f := store.OutboxFilter{
		Fair:   strings.TrimSpace(q.Get("fair")),
		Person: strings.TrimSpace(q.Get("person")),
		State:  q.Get("state"),
		Limit:  limit,
	}
	lang := language(r)
	if f.State != "" && !slices.Contains(outboxStates, f.State) {
		return f, fairmatch.Invalid(translate(lang, "outbox.badstate"),
			[]fairmatch.Issue{{Record: "query", Field: "state", Reason: fmt.Sprintf("%q is not a state", f.State)}})
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return f, fairmatch.Invalid(translate(lang, "outbox.badlimit"),
				[]fairmatch.Issue{{Record: "query", Field: "limit", Reason: fmt.Sprintf("%q is not a positive number", v)}})
		}
		f.Limit = min(n, limit)
	}
	return f, nil
}

// outboxItem is a message as the page and the API show it: its delivery
// state and addressing, without its body or attachments.
type outboxItem struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Fair        string    `json:"fair,omitempty"`
	Person      string    `json:"person,omitempty"`
	To          string    `json:"to"`
	ToName      string    `json:"to_name,omitempty"`
	Subject     string    `json:"subject"`
	State       string    `json:"state"`
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	Created     time.Time `json:"created,omitzero"`
	Sent        time.Time `json:"sent,omitzero"`
	Attachments []string  `json:"attachments,omitempty"` // the files' names

	// Path is the message's escaped id, for the page's retry form.
	Path string `json:"-"`
	// KindKey is the message key naming the kind, empty for a kind the
	// page has no name for (it shows the kind itself).
	KindKey string `json:"-"`
}

func newOutboxItem(m store.OutboxMessage) outboxItem {
	it := outboxItem{ID: m.ID, Kind: m.Kind, Fair: m.Fair, Person: m.Person, To: m.To, ToName: m.ToName,
		Subject: m.Subject, State: m.State, Attempts: m.Attempts, NextAttempt: m.NextAttempt,
		LastError: m.LastError, Created: m.Created, Sent: m.Sent, Path: url.PathEscape(m.ID)}
	for _, a := range m.Attachments {
		it.Attachments = append(it.Attachments, a.Name)
	}
	if _, ok := outboxMessages["outbox.kind."+m.Kind]; ok {
		it.KindKey = "outbox.kind." + m.Kind
	}
	return it
}

// outboxView is the outbox page's data.
type outboxView struct {
	Counts   map[string]int
	Total    int
	States   []string
	Fairs    []string // every fair id, for the filter
	Filter   store.OutboxFilter
	Messages []outboxItem
	Limited  bool   // more messages match than are shown
	Limit    int    // the page's bound
	Zone     string // the time zone times are shown in
	Retried  bool   // a message was just put back in the queue
	Query    string // the filter as a query string, kept across a retry
}

// loadOutbox reads the counts, the fairs and the messages that match f.
// It asks for one more message than f.Limit to tell whether there are more.
func (s *Server) loadOutbox(f store.OutboxFilter) (*outboxView, error) {
	v := &outboxView{States: outboxStates, Filter: f, Limit: f.Limit, Zone: s.outboxZone()}
	err := s.DB.View(func(tx *store.Tx) error {
		var err error
		if v.Counts, err = tx.OutboxCounts(); err != nil {
			return err
		}
		fairs, err := tx.Fairs()
		if err != nil {
			return err
		}
		for _, fr := range fairs {
			v.Fairs = append(v.Fairs, fr.ID)
		}
		more := f
		if more.Limit > 0 {
			more.Limit++
		}
		ms, err := tx.Outbox(more)
		if err != nil {
			return err
		}
		if f.Limit > 0 && len(ms) > f.Limit {
			ms, v.Limited = ms[:f.Limit], true
		}
		v.Messages = make([]outboxItem, len(ms))
		for i, m := range ms {
			v.Messages[i] = newOutboxItem(m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the outbox: %w", err)
	}
	for _, n := range v.Counts {
		v.Total += n
	}
	return v, nil
}

// outboxZone is the zone the page shows times in: the plan's.
func (s *Server) outboxZone() string {
	if s.Plan != nil && s.Plan.Location() != nil {
		return s.Plan.Location().String()
	}
	return config.DefaultTimezone
}

// filterQuery encodes a filter as the page's query string.
func filterQuery(f store.OutboxFilter) string {
	q := url.Values{}
	for k, v := range map[string]string{"fair": f.Fair, "person": f.Person, "state": f.State} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q.Encode()
}

func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, err := outboxFilter(r, r.URL.Query(), outboxPageLimit)
	if err != nil {
		return err
	}
	v, err := s.loadOutbox(f)
	if err != nil {
		return err
	}
	v.Retried = r.URL.Query().Get("retried") == "1"
	v.Query = filterQuery(f)
	s.render(w, r, http.StatusOK, "outbox", "outbox.title", p, v)
	return nil
}

// retryMessage puts a message back in the queue and wakes the delivery
// loop. A sent message is ECONFLICT, an unknown one ENOTFOUND.
func (s *Server) retryMessage(id string) (store.OutboxMessage, error) {
	var m store.OutboxMessage
	err := s.DB.Update(func(tx *store.Tx) error {
		if err := tx.RetryMessage(id, s.now()); err != nil {
			return err
		}
		var err error
		m, err = tx.OutboxMessage(id)
		return err
	})
	if err != nil {
		return m, fmt.Errorf("retry outbox message: %w", err)
	}
	s.log().Info("outbox message queued again", "id", id)
	if s.OutboxKick != nil {
		s.OutboxKick()
	}
	return m, nil
}

// retryOutboxPage handles the retry button, then goes back to the list
// with the filter it was showing.
func (s *Server) retryOutboxPage(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		return fairmatch.Errorf(fairmatch.EINVALID, "the retry form could not be read: %v", err)
	}
	f, err := outboxFilter(r, r.PostForm, outboxPageLimit)
	if err != nil {
		return err
	}
	if _, err := s.retryMessage(r.PathValue("id")); err != nil {
		return err
	}
	q := filterQuery(f)
	if q != "" {
		q += "&"
	}
	http.Redirect(w, r, "/outbox?"+q+"retried=1", http.StatusSeeOther)
	return nil
}

// outboxJSON is the API's outbox.
type outboxJSON struct {
	Counts   map[string]int `json:"counts"`
	Messages []outboxItem   `json:"messages"`
	More     bool           `json:"more"` // more messages match than the limit let through
}

// maxOutboxAPILimit bounds one API answer.
const maxOutboxAPILimit = 1000

func (s *Server) outboxAPI(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	f, err := outboxFilter(r, r.URL.Query(), maxOutboxAPILimit)
	if err != nil {
		return err
	}
	v, err := s.loadOutbox(f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, outboxJSON{Counts: v.Counts, Messages: v.Messages, More: v.Limited})
	return nil
}

func (s *Server) retryOutboxAPI(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	m, err := s.retryMessage(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newOutboxItem(m))
	return nil
}
