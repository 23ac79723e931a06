package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/store/storetest"
)

// MustOpen opens (or creates) the data file at path and closes it when the
// test ends.
func MustOpen(tb testing.TB, path string) *store.DB {
	tb.Helper()
	db, err := store.Open(path)
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

func mustUpdate(tb testing.TB, db *store.DB, fn func(*store.Tx) error) {
	tb.Helper()
	if err := db.Update(fn); err != nil {
		tb.Fatalf("Update: %v", err)
	}
}

func mustView(tb testing.TB, db *store.DB, fn func(*store.Tx) error) {
	tb.Helper()
	if err := db.View(fn); err != nil {
		tb.Fatalf("View: %v", err)
	}
}

// sameJSON fails the test unless got and want encode to the same JSON, which
// compares times by instant and offset rather than by *time.Location.
func sameJSON(tb testing.TB, what string, got, want any) {
	tb.Helper()
	g, err := json.MarshalIndent(got, "", " ")
	if err != nil {
		tb.Fatal(err)
	}
	w, err := json.MarshalIndent(want, "", " ")
	if err != nil {
		tb.Fatal(err)
	}
	if !bytes.Equal(g, w) {
		tb.Errorf("%s:\ngot  %s\nwant %s", what, g, w)
	}
}

// wantCode fails the test unless err carries the given fairmatch code.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := fairmatch.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

var shanghai = time.FixedZone("CST", 8*3600)

func fair(id string, start time.Time, stages ...string) fairmatch.Fair {
	f := fairmatch.Fair{
		ID: id, Theme: "theme " + id, Timezone: "Asia/Shanghai",
		Start: start, End: start.Add(8 * time.Hour),
	}
	// Stages are given latest first so that storing must reorder them.
	for i, name := range stages {
		f.Stages = append(f.Stages, fairmatch.Stage{
			Fair: id, Name: name, Kind: strings.TrimRight(name, "-0123456789"),
			Due:   start.Add(-time.Duration(i+1) * 24 * time.Hour),
			State: fairmatch.StatePending,
		})
	}
	return f
}

func sampleDataset() *fairmatch.Dataset {
	return &fairmatch.Dataset{
		Enterprises: []fairmatch.Enterprise{
			{ID: "E002", Name: "二号企业", Park: "new-materials", Attendees: []string{"P-E002-1"}},
			{ID: "E001", Name: "长治某精密制造有限公司", Commissioner: "P-C01", Attendees: []string{"P-E001-1"}},
		},
		Universities: []fairmatch.University{{ID: "U01", Name: "中北大学", Attendees: []string{"P-U01-3"}}},
		People: []fairmatch.Person{
			{ID: "P-E001-1", Name: "王工", Email: "wang@example.com", Org: "E001", Role: fairmatch.RoleRepresentative,
				Available: fairmatch.Availability{"*": {{From: "09:00", To: "12:00"}}}},
			{ID: "P-C01", Name: "李专员", Role: fairmatch.RoleCommissioner},
		},
		Problems: []fairmatch.Problem{
			{ID: "PR002", Enterprise: "E002", Title: "涂层附着力"},
			{ID: "PR001", Enterprise: "E001", Title: "数控机床主轴热变形补偿", Keywords: []string{"热误差", "补偿"},
				Wants: []string{"joint-rd"}, Urgency: "high", Fairs: []string{"2027-03"}},
		},
		Offerings: []fairmatch.Offering{{ID: "O001", University: "U01", Kind: "technology", Title: "热误差建模", TRL: 6,
			Experts: []string{"P-U01-3"}}},
		Blocked: []fairmatch.Blocked{{Enterprise: "E002", University: "U01", Reason: "existing contract"}},
		History: []fairmatch.History{
			{Enterprise: "E001", University: "U01", Fair: "2026-11", Outcome: "contract"},
			{Enterprise: "E001", University: "U01", Fair: "2026-09", Outcome: "nda"},
		},
	}
}

func TestOpenCreatesSchemaAndKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fm.db")
	db := MustOpen(t, path)
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	mustView(t, db, func(tx *store.Tx) error {
		v, ok, err := tx.Meta("schema")
		if err != nil || !ok || v != "1" {
			t.Errorf(`Meta("schema") = %q, %v, %v; want "1", true, nil`, v, ok, err)
		}
		return nil
	})
	f := fair("2027-03", time.Date(2027, 3, 15, 9, 0, 0, 0, shanghai), "match")
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.PutFair(f) })
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	db = MustOpen(t, path)
	mustView(t, db, func(tx *store.Tx) error {
		got, err := tx.Fair("2027-03")
		if err != nil {
			return err
		}
		sameJSON(t, "fair after reopen", got, f)
		return nil
	})
}

