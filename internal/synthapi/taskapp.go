package synthapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TaskApp talks to a task app (contract §6) the way the CLI does before it
// submits a job. It is safe for concurrent use.
type TaskApp struct {
	url string
	key string
	// keys is the X-API-Keys value: key, then its aliases.
	keys    string
	doer    *doer
	waitMin time.Duration
	waitMax time.Duration
	cache   *HealthCache
}

// NewTaskApp returns a client for the task app at baseURL (http or https;
// trailing "/" trimmed) that presents envKey, the app's
// ENVIRONMENT_API_KEY. An empty envKey sends no key headers, which is how
// to probe an app that has auth switched off.
//
// Only 408, 429, 502 and 504 answers and connection errors are retried per
// request: a task app's 500 or 503 does not heal in seconds, and
// WaitHealthy covers the slow recoveries.
func NewTaskApp(baseURL, envKey string, opts ...Option) (*TaskApp, error) {
	u, err := normalizeTaskAppURL(baseURL)
	if err != nil {
		return nil, err
	}
	if err := checkCredential("the environment key", envKey); err != nil {
		return nil, err
	}
	s := newSettings(opts)
	keys := []string{envKey}
	for _, alias := range s.keyAliases {
		if alias = strings.TrimSpace(alias); alias != "" && !slices.Contains(keys, alias) {
			if err := checkCredential("an environment key alias", alias); err != nil {
				return nil, err
			}
			keys = append(keys, alias)
		}
	}
	return &TaskApp{
		url:     u,
		key:     envKey,
		keys:    strings.Join(keys, ","),
		doer:    newDoer(s, taskAppRetryStatus),
		waitMin: s.retryWaitMin,
		waitMax: s.retryWaitMax,
		cache:   s.healthCache,
	}, nil
}

// URL returns the normalised base URL.
func (t *TaskApp) URL() string { return t.url }

// Health is a task app's answer to GET /health.
type Health struct {
	// Healthy is the CLI's judgement of /health alone: a 200 (unless the
	// body says "healthy": false), or a 401/403 whose body mentions the
	// expected key prefix, which proves the app is up and guarding itself.
	Healthy bool
	// AuthRequired is the app's auth.required, or true for a 401/403.
	AuthRequired bool
	// ExpectedPrefix is the start of the key the app expects, when it says
	// so; it helps a user tell which key is deployed without revealing it.
	ExpectedPrefix string
	// StatusCode is the HTTP status of /health.
	StatusCode int
	// Raw is the body when it is JSON, else nil.
	Raw json.RawMessage
}

// TaskAppErrorKind says what is wrong with a task app in terms of what the
// user has to do about it.
type TaskAppErrorKind int

// The kinds of TaskAppError.
const (
	// TaskAppUnhealthy: the app answered, but not with success. Waiting may
	// help (a deploy in progress); fixing the app may be needed.
	TaskAppUnhealthy TaskAppErrorKind = iota
	// TaskAppUnauthorised: the app refused the key (HTTP 400 "unauthorised",
	// or 401/403). Waiting will not help; the key must change.
	TaskAppUnauthorised
	// TaskAppMissingKey: the app has no ENVIRONMENT_API_KEY configured
	// (HTTP 503 "missing_environment_api_key"). Redeploy it with one.
	TaskAppMissingKey
	// TaskAppTimeout: no answer in time, or not healthy within WaitHealthy's
	// timeout.
	TaskAppTimeout
	// TaskAppDNS: the host name does not resolve, e.g. a typo, or a new
	// deployment whose DNS has not spread yet.
	TaskAppDNS
	// TaskAppUnreachable: the connection failed (refused, reset, TLS).
	TaskAppUnreachable
	// TaskAppBadResponse: a 200 whose body is not what a task app sends,
	// typically a proxy or a different service at that URL.
	TaskAppBadResponse
)

// String names the kind in snake case, for logs and diagnostics.
func (k TaskAppErrorKind) String() string {
	switch k {
	case TaskAppUnhealthy:
		return "unhealthy"
	case TaskAppUnauthorised:
		return "unauthorised"
	case TaskAppMissingKey:
		return "missing_key"
	case TaskAppTimeout:
		return "timeout"
	case TaskAppDNS:
		return "dns"
	case TaskAppUnreachable:
		return "unreachable"
	case TaskAppBadResponse:
		return "bad_response"
	}
	return "TaskAppErrorKind(" + strconv.Itoa(int(k)) + ")"
}

