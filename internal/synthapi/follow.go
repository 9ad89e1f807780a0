package synthapi

import (
	"context"
	"fmt"
	"time"
)

// JobFeed is what FollowJob needs from a client; *Client implements it.
type JobFeed interface {
	JobSource
	MetricsSource
}

var _ JobFeed = (*Client)(nil)

// MetricsUpdate is the latest value of each metric a job has reported.
type MetricsUpdate struct {
	// Step is the highest step any point came from.
	Step int64
	// Latest maps each metric name to its value at the highest step it was
	// reported for.
	Latest map[string]float64
	// Epoch is the epoch of the highest step a point named one (an SFT
	// point may, §10), nil when none did.
	Epoch *float64
	// Elapsed is the time since the follow began.
	Elapsed time.Duration
}

// FollowOptions tunes FollowJob. The zero value follows a job silently.
type FollowOptions struct {
	// Wait tunes the polling, exactly as for WaitForJob; its OnPoll is
	// FollowJob's own and is ignored.
	Wait WaitOptions
	// OnEvent is called once for each new event, in seq order.
	OnEvent func(ctx context.Context, ev Event)
	// OnMetrics is called with the latest metric values at most once per
	// MetricsEvery, and once more at the end when anything new arrived.
	OnMetrics func(ctx context.Context, m MetricsUpdate)
	// MetricsEvery is the shortest pause between two OnMetrics calls;
	// zero means 30 s.
	MetricsEvery time.Duration
	// OnFeedError is called when reading events or metrics fails. Such
	// errors never end the follow: the job's status is what matters, and
	// the next poll reads on from the same cursor.
	OnFeedError func(ctx context.Context, err error)
}

const defaultMetricsEvery = 30 * time.Second

// FollowJob waits for a job as WaitForJob does, with the same adaptive
// polling, and between polls reads the job's new events and metrics from
// cursors (since_seq, after_step), so nothing is read or reported twice.
// It returns what WaitForJob returns.
func FollowJob(ctx context.Context, src JobFeed, id string, opts FollowOptions) (*Job, error) {
	every := opts.MetricsEvery
	if every <= 0 {
		every = defaultMetricsEvery
	}
	f := &follower{src: src, id: id, opts: opts, every: every, metrics: newMetricsCursor()}
	wait := opts.Wait
	wait.OnPoll = f.poll
	return WaitForJob(ctx, src, id, wait)
}

type follower struct {
	src   JobFeed
	id    string
	opts  FollowOptions
	every time.Duration

	sinceSeq  int64
	linkedSeq int64 // the cursor of the linked job's events

	metrics      *metricsCursor
	unreported   bool // points arrived since the last OnMetrics
	lastReported time.Duration
	everReported bool
}

func (f *follower) poll(ctx context.Context, job *Job, elapsed time.Duration) {
	if f.opts.OnEvent != nil {
		f.sinceSeq = f.readEvents(ctx, f.id, f.sinceSeq)
		if job.LinkedJobID != "" {
			// §12: a linked job's events are the job's as well.
			f.linkedSeq = f.readEvents(ctx, job.LinkedJobID, f.linkedSeq)
		}
	}
	if f.opts.OnMetrics == nil {
		return
	}
	terminal := job.Phase().Terminal()
	due := !f.everReported || elapsed-f.lastReported >= f.every
	if !due && !terminal {
		return
	}
	f.readMetrics(ctx)
	if f.unreported {
		latest := make(map[string]float64, len(f.metrics.latest))
		for name, m := range f.metrics.latest {
			latest[name] = m.Value
		}
		f.opts.OnMetrics(ctx, MetricsUpdate{Step: f.metrics.afterStep, Latest: latest, Epoch: f.metrics.epoch, Elapsed: elapsed})
		f.unreported, f.everReported, f.lastReported = false, true, elapsed
	}
}

// readEvents reports the events of job id after since and returns the new
// cursor.
func (f *follower) readEvents(ctx context.Context, id string, since int64) int64 {
	seq, err := scanEvents(ctx, f.src, id, since, func(ev Event) bool {
		if ev.Seq > since {
			f.opts.OnEvent(ctx, ev)
		}
		return true
	})
	f.feedError(ctx, "events", err)
	return seq
}

// readMetrics reads the points after the cursor.
func (f *follower) readMetrics(ctx context.Context) {
	fresh, _, err := f.metrics.read(ctx, f.src, f.id)
	f.unreported = f.unreported || fresh
	f.feedError(ctx, "metrics", err)
}

func (f *follower) feedError(ctx context.Context, feed string, err error) {
	if err != nil && f.opts.OnFeedError != nil && ctx.Err() == nil {
		f.opts.OnFeedError(ctx, fmt.Errorf("reading the %s of job %s: %w", feed, f.id, err))
	}
}
