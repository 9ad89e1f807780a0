package rlconfig

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// sftGoldenInputs are the three methods as a Terraform user would fill them
// in: the TOML of the CLI, with file ids from synth_training_file.
var sftGoldenInputs = []struct {
	fixture string
	o       SFTOverrides
}{
	{fixture: "sft_fft", o: SFTOverrides{TrainingFileID: "file_train_1", ValidationFileID: "file_val_1"}},
	{fixture: "sft_lora", o: SFTOverrides{TrainingFileID: "file_train_2"}},
	{fixture: "sft_qlora", o: SFTOverrides{TrainingFileID: "file_train_3", ValidationFileID: "file_val_3"}},
}

func resolveSFT(t *testing.T, in SFTInput) *SFTResolved {
	t.Helper()
	r, diags := ResolveSFT(in)
	if diags.HasError() || r == nil {
		t.Fatalf("ResolveSFT: %v", diags)
	}
	if len(diags) != 0 {
		t.Errorf("unexpected warnings: %v", diags)
	}
	return r
}

func TestBuildSFTPayloadGolden(t *testing.T) {
	for _, g := range sftGoldenInputs {
		t.Run(g.fixture, func(t *testing.T) {
			r := resolveSFT(t, SFTInput{TOML: readFixture(t, g.fixture+".toml"), Overrides: g.o})
			got, err := json.MarshalIndent(BuildSFTPayload(r), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, g.fixture, got)
		})
	}
}

