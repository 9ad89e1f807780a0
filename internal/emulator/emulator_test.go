package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2025, 11, 1, 12, 0, 0, 0, time.UTC)

// harness is an emulator on a ManualClock with both sides on httptest servers.
type harness struct {
	t       *testing.T
	emu     *Emulator
	clock   *ManualClock
	backend *httptest.Server
	taskApp *httptest.Server
	key     string // sent as the backend bearer unless a test says otherwise
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	clock := NewManualClock(t0)
	if opts.Clock == nil {
		opts.Clock = clock
	}
	emu := New(opts)
	h := &harness{
		t:       t,
		emu:     emu,
		clock:   clock,
		backend: httptest.NewServer(emu.Backend()),
		taskApp: httptest.NewServer(emu.TaskApp()),
		key:     emu.opts.APIKey,
	}
	t.Cleanup(h.backend.Close)
	t.Cleanup(h.taskApp.Close)
	return h
}

type response struct {
	status int
	header http.Header
	raw    []byte
}

// object decodes the answer as a JSON object.
func (r response) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.raw, &m); err != nil {
		t.Fatalf("answer %d is not a JSON object: %v: %s", r.status, err, r.raw)
	}
	return m
}

func (r response) array(t *testing.T) []any {
	t.Helper()
	var a []any
	if err := json.Unmarshal(r.raw, &a); err != nil {
		t.Fatalf("answer %d is not a JSON array: %v: %s", r.status, err, r.raw)
	}
	return a
}

func (r response) detail(t *testing.T) any {
	t.Helper()
	return r.object(t)["detail"]
}

// send makes one request. body is marshalled unless it is already []byte or
// a string; header pairs follow as name, value.
func send(t *testing.T, base, method, path string, body any, header ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, raw: raw}
}

// api calls the backend with the harness's key.
func (h *harness) api(method, path string, body any, header ...string) response {
	h.t.Helper()
	return send(h.t, h.backend.URL, method, path, body, append([]string{"Authorization", "Bearer " + h.key}, header...)...)
}

// app calls the task app with the key in X-API-Key.
func (h *harness) app(method, path string) response {
	h.t.Helper()
	return send(h.t, h.taskApp.URL, method, path, nil, "X-API-Key", h.emu.opts.EnvironmentAPIKey)
}

func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d, want %d; body: %s", r.status, want, r.raw)
	}
}

func TestBackendRequiresAPIKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	routes := []struct{ method, path string }{
		{"POST", "/api/rl/jobs"},
		{"GET", "/api/rl/jobs"},
		{"GET", "/api/rl/jobs/job_x"},
		{"GET", "/api/learning/jobs/job_x"},
		{"POST", "/api/rl/jobs/job_x/cancel"},
		{"GET", "/api/rl/jobs/job_x/events"},
		{"GET", "/api/rl/jobs/job_x/metrics"},
		{"POST", "/api/rl/verify_task_app"},
		{"GET", "/api/v1/crypto/public-key"},
		{"POST", "/api/v1/env-keys"},
		{"GET", "/api/v1/env-keys/verify"},
	}
	for _, rt := range routes {
		for name, header := range map[string][]string{
			"none":         nil,
			"wrong key":    {"Authorization", "Bearer sk_wrong"},
			"not a bearer": {"Authorization", "Basic " + h.key},
			"empty bearer": {"Authorization", "Bearer "},
		} {
			r := send(t, h.backend.URL, rt.method, rt.path, nil, header...)
			wantStatus(t, r, http.StatusUnauthorized)
			if d := r.detail(t); d != "Invalid API key" {
				t.Errorf("%s %s (%s): detail = %v", rt.method, rt.path, name, d)
			}
		}
	}
	// The scheme is case-insensitive.
	r := send(t, h.backend.URL, "GET", "/api/rl/jobs", nil, "Authorization", "bearer "+h.key)
	wantStatus(t, r, http.StatusOK)
	if got := len(h.emu.Jobs()); got != 0 {
		t.Errorf("unauthorised requests made %d jobs", got)
	}
}

