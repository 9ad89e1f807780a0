package main

import (
	"sync"
	"time"
)

// virtualClock is one clock shared by the emulator (which only needs Now)
// and synthapi.WaitForJob (which also needs After). After does not wait: it
// moves the clock forward by d at once and returns a channel that has
// already fired, so a poll loop covering two hours of job time finishes in
// milliseconds while every timestamp it sees is consistent with the pauses
// it asked for. HTTP requests take no virtual time.
type virtualClock struct {
	mu  sync.Mutex
	now time.Time

	// limit and overrun guard against a wait that never ends: once an After
	// moves the clock past limit, overrun is called (it cancels the wait's
	// context). A zero limit means no guard.
	limit   time.Time
	overrun func()
}

func newVirtualClock(start time.Time) *virtualClock {
	return &virtualClock{now: start}
}

// guard calls overrun once any After takes the clock past limit.
func (c *virtualClock) guard(limit time.Time, overrun func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.limit, c.overrun = limit, overrun
}

// Now is the clock's current virtual time.
func (c *virtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After advances the clock by d (ignoring d <= 0) and returns a fired channel
// carrying the new time.
func (c *virtualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
	now := c.now
	over := !c.limit.IsZero() && now.After(c.limit) && c.overrun != nil
	c.mu.Unlock()
	if over {
		c.overrun()
	}
	ch := make(chan time.Time, 1)
	ch <- now
	return ch
}
