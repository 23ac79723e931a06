package auth_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
)

func TestCreateAccountValidation(t *testing.T) {
	s, _ := newService(t)
	tests := []struct {
		name   string
		a      auth.Account
		pw     string
		fields []string // fields of the expected issues; nil: accepted
	}{
		{"organizer", auth.Account{Login: "alice", Role: auth.RoleOrganizer}, password, nil},
		{"commissioner", auth.Account{Login: "c.wang", Role: auth.RoleCommissioner, Enterprises: []string{"E001"}, Person: "P-C01"}, password, nil},
		{"liaison", auth.Account{Login: "u01-tto", Role: auth.RoleLiaison, University: "U01"}, password, nil},
		{"login upper case", auth.Account{Login: "Alice", Role: auth.RoleOrganizer}, password, []string{"login"}},
		{"login starts with dot", auth.Account{Login: ".x", Role: auth.RoleOrganizer}, password, []string{"login"}},
		{"login with space", auth.Account{Login: "a b", Role: auth.RoleOrganizer}, password, []string{"login"}},
		{"login too long", auth.Account{Login: strings.Repeat("a", 65), Role: auth.RoleOrganizer}, password, []string{"login"}},
		{"login reserved", auth.Account{Login: auth.AdminLogin, Role: auth.RoleOrganizer}, password, []string{"login"}},
		{"no login, no role", auth.Account{}, password, []string{"login", "role"}},
		{"unknown role", auth.Account{Login: "x", Role: "root"}, password, []string{"role"}},
		{"commissioner without enterprises", auth.Account{Login: "x", Role: auth.RoleCommissioner}, password, []string{"enterprises"}},
		{"commissioner with bad and repeated enterprises", auth.Account{Login: "x", Role: auth.RoleCommissioner,
			Enterprises: []string{"E1", "E 2", "E1"}, University: "U1"}, password, []string{"enterprises[1]", "enterprises[2]", "university"}},
		{"liaison without university", auth.Account{Login: "x", Role: auth.RoleLiaison, Enterprises: []string{"E1"}}, password, []string{"university", "enterprises"}},
		{"organizer with scope", auth.Account{Login: "x", Role: auth.RoleOrganizer, University: "U1", Enterprises: []string{"E1"}}, password, []string{"enterprises", "university"}},
		{"bad person", auth.Account{Login: "x", Role: auth.RoleOrganizer, Person: "P\t1"}, password, []string{"person"}},
		{"short password", auth.Account{Login: "x", Role: auth.RoleOrganizer}, "ninechars", []string{"password"}},
		{"long password", auth.Account{Login: "x", Role: auth.RoleOrganizer}, strings.Repeat("x", 73), []string{"password"}},
		{"ten runes of Chinese", auth.Account{Login: "li", Role: auth.RoleOrganizer}, "一二三四五六七八九十", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.CreateAccount(tt.a, tt.pw)
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("CreateAccount: %v", err)
				}
				got, err := s.Account(tt.a.Login)
				if err != nil {
					t.Fatal(err)
				}
				if got.Role != tt.a.Role || got.Created.IsZero() {
					t.Errorf("stored %+v", got)
				}
				return
			}
			wantCode(t, "CreateAccount", err, fairmatch.EINVALID)
			var fields []string
			for _, is := range fairmatch.ErrorIssues(err) {
				if is.Record != "account" || is.Reason == "" {
					t.Errorf("issue %+v lacks record or reason", is)
				}
				fields = append(fields, is.Field)
			}
			if !slices.Equal(fields, tt.fields) {
				t.Errorf("issue fields = %v, want %v", fields, tt.fields)
			}
		})
	}
	wantCode(t, "CreateAccount twice", s.CreateAccount(auth.Account{Login: "alice", Role: auth.RoleOrganizer}, password), fairmatch.ECONFLICT)
	accounts, err := s.Accounts()
	if err != nil {
		t.Fatal(err)
	}
	var logins []string
	for _, a := range accounts {
		logins = append(logins, a.Login)
	}
	if want := []string{"alice", "c.wang", "li", "u01-tto"}; !slices.Equal(logins, want) {
		t.Errorf("Accounts = %v, want %v", logins, want)
	}
}

