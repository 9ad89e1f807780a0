package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// cliRun is a real Terraform CLI in a working directory, using the provider
// built from this tree through dev_overrides: the one way to SIGKILL
// Terraform in the middle of an apply.
type cliRun struct {
	t   *testing.T
	bin string
	dir string
	env []string
}

// buildProvider builds the provider from this tree into dir; with a warm
// build cache it is a link step.
func buildProvider(t *testing.T, dir string) {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "go", "build", "-o", filepath.Join(dir, "terraform-provider-synth"), "../..").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
}

func newCLIRun(t *testing.T, config string) *cliRun {
	t.Helper()
	bin := testCLIPath(t, "a hard kill")
	plugins, dir := t.TempDir(), t.TempDir()
	buildProvider(t, plugins)
	cliConfig := filepath.Join(dir, "cli.tfrc")
	// Terraform and OpenTofu resolve the provider's source on their own
	// registry hosts; one override for each serves either CLI.
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		"registry.terraform.io/synth-laboratories/synth", plugins, "registry.opentofu.org/synth-laboratories/synth", plugins)
	if err := os.WriteFile(cliConfig, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &cliRun{t: t, bin: bin, dir: dir, env: append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")}
	r.write("main.tf", "terraform {\n  required_providers {\n    synth = { source = \"synth-laboratories/synth\" }\n  }\n}\n"+config)
	return r
}

func (r *cliRun) write(name, content string) {
	r.t.Helper()
	if err := os.WriteFile(filepath.Join(r.dir, name), []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// command is terraform with args, in its own process group so that a kill
// reaches the provider too.
func (r *cliRun) command(ctx context.Context, args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, r.bin, append(args, "-no-color")...)
	cmd.Dir, cmd.Env = r.dir, r.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	return cmd, &out
}

// run runs terraform to the end, within a bound, and returns its output.
func (r *cliRun) run(args ...string) (string, error) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), 30*time.Second)
	defer cancel()
	cmd, out := r.command(ctx, args...)
	err := cmd.Run()
	return out.String(), err
}

