package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the fairmatch command once for tests that need a real
// second process.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fairmatch-bin-*")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "fairmatch")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			binPath = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, binPath)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" && buildErr == nil {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// writePlan writes a year plan into dir with the example thesaurus it names
// beside it, and returns its path.
func writePlan(t testing.TB, dir, content string) string {
	t.Helper()
	th, err := os.ReadFile("../../configs/example-thesaurus.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "example-thesaurus.yaml"), th, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// storedCounts reads how many problems and offerings a data dir holds.
func storedCounts(t *testing.T, dataDir string) (int, int) {
	t.Helper()
	db, err := store.Open(storePath(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ds *fairmatch.Dataset
	if err := db.View(func(tx *store.Tx) (err error) { ds, err = tx.Dataset(); return err }); err != nil {
		t.Fatal(err)
	}
	return len(ds.Problems), len(ds.Offerings)
}

func writeTestFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBadInputChangesNothing(t *testing.T) {
	data := t.TempDir()
	if _, stderr, err := run(t, nil, "import", "--data", data, exampleDataset); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	p0, o0 := storedCounts(t, data)
	if p0 == 0 || o0 == 0 {
		t.Fatalf("example import stored %d problems, %d offerings", p0, o0)
	}
	example, err := os.ReadFile(exampleDataset)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// A broken record in JSON: a problem of an unknown enterprise, among good ones.
	broken := strings.Replace(string(example), `"enterprise": "E001"`, `"enterprise": "E999"`, 1)
	if broken == string(example) {
		t.Fatal("example dataset has no problem of E001")
	}
	brokenJSON := writeTestFile(t, filepath.Join(dir, "broken.json"), broken)
	// An unknown key.
	typo := writeTestFile(t, filepath.Join(dir, "typo.json"), strings.Replace(string(example), `"title"`, `"titel"`, 1))
	// CSV with invalid UTF-8 in a field.
	csvDir := filepath.Join(dir, "csv")
	writeTestFile(t, filepath.Join(csvDir, "enterprises.csv"), "id,name,park\nE001,潞安精工,precision-manufacturing\nE100,\xff\xfe坏,5g\n")

	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"dangling reference", []string{"import", "--data", data, brokenJSON}, []string{"broken.json", "problems[", "enterprise", "E999"}},
		{"unknown key", []string{"import", "--data", data, typo}, []string{"typo.json", "titel"}},
		{"invalid UTF-8 in CSV", []string{"import", "--data", data, csvDir}, []string{"enterprises.csv", "row 3", "name", "UTF-8"}},
		{"run with a broken record", []string{"run", "--config", examplePlan, "--dataset", brokenJSON, "--fair", "2027-03", "--out", t.TempDir()}, []string{"broken.json", "E999"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := run(t, nil, tc.args...)
			if err == nil {
				t.Fatal("no error")
			}
			if exitCode(err) == 0 {
				t.Error("exit code 0")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if p, o := storedCounts(t, data); p != p0 || o != o0 {
				t.Errorf("store changed: %d problems, %d offerings; was %d, %d", p, o, p0, o0)
			}
		})
	}
}

func TestBadConfig(t *testing.T) {
	base, err := os.ReadFile(examplePlan)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name, from, to string
		want           []string
	}{
		{"unknown key", "  tables: 12", "  tables: 12\n  tabels: 3", []string{"plan.yaml", "line", "day.tabels", "unknown key"}},
		{"invalid cron", `cron: "0 9 15 */2 *"`, `cron: "0 9 32 */2 *"`, []string{"plan.yaml", "fairs.cron", "invalid cron spec"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writePlan(t, filepath.Join(dir, tc.name), strings.Replace(string(base), tc.from, tc.to, 1))
			for _, args := range [][]string{
				{"plan", "--config", path, "--year", "2027"},
				{"run", "--config", path, "--dataset", exampleDataset, "--fair", "2027-03", "--out", t.TempDir()},
				{"serve", "--config", path, "--data", t.TempDir(), "--http", "127.0.0.1:0"},
			} {
				_, _, err := run(t, map[string]string{"FAIRMATCH_ADMIN_TOKEN": "0123456789abcdef0123"}, args...)
				if err == nil || exitCode(err) == 0 {
					t.Fatalf("%s: no error", args[0])
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s: error lacks %q:\n%v", args[0], w, err)
					}
				}
			}
		})
	}
}

// startServe runs serve in-process until the test ends; it returns the HTTP
// base URL and the admin token.
func startServe(t *testing.T, m *Main, args ...string) (string, string) {
	base, token, _ := startServeLog(t, m, args...)
	return base, token
}

// startServeLog is startServe that also returns serve's log.
func startServeLog(t *testing.T, m *Main, args ...string) (string, string, *syncBuffer) {
	t.Helper()
	ready := make(chan [2]string, 1)
	stderr := new(syncBuffer)
	if m == nil {
		m = &Main{Now: time.Now}
	}
	m.Stdout, m.Stderr = stderr, stderr
	if m.Getenv == nil {
		m.Getenv = func(k string) string {
			if k == "FAIRMATCH_ADMIN_TOKEN" {
				return "test-token-0123456789"
			}
			return ""
		}
	}
	m.Ready = func(addr, token string) { ready <- [2]string{addr, token} }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, append([]string{"serve", "--http", "127.0.0.1:0"}, args...)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v\n%s", err, stderr.String())
			}
		case <-time.After(30 * time.Second):
			t.Errorf("serve did not stop\n%s", stderr.String())
		}
	})
	select {
	case r := <-ready:
		return "http://" + r[0], r[1], stderr
	case err := <-done:
		t.Fatalf("serve stopped: %v\n%s", err, stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve not ready\n%s", stderr.String())
	}
	return "", "", nil
}

func TestSecondProcessOnSameDataDir(t *testing.T) {
	bin := binary(t)
	data := t.TempDir()
	base, token := startServe(t, nil, "--config", examplePlan, "--data", data)
	for _, args := range [][]string{
		{"import", "--data", data, exampleDataset},
		{"serve", "--config", examplePlan, "--data", data, "--http", "127.0.0.1:0"},
	} {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "FAIRMATCH_ADMIN_TOKEN=test-token-0123456789")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		elapsed := time.Since(start)
		if err == nil {
			t.Fatalf("%s on a held data dir succeeded:\n%s", args[0], out)
		}
		if !strings.Contains(string(out), "in use") || !strings.Contains(string(out), "fairmatch.db") {
			t.Errorf("%s: message does not say the data file is in use:\n%s", args[0], out)
		}
		if elapsed > 10*time.Second {
			t.Errorf("%s took %v to give up", args[0], elapsed)
		}
	}
	if p, _ := storedCountsLive(t, base, token); p != 0 {
		t.Errorf("refused import stored %d problems", p)
	}
}

// storedCountsLive reads a running service's store through its backup API.
func storedCountsLive(t *testing.T, base, token string) (int, int) {
	t.Helper()
	status, body := httpDo(t, "GET", base+"/api/backup", token, nil)
	if status != 200 {
		t.Fatalf("backup: %d %s", status, body)
	}
	dir := t.TempDir()
	writeTestFile(t, storePath(dir), string(body))
	return storedCounts(t, dir)
}
