package jsonscan

// Value checks the value starting at b[i] (not white space) and returns
// the offset after it. It does not recurse: it keeps one bit per open
// container, so only maxDepth bounds the nesting (0: no bound, for input
// whose size is already bounded).
func Value(b []byte, i int, m Mode, maxDepth int) (end int, err *Error) {
	var st stack
	for {
		// A value starts at i.
		if i >= len(b) {
			return -1, fail(i, ErrValue)
		}
		switch c := b[i]; {
		case c == '"':
			if i, _, err = String(b, i, m); err != nil {
				return -1, err
			}
		case c == '{' || c == '[':
			if maxDepth > 0 && st.n >= maxDepth {
				return -1, fail(i, ErrDepth)
			}
			st.push(c == '{')
			i = Space(b, i+1)
			if i < len(b) && b[i] == c+2 { // '}' or ']'
				i++
				st.pop()
				break
			}
			if c == '{' {
				if i, err = member(b, i, m); err != nil {
					return -1, err
				}
			}
			continue
		case c == '-' || isDigit(c):
			if i, err = Number(b, i); err != nil {
				return -1, err
			}
		case c == 't' || c == 'f' || c == 'n':
			if i, err = Literal(b, i); err != nil {
				return -1, err
			}
		default:
			return -1, fail(i, ErrValue)
		}
		// A value ended at i: close the containers that end here.
		for {
			if st.n == 0 {
				return i, nil
			}
			i = Space(b, i)
			if i >= len(b) {
				return -1, fail(i, ErrUnclosed)
			}
			object := st.top()
			c := b[i]
			if c == ',' {
				i = Space(b, i+1)
				if i < len(b) && (object && b[i] == '}' || !object && b[i] == ']') {
					return -1, fail(i, ErrTrailingComma)
				}
				if object {
					if i, err = member(b, i, m); err != nil {
						return -1, err
					}
				}
				break
			}
			if object && c == '}' || !object && c == ']' {
				i++
				st.pop()
				continue
			}
			return -1, fail(i, ErrComma)
		}
	}
}

// member checks a member name and the ':' after it, and returns the offset
// of the value.
func member(b []byte, i int, m Mode) (int, *Error) {
	if i >= len(b) || b[i] != '"' {
		return -1, fail(i, ErrName)
	}
	i, _, err := String(b, i, m)
	if err != nil {
		return -1, err
	}
	i = Space(b, i)
	if i >= len(b) || b[i] != ':' {
		return -1, fail(i, ErrColon)
	}
	return Space(b, i+1), nil
}

// stack is a stack of bits, 1 for an object and 0 for a list: the first
// 64 levels in a word, deeper ones in a slice.
type stack struct {
	n    int
	w    uint64
	more []uint64
}

func (s *stack) push(object bool) {
	if s.n >= 64 {
		k := s.n/64 - 1
		if k >= len(s.more) {
			s.more = append(s.more, 0)
		}
		if object {
			s.more[k] |= 1 << (s.n % 64)
		} else {
			s.more[k] &^= 1 << (s.n % 64)
		}
	} else if object {
		s.w |= 1 << s.n
	} else {
		s.w &^= 1 << s.n
	}
	s.n++
}

func (s *stack) pop() { s.n-- }

func (s *stack) top() bool {
	n := s.n - 1
	if n >= 64 {
		return s.more[n/64-1]>>(n%64)&1 == 1
	}
	return s.w>>n&1 == 1
}
