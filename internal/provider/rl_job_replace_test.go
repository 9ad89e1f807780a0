package provider

import (
	"fmt"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// The same training written another way changes the job in place; a real
// change of the training still replaces it.
func TestRLJob_sameEffectiveConfigWrittenDifferentlyIsNotReplaced(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	typed := baseJob(env.taskAppURL, `
  training = {
    batch_size = 16
  }
`)
	inTOML := fmt.Sprintf(`
resource "synth_rl_job" "test" {
  config_toml = <<-EOT
    [model]
    base = "Qwen/Qwen3-4B"

    [training]
    batch_size = 16
  EOT
  services = {
    task_url = %q
  }
}
`, env.taskAppURL)
	var first string

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{
			{Config: env.provider("") + typed, Check: recordJobID(&first)},
			{
				Config: env.provider("") + inTOML,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(jobAddr, plancheck.ResourceActionUpdate)},
				},
				Check: func(s *terraform.State) error {
					if id := s.RootModule().Resources[jobAddr].Primary.ID; id != first {
						return fmt.Errorf("job %s became %s", first, id)
					}
					if n := env.countCreates(); n != 1 {
						return fmt.Errorf("%d creates, want 1", n)
					}
					return nil
				},
			},
			{
				Config: env.provider("") + baseJob(env.taskAppURL, `
  training = {
    batch_size = 32
  }
`),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(jobAddr, plancheck.ResourceActionReplace)},
				},
			},
		},
	})
}
