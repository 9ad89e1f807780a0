package rlconfig

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
)

// Overrides are the typed Terraform attributes that override keys of
// config_toml. A nil pointer, slice or map means the attribute is not set, so
// the TOML value (if any) stands.
//
// The toml struct tags name the TOML table and key each attribute writes;
// Merge, Validate and OverridesFromConfig all read them, so the mapping is
// stated once, here.
type Overrides struct {
	Algorithm  *Algorithm  `toml:"algorithm"`
	Model      *Model      `toml:"model"`
	Services   *Services   `toml:"services"`
	Compute    *Compute    `toml:"compute"`
	Rollout    *Rollout    `toml:"rollout"`
	Evaluation *Evaluation `toml:"evaluation"`
	Training   *Training   `toml:"training"`
	Data       *Data       `toml:"data"`

	// Tags are merged into [tags] key by key.
	Tags map[string]string

	// Unknown lists the attribute paths whose values are not known yet at
	// plan time, in dotted form: "model.source", "services.task_url",
	// "config_toml", "tags", or a whole block such as "training". An
	// unknown value counts as set for the presence rules (exactly one model,
	// task URL resolution) but its value is not checked. Resolve refuses
	// any unknown value.
	Unknown []string
}

// Algorithm overrides [algorithm].
type Algorithm struct {
	Type    *string `toml:"type"`
	Method  *string `toml:"method"`
	Variety *string `toml:"variety"`
}

// Model overrides [model]. Exactly one of Source and Base must end up set,
// counting config_toml.
type Model struct {
	Source      *string `toml:"source"`
	Base        *string `toml:"base"`
	TrainerMode *string `toml:"trainer_mode"`
	Label       *string `toml:"label"`
}

// Services overrides [services].
type Services struct {
	TaskURL  *string `toml:"task_url"`
	JudgeURL *string `toml:"judge_url"`
}

// Compute overrides [compute].
type Compute struct {
	GPUType  *string `toml:"gpu_type"`
	GPUCount *int64  `toml:"gpu_count"`
	Nodes    *int64  `toml:"nodes"`
}

// Rollout overrides [rollout].
type Rollout struct {
	EnvName                  *string  `toml:"env_name"`
	PolicyName               *string  `toml:"policy_name"`
	MaxTurns                 *int64   `toml:"max_turns"`
	EpisodesPerBatch         *int64   `toml:"episodes_per_batch"`
	MaxConcurrentRollouts    *int64   `toml:"max_concurrent_rollouts"`
	BatchesPerStep           *int64   `toml:"batches_per_step"`
	Ops                      []string `toml:"ops"`
	TaskAppOriginRewardsOnly *bool    `toml:"task_app_origin_rewards_only"`
	RubricRewardsOnly        *bool    `toml:"rubric_rewards_only"`
}

// Evaluation overrides [evaluation].
type Evaluation struct {
	Instances   *int64  `toml:"instances"`
	EveryNIters *int64  `toml:"every_n_iters"`
	Seeds       []int64 `toml:"seeds"`
}

// Training overrides [training]. WeightSyncInterval is the key of
// [training] itself, not the one of [training.weight_sync].
type Training struct {
	NumEpochs                 *int64   `toml:"num_epochs"`
	IterationsPerEpoch        *int64   `toml:"iterations_per_epoch"`
	MaxTurns                  *int64   `toml:"max_turns"`
	BatchSize                 *int64   `toml:"batch_size"`
	GroupSize                 *int64   `toml:"group_size"`
	GradientAccumulationSteps *int64   `toml:"gradient_accumulation_steps"`
	LearningRate              *float64 `toml:"learning_rate"`
	LogInterval               *int64   `toml:"log_interval"`
	WeightSyncInterval        *int64   `toml:"weight_sync_interval"`
}

// Data overrides [data].
type Data struct {
	Seeds []int64 `toml:"seeds"`
}

// typedField is one typed attribute: where it lives in Overrides and which
// TOML key it writes.
type typedField struct {
	table, key string
	section    int // index of the section pointer in Overrides
	field      int // index of the field in the section struct
}

// attr is the attribute path in the dotted form diagnostics use.
func (f typedField) attr() string { return f.table + "." + f.key }

// typedFields lists every typed attribute in declaration order, which is
// also the order their diagnostics come in.
var typedFields = collectTypedFields()

func collectTypedFields() []typedField {
	var fields []typedField
	ot := reflect.TypeFor[Overrides]()
	for i := range ot.NumField() {
		sf := ot.Field(i)
		table := sf.Tag.Get("toml")
		if table == "" || sf.Type.Kind() != reflect.Pointer {
			continue
		}
		st := sf.Type.Elem()
		for j := range st.NumField() {
			fields = append(fields, typedField{table: table, key: st.Field(j).Tag.Get("toml"), section: i, field: j})
		}
	}
	return fields
}