// TestBuildSFTPayloadRules checks the §11.1 rules one by one, independently
// of the golden files.
func TestBuildSFTPayloadRules(t *testing.T) {
	build := func(t *testing.T, src string, o SFTOverrides) map[string]any {
		t.Helper()
		if o.TrainingFileID == "" {
			o.TrainingFileID = "file_t"
		}
		r, diags := ResolveSFT(SFTInput{TOML: src, Overrides: o})
		if r == nil {
			t.Fatalf("ResolveSFT: %v", diags)
		}
		b, err := json.Marshal(BuildSFTPayload(r))
		if err != nil {
			t.Fatal(err)
		}
		return decodeJSON(t, b).(map[string]any)
	}
	at := func(doc map[string]any, dotted string) any {
		val, _ := lookup(doc, strings.Split(dotted, ".")...)
		return val
	}
	const base = "[job]\nmodel = \"Qwen/Qwen3-4B\"\n[compute]\ngpu_type = \"H100\"\n"

	t.Run("the method table", func(t *testing.T) {
		for _, m := range []struct {
			training              string
			mode, trainKind, kind string
			metaQLoRA             bool
			hyperQLoRA            any
		}{
			{"", "full_finetune", "fft", "fft", false, nil},
			{"mode = \"sft_offline\"", "full_finetune", "fft", "fft", false, nil},
			{"mode = \"lora\"", "lora", "peft", "lora", false, nil},
			{"mode = \"lora\"\nuse_qlora = true", "lora", "peft", "qlora", true, true},
			{"mode = \"qlora\"", "lora", "peft", "qlora", true, true},
			{"use_qlora = true", "lora", "peft", "qlora", true, true},
		} {
			p := build(t, base+"[training]\n"+m.training+"\n", SFTOverrides{})
			if at(p, "metadata.effective_config.training.mode") != m.mode ||
				at(p, "metadata.effective_config.training.use_qlora") != m.metaQLoRA ||
				at(p, "hyperparameters.train_kind") != m.trainKind ||
				at(p, "hyperparameters.use_qlora") != m.hyperQLoRA ||
				at(p, "metadata.kind") != m.kind {
				t.Errorf("[training] %q gave %v", m.training, p)
			}
		}
	})

	t.Run("no job_type, compute or tags; n_epochs defaults to 1", func(t *testing.T) {
		p := build(t, base+"[hyperparameters]\ntotal_steps = 10\n", SFTOverrides{})
		for _, key := range []string{"job_type", "compute", "tags", "validation_file"} {
			if _, ok := p[key]; ok {
				t.Errorf("payload has %q: %v", key, p)
			}
		}
		if at(p, "training_type") != "sft_offline" || at(p, "training_file_id") != "file_t" || at(p, "model") != "Qwen/Qwen3-4B" {
			t.Errorf("payload head: %v", p)
		}
		if at(p, "hyperparameters.n_epochs") != json.Number("1") || at(p, "hyperparameters.total_steps") != json.Number("10") {
			t.Errorf("step counts: %v", p["hyperparameters"])
		}
		if got := at(p, "metadata.effective_config.data"); !reflect.DeepEqual(got, map[string]any{"topology": map[string]any{}}) {
			t.Errorf("data without topology or validation file = %v", got)
		}
		if at(p, "metadata.effective_config.training.validation.enabled") != false || at(p, "metadata.sdk") != ClientName {
			t.Errorf("metadata: %v", p["metadata"])
		}
	})

	t.Run("compute carries three keys only", func(t *testing.T) {
		p := build(t, base+"gpu_count = 4\nnodes = 1\nvariant = \"H100-4x\"\ngpus_per_node = 4\n", SFTOverrides{})
		want := map[string]any{"gpu_type": "H100", "gpu_count": json.Number("4"), "nodes": json.Number("1")}
		if got := at(p, "metadata.effective_config.compute"); !reflect.DeepEqual(got, want) {
			t.Errorf("compute = %v, want %v", got, want)
		}
	})

	t.Run("validation defaults only with [training.validation]", func(t *testing.T) {
		p := build(t, base+"[training.validation]\neval_steps = 5\n", SFTOverrides{ValidationFileID: "file_v"})
		hp := p["hyperparameters"].(map[string]any)
		want := map[string]any{
			"evaluation_strategy": "steps", "eval_steps": json.Number("5"), "save_best_model_at_end": true,
			"metric_for_best_model": "val.loss", "greater_is_better": false,
		}
		for k, v := range want {
			if !reflect.DeepEqual(hp[k], v) {
				t.Errorf("hyperparameters.%s = %v, want %v", k, hp[k], v)
			}
		}
		if got := at(p, "metadata.effective_config.data.validation_files"); !reflect.DeepEqual(got, []any{"file_v"}) {
			t.Errorf("validation_files = %v", got)
		}
		if at(p, "metadata.effective_config.training.validation.enabled") != true {
			t.Errorf("validation not enabled: %v", p["metadata"])
		}
		p = build(t, base, SFTOverrides{Values: map[string]map[string]any{"validation": {}}, ValidationFileID: "file_v"})
		if at(p, "hyperparameters.evaluation_strategy") != "steps" || at(p, "metadata.effective_config.training.validation.enabled") != true {
			t.Errorf("an empty validation block did not ask for validation: %v", p)
		}
		p = build(t, base, SFTOverrides{})
		if _, ok := p["hyperparameters"].(map[string]any)["evaluation_strategy"]; ok {
			t.Errorf("validation defaults sent without [training.validation]: %v", p["hyperparameters"])
		}
	})

	t.Run("LoRA keys only when set, from any spelling, typed first", func(t *testing.T) {
		p := build(t, base+"[training]\nmode = \"lora\"\n", SFTOverrides{})
		for k := range p["hyperparameters"].(map[string]any) {
			if strings.HasPrefix(k, "lora_") {
				t.Errorf("unset LoRA key %s sent", k)
			}
		}
		for _, section := range []string{"[training.lora]", "[hyperparameters.lora]", "[lora]"} {
			p = build(t, base+section+"\nr = 4\ndropout = 0.1\n", SFTOverrides{})
			if at(p, "hyperparameters.lora_rank") != json.Number("4") || at(p, "hyperparameters.lora_dropout") != json.Number("0.1") {
				t.Errorf("%s gave %v", section, p["hyperparameters"])
			}
		}
		p = build(t, base+"[hyperparameters]\nlora_rank = 8\n[training.lora]\nr = 4\n", typedSFT("lora", "rank", int64(32)))
		if at(p, "hyperparameters.lora_rank") != json.Number("32") {
			t.Errorf("typed rank lost: %v", p["hyperparameters"])
		}
		p = build(t, base+"[hyperparameters]\nlora_rank = 8\n[training.lora]\nr = 4\n", SFTOverrides{})
		if at(p, "hyperparameters.lora_rank") != json.Number("8") {
			t.Errorf("[hyperparameters].lora_rank should win over [training.lora].r: %v", p["hyperparameters"])
		}
	})

	t.Run("parallelism as given, dropped keys dropped", func(t *testing.T) {
		p := build(t, base+"[hyperparameters]\nweight_decay = 0.1\nworld_size = 8\n[hyperparameters.parallelism]\nfsdp = true\nsomething_new = \"x\"\n",
			typedSFT("parallelism", "bf16", true))
		want := map[string]any{"fsdp": true, "something_new": "x", "bf16": true}
		if got := at(p, "hyperparameters.parallelism"); !reflect.DeepEqual(got, want) {
			t.Errorf("parallelism = %v, want %v", got, want)
		}
		for _, k := range sftDroppedKeys {
			if _, ok := p["hyperparameters"].(map[string]any)[k]; ok {
				t.Errorf("%s sent", k)
			}
		}
	})

	t.Run("typed values win over the TOML", func(t *testing.T) {
		p := build(t, base+"[hyperparameters]\nbatch_size = 4\nlearning_rate = 1e-5\n", SFTOverrides{Values: map[string]map[string]any{
			"hyperparameters": {"batch_size": int64(16), "learning_rate": 2e-5},
			"model":           {"base": "Qwen/Qwen3-8B"},
			"compute":         {"gpu_type": "H200"},
		}})
		if at(p, "hyperparameters.batch_size") != json.Number("16") || at(p, "hyperparameters.learning_rate") != json.Number("2e-05") ||
			at(p, "model") != "Qwen/Qwen3-8B" || at(p, "metadata.effective_config.compute.gpu_type") != "H200" {
			t.Errorf("typed values lost: %v", p)
		}
	})
}

