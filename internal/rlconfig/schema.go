package rlconfig

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// knownSections are the top-level tables the SDK's examples and validators
// use. Each must be a table when present; anything else in them, and any
// other section, passes through to the backend unchecked.
var knownSections = []string{
	"algorithm", "services", "compute", "topology", "vllm", "reference", "model",
	"rollout", "evaluation", "training", "judge", "data", "tags",
}

// valueKind is the TOML type a known key must have.
type valueKind int

const (
	kindString valueKind = iota + 1
	kindInteger
	kindNumber // integer or float: TOML users write learning_rate = 1 as often as 1.0
	kindBoolean
	kindStringArray
	kindIntegerArray
	kindTable
)

// keySpec is a key whose type the backend relies on, with the rule its
// well-typed value must also satisfy.
type keySpec struct {
	path  []string
	kind  valueKind
	check func(v *validator, at place, val any)
}

func spec(dotted string, kind valueKind, check func(*validator, place, any)) keySpec {
	return keySpec{path: strings.Split(dotted, "."), kind: kind, check: check}
}

// knownKeys is §5 of the backend contract, in document order so that
// diagnostics come out in the order a reader of the config meets them.
// [model].source/base, [services].task_url/judge_url and [algorithm] have
// rules that look beyond one value; validator checks them on their own.
var knownKeys = []keySpec{
	spec("algorithm.type", kindString, nil),
	spec("algorithm.method", kindString, nil),
	spec("algorithm.variety", kindString, nil),

	spec("services.task_url", kindString, nil),
	spec("services.judge_url", kindString, nil),

	spec("compute.gpu_type", kindString, nil),
	spec("compute.gpu_count", kindInteger, atLeastOne),
	spec("compute.nodes", kindInteger, atLeastOne),

	spec("topology.type", kindString, nil),
	spec("topology.gpus_for_vllm", kindInteger, nil),
	spec("topology.gpus_for_training", kindInteger, nil),
	spec("topology.gpus_for_ref", kindInteger, nil),
	spec("topology.tensor_parallel", kindInteger, nil),

	spec("vllm.tensor_parallel_size", kindInteger, nil),
	spec("vllm.max_model_len", kindInteger, nil),

	spec("reference.placement", kindString, nil),
	spec("reference.port", kindInteger, nil),
	spec("reference.tp", kindInteger, nil),
	spec("reference.health_max_wait_s", kindNumber, nil),
	spec("reference.health_interval_ms", kindNumber, nil),

	spec("model.source", kindString, nil),
	spec("model.base", kindString, nil),
	spec("model.trainer_mode", kindString, knownTrainerMode),
	spec("model.label", kindString, nil),

	spec("rollout.env_name", kindString, nil),
	spec("rollout.policy_name", kindString, nil),
	spec("rollout.max_turns", kindInteger, atLeastOne),
	spec("rollout.episodes_per_batch", kindInteger, atLeastOne),
	spec("rollout.max_concurrent_rollouts", kindInteger, atLeastOne),
	spec("rollout.batches_per_step", kindInteger, atLeastOne),
	spec("rollout.ops", kindStringArray, nil),
	spec("rollout.task_app_origin_rewards_only", kindBoolean, nil),
	spec("rollout.rubric_rewards_only", kindBoolean, nil),
	spec("rollout.env_config", kindTable, nil),
	spec("rollout.policy_config", kindTable, nil),

	spec("evaluation.instances", kindInteger, atLeastOne),
	spec("evaluation.every_n_iters", kindInteger, atLeastOne),
	spec("evaluation.seeds", kindIntegerArray, noNegativeItems),

	spec("training.num_epochs", kindInteger, atLeastOne),
	spec("training.iterations_per_epoch", kindInteger, atLeastOne),
	spec("training.max_turns", kindInteger, atLeastOne),
	spec("training.batch_size", kindInteger, atLeastOne),
	spec("training.group_size", kindInteger, atLeastOne),
	spec("training.gradient_accumulation_steps", kindInteger, atLeastOne),
	spec("training.learning_rate", kindNumber, positiveFinite),
	spec("training.log_interval", kindInteger, atLeastOne),
	spec("training.weight_sync_interval", kindInteger, atLeastOne),
	spec("training.step_rewards_enabled", kindBoolean, nil),
	spec("training.step_rewards_mode", kindString, nil),
	spec("training.step_rewards_beta", kindNumber, nil),
	spec("training.step_rewards_indicator_lambda", kindNumber, nil),
	spec("training.event_rewards_kind", kindString, nil),
	spec("training.weight_sync", kindTable, nil),
	spec("training.weight_sync.enable", kindBoolean, nil),
	spec("training.weight_sync.targets", kindStringArray, nil),
	spec("training.weight_sync.mode", kindString, nil),
	spec("training.weight_sync.weight_sync_interval", kindInteger, nil),

	spec("judge.type", kindString, nil),
	spec("judge.timeout_s", kindNumber, nil),
	spec("judge.enabled", kindBoolean, nil),
	spec("judge.options", kindTable, nil),

	spec("data.seeds", kindIntegerArray, noNegativeItems),
	spec("data.split", kindString, nil),
	spec("data.seed_start", kindInteger, nil),
	spec("data.episodes_per_iteration", kindInteger, nil),
}