func (r *cliRun) stateAttributes() map[string]any {
	r.t.Helper()
	raw, err := os.ReadFile(filepath.Join(r.dir, "terraform.tfstate"))
	if err != nil {
		r.t.Fatal(err)
	}
	var state struct {
		Resources []struct {
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		r.t.Fatal(err)
	}
	if len(state.Resources) != 1 || len(state.Resources[0].Instances) != 1 {
		r.t.Fatalf("state holds %d resources, want 1 job: %s", len(state.Resources), raw)
	}
	return state.Resources[0].Instances[0].Attributes
}

// waitFor polls cond until it holds or the bound passes.
func waitFor(t *testing.T, what string, bound time.Duration, cond func() bool, context func() string) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s:\n%s", bound, what, context())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killMidWait starts an apply, waits until the provider is polling the job it
// submitted (GET jobsPath/<id>), and SIGKILLs Terraform and the provider. It
// returns the job id, which the provider never got to save.
func killMidWait(t *testing.T, env *testEnv, r *cliRun, jobsPath string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd, out := r.command(ctx, "apply", "-auto-approve")
	var mu sync.Mutex
	cmd.Stdout = lockedWriter{&mu, out}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var id string
	waitFor(t, "the apply to poll its job", 20*time.Second, func() bool {
		select {
		case err := <-exited:
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("the apply ended before it could be killed (%v):\n%s", err, out)
		default:
		}
		if jobs := env.emu.Jobs(); len(jobs) == 1 {
			id = jobs[0].ID
		}
		return id != "" && env.emu.Count("backend", "GET", jobsPath+id) > 0
	}, func() string { mu.Lock(); defer mu.Unlock(); return out.String() })
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; err == nil {
		t.Fatalf("the killed apply exited cleanly: %s", out)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "terraform.tfstate")); err == nil {
		if strings.Contains(string(must(os.ReadFile(filepath.Join(r.dir, "terraform.tfstate")))), id) {
			t.Fatalf("the job id reached state before the kill; the test proves nothing")
		}
	}
	return id
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// rlHardKill is what the hard-kill tests need to know of synth_rl_job.
var rlHardKill = hardKillKind{
	noun: "RL job", jobsPath: "/api/rl/jobs/", address: jobAddr,
	model: "output_model_id", modelPrefix: "rl:Qwen/Qwen3-4B:",
}

// hardKillKind is one job resource as the hard-kill tests drive it.
type hardKillKind struct {
	noun, jobsPath, address string
	// model is the attribute that holds the trained model, which starts
	// with modelPrefix.
	model, modelPrefix string
}

func TestRLJob_hardKillMidWaitRecoversByImport(t *testing.T) {
	t.Run("typed attributes", func(t *testing.T) {
		testHardKillRecovery(t, rlHardKill, emulator.Options{}, func(env *testEnv) string { return baseJob(env.taskAppURL, "") })
	})
	// Import cannot recover config_toml, so the imported job differs from
	// this configuration in form only; it must not be replaced.
	t.Run("config_toml", func(t *testing.T) {
		testHardKillRecovery(t, rlHardKill, emulator.Options{}, func(env *testEnv) string {
			return fmt.Sprintf(`
resource "synth_rl_job" "test" {
  config_toml = <<-EOT
    [model]
    base = "Qwen/Qwen3-4B"

    [services]
    task_url = %q

    [training]
    learning_rate = 5e-5
    batch_size = 16
  EOT
}
`, env.taskAppURL)
		})
	})
}

// testHardKillRecovery kills an apply while it waits for its job, then
// checks that the next plan refuses to start the job again and shows how to
// adopt it, and that adopting it by import waits for it and plans clean.
func testHardKillRecovery(t *testing.T, kind hardKillKind, opts emulator.Options, job func(*testEnv) string) {
	clock := emulator.NewManualClock(time.Now())
	opts.Clock, opts.QueueTime, opts.RunTime = clock, time.Minute, time.Hour
	env := newTestEnv(t, opts)
	r := newCLIRun(t, env.provider("")+job(env))
	id := killMidWait(t, env, r, kind.jobsPath)

	out, err := r.run("plan")
	if err == nil {
		t.Fatalf("plan after the kill passed; it must stop a second job:\n%s", out)
	}
	for _, want := range []string{"An identical " + kind.noun + " is already running", id, "import {", "to = <this resource>", fmt.Sprintf("id = %q", id)} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}

	// Adopt it. The job finishes once the import has read it running, so
	// the apply has to wait for it.
	r.write("import.tf", fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", kind.address, id))
	var once sync.Once
	env.emu.OnRequest(func(req emulator.Request) {
		if req.Method == "GET" && req.Path == kind.jobsPath+id {
			once.Do(func() { clock.Advance(2 * time.Hour) })
		}
	})
	if out, err := r.run("apply", "-auto-approve"); err != nil {
		t.Fatalf("adopting apply failed: %v\n%s", err, out)
	}
	if n := env.emu.Count("backend", "POST", strings.TrimSuffix(kind.jobsPath, "/")); n != 1 {
		t.Errorf("%d creates in all, want the one before the kill", n)
	}
	attrs := r.stateAttributes()
	if attrs["id"] != id || attrs["status"] != "succeeded" || !strings.HasPrefix(fmt.Sprint(attrs[kind.model]), kind.modelPrefix) {
		t.Errorf("state after adoption: id %v, status %v, %s %v; want job %s succeeded with its model",
			attrs["id"], attrs["status"], kind.model, attrs[kind.model], id)
	}
	if out, err := r.run("plan", "-detailed-exitcode"); err != nil {
		t.Errorf("plan after adoption is not clean (%v):\n%s", err, out)
	}
}

func TestRLJob_hardKillJobFinishedDuringOutageWarns(t *testing.T) {
	clock := emulator.NewManualClock(time.Now())
	env := newTestEnv(t, emulator.Options{Clock: clock, QueueTime: time.Minute, RunTime: time.Hour})
	r := newCLIRun(t, env.provider("")+baseJob(env.taskAppURL, ""))
	id := killMidWait(t, env, r, rlHardKill.jobsPath)
	clock.Advance(2 * time.Hour)

	out, err := r.run("plan")
	if err != nil {
		t.Fatalf("plan failed; a finished identical job is only a warning: %v\n%s", err, out)
	}
	for _, want := range []string{"An identical RL job succeeded recently", id, "to = <this resource>"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
}
