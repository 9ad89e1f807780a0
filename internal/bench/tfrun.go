package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The Terraform machinery shared by the plan-cost and fan-out benchmarks: the
// provider built and installed through dev_overrides behind a wrapper that
// records its pids, the emulator binary run as a subprocess, and Terraform
// run with a clean environment.

// providerAddress is the provider's registry address, as main.go serves it.
const providerAddress = "registry.terraform.io/synth-laboratories/synth"

// rig is the built binaries and the Terraform CLI configuration in one
// temporary directory.
type rig struct {
	moduleRoot  string
	tmp         string
	terraform   string // absolute path of the terraform binary
	providerBin string // the real provider binary
	floorBin    string // the floor provider: the real schemas, no work
	profiledBin string // the real provider with a CPU profile hook (built with -cpuprofile only)
	emulatorBin string
	cliConfig   string // TF_CLI_CONFIG_FILE
	floorConfig string // TF_CLI_CONFIG_FILE that installs the floor provider instead
	profConfig  string // TF_CLI_CONFIG_FILE that installs the profiled provider instead
	pidFile     string // the wrapper appends each provider pid here
	home        string
}

// newRig builds the provider and the emulator into tmp and writes the
// wrapper and the CLI configuration.
func newRig(ctx context.Context, moduleRoot, tmp string, profiled bool) (*rig, error) {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return nil, fmt.Errorf("terraform is not on PATH: %w", err)
	}
	r := &rig{
		moduleRoot:  moduleRoot,
		tmp:         tmp,
		terraform:   tf,
		providerBin: filepath.Join(tmp, "bin", "terraform-provider-synth"),
		// The same file name as the real binary, so that the sampler, which
		// knows provider processes by name, sees it too.
		floorBin:    filepath.Join(tmp, "bin-floor", "terraform-provider-synth"),
		profiledBin: filepath.Join(tmp, "bin-profiled", "terraform-provider-synth"),
		emulatorBin: filepath.Join(tmp, "bin", "synth-emulator"),
		cliConfig:   filepath.Join(tmp, "terraformrc"),
		floorConfig: filepath.Join(tmp, "terraformrc-floor"),
		profConfig:  filepath.Join(tmp, "terraformrc-profiled"),
		pidFile:     filepath.Join(tmp, "provider.pids"),
		home:        filepath.Join(tmp, "home"),
	}
	if err := goBuild(ctx, moduleRoot, r.providerBin, "."); err != nil {
		return nil, err
	}
	if err := goBuild(ctx, moduleRoot, r.floorBin, "./internal/bench/floorprovider"); err != nil {
		return nil, err
	}
	if profiled {
		if err := goBuild(ctx, moduleRoot, r.profiledBin, "./internal/bench/profiledprovider"); err != nil {
			return nil, err
		}
	}
	if err := goBuild(ctx, moduleRoot, r.emulatorBin, "./internal/emulator/cmd/synth-emulator"); err != nil {
		return nil, err
	}

	// dev_overrides points at a directory holding a wrapper under the
	// provider's name: it records its pid, then execs the real binary, which
	// keeps that pid, so /proc/<pid> is the provider itself.
	for _, inst := range []struct{ plugins, bin, config string }{
		{filepath.Join(tmp, "plugins"), r.providerBin, r.cliConfig},
		{filepath.Join(tmp, "plugins-floor"), r.floorBin, r.floorConfig},
		{filepath.Join(tmp, "plugins-profiled"), r.profiledBin, r.profConfig},
	} {
		if err := installProvider(inst.plugins, inst.bin, inst.config, r.pidFile); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(r.home, 0o755); err != nil {
		return nil, err
	}
	return r, nil
}

// installProvider writes, in plugins, a wrapper under the provider's name
// that records its pid in pidFile and execs bin, and a CLI configuration
// whose dev_overrides point at it.
func installProvider(plugins, bin, config, pidFile string) error {
	if err := os.MkdirAll(plugins, 0o755); err != nil {
		return err
	}
	wrapper := fmt.Sprintf("#!/bin/sh\necho $$ >> %s\nexec %s \"$@\"\n", shQuote(pidFile), shQuote(bin))
	if err := os.WriteFile(filepath.Join(plugins, "terraform-provider-synth"), []byte(wrapper), 0o755); err != nil {
		return err
	}
	cfg := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", providerAddress, plugins)
	return os.WriteFile(config, []byte(cfg), 0o644)
}

