package main

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
)

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

func TestScoreCommand(t *testing.T) {
	dir := t.TempDir()
	// PR039 (laser weld porosity) against the offering in the professors'
	// words, an unrelated one, an expert and a university.
	pairs := writeTestFile(t, filepath.Join(dir, "pairs.csv"), "problem,target\nPR039,O075\nPR039,O037\nPR039,P-U01-1\nPR039,U01\n")
	out := filepath.Join(dir, "scores.csv")
	if _, stderr, err := run(t, nil, "score", "--data", exampleDataset, "--pairs", pairs, "--out", out); err != nil {
		t.Fatalf("score: %v\n%s", err, stderr)
	}
	rows := readCSV(t, out)
	if len(rows) != 5 || strings.Join(rows[0], ",") != "problem,target,score,why" {
		t.Fatalf("scores: %v", rows)
	}
	score := func(i int) float64 {
		v, err := strconv.ParseFloat(rows[i][2], 64)
		if err != nil {
			t.Fatalf("row %d score %q", i, rows[i][2])
		}
		return v
	}
	if rows[1][1] != "O075" || rows[4][1] != "U01" {
		t.Errorf("rows out of input order: %v", rows)
	}
	if score(1) <= score(2) {
		t.Errorf("laser-weld offering %.3f does not beat the unrelated one %.3f", score(1), score(2))
	}
	if rows[1][3] == "" {
		t.Errorf("no why for a relevant pair")
	}
	// With the plan's thesaurus, 激光焊接 (the enterprise's words) meets 激光焊 (the professor's).
	outTh := filepath.Join(dir, "scores-th.csv")
	if _, stderr, err := run(t, nil, "score", "--data", exampleDataset, "--pairs", pairs, "--out", outTh,
		"--thesaurus", "../../configs/example-thesaurus.yaml"); err != nil {
		t.Fatalf("score --thesaurus: %v\n%s", err, stderr)
	}
	th := readCSV(t, outTh)
	if v, _ := strconv.ParseFloat(th[1][2], 64); v <= score(1) || !strings.Contains(th[1][3], "≈") {
		t.Errorf("with the thesaurus PR039–O075 scores %s (%s), without %.3f", th[1][2], th[1][3], score(1))
	}
	bad := writeTestFile(t, filepath.Join(dir, "bad.csv"), "problem,target\nPR039,O075\nPR999,O075\nPR039,\n")
	_, _, err := run(t, nil, "score", "--data", exampleDataset, "--pairs", bad, "--out", filepath.Join(dir, "never.csv"))
	if err == nil || !strings.Contains(err.Error(), "bad.csv") || !strings.Contains(err.Error(), "PR999") || !strings.Contains(err.Error(), "row 4") {
		t.Errorf("bad pairs: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "never.csv")); !os.IsNotExist(err) {
		t.Errorf("a failed score left an output file")
	}
}

func TestAssignCommand(t *testing.T) {
	dir := t.TempDir()
	scores := writeTestFile(t, filepath.Join(dir, "scores.csv"), "left,right,score\nE1,U1,0.9\nE1,U2,0.8\nE2,U1,0.85\nE3,U2,0.1\n")
	bounds := writeTestFile(t, filepath.Join(dir, "bounds.csv"), "id,min,max\nU1,0,1\nU2,0,1\nE3,1,1\n")
	out := filepath.Join(dir, "assign.csv")
	if _, stderr, err := run(t, nil, "assign", "--scores", scores, "--bounds", bounds, "--out", out); err != nil {
		t.Fatalf("assign: %v\n%s", err, stderr)
	}
	// E3 must get U2, so U1 goes to the better of E1 and E2: E1 (0.9).
	got := map[string]bool{}
	for _, r := range readCSV(t, out)[1:] {
		got[r[0]+"-"+r[1]] = true
	}
	if len(got) != 2 || !got["E1-U1"] || !got["E3-U2"] {
		t.Errorf("assignment %v, want E1-U1 and E3-U2", got)
	}
	impossible := writeTestFile(t, filepath.Join(dir, "impossible.csv"), "id,min,max\nE1,3,3\n")
	if _, _, err := run(t, nil, "assign", "--scores", scores, "--bounds", impossible, "--out", out); err == nil || !strings.Contains(err.Error(), "E1") {
		t.Errorf("impossible bounds: %v", err)
	}
	if _, _, err := run(t, nil, "assign", "--scores", scores, "--out", out, "--objective", "best"); exitCode(err) != 2 {
		t.Errorf("unknown objective: %v", err)
	}
}

func TestAgendaCommand(t *testing.T) {
	dir := t.TempDir()
	req := writeTestFile(t, filepath.Join(dir, "req.json"), `{
  "slots": 4, "tables": 2,
  "sessions": [{"name": "morning", "first": 1, "last": 2}, {"name": "afternoon", "first": 3, "last": 4}],
  "participants": [{"id": "a", "unavailable": [1]}],
  "meetings": [
    {"id": "m1", "attendees": ["a", "b"]},
    {"id": "m2", "attendees": ["a", "c"], "session": "afternoon"},
    {"id": "m3", "attendees": ["b", "c"], "after": ["m1"]}
  ]
}`)
	out := filepath.Join(dir, "res.json")
	if _, stderr, err := run(t, nil, "agenda", "--in", req, "--out", out, "--time-limit", "5s"); err != nil {
		t.Fatalf("agenda: %v\n%s", err, stderr)
	}
	var res struct {
		Status   string
		Meetings []struct {
			ID          string
			Slot, Table int
		}
	}
	readJSON(t, out, &res)
	if res.Status != "optimal" && res.Status != "feasible" || len(res.Meetings) != 3 {
		t.Fatalf("result %+v", res)
	}
	if chk := checkerPath("check-agenda"); chk != "" {
		if b, err := exec.Command("python3", chk, req, out).CombinedOutput(); err != nil {
			t.Errorf("check-agenda: %v\n%s", err, b)
		}
	}
	// Re-planning after a cancellation moves nothing.
	cancelled := writeTestFile(t, filepath.Join(dir, "cancelled.json"), `{
  "slots": 4, "tables": 2,
  "sessions": [{"name": "morning", "first": 1, "last": 2}, {"name": "afternoon", "first": 3, "last": 4}],
  "participants": [{"id": "a", "unavailable": [1]}],
  "meetings": [
    {"id": "m1", "attendees": ["a", "b"]},
    {"id": "m2", "attendees": ["a", "c"], "session": "afternoon"}
  ]
}`)
	replanned := filepath.Join(dir, "replanned.json")
	_, stderr, err := run(t, nil, "agenda", "--in", cancelled, "--out", replanned, "--keep", out)
	if err != nil || !strings.Contains(stderr, "0 moved") {
		t.Fatalf("agenda --keep: %v\n%s", err, stderr)
	}
	var again struct {
		Meetings []struct {
			ID          string
			Slot, Table int
		}
	}
	readJSON(t, replanned, &again)
	for _, m := range again.Meetings {
		for _, old := range res.Meetings {
			if m.ID == old.ID && m.Slot != old.Slot {
				t.Errorf("%s moved from slot %d to %d after a cancellation", m.ID, old.Slot, m.Slot)
			}
		}
	}
	if _, _, err := run(t, nil, "agenda", "--in", cancelled, "--out", replanned, "--keep", req); err == nil || !strings.Contains(err.Error(), "not an agenda result") {
		t.Errorf("--keep with a request instead of a result: %v", err)
	}
	bad := writeTestFile(t, filepath.Join(dir, "bad.json"), `{"slots": 4, "tables": 2, "meetings": [{"id": "m1", "attendees": ["a"], "slot": 9}]}`)
	if _, _, err := run(t, nil, "agenda", "--in", bad, "--out", out); err == nil || !strings.Contains(err.Error(), "bad.json") || !strings.Contains(err.Error(), "slot") {
		t.Errorf("bad request: %v", err)
	}
}

func TestExportAndBackupCommands(t *testing.T) {
	data := t.TempDir()
	// A published fair in a kept data directory.
	if _, stderr, err := run(t, nil, "run", "--config", examplePlan, "--dataset", exampleDataset, "--fair", "2027-05",
		"--out", t.TempDir(), "--data", data); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr)
	}
	out := t.TempDir()
	stdout, _, err := run(t, nil, "export", "--data", data, "--fair", "2027-05", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	var a fairmatch.Agenda
	readJSON(t, filepath.Join(out, "agenda.json"), &a)
	if a.Fair != "2027-05" || len(a.Meetings) == 0 || !strings.Contains(stdout, "agenda.json") {
		t.Errorf("export: %q, %d meetings", stdout, len(a.Meetings))
	}
	if _, _, err := run(t, nil, "export", "--data", data, "--fair", "2027-07", "--out", out); fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
		t.Errorf("export of an unpublished fair: %v", err)
	}
	// Backup of an idle store, then through a running service.
	copy1 := filepath.Join(t.TempDir(), "copy.db")
	if _, _, err := run(t, nil, "backup", "--data", data, "--out", copy1); err != nil {
		t.Fatal(err)
	}
	base, token := startServe(t, fixedMain(before2027()), "--config", examplePlan, "--data", data)
	copy2 := filepath.Join(t.TempDir(), "copy.db")
	env := map[string]string{"FAIRMATCH_ADMIN_TOKEN": token}
	if _, _, err := run(t, nil, "backup", "--data", data, "--out", copy2, "--server", base); err == nil || !strings.Contains(err.Error(), "FAIRMATCH_ADMIN_TOKEN") {
		t.Errorf("backup of a held store without a token: %v", err)
	}
	if stdout, _, err := run(t, env, "backup", "--data", data, "--out", copy2, "--server", base); err != nil || !strings.Contains(stdout, "running service") {
		t.Fatalf("backup through the service: %v %s", err, stdout)
	}
	for _, c := range []string{copy1, copy2} {
		db, err := store.Open(c)
		if err != nil {
			t.Fatal(err)
		}
		var got *fairmatch.Agenda
		err = db.View(func(tx *store.Tx) (err error) { got, err = tx.Agenda("2027-05"); return err })
		db.Close()
		if err != nil || len(got.Meetings) != len(a.Meetings) {
			t.Errorf("%s: %v, agenda with %d meetings", c, err, len(got.Meetings))
		}
	}
}

