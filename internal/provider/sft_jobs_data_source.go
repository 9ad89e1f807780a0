package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

var (
	_ datasource.DataSource              = (*sftJobsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*sftJobsDataSource)(nil)
)

// sftJobsDataSource lists SFT jobs, as synth_rl_jobs lists RL ones.
type sftJobsDataSource struct {
	data *providerData
}

func newSFTJobsDataSource() datasource.DataSource {
	return &sftJobsDataSource{}
}

type sftJobsDataModel struct {
	Status       types.String         `tfsdk:"status"`
	CreatedAfter types.String         `tfsdk:"created_after"`
	Limit        types.Int64          `tfsdk:"limit"`
	Jobs         []sftJobSummaryModel `tfsdk:"jobs"`
}

type sftJobSummaryModel struct {
	ID             types.String `tfsdk:"id"`
	Status         types.String `tfsdk:"status"`
	CreatedAt      types.String `tfsdk:"created_at"`
	FinishedAt     types.String `tfsdk:"finished_at"`
	BaseModel      types.String `tfsdk:"base_model"`
	TrainingFileID types.String `tfsdk:"training_file_id"`
	FineTunedModel types.String `tfsdk:"fine_tuned_model"`
}

func (d *sftJobsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sft_jobs"
}

func (d *sftJobsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the organisation's SFT jobs on the Synth backend (`GET /learning/jobs?type=sft_offline`), " +
			"in the order the backend lists them, following its cursor page by page until `limit` jobs have been read " +
			"or the list ends.",
		Attributes: map[string]schema.Attribute{
			"status": schema.StringAttribute{
				MarkdownDescription: "Only jobs with exactly this status, such as `running` or `succeeded`; the backend does " +
					"the filtering, and matches the one word only (a job it calls `completed` is not `succeeded`).",
				Optional: true,
			},
			"created_after": schema.StringAttribute{
				MarkdownDescription: "Only jobs created after this time (RFC 3339); the backend does the filtering.",
				Optional:            true,
				Validators:          []validator.String{rfc3339Validator{}},
			},
			"limit": jobsLimitAttribute(),
			"jobs": jobSummariesAttribute(map[string]schema.Attribute{
				"training_file_id": computedText("The uploaded training file the job trains on."),
				"fine_tuned_model": computedText("The trained model, once the job has succeeded and the listing names it; null before."),
			}),
		},
	}
}

func (d *sftJobsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *sftJobsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg sftJobsDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = d.data.maskSecrets(ctx)
	api, ok := d.data.backend(&resp.Diagnostics)
	if !ok {
		return
	}
	limit := jobsLimit(cfg.Limit)

	sft := api.SFT()
	params := synthapi.ListSFTJobsParams{
		Status: cfg.Status.ValueString(), CreatedAfter: cfg.CreatedAfter.ValueString(), Limit: min(limit, maxJobsPageSize),
	}
	var jobs []sftJobSummaryModel
	err := scanJobPages(ctx, func(ctx context.Context, after string) ([]synthapi.Job, string, error) {
		params.After = after
		return sft.ListJobs(ctx, params)
	}, func(job *synthapi.Job) bool {
		var fields sftJobFields
		fields.setFromJob(job)
		jobs = append(jobs, sftJobSummaryModel{
			ID:             types.StringValue(job.ID),
			Status:         fields.Status,
			CreatedAt:      fields.CreatedAt,
			FinishedAt:     fields.FinishedAt,
			BaseModel:      nullableString(firstNonEmpty(job.BaseModel, job.ModelID)),
			TrainingFileID: nullableString(job.TrainingFileID),
			FineTunedModel: fields.FineTunedModel,
		})
		return len(jobs) < limit
	})
	if err != nil {
		resp.Diagnostics.AddError("Could not list SFT jobs", err.Error())
		return
	}
	state := sftJobsDataModel{Status: cfg.Status, CreatedAfter: cfg.CreatedAfter, Limit: cfg.Limit, Jobs: jobs}
	if state.Jobs == nil {
		state.Jobs = []sftJobSummaryModel{}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
