package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// TestSecretsStayOutOfLogsAndState applies a job with TRACE logging captured
// (Terraform's and the provider's) and checks that neither key appears in the
// log or in the state. The task app's key reaches the job only through the
// write-only attribute, which also proves it overrides the provider's key.
func TestSecretsStayOutOfLogsAndState(t *testing.T) {
	logPath := captureTraceLog(t)
	// As users should: the API key from the environment, the task app's key
	// from a sensitive variable, neither written in the configuration.
	t.Setenv(envAPIKey, testAPIKey)
	// An alias travels in X-API-Keys beside the task app's key.
	const aliasKey = "env_alias_key_that_must_not_be_logged"
	t.Setenv(envEnvironmentKeyAliases, aliasKey)
	env := newTestEnv(t, emulator.Options{})

	config := jobWithKeyVariable(env, `environment_api_key = "env_provider_level_key_that_the_task_app_refuses"`, "")

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigVariables:   tfconfig.Variables{"task_app_key": tfconfig.StringVariable(testEnvironmentKey)},
			ConfigStateChecks: []statecheck.StateCheck{stateLacks(testAPIKey, testEnvironmentKey, aliasKey)},
		}},
	})

	if n := env.countCreates(); n != 1 {
		t.Fatalf("backend saw %d creates, want 1", n)
	}
	sentAlias := false
	for _, r := range env.emu.Requests() {
		sentAlias = sentAlias || strings.HasSuffix(r.Header.Get("X-API-Keys"), ","+aliasKey)
	}
	if !sentAlias {
		t.Fatal("the alias never reached the task app; the test would prove nothing about it")
	}
	logged, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(logged) == 0 || !strings.Contains(string(logged), "/api/rl/jobs") {
		t.Fatalf("the trace log (%d bytes) does not show the provider's requests; the test would prove nothing", len(logged))
	}
	for _, secret := range []string{testAPIKey, testEnvironmentKey, aliasKey} {
		if i := strings.Index(string(logged), secret); i >= 0 {
			start := max(0, i-200)
			t.Errorf("secret %q found in the trace log: ...%s...", secret[:8], logged[start:i])
		}
	}
}

type stateLacksCheck struct{ secrets []string }

func stateLacks(secrets ...string) statecheck.StateCheck { return stateLacksCheck{secrets} }

func (c stateLacksCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if !strings.Contains(string(raw), "synth_rl_job") {
		resp.Error = fmt.Errorf("state does not hold the job; the check would prove nothing")
		return
	}
	for _, s := range c.secrets {
		if strings.Contains(string(raw), s) {
			resp.Error = fmt.Errorf("secret %q... found in state", s[:8])
			return
		}
	}
}

// TestSecretPrefixesStayOutOfLogs has the task app refuse a key with the
// SDK's 400 body, which quotes the first 15 characters of the deployed key
// (allowed_first15) and of the key sent (got_first15). This one has no
// message, as some SDK versions send it, so the client quotes the body
// whole. Both keys are ones the provider knows, so no prefix of either may
// reach the TRACE log.
func TestSecretPrefixesStayOutOfLogs(t *testing.T) {
	logPath := captureTraceLog(t)
	t.Setenv(envAPIKey, testAPIKey)
	t.Setenv(envEnvironmentKey, testEnvironmentKey)
	env := newTestEnv(t, emulator.Options{})
	const refusedKey = "env_refused_by_the_task_app_0003"
	env.emu.InjectFault(emulator.Fault{
		Target: emulator.TargetTaskApp,
		Times:  -1,
		Status: http.StatusBadRequest,
		Body: fmt.Sprintf(`{"detail":{"error":{"code":"unauthorised","allowed_first15":[%q],"allowed_count":1,"got_first15":[%q],"got_lens":[%d]}}}`,
			testEnvironmentKey[:15], refusedKey[:15], len(refusedKey)),
	})

	config := jobWithKeyVariable(env, "", `health_check_timeout = "1s"`)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config:          config,
			ConfigVariables: tfconfig.Variables{"task_app_key": tfconfig.StringVariable(refusedKey)},
			ExpectError:     regexp.MustCompile(`Task app is not healthy; nothing was submitted`),
		}},
	})

	logged, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logged), "allowed_first15") {
		t.Fatalf("the trace log (%d bytes) does not show the task app's 400 body; the test would prove nothing", len(logged))
	}
	for _, secret := range []string{testAPIKey, testEnvironmentKey, refusedKey} {
		prefix := secret[:8]
		for i := strings.Index(string(logged), prefix); i >= 0; {
			start, end := max(0, i-120), min(len(logged), i+40)
			t.Errorf("a prefix of a secret (%q…) is in the trace log: …%s…", prefix[:4], strings.ReplaceAll(string(logged[start:end]), prefix, "<PREFIX>"))
			next := strings.Index(string(logged[i+1:]), prefix)
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
}

// captureTraceLog has the test's Terraform runs, and the provider, log at
// TRACE into the file it returns.
func captureTraceLog(t *testing.T) string {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_LOG", "TRACE")
	return logPath
}

// jobWithKeyVariable is a job whose task-app key comes from the sensitive,
// ephemeral variable task_app_key through the write-only attribute, with
// providerExtra in the provider block and jobExtra in the job.
func jobWithKeyVariable(env *testEnv, providerExtra, jobExtra string) string {
	return fmt.Sprintf(`
provider "synth" {
  backend_url = %q
  %s
}

variable "task_app_key" {
  type      = string
  sensitive = true
  ephemeral = true
}
`, env.backendURL, providerExtra) + baseJob(env.taskAppURL, `
  environment_api_key_wo         = var.task_app_key
  environment_api_key_wo_version = 1
  `+jobExtra+`
`)
}
