package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// The lifecycle both job resources share: submit exactly once, wait, refresh,
// cancel, import.

// submitJob creates the job, whose key (jobFamily.key) is key, unless an identical one is already on the backend,
// and finds the job a create without an answer made. It returns nil, with the
// reason in diags, when there is no job to track.
func submitJob(ctx, waitCtx context.Context, api backend, dups *dupGuard, payload any, key string, allowDuplicate bool, diags *diag.Diagnostics) *synthapi.Job {
	noun := dups.family.noun
	unlock := dups.lock(key)
	defer unlock()

	// The plan may be hours old, and the health check minutes long: look
	// again with a listing taken from now on, right before submitting.
	found, err := dups.findIdentical(waitCtx, api, key, "", time.Now())
	switch {
	case err != nil && !allowDuplicate:
		diags.AddError("Could not look for an identical "+noun+"; nothing was submitted",
			fmt.Sprintf("Before submitting, the provider checks the backend for a job with exactly this config, so that "+
				"the same training never runs twice. The check failed: %s\n\nApply again once the backend answers, or set "+
				"allow_duplicate = true to submit without the check.", err))
		return nil
	case err != nil:
		diags.AddWarning("Could not look for an identical "+noun, fmt.Sprintf("%s; allow_duplicate = true, so the job is submitted anyway.", err))
		found = &identicalJobs{}
	}
	reportIdentical(noun, found, allowDuplicate, diags)
	if diags.HasError() {
		return nil
	}

	// One key for every retry of this create: a retry after a lost answer gets
	// the job the first attempt created instead of starting a second one.
	idempotencyKey := synthapi.NewIdempotencyKey()
	tflog.Info(ctx, "submitting "+noun, map[string]any{"idempotency_key": idempotencyKey})
	submittedAt := time.Now()
	job, err := dups.family.routes(api).CreateJob(waitCtx, payload, idempotencyKey)
	if err != nil {
		var refused *synthapi.APIError
		if !synthapi.IsTransient(err) && errors.As(err, &refused) {
			diags.AddError("Could not submit the "+noun, err.Error())
			return nil
		}
		// No answer, an outage, or an answer that could not be read: the
		// backend may have created the job all the same, so look for it.
		job = findLostJob(ctx, api, dups, key, submittedAt, found.listedIDs, idempotencyKey, err, diags)
		if job == nil {
			return nil
		}
	}
	dups.recordSubmitted(job.ID)
	tflog.Info(ctx, "submitted "+noun, map[string]any{"job_id": job.ID, "status": job.Status})
	return job
}

// findLostJob adopts the one job a create without an answer made, and
// explains what it found otherwise. It never submits anything.
func findLostJob(ctx context.Context, api backend, dups *dupGuard, key string, submittedAt time.Time, before map[string]bool, idempotencyKey string, createErr error, diags *diag.Diagnostics) *synthapi.Job {
	noun := dups.family.noun
	lost, cutShort, err := dups.findLost(ctx, api, key, submittedAt, before)
	if cutShort != "" {
		diags.AddWarning("The lookup of the lost job is incomplete", fmt.Sprintf("Looking for the job the create may "+
			"have made, %s, so a job created since the submission may have been missed.", cutShort))
	}
	switch {
	case err != nil:
		diags.AddError("Could not submit the "+noun, fmt.Sprintf("%s\n\nThe backend may have created the job before the "+
			"failure (idempotency key %s), and looking for it failed too: %s. Look for it in the Synth dashboard before applying again; "+
			"the next plan also looks for it and shows how to adopt it.", createErr, idempotencyKey, err))
		return nil
	case len(lost) == 0:
		diags.AddError("Could not submit the "+noun, fmt.Sprintf("%s\n\nNo answer came back, and no job with this config "+
			"was found on the backend since the submission (idempotency key %s): nothing was started. Apply again.", createErr, idempotencyKey))
		return nil
	case len(lost) > 1:
		diags.AddError("Could not submit the "+noun, fmt.Sprintf("%s\n\nNo answer came back, and the backend now holds %d "+
			"jobs with this config created since the submission: %s. None was adopted; import the one to keep and cancel the others.",
			createErr, len(lost), joinJobIDs(lost)))
		return nil
	}
	job := lost[0]
	diags.AddWarning(noun+" found after its create answer was lost",
		fmt.Sprintf("The create got no usable answer (%s), but job %s, with exactly this config, appeared on the backend since "+
			"the submission. It is adopted: nothing else was submitted.", createErr, describeJob(job)))
	return &job
}

