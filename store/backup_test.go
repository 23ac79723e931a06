package store_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/store/storetest"
)

// writeOne is the writer's n-th Update: job-n applied, problem n stored and
// the counter set to n, all at once.
func writeOne(tx *store.Tx, n int) error {
	if err := tx.MarkJobApplied(fmt.Sprint("job-", n), time.Now()); err != nil {
		return err
	}
	p := fairmatch.Problem{ID: fmt.Sprintf("PR%06d", n), Enterprise: "E001", Title: fmt.Sprint("problem ", n),
		Description: strings.Repeat("热误差补偿 ", 100)}
	if err := tx.PutDataset(&fairmatch.Dataset{Problems: []fairmatch.Problem{p}}); err != nil {
		return err
	}
	return tx.SetMeta("counter", strconv.Itoa(n))
}

// checkSnapshot opens a backup and checks that it holds exactly the first c
// writes for some c in [lo, hi]; it returns c.
func checkSnapshot(t *testing.T, path string, lo, hi int) int {
	t.Helper()
	db := MustOpen(t, path)
	defer db.Close()
	var c int
	mustView(t, db, func(tx *store.Tx) error {
		v, ok, err := tx.Meta("counter")
		if err != nil || !ok {
			return fmt.Errorf("counter: %q %v %v", v, ok, err)
		}
		if c, err = strconv.Atoi(v); err != nil {
			return err
		}
		if c < lo || c > hi {
			t.Errorf("backup holds %d writes, want between %d and %d", c, lo, hi)
		}
		ds, err := tx.Dataset()
		if err != nil {
			return err
		}
		if len(ds.Problems) != c {
			t.Errorf("backup with counter %d holds %d problems", c, len(ds.Problems))
		}
		for i, p := range ds.Problems {
			if want := fmt.Sprintf("PR%06d", i+1); p.ID != want {
				t.Fatalf("backup problem %d is %s, want %s", i, p.ID, want)
			}
		}
		for _, n := range []int{1, c / 2, c, c + 1} {
			if n < 1 {
				continue
			}
			ok, err := tx.JobApplied(fmt.Sprint("job-", n))
			if err != nil {
				return err
			}
			if ok != (n <= c) {
				t.Errorf("backup with counter %d: job-%d applied = %v", c, n, ok)
			}
		}
		if _, err := tx.Fair("2027-03"); err != nil {
			return err
		}
		return nil
	})
	return c
}

// slowWriter makes a backup take a while, so that writes overlap it.
type slowWriter struct{ w *bytes.Buffer }

func (s slowWriter) Write(p []byte) (int, error) {
	time.Sleep(10 * time.Millisecond)
	return s.w.Write(p)
}

func TestBackupWhileWriting(t *testing.T) {
	db := storetest.Open(t)
	dir := t.TempDir()
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.PutFair(fair("2027-03", fairDay, "match")) })

	var written atomic.Int64
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func(stop <-chan struct{}) {
		for n := 1; ; n++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if err := db.Update(func(tx *store.Tx) error { return writeOne(tx, n) }); err != nil {
				done <- err
				return
			}
			written.Store(int64(n))
		}
	}(stop)
	stopWriter := func() {
		if stop == nil {
			return
		}
		close(stop)
		stop = nil
		if err := <-done; err != nil {
			t.Errorf("writer: %v", err)
		}
	}
	defer stopWriter()
	waitFor := func(n int64) {
		for deadline := time.Now().Add(10 * time.Second); written.Load() < n; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the writer made only %d writes", written.Load())
			}
		}
	}
	waitFor(50)

	// Backups to files, while the writer goes on.
	last := 0
	for i := range 3 {
		path := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		before := int(written.Load())
		if err := db.Backup(path); err != nil {
			t.Fatalf("Backup: %v", err)
		}
		after := int(written.Load())
		c := checkSnapshot(t, path, before, after+1)
		if c < last {
			t.Errorf("backup %d holds %d writes, fewer than the previous one (%d)", i, c, last)
		}
		last = c
		waitFor(int64(after + 10))
	}

	// A slow backup: the writer keeps committing while it runs.
	var buf bytes.Buffer
	before := int(written.Load())
	n, err := db.BackupTo(slowWriter{&buf})
	if err != nil {
		t.Fatalf("BackupTo: %v", err)
	}
	after := int(written.Load())
	if n != int64(buf.Len()) {
		t.Errorf("BackupTo reported %d bytes, wrote %d", n, buf.Len())
	}
	path := filepath.Join(dir, "slow.db")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	c := checkSnapshot(t, path, before, after+1)
	t.Logf("slow backup of %d bytes held %d writes; %d writes committed while it ran", n, c, after-before)
	if after <= c {
		t.Errorf("no write was committed while a backup ran (%d before, %d after, %d in the copy)", before, after, c)
	}

	stopWriter()
	// The live file holds every write.
	final := int(written.Load())
	mustView(t, db, func(tx *store.Tx) error {
		v, _, err := tx.Meta("counter")
		if v != strconv.Itoa(final) {
			t.Errorf("live counter = %s, want %d", v, final)
		}
		return err
	})
}

func TestBackupReplacesTarget(t *testing.T) {
	db := storetest.Open(t)
	mustUpdate(t, db, func(tx *store.Tx) error {
		if err := tx.PutFair(fair("2027-03", fairDay, "match")); err != nil {
			return err
		}
		return writeOne(tx, 1)
	})
	dir := t.TempDir()
	path := filepath.Join(dir, "backup.db")
	if err := os.WriteFile(path, []byte("an older backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(path); err != nil {
		t.Fatal(err)
	}
	checkSnapshot(t, path, 1, 1)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("backup left %d files in its directory, want 1", len(entries))
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode = %v (%v), want 0600", fi.Mode().Perm(), err)
	}
}

func TestBackupErrors(t *testing.T) {
	db := storetest.Open(t)
	err := db.Backup(db.Path())
	wantCode(t, err, fairmatch.EINVALID)
	if !strings.Contains(err.Error(), "onto itself") {
		t.Errorf("message %q", err)
	}
	// Another spelling of the same file.
	same := filepath.Join(filepath.Dir(db.Path()), ".", filepath.Base(db.Path()))
	wantCode(t, db.Backup(same), fairmatch.EINVALID)

	if err := db.Backup(filepath.Join(t.TempDir(), "missing", "backup.db")); err == nil {
		t.Error("Backup into a missing directory succeeded")
	}
	// The store is still fine.
	mustView(t, db, func(tx *store.Tx) error { _, err := tx.Dataset(); return err })
}
