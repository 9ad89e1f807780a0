package provider

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

const (
	testAPIKey         = "sk_test_backend_5ecret_0001"
	testEnvironmentKey = "env_test_task_5ecret_0002"
)

// testProviderFactories serve the provider in-process: no registry, no binary.
var testProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"synth": providerserver.NewProtocol6WithError(New("test")()),
}

// TestMain clears the environment variables the provider falls back to, so
// that a developer's own Synth settings can neither leak into nor break a test.
func TestMain(m *testing.M) {
	for _, name := range []string{envAPIKey, envBackendURL, envBackendURLOld, envEnvironmentKey, envTaskAppURL} {
		os.Unsetenv(name)
	}
	os.Exit(m.Run())
}

// testEnv is one emulated backend and task app on loopback, private to a test.
type testEnv struct {
	emu        *emulator.Emulator
	backendURL string
	taskAppURL string
}

func newTestEnv(t *testing.T, opts emulator.Options) *testEnv {
	t.Helper()
	opts.APIKey = testAPIKey
	opts.EnvironmentAPIKey = testEnvironmentKey
	if opts.QueueTime == 0 {
		opts.QueueTime = 100 * time.Millisecond
	}
	if opts.RunTime == 0 {
		opts.RunTime = 400 * time.Millisecond
	}
	emu := emulator.New(opts)
	t.Cleanup(func() { _ = emu.Close() })
	backend := httptest.NewServer(emu.Backend())
	t.Cleanup(backend.Close)
	env := &testEnv{emu: emu, backendURL: backend.URL}
	env.taskAppURL = env.newTaskAppServer(t)
	return env
}

// newTaskAppServer serves the emulated task app on one more address, for
// tests that need several task URLs to tell apart.
func (env *testEnv) newTaskAppServer(t *testing.T) string {
	t.Helper()
	server := httptest.NewServer(env.emu.TaskApp())
	t.Cleanup(server.Close)
	return server.URL
}

// provider returns the provider block pointing at the emulator; extra lines
// go inside the block.
func (env *testEnv) provider(extra string) string {
	return fmt.Sprintf(`
provider "synth" {
  backend_url         = %q
  api_key             = %q
  environment_api_key = %q
  max_retries         = 2
  request_timeout     = "5s"
%s
}
`, env.backendURL, testAPIKey, testEnvironmentKey, extra)
}

// createPayloads returns the bodies the backend received on POST /api/rl/jobs.
func (env *testEnv) createPayloads(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range env.emu.Requests() {
		if r.Target != "backend" || r.Method != "POST" || r.Path != "/api/rl/jobs" {
			continue
		}
		var body map[string]any
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("create body is not JSON: %v", err)
		}
		out = append(out, body)
	}
	return out
}

func (env *testEnv) countCreates() int {
	return env.emu.Count("backend", "POST", "/api/rl/jobs")
}

// recordJobID is a step check that keeps the id of the job in state, for a
// later step or check to use.
func recordJobID(id *string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		*id = s.RootModule().Resources[jobAddr].Primary.ID
		return nil
	}
}
