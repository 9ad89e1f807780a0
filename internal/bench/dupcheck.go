package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// dupCheckResult is what the identical-job check costs plans.
type dupCheckResult struct {
	creates                    int
	createListings, createGets int // backend requests of a plan creating `creates` jobs
	noopListings               int // list requests of a plan with no creates
	createWall                 time.Duration
	checks                     int           // checks the provider logged
	longestCheck, sumOfChecks  time.Duration // the longest one holds the shared listing
}

var checkLine = regexp.MustCompile(`identical-job check done.*elapsed_ms=([0-9.]+)`)

// measureDupCheck plans n creates against an empty backend, then applies
// them and plans again, counting the list requests of each plan and reading
// the check's own timing from the provider's debug log.
func measureDupCheck(ctx context.Context, r *rig, n int) (*dupCheckResult, error) {
	dir := filepath.Join(r.tmp, "dupcheck")
	if err := writeConfig(dir, synthConfig); err != nil {
		return nil, err
	}
	emu, err := r.startEmulator(ctx, dir, -time.Nanosecond, time.Second)
	if err != nil {
		return nil, err
	}
	defer emu.stop()
	logPath := filepath.Join(dir, "provider.log")
	env := r.baseEnv(append(emu.env(), "TF_LOG_PROVIDER=DEBUG", "TF_LOG_PATH="+logPath)...)
	vars := []string{"-var", fmt.Sprintf("jobs=%d", n)}
	res := &dupCheckResult{creates: n}

	count := func(plan func() error) (lists, gets int, err error) {
		before, err := emu.settledRequests()
		if err != nil {
			return 0, 0, err
		}
		if err := plan(); err != nil {
			return 0, 0, err
		}
		after, err := emu.settledRequests()
		if err != nil {
			return 0, 0, err
		}
		for _, req := range after[len(before):] {
			switch {
			case req.target == "backend" && req.method == "GET" && req.path == "/api/rl/jobs":
				lists++
			case isJobGet(req):
				gets++
			}
		}
		return lists, gets, nil
	}

	res.createListings, res.createGets, err = count(func() error {
		planned, err := r.mustRun(ctx, dir, env, []int{2}, append(planArgs, vars...)...)
		res.createWall = planned.wall
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("planning %d creates: %w", n, err)
	}
	logged, err := os.ReadFile(logPath)
	if err != nil {
		return nil, err
	}
	for _, m := range checkLine.FindAllSubmatch(logged, -1) {
		ms, _ := strconv.ParseFloat(string(m[1]), 64)
		d := time.Duration(ms * float64(time.Millisecond))
		res.checks++
		res.sumOfChecks += d
		res.longestCheck = max(res.longestCheck, d)
	}

	if _, err := r.mustRun(ctx, dir, env, nil, append(applyArgs, vars...)...); err != nil {
		return nil, fmt.Errorf("applying %d jobs: %w", n, err)
	}
	res.noopListings, _, err = count(func() error {
		_, err := r.mustRun(ctx, dir, env, []int{0, 2}, append(planArgs, vars...)...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("planning %d applied jobs: %w", n, err)
	}
	return res, nil
}

func dupCheckTable(res *dupCheckResult) *table {
	t := &table{
		title:  "Never twice: the identical-job check",
		header: []string{"measure", "result", "status"},
	}
	var none verdict
	none.check(res.noopListings == 0, "%d list requests", res.noopListings)
	t.addJudged(none, "plan with no creates", fmt.Sprintf("%d list requests", res.noopListings), none.String())
	var one verdict
	one.check(res.createListings == 1, "%d list requests", res.createListings)
	t.addJudged(one, fmt.Sprintf("plan creating %d jobs", res.creates),
		fmt.Sprintf("%d list request(s), %d job GETs, plan %s", res.createListings, res.createGets, seconds(res.createWall)), one.String())
	t.add(fmt.Sprintf("time the check adds (%d checks)", res.checks),
		fmt.Sprintf("longest check %s (it holds the shared listing), all checks %s in sum", millis(res.longestCheck), millis(res.sumOfChecks)), "no target")
	return t
}

func millis(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
