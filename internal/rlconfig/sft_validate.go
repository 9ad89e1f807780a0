package rlconfig

import (
	"maps"
	"slices"
	"strings"
)

// ValidateSFT checks an SFT job's effective config (§11 of the backend
// contract) and reports every problem rather than the first, each on the
// typed attribute it came from or on its config_toml line. Like Validate,
// it tolerates values not known yet (SFTOverrides.Unknown), so it suits
// plan time.
func ValidateSFT(in SFTInput) Diagnostics {
	return validateSFT(in).diags
}

// sftValidator shares the RL validator's TOML reading, places and
// diagnostics; what it adds is the SFT mapping of TOML paths to typed
// attributes.
type sftValidator struct {
	validator
	so *SFTOverrides
	// method is the FFT/LoRA/QLoRA decision, once checkMethod has made it.
	method SFTMethod
}

func validateSFT(in SFTInput) *sftValidator {
	v := &sftValidator{so: &in.Overrides, method: SFTMethodFFT}
	v.o = in.Overrides.unknown()
	v.readTOML(in.TOML)
	v.merged = MergeSFT(v.base, in.Overrides)

	v.checkTypedStrings()
	v.checkTables()
	v.checkKnownKeys()
	v.checkFinite(nil, withoutRangedNumbers(v.merged))
	v.checkAlgorithm()
	v.checkBaseModel()
	v.checkSteps()
	v.checkGPUType()
	v.checkMethod()
	v.checkDropped()
	v.checkFiles()
	return v
}

// placeOf tells where k's effective value came from: the typed attribute
// when one is set (or unknown), else the TOML at path (k's own path or the
// older spelling it was read from).
func (v *sftValidator) placeOf(k Key, path []string) place {
	if _, ok := v.so.value(k); ok || (k.Typed() && v.o.isUnknown(k.Attribute())) {
		return typedPlace(k.Attribute())
	}
	return v.tomlPlace(path...)
}

// isUnknown reports whether k's typed attribute, or config_toml when k
// would come from it, is not known yet.
func (v *sftValidator) isUnknown(k Key) bool {
	if k.Typed() && v.o.isUnknown(k.Attribute()) {
		return true
	}
	_, typed := v.so.value(k)
	return !typed && !v.tomlKnown && v.o.isUnknown("config_toml")
}

func (v *sftValidator) checkTypedStrings() {
	for _, k := range SFT.Keys {
		if val, ok := v.so.value(k); ok && val == "" && !v.o.isUnknown(k.Attribute()) {
			v.errorAt(typedPlace(k.Attribute()), "Empty value", "%s must not be empty.", k.Attribute())
		}
	}
	for _, id := range []struct{ attr, val string }{
		{"training_file_id", v.so.TrainingFileID}, {"validation_file_id", v.so.ValidationFileID},
	} {
		if id.val != "" && strings.TrimSpace(id.val) == "" {
			v.errorAt(typedPlace(id.attr), "Empty value", "%s must not be blank.", id.attr)
		}
	}
}

// checkTables looks at the TOML as written: a typed value merged into a
// table the TOML wrote as something else would otherwise hide the mistake.
func (v *sftValidator) checkTables() {
	for _, section := range SFT.Sections {
		dotted := section.Name
		path := strings.Split(dotted, ".")
		val, ok := lookup(v.base, path...)
		if !ok {
			continue
		}
		if _, isTable := val.(map[string]any); isTable {
			continue
		}
		at := v.tomlPlace(path...)
		var typed []string
		for _, k := range SFT.Keys {
			if _, ok := v.so.value(k); ok && strings.HasPrefix(k.Dotted()+".", dotted+".") {
				typed = append(typed, k.Attribute())
			}
		}
		if len(typed) > 0 {
			v.errorAt(at, "Invalid section", "%s must be a table, got %s, so it contradicts %s, which writes into it.",
				at.name, describe(val), strings.Join(typed, ", "))
			continue
		}
		v.errorAt(at, "Invalid section", "%s must be a table, got %s.", at.name, describe(val))
	}
}

