package provider

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// actionConfig is a configuration holding one action on the given job.
func actionConfig(env *testEnv, kind, id string) string {
	return requiredProviders + env.provider("") + `
action "` + kind + `" "this" {
  config {
    id = "` + id + `"
  }
}
`
}

func (env *testEnv) countCancels(id string) int {
	return env.emu.Count(emulator.TargetBackend, "POST", "/api/rl/jobs/"+id+"/cancel")
}

// expectLines fails the test unless each pattern matches a line of out.
func expectLines(t *testing.T, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(`(?m)` + p).MatchString(out) {
			t.Errorf("no line matches %q in the CLI output:\n%s", p, out)
		}
	}
}

func TestAction_cancel(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts emulator.Options
		// seed makes the job the action names; nil names one that does not exist.
		seed    func(env *testEnv) string
		fails   bool
		lines   func(id string) []string
		cancels int
		// status is what the backend says of the job afterwards; "" skips the check.
		status string
	}{
		{
			name: "running job",
			seed: func(env *testEnv) string {
				env.emu.SetNextOutcome(emulator.Outcome{Status: "running"})
				return env.seedJob(t, "Qwen/Qwen3-4B")
			},
			lines: func(id string) []string {
				return []string{`cancel sent for job ` + id, `job ` + id + ` stopped: cancelled`}
			},
			cancels: 1,
			status:  "cancelled",
		},
		{
			name: "finished job",
			opts: emulator.Options{QueueTime: -1, RunTime: -1},
			seed: func(env *testEnv) string { return env.seedJob(t, "Qwen/Qwen3-4B") },
			lines: func(id string) []string {
				return []string{`job ` + id + ` has already finished \(succeeded\); nothing to cancel`}
			},
			status: "succeeded",
		},
		{
			name:  "unknown job",
			fails: true,
			lines: func(id string) []string { return []string{`The backend has no job ` + id + ` \(HTTP 404\)`} },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cli := newTFCLI(t, "actions")
			env := newTestEnv(t, tc.opts)
			id := "job_does_not_exist"
			if tc.seed != nil {
				id = tc.seed(env)
			}

			cli.write("main.tf", actionConfig(env, "synth_rl_job_cancel", id))
			cli.mustRun("init", "-input=false")
			out, err := cli.run("apply", "-auto-approve", "-input=false", "-invoke=action.synth_rl_job_cancel.this")
			if failed := err != nil; failed != tc.fails {
				t.Fatalf("action failed = %v, want %v:\n%s", failed, tc.fails, out)
			}
			expectLines(t, out, tc.lines(id)...)
			if n := env.countCancels(id); n != tc.cancels {
				t.Errorf("backend saw %d cancels, want %d", n, tc.cancels)
			}
			if job, _ := env.emu.Job(id); tc.status != "" && job.Status != tc.status {
				t.Errorf("job is %s after the action, want %s", job.Status, tc.status)
			}
		})
	}
}

func TestAction_watchSucceedingJob(t *testing.T) {
	cli := newTFCLI(t, "actions")
	env := newTestEnv(t, emulator.Options{QueueTime: 300e6, RunTime: 2e9})
	id := env.seedJob(t, "Qwen/Qwen3-4B")

	cli.write("main.tf", actionConfig(env, "synth_rl_job_watch", id))
	cli.mustRun("init", "-input=false")
	out := cli.mustRun("apply", "-auto-approve", "-input=false", "-invoke=action.synth_rl_job_watch.this")

	expectLines(t, out,
		`job `+id+` is (queued|running)`,
		`job `+id+`: (queued|running) → succeeded`,
		`\[\d+\] rl\.job\.started`,
		`\[\d+\] rl\.job\.completed`,
		`step \d+ · loss [0-9.e-]+ · mean_return [0-9.e-]+ · \d+s elapsed`,
		`job `+id+` succeeded: rl:Qwen/Qwen3-4B:`,
	)
	// The cursors: no event is shown twice.
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`\[(\d+)\] rl\.`).FindAllStringSubmatch(out, -1) {
		if seen[m[1]] {
			t.Errorf("event %s was shown twice", m[1])
		}
		seen[m[1]] = true
	}
}

