package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

const sftJobDataAddr = "data.synth_sft_job.test"

func sftJobDataConfig(env *testEnv, id string) string {
	return env.provider("") + fmt.Sprintf(`
data "synth_sft_job" "test" {
  id = %q
}
`, id)
}

func dataValue(attr string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(sftJobDataAddr, tfjsonpath.New(attr), check)
}

func TestSFTJobDataSource_succeededJob(t *testing.T) {
	// Jobs start and finish at once, and name their model as they finish.
	env := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: -1, SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1}})
	job := env.seedSFTJob(t, sftTestBase, map[string]any{"n_epochs": int64(2), "learning_rate": 2e-5})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: sftJobDataConfig(env, job.ID),
			ConfigStateChecks: []statecheck.StateCheck{
				dataValue("id", knownvalue.StringExact(job.ID)),
				dataValue("status", knownvalue.StringExact("succeeded")),
				dataValue("fine_tuned_model", knownvalue.StringExact(sftModelPrefix+job.ID)),
				dataValue("output_model_id", knownvalue.StringExact(sftModelPrefix+job.ID)),
				dataValue("base_model", knownvalue.StringExact(sftTestBase)),
				dataValue("training_type", knownvalue.StringExact("sft_offline")),
				dataValue("training_file_id", knownvalue.StringExact(job.TrainingFileID)),
				dataValue("validation_file_id", knownvalue.Null()),
				dataValue("hyperparameters_json", knownvalue.StringRegexp(regexp.MustCompile(`^\{.*"learning_rate":2e-05.*"n_epochs":2[,}]`))),
				dataValue("effective_config_json", knownvalue.StringRegexp(regexp.MustCompile(`^\{"compute":\{"gpu_type":"H100".*"training":\{"mode":"full_finetune"`))),
				dataValue("error_message", knownvalue.Null()),
				dataValue("created_at", knownvalue.StringRegexp(rfc3339)),
				dataValue("finished_at", knownvalue.StringRegexp(rfc3339)),
			},
		}},
	})
}

// A job that succeeded moments ago may not name its model yet (§12): the
// data source says so with a null, and never waits.
func TestSFTJobDataSource_runningJobAndALateModel(t *testing.T) {
	env := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: time.Hour, SFT: emulator.SFTOptions{FileReadyLag: -1}})
	running := env.seedSFTJob(t, sftTestBase, nil)
	env2 := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: -1, SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: time.Hour}})
	unnamed := env2.seedSFTJob(t, sftTestBase, nil)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: sftJobDataConfig(env, running.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					dataValue("status", knownvalue.StringExact("running")),
					dataValue("started_at", knownvalue.StringRegexp(rfc3339)),
					dataValue("finished_at", knownvalue.Null()),
					dataValue("fine_tuned_model", knownvalue.Null()),
					dataValue("error_message", knownvalue.Null()),
				},
			},
			{
				Config: sftJobDataConfig(env2, unnamed.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					dataValue("status", knownvalue.StringExact("succeeded")),
					dataValue("fine_tuned_model", knownvalue.Null()),
					dataValue("output_model_id", knownvalue.Null()),
				},
			},
		},
	})
}

func TestSFTJobDataSource_failedJob(t *testing.T) {
	env := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: -1, SFT: emulator.SFTOptions{FileReadyLag: -1}})
	env.emu.SetNextOutcome(emulator.Outcome{Status: "failed", Reason: "dataset has no assistant turns"})
	job := env.seedSFTJob(t, sftTestBase, nil)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: sftJobDataConfig(env, job.ID),
			ConfigStateChecks: []statecheck.StateCheck{
				dataValue("status", knownvalue.StringExact("failed")),
				dataValue("error_message", knownvalue.StringExact("dataset has no assistant turns")),
				dataValue("fine_tuned_model", knownvalue.Null()),
			},
		}},
	})
}

func TestSFTJobDataSource_unknownJobIsAnErrorNamingIt(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config:      sftJobDataConfig(env, "job_does_not_exist"),
			ExpectError: regexp.MustCompile(`(?s)SFT job not found.*"job_does_not_exist".*HTTP 404`),
		}},
	})
}