// floorEnv is env with the floor provider installed in place of the real one.
func (r *rig) floorEnv(env []string) []string { return withCLIConfig(env, r.floorConfig) }

func withCLIConfig(env []string, config string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=") {
			kv = "TF_CLI_CONFIG_FILE=" + config
		}
		out = append(out, kv)
	}
	return out
}

func goBuild(ctx context.Context, dir, out, pkg string) error {
	cmd := exec.CommandContext(ctx, goBinary(), "build", "-o", out, pkg)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// baseEnv is the clean environment every Terraform process gets, plus extra
// NAME=value pairs (the emulator's variables).
func (r *rig) baseEnv(extra ...string) []string {
	env := []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=" + r.home,
		"TF_IN_AUTOMATION=1",
		"TF_CLI_CONFIG_FILE=" + r.cliConfig,
		"CHECKPOINT_DISABLE=1", // no update check: nothing but loopback traffic
	}
	return append(env, extra...)
}

// tfResult is one finished Terraform command.
type tfResult struct {
	wall     time.Duration
	cpu      time.Duration // user + system of terraform and every child it reaped (its providers)
	exitCode int
	output   string
}

// run runs terraform with args in dir. A non-zero exit is not an error here:
// plan's -detailed-exitcode gives 2 for a plan with changes; callers judge.
func (r *rig) run(ctx context.Context, dir string, env []string, args ...string) (tfResult, error) {
	cmd := exec.CommandContext(ctx, r.terraform, args...)
	cmd.Dir = dir
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Terraform and its provider processes share one process group, so that
	// an interrupted benchmark kills them all and leaves nothing behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second

	start := time.Now()
	err := cmd.Run()
	res := tfResult{wall: time.Since(start), output: out.String()}
	if ps := cmd.ProcessState; ps != nil {
		// wait4 reports the child's usage together with its own reaped
		// children's, so this is Terraform plus its provider processes.
		res.cpu = ps.UserTime() + ps.SystemTime()
	}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr) && ctx.Err() == nil:
		res.exitCode = exitErr.ExitCode()
	case err != nil:
		return res, fmt.Errorf("terraform %s: %w", strings.Join(args, " "), err)
	}
	return res, nil
}

// mustRun is run that also requires one of the given exit codes (0 when none).
func (r *rig) mustRun(ctx context.Context, dir string, env []string, okCodes []int, args ...string) (tfResult, error) {
	res, err := r.run(ctx, dir, env, args...)
	if err != nil {
		return res, err
	}
	if len(okCodes) == 0 {
		okCodes = []int{0}
	}
	for _, c := range okCodes {
		if res.exitCode == c {
			return res, nil
		}
	}
	return res, fmt.Errorf("terraform %s exited %d:\n%s", strings.Join(args, " "), res.exitCode, tail(res.output, 3000))
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// terraformVersion is the first line of `terraform version`.
func (r *rig) terraformVersion(ctx context.Context) (string, error) {
	res, err := r.mustRun(ctx, r.tmp, r.baseEnv(), nil, "version")
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(res.output, "\n")
	return strings.TrimSpace(line), nil
}

// emulatorProc is the synth-emulator binary running as a subprocess.
type emulatorProc struct {
	cmd     *exec.Cmd
	done    chan struct{}
	logPath string
	vars    map[string]string // SYNTH_BACKEND_URL, SYNTH_API_KEY, TASK_APP_URL, ENVIRONMENT_API_KEY
}

// emulatorVars are the variables the emulator's env file must provide.
var emulatorVars = []string{"SYNTH_BACKEND_URL", "SYNTH_API_KEY", "TASK_APP_URL", "ENVIRONMENT_API_KEY"}

// startEmulator runs the emulator with the given queue and run times, its
// request log going to a file in dir, and waits for its env file.
func (r *rig) startEmulator(ctx context.Context, dir string, queue, run time.Duration, extra ...string) (*emulatorProc, error) {
	envFile := filepath.Join(dir, "emulator.env")
	logPath := filepath.Join(dir, "emulator.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	cmd := exec.Command(r.emulatorBin, append([]string{"-env-file", envFile,
		"-queue-time=" + queue.String(), "-run-time=" + run.String()}, extra...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Uploaded training files go under dir, which the benchmark removes
	// whatever happens to the emulator.
	cmd.Env = []string{"PATH=/usr/bin:/bin", "TMPDIR=" + dir}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the emulator: %w", err)
	}
	e := &emulatorProc{cmd: cmd, done: make(chan struct{}), logPath: logPath}
	go func() { _ = cmd.Wait(); close(e.done) }()

	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		vars, err := readEnvFile(envFile)
		if err == nil {
			e.vars = vars
			break
		}
		select {
		case <-e.done:
			b, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("the emulator exited before writing %s: %s", envFile, tail(string(b), 2000))
		case <-ctx.Done():
			e.stop()
			return nil, ctx.Err()
		case <-deadline.C:
			e.stop()
			return nil, fmt.Errorf("the emulator wrote no %s within 30 s", envFile)
		case <-time.After(20 * time.Millisecond):
		}
	}
	for _, name := range emulatorVars {
		if e.vars[name] == "" {
			e.stop()
			return nil, fmt.Errorf("the emulator's env file has no %s", name)
		}
	}
	return e, nil
}

