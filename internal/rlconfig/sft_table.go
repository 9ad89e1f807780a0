package rlconfig

import "strings"

// The SFT job config (FFT, LoRA, QLoRA): §11 of the backend contract,
// described as data. Every rule about one key is read from SFT.Keys: its
// TOML type and range (ValidateSFT), the typed attribute it becomes
// (MergeSFT, SFTOverridesFromJob, the provider's schema and docs), and where
// it lands in the create payload (BuildSFTPayload).
//
// The shape follows the RL key table of the config-kinds work: a TOML path,
// a value type, a description that makes the key a typed attribute, and a
// rule with the RL validator's signature. It adds what the SFT config needs
// and the RL one does not: the typed attribute is named explicitly (the
// base model lives in [job].model but is the attribute model.base, the
// validation keys live in [training.validation] but form the block
// validation), a key may have older spellings it falls back to, and a key
// says where the payload carries it.

// SFTTable is one config kind described as data.
type SFTTable struct {
	// Tables are the TOML tables this package reads from, dotted. Each must
	// be a table when present; keys of it the table does not list pass
	// through unchecked (and, in [hyperparameters], are dropped with a
	// warning, as the SDK drops them).
	Tables []string
	// Blocks are the typed Terraform blocks, in schema order.
	Blocks []SFTBlock
	// Keys are the keys whose type the backend relies on, in the order the
	// contract lists them, which is also the order of their diagnostics.
	Keys []SFTKey
}

// SFTBlock is a typed Terraform block of synth_sft_job.
type SFTBlock struct {
	Name string
	Doc  string
}

// SFTKey is one key of the SFT config.
type SFTKey struct {
	// Path is the key's TOML path: ["hyperparameters", "n_epochs"].
	Path []string
	// Type is the TOML type the key must have.
	Type ValueType
	// Block and Attr name the typed attribute the key becomes,
	// hyperparameters.n_epochs; both are "" for a key that lives only in
	// the TOML.
	Block, Attr string
	// Doc is the typed attribute's description.
	Doc string
	// Fallbacks are older TOML spellings read, in order, when Path is
	// absent: [model].base for [job].model, [training.lora].r for
	// [hyperparameters].lora_rank.
	Fallbacks [][]string
	// Sent is where the create payload carries the value (read back on
	// import); nil when the key is not sent as such.
	Sent []string
	// rule, when set, is what a value of the right type must also satisfy.
	rule func(v *validator, at place, val any)
}

// Typed reports whether the key is a typed attribute.
func (k SFTKey) Typed() bool { return k.Attr != "" }

// Attribute is the typed attribute's path in the dotted form diagnostics
// and SFTOverrides.Unknown use: "hyperparameters.n_epochs".
func (k SFTKey) Attribute() string { return k.Block + "." + k.Attr }

// Dotted is the TOML path in dotted form: "training.validation.enabled".
func (k SFTKey) Dotted() string { return strings.Join(k.Path, ".") }

// TypeName is the key's value type in one word, for a schema builder:
// "string", "integer", "number", "boolean", "list_of_strings",
// "list_of_integers" or "table".
func (k SFTKey) TypeName() string {
	switch k.Type {
	case TypeString:
		return "string"
	case TypeInteger:
		return "integer"
	case TypeNumber:
		return "number"
	case TypeBoolean:
		return "boolean"
	case TypeStringArray:
		return "list_of_strings"
	case TypeIntegerArray:
		return "list_of_integers"
	case TypeTable:
		return "table"
	}
	return ""
}

// TypedKeys are the typed attributes of block, in table order.
func (t *SFTTable) TypedKeys(block string) []SFTKey {
	var out []SFTKey
	for _, k := range t.Keys {
		if k.Typed() && k.Block == block {
			out = append(out, k)
		}
	}
	return out
}

// Key returns the key at a dotted TOML path.
func (t *SFTTable) Key(dotted string) (SFTKey, bool) {
	for _, k := range t.Keys {
		if k.Dotted() == dotted {
			return k, true
		}
	}
	return SFTKey{}, false
}

func sftKey(dotted string, t ValueType, rule func(*validator, place, any)) SFTKey {
	return SFTKey{Path: strings.Split(dotted, "."), Type: t, rule: rule}
}

// typedAs makes k the typed attribute block.attr, described by doc.
func (k SFTKey) typedAs(attr, doc string) SFTKey {
	k.Block, k.Attr, _ = strings.Cut(attr, ".")
	k.Doc = doc
	return k
}

