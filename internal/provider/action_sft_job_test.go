package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// seedSFTJob uploads a dataset and submits and starts an SFT job of base
// straight on the emulated backend, as `synth-ai train --type sft` would,
// and returns the job. hp are the job's hyperparameters beyond the step
// count (n_epochs, 1 unless given).
func (env *testEnv) seedSFTJob(t *testing.T, base string, hp map[string]any) *synthapi.Job {
	t.Helper()
	job := env.createSFTJob(t, base, hp)
	if _, err := testClient(t, env).SFT().StartJob(t.Context(), job.ID, synthapi.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	return job
}

// createSFTJob is seedSFTJob without the start: the job stays created.
func (env *testEnv) createSFTJob(t *testing.T, base string, hp map[string]any) *synthapi.Job {
	t.Helper()
	p := filepath.Join(t.TempDir(), "train.jsonl")
	writeTrainingFile(t, p, datasetV1)
	values := rlconfig.Values{"model": {"base": base}, "compute": {"gpu_type": "H100"}}
	if hp != nil {
		values["hyperparameters"] = hp
	}
	resolved, found := rlconfig.ResolveSFT(rlconfig.SFTInput{Overrides: rlconfig.SFTOverrides{
		Values: values, TrainingFileID: uploadWithClient(t, env, p),
	}})
	if found.HasError() {
		t.Fatal(found)
	}
	api := testClient(t, env)
	job, err := api.SFT().CreateJob(t.Context(), rlconfig.BuildSFTPayload(resolved), uuid.NewString())
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func (env *testEnv) countSFTCancels(id string) int {
	return env.emu.Count(emulator.TargetBackend, "POST", sftCreatePath+"/"+id+"/cancel")
}

// The watch of an SFT job shows its training: the status changes, the
// trace's events, and metric lines with the epoch, the training loss and
// the validation loss; it ends with the trained model, which the backend
// names only seconds after the job succeeded.
func TestSFTJobAction_watchShowsLossesAndEpochs(t *testing.T) {
	cli := newTFCLI(t, "actions")
	env := newTestEnv(t, emulator.Options{QueueTime: 300 * time.Millisecond, RunTime: 2 * time.Second,
		SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: time.Second}})
	job := env.seedSFTJob(t, sftTestBase, map[string]any{"n_epochs": int64(2)})

	cli.write("main.tf", actionConfig(env, "synth_sft_job_watch", job.ID))
	cli.mustRun("init", "-input=false")
	out := cli.mustRun("apply", "-auto-approve", "-input=false", "-invoke=action.synth_sft_job_watch.this")

	expectLines(t, out,
		`job `+job.ID+` is (created|queued|running)`,
		`job `+job.ID+`: (queued|running) → succeeded`,
		`\[\d+\] sft\.job\.started`,
		`\[\d+\] sft\.train\.progress: Step \d+/\d+ \(epoch \d\): train\.loss`,
		`\[\d+\] sft\.job\.completed`,
		`step \d+ · epoch 2 · train\.loss [0-9.]+ · val\.loss [0-9.]+ · \d+s elapsed`,
		`job `+job.ID+` succeeded: `+regexp.QuoteMeta(sftModelPrefix)+job.ID,
	)
	if n := env.emu.Count(emulator.TargetBackend, "GET", "/api/rl/jobs/"+job.ID); n != 0 {
		t.Errorf("the SFT watch read the RL route %d times", n)
	}
}

func TestSFTJobAction_watchFailingJob(t *testing.T) {
	cli := newTFCLI(t, "actions")
	env := newTestEnv(t, emulator.Options{SFT: emulator.SFTOptions{FileReadyLag: -1}})
	env.emu.SetNextOutcome(emulator.Outcome{Status: "failed", Reason: "dataset has no assistant turns", ErrorEvents: []string{"tokenizer rejected line 7"}})
	job := env.seedSFTJob(t, sftTestBase, nil)

	cli.write("main.tf", actionConfig(env, "synth_sft_job_watch", job.ID))
	cli.mustRun("init", "-input=false")
	out, err := cli.run("apply", "-auto-approve", "-input=false", "-invoke=action.synth_sft_job_watch.this")
	if err == nil {
		t.Fatalf("watching a failing SFT job succeeded:\n%s", out)
	}
	expectLines(t, out, `SFT job failed`, `Job `+job.ID+` ended failed: dataset has no assistant turns`,
		`ERROR \[\d+\] .*tokenizer rejected line 7`)
}

func TestSFTJobAction_cancelRunningJob(t *testing.T) {
	cli := newTFCLI(t, "actions")
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour, SFT: emulator.SFTOptions{FileReadyLag: -1}})
	job := env.seedSFTJob(t, sftTestBase, nil)

	cli.write("main.tf", actionConfig(env, "synth_sft_job_cancel", job.ID))
	cli.mustRun("init", "-input=false")
	out := cli.mustRun("apply", "-auto-approve", "-input=false", "-invoke=action.synth_sft_job_cancel.this")

	expectLines(t, out, `cancel sent for job `+job.ID, `job `+job.ID+` stopped: cancelled`)
	if n := env.countSFTCancels(job.ID); n != 1 {
		t.Errorf("backend saw %d SFT cancels, want 1", n)
	}
	if got, _ := env.emu.Job(job.ID); got.Status != "cancelled" {
		t.Errorf("job is %s after the action, want cancelled", got.Status)
	}
}

