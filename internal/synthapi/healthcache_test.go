package synthapi

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func countHealth(b *backend) int {
	n := 0
	for _, h := range b.recorded() {
		if h.Path == "/health" {
			n++
		}
	}
	return n
}

func TestHealthCacheSharesARecentPassOfTheSameURLAndKey(t *testing.T) {
	b := newBackend(t, taskAppHandler(200, healthyBody, 200, taskInfoBody))
	cache := NewHealthCache(5 * time.Second)
	now := time.Unix(1000, 0)
	cache.now = func() time.Time { return now }

	check := func(key string) {
		t.Helper()
		if _, info, err := b.taskApp(key, WithHealthCache(cache)).WaitHealthy(t.Context(), time.Second); err != nil || string(info) != taskInfoBody {
			t.Fatalf("WaitHealthy(%q) = %s, %v", key, info, err)
		}
	}
	check("k")
	check("k")
	if n := countHealth(b); n != 1 {
		t.Errorf("two checks of one app and key within the TTL asked /health %d times, want 1", n)
	}
	check("other-key")
	if n := countHealth(b); n != 2 {
		t.Errorf("a different key must be checked on its own: /health asked %d times, want 2", n)
	}
	now = now.Add(5 * time.Second)
	check("k")
	if n := countHealth(b); n != 3 {
		t.Errorf("a pass as old as the TTL must not be reused: /health asked %d times, want 3", n)
	}
}

func TestHealthCacheNeverReusesAFailure(t *testing.T) {
	var healthy atomic.Bool
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		switch {
		case r.URL.Path == "/health" && !healthy.Load():
			writeJSON(w, 401, `{"detail":"bad key"}`)
		case r.URL.Path == "/health":
			writeJSON(w, 200, healthyBody)
		default:
			writeJSON(w, 200, taskInfoBody)
		}
	})
	cache := NewHealthCache(time.Minute)
	app := b.taskApp("k", WithHealthCache(cache))
	if _, _, err := app.WaitHealthy(t.Context(), time.Second); err == nil {
		t.Fatal("the first check passed against a refusing app")
	}
	if _, _, err := app.WaitHealthy(t.Context(), time.Second); err == nil {
		t.Fatal("the second check passed against a refusing app")
	}
	if n := countHealth(b); n != 2 {
		t.Errorf("after a failure the app must be asked again: /health asked %d times, want 2", n)
	}
	healthy.Store(true)
	if _, _, err := app.WaitHealthy(t.Context(), time.Second); err != nil {
		t.Fatalf("the app recovered but the check failed: %v", err)
	}
}

func TestHealthCacheConcurrentChecksShareOneInFlight(t *testing.T) {
	release := make(chan struct{})
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path == "/health" {
			<-release
			writeJSON(w, 200, healthyBody)
			return
		}
		writeJSON(w, 200, taskInfoBody)
	})
	cache := NewHealthCache(5 * time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Go(func() {
			_, _, err := b.taskApp("k", WithHealthCache(cache)).WaitHealthy(t.Context(), 10*time.Second)
			errs <- err
		})
	}
	time.Sleep(100 * time.Millisecond) // let all ten reach the cache
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := countHealth(b); n != 1 {
		t.Errorf("ten concurrent checks of one app asked /health %d times, want 1", n)
	}
}
