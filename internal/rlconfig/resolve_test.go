package rlconfig

import (
	"reflect"
	"strings"
	"testing"
)

func TestResolveTaskURLWriteBack(t *testing.T) {
	const tomlURL = "https://toml.example.com"
	src := modelOnlyTOML + "[services]\ntask_url = \"" + tomlURL + "/\"\njudge_url = \"https://judge.example.com\"\n"

	tests := []struct {
		name       string
		o          Overrides
		defaultURL string
		wantURL    string
		wantSource string
	}{
		{
			name:       "typed services.task_url wins",
			o:          Overrides{Values: Values{"services": {"task_url": "https://typed.example.com/"}}},
			defaultURL: "https://provider.example.com",
			wantURL:    "https://typed.example.com",
			wantSource: "services.task_url",
		},
		{
			name:       "then the provider default",
			defaultURL: "https://provider.example.com/",
			wantURL:    "https://provider.example.com",
			wantSource: "the provider's task_app_url (or TASK_APP_URL)",
		},
		{
			name:       "then config_toml",
			wantURL:    tomlURL,
			wantSource: "[services].task_url in config_toml",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, diags := Resolve(Input{TOML: src, Overrides: tt.o, DefaultTaskURL: tt.defaultURL})
			if diags.HasError() || r == nil {
				t.Fatalf("Resolve: %v", diags)
			}
			if r.TaskURL != tt.wantURL || r.TaskURLSource != tt.wantSource {
				t.Errorf("TaskURL, TaskURLSource = %q, %q; want %q, %q", r.TaskURL, r.TaskURLSource, tt.wantURL, tt.wantSource)
			}
			services := r.Config["services"].(map[string]any)
			if services["task_url"] != tt.wantURL {
				t.Errorf("Config services.task_url = %v, want %q", services["task_url"], tt.wantURL)
			}
			if services["judge_url"] != "https://judge.example.com" {
				t.Errorf("Config services.judge_url = %v; the write-back must keep the rest of [services]", services["judge_url"])
			}
		})
	}
}

func TestResolveWritesServicesWhenTOMLHasNone(t *testing.T) {
	r, diags := Resolve(Input{TOML: modelOnlyTOML, DefaultTaskURL: "https://provider.example.com"})
	if diags.HasError() {
		t.Fatalf("Resolve: %v", diags)
	}
	if got := r.Config["services"]; !reflect.DeepEqual(got, map[string]any{"task_url": "https://provider.example.com"}) {
		t.Errorf("Config services = %#v", got)
	}
}

