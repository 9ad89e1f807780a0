package synthapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	unauthorisedBody = `{"detail":{"error":{"code":"unauthorised","message":"API key missing or invalid"}}}`
	missingKeyBody   = `{"detail":{"error":{"code":"missing_environment_api_key","message":"ENVIRONMENT_API_KEY is not configured"}}}`
	healthyBody      = `{"healthy":true,"auth":{"required":true,"expected_prefix":"env_ab"}}`
	taskInfoBody     = `{"taskset":{"name":"crafter"}}`
)

// taskAppHandler answers /health and /task_info with the given statuses
// and bodies.
func taskAppHandler(healthStatus int, healthBody string, infoStatus int, infoBody string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		switch r.URL.Path {
		case "/health":
			writeJSON(w, healthStatus, healthBody)
		case "/task_info":
			writeJSON(w, infoStatus, infoBody)
		default:
			writeJSON(w, 404, `{"detail":"Not Found"}`)
		}
	}
}

func TestTaskAppKeyHeaders(t *testing.T) {
	b := newBackend(t, taskAppHandler(200, healthyBody, 200, taskInfoBody))
	if _, _, err := b.taskApp("env_abc", WithUserAgent("tf-test/1")).Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	hits := b.recorded()
	if len(hits) != 2 {
		t.Fatalf("requests = %d, want /health and /task_info", len(hits))
	}
	for _, h := range hits {
		for name, want := range map[string]string{
			"X-API-Key":     "env_abc",
			"X-API-Keys":    "env_abc",
			"Authorization": "Bearer env_abc",
			"User-Agent":    "tf-test/1",
		} {
			if got := h.Header.Get(name); got != want {
				t.Errorf("%s: header %s = %q, want %q", h.Path, name, got, want)
			}
		}
	}

	b = newBackend(t, taskAppHandler(200, healthyBody, 200, taskInfoBody))
	if _, err := b.taskApp("").Health(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"X-API-Key", "X-API-Keys", "Authorization"} {
		if got := b.recorded()[0].Header.Get(name); got != "" {
			t.Errorf("with no key, header %s = %q", name, got)
		}
	}
}

