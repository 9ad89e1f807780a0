package rlconfig

// The SFT job config (FFT, LoRA, QLoRA): §11 of the backend contract,
// described as data. Every rule about one key is read from SFT.Keys: its
// TOML type and range (ValidateSFT), the typed attribute it becomes
// (MergeSFT, SFTOverridesFromJob, the provider's schema and docs), and where
// it lands in the create payload (BuildSFTPayload).
//
// It is a Kind like RL, using what the SFT config needs and the RL one does
// not: nested tables, a typed attribute named apart from its path (the base
// model lives in [job].model but is the attribute model.base, the
// validation keys live in [training.validation] but form the block
// validation), older spellings a key falls back to, and where the payload
// carries a key.

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
var SFT = Kind{
	// The tables the config reads from, with the typed blocks among them.
	// Each must be a table when present; keys of it the table does not list
	// pass through unchecked (and, in [hyperparameters], are dropped with a
	// warning, as the SDK drops them).
	Sections: []Section{
		{Name: "algorithm"},
		{Name: "job"},
		{Name: "compute", Doc: "`[compute]`: the GPUs the job runs on. `gpu_type` is required, here or in `config_toml`."},
		{Name: "data"},
		{Name: "data.topology"},
		{Name: "training", Doc: "`[training]`: the method. `full_finetune` (the default) is a full fine-tune, `lora` a LoRA, " +
			"and `lora` with `use_qlora = true` (or `qlora`) a QLoRA."},
		{Name: "training.validation", BlockName: "validation", Doc: "`[training.validation]`: evaluation on the validation file during training."},
		{Name: "training.lora"},
		{Name: "lora", Doc: "LoRA adapter settings (`[hyperparameters]` `lora_*`, or `[training.lora]`); sent only when set."},
		{Name: "hyperparameters", Doc: "`[hyperparameters]`: the common hyperparameters."},
		{Name: "hyperparameters.lora"},
		{Name: "hyperparameters.parallelism", BlockName: "parallelism", Doc: "`[hyperparameters.parallelism]`: how training is spread over the GPUs; sent as given."},
		{Name: "model", Doc: "The base model to fine-tune (`[job].model`, or `[model].base`, in `config_toml`)."},
	},
	Keys: []Key{
		key("algorithm.type", TypeString, nil),
		key("algorithm.method", TypeString, nil),
		key("algorithm.variety", TypeString, nil),

		key("job.model", TypeString, nil).orFrom("model.base").sentAs("model").
			typedAs("model.base", "The base model, such as `Qwen/Qwen3-4B`; never a fine-tuned id (`ft:`, `fft:`, `peft:`, "+
				"`qft:`, `rl:`). A base not on the RL-trainable list is a warning: its output could not be RL-trained."),
		key("model.base", TypeString, nil),
		key("job.data", TypeString, nil),
		key("job.data_path", TypeString, nil),
		key("job.poll_seconds", TypeInteger, atLeastOne),
		key("job.suffix", TypeString, nil),

		key("compute.gpu_type", TypeString, nil).sentAs(sentCompute+"gpu_type").
			typedAs("compute.gpu_type", "GPU type, such as `H100`, `H200`, `A100` or `A10G`. Required."),
		key("compute.gpu_count", TypeInteger, atLeastOne).sentAs(sentCompute+"gpu_count").
			typedAs("compute.gpu_count", "Number of GPUs."),
		key("compute.nodes", TypeInteger, atLeastOne).sentAs(sentCompute+"nodes").
			typedAs("compute.nodes", "Number of nodes."),

		key("data.validation_path", TypeString, nil),

		key("training.mode", TypeString, nil).
			typedAs("training.mode", "`full_finetune` (also `sft_offline`), `lora` or `qlora`."),
		key("training.use_qlora", TypeBoolean, nil).
			typedAs("training.use_qlora", "With `mode = \"lora\"`, train a QLoRA adapter."),

		key("training.validation.enabled", TypeBoolean, nil).sentAs(sentTraining+"validation.enabled").
			typedAs("validation.enabled", "Evaluate on the validation file during training. Default `true`."),
		key("training.validation.evaluation_strategy", TypeString, nil).sentAs(sentHyper+"evaluation_strategy").
			typedAs("validation.evaluation_strategy", "When to evaluate. Default `steps`."),
		key("training.validation.eval_steps", TypeInteger, atLeastZero).sentAs(sentHyper+"eval_steps").
			typedAs("validation.eval_steps", "Evaluate every this many steps. Default `0`."),
		key("training.validation.save_best_model_at_end", TypeBoolean, nil).sentAs(sentHyper+"save_best_model_at_end").
			typedAs("validation.save_best_model_at_end", "Keep the best checkpoint by the metric. Default `true`."),
		key("training.validation.metric_for_best_model", TypeString, nil).sentAs(sentHyper+"metric_for_best_model").
			typedAs("validation.metric_for_best_model", "The metric that picks the best checkpoint. Default `val.loss`."),
		key("training.validation.greater_is_better", TypeBoolean, nil).sentAs(sentHyper+"greater_is_better").
			typedAs("validation.greater_is_better", "Whether a greater metric is better. Default `false`."),

		key("training.lora.r", TypeInteger, atLeastOne),
		key("training.lora.alpha", TypeInteger, atLeastOne),
		key("training.lora.dropout", TypeNumber, between(0, 1)),
		key("training.lora.target_modules", TypeStringArray, nil),
		key("hyperparameters.lora.r", TypeInteger, atLeastOne),
		key("hyperparameters.lora.alpha", TypeInteger, atLeastOne),
		key("hyperparameters.lora.dropout", TypeNumber, between(0, 1)),
		key("hyperparameters.lora.target_modules", TypeStringArray, nil),
		key("lora.r", TypeInteger, atLeastOne),
		key("lora.alpha", TypeInteger, atLeastOne),
		key("lora.dropout", TypeNumber, between(0, 1)),
		key("lora.target_modules", TypeStringArray, nil),

		key("hyperparameters.n_epochs", TypeInteger, atLeastOne).sentAs(sentHyper+"n_epochs").
			typedAs("hyperparameters.n_epochs", "Epochs over the training file. `1` when no step count is set anywhere."),
		key("hyperparameters.total_steps", TypeInteger, atLeastOne).sentAs(sentHyper+"total_steps").
			typedAs("hyperparameters.total_steps", "Total optimiser steps."),
		key("hyperparameters.train_steps", TypeInteger, atLeastOne).sentAs(sentHyper + "train_steps"),
		key("hyperparameters.steps", TypeInteger, atLeastOne).sentAs(sentHyper + "steps"),
		key("hyperparameters.batch_size", TypeInteger, atLeastOne).sentAs(sentHyper+"batch_size").
			typedAs("hyperparameters.batch_size", "Batch size."),
		key("hyperparameters.global_batch", TypeInteger, atLeastOne).sentAs(sentHyper+"global_batch").
			typedAs("hyperparameters.global_batch", "Global batch size over all GPUs."),
		key("hyperparameters.per_device_batch", TypeInteger, atLeastOne).sentAs(sentHyper+"per_device_batch").
			typedAs("hyperparameters.per_device_batch", "Batch size per GPU."),
		key("hyperparameters.gradient_accumulation_steps", TypeInteger, atLeastOne).sentAs(sentHyper+"gradient_accumulation_steps").
			typedAs("hyperparameters.gradient_accumulation_steps", "Gradient accumulation steps."),
		key("hyperparameters.sequence_length", TypeInteger, atLeastOne).sentAs(sentHyper+"sequence_length").
			typedAs("hyperparameters.sequence_length", "Maximum sequence length in tokens."),
		key("hyperparameters.learning_rate", TypeNumber, positiveFinite).sentAs(sentHyper+"learning_rate").
			typedAs("hyperparameters.learning_rate", "Learning rate, greater than 0."),
		key("hyperparameters.warmup_ratio", TypeNumber, between(0, 1)).sentAs(sentHyper+"warmup_ratio").
			typedAs("hyperparameters.warmup_ratio", "Share of the steps spent warming up, from 0 to 1."),
		key("hyperparameters.train_kind", TypeString, nil),
		key("hyperparameters.use_qlora", TypeBoolean, nil),

		key("hyperparameters.lora_rank", TypeInteger, atLeastOne).sentAs(sentHyper+"lora_rank").
			orFrom("training.lora.r", "hyperparameters.lora.r", "lora.r").
			typedAs("lora.rank", "The adapter's rank (`r`)."),
		key("hyperparameters.lora_alpha", TypeInteger, atLeastOne).sentAs(sentHyper+"lora_alpha").
			orFrom("training.lora.alpha", "hyperparameters.lora.alpha", "lora.alpha").
			typedAs("lora.alpha", "The adapter's scaling (`alpha`)."),
		key("hyperparameters.lora_dropout", TypeNumber, between(0, 1)).sentAs(sentHyper+"lora_dropout").
			orFrom("training.lora.dropout", "hyperparameters.lora.dropout", "lora.dropout").
			typedAs("lora.dropout", "The adapter's dropout, from 0 to 1."),
		key("hyperparameters.lora_target_modules", TypeStringArray, nil).sentAs(sentHyper+"lora_target_modules").
			orFrom("training.lora.target_modules", "hyperparameters.lora.target_modules", "lora.target_modules").
			typedAs("lora.target_modules", "The modules that get an adapter, such as `[\"all-linear\"]`."),

		key("hyperparameters.parallelism.use_deepspeed", TypeBoolean, nil).sentAs(sentHyper+"parallelism.use_deepspeed").
			typedAs("parallelism.use_deepspeed", "Use DeepSpeed."),
		key("hyperparameters.parallelism.deepspeed_stage", TypeInteger, nil).sentAs(sentHyper+"parallelism.deepspeed_stage").
			typedAs("parallelism.deepspeed_stage", "The DeepSpeed ZeRO stage."),
		key("hyperparameters.parallelism.fsdp", TypeBoolean, nil).sentAs(sentHyper+"parallelism.fsdp").
			typedAs("parallelism.fsdp", "Use FSDP."),
		key("hyperparameters.parallelism.fsdp_sharding_strategy", TypeString, nil).sentAs(sentHyper+"parallelism.fsdp_sharding_strategy").
			typedAs("parallelism.fsdp_sharding_strategy", "FSDP sharding strategy, such as `full_shard`."),
		key("hyperparameters.parallelism.fsdp_auto_wrap_policy", TypeString, nil).sentAs(sentHyper+"parallelism.fsdp_auto_wrap_policy").
			typedAs("parallelism.fsdp_auto_wrap_policy", "FSDP auto-wrap policy, such as `transformer_block`."),
		key("hyperparameters.parallelism.fsdp_use_orig_params", TypeBoolean, nil).sentAs(sentHyper+"parallelism.fsdp_use_orig_params").
			typedAs("parallelism.fsdp_use_orig_params", "FSDP `use_orig_params`."),
		key("hyperparameters.parallelism.bf16", TypeBoolean, nil).sentAs(sentHyper+"parallelism.bf16").
			typedAs("parallelism.bf16", "Train in bfloat16."),
		key("hyperparameters.parallelism.fp16", TypeBoolean, nil).sentAs(sentHyper+"parallelism.fp16").
			typedAs("parallelism.fp16", "Train in float16."),
		key("hyperparameters.parallelism.activation_checkpointing", TypeBoolean, nil).sentAs(sentHyper+"parallelism.activation_checkpointing").
			typedAs("parallelism.activation_checkpointing", "Recompute activations to save memory."),
		key("hyperparameters.parallelism.tensor_parallel_size", TypeInteger, atLeastOne).sentAs(sentHyper+"parallelism.tensor_parallel_size").
			typedAs("parallelism.tensor_parallel_size", "Tensor-parallel degree."),
		key("hyperparameters.parallelism.pipeline_parallel_size", TypeInteger, atLeastOne).sentAs(sentHyper+"parallelism.pipeline_parallel_size").
			typedAs("parallelism.pipeline_parallel_size", "Pipeline-parallel degree."),
	},
}

func atLeastZero(v *validator, at place, val any) {
	if n, _ := val.(int64); n < 0 {
		v.errorAt(at, "Value out of range", "%s must be at least 0, got %d.", at.name, n)
	}
}
