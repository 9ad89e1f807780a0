package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

const (
	defaultCreateTimeout = 12 * time.Hour
	defaultDeleteTimeout = 10 * time.Minute
)

var (
	_ resource.Resource                   = (*rlJobResource)(nil)
	_ resource.ResourceWithConfigure      = (*rlJobResource)(nil)
	_ resource.ResourceWithImportState    = (*rlJobResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*rlJobResource)(nil)
	_ resource.ResourceWithValidateConfig = (*rlJobResource)(nil)
)

type rlJobResource struct {
	data *providerData
}

func (r *rlJobResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_rl_job"
}

func (r *rlJobResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *rlJobResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan rlJobModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	// Write-only values reach the provider only through the configuration.
	var keyWO types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("environment_api_key_wo"), &keyWO)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.maskSecrets(ctx, keyWO.ValueString())
	defer r.data.maskDiagnostics(&resp.Diagnostics, keyWO.ValueString())
	environmentAPIKey := firstNonEmpty(keyWO.ValueString(), r.data.environmentAPIKey)

	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	input, diags := plan.configInput(ctx, r.data.taskAppURL)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resolved, found := rlconfig.Resolve(input)
	appendConfigDiagnostics(&resp.Diagnostics, found)
	if resp.Diagnostics.HasError() {
		return
	}
	api, ok := r.data.backend(&resp.Diagnostics)
	if !ok {
		return
	}

	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	if !r.checkTaskApp(waitCtx, &plan, api, resolved, environmentAPIKey, &resp.Diagnostics) {
		return
	}

	payload := rlconfig.BuildPayload(resolved, api.APIRoot())
	effectiveConfig, err := rlconfig.EffectiveConfigJSON(resolved)
	if err != nil {
		resp.Diagnostics.AddError("Could not encode the effective config", err.Error())
		return
	}
	key, err := rlconfig.ConfigKey([]byte(effectiveConfig))
	if err != nil {
		resp.Diagnostics.AddError("Could not encode the effective config", err.Error())
		return
	}
	job := submitJob(ctx, waitCtx, api, r.data.dups, payload, key, plan.AllowDuplicate.ValueBool(), &resp.Diagnostics)
	if job == nil {
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateJobKey, privateJobValue(job.ID))...)

	plan.ID = types.StringValue(job.ID)
	plan.TaskAppURL = types.StringValue(resolved.TaskURL)
	plan.EffectiveConfig = types.StringValue(effectiveConfig)
	plan.setJobFields(job)
	plan.Results = nullResults() // filled when the job is seen finished
	// Save the id before waiting: whatever happens to the wait, the job is
	// never lost from state.
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, "id", job.ID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !plan.WaitForCompletion.ValueBool() {
		return
	}

	r.waitAndRecord(ctx, waitCtx, api, &plan, timeout, &resp.State, afterCreate, &resp.Diagnostics)
}

// checkTaskApp does what the CLI does before it submits: the task app must
// answer /health and /task_info, retried for health_check_timeout to ride out
// a cold start. With verify_with_backend the backend must reach it too.
func (r *rlJobResource) checkTaskApp(ctx context.Context, plan *rlJobModel, api backend, resolved *rlconfig.Resolved, environmentAPIKey string, diags *diag.Diagnostics) bool {
	taskURL := resolved.TaskURL
	app, err := r.data.taskApp(taskURL, environmentAPIKey)
	if err != nil {
		addTaskURLError(diags, resolved.TaskURLSource, err)
		return false
	}
	healthTimeout, _ := time.ParseDuration(plan.HealthCheckTimeout.ValueString())
	tflog.Info(ctx, "checking task app health", map[string]any{"task_app_url": taskURL, "timeout": healthTimeout.String()})
	if _, _, err := app.WaitHealthy(ctx, healthTimeout); err != nil {
		diags.AddError("Task app is not healthy; nothing was submitted", err.Error())
		return false
	}
	if !plan.VerifyWithBackend.ValueBool() {
		return true
	}
	result, err := api.VerifyTaskApp(ctx, taskURL)
	var apiErr *synthapi.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
		diags.AddAttributeWarning(path.Root("verify_with_backend"), "Backend cannot verify task apps",
			"The backend has no verify_task_app route (older deployments lack it), so the job was submitted after the provider's own health check only.")
		return true
	case err != nil:
		diags.AddError("Backend could not verify the task app; nothing was submitted", err.Error())
		return false
	case !result.AnyOK:
		diags.AddError("Backend could not reach the task app; nothing was submitted",
			fmt.Sprintf("The backend called %s with the organisation's stored environment keys and none worked "+
				"(answers: %v). Register the task app's key, for example with synth_environment_api_key.", taskURL, result.AttemptStatuses))
		return false
	}
	return true
}

