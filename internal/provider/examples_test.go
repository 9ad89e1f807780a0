package provider

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// The runnable examples are applied as they are, against the emulator, with
// the provider configured from the environment as the examples document.

func useEmulatorEnvironment(t *testing.T, env *testEnv) {
	// Serve the provider under test at its registry address, which the
	// examples' required_providers blocks name.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "synth-laboratories")
	t.Setenv(envBackendURL, env.backendURL)
	t.Setenv(envAPIKey, testAPIKey)
	t.Setenv(envEnvironmentKey, testEnvironmentKey)
	t.Setenv(envTaskAppURL, env.taskAppURL)
}

func exampleDir(name string) config.TestStepConfigFunc {
	return config.StaticDirectory(filepath.Join("..", "..", "examples", name))
}

var trainedModel = knownvalue.StringRegexp(regexp.MustCompile(`^rl:Qwen/Qwen3-4B:job_`))

func TestExample_quickstart(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	useEmulatorEnvironment(t, env)

	resource.UnitTest(t, resource.TestCase{
		// The example declares its own required_providers, so the provider
		// is handed to the step rather than the test case.
		Steps: []resource.TestStep{{
			ProtoV6ProviderFactories: testProviderFactories,
			ConfigDirectory:          exampleDir("quickstart"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("status", knownvalue.StringExact("succeeded")),
				statecheck.ExpectKnownOutputValue("trained_model", trainedModel),
			},
		}},
	})
}

func TestExample_chainedJobs(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	useEmulatorEnvironment(t, env)

	resource.UnitTest(t, resource.TestCase{
		// The example declares its own required_providers, so the provider
		// is handed to the step rather than the test case.
		Steps: []resource.TestStep{{
			ProtoV6ProviderFactories: testProviderFactories,
			ConfigDirectory:          exampleDir("chained-jobs"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("warmup_model", trainedModel),
				statecheck.ExpectKnownOutputValue("refined_model", trainedModel),
			},
		}},
	})
	payloads := env.createPayloads(t)
	if len(payloads) != 2 {
		t.Fatalf("backend saw %d creates, want 2", len(payloads))
	}
	if data, _ := payloads[1]["data"].(map[string]any); data["model"] == nil {
		t.Fatalf("the second stage was not sent a source model: %v", data)
	}
}

func TestExample_modalPipeline(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	useEmulatorEnvironment(t, env)

	resource.UnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			ProtoV6ProviderFactories: testProviderFactories,
			ConfigDirectory:          exampleDir("modal-pipeline"),
			ConfigVariables: config.Variables{
				"modal_workspace":     config.StringVariable("synth-laboratories"),
				"deploy_command":      config.StringVariable("true"), // stands in for `modal deploy`
				"task_app_url":        config.StringVariable(env.taskAppURL),
				"environment_api_key": config.StringVariable(testEnvironmentKey),
				"finetuned_model":     config.StringVariable("ft:Qwen/Qwen3-4B:job_8f2c1a"),
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("task_app_url", knownvalue.StringExact(env.taskAppURL)),
				statecheck.ExpectKnownOutputValue("trained_model", trainedModel),
			},
		}},
	})
	if got := env.emu.StoredEnvKeys()["ENVIRONMENT_API_KEY"]; got != testEnvironmentKey {
		t.Fatal("the pipeline did not register the task app's key with the backend")
	}
	if n := env.emu.Count("backend", "POST", "/api/rl/verify_task_app"); n != 1 {
		t.Fatalf("backend saw %d verify calls, want 1", n)
	}
}
