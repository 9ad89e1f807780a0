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
	job := r.submit(ctx, waitCtx, api, payload, effectiveConfig, plan.AllowDuplicate.ValueBool(), &resp.Diagnostics)
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

// submit creates the job unless an identical one is already on the backend,
// and finds the job a create without an answer made. It returns nil, with the
// reason in diags, when there is no job to track.
func (r *rlJobResource) submit(ctx, waitCtx context.Context, api backend, payload any, effectiveConfig string, allowDuplicate bool, diags *diag.Diagnostics) *synthapi.Job {
	key, err := rlconfig.ConfigKey([]byte(effectiveConfig))
	if err != nil {
		diags.AddError("Could not encode the effective config", err.Error())
		return nil
	}
	dups := r.data.dups
	unlock := dups.lock(key)
	defer unlock()

	// The plan may be hours old, and the health check minutes long: look
	// again with a listing taken from now on, right before submitting.
	found, err := dups.findIdentical(waitCtx, api, key, "", time.Now())
	switch {
	case err != nil && !allowDuplicate:
		diags.AddError("Could not look for an identical RL job; nothing was submitted",
			fmt.Sprintf("Before submitting, the provider checks the backend for a job with exactly this config, so that "+
				"the same training never runs twice. The check failed: %s\n\nApply again once the backend answers, or set "+
				"allow_duplicate = true to submit without the check.", err))
		return nil
	case err != nil:
		diags.AddWarning("Could not look for an identical RL job", fmt.Sprintf("%s; allow_duplicate = true, so the job is submitted anyway.", err))
		found = &identicalJobs{}
	}
	reportIdentical(found, allowDuplicate, diags)
	if diags.HasError() {
		return nil
	}

	// One key for every retry of this create: a retry after a lost answer gets
	// the job the first attempt created instead of starting a second one.
	idempotencyKey := synthapi.NewIdempotencyKey()
	tflog.Info(ctx, "submitting RL job", map[string]any{"idempotency_key": idempotencyKey})
	submittedAt := time.Now()
	job, err := api.CreateJob(waitCtx, payload, idempotencyKey)
	if err != nil {
		var refused *synthapi.APIError
		if !synthapi.IsTransient(err) && errors.As(err, &refused) {
			diags.AddError("Could not submit the RL job", err.Error())
			return nil
		}
		// No answer, an outage, or an answer that could not be read: the
		// backend may have created the job all the same, so look for it.
		job = r.findLostJob(ctx, api, key, submittedAt, found.listedIDs, idempotencyKey, err, diags)
		if job == nil {
			return nil
		}
	}
	dups.recordSubmitted(job.ID)
	tflog.Info(ctx, "submitted RL job", map[string]any{"job_id": job.ID, "status": job.Status})
	return job
}