func TestResolveReferenceDefault(t *testing.T) {
	tests := []struct {
		name string
		toml string
		want any
	}{
		{"missing reference becomes placement none", validTOML, map[string]any{"placement": "none"}},
		{"a reference is kept as written", validTOML + "[reference]\nplacement = \"dedicated\"\nport = 8002\n",
			map[string]any{"placement": "dedicated", "port": int64(8002)}},
		{"a reference without placement is not completed", validTOML + "[reference]\nport = 8002\n",
			map[string]any{"port": int64(8002)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, diags := Resolve(Input{TOML: tt.toml})
			if diags.HasError() {
				t.Fatalf("Resolve: %v", diags)
			}
			if got := r.Config["reference"]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Config reference = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestResolveModel(t *testing.T) {
	tests := []struct {
		name       string
		toml       string
		o          Overrides
		wantSource string
		wantBase   string
	}{
		{name: "base from TOML", toml: validTOML, wantBase: "Qwen/Qwen3-4B"},
		{name: "source from TOML", toml: servicesOnlyTOML + "[model]\nsource = \"rl:Qwen/Qwen3-4B:job_1\"\n", wantSource: "rl:Qwen/Qwen3-4B:job_1"},
		{name: "typed source", toml: servicesOnlyTOML, o: Overrides{Values: Values{"model": {"source": "ft:Qwen/Qwen3-8B:job_2"}}}, wantSource: "ft:Qwen/Qwen3-8B:job_2"},
		{name: "typed base", toml: servicesOnlyTOML, o: Overrides{Values: Values{"model": {"base": "Qwen/Qwen3-8B"}}}, wantBase: "Qwen/Qwen3-8B"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, diags := Resolve(Input{TOML: tt.toml, Overrides: tt.o})
			if diags.HasError() {
				t.Fatalf("Resolve: %v", diags)
			}
			if r.ModelSource != tt.wantSource || r.BaseModel != tt.wantBase {
				t.Errorf("ModelSource, BaseModel = %q, %q; want %q, %q", r.ModelSource, r.BaseModel, tt.wantSource, tt.wantBase)
			}
		})
	}
}

func TestResolveRefuses(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		want []wantDiag
	}{
		{
			name: "an unknown value",
			in:   Input{TOML: validTOML, Overrides: Overrides{Unknown: []string{"training.batch_size"}}},
			want: []wantDiag{wantError("training.batch_size", 0, "training.batch_size is not known yet")},
		},
		{
			name: "an unknown config_toml",
			in:   Input{Overrides: Overrides{Values: Values{"model": {"base": "Qwen/Qwen3-4B"}}, Unknown: []string{"config_toml"}}, DefaultTaskURL: "https://t.example.com"},
			want: []wantDiag{wantError("config_toml", 0, "config_toml is not known yet")},
		},
		{
			name: "any error",
			in:   Input{TOML: validTOML + "[compute]\ngpu_count = 0\n"},
			want: []wantDiag{wantError("config_toml", 8, "must be at least 1")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, diags := Resolve(tt.in)
			if r != nil {
				t.Errorf("Resolve returned a config despite errors: %#v", r)
			}
			assertDiagnostics(t, diags, tt.want)
		})
	}
}

func TestResolveKeepsWarnings(t *testing.T) {
	r, diags := Resolve(Input{TOML: servicesOnlyTOML + "[model]\nbase = \"Qwen/Qwen9-1T\"\n"})
	if r == nil {
		t.Fatalf("Resolve refused a config with only a warning: %v", diags)
	}
	assertDiagnostics(t, diags, []wantDiag{wantWarning("config_toml", 4, "the backend decides")})
}

func TestResolveDoesNotShareTheOverrides(t *testing.T) {
	o := Overrides{Values: Values{"model": {"base": "Qwen/Qwen3-4B"}, "rollout": {"ops": []any{"agent"}}}}
	r, diags := Resolve(Input{TOML: servicesOnlyTOML, Overrides: o})
	if diags.HasError() {
		t.Fatalf("Resolve: %v", diags)
	}
	r.Config["rollout"].(map[string]any)["ops"].([]any)[0] = "changed"
	if o.Values["rollout"]["ops"].([]any)[0] != "agent" {
		t.Errorf("the resolved config aliases the overrides")
	}
}

// The newest SDK sends data.config as written and spells only a base id
// the catalogue's way, in data.base_model (or data.model for a base given as
// source); a trained model's id is never rewritten (contract §3.1).
func TestResolveModelIDs(t *testing.T) {
	const taskURL = "https://task.example.com"
	tests := []struct {
		name                 string
		model                map[string]any
		wantSource, wantBase string   // data.model, data.base_model
		wantWarnings         []string // summaries, in order
		wantDetail           string   // in the first warning
	}{
		{
			name:         "lower-case base",
			model:        map[string]any{"base": "qwen/qwen3-4b"},
			wantBase:     "Qwen/Qwen3-4B",
			wantWarnings: []string{"Model id spelled differently"},
			wantDetail:   `model.base is "qwen/qwen3-4b"; data.base_model is sent as "Qwen/Qwen3-4B"`,
		},
		{
			name:         "lower-case base given as source",
			model:        map[string]any{"source": "qwen/qwen3-4b"},
			wantSource:   "Qwen/Qwen3-4B",
			wantWarnings: []string{"Model id spelled differently"},
			wantDetail:   `model.source is "qwen/qwen3-4b"; data.model is sent as "Qwen/Qwen3-4B"`,
		},
		{
			name:       "a fine-tuned id is never rewritten",
			model:      map[string]any{"source": "ft:QWEN/qwen3-0.6b:Job_AbC"},
			wantSource: "ft:QWEN/qwen3-0.6b:Job_AbC",
		},
		{
			name:       "a PEFT id from an SFT job passes through",
			model:      map[string]any{"source": "peft:qwen/Qwen3-0.6B:job_9"},
			wantSource: "peft:qwen/Qwen3-0.6B:job_9",
		},
		{
			name:         "an unknown prefix is a warning and passes through",
			model:        map[string]any{"source": "sft:Qwen/Qwen3-4B:job_1"},
			wantSource:   "sft:Qwen/Qwen3-4B:job_1",
			wantWarnings: []string{"Unknown model id prefix"},
		},
		{
			name:     "already canonical",
			model:    map[string]any{"base": "Qwen/Qwen3-4B"},
			wantBase: "Qwen/Qwen3-4B",
		},
		{
			name:         "unknown base is sent as typed",
			model:        map[string]any{"base": "meta-llama/llama-3.1-8b"},
			wantBase:     "meta-llama/llama-3.1-8b",
			wantWarnings: []string{"Unknown base model"},
		},
		{
			name:         "Thinking-2507 is experimental",
			model:        map[string]any{"base": "Qwen/Qwen3-4B-Thinking-2507"},
			wantBase:     "Qwen/Qwen3-4B-Thinking-2507",
			wantWarnings: []string{"Experimental base model"},
			wantDetail:   "disables them by default",
		},
		{
			name:         "Thinking-2507 in a source, lower-case",
			model:        map[string]any{"source": "rl:qwen/qwen3-30b-a3b-thinking-2507:policy-1"},
			wantSource:   "rl:qwen/qwen3-30b-a3b-thinking-2507:policy-1",
			wantWarnings: []string{"Experimental base model"},
		},
		{
			name:     "VL Thinking is not experimental",
			model:    map[string]any{"base": "Qwen/Qwen3-VL-8B-Thinking"},
			wantBase: "Qwen/Qwen3-VL-8B-Thinking",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, diags := Resolve(Input{TOML: completeTOML, Overrides: Overrides{Values: Values{"services": {"task_url": taskURL}, "model": tt.model}}})
			if diags.HasError() || r == nil {
				t.Fatalf("Resolve: %v", diags)
			}
			if r.ModelSource != tt.wantSource || r.BaseModel != tt.wantBase {
				t.Errorf("ModelSource, BaseModel = %q, %q; want %q, %q", r.ModelSource, r.BaseModel, tt.wantSource, tt.wantBase)
			}
			// data.config keeps the ids exactly as written.
			cfgModel := r.Config["model"].(map[string]any)
			for _, key := range []string{"source", "base"} {
				written, typed := tt.model[key].(string)
				got, present := cfgModel[key].(string)
				if got != written || present != typed {
					t.Errorf("config model.%s = %q, want %q as written", key, got, written)
				}
			}
			var summaries []string
			for _, d := range diags {
				summaries = append(summaries, d.Summary)
				if d.Attribute != "model.source" && d.Attribute != "model.base" {
					t.Errorf("warning %q is on %q, want the model attribute", d.Summary, d.Attribute)
				}
			}
			if !reflect.DeepEqual(summaries, tt.wantWarnings) {
				t.Fatalf("warnings = %q, want %q", summaries, tt.wantWarnings)
			}
			if tt.wantDetail != "" && !strings.Contains(diags[0].Detail, tt.wantDetail) {
				t.Errorf("detail %q does not contain %q", diags[0].Detail, tt.wantDetail)
			}
		})
	}
}

func TestCheckSDKRequired(t *testing.T) {
	without := func(keys ...string) string {
		out := completeTOML
		for _, k := range keys {
			if !strings.Contains(out, k) {
				t.Fatalf("completeTOML has no %q", k)
			}
			out = strings.Replace(out, k, "", 1)
		}
		return out
	}
	tests := []struct {
		name    string
		in      Input
		missing string // the list in the detail, "" for no warning
		attr    string
	}{
		{name: "complete", in: Input{TOML: completeTOML}},
		{
			// The SDK's own examples lack two [training] keys its newest
			// validator requires.
			name:    "the base example",
			in:      Input{TOML: readFixture(t, "rl_from_base_qwen4b.toml")},
			missing: "lacks training.log_interval; training.weight_sync_interval.",
			attr:    "config_toml",
		},
		{
			name:    "the ft template",
			in:      Input{TOML: readFixture(t, "rl_from_ft.toml")},
			missing: "lacks training.log_interval; training.weight_sync_interval.",
			attr:    "config_toml",
		},
		{
			name: "model only",
			in:   Input{TOML: modelOnlyTOML},
			missing: "lacks [algorithm] (variety); [compute] (gpu_type, gpu_count); model.trainer_mode; model.label; " +
				"[rollout] (env_name, policy_name); exactly one of rollout.rubric_rewards_only and " +
				"rollout.task_app_origin_rewards_only = true; [topology] (or [compute.topology]).",
			attr: "config_toml",
		},
		{
			name: "typed attributes fill what the TOML lacks",
			in: Input{TOML: without("batch_size = 16\n", "label = \"complete\"\n"), Overrides: Overrides{
				Values: Values{
					"training": {"batch_size": int64(16)},
					"model":    {"label": "typed"},
				},
			}},
		},
		{
			name:    "no TOML at all",
			in:      Input{Overrides: Overrides{Values: Values{"model": {"base": "Qwen/Qwen3-4B", "trainer_mode": "full"}}}},
			missing: "lacks [algorithm] (variety); [compute] (gpu_type, gpu_count); model.label; [rollout] (env_name, policy_name);",
			attr:    "",
		},
		{
			name: "without [training] its keys are not asked for",
			in:   Input{TOML: completeTOML[:strings.Index(completeTOML, "[training]")]},
		},
		{
			name:    "[training] present: every missing key named",
			in:      Input{TOML: without("log_interval = 1\n", "weight_sync_interval = 1\n")},
			missing: "lacks training.log_interval; training.weight_sync_interval.",
			attr:    "config_toml",
		},
		{
			name:    "[evaluation] present: its keys are asked for",
			in:      Input{TOML: completeTOML + "[evaluation]\ninstances = 4\n"},
			missing: "lacks evaluation.every_n_iters; evaluation.seeds.",
			attr:    "config_toml",
		},
		{
			name: "[compute.topology] stands for [topology]",
			in:   Input{TOML: strings.Replace(completeTOML, "[topology]", "[compute.topology]", 1) + ""},
		},
		{
			name:    "no reward source",
			in:      Input{TOML: without("task_app_origin_rewards_only = true\n")},
			missing: "lacks exactly one of rollout.rubric_rewards_only and rollout.task_app_origin_rewards_only = true.",
			attr:    "config_toml",
		},
		{
			name:    "two reward sources",
			in:      Input{TOML: strings.Replace(completeTOML, "task_app_origin_rewards_only = true\n", "task_app_origin_rewards_only = true\nrubric_rewards_only = true\n", 1)},
			missing: "lacks exactly one of",
			attr:    "config_toml",
		},
		{
			name:    "rubric rewards without a judge",
			in:      Input{TOML: strings.Replace(completeTOML, "task_app_origin_rewards_only = true\n", "rubric_rewards_only = true\n", 1)},
			missing: "lacks judge.enabled = true (or rubric.enabled = true), which rollout.rubric_rewards_only needs.",
			attr:    "config_toml",
		},
		{
			name: "rubric rewards with a judge",
			in:   Input{TOML: strings.Replace(completeTOML, "task_app_origin_rewards_only = true\n", "rubric_rewards_only = true\n", 1) + "[judge]\nenabled = true\n"},
		},
		{
			name:    "tensor parallel on one side only",
			in:      Input{TOML: strings.Replace(completeTOML, "gpus_for_ref = 0\n", "gpus_for_ref = 0\ntensor_parallel = 2\n", 1)},
			missing: "lacks vllm.tensor_parallel_size (topology.tensor_parallel is set).",
			attr:    "config_toml",
		},
		{
			name: "unknown values count as present",
			in: Input{TOML: without("learning_rate = 5e-5\n", "task_app_origin_rewards_only = true\n"), Overrides: Overrides{
				Unknown: []string{"training", "rollout"},
			}},
		},
		{name: "unknown TOML says nothing", in: Input{Overrides: Overrides{Unknown: []string{"config_toml"}}}},
		{name: "broken TOML is Validate's to report", in: Input{TOML: "[model\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckSDKRequired(tt.in)
			if tt.missing == "" {
				if len(got) != 0 {
					t.Fatalf("got %v, want no warning", got)
				}
				return
			}
			if len(got) != 1 || got[0].Severity != SeverityWarning || got[0].Attribute != tt.attr {
				t.Fatalf("got %+v, want one warning on %q", got, tt.attr)
			}
			if !strings.Contains(got[0].Detail, tt.missing) || !strings.Contains(got[0].Detail, "synth-ai train` would refuse") {
				t.Errorf("detail %q does not list %q", got[0].Detail, tt.missing)
			}
		})
	}
}
