package rlconfig

// Merge returns a deep copy of base with the typed overrides written over the
// keys they name; a typed model source or base also replaces the other one of
// the TOML (dropReplacedModel). Tags are merged key by key; lists (rollout.ops, seeds)
// replace the TOML list whole. Every other section and key, including
// sections this package does not know, passes through untouched. base is
// never modified and may be nil.
//
// Merge does not validate. When base holds a non-table where an override
// needs a table (say compute = 8), the override replaces it; Validate
// reports the TOML mistake on its own.
func Merge(base map[string]any, o Overrides) map[string]any {
	out := copyTable(base)
	for section, values := range o.Values {
		for key, val := range values {
			tableIn(out, section)[key] = copyValue(val)
		}
	}
	dropReplacedModel(out, &o)
	if len(o.Tags) > 0 {
		tags := tableIn(out, "tags")
		for k, v := range o.Tags {
			tags[k] = v
		}
	}
	return out
}

// dropReplacedModel lets a model chosen in Terraform replace the TOML's
// choice, as the CLI's --model does: a typed (or not yet known) model.source
// drops the TOML's [model].base, and a typed model.base its source, so that
// the config sent says what the job trains from. Both set in Terraform, or
// both in the TOML, stay a conflict for Validate.
func dropReplacedModel(doc map[string]any, o *Overrides) {
	model, ok := doc["model"].(map[string]any)
	if !ok {
		return
	}
	_, typedSource := o.Values["model"]["source"]
	_, typedBase := o.Values["model"]["base"]
	typedSource = typedSource || o.isUnknownExactly("model.source")
	typedBase = typedBase || o.isUnknownExactly("model.base")
	switch {
	case typedSource && !typedBase:
		delete(model, "base")
	case typedBase && !typedSource:
		delete(model, "source")
	}
}

// tableIn returns doc[name] as a table, creating it (or replacing a
// non-table) when needed.
func tableIn(doc map[string]any, name string) map[string]any {
	if t, ok := doc[name].(map[string]any); ok {
		return t
	}
	t := map[string]any{}
	doc[name] = t
	return t
}

// copyTable deep-copies the tables and arrays of a parsed document; scalars
// are immutable and shared. A nil table copies to an empty one.
func copyTable(t map[string]any) map[string]any {
	return mapScalars(t, sameScalar)
}

func copyValue(v any) any {
	return mapScalarsValue(v, sameScalar)
}

func sameScalar(v any) any { return v }

// mapScalars deep-copies the tables and arrays of a parsed document, passing
// every other value through scalar. A nil table copies to an empty one.
func mapScalars(t map[string]any, scalar func(any) any) map[string]any {
	out := make(map[string]any, len(t))
	for k, v := range t {
		out[k] = mapScalarsValue(v, scalar)
	}
	return out
}

func mapScalarsValue(v any, scalar func(any) any) any {
	switch v := v.(type) {
	case map[string]any:
		return mapScalars(v, scalar)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = mapScalarsValue(e, scalar)
		}
		return out
	}
	return scalar(v)
}

// lookup follows a key path through nested tables.
func lookup(doc map[string]any, path ...string) (any, bool) {
	var cur any = doc
	for _, k := range path {
		t, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = t[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}
