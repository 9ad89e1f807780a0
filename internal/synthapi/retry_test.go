package synthapi

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryDelay(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	noJitter := func(int64) int64 { return 0 }
	fullJitter := func(n int64) int64 { return n - 1 }
	base := retryPolicy{
		waitMin: 500 * time.Millisecond,
		waitMax: 5 * time.Second,
		now:     func() time.Time { return now },
		jitter:  noJitter,
	}
	withHeader := func(v string) *http.Response {
		return &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {v}}}
	}
	tests := []struct {
		name    string
		jitter  func(int64) int64
		attempt int
		resp    *http.Response
		want    time.Duration
	}{
		{name: "first retry", attempt: 0, want: 500 * time.Millisecond},
		{name: "doubles", attempt: 1, want: time.Second},
		{name: "doubles again", attempt: 3, want: 4 * time.Second},
		{name: "capped at max", attempt: 4, want: 5 * time.Second},
		{name: "no overflow on huge attempts", attempt: 80, want: 5 * time.Second},
		{name: "jitter takes off at most half", jitter: fullJitter, attempt: 3, want: 2 * time.Second},
		{name: "jitter never goes below min", jitter: fullJitter, attempt: 0, want: 500 * time.Millisecond},
		{name: "retry-after seconds", resp: withHeader("7"), want: 7 * time.Second},
		{name: "retry-after wins over a short backoff", attempt: 0, resp: withHeader("0"), want: 0},
		{name: "retry-after date", resp: withHeader(now.Add(12 * time.Second).Format(http.TimeFormat)), want: 12 * time.Second},
		{name: "retry-after date in the past", resp: withHeader(now.Add(-time.Hour).Format(http.TimeFormat)), want: 0},
		{name: "retry-after capped", resp: withHeader("86400"), want: maxRetryAfter},
		{name: "retry-after absurd", resp: withHeader("99999999999999999"), want: maxRetryAfter},
		{name: "retry-after garbage falls back", attempt: 1, resp: withHeader("soon"), want: time.Second},
		{name: "retry-after negative falls back", attempt: 1, resp: withHeader("-3"), want: time.Second},
		{name: "no header", attempt: 1, resp: &http.Response{StatusCode: 502, Header: http.Header{}}, want: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			if tt.jitter != nil {
				p.jitter = tt.jitter
			}
			if got := p.delay(tt.attempt, tt.resp); got != tt.want {
				t.Errorf("delay(%d) = %s, want %s", tt.attempt, got, tt.want)
			}
		})
	}
}

func TestBackoffStaysWithinBounds(t *testing.T) {
	p := retryPolicy{waitMin: 10 * time.Millisecond, waitMax: 80 * time.Millisecond}
	for attempt := range 10 {
		for range 200 {
			if d := p.backoff(attempt); d < p.waitMin || d > p.waitMax {
				t.Fatalf("backoff(%d) = %s, outside [%s, %s]", attempt, d, p.waitMin, p.waitMax)
			}
		}
	}
}

// Whether a request is repeated is its own retry decision, never the
// presence of a header: a POST marked mayRetry is repeated without one, and
// one marked sendOnce is not repeated even with one.
func TestRetryDecisionDecides(t *testing.T) {
	tests := []struct {
		name   string
		retry  retryDecision
		header http.Header
		want   int // attempts; the test client allows 4 retries
	}{
		{"may retry, no key", mayRetry, nil, 5},
		{"send once, with a key", sendOnce, http.Header{"Idempotency-Key": {"k"}}, 1},
		{"send once, no key", sendOnce, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				writeJSON(w, http.StatusServiceUnavailable, `{"detail":"busy"}`)
			})
			c := b.client()
			_, _ = c.doer.do(t.Context(), request{method: http.MethodPost, url: c.root + "/rl/anything", body: []byte(`{}`), header: tt.header, retry: tt.retry})
			if got := len(b.recorded()); got != tt.want {
				t.Errorf("attempts = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestRetryStatuses(t *testing.T) {
	for code := 100; code < 600; code++ {
		wantBackend := code == 408 || code == 429 || code == 500 || code == 502 || code == 503 || code == 504
		if got := backendRetryStatus(code); got != wantBackend {
			t.Errorf("backendRetryStatus(%d) = %v", code, got)
		}
		wantTaskApp := code == 408 || code == 429 || code == 502 || code == 504
		if got := taskAppRetryStatus(code); got != wantTaskApp {
			t.Errorf("taskAppRetryStatus(%d) = %v", code, got)
		}
	}
}
