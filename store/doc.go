// Package store keeps fairmatch's state in a bbolt data file: the imported
// dataset, the year's fairs and their stages, each fair's proposals, agenda
// and cancelled meetings, the jobs whose results were applied, and a few
// settings. It is the only package of fairmatch that imports bbolt.
//
// # Basics
//
// Open a data file with Open and release it with Close. All reads happen in a
// View and all writes in an Update; both hand their function a *Tx whose
// methods read and write domain values:
//
//	db, err := store.Open("fairmatch.db")
//	if err != nil {
//		return err
//	}
//	defer db.Close()
//	err = db.Update(func(tx *store.Tx) error {
//		if err := tx.PutDataset(ds); err != nil {
//			return err
//		}
//		return tx.MarkJobApplied(jobID, time.Now())
//	})
//
// An Update is all or nothing: if its function returns an error or panics,
// nothing it wrote is kept. A committed Update is synced to disk before
// Update returns. Views run concurrently with each other and with the one
// Update that may be running; each sees a single consistent state.
//
// The file holds one bucket per kind of record (enterprises, universities,
// people, problems, offerings, blocked, history, fairs, stages, proposals,
// agendas, cancelled, jobs, meta). Values are the JSON of the root package's
// types. Keys are ids; blocked pairs are keyed by enterprise and university,
// history by enterprise, university and fair, cancelled meetings by fair and
// meeting id, the parts joined with a NUL byte. A fair's stages are records
// of their own keyed by Stage.Key, so a stage's state can change without
// rewriting its fair; a fair's proposals and its agenda are one record each,
// keyed by the fair id. The meta key "schema" holds the layout's version
// (SchemaVersion); Open writes it into a new file and refuses a file with a
// newer one.
//
// Methods return *fairmatch.Error values: ENOTFOUND for a missing fair,
// stage or agenda, EINVALID (with an Issue per bad record and field) for a
// record that cannot be stored, EUNAVAILABLE when another process holds the
// file. Backup and BackupTo copy the whole database while it stays in use.
//
// Tests of other packages can use the storetest subpackage, which opens a
// data file in the test's temporary directory.
//
// # Caveats
//
// bbolt locks its file: only one process (and only one DB within a process)
// can have a data file open. Open waits LockTimeout for the lock and then
// fails with EUNAVAILABLE, so a second fairmatch started on the same file
// says so instead of hanging.
//
// Do not start an Update inside another Update, or inside a View, on the same
// goroutine: the inner Update waits for the outer transaction to end (always
// for an Update, when it must grow the memory map for a View), and the
// goroutine deadlocks. A Tx is valid only inside its function and on its
// goroutine.
//
// A read transaction holds bbolt's memory map, and an Update that needs a
// larger map waits until every read transaction has ended. The map starts at
// 256 MiB (address space, not memory or disk), so until the file outgrows
// that a long View or Backup delays no Update; past it, an Update may wait
// for a Backup to finish. Pages an Update frees while a read transaction is
// open are reused only after it ends, so the file grows during a long Backup
// under heavy writing.
//
// Times come back with the offset they were stored with but not their named
// location (a time stored in Asia/Shanghai reads back as a fixed +08:00
// zone); compare them with time.Time.Equal, and use the fair's Timezone to
// get the location back.
//
// PutAgenda writes the Sequence of the meetings of the agenda it is given.
package store
