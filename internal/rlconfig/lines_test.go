package rlconfig

import "testing"

func TestLineIndex(t *testing.T) {
	// Line numbers are written at the end of the lines that matter.
	src := `# a comment with key = "value" and [a.table]
top = 1                                   # 2

[compute]                                 # 4
gpu_type = "H100"                         # 5
  gpu_count = 8                           # 6

[ training . weight_sync ]                # 8
targets = [                               # 9
  "policy",
  [1],
  "]",
]
enable = true                             # 14

[model]                                   # 16
label = """                               # 17
[fake]
fake_key = 1
"""
source = 'ft:Qwen/Qwen3-4B:job_1'        # 21
"quoted key" = "x"                        # 22
'literal.key' = "y"                       # 23
dotted.inner.leaf = 2                     # 24
inline = { a = 1, b = [2, 3] }            # 25
note = "has # and = and [x] inside"       # 26
after_note = 1                            # 27

[[stages]]                                # 29
name = "warmup"                           # 30
[[stages]]                                # 31
name = "main"                             # 32
`
	if _, err := Parse(src); err != nil {
		t.Fatalf("the test document must be valid TOML: %v", err)
	}
	ix := indexLines(src)

	tests := []struct {
		path []string
		want int
	}{
		{[]string{"top"}, 2},
		{[]string{"compute"}, 4},
		{[]string{"compute", "gpu_type"}, 5},
		{[]string{"compute", "gpu_count"}, 6},
		{[]string{"training"}, 8}, // defined implicitly by the header
		{[]string{"training", "weight_sync"}, 8},
		{[]string{"training", "weight_sync", "targets"}, 9},
		{[]string{"training", "weight_sync", "enable"}, 14},
		{[]string{"model"}, 16},
		{[]string{"model", "label"}, 17},
		{[]string{"model", "source"}, 21},
		{[]string{"model", "quoted key"}, 22},
		{[]string{"model", "literal.key"}, 23},
		{[]string{"model", "dotted"}, 24},
		{[]string{"model", "dotted", "inner", "leaf"}, 24},
		{[]string{"model", "inline"}, 25},
		{[]string{"model", "note"}, 26},
		{[]string{"model", "after_note"}, 27},
		{[]string{"stages"}, 29},
		{[]string{"stages", "name"}, 30},

		// Not written as such: the nearest ancestor answers.
		{[]string{"compute", "nodes"}, 4},
		{[]string{"model", "inline", "a"}, 25},
		{[]string{"training", "weight_sync", "mode"}, 8},

		// Not in the document at all, or only inside strings.
		{[]string{"fake"}, 0},
		{[]string{"fake_key"}, 0},
		{[]string{"a", "table"}, 0},
		{[]string{"evaluation", "seeds"}, 0},
		{nil, 0},
	}
	for _, tt := range tests {
		if got := ix.lineOf(tt.path...); got != tt.want {
			t.Errorf("lineOf(%q) = %d, want %d", tt.path, got, tt.want)
		}
	}
}

func TestLineIndexCRLF(t *testing.T) {
	ix := indexLines("a = 1\r\n[b]\r\nc = \"x\"\r\n\r\n[d]\r\ne = [\r\n  1,\r\n]\r\nf = 2\r\n")
	tests := []struct {
		path []string
		want int
	}{
		{[]string{"a"}, 1},
		{[]string{"b"}, 2},
		{[]string{"b", "c"}, 3},
		{[]string{"d"}, 5},
		{[]string{"d", "e"}, 6},
		{[]string{"d", "f"}, 9},
	}
	for _, tt := range tests {
		if got := ix.lineOf(tt.path...); got != tt.want {
			t.Errorf("lineOf(%q) = %d, want %d", tt.path, got, tt.want)
		}
	}
}

func TestLineIndexToleratesBrokenInput(t *testing.T) {
	// The index is built only for documents that parse, but it must not
	// loop or panic on anything.
	for _, src := range []string{
		"", "[", "[[", "[a", "a", "a =", `a = "open`, "a = '''open", `a = """open\`,
		"a = [1, 2", "a = {", "\"", "'", "a.", "a . = 1", "[a.]\nb = 1", "= 1", "\r\n\r\n",
	} {
		indexLines(src).lineOf("a", "b")
	}
}
