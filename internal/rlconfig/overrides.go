package rlconfig

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
)

// Overrides are the typed Terraform attributes that override keys of
// config_toml. The keys a Kind lists as typed are the only ones a provider
// puts here.
type Overrides struct {
	// Values are the typed attributes that are set, by section and key:
	// Values["training"]["batch_size"]. Each value has the form TOML
	// decoding gives it: string, int64, float64, bool, or []any of those.
	// A section present with no keys is a block whose attributes are all
	// null.
	Values Values

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

// Values are typed attribute values by section and key.
type Values map[string]map[string]any

// value returns the typed attribute of k, and false when it is not set.
func (o *Overrides) value(k Key) (any, bool) {
	val, ok := o.Values[k.Block()][k.Attr()]
	return val, ok
}

func (o *Overrides) set(k Key, val any) {
	if o.Values == nil {
		o.Values = Values{}
	}
	if o.Values[k.Block()] == nil {
		o.Values[k.Block()] = map[string]any{}
	}
	o.Values[k.Block()][k.Attr()] = val
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

// OverridesFromConfig fills the typed overrides of an RL config from a
// job's recorded config; see Kind.OverridesFromConfig.
func OverridesFromConfig(config map[string]any) Overrides {
	return RL.OverridesFromConfig(config)
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
	return slices.Contains(o.Unknown, attr)
}
