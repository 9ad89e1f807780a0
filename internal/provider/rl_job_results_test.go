package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// emulatorFinalReward is the reward an emulated job that succeeds ends on,
// and the last value of its mean_return series.
const emulatorFinalReward = 0.8

// emulatorDefaultSteps is how many steps an emulated job reports when its
// config does not say.
const emulatorDefaultSteps = 4

func (env *testEnv) countMetricsReads() int {
	n := 0
	for _, r := range env.emu.Requests() {
		if r.Method == "GET" && strings.HasSuffix(r.Path, "/metrics") {
			n++
		}
	}
	return n
}

func resultsPath(parts ...string) tfjsonpath.Path {
	p := tfjsonpath.New("results")
	for _, part := range parts {
		p = p.AtMapKey(part)
	}
	return p
}

// succeededResults are the checks of the results of an emulated job that
// succeeded, at addr.
func succeededResults(addr string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, resultsPath("final_reward"), knownvalue.Float64Exact(emulatorFinalReward)),
		statecheck.ExpectKnownValue(addr, resultsPath("values"), knownvalue.MapExact(map[string]knownvalue.Check{
			"final_reward": knownvalue.Float64Exact(emulatorFinalReward),
		})),
		statecheck.ExpectKnownValue(addr, resultsPath("metrics", "mean_return"), knownvalue.ObjectExact(map[string]knownvalue.Check{
			"value": knownvalue.Float64Exact(emulatorFinalReward),
			"step":  knownvalue.Int64Exact(emulatorDefaultSteps),
		})),
		statecheck.ExpectKnownValue(addr, resultsPath("metrics", "loss", "step"), knownvalue.Int64Exact(emulatorDefaultSteps)),
		statecheck.ExpectKnownValue(addr, resultsPath("checkpoints"), knownvalue.ListExact([]knownvalue.Check{
			knownvalue.ObjectExact(map[string]knownvalue.Check{
				"name":       knownvalue.StringExact("checkpoint-epoch-1"),
				"model_id":   knownvalue.StringRegexp(regexp.MustCompile(`^rl:Qwen/Qwen3-4B:job_\w+:checkpoint-epoch-1$`)),
				"epoch":      knownvalue.Int64Exact(1),
				"step":       knownvalue.Int64Exact(emulatorDefaultSteps),
				"created_at": knownvalue.StringRegexp(rfc3339),
			}),
		})),
	}
}

func TestRLJob_resultsAfterTheWaitAndStableOnRefresh(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := env.provider("") + baseJob(env.taskAppURL, "")
	var metricsReadsAfterApply int

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(jobAddr, tfjsonpath.New("results"))},
				},
				ConfigStateChecks: succeededResults(jobAddr),
				Check: func(*terraform.State) error {
					metricsReadsAfterApply = env.countMetricsReads()
					if metricsReadsAfterApply == 0 {
						return fmt.Errorf("the metrics route was never read")
					}
					return nil
				},
			},
			{
				// A refresh of the finished job changes nothing and reads no
				// metrics: they are in state already.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: succeededResults(jobAddr),
				Check: func(*terraform.State) error {
					if n := env.countMetricsReads(); n != metricsReadsAfterApply {
						return fmt.Errorf("refreshing the finished job read its metrics again: %d reads, %d after the apply", n, metricsReadsAfterApply)
					}
					return nil
				},
			},
		},
	})
}

func TestRLJob_resultsOfAFailedJobFilledByTheRefreshThatSeesItEnd(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	env.emu.SetNextOutcome(emulator.Outcome{Status: "failed", Reason: "reward collapsed to zero"})
	config := env.provider("") + baseJob(env.taskAppURL, "wait_for_completion = false")

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact("queued")),
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("results"), knownvalue.Null()),
				},
			},
			{
				PreConfig: func() { time.Sleep(700 * time.Millisecond) }, // past the emulated run time
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact("failed")),
					statecheck.ExpectKnownValue(jobAddr, resultsPath("final_reward"), knownvalue.Null()),
					statecheck.ExpectKnownValue(jobAddr, resultsPath("values"), knownvalue.MapExact(map[string]knownvalue.Check{})),
					statecheck.ExpectKnownValue(jobAddr, resultsPath("checkpoints"), knownvalue.Null()),
					// It failed at its end, after the last progress it reported.
					statecheck.ExpectKnownValue(jobAddr, resultsPath("metrics", "mean_return", "step"), knownvalue.Int64Exact(emulatorDefaultSteps-1)),
					statecheck.ExpectKnownValue(jobAddr, resultsPath("metrics", "loss", "value"), knownvalue.NotNull()),
				},
			},
		},
	})
}

func TestRLJobDataSource_results(t *testing.T) {
	env := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: -1})
	id := env.seedJob(t, "Qwen/Qwen3-4B")
	env.emu.SetNextOutcome(emulator.Outcome{Status: "running"})
	running := env.seedJob(t, "Qwen/Qwen3-4B")

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: rlJobDataConfig(env, id) + fmt.Sprintf(`
data "synth_rl_job" "running" {
  id = %q
}
`, running),
			ConfigStateChecks: append(succeededResults(rlJobDataAddr),
				statecheck.ExpectKnownValue("data.synth_rl_job.running", tfjsonpath.New("results"), knownvalue.Null())),
		}},
	})
}

func TestListRLJob_includeResourceCarriesResults(t *testing.T) {
	env := newTestEnv(t, emulator.Options{QueueTime: -1, RunTime: -1})
	id := env.seedJob(t, "Qwen/Qwen3-4B")

	queryTest(t, env, `
list "synth_rl_job" "full" {
  provider         = synth
  include_resource = true
  config {}
}
`,
		querycheck.ExpectLength("synth_rl_job.full", 1),
		querycheck.ExpectResourceKnownValues("synth_rl_job.full", hasID(id), []querycheck.KnownValueCheck{
			{Path: resultsPath("final_reward"), KnownValue: knownvalue.Float64Exact(emulatorFinalReward)},
			{Path: resultsPath("metrics", "mean_return", "step"), KnownValue: knownvalue.Int64Exact(emulatorDefaultSteps)},
		}),
	)
}
