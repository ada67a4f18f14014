package jsonscan_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigie-cti/vigie/internal/jsonscan"
)

// stringBytewise is String one byte at a time: the reference for the
// eight-bytes-at-a-time search.
func stringBytewise(b []byte, m jsonscan.Mode) (end int, esc bool, code jsonscan.Code) {
	for j := 1; j < len(b); {
		c := b[j]
		switch {
		case c == '"':
			return j + 1, esc, 0
		case c == '\\':
			esc = true
			if j+1 >= len(b) {
				return -1, esc, jsonscan.ErrUnterminated
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
				continue
			case 'u':
			default:
				return -1, esc, jsonscan.ErrEscape
			}
			var r rune
			for k := j + 2; k < j+6; k++ {
				if k >= len(b) || !strings.ContainsRune("0123456789abcdefABCDEF", rune(b[k])) {
					return -1, esc, jsonscan.ErrHexEscape
				}
				r = r<<4 | hexVal(b[k])
			}
			j += 6
			if m == jsonscan.Strict && r >= 0xDC00 && r <= 0xDFFF {
				return -1, esc, jsonscan.ErrLowSurrogate
			}
			if m == jsonscan.Strict && r >= 0xD800 && r < 0xDC00 {
				if j+6 > len(b) || b[j] != '\\' || b[j+1] != 'u' {
					return -1, esc, jsonscan.ErrHighSurrogate
				}
				var lo rune
				for k := j + 2; k < j+6; k++ {
					if !strings.ContainsRune("0123456789abcdefABCDEF", rune(b[k])) {
						return -1, esc, jsonscan.ErrHighSurrogate
					}
					lo = lo<<4 | hexVal(b[k])
				}
				if lo < 0xDC00 || lo > 0xDFFF {
					return -1, esc, jsonscan.ErrHighSurrogate
				}
				j += 6
			}
		case c < 0x20:
			return -1, esc, jsonscan.ErrControl
		case c >= 0x80 && m == jsonscan.Strict:
			r, size := utf8.DecodeRune(b[j:])
			if r == utf8.RuneError && size == 1 {
				return -1, esc, jsonscan.ErrUTF8
			}
			j += size
		default:
			j++
		}
	}
	return -1, esc, jsonscan.ErrUnterminated
}

func hexVal(c byte) rune {
	switch {
	case c >= 'a':
		return rune(c - 'a' + 10)
	case c >= 'A':
		return rune(c - 'A' + 10)
	}
	return rune(c - '0')
}

