package matcher

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
)

// The LP reference: GLPK's glpsol (Debian package glpk-utils) solves the LP
// relaxation of an assignment, which the bounds make integral (the
// constraint matrix of a bipartite graph is totally unimodular), so its
// optimum is the exact optimum of Assign with Total.

// glpsolPath returns glpsol's path, or skips the test when it is missing.
func glpsolPath(tb testing.TB) string {
	path, err := exec.LookPath("glpsol")
	if err != nil {
		tb.Skip("glpsol not on PATH (install Debian's glpk-utils): LP reference skipped")
	}
	return path
}

// fairMIP turns writeLP's model into the integer program of one phase of
// the Fair objective over the counted lefts: with Phase 1, maximize a free
// variable tt that every counted left's sum must reach; with Phase 2,
// maximize the total with every counted left's sum at least Target.
type fairMIP struct {
	Counted map[string]bool
	Phase   int
	Target  float64
}

// coef formats a coefficient with its sign and without an exponent.
func coef(v float64) string {
	c := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.HasPrefix(c, "-") {
		c = "+" + c
	}
	return c
}

// writeLP writes the assignment as a CPLEX LP model: a variable in [0,1]
// per pair, and per bounded id a row for its minimum and one for its
// maximum; with fair, the binary program of that phase instead. A variable
// z fixed at 0 stands in for an empty sum.
func writeLP(w io.Writer, pairs []Pair, bounds []Bound, fair *fairMIP) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "Maximize")
	fmt.Fprint(bw, " obj: 0 z") // z = 0 keeps the objective and empty rows well formed
	if fair != nil && fair.Phase == 1 {
		fmt.Fprint(bw, " + tt")
	}
	vars := map[string][]int{}
	for k, p := range pairs {
		if fair == nil || fair.Phase == 2 {
			fmt.Fprintf(bw, " %s x%d", coef(p.Score), k)
			if k%8 == 7 {
				fmt.Fprint(bw, "\n ")
			}
		}
		vars[p.Left] = append(vars[p.Left], k)
		vars[p.Right] = append(vars[p.Right], k)
	}
	fmt.Fprintln(bw, "\nSubject To\n zero: + z = 0") // GLPK wants at least one row
	if fair != nil {
		lefts := slices.Sorted(maps.Keys(fair.Counted))
		for n, l := range lefts {
			fmt.Fprintf(bw, " sum%d:", n)
			for m, k := range vars[l] {
				fmt.Fprintf(bw, " %s x%d", coef(pairs[k].Score), k)
				if m%8 == 7 {
					fmt.Fprint(bw, "\n ")
				}
			}
			if fair.Phase == 1 {
				fmt.Fprintln(bw, " - tt >= 0")
			} else {
				fmt.Fprintf(bw, " >= %s\n", coef(fair.Target))
			}
		}
	}
	row := func(name string, ks []int, sense string, rhs int) {
		fmt.Fprintf(bw, " %s:", name)
		if len(ks) == 0 {
			fmt.Fprint(bw, " 0 z") // a row without variables: 0 against rhs
		}
		for n, k := range ks {
			fmt.Fprintf(bw, " + x%d", k)
			if n%16 == 15 {
				fmt.Fprint(bw, "\n ")
			}
		}
		fmt.Fprintf(bw, " %s %d\n", sense, rhs)
	}
	for n, b := range bounds {
		if b.Min > 0 {
			row(fmt.Sprintf("lo%d", n), vars[b.ID], ">=", b.Min)
		}
		if b.Max >= 0 {
			row(fmt.Sprintf("hi%d", n), vars[b.ID], "<=", b.Max)
		}
	}
	fmt.Fprintln(bw, "Bounds\n z = 0")
	if fair != nil && fair.Phase == 1 {
		fmt.Fprintln(bw, " tt free")
	}
	for k := range pairs {
		fmt.Fprintf(bw, " 0 <= x%d <= 1\n", k)
	}
	if fair != nil {
		fmt.Fprint(bw, "Binaries\n")
		for k := range pairs {
			fmt.Fprintf(bw, " x%d\n", k)
		}
	}
	fmt.Fprintln(bw, "End")
	return bw.Flush()
}

