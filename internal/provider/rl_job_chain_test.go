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
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// TestRLJob_chainedJobTrainsFromThePreviousModel plans a second job whose
// model.source is the first job's output_model_id: unknown at plan time,
// resolved at apply, and sent as the second job's source model.
func TestRLJob_chainedJobTrainsFromThePreviousModel(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := env.provider(fmt.Sprintf("  task_app_url = %q", env.taskAppURL)) + `
resource "synth_rl_job" "stage1" {
  model = { base = "Qwen/Qwen3-4B" }
}

resource "synth_rl_job" "stage2" {
  model    = { source = synth_rl_job.stage1.output_model_id }
  training = { learning_rate = 0.00001 }
}
`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue("synth_rl_job.stage2", tfjsonpath.New("model").AtMapKey("source")),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.CompareValuePairs(
					"synth_rl_job.stage1", tfjsonpath.New("output_model_id"),
					"synth_rl_job.stage2", tfjsonpath.New("model").AtMapKey("source"),
					compare.ValuesSame()),
				statecheck.ExpectKnownValue("synth_rl_job.stage2", tfjsonpath.New("output_model_id"),
					knownvalue.StringRegexp(regexp.MustCompile(`^rl:Qwen/Qwen3-4B:`))),
			},
			Check: func(s *terraform.State) error {
				stage1 := s.RootModule().Resources["synth_rl_job.stage1"].Primary.Attributes["output_model_id"]
				payloads := env.createPayloads(t)
				if len(payloads) != 2 {
					return fmt.Errorf("backend saw %d creates, want 2", len(payloads))
				}
				data, _ := payloads[1]["data"].(map[string]any)
				if data["model"] != stage1 {
					return fmt.Errorf("stage 2 was sent data.model = %v, want stage 1's output %q", data["model"], stage1)
				}
				return nil
			},
		}},
	})
}

// TestRLJob_sectionFromAnotherResource plans a job whose whole model section
// is only known after another resource is applied.
func TestRLJob_sectionFromAnotherResource(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.provider("") + fmt.Sprintf(`
resource "terraform_data" "model" {
  input = { base = "Qwen/Qwen3-4B" }
}

resource "synth_rl_job" "test" {
  model    = terraform_data.model.output
  services = { task_url = %q }
}
`, env.taskAppURL),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(jobAddr, tfjsonpath.New("model"))},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
			},
		}},
	})
}
