package provider

import (
	"context"
	"encoding/json"
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

const jobAddr = "synth_rl_job.test"

// baseJob is a minimal job that trains from a base model on the given task app.
func baseJob(taskURL, extra string) string {
	return fmt.Sprintf(`
resource "synth_rl_job" "test" {
  model = {
    base = "Qwen/Qwen3-4B"
  }
  services = {
    task_url = %q
  }
%s
}
`, taskURL, extra)
}

func TestRLJob_createWaitsUntilSucceeded(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := env.provider("") + baseJob(env.taskAppURL, "")

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`.+`))),
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("output_model_id"),
						knownvalue.StringRegexp(regexp.MustCompile(`^rl:Qwen/Qwen3-4B:`))),
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("task_app_url"), knownvalue.StringExact(env.taskAppURL)),
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("finished_at"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("error_message"), knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					if n := env.countCreates(); n != 1 {
						return fmt.Errorf("backend saw %d creates, want 1", n)
					}
					for _, r := range env.emu.Requests() {
						if r.Method == "POST" && r.Path == "/api/rl/jobs" && r.Header.Get("Idempotency-Key") == "" {
							return fmt.Errorf("create was sent without an Idempotency-Key")
						}
					}
					return nil
				},
			},
			{
				// The same configuration again plans nothing.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestRLJob_failedJobIsTaintedAndResubmitted(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	env.emu.SetNextOutcome(emulator.Outcome{
		Status:      "failed",
		Reason:      "reward collapsed to zero",
		ErrorEvents: []string{"rollout worker crashed: out of memory"},
	})
	config := env.provider("") + baseJob(env.taskAppURL, "")

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)RL job failed.*reward collapsed to zero.*out of memory`),
			},
			// The failed job is tainted in state: the next apply replaces it.
			replacesFailedJobStep(config, jobAddr, env.countCreates),
		},
	})
}

func TestRLJob_unhealthyTaskAppSubmitsNothing(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	env.emu.SetTaskAppHealthy(false)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config:      env.provider("") + baseJob(env.taskAppURL, `health_check_timeout = "1s"`),
			ExpectError: regexp.MustCompile(`Task app is not healthy; nothing was submitted`),
		}},
	})
	if n := env.countCreates(); n != 0 {
		t.Fatalf("backend saw %d creates, want none", n)
	}
	if n := env.emu.CountPrefix("taskapp", "GET", "/health"); n == 0 {
		t.Fatal("the task app was never health-checked")
	}
}

func TestRLJob_modelWithSourceAndBaseIsAPlanError(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.provider("") + fmt.Sprintf(`
resource "synth_rl_job" "test" {
  model = {
    base   = "Qwen/Qwen3-4B"
    source = "ft:Qwen/Qwen3-4B:job_123"
  }
  services = {
    task_url = %q
  }
}
`, env.taskAppURL),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`exactly one of \[model\]\.source or\s+\[model\]\.base is\s+required`),
		}},
	})
	if n := len(env.emu.Requests()); n != 0 {
		t.Fatalf("the emulator saw %d requests, want none", n)
	}
}

func TestRLJob_taskURLPrecedence(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	attributeURL := env.taskAppURL
	providerURL := env.newTaskAppServer(t)
	tomlURL := env.newTaskAppServer(t)
	toml := fmt.Sprintf(`<<-EOT
    [model]
    base = "Qwen/Qwen3-4B"

    [services]
    task_url = %q
  EOT`, tomlURL)

	cases := map[string]struct {
		providerExtra string
		services      string
		want          string
	}{
		"attribute beats provider and TOML": {
			providerExtra: fmt.Sprintf("  task_app_url = %q", providerURL),
			services:      fmt.Sprintf("services = { task_url = %q }", attributeURL),
			want:          attributeURL,
		},
		"provider beats TOML": {
			providerExtra: fmt.Sprintf("  task_app_url = %q", providerURL),
			want:          providerURL,
		},
		"TOML alone": {
			want: tomlURL,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env.emu.ResetRequests()
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []resource.TestStep{{
					Config: env.provider(tc.providerExtra) + fmt.Sprintf(`
