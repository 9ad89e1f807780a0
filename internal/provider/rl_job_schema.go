package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
			"id": schema.StringAttribute{
				MarkdownDescription: "The job id the backend assigned.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"config_toml": schema.StringAttribute{
				MarkdownDescription: "A whole RL config document in TOML, as `synth-ai train --config` reads it, for example " +
					"`file(\"rl.toml\")`. The typed attributes override the keys they name; every other section is sent as it is.",
				Optional:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"algorithm":  configSection("`[algorithm]`: the RL algorithm. The backend accepts only `online` / `policy_gradient` / `gspo`.", algorithmAttributes()),
			"model":      configSection("`[model]`: what to train. Exactly one of `source` and `base` must be set, here or in `config_toml`.", modelAttributes()),
			"services":   configSection("`[services]`: where the trainer finds the task app and the judge.", servicesAttributes()),
			"compute":    configSection("`[compute]`: the GPUs the job runs on.", computeAttributes()),
			"rollout":    configSection("`[rollout]`: how episodes are collected from the task app.", rolloutAttributes()),
			"evaluation": configSection("`[evaluation]`: periodic evaluation during training.", evaluationAttributes()),
			"training":   configSection("`[training]`: optimisation settings.", trainingAttributes()),
			"data":       configSection("`[data]`: data settings for deterministic runs.", dataAttributes()),
			"tags": schema.MapAttribute{
				MarkdownDescription: "`[tags]`: free-form string pairs that annotate the job. Merged key by key over the " +
					"`[tags]` table of `config_toml`.",
				ElementType:   types.StringType,
				Optional:      true,
				PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"wait_for_completion": schema.BoolAttribute{
				MarkdownDescription: "Wait for the job to finish before the apply completes. Defaults to `true`. With " +
					"`false`, apply returns once the job is submitted and later refreshes show its progress.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"on_destroy": schema.StringAttribute{
				MarkdownDescription: "What destroying a job that is still running does: `cancel` (default) cancels it and " +
					"waits up to `timeouts.delete` for it to stop; `abandon` leaves it running and only forgets it.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(onDestroyCancel),
				Validators: []validator.String{stringvalidator.OneOf(onDestroyCancel, onDestroyAbandon)},
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
			"created_at":       computedString("When the backend created the job (RFC 3339)."),
			"finished_at":      computedString("When the job finished (RFC 3339), once it has."),
			"error_message":    computedString("Why the job failed, when it did."),
			"results":          resultsSchemaAttribute(),
			"effective_config": computedString("JSON of exactly the config that was submitted under `data.config`: `config_toml` with the typed attributes merged in, the effective task URL and defaults filled."),
		},
	}
	r.replaceOnlyForNewTraining(resp.Schema.Attributes)
}

func timeoutsAttribute(ctx context.Context) schema.Attribute {
	attr := timeouts.Attributes(ctx, timeouts.Opts{
		Create: true,
		Delete: true,
		CreateDescription: "How long to wait for the job to finish (on create, and when an apply resumes waiting " +
			"for a job that is still running). Defaults to `12h`.",
		DeleteDescription: "How long to wait for a cancelled job to stop. Defaults to `10m`.",
	})
	if nested, ok := attr.(schema.SingleNestedAttribute); ok {
		nested.MarkdownDescription = "How long to wait, as Go durations such as `30m` or `6h`."
		return nested
	}
	return attr
}

// configSection is a TOML section as a nested attribute. The backend cannot
// change a submitted job, so any change to a section submits a new one.
func configSection(description string, attributes map[string]schema.Attribute) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: description,
		Optional:            true,
		Attributes:          attributes,
		PlanModifiers:       []planmodifier.Object{objectplanmodifier.RequiresReplace()},
	}
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

func optionalString(description string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Optional: true}
}

func optionalInt(description string) schema.Int64Attribute {
	return schema.Int64Attribute{MarkdownDescription: description, Optional: true}
}

func optionalBool(description string) schema.BoolAttribute {
	return schema.BoolAttribute{MarkdownDescription: description, Optional: true}
}

func optionalIntList(description string) schema.ListAttribute {
	return schema.ListAttribute{MarkdownDescription: description, Optional: true, ElementType: types.Int64Type}
}

func algorithmAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"type":    optionalString("Must be `online`."),
		"method":  optionalString("Must be `policy_gradient`."),
		"variety": optionalString("Must be `gspo`."),
	}
}

func modelAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"source": optionalString("A trained model to continue from: `ft:`, `fft:`, `qft:` or `rl:` followed by the base " +
			"model and the job, such as `rl:Qwen/Qwen3-4B:job_abc:checkpoint-epoch-1` (another job's `output_model_id`)."),
		"base": optionalString("A base model to train from, such as `Qwen/Qwen3-4B`. A base the provider does not know " +
			"is a warning: the backend decides."),
		"trainer_mode": optionalString("`full`, `lora` or `qlora`."),
		"label":        optionalString("A label for the trained model."),
	}
}

func servicesAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"task_url": optionalString("The task app's URL. Wins over the provider's `task_app_url` (and `TASK_APP_URL`), " +
			"which win over `[services].task_url` in `config_toml`."),
		"judge_url": optionalString("The judge service's URL."),
	}
}

func computeAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"gpu_type":  optionalString("GPU type, such as `H100`, `A100` or `A10G`."),
		"gpu_count": optionalInt("GPUs per node."),
		"nodes":     optionalInt("Number of nodes."),
	}
}

func rolloutAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"env_name":                optionalString("The task app environment, such as `crafter`."),
		"policy_name":             optionalString("The policy, such as `crafter-react`."),
		"max_turns":               optionalInt("Turns per episode."),
		"episodes_per_batch":      optionalInt("Episodes per batch."),
		"max_concurrent_rollouts": optionalInt("Rollouts run at once."),
		"batches_per_step":        optionalInt("Batches per training step."),
		"ops": schema.ListAttribute{
			MarkdownDescription: "The rollout's op sequence, such as `[\"agent\", \"env\"]`.",
			Optional:            true,
			ElementType:         types.StringType,
		},
		"task_app_origin_rewards_only": optionalBool("Use only the rewards the task app reports."),
		"rubric_rewards_only":          optionalBool("Use only rubric rewards."),
	}
}

func evaluationAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"instances":     optionalInt("Episodes per evaluation."),
		"every_n_iters": optionalInt("Evaluate every this many iterations."),
		"seeds":         optionalIntList("Seeds to evaluate on."),
	}
}

func trainingAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"num_epochs":                  optionalInt("Epochs."),
		"iterations_per_epoch":        optionalInt("Iterations per epoch."),
		"max_turns":                   optionalInt("Turns per episode during training."),
		"batch_size":                  optionalInt("Batch size."),
		"group_size":                  optionalInt("GSPO group size."),
		"gradient_accumulation_steps": optionalInt("Gradient accumulation steps."),
		"learning_rate": schema.Float64Attribute{
			MarkdownDescription: "Learning rate, such as `5e-5`.",
			Optional:            true,
		},
		"log_interval":         optionalInt("Log every this many steps."),
		"weight_sync_interval": optionalInt("Sync weights to the inference servers every this many steps."),
	}
}

func dataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"seeds": optionalIntList("Seeds for deterministic runs."),
	}
}
