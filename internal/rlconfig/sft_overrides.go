package rlconfig

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// SFTInput is everything an SFT job's create payload depends on.
type SFTInput struct {
	// TOML is config_toml, "" when unset.
	TOML string
	// Overrides are the typed attributes and the file ids.
	Overrides SFTOverrides
}

// SFTOverrides are the typed attributes of synth_sft_job that override keys
// of config_toml, and the uploaded files that take the place of the TOML's
// dataset paths.
type SFTOverrides struct {
	// Values are the typed attributes that are set, by block and attribute
	// as SFT.Keys names them: Values["hyperparameters"]["n_epochs"]. Each
	// value has the form TOML decoding gives it: string, int64, float64,
	// bool, or []any of those ([]string is accepted too). A block present
	// with no attributes is a block whose attributes are all null; for
	// validation that still means validation on, with the defaults.
	Values map[string]map[string]any

	// TrainingFileID is training_file_id; it takes the place of [job].data.
	TrainingFileID string
	// ValidationFileID is validation_file_id, "" when unset; it takes the
	// place of [data].validation_path.
	ValidationFileID string

	// Unknown lists the attribute paths whose values are not known yet at
	// plan time: "config_toml", "training_file_id", "validation_file_id",
	// an attribute such as "hyperparameters.n_epochs", or a whole block
	// such as "hyperparameters". An unknown value counts as set for the
	// presence rules but is not checked; ResolveSFT refuses it.
	Unknown []string
}

// value returns the typed attribute of k, and false when it is not set.
func (o *SFTOverrides) value(k Key) (any, bool) {
	if !k.Typed() {
		return nil, false
	}
	val, ok := o.Values[k.Block()][k.Attr()]
	return val, ok
}

// unknown is the RL bookkeeping of values not known yet, which SFT shares.
func (o *SFTOverrides) unknown() *Overrides { return &Overrides{Unknown: o.Unknown} }

// MergeSFT returns a deep copy of base with the typed attributes written over
// the TOML keys they name; a typed value wins over the TOML, and over the
// older spellings of its key. Every other key passes through. base is never
// modified and may be nil. Like Merge, it does not validate: a non-table
// where a typed value needs a table is replaced, and ValidateSFT reports the
// TOML mistake.
func MergeSFT(base map[string]any, o SFTOverrides) map[string]any {
	out := copyTable(base)
	for _, k := range SFT.Keys {
		if val, ok := o.value(k); ok {
			t := out
			for _, name := range k.Path[:len(k.Path)-1] {
				t = tableIn(t, name)
			}
			t[k.Path[len(k.Path)-1]] = copyValue(asTOMLValue(val))
		}
	}
	// An empty validation block still asks for validation, with the
	// defaults; the table's presence is what says so.
	if _, ok := o.Values["validation"]; ok {
		tableIn(tableIn(out, "training"), "validation")
	}
	return out
}

// asTOMLValue turns a typed list the provider may hand over as []string or
// []int64 into the []any TOML decoding gives.
func asTOMLValue(val any) any {
	rv := reflect.ValueOf(val)
	if !rv.IsValid() || rv.Kind() != reflect.Slice {
		return val
	}
	if list, ok := val.([]any); ok {
		return list
	}
	list := make([]any, rv.Len())
	for i := range list {
		list[i] = rv.Index(i).Interface()
	}
	return list
}

// sftLookup returns the effective value of k in a merged config: its own
// path, else the first older spelling present, with the path it was found
// at.
func sftLookup(config map[string]any, k Key) (any, []string, bool) {
	if val, ok := lookup(config, k.Path...); ok {
		return val, k.Path, true
	}
	for _, p := range k.Fallbacks {
		if val, ok := lookup(config, p...); ok {
			return val, p, true
		}
	}
	return nil, nil, false
}

// SFTConfigFromJob rebuilds the SFT config a job was created from, as a
// TOML-shaped document (the form Parse gives), out of its create payload or
// the job object the backend echoes it in (§12: model or model_id,
// hyperparameters, metadata.effective_config). Each value goes back to its
// key in the table ([job].model, [compute], [training], [training.validation],
// [hyperparameters], [hyperparameters.parallelism], [data.topology]); the
// method's signals become [training].mode and use_qlora, and the defaults
// BuildSFTPayload added stay, so that the document builds the same payload.
// Decode job with json.Decoder.UseNumber: integers then stay integers.
func SFTConfigFromJob(job map[string]any) map[string]any {
	job = fromJSONNumbers(job)
	config := map[string]any{}
	put := func(path []string, val any) {
		t := config
		for _, name := range path[:len(path)-1] {
			t = tableIn(t, name)
		}
		t[path[len(path)-1]] = val
	}
	if model, ok := firstPresent(job, "model", "model_id", "base_model"); ok {
		put([]string{"job", "model"}, model)
	}
	hp, _ := job["hyperparameters"].(map[string]any)
	_, hasValidation := hp["evaluation_strategy"]
	sentAt := map[string]Key{}
	for _, k := range SFT.Keys {
		if k.Sent != nil {
			sentAt[strings.Join(k.Sent, ".")] = k
		}
	}
	for name, val := range hp {
		k, known := sentAt["hyperparameters."+name]
		switch {
		case name == "train_kind" || name == "use_qlora":
			// Signals of the method, read below from the metadata.
		case known:
			put(k.Path, copyValue(val))
		default:
			put([]string{"hyperparameters", name}, copyValue(val))
		}
	}
	effectiveVal, _ := lookup(job, "metadata", "effective_config")
	effective, _ := effectiveVal.(map[string]any)
	if compute, ok := lookup(effective, "compute"); ok {
		put([]string{"compute"}, copyValue(compute))
	}
	if topology, ok := lookup(effective, "data", "topology"); ok {
		if t, isTable := topology.(map[string]any); !isTable || len(t) > 0 {
			put([]string{"data", "topology"}, copyValue(topology))
		}
	}
	if mode, ok := lookupString(job, "metadata", "effective_config", "training", "mode"); ok {
		put([]string{"training", "mode"}, mode)
	}
	if q, _ := lookup(job, "metadata", "effective_config", "training", "use_qlora"); q == true {
		put([]string{"training", "use_qlora"}, true)
	}
	// Validation without [training.validation] follows the validation
	// file; with it, the table's enabled says.
	if enabled, ok := lookup(job, "metadata", "effective_config", "training", "validation", "enabled"); ok && hasValidation {
		put([]string{"training", "validation", "enabled"}, enabled)
	}
	return config
}