func TestMergeSFTLeavesItsBaseAlone(t *testing.T) {
	base := mustParse(t, "[hyperparameters]\nbatch_size = 4\n[training.lora]\ntarget_modules = [\"q\"]\n")
	o := SFTOverrides{Values: map[string]map[string]any{
		"hyperparameters": {"batch_size": int64(8)},
		"lora":            {"target_modules": []string{"all-linear"}},
		"validation":      {"enabled": false},
	}}
	merged := MergeSFT(base, o)
	if got, _ := lookup(base, "hyperparameters", "batch_size"); got != int64(4) {
		t.Errorf("base modified: %v", base)
	}
	if _, ok := lookup(base, "training", "validation"); ok {
		t.Errorf("base gained a table: %v", base)
	}
	want := map[string]any{
		"hyperparameters": map[string]any{"batch_size": int64(8), "lora_target_modules": []any{"all-linear"}},
		"training": map[string]any{
			"lora":       map[string]any{"target_modules": []any{"q"}},
			"validation": map[string]any{"enabled": false},
		},
	}
	if !reflect.DeepEqual(merged, want) {
		t.Errorf("MergeSFT = %#v\nwant %#v", merged, want)
	}
}

// TestSFTTableRoundTrip takes every typed key of the table through the whole
// path a value travels: a TOML value, the payload the provider sends, and
// the typed attribute import reads back from the job. A table entry whose
// TOML path, payload path or attribute drifts apart fails here.
func TestSFTTableRoundTrip(t *testing.T) {
	samples := map[ValueType]string{
		TypeString: `"s"`, TypeInteger: "3", TypeNumber: "0.5", TypeBoolean: "true", TypeStringArray: `["a", "b"]`,
	}
	special := map[string]string{
		"job.model":                `"Qwen/Qwen3-8B"`,
		"training.mode":            `"lora"`,
		"training.use_qlora":       "true",
		"compute.gpu_type":         `"H200"`,
		"hyperparameters.n_epochs": "3",
	}
	typed := 0
	for _, k := range SFT.Keys {
		if !k.Typed() {
			continue
		}
		typed++
		t.Run(k.Attribute(), func(t *testing.T) {
			val, ok := special[k.Dotted()]
			if !ok {
				val = samples[k.Type]
			}
			parent, name := k.Path[:len(k.Path)-1], k.Path[len(k.Path)-1]
			src := "[" + strings.Join(parent, ".") + "]\n" + name + " = " + val + "\n"
			if !slices.Equal(parent, []string{"job"}) {
				src += "[job]\nmodel = \"Qwen/Qwen3-4B\"\n"
			}
			switch {
			case !slices.Equal(parent, []string{"compute"}):
				src += "[compute]\ngpu_type = \"H100\"\n"
			case name != "gpu_type":
				src = strings.Replace(src, "[compute]\n", "[compute]\ngpu_type = \"H100\"\n", 1)
			}
			r, diags := ResolveSFT(SFTInput{TOML: src, Overrides: SFTOverrides{TrainingFileID: "file_t", ValidationFileID: "file_v"}})
			if r == nil {
				t.Fatalf("ResolveSFT(%q): %v", src, diags)
			}
			raw, err := json.Marshal(BuildSFTPayload(r))
			if err != nil {
				t.Fatal(err)
			}
			var job map[string]any
			if err := json.Unmarshal(raw, &job); err != nil {
				t.Fatal(err)
			}
			o := SFTOverridesFromJob(job)
			got, ok := o.value(k)
			want, _ := lookup(mustParse(t, src), k.Path...)
			if !ok || !reflect.DeepEqual(got, want) {
				t.Errorf("%s = %s came back from the payload as %#v (set: %t); payload %s", k.Dotted(), val, got, ok, raw)
			}
			if o.TrainingFileID != "file_t" || o.ValidationFileID != "file_v" {
				t.Errorf("file ids came back as %q, %q", o.TrainingFileID, o.ValidationFileID)
			}
		})
	}
	if typed < 30 {
		t.Errorf("only %d typed keys; the table lost some", typed)
	}
}

