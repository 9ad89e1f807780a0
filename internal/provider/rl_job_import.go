package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// attributeSetter is a null object that is filled attribute by attribute:
// the state of an import, or the resource object of a list result.
type attributeSetter interface {
	SetAttribute(ctx context.Context, p path.Path, val any) diag.Diagnostics
}

// setRootAttributes writes each of values into dst, under its name as a
// top-level attribute.
func setRootAttributes[V any](ctx context.Context, dst attributeSetter, values map[string]V) diag.Diagnostics {
	var diags diag.Diagnostics
	for name, value := range values {
		diags.Append(dst.SetAttribute(ctx, path.Root(name), value)...)
	}
	return diags
}

// writeImportedJob writes the job as import records it: the typed sections
// from the job's config, the provider's defaults for the attributes the
// backend does not know, and what the backend says of the job. Import and
// the list resource's include_resource share it, so that configuration
// generated from either plans the same.
func writeImportedJob(ctx context.Context, job *synthapi.Job, id string, dst attributeSetter) diag.Diagnostics {
	var diags diag.Diagnostics
	imported := rlJobModel{
		// A job adopted while it runs is not waited for: otherwise the first
		// apply after the import would block until it ends. Setting it to
		// true later resumes the wait, as for any unwaited job.
		WaitForCompletion:  types.BoolValue(job.Phase().Terminal()),
		OnDestroy:          types.StringValue(onDestroyCancel),
		HealthCheckTimeout: types.StringValue(defaultHealthCheckTimeout),
		VerifyWithBackend:  types.BoolValue(false),
		AllowDuplicate:     types.BoolValue(false),
		TaskAppURL:         types.StringNull(),
	}
	config := job.Config()
	imported.setSectionsFromConfig(config)
	if taskURL, ok := lookupString(config, "services", "task_url"); ok {
		imported.TaskAppURL = types.StringValue(taskURL)
	}
	effective, err := recordedConfigJSON(config)
	if err != nil {
		diags.AddError("Could not encode the job's config", err.Error())
		return diags
	}
	imported.EffectiveConfig = effective
	imported.setJobFields(job)

	diags.Append(setRootAttributes(ctx, dst, map[string]any{
		"id":                   types.StringValue(id),
		"wait_for_completion":  imported.WaitForCompletion,
		"on_destroy":           imported.OnDestroy,
		"health_check_timeout": imported.HealthCheckTimeout,
		"verify_with_backend":  imported.VerifyWithBackend,
		"allow_duplicate":      imported.AllowDuplicate,
		"tags":                 imported.Tags,
		"task_app_url":         imported.TaskAppURL,
		"effective_config":     imported.EffectiveConfig,
	})...)
	for name, block := range imported.blocks() {
		diags.Append(dst.SetAttribute(ctx, path.Root(name), *block)...)
	}
	diags.Append(setRootAttributes(ctx, dst, imported.jobFieldValues())...)
	return diags
}
