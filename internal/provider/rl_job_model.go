package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// rlJobModel is the state and plan of synth_rl_job. The schema-model parity
// test keeps its tfsdk tags and the schema in step.
type rlJobModel struct {
	ID         types.String `tfsdk:"id"`
	ConfigTOML types.String `tfsdk:"config_toml"`

	Algorithm  *algorithmModel  `tfsdk:"algorithm"`
	Model      *modelModel      `tfsdk:"model"`
	Services   *servicesModel   `tfsdk:"services"`
	Compute    *computeModel    `tfsdk:"compute"`
	Rollout    *rolloutModel    `tfsdk:"rollout"`
	Evaluation *evaluationModel `tfsdk:"evaluation"`
	Training   *trainingModel   `tfsdk:"training"`
	Data       *dataModel       `tfsdk:"data"`
	Tags       types.Map        `tfsdk:"tags"`

	WaitForCompletion          types.Bool     `tfsdk:"wait_for_completion"`
	OnDestroy                  types.String   `tfsdk:"on_destroy"`
	Triggers                   types.Map      `tfsdk:"triggers"`
	HealthCheckTimeout         types.String   `tfsdk:"health_check_timeout"`
	VerifyWithBackend          types.Bool     `tfsdk:"verify_with_backend"`
	AllowDuplicate             types.Bool     `tfsdk:"allow_duplicate"`
	EnvironmentAPIKeyWO        types.String   `tfsdk:"environment_api_key_wo"`
	EnvironmentAPIKeyWOVersion types.Int64    `tfsdk:"environment_api_key_wo_version"`
	Timeouts                   timeouts.Value `tfsdk:"timeouts"`

	Status          types.String `tfsdk:"status"`
	TaskAppURL      types.String `tfsdk:"task_app_url"`
	OutputModelID   types.String `tfsdk:"output_model_id"`
	CreatedAt       types.String `tfsdk:"created_at"`
	FinishedAt      types.String `tfsdk:"finished_at"`
	ErrorMessage    types.String `tfsdk:"error_message"`
	EffectiveConfig types.String `tfsdk:"effective_config"`
	Results         types.Object `tfsdk:"results"` // rl_job_results.go
}

type algorithmModel struct {
	Type    types.String `tfsdk:"type"`
	Method  types.String `tfsdk:"method"`
	Variety types.String `tfsdk:"variety"`
}

type modelModel struct {
	Source      types.String `tfsdk:"source"`
	Base        types.String `tfsdk:"base"`
	TrainerMode types.String `tfsdk:"trainer_mode"`
	Label       types.String `tfsdk:"label"`
}

type servicesModel struct {
	TaskURL  types.String `tfsdk:"task_url"`
	JudgeURL types.String `tfsdk:"judge_url"`
}

type computeModel struct {
	GPUType  types.String `tfsdk:"gpu_type"`
	GPUCount types.Int64  `tfsdk:"gpu_count"`
	Nodes    types.Int64  `tfsdk:"nodes"`
}

type rolloutModel struct {
	EnvName                  types.String `tfsdk:"env_name"`
	PolicyName               types.String `tfsdk:"policy_name"`
	MaxTurns                 types.Int64  `tfsdk:"max_turns"`
	EpisodesPerBatch         types.Int64  `tfsdk:"episodes_per_batch"`
	MaxConcurrentRollouts    types.Int64  `tfsdk:"max_concurrent_rollouts"`
	BatchesPerStep           types.Int64  `tfsdk:"batches_per_step"`
	Ops                      types.List   `tfsdk:"ops"`
	TaskAppOriginRewardsOnly types.Bool   `tfsdk:"task_app_origin_rewards_only"`
	RubricRewardsOnly        types.Bool   `tfsdk:"rubric_rewards_only"`
}

type evaluationModel struct {
	Instances   types.Int64 `tfsdk:"instances"`
	EveryNIters types.Int64 `tfsdk:"every_n_iters"`
	Seeds       types.List  `tfsdk:"seeds"`
}

type trainingModel struct {
	NumEpochs                 types.Int64   `tfsdk:"num_epochs"`
	IterationsPerEpoch        types.Int64   `tfsdk:"iterations_per_epoch"`
	MaxTurns                  types.Int64   `tfsdk:"max_turns"`
	BatchSize                 types.Int64   `tfsdk:"batch_size"`
	GroupSize                 types.Int64   `tfsdk:"group_size"`
	GradientAccumulationSteps types.Int64   `tfsdk:"gradient_accumulation_steps"`
	LearningRate              types.Float64 `tfsdk:"learning_rate"`
	LogInterval               types.Int64   `tfsdk:"log_interval"`
	WeightSyncInterval        types.Int64   `tfsdk:"weight_sync_interval"`
}

type dataModel struct {
	Seeds types.List `tfsdk:"seeds"`
}
