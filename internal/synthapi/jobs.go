package synthapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
	return c.createJob(ctx, "/rl/jobs", kindRL, payload, idempotencyKey)
}

// createJob is CreateJob on any job family's create route.
func (c *Client) createJob(ctx context.Context, route string, kind jobKind, payload any, idempotencyKey string) (*Job, error) {
	if payload == nil {
		return nil, errors.New("creating a job: the payload is nil")
	}
	// Only a create that carries its key may be sent again: the backend
	// answers a repeat with the job the first attempt made.
	resp, err := expect(c.call(ctx, http.MethodPost, route, nil, payload, idempotencyKey, retryDecision(idempotencyKey != "")))
	if err != nil {
		return nil, err
	}
	job, err := decodeAnswer(resp, DecodeJob)
	if err != nil {
		return nil, err
	}
	if job.ID == "" {
		return nil, fmt.Errorf(`%s %s (HTTP %d): the answer names no job: it has neither "job_id" nor "id": %s`,
			resp.method, resp.route, resp.statusCode, snippet(resp.body))
	}
	job.kind = kind
	return job, nil
}

// GetJob fetches one job (GET /rl/jobs/{id}). Older deployments answer only
// on /learning/jobs/{id}, so a 404 is checked there before the job is
// declared gone; when both say 404 the result is an *APIError for which
// IsNotFound is true.
func (c *Client) GetJob(ctx context.Context, id string) (*Job, error) {
	return c.getJob(ctx, id, kindRL, "/rl/jobs", "/learning/jobs")
}

// getJob fetches a job from the first of routes, asking the others in turn
// only when the first says 404. Only a transient failure of a fallback
// leaves the question open; any other answer from one (404, or a 405 from
// a deployment that does not have it) means it does not know the job
// either, and the first route's error, annotated, is the one to show.
func (c *Client) getJob(ctx context.Context, id string, kind jobKind, routes ...string) (*Job, error) {
	if id == "" {
		return nil, errors.New("getting a job: the job id is empty")
	}
	resp, err := expect(c.call(ctx, http.MethodGet, jobPath(routes[0], id, ""), nil, nil, "", mayRetry))
	var primary *APIError
	if errors.As(err, &primary) && primary.StatusCode == http.StatusNotFound {
		for _, route := range routes[1:] {
			resp, err = expect(c.call(ctx, http.MethodGet, jobPath(route, id, ""), nil, nil, "", mayRetry))
			var other *APIError
			if !errors.As(err, &other) || isTransientStatus(other.StatusCode) {
				break
			}
			primary.Message += fmt.Sprintf(" (GET %s: HTTP %d too)", other.Route, other.StatusCode)
			err = primary
		}
	}
	if err != nil {
		return nil, err
	}
	job, err := decodeAnswer(resp, DecodeJob)
	if err != nil {
		return nil, err
	}
	if job.ID == "" {
		// Some deployments omit the id from the job object; the caller
		// asked for this one, so there is no doubt which it is.
		job.ID = id
	}
	job.kind = kind
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
	page, err := c.listJobs(ctx, "/rl/jobs", q, kindRL, "jobs")
	if err != nil {
		return nil, "", err
	}
	if !page.hasCursor && p.Limit > 0 && len(page.jobs) == p.Limit {
		page.next = page.jobs[len(page.jobs)-1].ID
	}
	return page.jobs, page.next, nil
}

// jobPage is one page of a job list as the answer gave it.
type jobPage struct {
	jobs []Job
	listPage
}

// nextAfterLast is nextAfter with the page's last job as the last item.
func (p jobPage) nextAfterLast() string {
	last := ""
	if n := len(p.jobs); n > 0 {
		last = p.jobs[n-1].ID
	}
	return p.nextAfter(last)
}