func TestLogin(t *testing.T) {
	s, _ := newService(t)
	mustCreate(t, s, auth.Account{Login: "alice", Name: "Alice", Role: auth.RoleOrganizer})

	p, c, err := login(t, s, " Alice ", password) // trimmed and lower-cased
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if p.Account.Login != "alice" || p.Via != auth.ViaSession || !p.IsOrganizer() {
		t.Errorf("Login principal = %+v", p)
	}
	if c == nil {
		t.Fatal("Login set no session cookie")
	}
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" ||
		c.MaxAge != int(auth.DefaultSessionTTL/time.Second) || len(c.Value) != 43 {
		t.Errorf("cookie %+v: want HttpOnly, Secure, SameSite=Lax, Path=/, MaxAge 12h, a 43-character value", c)
	}
	got := principal(t, s, requestWith(c))
	if got == nil || got.Account.Login != "alice" || got.Via != auth.ViaSession {
		t.Fatalf("Principal with session cookie = %+v", got)
	}

	// Unknown login and wrong password: one message.
	_, c1, err1 := login(t, s, "nobody", password)
	_, c2, err2 := login(t, s, "alice", "wrong password!")
	wantCode(t, "unknown login", err1, fairmatch.EUNAUTHORIZED)
	wantCode(t, "wrong password", err2, fairmatch.EUNAUTHORIZED)
	if err1.Error() != err2.Error() {
		t.Errorf("unknown login says %q, wrong password %q: want the same", err1, err2)
	}
	if c1 != nil || c2 != nil {
		t.Error("a failed login set a cookie")
	}
	_, _, err = login(t, s, "", "")
	wantCode(t, "empty login", err, fairmatch.EUNAUTHORIZED)
}

func TestLoginInsecureCookie(t *testing.T) {
	s, _ := newService(t)
	s.Secure = false
	mustCreate(t, s, auth.Account{Login: "alice", Role: auth.RoleOrganizer})
	_, c, err := login(t, s, "alice", password)
	if err != nil {
		t.Fatal(err)
	}
	if c.Secure {
		t.Error("cookie is Secure with Service.Secure false")
	}
}

func TestDisabledAccount(t *testing.T) {
	s, _ := newService(t)
	mustCreate(t, s, auth.Account{Login: "bob", Role: auth.RoleCommissioner, Enterprises: []string{"E1"}})
	_, c, err := login(t, s, "bob", password)
	if err != nil {
		t.Fatal(err)
	}
	api, err := s.IssueAPIToken("bob", "import script")
	if err != nil {
		t.Fatal(err)
	}
	bearer := httptest.NewRequest(http.MethodGet, "/", nil)
	bearer.Header.Set("Authorization", "Bearer "+api)
	if p := principal(t, s, bearer); p == nil || p.Account.Login != "bob" || p.Via != auth.ViaBearer {
		t.Fatalf("Principal with API token = %+v", p)
	}

	if err := s.DisableAccount("bob"); err != nil {
		t.Fatal(err)
	}
	if p := principal(t, s, requestWith(c)); p != nil {
		t.Errorf("session of a disabled account still opens: %+v", p)
	}
	if p := principal(t, s, bearer); p != nil {
		t.Errorf("API token of a disabled account still opens: %+v", p)
	}
	_, c, err = login(t, s, "bob", password)
	wantCode(t, "Login to a disabled account", err, fairmatch.EUNAUTHORIZED)
	if c != nil {
		t.Error("login to a disabled account set a cookie")
	}
	_, err = s.IssueAPIToken("bob", "again")
	wantCode(t, "IssueAPIToken for a disabled account", err, fairmatch.ECONFLICT)
	wantCode(t, "DisableAccount(nobody)", s.DisableAccount("nobody"), fairmatch.ENOTFOUND)

	// Enabling again lets bob log in, but his old session stays ended.
	a, err := s.Account("bob")
	if err != nil {
		t.Fatal(err)
	}
	a.Disabled = false
	if err := s.UpdateAccount(a); err != nil {
		t.Fatal(err)
	}
	if _, _, err := login(t, s, "bob", password); err != nil {
		t.Errorf("login after re-enabling: %v", err)
	}
	if p := principal(t, s, bearer); p != nil {
		t.Error("API token revoked by disabling works again after enabling")
	}
}

func TestSessionExpiry(t *testing.T) {
	s, clk := newService(t)
	s.SessionTTL = time.Hour
	mustCreate(t, s, auth.Account{Login: "alice", Role: auth.RoleOrganizer})
	_, c, err := login(t, s, "alice", password)
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxAge != 3600 {
		t.Errorf("MaxAge = %d, want 3600", c.MaxAge)
	}
	clk.Advance(time.Hour - time.Second)
	if principal(t, s, requestWith(c)) == nil {
		t.Fatal("session refused before it expired")
	}
	clk.Advance(time.Second)
	if p := principal(t, s, requestWith(c)); p != nil {
		t.Fatalf("expired session accepted: %+v", p)
	}
	n, err := s.Prune()
	if err != nil || n != 1 {
		t.Errorf("Prune = %d, %v; want 1 (the expired session)", n, err)
	}
}

