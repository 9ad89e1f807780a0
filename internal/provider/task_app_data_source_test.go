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

const taskAppAddr = "data.synth_task_app.test"

func TestTaskAppDataSource_healthyApp(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			// The URL comes from the provider's task_app_url.
			Config: env.provider(fmt.Sprintf("  task_app_url = %q", env.taskAppURL)) + `
data "synth_task_app" "test" {}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("url"), knownvalue.StringExact(env.taskAppURL)),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("healthy"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("auth_required"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("task_info_json"), knownvalue.StringRegexp(regexp.MustCompile(`"taskset"`))),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("instances"), knownvalue.ListExact([]knownvalue.Check{})),
				// Without seeds the task is described by /info, as the SDK's apps do.
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("task").AtMapKey("name"), knownvalue.StringExact("Crafter Classic")),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("task").AtMapKey("id"), knownvalue.StringExact("crafter_classic")),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("dataset").AtMapKey("default_split"), knownvalue.StringExact("train")),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("capabilities").AtMapKey("supports_rollout"), knownvalue.StringExact("true")),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("limits").AtMapKey("max_turns"), knownvalue.StringExact("200")),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("info_json"), knownvalue.StringRegexp(regexp.MustCompile(`"rubrics":\{"events"`))),
			},
		}},
	})
}

// An older app without /info: the typed fields fall back to the taskset,
// which an SDK-built app answers flat, describing its dataset.
func TestTaskAppDataSource_withoutInfoRoute(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	env.emu.InjectFault(emulator.Fault{Target: "taskapp", Method: "GET", Path: "/info", Status: 404, Times: -1,
		Body: `{"detail": "Not Found"}`})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.provider("") + fmt.Sprintf(`
data "synth_task_app" "test" {
  url = %q
}
`, env.taskAppURL),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("info_json"), knownvalue.Null()),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("task"), knownvalue.Null()),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("dataset").AtMapKey("id"), knownvalue.StringExact("crafter_classic_procedural")),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("dataset").AtMapKey("splits"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("train"), knownvalue.StringExact("test")})),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("task_info_json"), knownvalue.StringRegexp(regexp.MustCompile(`"cardinality"`))),
			},
		}},
	})
	// Terraform reads a data source more than once per test; each read asks once.
	if info, health := env.emu.Count("taskapp", "GET", "/info"), env.emu.Count("taskapp", "GET", "/health"); info == 0 || info != health {
		t.Fatalf("task app saw %d /info requests for %d reads, want one per read", info, health)
	}
}

func TestTaskAppDataSource_oneSeed(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.provider("") + fmt.Sprintf(`
data "synth_task_app" "test" {
  url   = %q
  seeds = [7]
}
`, env.taskAppURL),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("instances"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"seed": knownvalue.Int64Exact(7),
						"json": knownvalue.StringRegexp(regexp.MustCompile(`"seed":\s*7`)),
					}),
				})),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("task").AtMapKey("id"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("environments"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("crafter")})),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("dataset").AtMapKey("splits"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("limits").AtMapKey("max_turns"), knownvalue.NotNull()),
			},
		}},
	})
}

func TestTaskAppDataSource_severalSeeds(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.provider("") + fmt.Sprintf(`
data "synth_task_app" "test" {
  url   = %q
  seeds = [3, 1, 2]
}
`, env.taskAppURL),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("instances"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"seed": knownvalue.Int64Exact(3), "json": knownvalue.StringRegexp(regexp.MustCompile(`"seed":\s*3`))}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"seed": knownvalue.Int64Exact(1), "json": knownvalue.StringRegexp(regexp.MustCompile(`"seed":\s*1`))}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"seed": knownvalue.Int64Exact(2), "json": knownvalue.StringRegexp(regexp.MustCompile(`"seed":\s*2`))}),
				})),
			},
		}},
	})
}

func TestTaskAppDataSource_refusedKey(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config:      wrongKeyConfig(env),
			ExpectError: regexp.MustCompile(`(?s)(` + regexp.QuoteMeta(env.taskAppURL) + `.*rejected the environment key|rejected the environment key.*` + regexp.QuoteMeta(env.taskAppURL) + `)`),
		}},
	})
}

// A task app deployed with an older key accepts the caller through
// ENVIRONMENT_API_KEY_ALIASES, which follow the main key in X-API-Keys.
func TestTaskAppDataSource_keyAliases(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	t.Setenv(envEnvironmentKeyAliases, "env_retired_key, "+testEnvironmentKey)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: wrongKeyConfig(env),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(taskAppAddr, tfjsonpath.New("healthy"), knownvalue.Bool(true)),
			},
		}},
	})
}

// wrongKeyConfig checks the task app with a key it does not accept.
func wrongKeyConfig(env *testEnv) string {
	return fmt.Sprintf(`
provider "synth" {
  backend_url         = %q
  api_key             = %q
  environment_api_key = "env_wrong_key"
}

data "synth_task_app" "test" {
  url = %q
}
`, env.backendURL, testAPIKey, env.taskAppURL)
}

func TestTaskAppDataSource_unhealthyApp(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	env.emu.SetTaskAppHealthy(false)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.provider("") + fmt.Sprintf(`
data "synth_task_app" "test" {
  url = %q
}
`, env.taskAppURL),
			ExpectError: regexp.MustCompile(`(?s)Task app is not healthy.*` + regexp.QuoteMeta(env.taskAppURL)),
		}},
	})
}
