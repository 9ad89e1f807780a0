package provider

import (
	"regexp"
	"testing"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// TestExample_moduleTest runs `terraform test` on examples/module-test, as a
// module author would: its mock runs must pass without a backend and its
// last run must submit one job to the emulator. The CLI is the matrix's
// (TF_ACC_TERRAFORM_PATH), with the provider served from this process.
func TestExample_moduleTest(t *testing.T) {
	// mock_provider arrived in Terraform 1.7 and OpenTofu 1.8, provider
	// functions (which the module calls) in Terraform 1.8 and OpenTofu 1.7.
	// Every CLI of the matrix has both.
	cli := newAnyCLI(t, "mock_provider and provider functions in terraform test", "1.8.0", "1.8.0")
	env := newTestEnv(t, emulator.Options{})
	useEmulatorEnvironment(t, env)
	cli.copyExample("module-test")

	cli.mustRun("init", "-input=false")
	out := cli.mustRun("test")
	if !regexp.MustCompile(`Success! 4 passed, 0 failed`).MatchString(out) {
		t.Fatalf("terraform test did not pass all four runs:\n%s", out)
	}
	// The three mock runs sent nothing; the emulator run sent one job.
	if n := len(env.createPayloads(t)); n != 1 {
		t.Errorf("the backend received %d jobs, want 1 (from the run without the mock):\n%s", n, out)
	}
}
