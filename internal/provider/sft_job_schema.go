package provider

import (
	"context"
	"maps"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
)

// defaultSFTCreateTimeout is a day: §11 has real FFT jobs queue for more
// than ten minutes under load and train for hours.
const defaultSFTCreateTimeout = 24 * time.Hour

func (r *sftJobResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A supervised fine-tuning job (full fine-tune, LoRA or QLoRA) on the Synth backend. Creating it " +
			"validates the config, submits the job, starts it and (by default) waits until it has finished and named its " +
			"trained model. The backend has no update call, so changing any part of the training submits a new job.",
		Attributes: map[string]schema.Attribute{
			"config_toml": schema.StringAttribute{
				MarkdownDescription: "A whole SFT config document in TOML, as `synth-ai train --type sft --config` reads it, " +
					"for example `file(\"sft.toml\")`. The typed attributes override the keys they name; `[job].data` and " +
					"`[data].validation_path` are replaced by `training_file_id` and `validation_file_id`.",
				Optional: true,
			},
			"training_file_id": schema.StringAttribute{
				MarkdownDescription: "The uploaded training file, such as `synth_training_file.train.id`.",
				Required:            true,
			},
			"validation_file_id": schema.StringAttribute{
				MarkdownDescription: "The uploaded validation file, when the job evaluates during training.",
				Optional:            true,
			},
			"wait_for_completion": schema.BoolAttribute{
				MarkdownDescription: "Wait for the job to finish, and for its trained model, before the apply completes. " +
					"Defaults to `true`. With `false`, apply returns once the job is started and later refreshes show its progress.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"allow_duplicate": schema.BoolAttribute{
				MarkdownDescription: "Submit even when the backend already runs a job with the same base model, training " +
					"file, hyperparameters and effective config. With `false` (the default) such a job fails the plan (and the " +
					"create), naming it and showing the `import` block that adopts it; with `true` it is only a warning.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"timeouts": jobTimeoutsAttribute(ctx, "24h"),

			"status": computedString("The job's status as the backend reports it, lower-cased: `created`, `queued`, " +
				"`running`, `succeeded`, `failed`, `cancelled`, or another running state."),
			"fine_tuned_model": computedString("The trained model (for example `fft:Qwen/Qwen3-4B:job_abc`), once the job " +
				"has succeeded; it may come a little after the status does, and the create waits for it. Use it as the " +
				"`model.source` of a `synth_rl_job`."),
			"output_model_id": computedString("The same value as `fine_tuned_model`, under the name `synth_rl_job` gives its " +
				"trained model, so that a job of either kind hands its model on the same way."),
			"effective_config": computedString("JSON of exactly the create request that is sent: `config_toml` with the typed attributes and file ids merged in, the defaults filled, in the SDK's payload shape. Shown at plan once every input is known."),
		},
	}
	maps.Copy(resp.Schema.Attributes, jobLifecycleAttributes())
	// A change to the typed blocks, config_toml or the file ids replaces the
	// job only when the request it sends changes: see planReplacement.
	maps.Copy(resp.Schema.Attributes, blockAttributes(&rlconfig.SFT))
}

func (r *sftJobResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = jobIdentitySchema()
}

// jobTimeoutsAttribute is the timeouts block of a job resource, whose
// create timeout defaults to createDefault.
func jobTimeoutsAttribute(ctx context.Context, createDefault string) schema.Attribute {
	attr := timeouts.Attributes(ctx, timeouts.Opts{
		Create: true,
		Delete: true,
		CreateDescription: "How long to wait for the job to finish (on create, and when an apply resumes waiting " +
			"for a job that is still running). Defaults to `" + createDefault + "`.",
		DeleteDescription: "How long to wait for a cancelled job to stop. Defaults to `10m`.",
	})
	if nested, ok := attr.(schema.SingleNestedAttribute); ok {
		nested.MarkdownDescription = "How long to wait, as Go durations such as `30m` or `6h`."
		return nested
	}
	return attr
}
