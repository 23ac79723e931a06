package report_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/report"
)

// zone generates a year of a zone ten times the example's size over: 3,000
// enterprises in 8 parks, 60 universities, 9,000 problems, and six fairs of
// 2,000 proposals each, 1,800 of them published with declines and outcome
// reports.
func zone(tb testing.TB) report.Input {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	const (
		enterprises  = 3000
		universities = 60
		problems     = 9000
		offerings    = 1200
		fairs        = 6
		proposals    = 2000
		published    = 1800
	)
	ds := &fairmatch.Dataset{}
	for i := range enterprises {
		id := fmt.Sprintf("E%04d", i)
		ds.Enterprises = append(ds.Enterprises, fairmatch.Enterprise{ID: id, Name: "企业" + id, Park: fmt.Sprintf("园区%d", i%8)})
		for j := range 2 {
			ds.People = append(ds.People, fairmatch.Person{ID: fmt.Sprintf("P-%s-%d", id, j), Org: id, Role: fairmatch.RoleRepresentative})
		}
	}
	for i := range universities {
		id := fmt.Sprintf("U%02d", i)
		ds.Universities = append(ds.Universities, fairmatch.University{ID: id, Name: "大学" + id})
		for j := range 10 {
			ds.People = append(ds.People, fairmatch.Person{ID: fmt.Sprintf("P-%s-%d", id, j), Org: id, Role: fairmatch.RoleExpert})
		}
	}
	for i := range offerings {
		ds.Offerings = append(ds.Offerings, fairmatch.Offering{ID: fmt.Sprintf("O%04d", i), University: fmt.Sprintf("U%02d", i%universities)})
	}
	fairID := func(i int) string { return fmt.Sprintf("2027-%02d", 2*i+1) }
	for i := range problems {
		p := fairmatch.Problem{ID: fmt.Sprintf("Q%05d", i), Enterprise: fmt.Sprintf("E%04d", rng.IntN(enterprises))}
		if rng.IntN(4) > 0 {
			p.Fairs = []string{fairID(rng.IntN(fairs))}
		}
		ds.Problems = append(ds.Problems, p)
	}
	in := report.Input{Year: 2027, Dataset: ds}
	for f := range fairs {
		fd := report.FairData{Fair: fairmatch.Fair{ID: fairID(f), Timezone: "Asia/Shanghai", Start: time.Date(2027, time.Month(2*f+1), 15, 1, 0, 0, 0, time.UTC)},
			Agenda: &fairmatch.Agenda{Fair: fairID(f)}}
		for i := range proposals {
			e, u := rng.IntN(enterprises), rng.IntN(universities)
			pp := fairmatch.Proposal{Enterprise: fmt.Sprintf("E%04d", e), University: fmt.Sprintf("U%02d", u)}
			for range 2 {
				pp.Items = append(pp.Items, fairmatch.MeetingItem{Problem: fmt.Sprintf("Q%05d", rng.IntN(problems)), Offering: fmt.Sprintf("O%04d", rng.IntN(offerings))})
			}
			fd.Proposals = append(fd.Proposals, pp)
			if i >= published {
				continue
			}
			m := fairmatch.Meeting{ID: fmt.Sprintf("M%d-%d", f, i), Enterprise: pp.Enterprise, University: pp.University,
				Attendees: []string{fmt.Sprintf("P-%s-0", pp.Enterprise), fmt.Sprintf("P-%s-%d", pp.University, rng.IntN(10))}}
			fd.Agenda.Meetings = append(fd.Agenda.Meetings, m)
			switch r := rng.IntN(10); {
			case r == 0:
				fd.Responses = append(fd.Responses, fairmatch.Response{Fair: fairID(f), Meeting: m.ID, Person: m.Attendees[1], Kind: fairmatch.ResponseDecline})
			case r < 7:
				fd.Responses = append(fd.Responses, fairmatch.Response{Fair: fairID(f), Meeting: m.ID, Person: m.Attendees[0],
					Kind: fairmatch.ResponseOutcome, Outcome: fairmatch.Outcomes[rng.IntN(len(fairmatch.Outcomes))]})
			}
		}
		in.Fairs = append(in.Fairs, fd)
	}
	return in
}

// BenchmarkCompute measures a year report of the generated zone; meetings/s
// is the published meetings it gets through per second.
func BenchmarkCompute(b *testing.B) {
	in := zone(b)
	var rep report.Report
	for b.Loop() {
		rep = report.Compute(in)
	}
	if rep.Total.Proposed != 6*2000 || rep.Total.Scheduled != 6*1800 {
		b.Fatalf("report of the zone: %+v", rep.Total)
	}
	b.ReportMetric(float64(rep.Total.Scheduled)*float64(b.N)/b.Elapsed().Seconds(), "meetings/s")
}

// BenchmarkWriteXLSX measures the export of the zone's year report.
func BenchmarkWriteXLSX(b *testing.B) {
	rep := report.Compute(zone(b))
	var n int
	for b.Loop() {
		var buf bytes.Buffer
		if err := report.WriteXLSX(&buf, rep); err != nil {
			b.Fatal(err)
		}
		n = buf.Len()
	}
	b.ReportMetric(float64(n), "bytes")
}

// BenchmarkWriteCSV measures the CSV export of the zone's year report.
func BenchmarkWriteCSV(b *testing.B) {
	rep := report.Compute(zone(b))
	for b.Loop() {
		if err := report.WriteCSV(io.Discard, rep); err != nil {
			b.Fatal(err)
		}
	}
}