// listJobs fetches and decodes one page of a job list whose array may sit
// under any of keys.
func (c *Client) listJobs(ctx context.Context, route string, q url.Values, kind jobKind, keys ...string) (jobPage, error) {
	resp, err := expect(c.call(ctx, http.MethodGet, route, q, nil, "", mayRetry))
	if err != nil {
		return jobPage{}, err
	}
	page, err := decodeList(resp.body, "jobs", keys...)
	if err != nil {
		return jobPage{}, fmt.Errorf("%s %s (HTTP %d): %w", resp.method, resp.route, resp.statusCode, err)
	}
	out := jobPage{listPage: page, jobs: make([]Job, 0, len(page.items))}
	for i, item := range page.items {
		job, err := DecodeJob(item)
		if err != nil {
			return jobPage{}, fmt.Errorf("%s %s: job %d of the list: %w", resp.method, resp.route, i, err)
		}
		job.kind = kind
		out.jobs = append(out.jobs, *job)
	}
	return out, nil
}

// listPage is a decoded list answer: its items and what it said about
// paging.
type listPage struct {
	items []json.RawMessage
	// next is the answer's "next_cursor", "next" or "after"; hasCursor
	// reports whether it had one of those keys at all (null meaning the
	// end), in which case its word is final.
	next      string
	hasCursor bool
	// hasMore is the answer's "has_more", nil when absent.
	hasMore *bool
}

// decodeList accepts a bare array or an object holding the array under the
// first present of keys; what names the items in error messages.
func decodeList(body []byte, what string, keys ...string) (listPage, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var page listPage
		if err := json.Unmarshal(trimmed, &page.items); err != nil {
			return listPage{}, fmt.Errorf("%v: %s", err, snippet(body))
		}
		return page, nil
	}
	fields, err := decodeObject(body)
	if err != nil {
		return listPage{}, err
	}
	var page listPage
	found := false
	for _, key := range keys {
		if raw, ok := fields[key]; ok {
			if err := json.Unmarshal(raw, &page.items); err != nil {
				return listPage{}, fmt.Errorf(`%q is not a list: %s`, key, snippet(raw))
			}
			found = true
			break
		}
	}
	if !found {
		return listPage{}, fmt.Errorf(`expected a list of %s or an object with %s: %s`, what, quoteKeys(keys), snippet(body))
	}
	for _, key := range []string{"next_cursor", "next", "after"} {
		if raw, ok := fields[key]; ok {
			page.next, page.hasCursor = scalarString(raw), true
			break
		}
	}
	var more bool
	if raw, ok := fields["has_more"]; ok && json.Unmarshal(raw, &more) == nil {
		page.hasMore = &more
	}
	return page, nil
}

func quoteKeys(keys []string) string {
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = strconv.Quote(k)
	}
	return strings.Join(quoted, ", ")
}

// nextAfter is the cursor of the page after one of §10's lists: the
// answer's own cursor when it gave one, none when it said has_more false,
// else the last item's id; an empty page ends the listing.
func (p listPage) nextAfter(lastID string) string {
	switch {
	case p.hasCursor:
		return p.next
	case p.hasMore != nil && !*p.hasMore, len(p.items) == 0:
		return ""
	}
	return lastID
}

// CancelJob asks the backend to cancel a job (POST /rl/jobs/{id}/cancel).
// Cancelling twice is harmless, so the call carries a fresh Idempotency-Key
// and is retried like a GET. A job that has already finished answers 409 or
// 400; that is success here, because the job is not running either way.
func (c *Client) CancelJob(ctx context.Context, id string) error {
	return c.cancelJob(ctx, "/rl/jobs", id, http.StatusConflict, http.StatusBadRequest)
}

// cancelJob posts a cancel to route/{id}/cancel; the statuses in done count
// as success.
func (c *Client) cancelJob(ctx context.Context, route, id string, done ...int) error {
	if id == "" {
		return errors.New("cancelling a job: the job id is empty")
	}
	_, err := expect(c.call(ctx, http.MethodPost, jobPath(route, id, "/cancel"), nil, struct{}{}, NewIdempotencyKey(), mayRetry))
	var apiErr *APIError
	if errors.As(err, &apiErr) && slices.Contains(done, apiErr.StatusCode) {
		return nil
	}
	return err
}

