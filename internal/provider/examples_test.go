package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
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
	requireSDKCompleteConfigs(t, env, 1)
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
				statecheck.ExpectKnownOutputValue("warmup_reward", knownvalue.Float64Exact(emulatorFinalReward)),
			},
		}},
	})
	requireSDKCompleteConfigs(t, env, 2)
	payloads := env.createPayloads(t)
	if data, _ := payloads[1]["data"].(map[string]any); data["model"] == nil {
		t.Fatalf("the second stage was not sent a source model: %v", data)
	}
}

func TestExample_chainedJobsStopBelowTheRewardThreshold(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	useEmulatorEnvironment(t, env)

	resource.UnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			ProtoV6ProviderFactories: testProviderFactories,
			ConfigDirectory:          exampleDir("chained-jobs"),
			ConfigVariables:          config.Variables{"min_warmup_reward": config.FloatVariable(emulatorFinalReward + 0.1)},
			ExpectError:              regexp.MustCompile(`(?s)warmup stage ended below.*mean_return`),
		}},
	})
	if n := env.countCreates(); n != 1 {
		t.Fatalf("backend saw %d creates, want 1: the refine stage must not start", n)
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
	requireSDKCompleteConfigs(t, env, 1)
}

// The resource page's example, applied like the runnable ones. It has no
// required_providers block, so the provider is served under its implied
// hashicorp/synth address.
func TestExample_resourcePage(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	useEmulatorEnvironment(t, env)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "hashicorp")

	resource.UnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			ProtoV6ProviderFactories: testProviderFactories,
			ConfigDirectory:          config.StaticDirectory(filepath.Join("..", "..", "examples", "resources", "synth_rl_job")),
			ConfigVariables: config.Variables{
				"finetuned_model": config.StringVariable("ft:Qwen/Qwen3-4B:job_8f2c1a"),
				"task_app_url":    config.StringVariable(env.taskAppURL),
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("trained_model", trainedModel),
			},
		}},
	})
	requireSDKCompleteConfigs(t, env, 2)
}

// Every TOML the examples ship is complete for the newest SDK on its own,
// so that it also works with `synth-ai train`: only the model source and the
// task URL may be left to Terraform.
func TestExample_tomlFilesAreCompleteForTheSDK(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "examples", "*", "*.toml"))
	if err != nil {
		t.Fatal(err)
	}
	nested, err := filepath.Glob(filepath.Join("..", "..", "examples", "*", "*", "*.toml"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, nested...)
	if len(files) < 3 {
		t.Fatalf("found only %v", files)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := rlconfig.Parse(string(raw))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if missing := rlconfig.MissingSDKKeys(doc); len(missing) > 0 {
			t.Errorf("%s lacks %v, which the SDK requires", f, missing)
		}
	}
}

// requireSDKCompleteConfigs checks that each of the want jobs an example
// submitted has every key the SDK's train command requires: what users copy
// from an example must be a config the SDK accepts.
func requireSDKCompleteConfigs(t *testing.T, env *testEnv, want int) {
	t.Helper()
	payloads := env.createPayloads(t)
	if len(payloads) != want {
		t.Fatalf("backend saw %d creates, want %d", len(payloads), want)
	}
	for i, p := range payloads {
		data, _ := p["data"].(map[string]any)
		config, _ := data["config"].(map[string]any)
		if missing := rlconfig.MissingSDKKeys(config); len(missing) > 0 {
			t.Errorf("job %d was submitted without %v, which the SDK requires", i+1, missing)
		}
	}
}
