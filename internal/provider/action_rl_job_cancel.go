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
	_ action.Action              = (*jobCancelAction)(nil)
	_ action.ActionWithConfigure = (*jobCancelAction)(nil)
)

const defaultCancelTimeout = 10 * time.Minute

// jobCancelAction stops a job without destroying the resource that owns it:
// synth_rl_job_cancel and synth_sft_job_cancel.
type jobCancelAction struct {
	jobAction
}

func newRLJobCancelAction() action.Action {
	return &jobCancelAction{jobAction{kind: rlJobActions}}
}

func newSFTJobCancelAction() action.Action {
	return &jobCancelAction{jobAction{kind: sftJobActions}}
}

func (a *jobCancelAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = a.kind.typeName(req.ProviderTypeName, "cancel")
}

func (a *jobCancelAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	k := a.kind
	name := k.typeName("synth", "cancel")
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Cancels an %s (`%s`) and waits until it has stopped, for example "+
			"`terraform apply -invoke=action.%s.NAME` to stop a runaway training without destroying its "+
			"`%s` resource. A job that has already finished is reported and left alone; a job the backend does not "+
			"know is an error. Requires Terraform 1.14 or later.", k.family.noun, k.cancelRoute, name, k.address()),
		Attributes: k.attributes("How long to wait for the job to stop after the cancel is sent, as a Go " +
			"duration (`30s`, `10m`). Defaults to `10m`."),
	}
}

func (a *jobCancelAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg jobActionModel
	_, routes, ok := a.begin(ctx, req, resp, &cfg)
	if !ok {
		return
	}
	noun := a.kind.family.noun
	id := cfg.ID.ValueString()
	say := progressTo(resp, id)

	job, err := routes.GetJob(ctx, id)
	if err != nil {
		resp.Diagnostics.AddError("Could not read the "+noun, jobReadError(id, err))
		return
	}
	if job.Phase().Terminal() {
		say(ctx, "job %s has already finished (%s); nothing to cancel", id, job.Status)
		return
	}

	timeout := cfg.timeout(defaultCancelTimeout)
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := routes.CancelJob(waitCtx, id); err != nil {
		resp.Diagnostics.AddError("Could not cancel the "+noun, jobReadError(id, err))
		return
	}
	say(ctx, "cancel sent for job %s (was %s); waiting for it to stop", id, job.Status)

	job, err = synthapi.WaitForJob(waitCtx, routes, id, a.kind.waitOptions())
	if err != nil {
		summary, detail := waitDiagnostic(ctx, waitCtx, noun, id, job, timeout, err)
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
