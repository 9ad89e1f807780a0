package rlconfig

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden payloads in testdata")

const testAPIRoot = "https://api.usesynth.ai/api"

// goldenInputs are the two SDK examples as a Terraform user would fill them
// in: the base example with the task URL from the provider, the fine-tune
// template with the typed attributes it was written for. Their golden
// payloads are what the newest SDK sends for the same files (contract §3.1),
// save tags.source: the weight-sync block, the reference placement, floats
// where the SDK types floats, and the model ids as written.
var goldenInputs = []struct {
	fixture string
	in      func(src string) Input
}{
	{
		fixture: "rl_from_base_qwen4b",
		in: func(src string) Input {
			return Input{TOML: src, DefaultTaskURL: "https://synth-laboratories--crafter-task-app.modal.run/"}
		},
	},
	{
		fixture: "rl_from_ft",
		in: func(src string) Input {
			return Input{TOML: src, Overrides: Overrides{
				Values: Values{
					"model":    {"source": "ft:Qwen/Qwen3-4B:job_8f2c1a"},
					"services": {"task_url": "https://synth-laboratories--crafter-task-app.modal.run"},
				},
			}}
		},
	},
}

func TestBuildPayloadGolden(t *testing.T) {
	for _, g := range goldenInputs {
		t.Run(g.fixture, func(t *testing.T) {
			r, diags := Resolve(g.in(readFixture(t, g.fixture+".toml")))
			if diags.HasError() || r == nil {
				t.Fatalf("Resolve: %v", diags)
			}
			if len(diags) != 0 {
				t.Errorf("unexpected warnings: %v", diags)
			}
			got, err := json.MarshalIndent(BuildPayload(r, testAPIRoot), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, g.fixture, got)
		})
	}
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // compare numbers as written, not as rounded floats
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return v
}

