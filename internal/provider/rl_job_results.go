package provider

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/synth-laboratories/terraform-provider-synth/internal/synthapi"
)

// The results view: what a finished job produced, from the job object's
// `results` (§4) and the last point of each series of its metrics feed (§2).
// It is read once, when the job is seen finished, and never again: a finished
// job does not change, and a refresh of hundreds of finished jobs must cost
// no more requests than before the view existed.

// resultsLeaf is one computed leaf of the view's nested objects, declared
// once for the resource's schema, the data source's and the value types.
type resultsLeaf struct {
	description string
	typ         attr.Type
}

var (
	metricLeaves = map[string]resultsLeaf{
		"value": {"The series' last value.", types.Float64Type},
		"step":  {"The step it was reported at.", types.Int64Type},
	}
	checkpointLeaves = map[string]resultsLeaf{
		"name":       {"The checkpoint's name.", types.StringType},
		"model_id":   {"The model id it can be trained or served from.", types.StringType},
		"epoch":      {"The epoch it was saved at.", types.Int64Type},
		"step":       {"The step it was saved at.", types.Int64Type},
		"created_at": {"When it was saved (RFC 3339).", types.StringType},
	}
	metricAttrTypes     = leafTypes(metricLeaves)
	checkpointAttrTypes = leafTypes(checkpointLeaves)
	resultsAttrTypes    = map[string]attr.Type{
		"final_reward": types.Float64Type,
		"values":       types.MapType{ElemType: types.Float64Type},
		"metrics":      types.MapType{ElemType: types.ObjectType{AttrTypes: metricAttrTypes}},
		"checkpoints":  types.ListType{ElemType: types.ObjectType{AttrTypes: checkpointAttrTypes}},
	}
)

func leafTypes(leaves map[string]resultsLeaf) map[string]attr.Type {
	byName := make(map[string]attr.Type, len(leaves))
	for name, leaf := range leaves {
		byName[name] = leaf.typ
	}
	return byName
}

const (
	resultsDescription = "What the job produced, once it has finished (succeeded, failed or cancelled); null while it " +
		"runs, and unknown in a plan that waits for it. Read once, when the job is first seen finished (at the end of " +
		"the wait, or by the refresh that first sees it finished), and kept as it is afterwards."
	finalRewardDescription = "`results.final_reward` of the job object: the mean return the training ended on. Null when " +
		"the backend reports none (a failed or cancelled job usually has none)."
	valuesDescription  = "Every numeric field of the job object's `results`, by name (`final_reward` among them)."
	metricsDescription = "The last value of each metric series the job reported (`GET /rl/jobs/{id}/metrics`), by " +
		"series name (such as `mean_return`, `loss` or `train.mean_return`): `value` at `step`, the highest step the " +
		"series reached. Empty when the backend has no metrics route."
	checkpointsDescription = "The checkpoints the job saved (`results.checkpoints`), in the backend's order; null when " +
		"the backend lists none. Each has `name`, `model_id`, `epoch`, `step` and `created_at`, null where not given."
)

// resultsSchemaAttribute is synth_rl_job's results view.
func resultsSchemaAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: resultsDescription,
		Computed:            true,
		PlanModifiers:       []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
		Attributes: map[string]schema.Attribute{
			"final_reward": schema.Float64Attribute{MarkdownDescription: finalRewardDescription, Computed: true},
			"values":       schema.MapAttribute{MarkdownDescription: valuesDescription, Computed: true, ElementType: types.Float64Type},
			"metrics": schema.MapNestedAttribute{
				MarkdownDescription: metricsDescription,
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: resourceLeaves(metricLeaves)},
			},
			"checkpoints": schema.ListNestedAttribute{
				MarkdownDescription: checkpointsDescription,
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: resourceLeaves(checkpointLeaves)},
			},
		},
	}
}