// ENVIRONMENT_API_KEY_ALIASES adds keys to X-API-Keys after the main one,
// as the SDK does; the other two headers carry the main key only.
func TestTaskAppKeyAliases(t *testing.T) {
	if got := ParseKeyAliases(" env_old , ,env_older,"); !slices.Equal(got, []string{"env_old", "env_older"}) {
		t.Errorf("ParseKeyAliases = %q", got)
	}
	b := newBackend(t, taskAppHandler(200, healthyBody, 200, taskInfoBody))
	if _, err := b.taskApp("env_abc", WithKeyAliases("env_old", "env_abc", "", "env_older")).Health(t.Context()); err != nil {
		t.Fatal(err)
	}
	h := b.recorded()[0].Header
	for name, want := range map[string]string{
		"X-API-Keys":    "env_abc,env_old,env_older",
		"X-API-Key":     "env_abc",
		"Authorization": "Bearer env_abc",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
	if _, err := NewTaskApp(b.srv.URL, "env_abc", WithKeyAliases("env old")); err == nil {
		t.Error("an alias with a space was accepted")
	}
}

func TestTaskAppCheck(t *testing.T) {
	tests := []struct {
		name         string
		handle       func(http.ResponseWriter, *http.Request, int)
		wantKind     TaskAppErrorKind // ignored when wantOK
		wantOK       bool
		wantRoute    string
		wantHits     int
		wantInMsg    string
		wantHealth   *Health
		wantInfoBody string
	}{
		{
			name:         "healthy",
			handle:       taskAppHandler(200, healthyBody, 200, taskInfoBody),
			wantOK:       true,
			wantHits:     2,
			wantHealth:   &Health{Healthy: true, AuthRequired: true, ExpectedPrefix: "env_ab", StatusCode: 200},
			wantInfoBody: taskInfoBody,
		},
		{
			name:       "401 that names the expected prefix counts as up",
			handle:     taskAppHandler(401, `{"detail":{"error":"bad key","expected_prefix":"env_ab"}}`, 200, taskInfoBody),
			wantOK:     true,
			wantHits:   2,
			wantHealth: &Health{Healthy: true, AuthRequired: true, ExpectedPrefix: "env_ab", StatusCode: 401},
		},
		{
			name:      "400 unauthorised",
			handle:    taskAppHandler(400, unauthorisedBody, 200, taskInfoBody),
			wantKind:  TaskAppUnauthorised,
			wantRoute: "/health",
			wantHits:  1,
			wantInMsg: "rejected the environment key (GET /health: HTTP 400 unauthorised): API key missing or invalid",
		},
		{
			name:      "403 without prefix",
			handle:    taskAppHandler(403, `{"detail":"Forbidden"}`, 200, taskInfoBody),
			wantKind:  TaskAppUnauthorised,
			wantRoute: "/health",
			wantHits:  1,
		},
		{
			name:      "503 missing key is not retried",
			handle:    taskAppHandler(503, missingKeyBody, 200, taskInfoBody),
			wantKind:  TaskAppMissingKey,
			wantRoute: "/health",
			wantHits:  1,
			wantInMsg: "has no environment key configured (ENVIRONMENT_API_KEY) (GET /health: HTTP 503 missing_environment_api_key): ENVIRONMENT_API_KEY is not configured",
		},
		{
			name:      "task_info 500",
			handle:    taskAppHandler(200, healthyBody, 500, `{"detail":"dataset failed to load"}`),
			wantKind:  TaskAppUnhealthy,
			wantRoute: "/task_info",
			wantHits:  2,
			wantInMsg: "is not healthy (GET /task_info: HTTP 500): dataset failed to load",
		},
		{
			name:      "task_info unauthorised",
			handle:    taskAppHandler(200, healthyBody, 400, unauthorisedBody),
			wantKind:  TaskAppUnauthorised,
			wantRoute: "/task_info",
			wantHits:  2,
		},
		{
			name:      "health says unhealthy",
			handle:    taskAppHandler(200, `{"healthy":false}`, 200, taskInfoBody),
			wantKind:  TaskAppUnhealthy,
			wantRoute: "/health",
			wantHits:  1,
		},
		{
			name: "health is an html page",
			handle: func(w http.ResponseWriter, r *http.Request, _ int) {
				w.WriteHeader(200)
				_, _ = w.Write([]byte("<html><title>Modal</title>" + strings.Repeat("x", 3000) + "</html>"))
			},
			wantKind:  TaskAppBadResponse,
			wantRoute: "/health",
			wantHits:  1,
			wantInMsg: "expected a JSON object: <html><title>Modal</title>",
		},
		{
			name:      "task_info not JSON",
			handle:    taskAppHandler(200, healthyBody, 200, `taskset: crafter`),
			wantKind:  TaskAppBadResponse,
			wantRoute: "/task_info",
			wantHits:  2,
		},
		{
			name:      "502 is retried then reported",
			handle:    taskAppHandler(502, `{"detail":"cold start"}`, 200, taskInfoBody),
			wantKind:  TaskAppUnhealthy,
			wantRoute: "/health",
			wantHits:  3, // WithMaxRetries(2) below
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, tt.handle)
			app := b.taskApp("env_wrong", WithMaxRetries(2))
			h, info, err := app.Check(t.Context())
			if got := len(b.recorded()); got != tt.wantHits {
				t.Errorf("requests = %d, want %d", got, tt.wantHits)
			}
			if tt.wantOK {
				if err != nil {
					t.Fatal(err)
				}
				h.Raw = nil
				if mustJSON(t, h) != mustJSON(t, tt.wantHealth) {
					t.Errorf("health = %+v, want %+v", h, tt.wantHealth)
				}
				if tt.wantInfoBody != "" && string(info) != tt.wantInfoBody {
					t.Errorf("task info = %s", info)
				}
				return
			}
			var appErr *TaskAppError
			if !errors.As(err, &appErr) {
				t.Fatalf("err = %v, want *TaskAppError", err)
			}
			if appErr.Kind != tt.wantKind || appErr.Route != tt.wantRoute || appErr.URL != app.URL() {
				t.Errorf("got kind %s route %q url %q, want %s %q", appErr.Kind, appErr.Route, appErr.URL, tt.wantKind, tt.wantRoute)
			}
			if !strings.HasPrefix(err.Error(), "task app "+app.URL()+" ") {
				t.Errorf("Error() = %q does not start with the URL", err)
			}
			if tt.wantInMsg != "" && !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("Error() = %q, want it to contain %q", err, tt.wantInMsg)
			}
			if len(err.Error()) > 400 {
				t.Errorf("Error() is %d bytes long", len(err.Error()))
			}
		})
	}
}

