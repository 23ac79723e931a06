package matcher

import (
	"bytes"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fairmatch/fairmatch"
)

func TestScoreCSV(t *testing.T) {
	ds, _ := plantedDataset()
	ix := NewIndex(ds)
	in := "problem,target\nPR1,O-PR1\nPR2,U02\nPR3,P-U03-1\nPR1,O-D5\n"
	var out bytes.Buffer
	if err := ScoreCSV(ix, "pairs.csv", strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], []string{"problem", "target", "score", "why"}) {
		t.Fatalf("header %q", recs[0])
	}
	wantPairs := [][2]string{{"PR1", "O-PR1"}, {"PR2", "U02"}, {"PR3", "P-U03-1"}, {"PR1", "O-D5"}}
	if len(recs) != len(wantPairs)+1 {
		t.Fatalf("%d rows, want %d", len(recs), len(wantPairs)+1)
	}
	for i, p := range wantPairs {
		rec := recs[i+1]
		if rec[0] != p[0] || rec[1] != p[1] {
			t.Errorf("row %d is %q, want pair %v in input order", i+2, rec, p)
		}
		s, why, _ := ix.Score(p[0], p[1])
		got, err := strconv.ParseFloat(rec[2], 64)
		if err != nil || got != s || rec[3] != why {
			t.Errorf("row %d: %q, want score %v why %q", i+2, rec, s, why)
		}
	}
}

func TestScoreCSVErrors(t *testing.T) {
	ds, _ := plantedDataset()
	ix := NewIndex(ds)
	type loc struct{ record, field string }
	for _, tc := range []struct {
		name, in string
		want     []loc
	}{
		{"wrong header", "problem,offering\nPR1,O-PR1\n", []loc{{"row 1", ""}}},
		{"empty file", "", []loc{{"", ""}}},
		{"all bad rows", "problem,target\nPR1,O-PR1\nPR9,O-PR1\nPR1,\n,U01\nPR1,nobody\nPR1,O-PR1,extra\nPR1\n",
			[]loc{{"row 3", "problem"}, {"row 4", "target"}, {"row 5", "problem"}, {"row 6", "target"}, {"row 7", ""}, {"row 8", ""}}},
		{"invalid utf-8", "problem,target\nPR1,O\xff\n", []loc{{"row 2", "target"}}},
		{"id with space", "problem,target\nPR1,O PR1\n", []loc{{"row 2", "target"}}},
		{"bare quote", "problem,target\nPR1,\"O-PR1\n", []loc{{"row 2", ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := ScoreCSV(ix, "pairs.csv", strings.NewReader(tc.in), &out)
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
				t.Fatalf("error %v, want EINVALID", err)
			}
			var got []loc
			for _, is := range fairmatch.ErrorIssues(err) {
				if is.File != "pairs.csv" {
					t.Errorf("issue %v does not name the file", is)
				}
				got = append(got, loc{is.Record, is.Field})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("issues at %v, want %v\n%v", got, tc.want, err)
			}
			if out.Len() != 0 {
				t.Errorf("wrote %q despite bad input", out.String())
			}
		})
	}
}

