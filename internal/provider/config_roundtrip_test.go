package provider

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// rlRoundTripCases set each key of the RL table in a TOML document, written
// out here rather than derived from the table, so that an entry whose TOML
// path drifts fails the round trip. A new table entry needs its case.
var rlRoundTripCases = map[string]string{
	"algorithm.type":    "[algorithm]\ntype = \"online\"",
	"algorithm.method":  "[algorithm]\nmethod = \"policy_gradient\"",
	"algorithm.variety": "[algorithm]\nvariety = \"gspo\"",

	"services.task_url":  "[services]\ntask_url = \"https://task.example.com/?a=1&b=2\"",
	"services.judge_url": "[services]\njudge_url = \"https://judge.example.com\"",

	"compute.gpu_type":  "[compute]\ngpu_type = \"H100\"",
	"compute.gpu_count": "[compute]\ngpu_count = 8",
	"compute.nodes":     "[compute]\nnodes = 2",

	"topology.type":              "[topology]\ntype = \"single_node_split\"",
	"topology.gpus_for_vllm":     "[topology]\ngpus_for_vllm = 4",
	"topology.gpus_for_training": "[topology]\ngpus_for_training = 3",
	"topology.gpus_for_ref":      "[topology]\ngpus_for_ref = 1",
	"topology.tensor_parallel":   "[topology]\ntensor_parallel = 2",

	"vllm.tensor_parallel_size": "[vllm]\ntensor_parallel_size = 4",
	"vllm.max_model_len":        "[vllm]\nmax_model_len = 8192",

	"reference.placement":          "[reference]\nplacement = \"dedicated\"",
	"reference.port":               "[reference]\nport = 8002",
	"reference.tp":                 "[reference]\ntp = 1",
	"reference.health_max_wait_s":  "[reference]\nhealth_max_wait_s = 180.0",
	"reference.health_interval_ms": "[reference]\nhealth_interval_ms = 300",

	"model.source":       "[model]\nsource = \"rl:Qwen/Qwen3-4B:job_abc:checkpoint-epoch-1\"",
	"model.base":         "[model]\nbase = \"Qwen/Qwen3-4B\"",
	"model.trainer_mode": "[model]\ntrainer_mode = \"lora\"",
	"model.label":        "[model]\nlabel = \"crafter-rl\"",

	"rollout.env_name":                     "[rollout]\nenv_name = \"crafter\"",
	"rollout.policy_name":                  "[rollout]\npolicy_name = \"crafter-react\"",
	"rollout.max_turns":                    "[rollout]\nmax_turns = 10",
	"rollout.episodes_per_batch":           "[rollout]\nepisodes_per_batch = 64",
	"rollout.max_concurrent_rollouts":      "[rollout]\nmax_concurrent_rollouts = 8",
	"rollout.batches_per_step":             "[rollout]\nbatches_per_step = 2",
	"rollout.ops":                          "[rollout]\nops = [\"agent\", \"env\"]",
	"rollout.task_app_origin_rewards_only": "[rollout]\ntask_app_origin_rewards_only = true",
	"rollout.rubric_rewards_only":          "[rollout]\nrubric_rewards_only = false",
	"rollout.env_config":                   "[rollout.env_config]\ndifficulty = \"easy\"",
	"rollout.policy_config":                "[rollout.policy_config]\ntemperature = 0.7",

	"evaluation.instances":     "[evaluation]\ninstances = 16",
	"evaluation.every_n_iters": "[evaluation]\nevery_n_iters = 5",
	"evaluation.seeds":         "[evaluation]\nseeds = [0, 1, 2]",

	"training.num_epochs":                       "[training]\nnum_epochs = 1",
	"training.iterations_per_epoch":             "[training]\niterations_per_epoch = 20",
	"training.max_turns":                        "[training]\nmax_turns = 10",
	"training.batch_size":                       "[training]\nbatch_size = 16",
	"training.group_size":                       "[training]\ngroup_size = 4",
	"training.gradient_accumulation_steps":      "[training]\ngradient_accumulation_steps = 1",
	"training.learning_rate":                    "[training]\nlearning_rate = 5e-05",
	"training.log_interval":                     "[training]\nlog_interval = 1",
	"training.weight_sync_interval":             "[training]\nweight_sync_interval = 1",
	"training.step_rewards_enabled":             "[training]\nstep_rewards_enabled = true",
	"training.step_rewards_mode":                "[training]\nstep_rewards_mode = \"decision_stepwise\"",
	"training.step_rewards_beta":                "[training]\nstep_rewards_beta = 0.0",
	"training.step_rewards_indicator_lambda":    "[training]\nstep_rewards_indicator_lambda = 1",
	"training.event_rewards_kind":               "[training]\nevent_rewards_kind = \"unique\"",
	"training.weight_sync":                      "[training.weight_sync]\nmode = \"direct\"",
	"training.weight_sync.enable":               "[training.weight_sync]\nenable = true",
	"training.weight_sync.targets":              "[training.weight_sync]\ntargets = [\"policy\"]",
	"training.weight_sync.mode":                 "[training.weight_sync]\nmode = \"direct\"",
	"training.weight_sync.weight_sync_interval": "[training.weight_sync]\nweight_sync_interval = 1",

	"judge.type":      "[judge]\ntype = \"rubric\"",
	"judge.timeout_s": "[judge]\ntimeout_s = 45",
	"judge.enabled":   "[judge]\nenabled = true",
	"judge.options":   "[judge.options]\nrubric_id = \"crafter\"",

	"data.seeds":                  "[data]\nseeds = [5, 6]",
	"data.split":                  "[data]\nsplit = \"train\"",
	"data.seed_start":             "[data]\nseed_start = 100",
	"data.episodes_per_iteration": "[data]\nepisodes_per_iteration = 8",
}

