package trainfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

const good = `{"messages":[{"role":"user","content":"2+2?"},{"role":"assistant","content":"4"}]}`

func findings(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

func TestCheckProblems(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the one problem expected, as "line N: ..." (a substring of it)
	}{
		{"not UTF-8", good + "\n" + `{"messages":[{"role":"user","content":"caf` + "\xe9" + `"}]}` + "\n", "line 2: not valid UTF-8"},
		{"not JSON", "{\"messages\": [\n", "line 1: not valid JSON"},
		{"truncated object", good + "\n" + `{"messages":[{"role":"user"`, "line 2: not valid JSON"},
		{"array line", `[{"role":"user","content":"hi"}]`, "line 1: expected a JSON object, got a list"},
		{"string line", `"hello"`, "line 1: expected a JSON object, got a string"},
		{"no messages", `{"prompt":"hi","completion":"there"}`, `line 1: no "messages"`},
		{"messages not a list", `{"messages":{"role":"user"}}`, `line 1: "messages" must be a list of message objects, got an object`},
		{"empty messages", `{"messages":[]}`, `line 1: "messages" is empty`},
		{"message not an object", `{"messages":["hi",{"role":"assistant","content":"x"}]}`, "line 1: messages[0] must be an object, got a string"},
		{"message without role", `{"messages":[{"content":"hi"},{"role":"assistant","content":"x"}]}`, `line 1: messages[0] has no "role"`},
		{"numeric role", `{"messages":[{"role":1,"content":"hi"},{"role":"assistant","content":"x"}]}`, "line 1: messages[0].role must be a string, got a number"},
		{"empty role", `{"messages":[{"role":" ","content":"hi"},{"role":"assistant","content":"x"}]}`, "line 1: messages[0].role is empty"},
		{"numeric content", `{"messages":[{"role":"user","content":42},{"role":"assistant","content":"x"}]}`, "line 1: messages[0].content must be a string, a list of parts or an object, not a number"},
		{"boolean content", `{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":true}]}`, "line 1: messages[1].content must be a string, a list of parts or an object, not a boolean"},
		{"name not a string", `{"messages":[{"role":"user","content":"q","name":7},{"role":"assistant","content":"x"}]}`, "line 1: messages[0].name must be a string, got a number"},
		{"tool_calls not a list", `{"messages":[{"role":"user","content":"q"},{"role":"assistant","tool_calls":{"name":"f"}}]}`, "line 1: messages[1].tool_calls must be a list, got an object"},
		{"tool call naming nothing", `{"messages":[{"role":"user","content":"q"},{"role":"assistant","tool_calls":[{"function":{"arguments":"{}"}}]}]}`, "line 1: messages[1].tool_calls[0] names no function"},
		{"tool call not an object", `{"messages":[{"role":"user","content":"q"},{"role":"assistant","tool_calls":["f"]}]}`, "line 1: messages[1].tool_calls[0] must be an object, got a string"},
		{"tools entry without name", good[:len(good)-1] + `,"tools":[{"name":"search"},{"description":"x"}]}`, `line 1: tools[1] has no "name"`},
		{"tools not a list", good[:len(good)-1] + `,"tools":{"name":"search"}}`, `line 1: "tools" must be a list, got an object`},
		{"metadata not an object", good[:len(good)-1] + `,"metadata":"x"}`, `line 1: "metadata" must be an object, got a string`},
		{"image part without URL", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":""}}]},{"role":"assistant","content":"cat"}]}`, "line 1: messages[0].content[0] is an image part without a URL"},
		{"empty file", "", "the file has no records"},
		{"only blank lines", "\n  \n\t\n", "the file has no records"},
		{"byte-order mark", "\xef\xbb\xbf" + good, "line 1: starts with a UTF-8 byte-order mark"},
		{"blank lines are counted", "\n\n" + good + "\n\n{oops}\n", "line 5: not valid JSON"},
		{"CRLF endings", good + "\r\n" + `{"messages":[]}` + "\r\n", `line 2: "messages" is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Check(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			got := findings(res.Problems)
			if len(got) != 1 || !strings.HasPrefix(got[0], tt.want) {
				t.Errorf("problems %q, want one starting %q", got, tt.want)
			}
			if res.OK() {
				t.Error("OK() with a problem")
			}
		})
	}
}

func TestCheckAcceptsWhatTheContractAllows(t *testing.T) {
	lines := []string{
		good,
		`{"messages":[{"role":"system","content":null},{"role":"user"},{"role":"assistant","content":{"text":"x"}}]}`,
		`{"messages":[{"role":"user","content":[{"type":"text","text":"what?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]},{"role":"assistant","content":"a cat"}]}`,
		`{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"search","arguments":"{}"}},{"name":"other"}]},{"role":"tool","name":"search","content":"r"}],"tools":[{"name":"search","parameters":{}}],"tool_choice":"auto","metadata":{"source":"x"},"nonce":"n1"}`,
		`{"messages":[{"role":"critic","content":"q"},{"role":"assistant","content":"a"}],"unknown_key":[1,2,3]}`,
		"   " + good + "   ",
	}
	res, err := Check(strings.NewReader(strings.Join(lines, "\n") + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || len(res.Warnings) != 0 {
		t.Errorf("problems %q warnings %q", findings(res.Problems), findings(res.Warnings))
	}
	if res.Records != len(lines) || res.Lines != len(lines) {
		t.Errorf("records %d lines %d, want %d", res.Records, res.Lines, len(lines))
	}
}

func TestCheckWarnings(t *testing.T) {
	in := strings.Join([]string{
		`{"messages":[{"role":"user","content":"q"}],"response":"a"}`,
		`{"messages":[{"role":"user","content":"q"},{"role":"user","content":"again"}]}`,
		`{"messages":[{"role":"user","content":[{"type":"image_url","image_url":"ftp://x/cat.png"}]},{"role":"assistant","content":"cat"}]}`,
		`{"messages":[{"role":"user","content":"q"}]}`,
	}, "\n")
	res, err := Check(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"line 1: only one message",
		`line 2: no "assistant" message and no "response"`,
		"line 3: messages[0].content[0] has an image URL that is neither http(s) nor data:image/",
		"line 4: only one message",
		`line 4: no "assistant" message and no "response"`,
	}
	got := findings(res.Warnings)
	if len(got) != len(want) {
		t.Fatalf("warnings %q, want %d", got, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("warning %d = %q, want %q", i, got[i], want[i])
		}
	}
	if !res.OK() {
		t.Errorf("warnings became problems: %q", findings(res.Problems))
	}
}

func TestCheckCapsProblemsAndWarnings(t *testing.T) {
	var b strings.Builder
	for range 30 {
		b.WriteString("not json\n")
	}
	for range 25 {
		b.WriteString(`{"messages":[{"role":"user","content":"q"}]}` + "\n")
	}
	res, err := Check(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != MaxProblems || res.MoreProblems != 10 || res.Problems[19].Line != 20 {
		t.Errorf("%d problems (+%d), last on line %d", len(res.Problems), res.MoreProblems, res.Problems[len(res.Problems)-1].Line)
	}
	if len(res.Warnings) != MaxWarnings || res.MoreWarnings != 30 {
		t.Errorf("%d warnings (+%d)", len(res.Warnings), res.MoreWarnings)
	}
}

func TestCheckHashesEveryByte(t *testing.T) {
	in := "\n" + good + "\r\n\n" + good // no final newline, CRLF, blanks
	// One byte per Read: hashing and line splitting must not depend on how
	// the reader cuts the stream.
	res, err := Check(iotest.OneByteReader(strings.NewReader(in)))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(in))
	if res.SHA256 != hex.EncodeToString(sum[:]) || res.Bytes != int64(len(in)) || res.Lines != 4 || res.Records != 2 {
		t.Errorf("result %+v", res)
	}
}

func TestCheckLongLines(t *testing.T) {
	// A record longer than the reader's buffer is still one record.
	long := `{"messages":[{"role":"user","content":"` + strings.Repeat("x", 1<<20) + `"},{"role":"assistant","content":"y"}]}`
	res, err := Check(strings.NewReader(long + "\n" + good))
	if err != nil || !res.OK() || res.Records != 2 {
		t.Fatalf("result %+v err %v", res, err)
	}
}

func TestCheckReadError(t *testing.T) {
	_, err := Check(io.MultiReader(strings.NewReader(good+"\n"), iotest.ErrReader(fmt.Errorf("disk gone"))))
	if err == nil || !strings.Contains(err.Error(), "disk gone") {
		t.Errorf("err = %v", err)
	}
}

func TestCheckFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "train.jsonl")
	if err := os.WriteFile(path, []byte(good+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := CheckFile(path)
	if err != nil || !res.OK() || res.Bytes != int64(len(good)+1) {
		t.Fatalf("result %+v err %v", res, err)
	}
	if _, err := CheckFile(filepath.Join(t.TempDir(), "missing.jsonl")); err == nil {
		t.Error("a missing file must be an error")
	}
}

func FuzzCheck(f *testing.F) {
	f.Add([]byte(good + "\n"))
	f.Add([]byte("\n\n{}\n[]\n\"x\"\n"))
	f.Add([]byte(`{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":1}}],"tool_calls":[1]}],"tools":[{}]}`))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Check(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if res.SHA256 != hex.EncodeToString(sum[:]) || res.Bytes != int64(len(data)) {
			t.Fatalf("hash or size wrong for %q", data)
		}
		if len(res.Problems) > MaxProblems || len(res.Warnings) > MaxWarnings {
			t.Fatal("caps exceeded")
		}
		for _, p := range res.Problems {
			if p.Line < 0 || p.Line > res.Lines {
				t.Fatalf("problem on line %d of %d", p.Line, res.Lines)
			}
		}
		if res.Records > res.Lines {
			t.Fatalf("%d records on %d lines", res.Records, res.Lines)
		}
	})
}

// fastCases are lines the fast path must read exactly as the decoder does.
var fastCases = []string{
	good,
	`{"messages":[{"role":"system","content":null},{"role":"user"},{"role":"assistant","content":{"text":"x"}}]}`,
	`{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"search","arguments":"{}"}},{"name":"other"}]},{"role":"tool","name":"search","content":"r"}],"tools":[{"name":"search","parameters":{}}],"tool_choice":"auto","metadata":{"source":"x"},"nonce":"n1"}`,
	`{"messages":[{"role":"user","content":"q"}],"response":"a","n":-1.5e3,"z":[true,false,null,0,{"a":[]}]}`,
	`{"messages":[{"role":"user","content":"q \"quoted\" \u00e9"},{"role":"user","content":"again"}]}`,
	`{"messages":[{"role":"critic","content":[{"type":"text","text":"x"}]},{"role":"assistant","content":"a"}],"metadata":null,"tools":null}`,
	`{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}],"messages":[]}`,
	`{"messages":[{"role":"user","content":"q","role":"assistant"}]}`,
	`{"messages":[{"role":"assist\u0061nt","content":"a"}]}`,
	`{"messag\u0065s":[{"role":"user","content":"q"}]}`,
	`{"messages":[{"role":"\u00a0","content":"q"},{"role":"assistant","content":"a"}]}`,
	`{"messages":[{"role":"user","content":"q","n":1e400},{"role":"assistant","content":"a"}]}`,
	`{"messages":[{"role":"user","content":"q"},{"role":"assistant","tool_calls":[{"name":1,"function":{"name":"f"}}]}]}`,
	`{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x"}}]},{"role":"assistant","content":"a"}]}`,
	`{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]} x`,
	`{"messages":[{"role":"user","content":01}]}`,
	`{"messages":[{"role":"user","content":"tab	inside"}]}`,
}

// TestFastPathAgreesWithTheDecoder runs every case, and every line of the
// problem table, both ways.
func TestFastPathAgreesWithTheDecoder(t *testing.T) {
	inputs := append([]string{}, fastCases...)
	inputs = append(inputs, strings.Join(fastCases, "\n"))
	for _, in := range inputs {
		fast, err1 := check(strings.NewReader(in), true)
		slow, err2 := check(strings.NewReader(in), false)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s:\nfast %+v\nslow %+v", in, fast, slow)
		}
	}
	// The fast path must actually take the ordinary records, or it is not
	// one.
	for _, in := range fastCases[:6] {
		if _, ok := fastRecord([]byte(in)); !ok {
			t.Errorf("the fast path gave up on an ordinary record: %s", in)
		}
	}
}

func FuzzFastPathAgrees(f *testing.F) {
	for _, c := range fastCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, err1 := check(bytes.NewReader(data), true)
		slow, err2 := check(bytes.NewReader(data), false)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q:\nfast %+v\nslow %+v", data, fast, slow)
		}
	})
}
