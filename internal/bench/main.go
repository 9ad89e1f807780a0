// Command bench measures the Synth provider against the local emulator and
// prints one Markdown report: what a wait for a job costs next to the SDK's
// fixed poller, what a plan over many jobs costs next to Terraform's floor,
// how an apply of many jobs fans out, what a gigabyte training file costs to
// check, upload and plan again, what planning the FFT-first pipeline costs and
// how fast its apply hands the fine-tune to RL, and the Go micro-benchmarks.
//
//	go run ./internal/bench          # full run, several minutes (make bench)
//	go run ./internal/bench -smoke   # tiny sizes, well under a minute (make test)
//	go run ./internal/bench -only training-file   # one benchmark
//
// Full mode exits 0 when a target is missed (the report says MISS and by how
// much); both modes exit 1 when the measurement itself is broken: a build or
// a Terraform command fails, or a count that must be positive is zero.
// -smoke checks that the machinery works, not the targets.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// sizes is how much each benchmark does.
type sizes struct {
	// only names the one benchmark to run ("" for all): one of benchNames.
	only        string
	waitLengths int // how many of waitTargets, shortest first
	plan        planOpts
	fanoutJobs  int
	fanoutTime  time.Duration
	trainFile   trainingFileOpts
	fftFirst    fftFirstOpts
	historyJobs int    // the backend's job history for the identical-job check at scale
	benchtime   string // "" for go test's default
}

var (
	fullSizes = sizes{
		waitLengths: len(waitTargets),
		plan:        planOpts{jobCounts: []int{1, 50, 200}, dataCount: 200, repeats: 3},
		fanoutJobs:  50,
		fanoutTime:  5 * time.Second,
		trainFile:   trainingFileOpts{small: 1 << 20, large: 1 << 30, repeats: 3},
		fftFirst:    fftFirstOpts{small: 1 << 20, large: 1 << 30, repeats: 3, emulator: fftDemoTimes},
		historyJobs: 20000,
	}
	smokeSizes = sizes{
		waitLengths: 2,
		plan:        planOpts{jobCounts: []int{1, 3}, dataCount: 3, repeats: 1},
		fanoutJobs:  3,
		fanoutTime:  time.Second,
		trainFile:   trainingFileOpts{small: 256 << 10, large: 4 << 20, repeats: 1},
		fftFirst: fftFirstOpts{small: 64 << 10, large: 256 << 10, repeats: 1,
			// No model lag: its fixed 5 s re-read would double the smoke run.
			emulator: fftEmulatorTimes{queue: 100 * time.Millisecond, run: 500 * time.Millisecond, fileReadyLag: 100 * time.Millisecond, modelLag: -1}},
		historyJobs: 2000,
		benchtime:   "1x",
	}
)

func main() {
	smoke := flag.Bool("smoke", false, "tiny sizes: check that the benchmark works, not the targets")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the real provider during one extra plan of the largest state to this file")
	only := flag.String("only", "", "run one benchmark only: "+strings.Join(benchNames, ", "))
	flag.Parse()
	os.Exit(run(*smoke, *cpuProfile, *only, os.Stdout, os.Stderr))
}

// benchNames are what -only accepts.
var benchNames = []string{"wait", "plan", "fanout", "dupcheck", "dupcheck-scale", "training-file", "fft-first", "micro"}

// run is main without the exit, so that every deferred cleanup runs.
func run(smoke bool, cpuProfile, only string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	started := time.Now()
	sz, mode := fullSizes, "full"
	if smoke {
		sz, mode = smokeSizes, "smoke (tiny sizes; targets shown, not meaningful)"
	}
	if only != "" && !slices.Contains(benchNames, only) {
		fmt.Fprintf(stderr, "bench: -only %q is none of %s\n", only, strings.Join(benchNames, ", "))
		return 2
	}
	if sz.only = only; only != "" {
		mode += "; only " + only
	}
	if cpuProfile != "" {
		if cpuProfile, err := filepath.Abs(cpuProfile); err == nil {
			sz.plan.cpuProfile = cpuProfile
		}
	}
	progress := func(format string, args ...any) {
		fmt.Fprintf(stderr, "bench: %s (%s)\n", fmt.Sprintf(format, args...), time.Since(started).Round(time.Second))
	}

	var problems []string
	fail := func(err error) { problems = append(problems, err.Error()) }

	root, err := moduleRoot(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "synth-bench-")
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	tables, tfVersion := measureAll(ctx, root, tmp, sz, progress, fail)
	if ctx.Err() != nil {
		fail(fmt.Errorf("interrupted: %w", ctx.Err()))
	}

	fmt.Fprintln(stdout, "## Benchmark results")
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "- CPUs (runtime.NumCPU): %d\n", runtime.NumCPU())
	fmt.Fprintf(stdout, "- %s\n", tfVersion)
	fmt.Fprintf(stdout, "- %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(stdout, "- mode: %s; run took %s\n", mode, time.Since(started).Round(time.Second))
	met, judged := 0, 0
	for _, t := range tables {
		for _, v := range t.verdicts {
			judged++
			if v.met() {
				met++
			}
		}
	}
	fmt.Fprintf(stdout, "- targets met: %d of %d rows\n", met, judged)
	fmt.Fprintln(stdout)
	for _, t := range tables {
		t.write(stdout)
	}
	if len(problems) > 0 {
		fmt.Fprintln(stdout, "### Problems (the measurement is incomplete)")
		fmt.Fprintln(stdout)
		for _, p := range problems {
			fmt.Fprintf(stdout, "- %s\n", strings.ReplaceAll(strings.TrimSpace(p), "\n", "\n  "))
		}
		return 1
	}
	return 0
}