// TestRLConfigTableRoundTrip takes every entry of the RL table from a TOML
// value to the job's recorded config, imports that config (which fills the
// typed attributes, and never config_toml), and turns the imported
// attributes back into the config a create would submit. A typed key must
// come back as the same TOML value, through its attribute at the path the
// case names; a key that lives only in the TOML must have no attribute.
func TestRLConfigTableRoundTrip(t *testing.T) {
	ctx := context.Background()
	var resp resource.SchemaResponse
	(&rlJobResource{}).Schema(ctx, resource.SchemaRequest{}, &resp)
	s := resp.Schema

	inTable := map[string]bool{}
	for _, k := range rlconfig.RL.Keys {
		inTable[k.Dotted()] = true
		if _, ok := rlRoundTripCases[k.Dotted()]; !ok {
			t.Errorf("table entry %s has no round-trip case", k.Dotted())
		}
	}
	for dotted := range rlRoundTripCases {
		if !inTable[dotted] {
			t.Errorf("round-trip case %s has no table entry", dotted)
		}
	}

	for _, k := range rlconfig.RL.Keys {
		src, ok := rlRoundTripCases[k.Dotted()]
		if !ok {
			continue
		}
		t.Run(k.Dotted(), func(t *testing.T) {
			casePath := strings.Split(k.Dotted(), ".")
			doc, err := rlconfig.Parse(src)
			if err != nil {
				t.Fatalf("case %q: %v", src, err)
			}
			want, ok := lookupPath(doc, casePath)
			if !ok {
				t.Fatalf("case %q does not set %s", src, k.Dotted())
			}
			for _, d := range rlconfig.Validate(rlconfig.Input{TOML: src}) {
				if d.Summary == "Invalid value type" {
					t.Errorf("the table's type for %s refuses the case's value: %s", k.Dotted(), d.Detail)
				}
			}

			recorded, err := rlconfig.ConfigJSON(doc)
			if err != nil {
				t.Fatal(err)
			}
			job, err := synthapi.DecodeJob([]byte(`{"job_id":"job_rt","status":"succeeded","config":` + recorded + `}`))
			if err != nil {
				t.Fatal(err)
			}
			state := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
			if diags := writeImportedJob(ctx, job, job.ID, &state); diags.HasError() {
				t.Fatalf("import: %v", diags)
			}

			attrPath := path.Root(casePath[0]).AtName(casePath[len(casePath)-1])
			var typedValue attr.Value
			attrDiags := state.GetAttribute(ctx, attrPath, &typedValue)
			if !k.Typed() {
				if len(casePath) == 2 && !attrDiags.HasError() {
					t.Errorf("%s lives only in the TOML, but the schema has an attribute %s", k.Dotted(), attrPath)
				}
				return
			}
			if attrDiags.HasError() || typedValue == nil || typedValue.IsNull() {
				t.Fatalf("import left the attribute %s unset (%v)", attrPath, attrDiags)
			}

			var m rlJobModel
			if diags := state.Get(ctx, &m); diags.HasError() {
				t.Fatalf("reading the imported state: %v", diags)
			}
			if !m.ConfigTOML.IsNull() {
				t.Fatalf("import set config_toml")
			}
			input, diags := m.configInput(ctx, "")
			if diags.HasError() {
				t.Fatalf("configInput: %v", diags)
			}
			submitted := rlconfig.Merge(nil, input.Overrides)
			got, ok := lookupPath(submitted, casePath)
			if !ok || !reflect.DeepEqual(got, want) {
				t.Errorf("%s came back as %s, want %s", k.Dotted(), describeValue(got, ok), describeValue(want, true))
			}
			if again, err := rlconfig.ConfigJSON(submitted); err != nil || again != recorded {
				t.Errorf("the config submitted from the imported attributes is %s, want the recorded %s", again, recorded)
			}
		})
	}
}

func lookupPath(doc map[string]any, p []string) (any, bool) {
	var cur any = doc
	for _, k := range p {
		table, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = table[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func describeValue(v any, ok bool) string {
	if !ok {
		return "nothing"
	}
	return fmt.Sprintf("%T %v", v, v)
}
