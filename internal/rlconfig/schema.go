package rlconfig

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ValueType is the TOML type a known key must have.
type ValueType int

const (
	TypeString ValueType = iota + 1
	TypeInteger
	TypeNumber // integer or float: TOML users write learning_rate = 1 as often as 1.0
	TypeBoolean
	TypeStringArray
	TypeIntegerArray
	TypeTable
)

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

// knownStrings is the rule of a string key whose values the SDK knows: the
// backend may know more, so another value is only a warning, calling the
// value what ("trainer mode") and any other one "another <noun>".
func knownStrings(what, noun string, values ...string) func(*validator, place, any) {
	known := quotedList(values)
	return func(v *validator, at place, val any) {
		if s, _ := val.(string); !slices.Contains(values, s) {
			v.warnAt(at, "Unknown "+what,
				"%s is %q; the SDK knows %s. The backend decides whether it accepts another %s.", at.name, s, known, noun)
		}
	}
}

// between is the rule of a number that must lie in [lo, hi].
func between(lo, hi float64) func(*validator, place, any) {
	return func(v *validator, at place, val any) {
		if f, _ := asFloat64(val); !(f >= lo && f <= hi) {
			v.errorAt(at, "Value out of range", "%s must be between %s and %s, got %s.",
				at.name, strconv.FormatFloat(lo, 'g', -1, 64), strconv.FormatFloat(hi, 'g', -1, 64), describe(val))
		}
	}
}

// quotedList spells values as `"a", "b" and "c"`.
func quotedList(values []string) string {
	quoted := make([]string, len(values))
	for i, s := range values {
		quoted[i] = strconv.Quote(s)
	}
	if len(quoted) < 2 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
}

// hasKind reports whether val has the TOML type t. For an array that does
// not, it also names the first offending element, which is what the user
// has to fix.
func hasKind(val any, t ValueType) (ok bool, why string) {
	switch t {
	case TypeString:
		_, ok = val.(string)
	case TypeInteger:
		_, ok = val.(int64)
	case TypeNumber:
		switch val.(type) {
		case int64, float64:
			ok = true
		}
	case TypeBoolean:
		_, ok = val.(bool)
	case TypeTable:
		_, ok = val.(map[string]any)
	case TypeStringArray, TypeIntegerArray:
		items, isArray := val.([]any)
		if !isArray {
			return false, "got " + describe(val)
		}
		for i, item := range items {
			if ok, _ := hasKind(item, t.Element()); !ok {
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

func (t ValueType) String() string {
	switch t {
	case TypeString:
		return "a string"
	case TypeInteger:
		return "an integer"
	case TypeNumber:
		return "a number"
	case TypeBoolean:
		return "a boolean"
	case TypeStringArray:
		return "an array of strings"
	case TypeIntegerArray:
		return "an array of integers"
	case TypeTable:
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
