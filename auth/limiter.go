package auth

import (
	"container/list"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter keeps a token bucket per key (a client address, a login) and
// forgets the least recently used key when it holds maxKeys, so its memory
// is bounded. It is safe for concurrent use.
type Limiter struct {
	limit   rate.Limit
	burst   int
	maxKeys int

	mu    sync.Mutex
	keys  map[string]*list.Element // of *limiterEntry
	order *list.List               // most recently used first
}

type limiterEntry struct {
	key string
	lim *rate.Limiter
}

// NewLimiter returns a Limiter that lets each key do burst events at once
// and r events a second after that, remembering at most maxKeys keys
// (at least 1).
func NewLimiter(r rate.Limit, burst int, maxKeys int) *Limiter {
	return &Limiter{
		limit: r, burst: burst, maxKeys: max(maxKeys, 1),
		keys: make(map[string]*list.Element), order: list.New(),
	}
}

// Allow reports whether an event for key may happen now, and counts it if so.
func (l *Limiter) Allow(key string) bool { return l.AllowAt(key, time.Now()) }

// AllowAt is Allow at the given time (for tests and callers with a clock).
func (l *Limiter) AllowAt(key string, t time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.keys[key]; ok {
		l.order.MoveToFront(el)
		return el.Value.(*limiterEntry).lim.AllowN(t, 1)
	}
	var e *limiterEntry
	if l.order.Len() >= l.maxKeys {
		// Reuse the least recently used entry for the new key.
		el := l.order.Back()
		e = el.Value.(*limiterEntry)
		delete(l.keys, e.key)
		l.order.Remove(el)
		e.key, e.lim = key, rate.NewLimiter(l.limit, l.burst)
	} else {
		e = &limiterEntry{key: key, lim: rate.NewLimiter(l.limit, l.burst)}
	}
	l.keys[key] = l.order.PushFront(e)
	return e.lim.AllowN(t, 1)
}

// Len returns the number of keys the limiter remembers.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}

// ClientIP returns the address of the client of r: the host of RemoteAddr,
// or, when trustProxy is set (fairmatch is behind a reverse proxy that
// appends to X-Forwarded-For), the last address in X-Forwarded-For, which is
// the one the proxy saw. Earlier entries are the client's own claims and
// are ignored. If nothing parses, it returns RemoteAddr as it is.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip, err := netip.ParseAddr(strings.TrimSpace(last)); err == nil {
				return ip.Unmap().String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Unmap().String()
	}
	return host
}
