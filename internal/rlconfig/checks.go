package rlconfig

import (
	"maps"
	"slices"
	"strings"
)

// The checks of the sections that have rules of their own beyond the types
// and ranges of schema.go.

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
			if _, typed := v.o.Values["algorithm"]; !typed {
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
	if v.o.isUnknownExactly("model.source") && v.o.isUnknownExactly("model.base") {
		// Both hang on values not known yet, as in a module's
		// `base = cond ? id : null` beside `source = cond ? null : id` (and
		// `terraform validate` knows no variable): one of them may be null,
		// which only the known values tell.
		source, base = maybe, maybe
	}
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
		v.checkModelSpelling(at, key, id, baseID)
	}
}

// checkModelSpelling warns about what Resolve does to a model id, and about
// models the SDK would not train without being asked to.
func (v *validator) checkModelSpelling(at place, key, id, baseID string) {
	trained := key == "source" && isTrainedModelID(id)
	if trained && !HasKnownSourcePrefix(id) {
		prefix, _, _ := strings.Cut(id, ":")
		v.warnAt(at, "Unknown model id prefix",
			"%s is %q, whose prefix %q the SDK does not know (it knows ft:, fft:, peft:, qft: and rl:); it is sent as written, and the backend decides whether it knows the model.", at.name, id, prefix+":")
	}
	if !IsKnownBase(baseID) {
		v.warnAt(at, "Unknown base model",
			"%s trains from %q, which is not on the SDK's list of RL-trainable base models; the backend decides whether it accepts it.", at.name, baseID)
		return
	}
	// A trained model's id is the backend's own name and goes out byte for
	// byte; only a base id takes the catalogue's spelling, and only in the
	// top-level field the backend reads.
	if canonical := CanonicalBase(id); !trained && canonical != id {
		field := "data.base_model"
		if key == "source" {
			field = "data.model"
		}
		v.warnAt(at, "Model id spelled differently",
			"%s is %q; %s is sent as %q, the SDK's spelling of that base model (the SDK matches base models case-insensitively and sends them spelled this way in that field). data.config keeps %q as written. Write it so to silence this warning.",
			at.name, id, field, canonical, id)
	}
	if isExperimentalBase(baseID) {
		v.warnAt(at, "Experimental base model",
			"%s trains from %q, a Thinking-2507 variant: the SDK lists these as experimental and disables them by default, so the backend may refuse the job.",
			at.name, CanonicalBase(baseID))
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
	count, ok := v.intAt(gpuCount.Path...)
	if !ok {
		return
	}
	if sum := parts[0] + parts[1] + parts[2]; sum != count {
		at := v.tomlPlace("topology")
		if gpuAt := v.placeOf(gpuCount.Path...); gpuAt.typed {
			at = gpuAt
		}
		v.warnAt(at, "GPU topology does not add up",
			"%s: [topology] splits %d GPUs (gpus_for_vllm %d + gpus_for_training %d + gpus_for_ref %d), but %s is %d.",
			at.origin, sum, parts[0], parts[1], parts[2], gpuCount.Dotted(), count)
	}
}

func (v *validator) intAt(path ...string) (int64, bool) {
	if v.o.isUnknown(strings.Join(path, ".")) {
		return 0, false
	}
	val, _ := lookup(v.merged, path...)
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
	explicit, _ := v.o.Values["services"]["task_url"].(string)
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
