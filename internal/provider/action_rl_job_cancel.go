package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

var (
	_ action.Action              = (*rlJobCancelAction)(nil)
	_ action.ActionWithConfigure = (*rlJobCancelAction)(nil)
)

const defaultCancelTimeout = 10 * time.Minute

// rlJobCancelAction stops a job without destroying the resource that owns it.
type rlJobCancelAction struct {
	jobAction
}

func newRLJobCancelAction() action.Action {
	return &rlJobCancelAction{}
}

func (a *rlJobCancelAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_rl_job_cancel"
}

func (a *rlJobCancelAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Cancels an RL job (`POST /rl/jobs/{id}/cancel`) and waits until it has stopped, for example " +
			"`terraform apply -invoke=action.synth_rl_job_cancel.NAME` to stop a runaway training without destroying its " +
			"resource. A job that has already finished is reported and left alone; a job the backend does not know is an " +
			"error. Requires Terraform 1.14 or later.",
		Attributes: rlJobActionAttributes("How long to wait for the job to stop after the cancel is sent, as a Go " +
			"duration (`30s`, `10m`). Defaults to `10m`."),
	}
}

func (a *rlJobCancelAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg rlJobActionModel
	api, ok := a.begin(ctx, req, resp, &cfg)
	if !ok {
		return
	}
	id := cfg.ID.ValueString()
	say := progressTo(resp, id)

	job, err := api.GetJob(ctx, id)
	if err != nil {
		resp.Diagnostics.AddError("Could not read the RL job", jobReadError(id, err))
		return
	}
	if job.Phase().Terminal() {
		say(ctx, "job %s has already finished (%s); nothing to cancel", id, job.Status)
		return
	}

	timeout := cfg.timeout(defaultCancelTimeout)
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := api.CancelJob(waitCtx, id); err != nil {
		resp.Diagnostics.AddError("Could not cancel the RL job", jobReadError(id, err))
		return
	}
	say(ctx, "cancel sent for job %s (was %s); waiting for it to stop", id, job.Status)

	job, err = synthapi.WaitForJob(waitCtx, api, id, synthapi.WaitOptions{})
	if err != nil {
		summary, detail := waitDiagnostic(ctx, waitCtx, id, job, timeout, err)
		resp.Diagnostics.AddError(summary, "The cancel was sent. "+detail)
		return
	}
	say(ctx, "job %s stopped: %s", id, job.Status)
}

// jobReadError words a failed call on one job, making a 404 plain.
func jobReadError(id string, err error) string {
	if synthapi.IsNotFound(err) {
		return fmt.Sprintf("The backend has no job %s (HTTP 404). Check the id, and that the provider's api_key "+
			"belongs to the organization that owns the job.", id)
	}
	return fmt.Sprintf("Job %s: %s", id, err)
}
