package web

import "testing"

func TestFromAcceptLanguage(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"", langZH},
		{"en", langEN},
		{"en-US,en;q=0.9", langEN},
		{"fr-FR,en;q=0.5,zh-CN;q=0.6", langZH},
		{"zh-TW;q=0.3, EN-gb;q=0.31", langEN},
		{"en;q=0, zh;q=0", langZH},     // refused both: the default
		{"en;q=abc", langZH},           // unreadable q counts as 0
		{"de, ja;q=0.9", langZH},       // nothing supported
		{"en;q=1.5, zh;q=0.4", langZH}, // out of range counts as 0
	} {
		if got := fromAcceptLanguage(tc.header); got != tc.want {
			t.Errorf("Accept-Language %q: %s, want %s", tc.header, got, tc.want)
		}
	}
}

func FuzzFromAcceptLanguage(f *testing.F) {
	f.Add("zh-CN,zh;q=0.9,en;q=0.8")
	f.Add(";;q=,,")
	f.Fuzz(func(t *testing.T, h string) {
		if got := fromAcceptLanguage(h); got != langZH && got != langEN {
			t.Fatalf("%q gave %q", h, got)
		}
	})
}
