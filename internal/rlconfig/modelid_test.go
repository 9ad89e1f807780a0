package rlconfig

import "testing"

// modelIDForms are the id forms of contract §3 and §12, each with what
// ParseModelID must make of it.
var modelIDForms = []struct {
	id   string
	want ModelID
}{
	{"Qwen/Qwen3-4B", ModelID{Kind: KindBase, BaseModel: "Qwen/Qwen3-4B"}},
	{"qwen/qwen3-4b", ModelID{Kind: KindBase, BaseModel: "Qwen/Qwen3-4B"}},
	{"meta-llama/Llama-3.1-8B", ModelID{Kind: KindBase, BaseModel: "meta-llama/Llama-3.1-8B"}},
	{"gpt-4o-mini", ModelID{Kind: KindBase, BaseModel: "gpt-4o-mini"}},
	{"fft:Qwen/Qwen3-4B:job_291bc0cfa2f641ee", ModelID{Prefix: "fft", Kind: KindFullFinetune, BaseModel: "Qwen/Qwen3-4B", JobID: "job_291bc0cfa2f641ee"}},
	{"peft:Qwen/Qwen3-0.6B:job_24faa0fdfdf648b9", ModelID{Prefix: "peft", Kind: KindLoRA, BaseModel: "Qwen/Qwen3-0.6B", JobID: "job_24faa0fdfdf648b9"}},
	{"qft:Qwen/Qwen3-1.7B:job_1", ModelID{Prefix: "qft", Kind: KindLoRA, BaseModel: "Qwen/Qwen3-1.7B", JobID: "job_1"}},
	{"ft:Qwen/Qwen3-4B-Instruct-2507:ftjob-22", ModelID{Prefix: "ft", Kind: KindLegacy, BaseModel: "Qwen/Qwen3-4B-Instruct-2507", JobID: "ftjob-22"}},
	{"rl:Qwen/Qwen3-0.6B:policy-1", ModelID{Prefix: "rl", Kind: KindRL, BaseModel: "Qwen/Qwen3-0.6B", JobID: "policy-1"}},
	{"rl:Qwen/Qwen3-4B:job_abc:checkpoint-epoch-1", ModelID{Prefix: "rl", Kind: KindRL, BaseModel: "Qwen/Qwen3-4B", JobID: "job_abc", Checkpoint: "checkpoint-epoch-1"}},
	// The job id is opaque and may contain ':'.
	{"fft:Qwen/Qwen3-4B:job:part:2", ModelID{Prefix: "fft", Kind: KindFullFinetune, BaseModel: "Qwen/Qwen3-4B", JobID: "job:part:2"}},
	{"rl:Qwen/Qwen3-4B:job:part:checkpoint-7", ModelID{Prefix: "rl", Kind: KindRL, BaseModel: "Qwen/Qwen3-4B", JobID: "job:part", Checkpoint: "checkpoint-7"}},
	// A checkpoint- segment with no job id before it is the job id.
	{"rl:Qwen/Qwen3-4B:checkpoint-3", ModelID{Prefix: "rl", Kind: KindRL, BaseModel: "Qwen/Qwen3-4B", JobID: "checkpoint-3"}},
	// Fine-tuned ids are never rewritten, but their base is reported in the
	// catalogue's spelling.
	{"fft:qwen/qwen3-4b:job_1", ModelID{Prefix: "fft", Kind: KindFullFinetune, BaseModel: "Qwen/Qwen3-4B", JobID: "job_1"}},
	// No job id: the RL job accepts such a source.
	{"ft:Qwen/Qwen3-4B", ModelID{Prefix: "ft", Kind: KindLegacy, BaseModel: "Qwen/Qwen3-4B"}},
	// Unknown prefixes are accepted (§12), as written.
	{"sft:Qwen/Qwen3-4B:job_9", ModelID{Prefix: "sft", Kind: KindUnknown, BaseModel: "Qwen/Qwen3-4B", JobID: "job_9"}},
	{"FT:Qwen/Qwen3-4B:job_9", ModelID{Prefix: "FT", Kind: KindUnknown, BaseModel: "Qwen/Qwen3-4B", JobID: "job_9"}},
	// The base is the first "org/name" segment after the prefix, wherever it is.
	{"ft:org:Qwen/Qwen3-4B:job_1", ModelID{Prefix: "ft", Kind: KindLegacy, BaseModel: "Qwen/Qwen3-4B", JobID: "job_1"}},
	// No "org/name" segment: read by position, a base without organisation.
	{"ft:gpt-4o-mini-2024-07-18:my-org:abc123", ModelID{Prefix: "ft", Kind: KindLegacy, BaseModel: "gpt-4o-mini-2024-07-18", JobID: "my-org:abc123"}},
	{"peft:Qwen3-4B:job_5:checkpoint-epoch-2", ModelID{Prefix: "peft", Kind: KindLoRA, BaseModel: "Qwen3-4B", JobID: "job_5", Checkpoint: "checkpoint-epoch-2"}},
}

// invalidModelIDs are ids ParseModelID refuses, each with a phrase its error
// must contain.
var invalidModelIDs = []struct{ id, wantErr string }{
	{"", "is empty"},
	{"Qwen/Qwen3 4B", "whitespace"},
	{"ft:Qwen/Qwen3-4B:job 1", "whitespace"},
	{"ft:", "empty segment at the end"},
	{":Qwen/Qwen3-4B:job_1", "empty segment where the prefix belongs"},
	{"ft:Qwen/Qwen3-4B::job", "empty segment at ':'-separated position 3"},
	{"ft:job_123", "does not name its base model"},
	{"ft:a/b/c:job", "does not name its base model"},
	{"Qwen/Qwen3-4B:job_1", "does not start with a prefix"},
	{"Qwen/Qwen3/4B", "org/name"},
	{"/Qwen3-4B", "org/name"},
	{"Qwen3+4B", "characters a model id does not use"},
}

func TestParseModelID(t *testing.T) {
	for _, tt := range modelIDForms {
		t.Run(tt.id, func(t *testing.T) {
			got, err := ParseModelID(tt.id)
			if err != nil {
				t.Fatalf("ParseModelID: %v", err)
			}
			if got != tt.want {
				t.Errorf("ParseModelID = %+v\nwant %+v", got, tt.want)
			}
		})
	}
	for _, tt := range invalidModelIDs {
		t.Run("invalid/"+tt.id, func(t *testing.T) {
			_, err := ParseModelID(tt.id)
			checkErr(t, "ParseModelID", err, tt.wantErr)
			checkErr(t, "ParseModelID", err, "expected a base model such as")
		})
	}
}

// The base ParseModelID finds is the one an RL job trains from whenever the
// RL job accepts the id.
func TestParseModelIDAgreesWithTheRLJob(t *testing.T) {
	for _, tt := range modelIDForms {
		if tt.want.Kind == KindBase {
			if ValidateBaseModel(tt.id) == nil && tt.want.BaseModel != CanonicalBase(tt.id) {
				t.Errorf("%s: base %q, the RL job uses %q", tt.id, tt.want.BaseModel, CanonicalBase(tt.id))
			}
			continue
		}
		if base := BaseOfSource(tt.id); base != "" && tt.want.BaseModel != CanonicalBase(base) {
			t.Errorf("%s: base %q, the RL job uses %q", tt.id, tt.want.BaseModel, CanonicalBase(base))
		}
	}
}
