package rlconfig

import (
	"encoding/json"
	"fmt"
	"testing"
)

// FuzzMerge feeds arbitrary documents and override values through the whole
// pipeline. Nothing may panic, Merge must leave its input alone and let the
// overrides win, and a config Resolve accepts must encode as JSON.
func FuzzMerge(f *testing.F) {
	for _, name := range []string{"rl_from_base_qwen4b.toml", "rl_from_ft.toml"} {
		f.Add(readFixture(f, name), "https://task.example.com/", int64(16), "agent", "team")
	}
	for _, src := range []string{
		"",
		validTOML,
		"[compute]\ngpu_count = \"eight\"\n",
		"compute = 8\n[model]\nsource = \"ft:\"\n",
		"[training]\nlearning_rate = nan\nbatch_size = 0\n",
		"[tags]\n\"\" = 1\n[[tags.x]]\n",
		"[model\nbase = \"Qwen/Qwen3-4B\"\n",
		"a = \"\"\"\n[b]\n",
		"x = [1, [2, {y = 3}]]\n[services]\ntask_url = \"ftp://x\"\n",
		"[algorithm]\ntype = 1\n[model]\nbase = \"\"\nsource = \"rl:a/b:c\"\n",
		"d = 1979-05-27T07:32:00Z\n[topology]\ngpus_for_vllm = 9223372036854775807\ngpus_for_training = 1\ngpus_for_ref = 0\n",
	} {
		f.Add(src, "", int64(0), "", "")
	}

	f.Fuzz(func(t *testing.T, src, taskURL string, batchSize int64, op, tag string) {
		indexLines(src).lineOf("model", "source")

		o := Overrides{
			Values: Values{
				"services": {"task_url": taskURL},
				"training": {"batch_size": batchSize},
				"rollout":  {"ops": []any{op}},
			},
			Tags: map[string]string{tag: "v"},
		}
		if doc, err := Parse(src); err == nil {
			before := fmt.Sprintf("%#v", doc)
			merged := Merge(doc, o)
			if after := fmt.Sprintf("%#v", doc); after != before {
				t.Fatalf("Merge modified its base:\n%s\nwas\n%s", after, before)
			}
			if got, _ := lookup(merged, "training", "batch_size"); got != batchSize {
				t.Fatalf("training.batch_size = %#v after Merge, want %d", got, batchSize)
			}
			if got, _ := lookup(merged, "tags", tag); got != "v" {
				t.Fatalf("tags[%q] = %#v after Merge, want \"v\"", tag, got)
			}
		}

		in := Input{TOML: src, Overrides: o}
		Validate(in)
		r, diags := Resolve(in)
		if r == nil {
			if !diags.HasError() {
				t.Fatalf("Resolve returned nothing without an error: %v", diags)
			}
			return
		}
		if _, err := EffectiveConfigJSON(r); err != nil {
			t.Fatalf("Resolve accepted a config JSON cannot carry: %v", err)
		}
		if _, err := json.Marshal(BuildPayload(r, testAPIRoot)); err != nil {
			t.Fatalf("payload does not encode: %v", err)
		}
	})
}

func BenchmarkResolveAndBuildPayload(b *testing.B) {
	in := Input{
		TOML:           readFixture(b, "rl_from_base_qwen4b.toml"),
		Overrides:      Overrides{Values: Values{"training": {"batch_size": int64(32)}}, Tags: map[string]string{"team": "rl"}},
		DefaultTaskURL: "https://synth-laboratories--crafter-task-app.modal.run",
	}
	b.ReportAllocs()
	for b.Loop() {
		r, diags := Resolve(in)
		if r == nil {
			b.Fatal(diags)
		}
		// Encoding is part of the work: the payload is only useful as JSON.
		if _, err := json.Marshal(BuildPayload(r, testAPIRoot)); err != nil {
			b.Fatal(err)
		}
	}
}
