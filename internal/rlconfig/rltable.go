package rlconfig

// RL is the RL job config: §5 of the backend contract, in document order.
// A key with a description is also a typed attribute of synth_rl_job.
// [model].source/base, [services].task_url/judge_url and [algorithm] have
// rules that look beyond one value; validator checks them on their own.
var RL = Kind{
	Sections: []Section{
		{Name: "algorithm", SDKRequired: true, Doc: "`[algorithm]`: the RL algorithm. The backend accepts only `online` / `policy_gradient` / `gspo`."},
		{Name: "services", Doc: "`[services]`: where the trainer finds the task app and the judge."},
		{Name: "compute", SDKRequired: true, Doc: "`[compute]`: the GPUs the job runs on."},
		{Name: "topology"},
		{Name: "vllm"},
		{Name: "reference"},
		{Name: "model", SDKRequired: true, Doc: "`[model]`: what to train. Exactly one of `source` and `base` must be set; one set here replaces the other of `config_toml`, as the CLI's `--model` does."},
		{Name: "rollout", SDKRequired: true, Doc: "`[rollout]`: how episodes are collected from the task app."},
		{Name: "evaluation", Doc: "`[evaluation]`: periodic evaluation during training."},
		{Name: "training", Doc: "`[training]`: optimisation settings."},
		{Name: "judge"},
		{Name: "data", Doc: "`[data]`: data settings for deterministic runs."},
		{Name: "tags"},
	},
	Keys: []Key{
		typed("algorithm.type", TypeString, nil, "Must be `online`."),
		typed("algorithm.method", TypeString, nil, "Must be `policy_gradient`."),
		typed("algorithm.variety", TypeString, nil, "Must be `gspo`.").sdk(),

		typed("services.task_url", TypeString, nil, "The task app's URL. Wins over the provider's `task_app_url` (and `TASK_APP_URL`), "+
			"which win over `[services].task_url` in `config_toml`."),
		typed("services.judge_url", TypeString, nil, "The judge service's URL."),

		typed("compute.gpu_type", TypeString, nil, "GPU type, such as `H100`, `A100` or `A10G`.").sdk(),
		gpuCount,
		typed("compute.nodes", TypeInteger, atLeastOne, "Number of nodes."),

		key("topology.type", TypeString, nil),
		key("topology.gpus_for_vllm", TypeInteger, nil),
		key("topology.gpus_for_training", TypeInteger, nil),
		key("topology.gpus_for_ref", TypeInteger, nil),
		key("topology.tensor_parallel", TypeInteger, nil),

		key("vllm.tensor_parallel_size", TypeInteger, nil),
		key("vllm.max_model_len", TypeInteger, nil),

		key("reference.placement", TypeString, nil),
		key("reference.port", TypeInteger, nil),
		key("reference.tp", TypeInteger, nil),
		key("reference.health_max_wait_s", TypeNumber, nil),
		key("reference.health_interval_ms", TypeNumber, nil),

		typed("model.source", TypeString, nil, "A trained model to continue from: `ft:`, `fft:`, `peft:`, `qft:` or `rl:` followed by the base "+
			"model and the job, such as `rl:Qwen/Qwen3-4B:job_abc:checkpoint-epoch-1` (another job's `output_model_id`), sent "+
			"byte for byte; or a base model."),
		typed("model.base", TypeString, nil, "A base model to train from, such as `Qwen/Qwen3-4B`. A base the provider does not know "+
			"is a warning: the backend decides."),
		typed("model.trainer_mode", TypeString, knownStrings("trainer mode", "mode", "full", "lora", "qlora"), "`full`, `lora` or `qlora`.").sdk(),
		typed("model.label", TypeString, nil, "A label for the trained model.").sdk(),

		typed("rollout.env_name", TypeString, nil, "The task app environment, such as `crafter`.").sdk(),
		typed("rollout.policy_name", TypeString, nil, "The policy, such as `crafter-react`.").sdk(),
		typed("rollout.max_turns", TypeInteger, atLeastOne, "Turns per episode."),
		typed("rollout.episodes_per_batch", TypeInteger, atLeastOne, "Episodes per batch."),
		typed("rollout.max_concurrent_rollouts", TypeInteger, atLeastOne, "Rollouts run at once."),
		typed("rollout.batches_per_step", TypeInteger, atLeastOne, "Batches per training step."),
		typed("rollout.ops", TypeStringArray, nil, "The rollout's op sequence, such as `[\"agent\", \"env\"]`."),
		originRewardsOnly,
		rubricRewardsOnly,
		key("rollout.env_config", TypeTable, nil),
		key("rollout.policy_config", TypeTable, nil),

		typed("evaluation.instances", TypeInteger, atLeastOne, "Episodes per evaluation.").sdk(),
		typed("evaluation.every_n_iters", TypeInteger, atLeastOne, "Evaluate every this many iterations.").sdk(),
		typed("evaluation.seeds", TypeIntegerArray, noNegativeItems, "Seeds to evaluate on.").sdk(),

		typed("training.num_epochs", TypeInteger, atLeastOne, "Epochs.").sdk(),
		typed("training.iterations_per_epoch", TypeInteger, atLeastOne, "Iterations per epoch.").sdk(),
		typed("training.max_turns", TypeInteger, atLeastOne, "Turns per episode during training.").sdk(),
		typed("training.batch_size", TypeInteger, atLeastOne, "Batch size.").sdk(),
		typed("training.group_size", TypeInteger, atLeastOne, "GSPO group size.").sdk(),
		typed("training.gradient_accumulation_steps", TypeInteger, atLeastOne, "Gradient accumulation steps."),
		learningRate,
		typed("training.log_interval", TypeInteger, atLeastOne, "Log every this many steps.").sdk(),
		// The key of [training] itself, not the one of [training.weight_sync].
		weightSyncInterval,
		key("training.step_rewards_enabled", TypeBoolean, nil),
		key("training.step_rewards_mode", TypeString, nil),
		key("training.step_rewards_beta", TypeNumber, nil).fraction(),
		key("training.step_rewards_indicator_lambda", TypeNumber, nil).fraction(),
		key("training.event_rewards_kind", TypeString, nil),
		key("training.weight_sync", TypeTable, nil),
		key("training.weight_sync.enable", TypeBoolean, nil),
		key("training.weight_sync.targets", TypeStringArray, nil),
		key("training.weight_sync.mode", TypeString, nil),
		key("training.weight_sync.weight_sync_interval", TypeInteger, nil),

		key("judge.type", TypeString, nil),
		key("judge.timeout_s", TypeNumber, nil),
		key("judge.enabled", TypeBoolean, nil),
		key("judge.options", TypeTable, nil),

		typed("data.seeds", TypeIntegerArray, noNegativeItems, "Seeds for deterministic runs."),
		key("data.split", TypeString, nil),
		key("data.seed_start", TypeInteger, nil),
		key("data.episodes_per_iteration", TypeInteger, nil),
	},
}

// Keys that rules of more than one value name.
var (
	// checkTopology weighs it against the [topology] split.
	gpuCount = typed("compute.gpu_count", TypeInteger, atLeastOne, "GPUs per node.").sdk()
	// checkFinite leaves it to its own, sharper rule.
	learningRate = typed("training.learning_rate", TypeNumber, positiveFinite, "Learning rate, such as `5e-5`.").sdk().fraction()
	// fillWeightSync takes the weight-sync block's interval from it.
	weightSyncInterval = typed("training.weight_sync_interval", TypeInteger, atLeastOne, "Sync weights to the inference servers every this many steps.").sdk()
	// missingRewardSource wants exactly one of the two true.
	originRewardsOnly = typed("rollout.task_app_origin_rewards_only", TypeBoolean, nil, "Use only the rewards the task app reports.")
	rubricRewardsOnly = typed("rollout.rubric_rewards_only", TypeBoolean, nil, "Use only rubric rewards.")
)
