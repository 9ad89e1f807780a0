package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

var (
	_ list.ListResource              = (*rlJobListResource)(nil)
	_ list.ListResourceWithConfigure = (*rlJobListResource)(nil)

	_ provider.ProviderWithListResources = (*synthProvider)(nil)
)

// ListResources needs Terraform 1.14 or later; older cores never ask for them.
func (p *synthProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{newRLJobListResource, newSFTJobListResource}
}

// rlJobListResource lists jobs for `terraform query`, whoever submitted
// them, so that jobs started with `synth-ai train` can be imported.
type rlJobListResource struct {
	data *providerData
}

func newRLJobListResource() list.ListResource {
	return &rlJobListResource{}
}

type rlJobListModel struct {
	jobListModel
	Tags types.Map `tfsdk:"tags"`
}

// jobListModel are the filters the list blocks of both job kinds take.
type jobListModel struct {
	Status        types.List   `tfsdk:"status"`
	Model         types.String `tfsdk:"model"`
	CreatedAfter  types.String `tfsdk:"created_after"`
	CreatedBefore types.String `tfsdk:"created_before"`
}

// listStatuses are the status filter's values; each names a phase of the
// contract's status table, with queued told apart from the other running
// states.
var listStatuses = []string{"queued", "running", "succeeded", "failed", "cancelled"}

func (l *rlJobListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_rl_job"
}

func (l *rlJobListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	attrs := jobListAttributes("Only jobs that train this model: a base model (`Qwen/Qwen3-4B`), matched against " +
		"the job's base model, or a trained model (`rl:Qwen/Qwen3-4B:job_abc`), matched against the model " +
		"the job continues from.")
	attrs["tags"] = schema.MapAttribute{
		MarkdownDescription: "Only jobs whose `[tags]` hold every one of these pairs.",
		ElementType:         types.StringType,
		Optional:            true,
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the RL jobs of the organization the provider's API key belongs to, whoever submitted " +
			"them, newest first as the backend lists them (`GET /rl/jobs`, every page). Each result is a job's identity " +
			"and a display name (id, status, model, label, created time); with `include_resource = true` it also carries " +
			"the whole `synth_rl_job` as import would record it, so `terraform query -generate-config-out=jobs.tf` " +
			"writes resource and import blocks for jobs started with `synth-ai train`. Every filter given must match; " +
			"the block's own `limit` (Terraform's, default 100) caps the results. Requires Terraform 1.14 or later.",
		Attributes: attrs,
	}
}

// jobListAttributes are the filters both job list blocks take; model says
// what the model filter matches.
func jobListAttributes(model string) map[string]schema.Attribute {
	timestamp := func(description string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: description,
			Optional:            true,
			Validators:          []validator.String{rfc3339Validator{}},
		}
	}
	return map[string]schema.Attribute{
		"status": schema.ListAttribute{
			MarkdownDescription: "Only jobs in one of these states: `queued`, `running`, `succeeded`, `failed`, " +
				"`cancelled`. Matched by the contract's status table, so `succeeded` also finds a job the backend " +
				"calls `completed`, `failed` one it calls `error`, `queued` a job not started yet (`created`), and " +
				"`running` any other running state.",
			ElementType: types.StringType,
			Optional:    true,
			Validators: []validator.List{
				listvalidator.SizeAtLeast(1),
				listvalidator.ValueStringsAre(stringvalidator.OneOf(listStatuses...)),
			},
		},
		"model": schema.StringAttribute{
			MarkdownDescription: model,
			Optional:            true,
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"created_after":  timestamp("Only jobs created after this time (RFC 3339, e.g. `2026-01-31T00:00:00Z`)."),
		"created_before": timestamp("Only jobs created before this time (RFC 3339)."),
	}
}

