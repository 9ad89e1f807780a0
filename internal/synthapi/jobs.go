package synthapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// defaultEventsLimit is the page size the SDK uses for events.
const defaultEventsLimit = 200

// CreateJob submits an RL job (POST /rl/jobs); RL jobs start on their own.
// payload is encoded with encoding/json (a json.RawMessage is sent as is).
//
// idempotencyKey is sent as the Idempotency-Key header and reused by every
// retry of this call, which is what makes retrying a create safe. With an
// empty key the request is sent once and never retried, because a repeat
// could start a second job. See NewIdempotencyKey.
//
// The answer must name the job as "job_id" or "id"; one that does not is an
// error quoting the start of the body, since the job may exist all the same
// and the user needs to know what came back.
func (c *Client) CreateJob(ctx context.Context, payload any, idempotencyKey string) (*Job, error) {
	if payload == nil {
		return nil, errors.New("creating a job: the payload is nil")
	}
	resp, err := expect(c.call(ctx, http.MethodPost, "/rl/jobs", nil, payload, idempotencyKey, retryDecision(idempotencyKey != "")))
	if err != nil {
		return nil, err
	}
	job, err := DecodeJob(resp.body)
	if err != nil {
		return nil, fmt.Errorf("%s %s (HTTP %d): %w", resp.method, resp.route, resp.statusCode, err)
	}
	if job.ID == "" {
		return nil, fmt.Errorf(`%s %s (HTTP %d): the answer names no job: it has neither "job_id" nor "id": %s`,
			resp.method, resp.route, resp.statusCode, snippet(resp.body))
	}
	return job, nil
}

// GetJob fetches one job (GET /rl/jobs/{id}). Older deployments answer only
// on /learning/jobs/{id}, so a 404 is checked there before the job is
// declared gone; when both say 404 the result is an *APIError for which
// IsNotFound is true.
func (c *Client) GetJob(ctx context.Context, id string) (*Job, error) {
	if id == "" {
		return nil, errors.New("getting a job: the job id is empty")
	}
	resp, err := expect(c.call(ctx, http.MethodGet, jobPath("/rl/jobs", id, ""), nil, nil, "", mayRetry))
	var primary *APIError
	if errors.As(err, &primary) && primary.StatusCode == http.StatusNotFound {
		resp, err = expect(c.call(ctx, http.MethodGet, jobPath("/learning/jobs", id, ""), nil, nil, "", mayRetry))
		var legacy *APIError
		if errors.As(err, &legacy) && !isTransientStatus(legacy.StatusCode) {
			// Only a transient failure leaves the question open. Any other
			// answer from the legacy route (404, or a 405 from a deployment
			// that does not have it) means this backend does not know the
			// job, and the primary route's error is the one to show.
			primary.Message += fmt.Sprintf(" (GET %s: HTTP %d too)", legacy.Route, legacy.StatusCode)
			return nil, primary
		}
	}
	if err != nil {
		return nil, err
	}
	job, err := DecodeJob(resp.body)
	if err != nil {
		return nil, fmt.Errorf("%s %s (HTTP %d): %w", resp.method, resp.route, resp.statusCode, err)
	}
	if job.ID == "" {
		// Some deployments omit the id from the job object; the caller
		// asked for this one, so there is no doubt which it is.
		job.ID = id
	}
	return job, nil
}

// ListJobsParams filters and pages ListJobs. Empty fields are left out of
// the query.
type ListJobsParams struct {
	// Limit is the page size; 0 lets the backend choose, which also means
	// the end of the list cannot be inferred from a short page.
	Limit int
	// Status, Model, CreatedAfter and CreatedBefore filter the list.
	Status, Model, CreatedAfter, CreatedBefore string
	// After is the cursor returned by the previous page.
	After string
}

