package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// The adopt-cli-jobs example end to end: terraform query writes resource and
// import blocks for jobs submitted outside Terraform, and the plan that
// follows imports them and changes nothing.
func TestExample_adoptCLIJobs(t *testing.T) {
	cli := newTFCLI(t, "terraform query")
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour})
	first := env.seedJob(t, "Qwen/Qwen3-4B")
	second := env.seedTaggedJob(t, "Qwen/Qwen3-4B", map[string]any{"team": "search"})
	env.seedJob(t, "Qwen/Qwen3-0.6B") // another model
	stopped := env.seedJob(t, "Qwen/Qwen3-4B")
	env.emu.FailJob(stopped, "out of memory") // not running
	time.Sleep(200 * time.Millisecond)        // past the queue

	cli.copyExample("adopt-cli-jobs")
	useEmulatorEnvironment(t, env) // read by the provider, which runs in this process
	cli.mustRun("init", "-input=false")
	cli.mustRun("query", "-generate-config-out=jobs.tf")

	expectNoOpImports(t, cli, "jobs.tf", first, second)
}

// expectNoOpImports checks that the configuration terraform query wrote to
// file imports exactly the jobs want, and that the plan which follows
// imports each of them and changes nothing.
func expectNoOpImports(t *testing.T, cli *tfCLI, file string, want ...string) {
	t.Helper()
	generated, err := os.ReadFile(filepath.Join(cli.dir, file))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated configuration:\n%s", generated)
	var imported []string
	for _, m := range regexp.MustCompile(`id\s*=\s*"(job_[0-9a-f]+)"`).FindAllStringSubmatch(string(generated), -1) {
		if !slices.Contains(imported, m[1]) {
			imported = append(imported, m[1])
		}
	}
	slices.Sort(imported)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(imported, want) {
		t.Fatalf("generated configuration names jobs %v, want %v", imported, want)
	}

	changes := cli.planChanges()
	if len(changes) != len(want) {
		t.Fatalf("plan has %d resource changes, want %d imports: %v", len(changes), len(want), changes)
	}
	for addr, c := range changes {
		if c.actions != "no-op" || !c.importing {
			t.Errorf("%s: planned %q (importing %v), want a no-op import", addr, c.actions, c.importing)
		}
	}
}