// The pattern the watch's page shows: a fine-tune that is not waited for,
// watched after its create. The watch follows the job to its trained model,
// and the job is in state.
func TestSFTJobAction_watchAfterCreateOfUnwaitedJob(t *testing.T) {
	cli := newTFCLI(t, "actions")
	env := newTestEnv(t, emulator.Options{QueueTime: 300 * time.Millisecond, RunTime: time.Second,
		SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1}})

	cli.write("main.tf", requiredProviders+sftJobConfig(t, env, datasetV1, `
  wait_for_completion = false

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.synth_sft_job_watch.fft]
    }
  }
`)+`
action "synth_sft_job_watch" "fft" {
  config {
    id = synth_sft_job.fft.id
  }
}
`)
	cli.mustRun("init", "-input=false")
	out := cli.mustRun("apply", "-auto-approve", "-input=false")

	jobs := env.sftJobs()
	if len(jobs) != 1 {
		t.Fatalf("backend holds %d SFT jobs, want 1", len(jobs))
	}
	id := jobs[0].ID
	expectLines(t, out,
		`Action action\.synth_sft_job_watch\.fft \(triggered by synth_sft_job\.fft\): job `+id+` is`,
		`step \d+ · epoch 1 · train\.loss [0-9.]+ · val\.loss [0-9.]+ · `,
		`job `+id+` succeeded: `+regexp.QuoteMeta(sftModelPrefix)+id,
	)
	state, err := os.ReadFile(filepath.Join(cli.dir, "terraform.tfstate"))
	if err != nil || !strings.Contains(string(state), `"id": "`+id+`"`) {
		t.Errorf("job %s is not in state (%v):\n%s", id, err, state)
	}
}

// §12: a paused job has not finished, yet there is nothing to wait for; the
// watch stops and says so, rather than waiting out its timeout.
func TestSFTJobAction_watchStopsAtAPausedJob(t *testing.T) {
	cli := newTFCLI(t, "actions")
	env := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: -1, SFT: emulator.SFTOptions{FileReadyLag: -1}})
	env.emu.SetNextOutcome(emulator.Outcome{Status: "paused"})
	job := env.seedSFTJob(t, sftTestBase, nil)

	cli.write("main.tf", actionConfig(env, "synth_sft_job_watch", job.ID))
	cli.mustRun("init", "-input=false")
	out, err := cli.run("apply", "-auto-approve", "-input=false", "-invoke=action.synth_sft_job_watch.this")
	if err == nil {
		t.Fatalf("watching a paused SFT job succeeded:\n%s", out)
	}
	expectLines(t, out, `SFT job is paused`, `Job `+job.ID+` is paused on the backend`)
}
