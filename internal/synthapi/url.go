package synthapi

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// DefaultBackendURL is the production Synth host. Older SDKs used
// https://agent-learning.onrender.com; callers that still need it pass it
// explicitly.
const DefaultBackendURL = "https://api.usesynth.ai"

// NormalizeBackendURL returns the API root for a user-supplied backend URL,
// following contract §1: strip a trailing "/", strip a trailing "/v1", then
// append "/api" unless the path already ends in "/api". So "https://x",
// "https://x/", "https://x/api" and "https://x/api/v1" all give
// "https://x/api".
//
// Users copy these URLs out of SDK docs and environment variables in every
// one of those forms, so accepting all of them is kinder than insisting on
// one; anything that is not a plain http(s) URL is refused rather than
// guessed at.
func NormalizeBackendURL(raw string) (string, error) {
	u, err := parseBaseURL("backend URL", raw)
	if err != nil {
		return "", err
	}
	path := strings.TrimRight(u.Path, "/")
	path = strings.TrimSuffix(path, "/v1")
	path = strings.TrimRight(path, "/")
	if !strings.HasSuffix(path, "/api") {
		path += "/api"
	}
	return u.Scheme + "://" + u.Host + path, nil
}

// normalizeTaskAppURL validates a task-app base URL and trims trailing
// slashes, so that joining "/health" never produces "//health" (which some
// ASGI routers answer with 404).
func normalizeTaskAppURL(raw string) (string, error) {
	u, err := parseBaseURL("task app URL", raw)
	if err != nil {
		return "", err
	}
	return u.Scheme + "://" + u.Host + strings.TrimRight(u.Path, "/"), nil
}

// parseBaseURL accepts only what can sensibly be a base URL: http or https,
// a host, and nothing that would be silently dropped or leak (query,
// fragment, credentials). what names the setting in error messages.
func parseBaseURL(what, raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("%s is empty", what)
	}
	if strings.IndexFunc(raw, unicode.IsSpace) >= 0 {
		return nil, fmt.Errorf("%s %q contains white space", what, raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s %q is not a valid URL: %w", what, raw, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%s %q must start with http:// or https://", what, raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%s %q has no host", what, raw)
	}
	if u.User != nil {
		// Reported without the URL itself: it carries the credentials.
		return nil, fmt.Errorf("%s must not contain user credentials", what)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, fmt.Errorf("%s %q must not contain a query or fragment", what, raw)
	}
	return u, nil
}

// routeOf is the part of a request URL that identifies the route in error
// messages: the escaped path only. Queries are left out so that cursors and
// filters do not clutter messages, and the host is left out because the
// user already knows which backend they configured.
func routeOf(u *url.URL) string {
	if u == nil {
		return ""
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	return p
}
