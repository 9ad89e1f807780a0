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

// jobAction is what both job actions share: the configured provider, and the
// start of every invocation.
type jobAction struct {
	data *providerData
}

func (a *jobAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// begin reads the action's config into cfg (a pointer to the action's model)
// and returns the backend client; ok is false when the invocation cannot go
// on, with the reason in resp.
func (a *jobAction) begin(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse, cfg any) (backend, bool) {
	resp.Diagnostics.Append(req.Config.Get(ctx, cfg)...)
	if resp.Diagnostics.HasError() || a.data == nil {
		return nil, false
	}
	return a.data.backend(&resp.Diagnostics)
}

// rlJobActionModel is the config block both job actions take.
type rlJobActionModel struct {
	ID      types.String `tfsdk:"id"`
	Timeout types.String `tfsdk:"timeout"`
}

func rlJobActionAttributes(timeoutDescription string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The job id, for example `synth_rl_job.NAME.id`.",
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
func (m rlJobActionModel) timeout(def time.Duration) time.Duration {
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
func waitDiagnostic(rpcCtx, waitCtx context.Context, id string, job *synthapi.Job, timeout time.Duration, err error) (string, string) {
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
		return "Lost track of the RL job", fmt.Sprintf("Following job %s failed: %s.", id, err)
	}
}

var _ provider.ProviderWithActions = (*synthProvider)(nil)

// Actions needs Terraform 1.14 or later; older cores never ask for them.
func (p *synthProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{
		newRLJobCancelAction,
		newRLJobWatchAction,
	}
}