// value returns the attribute as the TOML decoder would have produced it
// (string, int64, float64, bool or []any), and false when it is not set.
func (f typedField) value(o *Overrides) (any, bool) {
	sec := reflect.ValueOf(o).Elem().Field(f.section)
	if sec.IsNil() {
		return nil, false
	}
	v := sec.Elem().Field(f.field)
	if v.IsNil() {
		return nil, false
	}
	if v.Kind() == reflect.Pointer {
		return v.Elem().Interface(), true
	}
	list := make([]any, v.Len())
	for i := range list {
		list[i] = v.Index(i).Interface()
	}
	return list, true
}

// set stores a config value into the attribute, converting what JSON or TOML
// decoding may have produced. It reports false, leaving the attribute alone,
// when the value does not fit the attribute's type.
func (f typedField) set(o *Overrides, val any) bool {
	sec := reflect.ValueOf(o).Elem().Field(f.section)
	ft := sec.Type().Elem().Field(f.field).Type

	var converted reflect.Value
	if ft.Kind() == reflect.Pointer {
		c, ok := convertScalar(val, ft.Elem().Kind())
		if !ok {
			return false
		}
		p := reflect.New(ft.Elem())
		p.Elem().Set(reflect.ValueOf(c).Convert(ft.Elem()))
		converted = p
	} else {
		items, ok := val.([]any)
		if !ok {
			rv := reflect.ValueOf(val)
			if !rv.IsValid() || rv.Kind() != reflect.Slice {
				return false
			}
			items = make([]any, rv.Len())
			for i := range items {
				items[i] = rv.Index(i).Interface()
			}
		}
		list := reflect.MakeSlice(ft, len(items), len(items))
		for i, item := range items {
			c, ok := convertScalar(item, ft.Elem().Kind())
			if !ok {
				return false
			}
			list.Index(i).Set(reflect.ValueOf(c).Convert(ft.Elem()))
		}
		converted = list
	}

	if sec.IsNil() {
		sec.Set(reflect.New(sec.Type().Elem()))
	}
	sec.Elem().Field(f.field).Set(converted)
	return true
}

// convertScalar accepts the shapes a recorded config arrives in: TOML
// decoding gives int64 and float64, JSON decoding float64 or json.Number.
func convertScalar(val any, kind reflect.Kind) (any, bool) {
	switch kind {
	case reflect.String:
		s, ok := val.(string)
		return s, ok
	case reflect.Bool:
		b, ok := val.(bool)
		return b, ok
	case reflect.Int64:
		return asInt64(val)
	case reflect.Float64:
		return asFloat64(val)
	}
	return nil, false
}

func asInt64(val any) (int64, bool) {
	switch n := val.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		// JSON has one number type; an integer comes back as a float.
		if n != math.Trunc(n) || n < math.MinInt64 || n >= math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

func asFloat64(val any) (float64, bool) {
	switch n := val.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// OverridesFromConfig fills the typed overrides from a job's recorded config,
// as on import: every typed key present in config with a usable value is set,
// every other attribute is left nil. config may come from TOML or from JSON
// (where integers arrive as float64 or json.Number).
func OverridesFromConfig(config map[string]any) Overrides {
	var o Overrides
	for _, f := range typedFields {
		table, ok := config[f.table].(map[string]any)
		if !ok {
			continue
		}
		if val, ok := table[f.key]; ok {
			f.set(&o, val)
		}
	}
	switch tags := config["tags"].(type) {
	case map[string]any:
		for k, v := range tags {
			if s, ok := v.(string); ok {
				if o.Tags == nil {
					o.Tags = map[string]string{}
				}
				o.Tags[k] = s
			}
		}
	case map[string]string:
		o.Tags = make(map[string]string, len(tags))
		for k, v := range tags {
			o.Tags[k] = v
		}
	}
	return o
}

// isUnknown reports whether attr, or a block containing it, is listed as
// unknown.
func (o *Overrides) isUnknown(attr string) bool {
	for _, u := range o.Unknown {
		if attr == u || strings.HasPrefix(attr, u+".") {
			return true
		}
	}
	return false
}

// isUnknownExactly reports whether attr itself, not merely its block, is
// listed as unknown.
func (o *Overrides) isUnknownExactly(attr string) bool {
	for _, u := range o.Unknown {
		if attr == u {
			return true
		}
	}
	return false
}