// readEnvFile reads NAME=value lines, undoing the emulator's shell quoting.
func readEnvFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	vars := map[string]string{}
	for line := range strings.Lines(string(b)) {
		name, value, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		if len(value) >= 2 && value[0] == '\'' && value[len(value)-1] == '\'' {
			value = strings.ReplaceAll(value[1:len(value)-1], `'\''`, `'`)
		}
		vars[name] = value
	}
	return vars, nil
}

// env is the variables Terraform needs to reach this emulator.
func (e *emulatorProc) env() []string {
	var env []string
	for _, name := range emulatorVars {
		env = append(env, name+"="+e.vars[name])
	}
	return env
}

// stop ends the emulator: SIGTERM, then SIGKILL after five seconds.
func (e *emulatorProc) stop() {
	if e == nil || e.cmd.Process == nil {
		return
	}
	select {
	case <-e.done:
		return
	default:
	}
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.done:
	case <-time.After(5 * time.Second):
		_ = e.cmd.Process.Kill()
		<-e.done
	}
}

// logRequest is one line of the emulator's request log.
type logRequest struct {
	target, method, path string
	at                   time.Time // when the emulator logged it (zero if unreadable)
}

// requests returns the requests the emulator has logged, oldest first. The
// emulator logs a request once it has answered it, which can be a moment
// after the client has the answer, so callers wait for the log to settle.
func (e *emulatorProc) requests() ([]logRequest, error) {
	f, err := os.Open(e.logPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var reqs []logRequest
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "synth-emulator: 2025/06/01 00:00:00.000000 backend GET    /api/rl/jobs/x 200"
		fields := strings.Fields(sc.Text())
		for i, f := range fields {
			if (f == "backend" || f == "taskapp") && i+2 < len(fields) && strings.HasPrefix(fields[i+2], "/") {
				req := logRequest{target: f, method: fields[i+1], path: fields[i+2]}
				if i >= 2 {
					req.at, _ = time.ParseInLocation("2006/01/02 15:04:05.000000", fields[i-2]+" "+fields[i-1], time.Local)
				}
				reqs = append(reqs, req)
				break
			}
		}
	}
	return reqs, sc.Err()
}

// settledRequests waits until the request log stops growing (100 ms without
// a new line, at most 3 s) and returns it.
func (e *emulatorProc) settledRequests() ([]logRequest, error) {
	var last []logRequest
	deadline := time.Now().Add(3 * time.Second)
	for {
		time.Sleep(100 * time.Millisecond)
		reqs, err := e.requests()
		if err != nil {
			return nil, err
		}
		if (last != nil && len(reqs) == len(last)) || time.Now().After(deadline) {
			return reqs, nil
		}
		last = reqs
	}
}

// isJobGet reports whether req is a status request: GET /api/rl/jobs/{id}.
func isJobGet(req logRequest) bool {
	id, ok := strings.CutPrefix(req.path, "/api/rl/jobs/")
	return ok && req.target == "backend" && req.method == "GET" && id != "" && !strings.Contains(id, "/")
}

