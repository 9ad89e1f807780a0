package trainfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// object is a decoded JSON object whose values are kept raw, so that each
// rule looks only at the part it needs and keys are matched exactly.
type object map[string]json.RawMessage

// kindOf names the JSON type of a raw value as a person would: "a string",
// "a number", "null"... An empty value (a missing key) is "missing".
func kindOf(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "missing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "a list"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func isNullOrMissing(raw json.RawMessage) bool {
	k := kindOf(raw)
	return k == "missing" || k == "null"
}

func checkRecord(res *Result, n int, line []byte) {
	if line[0] != '{' {
		if json.Valid(line) {
			res.problem(n, "expected a JSON object, got %s", kindOf(line))
		} else {
			res.problem(n, "not valid JSON: %s", jsonError(line))
		}
		return
	}
	var rec object
	if err := json.Unmarshal(line, &rec); err != nil {
		res.problem(n, "not valid JSON: %s", jsonError(line))
		return
	}

	rawMessages, ok := rec["messages"]
	if !ok {
		res.problem(n, `no "messages": each record needs a list of messages`)
		return
	}
	var messages []json.RawMessage
	if kindOf(rawMessages) != "a list" || json.Unmarshal(rawMessages, &messages) != nil {
		res.problem(n, `"messages" must be a list of message objects, got %s`, kindOf(rawMessages))
		return
	}
	if len(messages) == 0 {
		res.problem(n, `"messages" is empty; a record needs at least one message`)
		return
	}
	hasAssistant := false
	for i, raw := range messages {
		role, ok := checkMessage(res, n, fmt.Sprintf("messages[%d]", i), raw)
		if ok && role == "assistant" {
			hasAssistant = true
		}
	}
	checkTools(res, n, rec["tools"])
	if raw, ok := rec["metadata"]; ok && !isNullOrMissing(raw) && kindOf(raw) != "an object" {
		res.problem(n, `"metadata" must be an object, got %s`, kindOf(raw))
	}

	if len(messages) < 2 {
		res.warn(n, "only one message; a training example usually has a prompt and a reply")
	}
	if _, hasResponse := rec["response"]; !hasAssistant && !hasResponse {
		res.warn(n, `no "assistant" message and no "response": nothing to learn from`)
	}
}

// checkMessage checks one message and returns its role.
func checkMessage(res *Result, n int, where string, raw json.RawMessage) (string, bool) {
	var msg object
	if kindOf(raw) != "an object" || json.Unmarshal(raw, &msg) != nil {
		res.problem(n, "%s must be an object, got %s", where, kindOf(raw))
		return "", false
	}
	var role string
	switch rawRole, ok := msg["role"]; {
	case !ok:
		res.problem(n, `%s has no "role"`, where)
		return "", false
	case kindOf(rawRole) != "a string":
		res.problem(n, `%s.role must be a string, got %s`, where, kindOf(rawRole))
		return "", false
	default:
		_ = json.Unmarshal(rawRole, &role)
		if strings.TrimSpace(role) == "" {
			res.problem(n, `%s.role is empty`, where)
			return "", false
		}
	}

	switch content := msg["content"]; kindOf(content) {
	case "a number", "a boolean":
		res.problem(n, "%s.content must be a string, a list of parts or an object, not %s", where, kindOf(content))
	case "a list":
		checkParts(res, n, where+".content", content)
	}
	if rawName, ok := msg["name"]; ok && !isNullOrMissing(rawName) && kindOf(rawName) != "a string" {
		res.problem(n, "%s.name must be a string, got %s", where, kindOf(rawName))
	}
	if calls, ok := msg["tool_calls"]; ok && !isNullOrMissing(calls) {
		checkToolCalls(res, n, where+".tool_calls", calls)
	}
	return role, true
}

// checkParts checks a content list; only image parts have rules.
func checkParts(res *Result, n int, where string, raw json.RawMessage) {
	var parts []json.RawMessage
	if json.Unmarshal(raw, &parts) != nil {
		return
	}
	for i, rawPart := range parts {
		var part object
		if kindOf(rawPart) != "an object" || json.Unmarshal(rawPart, &part) != nil {
			continue
		}
		if stringField(part, "type") != "image_url" {
			continue
		}
		url := imageURL(part["image_url"])
		switch {
		case url == "":
			res.problem(n, "%s[%d] is an image part without a URL (image_url.url)", where, i)
		case !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "data:image/"):
			res.warn(n, "%s[%d] has an image URL that is neither http(s) nor data:image/: %.40q", where, i, url)
		}
	}
}

// imageURL reads {"url": "..."} or, as some datasets write it, a bare string.
func imageURL(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj object
	if json.Unmarshal(raw, &obj) == nil {
		return stringField(obj, "url")
	}
	return ""
}

func stringField(obj object, key string) string {
	var s string
	_ = json.Unmarshal(obj[key], &s)
	return s
}

func checkToolCalls(res *Result, n int, where string, raw json.RawMessage) {
	var calls []json.RawMessage
	if kindOf(raw) != "a list" || json.Unmarshal(raw, &calls) != nil {
		res.problem(n, "%s must be a list, got %s", where, kindOf(raw))
		return
	}
	for i, rawCall := range calls {
		var call object
		if kindOf(rawCall) != "an object" || json.Unmarshal(rawCall, &call) != nil {
			res.problem(n, "%s[%d] must be an object, got %s", where, i, kindOf(rawCall))
			continue
		}
		var fn object
		_ = json.Unmarshal(call["function"], &fn)
		if strings.TrimSpace(stringField(fn, "name")) == "" && strings.TrimSpace(stringField(call, "name")) == "" {
			res.problem(n, "%s[%d] names no function (function.name or name)", where, i)
		}
	}
}

func checkTools(res *Result, n int, raw json.RawMessage) {
	if isNullOrMissing(raw) {
		return
	}
	var tools []json.RawMessage
	if kindOf(raw) != "a list" || json.Unmarshal(raw, &tools) != nil {
		res.problem(n, `"tools" must be a list, got %s`, kindOf(raw))
		return
	}
	for i, rawTool := range tools {
		var tool object
		if kindOf(rawTool) != "an object" || json.Unmarshal(rawTool, &tool) != nil {
			res.problem(n, "tools[%d] must be an object, got %s", i, kindOf(rawTool))
			continue
		}
		if strings.TrimSpace(stringField(tool, "name")) == "" {
			res.problem(n, `tools[%d] has no "name"`, i)
		}
	}
}

// jsonError explains why a line is not JSON, with the byte column.
func jsonError(line []byte) string {
	var v any
	err := json.Unmarshal(line, &v)
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Sprintf("%v (at byte %d)", syntax, syntax.Offset)
	}
	if err != nil {
		return err.Error()
	}
	return "unexpected content"
}
