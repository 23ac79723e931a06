package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/fairmatch/fairmatch"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the version of the data layout this package writes. Open
// refuses a file whose version is newer.
const SchemaVersion = 1

// LockTimeout is how long Open waits for another holder of the data file to
// let go before it gives up with EUNAVAILABLE.
const LockTimeout = time.Second

// initialMmapSize is the memory map bbolt starts with. A read transaction
// holds the map, and an Update that outgrows it waits for every read
// transaction to end; mapping generously up front (it costs address space,
// not memory or disk) lets Updates go on during a Backup.
const initialMmapSize = 256 << 20

// Bucket names, one per kind of record.
const (
	bucketEnterprises  = "enterprises"
	bucketUniversities = "universities"
	bucketPeople       = "people"
	bucketProblems     = "problems"
	bucketOfferings    = "offerings"
	bucketBlocked      = "blocked"
	bucketHistory      = "history"
	bucketFairs        = "fairs"
	bucketStages       = "stages"
	bucketProposals    = "proposals"
	bucketAgendas      = "agendas"
	bucketCancelled    = "cancelled"
	bucketJobs         = "jobs"
	bucketMeta         = "meta"
	bucketSettings     = "settings"  // per-fair overrides of the plan
	bucketDecisions    = "decisions" // organizers' matching-review decisions
	bucketResponses    = "responses" // participants' declines and outcomes
	bucketAccounts     = "accounts"  // organizer, commissioner and liaison logins
	bucketTokens       = "tokens"    // sessions, participant links and feed tokens (hashed)
	bucketOutbox       = "outbox"    // e-mail waiting for or done with delivery
)

// buckets lists every bucket Open creates.
func buckets() []string {
	return []string{
		bucketEnterprises, bucketUniversities, bucketPeople, bucketProblems,
		bucketOfferings, bucketBlocked, bucketHistory, bucketFairs, bucketStages,
		bucketProposals, bucketAgendas, bucketCancelled, bucketJobs, bucketMeta,
		bucketSettings, bucketDecisions, bucketResponses, bucketAccounts, bucketTokens,
		bucketOutbox,
	}
}

// metaSchema is the meta key that holds the schema version.
const metaSchema = "schema"

// DB is an open fairmatch data file. It is safe for concurrent use: any
// number of View transactions run alongside at most one Update at a time.
type DB struct {
	bolt *bolt.DB
	path string
}

// Open opens the data file at path, creating it (mode 0600) if it does not
// exist. Only one DB, in this process or another, may hold a file at a time:
// if the file is held, Open gives up after LockTimeout with an EUNAVAILABLE
// error. On first open it creates the buckets and records SchemaVersion.
//
// A file that is not a bbolt database, or a bbolt database that fairmatch did
// not write, gives an EINVALID error; a file written by a newer fairmatch
// (a higher schema version) gives an ECONFLICT error. Both name the path.
func Open(path string) (*DB, error) {
	opts := &bolt.Options{Timeout: LockTimeout}
	if runtime.GOOS != "windows" { // where mapping does not grow the file
		opts.InitialMmapSize = initialMmapSize
	}
	bdb, err := bolt.Open(path, 0o600, opts)
	if err != nil {
		return nil, openError(path, err)
	}
	db := &DB{bolt: bdb, path: path}
	if err := db.init(); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	return db, nil
}

// openError maps bbolt's open failures to coded errors that name the file.
func openError(path string, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return &fairmatch.Error{
			Code: fairmatch.EUNAVAILABLE,
			Message: fmt.Sprintf("data file %s is in use by another fairmatch process "+
				"(stop it, or give this one another data file)", path),
			Err: err,
		}
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum):
		return &fairmatch.Error{
			Code:    fairmatch.EINVALID,
			Message: fmt.Sprintf("%s is not a fairmatch data file (not a bbolt database, or damaged)", path),
			Err:     err,
		}
	case errors.Is(err, berrors.ErrVersionMismatch):
		return &fairmatch.Error{
			Code:    fairmatch.EINVALID,
			Message: fmt.Sprintf("%s was written by an incompatible version of bbolt", path),
			Err:     err,
		}
	}
	if _, ok := errors.AsType[*fs.PathError](err); ok {
		return fmt.Errorf("open data file: %w", err) // names the path already
	}
	return fmt.Errorf("open data file %s: %w", path, err)
}

// init checks the schema version, or writes it with the buckets on a fresh
// file. A file with no buckets at all counts as fresh.
func (db *DB) init() error {
	return db.bolt.Update(func(btx *bolt.Tx) error {
		if err := db.checkSchema(btx); err != nil {
			return err
		}
		for _, name := range buckets() {
			if _, err := btx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("create bucket %s in %s: %w", name, db.path, err)
			}
		}
		// Version 1 is the only one so far: nothing to migrate, just record it.
		return btx.Bucket([]byte(bucketMeta)).Put([]byte(metaSchema), []byte(strconv.Itoa(SchemaVersion)))
	})
}

