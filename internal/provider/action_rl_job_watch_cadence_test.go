package provider

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

// metrics_interval is checked when Terraform validates the configuration,
// before any plan, like the action's timeout. The check is the provider's,
// so it is asked through the protocol, the same on every CLI.
func TestAction_watchMetricsIntervalIsValidated(t *testing.T) {
	server, schemas := protocolProvider(t)
	actions, ok := server.(tfprotov6.ActionServer)
	if !ok {
		t.Fatal("the provider server does not serve actions")
	}
	schema := schemas.ActionSchemas["synth_rl_job_watch"].Schema
	for _, tt := range []struct {
		name     string
		interval tftypes.Value
		wantErr  string
	}{
		{"unset, the default", tftypes.NewValue(tftypes.String, nil), ""},
		{"the floor", tftypes.NewValue(tftypes.String, "5s"), ""},
		{"minutes", tftypes.NewValue(tftypes.String, "10m"), ""},
		{"unknown until apply", tftypes.NewValue(tftypes.String, tftypes.UnknownValue), ""},
		{"below the floor", tftypes.NewValue(tftypes.String, "1s"), `"1s" must be a duration of at least 5s`},
		{"zero", tftypes.NewValue(tftypes.String, "0s"), `"0s" must be a duration of at least 5s`},
		{"not a duration", tftypes.NewValue(tftypes.String, "often"), `"often" must be a duration of at least 5s`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := actions.ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{
				ActionType: "synth_rl_job_watch",
				Config: objectOf(t, schema, map[string]tftypes.Value{
					"id": tftypes.NewValue(tftypes.String, "job_1"), "metrics_interval": tt.interval,
				}),
			})
			if err != nil {
				t.Fatal(err)
			}
			text := diagText(resp.Diagnostics)
			switch {
			case tt.wantErr == "" && hasErrorDiag(resp.Diagnostics):
				t.Errorf("refused: %s", text)
			case tt.wantErr != "" && !strings.Contains(text, tt.wantErr):
				t.Errorf("diagnostics %q do not contain %q", text, tt.wantErr)
			case tt.wantErr != "" && !hasAttributeError(resp.Diagnostics, "metrics_interval"):
				t.Errorf("the error does not name metrics_interval: %s", text)
			}
		})
	}
}

func hasAttributeError(diags []*tfprotov6.Diagnostic, attr string) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError && d.Attribute != nil && d.Attribute.String() == tftypes.NewAttributePath().WithAttributeName(attr).String() {
			return true
		}
	}
	return false
}

// A watch with metrics_interval = "5s" shows metrics about every 5 s, where
// the default (30 s) would show them once at the start and once at the end of
// a job this short, and never two lines less than 5 s apart but the last.
func TestAction_watchMetricsInterval(t *testing.T) {
	cli := newTFCLI(t, "actions")
	const runTime = 11 * time.Second
	env := newTestEnv(t, emulator.Options{QueueTime: 300 * time.Millisecond, RunTime: runTime})
	id := env.seedJob(t, "Qwen/Qwen3-4B")

	cli.write("main.tf", requiredProviders+env.provider("")+`
action "synth_rl_job_watch" "this" {
  config {
    id               = "`+id+`"
    metrics_interval = "5s"
  }
}
`)
	cli.mustRun("init", "-input=false")
	out := cli.mustRun("apply", "-auto-approve", "-input=false", "-invoke=action.synth_rl_job_watch.this")

	var elapsed []int
	for _, m := range regexp.MustCompile(`(?m)step \d+ · .* · (\d+)s elapsed`).FindAllStringSubmatch(out, -1) {
		s, _ := strconv.Atoi(m[1])
		elapsed = append(elapsed, s)
	}
	if len(elapsed) < 3 {
		t.Fatalf("%d metric lines over an %s job, want at least 3 at one per 5 s:\n%s", len(elapsed), runTime, out)
	}
	// The last line is the job's end, sent whenever it comes.
	for i := 1; i < len(elapsed)-1; i++ {
		if gap := elapsed[i] - elapsed[i-1]; gap < 5 {
			t.Errorf("metric lines %d s apart (at %v s), want at least 5 s:\n%s", gap, elapsed, out)
		}
	}
}
