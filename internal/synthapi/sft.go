package synthapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// sftRoute is where SFT jobs are created and read (§10). The two other SFT
// families are read only, as a fallback for jobs other tools made.
const sftRoute = "/learning/jobs"

var sftFallbackRoutes = []string{"/sft/jobs", "/fine_tuning/jobs"}

// SFTJobs is the SFT (FFT, LoRA, QLoRA) job family of contract §§10–12 on
// the client's backend. It implements JobSource and JobFeed, so WaitForJob
// and FollowJob wait for SFT jobs exactly as for RL ones; the jobs it
// returns interpret their status and events by §12 (see Job.Phase).
type SFTJobs struct{ c *Client }

// SFT returns the client's SFT job routes.
func (c *Client) SFT() SFTJobs { return SFTJobs{c: c} }

var _ JobFeed = SFTJobs{}

// CreateJob submits an SFT job (POST /learning/jobs) with payload §11.1,
// which must not carry job_type. The Idempotency-Key rules are CreateJob's:
// with a key, a lost answer is retried into the same job; without one the
// request is sent once. The answer names the job as "job_id" or "id". The
// job usually stays "created" until StartJob.
func (s SFTJobs) CreateJob(ctx context.Context, payload any, idempotencyKey string) (*Job, error) {
	return s.c.createJob(ctx, sftRoute, kindSFT, payload, idempotencyKey)
}

// StartOutcome says what StartJob found.
type StartOutcome int

const (
	// StartSent: the start call was accepted.
	StartSent StartOutcome = iota
	// StartNotNeeded: this deployment has no start route and starts jobs
	// on create.
	StartNotNeeded
	// StartAlreadyStarted: the backend refused the start (409/400) because
	// the job had already left "created".
	StartAlreadyStarted
)

// StartOptions tunes StartJob. The zero value is ready to use.
type StartOptions struct {
	// Clock is the time source of the pauses; nil means SystemClock.
	Clock Clock
	// Interval is the pause before asking again while neither the start
	// route nor the job route knows the job; zero means 2 s.
	Interval time.Duration
	// Timeout bounds how long such a job may stay invisible; zero means
	// 2 minutes, §10's "first minutes after create".
	Timeout time.Duration
}

const (
	defaultStartInterval = 2 * time.Second
	defaultStartTimeout  = 2 * time.Minute
)

// StartJob starts a created SFT job (POST /learning/jobs/{id}/start, body
// {}) by the rules of §10:
//   - any 2xx: started;
//   - 404 or 405 while GET /learning/jobs/{id} answers 200: the deployment
//     needs no start call;
//   - 404 on both: the job is not visible yet; ask again every Interval
//     until Timeout;
//   - 409 or 400: re-read the job; one that has left "created" is
//     running, one still "created" is an error quoting the refusal.
//
// Starting twice is harmless, so the call carries a fresh Idempotency-Key
// and is retried on transient failures like a GET.
func (s SFTJobs) StartJob(ctx context.Context, id string, opts StartOptions) (StartOutcome, error) {
	if id == "" {
		return 0, errors.New("starting a job: the job id is empty")
	}
	clock := clockOr(opts.Clock)
	interval := cmp0(opts.Interval, defaultStartInterval)
	deadline := clock.Now().Add(cmp0(opts.Timeout, defaultStartTimeout))
	for {
		// A repeated start finds the job started and answers 409, which
		// the loop below reads as started.
		_, err := expect(s.c.call(ctx, http.MethodPost, jobPath(sftRoute, id, "/start"), nil, struct{}{}, NewIdempotencyKey(), mayRetry))
		var refusal *APIError
		if !errors.As(err, &refusal) {
			return StartSent, err // nil, or a request that got no answer
		}
		switch refusal.StatusCode {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			_, getErr := expect(s.c.call(ctx, http.MethodGet, jobPath(sftRoute, id, ""), nil, nil, "", mayRetry))
			switch {
			case getErr == nil:
				return StartNotNeeded, nil
			case !IsNotFound(getErr):
				return 0, fmt.Errorf("%w (and reading the job: %w)", refusal, getErr)
			case !clock.Now().Before(deadline):
				return 0, fmt.Errorf("job %s is still not visible: %w", id, refusal)
			}
			select {
			case <-ctx.Done():
				return 0, fmt.Errorf("starting job %s: %w", id, ctx.Err())
			case <-clock.After(interval):
			}
		case http.StatusConflict, http.StatusBadRequest:
			job, getErr := s.GetJob(ctx, id)
			if getErr != nil {
				return 0, fmt.Errorf("%w (and reading the job: %w)", refusal, getErr)
			}
			if job.Status == "created" {
				return 0, fmt.Errorf("job %s is still %q: %w", id, job.Status, refusal)
			}
			return StartAlreadyStarted, nil
		default:
			return 0, refusal
		}
	}
}

