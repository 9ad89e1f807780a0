package trainfile

import (
	"bytes"
	"strconv"
)

// The fast path. Decoding every record into Go values costs far more than
// hashing it, and almost every record of a real dataset is fine. fastRecord
// walks a line once, byte by byte, validating it as JSON and reading only
// the keys the rules look at; when it is certain the record has no problem
// it reports the record's warnings, and otherwise it gives up and the
// decoding path (checkRecord), the only author of messages, looks again.
// So the fast path can make the check quicker but never change what it
// says; FuzzFastPathAgrees holds it to that.

// recordFacts are what the warnings need to know of a good record.
type recordFacts struct {
	messages     int
	hasAssistant bool
	hasResponse  bool
}

// maxFastDepth bounds nesting on the fast path; deeper lines take the
// decoding path, which has its own limit.
const maxFastDepth = 500

type scanner struct {
	b     []byte
	i     int
	depth int
}

// fastRecord reports the facts of a record that certainly has no problem;
// ok is false when it is not certain.
func fastRecord(line []byte) (facts recordFacts, ok bool) {
	s := &scanner{b: line}
	s.ws()
	if !s.eat('{') {
		return facts, false
	}
	var seenMessages, seenTools, seenMetadata bool
	ok = s.members(func(key []byte) bool {
		switch string(key) {
		case "messages":
			if seenMessages {
				return false // the last one wins in the decoder: let it judge
			}
			seenMessages = true
			return s.messages(&facts)
		case "tools":
			if seenTools {
				return false
			}
			seenTools = true
			return s.tools()
		case "metadata":
			if seenMetadata {
				return false
			}
			seenMetadata = true
			kind, ok := s.value()
			return ok && (kind == '{' || kind == 'z')
		case "response":
			facts.hasResponse = true
		}
		_, ok := s.value()
		return ok
	})
	s.ws()
	return facts, ok && seenMessages && s.i == len(s.b)
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// members walks an object whose '{' was eaten, calling member with each
// key (raw, escape-free) positioned at its value, which member must
// consume. A key with an escape is uncertain.
func (s *scanner) members(member func(key []byte) bool) bool {
	return s.sequence('}', func() bool {
		key, escaped, ok := s.str()
		if !ok || escaped {
			return false
		}
		s.ws()
		if !s.eat(':') {
			return false
		}
		s.ws()
		return member(key)
	})
}

// elements walks an array whose '[' was eaten, calling element at each
// element, which it must consume.
func (s *scanner) elements(element func() bool) bool {
	return s.sequence(']', element)
}

// sequence walks the comma-separated items of an object or array up to
// its closing byte, one level deeper.
func (s *scanner) sequence(closing byte, item func() bool) bool {
	s.depth++
	defer func() { s.depth-- }()
	if s.depth > maxFastDepth {
		return false
	}
	s.ws()
	if s.eat(closing) {
		return true
	}
	for {
		s.ws()
		if !item() {
			return false
		}
		s.ws()
		if s.eat(closing) {
			return true
		}
		if !s.eat(',') {
			return false
		}
	}
}

// value consumes any JSON value and names its kind: '{', '[', '"', 'n'
// (number), 'b' (boolean) or 'z' (null).
func (s *scanner) value() (byte, bool) {
	if s.i >= len(s.b) {
		return 0, false
	}
	switch c := s.b[s.i]; {
	case c == '{':
		s.i++
		return '{', s.members(func([]byte) bool { _, ok := s.value(); return ok })
	case c == '[':
		s.i++
		return '[', s.elements(func() bool { _, ok := s.value(); return ok })
	case c == '"':
		_, _, ok := s.str()
		return '"', ok
	case c == 't':
		return 'b', s.literal("true")
	case c == 'f':
		return 'b', s.literal("false")
	case c == 'n':
		return 'z', s.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return 'n', s.number()
	}
	return 0, false
}

func (s *scanner) literal(word string) bool {
	if bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		s.i += len(word)
		return true
	}
	return false
}

// str consumes a string and returns its raw content; escaped reports
// whether it held an escape (and so is not its own text).
func (s *scanner) str() (raw []byte, escaped, ok bool) {
	if !s.eat('"') {
		return nil, false, false
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw = s.b[start:s.i]
			s.i++
			return raw, escaped, true
		case c == '\\':
			escaped = true
			if !s.escape() {
				return nil, false, false
			}
		case c < 0x20:
			return nil, false, false
		default:
			s.i++
		}
	}
	return nil, false, false
}

