package rlconfig

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// jsonFloat is a TOML float on its way to JSON. encoding/json writes the
// float64 1 as `1`, which a reader takes for an integer; the SDK sends the
// config through Python's json module, which writes a float as repr does
// (`1.0`, `0.0`, `5e-05`). A float stays a float, and an integer (int64)
// stays an integer, so data.config records the TOML faithfully.
type jsonFloat float64

// MarshalJSON writes f as Python's repr(float) does: the shortest digits
// that read back as f, in positional form with at least one decimal for
// decimal exponents -4 to 15, in scientific form with a signed exponent of
// at least two digits otherwise.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		// Validate refuses these; marshal the way encoding/json does.
		return nil, &json.UnsupportedValueError{Str: strconv.FormatFloat(v, 'g', -1, 64)}
	}
	return []byte(pythonFloat(v)), nil
}

func pythonFloat(v float64) string {
	sci := strconv.FormatFloat(v, 'e', -1, 64) // "5e-05", "1.5e+16"
	exp, _ := strconv.Atoi(sci[strings.IndexByte(sci, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return sci
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsRune(s, '.') {
		s += ".0"
	}
	return s
}

// forJSON deep-copies a parsed config table, the way copyTable does, with
// every float64 made a jsonFloat.
func forJSON(t map[string]any) map[string]any {
	return mapScalars(t, func(v any) any {
		if f, ok := v.(float64); ok {
			return jsonFloat(f)
		}
		return v
	})
}
