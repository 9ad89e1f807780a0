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

func TestAction_cancelRunningJob(t *testing.T) {
	cli := newTFCLI(t, "actions")
	env := newTestEnv(t, emulator.Options{})
	env.emu.SetNextOutcome(emulator.Outcome{Status: "running"})
	id := env.seedJob(t, "Qwen/Qwen3-4B")

	cli.write("main.tf", actionConfig(env, "synth_rl_job_cancel", id))
	cli.mustRun("init", "-input=false")
	out := cli.mustRun("apply", "-auto-approve", "-input=false", "-invoke=action.synth_rl_job_cancel.this")

	expectLines(t, out, `cancel sent for job `+id, `job `+id+` stopped: cancelled`)
	if n := env.countCancels(id); n != 1 {
		t.Errorf("backend saw %d cancels, want 1", n)
	}
	if job, _ := env.emu.Job(id); job.Status != "cancelled" {
		t.Errorf("job is %s after the action, want cancelled", job.Status)
	}
}

func TestAction_cancelFinishedJob(t *testing.T) {
	cli := newTFCLI(t, "actions")
	env := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: -1})
	id := env.seedJob(t, "Qwen/Qwen3-4B")

	cli.write("main.tf", actionConfig(env, "synth_rl_job_cancel", id))
	cli.mustRun("init", "-input=false")
	out := cli.mustRun("apply", "-auto-approve", "-input=false", "-invoke=action.synth_rl_job_cancel.this")

	expectLines(t, out, `job `+id+` has already finished \(succeeded\); nothing to cancel`)
	if n := env.countCancels(id); n != 0 {
		t.Errorf("backend saw %d cancels of a finished job, want 0", n)
	}
}

func TestAction_cancelUnknownJob(t *testing.T) {
	cli := newTFCLI(t, "actions")
	env := newTestEnv(t, emulator.Options{})

	cli.write("main.tf", actionConfig(env, "synth_rl_job_cancel", "job_does_not_exist"))
	cli.mustRun("init", "-input=false")
	out, err := cli.run("apply", "-auto-approve", "-input=false", "-invoke=action.synth_rl_job_cancel.this")
	if err == nil {
		t.Fatalf("cancelling an unknown job succeeded:\n%s", out)
	}
	expectLines(t, out, `The backend has no job job_does_not_exist \(HTTP 404\)`)
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

func TestAction_watchAfterCreateOfUnwaitedJob(t *testing.T) {
	cli := newTFCLI(t, "actions")
	env := newTestEnv(t, emulator.Options{RunTime: 2e9})

	// Only the watch reads metrics: what the state file holds at its first
	// read is what a killed apply would have left behind.
	var (
		mu            sync.Mutex
		seen          bool
		idDuringWatch string
	)
	env.emu.OnRequest(func(r emulator.Request) {
		if !strings.HasSuffix(r.Path, "/metrics") {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if !seen {
			seen, idDuringWatch = true, cli.stateJobID()
		}
	})

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
	mu.Lock()
	defer mu.Unlock()
	if idDuringWatch != id {
		t.Errorf("while the watch ran the state file held job %q, want %q", idDuringWatch, id)
	}
	expectLines(t, out,
		`synth_rl_job\.test: Creation complete`,
		`Action started: action\.synth_rl_job_watch\.test`,
		`Action action\.synth_rl_job_watch\.test \(triggered by synth_rl_job\.test\): job `+id+`: (queued|running) → succeeded`,
		`Action action\.synth_rl_job_watch\.test \(triggered by synth_rl_job\.test\): step \d+ · loss`,
	)
	if created := strings.Index(out, "Creation complete"); created > strings.Index(out, "Action started") {
		t.Errorf("the watch started before the job was created:\n%s", out)
	}
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
