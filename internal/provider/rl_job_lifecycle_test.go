package provider

import (
	"testing"
	"time"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// What the job page says about `lifecycle { destroy = false }` beside
// on_destroy = "abandon", and about a before_destroy watch, on the CLIs that
// have them.

func TestRLJob_lifecycleDestroyFalseForgetsTheRunningJob(t *testing.T) {
	cli := newAnyCLI(t, "lifecycle { destroy = false }", "1.16.0", "1.12.0")
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour})
	cli.write("main.tf", requiredProviders+env.provider("")+baseJob(env.taskAppURL, `
  wait_for_completion = false
  on_destroy          = "cancel"
  lifecycle {
    destroy = false
  }`))
	cli.mustRun("init", "-input=false")
	cli.mustRun("apply", "-auto-approve", "-input=false")
	id := cli.stateJobID()
	if id == "" {
		t.Fatal("no job in state after the apply")
	}

	args := []string{"destroy", "-auto-approve", "-input=false"}
	if cli.tofu {
		// OpenTofu fails a destroy that leaves forgotten objects behind
		// unless told that this is meant.
		args = append(args, "-suppress-forget-errors")
	}
	out := cli.mustRun(args...)
	// The provider is not asked to destroy anything: not even on_destroy =
	// "cancel" stops the job.
	if n := env.countCancels(id); n != 0 {
		t.Errorf("destroy with lifecycle.destroy = false sent %d cancels for job %s:\n%s", n, id, out)
	}
	if got := cli.stateJobID(); got != "" {
		t.Errorf("job %s is still in state after the destroy", got)
	}
	api, err := synthapi.NewClient(env.backendURL, testAPIKey)
	if err != nil {
		t.Fatal(err)
	}
	if job, err := api.GetJob(t.Context(), id); err != nil || job.Phase() != synthapi.PhaseRunning {
		t.Errorf("job %s after it was forgotten: %+v, %v; want it running", id, job, err)
	}
}

func TestRLJob_beforeDestroyWatchLetsTheTrainingFinish(t *testing.T) {
	cli := newTFCLI(t, "before_destroy actions")
	if !cli.atLeast("1.16.0") {
		t.Skipf("Terraform %s has no before_destroy trigger; it needs 1.16", cli.version)
	}
	env := newTestEnv(t, emulator.Options{RunTime: 3 * time.Second})
	cli.write("main.tf", beforeDestroyWatch(env, ""))
	cli.mustRun("init", "-input=false")
	cli.mustRun("apply", "-auto-approve", "-input=false")
	id := cli.stateJobID()
	out := cli.mustRun("destroy", "-auto-approve", "-input=false")

	// The watch ran to the job's end before the destroy, which then had
	// nothing to cancel.
	expectLines(t, out, `job `+id+` succeeded: rl:Qwen/Qwen3-4B:`, `Destroy complete! Resources: 1 destroyed`)
	if n := env.countCancels(id); n != 0 {
		t.Errorf("the destroy cancelled job %s %d times after the watch saw it finish:\n%s", id, n, out)
	}
}

// A before_destroy watch that gives up does not stop the destroy on
// Terraform 1.16, whatever on_failure says: the job page says so.
func TestRLJob_beforeDestroyWatchThatTimesOutDestroysAnyway(t *testing.T) {
	cli := newTFCLI(t, "before_destroy actions")
	if !cli.atLeast("1.16.0") {
		t.Skipf("Terraform %s has no before_destroy trigger; it needs 1.16", cli.version)
	}
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour})
	cli.write("main.tf", beforeDestroyWatch(env, `timeout = "1s"`))
	cli.mustRun("init", "-input=false")
	cli.mustRun("apply", "-auto-approve", "-input=false")
	id := cli.stateJobID()
	out := cli.mustRun("destroy", "-auto-approve", "-input=false")

	expectLines(t, out, `Timed out while watching the RL job`, `Destroy complete! Resources: 1 destroyed`)
	if n := env.countCancels(id); n != 1 {
		t.Errorf("the destroy after the failed watch sent %d cancels for job %s, want 1 (on_destroy = \"cancel\"):\n%s", n, id, out)
	}
}

// beforeDestroyWatch is an unwaited job whose destroy first watches it.
func beforeDestroyWatch(env *testEnv, watchSettings string) string {
	return requiredProviders + env.provider("") + baseJob(env.taskAppURL, `
  wait_for_completion = false
  lifecycle {
    action_trigger {
      events  = [before_destroy]
      actions = [action.synth_rl_job_watch.finish]
    }
  }`) + `
action "synth_rl_job_watch" "finish" {
  config {
    id = caller.id
    ` + watchSettings + `
  }
}
`
}
