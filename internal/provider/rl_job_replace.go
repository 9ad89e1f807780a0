package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
)

// planReplacement makes a change to the config attributes (config_toml,
// tags and the typed blocks) replace the job only when the effective config
// changes. Writing the same training another way (a key moved between
// config_toml and a typed attribute) keeps the job: above all, a job
// imported after a killed apply has its typed attributes filled from the
// backend's record and no config_toml, and must not be replaced (and so
// cancelled) by the configuration that created it. The effective config is
// resolved once per plan, however many of them changed.
func (r *rlJobResource) planReplacement(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planConfigReplacement(req, resp, configAttributes(), func() bool { return r.sameTraining(ctx, req.Plan, req.State) })
}

// planConfigReplacement replaces a job when one of the attributes its
// config is made of (configAttributes) changed and same, asked only then,
// says the job it would submit is not the one in state.
func planConfigReplacement(req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, configAttributes []string, same func() bool) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return // create or destroy
	}
	var planned, prior map[string]tftypes.Value
	if req.Plan.Raw.As(&planned) != nil || req.State.Raw.As(&prior) != nil {
		return
	}
	var changed path.Paths
	for _, name := range configAttributes {
		if !planned[name].Equal(prior[name]) {
			changed = append(changed, path.Root(name))
		}
	}
	if len(changed) > 0 && !same() {
		resp.RequiresReplace = append(resp.RequiresReplace, changed...)
	}
}

// configAttributes are the attributes the effective config is made of.
func configAttributes() []string {
	return append([]string{"config_toml", "tags"}, blockNames(&rlconfig.RL)...)
}

// sameTraining reports whether the plan's effective config, fully known,
// equals the one the job in state was submitted with. Anything unknown or
// unreadable counts as a new training.
func (r *rlJobResource) sameTraining(ctx context.Context, plan tfsdk.Plan, state tfsdk.State) bool {
	var ignored diag.Diagnostics
	if r.data == nil || hasUnknownSection(ctx, plan, &ignored) {
		return false
	}
	var submitted types.String
	if diags := state.GetAttribute(ctx, path.Root("effective_config"), &submitted); diags.HasError() || submitted.ValueString() == "" {
		return false
	}
	var model rlJobModel
	if diags := plan.Get(ctx, &model); diags.HasError() {
		return false
	}
	input, diags := model.configInput(ctx, r.data.taskAppURL)
	if diags.HasError() || len(input.Overrides.Unknown) > 0 {
		return false
	}
	resolved, found := rlconfig.Resolve(input)
	if resolved == nil || found.HasError() {
		return false
	}
	planned, err := rlconfig.EffectiveConfigJSON(resolved)
	if err != nil {
		return false
	}
	// A job recorded by an earlier release counts as the same training when
	// its config differs only by what this release sends differently.
	return rlconfig.SameTraining([]byte(planned), []byte(submitted.ValueString()))
}
