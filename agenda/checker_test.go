package agenda

import (
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// shared is the project's sibling folder of shared material, seen from this
// package; a user's clone has none.
var shared = filepath.Join("..", "..", "shared")

// checker returns the path of the independent agenda checker, or skips the
// test when it or python3 is missing.
func checker(t testing.TB) string {
	t.Helper()
	path := filepath.Join(shared, "tools", "check-agenda")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no independent checker at %s", path)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3 for the independent checker")
	}
	return path
}

// b2bInstances returns the b2b benchmark instances and their published
// optima, or skips when they are missing.
func b2bInstances(t testing.TB) (files []string, optimum map[string]int) {
	t.Helper()
	dir := filepath.Join(shared, "bench", "b2b")
	files, _ = filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Skipf("no b2b instances in %s", dir)
	}
	f, err := os.Open(filepath.Join(dir, "optima.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	optimum = map[string]int{}
	for _, row := range rows[1:] {
		n, err := strconv.Atoi(row[1])
		if err != nil {
			t.Fatalf("optima.csv: %v", err)
		}
		optimum[row[0]] = n
	}
	return files, optimum
}

// runChecker writes req and res to files and runs the checker on them.
func runChecker(t *testing.T, path string, req *Request, res *Result) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, v any) string {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	out, err := exec.Command("python3", path, write("req.json", req), write("res.json", res)).CombinedOutput()
	if err != nil {
		t.Fatalf("check-agenda rejects the result: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestIndependentCheckerB2B(t *testing.T) {
	path := checker(t)
	files, optimum := b2bInstances(t)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			req, err := ParseRequest(file, data)
			if err != nil {
				t.Fatal(err)
			}
			res := Solve(t.Context(), req, Options{Seed: 1, TimeLimit: time.Second})
			if res.Status != StatusOptimal && res.Status != StatusFeasible {
				t.Fatalf("status %s (%s): every b2b instance has a schedule", res.Status, res.Reason)
			}
			if best, ok := optimum[name]; ok && res.Breaks.Total < best {
				t.Errorf("%d breaks, below the proven optimum %d", res.Breaks.Total, best)
			}
			t.Logf("%s; published optimum %d", runChecker(t, path, req, res), optimum[name])
		})
	}
}

func TestIndependentCheckerRandom(t *testing.T) {
	path := checker(t)
	rng := rand.New(rand.NewPCG(99, 1))
	for i := range 40 {
		req := randomRequest(rng, 4+rng.IntN(30), 12, i%2 == 0)
		res := Solve(t.Context(), req, Options{Seed: int64(i), TimeLimit: 50 * time.Millisecond})
		runChecker(t, path, req, res)
	}
}
