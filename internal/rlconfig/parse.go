package rlconfig

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// MaxConfigBytes bounds config_toml. A real RL config is a few kilobytes; the
// bound keeps a mistaken file reference from being parsed, diffed and stored
// in state.
const MaxConfigBytes = 1 << 20

// ParseError is a config_toml that could not be read. Line and Column are
// 1-based; either is 0 when the parser did not report it.
type ParseError struct {
	Line, Column int
	Message      string
}

// Error formats the position first, the way editors and compilers do, so that
// the user can jump to it.
func (e *ParseError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	default:
		return e.Message
	}
}

// Parse decodes a TOML document into plain Go values: tables become
// map[string]any, integers int64, floats float64, booleans bool, strings
// string and arrays []any. Date-times of every TOML flavour become their
// RFC 3339 strings, because the config travels to the backend as JSON, which
// has no time type.
//
// A document larger than MaxConfigBytes is refused without being parsed. Any
// failure is a *ParseError.
func Parse(src string) (map[string]any, error) {
	if len(src) > MaxConfigBytes {
		return nil, &ParseError{Message: fmt.Sprintf(
			"the document is %d bytes, more than the limit of %d bytes (1 MiB)", len(src), MaxConfigBytes)}
	}

	doc := map[string]any{}
	if err := toml.Unmarshal([]byte(src), &doc); err != nil {
		return nil, parseError(err)
	}
	normalizeTable(doc)
	return doc, nil
}

// parseError keeps the position go-toml reports and drops its "toml: "
// prefix, which means nothing to a Terraform user.
func parseError(err error) *ParseError {
	pe := &ParseError{Message: strings.TrimPrefix(err.Error(), "toml: ")}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		pe.Line, pe.Column = de.Position()
	}
	return pe
}

func normalizeTable(t map[string]any) {
	for k, v := range t {
		t[k] = normalizeValue(v)
	}
}

func normalizeValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		normalizeTable(v)
	case []any:
		for i, e := range v {
			v[i] = normalizeValue(e)
		}
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case toml.LocalDateTime:
		return v.String()
	case toml.LocalDate:
		return v.String()
	case toml.LocalTime:
		return v.String()
	}
	return v
}