func TestDatasetRoundTripAndUpsert(t *testing.T) {
	db := storetest.Open(t)
	ds := sampleDataset()
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.PutDataset(ds) })

	want := sampleDataset()
	// Stored in key order.
	want.Enterprises[0], want.Enterprises[1] = want.Enterprises[1], want.Enterprises[0]
	want.People[0], want.People[1] = want.People[1], want.People[0]
	want.Problems[0], want.Problems[1] = want.Problems[1], want.Problems[0]
	want.History[0], want.History[1] = want.History[1], want.History[0]
	mustView(t, db, func(tx *store.Tx) error {
		got, err := tx.Dataset()
		if err != nil {
			return err
		}
		sameJSON(t, "dataset", got, want)
		return nil
	})

	// A second import updates by key and keeps what it does not name; of two
	// records with one key in a single import the later wins.
	mustUpdate(t, db, func(tx *store.Tx) error {
		return tx.PutDataset(&fairmatch.Dataset{
			Problems: []fairmatch.Problem{
				{ID: "PR003", Enterprise: "E001", Title: "first"},
				{ID: "PR001", Enterprise: "E001", Title: "retitled"},
				{ID: "PR003", Enterprise: "E001", Title: "second"},
			},
			Blocked: []fairmatch.Blocked{{Enterprise: "E002", University: "U01", Reason: "changed"}},
			History: []fairmatch.History{{Enterprise: "E001", University: "U01", Fair: "2026-11", Outcome: "commercialized"}},
		})
	})
	want.Problems = []fairmatch.Problem{
		{ID: "PR001", Enterprise: "E001", Title: "retitled"},
		want.Problems[1],
		{ID: "PR003", Enterprise: "E001", Title: "second"},
	}
	want.Blocked[0].Reason = "changed"
	want.History[1].Outcome = "commercialized"
	mustView(t, db, func(tx *store.Tx) error {
		got, err := tx.Dataset()
		if err != nil {
			return err
		}
		sameJSON(t, "dataset after upsert", got, want)
		return nil
	})
}

func TestEmptyDataset(t *testing.T) {
	db := storetest.Open(t)
	mustUpdate(t, db, func(tx *store.Tx) error {
		if err := tx.PutDataset(nil); err != nil {
			return err
		}
		return tx.PutDataset(&fairmatch.Dataset{})
	})
	mustView(t, db, func(tx *store.Tx) error {
		got, err := tx.Dataset()
		if err != nil {
			return err
		}
		sameJSON(t, "empty dataset", got, &fairmatch.Dataset{})
		return nil
	})
}

