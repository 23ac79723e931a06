package notify

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestWritePeopleGolden writes every attendee's files for the fixture and
// compares them byte for byte with testdata/golden/people (go test -update
// rewrites those).
func TestWritePeopleGolden(t *testing.T) {
	f := loadFixture(t)
	out := t.TempDir()
	n, err := WritePeople(out, f.agenda, f.cancelled, f.dir, stamp)
	if err != nil {
		t.Fatal(err)
	}
	people := f.attendees()
	if n != len(people) {
		t.Errorf("wrote %d people, want %d (P-U01-5 is only in a cancelled meeting)", n, len(people))
	}
	var want []string
	for _, p := range people {
		want = append(want, p+".html", p+".ics")
	}
	slices.Sort(want)
	entries, err := os.ReadDir(filepath.Join(out, PeopleDir))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v (and no temporary files left)", got, want)
	}

	golden := filepath.Join("testdata", "golden", PeopleDir)
	if *update {
		if err := os.RemoveAll(golden); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(golden, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range got {
		b, err := os.ReadFile(filepath.Join(out, PeopleDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".ics") {
			parseICS(t, b)
		}
		path := filepath.Join(golden, name)
		if *update {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		wantB, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to write the golden files)", err)
		}
		if string(b) != string(wantB) {
			t.Errorf("%s differs from %s (run go test -update after checking the change)\ngot:\n%s", name, path, b)
		}
	}

	// The files are what Calendar and Page return, and rewriting them is
	// idempotent.
	for _, p := range people {
		ics, _ := Calendar(f.agenda, f.cancelled, p, f.dir, stamp)
		page, _ := Page(f.agenda, p, f.dir)
		gotICS, _ := os.ReadFile(filepath.Join(out, PeopleDir, p+".ics"))
		gotPage, _ := os.ReadFile(filepath.Join(out, PeopleDir, p+".html"))
		if string(ics) != string(gotICS) || string(page) != string(gotPage) {
			t.Errorf("%s: files differ from Calendar and Page", p)
		}
	}
	if n2, err := WritePeople(out, f.agenda, f.cancelled, f.dir, stamp); err != nil || n2 != n {
		t.Errorf("second WritePeople: %d, %v", n2, err)
	}
}

// TestWritePeopleRejectsUnsafeIDs checks that a person id that is not a
// plain file name is refused before anything is written.
func TestWritePeopleRejectsUnsafeIDs(t *testing.T) {
	start := time.Date(2027, 3, 15, 1, 0, 0, 0, time.UTC)
	for _, id := range []string{"../x", "a/b", `a\b`, "..", ".", "/etc/passwd", "a b", "x\x00y", "C:x", "a\nb"} {
		t.Run(id, func(t *testing.T) {
			a := &fairmatch.Agenda{Fair: "2027-03", Timezone: "Asia/Shanghai", Meetings: []fairmatch.Meeting{
				{ID: "M1", Start: start, End: start.Add(20 * time.Minute), Attendees: []string{"ok"}},
				{ID: "M2", Start: start, End: start.Add(20 * time.Minute), Attendees: []string{"fine", id}},
			}}
			out := filepath.Join(t.TempDir(), "export")
			n, err := WritePeople(out, a, nil, nil, stamp)
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID || n != 0 {
				t.Fatalf("WritePeople = %d, %v; want 0 and EINVALID", n, err)
			}
			want := []fairmatch.Issue{{File: "agenda.json", Record: "meetings[1]", Field: "attendees[1]"}}
			got := fairmatch.ErrorIssues(err)
			if len(got) != 1 || got[0].File != want[0].File || got[0].Record != want[0].Record || got[0].Field != want[0].Field {
				t.Errorf("issues %+v, want %+v", got, want)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("output folder exists after a refused write: %v", err)
			}
		})
	}

	// The same check covers attendees of cancelled meetings.
	a := &fairmatch.Agenda{Fair: "2027-03", Timezone: "Asia/Shanghai"}
	_, err := WritePeople(t.TempDir(), a, []fairmatch.Meeting{
		{ID: "M9", Start: start, End: start.Add(time.Hour), Attendees: []string{"../../x"}},
	}, nil, stamp)
	if got := fairmatch.ErrorIssues(err); len(got) != 1 || got[0].Record != "cancelled[0]" || got[0].Field != "attendees[0]" {
		t.Errorf("cancelled meeting: %v", err)
	}
}

func TestCheckPersonID(t *testing.T) {
	for _, id := range []string{"P-E001-1", "p_1.x", "王工", "a..b"} {
		if err := CheckPersonID(id); err != nil {
			t.Errorf("CheckPersonID(%q) = %v, want nil", id, err)
		}
	}
	for _, id := range []string{"", ".", "..", "../x", "a/b", `a\b`, "a:b", "a*b", "a b", "a\u3000b", "a\x7fb"} {
		if err := CheckPersonID(id); err == nil {
			t.Errorf("CheckPersonID(%q) = nil, want an error", id)
		}
	}
}

// TestWritePeopleUnwritable checks a folder that cannot be created is
// reported with its path.
func TestWritePeopleUnwritable(t *testing.T) {
	f := loadFixture(t)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := WritePeople(file, f.agenda, f.cancelled, f.dir, stamp)
	if err == nil || !strings.Contains(err.Error(), file) || fairmatch.ErrorCode(err) != fairmatch.EINTERNAL {
		t.Errorf("WritePeople under a file: %v", err)
	}
}
