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
// normalised as ResolveTaskURL normalises it (trailing slashes removed), and
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
	var b strings.Builder
	if err := writeKey(&b, config); err != nil {
		return "", err
	}
	return b.String(), nil
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
