package synthapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewClientChecksTheKey(t *testing.T) {
	if _, err := NewClient(DefaultBackendURL, ""); err == nil {
		t.Fatal("NewClient with an empty key: want an error")
	}
	if _, err := NewClient(DefaultBackendURL, "sk_x\n"); err == nil || strings.Contains(err.Error(), "sk_x") {
		t.Fatalf("NewClient with a trailing newline: err = %v, want an error that does not quote the key", err)
	}
	if _, err := NewTaskApp("https://task.example", "env key"); err == nil {
		t.Fatal("NewTaskApp with a space in the key: want an error")
	}
	c, err := NewClient("https://api.usesynth.ai/v1/", "sk_x")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.APIRoot(), "https://api.usesynth.ai/api"; got != want {
		t.Errorf("APIRoot() = %q, want %q", got, want)
	}
}

func TestRequestHeaders(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, http.StatusCreated, `{"job_id":"job_1"}`)
	})
	c := b.client(WithUserAgent("terraform-provider-synth/1.2.3"))
	if _, err := c.CreateJob(t.Context(), map[string]any{"job_type": "rl"}, "key-1"); err != nil {
		t.Fatal(err)
	}
	h := b.recorded()[0].Header
	for name, want := range map[string]string{
		"Authorization":   "Bearer " + testAPIKey,
		"User-Agent":      "terraform-provider-synth/1.2.3",
		"Accept":          "application/json",
		"Content-Type":    "application/json",
		"Idempotency-Key": "key-1",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
}

func TestCreateJobID(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		wantID  string
		wantErr string
	}{
		{name: "job_id", status: 200, body: `{"job_id":"job_a","status":"queued"}`, wantID: "job_a"},
		{name: "id", status: 201, body: `{"id":"job_b"}`, wantID: "job_b"},
		{name: "job_id wins over id", status: 200, body: `{"id":"x","job_id":"job_c"}`, wantID: "job_c"},
		{name: "numeric id", status: 200, body: `{"id":42}`, wantID: "42"},
		{name: "no id", status: 200, body: `{"status":"queued"}`, wantErr: `neither "job_id" nor "id": {"status":"queued"}`},
		{name: "html page", status: 200, body: "<html><body>" + strings.Repeat("proxy ", 200) + "</body></html>", wantErr: "not JSON"},
		{name: "array", status: 200, body: `[1,2]`, wantErr: "expected a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				writeJSON(w, tt.status, tt.body)
			})
			job, err := b.client().CreateJob(t.Context(), json.RawMessage(`{"job_type":"rl"}`), "k")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if len(err.Error()) > 400 {
					t.Errorf("error quotes too much of the body (%d bytes): %v", len(err.Error()), err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if job.ID != tt.wantID {
				t.Errorf("ID = %q, want %q", job.ID, tt.wantID)
			}
			if got := b.recorded()[0]; got.Method != http.MethodPost || got.Path != "/api/rl/jobs" || got.Body != `{"job_type":"rl"}` {
				t.Errorf("request = %s %s %s", got.Method, got.Path, got.Body)
			}
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusTooManyRequests, `{"detail":"slow down"}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"job_id":"job_1","status":"running"}`)
	})
	start := time.Now()
	job, err := b.client().GetJob(t.Context(), "job_1")
	if err != nil {
		t.Fatal(err)
	}
	if job.Status != "running" {
		t.Errorf("Status = %q", job.Status)
	}
	if got := len(b.recorded()); got != 2 {
		t.Errorf("attempts = %d, want 2", got)
	}
	// The configured backoff is milliseconds; only Retry-After explains a
	// wait of a second.
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("waited %s, want at least the 1s of Retry-After", waited)
	}
}

func TestCreateRetriesWithTheSameKey(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n <= 2 {
			writeJSON(w, http.StatusBadGateway, `{"detail":"upstream down"}`)
			return
		}
		writeJSON(w, http.StatusCreated, `{"job_id":"job_1"}`)
	})
	job, err := b.client().CreateJob(t.Context(), map[string]string{"job_type": "rl"}, "idem-123")
	if err != nil {
		t.Fatal(err)
	}
	if job.ID != "job_1" {
		t.Errorf("ID = %q", job.ID)
	}
	hits := b.recorded()
	if len(hits) != 3 {
		t.Fatalf("attempts = %d, want 3", len(hits))
	}
	for i, h := range hits {
		if got := h.Header.Get("Idempotency-Key"); got != "idem-123" {
			t.Errorf("attempt %d: Idempotency-Key = %q", i+1, got)
		}
		if h.Body != `{"job_type":"rl"}` {
			t.Errorf("attempt %d: body = %q, want the same body each time", i+1, h.Body)
		}
	}
}