func TestString(t *testing.T) {
	long := strings.Repeat("abcdefgh", 3)
	tests := []struct {
		in   string
		mode jsonscan.Mode
		end  int
		esc  bool
		code jsonscan.Code
	}{
		{`""`, jsonscan.Strict, 2, false, 0},
		{`"a"`, jsonscan.Strict, 3, false, 0},
		{`"abcdefg"`, jsonscan.Strict, 9, false, 0},   // the quote is the 9th byte: first word
		{`"abcdefgh"`, jsonscan.Strict, 10, false, 0}, // the quote starts the second word
		{`"` + long + `", "x"`, jsonscan.Strict, 26, false, 0},
		{`"abc\"def"`, jsonscan.Strict, 10, true, 0},
		{`"abcdefg\"h"`, jsonscan.Strict, 12, true, 0}, // the backslash ends a word
		{`"abcdefgh\\"`, jsonscan.Strict, 12, true, 0}, // an escaped backslash, then the quote
		{`"ab\\\"cdefghijk"`, jsonscan.Strict, 17, true, 0},
		{`"\u00e9t\u00e9"`, jsonscan.Strict, 15, true, 0},
		{`"\ud83d\ude00"`, jsonscan.Strict, 14, true, 0},
		{`"Zürich 東京 and more"`, jsonscan.Strict, 25, false, 0},
		// malformed
		{`"unterminated`, jsonscan.Strict, -1, false, jsonscan.ErrUnterminated},
		{`"abcdefghijklm\`, jsonscan.Strict, -1, true, jsonscan.ErrUnterminated}, // a backslash as the last byte
		{`"abcdefghijklm\"`, jsonscan.Strict, -1, true, jsonscan.ErrUnterminated},
		{`"` + long, jsonscan.Strict, -1, false, jsonscan.ErrUnterminated},
		{"\"abcdefgh\x01ij\"", jsonscan.Compatible, -1, false, jsonscan.ErrControl},
		{"\"a\tb\"", jsonscan.Compatible, -1, false, jsonscan.ErrControl},
		{"\"abc\x00\"", jsonscan.Compatible, -1, false, jsonscan.ErrControl},
		{`"\x"`, jsonscan.Compatible, -1, true, jsonscan.ErrEscape},
		{`"\u12"`, jsonscan.Compatible, -1, true, jsonscan.ErrHexEscape},
		{`"\u12g4"`, jsonscan.Compatible, -1, true, jsonscan.ErrHexEscape},
		{"\"caf\xe9\"", jsonscan.Compatible, 6, false, 0},
		{"\"caf\xe9\"", jsonscan.Strict, -1, false, jsonscan.ErrUTF8},
		{"\"abcdefghij\xff\"", jsonscan.Strict, -1, false, jsonscan.ErrUTF8},
		{`"\udc00"`, jsonscan.Compatible, 8, true, 0},
		{`"\udc00"`, jsonscan.Strict, -1, true, jsonscan.ErrLowSurrogate},
		{`"\ud800x"`, jsonscan.Strict, -1, true, jsonscan.ErrHighSurrogate},
		{`"\ud800\u0041"`, jsonscan.Strict, -1, true, jsonscan.ErrHighSurrogate},
		{`"\ud800"`, jsonscan.Compatible, 8, true, 0},
	}
	for _, tt := range tests {
		end, esc, err := jsonscan.String([]byte(tt.in), 0, tt.mode)
		var code jsonscan.Code
		if err != nil {
			code = err.Code
		}
		if end != tt.end || esc != tt.esc || code != tt.code {
			t.Errorf("String(%q, %d) = %d, %v, %v; want %d, %v, code %d", tt.in, tt.mode, end, esc, err, tt.end, tt.esc, tt.code)
		}
	}
}

// FuzzString holds String to the byte loop, in both modes.
func FuzzString(f *testing.F) {
	for _, s := range []string{`"abc"`, `"abcdefgh\"ijklmnop"`, `"\\\\\\"`, `"` + strings.Repeat("x", 40), "\"abcdefg\xc3\xa9\x01\"", `"\ud83d\ude00\udc00"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != '"' {
			return
		}
		for _, m := range []jsonscan.Mode{jsonscan.Compatible, jsonscan.Strict} {
			end, esc, err := jsonscan.String(b, 0, m)
			var code jsonscan.Code
			if err != nil {
				code = err.Code
			}
			wantEnd, wantEsc, wantCode := stringBytewise(b, m)
			if end != wantEnd || (code == 0 && esc != wantEsc) || code != wantCode {
				t.Errorf("String(%q, %d) = %d, %v, %v; the byte loop gives %d, %v, code %d", b, m, end, esc, err, wantEnd, wantEsc, wantCode)
			}
		}
	})
}

func TestUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{`abc`, "abc"},
		{`a\"b\\c\/d\b\f\n\r\t`, "a\"b\\c/d\b\f\n\r\t"},
		{`\u00e9t\u00E9`, "été"},
		{`\ud83d\ude00`, "😀"},
		{`\ud800x`, "\uFFFDx"},
		{`\udc00\ud800`, "\uFFFD\uFFFD"},
		{`\ud800\u0041`, "\uFFFDA"},
		{`\u0000`, "\x00"},
	}
	for _, tt := range tests {
		if got := string(jsonscan.Unescape(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("Unescape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzUnescape holds Unescape to encoding/json on the strings String
// accepts (valid UTF-8: encoding/json replaces invalid bytes).
func FuzzUnescape(f *testing.F) {
	for _, s := range []string{`"a\"b"`, `"\u00e9\ud83d\ude00"`, `"\ud800\ud800\udc00"`, `"\udc00x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != '"' || !utf8.Valid(b) {
			return
		}
		end, _, err := jsonscan.String(b, 0, jsonscan.Compatible)
		if err != nil {
			return
		}
		var want string
		if err := json.Unmarshal(b[:end], &want); err != nil {
			t.Fatalf("String accepts %q, encoding/json does not: %v", b[:end], err)
		}
		if got := string(jsonscan.Unescape(nil, b[1:end-1])); got != want {
			t.Errorf("Unescape(%q) = %q, encoding/json gives %q", b[1:end-1], got, want)
		}
	})
}