// providerSampler watches the provider processes the wrapper starts and
// keeps, for each, the highest VmHWM (the kernel's peak resident set), the
// last CPU time and the last count of bytes read seen.
type providerSampler struct {
	pidFile string
	stopCh  chan struct{}
	wg      sync.WaitGroup

	mu    sync.Mutex
	procs map[int]*procSample
}

type procSample struct {
	peakKiB   int64
	cpu       time.Duration // utime + stime at the last sample
	readBytes int64         // rchar at the last sample
}

// sampleProviders truncates the pid file and samples every 10 ms until stop.
func (r *rig) sampleProviders() (*providerSampler, error) {
	if err := os.WriteFile(r.pidFile, nil, 0o644); err != nil {
		return nil, err
	}
	s := &providerSampler{pidFile: r.pidFile, stopCh: make(chan struct{}), procs: map[int]*procSample{}}
	s.wg.Go(func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			s.sample()
			select {
			case <-s.stopCh:
				return
			case <-tick.C:
			}
		}
	})
	return s, nil
}

func (s *providerSampler) sample() {
	b, _ := os.ReadFile(s.pidFile)
	for _, line := range strings.Fields(string(b)) {
		pid, err := strconv.Atoi(line)
		if err != nil {
			continue
		}
		hwm, cpu, ok := readProvider(pid)
		s.mu.Lock()
		p := s.procs[pid]
		if p == nil {
			p = &procSample{} // counted as started even if never caught alive
			s.procs[pid] = p
		}
		if ok {
			p.peakKiB = max(p.peakKiB, hwm)
			p.cpu = max(p.cpu, cpu)
			p.readBytes = max(p.readBytes, readChars(pid))
		}
		s.mu.Unlock()
	}
}

// clockTick is the unit of utime and stime in /proc/<pid>/stat (USER_HZ,
// 100 on every Linux Terraform runs on).
const clockTick = 10 * time.Millisecond

// readProvider reads VmHWM and CPU time of pid, if pid is (still) the
// provider: after the wrapper's exec its command name is the provider's.
func readProvider(pid int) (hwmKiB int64, cpu time.Duration, ok bool) {
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil || !strings.HasPrefix("terraform-provider-synth", strings.TrimSpace(string(comm))) {
		return 0, 0, false
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, false
	}
	for line := range strings.Lines(string(status)) {
		if rest, found := strings.CutPrefix(line, "VmHWM:"); found {
			hwmKiB, err = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, 0, false
			}
		}
	}
	// utime and stime are fields 14 and 15; the command name (field 2) is
	// in parentheses and may hold spaces, so count from the last ')'.
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return hwmKiB, 0, hwmKiB > 0
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(fields) > 12 {
		utime, _ := strconv.ParseInt(fields[11], 10, 64)
		stime, _ := strconv.ParseInt(fields[12], 10, 64)
		cpu = time.Duration(utime+stime) * clockTick
	}
	return hwmKiB, cpu, hwmKiB > 0
}

// readChars is rchar of /proc/<pid>/io: the bytes pid has had from read
// calls, from files, pipes and sockets alike, whether or not the page cache
// held them (read_bytes counts only what came from the disk, which says
// nothing of a file read twice). 0 when unreadable.
func readChars(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, found := strings.CutPrefix(line, "rchar:"); found {
			n, _ := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
			return n
		}
	}
	return 0
}

// providerUsage is what the provider processes of one Terraform command used.
type providerUsage struct {
	peakKiB   int64         // the highest VmHWM of any of them
	cpu       time.Duration // their CPU time, summed (as last sampled)
	readBytes int64         // their rchar, summed (as last sampled)
	processes int           // how many were started
}

// stop ends sampling and returns what the providers used.
func (s *providerSampler) stop() providerUsage {
	close(s.stopCh)
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	u := providerUsage{processes: len(s.procs)}
	for _, p := range s.procs {
		u.peakKiB = max(u.peakKiB, p.peakKiB)
		u.cpu += p.cpu
		u.readBytes += p.readBytes
	}
	return u
}
