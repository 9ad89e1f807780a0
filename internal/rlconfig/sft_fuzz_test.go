package rlconfig

import (
	"encoding/json"
	"fmt"
	"testing"
)

// FuzzSFT feeds arbitrary documents and typed values through the SFT
// pipeline. Nothing may panic, MergeSFT must leave its input alone and let
// the typed value win, a payload ResolveSFT accepts must encode as JSON and
// have a job key, and every error must say where it belongs.
func FuzzSFT(f *testing.F) {
	for _, name := range []string{"sft_fft.toml", "sft_lora.toml", "sft_qlora.toml"} {
		f.Add(readFixture(f, name), int64(16), "lora", "file_1")
	}
	for _, src := range []string{
		"",
		sftValidTOML,
		"hyperparameters = 1\ntraining = \"x\"\n",
		"[job]\nmodel = \"peft:a/b:c\"\n[algorithm]\ntype = 3\n",
		"[hyperparameters]\nlearning_rate = nan\nwarmup_ratio = -inf\nn_epochs = true\n",
		"[training.validation]\nenabled = \"yes\"\n[lora]\nr = [1]\n",
		"[hyperparameters.parallelism\n",
	} {
		f.Add(src, int64(0), "", "")
	}

	f.Fuzz(func(t *testing.T, src string, batchSize int64, mode, fileID string) {
		o := SFTOverrides{
			Values: map[string]map[string]any{
				"hyperparameters": {"batch_size": batchSize},
				"training":        {"mode": mode},
			},
			TrainingFileID: fileID,
		}
		if doc, err := Parse(src); err == nil {
			before := fmt.Sprintf("%#v", doc)
			merged := MergeSFT(doc, o)
			if after := fmt.Sprintf("%#v", doc); after != before {
				t.Fatalf("MergeSFT modified its base:\n%s\nwas\n%s", after, before)
			}
			if got, _ := lookup(merged, "hyperparameters", "batch_size"); got != batchSize {
				t.Fatalf("hyperparameters.batch_size = %#v after MergeSFT, want %d", got, batchSize)
			}
		}

		r, diags := ResolveSFT(SFTInput{TOML: src, Overrides: o})
		for _, d := range diags {
			if d.Attribute == "" || d.Detail == "" || d.Summary == "" {
				t.Fatalf("diagnostic without a place or a text: %+v", d)
			}
		}
		if r == nil {
			return
		}
		raw, err := json.Marshal(BuildSFTPayload(r))
		if err != nil {
			t.Fatalf("payload does not encode: %v", err)
		}
		if _, err := SFTJobKey(raw); err != nil {
			t.Fatalf("SFTJobKey of a built payload: %v", err)
		}
	})
}
