package rlconfig

import (
	"strconv"
	"strings"
)

// lineIndex remembers the line on which each key and table header of a TOML
// source appears, so that a diagnostic about a value can point at the line
// the user wrote it on.
//
// go-toml decodes into plain maps and keeps no positions, hence this small
// scanner. It understands what ordinary configs contain: [table] and
// [[array]] headers, bare, quoted and dotted keys, comments, and values that
// span lines (arrays, inline tables, multi-line strings). It does not
// validate anything; Parse does. A key it misses only costs the diagnostic
// its line number.
type lineIndex map[string]int

// pathSep joins key paths inside the index. TOML keys may contain dots when
// quoted, so a dot cannot be the separator.
const pathSep = "\x00"

func indexLines(src string) lineIndex {
	ix := lineIndex{}
	s := &tomlScanner{src: src, line: 1}
	var table []string
	for {
		s.skipBlank()
		if s.eof() {
			return ix
		}
		line := s.line
		if s.peek() == '[' {
			if path, ok := s.header(); ok {
				table = path
				// [a.b] also defines [a], if nothing did before.
				for i := 1; i <= len(path); i++ {
					ix.record(path[:i], line)
				}
			}
			s.skipLine()
			continue
		}
		path, ok := s.key()
		if !ok || s.peek() != '=' {
			s.skipLine()
			continue
		}
		s.advance() // '='
		full := append(append([]string(nil), table...), path...)
		// A dotted key also defines the tables it passes through.
		for i := len(table) + 1; i <= len(full); i++ {
			ix.record(full[:i], line)
		}
		s.skipValue()
	}
}

// record keeps the first occurrence: a later one is either a duplicate,
// which Parse rejects, or another element of an array of tables, for which
// the first is as good a pointer as any.
func (ix lineIndex) record(path []string, line int) {
	k := strings.Join(path, pathSep)
	if _, seen := ix[k]; !seen {
		ix[k] = line
	}
}

// lineOf returns the line of path, or of its nearest recorded ancestor when
// the path itself was not written as such (a key missing from its table, a
// key inside an inline table, an element of an array). It returns 0 when no
// part of the path appears in the source.
func (ix lineIndex) lineOf(path ...string) int {
	for n := len(path); n > 0; n-- {
		if line, ok := ix[strings.Join(path[:n], pathSep)]; ok {
			return line
		}
	}
	return 0
}

// tomlScanner walks a TOML source byte by byte, counting lines.
type tomlScanner struct {
	src  string
	pos  int
	line int
}

func (s *tomlScanner) eof() bool { return s.pos >= len(s.src) }

func (s *tomlScanner) peek() byte {
	if s.eof() {
		return 0
	}
	return s.src[s.pos]
}

func (s *tomlScanner) advance() {
	if s.src[s.pos] == '\n' {
		s.line++
	}
	s.pos++
}

func (s *tomlScanner) skipSpaces() {
	for !s.eof() && (s.peek() == ' ' || s.peek() == '\t') {
		s.advance()
	}
}

// skipBlank moves to the first byte of the next statement.
func (s *tomlScanner) skipBlank() {
	for !s.eof() {
		switch s.peek() {
		case ' ', '\t', '\r', '\n':
			s.advance()
		case '#':
			s.skipLine()
		default:
			return
		}
	}
}

// skipLine moves past the end of the current line.
func (s *tomlScanner) skipLine() {
	for !s.eof() && s.peek() != '\n' {
		s.advance()
	}
	if !s.eof() {
		s.advance()
	}
}

// header reads "[a.b]" or "[[a.b]]" and returns the key path.
func (s *tomlScanner) header() ([]string, bool) {
	s.advance()
	double := s.peek() == '['
	if double {
		s.advance()
	}
	s.skipSpaces()
	path, ok := s.key()
	if !ok || s.peek() != ']' {
		return nil, false
	}
	s.advance()
	if double {
		if s.peek() != ']' {
			return nil, false
		}
		s.advance()
	}
	return path, true
}

// key reads a possibly dotted key and the spaces after it.
func (s *tomlScanner) key() ([]string, bool) {
	var path []string
	for {
		part, ok := s.simpleKey()
		if !ok {
			return nil, false
		}
		path = append(path, part)
		s.skipSpaces()
		if s.peek() != '.' {
			return path, true
		}
		s.advance()
		s.skipSpaces()
	}
}

func (s *tomlScanner) simpleKey() (string, bool) {
	start := s.pos
	switch s.peek() {
	case '"':
		raw, ok := s.quoted('"')
		if !ok {
			return "", false
		}
		if k, err := strconv.Unquote(raw); err == nil {
			return k, true
		}
		// An escape Go does not share with TOML (\e, \U with TOML's
		// range): the raw text is the best approximation.
		return raw[1 : len(raw)-1], true
	case '\'':
		raw, ok := s.quoted('\'')
		if !ok {
			return "", false
		}
		return raw[1 : len(raw)-1], true
	}
	for !s.eof() && isBareKeyByte(s.peek()) {
		s.advance()
	}
	return s.src[start:s.pos], s.pos > start
}

// quoted reads a single-line string delimited by q and returns it with its
// quotes.
func (s *tomlScanner) quoted(q byte) (string, bool) {
	start := s.pos
	s.advance()
	for !s.eof() {
		c := s.peek()
		switch {
		case c == '\n':
			return "", false
		case c == '\\' && q == '"' && s.pos+1 < len(s.src):
			s.advance()
		case c == q:
			s.advance()
			return s.src[start:s.pos], true
		}
		s.advance()
	}
	return "", false
}

func isBareKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// skipValue moves past a value and the rest of its line. Arrays and inline
// tables may span lines, and strings may hide brackets, newlines and '#', so
// it tracks nesting and string boundaries.
func (s *tomlScanner) skipValue() {
	depth := 0
	for !s.eof() {
		switch c := s.peek(); c {
		case '"', '\'':
			s.skipString(c)
			continue
		case '[', '{':
			depth++
		case ']', '}':
			if depth > 0 {
				depth--
			}
		case '#':
			for !s.eof() && s.peek() != '\n' {
				s.advance()
			}
			continue
		case '\n':
			s.advance()
			if depth == 0 {
				return
			}
			continue
		}
		s.advance()
	}
}

// skipString moves past a basic or literal string, single- or multi-line.
func (s *tomlScanner) skipString(q byte) {
	triple := strings.Repeat(string(q), 3)
	if strings.HasPrefix(s.src[s.pos:], triple) {
		s.pos += 3
		for !s.eof() {
			if q == '"' && s.peek() == '\\' && s.pos+1 < len(s.src) {
				s.advance()
				s.advance()
				continue
			}
			if strings.HasPrefix(s.src[s.pos:], triple) {
				s.pos += 3
				// Up to two more quotes may belong to the content.
				for i := 0; i < 2 && s.peek() == q; i++ {
					s.advance()
				}
				return
			}
			s.advance()
		}
		return
	}
	s.advance()
	for !s.eof() {
		c := s.peek()
		if c == '\n' {
			return // unterminated; let the newline end the statement
		}
		s.advance()
		if c == '\\' && q == '"' && !s.eof() && s.peek() != '\n' {
			s.advance()
			continue
		}
		if c == q {
			return
		}
	}
}
