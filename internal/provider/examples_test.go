package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

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

// applyExample applies one step of an example. An example may declare its
// own required_providers, so the provider is handed to the step rather than
// the test case.
func applyExample(t *testing.T, step resource.TestStep) {
	t.Helper()
	step.ProtoV6ProviderFactories = testProviderFactories
	resource.UnitTest(t, resource.TestCase{Steps: []resource.TestStep{step}})
}

var trainedModel = knownvalue.StringRegexp(regexp.MustCompile(`^rl:Qwen/Qwen3-4B:job_`))

func TestExample_quickstart(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	useEmulatorEnvironment(t, env)

	applyExample(t, resource.TestStep{
		ConfigDirectory: exampleDir("quickstart"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("status", knownvalue.StringExact("succeeded")),
			statecheck.ExpectKnownOutputValue("trained_model", trainedModel),
		},
	})
	requireSDKCompleteConfigs(t, env, 1)
}

func TestExample_chainedJobs(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	useEmulatorEnvironment(t, env)

	applyExample(t, resource.TestStep{
		ConfigDirectory: exampleDir("chained-jobs"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("warmup_model", trainedModel),
			statecheck.ExpectKnownOutputValue("refined_model", trainedModel),
			statecheck.ExpectKnownOutputValue("warmup_reward", knownvalue.Float64Exact(emulatorFinalReward)),
		},
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

	applyExample(t, resource.TestStep{
		ConfigDirectory: exampleDir("chained-jobs"),
		ConfigVariables: config.Variables{"min_warmup_reward": config.FloatVariable(emulatorFinalReward + 0.1)},
		ExpectError:     regexp.MustCompile(`(?s)warmup stage ended below.*mean_return`),
	})
	if n := env.countCreates(); n != 1 {
		t.Fatalf("backend saw %d creates, want 1: the refine stage must not start", n)
	}
}

func TestExample_modalPipeline(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	useEmulatorEnvironment(t, env)

	applyExample(t, resource.TestStep{
		ConfigDirectory: exampleDir("modal-pipeline"),
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

	applyExample(t, resource.TestStep{
		ConfigDirectory: config.StaticDirectory(filepath.Join("..", "..", "examples", "resources", "synth_rl_job")),
		ConfigVariables: config.Variables{
			"finetuned_model": config.StringVariable("ft:Qwen/Qwen3-4B:job_8f2c1a"),
			"task_app_url":    config.StringVariable(env.taskAppURL),
		},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("trained_model", trainedModel),
		},
	})
	requireSDKCompleteConfigs(t, env, 2)
}

// The FFT-first examples, applied as they are: each uploads its two
// datasets, fine-tunes once, trains RL once from the fine-tune's model, and
// its outputs are that chain. The provider reads "${path.module}/…" relative
// to its working directory, which for the in-process provider of a test is
// the test's, so the test moves into the example.
func TestExample_fftFirst(t *testing.T) {
	env := applyFFTFirstExample(t, "fft-first", nil,
		statecheck.ExpectKnownOutputValue("lineage", knownvalue.ObjectExact(map[string]knownvalue.Check{
			"base_model": knownvalue.StringExact("Qwen/Qwen3-4B"),
			"fft_job":    knownvalue.StringRegexp(regexp.MustCompile(`^job_`)),
			"rl_job":     knownvalue.StringRegexp(regexp.MustCompile(`^job_`)),
		})),
	)
	payloads := env.createPayloads(t)
	if data, _ := payloads[0]["data"].(map[string]any); data["endpoint_base_url"] != env.taskAppURL {
		t.Errorf("the RL job trained against %v, want the Crafter task app %s", data["endpoint_base_url"], env.taskAppURL)
	}
}

func TestExample_mathFFTFirst(t *testing.T) {
	var mathURL string
	env := applyFFTFirstExample(t, "math-fft-first", func(env *testEnv) config.Variables {
		mathURL = env.taskAppURL + emulator.MathTaskAppPath
		return config.Variables{"math_task_app_url": config.StringVariable(mathURL)}
	},
		statecheck.ExpectKnownOutputValue("rubric", knownvalue.MapExact(map[string]knownvalue.Check{
			"correct_answer": knownvalue.Float64Exact(0.9),
			"format":         knownvalue.Float64Exact(0.1),
		})),
		statecheck.ExpectKnownOutputValue("base_model", knownvalue.StringExact("Qwen/Qwen3-4B")),
	)
	data, _ := env.createPayloads(t)[0]["data"].(map[string]any)
	if data["endpoint_base_url"] != mathURL {
		t.Errorf("the RL job trained against %v, want the math task app %s", data["endpoint_base_url"], mathURL)
	}
	cfg, _ := data["config"].(map[string]any)
	if rollout, _ := cfg["rollout"].(map[string]any); rollout["env_name"] != "math" || rollout["policy_name"] != "math-single-step" {
		t.Errorf("the RL job's rollout is %v, want the math task app's environment and policy", rollout)
	}
	if n := env.emu.Count("taskapp", "GET", emulator.MathTaskAppPath+"/task_info"); n == 0 {
		t.Error("the example never read the math task app's task_info")
	}
}

var (
	fftFirstFileID = knownvalue.StringRegexp(regexp.MustCompile(`^file_`))
	fftFirstModel  = knownvalue.StringRegexp(regexp.MustCompile(`^fft:Qwen/Qwen3-4B:job_`))
)

// applyFFTFirstExample applies examples/<name> against a fresh emulator,
// with the variables vars gives (nil for none), checks the chain it
// outputs, and returns the emulator for the example's own checks.
func applyFFTFirstExample(t *testing.T, name string, vars func(*testEnv) config.Variables, checks ...statecheck.StateCheck) *testEnv {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	// No readiness lag and the model named with the status: the lags have
	// their own tests, and these apply the example, not the wait.
	env := newTestEnv(t, emulator.Options{SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1}})
	useEmulatorEnvironment(t, env)
	var variables config.Variables
	if vars != nil {
		variables = vars(env)
	}

	applyExample(t, resource.TestStep{
		ConfigDirectory: config.StaticDirectory(dir),
		ConfigVariables: variables,
		ConfigStateChecks: append([]statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("training_file_id", fftFirstFileID),
			statecheck.ExpectKnownOutputValue("fft_model", fftFirstModel),
			statecheck.ExpectKnownOutputValue("rl_policy", trainedModel),
		}, checks...),
		Check: func(s *terraform.State) error { return checkFFTFirstChain(t, env, s) },
	})
	requireSDKCompleteConfigs(t, env, 1)
	return env
}

// checkFFTFirstChain checks that each stage was sent what the one before it
// produced: the uploaded file's id to the fine-tune, the fine-tune's model
// to the RL job, once each.
func checkFFTFirstChain(t *testing.T, env *testEnv, s *terraform.State) error {
	t.Helper()
	output := func(name string) string {
		if o := s.RootModule().Outputs[name]; o != nil {
			v, _ := o.Value.(string)
			return v
		}
		return ""
	}
	if n := len(liveFiles(env)); n != 2 {
		return fmt.Errorf("the example uploaded %d files, want the training and the validation file", n)
	}
	if n := env.countSFTCreates(); n != 1 {
		return fmt.Errorf("backend saw %d SFT creates, want 1", n)
	}
	if n := env.countCreates(); n != 1 {
		return fmt.Errorf("backend saw %d RL creates, want 1", n)
	}
	sft := env.sftJobs()[0].Payload
	if got := sft["training_file_id"]; got != output("training_file_id") {
		return fmt.Errorf("the fine-tune was sent training file %v, want the uploaded %q", got, output("training_file_id"))
	}
	if sft["model"] != "Qwen/Qwen3-4B" {
		return fmt.Errorf("the fine-tune trained %v, want Qwen/Qwen3-4B", sft["model"])
	}
	if hp, _ := sft["hyperparameters"].(map[string]any); hp["train_kind"] != "fft" {
		return fmt.Errorf("the fine-tune was sent train_kind %v, want a full fine-tune", hp["train_kind"])
	}
	data, _ := env.createPayloads(t)[0]["data"].(map[string]any)
	if got := data["model"]; got != output("fft_model") {
		return fmt.Errorf("the RL job trained from %v, want the fine-tune's model %q", got, output("fft_model"))
	}
	return nil
}

// Every TOML the examples ship is complete for the newest SDK on its own,
// so that it also works with `synth-ai train`: only the model source and the
// task URL may be left to Terraform. An SFT config (top-level type = "sft")
// is checked by the SFT rules instead: with the uploaded files in place of
// its dataset paths, it draws no error and no warning.
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
	sftConfigs := 0
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
		if doc["type"] == "sft" {
			sftConfigs++
			diags := rlconfig.ValidateSFT(rlconfig.SFTInput{TOML: string(raw), Overrides: rlconfig.SFTOverrides{
				TrainingFileID: "file_train", ValidationFileID: "file_validation",
			}})
			for _, d := range diags {
				t.Errorf("%s: %s: %s", f, d.Summary, d.Detail)
			}
			continue
		}
		if missing := rlconfig.MissingSDKKeys(doc); len(missing) > 0 {
			t.Errorf("%s lacks %v, which the SDK requires", f, missing)
		}
	}
	if sftConfigs < 2 {
		t.Errorf("found %d SFT configs, want at least the two FFT-first examples'", sftConfigs)
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
