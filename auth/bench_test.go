package auth_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/time/rate"

	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/store"
)

// BenchmarkPrincipal measures resolving a request's credentials, the work
// every authenticated request does: a staff session (token and account
// read), a participant session (token read) and the admin bearer token (no
// store access), over a store holding 10,000 other tokens.
func BenchmarkPrincipal(b *testing.B) {
	s, _ := newService(b)
	mustCreate(b, s, auth.Account{Login: "alice", Role: auth.RoleOrganizer})
	_, staff, err := login(b, s, "alice", password)
	if err != nil {
		b.Fatal(err)
	}
	link, _, err := s.IssueLink("P1")
	if err != nil {
		b.Fatal(err)
	}
	_, person, err := redeemF(s, link)
	if err != nil {
		b.Fatal(err)
	}
	err = s.DB.Update(func(tx *store.Tx) error {
		for i := range 10_000 {
			sum := sha256.Sum256([]byte(fmt.Sprint("token-", i)))
			rec := store.TokenRecord{Kind: "link", Person: fmt.Sprint("P-", i), Created: time.Now()}
			if err := tx.PutToken(hex.EncodeToString(sum[:]), rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	admin := httptest.NewRequest(http.MethodGet, "/", nil)
	admin.Header.Set("Authorization", "Bearer "+adminToken)
	for _, bc := range []struct {
		name string
		r    *http.Request
	}{
		{"staff-session", requestWith(staff)},
		{"person-session", requestWith(person)},
		{"admin-bearer", admin},
		{"unknown-cookie", requestWith(&http.Cookie{Name: auth.SessionCookie, Value: link})},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				p, err := s.Principal(bc.r)
				if err != nil || (p == nil) != (bc.name == "unknown-cookie") {
					b.Fatalf("Principal = %+v, %v", p, err)
				}
			}
		})
	}
}

// BenchmarkPasswordHash measures one bcrypt hash per cost: the work of a
// login (a comparison costs the same as a hash), and so how many logins a
// core can check a second.
func BenchmarkPasswordHash(b *testing.B) {
	for _, cost := range []int{bcrypt.MinCost, 10, auth.DefaultPasswordCost, 12} {
		b.Run(fmt.Sprint("cost-", cost), func(b *testing.B) {
			for b.Loop() {
				if _, err := bcrypt.GenerateFromPassword([]byte(password), cost); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
		})
	}
}

// BenchmarkLogin measures a whole successful login at the default cost,
// including the session write (an fsync'd bbolt update).
func BenchmarkLogin(b *testing.B) {
	s, _ := newService(b)
	s.PasswordCost = 0 // DefaultPasswordCost
	mustCreate(b, s, auth.Account{Login: "alice", Role: auth.RoleOrganizer})
	for b.Loop() {
		if _, err := s.Login(httptest.NewRecorder(), "alice", password); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
}

// BenchmarkLoginRefused measures refused logins at the default cost: an
// unknown login must cost what a wrong password costs, or the time tells
// which logins exist.
func BenchmarkLoginRefused(b *testing.B) {
	s, _ := newService(b)
	s.PasswordCost = 0 // DefaultPasswordCost
	mustCreate(b, s, auth.Account{Login: "alice", Role: auth.RoleOrganizer})
	for _, bc := range []struct{ name, login string }{{"wrong-password", "alice"}, {"unknown-login", "nobody"}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Login(httptest.NewRecorder(), bc.login, "not the password"); err == nil {
					b.Fatal("login succeeded")
				}
			}
		})
	}
}

// BenchmarkLimiter measures Allow over a working set larger than the
// limiter, so every call of a new key evicts one.
func BenchmarkLimiter(b *testing.B) {
	l := auth.NewLimiter(rate.Every(time.Second), 5, 1024)
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = fmt.Sprint("198.51.100.", i)
	}
	i := 0
	for b.Loop() {
		l.Allow(keys[i%len(keys)])
		i++
	}
}
