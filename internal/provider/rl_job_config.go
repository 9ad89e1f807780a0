package provider

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synth-laboratories/terraform-provider-synth/internal/rlconfig"
)

// configInput is the Terraform view of a job handed to the config engine.
// Values that are not known yet are listed in Overrides.Unknown rather than
// treated as absent, so that plan-time checks neither fail nor pass on them.
func (m *rlJobModel) configInput(ctx context.Context, defaultTaskURL string) (rlconfig.Input, diag.Diagnostics) {
	var diags diag.Diagnostics
	b := overridesBuilder{ctx: ctx, diags: &diags}
	var o rlconfig.Overrides

	if a := m.Algorithm; a != nil {
		o.Algorithm = &rlconfig.Algorithm{
			Type:    b.str("algorithm.type", a.Type),
			Method:  b.str("algorithm.method", a.Method),
			Variety: b.str("algorithm.variety", a.Variety),
		}
	}
	if s := m.Model; s != nil {
		o.Model = &rlconfig.Model{
			Source:      b.str("model.source", s.Source),
			Base:        b.str("model.base", s.Base),
			TrainerMode: b.str("model.trainer_mode", s.TrainerMode),
			Label:       b.str("model.label", s.Label),
		}
	}
	if s := m.Services; s != nil {
		o.Services = &rlconfig.Services{
			TaskURL:  b.str("services.task_url", s.TaskURL),
			JudgeURL: b.str("services.judge_url", s.JudgeURL),
		}
	}
	if s := m.Compute; s != nil {
		o.Compute = &rlconfig.Compute{
			GPUType:  b.str("compute.gpu_type", s.GPUType),
			GPUCount: b.int("compute.gpu_count", s.GPUCount),
			Nodes:    b.int("compute.nodes", s.Nodes),
		}
	}
	if s := m.Rollout; s != nil {
		o.Rollout = &rlconfig.Rollout{
			EnvName:                  b.str("rollout.env_name", s.EnvName),
			PolicyName:               b.str("rollout.policy_name", s.PolicyName),
			MaxTurns:                 b.int("rollout.max_turns", s.MaxTurns),
			EpisodesPerBatch:         b.int("rollout.episodes_per_batch", s.EpisodesPerBatch),
			MaxConcurrentRollouts:    b.int("rollout.max_concurrent_rollouts", s.MaxConcurrentRollouts),
			BatchesPerStep:           b.int("rollout.batches_per_step", s.BatchesPerStep),
			Ops:                      b.strings("rollout.ops", s.Ops),
			TaskAppOriginRewardsOnly: b.boolean("rollout.task_app_origin_rewards_only", s.TaskAppOriginRewardsOnly),
			RubricRewardsOnly:        b.boolean("rollout.rubric_rewards_only", s.RubricRewardsOnly),
		}
	}
	if s := m.Evaluation; s != nil {
		o.Evaluation = &rlconfig.Evaluation{
			Instances:   b.int("evaluation.instances", s.Instances),
			EveryNIters: b.int("evaluation.every_n_iters", s.EveryNIters),
			Seeds:       b.ints("evaluation.seeds", s.Seeds),
		}
	}
	if s := m.Training; s != nil {
		o.Training = &rlconfig.Training{
			NumEpochs:                 b.int("training.num_epochs", s.NumEpochs),
			IterationsPerEpoch:        b.int("training.iterations_per_epoch", s.IterationsPerEpoch),
			MaxTurns:                  b.int("training.max_turns", s.MaxTurns),
			BatchSize:                 b.int("training.batch_size", s.BatchSize),
			GroupSize:                 b.int("training.group_size", s.GroupSize),
			GradientAccumulationSteps: b.int("training.gradient_accumulation_steps", s.GradientAccumulationSteps),
			LearningRate:              b.float("training.learning_rate", s.LearningRate),
			LogInterval:               b.int("training.log_interval", s.LogInterval),
			WeightSyncInterval:        b.int("training.weight_sync_interval", s.WeightSyncInterval),
		}
	}
	if s := m.Data; s != nil {
		o.Data = &rlconfig.Data{Seeds: b.ints("data.seeds", s.Seeds)}
	}
	o.Tags = b.stringMap("tags", m.Tags)

	toml := ""
	if m.ConfigTOML.IsUnknown() {
		b.unknown = append(b.unknown, "config_toml")
	} else {
		toml = m.ConfigTOML.ValueString()
	}
	o.Unknown = b.unknown
	return rlconfig.Input{TOML: toml, Overrides: o, DefaultTaskURL: defaultTaskURL}, diags
}

