package auth_test

import (
	"testing"

	"github.com/fairmatch/fairmatch/auth"
)

func TestAuthorizationMatrix(t *testing.T) {
	organizer := &auth.Principal{Account: &auth.Account{Login: "org", Role: auth.RoleOrganizer}, Via: auth.ViaSession}
	commissioner := &auth.Principal{Account: &auth.Account{Login: "com", Role: auth.RoleCommissioner,
		Enterprises: []string{"E1", "E2"}, Person: "P-C01"}, Via: auth.ViaSession}
	liaison := &auth.Principal{Account: &auth.Account{Login: "lia", Role: auth.RoleLiaison, University: "U1"}, Via: auth.ViaBearer}
	participant := &auth.Principal{Person: "P1", Via: auth.ViaLink}
	feed := &auth.Principal{Person: "P1", Via: auth.ViaFeed}
	disabled := &auth.Principal{Account: &auth.Account{Login: "old", Role: auth.RoleOrganizer, Disabled: true}}
	// A liaison account that wrongly lists enterprises gets nothing from them.
	confused := &auth.Principal{Account: &auth.Account{Login: "x", Role: auth.RoleLiaison, University: "U1", Enterprises: []string{"E1"}}}
	// Likewise a commissioner account that names a university.
	confused2 := &auth.Principal{Account: &auth.Account{Login: "y", Role: auth.RoleCommissioner, Enterprises: []string{"E1"}, University: "U1"}}
	var anonymous *auth.Principal

	type answers struct{ organizer, staff, e1, e3, u1, u2, p1, p2, pc01, empty bool }
	tests := []struct {
		name string
		p    *auth.Principal
		want answers
	}{
		{"organizer", organizer, answers{organizer: true, staff: true, e1: true, e3: true, u1: true, u2: true, p1: true, p2: true, pc01: true}},
		{"commissioner", commissioner, answers{staff: true, e1: true, pc01: true}},
		{"liaison", liaison, answers{staff: true, u1: true}},
		{"participant", participant, answers{p1: true}},
		{"feed", feed, answers{p1: true}},
		{"disabled organizer", disabled, answers{}},
		{"liaison listing enterprises", confused, answers{staff: true, u1: true}},
		{"commissioner naming a university", confused2, answers{staff: true, e1: true}},
		{"anonymous", anonymous, answers{}},
		{"empty principal", &auth.Principal{}, answers{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			got := answers{
				organizer: p.IsOrganizer(), staff: p.Staff(),
				e1: p.CanEditEnterprise("E1"), e3: p.CanEditEnterprise("E3"),
				u1: p.CanEditUniversity("U1"), u2: p.CanEditUniversity("U2"),
				p1: p.CanSeePerson("P1"), p2: p.CanSeePerson("P2"), pc01: p.CanSeePerson("P-C01"),
				empty: p.CanEditEnterprise("") || p.CanEditUniversity("") || p.CanSeePerson(""),
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
