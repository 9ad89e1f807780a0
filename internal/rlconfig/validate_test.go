package rlconfig

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// wantDiag is one expected diagnostic; detail is a phrase of its Detail.
type wantDiag struct {
	sev    Severity
	attr   string
	line   int
	detail string
}

func wantError(attr string, line int, detail string) wantDiag {
	return wantDiag{SeverityError, attr, line, detail}
}

func wantWarning(attr string, line int, detail string) wantDiag {
	return wantDiag{SeverityWarning, attr, line, detail}
}

// validTOML is a complete, valid config of six lines; rows append to it so
// that their own lines start at 7.
const validTOML = `[model]
base = "Qwen/Qwen3-4B"

[services]
task_url = "https://task.example.com"

`

const modelOnlyTOML = "[model]\nbase = \"Qwen/Qwen3-4B\"\n"

const servicesOnlyTOML = "[services]\ntask_url = \"https://task.example.com\"\n"

const fullAlgorithmTOML = "[algorithm]\ntype = \"online\"\nmethod = \"policy_gradient\"\nvariety = \"gspo\"\n"

func TestValidate(t *testing.T) {
	tests := []struct {
		name       string
		toml       string
		o          Overrides
		defaultURL string
		want       []wantDiag
	}{
		// A clean config.
		{name: "valid config", toml: validTOML},
		{name: "base fixture", toml: readFixture(t, "rl_from_base_qwen4b.toml")},
		{name: "fine-tune fixture", toml: readFixture(t, "rl_from_ft.toml")},
		{
			name: "typed attributes alone",
			o: Overrides{
				Values: Values{
					"model":    {"base": "Qwen/Qwen3-8B"},
					"services": {"task_url": "http://localhost:8001/"},
				},
			},
		},

		// config_toml itself.
		{
			name: "TOML that does not parse",
			toml: "[compute]\ngpu_count = 8\ngpu_type = \n",
			want: []wantDiag{wantError("config_toml", 3, "config_toml line 3, column 12: ")},
		},
		{
			name: "TOML over MaxConfigBytes",
			toml: strings.Repeat("#", MaxConfigBytes+1),
			want: []wantDiag{wantError("config_toml", 0, "the limit is 1048576 bytes")},
		},
		{
			name: "known section that is not a table",
			toml: "compute = 8\n" + validTOML,
			want: []wantDiag{wantError("config_toml", 1, "config_toml line 1: compute must be a table, got integer 8.")},
		},

		// TOML types of known keys.
		{
			name: "integer key given a string",
			toml: validTOML + "[compute]\ngpu_count = \"eight\"\n",
			want: []wantDiag{wantError("config_toml", 8, `config_toml line 8: [compute].gpu_count must be an integer, got string "eight".`)},
		},
		{
			// The SDK sends an integral float at an integer key as an
			// integer, and refuses any other (contract §3.1).
			name: "integer key given a whole float",
			toml: validTOML + "[vllm]\nmax_model_len = 8192.0\n[compute]\ngpu_count = 8.0\n",
		},
		{
			name: "integer key given a fraction",
			toml: validTOML + "[vllm]\nmax_model_len = 8192.5\n",
			want: []wantDiag{wantError("config_toml", 8, "[vllm].max_model_len must be an integer, got float 8192.5.")},
		},
		{
			name: "integer array given a fraction",
			toml: validTOML + "[evaluation]\nseeds = [0.0, 1.5]\n",
			want: []wantDiag{wantError("config_toml", 8, "[evaluation].seeds must be an array of integers, element 1 is float 1.5.")},
		},
		{name: "learning_rate accepts an integer", toml: validTOML + "[training]\nlearning_rate = 1\n"},
		{
			name: "learning_rate given a string",
			toml: validTOML + "[training]\nlearning_rate = \"fast\"\n",
			want: []wantDiag{wantError("config_toml", 8, `[training].learning_rate must be a number, got string "fast".`)},
		},
		{
			name: "boolean key given a string",
			toml: validTOML + "[rollout]\ntask_app_origin_rewards_only = \"yes\"\n",
			want: []wantDiag{wantError("config_toml", 8, "[rollout].task_app_origin_rewards_only must be a boolean")},
		},
		{
			name: "string array with a number in it",
			toml: validTOML + "[rollout]\nops = [\"agent\", 1]\n",
			want: []wantDiag{wantError("config_toml", 8, "config_toml line 8: [rollout].ops must be an array of strings, element 1 is integer 1.")},
		},
		{
			name: "seeds that are not an array",
			toml: validTOML + "[evaluation]\nseeds = 3\n",
			want: []wantDiag{wantError("config_toml", 8, "[evaluation].seeds must be an array of integers, got integer 3.")},
		},
		{
			name: "key of a sub-table",
			toml: validTOML + "[training.weight_sync]\nenable = true\ntargets = \"policy\"\n",
			want: []wantDiag{wantError("config_toml", 9, "config_toml line 9: [training.weight_sync].targets must be an array of strings")},
		},
		{
			name: "sub-table that is not a table",
			toml: validTOML + "[training]\nweight_sync = true\n",
			want: []wantDiag{wantError("config_toml", 8, "[training].weight_sync must be a table, got boolean true.")},
		},
		{
			name: "a typed value replaces an ill-typed TOML value",
			toml: validTOML + "[compute]\ngpu_count = \"eight\"\n",
			o:    Overrides{Values: Values{"compute": {"gpu_count": int64(8)}}},
		},

		// Empty strings.
		{
			name: "typed string set to empty",
			toml: validTOML,
			o:    Overrides{Values: Values{"model": {"label": ""}, "rollout": {"env_name": ""}}},
			want: []wantDiag{
				wantError("model.label", 0, "model.label must not be empty."),
				wantError("rollout.env_name", 0, "rollout.env_name must not be empty."),
			},
		},
		{
			name: "empty model source in TOML",
			toml: servicesOnlyTOML + "[model]\nsource = \"\"\n",
			want: []wantDiag{wantError("config_toml", 4, "config_toml line 4: [model].source must not be empty.")},
		},
		{
			name: "empty typed model source is reported once",
			toml: servicesOnlyTOML,
			o:    Overrides{Values: Values{"model": {"source": ""}}},
			want: []wantDiag{wantError("model.source", 0, "model.source must not be empty.")},
		},

		// Exactly one of [model].source and [model].base.
		{
			name: "source and base both in TOML",
			toml: servicesOnlyTOML + "[model]\nsource = \"ft:Qwen/Qwen3-4B:job_1\"\nbase = \"Qwen/Qwen3-4B\"\n",
			want: []wantDiag{wantError("config_toml", 4,
				"exactly one of [model].source or [model].base is required, but both are set (the source by config_toml line 4, the base by config_toml line 5).")},
		},
		{
			// The model set in Terraform wins, as the CLI's --model does.
			name: "typed source over a TOML base",
			toml: validTOML,
			o:    Overrides{Values: Values{"model": {"source": "ft:Qwen/Qwen3-4B:job_1"}}},
		},
		{
			name: "typed base over a TOML source",
			toml: servicesOnlyTOML + "[model]\nsource = \"ft:Qwen/Qwen3-4B:job_1\"\n",
			o:    Overrides{Values: Values{"model": {"base": "Qwen/Qwen3-4B"}}},
		},
		{
			name: "both in the TOML",
			toml: servicesOnlyTOML + "[model]\nsource = \"ft:Qwen/Qwen3-4B:job_1\"\nbase = \"Qwen/Qwen3-4B\"\n",
			want: []wantDiag{wantError("config_toml", 4, "(the source by config_toml line 4, the base by config_toml line 5)")},
		},
		{
			name: "both typed",
			toml: servicesOnlyTOML,
			o:    Overrides{Values: Values{"model": {"source": "ft:Qwen/Qwen3-4B:job_1", "base": "Qwen/Qwen3-4B"}}},
			want: []wantDiag{wantError("model", 0, "(the source by model.source, the base by model.base)")},
		},
		{
			name: "neither source nor base",
			toml: servicesOnlyTOML + "[model]\nlabel = \"x\"\n",
			want: []wantDiag{wantError("model", 0, "exactly one of [model].source or [model].base is required. Set model.source")},
		},
		{
			name: "an unknown typed source counts as set",
			toml: servicesOnlyTOML,
			o:    Overrides{Unknown: []string{"model.source"}},
		},
		{
			name: "an unknown typed source wins over a TOML base",
			toml: validTOML,
			o:    Overrides{Unknown: []string{"model.source"}},
		},
		{
			name: "an unknown typed source beside an unknown typed base settles nothing",
			toml: servicesOnlyTOML,
			o:    Overrides{Unknown: []string{"model.source", "model.base"}},
		},
		{
			name: "an unknown model block settles nothing",
			toml: servicesOnlyTOML,
			o:    Overrides{Unknown: []string{"model"}},
		},

		// Model ids.
		{
			name: "source without a base model",
			toml: servicesOnlyTOML + "[model]\nsource = \"ft:job_1\"\n",
			want: []wantDiag{wantError("config_toml", 4, `config_toml line 4: [model].source is not a valid model source: "ft:job_1" does not name its base model`)},
		},
		{
			name: "source with an unknown prefix",
			toml: servicesOnlyTOML,
			o:    Overrides{Values: Values{"model": {"source": "sft:Qwen/Qwen3-4B:job_1"}}},
			want: []wantDiag{wantWarning("model.source", 0, `whose prefix "sft:" the SDK does not know`)},
		},
		{
			name: "base given as source",
			toml: servicesOnlyTOML,
			o:    Overrides{Values: Values{"model": {"source": "Qwen/Qwen3-4B"}}},
		},
		{
			name: "weight sync the SDK would change or refuse",
			toml: validTOML + "[training.weight_sync]\nenable = false\nmode = \"nccl\"\ntargets = [\"ref\"]\n",
			want: []wantDiag{
				wantWarning("config_toml", 9, `[training.weight_sync].mode is "nccl"; it is sent as "direct"`),
				wantWarning("config_toml", 8, "[training.weight_sync].enable is false"),
				wantWarning("config_toml", 10, `[training.weight_sync].targets does not include "policy"`),
			},
		},
		{
			name: "base without an org",
			toml: servicesOnlyTOML,
			o:    Overrides{Values: Values{"model": {"base": "Qwen3-4B"}}},
			want: []wantDiag{wantError("model.base", 0, `model.base is not a valid base model: "Qwen3-4B" must have the form "org/name"`)},
		},
		{
			name: "a trained model given as the base",
			toml: servicesOnlyTOML,
			o:    Overrides{Values: Values{"model": {"base": "ft:Qwen/Qwen3-4B:job_1"}}},
			want: []wantDiag{wantError("model.base", 0, `is a trained model id, not a base model ("org/name"); it belongs in the model source`)},
		},
		{
			name: "unknown base is a warning",
			toml: servicesOnlyTOML + "[model]\nbase = \"Qwen/Qwen9-1T\"\n",
			want: []wantDiag{wantWarning("config_toml", 4, `config_toml line 4: [model].base trains from "Qwen/Qwen9-1T", which is not on the SDK's list of RL-trainable base models; the backend decides`)},
		},
		{
			name: "unknown base inside a source is a warning",
			toml: servicesOnlyTOML,
			o:    Overrides{Values: Values{"model": {"source": "rl:meta-llama/Llama-3.1-8B:job_9"}}},
			want: []wantDiag{wantWarning("model.source", 0, `model.source trains from "meta-llama/Llama-3.1-8B"`)},
		},
		{
			name: "trainer mode outside full, lora, qlora",
			toml: validTOML,
			o:    Overrides{Values: Values{"model": {"trainer_mode": "dora"}}},
			want: []wantDiag{wantWarning("model.trainer_mode", 0, `model.trainer_mode is "dora"; the SDK knows "full", "lora" and "qlora"`)},
		},

		// [algorithm].
		{name: "the supported algorithm", toml: validTOML + fullAlgorithmTOML},
		{
			name: "wrong variety in TOML",
			toml: validTOML + strings.Replace(fullAlgorithmTOML, `"gspo"`, `"grpo"`, 1),
			want: []wantDiag{wantError("config_toml", 10, `config_toml line 10: [algorithm].variety must be "gspo", got "grpo"; the only RL algorithm the backend accepts is`)},
		},
		{
			name: "missing method in TOML",
			toml: validTOML + "[algorithm]\ntype = \"online\"\nvariety = \"gspo\"\n",
			want: []wantDiag{wantError("config_toml", 7, "config_toml line 7: [algorithm].method is missing;")},
		},
		{
			name: "typed type over a correct TOML algorithm",
			toml: validTOML + fullAlgorithmTOML,
			o:    Overrides{Values: Values{"algorithm": {"type": "offline"}}},
			want: []wantDiag{wantError("algorithm.type", 0, `algorithm.type must be "online", got "offline"`)},
		},
		{
			name: "typed algorithm with keys missing",
			toml: validTOML,
			o:    Overrides{Values: Values{"algorithm": {"type": "online"}}},
			want: []wantDiag{
				wantError("algorithm", 0, "algorithm.method is missing;"),
				wantError("algorithm", 0, "algorithm.variety is missing;"),
			},
		},

		// Counts, rates and seeds.
		{
			name: "typed count below 1",
			toml: validTOML,
			o:    Overrides{Values: Values{"training": {"batch_size": int64(0)}}},
			want: []wantDiag{wantError("training.batch_size", 0, "training.batch_size must be at least 1, got 0.")},
		},
		{
			name: "TOML count below 1",
			toml: validTOML + "[rollout]\nmax_turns = 0\n",
			want: []wantDiag{wantError("config_toml", 8, "config_toml line 8: [rollout].max_turns must be at least 1, got 0.")},
		},
		{
			name: "typed gpu count below 1",
			toml: validTOML,
			o:    Overrides{Values: Values{"compute": {"gpu_count": int64(0)}}},
			want: []wantDiag{wantError("compute.gpu_count", 0, "compute.gpu_count must be at least 1, got 0.")},
		},
		{
			name: "negative nodes in TOML",
			toml: validTOML + "[compute]\nnodes = -1\n",
			want: []wantDiag{wantError("config_toml", 8, "[compute].nodes must be at least 1, got -1.")},
		},
		{
			name: "typed evaluation interval below 1",
			toml: validTOML,
			o:    Overrides{Values: Values{"evaluation": {"every_n_iters": int64(0)}}},
			want: []wantDiag{wantError("evaluation.every_n_iters", 0, "evaluation.every_n_iters must be at least 1")},
		},
		{
			name: "typed learning rate of 0",
			toml: validTOML,
			o:    Overrides{Values: Values{"training": {"learning_rate": 0.0}}},
			want: []wantDiag{wantError("training.learning_rate", 0, "training.learning_rate must be a finite number greater than 0, got float 0.")},
		},
		{
			name: "typed learning rate of +Inf",
			toml: validTOML,
			o:    Overrides{Values: Values{"training": {"learning_rate": math.Inf(1)}}},
			want: []wantDiag{wantError("training.learning_rate", 0, "got float +Inf.")},
		},
		{
			name: "TOML learning rate of nan, reported once",
			toml: validTOML + "[training]\nlearning_rate = nan\n",
			want: []wantDiag{wantError("config_toml", 8, "config_toml line 8: [training].learning_rate must be a finite number greater than 0, got float NaN.")},
		},
		{
			name: "negative typed evaluation seed",
			toml: validTOML,
			o:    Overrides{Values: Values{"evaluation": {"seeds": []any{int64(0), int64(-1)}}}},
			want: []wantDiag{wantError("evaluation.seeds", 0, "evaluation.seeds must not contain negative seeds, got -1 at index 1.")},
		},
		{
			name: "negative TOML data seed",
			toml: validTOML + "[data]\nseeds = [3, -2]\n",
			want: []wantDiag{wantError("config_toml", 8, "[data].seeds must not contain negative seeds, got -2 at index 1.")},
		},
		{
			name: "non-finite float in a known key",
			toml: validTOML + "[training]\nstep_rewards_beta = nan\n",
			want: []wantDiag{wantError("config_toml", 8, "[training].step_rewards_beta is float NaN, which JSON")},
		},
		{
			name: "non-finite float in a section nobody knows",
			toml: validTOML + "[custom]\nx = [1.0, inf, -inf]\n",
			want: []wantDiag{wantError("config_toml", 8, "config_toml line 8: [custom].x is float +Inf")},
		},

		// Topology.
		{
			name: "topology that does not add up",
			toml: validTOML + "[compute]\ngpu_count = 8\n\n[topology]\ngpus_for_vllm = 4\ngpus_for_training = 2\ngpus_for_ref = 1\n",
			want: []wantDiag{wantWarning("config_toml", 10,
				"config_toml line 10: [topology] splits 7 GPUs (gpus_for_vllm 4 + gpus_for_training 2 + gpus_for_ref 1), but compute.gpu_count is 8.")},
		},
		{
			name: "typed gpu count that breaks the topology",
			toml: readFixture(t, "rl_from_base_qwen4b.toml"),
			o:    Overrides{Values: Values{"compute": {"gpu_count": int64(4)}}},
			want: []wantDiag{wantWarning("compute.gpu_count", 0, "compute.gpu_count: [topology] splits 8 GPUs")},
		},
		{
			name: "partial topology is not compared",
			toml: validTOML + "[compute]\ngpu_count = 8\n\n[topology]\ngpus_for_vllm = 4\n",
		},

		// Task and judge URLs.
		{
			name: "typed task URL that is not http",
			toml: validTOML,
			o:    Overrides{Values: Values{"services": {"task_url": "ftp://task.example.com"}}},
			want: []wantDiag{wantError("services.task_url", 0, `services.task_url is not a usable task app URL: "ftp://task.example.com": it must be an absolute http:// or https:// URL.`)},
		},
		{
			name: "typed task URL with a trailing newline",
			toml: modelOnlyTOML,
			o:    Overrides{Values: Values{"services": {"task_url": "https://x.modal.run\n"}}},
			want: []wantDiag{wantError("services.task_url", 0, "it contains whitespace")},
		},
		{
			name:       "provider task URL without a scheme",
			toml:       modelOnlyTOML,
			defaultURL: "task.example.com",
			want:       []wantDiag{wantError("", 0, `the provider's task_app_url (or TASK_APP_URL) is not a usable task app URL: "task.example.com"`)},
		},
		{
			name: "TOML task URL without a host",
			toml: modelOnlyTOML + "[services]\ntask_url = \"https:///rollout\"\n",
			want: []wantDiag{wantError("config_toml", 4, `config_toml line 4: [services].task_url is not a usable task app URL: "https:///rollout": it has no host.`)},
		},
		{
			name: "no task URL anywhere",
			toml: modelOnlyTOML,
			want: []wantDiag{wantError("services.task_url", 0,
				"services.task_url on this resource, the provider's task_app_url (or the TASK_APP_URL environment variable), or [services].task_url in config_toml.")},
		},
		{
			name: "an unknown typed task URL counts as set",
			toml: modelOnlyTOML,
			o:    Overrides{Unknown: []string{"services.task_url"}},
		},
		{
			name: "empty TOML task URL and nothing else",
			toml: modelOnlyTOML + "[services]\ntask_url = \"\"\n",
			want: []wantDiag{wantError("config_toml", 4, "config_toml line 4: [services].task_url must not be empty.")},
		},
		{
			name:       "empty TOML task URL under a provider default",
			toml:       modelOnlyTOML + "[services]\ntask_url = \"\"\n",
			defaultURL: "https://task.example.com",
		},
		{
			name: "empty typed task URL and nothing else is reported once",
			toml: modelOnlyTOML,
			o:    Overrides{Values: Values{"services": {"task_url": ""}}},
			want: []wantDiag{wantError("services.task_url", 0, "services.task_url must not be empty.")},
		},
		{
			name:       "the provider default wins over a broken TOML task URL",
			toml:       modelOnlyTOML + "[services]\ntask_url = \"not a url\"\n",
			defaultURL: "https://task.example.com",
		},
		{name: "a judge without a judge URL", toml: validTOML + "[judge]\ntype = \"rubric\"\n[judge.options]\nx = 1\n"},
		{
			name: "TOML judge URL without a scheme",
			toml: modelOnlyTOML + "[services]\ntask_url = \"https://task.example.com\"\njudge_url = \"judge\"\n",
			want: []wantDiag{wantError("config_toml", 5, `config_toml line 5: [services].judge_url is not a usable judge URL: "judge"`)},
		},
		{
			name: "empty typed judge URL",
			toml: validTOML,
			o:    Overrides{Values: Values{"services": {"judge_url": ""}}},
			want: []wantDiag{wantError("services.judge_url", 0, "services.judge_url must not be empty.")},
		},

		// Tags.
		{
			name: "typed tag with an empty key",
			toml: validTOML,
			o:    Overrides{Tags: map[string]string{"": "x", "team": "rl"}},
			want: []wantDiag{wantError("tags", 0, "tags must not have an empty key.")},
		},
		{
			name: "TOML tag with an empty key",
			toml: validTOML + "[tags]\n\"\" = \"x\"\n",
			want: []wantDiag{wantError("config_toml", 8, "config_toml line 8: [tags] must not have an empty key.")},
		},
		{
			name: "TOML tag that is not a string",
			toml: validTOML + "[tags]\nteam = \"rl\"\npriority = 1\n",
			want: []wantDiag{wantError("config_toml", 9, "config_toml line 9: [tags].priority must be a string, got integer 1.")},
		},
		{
			name: "a typed tag replaces an ill-typed TOML tag",
			toml: validTOML + "[tags]\npriority = 1\n",
			o:    Overrides{Tags: map[string]string{"priority": "high"}},
		},

		// Unknown values at plan time.
		{
			name: "unknown config_toml defers the presence rules",
			o:    Overrides{Unknown: []string{"config_toml"}},
		},
		{
			name: "unknown config_toml still checks typed values",
			o:    Overrides{Values: Values{"training": {"group_size": int64(-4)}}, Unknown: []string{"config_toml"}},
			want: []wantDiag{wantError("training.group_size", 0, "training.group_size must be at least 1, got -4.")},
		},
		{
			name: "an unknown typed value hides the TOML value it will replace",
			toml: validTOML + "[training]\nbatch_size = 0\n",
			o:    Overrides{Unknown: []string{"training.batch_size"}},
		},
		{
			name: "unknown tags hide the TOML tags",
			toml: validTOML + "[tags]\npriority = 1\n",
			o:    Overrides{Unknown: []string{"tags"}},
		},

		// Errors are collected, not first-only.
		{
			name: "every problem in one document",
			toml: validTOML + "[compute]\ngpu_count = 0\nnodes = \"two\"\n\n[training]\nbatch_size = -1\n",
			o:    Overrides{Values: Values{"model": {"label": ""}}},
			want: []wantDiag{
				wantError("model.label", 0, "model.label must not be empty."),
				wantError("config_toml", 8, "[compute].gpu_count must be at least 1, got 0."),
				wantError("config_toml", 9, `[compute].nodes must be an integer, got string "two".`),
				wantError("config_toml", 12, "[training].batch_size must be at least 1, got -1."),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Validate(Input{TOML: tt.toml, Overrides: tt.o, DefaultTaskURL: tt.defaultURL})
			assertDiagnostics(t, got, tt.want)
		})
	}
}

// assertDiagnostics requires exactly the wanted diagnostics, in order.
func assertDiagnostics(t *testing.T, got Diagnostics, want []wantDiag) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		g, w := got[i], want[i]
		ok = g.Severity == w.sev && g.Attribute == w.attr && g.Line == w.line && strings.Contains(g.Detail, w.detail) && g.Summary != ""
	}
	if ok {
		return
	}
	var b strings.Builder
	b.WriteString("got:\n")
	for _, g := range got {
		b.WriteString("  " + formatDiagnostic(g) + "\n")
	}
	b.WriteString("want:\n")
	for _, w := range want {
		b.WriteString("  " + formatDiagnostic(Diagnostic{Severity: w.sev, Attribute: w.attr, Line: w.line, Summary: "*", Detail: "…" + w.detail + "…"}) + "\n")
	}
	t.Error(b.String())
}

func formatDiagnostic(d Diagnostic) string {
	return fmt.Sprintf("%s attr=%q line=%d [%s] %s", d.Severity, d.Attribute, d.Line, d.Summary, d.Detail)
}
