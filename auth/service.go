package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
)

// Cookie names.
const (
	SessionCookie = "fm_session" // a staff session
	PersonCookie  = "fm_person"  // a participant session
)

// Default lifetimes and password cost.
const (
	DefaultSessionTTL       = 12 * time.Hour
	DefaultLinkTTL          = 60 * 24 * time.Hour
	DefaultPersonSessionTTL = 30 * 24 * time.Hour

	// DefaultPasswordCost is the bcrypt cost of new password hashes: about
	// 0.13-0.16 s of one core on the machines fairmatch was measured on
	// (BenchmarkPasswordHash), slow enough to make offline guessing
	// expensive and fast enough that a burst of logins does not starve a
	// two-core server. Each step up doubles it.
	DefaultPasswordCost = 11
)

// Password length bounds (bcrypt reads at most 72 bytes).
const (
	MinPasswordLen   = 10 // characters
	MaxPasswordBytes = 72
)

// errBadLogin is the one answer to an unknown login and a wrong password.
func errBadLogin() error {
	return fairmatch.Errorf(fairmatch.EUNAUTHORIZED, "wrong login or password")
}

// Service issues and checks credentials against the store. Set its fields
// before first use and do not change or copy it afterwards; it is safe for
// concurrent use.
type Service struct {
	DB  *store.DB
	Now func() time.Time // nil: time.Now

	// AdminToken, if not empty, is a bearer token acting as the built-in
	// organizer AdminLogin (the command line, API scripts).
	AdminToken string

	// Secure marks cookies Secure; set it unless serving plain http on
	// loopback.
	Secure bool

	SessionTTL       time.Duration // staff sessions; 0: DefaultSessionTTL
	LinkTTL          time.Duration // participant links; 0: DefaultLinkTTL
	PersonSessionTTL time.Duration // participant sessions; 0: DefaultPersonSessionTTL

	// PasswordCost is the bcrypt cost of new password hashes; 0 means
	// DefaultPasswordCost. Tests may lower it to bcrypt.MinCost.
	PasswordCost int

	dummyOnce sync.Once
	dummy     []byte // a hash to compare against when the login is unknown
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func (s *Service) cost() int {
	if s.PasswordCost != 0 {
		return s.PasswordCost
	}
	return DefaultPasswordCost
}

// dummyHash returns a hash of the service's cost whose password no one
// knows, so that an unknown login costs as much as a wrong password.
func (s *Service) dummyHash() []byte {
	s.dummyOnce.Do(func() {
		h, err := bcrypt.GenerateFromPassword([]byte(newToken()), s.cost())
		if err != nil { // only a cost outside bcrypt's range
			h, _ = bcrypt.GenerateFromPassword([]byte(newToken()), bcrypt.DefaultCost)
		}
		s.dummy = h
	})
	return s.dummy
}

func (s *Service) hashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), s.cost())
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// CreateAccount stores a new account with the given password. A bad login
// (see validation below), role, role-specific field or password is EINVALID
// with an Issue per field; a login already taken is ECONFLICT.
//
// A login is 1–64 characters of a–z, 0–9, '.', '_' and '-', starting with a
// letter or digit; AdminLogin is reserved. A commissioner lists one or more
// Enterprises and no University; a liaison names a University and no
// Enterprises; an organizer names neither. A password has at least
// MinPasswordLen characters and at most MaxPasswordBytes bytes. Created is
// set to now; Disabled is kept.
func (s *Service) CreateAccount(a Account, password string) error {
	is := validateAccount(a)
	is = append(is, validatePassword(password)...)
	if len(is) > 0 {
		return fairmatch.Invalid(fmt.Sprintf("account %q cannot be created", a.Login), is)
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return err
	}
	a.Created = s.now()
	err = s.DB.Update(func(tx *store.Tx) error {
		if _, err := tx.Account(a.Login); err == nil {
			return fairmatch.Errorf(fairmatch.ECONFLICT, "login %q is taken", a.Login)
		} else if fairmatch.ErrorCode(err) != fairmatch.ENOTFOUND {
			return err
		}
		return tx.PutAccount(toRecord(a, hash))
	})
	if err != nil {
		return fmt.Errorf("create account %s: %w", a.Login, err)
	}
	return nil
}

// Bootstrap creates the organizer login with the given password if the
// store has no account at all, and reports whether it did. It is meant for
// a first-run command ("fairmatch init"); once any account exists it does
// nothing. Bad input is EINVALID as for CreateAccount.
func (s *Service) Bootstrap(login, password string) (bool, error) {
	a := Account{Login: login, Name: login, Role: RoleOrganizer}
	is := append(validateAccount(a), validatePassword(password)...)
	if len(is) > 0 {
		return false, fairmatch.Invalid(fmt.Sprintf("account %q cannot be created", login), is)
	}
	var exists bool
	if err := s.DB.View(func(tx *store.Tx) error { exists = tx.HasAccounts(); return nil }); err != nil || exists {
		return false, err
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return false, err
	}
	a.Created = s.now()
	created := false
	err = s.DB.Update(func(tx *store.Tx) error {
		if tx.HasAccounts() { // created meanwhile
			return nil
		}
		created = true
		return tx.PutAccount(toRecord(a, hash))
	})
	if err != nil {
		return false, fmt.Errorf("bootstrap organizer %s: %w", login, err)
	}
	return created, nil
}

