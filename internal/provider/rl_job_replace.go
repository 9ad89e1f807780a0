package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
)

const sameTrainingDescription = "A change replaces the job unless the effective config stays the same."

// replaceOnlyForNewTraining makes the config attributes replace the job only
// when the effective config changes. Writing the same training another way
// (a key moved between config_toml and a typed attribute) keeps the job: above
// all, a job imported after a killed apply has its typed attributes filled
// from the backend's record and no config_toml, and must not be replaced (and
// so cancelled) by the configuration that created it.
func (r *rlJobResource) replaceOnlyForNewTraining(attrs map[string]schema.Attribute) {
	if a, ok := attrs["config_toml"].(schema.StringAttribute); ok {
		a.PlanModifiers = []planmodifier.String{stringplanmodifier.RequiresReplaceIf(
			func(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
				resp.RequiresReplace = !r.sameTraining(ctx, req.Plan, req.State)
			}, sameTrainingDescription, sameTrainingDescription)}
		attrs["config_toml"] = a
	}
	if a, ok := attrs["tags"].(schema.MapAttribute); ok {
		a.PlanModifiers = []planmodifier.Map{mapplanmodifier.RequiresReplaceIf(
			func(ctx context.Context, req planmodifier.MapRequest, resp *mapplanmodifier.RequiresReplaceIfFuncResponse) {
				resp.RequiresReplace = !r.sameTraining(ctx, req.Plan, req.State)
			}, sameTrainingDescription, sameTrainingDescription)}
		attrs["tags"] = a
	}
	for name, attr := range attrs {
		a, ok := attr.(schema.SingleNestedAttribute)
		// Only the config sections: not timeouts, nor a view the backend fills.
		if !ok || !a.Optional || name == "timeouts" {
			continue
		}
		a.PlanModifiers = []planmodifier.Object{objectplanmodifier.RequiresReplaceIf(
			func(ctx context.Context, req planmodifier.ObjectRequest, resp *objectplanmodifier.RequiresReplaceIfFuncResponse) {
				resp.RequiresReplace = !r.sameTraining(ctx, req.Plan, req.State)
			}, sameTrainingDescription, sameTrainingDescription)}
		attrs[name] = a
	}
}

// sameTraining reports whether the plan's effective config, fully known,
// equals the one the job in state was submitted with. Anything unknown or
// unreadable counts as a new training.
func (r *rlJobResource) sameTraining(ctx context.Context, plan tfsdk.Plan, state tfsdk.State) bool {
	var data *providerData
	if r.provider != nil {
		data = r.provider.configured.Load()
	}
	var ignored diag.Diagnostics
	if data == nil || hasUnknownSection(ctx, plan, &ignored) {
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
	input, diags := model.configInput(ctx, data.taskAppURL)
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
	a, errA := rlconfig.ConfigKey([]byte(planned))
	b, errB := rlconfig.ConfigKey([]byte(submitted.ValueString()))
	return errA == nil && errB == nil && a == b
}
