package rlconfig

// Resolved is the effective config of a job, ready to be sent.
type Resolved struct {
	// Config is the whole effective config: config_toml with the typed
	// overrides merged in (a model set in Terraform replacing the TOML's),
	// numbers typed as the SDK types them, [services].task_url set to
	// TaskURL, [reference] defaulted to {placement = "none"} when missing,
	// and the weight-sync block and reference placement the newest SDK adds
	// (contract §3.1). Model ids stay as written.
	Config map[string]any
	// TaskURL is the effective task-app URL without trailing slashes.
	TaskURL string
	// TaskURLSource says in plain words where TaskURL came from: one of
	// TaskURLFromAttribute, TaskURLFromProvider, TaskURLFromTOML.
	TaskURLSource string
	// Exactly one of ModelSource and BaseModel is non-empty: data.model and
	// data.base_model. A base id (given as base, or as source) is in the
	// catalogue's spelling; a trained model's id is the one written.
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
	fillSDKDefaults(cfg, int64(1))

	r := &Resolved{Config: cfg, TaskURL: v.taskURL, TaskURLSource: v.taskURLSource}
	r.ModelSource, r.BaseModel = payloadModelIDs(cfg)
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