// findLostJob adopts the one job a create without an answer made, and
// explains what it found otherwise. It never submits anything.
func (r *rlJobResource) findLostJob(ctx context.Context, api backend, key string, submittedAt time.Time, before map[string]bool, idempotencyKey string, createErr error, diags *diag.Diagnostics) *synthapi.Job {
	lost, cutShort, err := r.data.dups.findLost(ctx, api, key, submittedAt, before)
	if cutShort != "" {
		diags.AddWarning("The lookup of the lost job is incomplete", fmt.Sprintf("Looking for the job the create may "+
			"have made, %s, so a job created since the submission may have been missed.", cutShort))
	}
	switch {
	case err != nil:
		diags.AddError("Could not submit the RL job", fmt.Sprintf("%s\n\nThe backend may have created the job before the "+
			"failure (idempotency key %s), and looking for it failed too: %s. Look for it in the Synth dashboard before applying again; "+
			"the next plan also looks for it and shows how to adopt it.", createErr, idempotencyKey, err))
		return nil
	case len(lost) == 0:
		diags.AddError("Could not submit the RL job", fmt.Sprintf("%s\n\nNo answer came back, and no job with this config "+
			"was found on the backend since the submission (idempotency key %s): nothing was started. Apply again.", createErr, idempotencyKey))
		return nil
	case len(lost) > 1:
		diags.AddError("Could not submit the RL job", fmt.Sprintf("%s\n\nNo answer came back, and the backend now holds %d "+
			"jobs with this config created since the submission: %s. None was adopted; import the one to keep and cancel the others.",
			createErr, len(lost), joinJobIDs(lost)))
		return nil
	}
	job := lost[0]
	diags.AddWarning("RL job found after its create answer was lost",
		fmt.Sprintf("The create got no usable answer (%s), but job %s, with exactly this config, appeared on the backend since "+
			"the submission. It is adopted: nothing else was submitted.", createErr, describeJob(job)))
	return &job
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

// Read touches only the attributes the backend owns. A refresh runs for every
// job in the workspace, and reading and writing the whole model would cost
// reflection over every config attribute of each one.
func (r *rlJobResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var id, status types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("status"), &status)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Set before any other return: Terraform 1.11 sends no stored identity,
	// and the framework fails a read that leaves it empty, even one that
	// removes the job from state. State written before identity existed (or
	// by a CLI without it) gains it on its first refresh.
	setIdentity(ctx, resp.Identity, "id", id.ValueString(), &resp.Diagnostics)
	ctx = r.data.maskSecrets(ctx)
	api, ok := r.data.backend(&resp.Diagnostics)
	if !ok {
		return
	}
	job, err := api.GetJob(ctx, id.ValueString())
	if synthapi.IsNotFound(err) {
		if synthapi.PhaseOf(status.ValueString()).Terminal() {
			// Its outcome (the trained model above all) may still feed other
			// resources, so a finished job outlives the backend's record of it.
			resp.Diagnostics.AddWarning("RL job no longer on the backend",
				fmt.Sprintf("Job %s finished (%s) and the backend no longer knows it; its last recorded state is kept.",
					id.ValueString(), status.ValueString()))
			return
		}
		resp.Diagnostics.AddWarning("RL job not found",
			fmt.Sprintf("The backend has no job %s, so it is removed from state; the next apply submits a new one.", id.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Could not read the RL job", err.Error())
		return
	}
	// A refreshed job is one this workspace tracks, never a duplicate of the
	// job that replaces it. Terraform refreshes a tainted job but hands its
	// replacement's plan neither its state nor its private state, so the
	// guard's memory is what tells them apart; the private key serves the
	// replacement of an untainted job, whose plan sees the private state.
	r.data.dups.recordKnown(id.ValueString())
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateJobKey, privateJobValue(id.ValueString()))...)
	var refreshed rlJobModel
	refreshed.setJobFields(job)
	for name, value := range refreshed.jobFieldValues() {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), value)...)
	}
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
	setIdentity(ctx, resp.Identity, "id", state.ID.ValueString(), &resp.Diagnostics)
	if !plan.WaitForCompletion.ValueBool() || synthapi.PhaseOf(state.Status.ValueString()).Terminal() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}

	api, ok := r.data.backend(&resp.Diagnostics)
	if !ok {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.waitAndRecord(ctx, waitCtx, api, &plan, timeout, &resp.State, afterResume, &resp.Diagnostics)
}

func (r *rlJobResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state rlJobModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.maskSecrets(ctx)
	id := state.ID.ValueString()
	if state.OnDestroy.ValueString() == onDestroyAbandon {
		tflog.Info(ctx, "abandoning RL job: it keeps running on the backend", map[string]any{"job_id": id})
		return
	}
	api, ok := r.data.backend(&resp.Diagnostics)
	if !ok {
		return
	}
	job, err := api.GetJob(ctx, id)
	switch {
	case synthapi.IsNotFound(err):
		return
	case err != nil:
		resp.Diagnostics.AddError("Could not read the RL job before cancelling it", err.Error())
		return
	case job.Phase().Terminal():
		return
	}

	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tflog.Info(ctx, "cancelling RL job", map[string]any{"job_id": id, "status": job.Status})
	if err := api.CancelJob(waitCtx, id); err != nil {
		if synthapi.IsNotFound(err) {
			return
		}
		resp.Diagnostics.AddError("Could not cancel the RL job", fmt.Sprintf("Job %s: %s", id, err))
		return
	}
	job, err = synthapi.WaitForJob(waitCtx, api, id, r.waitOptions())
	if synthapi.IsNotFound(err) {
		return
	}
	if err != nil {
		status := "still running"
		if job != nil {
			status = "still " + job.Status
		}
		resp.Diagnostics.AddError("RL job did not stop",
			fmt.Sprintf("Job %s was asked to cancel but is %s after %s: %s. It stays in state; destroy again to "+
				"keep waiting, or set on_destroy = \"abandon\" to forget it.", id, status, timeout, err))
	}
}

func (r *rlJobResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ctx = r.data.maskSecrets(ctx)
	api, ok := r.data.backend(&resp.Diagnostics)
	if !ok {
		return
	}
	jobID := importedJobID(ctx, req, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	job, err := api.GetJob(ctx, jobID)
	if err != nil {
		resp.Diagnostics.AddError("Could not import the RL job", err.Error())
		return
	}
	resp.Diagnostics.Append(writeImportedJob(ctx, job, jobID, &resp.State)...)
	setIdentity(ctx, resp.Identity, "id", jobID, &resp.Diagnostics)
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
	section, ok := config[table].(map[string]any)
	if !ok {
		return "", false
	}
	s, ok := section[key].(string)
	return s, ok
}