// UpdateAccount replaces an account's name, role, enterprises, university,
// person and disabled flag, keeping its password and creation time. It is
// validated as for CreateAccount; a missing login is ENOTFOUND. Disabling
// ends the account's sessions and API tokens.
func (s *Service) UpdateAccount(a Account) error {
	if is := validateAccount(a); len(is) > 0 {
		return fairmatch.Invalid(fmt.Sprintf("account %q cannot be updated", a.Login), is)
	}
	err := s.DB.Update(func(tx *store.Tx) error {
		old, err := tx.Account(a.Login)
		if err != nil {
			return err
		}
		a.Created = old.Created
		if err := tx.PutAccount(toRecord(a, old.PasswordHash)); err != nil {
			return err
		}
		if a.Disabled {
			_, err = revoke(tx, s.now(), func(r store.TokenRecord) bool {
				return r.Account == a.Login && (r.Kind == kindSession || r.Kind == kindAPI)
			})
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("update account %s: %w", a.Login, err)
	}
	return nil
}

// SetPassword replaces an account's password and ends its sessions (its API
// tokens stay valid). A bad password is EINVALID; a missing login ENOTFOUND.
func (s *Service) SetPassword(login, password string) error {
	if is := validatePassword(password); len(is) > 0 {
		return fairmatch.Invalid(fmt.Sprintf("password of %q cannot be set", login), is)
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return err
	}
	err = s.DB.Update(func(tx *store.Tx) error {
		rec, err := tx.Account(login)
		if err != nil {
			return err
		}
		rec.PasswordHash = hash
		if err := tx.PutAccount(rec); err != nil {
			return err
		}
		_, err = revoke(tx, s.now(), func(r store.TokenRecord) bool {
			return r.Account == login && r.Kind == kindSession
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("set password of %s: %w", login, err)
	}
	return nil
}

// DisableAccount refuses the account further logins and ends its sessions
// and API tokens. A missing login is ENOTFOUND.
func (s *Service) DisableAccount(login string) error {
	a, err := s.Account(login)
	if err != nil {
		return err
	}
	a.Disabled = true
	return s.UpdateAccount(a)
}

// Account returns the account with the given login, or ENOTFOUND.
func (s *Service) Account(login string) (Account, error) {
	var rec store.AccountRecord
	err := s.DB.View(func(tx *store.Tx) (err error) { rec, err = tx.Account(login); return err })
	if err != nil {
		return Account{}, fmt.Errorf("account %s: %w", login, err)
	}
	return fromRecord(rec), nil
}

// Accounts returns every stored account, ordered by login (the built-in
// admin is not stored and not listed).
func (s *Service) Accounts() ([]Account, error) {
	var recs []store.AccountRecord
	err := s.DB.View(func(tx *store.Tx) (err error) { recs, err = tx.Accounts(); return err })
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	out := make([]Account, len(recs))
	for i, r := range recs {
		out[i] = fromRecord(r)
	}
	return out, nil
}

// Login checks a login and password and starts a staff session: it sets the
// cookie SessionCookie (HttpOnly, SameSite=Lax, Path=/, Secure if s.Secure)
// and returns the principal. An unknown login and a wrong password give the
// same EUNAUTHORIZED error after the same bcrypt work; a disabled account
// (with the right password) is EUNAUTHORIZED too. Rate-limit callers with a
// Limiter.
func (s *Service) Login(w http.ResponseWriter, login, password string) (*Principal, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	var rec store.AccountRecord
	found := false
	if loginIssue(login) == "" {
		err := s.DB.View(func(tx *store.Tx) (err error) { rec, err = tx.Account(login); return err })
		switch code := fairmatch.ErrorCode(err); code {
		case "":
			found = true
		case fairmatch.ENOTFOUND:
		default:
			return nil, fmt.Errorf("log in %s: %w", login, err)
		}
	}
	hash := s.dummyHash()
	if found {
		hash = []byte(rec.PasswordHash)
	}
	// Compare whether or not the login exists, so both cost the same.
	ok := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil && found
	if !ok {
		return nil, errBadLogin()
	}
	if rec.Disabled {
		return nil, fairmatch.Errorf(fairmatch.EUNAUTHORIZED,
			"account %s is disabled; ask an organizer", login)
	}
	now := s.now()
	ttl := orDefault(s.SessionTTL, DefaultSessionTTL)
	tok, err := s.issue(store.TokenRecord{Kind: kindSession, Account: login, Created: now, Expires: now.Add(ttl)})
	if err != nil {
		return nil, fmt.Errorf("log in %s: %w", login, err)
	}
	s.setCookie(w, SessionCookie, tok, ttl)
	a := fromRecord(rec)
	return &Principal{Account: &a, Via: ViaSession}, nil
}

// Logout ends the sessions named by the request's cookies and clears both
// cookies. A request without sessions is not an error.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) error {
	var hashes []string
	for name, kind := range map[string]string{SessionCookie: kindSession, PersonCookie: kindPerson} {
		c, err := r.Cookie(name)
		if err != nil {
			continue
		}
		s.clearCookie(w, name)
		if h, ok := tokenHash(c.Value); ok {
			hashes = append(hashes, kind+":"+h)
		}
	}
	if len(hashes) == 0 {
		return nil
	}
	err := s.DB.Update(func(tx *store.Tx) error {
		for _, kh := range hashes {
			kind, h, _ := strings.Cut(kh, ":")
			rec, err := tx.Token(h)
			if err != nil || rec.Kind != kind {
				continue // unknown, or not what the cookie claims to be
			}
			if err := tx.DeleteToken(h); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("log out: %w", err)
	}
	return nil
}

func (s *Service) setCookie(w http.ResponseWriter, name, value string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/",
		Expires:  s.now().Add(ttl),
		MaxAge:   int(ttl / time.Second),
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Service) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// Principal says who the request acts for. It considers, in order:
//
//   - an Authorization header: "Bearer <AdminToken>" (the built-in
//     organizer AdminLogin) or "Bearer <API token>"; if the header is
//     present, nothing else is considered;
//   - the SessionCookie of a live session of an enabled account;
//   - the PersonCookie of a live participant session.
//
// A request with no credentials, or only expired, revoked, malformed or
// unknown ones, is anonymous: (nil, nil). The error is only for a store
// failure.
func (s *Service) Principal(r *http.Request) (*Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		return s.bearer(h)
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		p, err := s.lookupPrincipal(c.Value, kindSession, ViaSession)
		if p != nil || err != nil {
			return p, err
		}
	}
	if c, err := r.Cookie(PersonCookie); err == nil {
		return s.lookupPrincipal(c.Value, kindPerson, ViaLink)
	}
	return nil, nil
}

func (s *Service) bearer(header string) (*Principal, error) {
	scheme, tok, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, nil
	}
	tok = strings.TrimSpace(tok)
	if s.AdminToken != "" && tok != "" {
		// Compare digests so that neither content nor length leaks.
		got, want := sha256.Sum256([]byte(tok)), sha256.Sum256([]byte(s.AdminToken))
		if subtle.ConstantTimeCompare(got[:], want[:]) == 1 {
			return &Principal{Account: &Account{Login: AdminLogin, Name: "Administrator", Role: RoleOrganizer}, Via: ViaBearer}, nil
		}
	}
	return s.lookupPrincipal(tok, kindAPI, ViaBearer)
}

// lookupPrincipal resolves a token of the given kind to a principal, or nil.
func (s *Service) lookupPrincipal(token, kind, via string) (*Principal, error) {
	h, ok := tokenHash(token)
	if !ok {
		return nil, nil
	}
	now := s.now()
	var p *Principal
	err := s.DB.View(func(tx *store.Tx) error {
		rec, ok, err := liveToken(tx, h, kind, now)
		if err != nil || !ok {
			return err
		}
		if rec.Account == "" {
			if rec.Person != "" {
				p = &Principal{Person: rec.Person, Via: via}
			}
			return nil
		}
		acc, err := tx.Account(rec.Account)
		if fairmatch.ErrorCode(err) == fairmatch.ENOTFOUND {
			return nil
		}
		if err != nil || acc.Disabled {
			return err
		}
		a := fromRecord(acc)
		p = &Principal{Account: &a, Via: via}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("check credentials: %w", err)
	}
	return p, nil
}

// toRecord and fromRecord convert between the API's and the store's account.
func toRecord(a Account, hash string) store.AccountRecord {
	return store.AccountRecord{
		Login: a.Login, Name: a.Name, Role: a.Role, Enterprises: a.Enterprises,
		University: a.University, Person: a.Person, PasswordHash: hash,
		Created: a.Created, Disabled: a.Disabled,
	}
}

func fromRecord(r store.AccountRecord) Account {
	return Account{
		Login: r.Login, Name: r.Name, Role: r.Role, Enterprises: r.Enterprises,
		University: r.University, Person: r.Person, Created: r.Created, Disabled: r.Disabled,
	}
}

// errNotFound reports whether err is the store's ENOTFOUND.
func errNotFound(err error) bool {
	var fe *fairmatch.Error
	return errors.As(err, &fe) && fe.Code == fairmatch.ENOTFOUND
}
