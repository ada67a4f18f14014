package jsonscan

import (
	"strings"
	"testing"
)

// scanStringBytewise is scanString one byte at a time: the reference.
func scanStringBytewise(b []byte, i int) (int, bool) {
	esc := false
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '"':
			return j + 1, esc
		case '\\':
			esc = true
			j++
		}
	}
	return -1, esc
}

func TestScanString(t *testing.T) {
	long := strings.Repeat("abcdefgh", 3)
	for _, tc := range []struct {
		in  string
		end int
		esc bool
	}{
		{`""`, 2, false},
		{`"a"`, 3, false},
		{`"abcdefg"`, 9, false},   // the quote is the 9th byte: first word
		{`"abcdefgh"`, 10, false}, // the quote starts the second word
		{`"` + long + `", "x"`, 26, false},
		{`"abc\"def"`, 10, true},
		{`"abcdefg\"h"`, 12, true}, // the backslash ends a word
		{`"abcdefgh\\"`, 12, true}, // an escaped backslash, then the quote
		{`"ab\\\"cdefghijk"`, 17, true},
		{`"\u00e9t\u00e9"`, 15, true},
		{`"unterminated`, -1, false},
		{`"abcdefghijklm\`, -1, true}, // a backslash as the last byte
		{`"abcdefghijklm\"`, -1, true},
		{`"` + long, -1, false},
	} {
		end, esc := scanString([]byte(tc.in), 0)
		if end != tc.end || esc != tc.esc {
			t.Errorf("scanString(%s) = %d, %v; want %d, %v", tc.in, end, esc, tc.end, tc.esc)
		}
	}
}

// FuzzScanString checks that scanString agrees with the byte loop.
func FuzzScanString(f *testing.F) {
	for _, s := range []string{`"abc"`, `"abcdefgh\"ijklmnop"`, `"\\\\\\"`, `"` + strings.Repeat("x", 40)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		end, esc := scanString(b, 0)
		wantEnd, wantEsc := scanStringBytewise(b, 0)
		if end != wantEnd || esc != wantEsc {
			t.Errorf("scanString(%q) = %d, %v; the byte loop gives %d, %v", b, end, esc, wantEnd, wantEsc)
		}
	})
}
