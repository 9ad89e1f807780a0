package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// freshClient opens a new connection per request, so net/http never replays
// a request on its own after a dropped connection (it may, on a reused one,
// for GETs and for requests with an Idempotency-Key).
func freshClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
}

func (h *harness) post(client *http.Client, path string, body any, header ...string) (*http.Response, error) {
	h.t.Helper()
	raw, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(h.t.Context(), "POST", h.backend.URL+path, bytes.NewReader(raw))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+h.key)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}

func TestFaultStatusAndRetryAfter(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	h.emu.InjectFault(Fault{Target: TargetBackend, Method: "POST", Path: "/api/rl/jobs", Status: 503, RetryAfter: "2"})

	r := h.api("POST", "/api/rl/jobs", validPayload())
	wantStatus(t, r, http.StatusServiceUnavailable)
	if r.header.Get("Retry-After") != "2" || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("headers: %v", r.header)
	}
	if d := r.detail(t); d != "Service Unavailable" {
		t.Errorf("detail = %v", d)
	}
	if n := len(h.emu.Jobs()); n != 0 {
		t.Errorf("a faulted create made %d jobs", n)
	}
	wantStatus(t, h.api("POST", "/api/rl/jobs", validPayload()), http.StatusCreated)
	if got := h.emu.Count(TargetBackend, "POST", "/api/rl/jobs"); got != 2 {
		t.Errorf("counted %d creates", got)
	}
	if reqs := h.emu.Requests(); reqs[0].Status != 503 {
		t.Errorf("recorded status %d", reqs[0].Status)
	}
}

func TestFaultMatchingTimesAndOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	h.emu.InjectFault(Fault{Target: TargetBackend, Method: "GET", Path: "/api/rl/jobs", Status: 500, Times: 2})
	h.emu.InjectFault(Fault{Target: TargetBackend, Path: "/api/rl/jobs", Status: 429})
	h.emu.InjectFault(Fault{Target: TargetTaskApp, Status: 504}) // never meets a backend request

	wantStatus(t, h.api("POST", "/api/rl/jobs", validPayload()), 429) // the GET-only fault does not match
	wantStatus(t, h.api("GET", "/api/rl/jobs", nil), 500)
	wantStatus(t, h.api("GET", "/api/rl/jobs", nil), 500)
	wantStatus(t, h.api("GET", "/api/rl/jobs", nil), 200)
	wantStatus(t, h.api("GET", "/api/rl/jobs?limit=1", nil), 200) // the query is not part of the path
	wantStatus(t, h.app("GET", "/health"), 504)
	wantStatus(t, h.app("GET", "/health"), 200)

	h.emu.InjectFault(Fault{Path: "/api/v1/env-keys/verify", Status: 502, Times: -1})
	for range 3 {
		wantStatus(t, h.api("GET", "/api/v1/env-keys/verify", nil), 502)
	}
}

func TestFaultHTMLBody(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	page := "<html><body><h1>502 Bad Gateway</h1></body></html>"
	h.emu.InjectFault(Fault{Target: TargetBackend, Status: 502, Body: page})
	h.emu.InjectFault(Fault{Target: TargetBackend, Status: 500, Body: "{}", ContentType: "text/plain"})

	r := h.api("GET", "/api/rl/jobs", nil)
	wantStatus(t, r, 502)
	if string(r.raw) != page || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("answer %q as %q", r.raw, r.header.Get("Content-Type"))
	}
	r = h.api("GET", "/api/rl/jobs", nil)
	if r.header.Get("Content-Type") != "text/plain" {
		t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
	}
}

func TestFaultDrop(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	h.emu.InjectFault(Fault{Target: TargetBackend, Method: "POST", Path: "/api/rl/jobs", Drop: true})

	if _, err := h.post(freshClient(), "/api/rl/jobs", validPayload()); err == nil {
		t.Fatal("a dropped request got an answer")
	}
	if n := len(h.emu.Jobs()); n != 0 {
		t.Errorf("a request dropped before handling made %d jobs", n)
	}
	reqs := h.emu.Requests()
	if len(reqs) != 1 || reqs[0].Status != 0 {
		t.Errorf("recorded %+v", reqs)
	}
}

func TestFaultDropAfterHandling(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	h.emu.InjectFault(Fault{Target: TargetBackend, Method: "POST", Path: "/api/rl/jobs", DropAfterHandling: true})

	client := freshClient()
	if _, err := h.post(client, "/api/rl/jobs", validPayload(), "Idempotency-Key", "retry-me"); err == nil {
		t.Fatal("the lost answer arrived")
	}
	jobs := h.emu.Jobs()
	if len(jobs) != 1 {
		t.Fatalf("%d jobs, want the one made before the answer was lost", len(jobs))
	}
	// The retry a careful client makes finds the job instead of making another.
	resp, err := h.post(client, "/api/rl/jobs", validPayload(), "Idempotency-Key", "retry-me")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("retry: %v %v", resp, err)
	}
	if n := len(h.emu.Jobs()); n != 1 {
		t.Errorf("%d jobs after the retry", n)
	}
	if got := h.emu.Count(TargetBackend, "POST", "/api/rl/jobs"); got != 2 {
		t.Errorf("counted %d creates", got)
	}
}

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	h.emu.InjectFault(Fault{Target: TargetBackend, Delay: 50 * time.Millisecond})
	start := time.Now()
	wantStatus(t, h.api("GET", "/api/rl/jobs", nil), http.StatusOK)
	if elapsed := time.Since(start); elapsed < 50*time.Millisecond {
		t.Errorf("answered after %v", elapsed)
	}

	// A client that gives up first sees a timeout.
	h.emu.InjectFault(Fault{Target: TargetBackend, Delay: 5 * time.Second, Status: 200})
	client := &http.Client{Timeout: 50 * time.Millisecond}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", h.backend.URL+"/api/rl/jobs", nil)
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		t.Error("no timeout")
	}
}

func TestTaskAppColdStartAndHealth(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	h.emu.SetTaskAppColdStart(2)
	wantStatus(t, h.app("GET", "/health"), http.StatusBadGateway)
	wantStatus(t, h.app("GET", "/"), http.StatusBadGateway)
	wantStatus(t, h.app("GET", "/health"), http.StatusOK)
	wantStatus(t, h.api("GET", "/api/rl/jobs", nil), http.StatusOK) // the backend never cold-starts

	h.emu.SetTaskAppHealthy(false)
	r := h.app("GET", "/health")
	wantStatus(t, r, http.StatusServiceUnavailable)
	if healthy, ok := r.object(t)["healthy"]; !ok || healthy != false {
		t.Errorf("unhealthy /health: %s", r.raw)
	}
	wantStatus(t, h.app("GET", "/task_info"), http.StatusServiceUnavailable)
	wantStatus(t, h.app("GET", "/"), http.StatusOK)
	h.emu.SetTaskAppHealthy(true)
	wantStatus(t, h.app("GET", "/task_info"), http.StatusOK)
}
