package store_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
	"github.com/fairmatch/fairmatch/store/storetest"
)

func TestAccountsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fm.db")
	db := MustOpen(t, path)
	created := time.Date(2027, 3, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	alice := store.AccountRecord{Login: "alice", Name: "Alice", Role: "organizer", PasswordHash: "$2a$04$x", Created: created}
	bob := store.AccountRecord{Login: "bob", Role: "commissioner", Enterprises: []string{"E001", "E002"}, PasswordHash: "$2a$04$y", Created: created}

	mustView(t, db, func(tx *store.Tx) error {
		if tx.HasAccounts() {
			t.Error("HasAccounts on a new file = true")
		}
		return nil
	})
	mustUpdate(t, db, func(tx *store.Tx) error {
		if err := tx.PutAccount(bob); err != nil {
			return err
		}
		return tx.PutAccount(alice)
	})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = MustOpen(t, path) // the records survive a reopen
	mustView(t, db, func(tx *store.Tx) error {
		if !tx.HasAccounts() {
			t.Error("HasAccounts = false after PutAccount")
		}
		got, err := tx.Account("bob")
		if err != nil {
			return err
		}
		sameJSON(t, "Account(bob)", got, bob)
		all, err := tx.Accounts()
		if err != nil {
			return err
		}
		logins := make([]string, len(all))
		for i, a := range all {
			logins[i] = a.Login
		}
		if !slices.Equal(logins, []string{"alice", "bob"}) {
			t.Errorf("Accounts() logins = %v, want [alice bob]", logins)
		}
		for _, login := range []string{"carol", ""} {
			if _, err := tx.Account(login); fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
				t.Errorf("Account(%q) error = %v, want ENOTFOUND", login, err)
			}
		}
		return nil
	})
}

func TestPutAccountAndTokenRefuseBadKeys(t *testing.T) {
	db := storetest.Open(t)
	err := db.Update(func(tx *store.Tx) error { return tx.PutAccount(store.AccountRecord{Role: "organizer"}) })
	if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
		t.Fatalf("PutAccount without login: %v, want EINVALID", err)
	}
	if is := fairmatch.ErrorIssues(err); len(is) != 1 || is[0].Field != "login" {
		t.Errorf("issues = %v, want one for field login", is)
	}
	err = db.Update(func(tx *store.Tx) error { return tx.PutToken("a\x00b", store.TokenRecord{Kind: "session"}) })
	if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
		t.Fatalf("PutToken with NUL in hash: %v, want EINVALID", err)
	}
}

func TestTokens(t *testing.T) {
	db := storetest.Open(t)
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	recs := map[string]store.TokenRecord{
		"live-session": {Kind: "session", Account: "alice", Created: now, Expires: now.Add(time.Hour)},
		"old-session":  {Kind: "session", Account: "alice", Created: now.Add(-2 * time.Hour), Expires: now},
		"revoked-link": {Kind: "link", Person: "P1", Created: now, Expires: now.Add(time.Hour), Revoked: now},
		"feed":         {Kind: "feed", Person: "P1", Created: now}, // never expires
	}
	mustUpdate(t, db, func(tx *store.Tx) error {
		for h, r := range recs {
			if err := tx.PutToken(h, r); err != nil {
				return err
			}
		}
		return nil
	})

	for h, want := range map[string]bool{"live-session": true, "old-session": false, "revoked-link": false, "feed": true} {
		if got := recs[h].Live(now); got != want {
			t.Errorf("%s.Live(now) = %v, want %v", h, got, want)
		}
	}
	if recs["feed"].Expired(now.AddDate(100, 0, 0)) {
		t.Error("a record with no Expires expired")
	}

	mustView(t, db, func(tx *store.Tx) error {
		got, err := tx.Token("feed")
		if err != nil {
			return err
		}
		sameJSON(t, "Token(feed)", got, recs["feed"])
		if _, err := tx.Token("nope"); fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
			t.Errorf("Token(nope) = %v, want ENOTFOUND", err)
		}
		p1, err := tx.Tokens(func(r store.TokenRecord) bool { return r.Person == "P1" })
		if err != nil {
			return err
		}
		if len(p1) != 2 || p1["feed"].Kind != "feed" || p1["revoked-link"].Kind != "link" {
			t.Errorf("Tokens(person P1) = %v, want feed and revoked-link", p1)
		}
		return nil
	})

	var pruned int
	mustUpdate(t, db, func(tx *store.Tx) (err error) { pruned, err = tx.PruneTokens(now); return err })
	if pruned != 2 {
		t.Errorf("PruneTokens = %d, want 2 (old-session, revoked-link)", pruned)
	}
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.DeleteToken("feed") })
	mustView(t, db, func(tx *store.Tx) error {
		left, err := tx.Tokens(func(store.TokenRecord) bool { return true })
		if err != nil {
			return err
		}
		if len(left) != 1 || left["live-session"].Account != "alice" {
			t.Errorf("left after prune and delete: %v, want live-session only", left)
		}
		return nil
	})
}
