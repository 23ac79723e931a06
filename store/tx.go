package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/fairmatch/fairmatch"
	bolt "go.etcd.io/bbolt"
)

// Tx is a transaction of a DB, handed to the function given to View or
// Update. It is valid only until that function returns and must not be used
// from other goroutines. Its methods return *fairmatch.Error values with
// codes ENOTFOUND (no such record), EINVALID (a record that cannot be stored,
// with Issues naming the record and field) or EINTERNAL (a damaged record).
type Tx struct {
	tx *bolt.Tx
}

// sep joins the parts of a composite key (blocked and history records).
const sep = "\x00"

// bucket returns the named bucket, which Open has created.
func (tx *Tx) bucket(name string) *bolt.Bucket {
	b := tx.tx.Bucket([]byte(name))
	if b == nil {
		// Open creates every bucket; a missing one is a bug, not bad input.
		panic(fmt.Sprintf("store: bucket %q missing", name))
	}
	return b
}

// put stores v as JSON under key.
func put(b *bolt.Bucket, bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s %q: %w", bucket, printable(key), err)
	}
	if err := b.Put([]byte(key), data); err != nil {
		return fmt.Errorf("store %s %q: %w", bucket, printable(key), err)
	}
	return nil
}

// get decodes the record under key into v and reports whether it exists.
func get(b *bolt.Bucket, bucket, key string, v any) (bool, error) {
	data := b.Get([]byte(key))
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, damaged(bucket, key, err)
	}
	return true, nil
}

// scan decodes every record of the bucket whose key starts with prefix, in
// key order.
func scan[T any](b *bolt.Bucket, bucket string, prefix []byte) ([]T, error) {
	var out []T
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var rec T
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil, damaged(bucket, string(k), err)
		}
		out = append(out, rec)
	}
	return out, nil
}

// deletePrefix removes every key of the bucket that starts with prefix.
func deletePrefix(b *bolt.Bucket, bucket string, prefix []byte) error {
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); {
		if err := c.Delete(); err != nil {
			return fmt.Errorf("delete %s %q: %w", bucket, printable(string(k)), err)
		}
		// After Delete the cursor may point at the next key or need a Seek;
		// seeking the prefix again is always right.
		k, _ = c.Seek(prefix)
	}
	return nil
}

// damaged is the error for a stored record that does not decode.
func damaged(bucket, key string, err error) error {
	return &fairmatch.Error{
		Code:    fairmatch.EINTERNAL,
		Message: fmt.Sprintf("stored %s record %q is damaged", bucket, printable(key)),
		Err:     err,
	}
}

// printable shows a composite key with its separators as "/".
func printable(key string) string { return strings.ReplaceAll(key, sep, "/") }

// maxKeyPart bounds one part of a key so that composite keys of up to four
// parts stay within bbolt's key limit.
const maxKeyPart = bolt.MaxKeySize / 4

// keyIssue checks one part of a key; it returns the reason it cannot be
// stored, or "".
func keyIssue(part string) string {
	switch {
	case part == "":
		return "must not be empty"
	case strings.Contains(part, sep):
		return "must not contain a NUL character"
	case len(part) > maxKeyPart:
		return fmt.Sprintf("must be at most %d bytes long", maxKeyPart)
	}
	return ""
}

// issues collects the problems of a record about to be stored.
type issues []fairmatch.Issue

// key checks a key part and records an issue for it.
func (is *issues) key(record, field, value string) {
	if reason := keyIssue(value); reason != "" {
		*is = append(*is, fairmatch.Issue{Record: record, Field: field, Reason: reason})
	}
}

// err returns an EINVALID error listing the issues, or nil.
func (is issues) err(what string) error {
	if len(is) == 0 {
		return nil
	}
	return fairmatch.Invalid(what, is)
}