func TestServeDev(t *testing.T) {
	data := t.TempDir()
	if _, _, err := run(t, nil, "serve", "--config", examplePlan, "--data", data, "--http", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "FAIRMATCH_ADMIN_TOKEN") {
		t.Fatalf("serve without a token: %v", err)
	}
	m := fixedMain(before2027())
	m.Getenv = func(string) string { return "" }
	base, token, log := startServeLog(t, m, "--dev", "--data", data)
	if len(token) < 16 || !strings.Contains(log.String(), token) {
		t.Errorf("dev token %q not printed", token)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(log.String(), "fair 2027-01 published") {
		if time.Now().After(deadline) {
			t.Fatalf("dev mode published nothing:\n%s", log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	status, body := httpDo(t, "GET", base+"/api/fairs/2027-01/agenda", token, nil)
	var a fairmatch.Agenda
	if status != 200 || json.Unmarshal(body, &a) != nil || len(a.Meetings) == 0 {
		t.Fatalf("dev agenda: %d %.200s", status, body)
	}
	// A printed participant link signs its person in and lands on a clean
	// address showing their schedule.
	i := strings.Index(log.String(), base+"/l/")
	if i < 0 {
		t.Fatalf("no participant link printed:\n%s", log.String())
	}
	link := strings.Fields(log.String()[i:])[0]
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Contains(resp.Request.URL.String(), "/l/") || !strings.Contains(string(page), "2027-01") {
		t.Errorf("participant link %s: %d at %s", link, resp.StatusCode, resp.Request.URL)
	}
}

func TestAssignFairCommand(t *testing.T) {
	dir := t.TempDir()
	// E2 can only meet U1. The total is largest with E1–U1 alone (0.9 against
	// 0.1+0.5); fair gives every enterprise something first: E1–U2 and E2–U1.
	scores := writeTestFile(t, filepath.Join(dir, "scores.csv"), "left,right,score\nE1,U1,0.9\nE1,U2,0.1\nE2,U1,0.5\n")
	bounds := writeTestFile(t, filepath.Join(dir, "bounds.csv"), "id,min,max\nE1,0,1\nE2,0,1\nU1,0,1\nU2,0,1\n")
	out := filepath.Join(dir, "assign.csv")
	chosen := func(args ...string) map[string]bool {
		t.Helper()
		if _, stderr, err := run(t, nil, append([]string{"assign", "--scores", scores, "--bounds", bounds, "--out", out}, args...)...); err != nil {
			t.Fatalf("assign %v: %v\n%s", args, err, stderr)
		}
		got := map[string]bool{}
		for _, r := range readCSV(t, out)[1:] {
			got[r[0]+"-"+r[1]] = true
		}
		return got
	}
	if got := chosen("--objective", "fair"); len(got) != 2 || !got["E1-U2"] || !got["E2-U1"] {
		t.Errorf("fair assignment %v, want E1-U2 and E2-U1", got)
	}
	if got := chosen("--objective", "total"); len(got) != 1 || !got["E1-U1"] {
		t.Errorf("total assignment %v, want E1-U1 alone", got)
	}
}