func TestAction_watchFailingJob(t *testing.T) {
	cli := newTFCLI(t, "actions")
	env := newTestEnv(t, emulator.Options{})
	env.emu.SetNextOutcome(emulator.Outcome{Status: "failed", Reason: "CUDA out of memory", ErrorEvents: []string{"rollout worker 3 crashed"}})
	id := env.seedJob(t, "Qwen/Qwen3-4B")

	cli.write("main.tf", actionConfig(env, "synth_rl_job_watch", id))
	cli.mustRun("init", "-input=false")
	out, err := cli.run("apply", "-auto-approve", "-input=false", "-invoke=action.synth_rl_job_watch.this")
	if err == nil {
		t.Fatalf("watching a failing job succeeded:\n%s", out)
	}
	expectLines(t, out, `RL job failed`, `Job `+id+` ended failed: CUDA out of memory`, `ERROR \[\d+\] .*rollout worker 3 crashed`)
	if strings.Contains(out, "succeeded") {
		t.Errorf("the output of a failed job mentions success:\n%s", out)
	}
}

// stateJobID reads the job id from the CLI's state file as it is on disk now.
func (c *tfCLI) stateJobID() string {
	raw, err := os.ReadFile(filepath.Join(c.dir, "terraform.tfstate"))
	if err != nil {
		return ""
	}
	var state struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Attributes struct {
					ID string `json:"id"`
				} `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if json.Unmarshal(raw, &state) != nil {
		return ""
	}
	for _, r := range state.Resources {
		if r.Type == "synth_rl_job" && len(r.Instances) == 1 {
			return r.Instances[0].Attributes.ID
		}
	}
	return ""
}

// The after_create watch of a job that is not waited for. Where the job id is
// when the watch starts depends on the CLI: Terraform 1.14 and 1.15 report
// the create and save the state first, so a killed apply loses nothing;
// Terraform 1.16 runs the action inside the create and saves the state after
// it, so the id is not on disk while the watch runs (the never-twice check
// and the import hint cover a kill there; TestExample_watchTraining116 shows
// the two-step way that keeps the id on disk).
func TestAction_watchAfterCreateOfUnwaitedJob(t *testing.T) {
	cli := newTFCLI(t, "actions")
	env := newTestEnv(t, emulator.Options{RunTime: 2e9})
	idDuringWatch := recordStateAtFirstMetricsRead(env, cli)

	cli.write("main.tf", requiredProviders+env.provider("")+`
resource "synth_rl_job" "test" {
  model = {
    base = "Qwen/Qwen3-4B"
  }
  services = {
    task_url = "`+env.taskAppURL+`"
  }
  wait_for_completion = false

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.synth_rl_job_watch.test]
    }
  }
}

