package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/dataset"
)

// scaledExample writes the example zone copied n times (ids suffixed, so
// n×36 enterprises and n×6 universities) and a plan with n×12 tables.
func scaledExample(b *testing.B, n int) (plan, data string) {
	b.Helper()
	ds, err := dataset.Load(exampleDataset)
	if err != nil {
		b.Fatal(err)
	}
	var out fairmatch.Dataset
	for k := range n {
		sfx := func(id string) string { return fmt.Sprintf("%s-%d", id, k) }
		sfxAll := func(ids []string) []string {
			r := make([]string, len(ids))
			for i, id := range ids {
				r[i] = sfx(id)
			}
			return r
		}
		for _, e := range ds.Enterprises {
			e.ID, e.Commissioner, e.Attendees = sfx(e.ID), sfx(e.Commissioner), sfxAll(e.Attendees)
			out.Enterprises = append(out.Enterprises, e)
		}
		for _, u := range ds.Universities {
			u.ID, u.Attendees = sfx(u.ID), sfxAll(u.Attendees)
			out.Universities = append(out.Universities, u)
		}
		for _, p := range ds.People {
			p.ID = sfx(p.ID)
			if p.Org != "" {
				p.Org = sfx(p.Org)
			}
			p.Email = fmt.Sprintf("%d.%s", k, p.Email)
			out.People = append(out.People, p)
		}
		for _, p := range ds.Problems {
			p.ID, p.Enterprise, p.Attendees = sfx(p.ID), sfx(p.Enterprise), sfxAll(p.Attendees)
			out.Problems = append(out.Problems, p)
		}
		for _, o := range ds.Offerings {
			o.ID, o.University, o.Experts = sfx(o.ID), sfx(o.University), sfxAll(o.Experts)
			out.Offerings = append(out.Offerings, o)
		}
		for _, x := range ds.Blocked {
			x.Enterprise, x.University = sfx(x.Enterprise), sfx(x.University)
			out.Blocked = append(out.Blocked, x)
		}
	}
	dir := b.TempDir()
	data = filepath.Join(dir, "dataset.json")
	raw, err := json.Marshal(&out)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(data, raw, 0o644); err != nil {
		b.Fatal(err)
	}
	src, err := os.ReadFile(examplePlan)
	if err != nil {
		b.Fatal(err)
	}
	scaled := strings.Replace(string(src), "tables: 12 ", fmt.Sprintf("tables: %d ", 12*n), 1)
	return writePlan(b, dir, scaled), data
}

// BenchmarkRunFair measures `fairmatch run` end to end — import into bbolt,
// match, agenda and publish as jobs through the embedded NATS server and
// two in-process workers, export of every calendar and page — on the
// example zone copied n times.
func BenchmarkRunFair(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(fmt.Sprintf("zones=%d", n), func(b *testing.B) {
			plan, data := scaledExample(b, n)
			var meetings, unscheduled int
			for b.Loop() {
				out := b.TempDir()
				m := &Main{Stdout: new(syncBuffer), Stderr: new(syncBuffer), Getenv: func(string) string { return "" }}
				if err := m.Run(b.Context(), []string{"run", "--config", plan, "--dataset", data, "--fair", "2027-03",
					"--out", out, "--agenda-time-limit", "5s"}); err != nil {
					b.Fatal(err)
				}
				var a fairmatch.Agenda
				raw, err := os.ReadFile(filepath.Join(out, "agenda.json"))
				if err != nil || json.Unmarshal(raw, &a) != nil {
					b.Fatalf("agenda: %v", err)
				}
				meetings, unscheduled = len(a.Meetings), len(a.Unscheduled)
			}
			b.ReportMetric(float64(meetings), "meetings")
			b.ReportMetric(float64(unscheduled), "unscheduled")
			b.ReportMetric(float64(36*n), "enterprises")
		})
	}
}
