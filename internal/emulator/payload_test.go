package emulator

import (
	"net/http"
	"strings"
	"testing"
)

const testTaskURL = "https://acme--crafter-task-app-fastapi-app.modal.run"

// validPayload is a create payload as the newest SDK builds it for a base
// model (§3.1).
func validPayload() map[string]any {
	compute := func() map[string]any {
		return map[string]any{"gpu_type": "H100", "gpu_count": 8, "topology": map[string]any{"reference_placement": "none"}}
	}
	return map[string]any{
		"job_type": "rl",
		"compute":  compute(),
		"data": map[string]any{
			"endpoint_base_url": testTaskURL,
			"config": map[string]any{
				"algorithm": map[string]any{"type": "online", "method": "policy_gradient", "variety": "gspo"},
				"services":  map[string]any{"task_url": testTaskURL},
				"compute":   compute(),
				"model":     map[string]any{"base": "Qwen/Qwen3-4B", "trainer_mode": "full"},
				"reference": map[string]any{"placement": "none"},
			},
			"base_model": "Qwen/Qwen3-4B",
		},
		"tags":     map[string]any{"source": "terraform-provider-synth"},
		"metadata": map[string]any{"backend_base_url": "https://api.usesynth.ai/api"},
	}
}

// sourcePayload is validPayload training from a fine-tuned model instead.
func sourcePayload(source string) map[string]any {
	p := validPayload()
	data := p["data"].(map[string]any)
	delete(data, "base_model")
	data["model"] = source
	data["config"].(map[string]any)["model"] = map[string]any{"source": source}
	return p
}

