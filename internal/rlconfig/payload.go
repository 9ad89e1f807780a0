package rlconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// ClientName identifies this provider to the backend, in the create
// payload's tags.
const ClientName = "terraform-provider-synth"

// BuildPayload returns the body of POST /rl/jobs (§3 of the backend
// contract), exactly as the SDK's build_rl_payload shapes it. apiRoot is the
// normalised API root ("https://api.usesynth.ai/api"), recorded in the
// metadata. The payload holds copies: changing it does not change r. Its
// floats marshal as floats even when integral (see jsonFloat).
func BuildPayload(r *Resolved, apiRoot string) map[string]any {
	if r == nil {
		return nil
	}
	compute := map[string]any{}
	if c, ok := r.Config["compute"].(map[string]any); ok {
		compute = forJSON(c)
	}
	data := map[string]any{
		"endpoint_base_url": r.TaskURL,
		"config":            forJSON(r.Config),
	}
	// The backend reads one of the two, and tells a trained model from a
	// base by which key is present, so the other one is left out rather
	// than sent empty.
	switch {
	case r.ModelSource != "":
		data["model"] = r.ModelSource
	case r.BaseModel != "":
		data["base_model"] = r.BaseModel
	}
	return map[string]any{
		"job_type": "rl",
		"compute":  compute,
		"data":     data,
		"tags":     map[string]any{"source": ClientName},
		"metadata": map[string]any{"backend_base_url": apiRoot},
	}
}

// EffectiveConfigJSON is the canonical JSON of r.Config, exactly what goes
// under data.config: object keys sorted, no insignificant whitespace, and no
// HTML escaping (a task URL's "&" stays "&"), and TOML floats written as
// floats (1.0, not 1). Equal configs give equal strings, so the result can
// be stored and diffed.
func EffectiveConfigJSON(r *Resolved) (string, error) {
	if r == nil {
		return "", errors.New("no resolved config")
	}
	return ConfigJSON(r.Config)
}

// ConfigJSON is the canonical JSON of a config, as EffectiveConfigJSON
// describes it; a recorded config (numbers as json.Number) keeps each
// number's text.
func ConfigJSON(config map[string]any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(forJSON(config)); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}