resource "synth_rl_job" "test" {
  config_toml = %s
  %s
}
`, toml, tc.services),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("task_app_url"), knownvalue.StringExact(tc.want)),
						expectEffectiveConfig(jobAddr, "services", "task_url", tc.want),
					},
					Check: func(*terraform.State) error {
						payloads := env.createPayloads(t)
						if len(payloads) != 1 {
							return fmt.Errorf("backend saw %d creates, want 1", len(payloads))
						}
						data, _ := payloads[0]["data"].(map[string]any)
						if got := data["endpoint_base_url"]; got != tc.want {
							return fmt.Errorf("data.endpoint_base_url = %v, want %s", got, tc.want)
						}
						return nil
					},
				}},
			})
		})
	}
}

func TestRLJob_configTOMLMergedWithTypedOverrides(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := env.provider("") + fmt.Sprintf(`
resource "synth_rl_job" "test" {
  config_toml = <<-EOT
    [model]
    base = "Qwen/Qwen3-4B"
    label = "from-toml"

    [training]
    batch_size = 16
    group_size = 4

    [vllm]
    max_model_len = 8192
  EOT

  services = { task_url = %q }
  training = { batch_size = 32 }
  tags     = { team = "rl" }
}
`, env.taskAppURL)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				expectEffectiveConfig(jobAddr, "training", "batch_size", float64(32)),
				expectEffectiveConfig(jobAddr, "training", "group_size", float64(4)),
				expectEffectiveConfig(jobAddr, "vllm", "max_model_len", float64(8192)),
				expectEffectiveConfig(jobAddr, "model", "label", "from-toml"),
				expectEffectiveConfig(jobAddr, "tags", "team", "rl"),
			},
			Check: func(*terraform.State) error {
				payloads := env.createPayloads(t)
				if len(payloads) != 1 {
					return fmt.Errorf("backend saw %d creates, want 1", len(payloads))
				}
				data, _ := payloads[0]["data"].(map[string]any)
				cfg, _ := data["config"].(map[string]any)
				training, _ := cfg["training"].(map[string]any)
				if training["batch_size"] != float64(32) || training["group_size"] != float64(4) {
					return fmt.Errorf("sent training = %v, want batch_size 32 over the TOML's 16 and group_size 4 kept", training)
				}
				if data["base_model"] != "Qwen/Qwen3-4B" {
					return fmt.Errorf("sent data.base_model = %v", data["base_model"])
				}
				return nil
			},
		}},
	})
}

func TestRLJob_configChangeReplacesAndSettingsUpdateInPlace(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	job := func(batchSize int, wait bool) string {
		return env.provider("") + baseJob(env.taskAppURL, fmt.Sprintf(`
  training            = { batch_size = %d }
  wait_for_completion = %t
`, batchSize, wait))
	}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: job(16, true)},
			{
				Config: job(16, false),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(jobAddr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					if n := env.countCreates(); n != 1 {
						return fmt.Errorf("an in-place change sent a create: %d creates, want 1", n)
					}
					return nil
				},
			},
			{
				Config: job(32, false),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(jobAddr, plancheck.ResourceActionReplace)},
				},
				Check: func(*terraform.State) error {
					if n := env.countCreates(); n != 2 {
						return fmt.Errorf("backend saw %d creates, want 2", n)
					}
					return nil
				},
			},
		},
	})
}

func TestRLJob_runningJobIsWaitedForInPlace(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: 8 * time.Second})
	job := func(wait bool) string {
		return env.provider("") + baseJob(env.taskAppURL, fmt.Sprintf("wait_for_completion = %t", wait))
	}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: job(false),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("output_model_id"), knownvalue.Null()),
				},
			},
			{
				Config: job(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(jobAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(jobAddr, tfjsonpath.New("status")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("output_model_id"), knownvalue.NotNull()),
				},
				Check: func(*terraform.State) error {
					if n := env.countCreates(); n != 1 {
						return fmt.Errorf("waiting again resubmitted the job: %d creates, want 1", n)
					}
					return nil
				},
			},
		},
	})
}

func TestRLJob_import(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := env.provider("") + baseJob(env.taskAppURL, `
  training = {
    batch_size    = 16
    learning_rate = 0.00005
  }
  rollout = {
    env_name = "crafter"
    ops      = ["agent", "env"]
  }
  tags = { team = "rl" }
`)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				Config:                  config,
				ResourceName:            jobAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"config_toml"},
			},
			{
				// An import block plans no change: the typed attributes read
				// back from the job's recorded config match the configuration.
				Config:          config,
				ResourceName:    jobAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
		},
	})
}

func TestRLJob_destroyCancelsRunningJob(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour})
	var jobID string

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.provider("") + baseJob(env.taskAppURL, "wait_for_completion = false"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("output_model_id"), knownvalue.Null()),
			},
			Check: recordJobID(&jobID),
		}},
		CheckDestroy: func(*terraform.State) error {
			job, ok := env.emu.Job(jobID)
			if !ok {
				return fmt.Errorf("job %q unknown to the emulator", jobID)
			}
			if job.CancelRequests != 1 {
				return fmt.Errorf("job got %d cancel requests, want 1", job.CancelRequests)
			}
			if job.Status != "cancelled" {
				return fmt.Errorf("job status after destroy = %q, want cancelled", job.Status)
			}
			return nil
		},
	})
}

// expectEffectiveConfig checks one key of the effective_config JSON.
func expectEffectiveConfig(addr, table, key string, want any) statecheck.StateCheck {
	return effectiveConfigCheck{addr: addr, table: table, key: key, want: want}
}

type effectiveConfigCheck struct {
	addr, table, key string
	want             any
}

func (c effectiveConfigCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address != c.addr {
			continue
		}
		raw, _ := r.AttributeValues["effective_config"].(string)
		var cfg map[string]any
		if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
			resp.Error = fmt.Errorf("effective_config is not JSON: %w", err)
			return
		}
		table, _ := cfg[c.table].(map[string]any)
		if got := table[c.key]; got != c.want {
			resp.Error = fmt.Errorf("effective_config [%s].%s = %#v, want %#v", c.table, c.key, got, c.want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s not in state", c.addr)
}
