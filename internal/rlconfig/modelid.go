package rlconfig

import (
	"errors"
	"fmt"
	"strings"
)

// ModelKind says what produced a model: the kinds a user branches on in HCL,
// derived from the id's prefix (contract §12).
type ModelKind string

const (
	// KindBase is a base model id with no prefix, such as "Qwen/Qwen3-4B".
	KindBase ModelKind = "base"
	// KindFullFinetune is an "fft:" id: a full fine-tune.
	KindFullFinetune ModelKind = "full_finetune"
	// KindLoRA is a "peft:" id (LoRA or QLoRA adapters) or a "qft:" id
	// (QLoRA, listed by the SDK, never seen produced).
	KindLoRA ModelKind = "lora"
	// KindRL is an "rl:" id: the output of an RL job.
	KindRL ModelKind = "rl"
	// KindLegacy is an "ft:" id: older fine-tunes and OpenAI-style jobs.
	KindLegacy ModelKind = "legacy"
	// KindUnknown is any other prefix. The backend chooses prefixes and may
	// add some, so an unknown one is accepted, not refused.
	KindUnknown ModelKind = "unknown"
)

// ModelKinds lists every kind in the order the docs present them.
var ModelKinds = []ModelKind{KindBase, KindFullFinetune, KindLoRA, KindRL, KindLegacy, KindUnknown}

// kindOfPrefix holds every prefix the SDK knows, and so the kinds of trained
// model a job can start from: fine-tuned, full fine-tuned, LoRA/QLoRA (PEFT)
// fine-tuned, QLoRA fine-tuned, and an earlier RL policy. Another prefix
// draws a warning: the backend may know more kinds than the SDK.
var kindOfPrefix = map[string]ModelKind{
	"fft":  KindFullFinetune,
	"peft": KindLoRA,
	"qft":  KindLoRA,
	"rl":   KindRL,
	"ft":   KindLegacy,
}

func isKnownPrefix(prefix string) bool {
	_, known := kindOfPrefix[prefix]
	return known
}

// checkpointPrefix starts the segment an RL output may carry after its job id
// ("rl:Qwen/Qwen3-4B:job_1:checkpoint-epoch-1").
const checkpointPrefix = "checkpoint-"

// ModelID is a model id taken apart. Fields that the id does not carry are "".
type ModelID struct {
	// Prefix is the id's first segment, as written ("" for a base id).
	Prefix string
	Kind   ModelKind
	// BaseModel is the base the model was trained from, in the SDK's
	// catalogue spelling when the catalogue knows it.
	BaseModel string
	// JobID is everything after the base, without a checkpoint suffix. It is
	// opaque and may itself contain ':'.
	JobID      string
	Checkpoint string
}

// modelIDExamples ends every parse error: what a model id looks like.
const modelIDExamples = `expected a base model such as "Qwen/Qwen3-4B" or a trained model "<prefix>:<base model>:<job id>" such as "fft:Qwen/Qwen3-4B:job_123"`

// ParseModelID takes apart a base model id or a trained model id by the
// rule RL jobs use to find a source's base (contract §3 as amended in §12):
// the base is the first segment after the prefix that has the "org/name"
// form. An id in which no segment has that form, such as an OpenAI-style
// "ft:gpt-4o-mini:ftjob-22", is read by position (§12's
// "<prefix>:<base model id>:<job id>"), so its base has no organisation;
// an RL job refuses such a source. A last segment starting "checkpoint-"
// after a job id is the checkpoint.
func ParseModelID(id string) (ModelID, error) {
	if id == "" {
		return ModelID{}, errors.New("the model id is empty; " + modelIDExamples)
	}
	if hasSpace(id) {
		return ModelID{}, fmt.Errorf("%q contains whitespace; %s", id, modelIDExamples)
	}
	segs := strings.Split(id, ":")
	if len(segs) == 1 {
		return parseBaseID(id)
	}

	for i, s := range segs {
		if s == "" {
			return ModelID{}, fmt.Errorf("%q has an empty segment %s; %s", id, segmentPlace(i, len(segs)), modelIDExamples)
		}
	}
	prefix := segs[0]
	if strings.ContainsFunc(prefix, func(c rune) bool { return !isModelIDRune(c) || c == '/' }) {
		return ModelID{}, fmt.Errorf("%q does not start with a prefix such as fft:, peft:, ft:, qft: or rl: (%q is not one); %s", id, prefix, modelIDExamples)
	}
	kind, known := kindOfPrefix[prefix]
	if !known {
		kind = KindUnknown
	}

	baseAt := baseSegment(segs)
	if baseAt < 0 {
		if len(segs) < 3 || !isNameWithoutOrg(segs[1]) {
			return ModelID{}, fmt.Errorf("%q does not name its base model after the prefix; %s", id, modelIDExamples)
		}
		baseAt = 1
	}
	parsed := ModelID{Prefix: prefix, Kind: kind, BaseModel: CanonicalBase(segs[baseAt])}
	rest := segs[baseAt+1:]
	if n := len(rest); n >= 2 && strings.HasPrefix(rest[n-1], checkpointPrefix) {
		parsed.Checkpoint, rest = rest[n-1], rest[:n-1]
	}
	parsed.JobID = strings.Join(rest, ":")
	return parsed, nil
}

// parseBaseID reads an id without a prefix: "org/name", or a name alone.
func parseBaseID(id string) (ModelID, error) {
	if strings.Contains(id, "/") {
		if err := ValidateBaseModel(id); err != nil {
			return ModelID{}, fmt.Errorf("%w; %s", err, modelIDExamples)
		}
	} else if !isNameWithoutOrg(id) {
		return ModelID{}, fmt.Errorf("%q contains characters a model id does not use (letters, digits, '.', '_', '-', one '/'); %s", id, modelIDExamples)
	}
	return ModelID{Kind: KindBase, BaseModel: CanonicalBase(id)}, nil
}

// baseSegment is the index of the segment BaseOfSource names, or -1.
func baseSegment(segs []string) int {
	base := BaseOfSource(strings.Join(segs, ":"))
	if base == "" {
		return -1
	}
	for i, s := range segs[1:] {
		if s == base {
			return i + 1
		}
	}
	return -1
}

func isNameWithoutOrg(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(c rune) bool { return !isModelIDRune(c) || c == '/' })
}

func segmentPlace(i, n int) string {
	switch i {
	case 0:
		return "where the prefix belongs"
	case n - 1:
		return "at the end"
	default:
		return fmt.Sprintf("at ':'-separated position %d", i+1)
	}
}
