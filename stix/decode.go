package stix

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigie-cti/vigie/internal/jsonscan"
)

// MaxDepth is the deepest nesting of JSON objects and lists that Parse and
// ParseBundle accept, counting the top-level object as level 1. STIX content
// needs a handful of levels; 64 leaves room for custom properties. The
// decoder keeps its own stack instead of recursing, and rejects the input as
// soon as it opens the 65th level, before building anything deeper, so
// hostile nesting can exhaust neither the goroutine stack nor memory.
const MaxDepth = 64

// decoder reads one JSON document. It is stricter than encoding/json: it
// rejects invalid UTF-8 (encoding/json silently replaces it), unpaired UTF-16
// surrogate escapes, NUL characters in strings, duplicate property names
// (in decoded objects) and nesting deeper than MaxDepth. Its errors give the
// line and column of the problem. Its tokens (white space, strings in
// jsonscan's Strict mode, numbers) are read by jsonscan, the scanner the
// hub's other JSON readers share; the structure is read here, where values
// are built and errors worded for publishers.
type decoder struct {
	data []byte
	// s is data as a string, so that decoded strings without escapes are
	// substrings of it instead of separate allocations. It is empty when the
	// decoder only checks syntax (ParseBundle), and strings are then copied.
	s   string
	pos int
}

// frame is an open object or list.
type frame struct {
	object   bool
	open     int // offset of the opening '{' or '['
	keyStart int // index in keys of the first key of this object
	valStart int // index in vals of the first value of this container
}

// key is a decoded property name and its offset, for duplicate reports.
type key struct {
	name string
	off  int
}

// Decode decodes data, which must hold exactly one JSON object, by the
// rules of Parse but without validating it as STIX: for objects already
// stored, which were validated when they arrived. Numbers are json.Number,
// objects map[string]any, lists []any; strings share one copy of data.
func Decode(data []byte) (map[string]any, error) {
	m, verr := decodeObject(data)
	if verr != nil {
		return nil, verr
	}
	return m, nil
}

