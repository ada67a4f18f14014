package server

import "encoding/json"

// splitEnvelope is the fast path of decodeEnvelope: one pass over body that
// checks its JSON syntax and returns the items of its "objects" list as
// slices of body. It handles the common shape of an envelope and reports
// ok false for anything else (a syntax error, an escaped or non-ASCII
// property name, an "objects" value that is neither a list nor null, deep
// nesting), which the caller then hands to encoding/json; so when ok is
// true the result is the one json.Unmarshal gives (nil: no list).
func splitEnvelope(body []byte) (objects []json.RawMessage, ok bool) {
	s := scanner{b: body}
	s.space()
	if !s.byte('{') {
		return nil, false
	}
	s.space()
	if s.byte('}') {
		return nil, s.end()
	}
	for {
		name, ok := s.name()
		if !ok {
			return nil, false
		}
		s.space()
		if !s.byte(':') {
			return nil, false
		}
		s.space()
		if isObjects(name) {
			// A later "objects" replaces an earlier one, as in encoding/json.
			if objects, ok = s.list(); !ok {
				return nil, false
			}
		} else if !s.value(0) {
			return nil, false
		}
		s.space()
		if s.byte('}') {
			return objects, s.end()
		}
		if !s.byte(',') {
			return nil, false
		}
		s.space()
	}
}

// isObjects reports whether an ASCII property name selects the field
// "objects": encoding/json matches names without regard to case.
func isObjects(name []byte) bool {
	const want = "objects"
	if len(name) != len(want) {
		return false
	}
	for i, c := range name {
		if c|0x20 != want[i] {
			return false
		}
	}
	return true
}

// maxDepth bounds the nesting the fast path follows; deeper input goes to
// encoding/json, which has its own limit.
const maxDepth = 512

// scanner checks JSON syntax over b from pos. Its methods report false on
// anything they do not accept, leaving pos anywhere.
type scanner struct {
	b   []byte
	pos int
}

// space skips JSON white space.
func (s *scanner) space() {
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// byte consumes c if it is next.
func (s *scanner) byte(c byte) bool {
	if s.pos < len(s.b) && s.b[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (s *scanner) end() bool {
	s.space()
	return s.pos == len(s.b)
}

// name reads a property name made of plain printable ASCII (no escapes).
func (s *scanner) name() ([]byte, bool) {
	if !s.byte('"') {
		return nil, false
	}
	start := s.pos
	for s.pos < len(s.b) {
		c := s.b[s.pos]
		switch {
		case c == '"':
			s.pos++
			return s.b[start : s.pos-1], true
		case c < 0x20 || c >= 0x80 || c == '\\':
			return nil, false
		}
		s.pos++
	}
	return nil, false
}

// list reads the value of "objects": a list, whose items it returns
// (a non-nil slice), or null (nil).
func (s *scanner) list() ([]json.RawMessage, bool) {
	if s.literal("null") {
		return nil, true
	}
	if !s.byte('[') {
		return nil, false
	}
	items := make([]json.RawMessage, 0, 64)
	s.space()
	if s.byte(']') {
		return items, true
	}
	for {
		start := s.pos
		if !s.value(1) {
			return nil, false
		}
		items = append(items, s.b[start:s.pos:s.pos])
		s.space()
		if s.byte(']') {
			return items, true
		}
		if !s.byte(',') {
			return nil, false
		}
		s.space()
	}
}

// value checks one JSON value at depth containers deep.
func (s *scanner) value(depth int) bool {
	if s.pos >= len(s.b) {
		return false
	}
	switch c := s.b[s.pos]; {
	case c == '"':
		return s.str()
	case c == '{':
		if depth >= maxDepth {
			return false
		}
		s.pos++
		s.space()
		if s.byte('}') {
			return true
		}
		for {
			if !s.str() {
				return false
			}
			s.space()
			if !s.byte(':') {
				return false
			}
			s.space()
			if !s.value(depth + 1) {
				return false
			}
			s.space()
			if s.byte('}') {
				return true
			}
			if !s.byte(',') {
				return false
			}
			s.space()
		}
	case c == '[':
		if depth >= maxDepth {
			return false
		}
		s.pos++
		s.space()
		if s.byte(']') {
			return true
		}
		for {
			if !s.value(depth + 1) {
				return false
			}
			s.space()
			if s.byte(']') {
				return true
			}
			if !s.byte(',') {
				return false
			}
			s.space()
		}
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return false
}

// plain marks the bytes a string holds as they are: not '"', '\\' or a
// control character. Other bytes, valid UTF-8 or not, are accepted as
// encoding/json accepts them.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str checks a string.
func (s *scanner) str() bool {
	if !s.byte('"') {
		return false
	}
	b := s.b
	for i := s.pos; i < len(b); {
		if plain[b[i]] {
			i++
			continue
		}
		switch b[i] {
		case '"':
			s.pos = i + 1
			return true
		case '\\':
			if i+1 >= len(b) {
				return false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return false
				}
				for _, h := range b[i+2 : i+6] {
					if !isHex(h) {
						return false
					}
				}
				i += 6
			default:
				return false
			}
		default: // a control character
			return false
		}
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number checks a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() bool {
	s.byte('-')
	if s.byte('0') {
		// no more integer digits
	} else if !s.digits() {
		return false
	}
	if s.byte('.') && !s.digits() {
		return false
	}
	if s.byte('e') || s.byte('E') {
		if !s.byte('+') {
			s.byte('-')
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// digits consumes one or more decimal digits.
func (s *scanner) digits() bool {
	start := s.pos
	for s.pos < len(s.b) && s.b[s.pos] >= '0' && s.b[s.pos] <= '9' {
		s.pos++
	}
	return s.pos > start
}

// literal consumes word if it is next.
func (s *scanner) literal(word string) bool {
	if len(s.b)-s.pos >= len(word) && string(s.b[s.pos:s.pos+len(word)]) == word {
		s.pos += len(word)
		return true
	}
	return false
}
