// Package jsonscan is the one JSON scanner of vigie: strict checks of the
// JSON grammar (RFC 8259) over a byte slice, without building anything,
// shared by the STIX decoder (stix), the TAXII envelope splitter (server)
// and the log and indicator readers of the sensor.
//
// The functions of token.go read one token at an offset and return the
// offset after it, or an *Error saying what is wrong and where; Value
// checks a whole value. Strings are found eight bytes at a time. A Mode
// says what strings may hold beyond the grammar: Compatible accepts what
// encoding/json accepts, Strict also wants valid UTF-8 and paired
// surrogate escapes (RFC 7493). Scanner (scanner.go) walks an object and
// reports the values of the paths its caller asks for.
package jsonscan

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"unicode/utf8"
)

// Mode is what a string may hold beyond the JSON grammar.
type Mode uint8

const (
	// Compatible accepts what encoding/json accepts: any byte from 0x20
	// up, valid UTF-8 or not, and \u escapes of unpaired surrogates
	// (which Unescape decodes as U+FFFD).
	Compatible Mode = iota
	// Strict also requires valid UTF-8 and surrogate escapes in pairs.
	Strict
)

// Code says what is wrong with the input.
type Code uint8

// The error codes.
const (
	ErrEOF           Code = iota + 1 // the input ends where a token is expected
	ErrUnterminated                  // a string without its closing quote (Off: its opening quote)
	ErrControl                       // a control character in a string
	ErrUTF8                          // invalid UTF-8 in a string (Strict)
	ErrEscape                        // a backslash followed by a character that escapes nothing
	ErrHexEscape                     // \u without four hex digits
	ErrLowSurrogate                  // \uDC00-\uDFFF without a high surrogate before it (Strict)
	ErrHighSurrogate                 // \uD800-\uDBFF without a low surrogate after it (Strict)
	ErrMinus                         // a '-' without a digit after it
	ErrLeadingZero                   // a number with a leading zero
	ErrFraction                      // a '.' without a digit after it
	ErrExponent                      // an exponent without a digit
	ErrLiteral                       // a misspelt true, false or null
	ErrValue                         // no value where one is expected
	ErrName                          // no member name where one is expected
	ErrColon                         // no ':' after a member name
	ErrComma                         // neither ',' nor the container's end after a value
	ErrTrailingComma                 // a ',' just before a container's end
	ErrUnclosed                      // the input ends inside an object or list
	ErrDepth                         // nesting deeper than allowed
	ErrTrailing                      // data after the value
	ErrObject                        // not a JSON object where one is wanted
)

var codeText = [...]string{
	ErrEOF:           "unexpected end of input",
	ErrUnterminated:  "unterminated string",
	ErrControl:       "control character in a string",
	ErrUTF8:          "invalid UTF-8 in a string",
	ErrEscape:        "bad escape in a string",
	ErrHexEscape:     "bad escape in a string: \\u needs four hex digits",
	ErrLowSurrogate:  "lone UTF-16 low surrogate escape",
	ErrHighSurrogate: "UTF-16 high surrogate escape without a low surrogate",
	ErrMinus:         "bad number: no digit after '-'",
	ErrLeadingZero:   "bad number: leading zero",
	ErrFraction:      "bad number: no digit after the decimal point",
	ErrExponent:      "bad number: no digit in the exponent",
	ErrLiteral:       "bad literal",
	ErrValue:         "expected a value",
	ErrName:          "expected a member name",
	ErrColon:         "expected ':' after a member name",
	ErrComma:         "expected ',' or the end of the object or list",
	ErrTrailingComma: "trailing comma",
	ErrUnclosed:      "unterminated object or list",
	ErrDepth:         "nested too deeply",
	ErrTrailing:      "data after the JSON value",
	ErrObject:        "want one JSON object",
}

// Error is a malformed input: what (Code) and where (Off, a byte offset).
type Error struct {
	Off  int
	Code Code
}

// Error returns the code's description and the 1-based byte position.
func (e *Error) Error() string {
	text := "malformed JSON"
	if int(e.Code) < len(codeText) && codeText[e.Code] != "" {
		text = codeText[e.Code]
	}
	return fmt.Sprintf("malformed JSON at byte %d: %s", e.Off+1, text)
}

func fail(off int, c Code) *Error { return &Error{Off: off, Code: c} }

// Space returns the offset of the first byte at or after i that is not
// JSON white space.
func Space(b []byte, i int) int {
	if i < len(b) && b[i] > ' ' {
		return i // the common case, inlined
	}
	return space(b, i)
}

