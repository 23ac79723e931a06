package auth_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/store"
)

// A first organizer, a login, and the request that carries its cookie.
func Example() {
	dir, _ := os.MkdirTemp("", "fairmatch-auth")
	defer os.RemoveAll(dir)
	db, err := store.Open(filepath.Join(dir, "fairmatch.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	s := &auth.Service{DB: db, Secure: true, PasswordCost: 4} // cost 4 only to keep the example fast

	created, err := s.Bootstrap("alice", "a long enough password")
	fmt.Println("bootstrapped:", created, err)

	w := httptest.NewRecorder()
	if _, err := s.Login(w, "alice", "a long enough password"); err != nil {
		fmt.Println(err)
		return
	}
	r := httptest.NewRequest(http.MethodGet, "/api/fairs", nil)
	for _, c := range w.Result().Cookies() {
		r.AddCookie(c)
	}
	p, err := s.Principal(r)
	fmt.Println(p.Account.Login, p.Via, p.IsOrganizer(), p.CanEditEnterprise("E001"), err)

	link, _, _ := s.IssueLink("P-E001-1")
	person, err := s.RedeemLink(httptest.NewRecorder(), link)
	fmt.Println(person, err)
	// Output:
	// bootstrapped: true <nil>
	// alice session true true <nil>
	// P-E001-1 <nil>
}
