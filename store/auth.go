package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/fairmatch/fairmatch"
)

// AccountRecord is a stored login: an organizer, a technology commissioner or
// a university liaison. The auth package decides what the fields mean; the
// store only keeps them, keyed by Login.
type AccountRecord struct {
	Login        string    `json:"login"`
	Name         string    `json:"name,omitempty"`
	Role         string    `json:"role"`
	Enterprises  []string  `json:"enterprises,omitempty"`
	University   string    `json:"university,omitempty"`
	Person       string    `json:"person,omitempty"`
	PasswordHash string    `json:"password_hash"` // a bcrypt hash, never a password
	Created      time.Time `json:"created"`
	Disabled     bool      `json:"disabled,omitempty"`
}

// TokenRecord is what the store knows of a secret token (a session, a
// participant link or session, a calendar feed, an API token). It is keyed
// by a hash of the token; the token itself is never stored.
type TokenRecord struct {
	Kind    string    `json:"kind"`
	Account string    `json:"account,omitempty"` // the login it acts for, if any
	Person  string    `json:"person,omitempty"`  // the participant it acts for, if any
	Label   string    `json:"label,omitempty"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires,omitzero"` // zero: never
	Revoked time.Time `json:"revoked,omitzero"` // zero: not revoked
}

// Expired reports whether the token's lifetime has ended at now.
func (r TokenRecord) Expired(now time.Time) bool {
	return !r.Expires.IsZero() && !now.Before(r.Expires)
}

// Live reports whether the token is neither revoked nor expired at now.
func (r TokenRecord) Live(now time.Time) bool {
	return r.Revoked.IsZero() && !r.Expired(now)
}

// Account returns the account with the given login, or ENOTFOUND.
func (tx *Tx) Account(login string) (AccountRecord, error) {
	var a AccountRecord
	ok, err := get(tx.bucket(bucketAccounts), bucketAccounts, login, &a)
	if err != nil {
		return AccountRecord{}, err
	}
	if !ok || login == "" {
		return AccountRecord{}, fairmatch.Errorf(fairmatch.ENOTFOUND, "no account %q", login)
	}
	return a, nil
}

// Accounts returns every account, ordered by login.
func (tx *Tx) Accounts() ([]AccountRecord, error) {
	return scan[AccountRecord](tx.bucket(bucketAccounts), bucketAccounts, nil)
}

// HasAccounts reports whether any account is stored.
func (tx *Tx) HasAccounts() bool {
	k, _ := tx.bucket(bucketAccounts).Cursor().First()
	return k != nil
}

// PutAccount stores the account under its login, replacing any account with
// that login. An empty or unstorable login is EINVALID.
func (tx *Tx) PutAccount(a AccountRecord) error {
	var is issues
	is.key("account", "login", a.Login)
	if err := is.err("account cannot be stored"); err != nil {
		return err
	}
	return put(tx.bucket(bucketAccounts), bucketAccounts, a.Login, a)
}

// Token returns the token record stored under hash, or ENOTFOUND.
func (tx *Tx) Token(hash string) (TokenRecord, error) {
	var r TokenRecord
	ok, err := get(tx.bucket(bucketTokens), bucketTokens, hash, &r)
	if err != nil {
		return TokenRecord{}, err
	}
	if !ok || hash == "" {
		return TokenRecord{}, fairmatch.Errorf(fairmatch.ENOTFOUND, "no such token")
	}
	return r, nil
}

// PutToken stores rec under hash, replacing any record stored there. An
// empty or unstorable hash is EINVALID.
func (tx *Tx) PutToken(hash string, rec TokenRecord) error {
	var is issues
	is.key("token", "hash", hash)
	if err := is.err("token cannot be stored"); err != nil {
		return err
	}
	return put(tx.bucket(bucketTokens), bucketTokens, hash, rec)
}

// DeleteToken removes the record stored under hash; removing one that does
// not exist does nothing.
func (tx *Tx) DeleteToken(hash string) error {
	if hash == "" {
		return nil
	}
	if err := tx.bucket(bucketTokens).Delete([]byte(hash)); err != nil {
		return fmt.Errorf("delete token: %w", err)
	}
	return nil
}

// Tokens returns the records for which match reports true, keyed by hash.
// It reads every token record: revoking a person's or an account's tokens is
// rare, and a year of fairs holds some thousands of them.
func (tx *Tx) Tokens(match func(TokenRecord) bool) (map[string]TokenRecord, error) {
	out := make(map[string]TokenRecord)
	err := tx.bucket(bucketTokens).ForEach(func(k, v []byte) error {
		var r TokenRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return damaged(bucketTokens, string(k), err)
		}
		if match(r) {
			out[string(k)] = r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PruneTokens deletes every token record that is revoked, or expired at now,
// and returns how many it deleted.
func (tx *Tx) PruneTokens(now time.Time) (int, error) {
	dead, err := tx.Tokens(func(r TokenRecord) bool { return !r.Live(now) })
	if err != nil {
		return 0, err
	}
	for hash := range dead {
		if err := tx.DeleteToken(hash); err != nil {
			return 0, err
		}
	}
	return len(dead), nil
}
