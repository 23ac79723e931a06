package auth_test

import (
	"fmt"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/fairmatch/fairmatch/auth"
)

func TestLimiterBurstAndRefill(t *testing.T) {
	l := auth.NewLimiter(rate.Every(time.Second), 3, 100)
	t0 := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		if !l.AllowAt("1.2.3.4", t0) {
			t.Fatalf("event %d of the burst refused", i+1)
		}
	}
	if l.AllowAt("1.2.3.4", t0) {
		t.Fatal("fourth event at once allowed, burst is 3")
	}
	if !l.AllowAt("5.6.7.8", t0) {
		t.Fatal("another key is limited by the first one's events")
	}
	if l.AllowAt("1.2.3.4", t0.Add(999*time.Millisecond)) {
		t.Error("allowed before a token refilled")
	}
	if !l.AllowAt("1.2.3.4", t0.Add(time.Second)) {
		t.Error("refused after a token refilled")
	}
	if l.AllowAt("1.2.3.4", t0.Add(time.Second)) {
		t.Error("two events allowed on one refilled token")
	}
	// After a long pause the bucket is full again, but not beyond burst.
	later := t0.Add(time.Hour)
	n := 0
	for l.AllowAt("1.2.3.4", later) {
		n++
	}
	if n != 3 {
		t.Errorf("after an hour %d events allowed at once, want the burst 3", n)
	}
}

func TestLimiterBoundedKeys(t *testing.T) {
	l := auth.NewLimiter(rate.Every(time.Hour), 1, 10)
	t0 := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	if !l.AllowAt("victim", t0) {
		t.Fatal("first event refused")
	}
	for i := range 9 {
		l.AllowAt(fmt.Sprint("k", i), t0)
	}
	if l.Len() != 10 {
		t.Fatalf("Len = %d, want 10", l.Len())
	}
	// Using victim again makes it the most recent; the next new key evicts k0.
	if l.AllowAt("victim", t0) {
		t.Fatal("victim allowed twice with burst 1")
	}
	l.AllowAt("new", t0)
	if l.Len() != 10 {
		t.Errorf("Len = %d after a new key at capacity, want 10", l.Len())
	}
	if l.AllowAt("victim", t0) {
		t.Error("the recently used key was evicted")
	}
	if !l.AllowAt("k0", t0) {
		t.Error("the least recently used key was not evicted (its bucket is still empty)")
	}
	for i := range 1000 {
		l.AllowAt(fmt.Sprint("flood", i), t0)
	}
	if l.Len() != 10 {
		t.Errorf("Len = %d after a flood of keys, want 10", l.Len())
	}
}

func TestLimiterConcurrent(t *testing.T) {
	const burst = 50
	l := auth.NewLimiter(rate.Every(time.Hour), burst, 64)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				if l.Allow("shared") {
					allowed.Add(1)
				}
				l.Allow(fmt.Sprint("g", g, "-", i%100)) // churn through evictions
			}
		})
	}
	wg.Wait()
	// "shared" is used by every goroutine all the time, so it stays resident
	// and lets through its burst (plus at most a token refilled meanwhile).
	if got := allowed.Load(); got < burst || got > burst+1 {
		t.Errorf("shared key allowed %d events, want %d", got, burst)
	}
	if l.Len() > 64 {
		t.Errorf("Len = %d, above maxKeys 64", l.Len())
	}
}

func TestClientIP(t *testing.T) {
	tests := []struct {
		remote, xff string
		trust       bool
		want        string
	}{
		{"192.0.2.1:5000", "", false, "192.0.2.1"},
		{"192.0.2.1:5000", "203.0.113.9", false, "192.0.2.1"},
		{"192.0.2.1:5000", "203.0.113.9", true, "203.0.113.9"},
		{"192.0.2.1:5000", "10.0.0.1, 203.0.113.9", true, "203.0.113.9"}, // the client's own claim is ignored
		{"192.0.2.1:5000", "garbage", true, "192.0.2.1"},
		{"[2001:db8::1]:443", "", false, "2001:db8::1"},
		{"[::ffff:192.0.2.7]:443", "", false, "192.0.2.7"},
		{"192.0.2.1:5000", " 2001:db8::2 ", true, "2001:db8::2"},
		{"pipe", "", false, "pipe"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := auth.ClientIP(r, tt.trust); got != tt.want {
			t.Errorf("ClientIP(%q, XFF %q, trust %v) = %q, want %q", tt.remote, tt.xff, tt.trust, got, tt.want)
		}
	}
	// Several X-Forwarded-For headers: the last one is the proxy's.
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Add("X-Forwarded-For", "10.9.9.9")
	r.Header.Add("X-Forwarded-For", "198.51.100.4")
	if got := auth.ClientIP(r, true); got != "198.51.100.4" {
		t.Errorf("two XFF headers: %q, want 198.51.100.4", got)
	}
}
