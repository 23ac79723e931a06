package agenda

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkB2B solves the five real B2B instances of ../shared/bench/b2b
// (skipped without them) with a 10-second limit and reports, per instance,
// the breaks found, the published optimum, whether the result is proven
// optimal (1) or not (0), and the seconds per solve.
func BenchmarkB2B(b *testing.B) {
	files, optimum := b2bInstances(b)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		data, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		req, err := ParseRequest(file, data)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			var res *Result
			start := time.Now()
			for i := 0; b.Loop(); i++ {
				res = Solve(b.Context(), req, Options{Seed: int64(i), TimeLimit: 10 * time.Second})
			}
			took := time.Since(start)
			if res.Status != StatusOptimal && res.Status != StatusFeasible {
				b.Fatalf("status %s: %s", res.Status, res.Reason)
			}
			if v := violations(req, res); len(v) > 0 {
				b.Fatalf("result breaks rules: %v", v[:min(5, len(v))])
			}
			proven := 0.0
			if res.Status == StatusOptimal {
				proven = 1
			}
			b.ReportMetric(float64(res.Breaks.Total), "breaks")
			b.ReportMetric(float64(optimum[name]), "optimum")
			b.ReportMetric(proven, "proven")
			b.ReportMetric(took.Seconds()/float64(b.N), "s/solve")
		})
	}
}

// BenchmarkLargeEvent solves a generated event of 5,000 participants and
// 25,000 meetings in 24 slots with the default time limit, and reports the
// seconds taken by the constructive placement and by the whole solve, the
// breaks after each, and the meetings left out.
func BenchmarkLargeEvent(b *testing.B) {
	req := largeEvent(5000, 25000, 24, 1)
	var res *Result
	var constructed int
	var took, constructing time.Duration
	for b.Loop() {
		b.StopTimer()
		start := time.Now()
		sv := newSolver(b.Context(), compile(req), Options{})
		sv.construct()
		constructing += time.Since(start)
		constructed = sv.st.total
		b.StartTimer()
		start = time.Now()
		res = Solve(b.Context(), req, Options{})
		took += time.Since(start)
	}
	if v := violations(req, res); len(v) > 0 {
		b.Fatalf("result breaks rules: %v", v[:min(5, len(v))])
	}
	b.ReportMetric(constructing.Seconds()/float64(b.N), "s/construct")
	b.ReportMetric(took.Seconds()/float64(b.N), "s/solve")
	b.ReportMetric(float64(constructed), "construct-breaks")
	b.ReportMetric(float64(res.Breaks.Total), "breaks")
	b.ReportMetric(float64(len(res.Unscheduled)), "unscheduled")
}
