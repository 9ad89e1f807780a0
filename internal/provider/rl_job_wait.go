package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// waitAdvice says what the next apply does after a wait that ended in
// error. It depends on where the wait ran: an error from Create taints the
// resource, an error from Update cannot.
type waitAdvice struct {
	// unfinished follows a wait that ended before the job did.
	unfinished string
	// failed follows a job that failed or was cancelled.
	failed string
}

// afterCreate is the advice for the wait that follows a submission.
var afterCreate = waitAdvice{
	unfinished: "The job id is saved in state and the resource is marked tainted, so the next apply would " +
		"submit a new job. To keep this job and wait for it again, run `terraform untaint` on this resource and apply; " +
		"to stop it, destroy the resource.",
	failed: "The resource is marked tainted, so the next apply submits a new job.",
}

// afterResume is the advice for a wait resumed in place by an update.
var afterResume = waitAdvice{
	unfinished: "The job stays in state, not tainted, so the next apply waits for it again; to stop it, destroy " +
		"the resource.",
	failed: "While wait_for_completion is true, the next plan replaces it with a new job.",
}

// waitAndRecord waits for the job in plan to finish and records the outcome in
// state. rpcCtx is the request's own context; waitCtx adds the timeout.
func (r *rlJobResource) waitAndRecord(rpcCtx, waitCtx context.Context, api backend, plan *rlJobModel, timeout time.Duration, state *tfsdk.State, advice waitAdvice, diags *diag.Diagnostics) {
	id := plan.ID.ValueString()
	job, err := synthapi.WaitForJob(waitCtx, api, id, r.waitOptions())
	if job != nil {
		plan.setJobFields(job)
	}
	plan.Results = nullResults()
	if err == nil {
		plan.Results = readResults(rpcCtx, api, job, diags)
	}
	diags.Append(state.Set(rpcCtx, plan)...)

	status := plan.Status.ValueString()
	switch {
	case err != nil && rpcCtx.Err() != nil:
		diags.AddError("Interrupted while waiting for the RL job",
			fmt.Sprintf("Terraform stopped the wait; job %s is still %s on the backend. %s", id, status, advice.unfinished))
	case err != nil && waitCtx.Err() != nil:
		diags.AddError("Timed out waiting for the RL job",
			fmt.Sprintf("Job %s is still %s after %s (timeouts.create). %s", id, status, timeout, advice.unfinished))
	case err != nil:
		diags.AddError("Lost track of the RL job while waiting",
			fmt.Sprintf("Waiting for job %s failed: %s. %s", id, err, advice.unfinished))
	case job.Phase() == synthapi.PhaseFailed:
		diags.AddError("RL job failed", r.explainFailure(rpcCtx, api, job, advice.failed))
	case job.Phase() == synthapi.PhaseCancelled:
		diags.AddError("RL job was cancelled", r.explainFailure(rpcCtx, api, job, advice.failed))
	}
}

// explainFailure quotes the backend's reason and the job's last error events,
// then says what the next apply does about it.
func (r *rlJobResource) explainFailure(ctx context.Context, api backend, job *synthapi.Job, next string) string {
	return jobEndReason(ctx, api, job) + "\n\n" + next
}

func (r *rlJobResource) waitOptions() synthapi.WaitOptions {
	return synthapi.WaitOptions{
		OnStatusChange: func(ctx context.Context, job *synthapi.Job) {
			tflog.Info(ctx, "RL job status", map[string]any{"job_id": job.ID, "status": job.Status})
		},
		OnTransientError: func(ctx context.Context, err error, consecutive int) {
			tflog.Warn(ctx, "polling the RL job failed; polling goes on", map[string]any{"error": err.Error(), "consecutive_errors": consecutive})
		},
	}
}
