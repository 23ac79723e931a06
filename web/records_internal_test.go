package web

import (
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/configs"
	"github.com/fairmatch/fairmatch/coordinator"
	"github.com/fairmatch/fairmatch/dataset"
	"github.com/fairmatch/fairmatch/store/storetest"
)

func TestParseWindows(t *testing.T) {
	w := func(f, t string) fairmatch.Window { return fairmatch.Window{From: f, To: t} }
	for _, tc := range []struct {
		in   string
		want []fairmatch.Window
		bad  []string // message keys of the issues, in order
	}{
		{"", nil, nil},
		{"09:00-12:00", []fairmatch.Window{w("09:00", "12:00")}, nil},
		{"9:00 – 12:00, 14:00~17:30", []fairmatch.Window{w("09:00", "12:00"), w("14:00", "17:30")}, nil},
		{"09：00—10：00；13:00至14:00\n15:00-16:00", []fairmatch.Window{w("09:00", "10:00"), w("13:00", "14:00"), w("15:00", "16:00")}, nil},
		{"12:00-09:00", nil, []string{"records.err.order"}},
		{"10:00-10:00", nil, []string{"records.err.order"}},
		{"24:00-25:00", nil, []string{"records.err.window"}},
		{"09:60-10:00", nil, []string{"records.err.window"}},
		{"0900-1000", nil, []string{"records.err.window"}},
		{"09:00", nil, []string{"records.err.window"}},
		{"+9:00-10:00", nil, []string{"records.err.window"}},
		{"09:00-10:00-11:00", nil, []string{"records.err.window"}},
		{"morning, 09:00-10:00", []fairmatch.Window{w("09:00", "10:00")}, []string{"records.err.window"}},
	} {
		got, is := parseWindows("available.*", tc.in)
		var keys []string
		for _, i := range is {
			keys = append(keys, i.Key)
			if i.Field != "available.*" {
				t.Errorf("%q: issue on field %q", tc.in, i.Field)
			}
		}
		if !slices.Equal(got, tc.want) || !slices.Equal(keys, tc.bad) {
			t.Errorf("parseWindows(%q) = %v, %v; want %v, %v", tc.in, got, keys, tc.want, tc.bad)
		}
	}
}

// FuzzParseWindows: whatever is typed, the windows that come back are
// valid (HH:MM, from before to), and writing them for the form and reading
// that again gives the same windows without issues.
func FuzzParseWindows(f *testing.F) {
	for _, s := range []string{"09:00-12:00", "9:00 – 12:00, 14:00~17:30", "12:00-09:00", "09：00至10：00", "a-b,,;", "23:59-0:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ws, _ := parseWindows("w", s)
		for _, w := range ws {
			from, ok1 := clockTime(w.From)
			to, ok2 := clockTime(w.To)
			if !ok1 || !ok2 || len(w.From) != 5 || len(w.To) != 5 || from >= to {
				t.Fatalf("parseWindows(%q) gave the bad window %v", s, w)
			}
		}
		again, is := parseWindows("w", formatWindows(ws))
		if len(is) > 0 || !slices.Equal(again, ws) {
			t.Fatalf("round trip of %v: %v, %v", ws, again, is)
		}
		if is := checkAvailabilityRecord(fairmatch.Availability{"*": ws}, nil, &recordData{}); len(is) > 0 {
			t.Fatalf("the API check refuses the parsed windows %v: %v", ws, is)
		}
	})
}

func TestSplitList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" , \n ;", nil},
		{"a, b\nc", []string{"a", "b", "c"}},
		{"热误差，补偿、温漂；热误差\r\n良率", []string{"热误差", "补偿", "温漂", "良率"}},
		{"machine tools, RF filters", []string{"machine tools", "RF filters"}},
	} {
		if got := splitList(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("splitList(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzSplitList: items are trimmed, non-empty, without separators, unique,
// and the list survives being written for the form and read again.
func FuzzSplitList(f *testing.F) {
	for _, s := range []string{"a, b\nc", "热误差，补偿、温漂", " ; ", "x,x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		items := splitList(s)
		for i, it := range items {
			if it == "" || it != strings.TrimSpace(it) || strings.ContainsAny(it, ",，、;；\n\r") || slices.Contains(items[:i], it) {
				t.Fatalf("splitList(%q) gave the item %q", s, it)
			}
		}
		if again := splitList(joinList(items)); !slices.Equal(again, items) {
			t.Fatalf("round trip of %q: %q", items, again)
		}
	})
}

func TestNextID(t *testing.T) {
	for _, tc := range []struct {
		taken []string
		want  string
	}{
		{nil, "E001-P1"},
		{[]string{"PR001", "E001-P1", "E001-P2"}, "E001-P3"},
		{[]string{"E001-P7", "E001-Px", "E0011-P9"}, "E001-P8"},
		{[]string{"E001-P01"}, "E001-P2"},
	} {
		m := map[string]bool{}
		for _, id := range tc.taken {
			m[id] = true
		}
		if got := nextID("E001-P", m); got != tc.want {
			t.Errorf("nextID(%v) = %s, want %s", tc.taken, got, tc.want)
		}
	}
}

// TestRecordMessages: every key the record pages build from a vocabulary
// has both texts.
func TestRecordMessages(t *testing.T) {
	var keys []string
	for _, w := range problemWants {
		keys = append(keys, "records.want."+w)
	}
	for _, u := range problemUrgencies {
		keys = append(keys, "records.urgency."+u)
	}
	for _, k := range offeringKinds {
		keys = append(keys, "records.kind."+k)
	}
	for _, r := range []string{fairmatch.RoleRepresentative, fairmatch.RoleExpert, fairmatch.RoleCommissioner, fairmatch.RoleLiaison} {
		keys = append(keys, "records.role."+r)
	}
	for _, k := range keys {
		v, ok := recordMessages[k]
		if !ok || v[0] == "" || v[1] == "" {
			t.Errorf("message %s missing or empty: %q", k, v)
		}
	}
}

// BenchmarkSaveProblem measures saving one problem through the record
// forms' path (scope check, validation and merge into the example
// dataset, one bbolt transaction): the wait a commissioner sees on "Save".
func BenchmarkSaveProblem(b *testing.B) {
	db := storetest.Open(b)
	coord := &coordinator.Coordinator{DB: db, Log: slog.New(slog.DiscardHandler)}
	raw, err := fs.ReadFile(configs.FS, "example-dataset.json")
	if err != nil {
		b.Fatal(err)
	}
	ds, err := dataset.Parse("example-dataset.json", raw)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := coord.Import("example", ds); err != nil {
		b.Fatal(err)
	}
	rs := &records{Server: &Server{DB: db, Coord: coord, Log: slog.New(slog.DiscardHandler)}}
	p := &auth.Principal{Account: &auth.Account{Login: "comm", Role: auth.RoleCommissioner, Enterprises: []string{"E001"}}}
	d, err := rs.load()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		pr := fairmatch.Problem{ID: "PR001", Enterprise: "E001", Title: "温漂 " + strings.Repeat("x", i%7),
			Keywords: []string{"温漂", "介质滤波器"}, Fairs: []string{}}
		is, err := rs.saveProblem(p, &pr, &d.ds.Problems[0], d)
		if err != nil || len(is) > 0 {
			b.Fatal(err, is)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/save")
}
