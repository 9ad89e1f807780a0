package synthapi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
)

// Clock is the time source of WaitForJob, so that tests can run hours of
// polling in microseconds.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock.
var SystemClock Clock = systemClock{}

// clockOr is c, or SystemClock when an options struct left it nil.
func clockOr(c Clock) Clock {
	if c == nil {
		return SystemClock
	}
	return c
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// JobSource is what WaitForJob needs from a client; *Client implements it.
type JobSource interface {
	GetJob(ctx context.Context, id string) (*Job, error)
	JobEvents(ctx context.Context, id string, sinceSeq int64, limit int) ([]Event, error)
}

var _ JobSource = (*Client)(nil)

// WaitOptions tunes WaitForJob. The zero value is ready to use.
type WaitOptions struct {
	// Clock is the time source; nil means SystemClock.
	Clock Clock
	// MaxConsecutiveErrors is how many transient polling errors in a row
	// end the wait; the count starts afresh after each successful poll.
	// Zero or less means the default, 5.
	MaxConsecutiveErrors int
	// OnStatusChange is called with each status change, including the
	// first status seen, e.g. to log progress.
	OnStatusChange func(ctx context.Context, job *Job)
	// OnPoll is called after each successful poll, the last one included,
	// with the time elapsed since the wait began, e.g. to follow the job's
	// events between polls.
	OnPoll func(ctx context.Context, job *Job, elapsed time.Duration)
	// OnTransientError is called with each polling error that does not end
	// the wait, and consecutive, the number of such errors in a row. A
	// failed event check (the lagging-status fallback) is reported with
	// consecutive 0: it does not count towards MaxConsecutiveErrors.
	OnTransientError func(ctx context.Context, err error, consecutive int)
	// NotFoundGrace is how long after the wait starts a 404 means "not
	// visible yet" rather than "gone": such polls are reported to
	// OnTransientError with consecutive 0 and do not count towards
	// MaxConsecutiveErrors. SFT jobs need it (§10: a 404 within the first
	// minutes after create is transient); zero means none, as for RL.
	NotFoundGrace time.Duration
}

// ErrJobPaused ends a wait on a job whose status is "paused" (§12): it is
// not finished, but waiting longer would not finish it either.
var ErrJobPaused = errors.New("the job is paused: it has not finished")

const (
	defaultMaxConsecutiveErrors = 5
	minPollInterval             = time.Second
	maxPollInterval             = 30 * time.Second

	// statusLagCheck is how long a status may stay unchanged before the
	// event log is consulted (and then how often), for deployments whose
	// status lags behind the terminal event.
	statusLagCheck = 10 * time.Minute

	// maxEventPages bounds one scan of the event log, in case a backend
	// ignores since_seq and serves the same page forever.
	maxEventPages = 100
)

// PollInterval is the pause after a poll made elapsed after the wait
// started: the square root of elapsed seconds, in seconds, clamped to
// [1s, 30s]. Short jobs are noticed soon after they end and long ones are
// not polled needlessly: a 10 s job is seen finished within about 2 s, a
// 2 min job costs at most 24 requests with under 15 s of delay, 20 min at
// most 80, 2 h at most 288, and the delay never exceeds 30 s.
func PollInterval(elapsed time.Duration) time.Duration {
	if elapsed <= 0 {
		return minPollInterval
	}
	d := time.Duration(math.Sqrt(elapsed.Seconds()) * float64(time.Second))
	return min(max(d, minPollInterval), maxPollInterval)
}

// WaitForJob polls src.GetJob until the job reaches a terminal phase and
// returns it.
//
// It stops early when ctx ends (returning ctx.Err() wrapped), when a poll
// fails persistently (a 4xx other than 408 and 429, e.g. 404: waiting will
// not make the job appear), or after MaxConsecutiveErrors transient
// failures in a row. Whatever the reason, the job returned is the last one
// seen, non-nil whenever at least one poll succeeded, so that the caller
// can record how far the job got.
//
// Some deployments update a job's status well after its terminal event.
// When the status has not changed for ten minutes, the event log is read
// (at most once per ten minutes, from the last seq seen) and a terminal
// event (see EventPhase) ends the wait: the job is then returned with
// Status set to that phase ("succeeded" or "failed") and, for a failure
// with no ErrorMessage, the event's message.
func WaitForJob(ctx context.Context, src JobSource, id string, opts WaitOptions) (*Job, error) {
	clock := clockOr(opts.Clock)
	maxErrors := opts.MaxConsecutiveErrors
	if maxErrors <= 0 {
		maxErrors = defaultMaxConsecutiveErrors
	}

	var (
		start       = clock.Now()
		last        *Job
		statusSince time.Time // when last.Status was first seen
		eventsRead  time.Time // when the event log was last read; zero: never
		sinceSeq    int64
		linkedSeq   int64 // the cursor of the linked job's events
		consecutive int
	)
	stopped := func(err error) error {
		if last != nil {
			return fmt.Errorf("waiting for job %s (last status %q): %w", id, last.Status, err)
		}
		return fmt.Errorf("waiting for job %s: %w", id, err)
	}

	for {
		if err := ctx.Err(); err != nil {
			return last, stopped(err)
		}
		job, err := src.GetJob(ctx, id)
		now := clock.Now()
		switch {
		case err == nil && job == nil:
			return last, stopped(errors.New("the job source returned no job and no error"))
		case err != nil:
			if ctxErr := ctx.Err(); ctxErr != nil {
				return last, stopped(ctxErr)
			}
			if IsNotFound(err) && now.Sub(start) < opts.NotFoundGrace {
				if opts.OnTransientError != nil {
					opts.OnTransientError(ctx, err, 0)
				}
				break
			}
			if isPersistent(err) {
				return last, stopped(err)
			}
			consecutive++
			if consecutive >= maxErrors {
				return last, stopped(fmt.Errorf("giving up after %d failed polls in a row: %w", consecutive, err))
			}
			if opts.OnTransientError != nil {
				opts.OnTransientError(ctx, err, consecutive)
			}
		default:
			consecutive = 0
			if last == nil || job.Status != last.Status {
				statusSince = now
				if opts.OnStatusChange != nil {
					opts.OnStatusChange(ctx, job)
				}
			}
			last = job
			if opts.OnPoll != nil {
				opts.OnPoll(ctx, job, now.Sub(start))
			}
			if job.Phase().Terminal() {
				return job, nil
			}
			if job.Phase() == PhasePaused {
				return job, stopped(ErrJobPaused)
			}
			if now.Sub(statusSince) >= statusLagCheck && (eventsRead.IsZero() || now.Sub(eventsRead) >= statusLagCheck) {
				eventsRead = now
				var ev *Event
				sinceSeq, ev, err = terminalEvent(ctx, src, id, job, sinceSeq)
				if ev == nil && err == nil && job.LinkedJobID != "" {
					// §12: a linked job's events are the job's as well.
					linkedSeq, ev, err = terminalEvent(ctx, src, job.LinkedJobID, job, linkedSeq)
				}
				switch {
				case ev != nil:
					done := finishedByEvent(job, ev)
					if opts.OnStatusChange != nil {
						opts.OnStatusChange(ctx, done)
					}
					return done, nil
				case err != nil && ctx.Err() != nil:
					return last, stopped(ctx.Err())
				case err != nil && opts.OnTransientError != nil:
					opts.OnTransientError(ctx, fmt.Errorf("reading the events of job %s: %w", id, err), 0)
				}
			}
		}

		select {
		case <-ctx.Done():
			return last, stopped(ctx.Err())
		case <-clock.After(PollInterval(now.Sub(start))):
		}
	}
}

// isPersistent reports whether a polling error will recur however long one
// waits: a 4xx answer other than 408 and 429. Everything else, including
// an unreadable body, may be a passing proxy or deploy hiccup and counts
// towards MaxConsecutiveErrors instead.
func isPersistent(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	code := apiErr.StatusCode
	return code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests
}

// terminalEvent reads the event log of job after sinceSeq and returns the
// first terminal event by the rule of the job's family, if any, and the
// highest seq read.
func terminalEvent(ctx context.Context, src JobSource, id string, job *Job, sinceSeq int64) (int64, *Event, error) {
	var found *Event
	seq, err := scanEvents(ctx, src, id, sinceSeq, func(ev Event) bool {
		if _, ok := job.eventPhase(ev); ok {
			found = &ev
			return false
		}
		return true
	})
	return seq, found, err
}

// finishedByEvent is job as its terminal event describes it.
func finishedByEvent(job *Job, ev *Event) *Job {
	phase, _ := job.eventPhase(*ev)
	done := *job
	done.Status = phase.String()
	if phase == PhaseFailed && done.ErrorMessage == "" {
		done.ErrorMessage = ev.Message
	}
	return &done
}

// scanEvents pages through the event log after sinceSeq, calling fn for each
// event until it returns false, and returns the highest seq seen.
func scanEvents(ctx context.Context, src JobSource, id string, sinceSeq int64, fn func(Event) bool) (int64, error) {
	for range maxEventPages {
		events, err := src.JobEvents(ctx, id, sinceSeq, defaultEventsLimit)
		if err != nil {
			return sinceSeq, err
		}
		advanced := false
		for _, ev := range events {
			if ev.Seq > sinceSeq {
				sinceSeq, advanced = ev.Seq, true
			}
			if !fn(ev) {
				return sinceSeq, nil
			}
		}
		// A short page is the end of the log; a page that did not move the
		// cursor would be served again forever.
		if len(events) < defaultEventsLimit || !advanced {
			break
		}
	}
	return sinceSeq, nil
}

// LastErrorEvents returns the n most recent events whose level is "error",
// oldest first, to explain why a job failed. When reading the log fails
// part way, the events found so far are returned with the error.
func LastErrorEvents(ctx context.Context, src JobSource, id string, n int) ([]Event, error) {
	if n <= 0 {
		return nil, nil
	}
	var found []Event
	_, err := scanEvents(ctx, src, id, 0, func(ev Event) bool {
		if strings.EqualFold(ev.Level, "error") {
			found = append(found, ev)
			if len(found) > n {
				found = append(found[:0], found[1:]...)
			}
		}
		return true
	})
	return found, err
}
