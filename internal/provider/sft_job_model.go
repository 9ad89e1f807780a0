package provider

import (
	"bytes"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// sftJobModel is the state and plan of synth_sft_job. The typed blocks are
// objects whose attributes come from the SFT config table (rlconfig.SFT);
// blocks finds them by their tfsdk tags.
type sftJobModel struct {
	ID               types.String `tfsdk:"id"`
	ConfigTOML       types.String `tfsdk:"config_toml"`
	TrainingFileID   types.String `tfsdk:"training_file_id"`
	ValidationFileID types.String `tfsdk:"validation_file_id"`

	Model           types.Object `tfsdk:"model"`
	Compute         types.Object `tfsdk:"compute"`
	Training        types.Object `tfsdk:"training"`
	Hyperparameters types.Object `tfsdk:"hyperparameters"`
	Parallelism     types.Object `tfsdk:"parallelism"`
	Validation      types.Object `tfsdk:"validation"`
	Lora            types.Object `tfsdk:"lora"`

	WaitForCompletion types.Bool     `tfsdk:"wait_for_completion"`
	OnDestroy         types.String   `tfsdk:"on_destroy"`
	AllowDuplicate    types.Bool     `tfsdk:"allow_duplicate"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`

	sftJobFields
	EffectiveConfig types.String `tfsdk:"effective_config"`
}

// sftJobFields are the attributes the backend owns: what a recorded job
// says of itself. The data source and list resource of SFT jobs read a job
// into them the same way (setFromJob).
type sftJobFields struct {
	Status         types.String `tfsdk:"status"`
	FineTunedModel types.String `tfsdk:"fine_tuned_model"`
	OutputModelID  types.String `tfsdk:"output_model_id"`
	CreatedAt      types.String `tfsdk:"created_at"`
	FinishedAt     types.String `tfsdk:"finished_at"`
	ErrorMessage   types.String `tfsdk:"error_message"`
}

// blocks are the typed blocks by name.
func (m *sftJobModel) blocks() map[string]*types.Object {
	return blockFields(m, &rlconfig.SFT)
}

// setFromJob records what the backend says of the job. The trained model is
// the job's own fine_tuned_model once it has succeeded; a model found
// another way (§12's fallbacks, by setModel) is kept when the job does not
// name one.
func (f *sftJobFields) setFromJob(job *synthapi.Job) {
	status := job.Status
	if status == "" {
		status = "created"
	}
	f.Status = types.StringValue(status)
	f.CreatedAt = nullableString(job.CreatedAt)
	f.FinishedAt = nullableString(job.FinishedAt)
	f.ErrorMessage = jobErrorMessage(job)
	switch {
	case job.Phase() != synthapi.PhaseSucceeded:
		f.setModel("")
	case job.FineTunedModel != "":
		f.setModel(job.FineTunedModel)
	case f.FineTunedModel.IsUnknown():
		f.setModel("")
	}
}

// setModel records the trained model under both its names: fine_tuned_model
// as §12 calls it, output_model_id as synth_rl_job does, so that a job of
// either kind hands its model on the same way.
func (f *sftJobFields) setModel(id string) {
	f.FineTunedModel = nullableString(id)
	f.OutputModelID = f.FineTunedModel
}

// values are the fields by attribute name.
func (f *sftJobFields) values() map[string]types.String {
	return map[string]types.String{
		"status":           f.Status,
		"fine_tuned_model": f.FineTunedModel,
		"output_model_id":  f.OutputModelID,
		"created_at":       f.CreatedAt,
		"finished_at":      f.FinishedAt,
		"error_message":    f.ErrorMessage,
	}
}

// sftJobDocument is the job object as a JSON document with its numbers
// kept exact, the form rlconfig's import functions read.
func sftJobDocument(job *synthapi.Job) map[string]any {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(job.Raw))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return map[string]any{}
	}
	return doc
}