func TestLogout(t *testing.T) {
	s, _ := newService(t)
	mustCreate(t, s, auth.Account{Login: "alice", Role: auth.RoleOrganizer})
	_, c, err := login(t, s, "alice", password)
	if err != nil {
		t.Fatal(err)
	}
	_, other, err := login(t, s, "alice", password) // another browser
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	if err := s.Logout(w, requestWith(c)); err != nil {
		t.Fatal(err)
	}
	if cleared := cookieNamed(w, auth.SessionCookie); cleared == nil || cleared.MaxAge >= 0 || cleared.Value != "" {
		t.Errorf("Logout cookie = %+v, want one that deletes %s", cleared, auth.SessionCookie)
	}
	if p := principal(t, s, requestWith(c)); p != nil {
		t.Error("the session still opens after Logout")
	}
	if p := principal(t, s, requestWith(other)); p == nil {
		t.Error("Logout ended the other browser's session too")
	}
	if err := s.Logout(httptest.NewRecorder(), requestWith()); err != nil {
		t.Errorf("Logout without cookies: %v", err)
	}
}

func TestSetPasswordEndsSessions(t *testing.T) {
	s, _ := newService(t)
	mustCreate(t, s, auth.Account{Login: "alice", Role: auth.RoleOrganizer})
	_, c, err := login(t, s, "alice", password)
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, "short password", s.SetPassword("alice", "short"), fairmatch.EINVALID)
	wantCode(t, "unknown login", s.SetPassword("nobody", "a long new password"), fairmatch.ENOTFOUND)
	if err := s.SetPassword("alice", "a long new password"); err != nil {
		t.Fatal(err)
	}
	if principal(t, s, requestWith(c)) != nil {
		t.Error("the session survived a password change")
	}
	if _, _, err := login(t, s, "alice", password); err == nil {
		t.Error("the old password still works")
	}
	if _, _, err := login(t, s, "alice", "a long new password"); err != nil {
		t.Errorf("the new password: %v", err)
	}
}

func TestBearer(t *testing.T) {
	s, _ := newService(t)
	mustCreate(t, s, auth.Account{Login: "lia", Role: auth.RoleLiaison, University: "U1"})
	api, err := s.IssueAPIToken("lia", "sync")
	if err != nil {
		t.Fatal(err)
	}
	_, sessionCookie, err := login(t, s, "lia", password)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		header string
		want   string // login, or "" for anonymous
	}{
		{"Bearer " + adminToken, auth.AdminLogin},
		{"bearer " + adminToken, auth.AdminLogin},
		{"Bearer " + api, "lia"},
		{"Bearer " + adminToken + "x", ""},
		{"Bearer " + adminToken[:len(adminToken)-1], ""},
		{"Bearer ", ""},
		{"Basic " + adminToken, ""},
		{adminToken, ""},
		{"Bearer " + sessionCookie.Value, ""}, // a session is not an API token
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", tt.header)
		p := principal(t, s, r)
		switch {
		case tt.want == "" && p != nil:
			t.Errorf("%.20q…: principal %+v, want anonymous", tt.header, p)
		case tt.want != "" && (p == nil || p.Account.Login != tt.want || p.Via != auth.ViaBearer):
			t.Errorf("%.20q…: principal %+v, want %s via bearer", tt.header, p, tt.want)
		}
	}
	// A wrong bearer is final: the session cookie beside it is not consulted.
	r := requestWith(sessionCookie)
	r.Header.Set("Authorization", "Bearer nonsense")
	if p := principal(t, s, r); p != nil {
		t.Errorf("wrong bearer with a good cookie gave %+v, want anonymous", p)
	}
	// Without an admin token configured, an empty bearer opens nothing.
	s.AdminToken = ""
	r = httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer ")
	if p := principal(t, s, r); p != nil {
		t.Errorf("empty admin token: %+v", p)
	}
}

func TestBootstrap(t *testing.T) {
	s, _ := newService(t)
	_, err := s.Bootstrap("root!", password)
	wantCode(t, "Bootstrap with a bad login", err, fairmatch.EINVALID)
	created, err := s.Bootstrap("alice", password)
	if err != nil || !created {
		t.Fatalf("Bootstrap on an empty store = %v, %v; want true", created, err)
	}
	created, err = s.Bootstrap("mallory", password)
	if err != nil || created {
		t.Fatalf("second Bootstrap = %v, %v; want false", created, err)
	}
	p, _, err := login(t, s, "alice", password)
	if err != nil || !p.IsOrganizer() {
		t.Fatalf("login as the bootstrapped organizer: %+v, %v", p, err)
	}
	if _, _, err := login(t, s, "mallory", password); err == nil {
		t.Error("the second Bootstrap created an account")
	}
}
