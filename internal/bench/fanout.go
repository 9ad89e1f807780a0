package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// The fan-out benchmark: one apply of N jobs with Terraform's default
// parallelism (10), next to the ideal of waves × job time, which assumes a
// job's slot frees the moment the job ends.

const defaultParallelism = 10

type fanoutResult struct {
	jobs        int
	jobTime     time.Duration
	wall        time.Duration
	creates     int           // POST /api/rl/jobs
	statusGets  int           // GET /api/rl/jobs/{id}
	taskAppReqs int           // /health and /task_info requests the apply made
	detection   time.Duration // mean, per job: the GET that saw it finished minus its finished_at
}

// perJobOverhead is the apply's overhead above the ideal per wave: what each
// job on a slot's critical path cost beyond its own run time.
func (f fanoutResult) perJobOverhead() time.Duration {
	waves := (f.jobs + defaultParallelism - 1) / defaultParallelism
	return (f.wall - f.ideal()) / time.Duration(waves)
}

func (f fanoutResult) ideal() time.Duration {
	waves := (f.jobs + defaultParallelism - 1) / defaultParallelism
	return time.Duration(waves) * f.jobTime
}

func measureFanout(ctx context.Context, r *rig, jobs int, jobTime time.Duration) (fanoutResult, error) {
	res := fanoutResult{jobs: jobs, jobTime: jobTime}
	dir := filepath.Join(r.tmp, "fanout")
	if err := writeConfig(dir, synthConfig); err != nil {
		return res, err
	}
	// Jobs start at once (a negative queue time) and run jobTime, so a job's
	// length is exactly jobTime.
	emu, err := r.startEmulator(ctx, dir, -time.Nanosecond, jobTime)
	if err != nil {
		return res, err
	}
	defer emu.stop()
	applied, err := r.mustRun(ctx, dir, r.baseEnv(emu.env()...), nil, append(applyArgs, "-var", fmt.Sprintf("jobs=%d", jobs))...)
	if err != nil {
		return res, fmt.Errorf("applying %d jobs: %w", jobs, err)
	}
	res.wall = applied.wall
	reqs, err := emu.settledRequests()
	if err != nil {
		return res, err
	}
	lastGet := map[string]time.Time{}
	for _, req := range reqs {
		switch {
		case req.target == "taskapp":
			res.taskAppReqs++
		case isJobGet(req):
			res.statusGets++
			lastGet[strings.TrimPrefix(req.path, "/api/rl/jobs/")] = req.at
		case req.target == "backend" && req.method == "POST" && req.path == "/api/rl/jobs":
			res.creates++
		}
	}
	if res.creates != jobs {
		return res, fmt.Errorf("the apply of %d jobs sent %d creates", jobs, res.creates)
	}
	res.detection, err = meanDetection(ctx, emu, lastGet)
	return res, err
}

const maxFanoutRatio = 1.05

func fanoutTable(f fanoutResult) *table {
	t := &table{
		title: "3. Apply fan-out (default parallelism 10)",
		header: []string{"jobs × job time", "apply wall", "ideal (waves × job time)", "wall / ideal", "overhead per job on a slot",
			"of which detection delay", "of which health check + create + Terraform", "task-app requests", "status GETs per job", "target", "result"},
	}
	waves := (f.jobs + defaultParallelism - 1) / defaultParallelism
	ratio := f.wall.Seconds() / f.ideal().Seconds()
	var v verdict
	v.check(ratio <= maxFanoutRatio, "%.2f× > %.2f× (+%s)", ratio, maxFanoutRatio, seconds(f.wall-time.Duration(maxFanoutRatio*float64(f.ideal()))))
	per := f.perJobOverhead()
	t.addJudged(v, fmt.Sprintf("%d × %s", f.jobs, jobLength(f.jobTime)), seconds(f.wall),
		fmt.Sprintf("%s (%d × %s)", seconds(f.ideal()), waves, jobLength(f.jobTime)),
		fmt.Sprintf("%.2f× (+%s)", ratio, seconds(f.wall-f.ideal())),
		seconds(per), seconds(f.detection), seconds(per-f.detection),
		fmt.Sprintf("%d for %d jobs", f.taskAppReqs, f.jobs),
		fmt.Sprintf("%.1f", float64(f.statusGets)/float64(f.jobs)), fmt.Sprintf("≤ %.2f× ideal", maxFanoutRatio), v.String())
	t.notes = append(t.notes, strings.TrimSpace(`
The overhead per job on a slot is (wall − ideal) / waves. Detection delay is measured per job: the
provider's last GET of it (emulator log) minus its finished_at, averaged. The rest is the task-app
check (shared between jobs of one app and key for 5 s: see the task-app request count), the create,
and Terraform's scheduling; they are not told apart by the emulator's log.`))
	return t
}

// meanDetection is the mean time from a job's finished_at (the emulator's
// clock) to the provider's last GET of it (the emulator's log, same clock):
// how long each job waited to be seen finished.
func meanDetection(ctx context.Context, emu *emulatorProc, lastGet map[string]time.Time) (time.Duration, error) {
	api, err := synthapi.NewClient(emu.vars["SYNTH_BACKEND_URL"], emu.vars["SYNTH_API_KEY"])
	if err != nil {
		return 0, err
	}
	var total time.Duration
	n := 0
	after := ""
	for {
		jobs, next, err := api.ListJobs(ctx, synthapi.ListJobsParams{Limit: 100, After: after})
		if err != nil {
			return 0, fmt.Errorf("listing the fan-out jobs: %w", err)
		}
		for _, j := range jobs {
			finished, err := time.Parse(time.RFC3339Nano, j.FinishedAt)
			seen, ok := lastGet[j.ID]
			if err != nil || !ok || seen.IsZero() {
				return 0, fmt.Errorf("job %s: finished_at %q, last GET seen %v", j.ID, j.FinishedAt, ok)
			}
			total += seen.Sub(finished)
			n++
		}
		if next == "" || len(jobs) == 0 {
			break
		}
		after = next
	}
	if n == 0 {
		return 0, fmt.Errorf("the emulator lists no fan-out jobs")
	}
	return total / time.Duration(n), nil
}
