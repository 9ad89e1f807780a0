package rlconfig

import (
	"strings"
)

// The SDK's RL config model requires some sections and keys before
// `synth-ai train` submits a config (SDK 0.2.13 to 0.2.17); the RL table
// marks them SDKRequired. The contract treats them as optional and the
// backend's own rule is not known, so a missing one is worth a warning,
// never an error.

// CheckSDKRequired returns one warning naming every key the SDK's RL config
// model requires that the effective config lacks, or nothing when it lacks
// none. A value not known yet counts as present, and an unknown or
// unreadable config_toml (which Validate reports) gives nothing.
//
// It is separate from Validate so that a resource can say it once per job,
// when the job is planned, rather than again at every apply.
func CheckSDKRequired(in Input) Diagnostics {
	o := &in.Overrides
	if o.isUnknown("config_toml") {
		return nil
	}
	base, err := Parse(in.TOML)
	if err != nil {
		return nil
	}
	missing := RL.missingSDKKeys(Merge(base, in.Overrides), o.isUnknown)
	if len(missing) == 0 {
		return nil
	}
	attr := ""
	if strings.TrimSpace(in.TOML) != "" {
		attr = "config_toml"
	}
	return Diagnostics{{
		Severity:  SeverityWarning,
		Attribute: attr,
		Summary:   "Config incomplete for the SDK",
		Detail: "The SDK's `synth-ai train` would refuse this config: its RL config model requires " +
			strings.Join(missing, ", ") + ", which the effective config (config_toml with the typed attributes) " +
			"lacks. The contract leaves them optional and the backend's own rule is not known, so the job is " +
			"submitted all the same; set them, in config_toml or as typed attributes, for a config the SDK accepts.",
	}}
}

// MissingSDKKeys lists, in the form CheckSDKRequired names them ("[algorithm]",
// "training.batch_size"), the keys the SDK requires that a whole config,
// such as the data.config of a payload, lacks.
func MissingSDKKeys(config map[string]any) []string {
	return RL.missingSDKKeys(config, func(string) bool { return false })
}
