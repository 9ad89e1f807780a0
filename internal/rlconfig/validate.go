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

// Severity says whether a Diagnostic stops the plan.
type Severity int

const (
	// SeverityError stops the plan (and Resolve).
	SeverityError Severity = iota
	// SeverityWarning is shown and let through: the backend may know
	// better than the SDK's lists this package carries.
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem with the config, placed where the user has to
// fix it.
type Diagnostic struct {
	Severity Severity
	// Attribute is the Terraform attribute path, in dotted form, the problem
	// belongs to: "config_toml" when the offending value came from the TOML,
	// a typed attribute such as "model.source" or "training.batch_size", a
	// block such as "model" or "algorithm", "tags", or "" for the provider
	// (its default task URL).
	Attribute string
	// Line is the 1-based line of config_toml the value came from, 0 when it
	// did not come from config_toml or the line is not known.
	Line int
	// Summary is short, e.g. "Invalid model id".
	Summary string
	// Detail is a full sentence naming the attribute, or "config_toml
	// line N" and the key.
	Detail string
}

// Diagnostics is a list of problems, errors and warnings mixed.
type Diagnostics []Diagnostic

// HasError reports whether any diagnostic is an error.
func (d Diagnostics) HasError() bool {
	return slices.ContainsFunc(d, func(x Diagnostic) bool { return x.Severity == SeverityError })
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
	v := &validator{o: &in.Overrides, defaultTaskURL: in.DefaultTaskURL, typed: map[string]bool{}}
	v.readTOML(in.TOML)
	v.merged = Merge(v.base, in.Overrides)
	for _, f := range typedFields {
		if _, ok := f.value(v.o); ok {
			v.typed[f.attr()] = true
		}
	}

	v.checkTypedStrings()
	v.checkSections()
	v.checkKnownKeys()
	v.checkFinite(nil, v.merged)
	v.checkAlgorithm()
	v.checkModel()
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
	for _, f := range typedFields {
		if val, ok := f.value(v.o); ok && val == "" && !v.o.isUnknown(f.attr()) {
			v.errorAt(typedPlace(f.attr()), "Empty value", "%s must not be empty.", f.attr())
		}
	}
}

// checkSections looks at the TOML as written: once merged, a typed override
// may have replaced a broken section and hidden the mistake.
func (v *validator) checkSections() {
	for _, name := range knownSections {
		if val, ok := v.base[name]; ok {
			if _, isTable := val.(map[string]any); !isTable {
				at := v.tomlPlace(name)
				v.errorAt(at, "Invalid section", "%s must be a table, got %s.", at.name, describe(val))
			}
		}
	}
}

func (v *validator) checkKnownKeys() {
	for _, k := range knownKeys {
		if v.o.isUnknown(strings.Join(k.path, ".")) {
			continue
		}
		val, ok := lookup(v.merged, k.path...)
		if !ok {
			continue
		}
		at := v.placeOf(k.path...)
		if ok, why := hasKind(val, k.kind); !ok {
			v.errorAt(at, "Invalid value type", "%s must be %s, %s.", at.name, k.kind, why)
			continue
		}
		if at.typed && val == "" {
			continue // checkTypedStrings said so
		}
		if k.check != nil {
			k.check(v, at, val)
		}
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
		if attr == "training.learning_rate" || v.o.isUnknown(attr) || !(math.IsNaN(t) || math.IsInf(t, 0)) {
			return false
		}
		at := v.placeOf(path...)
		v.errorAt(at, "Invalid number", "%s is %s, which JSON, and so the create request, cannot carry.", at.name, describe(t))
		return true
	}
	return false
}

// algorithmTriple is the only RL algorithm the SDK accepts.
var algorithmTriple = []struct{ key, want string }{
	{"type", "online"}, {"method", "policy_gradient"}, {"variety", "gspo"},
}

const algorithmHint = `the only RL algorithm the backend accepts is type = "online", method = "policy_gradient", variety = "gspo"`

// checkAlgorithm applies the SDK's rule: [algorithm] may be omitted, but
// when present it must name the one supported algorithm in full.
func (v *validator) checkAlgorithm() {
	table, ok := v.merged["algorithm"].(map[string]any)
	if !ok || v.o.isUnknown("algorithm") {
		return
	}
	for _, want := range algorithmTriple {
		attr := "algorithm." + want.key
		if v.o.isUnknown(attr) {
			continue
		}
		val, present := table[want.key]
		if !present {
			// Point at the block that brought [algorithm] in: the typed
			// one when there is one, else the TOML header.
			at, name := typedPlace("algorithm"), attr
			if v.o.Algorithm == nil {
				at = v.tomlPlace("algorithm")
				name = at.origin + ": " + tomlName([]string{"algorithm", want.key})
			}
			v.errorAt(at, "Unsupported algorithm", "%s is missing; %s.", name, algorithmHint)
			continue
		}
		got, isString := val.(string)
		at := v.placeOf("algorithm", want.key)
		if !isString || (got == "" && at.typed) {
			continue // reported as a wrong type or an empty value
		}
		if got != want.want {
			v.errorAt(at, "Unsupported algorithm", "%s must be %q, got %q; %s.", at.name, want.want, got, algorithmHint)
		}
	}
}

// presence is how far a model key is set, with the SDK's meaning of empty:
// source = "" is no source.
type presence int

const (
	absent presence = iota
	empty
	set
	maybe // depends on a value not known yet
)

func (v *validator) modelPresence(key string) presence {
	attr := "model." + key
	if v.o.isUnknownExactly(attr) {
		return set
	}
	if v.o.isUnknown(attr) {
		return maybe
	}
	val, ok := lookup(v.merged, "model", key)
	switch {
	case !ok && !v.tomlKnown:
		return maybe
	case !ok:
		return absent
	case val == "":
		return empty
	}
	return set
}

func (v *validator) checkModel() {
	if m, ok := v.merged["model"]; ok {
		if _, isTable := m.(map[string]any); !isTable {
			return // checkSections reported it
		}
	}

	source, base := v.modelPresence("source"), v.modelPresence("base")
	switch {
	case source == set && base == set:
		sourceAt, baseAt := v.placeOf("model", "source"), v.placeOf("model", "base")
		at := sourceAt
		switch {
		case sourceAt.typed && baseAt.typed:
			at = typedPlace("model")
		case baseAt.typed:
			at = baseAt
		}
		v.errorAt(at, "Conflicting model",
			"The model is ambiguous: exactly one of [model].source or [model].base is required, but both are set (the source by %s, the base by %s).",
			sourceAt.origin, baseAt.origin)
	case source == absent && base == absent:
		v.errorAt(place{attr: "model"}, "Missing model",
			`The model is missing: exactly one of [model].source or [model].base is required. Set model.source to a trained model such as "ft:Qwen/Qwen3-4B:job_123", or model.base to a base model such as "Qwen/Qwen3-4B" (or the same keys under [model] in config_toml).`)
	}

	for _, key := range []string{"source", "base"} {
		if v.o.isUnknown("model." + key) {
			continue
		}
		val, _ := lookup(v.merged, "model", key)
		id, ok := val.(string)
		if !ok {
			continue
		}
		at := v.placeOf("model", key)
		if id == "" {
			if !at.typed {
				v.errorAt(at, "Empty value", "%s must not be empty.", at.name)
			}
			continue
		}

		baseID, check, kind := id, ValidateBaseModel, "base model"
		if key == "source" {
			baseID, check, kind = BaseOfSource(id), ValidateModelSource, "model source"
		}
		if err := check(id); err != nil {
			v.errorAt(at, "Invalid model id", "%s is not a valid %s: %s.", at.name, kind, err)
			continue
		}
		if !IsKnownBase(baseID) {
			v.warnAt(at, "Unknown base model",
				"%s trains from %q, which is not on the SDK's list of RL-trainable base models; the backend decides whether it accepts it.", at.name, baseID)
		}
	}
}

// checkTopology warns when the GPU split does not add up to the GPUs asked
// for. The backend may schedule it anyway, or fail once the job has queued;
// a warning at plan time is cheaper.
func (v *validator) checkTopology() {
	var parts [3]int64
	for i, key := range []string{"gpus_for_vllm", "gpus_for_training", "gpus_for_ref"} {
		n, ok := v.intAt("topology", key)
		if !ok {
			return
		}
		parts[i] = n
	}
	count, ok := v.intAt("compute", "gpu_count")
	if !ok {
		return
	}
	if sum := parts[0] + parts[1] + parts[2]; sum != count {
		at := v.tomlPlace("topology")
		if gpuAt := v.placeOf("compute", "gpu_count"); gpuAt.typed {
			at = gpuAt
		}
		v.warnAt(at, "GPU topology does not add up",
			"%s: [topology] splits %d GPUs (gpus_for_vllm %d + gpus_for_training %d + gpus_for_ref %d), but compute.gpu_count is %d.",
			at.origin, sum, parts[0], parts[1], parts[2], count)
	}
}

func (v *validator) intAt(table, key string) (int64, bool) {
	if v.o.isUnknown(table + "." + key) {
		return 0, false
	}
	val, _ := lookup(v.merged, table, key)
	n, ok := val.(int64)
	return n, ok
}

// checkServices chooses the effective task URL the way Resolve will and
// checks it, then the judge URL.
func (v *validator) checkServices() {
	v.checkTaskURL()

	if v.o.isUnknown("services.judge_url") {
		return
	}
	val, _ := lookup(v.merged, "services", "judge_url")
	if judge, ok := val.(string); ok {
		v.checkURLAt(v.placeOf("services", "judge_url"), judge, "judge URL")
	}
}

func (v *validator) checkTaskURL() {
	if v.o.isUnknown("services.task_url") {
		return // an unknown explicit URL wins over everything else
	}
	var explicit string
	if v.o.Services != nil && v.o.Services.TaskURL != nil {
		explicit = *v.o.Services.TaskURL
	}
	fromTOML, inTOML := lookup(v.base, "services", "task_url")
	tomlURL, _ := fromTOML.(string)

	v.taskURL, v.taskURLSource = ResolveTaskURL(explicit, v.defaultTaskURL, tomlURL)
	switch v.taskURLSource {
	case TaskURLFromAttribute:
		v.checkURLAt(typedPlace("services.task_url"), v.taskURL, "task app URL")
	case TaskURLFromProvider:
		v.checkURLAt(place{origin: "the provider's task_app_url (or TASK_APP_URL)", name: "the provider's task_app_url (or TASK_APP_URL)"}, v.taskURL, "task app URL")
	case TaskURLFromTOML:
		v.checkURLAt(v.tomlPlace("services", "task_url"), v.taskURL, "task app URL")
	default:
		switch {
		case !v.tomlKnown:
			// config_toml may yet provide one.
		case v.typed["services.task_url"]:
			// services.task_url = "" was reported as empty.
		case fromTOML == "":
			at := v.tomlPlace("services", "task_url")
			v.errorAt(at, "Empty value", "%s must not be empty.", at.name)
		case inTOML:
			// A task_url that is not a string was reported by checkKnownKeys.
		default:
			v.errorAt(typedPlace("services.task_url"), "Missing task app URL",
				"No task app URL is set. Set it in one of three places: services.task_url on this resource, the provider's task_app_url (or the TASK_APP_URL environment variable), or [services].task_url in config_toml.")
		}
	}
}

// checkURLAt checks a service URL the backend will call. Empty typed values
// were reported by checkTypedStrings.
func (v *validator) checkURLAt(at place, raw, what string) {
	if raw == "" {
		if !at.typed {
			v.errorAt(at, "Empty value", "%s must not be empty.", at.name)
		}
		return
	}
	if err := checkServiceURL(raw); err != nil {
		v.errorAt(at, "Invalid URL", "%s is not a usable %s: %q: %s.", at.name, what, raw, err)
	}
}

// checkTags checks the typed tags and the [tags] of config_toml that they
// do not override.
func (v *validator) checkTags() {
	if v.o.isUnknown("tags") {
		return
	}
	if _, ok := v.o.Tags[""]; ok {
		v.errorAt(typedPlace("tags"), "Invalid tag", "tags must not have an empty key.")
	}
	tags, ok := v.base["tags"].(map[string]any)
	if !ok {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if _, overridden := v.o.Tags[k]; overridden {
			continue
		}
		at := v.tomlPlace("tags", k)
		if k == "" {
			v.errorAt(at, "Invalid tag", "%s: [tags] must not have an empty key.", at.origin)
		}
		if _, isString := tags[k].(string); !isString {
			v.errorAt(at, "Invalid value type", "%s must be a string, got %s.", at.name, describe(tags[k]))
		}
	}
}
