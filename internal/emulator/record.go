package emulator

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
)

// maxRecordedBody bounds what one request may send. The contract's largest
// body is a create payload carrying a whole config, far below this.
const maxRecordedBody = 16 << 20

// Request is one request the emulator received, as tests see it.
type Request struct {
	Target   string // TargetBackend or TargetTaskApp
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	// Body is the request's body; nil for a multipart upload, which is
	// streamed to disk instead of being recorded.
	Body []byte
	// Status is what the client was answered: 0 until the answer is written,
	// and 0 for good when a fault dropped the connection.
	Status int
	At     time.Time // on the emulator's clock
}

// observe records each request, then lets faults have it, then hands it to h.
// Recording comes first so that a request a fault drops still counts: a
// benchmark counting requests must see the retries a lost answer causes.
func (e *Emulator) observe(target string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isUpload(r) {
			// A training file can be gigabytes: it is recorded without its
			// body and handed on as the stream it is.
			rec := e.record(target, r, nil)
			sw := &statusWriter{ResponseWriter: w}
			defer func() { e.answered(rec, sw.status) }()
			if !e.applyFaults(target, sw, r, h) {
				h.ServeHTTP(sw, r)
			}
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRecordedBody))
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := e.record(target, r, body)
		sw := &statusWriter{ResponseWriter: w}
		defer func() { e.answered(rec, sw.status) }()

		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				writeDetail(sw, http.StatusRequestEntityTooLarge, "Request body too large")
				return
			}
			writeDetail(sw, http.StatusBadRequest, "Could not read the request body")
			return
		}
		if e.applyFaults(target, sw, r, h) {
			return
		}
		h.ServeHTTP(sw, r)
	})
}

// isUpload reports whether a request carries a multipart body.
func isUpload(r *http.Request) bool {
	return strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "multipart/")
}

func (e *Emulator) record(target string, r *http.Request, body []byte) *Request {
	rec := &Request{
		Target:   target,
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Body:     body,
		At:       e.now(),
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests = append(e.requests, rec)
	return rec
}

// answered stores the status a request was answered with and tells the
// OnRequest hook. A ResetRequests in between only means the record is gone
// from the list; updating it is harmless.
func (e *Emulator) answered(rec *Request, status int) {
	e.mu.Lock()
	rec.Status = status
	snapshot := copyRequest(rec)
	hook := e.onRequest
	e.mu.Unlock()
	if hook != nil {
		hook(snapshot)
	}
}

// Requests returns a copy of every request received since the last
// ResetRequests, oldest first.
func (e *Emulator) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Request, len(e.requests))
	for i, r := range e.requests {
		out[i] = copyRequest(r)
	}
	return out
}

// Count returns how many requests matched target, method and the exact path;
// an empty method or path matches any.
func (e *Emulator) Count(target, method, path string) int {
	return e.count(target, method, func(p string) bool { return path == "" || p == path })
}

// CountPrefix is Count with a path prefix instead of an exact path.
func (e *Emulator) CountPrefix(target, method, pathPrefix string) int {
	return e.count(target, method, func(p string) bool { return strings.HasPrefix(p, pathPrefix) })
}

func (e *Emulator) count(target, method string, pathMatches func(string) bool) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, r := range e.requests {
		if (target == "" || r.Target == target) &&
			(method == "" || strings.EqualFold(r.Method, method)) &&
			pathMatches(r.Path) {
			n++
		}
	}
	return n
}

// ResetRequests forgets every recorded request.
func (e *Emulator) ResetRequests() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests = nil
}

// copyRequest deep-copies a record so callers cannot race the emulator on it.
// The caller holds e.mu.
func copyRequest(r *Request) Request {
	c := *r
	c.Header = r.Header.Clone()
	c.Body = bytes.Clone(r.Body)
	return c
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection, which dropping
// faults need.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
