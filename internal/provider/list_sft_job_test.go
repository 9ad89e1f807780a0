package provider

import (
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// sftListQueries are the queries of GET /api/learning/jobs.
func (env *testEnv) sftListQueries() []url.Values {
	var out []url.Values
	for _, r := range env.emu.Requests() {
		if r.Target == emulator.TargetBackend && r.Method == "GET" && r.Path == sftCreatePath {
			q, _ := url.ParseQuery(r.RawQuery)
			out = append(out, q)
		}
	}
	return out
}

func TestListSFTJob_filters(t *testing.T) {
	clock := emulator.NewManualClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	env := newTestEnv(t, emulator.Options{QueueTime: time.Minute, RunTime: 10 * time.Minute, Clock: clock,
		SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1}})

	fft := env.seedSFTJob(t, sftTestBase, nil)
	small := env.seedSFTJob(t, "Qwen/Qwen3-0.6B", nil)
	env.emu.SetNextOutcome(emulator.Outcome{Status: "failed", Reason: "out of memory"})
	failed := env.seedSFTJob(t, sftTestBase, nil)
	clock.Advance(time.Hour) // all three have finished
	env.emu.SetNextOutcome(emulator.Outcome{Status: "running"})
	running := env.seedSFTJob(t, sftTestBase, nil)
	created := env.createSFTJob(t, sftTestBase, nil) // never started
	clock.Advance(2 * time.Minute)
	env.seedJob(t, sftTestBase) // an RL job is not listed

	checks := []querycheck.QueryResultCheck{}
	checks = append(checks, expectIDs("synth_sft_job.succeeded", fft.ID, small.ID)...)
	checks = append(checks, expectIDs("synth_sft_job.failed", failed.ID)...)
	checks = append(checks, expectIDs("synth_sft_job.running", running.ID)...)
	checks = append(checks, expectIDs("synth_sft_job.queued", created.ID)...)
	checks = append(checks, expectIDs("synth_sft_job.small", small.ID)...)
	checks = append(checks, expectIDs("synth_sft_job.later", running.ID, created.ID)...)
	checks = append(checks, expectIDs("synth_sft_job.first_hour", fft.ID, small.ID, failed.ID)...)
	checks = append(checks, querycheck.ExpectLength("synth_sft_job.two", 2),
		querycheck.ExpectResourceDisplayName("synth_sft_job.succeeded", hasID(fft.ID),
			knownvalue.StringExact(fft.ID+" · succeeded · "+sftTestBase+" · → "+sftModelPrefix+fft.ID+" · created 2026-03-01T09:00:00Z")),
		querycheck.ExpectResourceDisplayName("synth_sft_job.queued", hasID(created.ID),
			knownvalue.StringExact(created.ID+" · queued · "+sftTestBase+" · created 2026-03-01T10:00:00Z")),
	)

	queryTest(t, env, `
list "synth_sft_job" "succeeded" {
  provider = synth
  config {
    status = ["succeeded"]
  }
}

list "synth_sft_job" "failed" {
  provider = synth
  config {
    status = ["failed", "cancelled"]
  }
}

list "synth_sft_job" "running" {
  provider = synth
  config {
    status = ["running"]
  }
}

list "synth_sft_job" "queued" {
  provider = synth
  config {
    status = ["queued"]
  }
}

list "synth_sft_job" "small" {
  provider = synth
  config {
    model = "Qwen/Qwen3-0.6B"
  }
}

list "synth_sft_job" "later" {
  provider = synth
  config {
    created_after = "2026-03-01T09:30:00Z"
  }
}

list "synth_sft_job" "first_hour" {
  provider = synth
  config {
    created_before = "2026-03-01T09:30:00Z"
  }
}

list "synth_sft_job" "two" {
  provider = synth
  limit    = 2
  config {}
}
`, checks...)

	// created_after is the backend's to filter (§10); every listing asks
	// for SFT jobs only.
	var askedAfter bool
	for _, q := range env.sftListQueries() {
		if q.Get("type") != "sft_offline" {
			t.Errorf("an SFT listing asked for type %q", q.Get("type"))
		}
		askedAfter = askedAfter || q.Get("created_after") == "2026-03-01T09:30:00Z"
	}
	if !askedAfter {
		t.Errorf("created_after was not sent to the backend: %v", env.sftListQueries())
	}
}

func TestListSFTJob_includeResource(t *testing.T) {
	env := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: -1, SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1}})
	job := env.seedSFTJob(t, sftTestBase, map[string]any{"n_epochs": int64(3), "batch_size": int64(8)})
	env.seedSFTJob(t, "Qwen/Qwen3-0.6B", nil)

	queryTest(t, env, `
list "synth_sft_job" "full" {
  provider         = synth
  include_resource = true
  config {
    model = "`+sftTestBase+`"
  }
}
`,
		querycheck.ExpectLength("synth_sft_job.full", 1),
		querycheck.ExpectResourceKnownValues("synth_sft_job.full", hasID(job.ID), []querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(job.ID)},
			{Path: tfjsonpath.New("status"), KnownValue: knownvalue.StringExact("succeeded")},
			{Path: tfjsonpath.New("training_file_id"), KnownValue: knownvalue.StringExact(job.TrainingFileID)},
			{Path: tfjsonpath.New("model").AtMapKey("base"), KnownValue: knownvalue.StringExact(sftTestBase)},
			{Path: tfjsonpath.New("compute").AtMapKey("gpu_type"), KnownValue: knownvalue.StringExact("H100")},
			{Path: tfjsonpath.New("hyperparameters").AtMapKey("n_epochs"), KnownValue: knownvalue.Int64Exact(3)},
			{Path: tfjsonpath.New("hyperparameters").AtMapKey("batch_size"), KnownValue: knownvalue.Int64Exact(8)},
			{Path: tfjsonpath.New("fine_tuned_model"), KnownValue: knownvalue.StringExact(sftModelPrefix + job.ID)},
			{Path: tfjsonpath.New("effective_config"), KnownValue: knownvalue.StringRegexp(regexp.MustCompile(`"training_type":"sft_offline"`))},
		}),
	)
}

// Fine-tunes started outside Terraform: terraform query writes resource and
// import blocks for them, and the plan that follows imports them and
// changes nothing.
func TestListSFTJob_generatedConfigPlansClean(t *testing.T) {
	cli := newTFCLI(t, "terraform query")
	env := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: -1, SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1}})
	fft := env.seedSFTJob(t, sftTestBase, nil)
	tuned := env.seedSFTJob(t, sftTestBase, map[string]any{"n_epochs": int64(2), "learning_rate": 1e-5, "warmup_ratio": 0.1})
	env.seedSFTJob(t, "Qwen/Qwen3-0.6B", nil) // another model

	cli.write("main.tf", requiredProviders+env.provider(""))
	cli.write("jobs.tfquery.hcl", `
list "synth_sft_job" "qwen3_4b" {
  provider         = synth
  include_resource = true

  config {
    status = ["succeeded"]
    model  = "`+sftTestBase+`"
  }
}
`)
	cli.mustRun("init", "-input=false")
	cli.mustRun("query", "-generate-config-out=generated.tf")

	expectNoOpImports(t, cli, "generated.tf", fft.ID, tuned.ID)
}
