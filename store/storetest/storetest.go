// Package storetest helps tests of other packages use a real store: Open
// gives a fresh data file in the test's temporary directory.
package storetest

import (
	"path/filepath"
	"testing"

	"github.com/fairmatch/fairmatch/store"
)

// Open opens a new data file in tb.TempDir() and closes it when the test
// ends. It fails the test if the file cannot be opened.
func Open(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "fairmatch.db"))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return db
}
