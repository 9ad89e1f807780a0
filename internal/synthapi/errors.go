package synthapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// snippetLimit bounds how much of an unexplained body goes into an error. An
// HTML error page from a proxy is tens of kilobytes; the first 200 bytes say
// enough (usually the <title>) without drowning the message.
const snippetLimit = 200

// APIError is every non-2xx answer from the backend: the status, the
// request that got it, and the backend's own explanation.
type APIError struct {
	// StatusCode is the HTTP status of the last answer.
	StatusCode int
	// Method is the HTTP method of the request.
	Method string
	// Route is the request path relative to the host, e.g.
	// "/api/rl/jobs/job_1": never a query string, never a secret.
	Route string
	// Message is the backend's explanation: "detail" (a string, or an
	// object's nested message, else its compact JSON), else "message", else
	// "error", else the first 200 bytes of the body.
	Message string
	// Attempts is how many attempts were made in all; 1 when the request
	// was not retried.
	Attempts int
}

// Error renders e.g. `POST /api/rl/jobs: HTTP 502 after 5 attempts: upstream down`.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Route, e.StatusCode)
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// RequestError is a request that got no usable answer: the connection
// failed, was reset, timed out, or the caller's context ended. Err is the
// last failure.
type RequestError struct {
	// Method and Route identify the request as in APIError.
	Method, Route string
	// Attempts is how many attempts were made in all.
	Attempts int
	// Err is the failure of the last attempt.
	Err error
}

// Error renders e.g. `GET /api/rl/jobs/j1: no answer after 5 attempts: dial tcp ...: connection refused`.
func (e *RequestError) Error() string {
	if e.Attempts > 1 {
		return fmt.Sprintf("%s %s: no answer after %d attempts: %v", e.Method, e.Route, e.Attempts, e.Err)
	}
	return fmt.Sprintf("%s %s: %v", e.Method, e.Route, e.Err)
}

// Unwrap exposes the underlying failure, so that errors.Is(err,
// context.Canceled) and errors.As(err, **net.DNSError) work.
func (e *RequestError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is, or wraps, a 404 answer from the
// backend. The provider uses it to drop a resource from state.
func IsNotFound(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// IsTransient reports whether err may go away if the same call is made
// again later: a request that got no answer, or a 408, 429 or 5xx answer.
// The client has already retried such errors where that was safe; a caller
// that sees one can tell the user to try again rather than fix something.
// A cancelled or expired context is not transient: the caller ended it.
// Decoding errors and other 4xx answers are not transient either.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return isTransientStatus(apiErr.StatusCode)
	}
	var reqErr *RequestError
	return errors.As(err, &reqErr)
}

func isTransientStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

// newAPIError explains a non-2xx response.
func newAPIError(r *response) *APIError {
	msg := errorMessage(r.body)
	if msg == "" {
		msg = http.StatusText(r.statusCode)
	}
	return &APIError{
		StatusCode: r.statusCode,
		Method:     r.method,
		Route:      r.route,
		Message:    msg,
		Attempts:   r.attempts,
	}
}

// errorMessage extracts the human part of an error body per contract §1:
// "detail", else "message", else "error", else the start of the body.
// FastAPI puts strings, objects and (for validation errors) lists under
// "detail"; task apps nest theirs as {"detail":{"error":{"message":...}}}.
func errorMessage(body []byte) string {
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err == nil && obj != nil {
		for _, key := range []string{"detail", "message", "error"} {
			if v, ok := obj[key]; ok && v != nil {
				if msg := messageOf(v, 0); msg != "" {
					return msg
				}
			}
		}
	}
	return snippet(body)
}

// messageOf finds the most specific message inside a decoded JSON value:
// a string is itself; an object offers its "message", "msg", "detail" or
// "error", in that order; a list (FastAPI validation errors) joins its
// elements' messages. Whatever has no recognisable message is shown as
// compact JSON rather than dropped. depth stops pathological nesting.
func messageOf(v any, depth int) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case map[string]any:
		if depth < 4 {
			for _, key := range []string{"message", "msg", "detail", "error"} {
				if inner, ok := v[key]; ok && inner != nil {
					if msg := messageOf(inner, depth+1); msg != "" {
						return msg
					}
				}
			}
		}
	case []any:
		if depth < 4 && len(v) > 0 {
			parts := make([]string, 0, len(v))
			for _, elem := range v {
				if msg := messageOf(elem, depth+1); msg != "" {
					parts = append(parts, msg)
				}
			}
			return truncate(strings.Join(parts, "; "), snippetLimit)
		}
	case nil:
		return ""
	}
	return compactJSON(v)
}

// errorCode finds a machine-readable error code ("unauthorised",
// "missing_environment_api_key") at any of the places task apps and the
// backend put one: detail.error.code, detail.code, error.code or code.
func errorCode(body []byte) string {
	var obj map[string]any
	if json.Unmarshal(body, &obj) != nil {
		return ""
	}
	return codeOf(obj, 0)
}

func codeOf(obj map[string]any, depth int) string {
	if code, ok := obj["code"].(string); ok && code != "" {
		return code
	}
	if depth >= 4 {
		return ""
	}
	for _, key := range []string{"detail", "error"} {
		if inner, ok := obj[key].(map[string]any); ok {
			if code := codeOf(inner, depth+1); code != "" {
				return code
			}
		}
	}
	return ""
}

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return truncate(string(b), snippetLimit)
}

// snippet is the start of a body for a message: at most snippetLimit bytes,
// white space collapsed so that an HTML page reads as one line, cut on a
// rune boundary.
func snippet(body []byte) string {
	head := body
	if len(head) > 4*snippetLimit {
		head = head[:4*snippetLimit]
	}
	text := strings.Join(strings.Fields(string(bytes.ToValidUTF8(head, []byte("?")))), " ")
	if len(body) > len(head) && len(text) <= snippetLimit {
		text += "…"
	}
	return truncate(text, snippetLimit)
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