func TestBackendUnknownRouteAndWrongMethod(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})

	r := h.api("GET", "/api/rl/nothing-here", nil)
	wantStatus(t, r, http.StatusNotFound)
	if d := r.detail(t); d != "Not Found" {
		t.Errorf("detail = %v", d)
	}
	// Unknown routes answer 404 before the key is looked at, as FastAPI does.
	wantStatus(t, send(t, h.backend.URL, "GET", "/api/v2/whatever", nil), http.StatusNotFound)

	r = h.api("DELETE", "/api/rl/jobs", nil)
	wantStatus(t, r, http.StatusMethodNotAllowed)
	if d := r.detail(t); d != "Method Not Allowed" {
		t.Errorf("detail = %v", d)
	}
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "POST") || !strings.Contains(allow, "GET") {
		t.Errorf("Allow = %q", allow)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestRequestsAreRecorded(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	h.api("POST", "/api/rl/jobs", validPayload(), "Idempotency-Key", "k1")
	h.api("GET", "/api/rl/jobs", nil)
	h.app("GET", "/health")
	send(t, h.backend.URL, "GET", "/api/rl/jobs?limit=1", nil) // no key: 401, still recorded

	reqs := h.emu.Requests()
	if len(reqs) != 4 {
		t.Fatalf("recorded %d requests, want 4", len(reqs))
	}
	create := reqs[0]
	if create.Target != TargetBackend || create.Method != "POST" || create.Path != "/api/rl/jobs" ||
		create.Status != http.StatusCreated || !create.At.Equal(t0) {
		t.Errorf("create recorded as %+v", create)
	}
	if create.Header.Get("Idempotency-Key") != "k1" || !bytes.Contains(create.Body, []byte(`"job_type":"rl"`)) {
		t.Errorf("create header/body not recorded: %v %s", create.Header, create.Body)
	}
	if reqs[3].RawQuery != "limit=1" || reqs[3].Status != http.StatusUnauthorized {
		t.Errorf("unauthorised list recorded as %+v", reqs[3])
	}

	for _, c := range []struct {
		target, method, path string
		want                 int
	}{
		{TargetBackend, "", "", 3},
		{TargetBackend, "GET", "/api/rl/jobs", 2},
		{TargetBackend, "post", "/api/rl/jobs", 1},
		{TargetTaskApp, "", "/health", 1},
		{"", "", "", 4},
	} {
		if got := h.emu.Count(c.target, c.method, c.path); got != c.want {
			t.Errorf("Count(%q, %q, %q) = %d, want %d", c.target, c.method, c.path, got, c.want)
		}
	}
	if got := h.emu.CountPrefix(TargetBackend, "", "/api/rl/"); got != 3 {
		t.Errorf("CountPrefix = %d, want 3", got)
	}

	// Copies are the caller's to change.
	reqs[0].Header.Set("Idempotency-Key", "changed")
	if h.emu.Requests()[0].Header.Get("Idempotency-Key") != "k1" {
		t.Error("Requests shares its headers with the emulator")
	}

	h.emu.ResetRequests()
	if n := len(h.emu.Requests()); n != 0 {
		t.Errorf("after ResetRequests: %d requests", n)
	}
}

func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			key := []string{"Idempotency-Key", "shared"}
			if i%2 == 0 {
				key = nil
			}
			r := h.api("POST", "/api/rl/jobs", validPayload(), key...)
			if r.status != http.StatusCreated && r.status != http.StatusOK {
				t.Errorf("create: %d %s", r.status, r.raw)
			}
			h.api("GET", "/api/rl/jobs", nil)
			h.clock.Advance(100 * time.Millisecond)
		})
	}
	wg.Wait()
	if got := len(h.emu.Jobs()); got != 11 {
		t.Errorf("%d jobs, want 10 unkeyed + 1 keyed", got)
	}
	if got := h.emu.Count(TargetBackend, "", ""); got != 40 {
		t.Errorf("recorded %d requests, want 40", got)
	}
}

func TestStartServesOnLoopbackOnly(t *testing.T) {
	t.Parallel()
	emu := New(Options{Clock: NewManualClock(t0)})
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:0", "nonsense"} {
		if s, err := emu.Start(addr, ""); err == nil {
			s.Close()
			t.Errorf("Start(%q) succeeded", addr)
		}
		if s, err := emu.Start("", addr); err == nil {
			s.Close()
			t.Errorf("Start(_, %q) succeeded", addr)
		}
	}

	var mu sync.Mutex
	var seen []Request
	emu.OnRequest(func(r Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r)
	})
	s, err := emu.Start("", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.BackendURL, "http://127.0.0.1:") || !strings.HasPrefix(s.TaskAppURL, "http://127.0.0.1:") {
		t.Fatalf("URLs %q %q", s.BackendURL, s.TaskAppURL)
	}
	r := send(t, s.TaskAppURL, "GET", "/", nil)
	wantStatus(t, r, http.StatusOK)
	if got := r.object(t)["service"]; got != "synth-emulator-task-app" {
		t.Errorf("service = %v", got)
	}
	wantStatus(t, send(t, s.BackendURL, "GET", "/api/rl/jobs", nil, "Authorization", "Bearer "+DefaultAPIKey), http.StatusOK)
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[0].Status != http.StatusOK || seen[1].Path != "/api/rl/jobs" {
		t.Errorf("OnRequest saw %+v", seen)
	}
}

func TestManualClock(t *testing.T) {
	t.Parallel()
	c := NewManualClock(t0)
	c.Advance(time.Minute)
	c.Advance(-time.Hour) // ignored
	if got := c.Now(); !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("Now = %v", got)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	e := New(Options{})
	if e.opts.APIKey != "sk_emulator_key" || e.opts.EnvironmentAPIKey != "env_emulator_key" ||
		e.opts.QueueTime != time.Second || e.opts.RunTime != 3*time.Second {
		t.Errorf("defaults: %+v", e.opts)
	}
	if _, ok := e.clock.(realClock); !ok {
		t.Errorf("default clock is %T", e.clock)
	}
	e = New(Options{QueueTime: -1, RunTime: -1})
	if e.opts.QueueTime != 0 || e.opts.RunTime != 0 {
		t.Errorf("negative durations: %+v", e.opts)
	}
}
