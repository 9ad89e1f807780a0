package rlconfig

import (
	"strings"
	"testing"
)

// sftValidTOML is a valid SFT config of eight lines ending inside
// [hyperparameters], so rows may append hyperparameters from line 9 on.
const sftValidTOML = `[job]
model = "Qwen/Qwen3-4B"

[compute]
gpu_type = "H100"

[hyperparameters]
n_epochs = 1
`

func typedSFT(block, attr string, val any) SFTOverrides {
	return SFTOverrides{Values: map[string]map[string]any{block: {attr: val}}}
}

func TestValidateSFT(t *testing.T) {
	tests := []struct {
		name string
		toml string
		o    SFTOverrides
		// noTrainingFile leaves training_file_id unset; every other row
		// gets one.
		noTrainingFile bool
		want           []wantDiag
	}{
		{name: "valid config", toml: sftValidTOML},
		{name: "FFT fixture", toml: readFixture(t, "sft_fft.toml"), o: SFTOverrides{ValidationFileID: "file_val"}},
		{name: "LoRA fixture", toml: readFixture(t, "sft_lora.toml")},
		{name: "QLoRA fixture", toml: readFixture(t, "sft_qlora.toml"), o: SFTOverrides{ValidationFileID: "file_val"}},
		{
			name: "typed attributes alone",
			o: SFTOverrides{Values: map[string]map[string]any{
				"model":   {"base": "Qwen/Qwen3-8B"},
				"compute": {"gpu_type": "H100", "gpu_count": int64(8)},
				"lora":    {"target_modules": []string{"q_proj", "v_proj"}},
			}},
			want: []wantDiag{wantWarning("hyperparameters", 0, "no step count")},
		},

		// The bad inputs of the issue, each named by its key or line.
		{
			name: "fine-tuned base in [job].model",
			toml: strings.Replace(sftValidTOML, "Qwen/Qwen3-4B", "fft:Qwen/Qwen3-4B:job_1", 1),
			want: []wantDiag{wantError("config_toml", 2, `config_toml line 2: [job].model is "fft:Qwen/Qwen3-4B:job_1", a fine-tuned model id`)},
		},
		{
			name: "fine-tuned typed base",
			toml: sftValidTOML,
			o:    typedSFT("model", "base", "peft:Qwen/Qwen3-0.6B:job_9"),
			want: []wantDiag{wantError("model.base", 0, `model.base is "peft:Qwen/Qwen3-0.6B:job_9", a fine-tuned model id`)},
		},
		{
			name: "total_steps = -5",
			toml: sftValidTOML + "total_steps = -5\n",
			want: []wantDiag{wantError("config_toml", 9, "config_toml line 9: [hyperparameters].total_steps must be at least 1, got -5.")},
		},
		{
			name: "n_epochs = 0",
			toml: strings.Replace(sftValidTOML, "n_epochs = 1", "n_epochs = 0", 1),
			want: []wantDiag{wantError("config_toml", 8, "config_toml line 8: [hyperparameters].n_epochs must be at least 1, got 0.")},
		},
		{
			name: "float batch_size",
			toml: sftValidTOML + "batch_size = 8.0\n",
			want: []wantDiag{wantError("config_toml", 9, "config_toml line 9: [hyperparameters].batch_size must be an integer, got float 8.")},
		},
		{
			name: "warmup_ratio = 1.5",
			toml: sftValidTOML + "warmup_ratio = 1.5\n",
			want: []wantDiag{wantError("config_toml", 9, "config_toml line 9: [hyperparameters].warmup_ratio must be between 0 and 1, got float 1.5.")},
		},
		{
			name: "no gpu_type",
			toml: strings.Replace(sftValidTOML, `gpu_type = "H100"`, "gpu_count = 8", 1),
			want: []wantDiag{wantError("compute.gpu_type", 0, "compute.gpu_type is missing")},
		},
		{
			name: "RL [algorithm]",
			toml: sftValidTOML + fullAlgorithmTOML,
			want: []wantDiag{
				wantError("config_toml", 10, `config_toml line 10: [algorithm].type must be "offline" for an SFT job, got "online". This is the RL algorithm`),
				wantError("config_toml", 11, `config_toml line 11: [algorithm].method must be "sft" or "supervised_finetune" for an SFT job, got "policy_gradient".`),
				wantWarning("config_toml", 12, `[algorithm].variety is "gspo", but [training].mode makes this job a full fine-tune`),
			},
		},
		{
			name: "TOML syntax error",
			toml: sftValidTOML + "batch_size = \n",
			want: []wantDiag{wantError("config_toml", 9, "config_toml line 9, column 14: ")},
		},
		{
			name: "typed value that contradicts the TOML's type",
			toml: "hyperparameters = \"fast\"\n[job]\nmodel = \"Qwen/Qwen3-4B\"\n[compute]\ngpu_type = \"H100\"\n",
			o:    typedSFT("hyperparameters", "n_epochs", int64(2)),
			want: []wantDiag{wantError("config_toml", 1,
				`config_toml line 1: hyperparameters must be a table, got string "fast", so it contradicts hyperparameters.n_epochs, which writes into it.`)},
		},

		// Types and ranges.
		{
			name: "boolean for an integer key",
			toml: sftValidTOML + "sequence_length = true\n",
			want: []wantDiag{wantError("config_toml", 9, "[hyperparameters].sequence_length must be an integer, got boolean true.")},
		},
		{
			name: "typed warmup_ratio out of range",
			toml: sftValidTOML,
			o:    typedSFT("hyperparameters", "warmup_ratio", 1.5),
			want: []wantDiag{wantError("hyperparameters.warmup_ratio", 0, "hyperparameters.warmup_ratio must be between 0 and 1, got float 1.5.")},
		},
		{
			name: "learning_rate of 0",
			toml: sftValidTOML + "learning_rate = 0\n",
			want: []wantDiag{wantError("config_toml", 9, "[hyperparameters].learning_rate must be a finite number greater than 0, got integer 0.")},
		},
		{
			name: "NaN learning_rate reported once",
			toml: sftValidTOML + "learning_rate = nan\n",
			want: []wantDiag{wantError("config_toml", 9, "got float NaN")},
		},
		{
			name: "infinity in a key nobody knows",
			toml: sftValidTOML + "[custom]\nx = inf\n",
			want: []wantDiag{wantError("config_toml", 10, "[custom].x is float +Inf")},
		},
		{
			name: "a typed value replaces an ill-typed TOML value",
			toml: sftValidTOML + "batch_size = \"big\"\n",
			o:    typedSFT("hyperparameters", "batch_size", int64(16)),
		},
		{
			name: "typed empty string",
			toml: sftValidTOML,
			o:    typedSFT("compute", "gpu_type", ""),
			want: []wantDiag{wantError("compute.gpu_type", 0, "compute.gpu_type must not be empty.")},
		},
		{
			name: "LoRA rank in an older spelling",
			toml: sftValidTOML + "[training]\nmode = \"lora\"\n[training.lora]\nr = 0\n",
			want: []wantDiag{wantError("config_toml", 12, "config_toml line 12: [training.lora].r must be at least 1, got 0.")},
		},
		{
			name: "validation eval_steps below 0",
			toml: sftValidTOML + "[training.validation]\neval_steps = -1\n",
			o:    SFTOverrides{ValidationFileID: "file_val"},
			want: []wantDiag{wantError("config_toml", 10, "[training.validation].eval_steps must be at least 0, got -1.")},
		},
		{
			name: "sub-table that is not a table",
			toml: sftValidTOML + "parallelism = 4\n",
			want: []wantDiag{wantError("config_toml", 9, "config_toml line 9: [hyperparameters].parallelism must be a table, got integer 4.")},
		},

		// The base model.
		{
			name: "the base from [model].base",
			toml: strings.Replace(sftValidTOML, "[job]\nmodel", "[model]\nbase", 1),
		},
		{
			name: "no base model",
			toml: "[compute]\ngpu_type = \"H100\"\n[hyperparameters]\nn_epochs = 1\n",
			want: []wantDiag{wantError("model.base", 0, "The base model is missing")},
		},
		{
			name: "base without an org",
			toml: strings.Replace(sftValidTOML, "Qwen/Qwen3-4B", "qwen3", 1),
			want: []wantDiag{wantError("config_toml", 2, `[job].model is not a valid base model: "qwen3" must have the form "org/name"`)},
		},
		{
			name: "[model].base of the wrong type, reported once",
			toml: strings.Replace(sftValidTOML, "[job]\nmodel = \"Qwen/Qwen3-4B\"", "[model]\nbase = 4", 1),
			want: []wantDiag{wantError("config_toml", 2, "config_toml line 2: [model].base must be a string, got integer 4.")},
		},
		{
			name: "empty [job].model",
			toml: strings.Replace(sftValidTOML, "Qwen/Qwen3-4B", "", 1),
			want: []wantDiag{wantError("config_toml", 2, "config_toml line 2: [job].model must not be empty.")},
		},
		{
			name: "base not on the RL list",
			toml: strings.Replace(sftValidTOML, "Qwen/Qwen3-4B", "meta-llama/Llama-3.1-8B", 1),
			want: []wantDiag{wantWarning("config_toml", 2, "not on the SDK's list of RL-trainable base models")},
		},
		{
			name: "[job].model and [model].base disagree",
			toml: sftValidTOML + "[model]\nbase = \"Qwen/Qwen3-8B\"\n",
			want: []wantDiag{wantWarning("config_toml", 10, `config_toml line 10: [model].base is "Qwen/Qwen3-8B", but [job].model (config_toml line 2) is "Qwen/Qwen3-4B" and wins.`)},
		},
		{
			name: "a typed base over a fine-tuned TOML one",
			toml: strings.Replace(sftValidTOML, "Qwen/Qwen3-4B", "rl:Qwen/Qwen3-4B:job_1", 1),
			o:    typedSFT("model", "base", "Qwen/Qwen3-4B"),
		},

		// The method.
		{
			name: "unknown mode",
			toml: sftValidTOML + "[training]\nmode = \"dpo\"\n",
			want: []wantDiag{wantError("config_toml", 10, `[training].mode must be "full_finetune", "sft_offline", "lora" or "qlora", got "dpo".`)},
		},
		{
			name: "QLoRA on a full fine-tune",
			toml: sftValidTOML + "[training]\nmode = \"full_finetune\"\nuse_qlora = true\n",
			want: []wantDiag{wantError("config_toml", 11, "[training].use_qlora is true, but config_toml line 10: [training].mode is \"full_finetune\"")},
		},
		{
			name: "typed mode over the TOML's",
			toml: sftValidTOML + "[training]\nmode = \"dpo\"\n",
			o:    typedSFT("training", "mode", "qlora"),
		},
		{
			name: "variety that disagrees with the mode",
			toml: sftValidTOML + "[algorithm]\ntype = \"offline\"\nvariety = \"lora\"\n",
			want: []wantDiag{wantWarning("config_toml", 11, `[algorithm].variety is "lora", but [training].mode makes this job a full fine-tune ("fft")`)},
		},
		{
			name: "train_kind that disagrees with the mode",
			toml: sftValidTOML + "train_kind = \"peft\"\n",
			want: []wantDiag{wantWarning("config_toml", 9, `train_kind is sent as "fft"`)},
		},

		// Keys the payload does not carry, and the files.
		{
			name: "dropped keys",
			toml: sftValidTOML + "weight_decay = 0.01\nmax_seq_length = 2048\nfoo = 1\n",
			want: []wantDiag{
				wantWarning("config_toml", 11, "[hyperparameters].foo is not sent to the backend: the contract does not list it."),
				wantWarning("config_toml", 10, "[hyperparameters].max_seq_length is not sent to the backend: the SDK's builder drops it too."),
				wantWarning("config_toml", 9, "[hyperparameters].weight_decay is not sent"),
			},
		},
		{
			name:           "no training file",
			toml:           sftValidTOML,
			noTrainingFile: true,
			want:           []wantDiag{wantError("training_file_id", 0, "training_file_id is required")},
		},
		{
			name: "validation without a validation file",
			toml: sftValidTOML + "[training.validation]\neval_steps = 10\n",
			want: []wantDiag{wantWarning("config_toml", 9, "config_toml line 9 enables validation, but validation_file_id is not set")},
		},
		{
			name: "a validation path instead of a validation file",
			toml: sftValidTOML + "[training.validation]\n[data]\nvalidation_path = \"val.jsonl\"\n",
			want: []wantDiag{wantWarning("config_toml", 11, `config_toml line 11: [data].validation_path is "val.jsonl", a local path the provider does not upload`)},
		},
		{
			name: "validation switched off needs no file",
			toml: sftValidTOML + "[training.validation]\nenabled = false\n",
		},
		{
			name: "typed validation without a validation file",
			toml: sftValidTOML,
			o:    typedSFT("validation", "eval_steps", int64(5)),
			want: []wantDiag{wantWarning("validation", 0, "validation enables validation, but validation_file_id is not set")},
		},

		// Values not known yet.
		{
			name: "unknown config_toml defers the presence rules",
			o:    SFTOverrides{Unknown: []string{"config_toml"}},
		},
		{
			name: "unknown config_toml still checks typed values",
			o: SFTOverrides{
				Values:  map[string]map[string]any{"hyperparameters": {"n_epochs": int64(0)}},
				Unknown: []string{"config_toml"},
			},
			want: []wantDiag{wantError("hyperparameters.n_epochs", 0, "hyperparameters.n_epochs must be at least 1, got 0.")},
		},
		{
			name:           "unknown files and model",
			toml:           strings.Replace(sftValidTOML, "[job]\nmodel = \"Qwen/Qwen3-4B\"\n", "", 1),
			o:              SFTOverrides{Unknown: []string{"model.base", "training_file_id", "validation_file_id"}},
			noTrainingFile: true,
		},

		// Errors are collected, not first-only.
		{
			name: "every problem in one document",
			toml: "[job]\nmodel = \"ft:Qwen/Qwen3-4B:job_1\"\n[hyperparameters]\nn_epochs = 0\nbatch_size = 2.5\n[algorithm]\ntype = \"online\"\n",
			want: []wantDiag{
				wantError("config_toml", 4, "[hyperparameters].n_epochs must be at least 1, got 0."),
				wantError("config_toml", 5, "[hyperparameters].batch_size must be an integer, got float 2.5."),
				wantError("config_toml", 7, `[algorithm].type must be "offline"`),
				wantError("config_toml", 2, "a fine-tuned model id"),
				wantError("compute.gpu_type", 0, "compute.gpu_type is missing"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			if !tt.noTrainingFile && o.TrainingFileID == "" {
				o.TrainingFileID = "file_train"
			}
			got := ValidateSFT(SFTInput{TOML: tt.toml, Overrides: o})
			assertDiagnostics(t, got, tt.want)
		})
	}
}

func TestResolveSFTRefusesUnknownValues(t *testing.T) {
	r, diags := ResolveSFT(SFTInput{TOML: sftValidTOML, Overrides: SFTOverrides{Unknown: []string{"training_file_id"}}})
	if r != nil {
		t.Fatalf("ResolveSFT built a job from an unknown training file: %+v", r)
	}
	assertDiagnostics(t, diags, []wantDiag{wantError("training_file_id", 0, "training_file_id is not known yet")})
}
