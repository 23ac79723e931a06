package mail_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/mail"
)

func TestComposeCall(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	f := fairmatch.Fair{ID: "2027-03", Theme: "高端电气装备", Timezone: "Asia/Shanghai", Start: time.Date(2027, 3, 15, 9, 0, 0, 0, loc)}
	closes := time.Date(2027, 3, 1, 9, 0, 0, 0, loc)
	comm := fairmatch.Person{ID: "P-C01", Name: "王专员", Email: "wang@zone.example.cn", Role: fairmatch.RoleCommissioner}
	m, err := mail.ComposeCall(f, closes, comm, "https://fairs.example.cn")
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "call/2027-03/P-C01" || m.To != comm.Email || len(m.Attachments) != 0 {
		t.Errorf("call message %+v", m)
	}
	for _, want := range []string{"王专员", "高端电气装备", "2027年3月1日 09:00", "1 March 2027", "https://fairs.example.cn/problems", "技术难题"} {
		if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
			t.Errorf("call lacks %q", want)
		}
	}
	liaison := fairmatch.Person{ID: "P-L01", Name: "Li", Email: "li@u.example.edu", Role: fairmatch.RoleLiaison}
	m, err = mail.ComposeCall(f, closes, liaison, "https://fairs.example.cn")
	if err != nil || !strings.Contains(m.Text, "/offerings") || !strings.Contains(m.Text, "/availability") || strings.Contains(m.Text, "/problems") {
		t.Errorf("liaison call: %v\n%s", err, m.Text)
	}
	for _, tc := range []struct {
		name string
		p    fairmatch.Person
		site string
		is   error
	}{
		{"an expert", fairmatch.Person{ID: "P-X", Email: "x@u.example.edu", Role: fairmatch.RoleExpert}, "https://a.example", nil},
		{"no address", fairmatch.Person{ID: "P-Y", Role: fairmatch.RoleCommissioner}, "https://a.example", mail.ErrNoAddress},
		{"bad site", comm, "javascript:alert(1)", nil},
	} {
		_, err := mail.ComposeCall(f, closes, tc.p, tc.site)
		if fairmatch.ErrorCode(err) != fairmatch.EINVALID || (tc.is != nil && !errors.Is(err, tc.is)) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
