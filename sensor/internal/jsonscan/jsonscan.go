// Package jsonscan walks JSON objects without building them: it reports
// the string, number and literal values of the paths its caller asks
// for, in place when they have no escapes. The log formats (Suricata EVE,
// Zeek JSON) and the indicator reader of the sensor use it.
package jsonscan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// The codes a field function returns for a path: Skip the value,
// Descend into it (objects, and lists of objects), or report it to the
// visit function; codes from Report up are the caller's own actions.
const (
	Skip    uint8 = 0
	Descend uint8 = 1
	Report  uint8 = 2
)

// MaxDepth bounds the nesting the scanner descends into; skipped
// values may nest deeper (they are skipped without recursion).
const MaxDepth = 32

// Scanner walks one JSON object (one log line) and reports the string
// and number values, and the strings in lists, of the paths a format asks
// for, without building anything: a path is the member names from the
// top, joined with '.', lists adding nothing (EVE's dns.queries[].rrname
// is "dns.queries.rrname"). Values without escapes are reported in place;
// the others are decoded into a scratch buffer reused by the next value.
// It is lenient where leniency costs nothing (a value it skips is only
// checked for balance) and strict where a broken line would otherwise be
// read as something else.
type Scanner struct {
	// Field returns what to do with the value at a path.
	Field func(path []byte) uint8
	// Visit receives a value: a string (str true, without its quotes,
	// escapes decoded), or a number, true or false (str false; null is
	// not reported). v is only valid during the call.
	Visit func(act uint8, v []byte, str bool)

	path []byte
	key  []byte
	str  []byte
}

// ErrMalformed is the error of every malformed object; the message of
// the error returned says where.
var ErrMalformed = errors.New("malformed JSON")

func jsonErr(i int, what string) error {
	return fmt.Errorf("%w at byte %d: %s", ErrMalformed, i+1, what)
}

// Scan walks line, which must hold one JSON object and nothing else but
// white space.
func (s *Scanner) Scan(line []byte) error {
	i := skipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return jsonErr(i, "want one JSON object")
	}
	s.path = s.path[:0]
	i, err := s.object(line, i, 0)
	if err != nil {
		return err
	}
	if i = skipWS(line, i); i != len(line) {
		return jsonErr(i, "data after the JSON object")
	}
	return nil
}

func (s *Scanner) object(b []byte, i, depth int) (int, error) {
	if depth >= MaxDepth {
		return i, jsonErr(i, "nested too deeply")
	}
	base := len(s.path)
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, jsonErr(i, "expected a member name")
		}
		end, esc := scanString(b, i)
		if end < 0 {
			return i, jsonErr(i, "unterminated string")
		}
		key := b[i+1 : end-1]
		if esc {
			var ok bool
			if s.key, ok = unescapeJSON(s.key[:0], key); !ok {
				return i, jsonErr(i, "bad escape in a member name")
			}
			key = s.key
		}
		s.path = s.path[:base]
		if base > 0 {
			s.path = append(s.path, '.')
		}
		s.path = append(s.path, key...)
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return i, jsonErr(i, "expected ':' after a member name")
		}
		i = skipWS(b, i+1)
		var err error
		if i, err = s.value(b, i, depth, s.Field(s.path)); err != nil {
			return i, err
		}
		s.path = s.path[:base]
		i = skipWS(b, i)
		if i >= len(b) {
			return i, jsonErr(i, "unterminated object")
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, jsonErr(i, "expected ',' or '}'")
		}
	}
}

func (s *Scanner) array(b []byte, i, depth int, act uint8) (int, error) {
	if depth >= MaxDepth {
		return i, jsonErr(i, "nested too deeply")
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = s.value(b, i, depth+1, act); err != nil {
			return i, err
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return i, jsonErr(i, "unterminated list")
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, jsonErr(i, "expected ',' or ']'")
		}
	}
}

func (s *Scanner) value(b []byte, i, depth int, act uint8) (int, error) {
	if i >= len(b) {
		return i, jsonErr(i, "expected a value")
	}
	switch b[i] {
	case '"':
		end, esc := scanString(b, i)
		if end < 0 {
			return i, jsonErr(i, "unterminated string")
		}
		if act >= Report {
			v := b[i+1 : end-1]
			if esc {
				var ok bool
				if s.str, ok = unescapeJSON(s.str[:0], v); !ok {
					return i, jsonErr(i, "bad escape in a string")
				}
				v = s.str
			}
			s.Visit(act, v, true)
		}
		return end, nil
	case '{':
		if act == Descend {
			return s.object(b, i, depth+1)
		}
		return skipNested(b, i)
	case '[':
		if act != Skip {
			return s.array(b, i, depth, act)
		}
		return skipNested(b, i)
	}
	j := i
	for j < len(b) && !isDelim[b[j]] {
		j++
	}
	if j == i || !isJSONScalar(b[i:j]) {
		return i, jsonErr(i, "expected a value")
	}
	if act >= Report && b[i] != 'n' {
		s.Visit(act, b[i:j], false)
	}
	return j, nil
}

// isJSONScalar reports whether v is a literal or looks like a number; the
// digits of a number are not checked further.
func isJSONScalar(v []byte) bool {
	switch string(v) {
	case "true", "false", "null":
		return true
	}
	c := v[0]
	return c == '-' || (c >= '0' && c <= '9')
}

// isDelim marks the bytes that end a number or a literal.
var isDelim = [256]bool{',': true, '}': true, ']': true, ' ': true, '\t': true, '\r': true, '\n': true, '"': true, '{': true, '[': true, ':': true}

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// scanString returns the index after the closing quote of the string
// starting at b[i] (a quote), or -1, and whether the string has escapes.
// It looks for the quote or a backslash eight bytes at a time.
func scanString(b []byte, i int) (int, bool) {
	esc := false
	j := i + 1
	for j < len(b) {
		if j+8 <= len(b) {
			w := binary.LittleEndian.Uint64(b[j:])
			m := zeroBytes(w^('"'*ones)) | zeroBytes(w^('\\'*ones))
			if m == 0 {
				j += 8
				continue
			}
			j += bits.TrailingZeros64(m) / 8 // the first quote or backslash
		}
		switch b[j] {
		case '"':
			return j + 1, esc
		case '\\':
			esc = true
			j += 2
		default:
			j++
		}
	}
	return -1, esc
}

// ones has 1 in each byte.
const ones = 0x0101010101010101

// zeroBytes returns x with the high bit set in its first zero byte (the
// lowest), and maybe in higher bytes after it: only the lowest set bit
// is exact.
func zeroBytes(x uint64) uint64 { return (x - ones) &^ x & (0x80 * ones) }

// skipNested skips the object or list starting at b[i], strings included.
func skipNested(b []byte, i int) (int, error) {
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			end, _ := scanString(b, j)
			if end < 0 {
				return j, jsonErr(j, "unterminated string")
			}
			j = end - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1, nil
			}
		}
	}
	return len(b), jsonErr(len(b), "unterminated object or list")
}

// unescapeJSON appends the decoded text of a JSON string body with
// escapes; ok is false for a malformed escape.
func unescapeJSON(dst, s []byte) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		if i >= len(s) {
			return dst, false
		}
		switch s[i] {
		case '"', '\\', '/':
			dst = append(dst, s[i])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(s, i+1)
			if !ok {
				return dst, false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(s, i+3); ok && i+2 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					}
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, false
		}
	}
	return dst, true
}

func hex4(s []byte, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[i : i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}
