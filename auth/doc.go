// Package auth says who an HTTP request acts for and what that one may do.
//
// # Who
//
// Staff log in with a login and a password (Service.Login):
//
//   - an organizer runs the fairs and may do everything;
//   - a technology commissioner edits the problems of the enterprises listed
//     on their account, and no others;
//   - a university liaison edits the offerings and the experts' availability
//     of their university, and no other.
//
// Participants (enterprise representatives, university experts) have no
// password. An organizer issues each one a link (Service.IssueLink); opening
// it (Service.RedeemLink) starts a participant session in a cookie. A
// calendar application gets a feed token of its own (Service.IssueFeed),
// which opens that person's calendar feed and nothing else.
//
// Scripts and the command line send "Authorization: Bearer <token>" with the
// admin token of the configuration (acting as the built-in organizer
// "admin") or an API token issued for an account (Service.IssueAPIToken).
//
// Service.Principal turns a request into a *Principal, whose methods
// (IsOrganizer, CanEditEnterprise, CanEditUniversity, CanSeePerson, Staff)
// answer the authorization questions. A nil *Principal is anonymous and may
// do nothing; every method is safe to call on it.
//
// # Tokens
//
// Every token (staff session cookie "fm_session", participant session cookie
// "fm_person", link, feed, API token) is 32 random bytes in unpadded
// base64url (43 characters). Cookies hold such opaque tokens, not signed
// data. The store keeps only the SHA-256 of a token, with its kind, its
// subject, its creation and expiry times and whether it was revoked; a token
// is looked up by that hash, so a stolen data file opens nothing. A token
// of one kind is never accepted as another (a link is not a session). Token
// values are never logged.
//
// Passwords are bcrypt hashes (cost DefaultPasswordCost unless
// Service.PasswordCost says otherwise). A login with an unknown name costs
// the same bcrypt comparison as a wrong password and gives the same error.
//
// Lifetimes: staff sessions Service.SessionTTL (12 h), participant links
// LinkTTL (60 days, usable any number of times until then), participant
// sessions PersonSessionTTL (30 days). Feed and API tokens do not expire:
// issuing a new feed token revokes the old one, RevokePerson revokes all of a
// participant's tokens, and DisableAccount all of an account's. Lifetimes are
// fixed from issue, not sliding. Service.Prune deletes expired and revoked
// records; run it now and then (a daily job).
//
// # First organizer
//
// Service.Bootstrap creates an organizer account when the store has none, so
// a command like "fairmatch init --login alice" can make the first login;
// after that, organizers create accounts with CreateAccount.
//
// # Rate limiting
//
// Limiter keeps a token bucket per key (a client address from ClientIP, a
// login) in bounded memory. Put one in front of Login and RedeemLink.
//
// # Caveats
//
// Disabling an account or revoking a person takes effect on the next
// request: Principal reads the account and the token on every call. Cookies
// are SameSite=Lax; state-changing handlers must still check the request's
// origin (http.CrossOriginProtection). Limiter forgets the least recently
// used key when it is full, so a client with more addresses than maxKeys
// can reset others' buckets; size maxKeys well above the expected clients.
package auth
