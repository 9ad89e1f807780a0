package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

const (
	// defaultJobsLimit is how many jobs synth_rl_jobs returns by default,
	// the SDK's page size.
	defaultJobsLimit = 20
	// maxJobsPageSize is the most jobs asked for in one request.
	maxJobsPageSize = 100
)

var (
	_ datasource.DataSource              = (*rlJobsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*rlJobsDataSource)(nil)
)

// rlJobsDataSource lists RL jobs, following the list's cursor page by page.
type rlJobsDataSource struct {
	data *providerData
}

func newRLJobsDataSource() datasource.DataSource {
	return &rlJobsDataSource{}
}

type rlJobsDataModel struct {
	Status types.String        `tfsdk:"status"`
	Model  types.String        `tfsdk:"model"`
	Limit  types.Int64         `tfsdk:"limit"`
	Jobs   []rlJobSummaryModel `tfsdk:"jobs"`
}

type rlJobSummaryModel struct {
	ID            types.String `tfsdk:"id"`
	Status        types.String `tfsdk:"status"`
	CreatedAt     types.String `tfsdk:"created_at"`
	FinishedAt    types.String `tfsdk:"finished_at"`
	ModelID       types.String `tfsdk:"model_id"`
	BaseModel     types.String `tfsdk:"base_model"`
	OutputModelID types.String `tfsdk:"output_model_id"`
}

func (d *rlJobsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_rl_jobs"
}

func (d *rlJobsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the organisation's RL jobs on the Synth backend (`GET /rl/jobs`), in the order the " +
			"backend lists them, following its cursor page by page until `limit` jobs have been read or the list ends.",
		Attributes: map[string]schema.Attribute{
			"status": schema.StringAttribute{
				MarkdownDescription: "Only jobs with this status, such as `running` or `succeeded`; the backend does the filtering.",
				Optional:            true,
			},
			"model": schema.StringAttribute{
				MarkdownDescription: "Only jobs training this model (a base model such as `Qwen/Qwen3-4B`, or a trained " +
					"model id); the backend does the filtering.",
				Optional: true,
			},
			"limit": jobsLimitAttribute(),
			"jobs": jobSummariesAttribute(map[string]schema.Attribute{
				"model_id":        computedText("The trained model the job continues from, when it was submitted with `[model].source`."),
				"output_model_id": computedText("The trained model, once the job has succeeded; null before."),
			}),
		},
	}
}

func (d *rlJobsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *rlJobsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg rlJobsDataModel
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

	jobs, err := listJobs(ctx, api, synthapi.ListJobsParams{
		Status: cfg.Status.ValueString(),
		Model:  cfg.Model.ValueString(),
	}, limit)
	if err != nil {
		resp.Diagnostics.AddError("Could not list RL jobs", err.Error())
		return
	}
	state := rlJobsDataModel{Status: cfg.Status, Model: cfg.Model, Limit: cfg.Limit, Jobs: make([]rlJobSummaryModel, len(jobs))}
	for i := range jobs {
		job := &jobs[i]
		state.Jobs[i] = rlJobSummaryModel{
			ID:            types.StringValue(job.ID),
			Status:        nullableString(job.Status),
			CreatedAt:     nullableString(job.CreatedAt),
			FinishedAt:    nullableString(job.FinishedAt),
			ModelID:       nullableString(job.ModelID),
			BaseModel:     nullableString(job.BaseModel),
			OutputModelID: jobOutputModel(job),
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// jobsLimitAttribute is the limit of a data source that lists jobs.
func jobsLimitAttribute() schema.Int64Attribute {
	return schema.Int64Attribute{
		MarkdownDescription: fmt.Sprintf("The most jobs to return. Defaults to `%d`. Jobs are fetched at most %d "+
			"per request.", defaultJobsLimit, maxJobsPageSize),
		Optional:   true,
		Validators: []validator.Int64{int64validator.AtLeast(1)},
	}
}

// jobsLimit is the limit set, or the default.
func jobsLimit(v types.Int64) int {
	if v.IsNull() || v.IsUnknown() {
		return defaultJobsLimit
	}
	return int(v.ValueInt64())
}

// listJobs reads up to limit jobs, in pages of min(limit, maxJobsPageSize).
func listJobs(ctx context.Context, api backend, p synthapi.ListJobsParams, limit int) ([]synthapi.Job, error) {
	var jobs []synthapi.Job
	err := scanJobs(ctx, api, p, min(limit, maxJobsPageSize), func(job *synthapi.Job) bool {
		jobs = append(jobs, *job)
		return len(jobs) < limit
	})
	if err != nil {
		return nil, err
	}
	return jobs, nil
}

// scanJobs pages through the list route, pageSize jobs a request, calling fn
// with each job until fn returns false or the backend gives no further page.
// A cursor that does not move or an empty page ends the list, so a backend
// that ignores the cursor cannot keep it going forever.
func scanJobs(ctx context.Context, api backend, p synthapi.ListJobsParams, pageSize int, fn func(*synthapi.Job) bool) error {
	p.Limit = pageSize
	return scanJobPages(ctx, func(ctx context.Context, after string) ([]synthapi.Job, string, error) {
		p.After = after
		return api.ListJobs(ctx, p)
	}, fn)
}

// scanJobPages calls fn for each job of a paged listing, page(after) giving
// the page that follows the cursor after ("" for the first), until fn
// returns false or the listing ends.
func scanJobPages(ctx context.Context, page func(ctx context.Context, after string) ([]synthapi.Job, string, error), fn func(*synthapi.Job) bool) error {
	after := ""
	for n := 1; ; n++ {
		batch, next, err := page(ctx, after)
		if err != nil {
			return fmt.Errorf("page %d: %w", n, err)
		}
		tflog.Debug(ctx, "listed jobs", map[string]any{"page": n, "jobs": len(batch), "next": next})
		for i := range batch {
			if !fn(&batch[i]) {
				return nil
			}
		}
		if next == "" || next == after || len(batch) == 0 {
			return nil
		}
		after = next
	}
}
