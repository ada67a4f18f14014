package jsonscan

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
// Every token it reads is checked as Value checks it, in Compatible mode,
// and so is the structure of the objects and lists it descends into; a
// skipped object or list is only checked for balance, its strings in full
// (see skipContainer). A line encoding/json accepts is never refused (but
// for nesting deeper than MaxDepth on a path the caller reads).
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

// Scan walks line, which must hold one JSON object and nothing else but
// white space. Its errors are *Error.
func (s *Scanner) Scan(line []byte) error {
	i := Space(line, 0)
	if i >= len(line) || line[i] != '{' {
		return fail(i, ErrObject)
	}
	s.path = s.path[:0]
	i, err := s.object(line, i, 0)
	if err != nil {
		return err
	}
	if i = Space(line, i); i != len(line) {
		return fail(i, ErrTrailing)
	}
	return nil
}

func (s *Scanner) object(b []byte, i, depth int) (int, *Error) {
	if depth >= MaxDepth {
		return i, fail(i, ErrDepth)
	}
	base := len(s.path)
	i = Space(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, fail(i, ErrName)
		}
		end, esc, err := String(b, i, Compatible)
		if err != nil {
			return i, err
		}
		key := b[i+1 : end-1]
		if esc {
			s.key = Unescape(s.key[:0], key)
			key = s.key
		}
		s.path = s.path[:base]
		if base > 0 {
			s.path = append(s.path, '.')
		}
		s.path = append(s.path, key...)
		i = Space(b, end)
		if i >= len(b) || b[i] != ':' {
			return i, fail(i, ErrColon)
		}
		i = Space(b, i+1)
		if i, err = s.value(b, i, depth, s.Field(s.path)); err != nil {
			return i, err
		}
		s.path = s.path[:base]
		i = Space(b, i)
		if i >= len(b) {
			return i, fail(i, ErrUnclosed)
		}
		switch b[i] {
		case ',':
			i = Space(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, fail(i, ErrComma)
		}
	}
}

func (s *Scanner) array(b []byte, i, depth int, act uint8) (int, *Error) {
	if depth >= MaxDepth {
		return i, fail(i, ErrDepth)
	}
	i = Space(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		var err *Error
		if i, err = s.value(b, i, depth+1, act); err != nil {
			return i, err
		}
		i = Space(b, i)
		if i >= len(b) {
			return i, fail(i, ErrUnclosed)
		}
		switch b[i] {
		case ',':
			i = Space(b, i+1)
			if i < len(b) && b[i] == ']' {
				return i, fail(i, ErrTrailingComma)
			}
		case ']':
			return i + 1, nil
		default:
			return i, fail(i, ErrComma)
		}
	}
}

func (s *Scanner) value(b []byte, i, depth int, act uint8) (int, *Error) {
	if i >= len(b) {
		return i, fail(i, ErrValue)
	}
	var end int
	var err *Error
	switch c := b[i]; {
	case c == '"':
		var esc bool
		if end, esc, err = String(b, i, Compatible); err != nil {
			return i, err
		}
		if act >= Report {
			v := b[i+1 : end-1]
			if esc {
				s.str = Unescape(s.str[:0], v)
				v = s.str
			}
			s.Visit(act, v, true)
		}
		return end, nil
	case c == '{':
		if act == Descend {
			return s.object(b, i, depth+1)
		}
		return skipContainer(b, i)
	case c == '[':
		if act != Skip {
			return s.array(b, i, depth, act)
		}
		return skipContainer(b, i)
	case c == '-' || isDigit(c):
		end, err = Number(b, i)
	case c == 't' || c == 'f' || c == 'n':
		end, err = Literal(b, i)
	default:
		return i, fail(i, ErrValue)
	}
	if err != nil {
		return i, err
	}
	if act >= Report && b[i] != 'n' {
		s.Visit(act, b[i:end], false)
	}
	return end, nil
}

// skipContainer skips the object or list at b[i], checking its strings
// and that its brackets balance, not its grammar. Checking it as Value
// does costs the EVE parser about a tenth of its speed (1,045 → 918 MB/s,
// medians of 6, interleaved), for lines whose other fields the sensor
// reads all the same; a broken skipped part still fails its balance or
// string checks, or the object's own grammar after it.
func skipContainer(b []byte, i int) (int, *Error) {
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			end, _, err := String(b, j, Compatible)
			if err != nil {
				return j, err
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
	return len(b), fail(len(b), ErrUnclosed)
}