func space(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// ones has 1 in each byte; highs the high bit of each byte.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special returns, for eight bytes of a string, a word whose lowest set
// bit is the high bit of the first byte that the byte loop must look at:
// a quote, a backslash, a control character, or (strict) a byte of 0x80
// and up. Bits above the lowest may be set for ordinary bytes.
func special(w uint64, strict bool) uint64 {
	quote := w ^ '"'*ones
	bslash := w ^ '\\'*ones
	s := (quote - ones) &^ quote
	s |= (bslash - ones) &^ bslash
	s |= (w - 0x20*ones) &^ w // bytes below 0x20 (ASCII only: &^ w)
	if strict {
		s |= w
	}
	return s & highs
}

// String checks the string whose opening quote is at b[i] and returns the
// offset after its closing quote and whether it has escapes. It looks for
// the end eight bytes at a time.
func String(b []byte, i int, m Mode) (end int, escaped bool, err *Error) {
	strict := m == Strict
	j := i + 1
	for {
		for j+8 <= len(b) {
			if s := special(binary.LittleEndian.Uint64(b[j:]), strict); s != 0 {
				j += bits.TrailingZeros64(s) / 8
				break
			}
			j += 8
		}
		if j >= len(b) {
			return -1, escaped, fail(i, ErrUnterminated)
		}
		switch c := b[j]; {
		case c == '"':
			return j + 1, escaped, nil
		case c == '\\':
			escaped = true
			n, err := escape(b, i, j, strict)
			if err != nil {
				return -1, escaped, err
			}
			j += n
		case c < 0x20:
			return -1, escaped, fail(j, ErrControl)
		case c >= utf8.RuneSelf && strict:
			r, size := utf8.DecodeRune(b[j:])
			if r == utf8.RuneError && size == 1 {
				return -1, escaped, fail(j, ErrUTF8)
			}
			j += size
		default:
			j++
		}
	}
}

// escape checks the escape at b[j] (a backslash) of the string opened at
// b[i] and returns its length.
func escape(b []byte, i, j int, strict bool) (int, *Error) {
	if j+1 >= len(b) {
		return 0, fail(i, ErrUnterminated)
	}
	switch b[j+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, nil
	case 'u':
	default:
		return 0, fail(j, ErrEscape)
	}
	r, ok := hex4(b, j+2)
	if !ok {
		return 0, fail(j, ErrHexEscape)
	}
	if !strict || r < 0xD800 || r > 0xDFFF {
		return 6, nil
	}
	if r >= 0xDC00 {
		return 0, fail(j, ErrLowSurrogate)
	}
	if j+7 < len(b) && b[j+6] == '\\' && b[j+7] == 'u' {
		if lo, ok := hex4(b, j+8); ok && lo >= 0xDC00 && lo <= 0xDFFF {
			return 12, nil
		}
	}
	return 0, fail(j, ErrHighSurrogate)
}

// Hex4 returns the value of the four hex digits at b[i:i+4].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// Unescape appends the text of a string body (between the quotes) that
// String accepted, escapes decoded: an unpaired surrogate escape becomes
// U+FFFD, as in encoding/json. Bytes that are not a valid escape are
// copied as they are.
func Unescape(dst, body []byte) []byte {
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' || i+1 >= len(body) {
			dst = append(dst, c)
			continue
		}
		i++
		switch e := body[i]; e {
		case '"', '\\', '/':
			dst = append(dst, e)
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
			r, ok := hex4(body, i+1)
			if !ok {
				dst = append(dst, '\\', 'u')
				continue
			}
			i += 4
			if r >= 0xD800 && r < 0xDC00 && i+2 < len(body) && body[i+1] == '\\' && body[i+2] == 'u' {
				if lo, ok := hex4(body, i+3); ok && lo >= 0xDC00 && lo <= 0xDFFF {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					i += 6
				}
			}
			dst = utf8.AppendRune(dst, r) // a lone surrogate: U+FFFD
		default:
			dst = append(dst, '\\', e)
		}
	}
	return dst
}

// Number checks the number at b[i] (a '-' or a digit):
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func Number(b []byte, i int) (end int, err *Error) {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b) || !isDigit(b[i]):
		return -1, fail(start, ErrMinus)
	case b[i] == '0':
		i++
		if i < len(b) && isDigit(b[i]) {
			return -1, fail(start, ErrLeadingZero)
		}
	default:
		i = digits(b, i)
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return -1, fail(start, ErrFraction)
		}
		i = digits(b, i)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return -1, fail(start, ErrExponent)
		}
		i = digits(b, i)
	}
	return i, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

// Literal checks the literal true, false or null at b[i], chosen by its
// first byte.
func Literal(b []byte, i int) (end int, err *Error) {
	var want string
	switch {
	case i >= len(b):
		return -1, fail(i, ErrEOF)
	case b[i] == 't':
		want = "true"
	case b[i] == 'f':
		want = "false"
	case b[i] == 'n':
		want = "null"
	default:
		return -1, fail(i, ErrLiteral)
	}
	if len(b)-i < len(want) || string(b[i:i+len(want)]) != want {
		return -1, fail(i, ErrLiteral)
	}
	return i + len(want), nil
}