// trainerModes are the modes the SDK knows. The backend may know more, so
// another value is only a warning.
var trainerModes = []string{"full", "lora", "qlora"}

// The rules below run only on values whose kind has been checked, so their
// type assertions cannot fail.

func atLeastOne(v *validator, at place, val any) {
	if n, _ := val.(int64); n < 1 {
		v.errorAt(at, "Value out of range", "%s must be at least 1, got %d.", at.name, n)
	}
}

func positiveFinite(v *validator, at place, val any) {
	f, _ := asFloat64(val)
	if !(f > 0) || math.IsInf(f, 0) {
		v.errorAt(at, "Value out of range", "%s must be a finite number greater than 0, got %s.", at.name, describe(val))
	}
}

func noNegativeItems(v *validator, at place, val any) {
	items, _ := val.([]any)
	for i, item := range items {
		if n, _ := item.(int64); n < 0 {
			v.errorAt(at, "Value out of range", "%s must not contain negative seeds, got %d at index %d.", at.name, n, i)
			return
		}
	}
}

func knownTrainerMode(v *validator, at place, val any) {
	mode, _ := val.(string)
	for _, m := range trainerModes {
		if mode == m {
			return
		}
	}
	v.warnAt(at, "Unknown trainer mode",
		"%s is %q; the SDK knows \"full\", \"lora\" and \"qlora\". The backend decides whether it accepts another mode.", at.name, mode)
}

// hasKind reports whether val has the TOML type kind. For an array that does
// not, it also names the first offending element, which is what the user
// has to fix.
func hasKind(val any, kind valueKind) (ok bool, why string) {
	switch kind {
	case kindString:
		_, ok = val.(string)
	case kindInteger:
		_, ok = val.(int64)
	case kindNumber:
		switch val.(type) {
		case int64, float64:
			ok = true
		}
	case kindBoolean:
		_, ok = val.(bool)
	case kindTable:
		_, ok = val.(map[string]any)
	case kindStringArray, kindIntegerArray:
		items, isArray := val.([]any)
		if !isArray {
			return false, "got " + describe(val)
		}
		elem := kindString
		if kind == kindIntegerArray {
			elem = kindInteger
		}
		for i, item := range items {
			if ok, _ := hasKind(item, elem); !ok {
				return false, fmt.Sprintf("element %d is %s", i, describe(item))
			}
		}
		return true, ""
	}
	if ok {
		return true, ""
	}
	return false, "got " + describe(val)
}

func (k valueKind) String() string {
	switch k {
	case kindString:
		return "a string"
	case kindInteger:
		return "an integer"
	case kindNumber:
		return "a number"
	case kindBoolean:
		return "a boolean"
	case kindStringArray:
		return "an array of strings"
	case kindIntegerArray:
		return "an array of integers"
	case kindTable:
		return "a table"
	}
	return "unknown"
}

// describe names a value's TOML type and, for scalars, the value itself.
func describe(val any) string {
	switch v := val.(type) {
	case string:
		return "string " + strconv.Quote(v)
	case int64:
		return "integer " + strconv.FormatInt(v, 10)
	case float64:
		return "float " + strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return "boolean " + strconv.FormatBool(v)
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case nil:
		return "nothing"
	}
	return fmt.Sprintf("%T", val)
}
