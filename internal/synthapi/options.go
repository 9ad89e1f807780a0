package synthapi

import (
	"net/http"
	"strings"
	"time"
)

// Defaults for the knobs an Option can turn.
const (
	// DefaultTimeout bounds one HTTP attempt, matching the SDK's 30 s per
	// request. The caller's context bounds the whole call, retries included.
	DefaultTimeout = 30 * time.Second

	// DefaultMaxRetries is how many times a retryable request is repeated
	// after the first attempt, so at most five attempts in all. With the
	// default waits that rides out roughly ten seconds of trouble, which
	// covers a backend deploy or a rate-limit window without making a
	// Terraform run look hung.
	DefaultMaxRetries = 4

	// DefaultRetryWaitMin and DefaultRetryWaitMax bound the backoff between
	// attempts; they are the SDK's "0.5 s × 2^n capped at 5 s".
	DefaultRetryWaitMin = 500 * time.Millisecond
	DefaultRetryWaitMax = 5 * time.Second

	// DefaultUploadTimeout bounds one attempt of a training-file upload:
	// §9 knows no size limit and asks for at least 300 s.
	DefaultUploadTimeout = 300 * time.Second

	// DefaultUserAgent is sent when WithUserAgent is not used. The provider
	// replaces it with one that carries its version.
	DefaultUserAgent = "terraform-provider-synth"
)

// Option configures a Client or a TaskApp.
type Option func(*settings)

// settings is what the options build; it is resolved once at construction
// so that the clients themselves are immutable and safe for concurrent use.
type settings struct {
	httpClient    *http.Client
	timeout       time.Duration
	uploadTimeout time.Duration
	maxRetries    int
	retryWaitMin  time.Duration
	retryWaitMax  time.Duration
	userAgent     string
	logger        Logger
	healthCache   *HealthCache
	keyAliases    []string
}

func newSettings(opts []Option) settings {
	s := settings{
		timeout:       DefaultTimeout,
		uploadTimeout: DefaultUploadTimeout,
		maxRetries:    DefaultMaxRetries,
		retryWaitMin:  DefaultRetryWaitMin,
		retryWaitMax:  DefaultRetryWaitMax,
		userAgent:     DefaultUserAgent,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(&s)
		}
	}
	if s.maxRetries < 0 {
		s.maxRetries = 0
	}
	if s.retryWaitMin < 0 {
		s.retryWaitMin = 0
	}
	if s.retryWaitMax < s.retryWaitMin {
		s.retryWaitMax = s.retryWaitMin
	}
	return s
}

// WithHTTPClient sets the http.Client whose transport (TLS settings, proxy,
// test server) carries the requests. The client is copied, never modified:
// its Timeout is replaced by WithTimeout's and its transport is wrapped for
// logging.
func WithHTTPClient(c *http.Client) Option {
	return func(s *settings) { s.httpClient = c }
}

// WithTimeout bounds each HTTP attempt (not the whole call: use the context
// for that). Zero or less means no per-attempt limit. Default DefaultTimeout.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) { s.timeout = d }
}

// WithUploadTimeout bounds each attempt of a training-file upload, which
// WithTimeout does not: an upload takes as long as the file needs. It is
// never below WithTimeout's limit; zero or less means no per-attempt limit.
// Default DefaultUploadTimeout.
func WithUploadTimeout(d time.Duration) Option {
	return func(s *settings) { s.uploadTimeout = d }
}

// WithMaxRetries sets how many times a retryable request is repeated after
// the first attempt. Zero disables retries; negative values count as zero.
// Default DefaultMaxRetries.
func WithMaxRetries(n int) Option {
	return func(s *settings) { s.maxRetries = n }
}

// WithRetryWait sets the bounds of the exponential backoff between attempts.
// A Retry-After header from the server takes precedence over them. TaskApp
// also uses them for the pauses of WaitHealthy. Defaults DefaultRetryWaitMin
// and DefaultRetryWaitMax.
func WithRetryWait(minWait, maxWait time.Duration) Option {
	return func(s *settings) { s.retryWaitMin, s.retryWaitMax = minWait, maxWait }
}

// WithUserAgent sets the User-Agent header sent on every request.
func WithUserAgent(ua string) Option {
	return func(s *settings) {
		if ua != "" {
			s.userAgent = ua
		}
	}
}

// WithLogger sends the client's log lines to l. Nil means silent.
func WithLogger(l Logger) Option {
	return func(s *settings) { s.logger = l }
}

// WithKeyAliases adds keys a TaskApp sends in X-API-Keys after its main key,
// as the SDK does with ENVIRONMENT_API_KEY_ALIASES: a task app deployed with
// an older key still recognises the caller. Empty entries and repeats of the
// main key are left out.
func WithKeyAliases(aliases ...string) Option {
	return func(s *settings) { s.keyAliases = aliases }
}

// ParseKeyAliases splits ENVIRONMENT_API_KEY_ALIASES, a comma-separated
// list, into its keys, dropping blanks around and between them.
func ParseKeyAliases(list string) []string {
	var keys []string
	for _, k := range strings.Split(list, ",") {
		if k = strings.TrimSpace(k); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}
