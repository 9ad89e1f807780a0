package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// configInput is the Terraform view of an SFT job handed to the config
// engine. Values not known yet are listed in Overrides.Unknown rather than
// treated as absent, as for RL.
func (m *sftJobModel) configInput(ctx context.Context) (rlconfig.SFTInput, diag.Diagnostics) {
	var diags diag.Diagnostics
	var o rlconfig.SFTOverrides
	o.Values, o.Unknown = overridesFromBlocks(ctx, &rlconfig.SFT, m.blocks(), &diags)
	for name, v := range map[string]types.String{
		"config_toml": m.ConfigTOML, "training_file_id": m.TrainingFileID, "validation_file_id": m.ValidationFileID,
	} {
		if v.IsUnknown() {
			o.Unknown = append(o.Unknown, name)
		}
	}
	o.TrainingFileID = m.TrainingFileID.ValueString()
	o.ValidationFileID = m.ValidationFileID.ValueString()
	return rlconfig.SFTInput{TOML: m.ConfigTOML.ValueString(), Overrides: o}, diags
}

// sftPayload is the create request of a fully known input and its
// canonical JSON, which effective_config holds; nil with the reasons in
// diags when the input has an error.
func sftPayload(in rlconfig.SFTInput, diags *diag.Diagnostics) (map[string]any, string) {
	resolved, found := rlconfig.ResolveSFT(in)
	appendConfigDiagnostics(diags, found)
	if resolved == nil || diags.HasError() {
		return nil, ""
	}
	payload := rlconfig.BuildSFTPayload(resolved)
	encoded, err := rlconfig.SFTPayloadJSON(payload)
	if err != nil {
		diags.AddError("Could not encode the SFT job's create request", err.Error())
		return nil, ""
	}
	return payload, encoded
}

// writeImportedSFTJob writes an SFT job as import records it: the typed
// blocks, file ids and the rest of the config (config_toml) rebuilt from
// what the job echoes of its create request, the provider's defaults for
// what the backend does not know, and what the backend says of the job.
// effective_config is the request that configuration sends, so that the
// configuration which created the job plans no replacement. The list
// resource's include_resource can share it.
func writeImportedSFTJob(ctx context.Context, job *synthapi.Job, id string, dst attributeSetter) diag.Diagnostics {
	var diags diag.Diagnostics
	doc := sftJobDocument(job)
	o := rlconfig.WithoutSFTDefaults(rlconfig.SFTOverridesFromJob(doc))
	rest, err := rlconfig.SFTTOMLWithoutTyped(rlconfig.SFTConfigFromJob(doc))
	if err != nil {
		diags.AddError("Could not encode the job's config", err.Error())
		return diags
	}
	imported := sftJobModel{
		ID:               types.StringValue(id),
		ConfigTOML:       nullableString(rest),
		TrainingFileID:   types.StringValue(o.TrainingFileID),
		ValidationFileID: nullableString(o.ValidationFileID),
		// A job adopted while it runs is not waited for, as for RL.
		WaitForCompletion: types.BoolValue(job.Phase().Terminal()),
		OnDestroy:         types.StringValue(onDestroyCancel),
		AllowDuplicate:    types.BoolValue(false),
		EffectiveConfig:   types.StringNull(),
	}
	setBlocksFromConfig(&rlconfig.SFT, imported.blocks(), o.Values)
	var ignored diag.Diagnostics
	if _, encoded := sftPayload(rlconfig.SFTInput{TOML: rest, Overrides: o}, &ignored); encoded != "" {
		imported.EffectiveConfig = types.StringValue(encoded)
	}
	imported.setFromJob(job)

	diags.Append(setRootAttributes(ctx, dst, map[string]any{
		"id":                  imported.ID,
		"config_toml":         imported.ConfigTOML,
		"training_file_id":    imported.TrainingFileID,
		"validation_file_id":  imported.ValidationFileID,
		"wait_for_completion": imported.WaitForCompletion,
		"on_destroy":          imported.OnDestroy,
		"allow_duplicate":     imported.AllowDuplicate,
		"effective_config":    imported.EffectiveConfig,
	})...)
	for name, block := range imported.blocks() {
		diags.Append(dst.SetAttribute(ctx, path.Root(name), *block)...)
	}
	diags.Append(setRootAttributes(ctx, dst, imported.values())...)
	return diags
}
