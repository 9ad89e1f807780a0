package synthapi

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Logger receives the client's log lines; the provider adapts it to tflog.
// Nil means silent. Fields never carry a secret: credential headers are
// masked and request bodies are not logged at all.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

// redacted replaces the value of a credential header in logs.
const redacted = "[REDACTED]"

// sensitiveHeaders are the headers that carry a Synth API key or a task-app
// environment key. Keys are canonical header names.
var sensitiveHeaders = map[string]bool{
	"Authorization": true,
	"X-Api-Key":     true,
	"X-Api-Keys":    true,
}

// maskHeaders renders headers for a log line with credentials masked. The
// auth scheme of Authorization is kept ("Bearer [REDACTED]") because "was a
// bearer token sent at all?" is the usual question when debugging a 401.
func maskHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for name, values := range h {
		canonical := http.CanonicalHeaderKey(name)
		if !sensitiveHeaders[canonical] {
			out[canonical] = strings.Join(values, ", ")
			continue
		}
		masked := make([]string, len(values))
		for i, v := range values {
			masked[i] = redacted
			if scheme, _, ok := strings.Cut(v, " "); ok && canonical == "Authorization" {
				masked[i] = scheme + " " + redacted
			}
		}
		out[canonical] = strings.Join(masked, ", ")
	}
	return out
}

// logTransport logs every attempt at DEBUG. It sits outside the caller's
// transport and inside the retry loop, so it sees each attempt separately,
// with the attempt number taken from the request's call state.
type logTransport struct {
	base   http.RoundTripper
	logger Logger
}

// RoundTrip implements http.RoundTripper. It does not touch the request:
// headers are set when the request is built, as the RoundTripper contract
// requires.
func (t *logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.logger == nil {
		return t.base.RoundTrip(req)
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)

	ctx := req.Context()
	fields := map[string]any{
		"method":          req.Method,
		"url":             req.URL.Redacted(),
		"duration_ms":     time.Since(start).Milliseconds(),
		"request_headers": maskHeaders(req.Header),
	}
	if cs := callStateFrom(ctx); cs != nil {
		// CheckRetry counts the attempt after this returns, so the attempt
		// in flight is one more than the count so far.
		fields["attempt"] = cs.attemptsSoFar() + 1
	}
	if err != nil {
		fields["error"] = err.Error()
		t.logger.Debug(ctx, "Synth HTTP request failed", fields)
		return nil, err
	}
	fields["status"] = resp.StatusCode
	t.logger.Debug(ctx, "Synth HTTP request", fields)
	return resp, nil
}

// sortedKeys makes walks over decoded JSON objects deterministic, so that
// the same body always yields the same answer.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
