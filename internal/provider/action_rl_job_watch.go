package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

var (
	_ action.Action              = (*jobWatchAction)(nil)
	_ action.ActionWithConfigure = (*jobWatchAction)(nil)
)

// defaultWatchTimeout is twice the resource's default create timeout (12 h),
// so a watch triggered after_create gives up no sooner than a waited create
// would.
const defaultWatchTimeout = 24 * time.Hour

// Metric lines are sent at most every metrics_interval. Each one reads the
// job's metrics from the backend, so the floor bounds what a watch costs it
// (events are read at every poll, from 1 s to 30 s apart, as the resource
// polls).
const (
	defaultMetricsInterval = 30 * time.Second
	minMetricsInterval     = 5 * time.Second
)

// jobWatchModel is the watch's config: the job actions' settings and the
// cadence of metric lines.
type jobWatchModel struct {
	jobActionModel
	MetricsInterval types.String `tfsdk:"metrics_interval"`
}

// jobWatchAction follows a job to its end and streams what it does into
// the CLI's output: synth_rl_job_watch and synth_sft_job_watch.
type jobWatchAction struct {
	jobAction
}

func newRLJobWatchAction() action.Action {
	return &jobWatchAction{jobAction{kind: rlJobActions}}
}

func newSFTJobWatchAction() action.Action {
	return &jobWatchAction{jobAction{kind: sftJobActions}}
}

func (a *jobWatchAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = a.kind.typeName(req.ProviderTypeName, "watch")
}

func (a *jobWatchAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	k := a.kind
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Follows an %s until it finishes, sending a progress message for each status change, "+
			"for each new event, and at most every `metrics_interval` (30 seconds unless set) the latest value of each "+
			"metric the job reports (with the epoch, when the job reports one). It polls "+
			"as the `%[2]s` resource waits (adaptively, from 1 s up to 30 s) and reads events and metrics from "+
			"cursors, so nothing is shown twice. The action fails when the job fails or is cancelled, quoting the "+
			"backend's reason. Run it with `terraform apply -invoke=action.%[3]s.NAME`, or trigger it "+
			"`after_create` on a `%[2]s` with `wait_for_completion = false`, so the job id is in state before "+
			"the long wait begins. Requires Terraform 1.14 or later.", k.family.noun, k.address(), k.typeName("synth", "watch")),
		Attributes: a.attributes(),
	}
}

func (a *jobWatchAction) attributes() map[string]schema.Attribute {
	attrs := a.kind.attributes("How long to follow the job before the action fails, as a Go duration " +
		"(`90m`, `6h`). The job itself is not touched when the watch ends. Defaults to `24h`.")
	attrs["metrics_interval"] = schema.StringAttribute{
		MarkdownDescription: fmt.Sprintf("The shortest time between two metric lines, as a Go duration: `%s` for a "+
			"person at a terminal, `10m` for a quiet CI log. Each line reads the job's metrics from the backend, so it "+
			"may not be shorter than `%s`. Status changes and events are shown as they come whatever it is, and the "+
			"last metrics once more when the job ends. Defaults to `%s`.",
			minMetricsInterval, minMetricsInterval, defaultMetricsInterval),
		Optional:   true,
		Validators: []validator.String{durationValidator{atLeast: minMetricsInterval}},
	}
	return attrs
}

func (a *jobWatchAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg jobWatchModel
	api, routes, ok := a.begin(ctx, req, resp, &cfg)
	if !ok {
		return
	}
	noun := a.kind.family.noun
	id := cfg.ID.ValueString()
	say := progressTo(resp, id)
	timeout := cfg.timeout(defaultWatchTimeout)
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var lastStatus string
	wait := a.kind.waitOptions()
	wait.OnStatusChange = func(ctx context.Context, job *synthapi.Job) {
		if lastStatus == "" {
			say(ctx, "job %s is %s", id, job.Status)
		} else {
			say(ctx, "job %s: %s → %s", id, lastStatus, job.Status)
		}
		lastStatus = job.Status
	}
	wait.OnTransientError = func(ctx context.Context, err error, consecutive int) {
		tflog.Warn(ctx, "polling the "+noun+" failed; polling goes on", map[string]any{"error": err.Error(), "consecutive_errors": consecutive})
	}
	job, err := synthapi.FollowJob(waitCtx, routes, id, synthapi.FollowOptions{
		Wait: wait,
		OnEvent: func(ctx context.Context, ev synthapi.Event) {
			say(ctx, "%s", eventLine(ev))
		},
		OnMetrics: func(ctx context.Context, m synthapi.MetricsUpdate) {
			say(ctx, "%s", metricsLine(m))
		},
		MetricsEvery: durationOr(cfg.MetricsInterval, defaultMetricsInterval),
		OnFeedError: func(ctx context.Context, err error) {
			tflog.Warn(ctx, "could not read the job's feed; following goes on", map[string]any{"error": err.Error()})
		},
	})
	switch {
	case err != nil && synthapi.IsNotFound(err):
		resp.Diagnostics.AddError("Could not follow the "+noun, jobReadError(id, err))
	case errors.Is(err, synthapi.ErrJobPaused):
		resp.Diagnostics.AddError(noun+" is paused", fmt.Sprintf("Job %s is paused on the backend: it has not "+
			"finished, and will not change until it is resumed. Invoke the watch again once it runs.", id))
	case err != nil:
		summary, detail := waitDiagnostic(ctx, waitCtx, noun, id, job, timeout, err)
		resp.Diagnostics.AddError(summary+" while watching the "+noun, detail)
	case job.Phase() == synthapi.PhaseFailed:
		resp.Diagnostics.AddError(noun+" failed", jobEndReason(ctx, routes, job))
	case job.Phase() == synthapi.PhaseCancelled:
		resp.Diagnostics.AddError(noun+" was cancelled", jobEndReason(ctx, routes, job))
	default:
		line := fmt.Sprintf("job %s %s", id, job.Status)
		if model := a.kind.trainedModel(waitCtx, api, job); model != "" {
			line += ": " + model
		}
		say(ctx, "%s", line)
	}
}

// eventLine shows one event as `[seq] type: message`, marking warnings and
// errors so they stand out in a long stream.
func eventLine(ev synthapi.Event) string {
	var b strings.Builder
	switch strings.ToLower(ev.Level) {
	case "warn", "warning":
		b.WriteString("WARN ")
	case "error":
		b.WriteString("ERROR ")
	}
	fmt.Fprintf(&b, "[%d] %s", ev.Seq, ev.Type)
	if ev.Message != "" {
		fmt.Fprintf(&b, ": %s", ev.Message)
	}
	return b.String()
}

// metricsLine shows the latest metrics as `step 40 · loss 0.31 · mean_return
// 0.42 · 12m elapsed`, names sorted so lines line up from one to the next;
// an SFT job's as `step 8 · epoch 2 · train.loss 0.31 · val.loss 0.42 · 40s
// elapsed`.
func metricsLine(m synthapi.MetricsUpdate) string {
	parts := []string{"step " + strconv.FormatInt(m.Step, 10)}
	if m.Epoch != nil {
		parts = append(parts, "epoch "+strconv.FormatFloat(*m.Epoch, 'g', 4, 64))
	}
	names := make([]string, 0, len(m.Latest))
	for name := range m.Latest {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		parts = append(parts, name+" "+strconv.FormatFloat(m.Latest[name], 'g', 4, 64))
	}
	parts = append(parts, elapsedText(m.Elapsed)+" elapsed")
	return strings.Join(parts, " · ")
}

func elapsedText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	default:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}