// TaskAppError is a failed task-app check.
type TaskAppError struct {
	// Kind classifies the failure.
	Kind TaskAppErrorKind
	// URL is the task app's base URL.
	URL string
	// Route is the route that failed, e.g. "/health"; "" when the failure
	// is not about one request (WaitHealthy's timeout).
	Route string
	// StatusCode is the HTTP status, 0 when there was no answer.
	StatusCode int
	// Code is the machine-readable error code in the body, e.g.
	// "unauthorised", when there was one.
	Code string
	// Message is the app's explanation or the transport failure.
	Message string
	// Err is the underlying error, if any.
	Err error
}

// Error says what is wrong in plain words, e.g. `task app https://x
// rejected the environment key (GET /health: HTTP 400 unauthorised): API
// key missing or invalid`.
func (e *TaskAppError) Error() string {
	return "task app " + e.URL + " " + e.problem() + e.detail()
}

func (e *TaskAppError) problem() string {
	switch e.Kind {
	case TaskAppUnauthorised:
		return "rejected the environment key"
	case TaskAppMissingKey:
		return "has no environment key configured (ENVIRONMENT_API_KEY)"
	case TaskAppTimeout:
		return "timed out"
	case TaskAppDNS:
		return "has a host name that does not resolve"
	case TaskAppUnreachable:
		return "could not be reached"
	case TaskAppBadResponse:
		return "gave an answer that is not a task app's"
	}
	return "is not healthy"
}

// detail is the request, status, code and message: everything but the URL
// and the problem, so that it can be quoted as "the last answer".
func (e *TaskAppError) detail() string {
	var b strings.Builder
	if e.Route != "" || e.StatusCode != 0 {
		b.WriteString(" (")
		if e.Route != "" {
			b.WriteString("GET " + e.Route)
		}
		if e.StatusCode != 0 {
			if e.Route != "" {
				b.WriteString(": ")
			}
			b.WriteString("HTTP " + strconv.Itoa(e.StatusCode))
			if e.Code != "" {
				b.WriteString(" " + e.Code)
			}
		}
		b.WriteString(")")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *TaskAppError) Unwrap() error { return e.Err }

// get sends one GET to the app with the key headers. The CLI sends all three
// headers because task apps built on different SDK versions read different
// ones; X-API-Keys also carries the aliases (WithKeyAliases).
func (t *TaskApp) get(ctx context.Context, route string, q url.Values) (*response, error) {
	h := http.Header{}
	if t.key != "" {
		h.Set("X-API-Key", t.key)
		h.Set("X-API-Keys", t.keys)
		h.Set("Authorization", "Bearer "+t.key)
	}
	resp, err := t.doer.do(ctx, request{method: http.MethodGet, url: t.url + route, query: q, header: h, retry: mayRetry})
	if err != nil {
		return nil, t.transportError(ctx, route, err)
	}
	return resp, nil
}

// transportError classifies a request that got no answer. Cancellation by
// the caller is not a property of the app and is returned as such.
func (t *TaskApp) transportError(ctx context.Context, route string, err error) error {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return fmt.Errorf("task app %s: %w", t.url, err)
	}
	e := &TaskAppError{Kind: TaskAppUnreachable, URL: t.url, Route: route, Err: err}

	// The innermost error reads best: "lookup x.invalid: no such host"
	// rather than three layers of "Get ...:" prefixes.
	cause := err
	var reqErr *RequestError
	if errors.As(cause, &reqErr) {
		cause = reqErr.Err
	}
	var urlErr *url.Error
	if errors.As(cause, &urlErr) {
		cause = urlErr.Err
	}
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.As(err, &dnsErr):
		e.Kind, cause = TaskAppDNS, dnsErr
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		e.Kind = TaskAppTimeout
	}
	e.Message = cause.Error()
	if reqErr != nil && reqErr.Attempts > 1 {
		e.Message += fmt.Sprintf(" (%d attempts)", reqErr.Attempts)
	}
	return e
}

