package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
)

// planNewJob runs ModifyPlan for a job about to be created, with the given
// attributes set, and returns its diagnostics. terraform-plugin-testing has
// no check for warnings, so the plan is driven directly.
func planNewJob(t *testing.T, attrs map[string]any) diag.Diagnostics {
	t.Helper()
	r := &rlJobResource{data: &providerData{}}
	var schemaResp resource.SchemaResponse
	r.Schema(t.Context(), resource.SchemaRequest{}, &schemaResp)
	objectType := schemaResp.Schema.Type().TerraformType(t.Context())
	plan := tfsdk.Plan{Schema: schemaResp.Schema, Raw: tftypes.NewValue(objectType, nil)}
	var seeding diag.Diagnostics
	for name, value := range attrs {
		p := path.Empty()
		for _, part := range strings.Split(name, ".") {
			if p.Equal(path.Empty()) {
				p = path.Root(part)
			} else {
				p = p.AtName(part)
			}
		}
		seeding.Append(plan.SetAttribute(t.Context(), p, value)...)
	}
	if seeding.HasError() {
		t.Fatalf("seeding the plan: %v", seeding)
	}
	req := resource.ModifyPlanRequest{
		Plan:  plan,
		State: tfsdk.State{Schema: schemaResp.Schema, Raw: tftypes.NewValue(objectType, nil)},
	}
	resp := resource.ModifyPlanResponse{Plan: plan}
	r.ModifyPlan(t.Context(), req, &resp)
	return resp.Diagnostics
}

func summaries(diags diag.Diagnostics, severity diag.Severity) []string {
	var out []string
	for _, d := range diags {
		if d.Severity() == severity {
			out = append(out, d.Summary())
		}
	}
	return out
}

func TestRLJob_planWarnsOnceAboutKeysTheSDKRequires(t *testing.T) {
	diags := planNewJob(t, map[string]any{
		"model.base":          "Qwen/Qwen3-4B",
		"services.task_url":   "https://task.example.com",
		"training.batch_size": int64(16),
	})
	if diags.HasError() {
		t.Fatalf("plan failed: %v", diags)
	}
	var found []diag.Diagnostic
	for _, d := range diags.Warnings() {
		if d.Summary() == "Config incomplete for the SDK" {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		t.Fatalf("warnings = %q, want exactly one about the SDK's required keys", summaries(diags, diag.SeverityWarning))
	}
	detail := found[0].Detail()
	// §3.1's list, each key once; [training]'s keys because it is there,
	// none of [evaluation]'s because it is not.
	for _, want := range []string{"synth-ai train", "[algorithm] (variety)", "model.trainer_mode", "model.label",
		"[compute] (gpu_type, gpu_count)", "[topology]", "rollout.task_app_origin_rewards_only", "training.learning_rate", "training.log_interval"} {
		if strings.Count(detail, want) != 1 {
			t.Errorf("warning %q does not name %s once", detail, want)
		}
	}
	for _, set := range []string{"training.batch_size", "evaluation.", "rollout.max_concurrent_rollouts"} {
		if strings.Contains(detail, set) {
			t.Errorf("warning %q names %s, which the SDK does not ask for here", detail, set)
		}
	}
}

// A task URL that plan-time validation lets through (a query string, which
// the task-app client refuses) is reported where it came from, never
// against the computed task_app_url.
func TestRLJob_createReportsABadTaskURLWhereItCameFrom(t *testing.T) {
	tests := []struct {
		source   string
		wantPath *path.Path // nil: a provider-level error
	}{
		{rlconfig.TaskURLFromAttribute, ptrTo(path.Root("services").AtName("task_url"))},
		{rlconfig.TaskURLFromTOML, ptrTo(path.Root("config_toml"))},
		{rlconfig.TaskURLFromProvider, nil},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			r := &rlJobResource{data: &providerData{}}
			resolved := &rlconfig.Resolved{TaskURL: "https://task.example.com/?tenant=a", TaskURLSource: tt.source}
			var diags diag.Diagnostics
			if r.checkTaskApp(t.Context(), &rlJobModel{}, nil, resolved, "", &diags) {
				t.Fatal("checkTaskApp accepted a URL with a query")
			}
			if len(diags) != 1 {
				t.Fatalf("diagnostics = %v, want one error", diags)
			}
			d := diags[0]
			withPath, hasPath := d.(diag.DiagnosticWithPath)
			switch {
			case tt.wantPath == nil && hasPath:
				t.Errorf("error is on %s, want no attribute", withPath.Path())
			case tt.wantPath != nil && (!hasPath || !withPath.Path().Equal(*tt.wantPath)):
				t.Errorf("error is on %v, want %s", d, *tt.wantPath)
			}
			if !strings.Contains(d.Detail(), tt.source) || !strings.Contains(d.Detail(), "query") {
				t.Errorf("detail %q does not say where the URL came from and what is wrong", d.Detail())
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }
