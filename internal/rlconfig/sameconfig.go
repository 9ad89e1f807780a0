package rlconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"
)

// ConfigKey is the comparable form of a data.config document: two configs
// describe the same training exactly when their keys are equal. It is built
// from JSON, the config as the provider sends it or as the backend echoes it,
// so that what is compared is what was submitted.
//
// Object keys are sorted, whitespace is dropped, services.task_url is
// normalised as ResolveTaskURL normalises it (trailing slashes removed), the
// defaults the newest SDK fills in (its weight-sync block, the reference
// placement; §3.1) are filled in, so that a config sent by an older client
// or SDK compares equal to the same config sent now, and
// numbers are compared by exact value: 1, 1.0 and 1e0 are the same number,
// 5e-05 and 0.00005 too. A backend that re-encodes numbers (Python's float
// formatting, a JSONB column) therefore does not hide a duplicate, and no
// float rounding makes two different values equal.
func ConfigKey(raw []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return "", fmt.Errorf("decoding the config: %w", err)
	}
	if dec.More() {
		return "", fmt.Errorf("decoding the config: more than one JSON value")
	}
	config, ok := doc.(map[string]any)
	if !ok {
		return "", fmt.Errorf("the config is not a JSON object")
	}
	if services, ok := config["services"].(map[string]any); ok {
		if u, ok := services["task_url"].(string); ok {
			services["task_url"] = strings.TrimRight(u, "/")
		}
	}
	fillSDKDefaults(config, json.Number("1"))
	var b strings.Builder
	if err := writeKey(&b, config); err != nil {
		return "", err
	}
	return b.String(), nil
}

// SameTraining reports whether a planned data.config (JSON) describes the
// training a recorded one was submitted with. Besides ConfigKey's
// equivalences, it recognises a config recorded by a release before the
// newest SDK's payload, which spelled the base model inside data.config the
// catalogue's way, in [model].base and inside a trained model's id alike.
func SameTraining(planned, recorded []byte) bool {
	want, err := ConfigKey(recorded)
	if err != nil {
		return false
	}
	if got, err := ConfigKey(planned); err == nil && got == want {
		return true
	}
	previous, ok := previousModelSpelling(planned)
	if !ok {
		return false
	}
	got, err := ConfigKey(previous)
	return err == nil && got == want
}

// previousModelSpelling returns config with [model] spelled as releases
// before the newest SDK's payload sent it, and false when that changes
// nothing.
func previousModelSpelling(config []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(config))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, false
	}
	model, _ := doc["model"].(map[string]any)
	changed := false
	for key, spell := range map[string]func(string) string{"source": canonicalSource, "base": CanonicalBase} {
		if id, ok := model[key].(string); ok && spell(id) != id {
			model[key], changed = spell(id), true
		}
	}
	if !changed {
		return nil, false
	}
	out, err := json.Marshal(doc)
	return out, err == nil
}

// writeKey writes v in a form where strings are always quoted and numbers
// never are, so a string can never pass for a number.
func writeKey(b *strings.Builder, v any) error {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			if err := writeKey(b, v[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, item := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeKey(b, item); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case string:
		writeString(b, v)
	case json.Number:
		r, ok := new(big.Rat).SetString(v.String())
		if !ok {
			return fmt.Errorf("the config holds a number that cannot be read: %s", v)
		}
		b.WriteString(r.RatString())
	case bool:
		fmt.Fprint(b, v)
	case nil:
		b.WriteString("null")
	default:
		return fmt.Errorf("the config holds an unexpected %T", v)
	}
	return nil
}

func writeString(b *strings.Builder, s string) {
	quoted, _ := json.Marshal(s) // a string always encodes
	b.Write(quoted)
}
