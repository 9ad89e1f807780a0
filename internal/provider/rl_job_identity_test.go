package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// Resource identity is stored and sent by Terraform 1.12 and later; older
// CLIs and OpenTofu 1.12 ignore it, and import by id keeps working there
// (TestRLJob_import).
var identityCLIs = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

func TestRLJob_identityIsTheJobID(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	job := func(wait bool) string {
		return env.provider("") + baseJob(env.taskAppURL, fmt.Sprintf("wait_for_completion = %t", wait))
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		TerraformVersionChecks:   identityCLIs,
		Steps: []resource.TestStep{
			{
				Config: job(true),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(jobAddr, map[string]knownvalue.Check{
						"id": knownvalue.StringRegexp(regexp.MustCompile(`^job_`)),
					}),
					statecheck.ExpectIdentityValueMatchesState(jobAddr, tfjsonpath.New("id")),
					sameID.AddStateValue(jobAddr, tfjsonpath.New("id")),
				},
			},
			{
				// A refresh keeps it (and the framework refuses an identity
				// that changes on read).
				Config: job(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentityValueMatchesState(jobAddr, tfjsonpath.New("id")),
					sameID.AddStateValue(jobAddr, tfjsonpath.New("id")),
				},
			},
			{
				// So does an in-place update.
				Config: job(false),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(jobAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentityValueMatchesState(jobAddr, tfjsonpath.New("id")),
					sameID.AddStateValue(jobAddr, tfjsonpath.New("id")),
				},
			},
		},
	})
}

func TestRLJob_importByIdentity(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := env.provider("") + baseJob(env.taskAppURL, `
  training = { batch_size = 16 }
  tags     = { team = "rl" }
`)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		TerraformVersionChecks:   identityCLIs,
		Steps: []resource.TestStep{
			{Config: config},
			{
				// import { to = synth_rl_job.test, identity = { id = "job_..." } }
				// adopts the job and plans no change, as the id form does.
				Config:          config,
				ResourceName:    jobAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

func TestRLJob_importByIdentityOfUnknownJob(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		TerraformVersionChecks:   identityCLIs,
		Steps: []resource.TestStep{{
			Config: env.provider("") + baseJob(env.taskAppURL, "") + `
import {
  to       = synth_rl_job.test
  identity = { id = "job_does_not_exist" }
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Could not import the RL job.*job_does_not_exist`),
		}},
	})
	if n := env.countCreates(); n != 0 {
		t.Errorf("a failed import sent %d creates, want 0", n)
	}
}
