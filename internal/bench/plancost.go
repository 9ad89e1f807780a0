package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The plan-cost benchmark: `terraform plan -refresh=true` over N applied
// synth_rl_job resources (wall time, the provider's peak RSS, backend
// requests during the refresh), next to the same plan over terraform_data
// resources, which needs no provider process, and next to the same state
// planned through the floor provider (internal/bench/floorprovider: our
// schemas, no work): what any framework provider with our schema costs.

const synthConfig = `terraform {
  required_providers {
    synth = {
      source = "synth-laboratories/synth"
    }
  }
}

# Backend URL, API key and task app come from SYNTH_BACKEND_URL, SYNTH_API_KEY,
# TASK_APP_URL and ENVIRONMENT_API_KEY.
provider "synth" {}

variable "jobs" {
  type = number
}

resource "synth_rl_job" "bench" {
  count = var.jobs
  model = {
    base = "Qwen/Qwen3-4B"
  }
}
`

const dataConfig = `variable "resources" {
  type = number
}

resource "terraform_data" "bench" {
  count = var.resources
  input = count.index
}
`

// planSample is what the plans of one configuration cost.
type planSample struct {
	resources   int
	applyWall   time.Duration // the apply that created the resources (the increment, for the synth rows)
	walls       []time.Duration
	cpuTotal    []time.Duration // terraform and its providers, per plan
	cpuProvider []time.Duration // the providers alone (sampled), per plan
	peakKiB     int64           // provider VmHWM, highest over the plans
	processes   int             // provider processes started by one plan
	statusGets  int             // GET /api/rl/jobs/{id} during the worst plan
	otherCalls  int             // any other backend or task-app request during the worst plan
	changes     bool            // a plan right after apply proposed changes
	planOutputs string
}

type planResult struct {
	synth []planSample
	floor []planSample // the same states as synth, planned through the floor provider
	data  planSample
}

// planOpts sizes the benchmark.
type planOpts struct {
	jobCounts []int // applied one after another in one directory: 1, 50, 200
	dataCount int
	repeats   int // plans per configuration; the median is reported
	// cpuProfile, when set, is where one extra plan of the largest state
	// through the profiled provider leaves its CPU profile.
	cpuProfile string
}

var planArgs = []string{"plan", "-refresh=true", "-input=false", "-no-color", "-detailed-exitcode"}
var applyArgs = []string{"apply", "-auto-approve", "-input=false", "-no-color"}

func measurePlanCost(ctx context.Context, r *rig, o planOpts) (*planResult, error) {
	res := &planResult{}

	dir := filepath.Join(r.tmp, "plan-synth")
	if err := writeConfig(dir, synthConfig); err != nil {
		return res, err
	}
	// Jobs that end a second after they are submitted keep the 200-job apply short.
	emu, err := r.startEmulator(ctx, dir, -time.Nanosecond, time.Second)
	if err != nil {
		return res, err
	}
	defer emu.stop()
	env := r.baseEnv(emu.env()...)

	for _, n := range o.jobCounts {
		s := planSample{resources: n}
		vars := []string{"-var", fmt.Sprintf("jobs=%d", n)}
		applied, err := r.mustRun(ctx, dir, env, nil, append(applyArgs, vars...)...)
		if err != nil {
			return res, fmt.Errorf("applying %d jobs: %w", n, err)
		}
		s.applyWall = applied.wall
		f := planSample{resources: n}
		// Real and floor plans alternate, so that load from elsewhere on
		// the machine falls on both alike.
		for range o.repeats {
			if err := r.planOnce(ctx, dir, env, vars, emu, &s); err != nil {
				return res, fmt.Errorf("planning %d jobs: %w", n, err)
			}
			if err := r.planOnce(ctx, dir, r.floorEnv(env), vars, emu, &f); err != nil {
				return res, fmt.Errorf("planning %d jobs through the floor provider: %w", n, err)
			}
		}
		res.synth = append(res.synth, s)
		res.floor = append(res.floor, f)
		if o.cpuProfile != "" && n == slices.Max(o.jobCounts) {
			if err := r.profilePlan(ctx, dir, env, vars, o.cpuProfile); err != nil {
				return res, err
			}
		}
	}

	dataDir := filepath.Join(r.tmp, "plan-data")
	if err := writeConfig(dataDir, dataConfig); err != nil {
		return res, err
	}
	dataEnv := r.baseEnv()
	vars := []string{"-var", fmt.Sprintf("resources=%d", o.dataCount)}
	applied, err := r.mustRun(ctx, dataDir, dataEnv, nil, append(applyArgs, vars...)...)
	if err != nil {
		return res, fmt.Errorf("applying %d terraform_data: %w", o.dataCount, err)
	}
	res.data = planSample{resources: o.dataCount, applyWall: applied.wall}
	for range o.repeats {
		if err := r.planOnce(ctx, dataDir, dataEnv, vars, nil, &res.data); err != nil {
			return res, fmt.Errorf("planning %d terraform_data: %w", o.dataCount, err)
		}
	}
	return res, nil
}