// checkSchema refuses a file that this version cannot use: another program's
// bbolt file, a damaged schema version or a newer one.
func (db *DB) checkSchema(btx *bolt.Tx) error {
	var v []byte
	if meta := btx.Bucket([]byte(bucketMeta)); meta != nil {
		v = meta.Get([]byte(metaSchema))
	}
	if v == nil {
		hasBuckets := false
		_ = btx.ForEach(func([]byte, *bolt.Bucket) error { hasBuckets = true; return nil })
		if !hasBuckets {
			return nil // a new file
		}
		return fairmatch.Errorf(fairmatch.EINVALID,
			"%s is a bbolt database but not a fairmatch data file (it has no schema version)", db.path)
	}
	n, err := strconv.Atoi(string(v))
	if err != nil || n < 1 {
		return fairmatch.Errorf(fairmatch.EINVALID, "%s has a damaged schema version %q", db.path, v)
	}
	if n > SchemaVersion {
		return fairmatch.Errorf(fairmatch.ECONFLICT,
			"%s has schema version %d, newer than this fairmatch understands (%d): "+
				"upgrade fairmatch, or use a backup written by this version", db.path, n, SchemaVersion)
	}
	return nil
}

// Close releases the data file. It waits for running transactions to end.
// Closing a closed DB does nothing.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("close data file %s: %w", db.path, err)
	}
	return nil
}

// Path returns the path the DB was opened with.
func (db *DB) Path() string { return db.path }

// View runs fn in a read-only transaction that sees one consistent state of
// the data. fn's error is returned unchanged.
func (db *DB) View(fn func(*Tx) error) error {
	btx, err := db.bolt.Begin(false)
	if err != nil {
		return fmt.Errorf("begin read transaction on %s: %w", db.path, err)
	}
	defer func() { _ = btx.Rollback() }()
	return fn(&Tx{tx: btx})
}

// Update runs fn in a read-write transaction. If fn returns an error (or
// panics) nothing it wrote is kept and its error is returned unchanged;
// otherwise everything is committed and synced to disk at once.
func (db *DB) Update(fn func(*Tx) error) error {
	btx, err := db.bolt.Begin(true)
	if err != nil {
		return fmt.Errorf("begin write transaction on %s: %w", db.path, err)
	}
	defer func() { _ = btx.Rollback() }() // a no-op after Commit
	if err := fn(&Tx{tx: btx}); err != nil {
		return err
	}
	if err := btx.Commit(); err != nil {
		return fmt.Errorf("commit to %s: %w", db.path, err)
	}
	return nil
}

// BackupTo writes a consistent copy of the whole database to w and returns
// the number of bytes written. Other goroutines keep reading and writing
// while it runs; the copy holds the state at the moment BackupTo started.
func (db *DB) BackupTo(w io.Writer) (int64, error) {
	var n int64
	err := db.View(func(tx *Tx) error {
		var err error
		n, err = tx.tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("back up %s: %w", db.path, err)
	}
	return n, nil
}

// Backup writes a consistent copy of the whole database to the file at path,
// which Open can open. It writes a temporary file in path's directory, syncs
// it and renames it over path, so path holds either the old content or a
// whole copy, never a part. Backing up onto the DB's own file is refused.
func (db *DB) Backup(path string) error {
	if sameFile(path, db.path) {
		return fairmatch.Errorf(fairmatch.EINVALID,
			"cannot back up %s onto itself", db.path)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("back up %s to %s: %w", db.path, path, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err := db.BackupTo(f); err != nil {
		return fmt.Errorf("back up to %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("back up %s to %s: sync: %w", db.path, path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("back up %s to %s: %w", db.path, path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("back up %s to %s: %w", db.path, path, err)
	}
	ok = true
	// Make the rename itself durable.
	if d, err := os.Open(dir); err == nil {
		serr := d.Sync()
		_ = d.Close()
		if serr != nil {
			return fmt.Errorf("back up %s to %s: sync directory: %w", db.path, path, serr)
		}
	}
	return nil
}

// sameFile reports whether a and b name the same existing file, or the same
// absolute path.
func sameFile(a, b string) bool {
	if ai, err := os.Stat(a); err == nil {
		if bi, err := os.Stat(b); err == nil {
			return os.SameFile(ai, bi)
		}
	}
	aa, err1 := filepath.Abs(a)
	ba, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == ba
}
