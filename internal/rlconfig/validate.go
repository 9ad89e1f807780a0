package rlconfig

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Input is everything the effective config depends on.
type Input struct {
	// TOML is config_toml, "" when unset.
	TOML string
	// Overrides are the typed attributes.
	Overrides Overrides
	// DefaultTaskURL is the provider's task_app_url or, failing that,
	// TASK_APP_URL; "" when neither is set.
	DefaultTaskURL string
}

// Validate checks everything about the effective config that can be checked,
// and reports every problem rather than the first. It tolerates values that
// are not known yet (see Overrides.Unknown), which makes it suitable for plan
// time: an unknown value is never checked, and a rule that depends on it is
// skipped when its outcome could change.
func Validate(in Input) Diagnostics {
	return validate(in).diags
}

// validator holds the state shared by the rules of one validation.
type validator struct {
	kind           *Kind
	o              *Overrides
	defaultTaskURL string

	// base is the parsed config_toml; nil when it is unset, unknown or does
	// not parse. tomlKnown is false in the last two cases, when the TOML may
	// yet provide any key.
	base      map[string]any
	tomlKnown bool
	lines     lineIndex

	merged map[string]any
	typed  map[string]bool // attribute paths with a typed value

	// The effective task URL, once checkServices has chosen it.
	taskURL, taskURLSource string

	diags Diagnostics
}

func validate(in Input) *validator {
	v := &validator{kind: &RL, o: &in.Overrides, defaultTaskURL: in.DefaultTaskURL, typed: map[string]bool{}}
	v.readTOML(in.TOML)
	v.merged = Merge(v.base, in.Overrides)
	normalizeNumbers(v.merged)
	for _, k := range v.kind.typedKeys() {
		if _, ok := v.o.value(k); ok {
			v.typed[k.Dotted()] = true
		}
	}

	v.checkTypedStrings()
	v.checkSections()
	v.checkKnownKeys()
	v.checkFinite(nil, v.merged)
	v.checkAlgorithm()
	v.checkModel()
	v.checkWeightSync()
	v.checkTopology()
	v.checkServices()
	v.checkTags()
	return v
}

func (v *validator) readTOML(src string) {
	if v.o.isUnknown("config_toml") {
		return
	}
	if len(src) > MaxConfigBytes {
		v.errorAt(place{attr: "config_toml"}, "config_toml too large",
			"config_toml is %d bytes; the limit is %d bytes (1 MiB).", len(src), MaxConfigBytes)
		return
	}
	doc, err := Parse(src)
	var pe *ParseError
	if errors.As(err, &pe) {
		v.errorAt(place{attr: "config_toml", line: pe.Line}, "Invalid TOML", "config_toml %s.", pe)
		return
	}
	v.base, v.tomlKnown, v.lines = doc, true, indexLines(src)
}

// place is where a value came from, in the two forms diagnostics need.
type place struct {
	attr  string // Diagnostic.Attribute
	line  int    // Diagnostic.Line
	typed bool   // the value came from a typed attribute, not config_toml

	// origin names the attribute or the line: "training.batch_size",
	// "config_toml line 7".
	origin string
	// name names the value for a Detail: "training.batch_size",
	// "config_toml line 7: [training].batch_size".
	name string
}

// placeOf tells where the effective value at path came from: the typed
// attribute when one is set (or unknown), config_toml otherwise.
func (v *validator) placeOf(path ...string) place {
	attr := strings.Join(path, ".")
	if v.typed[attr] || v.o.isUnknown(attr) {
		return typedPlace(attr)
	}
	return v.tomlPlace(path...)
}

func typedPlace(attr string) place {
	return place{attr: attr, typed: true, origin: attr, name: attr}
}

func (v *validator) tomlPlace(path ...string) place {
	line := v.lines.lineOf(path...)
	origin := "config_toml"
	if line > 0 {
		origin += " line " + strconv.Itoa(line)
	}
	return place{attr: "config_toml", line: line, origin: origin, name: origin + ": " + tomlName(path)}
}