// sentAs records where the payload carries k.
func (k SFTKey) sentAs(dotted string) SFTKey {
	k.Sent = strings.Split(dotted, ".")
	return k
}

func (k SFTKey) orFrom(dotted ...string) SFTKey {
	for _, d := range dotted {
		k.Fallbacks = append(k.Fallbacks, strings.Split(d, "."))
	}
	return k
}

// Where the payload carries the effective config.
const (
	sentCompute  = "metadata.effective_config.compute."
	sentTraining = "metadata.effective_config.training."
	sentHyper    = "hyperparameters."
)

// sftStepKeys are the step counts; at least one is sent (n_epochs = 1 when
// the config has none).
var sftStepKeys = []string{"n_epochs", "total_steps", "train_steps", "steps"}

// sftDroppedKeys are the [hyperparameters] keys the SDK's builder is known
// to drop; any other key it does not send is dropped the same way.
var sftDroppedKeys = []string{"weight_decay", "world_size", "max_seq_length"}

// SFT is the SFT job config of §11.2.
var SFT = SFTTable{
	Tables: []string{
		"algorithm", "job", "compute", "data", "data.topology", "training", "training.validation",
		"training.lora", "lora", "hyperparameters", "hyperparameters.lora", "hyperparameters.parallelism", "model",
	},
	Blocks: []SFTBlock{
		{Name: "model", Doc: "The base model to fine-tune (`[job].model`, or `[model].base`, in `config_toml`)."},
		{Name: "compute", Doc: "`[compute]`: the GPUs the job runs on. `gpu_type` is required, here or in `config_toml`."},
		{Name: "training", Doc: "`[training]`: the method. `full_finetune` (the default) is a full fine-tune, `lora` a LoRA, " +
			"and `lora` with `use_qlora = true` (or `qlora`) a QLoRA."},
		{Name: "hyperparameters", Doc: "`[hyperparameters]`: the common hyperparameters."},
		{Name: "parallelism", Doc: "`[hyperparameters.parallelism]`: how training is spread over the GPUs; sent as given."},
		{Name: "validation", Doc: "`[training.validation]`: evaluation on the validation file during training."},
		{Name: "lora", Doc: "LoRA adapter settings (`[hyperparameters]` `lora_*`, or `[training.lora]`); sent only when set."},
	},
	Keys: []SFTKey{
		sftKey("algorithm.type", TypeString, nil),
		sftKey("algorithm.method", TypeString, nil),
		sftKey("algorithm.variety", TypeString, nil),

		sftKey("job.model", TypeString, nil).orFrom("model.base").sentAs("model").
			typedAs("model.base", "The base model, such as `Qwen/Qwen3-4B`; never a fine-tuned id (`ft:`, `fft:`, `peft:`, "+
				"`qft:`, `rl:`). A base not on the RL-trainable list is a warning: its output could not be RL-trained."),
		sftKey("model.base", TypeString, nil),
		sftKey("job.data", TypeString, nil),
		sftKey("job.data_path", TypeString, nil),
		sftKey("job.poll_seconds", TypeInteger, atLeastOne),
		sftKey("job.suffix", TypeString, nil),

		sftKey("compute.gpu_type", TypeString, nil).sentAs(sentCompute+"gpu_type").
			typedAs("compute.gpu_type", "GPU type, such as `H100`, `H200`, `A100` or `A10G`. Required."),
		sftKey("compute.gpu_count", TypeInteger, atLeastOne).sentAs(sentCompute+"gpu_count").
			typedAs("compute.gpu_count", "Number of GPUs."),
		sftKey("compute.nodes", TypeInteger, atLeastOne).sentAs(sentCompute+"nodes").
			typedAs("compute.nodes", "Number of nodes."),

		sftKey("data.validation_path", TypeString, nil),

		sftKey("training.mode", TypeString, nil).
			typedAs("training.mode", "`full_finetune` (also `sft_offline`), `lora` or `qlora`."),
		sftKey("training.use_qlora", TypeBoolean, nil).
			typedAs("training.use_qlora", "With `mode = \"lora\"`, train a QLoRA adapter."),

		sftKey("training.validation.enabled", TypeBoolean, nil).sentAs(sentTraining+"validation.enabled").
			typedAs("validation.enabled", "Evaluate on the validation file during training. Default `true`."),
		sftKey("training.validation.evaluation_strategy", TypeString, nil).sentAs(sentHyper+"evaluation_strategy").
			typedAs("validation.evaluation_strategy", "When to evaluate. Default `steps`."),
		sftKey("training.validation.eval_steps", TypeInteger, atLeastZero).sentAs(sentHyper+"eval_steps").
			typedAs("validation.eval_steps", "Evaluate every this many steps. Default `0`."),
		sftKey("training.validation.save_best_model_at_end", TypeBoolean, nil).sentAs(sentHyper+"save_best_model_at_end").
			typedAs("validation.save_best_model_at_end", "Keep the best checkpoint by the metric. Default `true`."),
		sftKey("training.validation.metric_for_best_model", TypeString, nil).sentAs(sentHyper+"metric_for_best_model").
			typedAs("validation.metric_for_best_model", "The metric that picks the best checkpoint. Default `val.loss`."),
		sftKey("training.validation.greater_is_better", TypeBoolean, nil).sentAs(sentHyper+"greater_is_better").
			typedAs("validation.greater_is_better", "Whether a greater metric is better. Default `false`."),

		sftKey("training.lora.r", TypeInteger, atLeastOne),
		sftKey("training.lora.alpha", TypeInteger, atLeastOne),
		sftKey("training.lora.dropout", TypeNumber, between(0, 1)),
		sftKey("training.lora.target_modules", TypeStringArray, nil),
		sftKey("hyperparameters.lora.r", TypeInteger, atLeastOne),
		sftKey("hyperparameters.lora.alpha", TypeInteger, atLeastOne),
		sftKey("hyperparameters.lora.dropout", TypeNumber, between(0, 1)),
		sftKey("hyperparameters.lora.target_modules", TypeStringArray, nil),
		sftKey("lora.r", TypeInteger, atLeastOne),
		sftKey("lora.alpha", TypeInteger, atLeastOne),
		sftKey("lora.dropout", TypeNumber, between(0, 1)),
		sftKey("lora.target_modules", TypeStringArray, nil),

		sftKey("hyperparameters.n_epochs", TypeInteger, atLeastOne).sentAs(sentHyper+"n_epochs").
			typedAs("hyperparameters.n_epochs", "Epochs over the training file. `1` when no step count is set anywhere."),
		sftKey("hyperparameters.total_steps", TypeInteger, atLeastOne).sentAs(sentHyper+"total_steps").
			typedAs("hyperparameters.total_steps", "Total optimiser steps."),
		sftKey("hyperparameters.train_steps", TypeInteger, atLeastOne).sentAs(sentHyper + "train_steps"),
		sftKey("hyperparameters.steps", TypeInteger, atLeastOne).sentAs(sentHyper + "steps"),
		sftKey("hyperparameters.batch_size", TypeInteger, atLeastOne).sentAs(sentHyper+"batch_size").
			typedAs("hyperparameters.batch_size", "Batch size."),
		sftKey("hyperparameters.global_batch", TypeInteger, atLeastOne).sentAs(sentHyper+"global_batch").
			typedAs("hyperparameters.global_batch", "Global batch size over all GPUs."),
		sftKey("hyperparameters.per_device_batch", TypeInteger, atLeastOne).sentAs(sentHyper+"per_device_batch").
			typedAs("hyperparameters.per_device_batch", "Batch size per GPU."),
		sftKey("hyperparameters.gradient_accumulation_steps", TypeInteger, atLeastOne).sentAs(sentHyper+"gradient_accumulation_steps").
			typedAs("hyperparameters.gradient_accumulation_steps", "Gradient accumulation steps."),
		sftKey("hyperparameters.sequence_length", TypeInteger, atLeastOne).sentAs(sentHyper+"sequence_length").
			typedAs("hyperparameters.sequence_length", "Maximum sequence length in tokens."),
		sftKey("hyperparameters.learning_rate", TypeNumber, positiveFinite).sentAs(sentHyper+"learning_rate").
			typedAs("hyperparameters.learning_rate", "Learning rate, greater than 0."),
		sftKey("hyperparameters.warmup_ratio", TypeNumber, between(0, 1)).sentAs(sentHyper+"warmup_ratio").
			typedAs("hyperparameters.warmup_ratio", "Share of the steps spent warming up, from 0 to 1."),
		sftKey("hyperparameters.train_kind", TypeString, nil),
		sftKey("hyperparameters.use_qlora", TypeBoolean, nil),

		sftKey("hyperparameters.lora_rank", TypeInteger, atLeastOne).sentAs(sentHyper+"lora_rank").
			orFrom("training.lora.r", "hyperparameters.lora.r", "lora.r").
			typedAs("lora.rank", "The adapter's rank (`r`)."),
		sftKey("hyperparameters.lora_alpha", TypeInteger, atLeastOne).sentAs(sentHyper+"lora_alpha").
			orFrom("training.lora.alpha", "hyperparameters.lora.alpha", "lora.alpha").
			typedAs("lora.alpha", "The adapter's scaling (`alpha`)."),
		sftKey("hyperparameters.lora_dropout", TypeNumber, between(0, 1)).sentAs(sentHyper+"lora_dropout").
			orFrom("training.lora.dropout", "hyperparameters.lora.dropout", "lora.dropout").
			typedAs("lora.dropout", "The adapter's dropout, from 0 to 1."),
		sftKey("hyperparameters.lora_target_modules", TypeStringArray, nil).sentAs(sentHyper+"lora_target_modules").
			orFrom("training.lora.target_modules", "hyperparameters.lora.target_modules", "lora.target_modules").
			typedAs("lora.target_modules", "The modules that get an adapter, such as `[\"all-linear\"]`."),

		sftKey("hyperparameters.parallelism.use_deepspeed", TypeBoolean, nil).sentAs(sentHyper+"parallelism.use_deepspeed").
			typedAs("parallelism.use_deepspeed", "Use DeepSpeed."),
		sftKey("hyperparameters.parallelism.deepspeed_stage", TypeInteger, nil).sentAs(sentHyper+"parallelism.deepspeed_stage").
			typedAs("parallelism.deepspeed_stage", "The DeepSpeed ZeRO stage."),
		sftKey("hyperparameters.parallelism.fsdp", TypeBoolean, nil).sentAs(sentHyper+"parallelism.fsdp").
			typedAs("parallelism.fsdp", "Use FSDP."),
		sftKey("hyperparameters.parallelism.fsdp_sharding_strategy", TypeString, nil).sentAs(sentHyper+"parallelism.fsdp_sharding_strategy").
			typedAs("parallelism.fsdp_sharding_strategy", "FSDP sharding strategy, such as `full_shard`."),
		sftKey("hyperparameters.parallelism.fsdp_auto_wrap_policy", TypeString, nil).sentAs(sentHyper+"parallelism.fsdp_auto_wrap_policy").
			typedAs("parallelism.fsdp_auto_wrap_policy", "FSDP auto-wrap policy, such as `transformer_block`."),
		sftKey("hyperparameters.parallelism.fsdp_use_orig_params", TypeBoolean, nil).sentAs(sentHyper+"parallelism.fsdp_use_orig_params").
			typedAs("parallelism.fsdp_use_orig_params", "FSDP `use_orig_params`."),
		sftKey("hyperparameters.parallelism.bf16", TypeBoolean, nil).sentAs(sentHyper+"parallelism.bf16").
			typedAs("parallelism.bf16", "Train in bfloat16."),
		sftKey("hyperparameters.parallelism.fp16", TypeBoolean, nil).sentAs(sentHyper+"parallelism.fp16").
			typedAs("parallelism.fp16", "Train in float16."),
		sftKey("hyperparameters.parallelism.activation_checkpointing", TypeBoolean, nil).sentAs(sentHyper+"parallelism.activation_checkpointing").
			typedAs("parallelism.activation_checkpointing", "Recompute activations to save memory."),
		sftKey("hyperparameters.parallelism.tensor_parallel_size", TypeInteger, atLeastOne).sentAs(sentHyper+"parallelism.tensor_parallel_size").
			typedAs("parallelism.tensor_parallel_size", "Tensor-parallel degree."),
		sftKey("hyperparameters.parallelism.pipeline_parallel_size", TypeInteger, atLeastOne).sentAs(sentHyper+"parallelism.pipeline_parallel_size").
			typedAs("parallelism.pipeline_parallel_size", "Pipeline-parallel degree."),
	},
}

func atLeastZero(v *validator, at place, val any) {
	if n, _ := val.(int64); n < 0 {
		v.errorAt(at, "Value out of range", "%s must be at least 0, got %d.", at.name, n)
	}
}
