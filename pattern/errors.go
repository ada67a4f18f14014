package pattern

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SyntaxError reports why a pattern is invalid and where: Offset is the
// byte offset of the offending input, Line and Column its 1-based line and
// column (the column counted in characters). For a grammar error Expected
// lists what the parser would have accepted and Found describes what it saw;
// for other errors (a malformed literal, a limit) Msg says what is wrong.
type SyntaxError struct {
	Offset   int
	Line     int
	Column   int
	Expected []string
	Found    string
	Msg      string
}

// Error returns "LINE:COLUMN: message", such as
// `1:17: expected ']', AND or OR, found "FOO"`.
func (e *SyntaxError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d:%d: ", e.Line, e.Column)
	if len(e.Expected) > 0 {
		b.WriteString("expected ")
		b.WriteString(joinAlternatives(e.Expected))
		if e.Found != "" {
			b.WriteString(", found ")
			b.WriteString(e.Found)
		}
		if e.Msg != "" {
			b.WriteString(" (")
			b.WriteString(e.Msg)
			b.WriteString(")")
		}
		return b.String()
	}
	b.WriteString(e.Msg)
	return b.String()
}

// joinAlternatives renders ["a", "b", "c"] as "a, b or c".
func joinAlternatives(alts []string) string {
	switch len(alts) {
	case 0:
		return ""
	case 1:
		return alts[0]
	}
	return strings.Join(alts[:len(alts)-1], ", ") + " or " + alts[len(alts)-1]
}

// position converts a byte offset of src to a 1-based line and column.
func position(src string, offset int) (line, col int) {
	if offset > len(src) {
		offset = len(src)
	}
	line = 1
	start := 0
	for i := 0; i < offset; i++ {
		if src[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, utf8.RuneCountInString(src[start:offset]) + 1
}

// errorAt builds a SyntaxError with a message at offset of src.
func errorAt(src string, offset int, format string, args ...any) *SyntaxError {
	line, col := position(src, offset)
	return &SyntaxError{Offset: offset, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// Warning is a finding of Validate that does not make the pattern invalid:
// an object type or property that STIX 2.1 does not define, or a hash value
// of the wrong form. Offset, Line and Column locate it as in SyntaxError.
type Warning struct {
	Offset int
	Line   int
	Column int
	Msg    string
}

// String returns "LINE:COLUMN: message".
func (w Warning) String() string {
	return fmt.Sprintf("%d:%d: %s", w.Line, w.Column, w.Msg)
}