func TestPutDatasetRejectsBadKeys(t *testing.T) {
	tests := []struct {
		name string
		ds   fairmatch.Dataset
		want []fairmatch.Issue
	}{
		{
			name: "empty ids",
			ds: fairmatch.Dataset{
				Enterprises: []fairmatch.Enterprise{{ID: "E1"}, {ID: ""}},
				Problems:    []fairmatch.Problem{{ID: "P1"}, {ID: "P2"}, {Title: "no id"}},
			},
			want: []fairmatch.Issue{
				{Record: "enterprises[1]", Field: "id", Reason: "must not be empty"},
				{Record: "problems[2]", Field: "id", Reason: "must not be empty"},
			},
		},
		{
			name: "composite keys",
			ds: fairmatch.Dataset{
				Blocked: []fairmatch.Blocked{{Enterprise: "E1"}},
				History: []fairmatch.History{{Enterprise: "E1", University: "U\x001", Fair: "2027-03"}},
			},
			want: []fairmatch.Issue{
				{Record: "blocked[0]", Field: "university", Reason: "must not be empty"},
				{Record: "history[0]", Field: "university", Reason: "must not contain a NUL character"},
			},
		},
		{
			name: "long id",
			ds:   fairmatch.Dataset{Offerings: []fairmatch.Offering{{ID: strings.Repeat("x", 9000)}}},
			want: []fairmatch.Issue{{Record: "offerings[0]", Field: "id", Reason: "must be at most 8192 bytes long"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := storetest.Open(t)
			err := db.Update(func(tx *store.Tx) error { return tx.PutDataset(&tt.ds) })
			wantCode(t, err, fairmatch.EINVALID)
			if got := fairmatch.ErrorIssues(err); !slices.Equal(got, tt.want) {
				t.Errorf("issues = %+v, want %+v", got, tt.want)
			}
			mustView(t, db, func(tx *store.Tx) error {
				got, err := tx.Dataset()
				if err != nil {
					return err
				}
				sameJSON(t, "dataset after refused import", got, &fairmatch.Dataset{})
				return nil
			})
		})
	}
}

func TestFairsAndStages(t *testing.T) {
	db := storetest.Open(t)
	may := fair("2027-05", time.Date(2027, 5, 10, 9, 0, 0, 0, shanghai), "reminder-1", "publish", "agenda", "match")
	mar := fair("2027-03", time.Date(2027, 3, 15, 9, 0, 0, 0, shanghai), "agenda", "match")
	// Two stages due at the same time are ordered by key.
	mar.Stages = append(mar.Stages, fairmatch.Stage{Fair: "2027-03", Name: "call-closes", Kind: fairmatch.StageCallCloses,
		Due: mar.Stages[1].Due, State: fairmatch.StateDone, Attempts: 1,
		Fired: mar.Stages[1].Due, Finished: mar.Stages[1].Due.Add(time.Second)})
	mustUpdate(t, db, func(tx *store.Tx) error {
		if err := tx.PutFair(may); err != nil {
			return err
		}
		return tx.PutFair(mar)
	})

	stageKeys := func(ss []fairmatch.Stage) []string {
		var keys []string
		for _, s := range ss {
			keys = append(keys, s.Key())
		}
		return keys
	}
	mustView(t, db, func(tx *store.Tx) error {
		fairs, err := tx.Fairs()
		if err != nil {
			return err
		}
		if len(fairs) != 2 || fairs[0].ID != "2027-03" || fairs[1].ID != "2027-05" {
			t.Fatalf("Fairs() ids = %v, want [2027-03 2027-05]", fairs)
		}
		if got, want := stageKeys(fairs[0].Stages), []string{"2027-03/call-closes", "2027-03/match", "2027-03/agenda"}; !slices.Equal(got, want) {
			t.Errorf("Fairs()[0] stages = %v, want %v", got, want)
		}
		if got, want := stageKeys(fairs[1].Stages), []string{"2027-05/match", "2027-05/agenda", "2027-05/publish", "2027-05/reminder-1"}; !slices.Equal(got, want) {
			t.Errorf("Fairs()[1] stages = %v, want %v", got, want)
		}
		got, err := tx.Fair("2027-03")
		if err != nil {
			return err
		}
		sameJSON(t, "Fair(2027-03)", got, fairs[0])

		all, err := tx.Stages()
		if err != nil {
			return err
		}
		want := []string{"2027-03/call-closes", "2027-03/match", "2027-03/agenda",
			"2027-05/match", "2027-05/agenda", "2027-05/publish", "2027-05/reminder-1"}
		if got := stageKeys(all); !slices.Equal(got, want) {
			t.Errorf("Stages() = %v, want %v", got, want)
		}
		s, err := tx.Stage("2027-03/call-closes")
		if err != nil {
			return err
		}
		sameJSON(t, "Stage", s, mar.Stages[2])
		return nil
	})

	// PutStage changes one stage; the fair sees it.
	running := may.Stages[3]
	running.State, running.Attempts, running.Fired = fairmatch.StateRunning, 1, running.Due.Add(time.Minute)
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.PutStage(running) })
	mustView(t, db, func(tx *store.Tx) error {
		f, err := tx.Fair("2027-05")
		if err != nil {
			return err
		}
		sameJSON(t, "stage after PutStage", f.Stages[0], running)
		return nil
	})

	// PutFair replaces the fair's stage set; the other fair keeps its own.
	may.Theme = "renamed"
	may.Stages = may.Stages[2:]
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.PutFair(may) })
	mustView(t, db, func(tx *store.Tx) error {
		f, err := tx.Fair("2027-05")
		if err != nil {
			return err
		}
		if f.Theme != "renamed" {
			t.Errorf("Theme = %q, want renamed", f.Theme)
		}
		if got, want := stageKeys(f.Stages), []string{"2027-05/match", "2027-05/agenda"}; !slices.Equal(got, want) {
			t.Errorf("stages after PutFair = %v, want %v", got, want)
		}
		if _, err := tx.Stage("2027-05/publish"); fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
			t.Errorf("dropped stage: err = %v, want ENOTFOUND", err)
		}
		all, err := tx.Stages()
		if err != nil {
			return err
		}
		if len(all) != 5 {
			t.Errorf("Stages() has %d stages, want 5", len(all))
		}
		return nil
	})
}

