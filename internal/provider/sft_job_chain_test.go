package provider

import (
	"fmt"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

const chainRLAddr = "synth_rl_job.rl"

// The FFT-first pipeline in one apply: a dataset is uploaded, fine-tuned,
// and the RL job trains from the fine-tune's model, which is unknown until
// the SFT job has succeeded. Changing the dataset then replaces the file,
// the SFT job and the RL job, and nothing else.
func TestChain_trainingFileToSFTJobToRLJob(t *testing.T) {
	env := newTestEnv(t, emulator.Options{SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1}})
	p := filepath.Join(t.TempDir(), "train.jsonl")
	config := env.provider(fmt.Sprintf("  task_app_url = %q", env.taskAppURL)) + fmt.Sprintf(`
resource "synth_training_file" "train" {
  path = %q
}
`, p) + sftJobBlock("synth_training_file.train.id", "") + `
resource "synth_rl_job" "rl" {
  model = { source = synth_sft_job.fft.fine_tuned_model }
}

# Stays as it is when the dataset changes.
resource "synth_rl_job" "unrelated" {
  model = { base = "Qwen/Qwen3-4B" }
}
`
	var firstModel string

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{
			{
				PreConfig: func() { writeTrainingFile(t, p, datasetV1) },
				Config:    config,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue(chainRLAddr, tfjsonpath.New("model").AtMapKey("source")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs(
						sftJobAddr, tfjsonpath.New("fine_tuned_model"),
						chainRLAddr, tfjsonpath.New("model").AtMapKey("source"),
						compare.ValuesSame()),
					statecheck.ExpectKnownValue(chainRLAddr, tfjsonpath.New("output_model_id"),
						knownvalue.StringRegexp(regexp.MustCompile(`^rl:Qwen/Qwen3-4B:`))),
				},
				Check: func(s *terraform.State) error {
					firstModel = s.RootModule().Resources[sftJobAddr].Primary.Attributes["fine_tuned_model"]
					for _, payload := range env.createPayloads(t) {
						if data, _ := payload["data"].(map[string]any); data["model"] == firstModel {
							return nil
						}
					}
					return fmt.Errorf("no RL job was sent the fine-tune's model %q", firstModel)
				},
			},
			{
				PreConfig: func() { writeTrainingFile(t, p, datasetV2) },
				Config:    config,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(trainingFileAddr, plancheck.ResourceActionReplace),
						plancheck.ExpectResourceAction(sftJobAddr, plancheck.ResourceActionReplace),
						plancheck.ExpectResourceAction(chainRLAddr, plancheck.ResourceActionReplace),
						plancheck.ExpectResourceAction("synth_rl_job.unrelated", plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs(
						sftJobAddr, tfjsonpath.New("fine_tuned_model"),
						chainRLAddr, tfjsonpath.New("model").AtMapKey("source"),
						compare.ValuesSame()),
				},
				Check: func(s *terraform.State) error {
					if m := s.RootModule().Resources[sftJobAddr].Primary.Attributes["fine_tuned_model"]; m == firstModel {
						return fmt.Errorf("the new dataset's fine-tune kept the old model %q", m)
					}
					return nil
				},
			},
		},
	})
}

// The resource page's example runs as it is: dataset, fine-tune, and the RL
// job trained from the fine-tune's model.
func TestExample_sftJobPage(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", "resources", "synth_sft_job"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	env := newTestEnv(t, emulator.Options{SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1}})
	useEmulatorEnvironment(t, env)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "hashicorp")
	applyExample(t, tfresource.TestStep{
		ConfigDirectory: tfconfig.StaticDirectory(dir),
		ConfigVariables: tfconfig.Variables{"task_app_url": tfconfig.StringVariable(env.taskAppURL)},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("fft_model", sftModelID),
			statecheck.ExpectKnownValue("synth_rl_job.crafter", tfjsonpath.New("output_model_id"),
				knownvalue.StringRegexp(regexp.MustCompile(`^rl:Qwen/Qwen3-4B:`))),
		},
	})
}
