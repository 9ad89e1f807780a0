package synthapi

import (
	"context"
	"fmt"
	"time"
)

// ResolveOptions tunes ResolveFineTunedModel. The zero value is §12's.
type ResolveOptions struct {
	// Clock is the time source of the re-reads; nil means SystemClock.
	Clock Clock
	// Interval is the pause between re-reads of a job whose
	// fine_tuned_model is still empty; zero means 5 s.
	Interval time.Duration
	// Timeout bounds the re-reads; zero means 2 minutes.
	Timeout time.Duration
	// OnReread is called before each re-read, e.g. to log the wait.
	OnReread func(ctx context.Context, elapsed time.Duration)
}

const (
	defaultResolveInterval = 5 * time.Second
	defaultResolveTimeout  = 2 * time.Minute
)

// ResolveFineTunedModel returns the trained model id of a succeeded SFT job,
// the first non-empty string among (§12):
//  1. the job's fine_tuned_model, re-reading the job every Interval for up
//     to Timeout while it is empty, since it may arrive after the status;
//  2. an event's data.fine_tuned_model (the latest one);
//  3. result.fine_tuned_model, results.fine_tuned_model, result.model_id,
//     result.output_model_id, results.model_id;
//  4. the id of the GET /learning/models entry whose job_id is the job's.
//
// The job's top-level model_id/model is the base, never the answer. The id
// is returned verbatim. A job that is not succeeded, or that succeeded
// without any of the four, is an error; so is a re-read that fails for
// good. Failures of the fallback reads (events, models) are only reported
// when nothing was found.
func (s SFTJobs) ResolveFineTunedModel(ctx context.Context, job *Job, opts ResolveOptions) (string, error) {
	if job == nil || job.ID == "" {
		return "", fmt.Errorf("resolving a trained model: no job")
	}
	if p := SFTPhaseOf(job.Status); p != PhaseSucceeded {
		return "", fmt.Errorf("job %s is %s (%q), not succeeded: it has no trained model", job.ID, p, job.Status)
	}
	clock := clockOr(opts.Clock)
	interval := cmp0(opts.Interval, defaultResolveInterval)
	timeout := cmp0(opts.Timeout, defaultResolveTimeout)

	start := clock.Now()
	for job.FineTunedModel == "" {
		elapsed := clock.Now().Sub(start)
		if elapsed >= timeout {
			break
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for the trained model of job %s: %w", job.ID, ctx.Err())
		case <-clock.After(interval):
		}
		if opts.OnReread != nil {
			opts.OnReread(ctx, clock.Now().Sub(start))
		}
		again, err := s.GetJob(ctx, job.ID)
		switch {
		case err == nil:
			job = again
		case ctx.Err() != nil:
			return "", fmt.Errorf("waiting for the trained model of job %s: %w", job.ID, ctx.Err())
		case isPersistent(err):
			return "", fmt.Errorf("re-reading job %s for its trained model: %w", job.ID, err)
		}
	}
	if job.FineTunedModel != "" {
		return job.FineTunedModel, nil
	}

	var lookupErrs []error
	fromEvent := ""
	if _, err := scanEvents(ctx, s, job.ID, 0, func(ev Event) bool {
		if id, ok := ev.Data["fine_tuned_model"].(string); ok && id != "" {
			fromEvent = id
		}
		return true
	}); err != nil {
		lookupErrs = append(lookupErrs, fmt.Errorf("reading its events: %w", err))
	}
	if fromEvent != "" {
		return fromEvent, nil
	}

	for _, candidate := range []struct {
		obj map[string]any
		key string
	}{
		{job.Result, "fine_tuned_model"}, {job.Results, "fine_tuned_model"},
		{job.Result, "model_id"}, {job.Result, "output_model_id"}, {job.Results, "model_id"},
	} {
		if id, ok := candidate.obj[candidate.key].(string); ok && id != "" {
			return id, nil
		}
	}

	models, err := s.Models(ctx)
	if err != nil {
		lookupErrs = append(lookupErrs, fmt.Errorf("listing models: %w", err))
	}
	for _, m := range models {
		if m.JobID == job.ID && m.ID != "" {
			return m.ID, nil
		}
	}

	msg := fmt.Sprintf("job %s succeeded but reported no fine_tuned_model (waited %s for it)", job.ID, timeout)
	for _, e := range lookupErrs {
		msg += "; " + e.Error()
	}
	return "", fmt.Errorf("%s", msg)
}
