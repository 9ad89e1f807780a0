package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// createPayload is a create request that passed validation (§3), with the
// parts the emulator needs picked out.
type createPayload struct {
	raw      map[string]any
	endpoint string         // data.endpoint_base_url
	config   map[string]any // data.config
	// configJSON is data.config as the client encoded it. A job echoes it
	// verbatim, as a backend that stores the submitted JSON does, so a
	// client's comparison sees the numbers the client sent (1.0 stays 1.0).
	configJSON json.RawMessage
	// What the backend reads: data.model (a trained model, a base given as
	// source, or a --model override) or data.base_model.
	source string
	base   string
}

// payloadError is a rejected payload; its text is the 422 detail, so it names
// the field at fault the way a client's author needs to fix it.
type payloadError string

func (p payloadError) Error() string { return string(p) }

func rejectf(format string, args ...any) error {
	return payloadError(fmt.Sprintf(format, args...))
}

// parseCreatePayload checks body against the create payload the contract's
// SDK sends (§3). It is strict where the SDK is consistent, because a client
// that sends something else is a client the real backend may misread.
func parseCreatePayload(body []byte) (*createPayload, error) {
	// Numbers keep their text, so the job echoes data.config as it was sent:
	// a float the SDK wrote as 1.0 stays 1.0, as it does on the real backend.
	var raw map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, rejectf("body must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, rejectf("body must be one JSON object, with nothing after it")
	}
	p := &createPayload{raw: raw}
	var verbatim struct {
		Data struct {
			Config json.RawMessage `json:"config"`
		} `json:"data"`
	}
	_ = json.Unmarshal(body, &verbatim) // it parsed as an object above
	p.configJSON = verbatim.Data.Config

	if jt, _ := raw["job_type"].(string); jt != "rl" {
		return nil, rejectf(`job_type must be "rl"`)
	}
	if _, ok := raw["compute"].(map[string]any); !ok {
		return nil, rejectf("compute must be an object ({} when the config has no [compute])")
	}
	data, ok := raw["data"].(map[string]any)
	if !ok {
		return nil, rejectf("data must be an object")
	}
	if err := p.checkEndpoint(data); err != nil {
		return nil, err
	}
	if p.config, ok = data["config"].(map[string]any); !ok {
		return nil, rejectf("data.config must be an object")
	}
	// The SDK strips the trailing "/" from endpoint_base_url only, so the
	// URL written back into the config may keep it.
	services, _ := p.config["services"].(map[string]any)
	if taskURL, _ := services["task_url"].(string); strings.TrimRight(taskURL, "/") != p.endpoint {
		return nil, rejectf("data.config.services.task_url must be data.endpoint_base_url (%q), give or take a trailing \"/\"", p.endpoint)
	}
	if err := p.checkModel(data); err != nil {
		return nil, err
	}
	if err := p.checkWeightSync(); err != nil {
		return nil, err
	}
	tags, _ := raw["tags"].(map[string]any)
	if _, ok := tags["source"].(string); !ok {
		return nil, rejectf("tags.source must be a string")
	}
	metadata, _ := raw["metadata"].(map[string]any)
	if _, ok := metadata["backend_base_url"].(string); !ok {
		return nil, rejectf("metadata.backend_base_url must be a string")
	}
	return p, nil
}

func (p *createPayload) checkEndpoint(data map[string]any) error {
	endpoint, _ := data["endpoint_base_url"].(string)
	if endpoint == "" {
		return rejectf("data.endpoint_base_url must be a non-empty string")
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return rejectf("data.endpoint_base_url must be an http(s) URL, got %q", endpoint)
	}
	if strings.HasSuffix(endpoint, "/") {
		return rejectf("data.endpoint_base_url must not end with \"/\", got %q", endpoint)
	}
	p.endpoint = endpoint
	return nil
}

// checkModel enforces the [model] rule as the newest SDK keeps it (§3,
// §3.1): data.config.model names exactly one of source and base, as the
// user wrote it; exactly one of data.model and data.base_model is sent.
// data.base_model is the config's base in any spelling (the SDK sends the
// catalogue's). data.model is the config's source, or an override that
// replaces the config's choice (the CLI's --model). A trained model's id is
// never re-spelled, so a data.model that differs from the config's trained
// id only in case is a client rewriting it.
func (p *createPayload) checkModel(data map[string]any) error {
	model, ok := p.config["model"].(map[string]any)
	if !ok {
		return rejectf("data.config.model must be an object")
	}
	rawSource, hasSource := model["source"]
	rawBase, hasBase := model["base"]
	if hasSource == hasBase {
		return rejectf("exactly one of data.config.model.source or data.config.model.base is required")
	}
	configSource, _ := rawSource.(string)
	configBase, _ := rawBase.(string)
	if hasSource && configSource == "" {
		return rejectf("data.config.model.source must be a non-empty string")
	}
	if hasBase && configBase == "" {
		return rejectf("data.config.model.base must be a non-empty string")
	}

	rawModel, hasDataModel := data["model"]
	rawBaseModel, hasDataBase := data["base_model"]
	switch {
	case hasDataModel && hasDataBase:
		return rejectf("data.model and data.base_model must not both be sent")
	case hasDataBase:
		p.base, _ = rawBaseModel.(string)
		if !hasBase {
			return rejectf("data.base_model must be absent when the config uses [model].source (send data.model)")
		}
		if !strings.EqualFold(p.base, configBase) {
			return rejectf("data.base_model must name data.config.model.base (%q), got %q", configBase, p.base)
		}
		return nil
	case hasDataModel:
		if p.source, _ = rawModel.(string); p.source == "" {
			return rejectf("data.model must be a non-empty string")
		}
		if hasSource && strings.Contains(configSource, ":") && p.source != configSource && strings.EqualFold(p.source, configSource) {
			return rejectf("data.model %q rewrites the trained model id data.config.model.source (%q); a trained model's id is sent byte for byte", p.source, configSource)
		}
		return nil
	case hasSource:
		return rejectf("data.model must be sent when the config uses [model].source (%q)", configSource)
	default:
		return rejectf("data.base_model must be sent when the config uses [model].base (%q)", configBase)
	}
}

// checkWeightSync refuses a config with [training] whose weight-sync mode
// is not "direct": the newest SDK fills it in as a backend requirement
// (§3.1). The reference placement it also adds is not required: older SDKs,
// which the backend still serves, do not send it.
func (p *createPayload) checkWeightSync() error {
	training, ok := p.config["training"].(map[string]any)
	if !ok {
		return nil
	}
	sync, _ := training["weight_sync"].(map[string]any)
	if mode, _ := sync["mode"].(string); mode != "direct" {
		return rejectf(`data.config.training.weight_sync.mode must be "direct" when the config has [training] (a backend requirement)`)
	}
	return nil
}

// baseModel is the base model the job trains: data.base_model, or the one
// named in data.model's second ":"-separated segment
// ("ft:Qwen/Qwen3-4B:job_123" trains Qwen/Qwen3-4B), or data.model itself
// for a base given as source.
func (p *createPayload) baseModel() string {
	if p.base != "" {
		return p.base
	}
	return baseOfSource(p.source)
}

func baseOfSource(source string) string {
	parts := strings.Split(source, ":")
	if len(parts) >= 2 && parts[1] != "" {
		return parts[1]
	}
	return source
}