func TestBuildPayload(t *testing.T) {
	tests := []struct {
		name string
		r    *Resolved
		want map[string]any
	}{
		{
			name: "from a source",
			r: &Resolved{
				Config: map[string]any{
					"model":    map[string]any{"source": "ft:Qwen/Qwen3-4B:job_1"},
					"services": map[string]any{"task_url": "https://t.example.com"},
					"compute":  map[string]any{"gpu_type": "H100", "gpu_count": int64(8)},
				},
				TaskURL:     "https://t.example.com",
				ModelSource: "ft:Qwen/Qwen3-4B:job_1",
			},
			want: map[string]any{
				"job_type": "rl",
				"compute":  map[string]any{"gpu_type": "H100", "gpu_count": int64(8)},
				"data": map[string]any{
					"endpoint_base_url": "https://t.example.com",
					"config": map[string]any{
						"model":    map[string]any{"source": "ft:Qwen/Qwen3-4B:job_1"},
						"services": map[string]any{"task_url": "https://t.example.com"},
						"compute":  map[string]any{"gpu_type": "H100", "gpu_count": int64(8)},
					},
					"model": "ft:Qwen/Qwen3-4B:job_1",
				},
				"tags":     map[string]any{"source": "terraform-provider-synth"},
				"metadata": map[string]any{"backend_base_url": testAPIRoot},
			},
		},
		{
			name: "from a base, without [compute]",
			r: &Resolved{
				Config:    map[string]any{"model": map[string]any{"base": "Qwen/Qwen3-4B"}},
				TaskURL:   "https://t.example.com",
				BaseModel: "Qwen/Qwen3-4B",
			},
			want: map[string]any{
				"job_type": "rl",
				"compute":  map[string]any{},
				"data": map[string]any{
					"endpoint_base_url": "https://t.example.com",
					"config":            map[string]any{"model": map[string]any{"base": "Qwen/Qwen3-4B"}},
					"base_model":        "Qwen/Qwen3-4B",
				},
				"tags":     map[string]any{"source": "terraform-provider-synth"},
				"metadata": map[string]any{"backend_base_url": testAPIRoot},
			},
		},
		{name: "nil", r: nil, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := BuildPayload(tt.r, testAPIRoot); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("BuildPayload =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

func TestBuildPayloadCopies(t *testing.T) {
	r, diags := Resolve(Input{TOML: readFixture(t, "rl_from_base_qwen4b.toml")})
	if diags.HasError() {
		t.Fatalf("Resolve: %v", diags)
	}
	before, _ := EffectiveConfigJSON(r)

	p := BuildPayload(r, testAPIRoot)
	p["compute"].(map[string]any)["gpu_count"] = int64(1)
	p["data"].(map[string]any)["config"].(map[string]any)["model"].(map[string]any)["base"] = "changed"

	if after, _ := EffectiveConfigJSON(r); after != before {
		t.Errorf("changing the payload changed the resolved config:\n%s\nwas\n%s", after, before)
	}
}

func TestEffectiveConfigJSON(t *testing.T) {
	r, diags := Resolve(Input{
		TOML:      validTOML + "[tags]\nnote = \"a<b & c>d\"\n[zeta]\nb = 2\na = [1.5, \"x\"]\nc = 1.0\nd = 0.0\n",
		Overrides: Overrides{Values: Values{"services": {"task_url": "https://t.example.com/?a=1&b=2"}}},
	})
	if diags.HasError() {
		t.Fatalf("Resolve: %v", diags)
	}
	got, err := EffectiveConfigJSON(r)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"compute":{"topology":{"reference_placement":"none"}},"model":{"base":"Qwen/Qwen3-4B"},"reference":{"placement":"none"},` +
		`"services":{"task_url":"https://t.example.com/?a=1&b=2"},"tags":{"note":"a<b & c>d"},"zeta":{"a":[1.5,"x"],"b":2,"c":1.0,"d":0.0}}`
	if got != want {
		t.Errorf("EffectiveConfigJSON =\n%s\nwant\n%s", got, want)
	}

	// It is exactly what the payload carries under data.config.
	payload, err := json.Marshal(BuildPayload(r, testAPIRoot)["data"].(map[string]any)["config"])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(decodeJSON(t, payload), decodeJSON(t, []byte(got))) {
		t.Errorf("data.config = %s, EffectiveConfigJSON = %s", payload, got)
	}
	if strings.Contains(got, "\n") {
		t.Errorf("EffectiveConfigJSON is not compact: %q", got)
	}
}

// Floats are written the way the SDK's json.dumps writes them, so that a
// TOML float reaches the backend as a float.
func TestFloatsStayFloats(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0.0"}, {math.Copysign(0, -1), "-0.0"}, {1, "1.0"}, {-3, "-3.0"}, {0.5, "0.5"},
		{5e-5, "5e-05"}, {1e-4, "0.0001"}, {1.5e-7, "1.5e-07"},
		{1e15, "1000000000000000.0"}, {1e16, "1e+16"}, {1.25e100, "1.25e+100"}, {math.MaxFloat64, "1.7976931348623157e+308"},
	}
	for _, tt := range tests {
		got, err := json.Marshal(jsonFloat(tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("jsonFloat(%v) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	if _, err := json.Marshal(jsonFloat(math.Inf(1))); err == nil {
		t.Error("jsonFloat(+Inf): want an error, JSON has no infinity")
	}

	r, diags := Resolve(Input{
		TOML:      validTOML + "[training]\nstep_rewards_beta = 0.0\nbatch_size = 16\n",
		Overrides: Overrides{Values: Values{"training": {"learning_rate": 1.0}}},
	})
	if diags.HasError() {
		t.Fatalf("Resolve: %v", diags)
	}
	body, err := json.Marshal(BuildPayload(r, testAPIRoot))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"step_rewards_beta":0.0`, `"batch_size":16,`, `"learning_rate":1.0`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("payload lacks %s:\n%s", want, body)
		}
	}
}
