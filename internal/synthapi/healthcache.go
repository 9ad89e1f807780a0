package synthapi

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// HealthCache lets the task-app checks of one process share a recent pass:
// an apply of fifty jobs on one task app should not make fifty full health
// checks of it within the same second. Only a pass is shared, and only for
// the same URL and the same environment key, for ttl; a failed check is
// never reused, so an app that fails is always asked again. Checks of the
// same app that start while one is in flight wait for it instead of
// asking too. It lives in memory only: nothing is written anywhere. It is
// safe for concurrent use.
type HealthCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[healthKey]*healthEntry
}

// healthKey holds a digest of the key, not the key: the secret need not sit
// in one more place.
type healthKey struct {
	url string
	key [sha256.Size]byte
}

type healthEntry struct {
	done   chan struct{} // closed when the check has ended
	passed bool
	at     time.Time
	health *Health
	info   json.RawMessage
}

// NewHealthCache returns a cache that shares a passing check for ttl.
func NewHealthCache(ttl time.Duration) *HealthCache {
	return &HealthCache{ttl: ttl, now: time.Now, entries: map[healthKey]*healthEntry{}}
}

// WithHealthCache makes TaskApp.WaitHealthy consult c first (nil: no cache).
func WithHealthCache(c *HealthCache) Option {
	return func(s *settings) { s.healthCache = c }
}

// waitHealthy returns a pass of the same app and key younger than ttl, or
// waits for a check of it already in flight, or runs check and records its
// outcome.
func (c *HealthCache) waitHealthy(ctx context.Context, t *TaskApp, timeout time.Duration,
	check func() (*Health, json.RawMessage, error)) (*Health, json.RawMessage, error) {
	k := healthKey{url: t.url, key: sha256.Sum256([]byte(t.key))}
	var deadline <-chan time.Time
	if timeout > 0 {
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		deadline = timer.C
	}
	for {
		c.mu.Lock()
		e := c.entries[k]
		if e == nil || e.ended() && (!e.passed || c.now().Sub(e.at) >= c.ttl) {
			e = &healthEntry{done: make(chan struct{})}
			c.entries[k] = e
			c.mu.Unlock()
			h, info, err := check()
			c.mu.Lock()
			e.passed, e.at, e.health, e.info = err == nil, c.now(), h, info
			close(e.done)
			c.mu.Unlock()
			return h, info, err
		}
		c.mu.Unlock()

		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-deadline:
			return nil, nil, t.timeoutError(timeout, errors.New("another check of the same task app was still running"))
		}
		// Written before done was closed, so read without the lock.
		if e.passed {
			return e.health, e.info, nil
		}
		// The check we waited for failed: ask again ourselves (or wait for
		// whoever got there first), never reporting someone else's failure.
	}
}

func (e *healthEntry) ended() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}