// ListJobs lists jobs (GET /rl/jobs). Deployments answer with either a bare
// array or {"jobs": [...]}; both are accepted. next is the cursor for the
// following page, "" at the end: the answer's "next_cursor", "next" or
// "after" field when it has one (null meaning the end), else the last job's
// id when the page is full (len(jobs) == p.Limit), else "".
func (c *Client) ListJobs(ctx context.Context, p ListJobsParams) (jobs []Job, next string, err error) {
	q := url.Values{}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	for key, value := range map[string]string{
		"status":         p.Status,
		"model":          p.Model,
		"created_after":  p.CreatedAfter,
		"created_before": p.CreatedBefore,
		"after":          p.After,
	} {
		if value != "" {
			q.Set(key, value)
		}
	}
	resp, err := expect(c.call(ctx, http.MethodGet, "/rl/jobs", q, nil, "", mayRetry))
	if err != nil {
		return nil, "", err
	}

	items, next, hasCursor, err := decodeJobList(resp.body)
	if err != nil {
		return nil, "", fmt.Errorf("%s %s (HTTP %d): %w", resp.method, resp.route, resp.statusCode, err)
	}
	jobs = make([]Job, 0, len(items))
	for i, item := range items {
		job, err := DecodeJob(item)
		if err != nil {
			return nil, "", fmt.Errorf("%s %s: job %d of the list: %w", resp.method, resp.route, i, err)
		}
		jobs = append(jobs, *job)
	}
	if !hasCursor && p.Limit > 0 && len(jobs) == p.Limit {
		next = jobs[len(jobs)-1].ID
	}
	return jobs, next, nil
}

// decodeJobList accepts both list shapes. hasCursor reports whether the
// answer spoke about paging at all, in which case its word is final.
func decodeJobList(body []byte) (items []json.RawMessage, next string, hasCursor bool, err error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &items); err != nil {
			return nil, "", false, fmt.Errorf("%v: %s", err, snippet(body))
		}
		return items, "", false, nil
	}
	fields, err := decodeObject(body)
	if err != nil {
		return nil, "", false, err
	}
	if raw, ok := fields["jobs"]; ok {
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, "", false, fmt.Errorf(`"jobs" is not a list: %s`, snippet(raw))
		}
	} else {
		return nil, "", false, fmt.Errorf(`expected a list of jobs or an object with "jobs": %s`, snippet(body))
	}
	for _, key := range []string{"next_cursor", "next", "after"} {
		if raw, ok := fields[key]; ok {
			return items, scalarString(raw), true, nil
		}
	}
	return items, "", false, nil
}

// CancelJob asks the backend to cancel a job (POST /rl/jobs/{id}/cancel).
// Cancelling twice is harmless, so the call carries a fresh Idempotency-Key
// and is retried like a GET. A job that has already finished answers 409 or
// 400; that is success here, because the job is not running either way.
func (c *Client) CancelJob(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("cancelling a job: the job id is empty")
	}
	_, err := expect(c.call(ctx, http.MethodPost, jobPath("/rl/jobs", id, "/cancel"), nil, struct{}{}, NewIdempotencyKey(), mayRetry))
	var apiErr *APIError
	if errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusConflict || apiErr.StatusCode == http.StatusBadRequest) {
		return nil
	}
	return err
}

// Event is one entry of a job's event log.
type Event struct {
	// Seq rises with every event of a job and is the paging cursor.
	Seq int64
	// Type names the event, e.g. "rl.job.completed"; see EventPhase.
	Type string
	// Message is the human-readable text.
	Message string
	// Level is "info", "warn" or "error".
	Level string
	// Data is the event's structured payload, nil when absent.
	Data map[string]any
	// CreatedAt is RFC 3339 UTC when the backend's time could be read,
	// otherwise the value as sent.
	CreatedAt string
}

