package rlconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// SFTResolved is an SFT job's effective config, ready to be sent.
type SFTResolved struct {
	// Config is config_toml with the typed attributes merged in.
	Config map[string]any
	// Model is the base model: [job].model, else [model].base.
	Model  string
	Method SFTMethod
	// TrainingFileID and ValidationFileID ("" when none) are the uploaded
	// files.
	TrainingFileID, ValidationFileID string
}

// ResolveSFT validates the input and, when it holds no error, returns the
// effective config. Every value must be known, so it belongs to apply time.
// The diagnostics include the warnings either way; the SFTResolved is nil
// when there is any error.
func ResolveSFT(in SFTInput) (*SFTResolved, Diagnostics) {
	v := validateSFT(in)
	v.refuseUnknown()
	if v.diags.HasError() {
		return nil, v.diags
	}
	k, _ := SFT.Key("job.model")
	model, _, _ := sftLookup(v.merged, k)
	id, _ := model.(string)
	return &SFTResolved{
		Config:           v.merged,
		Model:            id,
		Method:           v.method,
		TrainingFileID:   in.Overrides.TrainingFileID,
		ValidationFileID: in.Overrides.ValidationFileID,
	}, v.diags
}

// The [training.validation] keys that go to hyperparameters, with the
// defaults the contract gives them when [training.validation] exists.
var sftValidationDefaults = []struct {
	key string
	def any
}{
	{"evaluation_strategy", "steps"},
	{"eval_steps", int64(0)},
	{"save_best_model_at_end", true},
	{"metric_for_best_model", "val.loss"},
	{"greater_is_better", false},
}

// BuildSFTPayload returns the body of POST /learning/jobs (§11.1 of the
// backend contract). It holds copies: changing it does not change r. Its
// floats marshal as floats even when integral (see jsonFloat).
func BuildSFTPayload(r *SFTResolved) map[string]any {
	if r == nil {
		return nil
	}
	cfg := r.Config
	hp := map[string]any{}
	for _, k := range SFT.Keys {
		// Parallelism is sent whole, below, unknown keys and all.
		if len(k.Sent) != 2 || k.Sent[0] != "hyperparameters" {
			continue
		}
		if val, _, ok := sftLookup(cfg, k); ok {
			hp[k.Sent[1]] = copyValue(val)
		}
	}
	if _, ok := hp["n_epochs"]; !ok {
		hp["n_epochs"] = int64(1)
	}
	_, hasValidation := lookup(cfg, "training", "validation")
	if hasValidation {
		for _, d := range sftValidationDefaults {
			if _, ok := hp[d.key]; !ok {
				hp[d.key] = d.def
			}
		}
	}
	hp["train_kind"] = r.Method.TrainKind()
	if r.Method.UseQLoRA() {
		hp["use_qlora"] = true
	}
	if p, ok := lookup(cfg, "hyperparameters", "parallelism"); ok {
		hp["parallelism"] = copyValue(p)
	}

	compute := map[string]any{}
	for _, key := range []string{"gpu_type", "gpu_count", "nodes"} {
		if val, ok := lookup(cfg, "compute", key); ok {
			compute[key] = val
		}
	}
	topology, ok := lookup(cfg, "data", "topology")
	if !ok {
		topology = map[string]any{}
	}
	data := map[string]any{"topology": copyValue(topology)}
	if r.ValidationFileID != "" {
		data["validation_files"] = []any{r.ValidationFileID}
	}
	// Without [training.validation], validation is on exactly when there is
	// a validation file to run it on.
	enabled := r.ValidationFileID != ""
	if hasValidation {
		enabled = true
		if b, ok := lookup(cfg, "training", "validation", "enabled"); ok {
			enabled, _ = b.(bool)
		}
	}

	return forJSON(map[string]any{
		"model":            r.Model,
		"training_type":    "sft_offline",
		"training_file_id": r.TrainingFileID,
		"hyperparameters":  hp,
		"metadata": map[string]any{
			"effective_config": map[string]any{
				"compute": compute,
				"data":    data,
				"training": map[string]any{
					"mode":       r.Method.Mode(),
					"use_qlora":  r.Method.UseQLoRA(),
					"validation": map[string]any{"enabled": enabled},
				},
			},
			"sdk":  ClientName,
			"kind": string(r.Method),
		},
	})
}

// SFTPayloadJSON is the canonical JSON of a payload BuildSFTPayload built,
// in the form EffectiveConfigJSON gives an RL config: sorted keys, no
// insignificant whitespace, no HTML escaping. Equal payloads give equal
// strings, so the result can be stored and diffed.
func SFTPayloadJSON(payload map[string]any) (string, error) {
	if payload == nil {
		return "", errors.New("no payload")
	}
	return ConfigJSON(payload)
}

// SFTJobKey is the comparable form of an SFT job: two jobs are the same job
// exactly when their keys are equal. raw is the JSON of a create payload or
// of a job object the backend returns (§12); what is compared is the base
// model (model, else model_id, else base_model), the training file
// (training_file_id, else training_file), hyperparameters and
// metadata.effective_config, with numbers compared by value as ConfigKey
// compares them.
func SFTJobKey(raw []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var job map[string]any
	if err := dec.Decode(&job); err != nil {
		return "", fmt.Errorf("decoding the job: %w", err)
	}
	model, _ := firstPresent(job, "model", "model_id", "base_model")
	file, _ := firstPresent(job, "training_file_id", "training_file")
	hp := job["hyperparameters"]
	effective, _ := lookup(job, "metadata", "effective_config")
	same, err := json.Marshal(map[string]any{
		"model":            model,
		"training_file_id": file,
		"hyperparameters":  hp,
		"effective_config": effective,
	})
	if err != nil {
		return "", err
	}
	return ConfigKey(same)
}