func (v *sftValidator) checkKnownKeys() {
	for _, k := range SFT.Keys {
		if v.isUnknown(k) {
			continue
		}
		val, ok := lookup(v.merged, k.Path...)
		if !ok {
			continue
		}
		v.checkValue(v.placeOf(k, k.Path), val, k.Type, k.rule)
	}
}

// withoutRangedNumbers is config without the number keys whose rules
// already refuse NaN and infinities, so that checkFinite does not report
// them a second time.
func withoutRangedNumbers(config map[string]any) map[string]any {
	out := copyTable(config)
	for _, k := range SFT.Keys {
		if k.Type != TypeNumber || k.rule == nil {
			continue
		}
		parent, ok := lookup(out, k.Path[:len(k.Path)-1]...)
		if t, isTable := parent.(map[string]any); ok && isTable {
			delete(t, k.Path[len(k.Path)-1])
		}
	}
	return out
}

// sftAlgorithms are the [algorithm] values an SFT config may carry.
var sftAlgorithms = []struct {
	key  string
	want []string
}{
	{"type", []string{"offline"}},
	{"method", []string{"sft", "supervised_finetune"}},
}

// checkAlgorithm refuses an RL [algorithm] in an SFT config; the table
// itself is optional, as most of the SDK's examples lack it.
func (v *sftValidator) checkAlgorithm() {
	table, ok := v.merged["algorithm"].(map[string]any)
	if !ok {
		return
	}
	for _, rule := range sftAlgorithms {
		got, isString := table[rule.key].(string)
		if !isString || slices.Contains(rule.want, got) {
			continue // absent, or reported as a wrong type
		}
		at := v.tomlPlace("algorithm", rule.key)
		hint := ""
		if got == "online" || got == "policy_gradient" {
			hint = " This is the RL algorithm: an RL job is a synth_rl_job."
		}
		v.errorAt(at, "Unsupported algorithm", "%s must be %s for an SFT job, got %q.%s",
			at.name, orList(rule.want), got, hint)
	}
}

