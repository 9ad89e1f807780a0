package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

var (
	_ datasource.DataSource              = (*rlJobDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*rlJobDataSource)(nil)
)

// rlJobDataSource reads one RL job, whoever submitted it.
type rlJobDataSource struct {
	data *providerData
}

func newRLJobDataSource() datasource.DataSource {
	return &rlJobDataSource{}
}

type rlJobDataModel struct {
	ID            types.String `tfsdk:"id"`
	Status        types.String `tfsdk:"status"`
	CreatedAt     types.String `tfsdk:"created_at"`
	UpdatedAt     types.String `tfsdk:"updated_at"`
	StartedAt     types.String `tfsdk:"started_at"`
	FinishedAt    types.String `tfsdk:"finished_at"`
	ModelID       types.String `tfsdk:"model_id"`
	BaseModel     types.String `tfsdk:"base_model"`
	OutputModelID types.String `tfsdk:"output_model_id"`
	ErrorMessage  types.String `tfsdk:"error_message"`
	ConfigJSON    types.String `tfsdk:"config_json"`
	Results       types.Object `tfsdk:"results"`
}

func (d *rlJobDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_rl_job"
}

func (d *rlJobDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one RL job from the Synth backend (`GET /rl/jobs/{id}`), for example one submitted " +
			"outside this configuration whose trained model the next job should start from. A job the backend does not " +
			"know is an error.",
		Attributes: jobDataAttributes(map[string]schema.Attribute{
			"status": computedText("The job's status as the backend reports it, lower-cased: `queued`, `running`, `succeeded`, " +
				"`failed`, `cancelled`, or another running state."),
			"model_id":        computedText("The trained model the job continues from, when it was submitted with `[model].source`."),
			"base_model":      computedText("The base model the job trains."),
			"output_model_id": computedText("The trained model (for example `rl:Qwen/Qwen3-4B:job_abc:checkpoint-epoch-1`), once the job has succeeded; null before."),
			"config_json":     computedText("The config the job was submitted with, as JSON with sorted keys; null when the backend does not return it."),
			"results":         resultsDataSourceAttribute(),
		}),
	}
}

func (d *rlJobDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *rlJobDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg rlJobDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := cfg.ID.ValueString()
	ctx, api, job := readDataSourceJob(ctx, d.data, rlFamily, id, "The backend has no job %q: %s", &resp.Diagnostics)
	if job == nil {
		return
	}
	configJSON, err := recordedConfigJSON(job.Config())
	if err != nil {
		resp.Diagnostics.AddError("Could not encode the job's config", fmt.Sprintf("Job %q: %s", id, err))
		return
	}

	state := rlJobDataModel{
		ID:            cfg.ID,
		Status:        nullableString(job.Status),
		CreatedAt:     nullableString(job.CreatedAt),
		UpdatedAt:     nullableString(job.UpdatedAt),
		StartedAt:     nullableString(job.StartedAt),
		FinishedAt:    nullableString(job.FinishedAt),
		ModelID:       nullableString(job.ModelID),
		BaseModel:     nullableString(job.BaseModel),
		OutputModelID: jobOutputModel(job),
		ErrorMessage:  jobErrorMessage(job),
		ConfigJSON:    configJSON,
		Results:       readResults(ctx, api, job, &resp.Diagnostics),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// readDataSourceJob reads the job id of family for a single-job data source,
// with the provider's secrets masked in the context it returns. A job the
// backend does not know is an error on id, whose detail notFoundDetail
// words from the id and the error. The job is nil after an error.
func readDataSourceJob(ctx context.Context, data *providerData, family *jobFamily, id, notFoundDetail string, diags *diag.Diagnostics) (context.Context, backend, *synthapi.Job) {
	ctx = data.maskSecrets(ctx)
	api, ok := data.backend(diags)
	if !ok {
		return ctx, nil, nil
	}
	job, err := family.routes(api).GetJob(ctx, id)
	if synthapi.IsNotFound(err) {
		diags.AddAttributeError(path.Root("id"), family.noun+" not found", fmt.Sprintf(notFoundDetail, id, err))
		return ctx, nil, nil
	}
	if err != nil {
		diags.AddError("Could not read the "+family.noun, fmt.Sprintf("Job %q: %s", id, err))
		return ctx, nil, nil
	}
	return ctx, api, job
}
