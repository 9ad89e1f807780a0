package synthapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const testAPIKey = "sk_test_0123456789"

// fastRetries keeps retry tests quick without changing what they exercise.
var fastRetries = WithRetryWait(time.Millisecond, 4*time.Millisecond)

// hit is one request as the test server saw it.
type hit struct {
	Method   string
	Path     string // escaped
	RawQuery string
	Header   http.Header
	Body     string
}

// backend is a scripted test server that records every request.
type backend struct {
	t   *testing.T
	srv *httptest.Server

	mu   sync.Mutex
	hits []hit
}

// newBackend starts a server whose handler gets each request with n, the
// 1-based number of requests seen so far on that path.
func newBackend(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int)) *backend {
	t.Helper()
	b := &backend{t: t}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		b.hits = append(b.hits, hit{
			Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
			Header: r.Header.Clone(), Body: string(body),
		})
		n := 0
		for _, h := range b.hits {
			if h.Path == r.URL.EscapedPath() {
				n++
			}
		}
		b.mu.Unlock()
		handle(w, r, n)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *backend) recorded() []hit {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]hit(nil), b.hits...)
}

func (b *backend) client(opts ...Option) *Client {
	b.t.Helper()
	all := append([]Option{WithHTTPClient(b.srv.Client()), fastRetries}, opts...)
	c, err := NewClient(b.srv.URL, testAPIKey, all...)
	if err != nil {
		b.t.Fatalf("NewClient: %v", err)
	}
	return c
}

func (b *backend) taskApp(key string, opts ...Option) *TaskApp {
	b.t.Helper()
	all := append([]Option{WithHTTPClient(b.srv.Client()), fastRetries}, opts...)
	app, err := NewTaskApp(b.srv.URL, key, all...)
	if err != nil {
		b.t.Fatalf("NewTaskApp: %v", err)
	}
	return app
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// dropConnection closes the connection without answering, as a crashing
// proxy or a reset would.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	t.Helper()
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

type logEntry struct {
	Level, Msg string
	Fields     map[string]any
}

// fakeLogger records log lines for assertions.
type fakeLogger struct {
	mu      sync.Mutex
	entries []logEntry
}

func (l *fakeLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.add("DEBUG", msg, fields)
}

func (l *fakeLogger) Warn(_ context.Context, msg string, fields map[string]any) {
	l.add("WARN", msg, fields)
}

func (l *fakeLogger) add(level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, logEntry{level, msg, fields})
}

func (l *fakeLogger) byLevel(level string) []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []logEntry
	for _, e := range l.entries {
		if e.Level == level {
			out = append(out, e)
		}
	}
	return out
}

func (l *fakeLogger) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, e := range l.entries {
		fmt.Fprintf(&b, "%s %s %v\n", e.Level, e.Msg, e.Fields)
	}
	return b.String()
}
