package emulator

import (
	"net/http"
	"testing"
	"time"
)

func TestSeedHistoryIsAWeekOfJobsWithAFewRunning(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	// Enough jobs that a week of nanoseconds times their count overflows an
	// int64: the spread must not.
	h.emu.SeedHistory(20000, 3, 7*24*time.Hour)

	count := func(query string) int {
		t.Helper()
		r := h.api("GET", "/api/rl/jobs?limit=20000"+query, nil)
		wantStatus(t, r, http.StatusOK)
		return len(r.object(t)["jobs"].([]any))
	}
	if n := count(""); n != 20000 {
		t.Errorf("%d jobs listed, want 20000", n)
	}
	if n := count("&status=running"); n != 3 {
		t.Errorf("%d running, want 3", n)
	}
	if n := count("&status=queued"); n != 0 {
		t.Errorf("%d queued, want none", n)
	}
	// Evenly spread: a day holds a seventh of them.
	if n := count("&status=succeeded&created_after=" + t0.Add(-24*time.Hour).Format(time.RFC3339)); n < 2850 || n > 2860 {
		t.Errorf("%d succeeded in the last day, want about 2857", n)
	}
}