action "synth_rl_job_watch" "test" {
  config {
    id = synth_rl_job.test.id
  }
}
`)
	cli.mustRun("init", "-input=false")
	out := cli.mustRun("apply", "-auto-approve", "-input=false")

	id := cli.stateJobID()
	if id == "" {
		t.Fatalf("no job in state after the apply:\n%s", out)
	}
	expectLines(t, out,
		`synth_rl_job\.test: Creation complete`,
		`Action started: action\.synth_rl_job_watch\.test`,
		`Action action\.synth_rl_job_watch\.test \(triggered by synth_rl_job\.test\): job `+id+`: (queued|running) → succeeded`,
		`Action action\.synth_rl_job_watch\.test \(triggered by synth_rl_job\.test\): step \d+ · loss`,
	)
	created, started := strings.Index(out, "Creation complete"), strings.Index(out, "Action started")
	if cli.atLeast("1.16.0") {
		if got := idDuringWatch(); got != "" {
			t.Errorf("Terraform %s: while the watch ran the state file held job %q; 1.16 saves it after the action", cli.version, got)
		}
		if created < started {
			t.Errorf("Terraform %s: the create was reported complete before the watch started; 1.16 runs the action first:\n%s", cli.version, out)
		}
		expectLines(t, out, `The triggering resource object can be accessed via the "caller" symbol`)
		return
	}
	if got := idDuringWatch(); got != id {
		t.Errorf("Terraform %s: while the watch ran the state file held job %q, want %q", cli.version, got, id)
	}
	if created > started {
		t.Errorf("Terraform %s: the watch started before the job was created:\n%s", cli.version, out)
	}
}

// recordStateAtFirstMetricsRead returns what the CLI's state file held when
// the backend first served a job's metrics. Only the watch reads metrics, so
// that is what a kill during the watch would have left behind.
func recordStateAtFirstMetricsRead(env *testEnv, cli *tfCLI) func() string {
	var (
		mu   sync.Mutex
		seen bool
		id   string
	)
	env.emu.OnRequest(func(r emulator.Request) {
		if !strings.HasSuffix(r.Path, "/metrics") {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if !seen {
			seen, id = true, cli.stateJobID()
		}
	})
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		if !seen {
			cli.t.Fatal("the backend served no metrics: the watch never ran")
		}
		return id
	}
}

// On Terraform 1.16 the example submits first and watches second, so the
// job id is on disk for the whole watch, and the watch refers to its job
// through `caller`, which draws no warning.
func TestExample_watchTraining116(t *testing.T) {
	cli := newTFCLI(t, "actions")
	if !cli.atLeast("1.16.0") {
		t.Skipf("Terraform %s has no action `caller` or trigger `on_failure`; examples/watch-training-1.16 needs 1.16", cli.version)
	}
	env := newTestEnv(t, emulator.Options{RunTime: 2e9})
	useEmulatorEnvironment(t, env)
	idDuringWatch := recordStateAtFirstMetricsRead(env, cli)

	cli.copyExample("watch-training-1.16")
	cli.mustRun("init", "-input=false")
	submit := cli.mustRun("apply", "-auto-approve", "-input=false", "-var", "watch_after_create=false")
	id := cli.stateJobID()
	if id == "" {
		t.Fatalf("no job in state after the submitting apply:\n%s", submit)
	}
	if strings.Contains(submit, "Action started") {
		t.Errorf("the submitting apply ran the watch:\n%s", submit)
	}

	watch := cli.mustRun("apply", "-auto-approve", "-input=false", "-var", "watch_after_create=false",
		"-invoke=action.synth_rl_job_watch.training")
	if got := idDuringWatch(); got != id {
		t.Errorf("while the watch ran the state file held job %q, want %q", got, id)
	}
	expectLines(t, watch,
		`Action action\.synth_rl_job_watch\.training \(triggered by CLI, called from synth_rl_job\.training\): job `+id+`: (queued|running) → succeeded`,
	)
	for _, out := range []string{submit, watch} {
		if strings.Contains(out, "Reference to triggering resource") {
			t.Errorf("the example draws the 1.16 warning about referring to the triggering resource:\n%s", out)
		}
	}
	if n := env.countCreates(); n != 1 {
		t.Errorf("backend saw %d creates, want 1", n)
	}
}

// With on_failure = continue (Terraform 1.16), a training that fails is
// reported by the watch and kept in state, and the apply still succeeds.
func TestExample_watchTraining116FailedTrainingContinues(t *testing.T) {
	cli := newTFCLI(t, "actions")
	if !cli.atLeast("1.16.0") {
		t.Skipf("Terraform %s has no trigger `on_failure`; examples/watch-training-1.16 needs 1.16", cli.version)
	}
	env := newTestEnv(t, emulator.Options{RunTime: 1e9})
	useEmulatorEnvironment(t, env)
	env.emu.SetNextOutcome(emulator.Outcome{Status: "failed", Reason: "CUDA out of memory"})

	cli.copyExample("watch-training-1.16")
	cli.mustRun("init", "-input=false")
	out, err := cli.run("apply", "-auto-approve", "-input=false")
	if err != nil {
		t.Fatalf("the apply failed although the trigger says on_failure = continue: %v\n%s", err, out)
	}
	id := cli.stateJobID()
	if id == "" {
		t.Fatalf("the failed job is not in state:\n%s", out)
	}
	expectLines(t, out,
		`Job `+id+` ended failed: CUDA out of memory`,
		`Actions: 1 invoked, 1 failed`,
	)
}

func TestExample_watchTraining(t *testing.T) {
	cli := newTFCLI(t, "actions")
	env := newTestEnv(t, emulator.Options{RunTime: time.Second})
	useEmulatorEnvironment(t, env) // read by the provider, which runs in this process

	cli.copyExample("watch-training")
	cli.mustRun("init", "-input=false")
	out := cli.mustRun("apply", "-auto-approve", "-input=false")

	id := cli.stateJobID()
	expectLines(t, out,
		`Action action\.synth_rl_job_watch\.training \(triggered by synth_rl_job\.training\): job `+id+`: (queued|running) → succeeded`,
		`\[\d+\] rl\.job\.completed`,
	)
	if n := env.countCreates(); n != 1 {
		t.Errorf("backend saw %d creates, want 1", n)
	}
}