// resultsDataSourceAttribute is the same view for the synth_rl_job data
// source, whose schema package is a different one.
func resultsDataSourceAttribute() dsschema.SingleNestedAttribute {
	return dsschema.SingleNestedAttribute{
		MarkdownDescription: resultsDescription,
		Computed:            true,
		Attributes: map[string]dsschema.Attribute{
			"final_reward": dsschema.Float64Attribute{MarkdownDescription: finalRewardDescription, Computed: true},
			"values":       dsschema.MapAttribute{MarkdownDescription: valuesDescription, Computed: true, ElementType: types.Float64Type},
			"metrics": dsschema.MapNestedAttribute{
				MarkdownDescription: metricsDescription,
				Computed:            true,
				NestedObject:        dsschema.NestedAttributeObject{Attributes: dataSourceLeaves(metricLeaves)},
			},
			"checkpoints": dsschema.ListNestedAttribute{
				MarkdownDescription: checkpointsDescription,
				Computed:            true,
				NestedObject:        dsschema.NestedAttributeObject{Attributes: dataSourceLeaves(checkpointLeaves)},
			},
		},
	}
}

// resourceLeaves are leaves as computed attributes of the resource schema.
func resourceLeaves(leaves map[string]resultsLeaf) map[string]schema.Attribute {
	attributes := make(map[string]schema.Attribute, len(leaves))
	for name, leaf := range leaves {
		switch leaf.typ {
		case types.StringType:
			attributes[name] = schema.StringAttribute{MarkdownDescription: leaf.description, Computed: true}
		case types.Int64Type:
			attributes[name] = schema.Int64Attribute{MarkdownDescription: leaf.description, Computed: true}
		case types.Float64Type:
			attributes[name] = schema.Float64Attribute{MarkdownDescription: leaf.description, Computed: true}
		default:
			panic(fmt.Sprintf("results leaf %s: no attribute for %s", name, leaf.typ))
		}
	}
	return attributes
}

// dataSourceLeaves are the same leaves in the data source's schema package.
func dataSourceLeaves(leaves map[string]resultsLeaf) map[string]dsschema.Attribute {
	attributes := make(map[string]dsschema.Attribute, len(leaves))
	for name, leaf := range leaves {
		switch leaf.typ {
		case types.StringType:
			attributes[name] = dsschema.StringAttribute{MarkdownDescription: leaf.description, Computed: true}
		case types.Int64Type:
			attributes[name] = dsschema.Int64Attribute{MarkdownDescription: leaf.description, Computed: true}
		case types.Float64Type:
			attributes[name] = dsschema.Float64Attribute{MarkdownDescription: leaf.description, Computed: true}
		default:
			panic(fmt.Sprintf("results leaf %s: no attribute for %s", name, leaf.typ))
		}
	}
	return attributes
}

func nullResults() types.Object    { return types.ObjectNull(resultsAttrTypes) }
func unknownResults() types.Object { return types.ObjectUnknown(resultsAttrTypes) }

// readResults builds the results view of a job. A job still running has none
// yet (null). A failure to read the metrics leaves the view null too, with a
// warning, so that the next refresh tries again; a backend without a metrics
// route gives an empty metrics map, which is kept.
func readResults(ctx context.Context, api synthapi.MetricsSource, job *synthapi.Job, diags *diag.Diagnostics) types.Object {
	if !job.Phase().Terminal() {
		return nullResults()
	}
	latest, err := synthapi.LatestMetrics(ctx, api, job.ID)
	switch {
	case synthapi.IsNotFound(err):
		tflog.Info(ctx, "the backend has no metrics for this job", map[string]any{"job_id": job.ID, "error": err.Error()})
		latest = nil
	case err != nil:
		diags.AddWarning("Could not read the RL job's metrics",
			fmt.Sprintf("Job %s finished, but its metrics could not be read: %s. Its results stay unset until a refresh reads them.", job.ID, err))
		return nullResults()
	}
	return resultsValue(job.Results, latest, diags)
}

