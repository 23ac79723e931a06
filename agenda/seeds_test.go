package agenda

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSeedsB2B is a measurement, not an assertion of speed: with
// AGENDA_SEEDS set (to the number of seeds, from 0), it solves every b2b
// instance (only those whose name contains AGENDA_ONLY, when set) once per
// seed with a 20-second limit and logs, per instance, the seconds each seed
// took to the proven optimum ("–" when it ended unproven). It fails only
// when a result breaks a rule, claims too few breaks, or is rejected by the
// independent checker.
func TestSeedsB2B(t *testing.T) {
	n := 0
	if _, err := fmt.Sscan(os.Getenv("AGENDA_SEEDS"), &n); err != nil || n <= 0 {
		t.Skip("set AGENDA_SEEDS=N to measure seeds 0..N-1 on the b2b instances")
	}
	path := checker(t)
	files, optimum := b2bInstances(t)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		if only := os.Getenv("AGENDA_ONLY"); only != "" && !strings.Contains(name, only) {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		req, err := ParseRequest(file, data)
		if err != nil {
			t.Fatal(err)
		}
		var cells []string
		worst := time.Duration(0)
		for seed := range n {
			start := time.Now()
			res := Solve(t.Context(), req, Options{Seed: int64(seed), TimeLimit: 20 * time.Second})
			took := time.Since(start)
			if v := violations(req, res); len(v) > 0 {
				t.Fatalf("%s seed %d: result breaks rules: %v", name, seed, v[:min(5, len(v))])
			}
			if res.Breaks.Total < optimum[name] {
				t.Fatalf("%s seed %d: %d breaks, below the proven optimum %d", name, seed, res.Breaks.Total, optimum[name])
			}
			runChecker(t, path, req, res)
			if res.Status == StatusOptimal && res.Breaks.Total == optimum[name] {
				cells = append(cells, fmt.Sprintf("%.2f", took.Seconds()))
				worst = max(worst, took)
			} else {
				cells = append(cells, fmt.Sprintf("–(%d %s)", res.Breaks.Total, res.Status))
				worst = 20 * time.Second
			}
		}
		t.Logf("%-22s worst %5.2fs | %s", name, worst.Seconds(), strings.Join(cells, " "))
	}
}
