package rlconfig

import (
	"encoding/json"
	"reflect"
	"testing"
)

// An imported job reads back as the configuration that created it, without
// the defaults the payload filled in, and builds the same request.
func TestWithoutSFTDefaultsKeepsTheRequest(t *testing.T) {
	set := Values{
		"model":           {"base": "Qwen/Qwen3-4B"},
		"compute":         {"gpu_type": "H100"},
		"hyperparameters": {"n_epochs": int64(1)},
		"validation":      {"eval_steps": int64(10)},
	}
	payload := func(o SFTOverrides) string {
		t.Helper()
		r, found := ResolveSFT(SFTInput{Overrides: o})
		if found.HasError() {
			t.Fatal(found)
		}
		s, err := SFTPayloadJSON(BuildSFTPayload(r))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sent := payload(SFTOverrides{Values: set, TrainingFileID: "file_1"})
	var job map[string]any
	if err := json.Unmarshal([]byte(sent), &job); err != nil {
		t.Fatal(err)
	}
	imported := WithoutSFTDefaults(SFTOverridesFromJob(job))
	if !reflect.DeepEqual(Values(imported.Values), set) {
		t.Errorf("imported %#v, want what was set: %#v", imported.Values, set)
	}
	if again := payload(imported); again != sent {
		t.Errorf("the imported values send\n%s\nthe job was created with\n%s", again, sent)
	}
}
