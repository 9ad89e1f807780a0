package provider

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

const (
	sftJobAddr     = "synth_sft_job.fft"
	sftCreatePath  = "/api/learning/jobs"
	sftTestBase    = "Qwen/Qwen3-4B"
	sftTestFileID  = "file_not_uploaded"
	sftModelPrefix = "fft:" + sftTestBase + ":"
)

// sftJobBlock is a synth_sft_job trained on trainingFileID (an expression),
// with the typed blocks most jobs set; extra lines go inside the resource.
func sftJobBlock(trainingFileID, extra string) string {
	return fmt.Sprintf(`
resource "synth_sft_job" "fft" {
  training_file_id = %s
  model            = { base = %q }
  compute          = { gpu_type = "H100", gpu_count = 1 }
  hyperparameters  = { n_epochs = 1, batch_size = 4, learning_rate = 0.00002 }
%s
}
`, trainingFileID, sftTestBase, extra)
}

// sftJobConfig is a training file with content and an SFT job trained on it.
func sftJobConfig(t *testing.T, env *testEnv, content, extra string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "train.jsonl")
	writeTrainingFile(t, p, content)
	return trainingFileConfig(env, p, "") + sftJobBlock("synth_training_file.train.id", extra)
}

func (env *testEnv) countSFTCreates() int {
	return env.emu.Count("backend", "POST", sftCreatePath)
}

// sftJobs are the SFT jobs the emulated backend holds.
func (env *testEnv) sftJobs() []emulator.Job {
	var out []emulator.Job
	for _, j := range env.emu.Jobs() {
		if j.Payload["training_type"] == "sft_offline" {
			out = append(out, j)
		}
	}
	return out
}

var sftModelID = knownvalue.StringRegexp(regexp.MustCompile(`^` + regexp.QuoteMeta(sftModelPrefix) + `job_`))

// The job is created, started, waited for, and its trained model, which the
// backend names only seconds after the job succeeded, reaches state under
// both names. A second plan is empty.
func TestSFTJob_createStartsWaitsAndResolvesALateModel(t *testing.T) {
	env := newTestEnv(t, emulator.Options{SFT: emulator.SFTOptions{FileReadyLag: -1}})
	config := sftJobConfig(t, env, datasetV1, "")

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sftJobAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
					statecheck.ExpectKnownValue(sftJobAddr, tfjsonpath.New("fine_tuned_model"), sftModelID),
					statecheck.CompareValuePairs(sftJobAddr, tfjsonpath.New("fine_tuned_model"), sftJobAddr, tfjsonpath.New("output_model_id"), compareSame{}),
					statecheck.ExpectKnownValue(sftJobAddr, tfjsonpath.New("effective_config"), knownvalue.StringRegexp(regexp.MustCompile(`"training_type":"sft_offline"`))),
				},
				Check: func(s *terraform.State) error {
					if n := env.countSFTCreates(); n != 1 {
						return fmt.Errorf("%d creates, want 1", n)
					}
					id := s.RootModule().Resources[sftJobAddr].Primary.ID
					if n := env.emu.Count("backend", "POST", sftCreatePath+"/"+id+"/start"); n != 1 {
						return fmt.Errorf("%d start calls, want 1", n)
					}
					return nil
				},
			},
			{
				Config: config,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// compareSame is a value comparer for two attributes that must be equal.
type compareSame struct{}

func (compareSame) CompareValues(values ...any) error {
	if len(values) != 2 || fmt.Sprint(values[0]) != fmt.Sprint(values[1]) {
		return fmt.Errorf("values differ: %v", values)
	}
	return nil
}

// On a deployment without a start call (/start answers 404 and jobs start
// on create), the job trains all the same.
func TestSFTJob_deploymentWithoutStartCall(t *testing.T) {
	env := newTestEnv(t, emulator.Options{SFT: emulator.SFTOptions{FileReadyLag: -1, StartOnCreate: true, ModelLag: -1}})

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{{
			Config: sftJobConfig(t, env, datasetV1, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(sftJobAddr, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
				statecheck.ExpectKnownValue(sftJobAddr, tfjsonpath.New("fine_tuned_model"), sftModelID),
			},
		}},
	})
}

