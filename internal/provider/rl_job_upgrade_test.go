package provider

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// TestRLJob_upgradeFromPreviousRelease plans, with this provider, a state
// the previous release wrote (see testdata/upgrade-from-57c8ce1/README.md:
// applied for real with that release's build, not crafted). Its recorded
// effective_config lacks what this release adds to every config (the
// weight-sync block, the reference placement), spells the base the
// catalogue's way and the learning rate as an integer. None of that may
// cost the job: the unchanged configuration plans nothing, the same
// training written another way is an in-place update, and only a real
// change of the training replaces the job.
func TestRLJob_upgradeFromPreviousRelease(t *testing.T) {
	cli := newTFCLIAtLeast(t, "a state written by Terraform 1.11", "1.11.0")
	// The job finished long ago; the emulator no longer knows it, and the
	// refresh keeps a finished job that the backend has forgotten.
	backend := httptest.NewServer(emulator.New(emulator.Options{}).Backend())
	t.Cleanup(backend.Close)

	fixture := filepath.Join("testdata", "upgrade-from-57c8ce1")
	for _, name := range []string{"main.tf", "rl.toml", "terraform.tfstate"} {
		raw, err := os.ReadFile(filepath.Join(fixture, name))
		if err != nil {
			t.Fatal(err)
		}
		cli.write(name, string(raw))
	}
	cli.write("terraform.tfvars", `backend_url = "`+backend.URL+`"`+"\n")
	cli.mustRun("init", "-input=false")

	const addr = "synth_rl_job.upgraded"
	if got := cli.planChanges()[addr].actions; got != "no-op" {
		t.Fatalf("the unchanged configuration plans %q after the upgrade, want no-op", got)
	}

	toml, err := os.ReadFile(filepath.Join(fixture, "rl.toml"))
	if err != nil {
		t.Fatal(err)
	}
	// The same training, written another way: a comment, and the key order.
	cli.write("rl.toml", "# Reformatted after the upgrade.\n"+strings.Replace(string(toml),
		"num_epochs = 1\niterations_per_epoch = 2\n", "iterations_per_epoch = 2\nnum_epochs = 1\n", 1))
	if got := cli.planChanges()[addr].actions; got != "update" {
		t.Fatalf("the same training written another way plans %q, want an in-place update", got)
	}

	cli.write("rl.toml", strings.Replace(string(toml), "batch_size = 4", "batch_size = 8", 1))
	if got := cli.planChanges()[addr].actions; got != "delete,create" && got != "create,delete" {
		t.Fatalf("a new batch size plans %q, want the job replaced", got)
	}
}
