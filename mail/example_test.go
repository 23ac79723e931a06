package mail_test

import (
	"fmt"

	"github.com/fairmatch/fairmatch/mail"
)

func ExampleMessageID() {
	// Every attempt to send an outbox message carries the same Message-ID.
	fmt.Println(mail.MessageID("reminder/2027-03/P-E001-1/1d-02acdcc4f962", "zone.example.cn"))
	// Output:
	// reminder.2027-03.P-E001-1.1d-02acdcc4f962.a352f07212423f0e@zone.example.cn
}