func TestFairAndStageErrors(t *testing.T) {
	db := storetest.Open(t)
	start := time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.PutFair(fair("2027-03", start, "match")) })

	notFound := []struct {
		name    string
		fn      func(tx *store.Tx) error
		message string
	}{
		{"Fair", func(tx *store.Tx) error { _, err := tx.Fair("2027-04"); return err }, `fair "2027-04" not found`},
		{"Fair empty", func(tx *store.Tx) error { _, err := tx.Fair(""); return err }, `fair "" not found`},
		{"Stage", func(tx *store.Tx) error { _, err := tx.Stage("2027-03/publish"); return err }, `stage "2027-03/publish" not found`},
		{"PutStage unknown fair", func(tx *store.Tx) error {
			return tx.PutStage(fairmatch.Stage{Fair: "2027-04", Name: "match"})
		}, `fair "2027-04" not found`},
		{"Proposals", func(tx *store.Tx) error { _, err := tx.Proposals("2027-04"); return err }, `fair "2027-04" not found`},
		{"PutProposals", func(tx *store.Tx) error { return tx.PutProposals("2027-04", nil) }, `fair "2027-04" not found`},
		{"Agenda unknown fair", func(tx *store.Tx) error { _, err := tx.Agenda("2027-04"); return err }, `fair "2027-04" not found`},
		{"Agenda not published", func(tx *store.Tx) error { _, err := tx.Agenda("2027-03"); return err }, `fair "2027-03" has no published agenda yet`},
		{"PutAgenda", func(tx *store.Tx) error { return tx.PutAgenda(&fairmatch.Agenda{Fair: "2027-04"}) }, `fair "2027-04" not found`},
		{"Cancelled", func(tx *store.Tx) error { _, err := tx.Cancelled("2027-04"); return err }, `fair "2027-04" not found`},
	}
	for _, tt := range notFound {
		t.Run(tt.name, func(t *testing.T) {
			err := db.Update(tt.fn)
			wantCode(t, err, fairmatch.ENOTFOUND)
			if err.Error() != tt.message {
				t.Errorf("message = %q, want %q", err, tt.message)
			}
		})
	}

	invalid := []struct {
		name string
		f    fairmatch.Fair
		want []fairmatch.Issue
	}{
		{"empty id", fairmatch.Fair{}, []fairmatch.Issue{{Record: "fair", Field: "id", Reason: "must not be empty"}}},
		{"slash in id", fairmatch.Fair{ID: "2027/03"}, []fairmatch.Issue{{Record: "fair", Field: "id", Reason: `must not contain "/"`}}},
		{"stage of another fair", fairmatch.Fair{ID: "2027-05", Stages: []fairmatch.Stage{
			{Fair: "2027-05", Name: "match"}, {Fair: "2027-03", Name: "agenda"}, {Fair: "2027-05", Name: "match"}, {Fair: "2027-05"},
		}}, []fairmatch.Issue{
			{Record: "stages[1]", Field: "fair", Reason: `is "2027-03", not the fair's id "2027-05"`},
			{Record: "stages[2]", Field: "name", Reason: `"match" is used by an earlier stage`},
			{Record: "stages[3]", Field: "name", Reason: "must not be empty"},
		}},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			err := db.Update(func(tx *store.Tx) error { return tx.PutFair(tt.f) })
			wantCode(t, err, fairmatch.EINVALID)
			if got := fairmatch.ErrorIssues(err); !slices.Equal(got, tt.want) {
				t.Errorf("issues = %+v, want %+v", got, tt.want)
			}
		})
	}
	mustView(t, db, func(tx *store.Tx) error {
		fairs, err := tx.Fairs()
		if len(fairs) != 1 {
			t.Errorf("after refused writes there are %d fairs, want 1", len(fairs))
		}
		return err
	})
}

