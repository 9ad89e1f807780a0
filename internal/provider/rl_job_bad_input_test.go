package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// TestRLJob_badInputIsRefusedBeforeAnythingIsSent plans bad configurations
// and checks that each one fails with an error naming the attribute or the
// TOML line, and that the backend never sees a create.
func TestRLJob_badInputIsRefusedBeforeAnythingIsSent(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	task := fmt.Sprintf("services = { task_url = %q }", env.taskAppURL)
	base := `model = { base = "Qwen/Qwen3-4B" }`
	toml := func(doc string) string {
		return "config_toml = <<-EOT\n" + doc + "\nEOT"
	}
	bigTOML := "config_toml = <<-EOT\n[model]\nbase = \"Qwen/Qwen3-4B\"\n" +
		strings.Repeat("# padding to push the document past the size limit\n", 2<<20/51) + "EOT"

	cases := []struct {
		name     string
		provider string // a provider setting under test, in a block of its own
		job      string // the resource body
		want     string // regexp the error must match
	}{
		{name: "TOML that does not parse", job: task + "\n" + toml("[model\nbase = \"Qwen/Qwen3-4B\""), want: `config_toml line 1`},
		{name: "TOML value of the wrong type", job: task + "\n" + toml("[model]\nbase = \"Qwen/Qwen3-4B\"\n[compute]\ngpu_count = \"eight\""), want: `line 4: \[compute\]\.gpu_count must be an\s+integer`},
		{name: "TOML learning rate as a string", job: task + "\n" + toml("[model]\nbase = \"Qwen/Qwen3-4B\"\n[training]\nlearning_rate = \"fast\""), want: `line 4: \[training\]\.learning_rate`},
		{name: "TOML section that is not a table", job: task + "\n" + base + "\n" + toml("compute = 8"), want: `line 1: compute must be a table`},
		{name: "model source and base typed", job: task + "\n" + `model = { base = "Qwen/Qwen3-4B", source = "ft:Qwen/Qwen3-4B:job_1" }`, want: `exactly one of \[model\]\.source or\s+\[model\]\.base`},
		{name: "model with neither source nor base", job: task + "\n" + `model = { label = "x" }`, want: `exactly one of \[model\]\.source or\s+\[model\]\.base`},
		{name: "no model at all", job: task, want: `exactly one of \[model\]\.source or\s+\[model\]\.base`},
		{name: "model source and base in TOML", job: task + "\n" + toml("[model]\nsource = \"ft:Qwen/Qwen3-4B:job_1\"\nbase = \"Qwen/Qwen3-4B\""), want: `exactly one of \[model\]\.source or\s+\[model\]\.base`},
		{name: "empty model base", job: task + "\n" + `model = { base = "" }`, want: `model\.base must not be empty`},
		{name: "empty source id segments", job: task + "\n" + `model = { source = "ft:" }`, want: `Invalid model id`},
		{name: "source id without a base model", job: task + "\n" + `model = { source = "ft:Qwen3-4B:job_1" }`, want: `Invalid model id`},
		{name: "source that is neither a trained model nor a base", job: task + "\n" + `model = { source = "Qwen3-4B" }`, want: `Invalid model id`},
		{name: "integer key given a fraction", job: task + "\n" + toml("[model]\nbase = \"Qwen/Qwen3-4B\"\n[compute]\ngpu_count = 8.5"), want: `line 4: \[compute\]\.gpu_count must be an\s+integer`},
		{name: "base id that is not org/name", job: task + "\n" + `model = { base = "Qwen3-4B" }`, want: `Invalid model id`},
		{name: "wrong algorithm type", job: task + "\n" + base + "\n" + `algorithm = { type = "offline", method = "policy_gradient", variety = "gspo" }`, want: `algorithm\.type`},
		{name: "wrong algorithm variety in TOML", job: task + "\n" + base + "\n" + toml("[algorithm]\ntype = \"online\"\nmethod = \"policy_gradient\"\nvariety = \"ppo\""), want: `config_toml line 4`},
		{name: "zero gpu_count", job: task + "\n" + base + "\n" + `compute = { gpu_count = 0 }`, want: `compute\.gpu_count must be at least 1`},
		{name: "negative gpu_count", job: task + "\n" + base + "\n" + `compute = { gpu_count = -8 }`, want: `compute\.gpu_count must be at least 1`},
		{name: "zero nodes in TOML", job: task + "\n" + base + "\n" + toml("[compute]\nnodes = 0"), want: `config_toml line 2: \[compute\]\.nodes`},
		{name: "zero batch_size", job: task + "\n" + base + "\n" + `training = { batch_size = 0 }`, want: `training\.batch_size must be at least 1`},
		{name: "negative group_size", job: task + "\n" + base + "\n" + `training = { group_size = -4 }`, want: `training\.group_size must be at least 1`},
		{name: "zero num_epochs", job: task + "\n" + base + "\n" + `training = { num_epochs = 0 }`, want: `training\.num_epochs must be at least 1`},
		{name: "zero max_turns", job: task + "\n" + base + "\n" + `rollout = { max_turns = 0 }`, want: `rollout\.max_turns must be at least 1`},
		{name: "zero learning_rate", job: task + "\n" + base + "\n" + `training = { learning_rate = 0 }`, want: `training\.learning_rate`},
		{name: "negative learning_rate", job: task + "\n" + base + "\n" + `training = { learning_rate = -0.00001 }`, want: `training\.learning_rate`},
		{name: "negative evaluation seed", job: task + "\n" + base + "\n" + `evaluation = { seeds = [0, -1] }`, want: `evaluation\.seeds`},
		{name: "negative data seed in TOML", job: task + "\n" + base + "\n" + toml("[data]\nseeds = [1, -5]"), want: `config_toml line 2: \[data\]\.seeds`},
		{name: "task URL that is not http", job: base + "\n" + `services = { task_url = "ftp://tasks.example.com" }`, want: `services\.task_url`},
		{name: "task URL with spaces", job: base + "\n" + `services = { task_url = "http://tasks example.com" }`, want: `services\.task_url`},
		{name: "empty task URL", job: base + "\n" + `services = { task_url = "" }`, want: `services\.task_url must not be empty`},
		{name: "task URL from TOML that is not http", job: base + "\n" + toml("[services]\ntask_url = \"file:///etc/passwd\""), want: `config_toml line 2`},
		{name: "no task URL anywhere", job: base, want: `(?s)services\.task_url.*task_app_url.*\[services\]\.task_url`},
		{name: "judge URL that is not http", job: base + "\n" + fmt.Sprintf(`services = { task_url = %q, judge_url = "mailto:judge@example.com" }`, env.taskAppURL), want: `services\.judge_url`},
		{name: "empty tag key", job: task + "\n" + base + "\n" + `tags = { "" = "x" }`, want: `Invalid tag`},
		{name: "unknown on_destroy", job: task + "\n" + base + "\n" + `on_destroy = "delete"`, want: `(?s)on_destroy.*value must be one of`},
		{name: "bad health_check_timeout", job: task + "\n" + base + "\n" + `health_check_timeout = "two minutes"`, want: `(?s)Invalid duration.*"two minutes"`},
		{name: "bad create timeout", job: task + "\n" + base + "\n" + `timeouts = { create = "forever" }`, want: `"forever" must be a string containing`},
		{name: "config_toml over the size limit", job: task + "\n" + bigTOML, want: `config_toml too large`},
		{name: "bad provider request_timeout", provider: `  request_timeout = "soon"`, job: task + "\n" + base, want: `(?s)Invalid duration.*"soon"`},
		{name: "negative provider max_retries", provider: `  max_retries = -1`, job: task + "\n" + base, want: `max_retries`},
		{name: "provider backend_url that is not a URL", provider: `  backend_url = "ftp://backend"`, job: task + "\n" + base, want: `Invalid backend URL`},
	}

	t.Run("cases", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				providerBlock := env.provider("")
				if tc.provider != "" {
					providerBlock = fmt.Sprintf("provider \"synth\" {\n  api_key = %q\n%s\n}\n", testAPIKey, tc.provider)
				}
				resource.UnitTest(t, resource.TestCase{
					ProtoV6ProviderFactories: testProviderFactories,
					Steps: []resource.TestStep{{
						Config:      providerBlock + "resource \"synth_rl_job\" \"test\" {\n" + tc.job + "\n}\n",
						PlanOnly:    true,
						ExpectError: regexp.MustCompile(tc.want),
					}},
				})
			})
		}
	})
	if n := env.countCreates(); n != 0 {
		t.Fatalf("bad input reached the backend: %d creates", n)
	}
	if n := len(env.emu.Requests()); n != 0 {
		t.Fatalf("bad input caused %d requests; none should be sent", n)
	}
}