// decodeObject decodes data, which must hold exactly one JSON object.
// Numbers are decoded as json.Number, objects as map[string]any, lists as
// []any.
func decodeObject(data []byte) (map[string]any, *ValidationError) {
	d := decoder{data: data, s: string(data)}
	d.skipSpace()
	if err := d.expectObject(); err != nil {
		return nil, err
	}
	v, err := d.value(true, 0)
	if err != nil {
		return nil, err
	}
	if err := d.expectEnd(); err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

// expectObject checks that a JSON object starts at d.pos, and otherwise
// says what was found instead.
func (d *decoder) expectObject() *ValidationError {
	if d.pos >= len(d.data) {
		if len(d.data) == 0 {
			return &ValidationError{Message: "empty input: expected a JSON object"}
		}
		return &ValidationError{Message: "the input has only white space: expected a JSON object"}
	}
	found := ""
	switch c := d.data[d.pos]; {
	case c == '{':
		return nil
	case c == 0xEF && len(d.data) >= d.pos+3 && d.data[d.pos+1] == 0xBB && d.data[d.pos+2] == 0xBF:
		return d.errorf(d.pos, "the input starts with a UTF-8 byte order mark; send the JSON without it")
	case c == '[':
		found = "a list"
	case c == '"':
		found = "a string"
	case c == '-' || isDigit(c):
		found = "a number"
	case c == 't' || c == 'f':
		found = "a boolean"
	case c == 'n':
		found = "null"
	default:
		return d.errorf(d.pos, "expected a JSON object, found %s", describe(d.data, d.pos))
	}
	return d.errorf(d.pos, "expected a JSON object, found %s", found)
}

// expectEnd checks that only white space follows the value just read.
func (d *decoder) expectEnd() *ValidationError {
	d.skipSpace()
	if d.pos < len(d.data) {
		return d.errorf(d.pos, "unexpected %s after the end of the JSON object; send one object at a time, or a bundle", describe(d.data, d.pos))
	}
	return nil
}

// value reads the JSON value starting at d.pos, which must not be white
// space, and leaves d.pos after it. depth is the number of containers open
// around the value. If build is false the value is only checked, nil is
// returned and duplicate property names are not looked for.
func (d *decoder) value(build bool, depth int) (any, *ValidationError) {
	var (
		frameBuf [16]frame
		frames   = frameBuf[:0]
		valBuf   [32]any
		vals     = valBuf[:0]
		keyBuf   [32]key
		keys     = keyBuf[:0]
	)
	for {
		// Read the start of a value: a scalar, or the opening of a container.
		var v any
		closing := false // set when an empty container was just read
		if d.pos >= len(d.data) {
			return nil, d.errorf(d.pos, "unexpected end of input: expected a value")
		}
		switch c := d.data[d.pos]; {
		case c == '{' || c == '[':
			if depth+len(frames)+1 > MaxDepth {
				return nil, d.errorf(d.pos, "the JSON nesting is deeper than %d levels", MaxDepth)
			}
			frames = append(frames, frame{object: c == '{', open: d.pos, keyStart: len(keys), valStart: len(vals)})
			d.pos++
			d.skipSpace()
			if c == '{' {
				if d.pos < len(d.data) && d.data[d.pos] == '}' {
					d.pos++
					closing = true
					break
				}
				k, err := d.memberName(build, false)
				if err != nil {
					return nil, err
				}
				if build {
					keys = append(keys, k)
				}
				continue
			}
			if d.pos < len(d.data) && d.data[d.pos] == ']' {
				d.pos++
				closing = true
				break
			}
			continue
		case c == '"':
			s, err := d.str(build)
			if err != nil {
				return nil, err
			}
			if build {
				v = s
			}
		case c == '-' || isDigit(c):
			n, err := d.number()
			if err != nil {
				return nil, err
			}
			if build {
				v = n
			}
		case c == 't':
			if err := d.literal("true"); err != nil {
				return nil, err
			}
			v = true
		case c == 'f':
			if err := d.literal("false"); err != nil {
				return nil, err
			}
			v = false
		case c == 'n':
			if err := d.literal("null"); err != nil {
				return nil, err
			}
		default:
			return nil, d.errorf(d.pos, "expected a JSON value, found %s%s", describe(d.data, d.pos), valueHint(c))
		}
		// v is a complete value. Store it in its container; close every
		// container that ends here; then continue with the next value.
		for {
			if closing {
				closing = false
				f := frames[len(frames)-1]
				frames = frames[:len(frames)-1]
				if build {
					var err *ValidationError
					v, err = d.collect(f, vals, keys)
					if err != nil {
						return nil, err
					}
					vals, keys = vals[:f.valStart], keys[:f.keyStart]
				}
			}
			if len(frames) == 0 {
				return v, nil
			}
			f := &frames[len(frames)-1]
			if build {
				vals = append(vals, v)
			}
			d.skipSpace()
			if d.pos >= len(d.data) {
				return nil, d.unclosed(f)
			}
			c := d.data[d.pos]
			if c == ',' {
				d.pos++
				d.skipSpace()
				if f.object {
					k, err := d.memberName(build, true)
					if err != nil {
						return nil, err
					}
					if build {
						keys = append(keys, k)
					}
				} else if d.pos < len(d.data) && d.data[d.pos] == ']' {
					return nil, d.errorf(d.pos, "expected a value after ','; trailing commas are not allowed")
				}
				break // read the next value
			}
			if f.object && c == '}' || !f.object && c == ']' {
				d.pos++
				closing = true
				continue
			}
			if f.object {
				return nil, d.errorf(d.pos, "expected ',' or '}' after a property value, found %s", describe(d.data, d.pos))
			}
			return nil, d.errorf(d.pos, "expected ',' or ']' after a list item, found %s", describe(d.data, d.pos))
		}
	}
}

// collect builds the object or list of frame f from the pending values and
// keys.
func (d *decoder) collect(f frame, vals []any, keys []key) (any, *ValidationError) {
	items := vals[f.valStart:]
	if !f.object {
		list := make([]any, len(items))
		copy(list, items)
		return list, nil
	}
	names := keys[f.keyStart:]
	m := make(map[string]any, len(items))
	for i, v := range items {
		m[names[i].name] = v
	}
	if len(m) != len(items) {
		// Report the second occurrence of the first repeated name.
		seen := make(map[string]bool, len(names))
		for _, k := range names {
			if seen[k.name] {
				return nil, d.errorf(k.off, "duplicate property name %s in an object; each name may appear only once", quote(k.name))
			}
			seen[k.name] = true
		}
	}
	return m, nil
}

// memberName reads a property name and the ':' after it, and skips the
// white space before the value.
func (d *decoder) memberName(build, afterComma bool) (key, *ValidationError) {
	if d.pos >= len(d.data) {
		return key{}, d.errorf(d.pos, "unexpected end of input: expected a property name")
	}
	if c := d.data[d.pos]; c != '"' {
		if afterComma && c == '}' {
			return key{}, d.errorf(d.pos, "expected a property name after ','; trailing commas are not allowed")
		}
		hint := ""
		if c == '\'' {
			hint = " (names must be in double quotes)"
		} else if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' {
			hint = " (names must be in double quotes)"
		}
		return key{}, d.errorf(d.pos, "expected a property name in double quotes, found %s%s", describe(d.data, d.pos), hint)
	}
	k := key{off: d.pos}
	name, err := d.str(build)
	if err != nil {
		return key{}, err
	}
	k.name = name
	d.skipSpace()
	if d.pos >= len(d.data) || d.data[d.pos] != ':' {
		return key{}, d.errorf(d.pos, "expected ':' after the property name %s, found %s", quote(name), describe(d.data, d.pos))
	}
	d.pos++
	d.skipSpace()
	return k, nil
}