func TestProposalsRoundTrip(t *testing.T) {
	db := storetest.Open(t)
	start := time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)
	ps := []fairmatch.Proposal{
		{Enterprise: "E002", University: "U01", Attendees: []string{"P-E002-1", "P-U01-3"}, Score: 1.5, Primary: true,
			Items: []fairmatch.MeetingItem{{Problem: "PR002", Offering: "O001", Score: 0.9, Why: "涂层"}, {Problem: "PR003", Offering: "O002", Score: 0.6, Why: "x"}}},
		{Enterprise: "E001", University: "U02", Score: 0.4, Items: []fairmatch.MeetingItem{{Problem: "PR001", Offering: "O009", Score: 0.4}}},
	}
	mustUpdate(t, db, func(tx *store.Tx) error {
		if err := tx.PutFair(fair("2027-03", start)); err != nil {
			return err
		}
		return tx.PutFair(fair("2027-05", start.AddDate(0, 2, 0)))
	})
	mustView(t, db, func(tx *store.Tx) error {
		got, err := tx.Proposals("2027-03")
		if err != nil {
			return err
		}
		if got == nil || len(got) != 0 {
			t.Errorf("Proposals before matching = %#v, want an empty list", got)
		}
		return nil
	})
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.PutProposals("2027-03", ps) })
	mustView(t, db, func(tx *store.Tx) error {
		got, err := tx.Proposals("2027-03")
		if err != nil {
			return err
		}
		sameJSON(t, "proposals", got, ps)
		other, err := tx.Proposals("2027-05")
		if len(other) != 0 {
			t.Errorf("other fair has %d proposals", len(other))
		}
		return err
	})
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.PutProposals("2027-03", ps[1:]) })
	mustView(t, db, func(tx *store.Tx) error {
		got, err := tx.Proposals("2027-03")
		sameJSON(t, "replaced proposals", got, ps[1:])
		return err
	})
}

func TestJobsAndMeta(t *testing.T) {
	db := storetest.Open(t)
	mustView(t, db, func(tx *store.Tx) error {
		if ok, err := tx.JobApplied("2027-03/match#1"); ok || err != nil {
			t.Errorf("JobApplied before marking = %v, %v", ok, err)
		}
		if v, ok, err := tx.Meta("admin-token"); ok || v != "" || err != nil {
			t.Errorf("Meta unset = %q, %v, %v", v, ok, err)
		}
		return nil
	})
	mustUpdate(t, db, func(tx *store.Tx) error {
		if err := tx.MarkJobApplied("2027-03/match#1", time.Now()); err != nil {
			return err
		}
		if err := tx.SetMeta("admin-token", "sha256:abc"); err != nil {
			return err
		}
		return tx.SetMeta("dev-dataset", "")
	})
	mustView(t, db, func(tx *store.Tx) error {
		if ok, err := tx.JobApplied("2027-03/match#1"); !ok || err != nil {
			t.Errorf("JobApplied after marking = %v, %v", ok, err)
		}
		if ok, err := tx.JobApplied("2027-03/match#2"); ok || err != nil {
			t.Errorf("JobApplied of another job = %v, %v", ok, err)
		}
		if v, ok, err := tx.Meta("admin-token"); !ok || v != "sha256:abc" || err != nil {
			t.Errorf("Meta = %q, %v, %v", v, ok, err)
		}
		if v, ok, err := tx.Meta("dev-dataset"); !ok || v != "" || err != nil {
			t.Errorf("Meta of an empty value = %q, %v, %v; want set", v, ok, err)
		}
		return nil
	})
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.DeleteMeta("admin-token") })
	mustView(t, db, func(tx *store.Tx) error {
		if _, ok, _ := tx.Meta("admin-token"); ok {
			t.Error("Meta still set after DeleteMeta")
		}
		return nil
	})

	for name, fn := range map[string]func(*store.Tx) error{
		"SetMeta schema":    func(tx *store.Tx) error { return tx.SetMeta("schema", "9") },
		"DeleteMeta schema": func(tx *store.Tx) error { return tx.DeleteMeta("schema") },
		"SetMeta empty key": func(tx *store.Tx) error { return tx.SetMeta("", "x") },
		"MarkJobApplied":    func(tx *store.Tx) error { return tx.MarkJobApplied("", time.Now()) },
	} {
		t.Run(name, func(t *testing.T) { wantCode(t, db.Update(fn), fairmatch.EINVALID) })
	}
}

