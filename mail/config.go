package mail

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/store"
)

// TLS modes of Config.TLS.
const (
	TLSStartTLS      = "starttls"      // STARTTLS, required (the default)
	TLSOpportunistic = "opportunistic" // STARTTLS when the server offers it, else plain text
	TLSImplicit      = "tls"           // TLS from the first byte (SMTPS, port 465)
	TLSNone          = "none"          // plain text, for a relay on the same host or a test server
)

// DefaultTimeout bounds one delivery attempt (connect, hello, TLS,
// authentication and transfer) when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Config says how to reach the mail server (the submission server that
// relays fairmatch's mail).
type Config struct {
	Host     string // the server's host name or address
	Port     int    // 0: 587 for starttls, 465 for tls, 25 otherwise
	Username string // empty: no authentication
	Password string
	From     string // the sender's bare address, "fair@zone.example.cn"
	FromName string // the sender's display name, "高新区科技局 Science Office"
	TLS      string // TLSStartTLS (default when empty), TLSOpportunistic, TLSImplicit or TLSNone
	Timeout  time.Duration

	// TLSConfig, if set, replaces the default TLS settings (system roots,
	// the server name from Host), for a server with a private CA. It is not
	// part of the configuration file.
	TLSConfig *tls.Config
}

// tlsMode returns the TLS mode with the default applied.
func (c Config) tlsMode() string {
	if c.TLS == "" {
		return TLSStartTLS
	}
	return c.TLS
}

// port returns the port with the default of the TLS mode applied.
func (c Config) port() int {
	switch {
	case c.Port != 0:
		return c.Port
	case c.tlsMode() == TLSStartTLS:
		return 587
	case c.tlsMode() == TLSImplicit:
		return 465
	}
	return 25
}

// timeout returns the timeout with the default applied.
func (c Config) timeout() time.Duration {
	if c.Timeout == 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

// Validate checks the configuration and returns an EINVALID error whose
// Issues name each bad field (record "mail", fields as in the configuration
// file: host, port, username, password, from, from_name, tls, timeout).
func (c Config) Validate() error {
	var issues []fairmatch.Issue
	bad := func(field, format string, args ...any) {
		issues = append(issues, fairmatch.Issue{Record: "mail", Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	switch {
	case c.Host == "":
		bad("host", "missing mail server host")
	case strings.Contains(c.Host, ":") && net.ParseIP(c.Host) != nil:
		bad("host", "%q: IPv6 address literals are not supported, give a host name", c.Host)
	case strings.ContainsAny(c.Host, " \t\r\n/[]@:"):
		bad("host", "%q is not a host name or address (give the port in port)", c.Host)
	}
	if c.Port < 0 || c.Port > 65535 {
		bad("port", "%d is not a TCP port", c.Port)
	}
	switch c.TLS {
	case "", TLSStartTLS, TLSOpportunistic, TLSImplicit, TLSNone:
	default:
		bad("tls", "unknown mode %q (want %s, %s, %s or %s)", c.TLS, TLSStartTLS, TLSOpportunistic, TLSImplicit, TLSNone)
	}
	if c.Password != "" && c.Username == "" {
		bad("username", "a password is given without a user name")
	}
	if c.Username != "" && c.TLS == TLSNone {
		bad("password", "credentials would cross the network in plain text with tls %q", TLSNone)
	}
	if err := store.ValidAddress(c.From); err != nil {
		bad("from", "%v", err)
	}
	if !utf8.ValidString(c.FromName) || strings.ContainsAny(c.FromName, "\r\n") {
		bad("from_name", "must be a single line of valid UTF-8")
	}
	if c.Timeout < 0 {
		bad("timeout", "negative timeout %s", c.Timeout)
	}
	if len(issues) > 0 {
		return fairmatch.Invalid("mail: invalid configuration", issues)
	}
	return nil
}

// LogValue shows the configuration in logs without the password.
func (c Config) LogValue() slog.Value {
	pw := ""
	if c.Password != "" {
		pw = "(set)"
	}
	return slog.GroupValue(
		slog.String("host", c.Host), slog.Int("port", c.port()), slog.String("tls", c.tlsMode()),
		slog.String("username", c.Username), slog.String("password", pw),
		slog.String("from", c.From), slog.Duration("timeout", c.timeout()),
	)
}