// resultsValue is the results view of a finished job's results object and
// the last point of each of its metric series.
func resultsValue(results map[string]any, latest map[string]synthapi.MetricValue, diags *diag.Diagnostics) types.Object {
	finalReward := types.Float64Null()
	values := map[string]attr.Value{}
	for name, v := range results {
		if f, ok := finiteNumber(v); ok {
			values[name] = types.Float64Value(f)
			if name == "final_reward" {
				finalReward = types.Float64Value(f)
			}
		}
	}
	metrics := map[string]attr.Value{}
	for name, m := range latest {
		if math.IsNaN(m.Value) || math.IsInf(m.Value, 0) {
			continue // Terraform numbers have no NaN or infinity
		}
		metrics[name] = objectValue(metricAttrTypes, map[string]attr.Value{
			"value": types.Float64Value(m.Value),
			"step":  types.Int64Value(m.Step),
		}, diags)
	}
	return objectValue(resultsAttrTypes, map[string]attr.Value{
		"final_reward": finalReward,
		"values":       mapValue(types.Float64Type, values, diags),
		"metrics":      mapValue(types.ObjectType{AttrTypes: metricAttrTypes}, metrics, diags),
		"checkpoints":  checkpointsValue(results["checkpoints"], diags),
	}, diags)
}

// checkpointsValue reads results.checkpoints: a list of objects, or of bare
// model ids as some deployments write it.
func checkpointsValue(raw any, diags *diag.Diagnostics) types.List {
	elemType := types.ObjectType{AttrTypes: checkpointAttrTypes}
	items, ok := raw.([]any)
	if !ok {
		return types.ListNull(elemType)
	}
	checkpoints := make([]attr.Value, 0, len(items))
	for _, item := range items {
		fields, _ := item.(map[string]any)
		if id, isID := item.(string); isID {
			fields = map[string]any{"model_id": id}
		}
		if fields == nil {
			continue
		}
		checkpoints = append(checkpoints, objectValue(checkpointAttrTypes, map[string]attr.Value{
			"name":       nullableString(stringOf(fields["name"])),
			"model_id":   nullableString(firstNonEmpty(stringOf(fields["model_id"]), stringOf(fields["output_model_id"]))),
			"epoch":      int64Of(fields["epoch"]),
			"step":       int64Of(fields["step"]),
			"created_at": nullableString(normalisedTime(fields["created_at"])),
		}, diags))
	}
	list, d := types.ListValue(elemType, checkpoints)
	diags.Append(d...)
	return list
}

func objectValue(attrTypes map[string]attr.Type, values map[string]attr.Value, diags *diag.Diagnostics) types.Object {
	obj, d := types.ObjectValue(attrTypes, values)
	diags.Append(d...)
	return obj
}

func mapValue(elemType attr.Type, values map[string]attr.Value, diags *diag.Diagnostics) types.Map {
	m, d := types.MapValue(elemType, values)
	diags.Append(d...)
	return m
}

func finiteNumber(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok && !math.IsNaN(f) && !math.IsInf(f, 0)
}

func stringOf(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

func int64Of(v any) types.Int64 {
	if f, ok := finiteNumber(v); ok && f == math.Trunc(f) {
		return types.Int64Value(int64(f))
	}
	return types.Int64Null()
}

// normalisedTime stores a checkpoint's time as the job's times are stored
// (RFC 3339), whichever spelling §4 allows the backend used; a time it cannot
// read is kept as sent.
func normalisedTime(v any) string {
	return firstNonEmpty(synthapi.NormaliseTime(v), stringOf(v))
}

// refreshResults fills the results view of a job a refresh finds finished,
// the first time only. Only a terminal job's state is looked at, so a refresh
// of a running job costs what it did before the view existed; and a finished
// job whose view is in state costs no request beyond its GET.
func refreshResults(ctx context.Context, api synthapi.MetricsSource, job *synthapi.Job, state interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
	SetAttribute(context.Context, path.Path, any) diag.Diagnostics
}, diags *diag.Diagnostics) {
	if !job.Phase().Terminal() {
		return
	}
	var stored types.Object
	diags.Append(state.GetAttribute(ctx, path.Root("results"), &stored)...)
	if !stored.IsNull() || diags.HasError() {
		return
	}
	diags.Append(state.SetAttribute(ctx, path.Root("results"), readResults(ctx, api, job, diags))...)
}
