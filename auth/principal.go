package auth

import (
	"slices"
	"time"
)

// Roles of an account.
const (
	RoleOrganizer    = "organizer"    // runs the fairs; may do everything
	RoleCommissioner = "commissioner" // files the problems of their enterprises
	RoleLiaison      = "liaison"      // lists their university's offerings and experts
)

// How a Principal was authenticated (Principal.Via).
const (
	ViaSession = "session" // a staff session cookie
	ViaBearer  = "bearer"  // the admin token or an API token
	ViaLink    = "link"    // a participant session started from a link
	ViaFeed    = "feed"    // a calendar-feed token
)

// AdminLogin is the login of the built-in organizer that the admin bearer
// token acts as. No stored account may use it.
const AdminLogin = "admin"

// Account is a login: an organizer; a technology commissioner, who edits the
// problems of their Enterprises only; a university liaison, who edits the
// offerings and experts' availability of their University only.
type Account struct {
	Login       string    `json:"login"`
	Name        string    `json:"name,omitempty"`
	Role        string    `json:"role"`
	Enterprises []string  `json:"enterprises,omitempty"` // a commissioner's enterprise ids
	University  string    `json:"university,omitempty"`  // a liaison's university id
	Person      string    `json:"person,omitempty"`      // the dataset person id of this login, if any
	Created     time.Time `json:"created"`
	Disabled    bool      `json:"disabled,omitempty"`
}

// Principal is who a request acts for: a staff Account, or a participant
// (Person). A nil *Principal is anonymous; all its methods report false.
type Principal struct {
	Account *Account // nil for a participant
	Person  string   // the participant's person id, for Via link or feed
	Via     string   // ViaSession, ViaBearer, ViaLink or ViaFeed
}

// account returns the principal's account if it may act (not disabled).
func (p *Principal) account() *Account {
	if p == nil || p.Account == nil || p.Account.Disabled {
		return nil
	}
	return p.Account
}

// Staff reports whether the principal is a staff account of any role.
func (p *Principal) Staff() bool { return p.account() != nil }

// IsOrganizer reports whether the principal is an organizer.
func (p *Principal) IsOrganizer() bool {
	a := p.account()
	return a != nil && a.Role == RoleOrganizer
}

// CanEditEnterprise reports whether the principal may edit the problems of
// enterprise id: an organizer, or a commissioner whose account lists it.
func (p *Principal) CanEditEnterprise(id string) bool {
	if id == "" {
		return false
	}
	if p.IsOrganizer() {
		return true
	}
	a := p.account()
	return a != nil && a.Role == RoleCommissioner && slices.Contains(a.Enterprises, id)
}

// CanEditUniversity reports whether the principal may edit the offerings and
// experts' availability of university id: an organizer, or its liaison.
func (p *Principal) CanEditUniversity(id string) bool {
	if id == "" {
		return false
	}
	if p.IsOrganizer() {
		return true
	}
	a := p.account()
	return a != nil && a.Role == RoleLiaison && a.University == id
}

// CanSeePerson reports whether the principal may see participant id's
// schedule: an organizer, or that participant (by link session or feed, or a
// staff account whose Person is id).
func (p *Principal) CanSeePerson(id string) bool {
	if p == nil || id == "" {
		return false
	}
	if p.IsOrganizer() {
		return true
	}
	if p.Account == nil {
		return p.Person == id
	}
	a := p.account()
	return a != nil && a.Person == id
}
