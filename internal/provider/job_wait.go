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

// jobWait is one wait for a job, and where its outcome goes.
type jobWait struct {
	family  *jobFamily
	id      string
	timeout time.Duration
	advice  waitAdvice
	// record writes what the backend says of the job into the model, and
	// save writes the model to state; status reads the recorded status.
	record func(job *synthapi.Job)
	status func() string
	save   func() diag.Diagnostics
	// settled, when set, records more of a job the wait saw end, before save.
	settled func(job *synthapi.Job)
}

// waitAndRecord waits for the job to finish and records the outcome in
// state, whatever it is. rpcCtx is the request's own context; waitCtx adds
// the timeout. It returns the job when it succeeded, nil otherwise, with
// the reason in diags.
func waitAndRecord(rpcCtx, waitCtx context.Context, api backend, w jobWait, diags *diag.Diagnostics) *synthapi.Job {
	noun := w.family.noun
	routes := w.family.routes(api)
	job, err := synthapi.WaitForJob(waitCtx, routes, w.id, waitOptions(w.family))
	if job != nil {
		w.record(job)
	}
	if err == nil && w.settled != nil {
		w.settled(job)
	}
	diags.Append(w.save()...)

	status := w.status()
	switch {
	case err != nil && rpcCtx.Err() != nil:
		diags.AddError("Interrupted while waiting for the "+noun,
			fmt.Sprintf("Terraform stopped the wait; job %s is still %s on the backend. %s", w.id, status, w.advice.unfinished))
	case err != nil && waitCtx.Err() != nil:
		diags.AddError("Timed out waiting for the "+noun,
			fmt.Sprintf("Job %s is still %s after %s (timeouts.create). %s", w.id, status, w.timeout, w.advice.unfinished))
	case err != nil:
		diags.AddError("Lost track of the "+noun+" while waiting",
			fmt.Sprintf("Waiting for job %s failed: %s. %s", w.id, err, w.advice.unfinished))
	case job.Phase() == synthapi.PhaseFailed:
		diags.AddError(noun+" failed", jobEndReason(rpcCtx, routes, job)+"\n\n"+w.advice.failed)
	case job.Phase() == synthapi.PhaseCancelled:
		diags.AddError(noun+" was cancelled", jobEndReason(rpcCtx, routes, job)+"\n\n"+w.advice.failed)
	case job.Phase() == synthapi.PhaseSucceeded:
		return job
	}
	return nil
}

// waitAndRecord waits for the job in plan; see the function of that name.
func (r *rlJobResource) waitAndRecord(rpcCtx, waitCtx context.Context, api backend, plan *rlJobModel, timeout time.Duration, state *tfsdk.State, advice waitAdvice, diags *diag.Diagnostics) {
	plan.Results = nullResults()
	waitAndRecord(rpcCtx, waitCtx, api, jobWait{
		family: rlFamily, id: plan.ID.ValueString(), timeout: timeout, advice: advice,
		record:  plan.setJobFields,
		status:  plan.Status.ValueString,
		save:    func() diag.Diagnostics { return state.Set(rpcCtx, plan) },
		settled: func(job *synthapi.Job) { plan.Results = readResults(rpcCtx, api, job, diags) },
	}, diags)
}

func waitOptions(family *jobFamily) synthapi.WaitOptions {
	return synthapi.WaitOptions{
		NotFoundGrace: family.notFoundGrace,
		OnStatusChange: func(ctx context.Context, job *synthapi.Job) {
			tflog.Info(ctx, family.noun+" status", map[string]any{"job_id": job.ID, "status": job.Status})
		},
		OnTransientError: func(ctx context.Context, err error, consecutive int) {
			tflog.Warn(ctx, "polling the "+family.noun+" failed; polling goes on", map[string]any{"error": err.Error(), "consecutive_errors": consecutive})
		},
	}
}
