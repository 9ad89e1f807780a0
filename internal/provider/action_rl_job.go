package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// jobAction is what every job action shares: the resource whose jobs it
// acts on, the configured provider, and the start of every invocation.
type jobAction struct {
	kind *jobActionKind
	data *providerData
}

// jobActionKind is what a job action needs to know of the resource whose
// jobs it acts on. Each resource has its own actions, named after it
// (synth_rl_job_watch, synth_sft_job_watch), so that an action_trigger
// reads as acting on the resource beside it; one implementation serves
// them all.
type jobActionKind struct {
	family *jobFamily
	// resource is the resource's type name after the provider's: "rl_job".
	resource string
	// cancelRoute is the backend call a cancel makes, for the docs.
	cancelRoute string
	// trainedModel names the model a succeeded job produced, "" when none
	// is known yet.
	trainedModel func(ctx context.Context, api backend, job *synthapi.Job) string
}

var rlJobActions = &jobActionKind{
	family:       rlFamily,
	resource:     "rl_job",
	cancelRoute:  "POST /rl/jobs/{id}/cancel",
	trainedModel: func(_ context.Context, _ backend, job *synthapi.Job) string { return job.OutputModelID },
}

var sftJobActions = &jobActionKind{
	family:      sftFamily,
	resource:    "sft_job",
	cancelRoute: "POST /learning/jobs/{id}/cancel",
	// §12: the model may be named a little after the status says
	// succeeded, and elsewhere than on the job.
	trainedModel: func(ctx context.Context, api backend, job *synthapi.Job) string {
		model, err := api.SFT().ResolveFineTunedModel(ctx, job, synthapi.ResolveOptions{})
		if err != nil {
			tflog.Warn(ctx, "the SFT job's trained model is not known", map[string]any{"job_id": job.ID, "error": err.Error()})
		}
		return model
	},
}

// typeName is the action's type: the resource's, then suffix.
func (k *jobActionKind) typeName(providerTypeName, suffix string) string {
	return providerTypeName + "_" + k.resource + "_" + suffix
}

// address is the resource's type, as a configuration names it.
func (k *jobActionKind) address() string { return "synth_" + k.resource }

// waitOptions tune the action's waits: a job may not be visible right
// after its create, as the resource's own wait allows.
func (k *jobActionKind) waitOptions() synthapi.WaitOptions {
	return synthapi.WaitOptions{NotFoundGrace: k.family.notFoundGrace}
}

func (a *jobAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// begin reads the action's config into cfg (a pointer to the action's model)
// and returns the job routes of the action's resource; ok is false when the
// invocation cannot go on, with the reason in resp.
func (a *jobAction) begin(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse, cfg any) (backend, jobRoutes, bool) {
	resp.Diagnostics.Append(req.Config.Get(ctx, cfg)...)
	if resp.Diagnostics.HasError() || a.data == nil {
		return nil, nil, false
	}
	api, ok := a.data.backend(&resp.Diagnostics)
	if !ok {
		return nil, nil, false
	}
	return api, a.kind.family.routes(api), true
}

// jobActionModel is the config block every job action takes.
type jobActionModel struct {
	ID      types.String `tfsdk:"id"`
	Timeout types.String `tfsdk:"timeout"`
}

func (k *jobActionKind) attributes(timeoutDescription string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The job id, for example `" + k.address() + ".NAME.id`.",
			Required:            true,
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"timeout": schema.StringAttribute{
			MarkdownDescription: timeoutDescription,
			Optional:            true,
			Validators:          []validator.String{durationValidator{}},
		},
	}
}

// timeout returns the configured timeout, or def when none is set.
func (m jobActionModel) timeout(def time.Duration) time.Duration {
	return durationOr(m.Timeout, def)
}

// durationOr returns a duration setting, or def when it is not set. The
// setting's validator has already rejected a malformed one.
func durationOr(v types.String, def time.Duration) time.Duration {
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	d, err := time.ParseDuration(v.ValueString())
	if err != nil {
		return def
	}
	return d
}

// progress sends one message to the CLI and to the log, so a run without a
// terminal (or an older core that drops progress) still records it.
type progress func(ctx context.Context, format string, args ...any)

func progressTo(resp *action.InvokeResponse, id string) progress {
	return func(ctx context.Context, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		tflog.Info(ctx, msg, map[string]any{"job_id": id})
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}
}

// jobEndReason quotes the backend's reason for a failed or cancelled job and
// its last error events.
func jobEndReason(ctx context.Context, api synthapi.JobSource, job *synthapi.Job) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Job %s ended %s", job.ID, job.Status)
	if job.ErrorMessage != "" {
		fmt.Fprintf(&b, ": %s", job.ErrorMessage)
	}
	b.WriteString(".")
	events, err := synthapi.LastErrorEvents(ctx, api, job.ID, 3)
	if err != nil {
		tflog.Warn(ctx, "could not read the job's events", map[string]any{"job_id": job.ID, "error": err.Error()})
	}
	if len(events) > 0 {
		b.WriteString("\n\nLast error events:")
		for _, e := range events {
			fmt.Fprintf(&b, "\n  [%s] %s", e.Type, e.Message)
		}
	}
	return b.String()
}

// waitDiagnostic explains a wait that ended without a terminal job.
func waitDiagnostic(rpcCtx, waitCtx context.Context, noun, id string, job *synthapi.Job, timeout time.Duration, err error) (string, string) {
	status := "running"
	if job != nil {
		status = job.Status
	}
	switch {
	case rpcCtx.Err() != nil:
		return "Interrupted", fmt.Sprintf("Terraform stopped the action; job %s is still %s on the backend.", id, status)
	case waitCtx.Err() != nil:
		return "Timed out", fmt.Sprintf("Job %s is still %s after %s (the action's timeout).", id, status, timeout)
	default:
		return "Lost track of the " + noun, fmt.Sprintf("Following job %s failed: %s.", id, err)
	}
}

var _ provider.ProviderWithActions = (*synthProvider)(nil)

// Actions needs Terraform 1.14 or later; older cores never ask for them.
func (p *synthProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{
		newRLJobCancelAction,
		newRLJobWatchAction,
		newSFTJobCancelAction,
		newSFTJobWatchAction,
	}
}