func (l *rlJobListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (l *rlJobListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg rlJobListModel
	diags := req.Config.Get(ctx, &cfg)
	filter := cfg.filter(ctx, &diags)
	if !diags.HasError() && !cfg.Tags.IsNull() {
		diags.Append(cfg.Tags.ElementsAs(ctx, &filter.tags, false)...)
	}
	streamJobs(ctx, l.data, rlFamily, req, stream, filter, diags, jobStream{
		scan: func(ctx context.Context, api backend, fn func(*synthapi.Job) bool) error {
			return scanJobs(ctx, api, filter.params(), maxJobsPageSize, fn)
		},
		result: l.result,
	})
}

// jobStream is how one kind of job is listed for terraform query.
type jobStream struct {
	// scan calls fn for each job the backend lists, until fn returns false.
	scan func(ctx context.Context, api backend, fn func(*synthapi.Job) bool) error
	// result is the list result of one job that matched.
	result func(ctx context.Context, api backend, req list.ListRequest, job *synthapi.Job) list.ListResult
}

// streamJobs answers a list block of family's jobs: the jobs that match
// filter, up to the block's limit. diags are those of reading the block.
func streamJobs(ctx context.Context, data *providerData, family *jobFamily, req list.ListRequest, stream *list.ListResultsStream,
	filter jobFilter, diags diag.Diagnostics, jobs jobStream) {
	if !diags.HasError() && data == nil {
		// A list cannot be deferred: say why there is nothing, rather than
		// answer with an empty list.
		diags.AddError("Provider not configured",
			"The provider's settings are not known yet (they come from a value only known after apply), so no jobs can be listed. "+
				"Run the query once they are known.")
	}
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	ctx = data.maskSecrets(ctx)
	api, ok := data.backend(&diags)
	if !ok {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}

	stream.Results = func(push func(list.ListResult) bool) {
		sent := int64(0)
		err := jobs.scan(ctx, api, func(job *synthapi.Job) bool {
			if !filter.matches(job) {
				return true
			}
			if req.Limit > 0 && sent >= req.Limit {
				return false
			}
			sent++
			return push(jobs.result(ctx, api, req, job))
		})
		if err != nil {
			var d diag.Diagnostics
			d.AddError("Could not list "+family.noun+"s", err.Error())
			push(list.ListResult{Diagnostics: d})
		}
	}
}

// result is one listed job, with its results view when it carries the
// resource.
func (l *rlJobListResource) result(ctx context.Context, api backend, req list.ListRequest, job *synthapi.Job) list.ListResult {
	result, recorded := listedJob(ctx, api, req, rlFamily, job, jobDisplayName(job), writeImportedJob)
	if recorded != nil {
		result.Diagnostics.Append(result.Resource.SetAttribute(ctx, path.Root("results"), readResults(ctx, api, recorded, &result.Diagnostics))...)
	}
	return result
}

// listedJob is one listed job of family: its identity and displayName and,
// with include_resource, the resource as import would record it (write).
// The job is read again when the listing left out what import rebuilds the
// configuration from. It returns the job the resource was written from,
// nil when there is none.
func listedJob(ctx context.Context, api backend, req list.ListRequest, family *jobFamily, job *synthapi.Job, displayName string,
	write func(ctx context.Context, job *synthapi.Job, id string, dst attributeSetter) diag.Diagnostics) (list.ListResult, *synthapi.Job) {
	result := req.NewListResult(ctx)
	result.DisplayName = displayName
	result.Diagnostics.Append(result.Identity.SetAttribute(ctx, path.Root("id"), job.ID)...)
	if !req.IncludeResource {
		return result, nil
	}
	if family.recorded(job) == nil {
		full, err := family.routes(api).GetJob(ctx, job.ID)
		if err != nil {
			result.Diagnostics.AddError("Could not read the "+family.noun, jobReadError(job.ID, err))
			return result, nil
		}
		job = full
	}
	result.Diagnostics.Append(write(ctx, job, job.ID, result.Resource)...)
	return result, job
}

// jobFilter is the list block's config, read once.
type jobFilter struct {
	statuses      []string
	model         string
	after, before time.Time
	afterText     string
	beforeText    string
	tags          map[string]string
}

func (m jobListModel) filter(ctx context.Context, diags *diag.Diagnostics) jobFilter {
	var f jobFilter
	if !m.Status.IsNull() {
		diags.Append(m.Status.ElementsAs(ctx, &f.statuses, false)...)
	}
	f.model = m.Model.ValueString()
	// The validators have already rejected a time that does not parse.
	if f.afterText = m.CreatedAfter.ValueString(); f.afterText != "" {
		f.after, _ = time.Parse(time.RFC3339, f.afterText)
	}
	if f.beforeText = m.CreatedBefore.ValueString(); f.beforeText != "" {
		f.before, _ = time.Parse(time.RFC3339, f.beforeText)
	}
	return f
}

// params asks the backend for what it can filter itself. The status filter is
// left to the provider, because the backend's words for a phase vary (§4);
// the rest is checked again by matches, in case a deployment ignores them.
func (f jobFilter) params() synthapi.ListJobsParams {
	return synthapi.ListJobsParams{Model: f.model, CreatedAfter: f.afterText, CreatedBefore: f.beforeText}
}

func (f jobFilter) matches(job *synthapi.Job) bool {
	if len(f.statuses) > 0 && !slices.Contains(f.statuses, listStatus(job)) {
		return false
	}
	if f.model != "" && f.model != job.BaseModel && f.model != job.ModelID {
		return false
	}
	if !f.after.IsZero() || !f.before.IsZero() {
		created, err := time.Parse(time.RFC3339, job.CreatedAt)
		if err != nil || (!f.after.IsZero() && !created.After(f.after)) || (!f.before.IsZero() && !created.Before(f.before)) {
			return false
		}
	}
	if len(f.tags) == 0 {
		return true
	}
	tags := jobTags(job.Config())
	for k, v := range f.tags {
		if tags[k] != v {
			return false
		}
	}
	return true
}

// listStatus names a job's phase in the status filter's words. An SFT job
// not started yet (created) waits as a queued one does.
func listStatus(job *synthapi.Job) string {
	switch job.Phase() {
	case synthapi.PhaseSucceeded:
		return "succeeded"
	case synthapi.PhaseFailed:
		return "failed"
	case synthapi.PhaseCancelled:
		return "cancelled"
	}
	switch job.Status {
	case "", "queued", "created":
		return "queued"
	}
	return "running"
}

// jobTags are the [tags] of a job's config.
func jobTags(config map[string]any) map[string]string {
	section, _ := config["tags"].(map[string]any)
	tags := make(map[string]string, len(section))
	for k, v := range section {
		tags[k] = fmt.Sprint(v)
	}
	return tags
}

// jobLabel is the [model].label of a job's config, else a "label" tag.
func jobLabel(config map[string]any) string {
	if label, ok := lookupString(config, "model", "label"); ok && label != "" {
		return label
	}
	return jobTags(config)["label"]
}

// jobDisplayName is what `terraform query` shows for a job: enough to pick
// it out of a list by eye.
func jobDisplayName(job *synthapi.Job) string {
	parts := []string{job.ID, listStatus(job)}
	if model := firstNonEmpty(job.ModelID, job.BaseModel); model != "" {
		parts = append(parts, model)
	}
	if label := jobLabel(job.Config()); label != "" {
		parts = append(parts, label)
	}
	if job.CreatedAt != "" {
		parts = append(parts, "created "+job.CreatedAt)
	}
	return strings.Join(parts, " · ")
}

// rfc3339Validator accepts an RFC 3339 time.
type rfc3339Validator struct{}

func (rfc3339Validator) Description(context.Context) string {
	return `must be an RFC 3339 time such as "2026-01-31T00:00:00Z"`
}

func (v rfc3339Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v rfc3339Validator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := time.Parse(time.RFC3339, req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid time",
			fmt.Sprintf("%s %s, got %q.", req.Path, v.Description(ctx), req.ConfigValue.ValueString()))
	}
}
