package rlconfig

import (
	"math"
	"slices"
	"strings"
)

// What the newest SDK does to a config before it sends it (contract §3.1),
// beyond the §3 rules Resolve applies itself.

// fillSDKDefaults adds the weight-sync block the backend requires and the
// reference placement the newest SDK writes into [compute]. one is the
// integer 1 in the number representation of cfg (int64 for a parsed TOML,
// json.Number for a decoded JSON config), the interval the SDK defaults to.
// A value of the wrong type is left alone: Validate reports it.
func fillSDKDefaults(cfg map[string]any, one any) {
	fillWeightSync(cfg, one)
	fillReferencePlacement(cfg)
}

// fillWeightSync sets [training.weight_sync] the SDK's way when [training]
// is there: a whole default block when it is absent, else mode = "direct"
// (the SDK's "backend requirement") and the interval when missing.
func fillWeightSync(cfg map[string]any, one any) {
	training, ok := cfg["training"].(map[string]any)
	if !ok {
		return
	}
	interval, ok := training[weightSyncInterval.Name()]
	if !ok {
		interval = one
	}
	current, present := training["weight_sync"]
	if !present {
		training["weight_sync"] = map[string]any{
			"enable": true, "mode": weightSyncMode, "targets": []any{"policy"}, "interval": interval,
		}
		return
	}
	block, ok := current.(map[string]any)
	if !ok {
		return
	}
	block["mode"] = weightSyncMode
	if _, ok := block["interval"]; !ok {
		block["interval"] = interval
	}
}

// weightSyncMode is the only weight-sync mode the backend accepts.
const weightSyncMode = "direct"

// fillReferencePlacement adds compute.topology.reference_placement = "none"
// when absent, creating [compute] and its topology as the SDK does.
func fillReferencePlacement(cfg map[string]any) {
	compute, ok := cfg["compute"]
	if !ok {
		compute = map[string]any{}
		cfg["compute"] = compute
	}
	computeTable, ok := compute.(map[string]any)
	if !ok {
		return
	}
	topology, ok := computeTable["topology"]
	if !ok {
		topology = map[string]any{}
		computeTable["topology"] = topology
	}
	if t, ok := topology.(map[string]any); ok {
		if _, ok := t["reference_placement"]; !ok {
			t["reference_placement"] = "none"
		}
	}
}

// normalizeNumbers gives the numbers of a merged config the types the SDK
// sends them with: integers at keys SentAsFraction become floats, and integral
// floats at integer keys (gpu_count = 8.0) become integers. A non-integral
// float at an integer key stays a float, for Validate to refuse.
func normalizeNumbers(cfg map[string]any) {
	for _, k := range RL.Keys {
		table, key, ok := parentOf(cfg, k.Path)
		if !ok {
			continue
		}
		if k.SentAsFraction {
			if n, isInt := table[key].(int64); isInt {
				table[key] = float64(n)
			}
			continue
		}
		if k.Type != TypeInteger && k.Type != TypeIntegerArray {
			continue
		}
		switch val := table[key].(type) {
		case float64:
			if n, ok := integral(val); ok {
				table[key] = n
			}
		case []any:
			for i, item := range val {
				if f, isFloat := item.(float64); isFloat {
					if n, ok := integral(f); ok {
						val[i] = n
					}
				}
			}
		}
	}
}

// integral returns f as an int64 when it is a whole number that fits.
func integral(f float64) (int64, bool) {
	if f != math.Trunc(f) || math.IsInf(f, 0) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

// parentOf returns the table holding the last key of path, and that key.
func parentOf(cfg map[string]any, path []string) (map[string]any, string, bool) {
	parent, ok := lookup(cfg, path[:len(path)-1]...)
	table, isTable := parent.(map[string]any)
	if !ok || !isTable {
		return nil, "", false
	}
	_, present := table[path[len(path)-1]]
	return table, path[len(path)-1], present
}

// checkWeightSync warns about a [training.weight_sync] the SDK would change
// or refuse: its mode is replaced by "direct", and enable = false or targets
// without "policy" are refused by the SDK (the backend is the authority).
func (v *validator) checkWeightSync() {
	if v.o.isUnknown("training") {
		return
	}
	block, ok := lookup(v.merged, "training", "weight_sync")
	table, isTable := block.(map[string]any)
	if !ok || !isTable {
		return
	}
	if mode, ok := table["mode"].(string); ok && mode != weightSyncMode {
		at := v.tomlPlace("training", "weight_sync", "mode")
		v.warnAt(at, "Weight sync mode replaced",
			"%s is %q; it is sent as %q, which the backend requires (the SDK replaces it the same way).", at.name, mode, weightSyncMode)
	}
	if enable, ok := table["enable"].(bool); ok && !enable {
		at := v.tomlPlace("training", "weight_sync", "enable")
		v.warnAt(at, "Weight sync disabled",
			"%s is false; the SDK refuses to submit a config without weight sync, and the backend may refuse the job.", at.name)
	}
	if targets, ok := table["targets"].([]any); ok && !slices.Contains(targets, any("policy")) {
		at := v.tomlPlace("training", "weight_sync", "targets")
		v.warnAt(at, "Weight sync without the policy",
			"%s does not include \"policy\"; the SDK refuses such a config, and the backend may refuse the job.", at.name)
	}
}

// payloadModelIDs are data.model and data.base_model for a config's [model]
// (one of them is ""): a trained model's id is sent byte for byte, since it is
// the backend's own name for a model; a base id, also one given as source,
// takes the catalogue's spelling. data.config keeps what the user wrote.
func payloadModelIDs(cfg map[string]any) (model, baseModel string) {
	if source, ok := lookupString(cfg, "model", "source"); ok && source != "" {
		if isTrainedModelID(source) {
			return source, ""
		}
		return CanonicalBase(source), ""
	}
	base, _ := lookupString(cfg, "model", "base")
	return "", CanonicalBase(base)
}

// isTrainedModelID tells a trained model's id ("ft:…", "rl:…", any
// "prefix:…") from a base model's ("Qwen/Qwen3-4B").
func isTrainedModelID(id string) bool { return strings.Contains(id, ":") }
