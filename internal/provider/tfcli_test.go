package provider

import (
	"cmp"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// terraform-plugin-testing runs actions but never shows what they print, so
// the action tests drive the Terraform CLI themselves, with the provider
// served from this test process through TF_REATTACH_PROVIDERS.

const providerAddress = "registry.terraform.io/synth-laboratories/synth"

// tfCLI is a Terraform >= 1.14 working directory wired to the in-process
// provider.
type tfCLI struct {
	t       *testing.T
	bin     string
	dir     string
	env     []string
	version *version.Version
	tofu    bool
}

// testCLIPath is the CLI a test that drives one itself runs: the matrix's
// TF_ACC_TERRAFORM_PATH, as terraform-plugin-testing uses it, else the
// terraform on PATH.
func testCLIPath(t *testing.T, feature string) string {
	t.Helper()
	if bin := os.Getenv("TF_ACC_TERRAFORM_PATH"); bin != "" {
		return bin
	}
	bin, err := exec.LookPath("terraform")
	if err != nil {
		t.Skipf("no Terraform CLI to run %s with (set TF_ACC_TERRAFORM_PATH)", feature)
	}
	return bin
}

// newTFCLI finds the CLI the way terraform-plugin-testing does
// (TF_ACC_TERRAFORM_PATH, else PATH) and skips the test when the CLI has no
// actions (OpenTofu, Terraform before 1.14); `feature` names what the test
// needs in the skip message.
func newTFCLI(t *testing.T, feature string) *tfCLI {
	t.Helper()
	return newTFCLIAtLeast(t, feature, "1.14.0")
}

// newTFCLIAtLeast is newTFCLI for a feature that needs Terraform minVersion
// (OpenTofu is skipped all the same).
func newTFCLIAtLeast(t *testing.T, feature, minVersion string) *tfCLI {
	t.Helper()
	bin := testCLIPath(t, feature)
	ver, tofu := cliVersion(t, bin)
	if tofu {
		t.Skipf("OpenTofu has no %s", feature)
	}
	if ver.LessThan(version.Must(version.NewVersion(minVersion))) {
		t.Skipf("Terraform %s has no %s; it needs %s or later", ver, feature, minVersion)
	}
	return attachCLI(t, bin, ver, tofu)
}

// newAnyCLI is newTFCLI for what Terraform and OpenTofu share: it skips
// only when the CLI's version is below minTerraform (Terraform) or minTofu
// (OpenTofu); "" means no CLI of that kind has the feature.
func newAnyCLI(t *testing.T, feature, minTerraform, minTofu string) *tfCLI {
	t.Helper()
	bin := testCLIPath(t, feature)
	ver, tofu := cliVersion(t, bin)
	name, minimum := "Terraform", minTerraform
	if tofu {
		name, minimum = "OpenTofu", minTofu
	}
	// A pre-release (1.16.0-rc2) has what its release will have.
	if minimum == "" || ver.Core().LessThan(version.Must(version.NewVersion(minimum))) {
		t.Skipf("%s %s has no %s; it needs Terraform %s or OpenTofu %s", name, ver, feature,
			cmp.Or(minTerraform, "(none)"), cmp.Or(minTofu, "(none)"))
	}
	return attachCLI(t, bin, ver, tofu)
}

// cliVersion is the version bin reports, and whether it is OpenTofu.
func cliVersion(t *testing.T, bin string) (*version.Version, bool) {
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
	return ver, strings.Contains(filepath.Base(bin), "tofu") || strings.Contains(string(out), "OpenTofu")
}

// attachCLI makes a working directory whose CLI reaches the provider served
// from this test process.
func attachCLI(t *testing.T, bin string, ver *version.Version, tofu bool) *tfCLI {
	t.Helper()
	dir := t.TempDir()
	cliConfig := filepath.Join(dir, ".terraformrc")
	if err := os.WriteFile(cliConfig, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c := &tfCLI{t: t, bin: bin, dir: dir, version: ver, tofu: tofu}
	c.env = append(os.Environ(),
		"TF_REATTACH_PROVIDERS="+serveProvider(t),
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
	)
	return c
}

// serveProvider serves the provider in this process until the test ends and
// returns the reattach setting that points Terraform at it.
func serveProvider(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	config := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	go func() {
		err := tf6server.Serve(providerAddress, providerserver.NewProtocol6(New("test")()),
			tf6server.WithDebug(ctx, config, closed), tf6server.WithLoggingSink(t),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()))
		if err != nil {
			t.Errorf("serving the provider: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
		}
	})
	var rc *plugin.ReattachConfig
	select {
	case rc = <-config:
	case <-time.After(10 * time.Second):
		t.Fatal("the provider server did not start")
	}
	attach := map[string]any{
		"Protocol":        string(rc.Protocol),
		"ProtocolVersion": rc.ProtocolVersion,
		"Pid":             rc.Pid,
		"Test":            true,
		"Addr":            map[string]string{"Network": rc.Addr.Network(), "String": rc.Addr.String()},
	}
	// OpenTofu resolves "synth-laboratories/synth" at its own registry's
	// address: both addresses reach this one server.
	reattach, err := json.Marshal(map[string]any{
		providerAddress: attach,
		strings.Replace(providerAddress, "registry.terraform.io", "registry.opentofu.org", 1): attach,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(reattach)
}

// atLeast reports whether the CLI is release `v` or newer. A pre-release
// counts as its release: 1.16.0-rc2 is a 1.16 CLI here, since it is the
// 1.16 line the matrix runs.
func (c *tfCLI) atLeast(v string) bool {
	return !c.version.Core().LessThan(version.Must(version.NewVersion(v)))
}

// write puts a file into the working directory.
func (c *tfCLI) write(name, content string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// run runs one command and returns its combined output; a failure is
// returned, not fatal, because some tests expect one.
func (c *tfCLI) run(args ...string) (string, error) {
	c.t.Helper()
	cmd := exec.Command(c.bin, append(args[:1:1], append([]string{"-no-color"}, args[1:]...)...)...)
	cmd.Dir, cmd.Env = c.dir, c.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// mustRun runs a command that has to succeed.
func (c *tfCLI) mustRun(args ...string) string {
	c.t.Helper()
	out, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// requiredProviders names the provider at the address it is served under.
const requiredProviders = `
terraform {
  required_providers {
    synth = { source = "synth-laboratories/synth" }
  }
}
`

// copyExample copies an example's files, subdirectories included, into the
// working directory, leaving out state and Terraform's working data.
func (c *tfCLI) copyExample(name string) {
	c.t.Helper()
	from := filepath.Join("..", "..", "examples", name)
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			if d.Name() == ".terraform" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(c.dir, rel), 0o755)
		}
		if strings.Contains(d.Name(), ".tfstate") || d.Name() == ".terraform.lock.hcl" {
			return nil
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(c.dir, rel), raw, 0o600)
	})
	if err != nil {
		c.t.Fatal(err)
	}
}

// planChanges runs a saved plan through `terraform show -json` and returns,
// per resource address, its planned actions and whether it is imported.
func (c *tfCLI) planChanges() map[string]plannedChange {
	c.t.Helper()
	c.mustRun("plan", "-input=false", "-out=plan.bin")
	show := exec.Command(c.bin, "show", "-json", "plan.bin")
	show.Dir, show.Env = c.dir, c.env
	out, err := show.Output()
	if err != nil {
		c.t.Fatalf("terraform show -json: %v", err)
	}
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions   []string        `json:"actions"`
				Importing json.RawMessage `json:"importing"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(out, &plan); err != nil {
		c.t.Fatalf("decoding the plan: %v", err)
	}
	changes := map[string]plannedChange{}
	for _, rc := range plan.ResourceChanges {
		changes[rc.Address] = plannedChange{actions: strings.Join(rc.Change.Actions, ","), importing: len(rc.Change.Importing) > 0}
	}
	return changes
}

type plannedChange struct {
	actions   string
	importing bool
}
