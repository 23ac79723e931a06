package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
)

// Kinds of token record.
const (
	kindSession = "session" // a staff session (cookie SessionCookie)
	kindPerson  = "person"  // a participant session (cookie PersonCookie)
	kindLink    = "link"    // a participant link, redeemed for a person session
	kindFeed    = "feed"    // a participant's calendar feed
	kindAPI     = "api"     // a bearer token of an account
)

// tokenBytes is the entropy of every token; tokenLen its encoded length.
const (
	tokenBytes = 32
	tokenLen   = 43 // base64url of 32 bytes, unpadded
)

var tokenEncoding = base64.RawURLEncoding.Strict()

// newToken returns a fresh random token.
func newToken() string {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	return tokenEncoding.EncodeToString(b)
}

// tokenHash checks that s has the form of a token and returns the key of
// its record: the hex SHA-256 of s. Anything else is refused without a look
// at the store.
func tokenHash(s string) (string, bool) {
	if len(s) != tokenLen {
		return "", false
	}
	var b [tokenBytes + 2]byte
	if n, err := tokenEncoding.Decode(b[:], []byte(s)); err != nil || n != tokenBytes {
		return "", false
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:]), true
}

// liveToken returns the record under hash if it is of the given kind and
// live at now.
func liveToken(tx *store.Tx, hash, kind string, now time.Time) (store.TokenRecord, bool, error) {
	rec, err := tx.Token(hash)
	if errNotFound(err) {
		return store.TokenRecord{}, false, nil
	}
	if err != nil {
		return store.TokenRecord{}, false, err
	}
	if rec.Kind != kind || !rec.Live(now) {
		return store.TokenRecord{}, false, nil
	}
	return rec, true, nil
}

// issue stores a new token with the given record and returns the token.
func (s *Service) issue(rec store.TokenRecord) (string, error) {
	var tok string
	err := s.DB.Update(func(tx *store.Tx) (err error) { tok, err = put(tx, rec); return err })
	return tok, err
}

// put stores rec under a fresh token in tx and returns the token.
func put(tx *store.Tx, rec store.TokenRecord) (string, error) {
	tok := newToken()
	h, _ := tokenHash(tok)
	if err := tx.PutToken(h, rec); err != nil {
		return "", err
	}
	return tok, nil
}

// revoke marks every live record that match accepts as revoked at now and
// returns how many it marked.
func revoke(tx *store.Tx, now time.Time, match func(store.TokenRecord) bool) (int, error) {
	recs, err := tx.Tokens(func(r store.TokenRecord) bool { return r.Live(now) && match(r) })
	if err != nil {
		return 0, err
	}
	for h, r := range recs {
		r.Revoked = now
		if err := tx.PutToken(h, r); err != nil {
			return 0, err
		}
	}
	return len(recs), nil
}

// checkPerson refuses a person id that cannot be stored.
func checkPerson(person string) error {
	if reason := idIssue(person); reason != "" {
		return fairmatch.Invalid("person id cannot be used", []fairmatch.Issue{{Field: "person", Reason: reason}})
	}
	return nil
}

// IssueLink issues a participant link token for person, valid for LinkTTL
// and usable any number of times until then. Put it in the URL of the
// participant's e-mail; the store keeps only its hash. It does not check
// that the person exists in the dataset.
func (s *Service) IssueLink(person string) (token string, expires time.Time, err error) {
	if err := checkPerson(person); err != nil {
		return "", time.Time{}, err
	}
	now := s.now()
	expires = now.Add(orDefault(s.LinkTTL, DefaultLinkTTL))
	token, err = s.issue(store.TokenRecord{Kind: kindLink, Person: person, Created: now, Expires: expires})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("issue link for %s: %w", person, err)
	}
	return token, expires, nil
}

// errLinkDead is the one answer to a link that does not open anything.
func errLinkDead() error {
	return fairmatch.Errorf(fairmatch.EUNAUTHORIZED,
		"this link has expired or was revoked; ask the organizer for a new one")
}

