package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

func TestProvider_apiKeyIsNeededOnlyByTheBackend(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	noAPIKey := fmt.Sprintf(`
provider "synth" {
  backend_url         = %q
  environment_api_key = %q
}
`, env.backendURL, testEnvironmentKey)

	t.Run("a task app check needs no API key", func(t *testing.T) {
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testProviderFactories,
			Steps: []resource.TestStep{{
				Config: noAPIKey + fmt.Sprintf(`
data "synth_task_app" "test" {
  url = %q
}
`, env.taskAppURL),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("healthy"), knownvalue.Bool(true)),
				},
			}},
		})
	})

	t.Run("a job names the attribute and the variable", func(t *testing.T) {
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testProviderFactories,
			Steps: []resource.TestStep{{
				Config:      noAPIKey + baseJob(env.taskAppURL, ""),
				ExpectError: regexp.MustCompile(`(?s)Missing Synth API key.*api_key.*SYNTH_API_KEY`),
			}},
		})
		if n := env.countCreates(); n != 0 {
			t.Fatalf("backend saw %d creates, want none", n)
		}
	})
}

func TestProvider_unknownValueIsAClearError(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "url" {
  input = %q
}

provider "synth" {
  backend_url = terraform_data.url.output
  api_key     = %q
}
`, env.backendURL, testAPIKey) + baseJob(env.taskAppURL, ""),
			ExpectError: regexp.MustCompile(`(?s)Unknown provider value: backend_url.*only known after\s+apply`),
		}},
	})
}

func TestProvider_environmentFallbacks(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	// The older variable, with a suffix the provider normalises away.
	t.Setenv(envBackendURLOld, env.backendURL+"/api/v1/")
	t.Setenv(envAPIKey, testAPIKey)
	t.Setenv(envEnvironmentKey, testEnvironmentKey)
	t.Setenv(envTaskAppURL, env.taskAppURL)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "synth" {}

resource "synth_rl_job" "test" {
  model = { base = "Qwen/Qwen3-4B" }
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
				statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("task_app_url"), knownvalue.StringExact(env.taskAppURL)),
			},
		}},
	})
}