// str reads the string starting at the '"' at d.pos (jsonscan checks it,
// in Strict mode). Without build it only checks the string and returns "".
func (d *decoder) str(build bool) (string, *ValidationError) {
	start := d.pos + 1
	end, esc, serr := jsonscan.String(d.data, d.pos, jsonscan.Strict)
	if serr != nil {
		// A NUL escape before the error was met first.
		upTo := serr.Off
		if serr.Code == jsonscan.ErrUnterminated {
			upTo = len(d.data)
		}
		if nul := nulEscape(d.data[start:upTo]); nul >= 0 {
			return "", d.nulError(start + nul)
		}
		return "", d.scanError(serr)
	}
	d.pos = end
	if esc {
		if nul := nulEscape(d.data[start : end-1]); nul >= 0 {
			return "", d.nulError(start + nul)
		}
	}
	switch {
	case !build:
		return "", nil
	case esc:
		return string(jsonscan.Unescape(make([]byte, 0, end-start+16), d.data[start:end-1])), nil
	case d.s != "":
		return d.s[start : end-1], nil
	}
	return string(d.data[start : end-1]), nil
}

// nulEscape returns the offset of the first \u0000 escape of a string
// body, or -1.
func nulEscape(body []byte) int {
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' || i+1 >= len(body) {
			continue
		}
		if body[i+1] == 'u' {
			if i+6 <= len(body) && string(body[i+2:i+6]) == "0000" {
				return i
			}
			i += 5
		} else {
			i++
		}
	}
	return -1
}

func (d *decoder) nulError(off int) *ValidationError {
	return d.errorf(off, "the string contains a NUL character (\\u0000), which STIX content must not carry")
}

