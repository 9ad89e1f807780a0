package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

var (
	_ resource.Resource                   = (*sftJobResource)(nil)
	_ resource.ResourceWithConfigure      = (*sftJobResource)(nil)
	_ resource.ResourceWithImportState    = (*sftJobResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*sftJobResource)(nil)
	_ resource.ResourceWithValidateConfig = (*sftJobResource)(nil)
	_ resource.ResourceWithIdentity       = (*sftJobResource)(nil)
)

// sftJobResource is an SFT job (§§10–12) with the lifecycle of
// synth_rl_job: DESIGN.md's lifecycle contract holds for both.
type sftJobResource struct {
	data *providerData
	// resolve tunes the search for the trained model after success.
	resolve synthapi.ResolveOptions
}

func newSFTJobResource() resource.Resource { return &sftJobResource{} }

func (r *sftJobResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sft_job"
}

func (r *sftJobResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *sftJobResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan sftJobModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.maskSecrets(ctx)
	defer r.data.maskDiagnostics(&resp.Diagnostics)
	timeout, diags := plan.Timeouts.Create(ctx, defaultSFTCreateTimeout)
	resp.Diagnostics.Append(diags...)
	input, diags := plan.configInput(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	payload, encoded := sftPayload(input, &resp.Diagnostics)
	if payload == nil {
		return
	}
	key, err := sftFamily.key([]byte(encoded))
	if err != nil {
		resp.Diagnostics.AddError("Could not encode the SFT job's create request", err.Error())
		return
	}
	api, ok := r.data.backend(&resp.Diagnostics)
	if !ok {
		return
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	job := submitJob(ctx, waitCtx, api, r.data.sftDups, payload, key, plan.AllowDuplicate.ValueBool(), &resp.Diagnostics)
	if job == nil {
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateJobKey, privateJobValue(job.ID))...)
	plan.ID = types.StringValue(job.ID)
	plan.EffectiveConfig = types.StringValue(encoded)
	plan.setFromJob(job)
	// Save the id before starting and waiting: whatever happens next, the
	// job is never lost from state.
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, "id", job.ID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	outcome, err := api.SFT().StartJob(waitCtx, job.ID, synthapi.StartOptions{})
	if err != nil {
		resp.Diagnostics.AddError("Could not start the SFT job",
			fmt.Sprintf("Job %s was created but not started: %s. %s", job.ID, err, afterCreate.unfinished))
		return
	}
	tflog.Info(ctx, "started SFT job", map[string]any{"job_id": job.ID, "start_call_needed": outcome != synthapi.StartNotNeeded})
	if !plan.WaitForCompletion.ValueBool() {
		return
	}
	r.waitAndResolve(ctx, waitCtx, api, &plan, timeout, &resp.State, afterCreate, &resp.Diagnostics)
}

// waitAndResolve waits for the job, then finds its trained model (§12: it
// can arrive a little after the status), recording both in state.
func (r *sftJobResource) waitAndResolve(rpcCtx, waitCtx context.Context, api backend, plan *sftJobModel, timeout time.Duration, state *tfsdk.State, advice waitAdvice, diags *diag.Diagnostics) {
	save := func() diag.Diagnostics { return state.Set(rpcCtx, plan) }
	job := waitAndRecord(rpcCtx, waitCtx, api, jobWait{
		family: sftFamily, id: plan.ID.ValueString(), timeout: timeout, advice: advice,
		record: plan.setFromJob,
		status: plan.Status.ValueString,
		save:   save,
	}, diags)
	if job == nil || !plan.FineTunedModel.IsNull() {
		return
	}
	model, err := api.SFT().ResolveFineTunedModel(waitCtx, job, r.resolve)
	if err != nil {
		diags.AddError("SFT job succeeded without a trained model",
			fmt.Sprintf("%s. %s", err, advice.unfinished))
		return
	}
	plan.setModel(model)
	diags.Append(save()...)
}

// Read records what the backend says of the job. A trained model found by
// §12's fallbacks, which the job object does not name, is kept.
func (r *sftJobResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = r.data.maskSecrets(ctx)
	job, _ := readJob(ctx, r.data, sftFamily, req, resp)
	if job == nil {
		return
	}
	var fields sftJobFields
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("fine_tuned_model"), &fields.FineTunedModel)...)
	fields.setFromJob(job)
	resp.Diagnostics.Append(setRootAttributes(ctx, &resp.State, fields.values())...)
}

// Update never calls the backend to change a job: what remains is resuming
// the wait for a job that is still running, as for synth_rl_job.
func (r *sftJobResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state sftJobModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.maskSecrets(ctx)
	plan.ID = state.ID
	plan.sftJobFields = state.sftJobFields
	plan.EffectiveConfig = state.EffectiveConfig
	updateJob(ctx, r.data, resumedWait{
		family: sftFamily, id: state.ID.ValueString(), status: state.Status.ValueString(),
		wait: plan.WaitForCompletion.ValueBool(), timeouts: plan.Timeouts, defaultTimeout: defaultSFTCreateTimeout,
		save: func() diag.Diagnostics { return resp.State.Set(ctx, &plan) },
		resume: func(waitCtx context.Context, api backend, timeout time.Duration) {
			// A job submitted without waiting may still wait for its start.
			if plan.Status.ValueString() == "created" {
				if _, err := api.SFT().StartJob(waitCtx, plan.ID.ValueString(), synthapi.StartOptions{}); err != nil {
					resp.Diagnostics.AddError("Could not start the SFT job",
						fmt.Sprintf("Job %s: %s. %s", plan.ID.ValueString(), err, afterResume.unfinished))
					resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
					return
				}
			}
			r.waitAndResolve(ctx, waitCtx, api, &plan, timeout, &resp.State, afterResume, &resp.Diagnostics)
		},
	}, resp)
}

func (r *sftJobResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteJob(ctx, r.data, sftFamily, req, resp)
}

func (r *sftJobResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importJob(ctx, r.data, sftFamily, req, resp, writeImportedSFTJob)
}