func cmp0(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// GetJob fetches one SFT job (GET /learning/jobs/{id}). On a 404 it asks
// /sft/jobs/{id} and then /fine_tuning/jobs/{id}, where jobs made by other
// tools live, before declaring the job gone (IsNotFound true). Right after
// a create a 404 may only mean "not visible yet": WaitOptions.NotFoundGrace
// is the wait's answer to that.
func (s SFTJobs) GetJob(ctx context.Context, id string) (*Job, error) {
	return s.c.getJob(ctx, id, kindSFT, append([]string{sftRoute}, sftFallbackRoutes...)...)
}

// ListSFTJobsParams filters and pages SFTJobs.ListJobs; empty fields are
// left out of the query.
type ListSFTJobsParams struct {
	// Status matches one status exactly (§10); ask once per status, or
	// filter by phase on the client.
	Status string
	// CreatedAfter is a time as the backend takes it (RFC 3339).
	CreatedAfter string
	// Limit is the page size; 0 means 20, the SDK's.
	Limit int
	// After is the cursor returned with the previous page.
	After string
}

// ListJobs lists SFT jobs (GET /learning/jobs?type=sft_offline). The answer
// may be a bare array or hold it under "jobs", "data" or "results". next is
// the cursor for the following page, "" at the end: the answer's
// next_cursor when it has one, "" when it says has_more false or the page
// is empty, else the page's last id (§10: after is the id of the last job).
func (s SFTJobs) ListJobs(ctx context.Context, p ListSFTJobsParams) (jobs []Job, next string, err error) {
	q := url.Values{"type": {"sft_offline"}, "limit": {strconv.Itoa(limitOr20(p.Limit))}}
	setIf(q, "status", p.Status)
	setIf(q, "created_after", p.CreatedAfter)
	setIf(q, "after", p.After)
	page, err := s.c.listJobs(ctx, sftRoute, q, kindSFT, "jobs", "data", "results")
	if err != nil {
		return nil, "", err
	}
	return page.jobs, page.nextAfterLast(), nil
}

func limitOr20(n int) int {
	if n <= 0 {
		return 20
	}
	return n
}

func setIf(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}

// CancelJob cancels an SFT job (POST /learning/jobs/{id}/cancel). 409 and
// 400 (already terminal) and 404 (gone) count as done: either way the job
// is not running.
func (s SFTJobs) CancelJob(ctx context.Context, id string) error {
	return s.c.cancelJob(ctx, sftRoute, id, http.StatusConflict, http.StatusBadRequest, http.StatusNotFound)
}

// JobEvents returns up to limit events with seq greater than sinceSeq
// (GET /learning/jobs/{id}/events), from {"events": [...]} or
// {"data": [...]}. limit <= 0 means 200.
func (s SFTJobs) JobEvents(ctx context.Context, id string, sinceSeq int64, limit int) ([]Event, error) {
	return s.c.jobEvents(ctx, sftRoute, id, sinceSeq, limit)
}

// JobMetrics returns up to limit points with a step greater than afterStep
// (GET /learning/jobs/{id}/metrics): train.loss, val.loss and others, with
// their epoch and phase when sent. limit <= 0 means 200.
func (s SFTJobs) JobMetrics(ctx context.Context, id string, afterStep int64, limit int) ([]MetricPoint, error) {
	return s.c.jobMetrics(ctx, sftRoute, id, afterStep, limit)
}

// FineTunedModel is one entry of GET /learning/models.
type FineTunedModel struct {
	ID, BaseModel, JobID, Status string
	// CreatedAt is RFC 3339 UTC when readable, else as sent.
	CreatedAt string
}

// Models lists the organisation's fine-tuned models (GET /learning/models),
// answered under "data" or "models" (or as a bare array).
func (s SFTJobs) Models(ctx context.Context) ([]FineTunedModel, error) {
	resp, err := expect(s.c.call(ctx, http.MethodGet, "/learning/models", nil, nil, "", mayRetry))
	if err != nil {
		return nil, err
	}
	items, _, err := decodeFeed(resp.body, "data", "models")
	if err != nil {
		return nil, fmt.Errorf("%s %s (HTTP %d): %w", resp.method, resp.route, resp.statusCode, err)
	}
	models := make([]FineTunedModel, 0, len(items))
	for _, f := range items {
		m := FineTunedModel{
			ID:        firstString(f, "id"),
			BaseModel: firstString(f, "base_model"),
			JobID:     firstString(f, "job_id"),
			Status:    firstString(f, "status"),
			CreatedAt: timeOrAsSent(f["created_at"]),
		}
		models = append(models, m)
	}
	return models, nil
}
