package trainfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// A record is decoded once into Go values (objects as map[string]any, which
// keeps keys exact) and every rule reads from that: one validating scan and
// one decoding scan per line, whatever the nesting.

// kindOf names the JSON type of a decoded value as a person would.
func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a number"
}

func checkRecord(res *Result, n int, line []byte) {
	var v any
	if err := json.Unmarshal(line, &v); err != nil {
		res.problem(n, "not valid JSON: %s", jsonError(err))
		return
	}
	rec, ok := v.(map[string]any)
	if !ok {
		res.problem(n, "expected a JSON object, got %s", kindOf(v))
		return
	}

	rawMessages, ok := rec["messages"]
	if !ok {
		res.problem(n, `no "messages": each record needs a list of messages`)
		return
	}
	messages, ok := rawMessages.([]any)
	if !ok {
		res.problem(n, `"messages" must be a list of message objects, got %s`, kindOf(rawMessages))
		return
	}
	if len(messages) == 0 {
		res.problem(n, `"messages" is empty; a record needs at least one message`)
		return
	}
	facts := recordFacts{messages: len(messages)}
	for i, m := range messages {
		if role, ok := checkMessage(res, n, i, m); ok && role == "assistant" {
			facts.hasAssistant = true
		}
	}
	checkTools(res, n, rec["tools"])
	if meta, ok := rec["metadata"]; ok && meta != nil {
		if _, isObject := meta.(map[string]any); !isObject {
			res.problem(n, `"metadata" must be an object, got %s`, kindOf(meta))
		}
	}

	_, facts.hasResponse = rec["response"]
	facts.warn(res, n)
}

// warn adds the record-level warnings of §9.
func (f recordFacts) warn(res *Result, n int) {
	if f.messages < 2 {
		res.warn(n, "only one message; a training example usually has a prompt and a reply")
	}
	if !f.hasAssistant && !f.hasResponse {
		res.warn(n, `no "assistant" message and no "response": nothing to learn from`)
	}
}

// checkMessage checks messages[i] and returns its role.
func checkMessage(res *Result, n, i int, v any) (string, bool) {
	msg, ok := v.(map[string]any)
	if !ok {
		res.problem(n, "messages[%d] must be an object, got %s", i, kindOf(v))
		return "", false
	}
	rawRole, ok := msg["role"]
	if !ok {
		res.problem(n, `messages[%d] has no "role"`, i)
		return "", false
	}
	role, ok := rawRole.(string)
	switch {
	case !ok:
		res.problem(n, "messages[%d].role must be a string, got %s", i, kindOf(rawRole))
		return "", false
	case strings.TrimSpace(role) == "":
		res.problem(n, "messages[%d].role is empty", i)
		return "", false
	}

	switch content := msg["content"].(type) {
	case bool, float64:
		res.problem(n, "messages[%d].content must be a string, a list of parts or an object, not %s", i, kindOf(content))
	case []any:
		checkParts(res, n, i, content)
	}
	if name, ok := msg["name"]; ok && name != nil {
		if _, isString := name.(string); !isString {
			res.problem(n, "messages[%d].name must be a string, got %s", i, kindOf(name))
		}
	}
	if calls, ok := msg["tool_calls"]; ok && calls != nil {
		checkToolCalls(res, n, i, calls)
	}
	return role, true
}

// checkParts checks a content list; only image parts have rules.
func checkParts(res *Result, n, i int, parts []any) {
	for j, p := range parts {
		part, ok := p.(map[string]any)
		if !ok || part["type"] != "image_url" {
			continue
		}
		url := imageURL(part["image_url"])
		switch {
		case url == "":
			res.problem(n, "messages[%d].content[%d] is an image part without a URL (image_url.url)", i, j)
		case !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "data:image/"):
			res.warn(n, "messages[%d].content[%d] has an image URL that is neither http(s) nor data:image/: %.40q", i, j, url)
		}
	}
}

// imageURL reads {"url": "..."} or, as some datasets write it, a bare string.
func imageURL(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		s, _ := v["url"].(string)
		return s
	}
	return ""
}

// nonEmptyString reports whether obj[key] is a string with more than space.
func nonEmptyString(obj map[string]any, key string) bool {
	s, ok := obj[key].(string)
	return ok && strings.TrimSpace(s) != ""
}

func checkToolCalls(res *Result, n, i int, v any) {
	calls, ok := v.([]any)
	if !ok {
		res.problem(n, "messages[%d].tool_calls must be a list, got %s", i, kindOf(v))
		return
	}
	for j, c := range calls {
		call, ok := c.(map[string]any)
		if !ok {
			res.problem(n, "messages[%d].tool_calls[%d] must be an object, got %s", i, j, kindOf(c))
			continue
		}
		fn, _ := call["function"].(map[string]any)
		if !nonEmptyString(fn, "name") && !nonEmptyString(call, "name") {
			res.problem(n, "messages[%d].tool_calls[%d] names no function (function.name or name)", i, j)
		}
	}
}

func checkTools(res *Result, n int, v any) {
	if v == nil {
		return
	}
	tools, ok := v.([]any)
	if !ok {
		res.problem(n, `"tools" must be a list, got %s`, kindOf(v))
		return
	}
	for j, t := range tools {
		tool, ok := t.(map[string]any)
		if !ok {
			res.problem(n, "tools[%d] must be an object, got %s", j, kindOf(t))
			continue
		}
		if !nonEmptyString(tool, "name") {
			res.problem(n, `tools[%d] has no "name"`, j)
		}
	}
}

// jsonError explains why a line is not JSON, with the byte offset.
func jsonError(err error) string {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Sprintf("%v (at byte %d)", syntax, syntax.Offset)
	}
	return err.Error()
}