// scanError words an error of jsonscan's string and number checks.
func (d *decoder) scanError(e *jsonscan.Error) *ValidationError {
	off := e.Off
	switch e.Code {
	case jsonscan.ErrUnterminated:
		return d.errorf(off, "unterminated string: the closing '\"' is missing")
	case jsonscan.ErrControl:
		return d.controlError(off)
	case jsonscan.ErrUTF8:
		return d.errorf(off, "the string contains invalid UTF-8 (byte 0x%02X); JSON text must be UTF-8", d.data[off])
	case jsonscan.ErrEscape:
		return d.errorf(off, "invalid escape %s in a string; valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX", strconv.Quote(string(d.data[off:off+2])))
	case jsonscan.ErrHexEscape:
		return d.errorf(off, "invalid escape: \\u must be followed by four hexadecimal digits")
	case jsonscan.ErrLowSurrogate:
		return d.errorf(off, "invalid escape: \\u%s is a lone UTF-16 low surrogate", upperHex(d.data[off+2:off+6]))
	case jsonscan.ErrHighSurrogate:
		return d.errorf(off, "invalid escape: \\u%s is a UTF-16 high surrogate without a low surrogate after it", upperHex(d.data[off+2:off+6]))
	case jsonscan.ErrMinus:
		return d.errorf(off, "invalid number: expected a digit after '-'")
	case jsonscan.ErrLeadingZero:
		return d.errorf(off, "invalid number: numbers must not have leading zeros")
	case jsonscan.ErrFraction:
		return d.errorf(off, "invalid number: expected a digit after the decimal point")
	case jsonscan.ErrExponent:
		return d.errorf(off, "invalid number: expected a digit in the exponent")
	}
	return d.errorf(off, "%s", e.Error())
}

// upperHex returns the hex digits of an escape in upper case.
func upperHex(h []byte) string {
	return strings.ToUpper(string(h))
}

// number reads a JSON number.
func (d *decoder) number() (json.Number, *ValidationError) {
	start := d.pos
	end, err := jsonscan.Number(d.data, start)
	if err != nil {
		return "", d.scanError(err)
	}
	d.pos = end
	if d.s != "" {
		return json.Number(d.s[start:end]), nil
	}
	return json.Number(d.data[start:end]), nil
}

// literal reads true, false or null, as want says.
func (d *decoder) literal(want string) *ValidationError {
	end, err := jsonscan.Literal(d.data, d.pos)
	if err != nil {
		return d.errorf(d.pos, "invalid literal: expected %s", want)
	}
	d.pos = end
	return nil
}

func (d *decoder) skipSpace() { d.pos = jsonscan.Space(d.data, d.pos) }

func (d *decoder) controlError(i int) *ValidationError {
	return d.errorf(i, "the string contains the control character U+%04X; escape it (for example \\n or \\u%04x)", d.data[i], d.data[i])
}

func (d *decoder) unclosed(f *frame) *ValidationError {
	line, col := position(d.data, f.open)
	if f.object {
		return d.errorf(d.pos, "unexpected end of input: the object opened at line %d, column %d is not closed", line, col)
	}
	return d.errorf(d.pos, "unexpected end of input: the list opened at line %d, column %d is not closed", line, col)
}

// errorf returns a JSON syntax error at byte offset off.
func (d *decoder) errorf(off int, format string, args ...any) *ValidationError {
	line, col := position(d.data, off)
	return &ValidationError{Message: fmt.Sprintf("invalid JSON at line %d, column %d: ", line, col) + fmt.Sprintf(format, args...)}
}

// position returns the 1-based line and column (in characters) of offset
// off.
func position(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	line, lineStart := 1, 0
	for i := 0; i < off; i++ {
		if data[i] == '\n' {
			line++
			lineStart = i + 1
		}
	}
	return line, utf8.RuneCount(data[lineStart:off]) + 1
}

// describe names the character at offset off for an error message.
func describe(data []byte, off int) string {
	if off >= len(data) {
		return "the end of the input"
	}
	c := data[off]
	switch {
	case c < 0x20:
		return fmt.Sprintf("the control character U+%04X", c)
	case c >= utf8.RuneSelf:
		r, _ := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError {
			return fmt.Sprintf("the byte 0x%02X, which is not valid UTF-8", c)
		}
		return strconv.QuoteRune(r)
	}
	return strconv.QuoteRune(rune(c))
}

// valueHint suggests a fix when c cannot start a JSON value.
func valueHint(c byte) string {
	switch {
	case c == '\'':
		return " (strings must be in double quotes)"
	case c == '+':
		return " (numbers must not start with '+')"
	case c == '.':
		return " (numbers need a digit before the decimal point)"
	case c == ']' || c == '}':
		return " (a value is missing)"
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return " (the literals are true, false and null, in lower case; strings must be in double quotes)"
	}
	return ""
}