// RedeemLink checks a participant link token and starts a participant
// session: it sets the cookie PersonCookie (HttpOnly, SameSite=Lax, Path=/)
// for PersonSessionTTL and returns the person. An expired, revoked, unknown
// or malformed link is EUNAUTHORIZED, with the same message for all.
func (s *Service) RedeemLink(w http.ResponseWriter, token string) (person string, err error) {
	h, ok := tokenHash(token)
	if !ok {
		return "", errLinkDead()
	}
	now := s.now()
	ttl := orDefault(s.PersonSessionTTL, DefaultPersonSessionTTL)
	var session string
	err = s.DB.Update(func(tx *store.Tx) error {
		link, ok, err := liveToken(tx, h, kindLink, now)
		if err != nil {
			return err
		}
		if !ok {
			return errLinkDead()
		}
		person = link.Person
		session, err = put(tx, store.TokenRecord{Kind: kindPerson, Person: person, Created: now, Expires: now.Add(ttl)})
		return err
	})
	if err != nil {
		if fairmatch.ErrorCode(err) == fairmatch.EUNAUTHORIZED {
			return "", err
		}
		return "", fmt.Errorf("redeem link: %w", err)
	}
	s.setCookie(w, PersonCookie, session, ttl)
	return person, nil
}

// IssueFeed issues the calendar-feed token of person, revoking any earlier
// one: a person has at most one live feed token. Feed tokens do not expire.
func (s *Service) IssueFeed(person string) (token string, err error) {
	if err := checkPerson(person); err != nil {
		return "", err
	}
	now := s.now()
	err = s.DB.Update(func(tx *store.Tx) error {
		if _, err := revoke(tx, now, func(r store.TokenRecord) bool {
			return r.Kind == kindFeed && r.Person == person
		}); err != nil {
			return err
		}
		token, err = put(tx, store.TokenRecord{Kind: kindFeed, Person: person, Created: now})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("issue feed for %s: %w", person, err)
	}
	return token, nil
}

// FeedPerson returns the person whose live calendar-feed token this is. Any
// other token is EUNAUTHORIZED.
func (s *Service) FeedPerson(token string) (string, error) {
	dead := fairmatch.Errorf(fairmatch.EUNAUTHORIZED,
		"this calendar address is no longer valid; ask the organizer for a new one")
	h, ok := tokenHash(token)
	if !ok {
		return "", dead
	}
	var rec store.TokenRecord
	err := s.DB.View(func(tx *store.Tx) (err error) {
		rec, ok, err = liveToken(tx, h, kindFeed, s.now())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("check feed token: %w", err)
	}
	if !ok {
		return "", dead
	}
	return rec.Person, nil
}

// FeedPrincipal is FeedPerson as a Principal (Via ViaFeed), for handlers
// that authorize with the Can* methods.
func (s *Service) FeedPrincipal(token string) (*Principal, error) {
	person, err := s.FeedPerson(token)
	if err != nil {
		return nil, err
	}
	return &Principal{Person: person, Via: ViaFeed}, nil
}

// RevokePerson revokes every live link, participant session and feed token
// of person and returns how many it revoked.
func (s *Service) RevokePerson(person string) (int, error) {
	var n int
	err := s.DB.Update(func(tx *store.Tx) (err error) {
		n, err = revoke(tx, s.now(), func(r store.TokenRecord) bool {
			return r.Person == person && r.Account == "" &&
				(r.Kind == kindLink || r.Kind == kindPerson || r.Kind == kindFeed)
		})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("revoke tokens of %s: %w", person, err)
	}
	return n, nil
}

// IssueAPIToken issues a bearer token that acts as the account login, for
// scripts; label says what it is for. It does not expire; DisableAccount
// revokes it. A missing login is ENOTFOUND; a disabled one ECONFLICT.
func (s *Service) IssueAPIToken(login, label string) (string, error) {
	now := s.now()
	var token string
	err := s.DB.Update(func(tx *store.Tx) error {
		acc, err := tx.Account(login)
		if err != nil {
			return err
		}
		if acc.Disabled {
			return fairmatch.Errorf(fairmatch.ECONFLICT, "account %s is disabled", login)
		}
		token, err = put(tx, store.TokenRecord{Kind: kindAPI, Account: login, Label: label, Created: now})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("issue API token for %s: %w", login, err)
	}
	return token, nil
}

// Prune deletes the records of expired and revoked tokens and returns how
// many it deleted. Once pruned, a revoked token is simply unknown, which
// every check treats the same way.
func (s *Service) Prune() (int, error) {
	var n int
	err := s.DB.Update(func(tx *store.Tx) (err error) { n, err = tx.PruneTokens(s.now()); return err })
	if err != nil {
		return 0, fmt.Errorf("prune tokens: %w", err)
	}
	return n, nil
}
