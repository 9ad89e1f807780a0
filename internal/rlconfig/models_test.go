package rlconfig

import (
	"strings"
	"testing"
)

func TestModelIDs(t *testing.T) {
	tests := []struct {
		id string
		// wantSourceErr and wantBaseErr are phrases of the errors, "" when
		// the id is valid as that kind. A base id is a valid source too: the
		// SDK accepts a base given as source.
		wantSourceErr string
		wantBaseErr   string
		wantBase      string // BaseOfSource
		wantKnown     bool   // IsKnownBase of the id itself
	}{
		{id: "Qwen/Qwen3-4B", wantBase: "Qwen/Qwen3-4B", wantKnown: true},
		{id: "qwen/qwen3-4b", wantBase: "qwen/qwen3-4b", wantKnown: true},
		{id: "Qwen/Qwen3-0.6B", wantBase: "Qwen/Qwen3-0.6B", wantKnown: true},
		{id: "Qwen/Qwen3-30B-A3B-Instruct-2507-FP8", wantBase: "Qwen/Qwen3-30B-A3B-Instruct-2507-FP8", wantKnown: true},
		{id: "Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8", wantBase: "Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8", wantKnown: true},
		{id: "Qwen/Qwen3-VL-8B-Thinking", wantBase: "Qwen/Qwen3-VL-8B-Thinking", wantKnown: true},
		{id: "Qwen/Qwen3-4B-Thinking-2507", wantBase: "Qwen/Qwen3-4B-Thinking-2507", wantKnown: true},
		{id: "meta-llama/Llama-3.1-8B", wantBase: "meta-llama/Llama-3.1-8B"},
		{id: "Qwen/Qwen3-4B-FP8-typo", wantBase: "Qwen/Qwen3-4B-FP8-typo"},

		{id: "ft:Qwen/Qwen3-4B:job_123", wantBaseErr: "is a trained model id", wantBase: "Qwen/Qwen3-4B"},
		{id: "fft:Qwen/Qwen3-8B:job_1", wantBaseErr: "is a trained model id", wantBase: "Qwen/Qwen3-8B"},
		{id: "peft:Qwen/Qwen3-0.6B:job_9", wantBaseErr: "is a trained model id", wantBase: "Qwen/Qwen3-0.6B"},
		{id: "qft:Qwen/Qwen3-1.7B:job_1", wantBaseErr: "is a trained model id", wantBase: "Qwen/Qwen3-1.7B"},
		{id: "rl:Qwen/Qwen3-0.6B:policy-1", wantBaseErr: "is a trained model id", wantBase: "Qwen/Qwen3-0.6B"},
		{id: "rl:Qwen/Qwen3-4B:job_abc:checkpoint-epoch-1", wantBaseErr: "is a trained model id", wantBase: "Qwen/Qwen3-4B"},
		{id: "ft:org:Qwen/Qwen3-4B:job_1", wantBaseErr: "is a trained model id", wantBase: "Qwen/Qwen3-4B"},
		{id: "ft:Qwen/Qwen3-4B", wantBaseErr: "is a trained model id", wantBase: "Qwen/Qwen3-4B"},

		{id: "", wantSourceErr: "must not be empty", wantBaseErr: "org/name"},
		{id: "ft:", wantSourceErr: "empty ':'-separated segment", wantBaseErr: "is a trained model id"},
		{id: "ft", wantSourceErr: "neither a trained model", wantBaseErr: "org/name"},
		{id: "ft:job_123", wantSourceErr: "does not name its base model", wantBaseErr: "is a trained model id"},
		{id: "ft:Qwen/Qwen3-4B::job", wantSourceErr: "empty ':'-separated segment", wantBaseErr: "is a trained model id", wantBase: "Qwen/Qwen3-4B"},
		{id: "FT:Qwen/Qwen3-4B:job", wantBaseErr: "contains ':'", wantBase: "Qwen/Qwen3-4B"},
		{id: "sft:Qwen/Qwen3-4B:job", wantBaseErr: "contains ':'", wantBase: "Qwen/Qwen3-4B"},
		{id: "ft:Qwen/Qwen3 4B:job", wantSourceErr: "whitespace", wantBaseErr: "is a trained model id"},
		{id: "Qwen3-4B", wantSourceErr: "neither a trained model", wantBaseErr: "org/name"},
		{id: "/Qwen3-4B", wantSourceErr: "neither a trained model", wantBaseErr: "org/name"},
		{id: "Qwen/", wantSourceErr: "neither a trained model", wantBaseErr: "org/name"},
		{id: "Qwen/Qwen3/4B", wantSourceErr: "neither a trained model", wantBaseErr: "org/name"},
		{id: "Qwen/Qwen3-4B ", wantSourceErr: "whitespace", wantBaseErr: "contains ' '"},
		{id: "Qwen/Qwen3:4B", wantSourceErr: "does not name its base model", wantBaseErr: "contains ':'"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			checkErr(t, "ValidateModelSource", ValidateModelSource(tt.id), tt.wantSourceErr)
			checkErr(t, "ValidateBaseModel", ValidateBaseModel(tt.id), tt.wantBaseErr)
			if got := BaseOfSource(tt.id); got != tt.wantBase {
				t.Errorf("BaseOfSource = %q, want %q", got, tt.wantBase)
			}
			if got := IsKnownBase(tt.id); got != tt.wantKnown {
				t.Errorf("IsKnownBase = %v, want %v", got, tt.wantKnown)
			}
		})
	}
}