// errLPInfeasible reports an LP without a feasible solution.
var errLPInfeasible = errors.New("LP infeasible")

// solveLP runs glpsol on the instance (or on the program of one phase of
// Fair) and returns the optimum.
func solveLP(ctx context.Context, glpsol, dir string, pairs []Pair, bounds []Bound, fair *fairMIP) (float64, error) {
	model, sol := filepath.Join(dir, "model.lp"), filepath.Join(dir, "model.sol")
	f, err := os.Create(model)
	if err != nil {
		return 0, err
	}
	if err := writeLP(f, pairs, bounds, fair); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	// No presolve: its "undefined" status would hide infeasibility.
	out, err := exec.CommandContext(ctx, glpsol, "--lp", model, "--nopresol", "-w", sol).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("glpsol: %v\n%s", err, out)
	}
	data, err := os.ReadFile(sol)
	if err != nil {
		return 0, err
	}
	// The plain solution format: "s bas ROWS COLS PRIMAL DUAL OBJ" with
	// status f (feasible), n (no feasible solution), i (infeasible), u; for
	// a MIP "s mip ROWS COLS STATUS OBJ", o meaning optimal.
	for line := range strings.Lines(string(data)) {
		fs := strings.Fields(line)
		if len(fs) == 6 && fs[0] == "s" && fs[1] == "mip" {
			switch fs[4] {
			case "o":
				return strconv.ParseFloat(fs[5], 64)
			case "n":
				return 0, errLPInfeasible
			}
			return 0, fmt.Errorf("glpsol MIP status %s", fs[4])
		}
		if len(fs) != 7 || fs[0] != "s" || fs[1] != "bas" {
			continue
		}
		switch {
		case fs[4] == "n" || fs[4] == "i":
			return 0, errLPInfeasible
		case fs[4] == "f" && fs[5] == "f":
			return strconv.ParseFloat(fs[6], 64)
		}
		return 0, fmt.Errorf("glpsol status %s/%s", fs[4], fs[5])
	}
	return 0, fmt.Errorf("glpsol: no solution line in\n%s", data)
}

// lpInstance returns a random instance of 2–30 lefts and 2–15 rights with
// scores in [-0.2, 1) and minimums and maximums on about half the ids; some
// are infeasible.
func lpInstance(r *rand.Rand) ([]Pair, []Bound) {
	nl, nr := 2+r.IntN(29), 2+r.IntN(14)
	density := 0.1 + 0.6*r.Float64()
	var pairs []Pair
	for i := range nl {
		for j := range nr {
			if r.Float64() < density {
				pairs = append(pairs, Pair{fmt.Sprintf("L%d", i), fmt.Sprintf("R%d", j), r.Float64()*1.2 - 0.2})
			}
		}
	}
	var bounds []Bound
	add := func(id string, spread int) {
		if r.IntN(2) == 0 {
			return
		}
		b := Bound{ID: id, Min: r.IntN(spread) * r.IntN(2), Max: -1}
		if r.IntN(2) == 0 {
			b.Max = b.Min + r.IntN(spread)
		}
		bounds = append(bounds, b)
	}
	for i := range nl {
		add(fmt.Sprintf("L%d", i), 3)
	}
	for j := range nr {
		add(fmt.Sprintf("R%d", j), 2+nl/nr)
	}
	return pairs, bounds
}

