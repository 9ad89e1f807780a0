package rlconfig

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// ValidateModelSource checks the form of a [model].source id: a trained
// model such as "ft:Qwen/Qwen3-4B:job_123" or "peft:Qwen/Qwen3-0.6B:job_9"
// (a prefix, no empty ':'-separated segment, and a later segment naming the
// base model in "org/name" form), or a base model given as source
// ("Qwen/Qwen3-4B"), which the SDK accepts too. The prefix itself is not
// checked (see HasKnownSourcePrefix). Whether the model exists is the
// backend's business.
func ValidateModelSource(id string) error {
	if id == "" {
		return errors.New("a model source must not be empty")
	}
	if hasSpace(id) {
		return fmt.Errorf("%q contains whitespace", id)
	}
	if !isTrainedModelID(id) {
		if err := ValidateBaseModel(id); err != nil {
			return fmt.Errorf("%q is neither a trained model (\"ft:Qwen/Qwen3-4B:job_123\") nor a base model (\"Qwen/Qwen3-4B\")", id)
		}
		return nil
	}
	if slices.Contains(strings.Split(id, ":"), "") {
		return fmt.Errorf("%q has an empty ':'-separated segment", id)
	}
	if BaseOfSource(id) == "" {
		return fmt.Errorf("%q does not name its base model (\"org/name\") after the prefix, as in \"ft:Qwen/Qwen3-4B:job_123\"", id)
	}
	return nil
}

// HasKnownSourcePrefix reports whether a trained model's id starts with one
// of the prefixes the SDK knows (ft:, fft:, peft:, qft:, rl:).
func HasKnownSourcePrefix(id string) bool {
	prefix, _, _ := strings.Cut(id, ":")
	return isKnownPrefix(prefix)
}

// ValidateBaseModel checks that id has the "org/name" form of a base model
// such as "Qwen/Qwen3-4B", using the characters Hugging Face allows in
// repository ids.
func ValidateBaseModel(id string) error {
	if prefix, _, ok := strings.Cut(id, ":"); ok && isKnownPrefix(prefix) {
		// The likeliest mistake of all: a trained model given as a base.
		return fmt.Errorf("%q is a trained model id, not a base model (\"org/name\"); it belongs in the model source", id)
	}
	org, name, ok := strings.Cut(id, "/")
	if !ok || org == "" || name == "" || strings.Contains(name, "/") {
		return fmt.Errorf("%q must have the form \"org/name\", as in \"Qwen/Qwen3-4B\"", id)
	}
	for _, c := range id {
		if !isModelIDRune(c) {
			return fmt.Errorf("%q contains %q; a base model id uses only letters, digits, '.', '_', '-' and one '/'", id, c)
		}
	}
	return nil
}

// BaseOfSource returns the base model named inside a source id: the first
// segment after the prefix that has the "org/name" form, or the id itself
// for a base given as source. It returns "" when there is none.
func BaseOfSource(id string) string {
	if !isTrainedModelID(id) && ValidateBaseModel(id) == nil {
		return id
	}
	segs := strings.Split(id, ":")
	for _, s := range segs[1:] {
		if ValidateBaseModel(s) == nil {
			return s
		}
	}
	return ""
}

// IsKnownBase reports whether id is on the SDK's late-2025 list of base
// models that may be RL-trained (compared case-insensitively). The backend
// is the authority on that list, so an unknown base deserves a warning, not
// an error.
func IsKnownBase(id string) bool {
	_, ok := knownBases[strings.ToLower(id)]
	return ok
}

// CanonicalBase returns the SDK's spelling of a known base model, matched
// case-insensitively ("qwen/qwen3-4b" gives "Qwen/Qwen3-4B"), and id itself
// when the base is not known.
func CanonicalBase(id string) string {
	if canonical, ok := knownBases[strings.ToLower(id)]; ok {
		return canonical
	}
	return id
}

// canonicalSource returns a source id with the base model it names spelled
// as CanonicalBase spells it ("ft:qwen/qwen3-4b:job_1" gives
// "ft:Qwen/Qwen3-4B:job_1"); the prefix and the other segments are opaque
// and kept as they are. Nothing is sent so: a trained model's id goes out as
// written. It is how releases before the newest SDK's payload spelled it,
// which SameTraining still recognises in a recorded config.
func canonicalSource(id string) string {
	segs := strings.Split(id, ":")
	for i, s := range segs[1:] {
		if ValidateBaseModel(s) == nil {
			segs[i+1] = CanonicalBase(s)
			return strings.Join(segs, ":")
		}
	}
	return id
}

// isExperimentalBase reports whether id is one of the Thinking-2507
// variants, which the SDK lists as experimental and refuses by default.
func isExperimentalBase(id string) bool {
	return IsKnownBase(id) && strings.HasSuffix(strings.ToLower(id), "-thinking-2507")
}

// knownBases maps the lower-cased id of each known base to its spelling.
var knownBases = func() map[string]string {
	names := []string{
		"Qwen3-0.6B", "Qwen3-1.7B", "Qwen3-4B", "Qwen3-8B", "Qwen3-14B", "Qwen3-30B-A3B",
		"Qwen3-4B-2507",
		"Qwen3-4B-Instruct-2507", "Qwen3-4B-Instruct-2507-FP8",
		"Qwen3-30B-A3B-Instruct-2507", "Qwen3-30B-A3B-Instruct-2507-FP8",
		"Qwen3-Coder-30B-A3B-Instruct", "Qwen3-Coder-30B-A3B-Instruct-FP8",
		"Qwen3-VL-2B-Instruct", "Qwen3-VL-2B-Thinking",
		"Qwen3-VL-4B-Instruct", "Qwen3-VL-4B-Thinking",
		"Qwen3-VL-8B-Instruct", "Qwen3-VL-8B-Thinking",
		// Listed by the SDK as experimental (see isExperimentalBase).
		"Qwen3-4B-Thinking-2507", "Qwen3-30B-A3B-Thinking-2507",
	}
	set := make(map[string]string, len(names))
	for _, n := range names {
		set[strings.ToLower("Qwen/"+n)] = "Qwen/" + n
	}
	return set
}()

func hasSpace(s string) bool { return strings.ContainsFunc(s, unicode.IsSpace) }

func isModelIDRune(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/._-", c)
}
