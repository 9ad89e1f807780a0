package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
)

// rlJobModel is the state and plan of synth_rl_job. The typed blocks are
// objects whose attributes come from the RL config table (rlconfig.RL);
// blocks finds them by their tfsdk tags.
type rlJobModel struct {
	ID         types.String `tfsdk:"id"`
	ConfigTOML types.String `tfsdk:"config_toml"`

	Algorithm  types.Object `tfsdk:"algorithm"`
	Model      types.Object `tfsdk:"model"`
	Services   types.Object `tfsdk:"services"`
	Compute    types.Object `tfsdk:"compute"`
	Rollout    types.Object `tfsdk:"rollout"`
	Evaluation types.Object `tfsdk:"evaluation"`
	Training   types.Object `tfsdk:"training"`
	Data       types.Object `tfsdk:"data"`
	Tags       types.Map    `tfsdk:"tags"`

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

// blocks are the typed blocks by section name.
func (m *rlJobModel) blocks() map[string]*types.Object {
	return blockFields(m, &rlconfig.RL)
}
