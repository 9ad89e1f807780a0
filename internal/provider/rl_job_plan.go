package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// ValidateConfig reports config errors as early as `terraform validate`.
// The provider is not configured yet, so its default task URL is unknown:
// the task URL's presence is checked in ModifyPlan, and warnings are left to
// ModifyPlan as well so that they are not shown twice.
func (r *rlJobResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	if hasUnknownSection(ctx, req.Config, &resp.Diagnostics) {
		return
	}
	var cfg rlJobModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	input, diags := cfg.configInput(ctx, "")
	resp.Diagnostics.Append(diags...)
	var errs rlconfig.Diagnostics
	for _, d := range rlconfig.Validate(input) {
		if d.Severity == rlconfig.SeverityError && !isMissingTaskURL(d, input.Overrides) {
			errs = append(errs, d)
		}
	}
	appendConfigDiagnostics(&resp.Diagnostics, errs)
}

// isMissingTaskURL tells apart the one error ValidateConfig cannot judge: a
// task URL that may still come from the provider. The only error on a
// services.task_url that is not set is that it is missing.
func isMissingTaskURL(d rlconfig.Diagnostic, o rlconfig.Overrides) bool {
	_, set := o.Values["services"]["task_url"]
	return d.Attribute == "services.task_url" && !set
}

func (r *rlJobResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.planReplacement(ctx, req, resp)
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy, or the provider is not configured yet
	}
	if req.State.Raw.IsNull() {
		if hasUnknownSection(ctx, req.Plan, &resp.Diagnostics) {
			return
		}
		var plan rlJobModel
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
		if resp.Diagnostics.HasError() {
			return
		}
		input, diags := plan.configInput(ctx, r.data.taskAppURL)
		resp.Diagnostics.Append(diags...)
		// Said here only, so that it comes once per job and not at every apply.
		appendConfigDiagnostics(&resp.Diagnostics, rlconfig.CheckSDKRequired(input))
		// With every value known, Resolve validates and also yields the task
		// URL the plan can show; otherwise only what is known is validated.
		if len(input.Overrides.Unknown) > 0 {
			appendConfigDiagnostics(&resp.Diagnostics, rlconfig.Validate(input))
			return
		}
		resolved, found := rlconfig.Resolve(input)
		appendConfigDiagnostics(&resp.Diagnostics, found)
		if resolved != nil {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("task_app_url"), resolved.TaskURL)...)
		}
		if resolved != nil && !resp.Diagnostics.HasError() {
			r.planIdenticalCheck(ctx, resolved, plan.AllowDuplicate.ValueBool(), privateJobID(ctx, req.Private), &resp.Diagnostics)
		}
		return
	}

	// A job that is still running and should be waited for is an in-place
	// update: that is how an untainted job, or one submitted without waiting,
	// is waited for again instead of being submitted twice.
	// Every plan of every job in the workspace comes here, so only the two
	// attributes that decide are read.
	var wait types.Bool
	var status types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("wait_for_completion"), &wait)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("status"), &status)...)
	if resp.Diagnostics.HasError() {
		return
	}
	outcome := unknownStrings("status", "output_model_id", "finished_at", "error_message")
	outcome["results"] = unknownResults()
	planResumedWait(ctx, rlFamily, wait, status, resp, outcome)
}

// planResumedWait plans, for a job in state, either its replacement
// (planResubmission) or, for one still running that is to be waited for,
// an in-place update whose outcome attributes are unknown: that is how an
// untainted job, or one submitted without waiting, is waited for again
// instead of being submitted twice.
// outcome holds the attributes the wait records, each with its unknown value.
func planResumedWait(ctx context.Context, family *jobFamily, wait types.Bool, status types.String, resp *resource.ModifyPlanResponse, outcome map[string]attr.Value) {
	if planResubmission(ctx, family, wait, status, resp) {
		return
	}
	if wait.ValueBool() && !status.IsNull() && !family.phase(status.ValueString()).Terminal() {
		for name, unknown := range outcome {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), unknown)...)
		}
	}
}