func TestCreateValidatesPayload(t *testing.T) {
	t.Parallel()
	data := func(p map[string]any) map[string]any { return p["data"].(map[string]any) }
	config := func(p map[string]any) map[string]any { return data(p)["config"].(map[string]any) }
	model := func(p map[string]any) map[string]any { return config(p)["model"].(map[string]any) }

	cases := []struct {
		name   string
		mutate func(p map[string]any)
		want   string // in the detail
	}{
		{"job_type missing", func(p map[string]any) { delete(p, "job_type") }, "job_type"},
		{"job_type sft", func(p map[string]any) { p["job_type"] = "sft" }, "job_type"},
		{"compute missing", func(p map[string]any) { delete(p, "compute") }, "compute"},
		{"compute not an object", func(p map[string]any) { p["compute"] = "H100" }, "compute"},
		{"data missing", func(p map[string]any) { delete(p, "data") }, "data"},
		{"endpoint missing", func(p map[string]any) { delete(data(p), "endpoint_base_url") }, "endpoint_base_url"},
		{"endpoint empty", func(p map[string]any) { data(p)["endpoint_base_url"] = "" }, "endpoint_base_url"},
		{"endpoint not a string", func(p map[string]any) { data(p)["endpoint_base_url"] = 42 }, "endpoint_base_url"},
		{"endpoint not http", func(p map[string]any) {
			data(p)["endpoint_base_url"] = "ftp://x"
			config(p)["services"] = map[string]any{"task_url": "ftp://x"}
		}, "http(s)"},
		{"endpoint trailing slash", func(p map[string]any) {
			data(p)["endpoint_base_url"] = testTaskURL + "/"
			config(p)["services"] = map[string]any{"task_url": testTaskURL + "/"}
		}, `end with "/"`},
		{"config missing", func(p map[string]any) { delete(data(p), "config") }, "data.config must be an object"},
		{"config a TOML string", func(p map[string]any) { data(p)["config"] = "[model]\nbase = 'x'" }, "data.config must be an object"},
		{"services missing", func(p map[string]any) { delete(config(p), "services") }, "task_url"},
		{"task_url differs", func(p map[string]any) {
			config(p)["services"] = map[string]any{"task_url": "https://other.modal.run"}
		}, "task_url must be data.endpoint_base_url"},
		{"model missing", func(p map[string]any) { delete(config(p), "model") }, "data.config.model"},
		{"both source and base", func(p map[string]any) { model(p)["source"] = "ft:Qwen/Qwen3-4B:job_1" }, "exactly one"},
		{"neither source nor base", func(p map[string]any) { delete(model(p), "base") }, "exactly one"},
		{"base empty", func(p map[string]any) { model(p)["base"] = ""; data(p)["base_model"] = "" }, "non-empty"},
		{"base_model missing", func(p map[string]any) { delete(data(p), "base_model") }, "data.base_model must be sent"},
		{"base_model differs", func(p map[string]any) { data(p)["base_model"] = "Qwen/Qwen3-8B" }, "data.base_model must name"},
		{"model with base_model", func(p map[string]any) { data(p)["model"] = "Qwen/Qwen3-4B" }, "must not both be sent"},
		{"model empty", func(p map[string]any) { delete(data(p), "base_model"); data(p)["model"] = "" }, "data.model must be a non-empty string"},
		{"training without the weight-sync mode", func(p map[string]any) {
			config(p)["training"] = map[string]any{"batch_size": 4}
		}, `weight_sync.mode must be "direct"`},
		{"weight-sync mode not direct", func(p map[string]any) {
			config(p)["training"] = map[string]any{"weight_sync": map[string]any{"mode": "nccl"}}
		}, `weight_sync.mode must be "direct"`},
		{"tags missing", func(p map[string]any) { delete(p, "tags") }, "tags.source"},
		{"tags.source not a string", func(p map[string]any) { p["tags"] = map[string]any{"source": 1} }, "tags.source"},
		{"metadata missing", func(p map[string]any) { delete(p, "metadata") }, "metadata.backend_base_url"},
		{"backend_base_url missing", func(p map[string]any) { p["metadata"] = map[string]any{} }, "metadata.backend_base_url"},
	}
	h := newHarness(t, Options{})
	for _, c := range cases {
		p := validPayload()
		c.mutate(p)
		r := h.api("POST", "/api/rl/jobs", p)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422: %s", c.name, r.status, r.raw)
			continue
		}
		if d, _ := r.detail(t).(string); !strings.Contains(d, c.want) {
			t.Errorf("%s: detail %q does not mention %q", c.name, d, c.want)
		}
	}

	sourceCases := []struct {
		name   string
		mutate func(p map[string]any)
		want   string
	}{
		{"model missing", func(p map[string]any) { delete(data(p), "model") }, "data.model must be sent"},
		{"trained id re-spelled", func(p map[string]any) { data(p)["model"] = "ft:qwen/qwen3-4b:job_123" }, "rewrites the trained model id"},
		{"base_model with source", func(p map[string]any) { data(p)["base_model"] = "Qwen/Qwen3-4B" }, "must not both be sent"},
		{"base_model instead of model", func(p map[string]any) {
			delete(data(p), "model")
			data(p)["base_model"] = "Qwen/Qwen3-4B"
		}, "data.base_model must be absent when the config uses [model].source"},
		{"source not a string", func(p map[string]any) { model(p)["source"] = 7 }, "non-empty string"},
	}
	for _, c := range sourceCases {
		p := sourcePayload("ft:Qwen/Qwen3-4B:job_123")
		c.mutate(p)
		r := h.api("POST", "/api/rl/jobs", p)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("source %s: status %d, want 422: %s", c.name, r.status, r.raw)
			continue
		}
		if d, _ := r.detail(t).(string); !strings.Contains(d, c.want) {
			t.Errorf("source %s: detail %q does not mention %q", c.name, d, c.want)
		}
	}

	for _, body := range []string{"", "not json", "[]", "null", `{"job_type": "rl"} trailing`} {
		r := h.api("POST", "/api/rl/jobs", body)
		wantStatus(t, r, http.StatusUnprocessableEntity)
	}

	if n := len(h.emu.Jobs()); n != 0 {
		t.Fatalf("rejected payloads made %d jobs", n)
	}
	wantStatus(t, h.api("POST", "/api/rl/jobs", validPayload()), http.StatusCreated)
	wantStatus(t, h.api("POST", "/api/rl/jobs", sourcePayload("rl:Qwen/Qwen3-0.6B:policy-1")), http.StatusCreated)

	// The three forms the newest SDK sends besides (§3.1).
	var p map[string]any
	// The config keeps the user's spelling; data.base_model is the catalogue's.
	p = validPayload()
	model(p)["base"] = "qwen/qwen3-4b"
	wantStatus(t, h.api("POST", "/api/rl/jobs", p), http.StatusCreated)
	// --model over a base config: data.model is the override, the config
	// keeps the TOML's table, and no data.base_model is sent.
	p = validPayload()
	delete(data(p), "base_model")
	data(p)["model"] = "fft:Qwen/Qwen3-4B:job_sft"
	wantStatus(t, h.api("POST", "/api/rl/jobs", p), http.StatusCreated)
	// --model over a source config.
	p = sourcePayload("ft:Qwen/Qwen3-4B:job_123")
	data(p)["model"] = "peft:Qwen/Qwen3-4B:job_9"
	wantStatus(t, h.api("POST", "/api/rl/jobs", p), http.StatusCreated)
	// A base given as source, sent in the catalogue's spelling.
	p = sourcePayload("qwen/qwen3-4b")
	data(p)["model"] = "Qwen/Qwen3-4B"
	wantStatus(t, h.api("POST", "/api/rl/jobs", p), http.StatusCreated)
	// [training] with the weight-sync block the SDK fills in.
	p = validPayload()
	config(p)["training"] = map[string]any{"weight_sync": map[string]any{"enable": true, "mode": "direct", "targets": []any{"policy"}, "interval": 1}}
	wantStatus(t, h.api("POST", "/api/rl/jobs", p), http.StatusCreated)

	// The SDK strips the "/" from endpoint_base_url and writes the task URL
	// back into the config as the user gave it.
	p = validPayload()
	p["data"].(map[string]any)["config"].(map[string]any)["services"] = map[string]any{"task_url": testTaskURL + "/"}
	wantStatus(t, h.api("POST", "/api/rl/jobs", p), http.StatusCreated)
	// Unknown sections and keys pass through.
	p = validPayload()
	p["data"].(map[string]any)["config"].(map[string]any)["future_section"] = map[string]any{"x": 1}
	p["extra_top_level"] = true
	wantStatus(t, h.api("POST", "/api/rl/jobs", p), http.StatusCreated)
}

