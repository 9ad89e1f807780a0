package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

var (
	_ list.ListResource              = (*sftJobListResource)(nil)
	_ list.ListResourceWithConfigure = (*sftJobListResource)(nil)
)

// sftJobListResource lists SFT jobs for `terraform query`, whoever
// submitted them, so that fine-tunes started with `synth-ai train --type
// sft` can be imported.
type sftJobListResource struct {
	data *providerData
}

func newSFTJobListResource() list.ListResource {
	return &sftJobListResource{}
}

func (l *sftJobListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sft_job"
}

func (l *sftJobListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the SFT jobs (full fine-tune, LoRA, QLoRA) of the organization the provider's API key " +
			"belongs to, whoever submitted them, as the backend lists them (`GET /learning/jobs?type=sft_offline`, every " +
			"page). Each result is a job's identity and a display name (id, status, base model, trained model, created " +
			"time); with `include_resource = true` it also carries the whole `synth_sft_job` as import would record it, " +
			"so `terraform query -generate-config-out=jobs.tf` writes resource and import blocks for fine-tunes started " +
			"with `synth-ai train --type sft`, which plan no change once imported. Every filter given must match; the " +
			"backend is asked to filter by `created_after`, the rest is matched by the provider. The block's own `limit` " +
			"(Terraform's, default 100) caps the results. Requires Terraform 1.14 or later.",
		Attributes: jobListAttributes("Only jobs that fine-tune this base model (`Qwen/Qwen3-4B`)."),
	}
}

func (l *sftJobListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (l *sftJobListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg jobListModel
	diags := req.Config.Get(ctx, &cfg)
	filter := cfg.filter(ctx, &diags)
	streamJobs(ctx, l.data, sftFamily, req, stream, filter, diags, jobStream{
		// The status filter stays the provider's: §10's status parameter
		// matches one word exactly, and a phase has several.
		scan: func(ctx context.Context, api backend, fn func(*synthapi.Job) bool) error {
			sft := api.SFT()
			return scanJobPages(ctx, func(ctx context.Context, after string) ([]synthapi.Job, string, error) {
				return sft.ListJobs(ctx, synthapi.ListSFTJobsParams{CreatedAfter: filter.afterText, Limit: maxJobsPageSize, After: after})
			}, fn)
		},
		result: l.result,
	})
}

// result is one listed job.
func (l *sftJobListResource) result(ctx context.Context, api backend, req list.ListRequest, job *synthapi.Job) list.ListResult {
	result, _ := listedJob(ctx, api, req, sftFamily, job, sftJobDisplayName(job), writeImportedSFTJob)
	return result
}

// sftJobDisplayName is what `terraform query` shows for an SFT job: its
// base model and, once trained, the model it made.
func sftJobDisplayName(job *synthapi.Job) string {
	parts := []string{job.ID, listStatus(job)}
	if base := firstNonEmpty(job.BaseModel, job.ModelID); base != "" {
		parts = append(parts, base)
	}
	if job.FineTunedModel != "" {
		parts = append(parts, "→ "+job.FineTunedModel)
	}
	if job.CreatedAt != "" {
		parts = append(parts, "created "+job.CreatedAt)
	}
	return strings.Join(parts, " · ")
}
