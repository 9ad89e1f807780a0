package synthapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Every retry decision of the package is in this file: which requests may be
// repeated, which answers are worth repeating them for, and how long to wait.

// maxRetryAfter caps a server's Retry-After. A rate limiter that asks for an
// hour would otherwise park a Terraform run silently; past a minute it is
// better to fail with the 429 and let the user decide.
const maxRetryAfter = time.Minute

// peekLimit bounds how much of a response about to be retried is read to
// explain the retry in the log.
const peekLimit = 64 << 10

// backendRetryStatus lists the answers the backend gives when trying again
// later can help: a timeout, a rate limit, or a server-side outage. Other
// 4xx answers are the request's fault and would fail the same way again.
func backendRetryStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// taskAppRetryStatus is narrower than backendRetryStatus on purpose. A task
// app answers 503 when it has no environment key configured and 500 when its
// own code is broken; neither heals within a few seconds, and
// TaskApp.WaitHealthy already repeats the whole check with its own pauses
// for the conditions that do heal (cold starts, DNS lag).
func taskAppRetryStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryDecision is every request's own answer to whether it may be sent
// more than once, stated where the request is built: the caller is the one
// who knows what repeating it does. A repeated create without an
// Idempotency-Key the backend honours could start a second training job,
// which costs real GPU money, so such a request is sent once and a failure
// reported rather than repeated. Whether a header is present decides
// nothing: verify_task_app is repeated without one (the SDK sends it none),
// and a request could carry a key the backend ignores.
type retryDecision bool

const (
	// mayRetry marks a request that changes nothing (a read, a
	// verification), or that the backend acts on at most once however often
	// it arrives (a create or cancel with an Idempotency-Key).
	mayRetry retryDecision = true
	// sendOnce marks a request whose repetition could act twice.
	sendOnce retryDecision = false
)

// callState follows one logical call through its attempts. It rides in the
// request context so that the log transport can number attempts, and it
// remembers the last failure so that the WARN line announcing a retry can
// say why.
type callState struct {
	method, route string
	attempts      atomic.Int64

	// Written by CheckRetry and read by Backoff, which retryablehttp calls
	// one after the other on the same goroutine.
	lastStatus  int
	lastMessage string
	lastErr     error
}

func (cs *callState) attemptsSoFar() int { return int(cs.attempts.Load()) }

type callStateKey struct{}

func withCallState(ctx context.Context, cs *callState) context.Context {
	return context.WithValue(ctx, callStateKey{}, cs)
}

func callStateFrom(ctx context.Context) *callState {
	cs, _ := ctx.Value(callStateKey{}).(*callState)
	return cs
}

// retryPolicy holds the retry settings shared by all calls of one client.
type retryPolicy struct {
	maxRetries       int
	waitMin, waitMax time.Duration
	retryStatus      func(code int) bool
	logger           Logger

	// now and jitter are replaced in tests to make waits predictable.
	now    func() time.Time
	jitter func(n int64) int64
}

// client returns a retryablehttp client for one call. It is built per call
// because its callbacks need that call's context and state: retryablehttp
// hands neither to Backoff nor to ErrorHandler.
func (p *retryPolicy) client(ctx context.Context, hc *http.Client, cs *callState, retry retryDecision) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   hc,
		RetryMax:     p.maxRetries,
		RetryWaitMin: p.waitMin,
		RetryWaitMax: p.waitMax,
		// retryablehttp passes the request's context, which is ctx.
		CheckRetry: func(_ context.Context, resp *http.Response, err error) (bool, error) {
			cs.attempts.Add(1)
			return p.checkRetry(ctx, cs, retry, resp, err)
		},
		Backoff: func(_, _ time.Duration, attempt int, resp *http.Response) time.Duration {
			wait := p.delay(attempt, resp)
			p.logRetry(ctx, cs, attempt, wait)
			return wait
		},
		ErrorHandler: func(resp *http.Response, err error, attempts int) (*http.Response, error) {
			return giveUp(cs, resp, err, attempts)
		},
	}
}

