package rlconfig

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func TestMerge(t *testing.T) {
	base := `
[model]
base = "Qwen/Qwen3-4B"
label = "from-toml"

[compute]
gpu_type = "H100"
gpu_count = 8

[vllm]
tensor_parallel_size = 4
max_model_len = 8192

[judge]
type = "rubric"
[judge.options]
rubric_id = "crafter"
weights = { a = 1.5 }

[rollout]
ops = ["agent", "env"]

[tags]
team = "rl"
owner = "ana"
`
	tests := []struct {
		name string
		base string
		o    Overrides
		want map[string]any
	}{
		{
			name: "no overrides is a copy",
			base: base,
			want: mustParse(t, base),
		},
		{
			name: "nil base",
			o:    Overrides{Values: Values{"compute": {"gpu_count": int64(2)}}, Tags: map[string]string{"a": "b"}},
			want: map[string]any{
				"compute": map[string]any{"gpu_count": int64(2)},
				"tags":    map[string]any{"a": "b"},
			},
		},
		{
			name: "overrides win, their neighbours and other sections stay",
			base: base,
			o: Overrides{
				Values: Values{
					"model":    {"label": "from-terraform"},
					"compute":  {"gpu_count": int64(4), "nodes": int64(1)},
					"training": {"learning_rate": 1e-6},
				},
			},
			want: func() map[string]any {
				m := mustParse(t, base)
				m["model"].(map[string]any)["label"] = "from-terraform"
				m["compute"].(map[string]any)["gpu_count"] = int64(4)
				m["compute"].(map[string]any)["nodes"] = int64(1)
				m["training"] = map[string]any{"learning_rate": 1e-6}
				return m
			}(),
		},
		{
			name: "lists replace the TOML list whole",
			base: base,
			o:    Overrides{Values: Values{"rollout": {"ops": []any{"env"}}, "evaluation": {"seeds": []any{}}}},
			want: func() map[string]any {
				m := mustParse(t, base)
				m["rollout"].(map[string]any)["ops"] = []any{"env"}
				m["evaluation"] = map[string]any{"seeds": []any{}}
				return m
			}(),
		},
		{
			name: "tags merge key by key",
			base: base,
			o:    Overrides{Tags: map[string]string{"owner": "bo", "env": "prod"}},
			want: func() map[string]any {
				m := mustParse(t, base)
				m["tags"] = map[string]any{"team": "rl", "owner": "bo", "env": "prod"}
				return m
			}(),
		},
		{
			name: "a set block with nothing set adds nothing",
			base: "",
			o:    Overrides{Values: Values{"algorithm": {}, "data": {}}, Tags: map[string]string{}},
			want: map[string]any{},
		},
		{
			name: "a non-table section gives way to an override",
			base: "compute = 8\n",
			o:    Overrides{Values: Values{"compute": {"gpu_type": "A100"}}},
			want: map[string]any{"compute": map[string]any{"gpu_type": "A100"}},
		},
		{
			name: "Unknown does not change the document",
			base: "[model]\nsource = \"ft:Qwen/Qwen3-4B:job_1\"\n",
			o:    Overrides{Unknown: []string{"model.source", "config_toml"}},
			want: map[string]any{"model": map[string]any{"source": "ft:Qwen/Qwen3-4B:job_1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in map[string]any
			if tt.base != "" {
				in = mustParse(t, tt.base)
			}
			pristine := copyTable(in)

			got := Merge(in, tt.o)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Merge =\n%#v\nwant\n%#v", got, tt.want)
			}
			if tt.base != "" && !reflect.DeepEqual(in, pristine) {
				t.Errorf("Merge modified its base:\n%#v\nwas\n%#v", in, pristine)
			}
		})
	}
}

