package store

import (
	"fmt"
	"time"

	"github.com/fairmatch/fairmatch"
)

// appliedJob is the record of a job whose result has been applied.
type appliedJob struct {
	Applied time.Time `json:"applied"`
}

// JobApplied reports whether MarkJobApplied has recorded the job id, so that
// a result delivered twice is applied once.
func (tx *Tx) JobApplied(id string) (bool, error) {
	if id == "" {
		return false, nil
	}
	return tx.bucket(bucketJobs).Get([]byte(id)) != nil, nil
}

// MarkJobApplied records that the result of job id was applied at the given
// time. Call it in the same Update that applies the result.
func (tx *Tx) MarkJobApplied(id string, at time.Time) error {
	var is issues
	is.key("job", "id", id)
	if err := is.err("job cannot be recorded"); err != nil {
		return err
	}
	return put(tx.bucket(bucketJobs), bucketJobs, id, appliedJob{Applied: at})
}

// Meta returns a small setting stored with SetMeta and whether it is set.
// The key "schema" holds the schema version.
func (tx *Tx) Meta(key string) (string, bool, error) {
	if key == "" {
		return "", false, nil
	}
	v := tx.bucket(bucketMeta).Get([]byte(key))
	if v == nil {
		return "", false, nil
	}
	return string(v), true, nil
}

// SetMeta stores a small setting, such as a generated admin token's hash.
// The key must not be empty; "schema" is reserved (EINVALID).
func (tx *Tx) SetMeta(key, value string) error {
	if key == metaSchema {
		return fairmatch.Errorf(fairmatch.EINVALID, "meta key %q is reserved for the schema version", key)
	}
	var is issues
	is.key("meta", "key", key)
	if err := is.err("setting cannot be stored"); err != nil {
		return err
	}
	if err := tx.bucket(bucketMeta).Put([]byte(key), []byte(value)); err != nil {
		return fmt.Errorf("store %s %q: %w", bucketMeta, key, err)
	}
	return nil
}

// DeleteMeta removes a setting; removing one that is not set does nothing.
// The key "schema" is reserved (EINVALID).
func (tx *Tx) DeleteMeta(key string) error {
	if key == metaSchema {
		return fairmatch.Errorf(fairmatch.EINVALID, "meta key %q is reserved for the schema version", key)
	}
	if key == "" {
		return nil
	}
	if err := tx.bucket(bucketMeta).Delete([]byte(key)); err != nil {
		return fmt.Errorf("delete %s %q: %w", bucketMeta, key, err)
	}
	return nil
}
