package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
	bolt "go.etcd.io/bbolt"
)

// maxLockWait is how long a refused Open may take.
const maxLockWait = 1500 * time.Millisecond

// wantInUse checks the error of an Open refused because the file is held.
func wantInUse(tb testing.TB, err error, path string, elapsed time.Duration) {
	tb.Helper()
	wantCode(tb, err, fairmatch.EUNAVAILABLE)
	msg := err.Error()
	if !strings.Contains(msg, "in use by another fairmatch process") || !strings.Contains(msg, path) {
		tb.Errorf("message %q should say the data file %s is in use by another fairmatch process", msg, path)
	}
	if elapsed > maxLockWait {
		tb.Errorf("Open gave up after %v, want at most %v", elapsed, maxLockWait)
	}
}

func TestOpenHeldInProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fm.db")
	first := MustOpen(t, path)

	start := time.Now()
	second, err := store.Open(path)
	elapsed := time.Since(start)
	if err == nil {
		_ = second.Close()
		t.Fatal("a second Open of a held file succeeded")
	}
	wantInUse(t, err, path, elapsed)
	t.Logf("refused after %v", elapsed)

	// Once the first lets go, the file opens.
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	MustOpen(t, path)
}

// helperEnv names the data file the helper process tries to open.
const helperEnv = "FAIRMATCH_STORE_TEST_HELD_FILE"

// helperResult is what the helper process reports on its standard output.
type helperResult struct {
	Code    string        `json:"code"`
	Message string        `json:"message"`
	Elapsed time.Duration `json:"elapsed"`
}

// TestOpenHelperProcess is not a test by itself: TestOpenHeldByOtherProcess
// runs the test binary again with only this test and helperEnv set, so that
// another process tries to open the file.
func TestOpenHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper for TestOpenHeldByOtherProcess")
	}
	start := time.Now()
	db, err := store.Open(path)
	res := helperResult{Code: fairmatch.ErrorCode(err), Elapsed: time.Since(start)}
	if err == nil {
		_ = db.Close()
	} else {
		res.Message = err.Error()
	}
	out, _ := json.Marshal(res)
	os.Stdout.Write(append(append([]byte("\nRESULT "), out...), '\n'))
}

func TestOpenHeldByOtherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fm.db")
	MustOpen(t, path)

	cmd := exec.Command(os.Args[0], "-test.run=^TestOpenHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper process: %v\n%s", err, out)
	}
	_, line, ok := strings.Cut(string(out), "\nRESULT ")
	if !ok {
		t.Fatalf("helper process printed no result:\n%s", out)
	}
	line, _, _ = strings.Cut(line, "\n")
	var res helperResult
	if err := json.Unmarshal([]byte(line), &res); err != nil {
		t.Fatalf("helper result %q: %v", line, err)
	}
	if res.Code != fairmatch.EUNAVAILABLE {
		t.Fatalf("other process: code %q (%s), want %q", res.Code, res.Message, fairmatch.EUNAVAILABLE)
	}
	wantInUse(t, &fairmatch.Error{Code: res.Code, Message: res.Message}, path, res.Elapsed)
	t.Logf("other process refused after %v", res.Elapsed)
}

// boltFile writes a bbolt file with the given buckets and keys.
func boltFile(tb testing.TB, records map[string]map[string]string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "fm.db")
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		tb.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		for bucket, kv := range records {
			b, err := tx.CreateBucketIfNotExists([]byte(bucket))
			if err != nil {
				return err
			}
			for k, v := range kv {
				if err := b.Put([]byte(k), []byte(v)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if err := bdb.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestOpenChecksSchema(t *testing.T) {
	tests := []struct {
		name    string
		records map[string]map[string]string
		code    string // "" for success
		message string
	}{
		{"newer schema", map[string]map[string]string{"meta": {"schema": "2"}, "fairs": {}},
			fairmatch.ECONFLICT, "has schema version 2, newer than this fairmatch understands (1)"},
		{"damaged schema", map[string]map[string]string{"meta": {"schema": "one"}},
			fairmatch.EINVALID, `has a damaged schema version "one"`},
		{"meta without schema", map[string]map[string]string{"meta": {"token": "x"}},
			fairmatch.EINVALID, "is a bbolt database but not a fairmatch data file"},
		{"another program's bbolt file", map[string]map[string]string{"widgets": {"w1": "{}"}},
			fairmatch.EINVALID, "is a bbolt database but not a fairmatch data file"},
		{"empty bbolt file", map[string]map[string]string{}, "", ""},
		{"current schema, missing buckets", map[string]map[string]string{"meta": {"schema": "1"}}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := boltFile(t, tt.records)
			db, err := store.Open(path)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer db.Close()
				// Every bucket is there: each kind can be written.
				mustUpdate(t, db, func(tx *store.Tx) error {
					if err := tx.PutFair(fairmatch.Fair{ID: "2027-03"}); err != nil {
						return err
					}
					if err := tx.PutAgenda(&fairmatch.Agenda{Fair: "2027-03"}); err != nil {
						return err
					}
					if err := tx.MarkJobApplied("j", time.Now()); err != nil {
						return err
					}
					return tx.PutDataset(sampleDataset())
				})
				return
			}
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			wantCode(t, err, tt.code)
			if msg := err.Error(); !strings.Contains(msg, tt.message) || !strings.Contains(msg, path) {
				t.Errorf("message %q should name %s and say %q", msg, path, tt.message)
			}
			// The file was left alone: it still reads as before.
			bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer bdb.Close()
			_ = bdb.View(func(tx *bolt.Tx) error {
				for _, name := range []string{"fairs", "jobs"} {
					if _, had := tt.records[name]; !had && tx.Bucket([]byte(name)) != nil {
						t.Errorf("refused Open created bucket %s", name)
					}
				}
				return nil
			})
		})
	}
}

func TestOpenRefusesGarbage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	tests := []struct {
		name    string
		content []byte
	}{
		{"text", []byte("enterprises:\n  - id: E001\n")},
		{"random bytes", random},
		{"zeros", make([]byte, 32<<10)},
		{"truncated bbolt", nil}, // filled below
	}
	// The first 2 KiB of a real data file: a valid-looking start, then nothing.
	good := filepath.Join(t.TempDir(), "good.db")
	db := MustOpen(t, good)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	whole, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	tests[3].content = whole[:2048]

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "fm.db")
			if err := os.WriteFile(path, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(path)
			if err == nil {
				db.Close()
				t.Fatal("Open of a file that is not a bbolt database succeeded")
			}
			wantCode(t, err, fairmatch.EINVALID)
			if msg := err.Error(); !strings.Contains(msg, path+" is not a fairmatch data file") {
				t.Errorf("message %q should say %s is not a fairmatch data file", msg, path)
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(after, tt.content) {
				t.Error("a refused Open changed the file")
			}
		})
	}
}

func TestOpenMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "fm.db")
	_, err := store.Open(path)
	if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open in a missing directory: %v; want a not-exist error naming the path", err)
	}
}