// unknownStrings are string attributes planned unknown, by name.
func unknownStrings(names ...string) map[string]attr.Value {
	out := make(map[string]attr.Value, len(names))
	for _, name := range names {
		out[name] = types.StringUnknown()
	}
	return out
}

// hasUnknownSection reports whether a whole config section is unknown, such as
// an object computed by another resource. The model cannot hold it until
// apply, so the plan-time checks leave the job to Create, which runs them all
// once everything is known.
func hasUnknownSection(ctx context.Context, values interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}, diags *diag.Diagnostics) bool {
	return hasUnknownBlock(ctx, &rlconfig.RL, values, diags)
}

// hasUnknownBlock reports whether a whole typed block of kind is unknown;
// see hasUnknownSection.
func hasUnknownBlock(ctx context.Context, kind *rlconfig.Kind, values interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}, diags *diag.Diagnostics) bool {
	for _, block := range blockNames(kind) {
		var section types.Object
		diags.Append(values.GetAttribute(ctx, path.Root(block), &section)...)
		if section.IsUnknown() {
			return true
		}
	}
	return false
}

// planResubmission replaces a job that failed or was cancelled while
// wait_for_completion is true, as Terraform replaces the tainted job of a
// failed create. Without it, a job whose resumed wait (an update, which
// cannot taint) ended in failure would stay in state and nothing would train.
// The status is planned unknown because Terraform replaces only for a path
// whose value changes.
func planResubmission(ctx context.Context, family *jobFamily, wait types.Bool, status types.String, resp *resource.ModifyPlanResponse) bool {
	phase := family.phase(status.ValueString())
	if !wait.ValueBool() || status.IsNull() || (phase != synthapi.PhaseFailed && phase != synthapi.PhaseCancelled) {
		return false
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringUnknown())...)
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
	resp.Diagnostics.AddAttributeWarning(path.Root("status"), family.noun+" will be submitted again",
		"The job in state ended "+status.ValueString()+" and wait_for_completion is true, so this plan replaces it "+
			"with a new job. Set wait_for_completion = false to keep the finished job instead.")
	return true
}

// planIdenticalCheck runs the identical-job check for a job planned for
// creation; see checkIdenticalAtPlan.
func (r *rlJobResource) planIdenticalCheck(ctx context.Context, resolved *rlconfig.Resolved, allowDuplicate bool, replacedID string, diags *diag.Diagnostics) {
	effective, err := rlconfig.EffectiveConfigJSON(resolved)
	if err != nil {
		return // Create reports it
	}
	key, err := rlconfig.ConfigKey([]byte(effective))
	if err != nil {
		return
	}
	checkIdenticalAtPlan(ctx, r.data, r.data.dups, key, allowDuplicate, replacedID, diags)
}

// checkIdenticalAtPlan runs the identical-job check for a job, whose key is
// key, planned for creation. replacedID is the job a replacement destroys
// (a plan for a replacement sees no prior state, but its private state
// names the job); it is never a duplicate of its own successor, here or in
// this process's Create.
func checkIdenticalAtPlan(ctx context.Context, data *providerData, dups *dupGuard, key string, allowDuplicate bool, replacedID string, diags *diag.Diagnostics) {
	if replacedID != "" {
		dups.recordKnown(replacedID)
	}
	if data.apiKey == "" {
		return // Create reports the missing key
	}
	api, ok := data.backend(diags)
	if !ok {
		return
	}
	start := time.Now()
	found, err := dups.findIdentical(ctx, api, key, replacedID, start.Add(-dupListingMaxAge))
	// make bench reads this line to report what the check costs a plan.
	tflog.Debug(ctx, "identical-job check done", map[string]any{"elapsed_ms": float64(time.Since(start).Microseconds()) / 1000})
	if err != nil {
		diags.AddWarning("Could not look for an identical "+dups.family.noun,
			fmt.Sprintf("The plan could not check the backend for a job with this config: %s. The check runs again before the job is submitted.", err))
		return
	}
	reportIdentical(dups.family.noun, found, allowDuplicate, diags)
}
