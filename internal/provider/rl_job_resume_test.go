package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// A job submitted without waiting, then waited for in place, that fails:
// an error from Update cannot taint, so the plan itself must resubmit it.
func TestRLJob_failedResumedWaitIsReplaced(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: 3 * time.Second})
	env.emu.SetNextOutcome(emulator.Outcome{Status: "failed", Reason: "reward collapsed to zero"})
	job := func(wait bool) string {
		return env.provider("") + baseJob(env.taskAppURL, fmt.Sprintf("wait_for_completion = %t", wait))
	}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: job(false)},
			{
				Config: job(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(jobAddr, plancheck.ResourceActionUpdate)},
				},
				ExpectError: regexp.MustCompile(`(?s)RL job failed.*reward collapsed to zero.*next plan replaces it with a new job`),
			},
			replacesFailedJobStep(job(true), jobAddr, env.countCreates),
		},
	})
}

// A failed job that nobody waits for is left alone: the user asked not to.
func TestRLJob_failedJobWithoutWaitIsKept(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	env.emu.SetNextOutcome(emulator.Outcome{Status: "failed", Reason: "reward collapsed to zero"})
	config := env.provider("") + baseJob(env.taskAppURL, "wait_for_completion = false")

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() { time.Sleep(700 * time.Millisecond) }, // the job fails meanwhile
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact("failed")),
				},
			},
		},
	})
	if n := env.countCreates(); n != 1 {
		t.Fatalf("backend saw %d creates, want 1", n)
	}
}

// A resumed wait that times out leaves the job untainted in state, and the
// next apply waits for it again rather than submitting a new one.
func TestRLJob_timedOutResumedWaitWaitsAgain(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: 6 * time.Second})
	job := func(extra string) string {
		return env.provider("") + baseJob(env.taskAppURL, extra)
	}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: job("wait_for_completion = false")},
			{
				Config:      job(`timeouts = { create = "1s" }`),
				ExpectError: regexp.MustCompile(`(?s)Timed out waiting for the RL job.*not tainted, so the next apply waits for it again`),
			},
			{
				Config: job(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(jobAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
				},
				Check: func(*terraform.State) error {
					if n := env.countCreates(); n != 1 {
						return fmt.Errorf("backend saw %d creates, want 1: the job was waited for, not resubmitted", n)
					}
					return nil
				},
			},
		},
	})
}

// replacesFailedJobStep applies config over the job at addr that failed: the
// plan replaces it, and the replacement, the backend's second create,
// succeeds.
func replacesFailedJobStep(config, addr string, creates func() int) resource.TestStep {
	return resource.TestStep{
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace)},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
		},
		Check: func(*terraform.State) error {
			if n := creates(); n != 2 {
				return fmt.Errorf("backend saw %d creates, want 2 (the failed job and its replacement)", n)
			}
			return nil
		},
	}
}
