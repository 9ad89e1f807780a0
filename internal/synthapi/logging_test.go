package synthapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestLogTransportRedactsCredentials(t *testing.T) {
	const envKey = "env_secret_abcdef"
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case r.URL.Path == "/api/v1/env-keys":
			writeJSON(w, 200, `{"id":"k1","name":"ENVIRONMENT_API_KEY"}`)
		case r.URL.Path == "/health" && n == 1:
			writeJSON(w, http.StatusBadGateway, `{"detail":"cold start"}`)
		case r.URL.Path == "/health":
			writeJSON(w, 200, `{"healthy":true}`)
		default:
			writeJSON(w, 200, `{"job_id":"j"}`)
		}
	})
	logger := &fakeLogger{}
	c := b.client(WithLogger(logger))
	if _, err := c.UploadEnvKey(t.Context(), EnvKeyName, "c2VhbGVkLWNpcGhlcnRleHQ="); err != nil {
		t.Fatal(err)
	}
	if _, err := b.taskApp(envKey, WithLogger(logger)).Health(t.Context()); err != nil {
		t.Fatal(err)
	}

	all := logger.String()
	for _, secret := range []string{testAPIKey, envKey, "c2VhbGVkLWNpcGhlcnRleHQ="} {
		if strings.Contains(all, secret) {
			t.Errorf("logs contain %q:\n%s", secret, all)
		}
	}

	debug := logger.byLevel("DEBUG")
	if len(debug) != 3 {
		t.Fatalf("want 3 DEBUG lines (one per attempt), got:\n%s", all)
	}
	for _, e := range debug {
		for _, field := range []string{"method", "url", "status", "duration_ms", "attempt", "request_headers"} {
			if _, ok := e.Fields[field]; !ok {
				t.Errorf("DEBUG line lacks %q: %v", field, e.Fields)
			}
		}
	}
	backendHeaders := debug[0].Fields["request_headers"].(map[string]string)
	if got := backendHeaders["Authorization"]; got != "Bearer "+redacted {
		t.Errorf("backend Authorization logged as %q", got)
	}
	appHeaders := debug[1].Fields["request_headers"].(map[string]string)
	for _, name := range []string{"X-Api-Key", "X-Api-Keys"} {
		if got := appHeaders[name]; got != redacted {
			t.Errorf("%s logged as %q", name, got)
		}
	}
	if got := appHeaders["Authorization"]; got != "Bearer "+redacted {
		t.Errorf("task app Authorization logged as %q", got)
	}
	if got := appHeaders["User-Agent"]; got != DefaultUserAgent {
		t.Errorf("User-Agent logged as %q: non-secret headers should stay readable", got)
	}
	if debug[1].Fields["attempt"] != 1 || debug[2].Fields["attempt"] != 2 {
		t.Errorf("attempts logged as %v, %v; want 1, 2", debug[1].Fields["attempt"], debug[2].Fields["attempt"])
	}

	warn := logger.byLevel("WARN")
	if len(warn) != 1 {
		t.Fatalf("want 1 WARN line for the retry, got:\n%s", all)
	}
	if reason := fmt.Sprint(warn[0].Fields["reason"]); reason != "HTTP 502: cold start" {
		t.Errorf("retry reason = %q", reason)
	}
	if _, ok := warn[0].Fields["wait_ms"]; !ok {
		t.Errorf("retry WARN lacks the wait: %v", warn[0].Fields)
	}
}

func TestMaskHeaders(t *testing.T) {
	got := maskHeaders(http.Header{
		"Authorization": {"Bearer sk_live_1"},
		"X-Api-Key":     {"k1"},
		"X-Api-Keys":    {"k1,k2"},
		"Accept":        {"application/json"},
	})
	want := map[string]string{
		"Authorization": "Bearer " + redacted,
		"X-Api-Key":     redacted,
		"X-Api-Keys":    redacted,
		"Accept":        "application/json",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("maskHeaders = %v, want %v", got, want)
	}
	if got := maskHeaders(http.Header{"Authorization": {"rawtoken"}})["Authorization"]; got != redacted {
		t.Errorf("a scheme-less Authorization logged as %q", got)
	}
}
