package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

var (
	_ datasource.DataSource              = (*sftJobDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*sftJobDataSource)(nil)
)

// sftJobDataSource reads one SFT job, whoever submitted it: most often a
// fine-tune started with `synth-ai train --type sft` whose trained model an
// RL job of this configuration starts from.
type sftJobDataSource struct {
	data *providerData
}

func newSFTJobDataSource() datasource.DataSource {
	return &sftJobDataSource{}
}

// sftJobDataModel shares the fields the backend owns with the resource
// (sftJobFields), so the two read a job the same way.
type sftJobDataModel struct {
	ID string `tfsdk:"id"`
	sftJobFields
	UpdatedAt           types.String `tfsdk:"updated_at"`
	StartedAt           types.String `tfsdk:"started_at"`
	BaseModel           types.String `tfsdk:"base_model"`
	TrainingType        types.String `tfsdk:"training_type"`
	TrainingFileID      types.String `tfsdk:"training_file_id"`
	ValidationFileID    types.String `tfsdk:"validation_file_id"`
	HyperparametersJSON types.String `tfsdk:"hyperparameters_json"`
	EffectiveConfigJSON types.String `tfsdk:"effective_config_json"`
}

func (d *sftJobDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sft_job"
}

func (d *sftJobDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one SFT job (full fine-tune, LoRA or QLoRA) from the Synth backend " +
			"(`GET /learning/jobs/{id}`, then the older SFT routes for a job other tools made), for example a fine-tune " +
			"started with `synth-ai train --type sft` whose trained model a `synth_rl_job` starts from. A job the backend " +
			"does not know is an error. The read never waits: a job that has just succeeded may not name its trained " +
			"model yet.",
		Attributes: jobDataAttributes(map[string]schema.Attribute{
			"status": computedText("The job's status as the backend reports it, lower-cased: `created`, `queued`, `running`, " +
				"`succeeded`, `failed`, `cancelled`, or another running state."),
			"fine_tuned_model": computedText("The trained model (for example `fft:Qwen/Qwen3-4B:job_abc`) once the job has " +
				"succeeded and the backend names it, on the job or in its result; null before. Use it as the " +
				"`model.source` of a `synth_rl_job`."),
			"output_model_id":  computedText("The same value as `fine_tuned_model`, under the name `synth_rl_job` gives its trained model."),
			"base_model":       computedText("The base model the job trains (never its output)."),
			"training_type":    computedText("The job's training type, `sft_offline` for the jobs the provider submits."),
			"training_file_id": computedText("The uploaded training file the job trains on."),
			"validation_file_id": computedText("The uploaded validation file, when the job was submitted with one " +
				"(`metadata.effective_config.data.validation_files`)."),
			"hyperparameters_json": computedText("The job's hyperparameters as the backend echoes them, as JSON with sorted keys; " +
				"null when it does not."),
			"effective_config_json": computedText("The compute, data and training settings the job was submitted with " +
				"(`metadata.effective_config`), as JSON with sorted keys; null when the backend does not echo them. " +
				"(The resource's `effective_config` is the whole create request.)"),
		}),
	}
}

func (d *sftJobDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *sftJobDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var id string
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, _, job := readDataSourceJob(ctx, d.data, sftFamily, id, "The backend has no SFT job %q: %s", &resp.Diagnostics)
	if job == nil {
		return
	}
	state, err := sftJobData(job)
	if err != nil {
		resp.Diagnostics.AddError("Could not encode the SFT job's settings", fmt.Sprintf("Job %q: %s", id, err))
		return
	}
	state.ID = id
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// sftJobData is what the data source says of a job.
func sftJobData(job *synthapi.Job) (sftJobDataModel, error) {
	var m sftJobDataModel
	m.setFromJob(job)
	// Without the resource's wait there is no §12 search for the model:
	// only what the job object says, on itself or in its result.
	if m.FineTunedModel.IsNull() && job.Phase() == synthapi.PhaseSucceeded {
		m.setModel(job.OutputModelID)
	}
	doc := sftJobDocument(job)
	hyperparameters, err := jsonOrNull(doc["hyperparameters"])
	if err != nil {
		return m, err
	}
	effective, err := jsonOrNull(lookupValue(doc, "metadata", "effective_config"))
	if err != nil {
		return m, err
	}
	files := rlconfig.SFTOverridesFromJob(doc)
	m.UpdatedAt = nullableString(job.UpdatedAt)
	m.StartedAt = nullableString(job.StartedAt)
	m.BaseModel = nullableString(firstNonEmpty(job.BaseModel, job.ModelID))
	m.TrainingType = nullableString(job.TrainingType)
	m.TrainingFileID = nullableString(files.TrainingFileID)
	m.ValidationFileID = nullableString(files.ValidationFileID)
	m.HyperparametersJSON = hyperparameters
	m.EffectiveConfigJSON = effective
	return m, nil
}

// jsonOrNull is an object of a job document as JSON with sorted keys, null
// when it is not an object.
func jsonOrNull(v any) (types.String, error) {
	object, _ := v.(map[string]any)
	return recordedConfigJSON(object)
}

// lookupValue is the value at a path of nested objects, nil when any step
// is missing.
func lookupValue(doc map[string]any, keys ...string) any {
	var v any = doc
	for _, k := range keys {
		object, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = object[k]
	}
	return v
}