// Event is one entry of a job's event log.
type Event struct {
	// Seq rises with every event of a job and is the paging cursor.
	Seq int64
	// Type names the event, e.g. "rl.job.completed"; see EventPhase and
	// SFTEventPhase.
	Type string
	// Message is the human-readable text.
	Message string
	// Level is "info", "warn" or "error".
	Level string
	// Data is the event's structured payload, nil when absent.
	Data map[string]any
	// JobID and RunID are the optional ids an SFT event carries.
	JobID, RunID string
	// CreatedAt is RFC 3339 UTC when the backend's time could be read,
	// otherwise the value as sent.
	CreatedAt string
}

// JobEvents returns up to limit events with seq greater than sinceSeq
// (GET /rl/jobs/{id}/events). limit <= 0 means the SDK's page of 200.
func (c *Client) JobEvents(ctx context.Context, id string, sinceSeq int64, limit int) ([]Event, error) {
	return c.jobEvents(ctx, "/rl/jobs", id, sinceSeq, limit)
}

func (c *Client) jobEvents(ctx context.Context, route, id string, sinceSeq int64, limit int) ([]Event, error) {
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
	resp, err := expect(c.call(ctx, http.MethodGet, jobPath(route, id, "/events"), q, nil, "", mayRetry))
	if err != nil {
		return nil, err
	}
	events, err := decodeEvents(resp.body)
	if err != nil {
		return nil, fmt.Errorf("%s %s (HTTP %d): %w", resp.method, resp.route, resp.statusCode, err)
	}
	return events, nil
}

// decodeFeed reads the items of a job feed answered as {key: [...]} under
// the first present of keys or, for symmetry with the job list, as a bare
// array. page holds the answer's other fields, nil for an array.
func decodeFeed(body []byte, keys ...string) (items []map[string]json.RawMessage, page map[string]json.RawMessage, err error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &items); err != nil {
			return nil, nil, fmt.Errorf("%v: %s", err, snippet(body))
		}
		return items, nil, nil
	}
	if err := json.Unmarshal(trimmed, &page); err != nil {
		return nil, nil, fmt.Errorf(`expected {%q: [...]}: %v: %s`, keys[0], err, snippet(body))
	}
	for _, key := range keys {
		if raw, ok := page[key]; ok {
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, nil, fmt.Errorf(`expected {%q: [...]}: %v: %s`, key, err, snippet(body))
			}
			break
		}
	}
	return items, page, nil
}

// decodeEvents accepts {"events": [...]}, {"data": [...]} (§10) and a bare
// array. A "next_seq" is the cursor of events that carry no seq of their
// own: it becomes the last event's seq, so that a reader moves on.
func decodeEvents(body []byte) ([]Event, error) {
	items, page, err := decodeFeed(body, "events", "data")
	if err != nil {
		return nil, err
	}
	events := make([]Event, 0, len(items))
	anySeq := false
	for _, f := range items {
		ev := Event{
			Type:    firstString(f, "type"),
			Message: firstString(f, "message"),
			Level:   firstString(f, "level"),
			Data:    objectField(f["data"]),
			JobID:   firstString(f, "job_id"),
			RunID:   firstString(f, "run_id"),
		}
		if seq, err := strconv.ParseInt(scalarString(f["seq"]), 10, 64); err == nil {
			ev.Seq, anySeq = seq, true
		}
		for _, key := range []string{"created_at", "timestamp", "ts"} {
			if ev.CreatedAt = timeOrAsSent(f[key]); ev.CreatedAt != "" {
				break
			}
		}
		events = append(events, ev)
	}
	if next, err := strconv.ParseInt(scalarString(page["next_seq"]), 10, 64); err == nil && !anySeq && len(events) > 0 {
		events[len(events)-1].Seq = next
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
