package rlconfig

import (
	"encoding/json"
	"strings"
	"testing"
)

// resolvedJSON resolves a config and returns its payload as JSON, failing
// the test on any error.
func resolvedPayload(t *testing.T, in Input) map[string]any {
	t.Helper()
	if in.DefaultTaskURL == "" {
		in.DefaultTaskURL = "https://task.example.com"
	}
	r, diags := Resolve(in)
	if diags.HasError() || r == nil {
		t.Fatalf("Resolve: %v", diags)
	}
	body, err := json.Marshal(BuildPayload(r, testAPIRoot))
	if err != nil {
		t.Fatal(err)
	}
	return decodeJSON(t, body).(map[string]any)
}

func TestPayloadWeightSync(t *testing.T) {
	tests := []struct {
		name string
		toml string
		want string // data.config.training.weight_sync as JSON, "" for none
	}{
		{name: "no [training], no block", toml: modelOnlyTOML},
		{
			name: "absent block is filled",
			toml: modelOnlyTOML + "[training]\nbatch_size = 4\n",
			want: `{"enable":true,"interval":1,"mode":"direct","targets":["policy"]}`,
		},
		{
			name: "the interval follows training.weight_sync_interval",
			toml: modelOnlyTOML + "[training]\nweight_sync_interval = 3\n",
			want: `{"enable":true,"interval":3,"mode":"direct","targets":["policy"]}`,
		},
		{
			name: "a present block gets the backend's mode and an interval",
			toml: modelOnlyTOML + "[training]\nweight_sync_interval = 2\n[training.weight_sync]\nenable = true\ntargets = [\"policy\", \"ref\"]\nmode = \"nccl\"\n",
			want: `{"enable":true,"interval":2,"mode":"direct","targets":["policy","ref"]}`,
		},
		{
			name: "a present interval stays",
			toml: modelOnlyTOML + "[training.weight_sync]\ninterval = 5\n",
			want: `{"interval":5,"mode":"direct"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := resolvedPayload(t, Input{TOML: tt.toml})
			config := p["data"].(map[string]any)["config"].(map[string]any)
			got, _ := lookup(config, "training", "weight_sync")
			if tt.want == "" {
				if got != nil {
					t.Fatalf("weight_sync = %v, want none", got)
				}
				return
			}
			if b, _ := json.Marshal(got); string(b) != tt.want {
				t.Errorf("weight_sync = %s, want %s", b, tt.want)
			}
		})
	}
}

func TestPayloadReferencePlacement(t *testing.T) {
	for name, tt := range map[string]struct{ toml, want string }{
		"added beside the compute keys": {modelOnlyTOML + "[compute]\ngpu_type = \"H100\"\n",
			`{"gpu_type":"H100","topology":{"reference_placement":"none"}}`},
		"one written stays":               {modelOnlyTOML + "[compute.topology]\nreference_placement = \"dedicated\"\n", `{"topology":{"reference_placement":"dedicated"}}`},
		"a [compute] is made when absent": {modelOnlyTOML, `{"topology":{"reference_placement":"none"}}`},
	} {
		t.Run(name, func(t *testing.T) {
			p := resolvedPayload(t, Input{TOML: tt.toml})
			config := p["data"].(map[string]any)["config"].(map[string]any)
			for where, compute := range map[string]any{"compute": p["compute"], "data.config.compute": config["compute"]} {
				if b, _ := json.Marshal(compute); string(b) != tt.want {
					t.Errorf("%s = %s, want %s", where, b, tt.want)
				}
			}
		})
	}
}

// The SDK types learning_rate and the step-reward weights as floats, and
// integer keys as integers (contract §3.1).
func TestPayloadNumberTypes(t *testing.T) {
	p := resolvedPayload(t, Input{TOML: modelOnlyTOML +
		"[compute]\ngpu_count = 8.0\n[training]\nlearning_rate = 1\nstep_rewards_beta = 0\nstep_rewards_indicator_lambda = 2\nbatch_size = 16.0\n" +
		"[evaluation]\nseeds = [0.0, 1]\n[judge]\ntimeout_s = 30\n"})
	body, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"learning_rate":1.0`, `"step_rewards_beta":0.0`, `"step_rewards_indicator_lambda":2.0`,
		`"gpu_count":8,`, `"batch_size":16,`, `"seeds":[0,1]`,
		`"timeout_s":30}`, // a number key the SDK does not type stays as written
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("payload lacks %s:\n%s", want, body)
		}
	}
}

