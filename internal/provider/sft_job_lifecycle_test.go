package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// A job submitted without waiting is waited for in place, once
// wait_for_completion is set, and its model resolved: no second job.
func TestSFTJob_resumedWaitInPlace(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: 2 * time.Second, SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1}})
	job := uploadedSFTJob(t, env, "wait_for_completion = %t")

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{
			{Config: env.provider("") + fmt.Sprintf(job, false)},
			{
				Config: env.provider("") + fmt.Sprintf(job, true),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(sftJobAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(sftJobAddr, tfjsonpath.New("fine_tuned_model")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sftJobAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
					statecheck.ExpectKnownValue(sftJobAddr, tfjsonpath.New("fine_tuned_model"), sftModelID),
				},
				Check: func(*terraform.State) error {
					if n := env.countSFTCreates(); n != 1 {
						return fmt.Errorf("%d creates, want 1", n)
					}
					return nil
				},
			},
		},
	})
}

// A job that fails during a resumed wait is replaced on the next apply.
func TestSFTJob_failedResumedWaitIsReplaced(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: 3 * time.Second, SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1}})
	env.emu.SetNextOutcome(emulator.Outcome{Status: "failed", Reason: "loss diverged"})
	job := uploadedSFTJob(t, env, "wait_for_completion = %t")

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{
			{Config: env.provider("") + fmt.Sprintf(job, false)},
			{
				Config:      env.provider("") + fmt.Sprintf(job, true),
				ExpectError: regexp.MustCompile(`(?s)SFT job failed.*loss diverged.*next plan replaces it with a new job`),
			},
			replacesFailedJobStep(env.provider("")+fmt.Sprintf(job, true), sftJobAddr, env.countSFTCreates),
		},
	})
}

// The identity is the job id, and an import block naming it adopts the job
// and plans no change.
func TestSFTJob_identityAndImportByIdentity(t *testing.T) {
	env := newTestEnv(t, emulator.Options{SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1}})
	config := env.provider("") + uploadedSFTJob(t, env, `  validation = { eval_steps = 10 }`)

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		TerraformVersionChecks:   identityCLIs,
		Steps: []tfresource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(sftJobAddr, map[string]knownvalue.Check{
						"id": knownvalue.StringRegexp(regexp.MustCompile(`^job_`)),
					}),
					statecheck.ExpectIdentityValueMatchesState(sftJobAddr, tfjsonpath.New("id")),
					statecheck.CompareValue(compare.ValuesSame()).AddStateValue(sftJobAddr, tfjsonpath.New("id")),
				},
			},
			{
				Config:          config,
				ResourceName:    sftJobAddr,
				ImportState:     true,
				ImportStateKind: tfresource.ImportBlockWithResourceIdentity,
			},
			{
				Config:          config,
				ResourceName:    sftJobAddr,
				ImportState:     true,
				ImportStateKind: tfresource.ImportBlockWithID,
			},
		},
	})
}