func TestPostWithoutKeyIsNotRetried(t *testing.T) {
	tests := []struct {
		name string
		call func(c *Client) error
	}{
		{"create without key", func(c *Client) error {
			_, err := c.CreateJob(t.Context(), map[string]string{}, "")
			return err
		}},
		{"upload env key", func(c *Client) error {
			_, err := c.UploadEnvKey(t.Context(), EnvKeyName, "Y2lwaGVy")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				writeJSON(w, http.StatusServiceUnavailable, `{"detail":"busy"}`)
			})
			err := tt.call(b.client())
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || apiErr.Attempts != 1 {
				t.Fatalf("err = %#v, want a 503 *APIError after 1 attempt", err)
			}
			if got := len(b.recorded()); got != 1 {
				t.Errorf("server saw %d attempts, want 1", got)
			}
		})
	}
}

func TestClientErrorIsNotRetried(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, http.StatusBadRequest, `{"detail":"bad job id"}`)
	})
	_, err := b.client().GetJob(t.Context(), "job_1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want *APIError", err)
	}
	if apiErr.StatusCode != 400 || apiErr.Attempts != 1 || apiErr.Message != "bad job id" {
		t.Errorf("got %+v", apiErr)
	}
	if got := len(b.recorded()); got != 1 {
		t.Errorf("server saw %d attempts, want 1", got)
	}
	if IsTransient(err) {
		t.Error("IsTransient(400) = true")
	}
}

func TestRetriesExhaustedKeepTheLastAnswer(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n < 3 {
			writeJSON(w, http.StatusServiceUnavailable, `{"detail":"maintenance"}`)
			return
		}
		writeJSON(w, http.StatusBadGateway, `{"detail":"upstream down"}`)
	})
	_, err := b.client(WithMaxRetries(2)).CreateJob(t.Context(), map[string]string{}, "k")
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want *APIError", err)
	}
	want := APIError{StatusCode: 502, Method: "POST", Route: "/api/rl/jobs", Message: "upstream down", Attempts: 3}
	if *apiErr != want {
		t.Errorf("got %+v, want %+v", *apiErr, want)
	}
	if got, want := err.Error(), "POST /api/rl/jobs: HTTP 502 after 3 attempts: upstream down"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !IsTransient(err) {
		t.Error("IsTransient(502) = false")
	}
}

func TestDroppedConnectionIsRetriedWithTheSameKey(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			dropConnection(t, w)
			return
		}
		writeJSON(w, http.StatusOK, `{"job_id":"job_1"}`)
	})
	job, err := b.client().CreateJob(t.Context(), map[string]string{"job_type": "rl"}, "idem-9")
	if err != nil {
		t.Fatal(err)
	}
	if job.ID != "job_1" {
		t.Errorf("ID = %q", job.ID)
	}
	hits := b.recorded()
	if len(hits) < 2 {
		t.Fatalf("server saw %d attempts, want a retry", len(hits))
	}
	for i, h := range hits {
		if got := h.Header.Get("Idempotency-Key"); got != "idem-9" {
			t.Errorf("attempt %d: Idempotency-Key = %q", i+1, got)
		}
		if h.Body != `{"job_type":"rl"}` {
			t.Errorf("attempt %d: body = %q", i+1, h.Body)
		}
	}
}

func TestDroppedConnectionWithoutKeyIsReported(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		dropConnection(t, w)
	})
	_, err := b.client().CreateJob(t.Context(), map[string]string{}, "")
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || reqErr.Attempts != 1 {
		t.Fatalf("err = %#v, want *RequestError after 1 attempt", err)
	}
	if got := len(b.recorded()); got != 1 {
		t.Errorf("server saw %d attempts, want 1", got)
	}
}