// escape consumes one escape sequence at a backslash.
func (s *scanner) escape() bool {
	if s.i+1 >= len(s.b) {
		return false
	}
	switch s.b[s.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i += 2
		return true
	case 'u':
		if s.i+6 > len(s.b) {
			return false
		}
		for _, h := range s.b[s.i+2 : s.i+6] {
			if !isHex(h) {
				return false
			}
		}
		s.i += 6
		return true
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number consumes a JSON number. One the decoder could not hold in a
// float64 (1e400) is uncertain.
func (s *scanner) number() bool {
	start := s.i
	s.eat('-')
	switch {
	case s.eat('0'):
	case s.i < len(s.b) && s.b[s.i] >= '1' && s.b[s.i] <= '9':
		s.digits()
	default:
		return false
	}
	exact := true
	if s.eat('.') {
		if !s.digits() {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if !s.eat('+') {
			s.eat('-')
		}
		if !s.digits() {
			return false
		}
		exact = false
	}
	if !exact || s.i-start > 15 {
		if _, err := strconv.ParseFloat(string(s.b[start:s.i]), 64); err != nil {
			return false
		}
	}
	return true
}

func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

// hasText reports whether raw, an escape-free string, certainly has text
// beyond white space: an ASCII byte that is not space. Anything less is
// left to the decoder, whose idea of space is Unicode's.
func hasText(raw []byte) bool {
	for _, c := range raw {
		if c > ' ' && c < 0x7f {
			return true
		}
	}
	return false
}

// nonEmptyName consumes a value that must be a string with text.
func (s *scanner) nonEmptyName() bool {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return false
	}
	raw, escaped, ok := s.str()
	return ok && !escaped && hasText(raw)
}

// messages consumes a non-empty list of good messages.
func (s *scanner) messages(facts *recordFacts) bool {
	if !s.eat('[') {
		return false
	}
	ok := s.elements(func() bool {
		facts.messages++
		return s.message(facts)
	})
	return ok && facts.messages > 0
}

func (s *scanner) message(facts *recordFacts) bool {
	if !s.eat('{') {
		return false
	}
	var seenRole, seenContent, seenName, seenCalls bool
	ok := s.members(func(key []byte) bool {
		switch string(key) {
		case "role":
			if seenRole || s.i >= len(s.b) || s.b[s.i] != '"' {
				return false
			}
			seenRole = true
			raw, escaped, ok := s.str()
			if !ok || escaped || !hasText(raw) {
				return false
			}
			if string(raw) == "assistant" {
				facts.hasAssistant = true
			}
			return true
		case "content":
			if seenContent {
				return false
			}
			seenContent = true
			return s.content()
		case "name":
			if seenName {
				return false
			}
			seenName = true
			kind, ok := s.value()
			return ok && (kind == '"' || kind == 'z')
		case "tool_calls":
			if seenCalls {
				return false
			}
			seenCalls = true
			return s.toolCalls()
		}
		_, ok := s.value()
		return ok
	})
	return ok && seenRole
}

// content consumes a message's content: missing, null, a string or an
// object are fine; a list is fine unless it may hold an image part, whose
// rules (and warnings) are the decoder's.
func (s *scanner) content() bool {
	start := s.i
	kind, ok := s.value()
	switch {
	case !ok:
		return false
	case kind == '[':
		return !bytes.Contains(s.b[start:s.i], []byte("image_url"))
	}
	return kind == '"' || kind == '{' || kind == 'z'
}

// toolCalls consumes null or a list of calls, each naming a function by
// function.name or name.
func (s *scanner) toolCalls() bool {
	return s.nullOrList(func() bool {
		seenFunction, functionNamed := false, false
		named, ok := s.namedObject(func(key []byte) bool {
			if string(key) != "function" {
				_, ok := s.value()
				return ok
			}
			if seenFunction {
				return false
			}
			seenFunction = true
			var ok bool
			functionNamed, ok = s.namedObject(nil)
			return ok
		})
		return ok && (named || functionNamed)
	})
}

// tools consumes null or a list of objects with a name.
func (s *scanner) tools() bool {
	return s.nullOrList(func() bool {
		named, ok := s.namedObject(nil)
		return ok && named
	})
}

// nullOrList consumes null or a list whose every element item accepts.
func (s *scanner) nullOrList(item func() bool) bool {
	if s.literal("null") {
		return true
	}
	return s.eat('[') && s.elements(item)
}

// namedObject consumes an object and reports whether its "name" is a
// string with text; a "name" that is anything else, or comes twice, is
// uncertain. Other keys go to other, or are skipped when it is nil.
func (s *scanner) namedObject(other func(key []byte) bool) (named, ok bool) {
	if !s.eat('{') {
		return false, false
	}
	ok = s.members(func(key []byte) bool {
		if string(key) == "name" {
			if named || !s.nonEmptyName() {
				return false
			}
			named = true
			return true
		}
		if other != nil {
			return other(key)
		}
		_, ok := s.value()
		return ok
	})
	return named, ok
}
