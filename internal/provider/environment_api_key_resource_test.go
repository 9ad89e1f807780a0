package provider

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

const envKeyAddr = "synth_environment_api_key.test"

// envKeyConfig is a synth_environment_api_key fed from a sensitive ephemeral
// variable, as users should write it; extra lines go inside the resource.
func envKeyConfig(env *testEnv, extra string) string {
	return envKeyConfigWith(env.provider(""), extra)
}

func envKeyConfigWith(providerBlock, extra string) string {
	return providerBlock + fmt.Sprintf(`
variable "task_app_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "synth_environment_api_key" "test" {
  value_wo = var.task_app_key
%s
}
`, extra)
}

func keyVariable(value string) tfconfig.Variables {
	return tfconfig.Variables{"task_app_key": tfconfig.StringVariable(value)}
}

// storedKeyIs checks what the emulated backend decrypted and stored.
func storedKeyIs(env *testEnv, name, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, ok := env.emu.StoredEnvKeys()[name]
		if !ok {
			return fmt.Errorf("the backend holds no key %s", name)
		}
		if got != want {
			return fmt.Errorf("the backend holds a different %s (%d bytes, want %d)", name, len(got), len(want))
		}
		return nil
	}
}

func (env *testEnv) countEnvKeyUploads() int {
	return env.emu.Count("backend", "POST", "/api/v1/env-keys")
}