// checkRetry is the retryablehttp CheckRetry policy for one call.
func (p *retryPolicy) checkRetry(ctx context.Context, cs *callState, retry retryDecision, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		// The caller gave up; another attempt would be ignored anyway.
		return false, ctxErr
	}
	if retry == sendOnce {
		return false, nil
	}
	if err != nil {
		// The default policy already knows which transport errors cannot
		// heal (bad scheme, too many redirects, untrusted certificate).
		retry, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
		if retry {
			cs.lastStatus, cs.lastMessage, cs.lastErr = 0, "", err
		}
		return retry, nil
	}
	if !p.retryStatus(resp.StatusCode) {
		return false, nil
	}
	cs.lastStatus, cs.lastErr = resp.StatusCode, nil
	cs.lastMessage = errorMessage(peekBody(resp))
	return true, nil
}

// peekBody reads the start of a response body without consuming it: the
// response may still be handed to the caller when retries run out.
func peekBody(resp *http.Response) []byte {
	if resp.Body == nil {
		return nil
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, peekLimit))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	return head
}

// delay is how long to wait before retry number attempt+1 (attempt counts
// from 0). A Retry-After header wins, capped at maxRetryAfter; otherwise the
// wait grows exponentially from waitMin to waitMax with jitter, so that many
// clients failing together do not come back together.
func (p *retryPolicy) delay(attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), p.clock()); ok {
			return min(d, max(maxRetryAfter, p.waitMax))
		}
	}
	return p.backoff(attempt)
}

// backoff is waitMin·2^attempt capped at waitMax, then jittered down by up
// to half, never below waitMin.
func (p *retryPolicy) backoff(attempt int) time.Duration {
	d := p.waitMax
	if attempt < 32 {
		if exp := p.waitMin << uint(attempt); exp > 0 && exp < p.waitMax {
			d = exp
		}
	}
	if half := int64(d / 2); half > 0 {
		jitter := rand.Int64N
		if p.jitter != nil {
			jitter = p.jitter
		}
		d -= time.Duration(jitter(half + 1))
	}
	return max(d, p.waitMin)
}

func (p *retryPolicy) clock() time.Time {
	if p.now != nil {
		return p.now()
	}
	return time.Now()
}

// parseRetryAfter reads a Retry-After value in either form RFC 9110 allows:
// delta seconds or an HTTP date. A date in the past means "now".
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// Absurd values would overflow time.Duration; the caller caps the
		// wait far below this anyway.
		secs = min(secs, int64(math.MaxInt64/time.Second))
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

func (p *retryPolicy) logRetry(ctx context.Context, cs *callState, attempt int, wait time.Duration) {
	if p.logger == nil {
		return
	}
	fields := map[string]any{
		"method":       cs.method,
		"route":        cs.route,
		"attempt":      attempt + 1,
		"max_attempts": p.maxRetries + 1,
		"wait_ms":      wait.Milliseconds(),
	}
	if cs.lastErr != nil {
		fields["reason"] = cs.lastErr.Error()
	} else {
		fields["status"] = cs.lastStatus
		fields["reason"] = "HTTP " + strconv.Itoa(cs.lastStatus) + ": " + cs.lastMessage
	}
	p.logger.Warn(ctx, "Retrying Synth HTTP request", fields)
}

// giveUp is the retryablehttp ErrorHandler. retryablehttp's own handler
// discards the last response and reports only "giving up after N
// attempts"; this one keeps the last answer, so the caller can report the
// backend's own words, and records the attempt count either way.
func giveUp(cs *callState, resp *http.Response, err error, attempts int) (*http.Response, error) {
	cs.attempts.Store(int64(attempts))
	if err == nil && resp != nil {
		// Retries ran out on a retryable status: the caller turns the
		// response into an *APIError carrying the attempt count.
		return resp, nil
	}
	if resp != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, peekLimit))
		resp.Body.Close()
	}
	if err == nil {
		err = errors.New("no response")
	}
	return nil, &RequestError{Method: cs.method, Route: cs.route, Attempts: attempts, Err: err}
}
