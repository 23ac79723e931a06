package web

import (
	"crypto/rand"
	"slices"
	"sync"
	"time"

	"github.com/fairmatch/fairmatch"
)

// Bounds of the checked uploads kept between "check" and "store".
const (
	uploadTTL      = time.Hour
	uploadsPerUser = 2
	uploadsMax     = 16
)

// checkedUpload is an upload that passed the check and waits for its
// uploader to store it.
type checkedUpload struct {
	ID      string
	Owner   string // the account login that checked it
	Name    string // the name the dataset was parsed under ("problems.csv")
	Dataset *fairmatch.Dataset
	Size    int64 // bytes of the upload, what the cache is bounded by
	Expires time.Time
}

// uploadCache keeps checked uploads in memory for uploadTTL, bounded in
// count (uploadsMax, and uploadsPerUser per account) and in total bytes
// (twice the upload limit); adding beyond a bound evicts the oldest.
//
// Memory rather than the store's meta bucket: a checked upload is a
// short-lived draft of up to 32 MiB, meta holds small settings, and the
// one process that opens the bbolt file serves every request, so nothing
// else would need it; after a restart the organizer checks the file again.
type uploadCache struct {
	mu       sync.Mutex
	now      func() time.Time
	maxBytes int64
	entries  []*checkedUpload // oldest first
}

func newUploadCache(now func() time.Time, limit int64) *uploadCache {
	return &uploadCache{now: now, maxBytes: 2 * limit}
}

// put keeps u under a new random id and returns the id.
func (c *uploadCache) put(u checkedUpload) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	u.ID = rand.Text()
	u.Expires = now.Add(uploadTTL)
	c.prune(now)
	mine := 0
	for _, e := range c.entries {
		if e.Owner == u.Owner {
			mine++
		}
	}
	for i := 0; i < len(c.entries) && mine >= uploadsPerUser; {
		if c.entries[i].Owner == u.Owner {
			c.entries = slices.Delete(c.entries, i, i+1)
			mine--
			continue
		}
		i++
	}
	c.entries = append(c.entries, &u)
	for len(c.entries) > 1 && (len(c.entries) > uploadsMax || c.bytes() > c.maxBytes) {
		c.entries = slices.Delete(c.entries, 0, 1)
	}
	return u.ID
}

// get returns the live upload id of owner.
func (c *uploadCache) get(id, owner string) (*checkedUpload, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prune(c.now())
	for _, e := range c.entries {
		if e.ID == id && e.Owner == owner {
			return e, true
		}
	}
	return nil, false
}

// remove forgets upload id.
func (c *uploadCache) remove(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.ID == id {
			c.entries = slices.Delete(c.entries, i, i+1)
			return
		}
	}
}

// len returns the number of uploads kept, expired ones included.
func (c *uploadCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *uploadCache) prune(now time.Time) {
	live := c.entries[:0]
	for _, e := range c.entries {
		if now.Before(e.Expires) {
			live = append(live, e)
		}
	}
	clear(c.entries[len(live):])
	c.entries = live
}

func (c *uploadCache) bytes() int64 {
	var n int64
	for _, e := range c.entries {
		n += e.Size
	}
	return n
}