// measureAll runs the benchmarks in order, stopping early when ctx ends, and
// returns the tables of those that ran and the first line of `terraform
// version`. Errors go to fail.
func measureAll(ctx context.Context, root, tmp string, sz sizes, progress func(string, ...any), fail func(error)) (tables []*table, tfVersion string) {
	tfVersion = "Terraform: version unknown"
	want := func(name string) bool { return sz.only == "" || sz.only == name }

	if want("wait") {
		progress("wait cost")
		waitRows, err := measureWaitCost(ctx, sz.waitLengths)
		if err != nil {
			fail(err)
		}
		tables = append(tables, waitTable(waitRows))
	}

	if ctx.Err() == nil && (want("plan") || want("fanout") || want("dupcheck") || want("dupcheck-scale") || want("training-file") || want("fft-first")) {
		progress("building the provider and the emulator")
		r, err := newRig(ctx, root, tmp, sz.plan.cpuProfile != "")
		if err != nil {
			fail(err)
		} else {
			if tfVersion, err = r.terraformVersion(ctx); err != nil {
				fail(err)
			}
			tables = append(tables, measureWithTerraform(ctx, r, sz, want, progress, fail)...)
		}
	}

	if ctx.Err() != nil || !want("micro") {
		return tables, tfVersion
	}
	progress("go micro-benchmarks")
	found, err := runMicro(ctx, root, sz.benchtime)
	if err != nil {
		fail(err)
		return tables, tfVersion
	}
	t := microTable(found, sz.benchtime)
	if _, ok := found["BenchmarkResolveAndBuildPayload"]; !ok {
		fail(errors.New("go test -bench found no BenchmarkResolveAndBuildPayload in internal/rlconfig"))
	}
	return append(tables, t), tfVersion
}

// measureWithTerraform runs the wanted benchmarks that drive Terraform
// with the built provider, stopping early when ctx ends.
func measureWithTerraform(ctx context.Context, r *rig, sz sizes, want func(string) bool, progress func(string, ...any), fail func(error)) (tables []*table) {
	if want("plan") && ctx.Err() == nil {
		progress("plan cost: applying and planning %v synth_rl_job, %d terraform_data", sz.plan.jobCounts, sz.plan.dataCount)
		planRes, err := measurePlanCost(ctx, r, sz.plan)
		if err != nil {
			fail(err)
		}
		t, broken := planTable(planRes, sz.plan.repeats)
		for _, b := range broken {
			fail(errors.New(b))
		}
		tables = append(tables, t)
	}
	if want("fanout") && ctx.Err() == nil {
		progress("fan-out: applying %d jobs of %s", sz.fanoutJobs, sz.fanoutTime)
		if fan, err := measureFanout(ctx, r, sz.fanoutJobs, sz.fanoutTime); err != nil {
			fail(err)
		} else {
			tables = append(tables, fanoutTable(fan))
		}
	}
	if want("dupcheck") && ctx.Err() == nil {
		progress("identical-job check: planning %d creates", sz.fanoutJobs)
		if dup, err := measureDupCheck(ctx, r, sz.fanoutJobs); err != nil {
			fail(err)
		} else {
			tables = append(tables, dupCheckTable(dup))
		}
	}
	if want("dupcheck-scale") && ctx.Err() == nil {
		progress("identical-job check at scale: planning %d creates against %d jobs", sz.fanoutJobs, sz.historyJobs)
		if scale, err := measureDupCheckAtScale(ctx, r, sz.fanoutJobs, sz.historyJobs); err != nil {
			fail(err)
		} else {
			tables = append(tables, dupScaleTable(scale))
		}
	}
	if want("training-file") && ctx.Err() == nil {
		tfRes, err := measureTrainingFile(ctx, r, sz.trainFile, progress)
		if err != nil {
			fail(err)
		}
		ts, broken := trainingFileTables(tfRes)
		for _, b := range broken {
			fail(errors.New(b))
		}
		tables = append(tables, ts...)
	}
	if want("fft-first") && ctx.Err() == nil {
		ffRes, err := measureFFTFirst(ctx, r, sz.fftFirst, progress)
		if err != nil {
			fail(err)
		}
		ts, broken := fftFirstTables(ffRes)
		for _, b := range broken {
			fail(errors.New(b))
		}
		tables = append(tables, ts...)
	}
	return tables
}

// moduleRoot is the directory of the module's go.mod, where the builds and
// go test run.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, goBinary(), "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run the benchmark from inside the module (go run ./internal/bench)")
	}
	return filepath.Dir(gomod), nil
}

// goBinary is the go command on PATH; `make bench` runs under `go run`, so
// there is one.
func goBinary() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}