// planOnce runs one plan, adding its wall time, the provider's peak RSS and
// (with an emulator) the requests it made to s.
func (r *rig) planOnce(ctx context.Context, dir string, env, vars []string, emu *emulatorProc, s *planSample) error {
	var before int
	if emu != nil {
		reqs, err := emu.settledRequests()
		if err != nil {
			return err
		}
		before = len(reqs)
	}
	sampler, err := r.sampleProviders()
	if err != nil {
		return err
	}
	res, err := r.mustRun(ctx, dir, env, []int{0, 2}, append(planArgs, vars...)...)
	used := sampler.stop()
	if err != nil {
		return err
	}
	s.walls = append(s.walls, res.wall)
	s.cpuTotal = append(s.cpuTotal, res.cpu)
	s.cpuProvider = append(s.cpuProvider, used.cpu)
	s.peakKiB = max(s.peakKiB, used.peakKiB)
	s.processes = max(s.processes, used.processes)
	if res.exitCode == 2 {
		s.changes = true
		s.planOutputs = res.output
	}
	if emu == nil {
		return nil
	}
	reqs, err := emu.settledRequests()
	if err != nil {
		return err
	}
	gets, other := 0, 0
	for _, req := range reqs[before:] {
		if isJobGet(req) {
			gets++
		} else {
			other++
		}
	}
	if gets+other >= s.statusGets+s.otherCalls {
		s.statusGets, s.otherCalls = gets, other
	}
	return nil
}

// profilePlan runs one plan through the profiled provider and keeps, as
// out, the largest of the profiles its processes wrote: the one that planned.
func (r *rig) profilePlan(ctx context.Context, dir string, env, vars []string, out string) error {
	prefix := filepath.Join(r.tmp, "cpu.pprof")
	env = append(withCLIConfig(env, r.profConfig), "SYNTH_BENCH_CPUPROFILE="+prefix)
	if _, err := r.mustRun(ctx, dir, env, []int{0, 2}, append(planArgs, vars...)...); err != nil {
		return fmt.Errorf("profiling a plan: %w", err)
	}
	found, _ := filepath.Glob(prefix + ".*")
	best, bestSize := "", int64(-1)
	for _, p := range found {
		if fi, err := os.Stat(p); err == nil && fi.Size() > bestSize {
			best, bestSize = p, fi.Size()
		}
	}
	if best == "" {
		return errors.New("the profiled provider wrote no CPU profile")
	}
	b, err := os.ReadFile(best)
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}

func writeConfig(dir, config string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644)
}

const (
	maxFloorRatio = 1.00 // real provider over the floor provider, 200-job plan wall
	maxProviderMB = 60
)