func checkErr(t *testing.T, fn string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: unexpected error %v", fn, err)
	case want != "" && err == nil:
		t.Errorf("%s: no error, want one containing %q", fn, want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("%s: error %q does not contain %q", fn, err, want)
	}
}

func TestCanonicalModelIDs(t *testing.T) {
	for id, want := range map[string]string{
		"qwen/qwen3-4b":                   "Qwen/Qwen3-4B",
		"QWEN/QWEN3-VL-2B-THINKING":       "Qwen/Qwen3-VL-2B-Thinking",
		"Qwen/Qwen3-4B":                   "Qwen/Qwen3-4B",
		"meta-llama/llama-3.1-8b":         "meta-llama/llama-3.1-8b",
		"qwen/qwen3-4b-instruct-2507-fp8": "Qwen/Qwen3-4B-Instruct-2507-FP8",
	} {
		if got := CanonicalBase(id); got != want {
			t.Errorf("CanonicalBase(%q) = %q, want %q", id, got, want)
		}
	}
	for id, want := range map[string]string{
		"ft:qwen/qwen3-4b:job_ABC":         "ft:Qwen/Qwen3-4B:job_ABC",
		"rl:qwen/qwen3-0.6b:Policy:ckpt-1": "rl:Qwen/Qwen3-0.6B:Policy:ckpt-1",
		"ft:org:qwen/qwen3-8b:job_1":       "ft:org:Qwen/Qwen3-8B:job_1",
		"ft:meta-llama/llama-3.1-8b:job_1": "ft:meta-llama/llama-3.1-8b:job_1",
		"fft:Qwen/Qwen3-14B:job_1":         "fft:Qwen/Qwen3-14B:job_1",
	} {
		if got := canonicalSource(id); got != want {
			t.Errorf("canonicalSource(%q) = %q, want %q", id, got, want)
		}
	}
	for id, want := range map[string]bool{
		"Qwen/Qwen3-4B-Thinking-2507":      true,
		"qwen/qwen3-30b-a3b-thinking-2507": true,
		"Qwen/Qwen3-VL-4B-Thinking":        false,
		"Qwen/Qwen3-4B-Instruct-2507":      false,
		"acme/foo-thinking-2507":           false,
	} {
		if got := isExperimentalBase(id); got != want {
			t.Errorf("isExperimentalBase(%q) = %v, want %v", id, got, want)
		}
	}
}