func TestMergeDoesNotAlias(t *testing.T) {
	base := mustParse(t, "[judge.options]\nlist = [1, { a = 2 }]\n[tags]\nteam = \"rl\"\n")
	pristine := copyTable(base)
	o := Overrides{Values: Values{"rollout": {"ops": []any{"agent"}}}}

	got := Merge(base, o)
	got["judge"].(map[string]any)["options"].(map[string]any)["list"].([]any)[1].(map[string]any)["a"] = "changed"
	got["tags"].(map[string]any)["team"] = "changed"
	got["rollout"].(map[string]any)["ops"].([]any)[0] = "changed"

	if !reflect.DeepEqual(base, pristine) {
		t.Errorf("changing Merge's result changed its base:\n%#v", base)
	}
	if ops := o.Values["rollout"]["ops"].([]any); ops[0] != "agent" {
		t.Errorf("changing Merge's result changed the overrides: %q", ops)
	}
}

// everyOverride sets every typed attribute to a distinct value, so that a
// field missed by Merge or OverridesFromConfig shows up.
func everyOverride() Overrides {
	return Overrides{
		Values: Values{
			"algorithm":  {"type": "online", "method": "policy_gradient", "variety": "gspo"},
			"model":      {"source": "ft:Qwen/Qwen3-4B:job_1", "base": "Qwen/Qwen3-4B", "trainer_mode": "lora", "label": "l"},
			"services":   {"task_url": "https://task.example.com", "judge_url": "https://judge.example.com"},
			"compute":    {"gpu_type": "H100", "gpu_count": int64(8), "nodes": int64(2)},
			"rollout":    {"env_name": "crafter", "policy_name": "crafter-react", "max_turns": int64(11), "episodes_per_batch": int64(12), "max_concurrent_rollouts": int64(13), "batches_per_step": int64(14), "ops": []any{"agent", "env"}, "task_app_origin_rewards_only": true, "rubric_rewards_only": false},
			"evaluation": {"instances": int64(21), "every_n_iters": int64(22), "seeds": []any{int64(0), int64(1)}},
			"training":   {"num_epochs": int64(31), "iterations_per_epoch": int64(32), "max_turns": int64(33), "batch_size": int64(34), "group_size": int64(35), "gradient_accumulation_steps": int64(36), "learning_rate": 2.5e-5, "log_interval": int64(37), "weight_sync_interval": int64(38)},
			"data":       {"seeds": []any{int64(5), int64(6)}},
		},
		Tags: map[string]string{"team": "rl"},
	}
}

func TestEveryOverrideIsSet(t *testing.T) {
	// Guards everyOverride itself: a new attribute must be added there.
	o := everyOverride()
	for _, k := range RL.typedKeys() {
		if _, ok := o.value(k); !ok {
			t.Errorf("everyOverride leaves %s unset", k.Dotted())
		}
	}
}

