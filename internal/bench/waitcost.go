package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// The wait-cost benchmark: how many status requests a wait for one job makes
// and how late it notices the job's end, for the provider's own poll loop
// (synthapi.WaitForJob) next to the SDK's fixed 5 s poller. Both talk to the
// emulator over loopback HTTP through a real synthapi.Client; time is a
// virtualClock shared by the emulator and the waiter, so a 2 h job takes
// milliseconds.

// fixedPollInterval is the SDK CLI's default poll interval (synth-api.md §4).
const fixedPollInterval = 5 * time.Second

// virtualEpoch is where every virtual clock starts; any fixed time will do.
var virtualEpoch = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// waitSample is what one wait for one job cost.
type waitSample struct {
	statusGets int           // GET /api/rl/jobs/{id}
	eventReads int           // GET /api/rl/jobs/{id}/events (the lagging-status fallback)
	delay      time.Duration // from the job turning terminal to the wait returning
}

type waitRow struct {
	length          time.Duration
	provider, fixed waitSample
	target          string
	verdict         verdict
}

// waitTarget is the target for one job length: a description for the table
// and the checks themselves. Every length is also held to delay <= 30 s.
type waitTarget struct {
	length time.Duration
	text   string
	judge  func(v *verdict, provider, fixed waitSample)
}

const maxDelay = 30 * time.Second

var waitTargets = []waitTarget{
	{10 * time.Second, "delay ≤ 2 s", func(v *verdict, p, _ waitSample) {
		v.check(p.delay <= 2*time.Second, "delay %s > 2 s (+%s)", seconds(p.delay), seconds(p.delay-2*time.Second))
	}},
	{2 * time.Minute, "requests ≤ 5 s poller's; delay < 15 s", func(v *verdict, p, f waitSample) {
		v.check(p.statusGets <= f.statusGets, "%d requests > %d (+%d)", p.statusGets, f.statusGets, p.statusGets-f.statusGets)
		v.check(p.delay < 15*time.Second, "delay %s ≥ 15 s (+%s)", seconds(p.delay), seconds(p.delay-15*time.Second))
	}},
	{20 * time.Minute, "requests ≤ ⅓ of 5 s poller's", func(v *verdict, p, f waitSample) {
		v.check(3*p.statusGets <= f.statusGets, "%d requests > %d/3 = %.1f (+%.1f)",
			p.statusGets, f.statusGets, float64(f.statusGets)/3, float64(p.statusGets)-float64(f.statusGets)/3)
	}},
	{2 * time.Hour, "requests ≤ ⅕ of 5 s poller's", func(v *verdict, p, f waitSample) {
		v.check(5*p.statusGets <= f.statusGets, "%d requests > %d/5 = %.1f (+%.1f)",
			p.statusGets, f.statusGets, float64(f.statusGets)/5, float64(p.statusGets)-float64(f.statusGets)/5)
	}},
}

// measureWaitCost runs the wait-cost benchmark for the first n job lengths.
func measureWaitCost(ctx context.Context, n int) ([]waitRow, error) {
	var rows []waitRow
	for _, t := range waitTargets[:n] {
		p, f, err := measureWait(ctx, t.length)
		if err != nil {
			return rows, fmt.Errorf("wait cost, %s job: %w", jobLength(t.length), err)
		}
		row := waitRow{length: t.length, provider: p, fixed: f, target: t.text + "; delay ≤ 30 s"}
		t.judge(&row.verdict, p, f)
		row.verdict.check(p.delay <= maxDelay, "delay %s > 30 s (+%s)", seconds(p.delay), seconds(p.delay-maxDelay))
		rows = append(rows, row)
	}
	return rows, nil
}

// measureWait submits two jobs of the given length to a fresh emulator, waits
// for the first with WaitForJob and for the second with a fixed 5 s poller.
func measureWait(ctx context.Context, length time.Duration) (provider, fixed waitSample, err error) {
	clock := newVirtualClock(virtualEpoch)
	// The job is queued for a tenth of its length and runs for the rest, so
	// that queued + running = length.
	queue := length / 10
	emu := emulator.New(emulator.Options{Clock: clock, QueueTime: queue, RunTime: length - queue})
	servers, err := emu.Start("", "")
	if err != nil {
		return provider, fixed, err
	}
	defer servers.Close()

	client, err := synthapi.NewClient(servers.BackendURL, emulator.DefaultAPIKey)
	if err != nil {
		return provider, fixed, err
	}
	payload, err := benchPayload(servers.TaskAppURL, client.APIRoot())
	if err != nil {
		return provider, fixed, err
	}

	// A wait that has not ended ten job lengths (and an hour) past the job's
	// end is broken, not slow.
	guarded := func(start time.Time) (context.Context, context.CancelFunc) {
		wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		clock.guard(start.Add(10*length+time.Hour), cancel)
		return wctx, cancel
	}

	provider, err = measureOne(ctx, emu, client, clock, payload, length, guarded, func(wctx context.Context, id string) (*synthapi.Job, error) {
		return synthapi.WaitForJob(wctx, client, id, synthapi.WaitOptions{Clock: clock})
	})
	if err != nil {
		return provider, fixed, fmt.Errorf("synthapi.WaitForJob: %w", err)
	}
	fixed, err = measureOne(ctx, emu, client, clock, payload, length, guarded, func(wctx context.Context, id string) (*synthapi.Job, error) {
		return pollEvery(wctx, client, clock, id, fixedPollInterval)
	})
	if err != nil {
		return provider, fixed, fmt.Errorf("fixed 5 s poller: %w", err)
	}
	return provider, fixed, nil
}