func TestBaseOfSource(t *testing.T) {
	t.Parallel()
	for source, want := range map[string]string{
		"ft:Qwen/Qwen3-4B:job_123":    "Qwen/Qwen3-4B",
		"rl:Qwen/Qwen3-0.6B:policy-1": "Qwen/Qwen3-0.6B",
		"fft:Qwen/Qwen3-8B":           "Qwen/Qwen3-8B",
		"no-colons":                   "no-colons",
		"qft::empty":                  "qft::empty",
	} {
		if got := baseOfSource(source); got != want {
			t.Errorf("baseOfSource(%q) = %q, want %q", source, got, want)
		}
	}
}

// The job echoes data.config as the client sent it, numbers included: the
// SDK's 1.0 must not come back as 1.
func TestJobEchoesConfigNumbersAsSent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	body := `{"job_type":"rl","compute":{"topology":{"reference_placement":"none"}},"data":{"endpoint_base_url":"` + testTaskURL + `",` +
		`"config":{"services":{"task_url":"` + testTaskURL + `"},"model":{"base":"Qwen/Qwen3-4B"},"compute":{"topology":{"reference_placement":"none"}},` +
		`"training":{"step_rewards_beta":0.0,"step_rewards_indicator_lambda":1.0,"learning_rate":5e-05,"batch_size":16,"weight_sync":{"mode":"direct"}}},` +
		`"base_model":"Qwen/Qwen3-4B"},"tags":{"source":"sdk"},"metadata":{"backend_base_url":"https://api.usesynth.ai/api"}}`
	created := h.api("POST", "/api/rl/jobs", body)
	wantStatus(t, created, http.StatusCreated)
	id, _ := created.object(t)["job_id"].(string)
	got := h.api("GET", "/api/rl/jobs/"+id, nil)
	wantStatus(t, got, http.StatusOK)
	for _, want := range []string{`"step_rewards_beta":0.0`, `"step_rewards_indicator_lambda":1.0`, `"learning_rate":5e-05`, `"batch_size":16`} {
		if !strings.Contains(strings.ReplaceAll(string(got.raw), " ", ""), want) {
			t.Errorf("job config lacks %s: %s", want, got.raw)
		}
	}
}