// dump reads everything through the public methods.
func dump(tb testing.TB, db *store.DB) []byte {
	tb.Helper()
	var out []byte
	mustView(tb, db, func(tx *store.Tx) error {
		ds, err := tx.Dataset()
		if err != nil {
			return err
		}
		fairs, err := tx.Fairs()
		if err != nil {
			return err
		}
		state := map[string]any{"dataset": ds, "fairs": fairs}
		for _, f := range fairs {
			ps, err := tx.Proposals(f.ID)
			if err != nil {
				return err
			}
			a, err := tx.Agenda(f.ID)
			if err != nil && fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
				return err
			}
			c, err := tx.Cancelled(f.ID)
			if err != nil {
				return err
			}
			state["fair "+f.ID] = []any{ps, a, c}
		}
		for _, k := range []string{"job-1", "job-2"} {
			ok, err := tx.JobApplied(k)
			if err != nil {
				return err
			}
			state[k] = ok
		}
		for _, k := range []string{"schema", "token"} {
			v, ok, err := tx.Meta(k)
			if err != nil {
				return err
			}
			state["meta "+k] = []any{v, ok}
		}
		out, err = json.Marshal(state)
		return err
	})
	return out
}

// writeEverything changes every kind of record.
func writeEverything(tx *store.Tx, n int) error {
	ds := sampleDataset()
	for i := range ds.Problems {
		ds.Problems[i].Title = fmt.Sprintf("version %d", n)
	}
	if err := tx.PutDataset(ds); err != nil {
		return err
	}
	start := time.Date(2027, 3, 15, 9, 0, 0, 0, shanghai)
	f := fair("2027-03", start, "agenda", "match")
	f.Theme = fmt.Sprintf("version %d", n)
	if err := tx.PutFair(f); err != nil {
		return err
	}
	if err := tx.PutStage(fairmatch.Stage{Fair: "2027-03", Name: "publish", Due: start}); err != nil {
		return err
	}
	if err := tx.PutProposals("2027-03", []fairmatch.Proposal{{Enterprise: "E001", University: fmt.Sprint("U", n)}}); err != nil {
		return err
	}
	if err := tx.PutAgenda(&fairmatch.Agenda{Fair: "2027-03", Meetings: []fairmatch.Meeting{
		{ID: fmt.Sprint("M", n), Start: start, End: start.Add(20 * time.Minute)},
	}}); err != nil {
		return err
	}
	if err := tx.MarkJobApplied(fmt.Sprint("job-", n), time.Now()); err != nil {
		return err
	}
	return tx.SetMeta("token", fmt.Sprint(n))
}

func TestUpdateIsAllOrNothing(t *testing.T) {
	db := storetest.Open(t)
	mustUpdate(t, db, func(tx *store.Tx) error { return writeEverything(tx, 1) })
	before := dump(t, db)

	errStop := errors.New("stop here")
	err := db.Update(func(tx *store.Tx) error {
		if err := writeEverything(tx, 2); err != nil {
			return err
		}
		// The transaction sees its own writes...
		if ok, _ := tx.JobApplied("job-2"); !ok {
			t.Error("a transaction does not see its own write")
		}
		return errStop
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("Update returned %v, want the function's error", err)
	}
	// ...and nothing of them is kept.
	if after := dump(t, db); !bytes.Equal(after, before) {
		t.Errorf("a failed Update changed the data:\nbefore %s\nafter  %s", before, after)
	}

	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v, want the function's panic", r)
			}
		}()
		_ = db.Update(func(tx *store.Tx) error {
			if err := writeEverything(tx, 2); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if after := dump(t, db); !bytes.Equal(after, before) {
		t.Errorf("a panicking Update changed the data:\nbefore %s\nafter  %s", before, after)
	}

	// The store is still usable, and a successful Update is kept.
	mustUpdate(t, db, func(tx *store.Tx) error { return writeEverything(tx, 2) })
	if after := dump(t, db); bytes.Equal(after, before) {
		t.Error("a successful Update changed nothing")
	}
}
