package rlconfig

// Resolved is the effective config of a job, ready to be sent.
type Resolved struct {
	// Config is the whole effective config: config_toml with the typed
	// overrides merged in, [services].task_url set to TaskURL, and
	// [reference] defaulted to {placement = "none"} when missing, and a
	// known base model (also inside a source id) spelled the SDK's way, as
	// the SDK does.
	Config map[string]any
	// TaskURL is the effective task-app URL without trailing slashes.
	TaskURL string
	// TaskURLSource says in plain words where TaskURL came from: one of
	// TaskURLFromAttribute, TaskURLFromProvider, TaskURLFromTOML.
	TaskURLSource string
	// Exactly one of ModelSource and BaseModel is non-empty.
	ModelSource string
	BaseModel   string
}

// Resolve validates the input and, when it holds no error, returns the
// effective config. Every value must be known: an entry of
// Overrides.Unknown is an error, so Resolve belongs to apply time. The
// returned diagnostics include the warnings either way; the Resolved is nil
// when there is any error.
func Resolve(in Input) (*Resolved, Diagnostics) {
	v := validate(in)
	v.refuseUnknown()
	if v.diags.HasError() {
		return nil, v.diags
	}

	// v.merged is a fresh copy that nothing else refers to.
	cfg := v.merged
	// Written back so that the config and data.endpoint_base_url never
	// disagree.
	tableIn(cfg, "services")["task_url"] = v.taskURL
	if _, ok := cfg["reference"]; !ok {
		cfg["reference"] = map[string]any{"placement": "none"}
	}
	// Known bases go out spelled as the SDK spells them, in the config and
	// in data.model / data.base_model alike (Validate warned about it).
	if model, ok := cfg["model"].(map[string]any); ok {
		for _, key := range []string{"source", "base"} {
			if id, ok := model[key].(string); ok {
				model[key] = canonicalModelID(key, id)
			}
		}
	}

	r := &Resolved{Config: cfg, TaskURL: v.taskURL, TaskURLSource: v.taskURLSource}
	r.ModelSource, _ = lookupString(cfg, "model", "source")
	r.BaseModel, _ = lookupString(cfg, "model", "base")
	return r, v.diags
}

// refuseUnknown makes each value not known yet an error: a job is built
// from known values only.
func (v *validator) refuseUnknown() {
	for _, attr := range v.o.Unknown {
		v.errorAt(typedPlace(attr), "Value not known yet",
			"%s is not known yet; the job config can only be built once every value it depends on is known.", attr)
	}
}

func lookupString(doc map[string]any, path ...string) (string, bool) {
	val, _ := lookup(doc, path...)
	s, ok := val.(string)
	return s, ok
}