// orList spells words as `"a", "b" or "c"`.
func orList(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = `"` + w + `"`
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

func (v *sftValidator) checkBaseModel() {
	k, _ := SFT.Key("job.model")
	if v.isUnknown(k) {
		return
	}
	val, path, ok := sftLookup(v.merged, k)
	if !ok {
		if v.tomlKnown || v.typedSet(k) {
			v.errorAt(place{attr: "model.base"}, "Missing base model",
				`The base model is missing. Set model.base to a base model such as "Qwen/Qwen3-4B" (or [job].model in config_toml).`)
		}
		return
	}
	id, isString := val.(string)
	at := v.placeOf(k, path)
	if !isString || id == "" {
		// A wrong type was reported by checkKnownKeys, an empty typed
		// value by checkTypedStrings.
		if isString && !at.typed {
			v.errorAt(at, "Empty value", "%s must not be empty.", at.name)
		}
		return
	}
	if prefix, _, found := strings.Cut(id, ":"); found && isKnownPrefix(strings.ToLower(prefix)) {
		v.errorAt(at, "Invalid model id",
			"%s is %q, a fine-tuned model id; an SFT job trains from a base model such as \"Qwen/Qwen3-4B\", never from a %s: id.",
			at.name, id, prefix)
		return
	}
	if err := ValidateBaseModel(id); err != nil {
		v.errorAt(at, "Invalid model id", "%s is not a valid base model: %s.", at.name, err)
		return
	}
	if !IsKnownBase(id) {
		v.warnAt(at, "Base model not RL-trainable",
			"%s is %q, which is not on the SDK's list of RL-trainable base models: the backend may fine-tune it, but an RL job could not start from the result.",
			at.name, id)
	}
	if other, ok := lookupString(v.merged, "model", "base"); ok && slices.Equal(path, k.Path) && other != id && !at.typed {
		otherAt := v.tomlPlace("model", "base")
		v.warnAt(otherAt, "Conflicting base model", "%s is %q, but [job].model (%s) is %q and wins.",
			otherAt.name, other, at.origin, id)
	}
}

func (v *sftValidator) typedSet(k Key) bool {
	_, ok := v.so.value(k)
	return ok
}

// checkSteps warns when no step count is set: the payload then carries
// n_epochs = 1, as the SDK sends it. Each present step count was checked
// by its rule.
func (v *sftValidator) checkSteps() {
	if !v.tomlKnown {
		return
	}
	for _, name := range sftStepKeys {
		k, _ := SFT.Key("hyperparameters." + name)
		if _, ok := lookup(v.merged, k.Path...); ok || v.isUnknown(k) {
			return
		}
	}
	v.warnAt(place{attr: "hyperparameters"}, "No step count",
		"hyperparameters has no step count (n_epochs, total_steps, train_steps or steps); the job is sent with n_epochs = 1, as the SDK sends it.")
}

func (v *sftValidator) checkGPUType() {
	k, _ := SFT.Key("compute.gpu_type")
	if v.isUnknown(k) || !v.tomlKnown && !v.typedSet(k) {
		return
	}
	if _, ok := lookup(v.merged, k.Path...); !ok {
		v.errorAt(place{attr: "compute.gpu_type"}, "Missing GPU type",
			`compute.gpu_type is missing: set it (or [compute].gpu_type in config_toml) to a GPU type such as "H100"; the backend refuses an SFT job without one (missing_gpu_type).`)
	}
}

// checkDropped warns about [hyperparameters] keys the payload does not
// carry, as the SDK's builder drops them.
func (v *sftValidator) checkDropped() {
	hp, ok := v.merged["hyperparameters"].(map[string]any)
	if !ok {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(hp)) {
		if name == "parallelism" || name == "lora" {
			continue
		}
		if k, known := SFT.Key("hyperparameters." + name); known && (k.Sent != nil || name == "train_kind" || name == "use_qlora") {
			continue
		}
		at := v.tomlPlace("hyperparameters", name)
		why := "the contract does not list it"
		if slices.Contains(sftDroppedKeys, name) {
			why = "the SDK's builder drops it too"
		}
		v.warnAt(at, "Key not sent", "%s is not sent to the backend: %s.", at.name, why)
	}
}

// checkFiles checks the uploaded files that take the place of the TOML's
// dataset paths.
func (v *sftValidator) checkFiles() {
	if v.so.TrainingFileID == "" && !v.o.isUnknown("training_file_id") {
		v.errorAt(typedPlace("training_file_id"), "Missing training file",
			"training_file_id is required: the id of an uploaded training file (a synth_training_file's id). The provider does not upload [job].data itself.")
	}
	if v.so.ValidationFileID != "" || v.o.isUnknown("validation_file_id") || v.o.isUnknown("validation") {
		return
	}
	if path, ok := lookupString(v.base, "data", "validation_path"); ok {
		at := v.tomlPlace("data", "validation_path")
		v.warnAt(at, "Validation file not uploaded",
			"%s is %q, a local path the provider does not upload: upload it with a synth_training_file and pass its id as validation_file_id. The job is sent without a validation file.",
			at.name, path)
		return
	}
	if enabled, ok := v.validationEnabled(); ok && enabled {
		at := v.validationPlace()
		v.warnAt(at, "No validation file",
			"%s enables validation, but validation_file_id is not set: the job has no validation set to evaluate on.", at.origin)
	}
}

// validationEnabled is [training.validation].enabled with its default,
// and false when there is no [training.validation].
func (v *sftValidator) validationEnabled() (enabled, present bool) {
	t, ok := lookup(v.merged, "training", "validation")
	if _, isTable := t.(map[string]any); !ok || !isTable {
		return false, false
	}
	if b, ok := lookup(v.merged, "training", "validation", "enabled"); ok {
		enabled, _ = b.(bool)
		return enabled, true
	}
	return true, true
}

func (v *sftValidator) validationPlace() place {
	k, _ := SFT.Key("training.validation.enabled")
	if _, typed := v.so.Values["validation"]; typed {
		return typedPlace("validation")
	}
	return v.placeOf(k, []string{"training", "validation"})
}
