package synthapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock advances only when WaitForJob waits, and records each wait.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.waits = append(c.waits, d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// poll is one scripted GetJob answer.
type poll struct {
	status string
	err    error
}

// fakeSource answers GetJob from a script (repeating its last step) and
// JobEvents from a function.
type fakeSource struct {
	mu     sync.Mutex
	script []poll
	polls  int
	events func(sinceSeq int64, limit int) ([]Event, error)
	// eventCalls records the sinceSeq of each JobEvents call.
	eventCalls []int64
	// onPoll, when set, runs before each GetJob answer.
	onPoll func(n int)
}

func (s *fakeSource) GetJob(ctx context.Context, id string) (*Job, error) {
	s.mu.Lock()
	s.polls++
	n := s.polls
	step := s.script[min(n, len(s.script))-1]
	onPoll := s.onPoll
	s.mu.Unlock()
	if onPoll != nil {
		onPoll(n)
	}
	if n > 100000 {
		// A broken WaitForJob must fail the test, not hang it.
		return nil, &APIError{StatusCode: 418, Message: "fake source: too many polls"}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if step.err != nil {
		return nil, step.err
	}
	return &Job{ID: id, Status: step.status}, nil
}

func (s *fakeSource) JobEvents(ctx context.Context, id string, sinceSeq int64, limit int) ([]Event, error) {
	s.mu.Lock()
	s.eventCalls = append(s.eventCalls, sinceSeq)
	s.mu.Unlock()
	if s.events == nil {
		return nil, nil
	}
	return s.events(sinceSeq, limit)
}

var errFlaky = &RequestError{Method: "GET", Route: "/api/rl/jobs/j", Attempts: 5, Err: errors.New("connection reset by peer")}

func script(steps ...any) []poll {
	var out []poll
	for _, s := range steps {
		switch s := s.(type) {
		case string:
			out = append(out, poll{status: s})
		case error:
			out = append(out, poll{err: s})
		}
	}
	return out
}

func repeat(v any, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestWaitForJob(t *testing.T) {
	tests := []struct {
		name         string
		script       []poll
		maxErrors    int
		wantStatus   string // of the job returned
		wantErr      func(error) bool
		wantPolls    int
		wantChanges  string
		wantConsec   string // consecutive counts reported to OnTransientError
		wantInErrMsg string
	}{
		{
			name:        "reaches succeeded",
			script:      script("queued", "running", "running", "succeeded"),
			wantStatus:  "succeeded",
			wantPolls:   4,
			wantChanges: "queued running succeeded",
		},
		{
			name:        "reaches a failure",
			script:      script("running", "error"),
			wantStatus:  "error",
			wantPolls:   2,
			wantChanges: "running error",
		},
		{
			name:        "survives 4 transient errors in a row",
			script:      script(append(append([]any{"running"}, repeat(errFlaky, 4)...), "succeeded")...),
			wantStatus:  "succeeded",
			wantPolls:   6,
			wantChanges: "running succeeded",
			wantConsec:  "1 2 3 4",
		},
		{
			name:         "gives up after 5 in a row",
			script:       script(append([]any{"running"}, repeat(errFlaky, 5)...)...),
			wantStatus:   "running",
			wantErr:      func(err error) bool { return errors.Is(err, errFlaky) },
			wantPolls:    6,
			wantConsec:   "1 2 3 4",
			wantInErrMsg: `waiting for job job_1 (last status "running"): giving up after 5 failed polls in a row: GET /api/rl/jobs/j: no answer after 5 attempts`,
		},
		{
			name:        "the count starts afresh after a success",
			script:      script(append(append(append(repeat(errFlaky, 4), "running"), repeat(errFlaky, 4)...), "completed")...),
			wantStatus:  "completed",
			wantPolls:   10,
			wantChanges: "running completed",
			wantConsec:  "1 2 3 4 1 2 3 4",
		},
		{
			name:       "custom limit",
			script:     script(errFlaky, errFlaky),
			maxErrors:  2,
			wantErr:    func(err error) bool { return errors.Is(err, errFlaky) },
			wantPolls:  2,
			wantConsec: "1",
		},
		{
			name:       "404 is persistent",
			script:     script("running", &APIError{StatusCode: 404, Method: "GET", Route: "/api/rl/jobs/job_1"}),
			wantStatus: "running",
			wantErr:    IsNotFound,
			wantPolls:  2,
		},
		{
			name:      "403 is persistent",
			script:    script(&APIError{StatusCode: 403}),
			wantErr:   func(err error) bool { return err != nil },
			wantPolls: 1,
		},
		{
			name:       "429 and 408 are transient",
			script:     script(&APIError{StatusCode: 429}, &APIError{StatusCode: 408}, "cancelled"),
			wantStatus: "cancelled",
			wantPolls:  3,
			wantConsec: "1 2",
		},
		{
			name:       "an unreadable body is transient",
			script:     script(errors.New("decoding job: not JSON"), "succeeded"),
			wantStatus: "succeeded",
			wantPolls:  2,
			wantConsec: "1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{script: tt.script}
			var changes, consec []string
			job, err := WaitForJob(t.Context(), src, "job_1", WaitOptions{
				Clock:                newFakeClock(),
				MaxConsecutiveErrors: tt.maxErrors,
				OnStatusChange:       func(_ context.Context, j *Job) { changes = append(changes, j.Status) },
				OnTransientError: func(_ context.Context, _ error, n int) {
					consec = append(consec, fmt.Sprint(n))
				},
			})
			if tt.wantErr == nil && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tt.wantErr != nil && !tt.wantErr(err) {
				t.Fatalf("err = %v", err)
			}
			if tt.wantInErrMsg != "" && !strings.Contains(fmt.Sprint(err), tt.wantInErrMsg) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantInErrMsg)
			}
			if tt.wantStatus == "" && job != nil {
				t.Errorf("job = %+v, want nil: no poll succeeded", job)
			}
			if tt.wantStatus != "" && (job == nil || job.Status != tt.wantStatus) {
				t.Errorf("job = %+v, want status %q", job, tt.wantStatus)
			}
			if src.polls != tt.wantPolls {
				t.Errorf("polls = %d, want %d", src.polls, tt.wantPolls)
			}
			if tt.wantChanges != "" && strings.Join(changes, " ") != tt.wantChanges {
				t.Errorf("status changes = %v, want %s", changes, tt.wantChanges)
			}
			if got := strings.Join(consec, " "); got != tt.wantConsec {
				t.Errorf("transient error counts = %q, want %q", got, tt.wantConsec)
			}
		})
	}
}