type waitFunc func(ctx context.Context, id string) (*synthapi.Job, error)

// measureOne creates one job, waits for it with wait, and counts what that cost.
func measureOne(ctx context.Context, emu *emulator.Emulator, client *synthapi.Client, clock *virtualClock, payload any,
	length time.Duration, guarded func(time.Time) (context.Context, context.CancelFunc), wait waitFunc) (waitSample, error) {
	created := clock.Now()
	job, err := client.CreateJob(ctx, payload, synthapi.NewIdempotencyKey())
	if err != nil {
		return waitSample{}, fmt.Errorf("creating the job: %w", err)
	}
	ends := created.Add(length)

	wctx, cancel := guarded(created)
	defer cancel()
	done, err := wait(wctx, job.ID)
	if err != nil {
		return waitSample{}, err
	}
	if done == nil || done.Phase() != synthapi.PhaseSucceeded {
		return waitSample{}, fmt.Errorf("job %s ended %v, want succeeded", job.ID, done)
	}
	s := waitSample{
		statusGets: emu.Count(emulator.TargetBackend, "GET", "/api/rl/jobs/"+job.ID),
		eventReads: emu.Count(emulator.TargetBackend, "GET", "/api/rl/jobs/"+job.ID+"/events"),
		delay:      clock.Now().Sub(ends),
	}
	if s.statusGets == 0 {
		return s, errors.New("the emulator recorded no status request")
	}
	if s.delay < 0 {
		return s, fmt.Errorf("the wait returned %s before the job ended", seconds(-s.delay))
	}
	return s, nil
}

// pollEvery is the SDK's way of waiting: a status request every interval
// until the job is terminal, on the same client and clock as WaitForJob.
func pollEvery(ctx context.Context, client *synthapi.Client, clock synthapi.Clock, id string, interval time.Duration) (*synthapi.Job, error) {
	for {
		job, err := client.GetJob(ctx, id)
		if err != nil {
			return nil, err
		}
		if job.Phase().Terminal() {
			return job, nil
		}
		select {
		case <-ctx.Done():
			return job, ctx.Err()
		case <-clock.After(interval):
		}
	}
}

// benchPayload is the create payload of a minimal job, built by the
// provider's own config engine so the emulator accepts it.
func benchPayload(taskURL, apiRoot string) (map[string]any, error) {
	resolved, diags := rlconfig.Resolve(rlconfig.Input{
		TOML:           "[model]\nbase = \"Qwen/Qwen3-4B\"\n",
		DefaultTaskURL: taskURL,
	})
	if resolved == nil {
		return nil, fmt.Errorf("resolving the benchmark config: %v", diags)
	}
	return rlconfig.BuildPayload(resolved, apiRoot), nil
}

func waitTable(rows []waitRow) *table {
	t := &table{
		title: "1. Wait cost (virtual clock; status requests per job and detection delay)",
		header: []string{"job length", "WaitForJob requests", "5 s poller requests", "WaitForJob delay", "5 s poller delay",
			"WaitForJob event reads", "target", "result"},
	}
	for _, r := range rows {
		t.addJudged(r.verdict, jobLength(r.length), fmt.Sprint(r.provider.statusGets), fmt.Sprint(r.fixed.statusGets),
			seconds(r.provider.delay), seconds(r.fixed.delay), fmt.Sprint(r.provider.eventReads), r.target, r.verdict.String())
	}
	t.notes = append(t.notes, "Each job is queued for a tenth of its length and runs for the rest. Requests are "+
		"`GET /api/rl/jobs/{id}` counted by the emulator; delay is virtual time from the job's end to the wait's return. "+
		"Every length is a multiple of 5 s, so the fixed poller happens to poll the instant each job ends (delay 0); "+
		"for a job of any length its delay averages 2.5 s.")
	// WaitForJob documents that it reads the event log once a status has
	// not changed for ten minutes (for backends whose status lags).
	for _, r := range rows {
		running := r.length - r.length/10
		if running > 10*time.Minute && r.provider.eventReads == 0 {
			t.notes = append(t.notes, fmt.Sprintf("Suspicious: the %s job stayed \"running\" for %s, yet WaitForJob never "+
				"read its event log, although it documents doing so after ten minutes of unchanged status.",
				jobLength(r.length), jobLength(running)))
		}
	}
	return t
}