func TestTransportFailureReportsAttempts(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		dropConnection(t, w)
	})
	_, err := b.client(WithMaxRetries(2)).GetJob(t.Context(), "job_1")
	var reqErr *RequestError
	if !errors.As(err, &reqErr) {
		t.Fatalf("err = %v, want *RequestError", err)
	}
	if reqErr.Attempts != 3 || reqErr.Method != "GET" || reqErr.Route != "/api/rl/jobs/job_1" {
		t.Errorf("got %+v", reqErr)
	}
	if !strings.Contains(err.Error(), "GET /api/rl/jobs/job_1: no answer after 3 attempts: ") {
		t.Errorf("Error() = %q", err.Error())
	}
	if !IsTransient(err) {
		t.Error("IsTransient(dropped connection) = false")
	}
}

func TestCancelledContextStopsRetrying(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		cancel()
		writeJSON(w, http.StatusServiceUnavailable, `{"detail":"busy"}`)
	})
	_, err := b.client(WithRetryWait(time.Second, time.Second)).GetJob(ctx, "job_1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if IsTransient(err) {
		t.Error("IsTransient(cancelled) = true")
	}
	if got := len(b.recorded()); got != 1 {
		t.Errorf("server saw %d attempts, want 1", got)
	}
}

func TestGetJob(t *testing.T) {
	tests := []struct {
		name      string
		id        string
		handle    func(w http.ResponseWriter, r *http.Request)
		wantPaths []string
		wantErr   func(error) bool
		wantMsg   string
	}{
		{
			name: "rl route",
			id:   "job_1",
			handle: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, `{"job_id":"job_1","status":"RUNNING"}`)
			},
			wantPaths: []string{"/api/rl/jobs/job_1"},
		},
		{
			name: "learning fallback",
			id:   "job_1",
			handle: func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/api/rl/") {
					writeJSON(w, 404, `{"detail":"Not Found"}`)
					return
				}
				writeJSON(w, 200, `{"id":"job_1","state":"running"}`)
			},
			wantPaths: []string{"/api/rl/jobs/job_1", "/api/learning/jobs/job_1"},
		},
		{
			name: "not found on both",
			id:   "job_1",
			handle: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 404, `{"detail":"Job not found"}`)
			},
			wantPaths: []string{"/api/rl/jobs/job_1", "/api/learning/jobs/job_1"},
			wantErr:   IsNotFound,
			wantMsg:   "GET /api/rl/jobs/job_1: HTTP 404: Job not found (GET /api/learning/jobs/job_1: HTTP 404 too)",
		},
		{
			name: "legacy route absent",
			id:   "job_1",
			handle: func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/api/rl/") {
					writeJSON(w, 404, `{"detail":"Job not found"}`)
					return
				}
				writeJSON(w, 405, `{"detail":"Method Not Allowed"}`)
			},
			wantPaths: []string{"/api/rl/jobs/job_1", "/api/learning/jobs/job_1"},
			wantErr:   IsNotFound,
		},
		{
			name: "id is path-escaped",
			id:   "a/b?c",
			handle: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, `{"status":"queued"}`)
			},
			wantPaths: []string{"/api/rl/jobs/a%2Fb%3Fc"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) { tt.handle(w, r) })
			job, err := b.client().GetJob(t.Context(), tt.id)
			var paths []string
			for _, h := range b.recorded() {
				paths = append(paths, h.Path)
			}
			if strings.Join(paths, " ") != strings.Join(tt.wantPaths, " ") {
				t.Errorf("paths = %v, want %v", paths, tt.wantPaths)
			}
			if tt.wantErr != nil {
				if !tt.wantErr(err) {
					t.Fatalf("err = %v", err)
				}
				if tt.wantMsg != "" && err.Error() != tt.wantMsg {
					t.Errorf("Error() = %q, want %q", err.Error(), tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if job.ID != tt.id || job.Status == "" {
				t.Errorf("job = %+v", job)
			}
		})
	}
}