// SFTOverridesFromConfig fills the typed attributes from an SFT config, as
// on import: every typed key present at its own path with a value of its
// type is set, every other one is left out. SFTTOMLWithoutTyped gives the
// rest of the config.
func SFTOverridesFromConfig(config map[string]any) SFTOverrides {
	return SFTOverrides{Values: SFT.OverridesFromConfig(config).Values}
}

// SFTOverridesFromJob is SFTOverridesFromConfig of SFTConfigFromJob, with
// the file ids: training_file_id (or training_file) and the first entry of
// metadata.effective_config.data.validation_files.
func SFTOverridesFromJob(job map[string]any) SFTOverrides {
	o := SFTOverridesFromConfig(SFTConfigFromJob(job))
	if id, ok := firstPresent(job, "training_file_id", "training_file"); ok {
		o.TrainingFileID, _ = id.(string)
	}
	if files, ok := lookup(job, "metadata", "effective_config", "data", "validation_files"); ok {
		if list, ok := files.([]any); ok && len(list) > 0 {
			o.ValidationFileID, _ = list[0].(string)
		}
	}
	return o
}

// SFTTOMLWithoutTyped is config without the keys SFTOverridesFromConfig
// takes, as a TOML document: what an imported job's config_toml holds
// beside its typed attributes. It is "" when nothing is left.
func SFTTOMLWithoutTyped(config map[string]any) (string, error) {
	rest := copyTable(config)
	for _, k := range SFT.Keys {
		if !k.Typed() {
			continue
		}
		if val, ok := lookup(rest, k.Path...); ok {
			if _, convertible := k.Type.fromConfig(val); !convertible {
				continue
			}
			parent, _ := lookup(rest, k.Path[:len(k.Path)-1]...)
			if t, ok := parent.(map[string]any); ok {
				delete(t, k.Path[len(k.Path)-1])
			}
		}
	}
	pruneEmptyTables(rest)
	if len(rest) == 0 {
		return "", nil
	}
	b, err := toml.Marshal(rest)
	return string(b), err
}

// pruneEmptyTables drops tables left empty, innermost first.
func pruneEmptyTables(t map[string]any) {
	for k, v := range t {
		if sub, ok := v.(map[string]any); ok {
			pruneEmptyTables(sub)
			if len(sub) == 0 {
				delete(t, k)
			}
		}
	}
}

// fromJSONNumbers copies a decoded JSON document with each json.Number made
// the int64 or float64 TOML decoding would give.
func fromJSONNumbers(t map[string]any) map[string]any {
	return mapScalars(t, func(v any) any {
		n, ok := v.(json.Number)
		if !ok {
			return v
		}
		if i, err := n.Int64(); err == nil {
			return i
		}
		f, _ := n.Float64()
		return f
	})
}

func firstPresent(doc map[string]any, keys ...string) (any, bool) {
	for _, k := range keys {
		if val, ok := doc[k]; ok && val != nil && val != "" {
			return val, true
		}
	}
	return nil, false
}

// WithoutSFTDefaults drops from imported overrides (SFTOverridesFromJob) the
// values BuildSFTPayload fills in when nothing sets them: a full fine-tune's
// [training].mode and the [training.validation] defaults. They come back
// from the job's echo as if set, and the configuration that created the job
// almost never writes them; left in, that configuration would plan a change
// of form after an import. The request they build is the same either way. A
// validation block left with no value stays, empty: its presence is what
// turns validation on.
func WithoutSFTDefaults(o SFTOverrides) SFTOverrides {
	out := SFTOverrides{TrainingFileID: o.TrainingFileID, ValidationFileID: o.ValidationFileID, Unknown: o.Unknown}
	out.Values = make(Values, len(o.Values))
	for block, values := range o.Values {
		out.Values[block] = make(map[string]any, len(values))
		for attr, val := range values {
			out.Values[block][attr] = val
		}
	}
	if training := out.Values["training"]; training["mode"] == SFTMethodFFT.Mode() && training["use_qlora"] != true {
		delete(training, "mode")
		delete(training, "use_qlora")
		if len(training) == 0 {
			delete(out.Values, "training")
		}
	}
	if validation, ok := out.Values["validation"]; ok {
		if validation["enabled"] == true {
			delete(validation, "enabled")
		}
		for _, d := range sftValidationDefaults {
			if validation[d.key] == d.def {
				delete(validation, d.key)
			}
		}
	}
	return out
}
