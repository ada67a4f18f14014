package server

import (
	"encoding/json"

	"github.com/vigie-cti/vigie/internal/jsonscan"
)

// splitEnvelope is the fast path of decodeEnvelope: one pass over body that
// checks its JSON syntax (with jsonscan, in Compatible mode) and returns
// the items of its "objects" list as slices of body. It handles the common
// shape of an envelope and reports ok false for anything else (a syntax
// error, an escaped or non-ASCII property name, an "objects" value that is
// neither a list nor null, deep nesting), which the caller then hands to
// encoding/json; so when ok is true the result is the one json.Unmarshal
// gives (nil: no list).
func splitEnvelope(body []byte) (objects []json.RawMessage, ok bool) {
	i := jsonscan.Space(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, false
	}
	i = jsonscan.Space(body, i+1)
	if i < len(body) && body[i] == '}' {
		return nil, end(body, i+1)
	}
	for {
		if i >= len(body) || body[i] != '"' {
			return nil, false
		}
		next, esc, err := jsonscan.String(body, i, jsonscan.Compatible)
		if err != nil || esc {
			return nil, false
		}
		name := body[i+1 : next-1]
		if !ascii(name) {
			return nil, false // encoding/json folds some non-ASCII letters ('ſ' is 's')
		}
		i = jsonscan.Space(body, next)
		if i >= len(body) || body[i] != ':' {
			return nil, false
		}
		i = jsonscan.Space(body, i+1)
		if isObjects(name) {
			// A later "objects" replaces an earlier one, as in encoding/json.
			if objects, i, ok = list(body, i); !ok {
				return nil, false
			}
		} else if i, err = jsonscan.Value(body, i, jsonscan.Compatible, maxDepth); err != nil {
			return nil, false
		}
		i = jsonscan.Space(body, i)
		if i >= len(body) {
			return nil, false
		}
		switch body[i] {
		case '}':
			return objects, end(body, i+1)
		case ',':
			i = jsonscan.Space(body, i+1)
		default:
			return nil, false
		}
	}
}

// isObjects reports whether a property name selects the field "objects":
// encoding/json matches names without regard to case, and an ASCII name
// can only match so.
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

// ascii reports whether name is all ASCII.
func ascii(name []byte) bool {
	for _, c := range name {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// maxDepth bounds the nesting the fast path follows; deeper input goes to
// encoding/json, which has its own limit.
const maxDepth = 512

// end reports whether only white space follows offset i.
func end(b []byte, i int) bool { return jsonscan.Space(b, i) == len(b) }

// list reads the value of "objects" at b[i]: a list, whose items it
// returns (a non-nil slice), or null (nil); and the offset after it.
func list(b []byte, i int) ([]json.RawMessage, int, bool) {
	if i < len(b) && b[i] == 'n' {
		end, err := jsonscan.Literal(b, i)
		return nil, end, err == nil
	}
	if i >= len(b) || b[i] != '[' {
		return nil, i, false
	}
	items := make([]json.RawMessage, 0, 64)
	i = jsonscan.Space(b, i+1)
	if i < len(b) && b[i] == ']' {
		return items, i + 1, true
	}
	for {
		start := i
		var err *jsonscan.Error
		if i, err = jsonscan.Value(b, i, jsonscan.Compatible, maxDepth-1); err != nil {
			return nil, i, false
		}
		items = append(items, b[start:i:i])
		i = jsonscan.Space(b, i)
		if i >= len(b) {
			return nil, i, false
		}
		switch b[i] {
		case ']':
			return items, i + 1, true
		case ',':
			i = jsonscan.Space(b, i+1)
		default:
			return nil, i, false
		}
	}
}