// answerError classifies an answer that is not a success.
func (t *TaskApp) answerError(route string, resp *response) *TaskAppError {
	e := &TaskAppError{
		Kind:       TaskAppUnhealthy,
		URL:        t.url,
		Route:      route,
		StatusCode: resp.statusCode,
		Code:       errorCode(resp.body),
		Message:    errorMessage(resp.body),
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.statusCode)
	}
	code := strings.ToLower(e.Code)
	switch {
	case code == "missing_environment_api_key" ||
		resp.statusCode == http.StatusServiceUnavailable && bytes.Contains(resp.body, []byte("missing_environment_api_key")):
		e.Kind = TaskAppMissingKey
	case code == "unauthorised" || code == "unauthorized" ||
		resp.statusCode == http.StatusUnauthorized || resp.statusCode == http.StatusForbidden:
		e.Kind = TaskAppUnauthorised
	case resp.statusCode == http.StatusBadRequest && strings.Contains(strings.ToLower(e.Message), "api key"):
		// Older task apps say it in words only.
		e.Kind = TaskAppUnauthorised
	case resp.ok():
		e.Kind = TaskAppBadResponse
	}
	return e
}

// Health asks GET /health and judges the answer as the CLI does (see
// Health.Healthy). The *Health is non-nil whenever the app answered, even
// when the error is not: it carries the status and body for diagnostics.
func (t *TaskApp) Health(ctx context.Context) (*Health, error) {
	const route = "/health"
	resp, err := t.get(ctx, route, nil)
	if err != nil {
		return nil, err
	}
	h := &Health{StatusCode: resp.statusCode}
	var body map[string]any
	if json.Valid(resp.body) {
		h.Raw = json.RawMessage(bytes.Clone(resp.body))
		_ = json.Unmarshal(resp.body, &body) // stays nil unless an object
	}
	if auth, ok := body["auth"].(map[string]any); ok {
		h.AuthRequired, _ = auth["required"].(bool)
	}
	h.ExpectedPrefix = findString(body, "expected_prefix", 0)

	switch resp.statusCode {
	case http.StatusOK:
		if body == nil {
			e := t.answerError(route, resp)
			e.Kind, e.Message = TaskAppBadResponse, "expected a JSON object: "+snippet(resp.body)
			return h, e
		}
		if healthy, ok := body["healthy"].(bool); ok && !healthy {
			e := t.answerError(route, resp)
			e.Kind, e.Message = TaskAppUnhealthy, `the app reports "healthy": false`
			return h, e
		}
		h.Healthy = true
		return h, nil
	case http.StatusUnauthorized, http.StatusForbidden:
		h.AuthRequired = true
		if h.ExpectedPrefix != "" || bytes.Contains(resp.body, []byte("expected_prefix")) {
			h.Healthy = true
			return h, nil
		}
	}
	return h, t.answerError(route, resp)
}

// findString looks for key at any depth of a decoded JSON object; task apps
// put expected_prefix under "auth" or under "detail".
func findString(obj map[string]any, key string, depth int) string {
	if s, ok := obj[key].(string); ok && s != "" {
		return s
	}
	if depth >= 4 {
		return ""
	}
	for _, k := range sortedKeys(obj) {
		if inner, ok := obj[k].(map[string]any); ok {
			if s := findString(inner, key, depth+1); s != "" {
				return s
			}
		}
	}
	return ""
}

// TaskInfo asks GET /task_info, with ?seed=N once per seed. Without seeds
// the answer is the taskset description; with one seed a TaskInfo object;
// with several a JSON array. The body is returned as received.
func (t *TaskApp) TaskInfo(ctx context.Context, seeds []int64) (json.RawMessage, error) {
	const route = "/task_info"
	var q url.Values
	for _, seed := range seeds {
		if q == nil {
			q = url.Values{}
		}
		q.Add("seed", strconv.FormatInt(seed, 10))
	}
	resp, err := t.get(ctx, route, q)
	if err != nil {
		return nil, err
	}
	if resp.statusCode != http.StatusOK {
		return nil, t.answerError(route, resp)
	}
	if !json.Valid(resp.body) {
		e := t.answerError(route, resp)
		e.Kind, e.Message = TaskAppBadResponse, "expected JSON: "+snippet(resp.body)
		return nil, e
	}
	return json.RawMessage(bytes.Clone(resp.body)), nil
}

