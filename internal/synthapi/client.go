package synthapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/google/uuid"
)

// Client talks to the Synth backend. It is safe for concurrent use; build
// one per provider configuration.
type Client struct {
	root   string // API root, e.g. https://api.usesynth.ai/api
	apiKey string
	doer   *doer
	// uploader is doer with the upload's longer per-attempt timeout.
	uploader *doer
}

// NewClient returns a client for the backend at backendURL, normalised by
// NormalizeBackendURL, authenticating every call with apiKey as a bearer
// token. An empty key is refused: every backend route needs one, and
// failing here names the cause better than a 401 on the first call would.
func NewClient(backendURL, apiKey string, opts ...Option) (*Client, error) {
	root, err := NormalizeBackendURL(backendURL)
	if err != nil {
		return nil, err
	}
	if apiKey == "" {
		return nil, errors.New("the Synth API key is empty")
	}
	if err := checkCredential("the Synth API key", apiKey); err != nil {
		return nil, err
	}
	s := newSettings(opts)
	up := s
	switch {
	case s.uploadTimeout <= 0 || s.timeout <= 0:
		up.timeout = 0
	default:
		up.timeout = max(s.uploadTimeout, s.timeout)
	}
	return &Client{root: root, apiKey: apiKey, doer: newDoer(s, backendRetryStatus), uploader: newDoer(up, backendRetryStatus)}, nil
}

// checkCredential refuses a key that cannot travel in a header. A trailing
// newline from "echo $KEY > file" is the usual culprit; net/http would
// refuse the request later with a message that does not say which value
// was wrong, and the value itself must not appear in any message.
func checkCredential(what, key string) error {
	if strings.IndexFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return fmt.Errorf("%s contains white space or control characters; check for a trailing newline", what)
	}
	return nil
}

// APIRoot returns the normalised API root every route is relative to, e.g.
// "https://api.usesynth.ai/api". The create payload records it as
// metadata.backend_base_url.
func (c *Client) APIRoot() string { return c.root }

// NewIdempotencyKey mints a key for CreateJob. The caller keeps the key for
// as long as it may repeat the same create (a provider can store it in
// private state), so that a create whose answer was lost is recognised by
// the backend instead of starting a second job.
func NewIdempotencyKey() string { return uuid.NewString() }

// call is one backend request. path is relative to the API root; body, when
// not nil, is sent as JSON. A non-empty idempotencyKey is sent as the
// Idempotency-Key header; whether the request may be repeated is retry's
// to say, not the header's. The answer is returned whatever its status; see
// expect.
func (c *Client) call(ctx context.Context, method, path string, query url.Values, body any, idempotencyKey string, retry retryDecision) (*response, error) {
	r := request{
		method: method,
		url:    c.root + path,
		query:  query,
		header: http.Header{"Authorization": {"Bearer " + c.apiKey}},
		retry:  retry,
	}
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encoding the request: %w", method, path, err)
		}
		r.body = data
	}
	if idempotencyKey != "" {
		r.header.Set("Idempotency-Key", idempotencyKey)
	}
	return c.doer.do(ctx, r)
}

// expect turns a non-2xx answer into an *APIError, so that callers only
// handle the answers they understand.
func expect(resp *response, err error) (*response, error) {
	if err != nil {
		return nil, err
	}
	if !resp.ok() {
		return nil, newAPIError(resp)
	}
	return resp, nil
}

// jobPath is the route of one job; ids are opaque and path-escaped, so an
// id containing "/" or "?" cannot reach a different route.
func jobPath(prefix, id string, rest string) string {
	return prefix + "/" + url.PathEscape(id) + rest
}