func TestSFTJobKey(t *testing.T) {
	r := resolveSFT(t, SFTInput{TOML: readFixture(t, "sft_fft.toml"), Overrides: sftGoldenInputs[0].o})
	payload, err := json.Marshal(BuildSFTPayload(r))
	if err != nil {
		t.Fatal(err)
	}
	key, err := SFTJobKey(payload)
	if err != nil {
		t.Fatal(err)
	}

	// The backend's echo: other fields added, the model under model_id,
	// numbers re-encoded, metadata.sdk changed.
	var job map[string]any
	if err := json.Unmarshal(payload, &job); err != nil {
		t.Fatal(err)
	}
	job["model_id"] = job["model"]
	delete(job, "model")
	job["id"], job["status"], job["fine_tuned_model"] = "job_1", "running", nil
	job["metadata"].(map[string]any)["sdk"] = "synth-ai/0.4"
	job["hyperparameters"].(map[string]any)["learning_rate"] = json.Number("0.000005")
	echo, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	if k, err := SFTJobKey(echo); err != nil || k != key {
		t.Errorf("the echo of the same job has key %q (%v), want %q", k, err, key)
	}

	for name, change := range map[string]func(map[string]any){
		"another training file": func(j map[string]any) { j["training_file_id"] = "file_other" },
		"another model":         func(j map[string]any) { j["model_id"] = "Qwen/Qwen3-8B" },
		"another hyperparameter": func(j map[string]any) {
			j["hyperparameters"].(map[string]any)["n_epochs"] = 3
		},
		"another GPU": func(j map[string]any) {
			j["metadata"].(map[string]any)["effective_config"].(map[string]any)["compute"].(map[string]any)["gpu_type"] = "A100"
		},
	} {
		var other map[string]any
		_ = json.Unmarshal(echo, &other)
		change(other)
		raw, _ := json.Marshal(other)
		if k, err := SFTJobKey(raw); err != nil || k == key {
			t.Errorf("%s: same key (%v)", name, err)
		}
	}
	if _, err := SFTJobKey([]byte("[1]")); err == nil {
		t.Error("SFTJobKey accepted a JSON array")
	}
}

// TestSFTImportPlansClean imports each golden job the way the provider
// does (typed attributes from the table, the rest as config_toml) and
// requires the imported configuration to build the very same payload.
func TestSFTImportPlansClean(t *testing.T) {
	for _, g := range sftGoldenInputs {
		t.Run(g.fixture, func(t *testing.T) {
			r := resolveSFT(t, SFTInput{TOML: readFixture(t, g.fixture+".toml"), Overrides: g.o})
			raw, err := json.Marshal(BuildSFTPayload(r))
			if err != nil {
				t.Fatal(err)
			}
			job := decodeJSON(t, raw).(map[string]any)

			config := SFTConfigFromJob(job)
			o := SFTOverridesFromConfig(config)
			if full := SFTOverridesFromJob(job); !reflect.DeepEqual(full.Values, o.Values) ||
				full.TrainingFileID != g.o.TrainingFileID || full.ValidationFileID != g.o.ValidationFileID {
				t.Errorf("SFTOverridesFromJob = %+v", full)
			}
			o.TrainingFileID, o.ValidationFileID = g.o.TrainingFileID, g.o.ValidationFileID
			rest, err := SFTTOMLWithoutTyped(config)
			if err != nil {
				t.Fatal(err)
			}
			imported := resolveSFT(t, SFTInput{TOML: rest, Overrides: o})
			again, err := json.Marshal(BuildSFTPayload(imported))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(decodeJSON(t, again), job) {
				t.Errorf("the imported job builds\n%s\nnot\n%s\n(config_toml %q, typed %v)", again, raw, rest, o.Values)
			}
		})
	}
}