// addTaskURLError reports a task URL the task-app client refuses against
// the place it came from, as plan-time validation does: task_app_url is
// computed, and pointing at it would send the user looking for a value they
// never wrote.
func addTaskURLError(diags *diag.Diagnostics, source string, err error) {
	const summary = "Invalid task app URL"
	detail := fmt.Sprintf("The task app URL from %s cannot be used: %s.", source, err)
	switch source {
	case rlconfig.TaskURLFromAttribute:
		diags.AddAttributeError(path.Root("services").AtName("task_url"), summary, detail)
	case rlconfig.TaskURLFromTOML:
		diags.AddAttributeError(path.Root("config_toml"), summary, detail)
	default:
		// The provider's task_app_url, or TASK_APP_URL: not this resource's.
		diags.AddError(summary, detail)
	}
}

func (r *rlJobResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = r.data.maskSecrets(ctx)
	job, api := readJob(ctx, r.data, rlFamily, req, resp)
	if job == nil {
		return
	}
	var refreshed rlJobModel
	refreshed.setJobFields(job)
	resp.Diagnostics.Append(setRootAttributes(ctx, &resp.State, refreshed.jobFieldValues())...)
	refreshResults(ctx, api, job, &resp.State, &resp.Diagnostics)
}

// Update never calls the backend to change a job: every config attribute
// forces a new job. What remains is resuming the wait for a job that is still
// running, which ModifyPlan marks by planning its status as unknown.
func (r *rlJobResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state rlJobModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.maskSecrets(ctx)
	plan.copyJobFields(&state)
	updateJob(ctx, r.data, resumedWait{
		family: rlFamily, id: state.ID.ValueString(), status: state.Status.ValueString(),
		wait: plan.WaitForCompletion.ValueBool(), timeouts: plan.Timeouts, defaultTimeout: defaultCreateTimeout,
		save: func() diag.Diagnostics { return resp.State.Set(ctx, &plan) },
		resume: func(waitCtx context.Context, api backend, timeout time.Duration) {
			r.waitAndRecord(ctx, waitCtx, api, &plan, timeout, &resp.State, afterResume, &resp.Diagnostics)
		},
	}, resp)
}

func (r *rlJobResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteJob(ctx, r.data, rlFamily, req, resp)
}

func (r *rlJobResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importJob(ctx, r.data, rlFamily, req, resp, writeImportedJob)
}

// setJobFields records what the backend says of the job.
func (m *rlJobModel) setJobFields(job *synthapi.Job) {
	status := job.Status
	if status == "" {
		status = "queued"
	}
	m.Status = types.StringValue(status)
	m.CreatedAt = nullableString(job.CreatedAt)
	m.FinishedAt = nullableString(job.FinishedAt)
	m.OutputModelID = jobOutputModel(job)
	m.ErrorMessage = jobErrorMessage(job)
}

// jobOutputModel is the trained model of a job that succeeded, as
// synth_rl_job reports it: a running job's checkpoint is not a result yet.
func jobOutputModel(job *synthapi.Job) types.String {
	if job.Phase() != synthapi.PhaseSucceeded {
		return types.StringNull()
	}
	return nullableString(job.OutputModelID)
}

// jobErrorMessage is why a job failed or was cancelled; a running job's
// "message" is progress, not an error.
func jobErrorMessage(job *synthapi.Job) types.String {
	if p := job.Phase(); p != synthapi.PhaseFailed && p != synthapi.PhaseCancelled {
		return types.StringNull()
	}
	return nullableString(job.ErrorMessage)
}

// jobFieldValues are the attributes setJobFields writes, by name.
func (m *rlJobModel) jobFieldValues() map[string]types.String {
	return map[string]types.String{
		"status":          m.Status,
		"created_at":      m.CreatedAt,
		"finished_at":     m.FinishedAt,
		"output_model_id": m.OutputModelID,
		"error_message":   m.ErrorMessage,
	}
}

// copyJobFields carries the backend-owned values over from state, which an
// in-place plan may have left unknown.
func (m *rlJobModel) copyJobFields(state *rlJobModel) {
	m.ID = state.ID
	m.Status = state.Status
	m.TaskAppURL = state.TaskAppURL
	m.OutputModelID = state.OutputModelID
	m.CreatedAt = state.CreatedAt
	m.FinishedAt = state.FinishedAt
	m.ErrorMessage = state.ErrorMessage
	m.EffectiveConfig = state.EffectiveConfig
	m.Results = state.Results
}

func lookupString(config map[string]any, table, key string) (string, bool) {
	s, ok := lookupValue(config, table, key).(string)
	return s, ok
}
