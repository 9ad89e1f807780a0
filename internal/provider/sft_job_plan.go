package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
)

// ValidateConfig reports config errors as early as `terraform validate`;
// warnings are left to ModifyPlan so that they are not shown twice.
func (r *sftJobResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	if hasUnknownBlock(ctx, &rlconfig.SFT, req.Config, &resp.Diagnostics) {
		return
	}
	var cfg sftJobModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	input, diags := cfg.configInput(ctx)
	resp.Diagnostics.Append(diags...)
	var errs rlconfig.Diagnostics
	for _, d := range rlconfig.ValidateSFT(input) {
		if d.Severity == rlconfig.SeverityError {
			errs = append(errs, d)
		}
	}
	appendConfigDiagnostics(&resp.Diagnostics, errs)
}

func (r *sftJobResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planConfigReplacement(req, resp, sftConfigAttributes(), func() bool { return r.sameRequest(ctx, req.Plan, req.State) })
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy, or the provider is not configured yet
	}
	if req.State.Raw.IsNull() {
		if hasUnknownBlock(ctx, &rlconfig.SFT, req.Plan, &resp.Diagnostics) {
			return // Create checks it all once it is known
		}
		var plan sftJobModel
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
		if resp.Diagnostics.HasError() {
			return
		}
		input, diags := plan.configInput(ctx)
		resp.Diagnostics.Append(diags...)
		if len(input.Overrides.Unknown) > 0 {
			appendConfigDiagnostics(&resp.Diagnostics, rlconfig.ValidateSFT(input))
			return
		}
		_, encoded := sftPayload(input, &resp.Diagnostics)
		if encoded == "" {
			return
		}
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("effective_config"), encoded)...)
		if key, err := sftFamily.key([]byte(encoded)); err == nil {
			checkIdenticalAtPlan(ctx, r.data, r.data.sftDups, key, plan.AllowDuplicate.ValueBool(), privateJobID(ctx, req.Private), &resp.Diagnostics)
		}
		return
	}

	var wait types.Bool
	var status types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("wait_for_completion"), &wait)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("status"), &status)...)
	if resp.Diagnostics.HasError() {
		return
	}
	planResumedWait(ctx, sftFamily, wait, status, resp,
		unknownStrings("status", "fine_tuned_model", "output_model_id", "finished_at", "error_message"))
}

// sftConfigAttributes are the attributes the create request is made of.
func sftConfigAttributes() []string {
	return append([]string{"config_toml", "training_file_id", "validation_file_id"}, blockNames(&rlconfig.SFT)...)
}

// sameRequest reports whether the plan, fully known, sends the request the
// job in state was created with (the same rule as synth_rl_job's
// sameTraining). Anything unknown or unreadable counts as a new job: a
// training file being replaced is unknown, so the job is replaced too.
func (r *sftJobResource) sameRequest(ctx context.Context, plan tfsdk.Plan, state tfsdk.State) bool {
	var ignored diag.Diagnostics
	if hasUnknownBlock(ctx, &rlconfig.SFT, plan, &ignored) {
		return false
	}
	var submitted types.String
	if diags := state.GetAttribute(ctx, path.Root("effective_config"), &submitted); diags.HasError() || submitted.ValueString() == "" {
		return false
	}
	var model sftJobModel
	if diags := plan.Get(ctx, &model); diags.HasError() {
		return false
	}
	input, diags := model.configInput(ctx)
	if diags.HasError() || len(input.Overrides.Unknown) > 0 {
		return false
	}
	_, planned := sftPayload(input, &ignored)
	if planned == "" {
		return false
	}
	plannedKey, err1 := sftFamily.key([]byte(planned))
	stateKey, err2 := sftFamily.key([]byte(submitted.ValueString()))
	return err1 == nil && err2 == nil && plannedKey == stateKey
}
