package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

func TestSFTJobsDataSource_filtersAndLimit(t *testing.T) {
	clock := emulator.NewManualClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	env := newTestEnv(t, emulator.Options{QueueTime: time.Minute, RunTime: 10 * time.Minute, Clock: clock,
		SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1, JobListShape: "data"}})
	first := env.seedSFTJob(t, sftTestBase, nil)
	env.emu.SetNextOutcome(emulator.Outcome{Status: "failed", Reason: "out of memory"})
	failed := env.seedSFTJob(t, "Qwen/Qwen3-0.6B", nil)
	clock.Advance(time.Hour)
	second := env.seedSFTJob(t, sftTestBase, nil)
	clock.Advance(time.Hour)
	env.seedJob(t, sftTestBase) // an RL job is not listed

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.provider("") + `
data "synth_sft_jobs" "all" {}

data "synth_sft_jobs" "succeeded" {
  status = "succeeded"
}

data "synth_sft_jobs" "later" {
  created_after = "2026-03-01T09:30:00Z"
}

data "synth_sft_jobs" "one" {
  limit = 1
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.synth_sft_jobs.all", tfjsonpath.New("jobs"), jobIDs(first.ID, failed.ID, second.ID)),
				statecheck.ExpectKnownValue("data.synth_sft_jobs.all", tfjsonpath.New("jobs").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id":               knownvalue.StringExact(first.ID),
					"status":           knownvalue.StringExact("succeeded"),
					"created_at":       knownvalue.StringExact("2026-03-01T09:00:00Z"),
					"finished_at":      knownvalue.StringRegexp(rfc3339),
					"base_model":       knownvalue.StringExact(sftTestBase),
					"training_file_id": knownvalue.StringExact(first.TrainingFileID),
					"fine_tuned_model": knownvalue.StringExact(sftModelPrefix + first.ID),
				})),
				statecheck.ExpectKnownValue("data.synth_sft_jobs.succeeded", tfjsonpath.New("jobs"), jobIDs(first.ID, second.ID)),
				statecheck.ExpectKnownValue("data.synth_sft_jobs.later", tfjsonpath.New("jobs"), jobIDs(second.ID)),
				statecheck.ExpectKnownValue("data.synth_sft_jobs.one", tfjsonpath.New("jobs"), jobIDs(first.ID)),
			},
			Check: func(*terraform.State) error {
				// status and created_after are the backend's to filter (§10).
				var status, after bool
				for _, q := range env.sftListQueries() {
					status = status || q.Get("status") == "succeeded"
					after = after || q.Get("created_after") == "2026-03-01T09:30:00Z"
				}
				if !status || !after {
					t.Errorf("filters not sent to the backend: %v", env.sftListQueries())
				}
				return nil
			},
		}},
	})
}
