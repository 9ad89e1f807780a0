package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

func TestRLJob_verifyWithBackend(t *testing.T) {
	t.Run("no stored key stops the submission", func(t *testing.T) {
		env := newTestEnv(t, emulator.Options{})
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testProviderFactories,
			Steps: []resource.TestStep{{
				Config:      env.provider("") + baseJob(env.taskAppURL, "verify_with_backend = true"),
				ExpectError: regexp.MustCompile(`Backend could not reach the task app; nothing was submitted`),
			}},
		})
		if n := env.countCreates(); n != 0 {
			t.Fatalf("backend saw %d creates, want none", n)
		}
	})

	t.Run("stored key lets the job through", func(t *testing.T) {
		env := newTestEnv(t, emulator.Options{})
		registerEnvironmentKey(t, env, testEnvironmentKey)
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testProviderFactories,
			Steps: []resource.TestStep{{
				Config: env.provider("") + baseJob(env.taskAppURL, "verify_with_backend = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
				},
			}},
		})
		if n := env.emu.Count("backend", "POST", "/api/rl/verify_task_app"); n != 1 {
			t.Fatalf("backend saw %d verify calls, want 1", n)
		}
	})

	t.Run("one 503 from the backend is retried", func(t *testing.T) {
		env := newTestEnv(t, emulator.Options{})
		registerEnvironmentKey(t, env, testEnvironmentKey)
		env.emu.InjectFault(emulator.Fault{Target: "backend", Method: "POST", Path: "/api/rl/verify_task_app", Status: 503})
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testProviderFactories,
			Steps: []resource.TestStep{{
				Config: env.provider("") + baseJob(env.taskAppURL, "verify_with_backend = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
				},
			}},
		})
		if n := env.emu.Count("backend", "POST", "/api/rl/verify_task_app"); n != 2 {
			t.Fatalf("backend saw %d verify calls, want 2 (the 503 and its retry)", n)
		}
	})

	t.Run("an older backend without the route does not block the job", func(t *testing.T) {
		env := newTestEnv(t, emulator.Options{})
		env.emu.InjectFault(emulator.Fault{Target: "backend", Method: "POST", Path: "/api/rl/verify_task_app", Status: 404,
			Body: `{"detail": "Not Found"}`})
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testProviderFactories,
			Steps: []resource.TestStep{{
				Config: env.provider("") + baseJob(env.taskAppURL, "verify_with_backend = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
				},
			}},
		})
		if n := env.emu.Count("backend", "POST", "/api/rl/verify_task_app"); n != 1 {
			t.Fatalf("backend saw %d verify calls, want 1: the job must have asked before going on", n)
		}
	})
}

// registerEnvironmentKey stores the task app's key on the emulated backend,
// as synth-ai deploy would.
func registerEnvironmentKey(t *testing.T, env *testEnv, key string) {
	t.Helper()
	api, err := synthapi.NewClient(env.backendURL, testAPIKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := api.CryptoPublicKey(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := synthapi.SealEnvKey(pub, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.UploadEnvKey(t.Context(), "ENVIRONMENT_API_KEY", sealed); err != nil {
		t.Fatal(err)
	}
}