func TestWaitForJobPausesFollowPollInterval(t *testing.T) {
	clock := newFakeClock()
	src := &fakeSource{script: script(append(repeat("running", 9), "succeeded")...)}
	if _, err := WaitForJob(t.Context(), src, "j", WaitOptions{Clock: clock}); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Duration(0)
	for i, w := range clock.waits {
		if want := PollInterval(elapsed); w != want {
			t.Errorf("wait %d after %s = %s, want %s", i, elapsed, w, want)
		}
		elapsed += w
	}
	if len(clock.waits) != 9 {
		t.Errorf("waits = %d, want 9", len(clock.waits))
	}
}

func TestWaitForJobStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	src := &fakeSource{script: script("queued", "running", "running")}
	src.onPoll = func(n int) {
		if n == 3 {
			cancel()
		}
	}
	job, err := WaitForJob(ctx, src, "job_1", WaitOptions{Clock: newFakeClock()})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if job == nil || job.Status != "running" {
		t.Errorf("job = %+v, want the last job seen", job)
	}
	if !strings.Contains(err.Error(), `last status "running"`) {
		t.Errorf("err = %q", err)
	}
}

func TestWaitForJobCancelledBeforeAnyPoll(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	src := &fakeSource{script: script("running")}
	job, err := WaitForJob(ctx, src, "job_1", WaitOptions{Clock: newFakeClock()})
	if !errors.Is(err, context.Canceled) || job != nil || src.polls != 0 {
		t.Errorf("job = %v, err = %v, polls = %d", job, err, src.polls)
	}
}