// JobEvents returns up to limit events with seq greater than sinceSeq
// (GET /rl/jobs/{id}/events). limit <= 0 means the SDK's page of 200.
func (c *Client) JobEvents(ctx context.Context, id string, sinceSeq int64, limit int) ([]Event, error) {
	if id == "" {
		return nil, errors.New("listing job events: the job id is empty")
	}
	if limit <= 0 {
		limit = defaultEventsLimit
	}
	q := url.Values{
		"since_seq": {strconv.FormatInt(sinceSeq, 10)},
		"limit":     {strconv.Itoa(limit)},
	}
	resp, err := expect(c.call(ctx, http.MethodGet, jobPath("/rl/jobs", id, "/events"), q, nil, "", mayRetry))
	if err != nil {
		return nil, err
	}
	events, err := decodeEvents(resp.body)
	if err != nil {
		return nil, fmt.Errorf("%s %s (HTTP %d): %w", resp.method, resp.route, resp.statusCode, err)
	}
	return events, nil
}

// decodeFeed reads the items of a job feed answered as {key: [...]} or, for
// symmetry with the job list, as a bare array.
func decodeFeed(body []byte, key string) ([]map[string]json.RawMessage, error) {
	var items []map[string]json.RawMessage
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &items); err != nil {
			return nil, fmt.Errorf("%v: %s", err, snippet(body))
		}
		return items, nil
	}
	var page map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &page); err != nil {
		return nil, fmt.Errorf(`expected {%q: [...]}: %v: %s`, key, err, snippet(body))
	}
	if raw, ok := page[key]; ok {
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf(`expected {%q: [...]}: %v: %s`, key, err, snippet(body))
		}
	}
	return items, nil
}

// decodeEvents accepts {"events": [...]} and a bare array.
func decodeEvents(body []byte) ([]Event, error) {
	items, err := decodeFeed(body, "events")
	if err != nil {
		return nil, err
	}
	events := make([]Event, 0, len(items))
	for _, f := range items {
		ev := Event{
			Type:    firstString(f, "type"),
			Message: firstString(f, "message"),
			Level:   firstString(f, "level"),
			Data:    objectField(f["data"]),
		}
		if seq, err := strconv.ParseInt(scalarString(f["seq"]), 10, 64); err == nil {
			ev.Seq = seq
		}
		if ev.CreatedAt = timeField(f["created_at"]); ev.CreatedAt == "" {
			ev.CreatedAt = scalarString(f["created_at"])
		}
		events = append(events, ev)
	}
	return events, nil
}

// VerifyResult is the backend's own check of a task app, made with the
// environment keys it has stored for the organisation.
type VerifyResult struct {
	// AnyOK is true when at least one stored key got a good answer; the CLI
	// refuses to submit a job otherwise.
	AnyOK bool
	// AttemptStatuses are the HTTP statuses the task app gave, one per
	// stored key tried.
	AttemptStatuses []int
	// Raw is the whole answer, for diagnostics.
	Raw json.RawMessage
}

// VerifyTaskApp asks the backend to call the task app at taskURL with the
// stored environment keys (POST /rl/verify_task_app). A verification
// changes nothing, so it is retried like a GET; like the SDK, it sends no
// Idempotency-Key, which a verification has no use for.
func (c *Client) VerifyTaskApp(ctx context.Context, taskURL string) (*VerifyResult, error) {
	body := map[string]string{"endpoint_base_url": taskURL}
	resp, err := expect(c.call(ctx, http.MethodPost, "/rl/verify_task_app", nil, body, "", mayRetry))
	if err != nil {
		return nil, err
	}
	var out struct {
		AnyOK    bool `json:"any_ok"`
		Attempts []struct {
			Status json.RawMessage `json:"status"`
		} `json:"attempts"`
	}
	if err := resp.decode(&out); err != nil {
		return nil, err
	}
	result := &VerifyResult{AnyOK: out.AnyOK, Raw: json.RawMessage(bytes.Clone(resp.body))}
	for _, a := range out.Attempts {
		// A status missing from an attempt (the call never got an answer)
		// is recorded as 0 rather than dropped, so the list lines up with
		// the attempts.
		code, _ := strconv.Atoi(scalarString(a.Status))
		result.AttemptStatuses = append(result.AttemptStatuses, code)
	}
	return result, nil
}