func TestCancelJob(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int
		wantErr  func(error) bool
		attempts int
	}{
		{"accepted", []int{200}, nil, 1},
		{"already finished 409", []int{409}, nil, 1},
		{"already finished 400", []int{400}, nil, 1},
		{"retried after 503", []int{503, 200}, nil, 2},
		{"unknown job", []int{404}, IsNotFound, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, func(w http.ResponseWriter, r *http.Request, n int) {
				writeJSON(w, tt.statuses[min(n, len(tt.statuses))-1], `{"detail":"x"}`)
			})
			err := b.client().CancelJob(t.Context(), "job_1")
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("err = %v, want nil", err)
			case tt.wantErr != nil && !tt.wantErr(err):
				t.Fatalf("err = %v", err)
			}
			hits := b.recorded()
			if len(hits) != tt.attempts {
				t.Fatalf("attempts = %d, want %d", len(hits), tt.attempts)
			}
			key := hits[0].Header.Get("Idempotency-Key")
			if key == "" {
				t.Error("cancel sent no Idempotency-Key")
			}
			for _, h := range hits {
				if h.Method != "POST" || h.Path != "/api/rl/jobs/job_1/cancel" || h.Body != "{}" {
					t.Errorf("request = %s %s %q", h.Method, h.Path, h.Body)
				}
				if h.Header.Get("Idempotency-Key") != key {
					t.Error("retry used a different Idempotency-Key")
				}
			}
		})
	}
}

func TestListJobs(t *testing.T) {
	tests := []struct {
		name      string
		params    ListJobsParams
		body      string
		wantIDs   string
		wantNext  string
		wantQuery string
	}{
		{
			name:      "array, full page: cursor is the last id",
			params:    ListJobsParams{Limit: 2},
			body:      `[{"job_id":"a"},{"id":"b"}]`,
			wantIDs:   "a b",
			wantNext:  "b",
			wantQuery: "limit=2",
		},
		{
			name:      "array, short page: the end",
			params:    ListJobsParams{Limit: 3},
			body:      `[{"job_id":"a"},{"id":"b"}]`,
			wantIDs:   "a b",
			wantQuery: "limit=3",
		},
		{
			name:     "object with next_cursor",
			params:   ListJobsParams{Limit: 2},
			body:     `{"jobs":[{"job_id":"a"},{"job_id":"b"}],"next_cursor":"cur_9"}`,
			wantIDs:  "a b",
			wantNext: "cur_9",
		},
		{
			name:     "object with after",
			body:     `{"jobs":[{"job_id":"a"}],"after":"cur_3"}`,
			wantIDs:  "a",
			wantNext: "cur_3",
		},
		{
			name:    "object says null: the end even on a full page",
			params:  ListJobsParams{Limit: 1},
			body:    `{"jobs":[{"job_id":"a"}],"next":null}`,
			wantIDs: "a",
		},
		{
			name:     "object without cursor, full page",
			params:   ListJobsParams{Limit: 1},
			body:     `{"jobs":[{"job_id":"a"}]}`,
			wantIDs:  "a",
			wantNext: "a",
		},
		{
			name:      "filters",
			params:    ListJobsParams{Limit: 20, Status: "running", Model: "Qwen/Qwen3-4B", CreatedAfter: "2025-01-01T00:00:00Z", CreatedBefore: "2025-02-01T00:00:00Z", After: "job_x"},
			body:      `[]`,
			wantQuery: "after=job_x&created_after=2025-01-01T00%3A00%3A00Z&created_before=2025-02-01T00%3A00%3A00Z&limit=20&model=Qwen%2FQwen3-4B&status=running",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, 200, tt.body) })
			jobs, next, err := b.client().ListJobs(t.Context(), tt.params)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, j := range jobs {
				ids = append(ids, j.ID)
			}
			if got := strings.Join(ids, " "); got != tt.wantIDs {
				t.Errorf("ids = %q, want %q", got, tt.wantIDs)
			}
			if next != tt.wantNext {
				t.Errorf("next = %q, want %q", next, tt.wantNext)
			}
			if h := b.recorded()[0]; h.Path != "/api/rl/jobs" || (tt.wantQuery != "" && h.RawQuery != tt.wantQuery) {
				t.Errorf("request = %s?%s, want query %q", h.Path, h.RawQuery, tt.wantQuery)
			}
		})
	}
}