func TestMergeWritesEveryTypedKey(t *testing.T) {
	got := Merge(nil, everyOverride())
	want := map[string]any{
		"algorithm": map[string]any{"type": "online", "method": "policy_gradient", "variety": "gspo"},
		"model":     map[string]any{"source": "ft:Qwen/Qwen3-4B:job_1", "base": "Qwen/Qwen3-4B", "trainer_mode": "lora", "label": "l"},
		"services":  map[string]any{"task_url": "https://task.example.com", "judge_url": "https://judge.example.com"},
		"compute":   map[string]any{"gpu_type": "H100", "gpu_count": int64(8), "nodes": int64(2)},
		"rollout": map[string]any{
			"env_name": "crafter", "policy_name": "crafter-react",
			"max_turns": int64(11), "episodes_per_batch": int64(12), "max_concurrent_rollouts": int64(13), "batches_per_step": int64(14),
			"ops": []any{"agent", "env"}, "task_app_origin_rewards_only": true, "rubric_rewards_only": false,
		},
		"evaluation": map[string]any{"instances": int64(21), "every_n_iters": int64(22), "seeds": []any{int64(0), int64(1)}},
		"training": map[string]any{
			"num_epochs": int64(31), "iterations_per_epoch": int64(32), "max_turns": int64(33), "batch_size": int64(34),
			"group_size": int64(35), "gradient_accumulation_steps": int64(36), "learning_rate": 2.5e-5,
			"log_interval": int64(37), "weight_sync_interval": int64(38),
		},
		"data": map[string]any{"seeds": []any{int64(5), int64(6)}},
		"tags": map[string]any{"team": "rl"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Merge =\n%#v\nwant\n%#v", got, want)
	}
}

func TestOverridesFromConfig(t *testing.T) {
	want := everyOverride()
	merged := Merge(nil, want)

	t.Run("from a TOML-shaped config", func(t *testing.T) {
		if got := OverridesFromConfig(merged); !reflect.DeepEqual(got, want) {
			t.Errorf("OverridesFromConfig =\n%#v\nwant\n%#v", got, want)
		}
	})

	t.Run("from a config recorded as JSON", func(t *testing.T) {
		raw, err := json.Marshal(merged)
		if err != nil {
			t.Fatal(err)
		}
		var recorded map[string]any
		if err := json.Unmarshal(raw, &recorded); err != nil {
			t.Fatal(err)
		}
		if got := OverridesFromConfig(recorded); !reflect.DeepEqual(got, want) {
			t.Errorf("OverridesFromConfig =\n%#v\nwant\n%#v", got, want)
		}
	})

	t.Run("from a config decoded with json.Number", func(t *testing.T) {
		raw, err := json.Marshal(merged)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var recorded map[string]any
		if err := dec.Decode(&recorded); err != nil {
			t.Fatal(err)
		}
		if got := OverridesFromConfig(recorded); !reflect.DeepEqual(got, want) {
			t.Errorf("OverridesFromConfig =\n%#v\nwant\n%#v", got, want)
		}
	})

	t.Run("from Go-built values", func(t *testing.T) {
		got := OverridesFromConfig(map[string]any{
			"compute":    map[string]any{"gpu_count": 8},
			"training":   map[string]any{"learning_rate": 1},
			"evaluation": map[string]any{"seeds": []int64{1, 2}},
			"rollout":    map[string]any{"ops": []string{"agent"}},
			"tags":       map[string]string{"team": "rl"},
		})
		want := Overrides{
			Values: Values{
				"compute":    {"gpu_count": int64(8)},
				"training":   {"learning_rate": 1.0},
				"evaluation": {"seeds": []any{int64(1), int64(2)}},
				"rollout":    {"ops": []any{"agent"}},
			},
			Tags: map[string]string{"team": "rl"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("OverridesFromConfig =\n%#v\nwant\n%#v", got, want)
		}
	})

	t.Run("absent and ill-typed keys stay nil", func(t *testing.T) {
		got := OverridesFromConfig(map[string]any{
			"compute":  map[string]any{"gpu_count": "eight", "gpu_type": "A100"},
			"training": map[string]any{"batch_size": 1.5, "num_epochs": 1e19, "max_turns": json.Number("2.5"), "learning_rate": int64(1)},
			"rollout":  map[string]any{"ops": []any{"agent", 3}},
			"model":    "not a table",
			"tags":     map[string]any{"team": "rl", "n": int64(1)},
			"vllm":     map[string]any{"max_model_len": int64(8192)},
		})
		want := Overrides{
			Values: Values{
				"compute":  {"gpu_type": "A100"},
				"training": {"learning_rate": 1.0},
			},
			Tags: map[string]string{"team": "rl"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("OverridesFromConfig =\n%#v\nwant\n%#v", got, want)
		}
	})

	t.Run("nil config", func(t *testing.T) {
		if got := OverridesFromConfig(nil); !reflect.DeepEqual(got, Overrides{}) {
			t.Errorf("OverridesFromConfig(nil) = %#v", got)
		}
	})
}