// planTable checks the targets and returns the table, with the problems
// that mean the measurement itself is broken.
func planTable(res *planResult, repeats int) (*table, []string) {
	t := &table{
		title: fmt.Sprintf("2. Plan cost (`terraform plan -refresh=true`, median of %d)", repeats),
		header: []string{"configuration", "plan wall", "CPU: terraform / provider", "real / floor", "floor / terraform_data",
			"provider peak RSS", "provider processes", "status GETs / other requests during refresh", "plan", "target", "result"},
	}
	var broken []string
	dataWall := median(res.data.walls)
	largest := 0
	for i, s := range res.synth {
		if s.resources > res.synth[largest].resources {
			largest = i
		}
	}
	for i, s := range res.synth {
		wall := median(s.walls)
		var f planSample
		if i < len(res.floor) {
			f = res.floor[i]
		}
		floorWall := median(f.walls)
		realOverFloor, floorOverData := "—", "—"
		if floorWall > 0 {
			realOverFloor = fmt.Sprintf("%.2f×", wall.Seconds()/floorWall.Seconds())
		}
		if dataWall > 0 && floorWall > 0 && s.resources == res.data.resources {
			floorOverData = fmt.Sprintf("%.2f×", floorWall.Seconds()/dataWall.Seconds())
		}
		var v verdict
		target := fmt.Sprintf("1 GET per job; RSS < %d MiB", maxProviderMB)
		v.check(s.statusGets == s.resources && s.otherCalls == 0, "%d GETs + %d other requests for %d jobs",
			s.statusGets, s.otherCalls, s.resources)
		v.check(s.peakKiB < maxProviderMB*1024, "%s ≥ %d MiB (+%s)", mib(s.peakKiB), maxProviderMB, mib(s.peakKiB-maxProviderMB*1024))
		if i == largest && floorWall > 0 {
			target += fmt.Sprintf("; ≤ %.2f× floor", maxFloorRatio)
			ratio := wall.Seconds() / floorWall.Seconds()
			v.check(ratio <= maxFloorRatio, "%.2f× floor > %.2f× (+%s)", ratio, maxFloorRatio,
				seconds(wall-time.Duration(maxFloorRatio*float64(floorWall))))
		}
		plan := "no changes"
		if s.changes {
			plan = "CHANGES"
			broken = append(broken, fmt.Sprintf("the plan of %d applied jobs is not empty:\n%s", s.resources, tail(s.planOutputs, 2000)))
		}
		t.addJudged(v, fmt.Sprintf("%d × synth_rl_job", s.resources), seconds(wall), cpuSplit(s), realOverFloor, "—", mib(s.peakKiB), fmt.Sprint(s.processes),
			fmt.Sprintf("%d / %d", s.statusGets, s.otherCalls), plan, target, v.String())
		if s.statusGets == 0 || s.peakKiB == 0 || s.processes == 0 {
			broken = append(broken, fmt.Sprintf("plan of %d jobs: %d status GETs, peak RSS %d KiB, %d provider processes: the measurement saw nothing",
				s.resources, s.statusGets, s.peakKiB, s.processes))
		}
		floorPlan := "no changes"
		if f.changes {
			floorPlan = "CHANGES"
			broken = append(broken, fmt.Sprintf("the floor provider's plan of %d applied jobs is not empty:\n%s", s.resources, tail(f.planOutputs, 2000)))
		}
		if len(f.walls) == 0 || f.processes == 0 || f.peakKiB == 0 {
			broken = append(broken, fmt.Sprintf("the floor provider did not plan %d jobs", s.resources))
		} else if f.statusGets+f.otherCalls != 0 {
			broken = append(broken, fmt.Sprintf("the floor provider made %d requests planning %d jobs", f.statusGets+f.otherCalls, s.resources))
		}
		t.add(fmt.Sprintf("%d × floor provider", s.resources), seconds(floorWall), cpuSplit(f), "1×", floorOverData, mib(f.peakKiB), fmt.Sprint(f.processes),
			fmt.Sprintf("%d / %d", f.statusGets, f.otherCalls), floorPlan, "—", "—")
	}
	t.add(fmt.Sprintf("%d × terraform_data", res.data.resources), seconds(dataWall), cpuSplit(res.data), "—", "1×", "no provider", "0", "—",
		map[bool]string{false: "no changes", true: "CHANGES"}[res.data.changes], "—", "—")
	if res.data.changes {
		broken = append(broken, "the terraform_data plan is not empty")
	}
	var applies []string
	for _, s := range res.synth {
		applies = append(applies, fmt.Sprintf("to %d in %s", s.resources, seconds(s.applyWall)))
	}
	t.notes = append(t.notes, fmt.Sprintf("The jobs were applied first by the real provider, growing one configuration (%s), "+
		"against the emulator binary with jobs that run 1 s; %d terraform_data applied in %s. Each state is then planned "+
		"alternately by the real provider and by the floor provider (internal/bench/floorprovider: the real provider's own "+
		"schemas, Read returns the prior state, no ModifyPlan, no HTTP), through the same wrapper. Peak RSS is the highest VmHWM "+
		"sampled every 10 ms from /proc for any provider process of the plans; status GETs are counted from the emulator's "+
		"request log, for the plan with the most requests. CPU is user + system time: Terraform's own (its total, which "+
		"includes the providers it reaped, minus theirs) and the provider processes' as last sampled from /proc.", strings.Join(applies, ", "), res.data.resources, seconds(res.data.applyWall)))
	return t, broken
}

// cpuSplit is the median CPU time of Terraform itself and of its providers.
func cpuSplit(s planSample) string {
	total, provider := median(s.cpuTotal), median(s.cpuProvider)
	if provider == 0 {
		return seconds(total) + " / —"
	}
	return seconds(total-provider) + " / " + seconds(provider)
}
