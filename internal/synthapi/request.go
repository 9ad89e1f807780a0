package synthapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// maxResponseBytes bounds how much of a response body is read. Job objects
// and task infos are kilobytes; anything near this limit is a
// misconfigured URL serving something else, not a Synth answer.
const maxResponseBytes = 10 << 20

// doer sends requests for both the backend Client and TaskApp: headers,
// retries, logging and body limits are the same for both; only the
// statuses worth retrying differ.
type doer struct {
	http      *http.Client
	policy    *retryPolicy
	userAgent string
}

// sharedTransport is the one connection pool of every client built without
// WithHTTPClient in this process. The provider builds a client per RPC (to
// log through that RPC's context); with a transport each, a refresh of N
// jobs dialled N connections and left N idle ones behind.
var sharedTransport = sync.OnceValue(func() http.RoundTripper { return cleanhttp.DefaultPooledTransport() })

func newDoer(s settings, retryStatus func(int) bool) *doer {
	hc := &http.Client{Transport: sharedTransport()}
	if s.httpClient != nil {
		c := *s.httpClient // shallow copy: the caller's client stays untouched
		hc = &c
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = &logTransport{base: base, logger: s.logger}
	hc.Timeout = max(s.timeout, 0)

	return &doer{
		http: hc,
		policy: &retryPolicy{
			maxRetries:  s.maxRetries,
			waitMin:     s.retryWaitMin,
			waitMax:     s.retryWaitMax,
			retryStatus: retryStatus,
			logger:      s.logger,
		},
		userAgent: s.userAgent,
	}
}

// request is one logical call, before retries.
type request struct {
	method string
	url    string      // absolute, without query
	query  url.Values  // nil for none
	body   []byte      // nil for no body; re-sent as is on every attempt
	header http.Header // credentials, Idempotency-Key
	retry  retryDecision

	// stream, when set instead of body, makes a fresh body for each
	// attempt, read as it is sent and never held whole in memory;
	// contentType then names it.
	stream      func() io.ReadCloser
	contentType string
}

// response is the final answer to a call, body already read.
type response struct {
	statusCode    int
	body          []byte
	method, route string
	attempts      int
}

func (r *response) ok() bool { return r.statusCode >= 200 && r.statusCode < 300 }

// do sends r, retrying when the policy allows, and returns the final answer
// whatever its status. The error is non-nil only when no answer could be
// had; it is then a *RequestError.
func (d *doer) do(ctx context.Context, r request) (*response, error) {
	u, err := url.Parse(r.url)
	if err != nil {
		return nil, fmt.Errorf("%s %s: invalid URL: %w", r.method, r.url, err)
	}
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	cs := &callState{method: r.method, route: routeOf(u)}
	ctx = withCallState(ctx, cs)

	// A []byte body lets retryablehttp rewind it for every attempt; a nil
	// interface (not a nil slice) means no body at all.
	var body any
	switch {
	case r.stream != nil:
		// retryablehttp calls a ReaderFunc once while building the request
		// (to learn a length) and drops what it got unread; the stream's
		// work must therefore begin at its first Read, not here.
		body = retryablehttp.ReaderFunc(func() (io.Reader, error) { return r.stream(), nil })
	case r.body != nil:
		body = r.body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, &RequestError{Method: cs.method, Route: cs.route, Err: err}
	}
	for name, values := range r.header {
		req.Header[name] = values
	}
	req.Header.Set("User-Agent", d.userAgent)
	req.Header.Set("Accept", "application/json")
	switch {
	case r.stream != nil:
		req.Header.Set("Content-Type", r.contentType)
	case r.body != nil:
		req.Header.Set("Content-Type", "application/json")
	}

	rc := d.policy.client(ctx, d.http, cs, r.retry)
	resp, err := rc.Do(req)
	if err != nil {
		var reqErr *RequestError
		if !errors.As(err, &reqErr) {
			// retryablehttp returns the bare context error when the
			// context ends during a backoff wait.
			err = &RequestError{Method: cs.method, Route: cs.route, Attempts: cs.attemptsSoFar(), Err: err}
		}
		return nil, err
	}
	defer resp.Body.Close()

	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, &RequestError{Method: cs.method, Route: cs.route, Attempts: cs.attemptsSoFar(),
			Err: fmt.Errorf("reading the response: %w", err)}
	}
	if len(data) > maxResponseBytes {
		return nil, fmt.Errorf("%s %s: response larger than %d MiB: is the URL right?", cs.method, cs.route, maxResponseBytes>>20)
	}
	return &response{
		statusCode: resp.StatusCode,
		body:       data,
		method:     cs.method,
		route:      cs.route,
		attempts:   cs.attemptsSoFar(),
	}, nil
}

// decode unmarshals a 2xx body into out, naming the route and quoting the
// start of the body when it is not the JSON expected: a proxy's HTML page
// with status 200 is the usual culprit.
func (r *response) decode(out any) error {
	if err := json.Unmarshal(r.body, out); err != nil {
		return fmt.Errorf("%s %s: unexpected response (HTTP %d): %v: %s", r.method, r.route, r.statusCode, err, snippet(r.body))
	}
	return nil
}

// decodeAnswer decodes a 2xx body with decode, naming the request and its
// status when the body is not what was expected.
func decodeAnswer[T any](r *response, decode func([]byte) (T, error)) (T, error) {
	v, err := decode(r.body)
	if err != nil {
		return v, fmt.Errorf("%s %s (HTTP %d): %w", r.method, r.route, r.statusCode, err)
	}
	return v, nil
}
