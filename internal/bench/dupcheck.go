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

// dupCheckListings is the number of listings one identical-job check makes:
// the provider lists queued, running and recently succeeded jobs apart.
const dupCheckListings = 3

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

	count := func(plan func() error) (lists, gets int, err error) { return countListings(emu, plan) }

	res.createListings, res.createGets, err = count(func() error {
		planned, err := r.mustRun(ctx, dir, env, []int{2}, append(planArgs, vars...)...)
		res.createWall = planned.wall
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("planning %d creates: %w", n, err)
	}
	if res.checks, res.longestCheck, res.sumOfChecks, err = readChecks(logPath); err != nil {
		return nil, err
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
	// One listing per status the check asks for (queued, running, succeeded),
	// each a single page on an empty backend.
	one.check(res.createListings == dupCheckListings, "%d list requests", res.createListings)
	t.addJudged(one, fmt.Sprintf("plan creating %d jobs", res.creates),
		fmt.Sprintf("%d list request(s), %d job GETs, plan %s", res.createListings, res.createGets, seconds(res.createWall)), one.String())
	t.add(fmt.Sprintf("time the check adds (%d checks)", res.checks),
		fmt.Sprintf("longest check %s (it holds the shared listing), all checks %s in sum", millis(res.longestCheck), millis(res.sumOfChecks)), "no target")
	return t
}

func millis(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// countListings runs plan and counts the list requests and job GETs the
// backend saw meanwhile.
func countListings(emu *emulatorProc, plan func() error) (lists, gets int, err error) {
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

// readChecks reads the check's own timing from the provider's debug log.
func readChecks(logPath string) (checks int, longest, sum time.Duration, err error) {
	logged, err := os.ReadFile(logPath)
	if err != nil {
		return 0, 0, 0, err
	}
	for _, m := range checkLine.FindAllSubmatch(logged, -1) {
		ms, _ := strconv.ParseFloat(string(m[1]), 64)
		d := time.Duration(ms * float64(time.Millisecond))
		checks++
		sum += d
		longest = max(longest, d)
	}
	return checks, longest, sum, nil
}

// The organisation the scale figures stand for: a week of busy training,
// almost all of it finished.
const (
	historyRunning = 3
	historySpan    = 7 * 24 * time.Hour
)

// dupScaleResult is what the check costs a plan against a long history.
type dupScaleResult struct {
	history, running, creates int
	listings, gets            int
	planWall, longestCheck    time.Duration
	checks                    int
	incompleteWarned          bool
}

var incompleteWarning = regexp.MustCompile(`identical-job check is incomplete`)

// measureDupCheckAtScale plans n creates against a backend that holds
// history jobs of the last week, historyRunning of them running.
func measureDupCheckAtScale(ctx context.Context, r *rig, n, history int) (*dupScaleResult, error) {
	dir := filepath.Join(r.tmp, "dupcheck-scale")
	if err := writeConfig(dir, synthConfig); err != nil {
		return nil, err
	}
	emu, err := r.startEmulator(ctx, dir, -time.Nanosecond, time.Second,
		fmt.Sprintf("-seed-jobs=%d", history), fmt.Sprintf("-seed-running=%d", historyRunning), "-seed-span="+historySpan.String())
	if err != nil {
		return nil, err
	}
	defer emu.stop()
	logPath := filepath.Join(dir, "provider.log")
	env := r.baseEnv(append(emu.env(), "TF_LOG_PROVIDER=DEBUG", "TF_LOG_PATH="+logPath)...)
	res := &dupScaleResult{history: history, running: historyRunning, creates: n}
	var output string
	res.listings, res.gets, err = countListings(emu, func() error {
		planned, err := r.mustRun(ctx, dir, env, []int{2}, append(planArgs, "-var", fmt.Sprintf("jobs=%d", n))...)
		res.planWall, output = planned.wall, planned.output
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("planning %d creates against %d jobs: %w", n, history, err)
	}
	res.incompleteWarned = incompleteWarning.MatchString(output)
	if res.checks, res.longestCheck, _, err = readChecks(logPath); err != nil {
		return nil, err
	}
	return res, nil
}

func dupScaleTable(res *dupScaleResult) *table {
	t := &table{
		title: fmt.Sprintf("Never twice at scale: %d jobs of the last %d days on the backend, %d running, a plan creating %d",
			res.history, int(historySpan.Hours()/24), res.running, res.creates),
		header: []string{"measure", "result", "status"},
	}
	t.add("list requests of the plan", fmt.Sprintf("%d (and %d job GETs)", res.listings, res.gets), "no target")
	t.add(fmt.Sprintf("time the check adds (longest of %d checks; it holds the shared listing)", res.checks),
		millis(res.longestCheck), "no target")
	t.add("plan wall time", seconds(res.planWall), "no target")
	warned := "no"
	if res.incompleteWarned {
		warned = "yes"
	}
	t.add("the plan warns that a listing was cut short by the page cap", warned, "no target")
	return t
}
