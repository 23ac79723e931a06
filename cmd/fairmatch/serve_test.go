package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/web"
)

// before2027 is a clock at which no stage of the 2027 fairs is due yet.
func before2027() time.Time {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return time.Date(2026, 11, 20, 12, 0, 0, 0, loc)
}

func fixedMain(now time.Time) *Main { return &Main{Now: func() time.Time { return now }} }

// stage reads one stage through the API.
func stage(t *testing.T, base, token, key string) fairmatch.Stage {
	t.Helper()
	status, body := httpDo(t, "GET", base+"/api/fairs", token, nil)
	if status != 200 {
		t.Fatalf("GET /api/fairs: %d %s", status, body)
	}
	var fairs []fairmatch.Fair
	if err := json.Unmarshal(body, &fairs); err != nil {
		t.Fatal(err)
	}
	for _, f := range fairs {
		for _, s := range f.Stages {
			if s.Key() == key {
				return s
			}
		}
	}
	t.Fatalf("no stage %s", key)
	return fairmatch.Stage{}
}

// runStage runs a stage through the API and waits for it to finish.
func runStage(t *testing.T, base, token, fair, name string, timeout time.Duration) fairmatch.Stage {
	t.Helper()
	status, body := httpDo(t, "POST", fmt.Sprintf("%s/api/fairs/%s/stages/%s/run", base, fair, name), token, nil)
	if status != 202 {
		t.Fatalf("run %s/%s: %d %s", fair, name, status, body)
	}
	return waitStage(t, base, token, fair+"/"+name, timeout)
}