func TestWaitForJobTerminalEventFallback(t *testing.T) {
	tests := []struct {
		name       string
		events     []Event
		wantStatus string
		wantMsg    string
	}{
		{
			name:       "completed",
			events:     []Event{{Seq: 3, Type: "rl.train.step"}, {Seq: 4, Type: "rl.train.completed", Message: "done"}},
			wantStatus: "succeeded",
		},
		{
			name:       "failed",
			events:     []Event{{Seq: 9, Type: "workflow.failed", Level: "error", Message: "rollout executor crashed"}},
			wantStatus: "failed",
			wantMsg:    "rollout executor crashed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			start := clock.Now()
			src := &fakeSource{
				script: script("running"),
				events: func(int64, int) ([]Event, error) { return tt.events, nil },
			}
			var changes []string
			job, err := WaitForJob(t.Context(), src, "job_1", WaitOptions{
				Clock:          clock,
				OnStatusChange: func(_ context.Context, j *Job) { changes = append(changes, j.Status) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if job.Status != tt.wantStatus || job.Phase().String() != tt.wantStatus || job.ErrorMessage != tt.wantMsg {
				t.Errorf("job = %+v", job)
			}
			if waited := clock.Now().Sub(start); waited < statusLagCheck || waited > statusLagCheck+maxPollInterval {
				t.Errorf("ended after %s of unchanged status, want about %s", waited, statusLagCheck)
			}
			if len(src.eventCalls) != 1 || src.eventCalls[0] != 0 {
				t.Errorf("event reads = %v, want one from seq 0", src.eventCalls)
			}
			if got := strings.Join(changes, " "); got != "running "+tt.wantStatus {
				t.Errorf("status changes = %q", got)
			}
		})
	}
}

func TestWaitForJobReadsEventsOncePerTenMinutes(t *testing.T) {
	clock := newFakeClock()
	start := clock.Now()
	src := &fakeSource{
		events: func(since int64, _ int) ([]Event, error) {
			return []Event{{Seq: since + 1, Type: "rl.train.step"}, {Seq: since + 2, Type: "rl.train.step"}}, nil
		},
	}
	// Running for 35 minutes of fake time, then done.
	src.script = script("running")
	src.onPoll = func(int) {
		if clock.Now().Sub(start) >= 35*time.Minute {
			src.mu.Lock()
			src.script = script("succeeded")
			src.mu.Unlock()
		}
	}
	job, err := WaitForJob(t.Context(), src, "job_1", WaitOptions{Clock: clock})
	if err != nil || job.Status != "succeeded" {
		t.Fatalf("job = %+v, err = %v", job, err)
	}
	// At about 10, 20 and 30 minutes, each from the last seq read.
	if got := fmt.Sprint(src.eventCalls); got != "[0 2 4]" {
		t.Errorf("event reads from seq %s, want [0 2 4]", got)
	}
}

func TestWaitForJobStatusChangeResetsTheEventClock(t *testing.T) {
	clock := newFakeClock()
	start := clock.Now()
	src := &fakeSource{script: script("queued")}
	src.onPoll = func(int) {
		// Queued for 8 minutes, then running for 8 minutes: never 10
		// minutes without a change.
		if elapsed := clock.Now().Sub(start); elapsed >= 16*time.Minute {
			src.script = script("succeeded")
		} else if elapsed >= 8*time.Minute {
			src.script = script("running")
		}
	}
	if _, err := WaitForJob(t.Context(), src, "job_1", WaitOptions{Clock: clock}); err != nil {
		t.Fatal(err)
	}
	if len(src.eventCalls) != 0 {
		t.Errorf("events read %d times although the status kept changing", len(src.eventCalls))
	}
}

func TestWaitForJobEventErrorsDoNotEndTheWait(t *testing.T) {
	clock := newFakeClock()
	start := clock.Now()
	src := &fakeSource{
		script: script("running"),
		events: func(int64, int) ([]Event, error) { return nil, errFlaky },
	}
	src.onPoll = func(int) {
		if clock.Now().Sub(start) >= 25*time.Minute {
			src.script = script("succeeded")
		}
	}
	var reported []int
	job, err := WaitForJob(t.Context(), src, "job_1", WaitOptions{
		Clock:            clock,
		OnTransientError: func(_ context.Context, _ error, n int) { reported = append(reported, n) },
	})
	if err != nil || job.Status != "succeeded" {
		t.Fatalf("job = %+v, err = %v", job, err)
	}
	if fmt.Sprint(reported) != "[0 0]" {
		t.Errorf("reported %v, want two event failures reported with 0", reported)
	}
}

func TestPollInterval(t *testing.T) {
	tests := []struct {
		elapsed time.Duration
		want    time.Duration
	}{
		{-time.Second, time.Second},
		{0, time.Second},
		{500 * time.Millisecond, time.Second},
		{time.Second, time.Second},
		{4 * time.Second, 2 * time.Second},
		{100 * time.Second, 10 * time.Second},
		{400 * time.Second, 20 * time.Second},
		{900 * time.Second, 30 * time.Second},
		{time.Hour, 30 * time.Second},
		{48 * time.Hour, 30 * time.Second},
	}
	for _, tt := range tests {
		if got := PollInterval(tt.elapsed); got != tt.want {
			t.Errorf("PollInterval(%s) = %s, want %s", tt.elapsed, got, tt.want)
		}
	}
}

// TestPollIntervalBudget checks the figures PollInterval's documentation
// promises, by simulating the polls for jobs of several lengths.
func TestPollIntervalBudget(t *testing.T) {
	simulate := func(jobLength time.Duration) (requests int, delay time.Duration) {
		var now time.Duration
		for {
			requests++
			if now >= jobLength {
				return requests, now - jobLength
			}
			now += PollInterval(now)
		}
	}
	tests := []struct {
		length       time.Duration
		maxRequests  int
		maxDetection time.Duration
	}{
		{10 * time.Second, 12, 2 * time.Second},
		{2 * time.Minute, 24, 15 * time.Second},
		{20 * time.Minute, 80, maxPollInterval},
		{2 * time.Hour, 288, maxPollInterval},
	}
	for _, tt := range tests {
		requests, delay := simulate(tt.length)
		if requests > tt.maxRequests || delay > tt.maxDetection {
			t.Errorf("%s job: %d requests, seen %s late; want at most %d and %s", tt.length, requests, delay, tt.maxRequests, tt.maxDetection)
		}
	}
	// Whatever the job's length, it is seen finished within 30 s.
	for length := time.Second; length < 3*time.Hour; length += 7 * time.Second {
		if _, delay := simulate(length); delay > maxPollInterval {
			t.Fatalf("%s job seen %s late", length, delay)
		}
	}
}

func TestLastErrorEvents(t *testing.T) {
	// 250 events over two pages; every 50th is an error.
	all := make([]Event, 250)
	for i := range all {
		all[i] = Event{Seq: int64(i + 1), Type: "rl.train.step", Level: "info"}
		if (i+1)%50 == 0 {
			all[i].Level = "ERROR"
			all[i].Message = fmt.Sprintf("error %d", i+1)
		}
	}
	src := &fakeSource{
		events: func(since int64, limit int) ([]Event, error) {
			var page []Event
			for _, ev := range all {
				if ev.Seq > since && len(page) < limit {
					page = append(page, ev)
				}
			}
			return page, nil
		},
	}
	got, err := LastErrorEvents(t.Context(), src, "job_1", 3)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, ev := range got {
		msgs = append(msgs, ev.Message)
	}
	if strings.Join(msgs, ", ") != "error 150, error 200, error 250" {
		t.Errorf("got %v, want the last three errors, oldest first", msgs)
	}
	if fmt.Sprint(src.eventCalls) != "[0 200]" {
		t.Errorf("pages read from %v, want [0 200]", src.eventCalls)
	}

	if got, err := LastErrorEvents(t.Context(), src, "job_1", 0); got != nil || err != nil {
		t.Errorf("n = 0: got %v, %v", got, err)
	}
}

func TestLastErrorEventsStopsOnAStuckCursor(t *testing.T) {
	page := make([]Event, defaultEventsLimit)
	for i := range page {
		page[i] = Event{Seq: int64(i + 1), Level: "error"}
	}
	src := &fakeSource{events: func(int64, int) ([]Event, error) { return page, nil }} // ignores since_seq
	if _, err := LastErrorEvents(t.Context(), src, "job_1", 5); err != nil {
		t.Fatal(err)
	}
	if len(src.eventCalls) != 2 {
		t.Errorf("read %d pages, want 2: the second did not move the cursor", len(src.eventCalls))
	}
}
