package synthapi

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// trainingFeed is a job that trains one step per poll: after poll n it has
// logged events 1..n and metric points for steps 1..n, and after steps polls
// it has succeeded.
type trainingFeed struct {
	mu          sync.Mutex
	steps       int
	polls       int
	eventSince  []int64
	metricAfter []int64
	failFeeds   bool // every events and metrics call fails
	// stepsPerEpoch, when set, gives the loss points an epoch, as SFT
	// points carry one.
	stepsPerEpoch int
}

func (f *trainingFeed) GetJob(_ context.Context, id string) (*Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.polls++
	if f.polls >= f.steps {
		return &Job{ID: id, Status: "succeeded"}, nil
	}
	return &Job{ID: id, Status: "running"}, nil
}

func (f *trainingFeed) progress() int {
	return min(f.polls, f.steps)
}

func (f *trainingFeed) JobEvents(_ context.Context, _ string, sinceSeq int64, limit int) ([]Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.eventSince = append(f.eventSince, sinceSeq)
	if f.failFeeds {
		return nil, errFlaky
	}
	var out []Event
	for seq := sinceSeq + 1; seq <= int64(f.progress()) && len(out) < limit; seq++ {
		out = append(out, Event{Seq: seq, Type: "rl.train.progress"})
	}
	return out, nil
}

func (f *trainingFeed) JobMetrics(_ context.Context, _ string, afterStep int64, limit int) ([]MetricPoint, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.metricAfter = append(f.metricAfter, afterStep)
	if f.failFeeds {
		return nil, errFlaky
	}
	var out []MetricPoint
	for step := afterStep + 1; step <= int64(f.progress()) && len(out) < limit; step++ {
		loss := MetricPoint{Name: "loss", Step: step, Value: 1 / float64(step)}
		if f.stepsPerEpoch > 0 {
			epoch := float64(step) / float64(f.stepsPerEpoch)
			loss.Epoch = &epoch
		}
		out = append(out, MetricPoint{Name: "mean_return", Step: step, Value: float64(step) / 100}, loss)
	}
	return out, nil
}

func TestFollowJobReportsEachEventOnceAndMetricsAtMostEvery30s(t *testing.T) {
	feed := &trainingFeed{steps: 60}
	clock := newFakeClock()
	var (
		seqs    []int64
		updates []MetricsUpdate
	)
	job, err := FollowJob(context.Background(), feed, "job_1", FollowOptions{
		Wait:      WaitOptions{Clock: clock},
		OnEvent:   func(_ context.Context, ev Event) { seqs = append(seqs, ev.Seq) },
		OnMetrics: func(_ context.Context, m MetricsUpdate) { updates = append(updates, m) },
	})
	if err != nil || job.Status != "succeeded" {
		t.Fatalf("FollowJob = %v, %v", job, err)
	}

	want := make([]int64, 60)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if !slices.Equal(seqs, want) {
		t.Errorf("events reported %v, want each of 1..60 once, in order", seqs)
	}
	// One read per poll from the follower's cursor; WaitForJob's own check
	// for a lagging status (after ten unchanged minutes) reads the log once
	// more from its own cursor.
	rewinds := 0
	for i := 1; i < len(feed.eventSince); i++ {
		if feed.eventSince[i] < feed.eventSince[i-1] {
			rewinds++
		}
	}
	if rewinds > 1 || len(feed.eventSince) > feed.polls+1 {
		t.Errorf("events read %d times for %d polls, from %v", len(feed.eventSince), feed.polls, feed.eventSince)
	}

	if len(updates) < 3 {
		t.Fatalf("%d metric updates over %d polls, want several", len(updates), feed.polls)
	}
	for i := 1; i < len(updates)-1; i++ {
		if gap := updates[i].Elapsed - updates[i-1].Elapsed; gap < 30*time.Second {
			t.Errorf("metric updates %d and %d are %s apart, want at least 30s", i-1, i, gap)
		}
	}
	last := updates[len(updates)-1]
	if last.Step != 60 || last.Latest["mean_return"] != 0.6 || last.Latest["loss"] != 1.0/60 {
		t.Errorf("the final update is %+v, want the values of step 60", last)
	}
	if last.Epoch != nil {
		t.Errorf("the final update has epoch %v from points that carry none", *last.Epoch)
	}
	for i := 1; i < len(feed.metricAfter); i++ {
		if feed.metricAfter[i] < feed.metricAfter[i-1] {
			t.Errorf("the metrics cursor went back: %v", feed.metricAfter)
		}
	}
	// Metrics are read only when an update is due, not on every poll.
	if len(feed.metricAfter) >= feed.polls {
		t.Errorf("%d metrics reads for %d polls", len(feed.metricAfter), feed.polls)
	}
}

