package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
)

const (
	onDestroyCancel  = "cancel"
	onDestroyAbandon = "abandon"

	defaultHealthCheckTimeout = "2m"
)

func (r *rlJobResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An RL training job on the Synth backend. Creating it validates the config, health-checks " +
			"the task app, submits the job and (by default) waits until the job has finished. The backend has no update " +
			"call, so changing any part of the training config submits a new job.",
		Attributes: map[string]schema.Attribute{
			"config_toml": schema.StringAttribute{
				MarkdownDescription: "A whole RL config document in TOML, as `synth-ai train --config` reads it, for example " +
					"`file(\"rl.toml\")`. The typed attributes override the keys they name; every other section is sent as it is.",
				Optional: true,
			},
			"tags": schema.MapAttribute{
				MarkdownDescription: "`[tags]`: free-form string pairs that annotate the job. Merged key by key over the " +
					"`[tags]` table of `config_toml`.",
				ElementType: types.StringType,
				Optional:    true,
			},
			"wait_for_completion": schema.BoolAttribute{
				MarkdownDescription: "Wait for the job to finish before the apply completes. Defaults to `true`. With " +
					"`false`, apply returns once the job is submitted and later refreshes show its progress.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values; changing any of them submits a new job.",
				ElementType:         types.StringType,
				Optional:            true,
				PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"health_check_timeout": schema.StringAttribute{
				MarkdownDescription: "How long to keep retrying a task app that is not healthy yet (for example a Modal " +
					"cold start) before giving up without submitting. Defaults to `" + defaultHealthCheckTimeout + "`.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(defaultHealthCheckTimeout),
				Validators: []validator.String{durationValidator{}},
			},
			"verify_with_backend": schema.BoolAttribute{
				MarkdownDescription: "Before submitting, also ask the backend to call the task app with the organisation's " +
					"stored environment keys (`POST /rl/verify_task_app`), and refuse to submit when none works. Defaults to `false`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"allow_duplicate": schema.BoolAttribute{
				MarkdownDescription: "Submit even when the backend already runs a job with exactly this effective config. " +
					"With `false` (the default) such a job fails the plan (and the create), naming it and showing the `import` " +
					"block that adopts it; with `true` it is only a warning. See \"Never twice\" below.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"environment_api_key_wo": schema.StringAttribute{
				MarkdownDescription: "Write-only (Terraform 1.11+): the task app's key for this job's health check, " +
					"overriding the provider's `environment_api_key`. It is never stored in state or plan.",
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
			},
			"environment_api_key_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Bump to record that `environment_api_key_wo` changed. The key is only used when a " +
					"job is submitted, so a change does not resubmit the job.",
				Optional: true,
			},
			"timeouts": timeoutsAttribute(ctx),

			"status": computedString("The job's status as the backend reports it, lower-cased: `queued`, `running`, " +
				"`succeeded`, `failed`, `cancelled`, or another running state."),
			"task_app_url":     computedString("The task app URL the job was submitted with, after `services.task_url`, the provider's `task_app_url` and `[services].task_url` were weighed in that order."),
			"output_model_id":  computedString("The trained model (for example `rl:Qwen/Qwen3-4B:job_abc:checkpoint-epoch-1`), once the job has succeeded. Use it as the `model.source` of the next job."),
			"results":          resultsSchemaAttribute(),
			"effective_config": computedString("JSON of exactly the config that was submitted under `data.config`: `config_toml` with the typed attributes merged in, the effective task URL and defaults filled."),
		},
	}
	maps.Copy(resp.Schema.Attributes, jobLifecycleAttributes())
	// The typed blocks of config_toml. A change to them, config_toml or tags
	// replaces the job only when the effective config changes: see
	// planReplacement.
	maps.Copy(resp.Schema.Attributes, blockAttributes(&rlconfig.RL))
}

// jobLifecycleAttributes are the attributes both job resources declare
// alike: the job's id and lifecycle, and what destroying it does.
func jobLifecycleAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The job id the backend assigned.",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"on_destroy": schema.StringAttribute{
			MarkdownDescription: "What destroying a job that is still running does: `cancel` (default) cancels it and " +
				"waits up to `timeouts.delete` for it to stop; `abandon` leaves it running and only forgets it.",
			Optional:   true,
			Computed:   true,
			Default:    stringdefault.StaticString(onDestroyCancel),
			Validators: []validator.String{stringvalidator.OneOf(onDestroyCancel, onDestroyAbandon)},
		},
		"created_at":    computedString("When the backend created the job (RFC 3339)."),
		"finished_at":   computedString("When the job finished (RFC 3339), once it has."),
		"error_message": computedString("Why the job failed, when it did."),
	}
}

func timeoutsAttribute(ctx context.Context) schema.Attribute {
	return jobTimeoutsAttribute(ctx, "12h")
}

// computedString is a value the backend owns. It keeps its state value in
// plans; ModifyPlan marks the ones a resumed wait will change.
func computedString(description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}