// Each bad SFT input of the issue is refused at plan, on its attribute or
// TOML line, and nothing is sent.
func TestSFTJob_badInputIsRefusedAtPlan(t *testing.T) {
	cases := map[string]struct {
		body string
		want string
	}{
		"fine-tuned base": {
			body: `training_file_id = "` + sftTestFileID + `"
  model = { base = "fft:Qwen/Qwen3-4B:job_abc" }
  compute = { gpu_type = "H100" }`,
			want: `(?s)model\.base.*fine-tuned|model\.base.*base model`,
		},
		"total_steps = -5": {
			body: `training_file_id = "` + sftTestFileID + `"
  model = { base = "Qwen/Qwen3-4B" }
  compute = { gpu_type = "H100" }
  hyperparameters = { total_steps = -5 }`,
			want: `(?s)hyperparameters\.total_steps.*at least 1`,
		},
		"n_epochs = 0": {
			body: `training_file_id = "` + sftTestFileID + `"
  model = { base = "Qwen/Qwen3-4B" }
  compute = { gpu_type = "H100" }
  hyperparameters = { n_epochs = 0 }`,
			want: `(?s)hyperparameters\.n_epochs.*at least 1`,
		},
		"float batch_size": {
			body: `training_file_id = "` + sftTestFileID + `"
  config_toml = <<-EOT
    [job]
    model = "Qwen/Qwen3-4B"
    [compute]
    gpu_type = "H100"
    [hyperparameters]
    n_epochs = 1
    batch_size = 2.5
  EOT`,
			want: `(?s)config_toml.*line 7.*batch_size.*integer`,
		},
		"warmup_ratio = 1.5": {
			body: `training_file_id = "` + sftTestFileID + `"
  model = { base = "Qwen/Qwen3-4B" }
  compute = { gpu_type = "H100" }
  hyperparameters = { n_epochs = 1, warmup_ratio = 1.5 }`,
			want: `(?s)hyperparameters\.warmup_ratio.*1\.5`,
		},
		"no gpu_type": {
			body: `training_file_id = "` + sftTestFileID + `"
  model = { base = "Qwen/Qwen3-4B" }
  hyperparameters = { n_epochs = 1 }`,
			want: `(?s)gpu_type`,
		},
		"RL [algorithm]": {
			body: `training_file_id = "` + sftTestFileID + `"
  model = { base = "Qwen/Qwen3-4B" }
  compute = { gpu_type = "H100" }
  config_toml = <<-EOT
    [algorithm]
    type = "online"
    method = "policy_gradient"
    variety = "gspo"
  EOT`,
			want: `(?s)config_toml.*line \d.*algorithm`,
		},
		"TOML syntax error": {
			body: `training_file_id = "` + sftTestFileID + `"
  model = { base = "Qwen/Qwen3-4B" }
  compute = { gpu_type = "H100" }
  config_toml = <<-EOT
    [hyperparameters]
    n_epochs = = 1
  EOT`,
			want: `(?s)config_toml.*line 2`,
		},
		"typed attribute contradicting the TOML's type": {
			body: `training_file_id = "` + sftTestFileID + `"
  model = { base = "Qwen/Qwen3-4B" }
  hyperparameters = { n_epochs = 1 }
  compute = { gpu_type = "H100" }
  config_toml = <<-EOT
    hyperparameters = "fast"
  EOT`,
			want: `(?s)config_toml.*line 1.*hyperparameters.*table.*hyperparameters\.n_epochs`,
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t, emulator.Options{})
			tfresource.UnitTest(t, tfresource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				Steps: []tfresource.TestStep{{
					Config:      env.provider("") + "\nresource \"synth_sft_job\" \"fft\" {\n  " + c.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(c.want),
				}},
			})
			for _, r := range env.emu.Requests() {
				if r.Method != "GET" {
					t.Errorf("a refused plan sent %s %s", r.Method, r.Path)
				}
			}
		})
	}
}

// A job already running with the same request fails the plan, naming it;
// allow_duplicate lets a second one through.
func TestSFTJob_identicalJobIsRefusedUnlessAllowed(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour, SFT: emulator.SFTOptions{FileReadyLag: -1}})
	p := filepath.Join(t.TempDir(), "train.jsonl")
	writeTrainingFile(t, p, datasetV1)
	files := trainingFileConfig(env, p, "")
	other := strings.Replace(sftJobBlock("synth_training_file.train.id", "wait_for_completion = false"), `"fft"`, `"other"`, 1)
	var firstID string

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{
			{
				// Another workspace's job, as far as the next steps' jobs go.
				Config: files + other,
				Check: func(s *terraform.State) error {
					firstID = s.RootModule().Resources["synth_sft_job.other"].Primary.ID
					return nil
				},
			},
			{
				Config:      files + other + sftJobBlock("synth_training_file.train.id", "wait_for_completion = false"),
				ExpectError: regexp.MustCompile(`(?s)An identical SFT job is already running.*job_.*import \{.*allow_duplicate = true`),
			},
			{
				Config: files + other + sftJobBlock("synth_training_file.train.id", "wait_for_completion = false\n  allow_duplicate = true"),
				Check: func(s *terraform.State) error {
					if id := s.RootModule().Resources[sftJobAddr].Primary.ID; id == firstID {
						return fmt.Errorf("allow_duplicate adopted %s instead of submitting", id)
					}
					if n := len(env.sftJobs()); n != 2 {
						return fmt.Errorf("backend holds %d SFT jobs, want 2", n)
					}
					return nil
				},
			},
		},
	})
}

// An imported job, by id, plans clean against the configuration that made
// it: the typed blocks round-trip through the job the backend echoes.
func TestSFTJob_importPlansClean(t *testing.T) {
	env := newTestEnv(t, emulator.Options{SFT: emulator.SFTOptions{FileReadyLag: -1, ModelLag: -1}})
	p := filepath.Join(t.TempDir(), "train.jsonl")
	writeTrainingFile(t, p, datasetV1)
	config := trainingFileConfig(env, p, "") + sftJobBlock("synth_training_file.train.id", `
  training        = { mode = "lora" }
  lora            = { rank = 16, alpha = 32 }
  parallelism     = { bf16 = true }`)

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []tfresource.TestStep{
			{Config: config},
			{
				Config:                  config,
				ResourceName:            sftJobAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

// Destroying a job that still runs cancels it.
func TestSFTJob_destroyCancelsARunningJob(t *testing.T) {
	env := newTestEnv(t, emulator.Options{RunTime: time.Hour, SFT: emulator.SFTOptions{FileReadyLag: -1}})

	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			jobs := env.sftJobs()
			if len(jobs) != 1 || jobs[0].CancelRequests != 1 || jobs[0].Status != "cancelled" {
				return fmt.Errorf("after destroy the backend holds %+v; want one cancelled job", jobs)
			}
			return nil
		},
		Steps: []tfresource.TestStep{{
			Config: sftJobConfig(t, env, datasetV1, "wait_for_completion = false"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(sftJobAddr, tfjsonpath.New("fine_tuned_model"), knownvalue.Null()),
			},
		}},
	})
}