func TestTaskInfoSeeds(t *testing.T) {
	b := newBackend(t, taskAppHandler(200, healthyBody, 200, `[{"task":{"id":"a"}},{"task":{"id":"b"}}]`))
	info, err := b.taskApp("k").TaskInfo(t.Context(), []int64{0, 7, 7})
	if err != nil {
		t.Fatal(err)
	}
	if string(info) != `[{"task":{"id":"a"}},{"task":{"id":"b"}}]` {
		t.Errorf("info = %s", info)
	}
	if q := b.recorded()[0].RawQuery; q != "seed=0&seed=7&seed=7" {
		t.Errorf("query = %q", q)
	}
	if _, err := b.taskApp("k").TaskInfo(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if q := b.recorded()[1].RawQuery; q != "" {
		t.Errorf("query without seeds = %q", q)
	}
}

func TestTaskAppTransportFailures(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(hang); slow.Close() })

	tests := []struct {
		name     string
		url      string
		opts     []Option
		wantKind TaskAppErrorKind
		wantMsg  string
	}{
		// The lookup fails in the dialer, so the test sends no DNS query.
		{name: "dns", url: "https://synth-task-app.invalid", opts: []Option{WithHTTPClient(unresolvableHosts)},
			wantKind: TaskAppDNS, wantMsg: "has a host name that does not resolve (GET /health): lookup synth-task-app.invalid"},
		{name: "refused", url: closedURL, wantKind: TaskAppUnreachable, wantMsg: "could not be reached (GET /health): "},
		{name: "per-attempt timeout", url: slow.URL, opts: []Option{WithTimeout(50 * time.Millisecond)}, wantKind: TaskAppTimeout, wantMsg: "timed out (GET /health): "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, err := NewTaskApp(tt.url, "k", append([]Option{fastRetries, WithMaxRetries(1)}, tt.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			_, err = app.Health(t.Context())
			var appErr *TaskAppError
			if !errors.As(err, &appErr) || appErr.Kind != tt.wantKind {
				t.Fatalf("err = %v, want kind %s", err, tt.wantKind)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) || !strings.Contains(err.Error(), "(2 attempts)") {
				t.Errorf("Error() = %q, want it to contain %q and the attempts", err, tt.wantMsg)
			}
		})
	}
}

func TestWaitHealthyBecomesHealthy(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case r.URL.Path == "/health" && n <= 2:
			writeJSON(w, 503, `{"detail":"starting"}`) // a generic 503: keep waiting
		case r.URL.Path == "/health":
			writeJSON(w, 200, healthyBody)
		case n == 1:
			writeJSON(w, 500, `{"detail":"loading dataset"}`)
		default:
			writeJSON(w, 200, taskInfoBody)
		}
	})
	h, info, err := b.taskApp("k").WaitHealthy(t.Context(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Healthy || string(info) != taskInfoBody {
		t.Errorf("health = %+v, info = %s", h, info)
	}
	var health, taskInfo int
	for _, hit := range b.recorded() {
		if hit.Path == "/health" {
			health++
		} else {
			taskInfo++
		}
	}
	if health != 4 || taskInfo != 2 {
		t.Errorf("checks: /health %d, /task_info %d; want 4 and 2", health, taskInfo)
	}
}

func TestWaitHealthyFailsAtOnceOnKeyProblems(t *testing.T) {
	tests := []struct {
		name string
		body string
		code int
		kind TaskAppErrorKind
	}{
		{"unauthorised", unauthorisedBody, 400, TaskAppUnauthorised},
		{"missing key", missingKeyBody, 503, TaskAppMissingKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, taskAppHandler(tt.code, tt.body, 200, taskInfoBody))
			app := b.taskApp("k", WithRetryWait(time.Second, time.Second))
			start := time.Now()
			h, _, err := app.WaitHealthy(t.Context(), time.Minute)
			var appErr *TaskAppError
			if !errors.As(err, &appErr) || appErr.Kind != tt.kind {
				t.Fatalf("err = %v, want kind %s", err, tt.kind)
			}
			if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
				t.Errorf("took %s: a key problem should fail without waiting", elapsed)
			}
			if got := len(b.recorded()); got != 1 {
				t.Errorf("requests = %d, want 1", got)
			}
			if h == nil || h.StatusCode != tt.code {
				t.Errorf("health = %+v, want the answer's status", h)
			}
		})
	}
}