func TestReadScores(t *testing.T) {
	in := "\uFEFFleft,right,score\nE1,U1,0.5\nE1,U2,-1e-3\nE2,U1,2\n"
	got, err := ReadScores("s.csv", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{{"E1", "U1", 0.5}, {"E1", "U2", -1e-3}, {"E2", "U1", 2}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	var buf bytes.Buffer
	if err := WriteAssign(&buf, got); err != nil {
		t.Fatal(err)
	}
	back, err := ReadScores("a.csv", &buf)
	if err != nil || !slices.Equal(back, got) {
		t.Errorf("WriteAssign round trip: %v %v", back, err)
	}

	bad := "left,right,score\nE1,U1,x\nE1,U2,NaN\n,U1,1\nE1,U1,0.3\nE1,U3,Inf\nE1\n"
	_, err = ReadScores("s.csv", strings.NewReader(bad))
	type loc struct{ record, field string }
	var locs []loc
	for _, is := range fairmatch.ErrorIssues(err) {
		locs = append(locs, loc{is.Record, is.Field})
	}
	wantLocs := []loc{{"row 2", "score"}, {"row 3", "score"}, {"row 4", "left"}, {"row 5", "right"}, {"row 6", "score"}, {"row 7", ""}}
	if fairmatch.ErrorCode(err) != fairmatch.EINVALID || !slices.Equal(locs, wantLocs) {
		t.Errorf("issues %v, want %v\n%v", locs, wantLocs, err)
	}
	if !strings.Contains(err.Error(), "already listed in row 2") {
		t.Errorf("duplicate not explained: %v", err)
	}
}

func TestReadBounds(t *testing.T) {
	got, err := ReadBounds("b.csv", strings.NewReader("id,min,max\nE1,1,3\nU1,0,\nU2,,2\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Bound{{"E1", 1, 3}, {"U1", 0, -1}, {"U2", 0, 2}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	_, err = ReadBounds("b.csv", strings.NewReader("id,min,max\nE1,3,1\nE2,-1,\nE3,1,x\nE1,0,\n,0,1\n"))
	type loc struct{ record, field string }
	var locs []loc
	for _, is := range fairmatch.ErrorIssues(err) {
		locs = append(locs, loc{is.Record, is.Field})
	}
	wantLocs := []loc{{"row 2", "max"}, {"row 3", "min"}, {"row 4", "max"}, {"row 5", "id"}, {"row 6", "id"}}
	if fairmatch.ErrorCode(err) != fairmatch.EINVALID || !slices.Equal(locs, wantLocs) {
		t.Errorf("issues %v, want %v\n%v", locs, wantLocs, err)
	}
}

func FuzzReadScores(f *testing.F) {
	f.Add("left,right,score\nE1,U1,0.5\n")
	f.Add("left,right,score\nE1,U1,NaN\nE1,U1,1\n")
	f.Add("left,right\n\"a\n")
	f.Fuzz(func(t *testing.T, in string) {
		pairs, err := ReadScores("f.csv", strings.NewReader(in))
		if err != nil {
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID || len(fairmatch.ErrorIssues(err)) == 0 {
				t.Fatalf("error %v is not EINVALID with issues", err)
			}
			return
		}
		seen := map[[2]string]bool{}
		for _, p := range pairs {
			if p.Left == "" || p.Right == "" || math.IsNaN(p.Score) || math.IsInf(p.Score, 0) {
				t.Fatalf("bad pair accepted: %+v", p)
			}
			if seen[[2]string{p.Left, p.Right}] {
				t.Fatalf("duplicate accepted: %+v", p)
			}
			seen[[2]string{p.Left, p.Right}] = true
		}
		// What was read writes and reads back the same.
		var buf bytes.Buffer
		if err := WriteAssign(&buf, pairs); err != nil {
			t.Fatal(err)
		}
		back, err := ReadScores("g.csv", &buf)
		if err != nil || !slices.Equal(back, pairs) {
			t.Fatalf("round trip: %v, %v", back, err)
		}
	})
}

func FuzzReadBounds(f *testing.F) {
	f.Add("id,min,max\nE1,1,3\nU1,0,\n")
	f.Add("id,min,max\nE1,3,1\n")
	f.Add("id,min\n")
	f.Fuzz(func(t *testing.T, in string) {
		bounds, err := ReadBounds("f.csv", strings.NewReader(in))
		if err != nil {
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID || len(fairmatch.ErrorIssues(err)) == 0 {
				t.Fatalf("error %v is not EINVALID with issues", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, b := range bounds {
			if b.ID == "" || seen[b.ID] || b.Min < 0 || (b.Max >= 0 && b.Max < b.Min) || b.Max < -1 {
				t.Fatalf("bad bound accepted: %+v", b)
			}
			seen[b.ID] = true
		}
	})
}