// overridesBuilder converts framework values to the engine's optional values:
// null gives nil, unknown gives nil and records the attribute path.
type overridesBuilder struct {
	ctx     context.Context
	diags   *diag.Diagnostics
	unknown []string
}

func (b *overridesBuilder) absent(name string, v attr.Value) bool {
	if v.IsUnknown() {
		b.unknown = append(b.unknown, name)
		return true
	}
	return v.IsNull()
}

func (b *overridesBuilder) str(name string, v types.String) *string {
	if b.absent(name, v) {
		return nil
	}
	s := v.ValueString()
	return &s
}

func (b *overridesBuilder) int(name string, v types.Int64) *int64 {
	if b.absent(name, v) {
		return nil
	}
	n := v.ValueInt64()
	return &n
}

func (b *overridesBuilder) float(name string, v types.Float64) *float64 {
	if b.absent(name, v) {
		return nil
	}
	f := v.ValueFloat64()
	return &f
}

func (b *overridesBuilder) boolean(name string, v types.Bool) *bool {
	if b.absent(name, v) {
		return nil
	}
	x := v.ValueBool()
	return &x
}

func (b *overridesBuilder) strings(name string, v types.List) []string {
	if b.absent(name, v) || !elementsKnown(name, v.Elements(), b) {
		return nil
	}
	out := []string{}
	b.diags.Append(v.ElementsAs(b.ctx, &out, false)...)
	return out
}

func (b *overridesBuilder) ints(name string, v types.List) []int64 {
	if b.absent(name, v) || !elementsKnown(name, v.Elements(), b) {
		return nil
	}
	out := []int64{}
	b.diags.Append(v.ElementsAs(b.ctx, &out, false)...)
	return out
}

func (b *overridesBuilder) stringMap(name string, v types.Map) map[string]string {
	if b.absent(name, v) {
		return nil
	}
	var elems []attr.Value
	for _, e := range v.Elements() {
		elems = append(elems, e)
	}
	if !elementsKnown(name, elems, b) {
		return nil
	}
	out := map[string]string{}
	b.diags.Append(v.ElementsAs(b.ctx, &out, false)...)
	return out
}

func elementsKnown(name string, elems []attr.Value, b *overridesBuilder) bool {
	for _, e := range elems {
		if e.IsUnknown() {
			b.unknown = append(b.unknown, name)
			return false
		}
	}
	return true
}

// appendConfigDiagnostics reports the engine's findings on the attribute each
// one names, so Terraform points at the offending line of configuration.
func appendConfigDiagnostics(diags *diag.Diagnostics, found rlconfig.Diagnostics) {
	for _, d := range found {
		p, hasPath := attributePath(d.Attribute)
		switch {
		case d.Severity == rlconfig.SeverityWarning && hasPath:
			diags.AddAttributeWarning(p, d.Summary, d.Detail)
		case d.Severity == rlconfig.SeverityWarning:
			diags.AddWarning(d.Summary, d.Detail)
		case hasPath:
			diags.AddAttributeError(p, d.Summary, d.Detail)
		default:
			diags.AddError(d.Summary, d.Detail)
		}
	}
}

func attributePath(dotted string) (path.Path, bool) {
	if dotted == "" {
		return path.Empty(), false
	}
	parts := strings.Split(dotted, ".")
	p := path.Root(parts[0])
	for _, part := range parts[1:] {
		p = p.AtName(part)
	}
	return p, true
}

