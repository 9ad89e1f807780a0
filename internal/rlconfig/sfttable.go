package rlconfig

// SFT is the SFT job config: §11.2 of the backend contract, in document
// order, with the rules §11.1 states for a single value. No resource uses
// it yet, and no key is a typed attribute yet: a description makes one.
// The rules that look beyond one value (the method
// from [training].mode and use_qlora, at least one step count, [job].model
// with its [model].base fallback, the required [compute].gpu_type, an RL
// [algorithm] refused) belong to the SFT validation, not to the table.
var SFT = Kind{
	Sections: []Section{
		{Name: "algorithm"},
		{Name: "job"},
		{Name: "compute"},
		{Name: "data"},
		{Name: "training"},
		{Name: "hyperparameters"},
		{Name: "policy"},
		{Name: "model"},
		{Name: "model_config"},
		{Name: "metadata"},
		{Name: "tags"},
	},
	Keys: []Key{
		key("type", TypeString, nil),

		key("algorithm.type", TypeString, nil),
		key("algorithm.method", TypeString, nil),
		key("algorithm.variety", TypeString, nil),

		key("job.model", TypeString, nil),
		key("job.data", TypeString, nil),
		key("job.data_path", TypeString, nil),
		key("job.poll_seconds", TypeInteger, nil),
		key("job.suffix", TypeString, nil),

		key("compute.gpu_type", TypeString, nil),
		key("compute.gpu_count", TypeInteger, nil),
		key("compute.nodes", TypeInteger, nil),

		key("data.topology", TypeTable, nil),
		key("data.topology.container_count", TypeInteger, nil),
		key("data.topology.gpus_per_node", TypeInteger, nil),
		key("data.topology.total_gpus", TypeInteger, nil),
		key("data.topology.nodes", TypeInteger, nil),
		key("data.topology.variant", TypeString, nil),
		key("data.validation_path", TypeString, nil),

		key("training.mode", TypeString, nil),
		key("training.use_qlora", TypeBoolean, nil),
		key("training.validation", TypeTable, nil),
		key("training.validation.enabled", TypeBoolean, nil),
		key("training.validation.evaluation_strategy", TypeString, nil),
		key("training.validation.eval_steps", TypeInteger, nil),
		key("training.validation.save_best_model_at_end", TypeBoolean, nil),
		key("training.validation.metric_for_best_model", TypeString, nil),
		key("training.validation.greater_is_better", TypeBoolean, nil),
		key("training.lora", TypeTable, nil),
		key("training.lora.r", TypeInteger, nil),
		key("training.lora.alpha", TypeNumber, nil),
		key("training.lora.dropout", TypeNumber, nil),
		key("training.lora.target_modules", TypeStringArray, nil),

		key("hyperparameters.n_epochs", TypeInteger, atLeastOne),
		key("hyperparameters.total_steps", TypeInteger, atLeastOne),
		key("hyperparameters.train_steps", TypeInteger, atLeastOne),
		key("hyperparameters.steps", TypeInteger, atLeastOne),
		key("hyperparameters.batch_size", TypeInteger, atLeastOne),
		key("hyperparameters.global_batch", TypeInteger, atLeastOne),
		key("hyperparameters.per_device_batch", TypeInteger, atLeastOne),
		key("hyperparameters.gradient_accumulation_steps", TypeInteger, atLeastOne),
		key("hyperparameters.sequence_length", TypeInteger, atLeastOne),
		key("hyperparameters.learning_rate", TypeNumber, positiveFinite),
		key("hyperparameters.warmup_ratio", TypeNumber, between(0, 1)),
		key("hyperparameters.train_kind", TypeString, nil),
		key("hyperparameters.use_qlora", TypeBoolean, nil),
		key("hyperparameters.lora_rank", TypeInteger, nil),
		key("hyperparameters.lora_alpha", TypeNumber, nil),
		key("hyperparameters.lora_dropout", TypeNumber, nil),
		key("hyperparameters.lora_target_modules", TypeStringArray, nil),
		key("hyperparameters.parallelism", TypeTable, nil),
		key("hyperparameters.parallelism.use_deepspeed", TypeBoolean, nil),
		key("hyperparameters.parallelism.deepspeed_stage", TypeInteger, nil),
		key("hyperparameters.parallelism.fsdp", TypeBoolean, nil),
		key("hyperparameters.parallelism.fsdp_sharding_strategy", TypeString, nil),
		key("hyperparameters.parallelism.fsdp_auto_wrap_policy", TypeString, nil),
		key("hyperparameters.parallelism.fsdp_use_orig_params", TypeBoolean, nil),
		key("hyperparameters.parallelism.bf16", TypeBoolean, nil),
		key("hyperparameters.parallelism.fp16", TypeBoolean, nil),
		key("hyperparameters.parallelism.activation_checkpointing", TypeBoolean, nil),
		key("hyperparameters.parallelism.tensor_parallel_size", TypeInteger, nil),
		key("hyperparameters.parallelism.pipeline_parallel_size", TypeInteger, nil),
	},
}
