package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// The fan-out benchmark: one apply of N jobs with Terraform's default
// parallelism (10), next to the ideal of waves × job time, which assumes a
// job's slot frees the moment the job ends.

const defaultParallelism = 10

type fanoutResult struct {
	jobs       int
	jobTime    time.Duration
	wall       time.Duration
	creates    int // POST /api/rl/jobs
	statusGets int // GET /api/rl/jobs/{id}
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
	for _, req := range reqs {
		switch {
		case isJobGet(req):
			res.statusGets++
		case req.target == "backend" && req.method == "POST" && req.path == "/api/rl/jobs":
			res.creates++
		}
	}
	if res.creates != jobs {
		return res, fmt.Errorf("the apply of %d jobs sent %d creates", jobs, res.creates)
	}
	return res, nil
}

func fanoutTable(f fanoutResult) *table {
	t := &table{
		title:  "3. Apply fan-out (default parallelism 10)",
		header: []string{"jobs × job time", "apply wall", "ideal (waves × job time)", "wall / ideal", "status GETs per job", "result"},
	}
	waves := (f.jobs + defaultParallelism - 1) / defaultParallelism
	t.add(fmt.Sprintf("%d × %s", f.jobs, jobLength(f.jobTime)), seconds(f.wall),
		fmt.Sprintf("%s (%d × %s)", seconds(f.ideal()), waves, jobLength(f.jobTime)),
		fmt.Sprintf("%.2f× (+%s)", f.wall.Seconds()/f.ideal().Seconds(), seconds(f.wall-f.ideal())),
		fmt.Sprintf("%.1f", float64(f.statusGets)/float64(f.jobs)), "— (no target)")
	t.notes = append(t.notes, strings.TrimSpace(`
The overhead above the ideal is, per job, the task-app health check, the create, and the
poll loop's detection delay (pauses of √elapsed, at least 1 s), plus Terraform's own work.`))
	return t
}
