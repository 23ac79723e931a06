package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
)

// obMessages fills the outbox: a queued, a sent and two failed messages of
// two fairs and three people. Ids hold slashes, as the mail package's do.
func obMessages(t *testing.T, env *rpEnv) []store.OutboxMessage {
	t.Helper()
	at := time.Date(2027, 1, 20, 8, 0, 0, 0, time.UTC)
	msgs := []store.OutboxMessage{
		{ID: "published/2027-03/P-E1/a1", Kind: "published", Fair: "2027-03", Person: "P-E1", To: "zhao@example.com", ToName: "赵一",
			Subject: "您的洽谈日程", State: store.OutboxQueued, Attempts: 2, NextAttempt: at.Add(3 * time.Hour),
			LastError: "dial tcp: connection refused", Created: at},
		{ID: "published/2027-03/P-E2/b2", Kind: "published", Fair: "2027-03", Person: "P-E2", To: "qian@example.com", ToName: "钱二",
			Subject: "您的洽谈日程", State: store.OutboxSent, Attempts: 1, Created: at.Add(time.Minute), Sent: at.Add(2 * time.Minute)},
		{ID: "changed/2027-03/P-U2/c3", Kind: "changed", Fair: "2027-03", Person: "P-U2", To: "li@example.com", ToName: "李四",
			Subject: "日程变更", State: store.OutboxFailed, Attempts: 20, LastError: "550 <li@example.com> mailbox unavailable",
			Created: at.Add(2 * time.Minute), Text: "secret body", Attachments: []store.OutboxAttachment{{Name: "schedule.ics", Data: []byte("BEGIN")}}},
		{ID: "reminder/2027-05/P-U2/d4", Kind: "reminder", Fair: "2027-05", Person: "P-U2", To: "li@example.com",
			Subject: "Reminder", State: store.OutboxFailed, Attempts: 1, LastError: "permanent: 553 bad address", Created: at.Add(3 * time.Minute)},
	}
	err := env.db.Update(func(tx *store.Tx) error {
		for _, m := range msgs {
			if err := tx.PutOutboxMessage(m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// obRows returns the ids and states of the rows the outbox page lists.
func obRows(page string) [][2]string {
	var out [][2]string
	for _, m := range regexp.MustCompile(`data-testid="outbox-row" data-id="([^"]*)" data-state="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		out = append(out, [2]string{m[1], m[2]})
	}
	return out
}

func TestOutboxPageBothLanguages(t *testing.T) {
	env := newRPEnv(t)
	obMessages(t, env)
	for _, tc := range []struct {
		lang  string
		wants []string
	}{
		{"zh-CN", []string{"邮件发件箱", "待发送", "已发送", "发送失败", "重新发送", "日程变更", "会前提醒", "最近错误"}},
		{"en", []string{"Mail outbox", "Queued", "Sent", "Failed", "Retry", "Schedule changed", "Reminder", "Last error"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			resp, body := env.do(t, "organizer", "GET", "/outbox", tc.lang, nil)
			page := checkHTML(t, resp, body, http.StatusOK)
			for _, want := range tc.wants {
				if !strings.Contains(page, want) {
					t.Errorf("the outbox page lacks %q", want)
				}
			}
			for id, want := range map[string]string{"outbox-count-all": "4", "outbox-count-queued": "1",
				"outbox-count-sent": "1", "outbox-count-failed": "2"} {
				if got := cell(t, page, id, "count"); got != want {
					t.Errorf("#%s shows %s, want %s", id, got, want)
				}
			}
			rows := obRows(page)
			wantRows := [][2]string{ // the most recently created first
				{"reminder/2027-05/P-U2/d4", "failed"}, {"changed/2027-03/P-U2/c3", "failed"},
				{"published/2027-03/P-E2/b2", "sent"}, {"published/2027-03/P-E1/a1", "queued"},
			}
			if len(rows) != len(wantRows) {
				t.Fatalf("rows %v, want %v", rows, wantRows)
			}
			for i := range wantRows {
				if rows[i] != wantRows[i] {
					t.Errorf("row %d: %v, want %v", i, rows[i], wantRows[i])
				}
			}
			// Retry only for failed messages, with the id escaped as one segment.
			if n := strings.Count(page, `data-testid="retry"`); n != 2 {
				t.Errorf("%d retry buttons, want 2 (the failed messages)", n)
			}
			if !strings.Contains(page, `action="/outbox/changed%2f2027-03%2fP-U2%2fc3/retry"`) &&
				!strings.Contains(page, `action="/outbox/changed%2F2027-03%2FP-U2%2Fc3/retry"`) {
				t.Errorf("no retry form for changed/2027-03/P-U2/c3")
			}
			if strings.Contains(page, "<li@example.com> mailbox") || !strings.Contains(page, "550 &lt;li@example.com&gt; mailbox unavailable") {
				t.Errorf("the last error is missing or not escaped")
			}
			if strings.Contains(page, "secret body") {
				t.Errorf("the page shows a message's body")
			}
			// The queued message's next attempt in the plan's zone: 11:00 UTC is 19:00 in Shanghai.
			if !strings.Contains(page, "2027-01-20 19:00") {
				t.Errorf("the next attempt is not shown in the plan's time zone")
			}
		})
	}
}

func TestOutboxFilter(t *testing.T) {
	env := newRPEnv(t)
	obMessages(t, env)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"state=failed", []string{"reminder/2027-05/P-U2/d4", "changed/2027-03/P-U2/c3"}},
		{"fair=2027-05", []string{"reminder/2027-05/P-U2/d4"}},
		{"person=P-E1", []string{"published/2027-03/P-E1/a1"}},
		{"fair=2027-03&state=failed", []string{"changed/2027-03/P-U2/c3"}},
		{"person=P-U1", nil},
	} {
		resp, body := env.do(t, "organizer", "GET", "/outbox?"+tc.query, "en", nil)
		page := checkHTML(t, resp, body, http.StatusOK)
		rows := obRows(page)
		if len(rows) != len(tc.want) {
			t.Errorf("%s: rows %v, want %v", tc.query, rows, tc.want)
			continue
		}
		for i, id := range tc.want {
			if rows[i][0] != id {
				t.Errorf("%s: row %d is %s, want %s", tc.query, i, rows[i][0], id)
			}
		}
		if len(tc.want) == 0 && !strings.Contains(page, `id="outbox-empty"`) {
			t.Errorf("%s: no notice that nothing matches", tc.query)
		}
		// The counts are of the whole outbox whatever the filter.
		if got := cell(t, page, "outbox-count-all", "count"); got != "4" {
			t.Errorf("%s: the total count is %s, want 4", tc.query, got)
		}
	}
	resp, body := env.do(t, "organizer", "GET", "/outbox?state=lost", "en", nil)
	if page := checkHTML(t, resp, body, http.StatusBadRequest); !strings.Contains(page, "queued, sent or failed") {
		t.Errorf("a bad state is not explained")
	}
}

func TestOutboxRetry(t *testing.T) {
	env := newRPEnv(t)
	obMessages(t, env)
	id := "changed/2027-03/P-U2/c3"
	resp, body := env.do(t, "organizer", "POST", "/outbox/"+url.PathEscape(id)+"/retry", "en",
		url.Values{"state": {"failed"}, "fair": {"2027-03"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("retry: %d %s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Path != "/outbox" || loc.Query().Get("state") != "failed" || loc.Query().Get("fair") != "2027-03" ||
		loc.Query().Get("retried") != "1" || loc.Host != "" {
		t.Errorf("retry redirects to %q, want /outbox with the filter kept", resp.Header.Get("Location"))
	}
	var m store.OutboxMessage
	if err := env.db.View(func(tx *store.Tx) (err error) { m, err = tx.OutboxMessage(id); return err }); err != nil {
		t.Fatal(err)
	}
	if m.State != store.OutboxQueued || m.Attempts != 0 || m.NextAttempt.IsZero() {
		t.Errorf("after retry: state %s attempts %d next %v, want queued afresh and due", m.State, m.Attempts, m.NextAttempt)
	}
	if env.kicks.Load() != 1 {
		t.Errorf("the outbox was kicked %d times, want once", env.kicks.Load())
	}
	resp, body = env.do(t, "organizer", "GET", loc.RequestURI(), "zh", nil)
	page := checkHTML(t, resp, body, http.StatusOK)
	if !strings.Contains(page, `id="outbox-retried"`) || !strings.Contains(page, "邮件已重新排队") {
		t.Errorf("no notice after the retry")
	}
	if got := cell(t, page, "outbox-count-failed", "count"); got != "1" {
		t.Errorf("failed count after the retry %s, want 1", got)
	}

	for _, tc := range []struct {
		id     string
		status int
	}{
		{"published/2027-03/P-E2/b2", http.StatusConflict}, // sent: never again
		{"no/such/message", http.StatusNotFound},
	} {
		resp, body := env.do(t, "organizer", "POST", "/outbox/"+url.PathEscape(tc.id)+"/retry", "en", url.Values{})
		checkHTML(t, resp, body, tc.status)
	}
	resp, body = env.do(t, "organizer", "POST", "/outbox/"+url.PathEscape(id)+"/retry", "en", url.Values{"state": {"bogus"}})
	checkHTML(t, resp, body, http.StatusBadRequest)
	if env.kicks.Load() != 1 {
		t.Errorf("refused retries kicked the outbox: %d kicks", env.kicks.Load())
	}
}

func TestOutboxAPI(t *testing.T) {
	env := newRPEnv(t)
	obMessages(t, env)
	resp, body := env.do(t, "organizer", "GET", "/api/outbox?state=failed", "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var got struct {
		Counts   map[string]int   `json:"counts"`
		Messages []map[string]any `json:"messages"`
		More     bool             `json:"more"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Counts["queued"] != 1 || got.Counts["sent"] != 1 || got.Counts["failed"] != 2 || got.More || len(got.Messages) != 2 {
		t.Fatalf("outbox %s", body)
	}
	m := got.Messages[1]
	if m["id"] != "changed/2027-03/P-U2/c3" || m["state"] != "failed" || m["attempts"] != 20.0 ||
		m["last_error"] != "550 <li@example.com> mailbox unavailable" || m["to"] != "li@example.com" {
		t.Errorf("message %v", m)
	}
	if _, ok := m["text"]; ok || strings.Contains(string(body), "secret body") || strings.Contains(string(body), "BEGIN") {
		t.Errorf("the API gives out bodies or attachments: %s", body)
	}
	if a, _ := m["attachments"].([]any); len(a) != 1 || a[0] != "schedule.ics" {
		t.Errorf("attachments %v, want their names", m["attachments"])
	}

	_, body = env.do(t, "organizer", "GET", "/api/outbox?limit=1", "", nil)
	if err := json.Unmarshal(body, &got); err != nil || len(got.Messages) != 1 || !got.More {
		t.Errorf("limit=1: %s", body)
	}
	for _, q := range []string{"limit=0", "limit=x", "state=lost"} {
		resp, body := env.do(t, "organizer", "GET", "/api/outbox?"+q, "", nil)
		var eb struct {
			Error  string
			Issues []fairmatch.Issue
		}
		if err := json.Unmarshal(body, &eb); err != nil || resp.StatusCode != 400 || eb.Error != fairmatch.EINVALID ||
			len(eb.Issues) != 1 || eb.Issues[0].Field != strings.Split(q, "=")[0] {
			t.Errorf("%s: %d %s, want EINVALID naming the field", q, resp.StatusCode, body)
		}
	}

	id := "reminder/2027-05/P-U2/d4"
	resp, body = env.do(t, "organizer", "POST", "/api/outbox/"+url.PathEscape(id)+"/retry", "", nil)
	var retried map[string]any
	if err := json.Unmarshal(body, &retried); err != nil || resp.StatusCode != 200 || retried["state"] != "queued" ||
		retried["attempts"] != 0.0 || retried["id"] != id {
		t.Errorf("retry: %d %s", resp.StatusCode, body)
	}
	if env.kicks.Load() != 1 {
		t.Errorf("kicks %d, want 1", env.kicks.Load())
	}
	resp, body = env.do(t, "organizer", "POST", "/api/outbox/"+url.PathEscape("published/2027-03/P-E2/b2")+"/retry", "", nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), fairmatch.ECONFLICT) {
		t.Errorf("retrying a sent message: %d %s", resp.StatusCode, body)
	}
}
