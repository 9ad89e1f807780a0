package provider

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// TestExample_moduleTest runs `terraform test` on examples/module-test, as a
// module author would: its mock runs must pass without a backend and its
// last run must submit one job to the emulator. The CLI is the matrix's
// (TF_ACC_TERRAFORM_PATH), with the provider served from this process.
func TestExample_moduleTest(t *testing.T) {
	bin := testCLIPath(t, "terraform test")
	ver := cliVersion(t, bin)
	// mock_provider arrived in Terraform 1.7 and OpenTofu 1.8, provider
	// functions (which the module calls) in Terraform 1.8 and OpenTofu 1.7.
	// Every CLI of the matrix has both; an older one skips, saying why.
	if ver.LessThan(version.Must(version.NewVersion("1.8.0"))) {
		t.Skipf("%s %s cannot run this module's tests: mock_provider and provider functions need 1.8 or later", bin, ver)
	}

	env := newTestEnv(t, emulator.Options{})
	useEmulatorEnvironment(t, env)
	dir := t.TempDir()
	copyTree(t, filepath.Join("..", "..", "examples", "module-test"), dir)
	cliConfig := filepath.Join(dir, ".terraformrc")
	if err := os.WriteFile(cliConfig, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	environ := append(os.Environ(),
		"TF_REATTACH_PROVIDERS="+reattachForEveryRegistry(t, serveProvider(t)),
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
	)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append(args, "-no-color")...)
		cmd.Dir, cmd.Env = dir, environ
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("init", "-input=false")
	out := run("test")
	if !regexp.MustCompile(`Success! 4 passed, 0 failed`).MatchString(out) {
		t.Fatalf("terraform test did not pass all four runs:\n%s", out)
	}
	// The three mock runs sent nothing; the emulator run sent one job.
	if n := len(env.createPayloads(t)); n != 1 {
		t.Errorf("the backend received %d jobs, want 1 (from the run without the mock):\n%s", n, out)
	}
}

// cliVersion is the version bin reports (OpenTofu's and Terraform's alike).
func cliVersion(t *testing.T, bin string) *version.Version {
	t.Helper()
	out, err := exec.Command(bin, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version: %v", bin, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v", bin, err)
	}
	ver, err := version.NewVersion(v.Version)
	if err != nil {
		t.Fatalf("%s version %q: %v", bin, v.Version, err)
	}
	return ver
}

// reattachForEveryRegistry adds the OpenTofu registry's address of the
// provider to a reattach setting: OpenTofu resolves "synth-laboratories/synth"
// there, Terraform at registry.terraform.io; both reach the same server.
func reattachForEveryRegistry(t *testing.T, reattach string) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(reattach), &m); err != nil {
		t.Fatal(err)
	}
	m[strings.Replace(providerAddress, "registry.terraform.io", "registry.opentofu.org", 1)] = m[providerAddress]
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// copyTree copies a directory's files, subdirectories included, leaving out
// Terraform's working data.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			if d.Name() == ".terraform" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if strings.Contains(d.Name(), ".tfstate") || d.Name() == ".terraform.lock.hcl" {
			return nil
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), raw, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}