func TestEnvironmentAPIKey_uploadRotateAndReupload(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_LOG", "TRACE")
	// The API key comes from the environment, as users should set it.
	t.Setenv(envAPIKey, testAPIKey)
	env := newTestEnv(t, emulator.Options{})
	const first, second = "env_first_task_app_5ecret_0003", "env_second_task_app_5ecret_0004"
	config := func(version int) string {
		return envKeyConfigWith(fmt.Sprintf("provider \"synth\" {\n  backend_url = %q\n}\n", env.backendURL),
			fmt.Sprintf("  value_wo_version = %d", version))
	}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:          config(1),
				ConfigVariables: keyVariable(first),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(envKeyAddr, tfjsonpath.New("name"), knownvalue.StringExact("ENVIRONMENT_API_KEY")),
					statecheck.ExpectKnownValue(envKeyAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^envkey_`))),
					statecheck.ExpectKnownValue(envKeyAddr, tfjsonpath.New("present"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(envKeyAddr, tfjsonpath.New("updated_at"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(envKeyAddr, tfjsonpath.New("value_wo"), knownvalue.Null()),
					envKeyStateLacks(first, testAPIKey),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					storedKeyIs(env, "ENVIRONMENT_API_KEY", first),
					func(*terraform.State) error {
						if n := env.countEnvKeyUploads(); n != 1 {
							return fmt.Errorf("backend saw %d uploads, want 1", n)
						}
						return nil
					},
				),
			},
			{
				// Nothing changed: nothing to do, even with a different value,
				// which Terraform cannot see without a version bump.
				Config:          config(1),
				ConfigVariables: keyVariable(second),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: storedKeyIs(env, "ENVIRONMENT_API_KEY", first),
			},
			{
				// A version bump uploads the new value in place.
				Config:          config(2),
				ConfigVariables: keyVariable(second),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(envKeyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(envKeyAddr, tfjsonpath.New("updated_at")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(envKeyAddr, tfjsonpath.New("value_wo_version"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(envKeyAddr, tfjsonpath.New("present"), knownvalue.Bool(true)),
					envKeyStateLacks(first, second, testAPIKey),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					storedKeyIs(env, "ENVIRONMENT_API_KEY", second),
					func(*terraform.State) error {
						if n := env.countEnvKeyUploads(); n != 2 {
							return fmt.Errorf("backend saw %d uploads, want 2", n)
						}
						return nil
					},
				),
			},
			{
				// The backend lost the key: the refresh sees present = false and
				// the plan uploads it again, in place.
				PreConfig:       func() { env.emu.ForgetEnvKey("ENVIRONMENT_API_KEY") },
				Config:          config(2),
				ConfigVariables: keyVariable(second),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(envKeyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(envKeyAddr, tfjsonpath.New("present")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(envKeyAddr, tfjsonpath.New("present"), knownvalue.Bool(true)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					storedKeyIs(env, "ENVIRONMENT_API_KEY", second),
					func(*terraform.State) error {
						if n := env.countEnvKeyUploads(); n != 3 {
							return fmt.Errorf("backend saw %d uploads, want 3", n)
						}
						return nil
					},
				),
			},
		},
		// There is no delete route: destroying leaves the key on the backend.
		CheckDestroy: storedKeyIs(env, "ENVIRONMENT_API_KEY", second),
	})

	if n := env.emu.Count("backend", "GET", "/api/v1/env-keys/verify"); n == 0 {
		t.Error("the backend was never asked whether it holds the key")
	}
	logged, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(logged) == 0 || !strings.Contains(string(logged), "/api/v1/env-keys") {
		t.Fatalf("the trace log (%d bytes) does not show the provider's requests; the test would prove nothing", len(logged))
	}
	for _, secret := range []string{first, second, testAPIKey} {
		if i := strings.Index(string(logged), secret); i >= 0 {
			t.Errorf("secret %q... found in the trace log: ...%s...", secret[:8], logged[max(0, i-200):i])
		}
	}
}

func TestEnvironmentAPIKey_oversizedKeyIsAPlanError(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config:          envKeyConfig(env, ""),
			ConfigVariables: keyVariable(strings.Repeat("k", 9<<10)),
			ExpectError:     regexp.MustCompile(`(?s)Environment key too long.*value_wo is 9216 bytes.*at most 8192`),
		}},
	})
	if n := env.emu.CountPrefix("backend", "", "/api/v1/"); n != 0 {
		t.Fatalf("backend saw %d requests under /api/v1/, want none", n)
	}
}

func TestEnvironmentAPIKey_largestKeyIsUploaded(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	value := strings.Repeat("k", synthapi.MaxEnvKeyBytes)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config:          envKeyConfig(env, ""),
			ConfigVariables: keyVariable(value),
			Check:           storedKeyIs(env, "ENVIRONMENT_API_KEY", value),
		}},
	})
}

func TestEnvironmentAPIKey_otherAlgorithmUploadsNothing(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	var pub [32]byte
	_, _ = rand.Read(pub[:])
	body, _ := json.Marshal(map[string]string{"public_key": base64.StdEncoding.EncodeToString(pub[:]), "alg": "rsa-oaep-256"})
	env.emu.InjectFault(emulator.Fault{
		Target: emulator.TargetBackend, Method: "GET", Path: "/api/v1/crypto/public-key",
		Status: 200, Body: string(body),
	})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config:          envKeyConfig(env, ""),
			ConfigVariables: keyVariable(testEnvironmentKey),
			ExpectError:     regexp.MustCompile(`(?s)nothing was uploaded.*"rsa-oaep-256".*"libsodium\.sealedbox\.v1"`),
		}},
	})
	if n := env.countEnvKeyUploads(); n != 0 {
		t.Fatalf("backend saw %d uploads, want none", n)
	}
}

func TestEnvironmentAPIKey_otherNameAndRename(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	const staging, prod = "ENVIRONMENT_API_KEY_STAGING", "ENVIRONMENT_API_KEY_PROD"

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:          envKeyConfig(env, fmt.Sprintf("  name = %q", staging)),
				ConfigVariables: keyVariable(testEnvironmentKey),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(envKeyAddr, tfjsonpath.New("name"), knownvalue.StringExact(staging)),
					statecheck.ExpectKnownValue(envKeyAddr, tfjsonpath.New("present"), knownvalue.Bool(true)),
				},
				Check: storedKeyIs(env, staging, testEnvironmentKey),
			},
			{
				// A new name is a new key; the old one stays on the backend.
				Config:          envKeyConfig(env, fmt.Sprintf("  name = %q", prod)),
				ConfigVariables: keyVariable(testEnvironmentKey),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(envKeyAddr, plancheck.ResourceActionReplace)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					storedKeyIs(env, prod, testEnvironmentKey),
					storedKeyIs(env, staging, testEnvironmentKey),
				),
			},
		},
	})
	if _, ok := env.emu.StoredEnvKeys()["ENVIRONMENT_API_KEY"]; ok {
		t.Error("a key was stored under the default name too")
	}
}

func TestEnvironmentAPIKey_importIsRefused(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config:          envKeyConfig(env, ""),
			ConfigVariables: keyVariable(testEnvironmentKey),
			ResourceName:    envKeyAddr,
			ImportState:     true,
			ImportStateId:   "envkey_anything",
			ExpectError:     regexp.MustCompile(`Resource Import Not Implemented`),
		}},
	})
}

type envKeyStateLacksCheck struct{ secrets []string }

// envKeyStateLacks fails when any secret appears anywhere in the state.
func envKeyStateLacks(secrets ...string) statecheck.StateCheck { return envKeyStateLacksCheck{secrets} }

func (c envKeyStateLacksCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if !strings.Contains(string(raw), "synth_environment_api_key") {
		resp.Error = fmt.Errorf("state does not hold the key resource; the check would prove nothing")
		return
	}
	for _, s := range c.secrets {
		if strings.Contains(string(raw), s) {
			resp.Error = fmt.Errorf("secret %q... found in state", s[:8])
			return
		}
	}
}
