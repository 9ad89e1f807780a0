package rlconfig

import (
	"strings"
)

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
	missing := missingSDKKeys(Merge(base, in.Overrides), o.isUnknown)
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
		Detail: "The newest SDK's `synth-ai train` would refuse this config: the effective config (config_toml " +
			"with the typed attributes) lacks " + strings.Join(missing, "; ") + ". The backend is the authority on " +
			"what it accepts, so the job is submitted all the same; set them in config_toml (or as typed attributes " +
			"where there are some) for a config the SDK accepts.",
	}}
}

// MissingSDKKeys lists, in the form CheckSDKRequired names them
// ("[compute] (gpu_type, gpu_count)", "training.batch_size"), what the newest
// SDK requires that a whole config, such as the data.config of a payload,
// lacks.
func MissingSDKKeys(config map[string]any) []string {
	return missingSDKKeys(config, func(string) bool { return false })
}

// missingSDKKeys applies the newest SDK's list of refusals (contract §3.1)
// to a config as the user wrote it, before the SDK's own defaults are
// filled in: the sections and keys the RL table marks SDKRequired, then the
// rules that look at more than one key (the reward source, the topology,
// tensor parallelism).
func missingSDKKeys(config map[string]any, unknown func(attr string) bool) []string {
	missing := RL.missingSDKKeys(config, unknown)
	missing = append(missing, missingRewardSource(config, unknown)...)
	if _, ok := lookup(config, "topology"); !ok && !unknown("topology") && !hasComputeTopology(config) && !unknown("compute") {
		missing = append(missing, "[topology] (or [compute.topology])")
	}
	_, tp := lookup(config, "topology", "tensor_parallel")
	_, size := lookup(config, "vllm", "tensor_parallel_size")
	tp, size = tp || unknown("topology.tensor_parallel"), size || unknown("vllm.tensor_parallel_size")
	switch {
	case tp && !size:
		missing = append(missing, "vllm.tensor_parallel_size (topology.tensor_parallel is set)")
	case size && !tp:
		missing = append(missing, "topology.tensor_parallel (vllm.tensor_parallel_size is set)")
	}
	return missing
}

// missingRewardSource names what the SDK's reward-source rule lacks: exactly
// one of the two reward flags true, and a judge for rubric rewards.
func missingRewardSource(config map[string]any, unknown func(attr string) bool) []string {
	rubric, origin := rubricRewardsOnly.Dotted(), originRewardsOnly.Dotted()
	if unknown(rubric) || unknown(origin) {
		return nil
	}
	isTrue := func(path ...string) bool {
		b, _ := lookup(config, path...)
		return b == true
	}
	rubricOnly, originOnly := isTrue(rubricRewardsOnly.Path...), isTrue(originRewardsOnly.Path...)
	switch {
	case rubricOnly == originOnly:
		return []string{"exactly one of " + rubric + " and " + origin + " = true"}
	case rubricOnly && !isTrue("judge", "enabled") && !isTrue("rubric", "enabled"):
		return []string{"judge.enabled = true (or rubric.enabled = true), which " + rubric + " needs"}
	}
	return nil
}

// hasComputeTopology tells whether [compute.topology] describes a topology:
// the reference placement the SDK adds to every config does not.
func hasComputeTopology(config map[string]any) bool {
	t, _ := lookup(config, "compute", "topology")
	table, ok := t.(map[string]any)
	if !ok {
		return false
	}
	for k := range table {
		if k != "reference_placement" {
			return true
		}
	}
	return false
}