// Info asks GET /info, where the SDK's task apps describe their task
// (service.task), dataset, rubrics, inference, capabilities and limits. It
// returns nil and no error when the app answers 404: older apps have no
// such route. The body is returned as received.
func (t *TaskApp) Info(ctx context.Context) (json.RawMessage, error) {
	const route = "/info"
	resp, err := t.get(ctx, route, nil)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.statusCode == http.StatusNotFound:
		return nil, nil
	case resp.statusCode != http.StatusOK:
		return nil, t.answerError(route, resp)
	case !json.Valid(resp.body):
		e := t.answerError(route, resp)
		e.Kind, e.Message = TaskAppBadResponse, "expected JSON: "+snippet(resp.body)
		return nil, e
	}
	return json.RawMessage(bytes.Clone(resp.body)), nil
}

// Check makes the CLI's pre-submission judgement: /health is healthy (see
// Health.Healthy) and /task_info answers 200. It returns the /task_info
// body. The *Health is returned whenever /health answered.
func (t *TaskApp) Check(ctx context.Context) (*Health, json.RawMessage, error) {
	h, err := t.Health(ctx)
	if err != nil {
		return h, nil, err
	}
	info, err := t.TaskInfo(ctx, nil)
	if err != nil {
		return h, nil, err
	}
	return h, info, nil
}

// WaitHealthy repeats Check until it passes or timeout has passed, pausing
// between checks for twice as long each time, from the WithRetryWait
// minimum up to its maximum. That rides out what a new deployment goes
// through: a cold start that answers 502 or not at all, DNS that has not
// spread, a /task_info that fails while the app loads its dataset.
//
// A refused key (TaskAppUnauthorised) or a missing one (TaskAppMissingKey)
// fails at once: no amount of waiting changes a key. On timeout the error
// is a *TaskAppError of kind TaskAppTimeout naming the URL, the timeout and
// the last answer, which it also wraps. timeout <= 0 means one check.
//
// With WithHealthCache, a recent pass of the same URL and key is returned
// without asking the app again (see HealthCache).
func (t *TaskApp) WaitHealthy(ctx context.Context, timeout time.Duration) (*Health, json.RawMessage, error) {
	if t.cache != nil {
		return t.cache.waitHealthy(ctx, t, timeout, func() (*Health, json.RawMessage, error) {
			return t.waitHealthy(ctx, timeout)
		})
	}
	return t.waitHealthy(ctx, timeout)
}

func (t *TaskApp) waitHealthy(ctx context.Context, timeout time.Duration) (*Health, json.RawMessage, error) {
	waitCtx, cancel := ctx, context.CancelFunc(func() {})
	if timeout > 0 {
		waitCtx, cancel = context.WithTimeout(ctx, timeout)
	}
	defer cancel()

	pause := max(t.waitMin, time.Millisecond)
	var last *Health
	var lastErr error
	for {
		h, info, err := t.Check(waitCtx)
		if err == nil {
			return h, info, nil
		}
		if h != nil {
			last = h
		}
		// A check cut short by the deadline says nothing about the app;
		// the answer before it is the one worth reporting.
		if lastErr == nil || waitCtx.Err() == nil {
			lastErr = err
		}

		var appErr *TaskAppError
		if errors.As(err, &appErr) && (appErr.Kind == TaskAppUnauthorised || appErr.Kind == TaskAppMissingKey) {
			return last, nil, err
		}
		if ctx.Err() != nil {
			return last, nil, fmt.Errorf("waiting for task app %s: %w (last answer: %v)", t.url, ctx.Err(), lastErr)
		}
		if timeout <= 0 || waitCtx.Err() != nil {
			return last, nil, t.timeoutError(timeout, lastErr)
		}

		timer := time.NewTimer(pause)
		select {
		case <-waitCtx.Done():
			timer.Stop()
			if ctx.Err() != nil {
				return last, nil, fmt.Errorf("waiting for task app %s: %w (last answer: %v)", t.url, ctx.Err(), lastErr)
			}
			return last, nil, t.timeoutError(timeout, lastErr)
		case <-timer.C:
		}
		pause = min(pause*2, max(t.waitMax, pause))
	}
}

func (t *TaskApp) timeoutError(timeout time.Duration, last error) error {
	if timeout <= 0 {
		return last // one check was asked for; its own error says it all
	}
	e := &TaskAppError{Kind: TaskAppTimeout, URL: t.url, Err: last}
	lastAnswer := last.Error()
	var appErr *TaskAppError
	if errors.As(last, &appErr) {
		// Without the URL, which the message already starts with.
		lastAnswer = appErr.Kind.String() + appErr.detail()
	}
	e.Message = fmt.Sprintf("not healthy after waiting %s; last answer: %s", timeout, lastAnswer)
	return e
}