func waitStage(t *testing.T, base, token, key string, timeout time.Duration) fairmatch.Stage {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := stage(t, base, token, key)
		if s.State == fairmatch.StateDone || s.State == fairmatch.StateFailed {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("stage %s still %s after %v", key, s.State, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestServeAPI(t *testing.T) {
	data := t.TempDir()
	base, token := startServe(t, fixedMain(before2027()), "--config", examplePlan, "--data", data, "--workers", "1")

	if status, body := httpDo(t, "GET", base+"/healthz", "", nil); status != 200 || !strings.Contains(string(body), "ok") {
		t.Fatalf("healthz: %d %s", status, body)
	}
	example, err := os.ReadFile(exampleDataset)
	if err != nil {
		t.Fatal(err)
	}
	// Organizer calls need the token.
	for _, tok := range []string{"", "wrong-token-0123456789"} {
		if status, _ := httpDo(t, "POST", base+"/api/import", tok, bytes.NewReader(example)); status != 401 {
			t.Errorf("import with token %q: %d, want 401", tok, status)
		}
	}
	// Nothing is loaded that the organizer did not import.
	if p, _ := storedCountsLive(t, base, token); p != 0 {
		t.Fatalf("fresh serve holds %d problems", p)
	}
	status, body := httpDo(t, "POST", base+"/api/import", token, bytes.NewReader(example), "Content-Type", "application/json")
	if status != 200 {
		t.Fatalf("import: %d %s", status, body)
	}
	p0, o0 := storedCountsLive(t, base, token)
	// A broken upload is refused with every bad record named, and changes nothing.
	broken := strings.Replace(strings.Replace(string(example), `"trl": 6`, `"trl": 12`, 1), `"role": "expert"`, `"role": "professor"`, 1)
	status, body = httpDo(t, "POST", base+"/api/import", token, strings.NewReader(broken))
	if status != 400 {
		t.Fatalf("broken import: %d %s", status, body)
	}
	var eb struct {
		Error  string
		Issues []fairmatch.Issue
	}
	if err := json.Unmarshal(body, &eb); err != nil || eb.Error != fairmatch.EINVALID || len(eb.Issues) < 2 {
		t.Errorf("broken import response: %s", body)
	}
	for _, is := range eb.Issues {
		if is.Record == "" || is.Field == "" {
			t.Errorf("issue without record or field: %+v", is)
		}
	}
	big := bytes.Repeat([]byte(" "), web.DefaultMaxUpload+10)
	if status, body := httpDo(t, "POST", base+"/api/import", token, bytes.NewReader(big)); status != 400 || !strings.Contains(string(body), "larger") {
		t.Errorf("oversized upload: %d %s", status, body)
	}
	if p, o := storedCountsLive(t, base, token); p != p0 || o != o0 {
		t.Errorf("refused imports changed the store: %d/%d, was %d/%d", p, o, p0, o0)
	}

	// Stages run now, in order, through NATS and the worker.
	if status, _ := httpDo(t, "POST", base+"/api/fairs/2027-03/stages/agenda/run", "", nil); status != 401 {
		t.Errorf("run without token: %d", status)
	}
	if status, _ := httpDo(t, "POST", base+"/api/fairs/2027-03/stages/nonesuch/run", token, nil); status != 404 {
		t.Errorf("run unknown stage: %d", status)
	}
	if status, _ := httpDo(t, "GET", base+"/api/fairs/2027-03/agenda", token, nil); status != 404 {
		t.Errorf("agenda before publishing: %d", status)
	}
	// Running the agenda before any match is refused and fails nothing.
	if status, body := httpDo(t, "POST", base+"/api/fairs/2027-03/stages/agenda/run", token, nil); status != 409 || !strings.Contains(string(body), "match") {
		t.Errorf("agenda before match: %d %s", status, body)
	}
	if s := stage(t, base, token, "2027-03/agenda"); s.State != fairmatch.StatePending || s.Attempts != 0 {
		t.Errorf("agenda stage after a refused run: %+v", s)
	}
	for _, name := range []string{"match", "agenda", "publish"} {
		if s := runStage(t, base, token, "2027-03", name, 2*time.Minute); s.State != fairmatch.StateDone {
			t.Fatalf("stage %s: %+v", name, s)
		}
	}
	status, body = httpDo(t, "GET", base+"/api/fairs/2027-03/agenda", token, nil)
	if status != 200 {
		t.Fatalf("agenda: %d %s", status, body)
	}
	var a fairmatch.Agenda
	if err := json.Unmarshal(body, &a); err != nil || len(a.Meetings) == 0 {
		t.Fatalf("agenda: %v, %d meetings", err, len(a.Meetings))
	}
	var ds fairmatch.Dataset
	readJSON(t, exampleDataset, &ds)
	checkAgenda(t, &ds, &a)
	if _, err := os.Stat(data + "/published/2027-03/agenda.json"); err != nil {
		t.Errorf("publishing wrote no files: %v", err)
	}

	// Calendars: the organizer reads anyone's; without credentials, no one's.
	// (Participants' own links and feeds: web/access_test.go, the browser test.)
	alice := a.Meetings[0].Attendees[0]
	ics := func(person, bearer string) (int, []byte) {
		return httpDo(t, "GET", fmt.Sprintf("%s/api/fairs/2027-03/people/%s/schedule.ics", base, person), bearer, nil)
	}
	if status, body := ics(alice, token); status != 200 || !bytes.Contains(body, []byte("BEGIN:VCALENDAR")) {
		t.Errorf("organizer reads %s.ics: %d", alice, status)
	}
	if status, _ := ics(alice, ""); status != 401 {
		t.Errorf("calendar without any credentials: %d", status)
	}

	// Metrics count the jobs and firings.
	waitMetrics(t, base,
		`fairmatch_jobs_published_total{kind="match"} 1`,
		`fairmatch_jobs_finished_total{kind="publish",outcome="done"} 1`,
		`fairmatch_jobs_finished_total{kind="agenda",outcome="done"} 1`,
		`fairmatch_stage_firings_total{kind="agenda"} 1`,
		`fairmatch_job_duration_seconds_count{kind="match"} 1`,
		`fairmatch_bus_events_total{event="job_published"} 3`,
	)
	if status, body := httpDo(t, "GET", base+"/", token, nil); status != 200 || !strings.Contains(string(body), "2027-03") {
		t.Errorf("index page: %d", status)
	}

	// Re-planning a published fair keeps its meetings where they are.
	for _, name := range []string{"agenda", "publish"} {
		if s := runStage(t, base, token, "2027-03", name, 2*time.Minute); s.State != fairmatch.StateDone {
			t.Fatalf("re-run %s: %+v", name, s)
		}
	}
	_, body = httpDo(t, "GET", base+"/api/fairs/2027-03/agenda", token, nil)
	var again fairmatch.Agenda
	if err := json.Unmarshal(body, &again); err != nil || len(again.Meetings) != len(a.Meetings) {
		t.Fatalf("re-planned agenda: %v, %d meetings (was %d)", err, len(again.Meetings), len(a.Meetings))
	}
	was := map[string]fairmatch.Meeting{}
	for _, m := range a.Meetings {
		was[m.ID] = m
	}
	for _, m := range again.Meetings {
		if w := was[m.ID]; !w.Start.Equal(m.Start) || w.Table != m.Table || m.Sequence != 0 {
			t.Errorf("%s moved on re-planning: %v %s → %v %s (sequence %d)", m.ID, w.Start, w.Table, m.Start, m.Table, m.Sequence)
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestDistributedWorkerKilled runs the jobs on a separate worker process,
// kills it with SIGKILL in the middle of the match job, and lets a new
// worker finish the job: once.
func TestDistributedWorkerKilled(t *testing.T) {
	bin := binary(t)
	port := freePort(t)
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", port)
	base, token, log := startServeLog(t, fixedMain(before2027()), "--config", examplePlan, "--data", t.TempDir(),
		"--workers", "0", "--nats-listen", fmt.Sprintf("127.0.0.1:%d", port), "--ack-wait", "2s")
	example, _ := os.ReadFile(exampleDataset)
	if status, body := httpDo(t, "POST", base+"/api/import", token, bytes.NewReader(example)); status != 200 {
		t.Fatalf("import: %d %s", status, body)
	}

	startWorker := func(name string, extra ...string) (*exec.Cmd, *syncBuffer) {
		out := new(syncBuffer)
		cmd := exec.Command(bin, append([]string{"worker", "--nats-url", natsURL, "--name", name}, extra...)...)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if cmd.ProcessState == nil {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}
		})
		return cmd, out
	}
	w1, w1log := startWorker("doomed", "--stall", "10m")
	if status, body := httpDo(t, "POST", base+"/api/fairs/2027-03/stages/match/run", token, nil); status != 202 {
		t.Fatalf("run match: %d %s", status, body)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(log.String(), "worker=doomed") {
		if time.Now().After(deadline) {
			t.Fatalf("worker 1 never started the job\nserve:\n%s\nworker:\n%s", log.String(), w1log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := w1.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = w1.Wait()
	if s := stage(t, base, token, "2027-03/match"); s.State != fairmatch.StateRunning {
		t.Fatalf("after the kill the stage is %s", s.State)
	}
	w2, w2log := startWorker("rescuer")
	s := waitStage(t, base, token, "2027-03/match", 90*time.Second)
	if s.State != fairmatch.StateDone || s.Attempts != 1 {
		t.Fatalf("match after the rescue: %+v", s)
	}
	if !strings.Contains(log.String(), "worker=rescuer") {
		t.Errorf("the job was not finished by the new worker:\n%s", log.String())
	}
	for _, name := range []string{"agenda", "publish"} {
		if s := runStage(t, base, token, "2027-03", name, 2*time.Minute); s.State != fairmatch.StateDone {
			t.Fatalf("%s: %+v", name, s)
		}
	}
	status, body := httpDo(t, "GET", base+"/api/fairs/2027-03/agenda", token, nil)
	if status != 200 {
		t.Fatalf("agenda: %d %s", status, body)
	}
	var a fairmatch.Agenda
	if err := json.Unmarshal(body, &a); err != nil || len(a.Meetings) == 0 {
		t.Fatalf("agenda: %v, %d meetings", err, len(a.Meetings))
	}
	seen := map[string]bool{}
	for _, m := range a.Meetings {
		pair := m.Enterprise + "/" + m.University
		if seen[pair] || seen[m.ID] {
			t.Errorf("meeting %s (%s) appears twice", m.ID, pair)
		}
		seen[pair], seen[m.ID] = true, true
	}
	// The match result was applied once, though two workers ran the job.
	waitMetrics(t, base, `fairmatch_jobs_finished_total{kind="match",outcome="done"} 1`)

	// SIGTERM stops a worker cleanly.
	if err := w2.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- w2.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("worker after SIGTERM: %v\n%s", err, w2log.String())
		}
	case <-time.After(20 * time.Second):
		t.Errorf("worker still running 20s after SIGTERM\n%s", w2log.String())
	}
}

// waitMetrics waits until /metrics shows every wanted line: a result's
// counters move just after its stage is stored as done.
func waitMetrics(t *testing.T, base string, wants ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body := httpDo(t, "GET", base+"/metrics", "", nil)
		var missing []string
		for _, w := range wants {
			if !strings.Contains(string(body), w) {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics lack %s:\n%s", strings.Join(missing, ", "), grep(string(body), "fairmatch_"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestRestartFiresMissedStageOnce stops serve before a stage is due and
// starts it after, with an injected clock: the stage fires once.
func TestRestartFiresMissedStageOnce(t *testing.T) {
	data := t.TempDir()
	key := "2027-01/call-opens" // due 2026-12-01 09:00 Asia/Shanghai
	// serveAt runs serve at a fixed time until the stage has settled: fired
	// and done when it is due, else still pending after the start-up tick.
	serveAt := func(now time.Time) fairmatch.Stage {
		t.Helper()
		var st fairmatch.Stage
		t.Run(now.Format("01-02T15:04"), func(t *testing.T) {
			base, token, log := startServeLog(t, fixedMain(now), "--config", examplePlan, "--data", data, "--tick", "@every 1h", "-v")
			deadline := time.Now().Add(30 * time.Second)
			for {
				st = stage(t, base, token, key)
				if st.State == fairmatch.StateDone || st.State == fairmatch.StateFailed {
					break
				}
				if st.State == fairmatch.StatePending && now.Before(st.Due) && strings.Contains(log.String(), "scheduler ticked") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("stage still %s\n%s", st.State, log.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
		return st
	}
	if s := serveAt(before2027()); s.State != fairmatch.StatePending || s.Attempts != 0 {
		t.Fatalf("before it is due: %+v", s)
	}
	after := before2027().Add(11 * 24 * time.Hour) // 2026-12-01 12:00
	s := serveAt(after)
	if s.State != fairmatch.StateDone || s.Attempts != 1 || !s.Fired.Equal(after) {
		t.Fatalf("after a restart past its due time: %+v", s)
	}
	if s2 := serveAt(after.Add(time.Hour)); s2.Attempts != 1 || !s2.Fired.Equal(s.Fired) {
		t.Fatalf("a second restart fired it again: %+v", s2)
	}
}