// tomlName spells a key path the way the SDK's messages do:
// "[training].batch_size", "[training.weight_sync].targets", "compute".
func tomlName(path []string) string {
	quoted := make([]string, len(path))
	for i, k := range path {
		quoted[i] = tomlKey(k)
	}
	if len(path) < 2 {
		return strings.Join(quoted, "")
	}
	n := len(quoted) - 1
	return "[" + strings.Join(quoted[:n], ".") + "]." + quoted[n]
}

func tomlKey(k string) string {
	if k != "" && strings.IndexFunc(k, func(r rune) bool { return r > 0x7f || !isBareKeyByte(byte(r)) }) < 0 {
		return k
	}
	return strconv.Quote(k)
}

func (v *validator) errorAt(at place, summary, format string, args ...any) {
	v.add(SeverityError, at, summary, fmt.Sprintf(format, args...))
}

func (v *validator) warnAt(at place, summary, format string, args ...any) {
	v.add(SeverityWarning, at, summary, fmt.Sprintf(format, args...))
}

func (v *validator) add(sev Severity, at place, summary, detail string) {
	v.diags = append(v.diags, Diagnostic{Severity: sev, Attribute: at.attr, Line: at.line, Summary: summary, Detail: detail})
}

// checkTypedStrings refuses "" in every typed string attribute: in
// Terraform an empty string is a value, and no key of the config means
// anything by it.
func (v *validator) checkTypedStrings() {
	for _, k := range v.kind.typedKeys() {
		if val, ok := v.o.value(k); ok && val == "" && !v.o.isUnknown(k.Dotted()) {
			v.errorAt(typedPlace(k.Dotted()), "Empty value", "%s must not be empty.", k.Dotted())
		}
	}
}

// checkSections looks at the TOML as written: once merged, a typed override
// may have replaced a broken section and hidden the mistake.
func (v *validator) checkSections() {
	for _, section := range v.kind.Sections {
		if val, ok := v.base[section.Name]; ok {
			if _, isTable := val.(map[string]any); !isTable {
				at := v.tomlPlace(section.Name)
				v.errorAt(at, "Invalid section", "%s must be a table, got %s.", at.name, describe(val))
			}
		}
	}
}

func (v *validator) checkKnownKeys() {
	for _, k := range v.kind.Keys {
		if v.o.isUnknown(k.Dotted()) {
			continue
		}
		val, ok := lookup(v.merged, k.Path...)
		if !ok {
			continue
		}
		v.checkValue(v.placeOf(k.Path...), val, k.Type, k.rule)
	}
}

// checkValue checks the value of a known key: its type, then its rule.
func (v *validator) checkValue(at place, val any, kind ValueType, rule func(*validator, place, any)) {
	if ok, why := hasKind(val, kind); !ok {
		v.errorAt(at, "Invalid value type", "%s must be %s, %s.", at.name, kind, why)
		return
	}
	if at.typed && val == "" {
		return // checkTypedStrings said so
	}
	if rule != nil {
		rule(v, at, val)
	}
}

// checkFinite refuses NaN and infinities anywhere in the config: TOML has
// them, JSON does not, and the config travels as JSON. learning_rate has a
// sharper rule of its own.
func (v *validator) checkFinite(path []string, val any) bool {
	switch t := val.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			v.checkFinite(append(path[:len(path):len(path)], k), t[k])
		}
	case []any:
		for _, e := range t {
			if v.checkFinite(path, e) {
				return true // one report per array is enough
			}
		}
	case float64:
		attr := strings.Join(path, ".")
		if attr == learningRate.Dotted() || v.o.isUnknown(attr) || !(math.IsNaN(t) || math.IsInf(t, 0)) {
			return false
		}
		at := v.placeOf(path...)
		v.errorAt(at, "Invalid number", "%s is %s, which JSON, and so the create request, cannot carry.", at.name, describe(t))
		return true
	}
	return false
}

// algorithmTriple is the only RL algorithm the SDK accepts.
