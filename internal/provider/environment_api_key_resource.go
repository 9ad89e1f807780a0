package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

var (
	_ resource.Resource                   = (*environmentAPIKeyResource)(nil)
	_ resource.ResourceWithConfigure      = (*environmentAPIKeyResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*environmentAPIKeyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*environmentAPIKeyResource)(nil)
)

// environmentAPIKeyResource uploads the task app's key to the backend (§7).
// It has no ImportState on purpose: the key cannot be read back.
type environmentAPIKeyResource struct {
	data *providerData
}

func newEnvironmentAPIKeyResource() resource.Resource {
	return &environmentAPIKeyResource{}
}

func (r *environmentAPIKeyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_environment_api_key"
}

func (r *environmentAPIKeyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig refuses a key the backend would not store, at plan time and
// before anything is sent. The message gives the size, never the key.
func (r *environmentAPIKeyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var value types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("value_wo"), &value)...)
	if resp.Diagnostics.HasError() || value.IsNull() || value.IsUnknown() {
		return
	}
	switch n := len(value.ValueString()); {
	case n == 0:
		resp.Diagnostics.AddAttributeError(path.Root("value_wo"), "Empty environment key",
			"value_wo is empty; the backend stores only a non-empty key.")
	case n > synthapi.MaxEnvKeyBytes:
		resp.Diagnostics.AddAttributeError(path.Root("value_wo"), "Environment key too long",
			fmt.Sprintf("value_wo is %d bytes; the backend stores at most %d bytes (8 KiB).", n, synthapi.MaxEnvKeyBytes))
	}
}

// ModifyPlan plans an in-place upload when value_wo_version changes or when a
// refresh found the key gone from the backend (present = false). The values
// the upload returns are then unknown until it has happened.
func (r *environmentAPIKeyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() {
		return // create or destroy
	}
	var plan, state environmentAPIKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.ValueWOVersion.Equal(state.ValueWOVersion) && state.Present.ValueBool() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), types.StringUnknown())...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("updated_at"), types.StringUnknown())...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("present"), types.BoolUnknown())...)
}

func (r *environmentAPIKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.applyUpload(ctx, req.Plan, req.Config, &resp.State, resp.Identity, &resp.Diagnostics)
}

// applyUpload uploads the configured key and records the result: Create and
// Update do the same thing, since the only change Update sees is a new upload.
func (r *environmentAPIKeyResource) applyUpload(ctx context.Context, plan tfsdk.Plan, config tfsdk.Config, state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	var model environmentAPIKeyModel
	diags.Append(plan.Get(ctx, &model)...)
	value := r.configValue(ctx, config, diags)
	if diags.HasError() {
		return
	}
	ctx = r.data.maskSecrets(ctx, value.ValueString())
	defer r.data.maskDiagnostics(diags, value.ValueString())
	r.upload(ctx, &model, value, diags)
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, &model)...)
	setIdentity(ctx, identity, "name", model.Name.ValueString(), diags)
}

func (r *environmentAPIKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state environmentAPIKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// State written before identity existed (or by a CLI without it) gains
	// it on its first refresh.
	setIdentity(ctx, resp.Identity, "name", state.Name.ValueString(), &resp.Diagnostics)
	if state.Name.ValueString() != synthapi.EnvKeyName {
		return // the backend can only be asked about ENVIRONMENT_API_KEY
	}
	ctx = r.data.maskSecrets(ctx)
	api, ok := r.data.backend(&resp.Diagnostics)
	if !ok {
		return
	}
	present, err := api.EnvKeyPresent(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Could not check the environment key", err.Error())
		return
	}
	if !present {
		tflog.Info(ctx, "the backend no longer holds the environment key; the next apply uploads it again",
			map[string]any{"name": state.Name.ValueString()})
	}
	state.Present = types.BoolValue(present)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update uploads the key again: name forces a new resource, so a change to
// value_wo_version or a key the backend lost is all that leads here.
func (r *environmentAPIKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.applyUpload(ctx, req.Plan, req.Config, &resp.State, resp.Identity, &resp.Diagnostics)
}

// Delete only forgets the key: the contract has no route to delete one.
func (r *environmentAPIKeyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state environmentAPIKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Info(r.data.maskSecrets(ctx), "removing the environment key from state only: the backend has no delete route "+
		"and keeps the key until another is uploaded under the same name", map[string]any{"name": state.Name.ValueString()})
}

// configValue reads value_wo. Write-only values reach the provider only
// through the configuration, never through the plan or the state.
func (r *environmentAPIKeyResource) configValue(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) types.String {
	var value types.String
	diags.Append(config.GetAttribute(ctx, path.Root("value_wo"), &value)...)
	if !diags.HasError() && (value.IsNull() || value.IsUnknown() || value.ValueString() == "") {
		diags.AddAttributeError(path.Root("value_wo"), "Missing environment key",
			"value_wo has no value at apply time, so there is nothing to upload.")
	}
	return value
}

// upload seals value for the backend and stores it under m.Name (§7), then
// records what the backend answered in m. ctx must already mask value.
func (r *environmentAPIKeyResource) upload(ctx context.Context, m *environmentAPIKeyModel, value types.String, diags *diag.Diagnostics) {
	api, ok := r.data.backend(diags)
	if !ok {
		return
	}
	name := m.Name.ValueString()
	pub, err := api.CryptoPublicKey(ctx)
	if err != nil {
		diags.AddError("Could not fetch the backend's public key; nothing was uploaded", err.Error())
		return
	}
	sealed, err := synthapi.SealEnvKey(pub, value.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("value_wo"), "Could not seal the environment key; nothing was uploaded", err.Error())
		return
	}
	tflog.Info(ctx, "uploading environment key", map[string]any{"name": name})
	record, err := api.UploadEnvKey(ctx, name, sealed)
	if err != nil {
		diags.AddError("Could not upload the environment key", fmt.Sprintf("Key %s: %s", name, err))
		return
	}

	m.ID = types.StringValue(firstNonEmpty(record.ID, record.Name, name))
	m.UpdatedAt = nullableString(record.UpdatedAt)
	m.ValueWO = types.StringNull()
	m.Present = types.BoolValue(true)
	if name != synthapi.EnvKeyName {
		return // the backend can only be asked about ENVIRONMENT_API_KEY
	}
	present, err := api.EnvKeyPresent(ctx)
	switch {
	case err != nil:
		diags.AddWarning("Could not confirm the environment key",
			fmt.Sprintf("The backend accepted the upload of %s, but checking it failed: %s. The next refresh checks again.", name, err))
	case !present:
		m.Present = types.BoolValue(false)
		diags.AddWarning("Environment key not confirmed",
			fmt.Sprintf("The backend accepted the upload of %s but says it holds no such key; the next plan uploads it again.", name))
	}
}
