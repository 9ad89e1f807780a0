package rlconfig

import "testing"

// checkTable runs the checks a table drives on its own: every section is a
// table, every known key has its type and satisfies its rule.
func checkTable(kind *Kind, src string) Diagnostics {
	v := &validator{kind: kind, o: &Overrides{}, typed: map[string]bool{}}
	v.readTOML(src)
	v.merged = Merge(v.base, *v.o)
	v.checkSections()
	v.checkKnownKeys()
	return v.diags
}

const sftTOML = `type = "sft"

[algorithm]
type = "offline"
method = "sft"
variety = "fft"

[job]
model = "Qwen/Qwen3-4B"
data = "data/train.jsonl"
poll_seconds = 20

[compute]
gpu_type = "H100"
gpu_count = 1
nodes = 1

[data]
validation_path = "data/val.jsonl"

[data.topology]
container_count = 1
gpus_per_node = 1

[training]
mode = "full_finetune"
use_qlora = false

[training.validation]
enabled = true
evaluation_strategy = "steps"
eval_steps = 20
save_best_model_at_end = true
metric_for_best_model = "val.loss"
greater_is_better = false

[hyperparameters]
n_epochs = 1
batch_size = 8
per_device_batch = 1
gradient_accumulation_steps = 8
sequence_length = 4096
learning_rate = 1e-05
warmup_ratio = 0.03
train_kind = "fft"

[hyperparameters.parallelism]
use_deepspeed = true
deepspeed_stage = 3
bf16 = true
`

func TestSFTTable(t *testing.T) {
	tests := []struct {
		name string
		toml string
		want []wantDiag
	}{
		{name: "a complete config", toml: sftTOML},
		{
			name: "step counts and sizes are positive integers",
			toml: "[hyperparameters]\nn_epochs = 0\ntotal_steps = -3\nbatch_size = true\nsequence_length = 2.5\n",
			want: []wantDiag{
				wantError("config_toml", 2, "[hyperparameters].n_epochs must be at least 1, got 0."),
				wantError("config_toml", 3, "[hyperparameters].total_steps must be at least 1, got -3."),
				wantError("config_toml", 4, "[hyperparameters].batch_size must be an integer, got boolean true."),
				wantError("config_toml", 5, "[hyperparameters].sequence_length must be an integer, got float 2.5."),
			},
		},
		{
			name: "learning rate and warmup ratio",
			toml: "[hyperparameters]\nlearning_rate = 0\nwarmup_ratio = 1.5\n",
			want: []wantDiag{
				wantError("config_toml", 2, "[hyperparameters].learning_rate must be a finite number greater than 0, got integer 0."),
				wantError("config_toml", 3, "[hyperparameters].warmup_ratio must be between 0 and 1, got float 1.5."),
			},
		},
		{
			name: "sections and nested tables",
			toml: "compute = \"H100\"\n\n[data]\ntopology = 3\n",
			want: []wantDiag{
				wantError("config_toml", 1, "config_toml line 1: compute must be a table, got string \"H100\"."),
				wantError("config_toml", 4, "[data].topology must be a table, got integer 3."),
			},
		},
		{
			name: "unknown sections and keys pass",
			toml: "[hyperparameters]\nweight_decay = 0.1\n[vision]\nmax_images = 2\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertDiagnostics(t, checkTable(&SFT, tt.toml), tt.want)
		})
	}
}