func TestListJobsRejectsOtherShapes(t *testing.T) {
	for _, body := range []string{`{"items":[]}`, `"jobs"`, `<html>oops</html>`, `{"jobs":{"a":1}}`, `[1]`} {
		b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, 200, body) })
		if _, _, err := b.client().ListJobs(t.Context(), ListJobsParams{}); err == nil {
			t.Errorf("body %s: want an error", body)
		}
	}
}

func TestJobEvents(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 200, `{"events":[
			{"seq":7,"type":"rl.train.step","message":"step 1","level":"info","data":{"step":1},"created_at":"2025-03-01T10:00:00"},
			{"seq":8,"type":"rl.job.failed","message":"OOM","level":"error","created_at":1740823200.5}
		]}`)
	})
	events, err := b.client().JobEvents(t.Context(), "job_1", 6, 0)
	if err != nil {
		t.Fatal(err)
	}
	if h := b.recorded()[0]; h.Path != "/api/rl/jobs/job_1/events" || h.RawQuery != "limit=200&since_seq=6" {
		t.Errorf("request = %s?%s", h.Path, h.RawQuery)
	}
	if len(events) != 2 {
		t.Fatalf("len = %d", len(events))
	}
	if e := events[0]; e.Seq != 7 || e.Type != "rl.train.step" || e.Level != "info" || e.Data["step"] != float64(1) || e.CreatedAt != "2025-03-01T10:00:00Z" {
		t.Errorf("events[0] = %+v", e)
	}
	if e := events[1]; e.Seq != 8 || e.Message != "OOM" || e.CreatedAt != "2025-03-01T10:00:00.5Z" {
		t.Errorf("events[1] = %+v", e)
	}
}

func TestVerifyTaskApp(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 200, `{"any_ok":true,"attempts":[{"status":400},{"status":200},{"error":"timeout"}]}`)
	})
	res, err := b.client().VerifyTaskApp(t.Context(), "https://task.example")
	if err != nil {
		t.Fatal(err)
	}
	if !res.AnyOK || len(res.AttemptStatuses) != 3 || res.AttemptStatuses[0] != 400 || res.AttemptStatuses[1] != 200 || res.AttemptStatuses[2] != 0 {
		t.Errorf("result = %+v", res)
	}
	if !json.Valid(res.Raw) {
		t.Error("Raw is not JSON")
	}
	if h := b.recorded()[0]; h.Path != "/api/rl/verify_task_app" || h.Body != `{"endpoint_base_url":"https://task.example"}` {
		t.Errorf("request = %s %s", h.Path, h.Body)
	}
}

// Verifying twice is harmless, so one bad answer from the backend's proxy
// must not fail verify_with_backend. The request carries no Idempotency-Key
// (the SDK sends none): it is repeated by its own retry decision.
func TestVerifyTaskAppIsRetried(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, attempt int) {
		if attempt < 3 {
			writeJSON(w, []int{http.StatusBadGateway, http.StatusServiceUnavailable}[attempt-1], `{"detail":"busy"}`)
			return
		}
		writeJSON(w, 200, `{"any_ok":true,"attempts":[{"status":200}]}`)
	})
	res, err := b.client().VerifyTaskApp(t.Context(), "https://task.example")
	if err != nil {
		t.Fatalf("VerifyTaskApp after a 502 and a 503: %v", err)
	}
	if !res.AnyOK {
		t.Errorf("AnyOK = false, want true")
	}
	hits := b.recorded()
	if len(hits) != 3 {
		t.Fatalf("attempts = %d, want 3", len(hits))
	}
	for i, h := range hits {
		if h.Body != `{"endpoint_base_url":"https://task.example"}` {
			t.Errorf("attempt %d: body = %q", i+1, h.Body)
		}
		if key := h.Header.Values("Idempotency-Key"); len(key) > 0 {
			t.Errorf("attempt %d: Idempotency-Key %q sent; the SDK sends none to verify_task_app", i+1, key)
		}
	}
}

func TestOversizedResponseIsRefused(t *testing.T) {
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.WriteHeader(200)
		chunk := []byte(strings.Repeat("x", 1<<20))
		for range 11 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	_, err := b.client().GetJob(t.Context(), "job_1")
	if err == nil || !strings.Contains(err.Error(), "larger than 10 MiB") {
		t.Fatalf("err = %v", err)
	}
}
