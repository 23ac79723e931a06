package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
)

const (
	examplePlan    = "../../configs/fairmatch.yaml"
	exampleDataset = "../../configs/example-dataset.json"
)

// syncBuffer is an io.Writer safe for the goroutines of a running command.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// run runs fairmatch in-process and returns its stdout, stderr and error.
func run(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr syncBuffer
	m := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }, Now: time.Now}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	err := m.Run(ctx, args)
	return stdout.String(), stderr.String(), err
}

func TestPlanJSON(t *testing.T) {
	out, _, err := run(t, nil, "plan", "--config", examplePlan, "--year", "2027", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var fairs []struct {
		ID, Theme  string
		Start, End time.Time
		Stages     []struct {
			Name string
			At   time.Time
		}
	}
	if err := json.Unmarshal([]byte(out), &fairs); err != nil {
		t.Fatalf("plan --json is not JSON: %v\n%s", err, out)
	}
	if len(fairs) != 6 {
		t.Fatalf("%d fairs, want 6", len(fairs))
	}
	for i, f := range fairs {
		if f.Start.Year() != 2027 || f.End.Year() != 2027 || !f.End.After(f.Start) {
			t.Errorf("fair %s: %v – %v not inside 2027", f.ID, f.Start, f.End)
		}
		if i > 0 && !f.Start.After(fairs[i-1].Start) {
			t.Errorf("fair %s out of order", f.ID)
		}
		if f.ID != fmt.Sprintf("2027-%02d", 2*i+1) || f.Theme == "" {
			t.Errorf("fair %d: id %q theme %q", i, f.ID, f.Theme)
		}
		if len(f.Stages) < 5 {
			t.Fatalf("fair %s has %d stages", f.ID, len(f.Stages))
		}
		for j := 1; j < len(f.Stages); j++ {
			if f.Stages[j].At.Before(f.Stages[j-1].At) {
				t.Errorf("fair %s: stage %s before %s", f.ID, f.Stages[j].Name, f.Stages[j-1].Name)
			}
		}
	}
	if !strings.Contains(out, `"start": "2027-01-15T09:00:00+08:00"`) {
		t.Errorf("start is not RFC 3339 in the fair's zone:\n%.300s", out)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"nonesuch"}, {"plan"}, {"plan", "--config", examplePlan, "stray"}, {"assign", "--scores", "x"}} {
		_, stderr, err := run(t, nil, args...)
		if err == nil || exitCode(err) != 2 {
			t.Errorf("%v: err %v (exit %d), want a usage error", args, err, exitCode(err))
		}
		if len(args) > 0 && args[0] == "nonesuch" && !strings.Contains(stderr, "Commands:") {
			t.Errorf("unknown command prints no usage: %s", stderr)
		}
	}
}

// readJSON decodes a JSON file into v.
func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// checkAgenda checks the published agenda's hard rules against the dataset:
// nobody and no table double-booked, windows respected, no blocked pair, items
// owned by the meeting's enterprise and university.
func checkAgenda(t *testing.T, ds *fairmatch.Dataset, a *fairmatch.Agenda) {
	t.Helper()
	people := map[string]fairmatch.Person{}
	for _, p := range ds.People {
		people[p.ID] = p
	}
	probOwner, offOwner := map[string]string{}, map[string]string{}
	for _, p := range ds.Problems {
		probOwner[p.ID] = p.Enterprise
	}
	for _, o := range ds.Offerings {
		offOwner[o.ID] = o.University
	}
	blocked := map[[2]string]bool{}
	for _, b := range ds.Blocked {
		blocked[[2]string{b.Enterprise, b.University}] = true
	}
	type span struct {
		a, b time.Time
		id   string
	}
	busy := map[string][]span{}
	overlap := func(key string, s span) {
		for _, o := range busy[key] {
			if s.a.Before(o.b) && o.a.Before(s.b) {
				t.Errorf("%s is in %s and %s at once", key, o.id, s.id)
			}
		}
		busy[key] = append(busy[key], s)
	}
	for _, m := range a.Meetings {
		s := span{m.Start, m.End, m.ID}
		if !m.Start.Before(m.End) || len(m.Items) == 0 || len(m.Attendees) == 0 {
			t.Errorf("meeting %s malformed: %+v", m.ID, m)
		}
		if blocked[[2]string{m.Enterprise, m.University}] {
			t.Errorf("blocked pair %s–%s meets", m.Enterprise, m.University)
		}
		for _, it := range m.Items {
			if probOwner[it.Problem] != m.Enterprise || offOwner[it.Offering] != m.University {
				t.Errorf("meeting %s item %+v is not its pair's", m.ID, it)
			}
			if it.Why == "" {
				t.Errorf("meeting %s item %s–%s has no why", m.ID, it.Problem, it.Offering)
			}
		}
		overlap("table "+m.Table, s)
		for _, p := range m.Attendees {
			overlap(p, s)
			wins, limited := people[p].Available.Windows(a.Fair)
			if !limited {
				continue
			}
			local := m.Start.Format("15:04")
			end := m.End.Format("15:04")
			ok := false
			for _, w := range wins {
				if w.From <= local && end <= w.To {
					ok = true
				}
			}
			if !ok {
				t.Errorf("meeting %s %s–%s is outside %s's windows %v", m.ID, local, end, p, wins)
			}
		}
	}
}

// checkerPath returns the shared independent checker, or "" when this is a
// clone without ../shared.
func checkerPath(name string) string {
	p, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "tools", name))
	if err != nil {
		return ""
	}
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	if _, err := exec.LookPath("python3"); err != nil {
		return ""
	}
	return p
}

// httpDo sends a request and returns the status and body.
func httpDo(t *testing.T, method, url, token string, body io.Reader, header ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