// setSectionsFromConfig fills the typed attributes from a job's recorded
// config, so that an imported job reads back as the configuration that
// would have created it.
func (m *rlJobModel) setSectionsFromConfig(config map[string]any) {
	o := rlconfig.OverridesFromConfig(config)
	if a := o.Algorithm; a != nil {
		m.Algorithm = &algorithmModel{Type: types.StringPointerValue(a.Type), Method: types.StringPointerValue(a.Method), Variety: types.StringPointerValue(a.Variety)}
	}
	if s := o.Model; s != nil {
		m.Model = &modelModel{Source: types.StringPointerValue(s.Source), Base: types.StringPointerValue(s.Base), TrainerMode: types.StringPointerValue(s.TrainerMode), Label: types.StringPointerValue(s.Label)}
	}
	if s := o.Services; s != nil {
		m.Services = &servicesModel{TaskURL: types.StringPointerValue(s.TaskURL), JudgeURL: types.StringPointerValue(s.JudgeURL)}
	}
	if s := o.Compute; s != nil {
		m.Compute = &computeModel{GPUType: types.StringPointerValue(s.GPUType), GPUCount: types.Int64PointerValue(s.GPUCount), Nodes: types.Int64PointerValue(s.Nodes)}
	}
	if s := o.Rollout; s != nil {
		m.Rollout = &rolloutModel{
			EnvName:                  types.StringPointerValue(s.EnvName),
			PolicyName:               types.StringPointerValue(s.PolicyName),
			MaxTurns:                 types.Int64PointerValue(s.MaxTurns),
			EpisodesPerBatch:         types.Int64PointerValue(s.EpisodesPerBatch),
			MaxConcurrentRollouts:    types.Int64PointerValue(s.MaxConcurrentRollouts),
			BatchesPerStep:           types.Int64PointerValue(s.BatchesPerStep),
			Ops:                      stringList(s.Ops),
			TaskAppOriginRewardsOnly: types.BoolPointerValue(s.TaskAppOriginRewardsOnly),
			RubricRewardsOnly:        types.BoolPointerValue(s.RubricRewardsOnly),
		}
	}
	if s := o.Evaluation; s != nil {
		m.Evaluation = &evaluationModel{Instances: types.Int64PointerValue(s.Instances), EveryNIters: types.Int64PointerValue(s.EveryNIters), Seeds: int64List(s.Seeds)}
	}
	if s := o.Training; s != nil {
		m.Training = &trainingModel{
			NumEpochs:                 types.Int64PointerValue(s.NumEpochs),
			IterationsPerEpoch:        types.Int64PointerValue(s.IterationsPerEpoch),
			MaxTurns:                  types.Int64PointerValue(s.MaxTurns),
			BatchSize:                 types.Int64PointerValue(s.BatchSize),
			GroupSize:                 types.Int64PointerValue(s.GroupSize),
			GradientAccumulationSteps: types.Int64PointerValue(s.GradientAccumulationSteps),
			LearningRate:              types.Float64PointerValue(s.LearningRate),
			LogInterval:               types.Int64PointerValue(s.LogInterval),
			WeightSyncInterval:        types.Int64PointerValue(s.WeightSyncInterval),
		}
	}
	if s := o.Data; s != nil {
		m.Data = &dataModel{Seeds: int64List(s.Seeds)}
	}
	m.Tags = types.MapNull(types.StringType)
	if o.Tags != nil {
		elems := map[string]attr.Value{}
		for k, v := range o.Tags {
			elems[k] = types.StringValue(v)
		}
		m.Tags = types.MapValueMust(types.StringType, elems)
	}
}

func stringList(items []string) types.List {
	if items == nil {
		return types.ListNull(types.StringType)
	}
	elems := make([]attr.Value, len(items))
	for i, s := range items {
		elems[i] = types.StringValue(s)
	}
	return types.ListValueMust(types.StringType, elems)
}

func int64List(items []int64) types.List {
	if items == nil {
		return types.ListNull(types.Int64Type)
	}
	elems := make([]attr.Value, len(items))
	for i, n := range items {
		elems[i] = types.Int64Value(n)
	}
	return types.ListValueMust(types.Int64Type, elems)
}

// nullableString maps "" to null, which is how the backend's absent fields read in state.
func nullableString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// canonicalJSON re-encodes a JSON-able value with sorted keys, the form
// effective_config is stored in.
func canonicalJSON(v any) (types.String, error) {
	if v == nil {
		return types.StringNull(), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return types.StringNull(), err
	}
	return types.StringValue(string(b)), nil
}
