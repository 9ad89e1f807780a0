package synthapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestErrorMessage(t *testing.T) {
	html := "<!DOCTYPE html>\n<html>\n  <head><title>502 Bad Gateway</title></head>\n<body>" + strings.Repeat("<p>cloudflare</p>", 500) + "</body></html>"
	tests := []struct {
		name string
		body string
		want string
	}{
		{"detail string", `{"detail":"Job not found"}`, "Job not found"},
		{"task app detail object", `{"detail":{"error":{"code":"unauthorised","message":"API key missing or invalid"}}}`, "API key missing or invalid"},
		{"detail object with message", `{"detail":{"message":"quota exceeded","code":"quota"}}`, "quota exceeded"},
		{"detail object without message", `{"detail":{"code":"quota","limit":3}}`, `{"code":"quota","limit":3}`},
		{"fastapi validation list", `{"detail":[{"loc":["body","data"],"msg":"field required"},{"loc":["body","x"],"msg":"not an int"}]}`, "field required; not an int"},
		{"detail wins over message", `{"message":"m","detail":"d","error":"e"}`, "d"},
		{"message", `{"error":"e","message":"bad config","code":"invalid"}`, "bad config"},
		{"error string", `{"error":"upstream down"}`, "upstream down"},
		{"error object", `{"error":{"message":"rate limited"}}`, "rate limited"},
		{"empty detail falls through", `{"detail":"","message":"m"}`, "m"},
		{"plain text", "upstream connect error", "upstream connect error"},
		{"html page is cut", html, "<!DOCTYPE html> <html> <head><title>502 Bad Gateway</title></head> <body><p>cloudflare</p><p>cloudflare</p><p>cloudflare</p><p>cloudflare</p><p>cloudflare</p><p>cloudflare</p><p>cloudflare</p><p>cloud…"},
		{"empty", "", ""},
		{"json without known keys", `{"ok":false}`, `{"ok":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := errorMessage([]byte(tt.body))
			if got != tt.want {
				t.Errorf("errorMessage() = %q, want %q", got, tt.want)
			}
			if len(got) > snippetLimit+len("…") {
				t.Errorf("message is %d bytes, want at most %d", len(got), snippetLimit)
			}
		})
	}
}

func TestErrorCode(t *testing.T) {
	tests := map[string]string{
		`{"detail":{"error":{"code":"unauthorised","message":"x"}}}`:  "unauthorised",
		`{"detail":{"error":{"code":"missing_environment_api_key"}}}`: "missing_environment_api_key",
		`{"error":{"code":"rate_limited"}}`:                           "rate_limited",
		`{"code":"invalid","message":"x"}`:                            "invalid",
		`{"detail":"plain"}`:                                          "",
		`not json`:                                                    "",
	}
	for body, want := range tests {
		if got := errorCode([]byte(body)); got != want {
			t.Errorf("errorCode(%s) = %q, want %q", body, got, want)
		}
	}
}

func TestAPIErrorString(t *testing.T) {
	tests := []struct {
		err  APIError
		want string
	}{
		{APIError{StatusCode: 502, Method: "POST", Route: "/api/rl/jobs", Message: "upstream down", Attempts: 5},
			"POST /api/rl/jobs: HTTP 502 after 5 attempts: upstream down"},
		{APIError{StatusCode: 400, Method: "GET", Route: "/api/rl/jobs/j", Message: "bad", Attempts: 1},
			"GET /api/rl/jobs/j: HTTP 400: bad"},
		{APIError{StatusCode: 404, Method: "GET", Route: "/api/x"},
			"GET /api/x: HTTP 404"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestErrorClassification(t *testing.T) {
	wrapped := func(err error) error { return fmt.Errorf("reading job: %w", err) }
	tests := []struct {
		name          string
		err           error
		wantNotFound  bool
		wantTransient bool
	}{
		{"nil", nil, false, false},
		{"404", &APIError{StatusCode: 404}, true, false},
		{"wrapped 404", wrapped(&APIError{StatusCode: 404}), true, false},
		{"400", &APIError{StatusCode: 400}, false, false},
		{"408", &APIError{StatusCode: 408}, false, true},
		{"429", &APIError{StatusCode: 429}, false, true},
		{"500", &APIError{StatusCode: 500}, false, true},
		{"503", wrapped(&APIError{StatusCode: 503}), false, true},
		{"no answer", &RequestError{Err: errors.New("connection reset")}, false, true},
		{"cancelled", &RequestError{Err: context.Canceled}, false, false},
		{"deadline", wrapped(&RequestError{Err: context.DeadlineExceeded}), false, false},
		{"other", errors.New("decoding job: not JSON"), false, false},
	}
	for _, tt := range tests {
		if got := IsNotFound(tt.err); got != tt.wantNotFound {
			t.Errorf("%s: IsNotFound = %v", tt.name, got)
		}
		if got := IsTransient(tt.err); got != tt.wantTransient {
			t.Errorf("%s: IsTransient = %v", tt.name, got)
		}
	}
}
