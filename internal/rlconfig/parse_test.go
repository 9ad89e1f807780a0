package rlconfig

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want map[string]any
	}{
		{
			name: "empty document",
			src:  "",
			want: map[string]any{},
		},
		{
			name: "scalars keep their TOML types",
			src: `
name = "crafter"
count = 8
rate = 5e-5
whole_float = 1.0
on = true
`,
			want: map[string]any{"name": "crafter", "count": int64(8), "rate": 5e-5, "whole_float": 1.0, "on": true},
		},
		{
			name: "tables, sub-tables, dotted keys and inline tables",
			src: `
[training]
batch_size = 16
weight_sync.mode = "direct"
weight_sync.enable = true

[rollout]
env_config = { difficulty = "easy", size = 9 }
`,
			want: map[string]any{
				"training": map[string]any{
					"batch_size":  int64(16),
					"weight_sync": map[string]any{"mode": "direct", "enable": true},
				},
				"rollout": map[string]any{
					"env_config": map[string]any{"difficulty": "easy", "size": int64(9)},
				},
			},
		},
		{
			name: "arrays and arrays of tables",
			src: `
ops = ["agent", "env"]
seeds = [
  0, 1,
  2,
]
[[stages]]
name = "warmup"
[[stages]]
name = "main"
`,
			want: map[string]any{
				"ops":   []any{"agent", "env"},
				"seeds": []any{int64(0), int64(1), int64(2)},
				"stages": []any{
					map[string]any{"name": "warmup"},
					map[string]any{"name": "main"},
				},
			},
		},
		{
			name: "date-times become RFC 3339 strings",
			src: `
offset = 1979-05-27T07:32:00-07:00
utc = 1979-05-27T07:32:00.5Z
local_date_time = 1979-05-27T07:32:00
local_date = 1979-05-27
local_time = 07:32:00
`,
			want: map[string]any{
				"offset":          "1979-05-27T07:32:00-07:00",
				"utc":             "1979-05-27T07:32:00.5Z",
				"local_date_time": "1979-05-27T07:32:00",
				"local_date":      "1979-05-27",
				"local_time":      "07:32:00",
			},
		},
		{
			name: "date-times inside arrays and tables",
			src:  "[job]\nwhen = [1979-05-27, 2024-01-02]\n",
			want: map[string]any{"job": map[string]any{"when": []any{"1979-05-27", "2024-01-02"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name        string
		src         string
		line, col   int
		wantMessage string
	}{
		{
			name:        "missing value",
			src:         "[compute]\ngpu_count =\n",
			line:        2,
			col:         12,
			wantMessage: "start of value",
		},
		{
			name:        "duplicate key",
			src:         "[model]\nbase = \"Qwen/Qwen3-4B\"\nbase = \"Qwen/Qwen3-8B\"\n",
			line:        3,
			col:         1,
			wantMessage: "already defined",
		},
		{
			name:        "unterminated string",
			src:         "a = 1\nb = 2\nc = \"open\n",
			line:        3,
			wantMessage: "",
		},
		{
			name:        "bad table header",
			src:         "[ok]\nx = 1\n[broken\ny = 2\n",
			line:        3,
			wantMessage: "",
		},
		{
			name:        "duplicate table",
			src:         "[a]\nx = 1\n\n[a]\ny = 2\n",
			line:        4,
			wantMessage: "",
		},
		{
			name:        "larger than MaxConfigBytes is refused before parsing",
			src:         "# " + strings.Repeat("x", MaxConfigBytes) + "\n",
			line:        0,
			wantMessage: "more than the limit of 1048576 bytes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.src)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error = %v (%T), want *ParseError", err, err)
			}
			if pe.Line != tt.line {
				t.Errorf("Line = %d, want %d (%v)", pe.Line, tt.line, pe)
			}
			if tt.col != 0 && pe.Column != tt.col {
				t.Errorf("Column = %d, want %d (%v)", pe.Column, tt.col, pe)
			}
			if !strings.Contains(pe.Message, tt.wantMessage) {
				t.Errorf("Message = %q, want it to contain %q", pe.Message, tt.wantMessage)
			}
			if strings.HasPrefix(pe.Message, "toml:") {
				t.Errorf("Message = %q keeps go-toml's prefix", pe.Message)
			}
		})
	}
}

func TestParseAtMaxConfigBytes(t *testing.T) {
	src := "# " + strings.Repeat("x", MaxConfigBytes-3) + "\n"
	if len(src) != MaxConfigBytes {
		t.Fatalf("test document is %d bytes", len(src))
	}
	if _, err := Parse(src); err != nil {
		t.Errorf("Parse of exactly MaxConfigBytes: %v", err)
	}
}

func TestParseErrorString(t *testing.T) {
	tests := []struct {
		err  ParseError
		want string
	}{
		{ParseError{Line: 3, Column: 7, Message: "boom"}, "line 3, column 7: boom"},
		{ParseError{Line: 3, Message: "boom"}, "line 3: boom"},
		{ParseError{Message: "boom"}, "boom"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