func TestWaitHealthyTimeout(t *testing.T) {
	b := newBackend(t, taskAppHandler(200, healthyBody, 500, `{"detail":"dataset failed to load"}`))
	app := b.taskApp("k", WithRetryWait(10*time.Millisecond, 20*time.Millisecond))
	start := time.Now()
	h, _, err := app.WaitHealthy(t.Context(), 300*time.Millisecond)
	elapsed := time.Since(start)
	var appErr *TaskAppError
	if !errors.As(err, &appErr) || appErr.Kind != TaskAppTimeout {
		t.Fatalf("err = %v, want a timeout", err)
	}
	want := "task app " + app.URL() + " timed out: not healthy after waiting 300ms; last answer: unhealthy (GET /task_info: HTTP 500): dataset failed to load"
	if err.Error() != want {
		t.Errorf("Error() =\n%q, want\n%q", err, want)
	}
	var last *TaskAppError
	if !errors.As(appErr.Err, &last) || last.StatusCode != 500 {
		t.Errorf("the timeout does not wrap the last answer: %#v", appErr.Err)
	}
	if elapsed < 300*time.Millisecond || elapsed > 3*time.Second {
		t.Errorf("waited %s for a 300ms timeout", elapsed)
	}
	if checks := len(b.recorded()) / 2; checks < 3 {
		t.Errorf("only %d checks in 300ms with pauses of 10-20ms", checks)
	}
	if h == nil || !h.Healthy {
		t.Errorf("health = %+v, want the last /health answer", h)
	}
}

func TestWaitHealthyStopsWhenTheContextEnds(t *testing.T) {
	b := newBackend(t, taskAppHandler(502, `{"detail":"cold"}`, 200, taskInfoBody))
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, _, err := b.taskApp("k", WithMaxRetries(0)).WaitHealthy(ctx, time.Minute)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "last answer") {
		t.Errorf("err = %v, want the context's error with the last answer", err)
	}
}

// unresolvableHosts fails every dial as a DNS lookup that found no such host.
var unresolvableHosts = &http.Client{Transport: &http.Transport{
	DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	},
}}

func TestTaskAppInfo(t *testing.T) {
	const info = `{"service":{"task":{"id":"tiny_math","name":"Tiny Math"}},"rubrics":null}`
	tests := []struct {
		name     string
		status   int
		body     string
		want     string // the raw answer, "" for nil
		wantKind TaskAppErrorKind
		wantErr  bool
	}{
		{name: "answered", status: 200, body: info, want: info},
		{name: "older app without the route", status: 404, body: `{"detail":"Not Found"}`},
		{name: "refused key", status: 400, body: unauthorisedBody, wantErr: true, wantKind: TaskAppUnauthorised},
		{name: "not JSON", status: 200, body: `<html>`, wantErr: true, wantKind: TaskAppBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				if r.URL.Path != "/info" {
					t.Errorf("asked %s, want /info", r.URL.Path)
				}
				writeJSON(w, tt.status, tt.body)
			})
			raw, err := b.taskApp("env_abc").Info(t.Context())
			var appErr *TaskAppError
			switch {
			case tt.wantErr && (!errors.As(err, &appErr) || appErr.Kind != tt.wantKind || appErr.Route != "/info"):
				t.Fatalf("err = %v, want a %s error on /info", err, tt.wantKind)
			case !tt.wantErr && err != nil:
				t.Fatal(err)
			}
			if string(raw) != tt.want {
				t.Errorf("Info = %q, want %q", raw, tt.want)
			}
		})
	}
}
