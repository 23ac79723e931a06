package mail_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/mail"
)

func TestConfigValidate(t *testing.T) {
	good := mail.Config{Host: "smtp.example.cn", From: "fair@example.cn", Username: "fair", Password: "pw"}
	tests := []struct {
		name   string
		change func(*mail.Config)
		fields []string // the fields named in the issues; none: valid
	}{
		{"valid", func(*mail.Config) {}, nil},
		{"every mode", func(c *mail.Config) { c.TLS = mail.TLSImplicit }, nil},
		{"no credentials in plain text allowed", func(c *mail.Config) { c.TLS, c.Username, c.Password = mail.TLSNone, "", "" }, nil},
		{"no host", func(c *mail.Config) { c.Host = "" }, []string{"host"}},
		{"host with port", func(c *mail.Config) { c.Host = "smtp.example.cn:587" }, []string{"host"}},
		{"IPv6 literal", func(c *mail.Config) { c.Host = "::1" }, []string{"host"}},
		{"bad port", func(c *mail.Config) { c.Port = 70000 }, []string{"port"}},
		{"unknown tls", func(c *mail.Config) { c.TLS = "ssl" }, []string{"tls"}},
		{"password without user", func(c *mail.Config) { c.Username = "" }, []string{"username"}},
		{"credentials in plain text", func(c *mail.Config) { c.TLS = mail.TLSNone }, []string{"password"}},
		{"no from", func(c *mail.Config) { c.From = "" }, []string{"from"}},
		{"from with a name", func(c *mail.Config) { c.From = "Fair <fair@example.cn>" }, []string{"from"}},
		{"two-line name", func(c *mail.Config) { c.FromName = "a\r\nBcc: x@example.com" }, []string{"from_name"}},
		{"negative timeout", func(c *mail.Config) { c.Timeout = -time.Second }, []string{"timeout"}},
		{"several", func(c *mail.Config) { c.Host, c.From, c.TLS = "", "x", "ssl" }, []string{"host", "tls", "from"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.change(&c)
			err := c.Validate()
			if len(tt.fields) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
				t.Fatalf("Validate = %v, want EINVALID", err)
			}
			var got []string
			for _, is := range fairmatch.ErrorIssues(err) {
				if is.Record != "mail" {
					t.Errorf("issue record %q, want mail", is.Record)
				}
				got = append(got, is.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("issues name %v, want %v", got, tt.fields)
			}
			if _, err := mail.NewSMTP(c); err == nil {
				t.Error("NewSMTP accepted an invalid configuration")
			}
		})
	}
}

func TestConfigLogValueHidesPassword(t *testing.T) {
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("mail", "config", mail.Config{Host: "smtp.example.cn", Username: "fair", Password: "s3cret"})
	if strings.Contains(b.String(), "s3cret") || !strings.Contains(b.String(), "config.password=(set)") ||
		!strings.Contains(b.String(), "config.port=587") {
		t.Errorf("log line: %s", b.String())
	}
}