// cancelJob is what destroying a job does with on_destroy = "cancel": a
// job still running is cancelled and waited for, up to timeout, until it
// stops. A job the backend no longer has, or one that has ended, is done.
func cancelJob(ctx context.Context, data *providerData, family *jobFamily, id string, timeout time.Duration, diags *diag.Diagnostics) {
	api, ok := data.backend(diags)
	if !ok {
		return
	}
	noun := family.noun
	routes := family.routes(api)
	job, err := routes.GetJob(ctx, id)
	switch {
	case synthapi.IsNotFound(err):
		return
	case err != nil:
		diags.AddError("Could not read the "+noun+" before cancelling it", err.Error())
		return
	case job.Phase().Terminal():
		return
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tflog.Info(ctx, "cancelling "+noun, map[string]any{"job_id": id, "status": job.Status})
	if err := routes.CancelJob(waitCtx, id); err != nil {
		if synthapi.IsNotFound(err) {
			return
		}
		diags.AddError("Could not cancel the "+noun, fmt.Sprintf("Job %s: %s", id, err))
		return
	}
	job, err = synthapi.WaitForJob(waitCtx, routes, id, waitOptions(family))
	if synthapi.IsNotFound(err) {
		return
	}
	if err != nil {
		status := "still running"
		if job != nil {
			status = "still " + job.Status
		}
		diags.AddError(noun+" did not stop",
			fmt.Sprintf("Job %s was asked to cancel but is %s after %s: %s. It stays in state; destroy again to "+
				"keep waiting, or set on_destroy = \"abandon\" to forget it.", id, status, timeout, err))
	}
}

// guard is the identical-job check of family's jobs.
func (d *providerData) guard(family *jobFamily) *dupGuard {
	if family == sftFamily {
		return d.sftDups
	}
	return d.dups
}

// readJob is the refresh both job resources share: it reads the job in
// state, handles a job the backend no longer has, and returns the job for
// the caller to record (nil when there is nothing to record). It touches
// only what it must: a refresh runs for every job in the workspace, and
// reading and writing the whole model would cost reflection over every
// config attribute of each one.
//
// ctx must already mask the provider's secrets (providerData.maskSecrets);
// api is the backend the job was read from.
func readJob(ctx context.Context, data *providerData, family *jobFamily, req resource.ReadRequest, resp *resource.ReadResponse) (job *synthapi.Job, api backend) {
	var id, status types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("status"), &status)...)
	if resp.Diagnostics.HasError() {
		return nil, nil
	}
	// Set before any other return: Terraform 1.11 sends no stored identity,
	// and the framework fails a read that leaves it empty, even one that
	// removes the job from state. State written before identity existed (or
	// by a CLI without it) gains it on its first refresh.
	setIdentity(ctx, resp.Identity, "id", id.ValueString(), &resp.Diagnostics)
	api, ok := data.backend(&resp.Diagnostics)
	if !ok {
		return nil, nil
	}
	noun := family.noun
	job, err := family.routes(api).GetJob(ctx, id.ValueString())
	if synthapi.IsNotFound(err) {
		if family.phase(status.ValueString()).Terminal() {
			// Its outcome (the trained model above all) may still feed other
			// resources, so a finished job outlives the backend's record of it.
			resp.Diagnostics.AddWarning(noun+" no longer on the backend",
				fmt.Sprintf("Job %s finished (%s) and the backend no longer knows it; its last recorded state is kept.",
					id.ValueString(), status.ValueString()))
			return nil, nil
		}
		resp.Diagnostics.AddWarning(noun+" not found",
			fmt.Sprintf("The backend has no job %s, so it is removed from state; the next apply submits a new one.", id.ValueString()))
		resp.State.RemoveResource(ctx)
		return nil, nil
	}
	if err != nil {
		resp.Diagnostics.AddError("Could not read the "+noun, err.Error())
		return nil, nil
	}
	// A refreshed job is one this workspace tracks, never a duplicate of the
	// job that replaces it. Terraform refreshes a tainted job but hands its
	// replacement's plan neither its state nor its private state, so the
	// guard's memory is what tells them apart; the private key serves the
	// replacement of an untainted job, whose plan sees the private state.
	data.guard(family).recordKnown(id.ValueString())
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateJobKey, privateJobValue(id.ValueString()))...)
	return job, api
}

// deleteJob is the destroy both job resources share: on_destroy says
// whether a running job is cancelled (cancelJob) or only forgotten.
func deleteJob(ctx context.Context, data *providerData, family *jobFamily, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var id, onDestroy types.String
	var waits timeouts.Value
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("on_destroy"), &onDestroy)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("timeouts"), &waits)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = data.maskSecrets(ctx)
	if onDestroy.ValueString() == onDestroyAbandon {
		tflog.Info(ctx, "abandoning "+family.noun+": it keeps running on the backend", map[string]any{"job_id": id.ValueString()})
		return
	}
	timeout, diags := waits.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cancelJob(ctx, data, family, id.ValueString(), timeout, &resp.Diagnostics)
}

// importJob is the import both job resources share: the job named by id or
// identity is read and handed to write, which records it in state.
func importJob(ctx context.Context, data *providerData, family *jobFamily, req resource.ImportStateRequest, resp *resource.ImportStateResponse,
	write func(ctx context.Context, job *synthapi.Job, id string, dst attributeSetter) diag.Diagnostics) {
	ctx = data.maskSecrets(ctx)
	api, ok := data.backend(&resp.Diagnostics)
	if !ok {
		return
	}
	jobID := importedJobID(ctx, req, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	job, err := family.routes(api).GetJob(ctx, jobID)
	if err != nil {
		resp.Diagnostics.AddError("Could not import the "+family.noun, err.Error())
		return
	}
	resp.Diagnostics.Append(write(ctx, job, jobID, &resp.State)...)
	setIdentity(ctx, resp.Identity, "id", jobID, &resp.Diagnostics)
}