// A model set in Terraform replaces the TOML's choice, as `--model` does;
// the config sent names the winner only, so it says what the job trains.
func TestPayloadTypedModelWins(t *testing.T) {
	const base = "[model]\nbase = \"qwen/qwen3-4b\"\ntrainer_mode = \"full\"\n"
	const source = "[model]\nsource = \"ft:Qwen/Qwen3-4B:job_toml\"\ntrainer_mode = \"full\"\n"
	tests := []struct {
		name, toml string
		typed      map[string]any
		wantConfig string // data.config.model
		wantData   map[string]any
	}{
		{
			name: "a typed source over a TOML base", toml: base,
			typed:      map[string]any{"source": "fft:Qwen/Qwen3-4B:job_sft"},
			wantConfig: `{"source":"fft:Qwen/Qwen3-4B:job_sft","trainer_mode":"full"}`,
			wantData:   map[string]any{"model": "fft:Qwen/Qwen3-4B:job_sft"},
		},
		{
			name: "a typed base over a TOML source", toml: source,
			typed:      map[string]any{"base": "Qwen/Qwen3-8B"},
			wantConfig: `{"base":"Qwen/Qwen3-8B","trainer_mode":"full"}`,
			wantData:   map[string]any{"base_model": "Qwen/Qwen3-8B"},
		},
		{
			name: "a TOML base alone keeps its spelling in the config", toml: base,
			wantConfig: `{"base":"qwen/qwen3-4b","trainer_mode":"full"}`,
			wantData:   map[string]any{"base_model": "Qwen/Qwen3-4B"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := resolvedPayload(t, Input{TOML: tt.toml, Overrides: Overrides{Values: Values{"model": tt.typed}}})
			data := p["data"].(map[string]any)
			if b, _ := json.Marshal(data["config"].(map[string]any)["model"]); string(b) != tt.wantConfig {
				t.Errorf("data.config.model = %s, want %s", b, tt.wantConfig)
			}
			for _, key := range []string{"model", "base_model"} {
				if data[key] != tt.wantData[key] {
					t.Errorf("data.%s = %v, want %v", key, data[key], tt.wantData[key])
				}
			}
		})
	}
}

// A job recorded by the previous release (no weight-sync block, no
// reference placement, the base spelled the catalogue's way in the config,
// integer learning rate) is the same training as the config planned now.
func TestSameTraining(t *testing.T) {
	const recorded = `{"model":{"base":"Qwen/Qwen3-4B"},"reference":{"placement":"none"},` +
		`"services":{"task_url":"https://t.example.com"},"training":{"learning_rate":1,"batch_size":4}}`
	const planned = `{"compute":{"topology":{"reference_placement":"none"}},"model":{"base":"qwen/qwen3-4b"},` +
		`"reference":{"placement":"none"},"services":{"task_url":"https://t.example.com"},` +
		`"training":{"learning_rate":1.0,"batch_size":4,"weight_sync":{"enable":true,"interval":1,"mode":"direct","targets":["policy"]}}}`
	if !SameTraining([]byte(planned), []byte(recorded)) {
		t.Error("a config recorded by the previous release is not the same training as the one planned now")
	}
	for name, other := range map[string]string{
		"another batch size":           strings.Replace(planned, `"batch_size":4`, `"batch_size":8`, 1),
		"another base":                 strings.Replace(planned, "qwen/qwen3-4b", "qwen/qwen3-8b", 1),
		"another weight-sync interval": strings.Replace(planned, `"interval":1`, `"interval":2`, 1),
	} {
		if SameTraining([]byte(other), []byte(recorded)) {
			t.Errorf("%s: counted as the same training", name)
		}
	}

	// A fine-tuned id recorded now as written is not matched by another
	// spelling: the previous release's spelling applies to the plan only.
	const ftRecorded = `{"model":{"source":"ft:qwen/qwen3-4b:job_1"}}`
	if SameTraining([]byte(`{"model":{"source":"ft:Qwen/Qwen3-4B:job_1"}}`), []byte(ftRecorded)) {
		t.Error("a fine-tuned id in another case counted as the same training")
	}
	if !SameTraining([]byte(`{"model":{"source":"ft:qwen/qwen3-4b:job_1"}}`), []byte(`{"model":{"source":"ft:Qwen/Qwen3-4B:job_1"}}`)) {
		t.Error("a fine-tuned id the previous release rewrote is not recognised")
	}
}