func TestAssignTotalMatchesLP(t *testing.T) {
	glpsol := glpsolPath(t)
	r := rand.New(rand.NewPCG(2027, 3))
	dir := t.TempDir()
	feasible, infeasible := 0, 0
	for it := range 250 {
		pairs, bounds := lpInstance(r)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		want, lpErr := solveLP(ctx, glpsol, dir, pairs, bounds, nil)
		cancel()
		got, err := Assign(context.Background(), pairs, bounds, Total)
		switch {
		case errors.Is(lpErr, errLPInfeasible):
			infeasible++
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
				t.Fatalf("instance %d: LP infeasible, Assign gave %d pairs, error %v", it, len(got), err)
			}
			continue
		case lpErr != nil:
			t.Fatalf("instance %d: %v", it, lpErr)
		case err != nil:
			t.Fatalf("instance %d: LP optimum %v, Assign: %v", it, want, err)
		}
		feasible++
		if err := withinBounds(got, bounds); err != nil {
			t.Fatalf("instance %d: %v", it, err)
		}
		total := 0.0
		for _, p := range got {
			total += p.Score
		}
		if math.Abs(total-want) > 1e-6*max(1, math.Abs(want)) {
			t.Fatalf("instance %d: Assign total %.12g, LP optimum %.12g\npairs %v\nbounds %v", it, total, want, pairs, bounds)
		}
	}
	t.Logf("%d feasible instances equal the LP optimum; %d infeasible for both", feasible, infeasible)
	if feasible < 100 || infeasible < 10 {
		t.Errorf("%d feasible and %d infeasible instances, want ≥ 100 and ≥ 10", feasible, infeasible)
	}
}

// TestAssignFairMatchesMIP checks Fair on instances too large for brute
// force against glpsol's branch and cut on the binary program of each
// phase: the smallest sum, then the total with every counted left at that
// sum (less 1e-9 for rounding).
func TestAssignFairMatchesMIP(t *testing.T) {
	glpsol := glpsolPath(t)
	r := rand.New(rand.NewPCG(2027, 5))
	dir := t.TempDir()
	checked := 0
	for it := 0; checked < 60; it++ {
		pairs, bounds := lpInstance(r)
		if len(pairs) > 150 {
			continue
		}
		got, err := Assign(context.Background(), pairs, bounds, Fair)
		if fairmatch.ErrorCode(err) == fairmatch.EINVALID {
			continue
		}
		if err != nil {
			t.Fatalf("instance %d: %v", it, err)
		}
		counted := countedLefts(pairs, bounds)
		if len(counted) == 0 {
			continue
		}
		checked++
		sums, total := map[string]float64{}, 0.0
		for _, p := range got {
			sums[p.Left] += p.Score
			total += p.Score
		}
		smallest := math.Inf(1)
		for l := range counted {
			smallest = min(smallest, sums[l])
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		wantMin, err1 := solveLP(ctx, glpsol, dir, pairs, bounds, &fairMIP{Counted: counted, Phase: 1})
		wantTotal, err2 := solveLP(ctx, glpsol, dir, pairs, bounds, &fairMIP{Counted: counted, Phase: 2, Target: wantMin - 1e-9})
		cancel()
		if err := errors.Join(err1, err2); err != nil {
			t.Fatalf("instance %d: %v", it, err)
		}
		if math.Abs(smallest-wantMin) > 1e-6 || math.Abs(total-wantTotal) > 1e-6*max(1, math.Abs(wantTotal)) {
			t.Fatalf("instance %d: smallest sum %.12g, total %.12g; MIP %.12g, %.12g\npairs %v\nbounds %v",
				it, smallest, total, wantMin, wantTotal, pairs, bounds)
		}
	}
}

// BenchmarkAssignVsLP times Assign (Total) on 5,000 lefts × 2,000 rights ×
// 200,000 pairs, and glpsol once on the same instance when it is on PATH,
// checking that both reach the same optimum.
func BenchmarkAssignVsLP(b *testing.B) {
	pairs, bounds := largeAssignInstance(rand.New(rand.NewPCG(4, 4)), 5_000, 2_000, 200_000)
	var total float64
	for b.Loop() {
		got, err := Assign(context.Background(), pairs, bounds, Total)
		if err != nil {
			b.Fatal(err)
		}
		total = 0
		for _, p := range got {
			total += p.Score
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/assign")
	glpsol, err := exec.LookPath("glpsol")
	if err != nil {
		b.Log("glpsol not on PATH: LP reference time not measured")
		return
	}
	b.StopTimer()
	start := time.Now()
	want, err := solveLP(context.Background(), glpsol, b.TempDir(), pairs, bounds, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(start).Seconds(), "s/glpsol")
	if math.Abs(total-want) > 1e-6*max(1, math.Abs(want)) {
		b.Fatalf("Assign total %.12g, LP optimum %.12g", total, want)
	}
}