func TestFollowJobRidesOutFeedErrors(t *testing.T) {
	feed := &trainingFeed{steps: 5, failFeeds: true}
	var feedErrors int
	job, err := FollowJob(context.Background(), feed, "job_1", FollowOptions{
		Wait:      WaitOptions{Clock: newFakeClock()},
		OnEvent:   func(context.Context, Event) { t.Error("an event from a failing feed") },
		OnMetrics: func(context.Context, MetricsUpdate) { t.Error("metrics from a failing feed") },
		OnFeedError: func(_ context.Context, err error) {
			if !errors.Is(err, errFlaky) {
				t.Errorf("feed error %v does not wrap the request's error", err)
			}
			feedErrors++
		},
	})
	if err != nil || job.Status != "succeeded" {
		t.Fatalf("FollowJob = %v, %v; a failing event or metrics feed must not end the follow", job, err)
	}
	if feedErrors == 0 {
		t.Error("the feed errors were not reported")
	}
}

func TestJobMetricsAcceptsBothShapes(t *testing.T) {
	for name, body := range map[string]string{
		"object": `{"points": [{"name": "mean_return", "step": 3, "value": 0.25, "created_at": 1740823200}, {"name": "x", "value": "n/a"}]}`,
		"array":  `[{"name": "mean_return", "step": 3, "value": 0.25, "created_at": 1740823200}]`,
	} {
		t.Run(name, func(t *testing.T) {
			b := newBackend(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				_, _ = w.Write([]byte(body))
			})
			points, err := b.client().JobMetrics(t.Context(), "job_1", 2, 0)
			if err != nil {
				t.Fatal(err)
			}
			if h := b.recorded()[0]; h.Path != "/api/rl/jobs/job_1/metrics" || h.RawQuery != "after_step=2&limit=200" {
				t.Errorf("request %s?%s", h.Path, h.RawQuery)
			}
			want := []MetricPoint{{Name: "mean_return", Step: 3, Value: 0.25, CreatedAt: "2025-03-01T10:00:00Z"}}
			if !slices.Equal(points, want) {
				t.Errorf("points = %+v, want %+v", points, want)
			}
		})
	}
}

// An SFT job's points carry their epoch: each update names the epoch of
// its highest step, so a watch can show how far training has come.
func TestFollowJobReportsTheLatestEpoch(t *testing.T) {
	feed := &trainingFeed{steps: 60, stepsPerEpoch: 20}
	var updates []MetricsUpdate
	_, err := FollowJob(context.Background(), feed, "job_1", FollowOptions{
		Wait:      WaitOptions{Clock: newFakeClock()},
		OnMetrics: func(_ context.Context, m MetricsUpdate) { updates = append(updates, m) },
	})
	if err != nil || len(updates) < 2 {
		t.Fatalf("FollowJob: %v, %d updates", err, len(updates))
	}
	for _, u := range updates {
		if u.Epoch == nil || *u.Epoch != float64(u.Step)/20 {
			t.Errorf("update at step %d has epoch %v, want %v", u.Step, u.Epoch, float64(u.Step)/20)
		}
	}
	if last := updates[len(updates)-1]; last.Epoch == nil || *last.Epoch != 3 {
		t.Errorf("the final update has epoch %v, want 3", last.Epoch)
	}
}
